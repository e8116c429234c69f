/*
 * signrank.c - null distributions of the signed-rank statistic: the exact one
 * for untied, non-zero differences (R's psignrank/qsignrank), and the exact
 * conditional one for arbitrary integer scores (the one-sample case of
 * Streitberg & Roehmel's shift algorithm, 1986), used with ties and zeros.
 */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "fxaudit/stats.h"

/* Counts c[k] of subsets of {1..n} whose sum is k, k = 0..n(n+1)/2. Below
 * n = 50 the counts (< 2^53) are exact in a double. Caller frees. */
static double *signrank_counts(size_t n, size_t *kmax, fx_error *err)
{
    size_t top = n * (n + 1) / 2;
    double *c = calloc(top + 1, sizeof(*c));
    if (!c) {
        fx_fail(err, FX_ENOMEM, "cannot allocate the signed-rank distribution for n = %zu", n);
        return NULL;
    }
    c[0] = 1;
    for (size_t j = 1; j <= n; j++)
        for (size_t k = j * (j + 1) / 2; k >= j; k--)
            c[k] += c[k - j];
    *kmax = top;
    return c;
}

static int check_n(size_t n, fx_error *err)
{
    if (n > 1000)
        return fx_fail(err, FX_EINVAL,
                       "the exact signed-rank distribution is limited to n <= 1000 (n = %zu)", n);
    return FX_OK;
}

int fx_signrank_cdf(double q, size_t n, bool lower, double *p, fx_error *err)
{
    size_t top;
    int rc = check_n(n, err);
    if (rc)
        return rc;
    double x = floor(q + 1e-7); /* R rounds the quantile the same way */
    if (x < 0) {
        *p = lower ? 0 : 1;
        return FX_OK;
    }
    if (x >= (double)(n * (n + 1) / 2)) {
        *p = lower ? 1 : 0;
        return FX_OK;
    }
    double *c = signrank_counts(n, &top, err);
    if (!c)
        return FX_ENOMEM;
    /* Sum the requested tail itself, so a small p keeps its relative precision. */
    double s = 0;
    size_t xi = (size_t)x;
    if (lower)
        for (size_t k = 0; k <= xi; k++)
            s += c[k];
    else
        for (size_t k = top; k > xi; k--)
            s += c[k];
    free(c);
    *p = ldexp(s, -(int)n);
    return FX_OK;
}

int fx_signrank_quantile(double p, size_t n, double *q, fx_error *err)
{
    size_t top;
    int rc = check_n(n, err);
    if (rc)
        return rc;
    if (!(p > 0 && p < 1))
        return fx_fail(err, FX_EINVAL, "a signed-rank quantile needs 0 < p < 1, not %g", p);
    double *c = signrank_counts(n, &top, err);
    if (!c)
        return FX_ENOMEM;
    double f = ldexp(1, -(int)n), acc = 0;
    size_t k = 0;
    if (p <= 0.5) {
        /* the same fuzz as R, so boundary cases land on the same side */
        double target = p - 10 * DBL_EPSILON;
        for (;; k++) {
            acc += c[k] * f;
            if (acc >= target || k == top)
                break;
        }
    } else {
        double target = 1 - p + 10 * DBL_EPSILON;
        for (;; k++) {
            acc += c[k] * f;
            if (acc > target || k == top)
                break;
        }
        k = top - k;
    }
    free(c);
    *q = (double)k;
    return FX_OK;
}

int fx_signrank_conditional(const long *a, size_t n, long t, double *p_le, double *p_ge,
                            fx_error *err)
{
    long total = 0;
    for (size_t i = 0; i < n; i++) {
        if (a[i] < 0)
            return fx_fail(err, FX_EINVAL, "signed-rank scores must not be negative");
        total += a[i];
    }
    if ((double)total * (double)n > 4e8)
        return fx_fail(err, FX_EINVAL,
                       "the exact conditional distribution is too large for n = %zu "
                       "(use the normal approximation)",
                       n);
    /* Probabilities rather than counts: each step halves, so nothing overflows. */
    double *f = calloc((size_t)total + 1, sizeof(*f));
    if (!f)
        return fx_fail(err, FX_ENOMEM, "cannot allocate the conditional distribution");
    f[0] = 1;
    long reach = 0;
    for (size_t i = 0; i < n; i++) {
        long s = a[i];
        reach += s;
        /* shift: f(T) <- (f(T) + f(T - s)) / 2, from the top down */
        for (long k = reach; k >= 0; k--)
            f[k] = 0.5 * (f[k] + (k >= s ? f[k - s] : 0));
    }
    double le = 0, ge = 0;
    for (long k = 0; k <= total; k++) {
        if (k <= t)
            le += f[k];
        if (k >= t)
            ge += f[k];
    }
    free(f);
    *p_le = le > 1 ? 1 : le;
    *p_ge = ge > 1 ? 1 : ge;
    return FX_OK;
}
