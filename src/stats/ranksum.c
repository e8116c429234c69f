/*
 * ranksum.c - the exact null distribution of the Wilcoxon rank-sum (Mann-
 * Whitney) statistic W for samples of m and n without ties: R's pwilcox and
 * qwilcox. Counts come from the recurrence c(j, l; k) = c(j, l-1; k) +
 * c(j-1, l; k - l) (Mann & Whitney 1947), which needs additions only, so they
 * are exact while they stay below 2^53.
 */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "fxaudit/stats.h"

/* counts[k], k = 0..m n, of arrangements with W = k. Caller frees. */
static double *ranksum_counts(size_t m, size_t n, fx_error *err)
{
    size_t top = m * n;
    double dm = (double)m, dn = (double)n;
    if (dm * dn * dm * dn > 4e9) {
        fx_fail(err, FX_EINVAL,
                "the exact rank-sum distribution is too large for samples of %zu and %zu "
                "(use the normal approximation)",
                m, n);
        return NULL;
    }
    /* row j holds c(j, l; .) for the current l, with room for k up to m n */
    double *c = calloc((m + 1) * (top + 1), sizeof(*c));
    double *out = calloc(top + 1, sizeof(*out));
    if (!c || !out) {
        free(c);
        free(out);
        fx_fail(err, FX_ENOMEM, "cannot allocate the rank-sum distribution");
        return NULL;
    }
#define C(j, k) c[(j) * (top + 1) + (k)]
    for (size_t j = 0; j <= m; j++)
        C(j, 0) = 1; /* l = 0: only W = 0 */
    for (size_t l = 1; l <= n; l++)
        for (size_t j = 1; j <= m; j++)
            for (size_t k = j * l; k >= l; k--)
                C(j, k) += C(j - 1, k - l);
    for (size_t k = 0; k <= top; k++)
        out[k] = C(m, k);
#undef C
    free(c);
    return out;
}

static double sum_of(const double *c, size_t top)
{
    double s = 0;
    for (size_t k = 0; k <= top; k++)
        s += c[k];
    return s;
}

int fx_ranksum_cdf(double q, size_t m, size_t n, bool lower, double *p, fx_error *err)
{
    size_t top = m * n;
    double x = floor(q + 1e-7);
    if (x < 0) {
        *p = lower ? 0 : 1;
        return FX_OK;
    }
    if (x >= (double)top) {
        *p = lower ? 1 : 0;
        return FX_OK;
    }
    double *c = ranksum_counts(m, n, err);
    if (!c)
        return err ? err->code : FX_EINVAL;
    double total = sum_of(c, top), s = 0;
    size_t xi = (size_t)x;
    if (lower)
        for (size_t k = 0; k <= xi; k++)
            s += c[k];
    else
        for (size_t k = top; k > xi; k--)
            s += c[k];
    free(c);
    *p = s / total;
    return FX_OK;
}

int fx_ranksum_quantile(double p, size_t m, size_t n, double *q, fx_error *err)
{
    size_t top = m * n;
    if (!(p > 0 && p < 1))
        return fx_fail(err, FX_EINVAL, "a rank-sum quantile needs 0 < p < 1, not %g", p);
    double *c = ranksum_counts(m, n, err);
    if (!c)
        return err ? err->code : FX_EINVAL;
    double total = sum_of(c, top), acc = 0;
    size_t k = 0;
    if (p <= 0.5) {
        double target = p - 10 * DBL_EPSILON;
        for (;; k++) {
            acc += c[k] / total;
            if (acc >= target || k == top)
                break;
        }
    } else {
        double target = 1 - p + 10 * DBL_EPSILON;
        for (;; k++) {
            acc += c[k] / total;
            if (acc > target || k == top)
                break;
        }
        k = top - k;
    }
    free(c);
    *q = (double)k;
    return FX_OK;
}
