/*
 * figure.h - putting a plot into a report: the figure when gnuplot drew it,
 * and a note in its place when gnuplot is not available, so that a report is
 * always written.
 */
#ifndef FXAUDIT_FIGURE_H
#define FXAUDIT_FIGURE_H

#include "fxaudit/error.h"
#include "fxaudit/pdf.h"

/* Place the figure that an fx_plot_* call returning `plot_rc` was asked to
 * draw into `png`. FX_OK: the PNG, fitted to the text width and height_mm,
 * with `caption`. FX_ENOGNUPLOT: a framed note height_mm tall (0: 60 mm)
 * where the figure would be, saying that it could not be drawn and why
 * (plot_err's message), followed by the caption; *missing (when not NULL) is
 * incremented so that the caller can warn once. Any other plot_rc is a
 * failure: it is returned with plot_err's message copied into err. */
int fx_figure_place(fx_pdf *d, int plot_rc, const fx_error *plot_err, const char *png,
                    double height_mm, const char *caption, int *missing, fx_error *err);

#endif
