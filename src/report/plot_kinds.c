/*
 * plot_kinds.c - the figures the reports use: each prepares its numbers (box
 * statistics, bins, the fit line, bias and limits) and data files, then hands
 * a template in reports/ to gnuplot through plot.c.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_internal.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double fx_plot_quantile6(const double *s, size_t n, double p)
{
    if (n == 0)
        return NAN;
    double pos = (double)(n + 1) * p; /* 1-based */
    if (pos <= 1)
        return s[0];
    if (pos >= (double)n)
        return s[n - 1];
    size_t k = (size_t)floor(pos);
    return s[k - 1] + (pos - (double)k) * (s[k] - s[k - 1]);
}

/* Finite values of v, sorted, into a new array (*out, count *m). */
static int sorted_finite(const double *v, size_t n, double **out, size_t *m, fx_error *err)
{
    *out = malloc((n ? n : 1) * sizeof(**out));
    *m = 0;
    if (!*out)
        return fx_fail(err, FX_ENOMEM, "cannot allocate %zu plot values", n);
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]))
            (*out)[(*m)++] = v[i];
    qsort(*out, *m, sizeof(**out), cmp_double);
    return FX_OK;
}

/* Names for gnuplot's xtics: ('pre-op' 1, 'post-op' 2). */
static int set_xtics(plot_job *j, const fx_plot_group *g, size_t ng, fx_error *err)
{
    size_t cap = 16, len = 0;
    char *s = malloc(cap);

    for (size_t i = 0; s && i <= ng; i++) {
        const char *name = i < ng ? (g[i].name ? g[i].name : "") : "";
        size_t need = len + 2 * strlen(name) + 32;
        if (need > cap) {
            char *ns = realloc(s, cap = 2 * need);
            if (!ns) {
                free(s);
                s = NULL;
                break;
            }
            s = ns;
        }
        if (i == ng) {
            snprintf(s + len, cap - len, ")");
            break;
        }
        len += (size_t)snprintf(s + len, cap - len, "%s'", i ? ", " : "(");
        for (const char *p = name; *p; p++) {
            if (*p == '\'')
                s[len++] = '\'';
            s[len++] = *p;
        }
        len += (size_t)snprintf(s + len, cap - len, "' %zu", i + 1);
    }
    return plot_set_raw(j, "XTICS", s, err);
}

/* Box statistics of one group as a line of boxes.dat:
 * x q1 whisker_lo whisker_hi q3 median n. */
static int write_box_row(FILE *f, size_t x, const double *v, size_t n, fx_error *err)
{
    double *s;
    size_t m;
    int rc = sorted_finite(v, n, &s, &m, err);
    if (rc)
        return rc;
    if (m > 0) {
        double q1 = fx_plot_quantile6(s, m, 0.25), q3 = fx_plot_quantile6(s, m, 0.75);
        double lo = q1 - 1.5 * (q3 - q1), hi = q3 + 1.5 * (q3 - q1), wlo = q1, whi = q3;
        for (size_t i = 0; i < m; i++) {
            if (s[i] >= lo && s[i] < wlo)
                wlo = s[i];
            if (s[i] <= hi && s[i] > whi)
                whi = s[i];
        }
        fprintf(f, "%zu %.10g %.10g %.10g %.10g %.10g %zu\n", x, q1, wlo, whi, q3,
                fx_plot_quantile6(s, m, 0.5), m);
    }
    free(s);
    return FX_OK;
}

/* A small sideways offset for point i of a group, the same on every run. */
static double jitter(size_t i, double spread)
{
    double u = fmod((double)i * 0.6180339887498949, 1.0);
    return (u - 0.5) * spread;
}

