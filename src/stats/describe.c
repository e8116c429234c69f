/*
 * describe.c - descriptives as R computes them: mean and SD with a long-double
 * refinement pass (R's mean() and var()), median, quantiles by Hyndman & Fan's
 * type 6 (SPSS's HAVERAGE, position (n + 1) p) and type 7 (R's default,
 * position 1 + (n - 1) p), and the paired mean difference with its t-based CI
 * (R's t.test(paired = TRUE)).
 */
#include "config.h"

#include <float.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/stats.h"

static int cmp_double(const void *a, const void *b)
{
    double p = *(const double *)a, q = *(const double *)b;
    return (p > q) - (p < q);
}

static double *sorted_copy(const double *x, size_t n, fx_error *err)
{
    double *s = malloc((n ? n : 1) * sizeof(*s));
    if (!s) {
        fx_fail(err, FX_ENOMEM, "cannot allocate %zu values", n);
        return NULL;
    }
    memcpy(s, x, n * sizeof(*s));
    qsort(s, n, sizeof(*s), cmp_double);
    return s;
}

static double mean_of(const double *x, size_t n)
{
    long double s = 0, t = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    s /= (long double)n;
    for (size_t i = 0; i < n; i++) /* second pass, as R, mops up rounding */
        t += x[i] - s;
    return (double)(s + t / (long double)n);
}

static double var_of(const double *x, size_t n)
{
    long double m = 0, t = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        m += x[i];
    m /= (long double)n;
    for (size_t i = 0; i < n; i++)
        t += x[i] - m;
    m += t / (long double)n;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - m) * (x[i] - m);
    return (double)(ss / (long double)(n - 1));
}

/* Quantile of sorted s[0..n-1]. */
static double quantile_sorted(const double *s, size_t n, double p, int type)
{
    if (type == 7) {
        double index = 1 + (double)(n - 1) * p, lo = floor(index);
        double hi = ceil(index), q = s[(size_t)lo - 1];
        if (index > lo && s[(size_t)hi - 1] != q) {
            double h = index - lo;
            q = (1 - h) * q + h * s[(size_t)hi - 1];
        }
        return q;
    }
    /* type 6: a = b = 0, with R's fuzz against representation error */
    double fuzz = 4 * DBL_EPSILON, nppm = p * (double)(n + 1);
    double j = floor(nppm + fuzz), h = nppm - j;
    if (fabs(h) < fuzz)
        h = 0;
    /* R pads the sorted data with the minimum twice and the maximum twice */
    long jj = (long)j;
    double lo = jj < 1 ? s[0] : jj > (long)n ? s[n - 1] : s[jj - 1];
    double hi = jj + 1 < 1 ? s[0] : jj + 1 > (long)n ? s[n - 1] : s[jj];
    if (h == 1)
        return hi;
    if (h > 0 && h < 1 && lo != hi)
        return (1 - h) * lo + h * hi;
    return lo;
}

static int check_type(int type, fx_error *err)
{
    if (type != 6 && type != 7)
        return fx_fail(err, FX_EINVAL, "quantile type must be 6 or 7, not %d", type);
    return FX_OK;
}

int fx_stats_quantile(const double *x, size_t n, double p, int type, double *q, fx_error *err)
{
    int rc = check_type(type, err);
    if (rc)
        return rc;
    if (n == 0)
        return fx_fail(err, FX_EINVAL, "no values: a quantile needs at least one");
    if (!(p >= 0 && p <= 1))
        return fx_fail(err, FX_EINVAL, "quantile probability %g is outside [0, 1]", p);
    double *s = sorted_copy(x, n, err);
    if (!s)
        return FX_ENOMEM;
    *q = quantile_sorted(s, n, p, type);
    free(s);
    return FX_OK;
}

static double median_sorted(const double *s, size_t n)
{
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

int fx_stats_median(const double *x, size_t n, double *m, fx_error *err)
{
    if (n == 0)
        return fx_fail(err, FX_EINVAL, "no values: a median needs at least one");
    double *s = sorted_copy(x, n, err);
    if (!s)
        return FX_ENOMEM;
    *m = median_sorted(s, n);
    free(s);
    return FX_OK;
}

int fx_stats_describe(const double *x, size_t n, int quantile_type, fx_describe *out, fx_error *err)
{
    int rc = check_type(quantile_type, err);
    if (rc)
        return rc;
    if (n == 0)
        return fx_fail(err, FX_EINVAL, "no values to describe");
    double *s = sorted_copy(x, n, err);
    if (!s)
        return FX_ENOMEM;
    out->n = n;
    out->quantile_type = quantile_type;
    out->mean = mean_of(x, n);
    out->sd = n > 1 ? sqrt(var_of(x, n)) : NAN;
    out->median = median_sorted(s, n);
    out->q1 = quantile_sorted(s, n, 0.25, quantile_type);
    out->q3 = quantile_sorted(s, n, 0.75, quantile_type);
    out->min = s[0];
    out->max = s[n - 1];
    free(s);
    return FX_OK;
}

int fx_stats_mean_diff(const double *x, const double *y, size_t n, double conf_level,
                       fx_mean_diff *out, fx_error *err)
{
    if (n < 2)
        return fx_fail(err, FX_EINVAL, "a paired t interval needs at least 2 pairs, not %zu", n);
    if (!(conf_level > 0 && conf_level < 1))
        return fx_fail(err, FX_EINVAL, "the confidence level must lie between 0 and 1");
    double *d = malloc(n * sizeof(*d));
    if (!d)
        return fx_fail(err, FX_ENOMEM, "cannot allocate %zu differences", n);
    for (size_t i = 0; i < n; i++)
        d[i] = x[i] - y[i];
    out->n = n;
    out->mean = mean_of(d, n);
    out->sd = sqrt(var_of(d, n));
    free(d);
    out->df = (double)(n - 1);
    out->se = out->sd / sqrt((double)n);
    out->conf_level = conf_level;
    if (out->se == 0 || out->se < 10 * DBL_EPSILON * fabs(out->mean))
        return fx_fail(err, FX_EINVAL,
                       "the differences are essentially constant: "
                       "the paired t interval is undefined");
    out->t = out->mean / out->se;
    out->p = 2 * gsl_cdf_tdist_Q(fabs(out->t), out->df);
    double q = gsl_cdf_tdist_Pinv(1 - (1 - conf_level) / 2, out->df);
    /* R forms the interval on the t scale, then scales it */
    out->conf_int[0] = (out->t - q) * out->se;
    out->conf_int[1] = (out->t + q) * out->se;
    return FX_OK;
}
