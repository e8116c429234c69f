/*
 * figure.c - a plot into a report, or a note where it would be.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fxaudit/figure.h"
#include "fxaudit/plot.h"

int fx_figure_place(fx_pdf *d, int plot_rc, const fx_error *plot_err, const char *png,
                    double height_mm, const char *caption, int *missing, fx_error *err)
{
    const char *why = plot_err && plot_err->msg[0] ? plot_err->msg : "no reason given";
    char note[FX_ERROR_MSG_MAX + 128];
    int rc;

    if (plot_rc == FX_OK)
        return fx_pdf_image_png(d, png, height_mm, caption, err);
    if (plot_rc != FX_ENOGNUPLOT)
        return fx_fail(err, plot_rc, "%s", why);
    snprintf(note, sizeof(note), "Figure not drawn: %s.", why);
    rc = fx_pdf_note(d, note, height_mm > 0 ? height_mm : 60.0, err);
    if (!rc && caption)
        rc = fx_pdf_caption(d, caption, err);
    if (!rc && missing)
        (*missing)++;
    return rc;
}
