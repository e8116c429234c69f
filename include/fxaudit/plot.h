/*
 * plot.h - the reports' figures, drawn by gnuplot as PNG files.
 *
 * gnuplot is used only behind this header: src/report/plot.c writes the data
 * to files in a fresh temporary folder, fills a script template from
 * reports/<kind>.gp (found with fx_data_path("reports/<kind>.gp"), or in the
 * source tree's reports/ folder before installation) and runs gnuplot on it
 * with posix_spawn, without a shell. Output goes through the pngcairo
 * terminal at a size that prints sharply at the full text width.
 *
 * Summary numbers drawn in a figure (box quartiles, bins, the fit line, bias
 * and limits of agreement) are computed here in C, by the definitions the
 * statistics module reports, so that a figure never disagrees with a table;
 * gnuplot only draws.
 *
 * Which gnuplot: $FXAUDIT_GNUPLOT (a path, or a name looked up in $PATH) when
 * set and not empty, else "gnuplot" looked up in $PATH. When there is none,
 * or it cannot draw PNG through cairo, every plot call returns FX_ENOGNUPLOT
 * and writes nothing: the report then prints a note where the figure would be.
 */
#ifndef FXAUDIT_PLOT_H
#define FXAUDIT_PLOT_H

#include <stddef.h>

#include "fxaudit/error.h"

/* A plot could not be drawn because gnuplot (with pngcairo) is not available.
 * Distinct from the FX_E* failures: not a fault of the data or the caller. */
#define FX_ENOGNUPLOT (-40)

typedef struct fx_plot_opts {
    const char *title;  /* or NULL; reports usually caption instead */
    const char *xlabel; /* with units, e.g. "time after surgery (months)" */
    const char *ylabel;
    const char *note; /* a line of text in the top-left corner, or NULL */
    int width_px, height_px;
} fx_plot_opts;

/* No titles, 1800 x 1100 pixels (about 270 dpi at 170 mm wide). */
void fx_plot_opts_default(fx_plot_opts *o);

/* A named group of values (borrowed). NaN values are missing and skipped. */
typedef struct fx_plot_group {
    const char *name;
    const double *v;
    size_t n;
} fx_plot_group;

/* A named line of points (borrowed), e.g. one patient's scores over time. */
typedef struct fx_plot_series {
    const char *name;
    const double *x, *y;
    size_t n;
} fx_plot_series;

/* Box plots of `ngroups` groups side by side: box from Q1 to Q3 (quantile
 * definition 6, as SPSS and `stats describe`), median line, whiskers to the
 * furthest value within 1.5 IQR, every value shown as a point. When `paired`
 * and all groups have the same n, value i of each group belongs to subject i
 * and the subject's values are joined by thin grey lines (pre against post). */
int fx_plot_box(const fx_plot_opts *o, const fx_plot_group *groups, size_t ngroups, int paired,
                const char *png, fx_error *err);

/* A histogram with bins of `bin_width` starting at a multiple of it (bin_width
 * <= 0: Freedman-Diaconis width rounded to 1, 2 or 5 x 10^k). */
int fx_plot_histogram(const fx_plot_opts *o, const double *v, size_t n, double bin_width,
                      const char *png, fx_error *err);

/* Counts already binned: bin i is [lo[i], hi[i]) with count[i]; bins with
 * inlier[i] != 0 are drawn filled and labelled `label_in` in the key, the
 * others hatched as `label_out` (e.g. the trimmed residuals of a
 * registration). Bins may differ in width; counts must be >= 0. */
int fx_plot_bins(const fx_plot_opts *o, const double *lo, const double *hi, const double *count,
                 const int *inlier, size_t n, const char *label_in, const char *label_out,
                 const char *png, fx_error *err);
/* Points (x[i], y[i]) and the least-squares line y = a + b x over the range
 * of x (drawn when there are at least 3 points with distinct x). */
int fx_plot_scatter(const fx_plot_opts *o, const double *x, const double *y, size_t n,
                    const char *png, fx_error *err);

/* One line with markers per series (trajectories per patient). */
int fx_plot_lines(const fx_plot_opts *o, const fx_plot_series *series, size_t nseries,
                  const char *png, fx_error *err);

/* Bland-Altman plot of paired measurements a, b: (a+b)/2 against a-b, with the
 * bias (mean difference) and the 95 % limits of agreement, bias +/- 1.96 SD
 * (sample SD, n - 1), drawn and labelled. `unit` (e.g. "mm") goes into the
 * labels. Needs at least 2 complete pairs. */
int fx_plot_bland_altman(const fx_plot_opts *o, const double *a, const double *b, size_t n,
                         const char *unit, const char *png, fx_error *err);

/* Strip plot with boxes: every value of each group as a point (spread
 * sideways so that equal values stay visible) over a light box plot; a dashed
 * line at `tolerance` when it is finite (e.g. 5 degrees), labelled "tolerance". */
int fx_plot_strip(const fx_plot_opts *o, const fx_plot_group *groups, size_t ngroups,
                  double tolerance, const char *png, fx_error *err);

/* Where gnuplot is, into `path`; FX_ENOGNUPLOT (with the reason in err) when
 * it is not found or not executable. Does not run it. */
int fx_plot_find_gnuplot(char *path, size_t n, fx_error *err);

/* Quantile of sorted `v[0..n)` by definition 6 (position (n + 1) p, clamped to
 * the ends), as SPSS's HAVERAGE and R's type 6. Exposed for tests. */
double fx_plot_quantile6(const double *sorted, size_t n, double p);

#endif