static int write_groups(plot_job *j, const fx_plot_group *g, size_t ng, double spread,
                        fx_error *err)
{
    FILE *boxes = plot_data(j, "boxes.dat", err),
         *pts = boxes ? plot_data(j, "points.dat", err) : NULL;
    int rc = boxes && pts ? FX_OK : FX_EIO;

    for (size_t k = 0; !rc && k < ng; k++) {
        rc = write_box_row(boxes, k + 1, g[k].v, g[k].n, err);
        for (size_t i = 0; !rc && i < g[k].n; i++)
            if (isfinite(g[k].v[i]))
                fprintf(pts, "%.6f %.10g\n", (double)(k + 1) + jitter(i, spread), g[k].v[i]);
    }
    if (boxes) {
        int c = plot_data_close(boxes, "boxes.dat", err);
        rc = rc ? rc : c;
    }
    if (pts) {
        int c = plot_data_close(pts, "points.dat", err);
        rc = rc ? rc : c;
    }
    return rc;
}

static int write_pairs(plot_job *j, const fx_plot_group *g, size_t ng, int *paired, fx_error *err)
{
    FILE *f = plot_data(j, "pairs.dat", err);
    if (!f)
        return FX_EIO;
    for (size_t k = 1; k < ng; k++)
        if (g[k].n != g[0].n)
            *paired = 0;
    for (size_t i = 0; *paired && i < g[0].n; i++) {
        for (size_t k = 0; k < ng; k++)
            if (isfinite(g[k].v[i]))
                fprintf(f, "%zu %.10g\n", k + 1, g[k].v[i]);
        fprintf(f, "\n\n");
    }
    if (!*paired)
        fprintf(f, "0 0\n"); /* a placeholder the template does not draw */
    return plot_data_close(f, "pairs.dat", err);
}

int fx_plot_box(const fx_plot_opts *o, const fx_plot_group *g, size_t ng, int paired,
                const char *png, fx_error *err)
{
    plot_job j;
    int rc;

    if (ng == 0)
        return fx_fail(err, FX_EINVAL, "a box plot needs at least one group");
    rc = plot_begin(&j, err);
    if (!rc)
        rc = write_groups(&j, g, ng, paired ? 0.0 : 0.25, err);
    if (!rc)
        rc = write_pairs(&j, g, ng, &paired, err);
    if (!rc)
        rc = set_xtics(&j, g, ng, err);
    if (!rc)
        rc = plot_set_num(&j, "NGROUPS", (double)ng, err);
    if (!rc)
        rc = plot_set_num(&j, "PAIRED", paired ? 1 : 0, err);
    if (!rc)
        rc = plot_run(&j, "box", o, png, err);
    plot_end(&j);
    return rc;
}

int fx_plot_strip(const fx_plot_opts *o, const fx_plot_group *g, size_t ng, double tolerance,
                  const char *png, fx_error *err)
{
    plot_job j;
    int rc;

    if (ng == 0)
        return fx_fail(err, FX_EINVAL, "a strip plot needs at least one group");
    rc = plot_begin(&j, err);
    if (!rc)
        rc = write_groups(&j, g, ng, 0.36, err);
    if (!rc)
        rc = set_xtics(&j, g, ng, err);
    if (!rc)
        rc = plot_set_num(&j, "NGROUPS", (double)ng, err);
    if (!rc)
        rc = plot_set_num(&j, "HAS_TOL", isfinite(tolerance) ? 1 : 0, err);
    if (!rc)
        rc = plot_set_num(&j, "TOL", isfinite(tolerance) ? tolerance : 0, err);
    if (!rc)
        rc = plot_run(&j, "strip", o, png, err);
    plot_end(&j);
    return rc;
}

