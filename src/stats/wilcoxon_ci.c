/*
 * wilcoxon_ci.c - the Hodges-Lehmann estimate of the signed-rank test and its
 * confidence interval, computed as R's wilcox.test(conf.int = TRUE) does:
 * exact (order statistics of the Walsh averages, Bauer 1972) on R's exact
 * path, otherwise by inverting the normal approximation with Brent's root
 * finder at R's tolerance of 1e-4 (the inverted statistic is a step function,
 * so R's numbers depend on where the search stops).
 */
#include "config.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/stats.h"

#define TOL_ROOT 1e-4

double fx_stats_qnorm(double p, bool upper)
{
    if (isnan(p) || p < 0 || p > 1)
        return NAN;
    if (p == 0)
        return upper ? INFINITY : -INFINITY;
    if (p == 1)
        return upper ? -INFINITY : INFINITY;
    return upper ? gsl_cdf_ugaussian_Qinv(p) : gsl_cdf_ugaussian_Pinv(p);
}

double fx_stats_signif(double x, int digits)
{
    if (x == 0 || !isfinite(x))
        return x;
    double e10 = digits - 1 - floor(log10(fabs(x)));
    double p10 = pow(10, e10);
    return nearbyint(x * p10) / p10;
}

static int cmp_double(const void *a, const void *b)
{
    double p = *(const double *)a, q = *(const double *)b;
    return (p > q) - (p < q);
}

static int hl_exact(const double *d, size_t n, fx_alternative alt, double conf_level,
                    fx_wilcoxon_result *res, fx_error *err)
{
    size_t nw = n * (n + 1) / 2, k = 0;
    double alpha = 1 - conf_level, qu, achieved;
    double *w = malloc(nw * sizeof(*w));
    if (!w)
        return fx_fail(err, FX_ENOMEM, "cannot allocate %zu Walsh averages", nw);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i; j < n; j++)
            w[k++] = (d[i] + d[j]) / 2;
    qsort(w, nw, sizeof(*w), cmp_double);
    int rc = fx_signrank_quantile(alt == FX_ALT_TWO_SIDED ? alpha / 2 : alpha, n, &qu, err);
    if (!rc && qu == 0)
        qu = 1;
    if (!rc)
        rc = fx_signrank_cdf(qu - 1, n, true, &achieved, err);
    if (rc)
        goto out;
    size_t iu = (size_t)qu, il = nw - iu; /* R's diffs[qu] and diffs[ql + 1] */
    if (alt == FX_ALT_TWO_SIDED) {
        achieved *= 2;
        res->conf_int[0] = w[iu - 1], res->conf_int[1] = w[il];
    } else if (alt == FX_ALT_GREATER) {
        res->conf_int[0] = w[iu - 1], res->conf_int[1] = INFINITY;
    } else {
        res->conf_int[0] = -INFINITY, res->conf_int[1] = w[il];
    }
    res->conf_level = conf_level;
    if (achieved - alpha > alpha / 2)
        res->conf_level = 1 - fx_stats_signif(achieved, 2);
    res->estimate = nw % 2 ? w[nw / 2] : (w[nw / 2 - 1] + w[nw / 2]) / 2;
out:
    free(w);
    return rc;
}

/* The standardised signed-rank statistic of d - mu, as R's inner W(d). */
struct wctx {
    const double *d;
    size_t n;
    bool correct;
    fx_alternative alt;
    double *xd, *ad, *r; /* scratch */
    double zq;
};

static double w_of(double mu, void *vp)
{
    struct wctx *c = vp;
    size_t m = 0;
    double tie_sum = 0, zd = 0, corr = 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->d[i] - mu != 0)
            c->xd[m] = c->d[i] - mu, c->ad[m] = fabs(c->xd[m]), m++;
    fx_stats_rank(c->ad, m, c->r, &tie_sum, NULL);
    for (size_t i = 0; i < m; i++)
        if (c->xd[i] > 0)
            zd += c->r[i];
    double nx = (double)m;
    zd -= nx * (nx + 1) / 4;
    double sigma = sqrt(nx * (nx + 1) * (2 * nx + 1) / 24 - tie_sum / 48);
    if (c->correct)
        corr = c->alt == FX_ALT_GREATER ? 0.5
               : c->alt == FX_ALT_LESS  ? -0.5
                                        : 0.5 * ((zd > 0) - (zd < 0));
    return (zd - corr) / sigma;
}

static double w_minus_zq(double mu, void *vp)
{
    return w_of(mu, vp) - ((struct wctx *)vp)->zq;
}

static int root_at(struct wctx *c, double lo, double hi, double wlo, double whi, double zq,
                   double *out, fx_error *err)
{
    c->zq = zq;
    return fx_stats_zeroin(w_minus_zq, c, lo, hi, wlo - zq, whi - zq, TOL_ROOT, out, err);
}