/* 1, 2 or 5 x 10^k nearest above x. */
static double nice_step(double x)
{
    double p = pow(10, floor(log10(x))), m = x / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

int fx_plot_histogram(const fx_plot_opts *o, const double *v, size_t n, double bw, const char *png,
                      fx_error *err)
{
    plot_job j;
    double *s;
    size_t m;
    int rc = sorted_finite(v, n, &s, &m, err);

    if (rc)
        return rc;
    if (m == 0) {
        free(s);
        return fx_fail(err, FX_EINVAL, "a histogram needs at least one value");
    }
    if (!(bw > 0)) { /* Freedman-Diaconis, 2 IQR / cbrt(n) */
        double iqr = fx_plot_quantile6(s, m, 0.75) - fx_plot_quantile6(s, m, 0.25);
        double range = s[m - 1] - s[0];
        bw = iqr > 0 ? 2 * iqr / cbrt((double)m) : range > 0 ? range / 5 : 1;
        bw = nice_step(bw);
    }
    rc = plot_begin(&j, err);
    FILE *f = rc ? NULL : plot_data(&j, "bins.dat", err);
    if (!rc && !f)
        rc = FX_EIO;
    for (size_t i = 0; f && i < m;) {
        double lo = floor(s[i] / bw) * bw;
        size_t c = 0;
        while (i < m && s[i] < lo + bw) {
            c++;
            i++;
        }
        fprintf(f, "%.10g %zu\n", lo + bw / 2, c);
    }
    if (f)
        rc = plot_data_close(f, "bins.dat", err);
    if (!rc)
        rc = plot_set_num(&j, "BINW", bw, err);
    if (!rc)
        rc = plot_run(&j, "histogram", o, png, err);
    plot_end(&j);
    free(s);
    return rc;
}

int fx_plot_bins(const fx_plot_opts *o, const double *lo, const double *hi, const double *count,
                 const int *inlier, size_t n, const char *label_in, const char *label_out,
                 const char *png, fx_error *err)
{
    plot_job j;
    for (size_t i = 0; i < n; i++)
        if (!(hi[i] > lo[i]) || !(count[i] >= 0) || !isfinite(hi[i]) || !isfinite(count[i]))
            return fx_fail(err, FX_EINVAL, "bin %zu: needs lo < hi and a count >= 0", i + 1);
    if (n == 0)
        return fx_fail(err, FX_EINVAL, "a histogram needs at least one bin");
    int rc = plot_begin(&j, err);
    FILE *f = rc ? NULL : plot_data(&j, "bins.dat", err);
    if (!rc && !f)
        rc = FX_EIO;
    for (size_t i = 0; f && i < n; i++)
        fprintf(f, "%.10g %.10g %.10g %d\n", lo[i], hi[i], count[i], inlier[i] != 0);
    if (f)
        rc = plot_data_close(f, "bins.dat", err);
    if (!rc)
        rc = plot_set_text(&j, "LABEL_IN", label_in ? label_in : "", err);
    if (!rc)
        rc = plot_set_text(&j, "LABEL_OUT", label_out ? label_out : "", err);
    if (!rc)
        rc = plot_run(&j, "bins", o, png, err);
    plot_end(&j);
    return rc;
}

/* Least squares y = a + b x over complete pairs; false when x has no spread. */
static int fit_line(const double *x, const double *y, size_t n, double *a, double *b, double *xmin,
                    double *xmax, size_t *m)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    *m = 0;
    *xmin = INFINITY;
    *xmax = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i])) {
            (*m)++;
            sx += x[i];
            sy += y[i];
            *xmin = fmin(*xmin, x[i]);
            *xmax = fmax(*xmax, x[i]);
        }
    if (*m < 3)
        return 0;
    double mx = sx / (double)*m, my = sy / (double)*m;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i])) {
            sxx += (x[i] - mx) * (x[i] - mx);
            sxy += (x[i] - mx) * (y[i] - my);
        }
    if (!(sxx > 0))
        return 0;
    *b = sxy / sxx;
    *a = my - *b * mx;
    return 1;
}

int fx_plot_scatter(const fx_plot_opts *o, const double *x, const double *y, size_t n,
                    const char *png, fx_error *err)
{
    plot_job j;
    double a = 0, b = 0, x0, x1;
    size_t m;
    int has_fit = fit_line(x, y, n, &a, &b, &x0, &x1, &m);
    int rc;

    if (m == 0)
        return fx_fail(err, FX_EINVAL, "a scatter plot needs at least one complete pair");
    rc = plot_begin(&j, err);
    FILE *f = rc ? NULL : plot_data(&j, "points.dat", err);
    if (!rc && !f)
        rc = FX_EIO;
    for (size_t i = 0; f && i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i]))
            fprintf(f, "%.10g %.10g\n", x[i], y[i]);
    if (f)
        rc = plot_data_close(f, "points.dat", err);
    f = rc ? NULL : plot_data(&j, "fit.dat", err);
    if (!rc && !f)
        rc = FX_EIO;
    if (f) {
        fprintf(f, "%.10g %.10g\n%.10g %.10g\n", x0, a + b * x0, x1, a + b * x1);
        rc = plot_data_close(f, "fit.dat", err);
    }
    if (!rc)
        rc = plot_set_num(&j, "HAS_FIT", has_fit, err);
    if (!rc)
        rc = plot_run(&j, "scatter", o, png, err);
    plot_end(&j);
    return rc;
}

/* The x range of all series with a 4 % margin, and the distinct x values as
 * tics when there are at most 8 of them (time points), else automatic tics. */
static int set_line_axes(plot_job *j, const fx_plot_series *sr, size_t ns, fx_error *err)
{
    double xs[8], xmin = INFINITY, xmax = -INFINITY;
    size_t nx = 0;
    int few = 1;

    for (size_t k = 0; k < ns; k++)
        for (size_t i = 0; i < sr[k].n; i++) {
            double x = sr[k].x[i];
            size_t u = 0;
            if (!isfinite(x) || !isfinite(sr[k].y[i]))
                continue;
            xmin = fmin(xmin, x);
            xmax = fmax(xmax, x);
            while (u < nx && xs[u] != x)
                u++;
            if (u == nx && few && nx < 8)
                xs[nx++] = x;
            else if (u == nx)
                few = 0;
        }
    if (!isfinite(xmin))
        return fx_fail(err, FX_EINVAL, "a line plot needs at least one complete point");
    double pad = 0.04 * fmax(xmax - xmin, 1.0);
    char tics[256] = "autofreq";
    if (few) {
        size_t len = (size_t)snprintf(tics, sizeof(tics), "(");
        for (size_t u = 0; u < nx; u++)
            len +=
                (size_t)snprintf(tics + len, sizeof(tics) - len, "%s%.10g", u ? ", " : "", xs[u]);
        snprintf(tics + len, sizeof(tics) - len, ")");
    }
    int rc = plot_set_num(j, "XMIN", xmin - pad, err);
    if (!rc)
        rc = plot_set_num(j, "XMAX", xmax + pad, err);
    return rc ? rc : plot_set_raw(j, "XTICS", strdup(tics), err);
}

int fx_plot_lines(const fx_plot_opts *o, const fx_plot_series *sr, size_t ns, const char *png,
                  fx_error *err)
{
    plot_job j;
    int rc;

    if (ns == 0)
        return fx_fail(err, FX_EINVAL, "a line plot needs at least one series");
    rc = plot_begin(&j, err);
    FILE *f = rc ? NULL : plot_data(&j, "series.dat", err);
    if (!rc && !f)
        rc = FX_EIO;
    for (size_t k = 0; f && k < ns; k++) {
        fputc('"', f);
        for (const char *p = sr[k].name ? sr[k].name : ""; *p; p++)
            fputc(*p == '"' ? '\'' : *p, f);
        fputs("\" \"y\"\n", f);
        for (size_t i = 0; i < sr[k].n; i++)
            if (isfinite(sr[k].x[i]) && isfinite(sr[k].y[i]))
                fprintf(f, "%.10g %.10g\n", sr[k].x[i], sr[k].y[i]);
        fputs("\n\n", f);
    }
    if (f)
        rc = plot_data_close(f, "series.dat", err);
    if (!rc)
        rc = set_line_axes(&j, sr, ns, err);
    if (!rc)
        rc = plot_set_num(&j, "NSERIES", (double)ns, err);
    if (!rc)
        rc = plot_run(&j, "lines", o, png, err);
    plot_end(&j);
    return rc;
}