/* R's widening of alpha until the interval's ends bracket the quantiles. */
static double widen_alpha(double alpha, double wlo, double whi, fx_alternative alt)
{
    for (;;) {
        bool widen;
        if (alt == FX_ALT_TWO_SIDED)
            widen = wlo - fx_stats_qnorm(alpha / 2, true) < 0 ||
                    whi - fx_stats_qnorm(alpha / 2, false) > 0;
        else if (alt == FX_ALT_GREATER)
            widen = wlo - fx_stats_qnorm(alpha, true) < 0;
        else /* R tests alpha / 2 here, and uses alpha for the root */
            widen = whi - fx_stats_qnorm(alpha / 2, false) > 0;
        if (!widen)
            return alpha;
        alpha *= 2;
    }
}

static int hl_normal_ci(struct wctx *c, double lo, double hi, double wlo, double whi,
                        double conf_level, fx_wilcoxon_result *res, fx_error *err)
{
    double alpha = widen_alpha(1 - conf_level, wlo, whi, c->alt), med;
    int rc = fx_stats_median(c->d, c->n, &med, err);
    res->conf_level = conf_level;
    if (alpha >= 1 || 1 - conf_level < alpha * 0.75)
        res->conf_level = 1 - fmin(1, alpha);
    if (rc)
        return rc;
    if (c->alt == FX_ALT_TWO_SIDED) {
        if (alpha >= 1) {
            res->conf_int[0] = res->conf_int[1] = med;
            return FX_OK;
        }
        rc = root_at(c, lo, hi, wlo, whi, fx_stats_qnorm(alpha / 2, true), &res->conf_int[0], err);
        if (!rc)
            rc = root_at(c, lo, hi, wlo, whi, fx_stats_qnorm(alpha / 2, false), &res->conf_int[1],
                         err);
    } else if (c->alt == FX_ALT_GREATER) {
        res->conf_int[1] = INFINITY;
        res->conf_int[0] = med;
        if (alpha < 1)
            rc = root_at(c, lo, hi, wlo, whi, fx_stats_qnorm(alpha, true), &res->conf_int[0], err);
    } else {
        res->conf_int[0] = -INFINITY;
        res->conf_int[1] = med;
        if (alpha < 1)
            rc = root_at(c, lo, hi, wlo, whi, fx_stats_qnorm(alpha, false), &res->conf_int[1], err);
    }
    return rc;
}

static int hl_normal(const double *d, size_t n, bool correct, fx_alternative alt, double conf_level,
                     fx_wilcoxon_result *res, fx_error *err)
{
    struct wctx c = {d, n, correct, alt, NULL, NULL, NULL, 0};
    double lo = INFINITY, hi = -INFINITY;
    int rc = FX_OK;
    c.xd = malloc(n * sizeof(double));
    c.ad = malloc(n * sizeof(double));
    c.r = malloc(n * sizeof(double));
    if (!c.xd || !c.ad || !c.r) {
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate the confidence-interval search");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        lo = fmin(lo, d[i]), hi = fmax(hi, d[i]);
    double wlo = w_of(lo, &c), whi = isfinite(wlo) ? w_of(hi, &c) : NAN;
    if (!isfinite(whi)) { /* all differences equal: R gives NaN and the midrange */
        res->conf_int[0] = alt == FX_ALT_LESS ? -INFINITY : NAN;
        res->conf_int[1] = alt == FX_ALT_GREATER ? INFINITY : NAN;
        res->conf_level = 0;
        res->estimate = (lo + hi) / 2;
        goto out;
    }
    rc = hl_normal_ci(&c, lo, hi, wlo, whi, conf_level, res, err);
    if (rc)
        goto out;
    c.correct = false; /* R drops the correction for the point estimate */
    rc = fx_stats_zeroin(w_of, &c, lo, hi, w_of(lo, &c), w_of(hi, &c), TOL_ROOT, &res->estimate,
                         err);
out:
    free(c.xd);
    free(c.ad);
    free(c.r);
    if (rc)
        fx_error_prefix(err, "Hodges-Lehmann confidence interval");
    return rc;
}

int fx_wilcoxon_hl(const double *d, size_t n, bool exact, bool correct, fx_alternative alt,
                   double conf_level, fx_wilcoxon_result *res, fx_error *err)
{
    if (n == 0) {
        res->estimate = res->conf_int[0] = res->conf_int[1] = NAN;
        res->conf_level = 0;
        return FX_OK;
    }
    if (exact)
        return hl_exact(d, n, alt, conf_level, res, err);
    return hl_normal(d, n, correct, alt, conf_level, res, err);
}