/* Bias and limits of agreement (bias -/+ 1.96 SD, sample SD). */
static int agreement(const double *a, const double *b, size_t n, double *bias, double *lo,
                     double *hi, size_t *m)
{
    double s = 0, ss = 0;
    *m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(a[i]) && isfinite(b[i])) {
            s += a[i] - b[i];
            (*m)++;
        }
    if (*m < 2)
        return 0;
    *bias = s / (double)*m;
    for (size_t i = 0; i < n; i++)
        if (isfinite(a[i]) && isfinite(b[i]))
            ss += (a[i] - b[i] - *bias) * (a[i] - b[i] - *bias);
    double sd = sqrt(ss / (double)(*m - 1));
    *lo = *bias - 1.96 * sd;
    *hi = *bias + 1.96 * sd;
    return 1;
}

/* "bias −0.03 mm": a true minus sign, as in the axis label. */
static int set_label(plot_job *j, const char *key, const char *what, double v, const char *unit,
                     fx_error *err)
{
    char buf[128];
    snprintf(buf, sizeof(buf), "%s %s%.2f%s%s", what, v < 0 ? "\xe2\x88\x92" : "", fabs(v),
             unit && *unit ? " " : "", unit ? unit : "");
    return plot_set_text(j, key, buf, err);
}

/* y range holding the differences and both limits, with room for labels. */
static int set_agreement_range(plot_job *j, const double *a, const double *b, size_t n, double lo,
                               double hi, fx_error *err)
{
    double ymin = lo, ymax = hi;
    for (size_t i = 0; i < n; i++)
        if (isfinite(a[i]) && isfinite(b[i])) {
            ymin = fmin(ymin, a[i] - b[i]);
            ymax = fmax(ymax, a[i] - b[i]);
        }
    double pad = 0.15 * fmax(ymax - ymin, 1e-3);
    int rc = plot_set_num(j, "YMIN", ymin - pad, err);
    return rc ? rc : plot_set_num(j, "YMAX", ymax + pad, err);
}

int fx_plot_bland_altman(const fx_plot_opts *o, const double *a, const double *b, size_t n,
                         const char *unit, const char *png, fx_error *err)
{
    plot_job j;
    double bias, lo, hi;
    size_t m;
    int rc;

    if (!agreement(a, b, n, &bias, &lo, &hi, &m))
        return fx_fail(err, FX_EINVAL, "a Bland-Altman plot needs at least 2 complete pairs");
    rc = plot_begin(&j, err);
    FILE *f = rc ? NULL : plot_data(&j, "points.dat", err);
    if (!rc && !f)
        rc = FX_EIO;
    for (size_t i = 0; f && i < n; i++)
        if (isfinite(a[i]) && isfinite(b[i]))
            fprintf(f, "%.10g %.10g\n", (a[i] + b[i]) / 2, a[i] - b[i]);
    if (f)
        rc = plot_data_close(f, "points.dat", err);
    if (!rc)
        rc = set_agreement_range(&j, a, b, n, lo, hi, err);
    if (!rc)
        rc = plot_set_num(&j, "BIAS", bias, err);
    if (!rc)
        rc = plot_set_num(&j, "LOA_LO", lo, err);
    if (!rc)
        rc = plot_set_num(&j, "LOA_HI", hi, err);
    if (!rc)
        rc = set_label(&j, "BIAS_LABEL", "bias", bias, unit, err);
    if (!rc)
        rc = set_label(&j, "LO_LABEL",
                       "\xe2\x88\x92"
                       "1.96 SD:",
                       lo, unit, err);
    if (!rc)
        rc = set_label(&j, "HI_LABEL", "+1.96 SD:", hi, unit, err);
    if (!rc)
        rc = plot_run(&j, "bland_altman", o, png, err);
    plot_end(&j);
    return rc;
}
