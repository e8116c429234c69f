/*
 * mannwhitney.c - the Wilcoxon rank-sum / Mann-Whitney U test for two
 * independent samples, as R's wilcox.test(x, y): W = sum of x's ranks minus
 * n_x (n_x + 1) / 2; exact p when both samples are below 50 and nothing is
 * tied, otherwise the normal approximation with tie and (by default) continuity
 * correction; the location-shift estimate and CI as R computes them.
 */
#include "config.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/stats.h"

#define TOL_ROOT 1e-4

struct rsctx {
    const double *x, *y;
    size_t nx, ny;
    bool correct;
    fx_alternative alt;
    double *all, *r; /* scratch, nx + ny */
    double zq;
};

static double corr_of(const struct rsctx *c, double dz)
{
    if (!c->correct)
        return 0;
    return c->alt == FX_ALT_GREATER ? 0.5
           : c->alt == FX_ALT_LESS  ? -0.5
                                    : 0.5 * ((dz > 0) - (dz < 0));
}

/* W of (x - mu, y), centred and standardised; also its raw value in *w. */
static double std_w(struct rsctx *c, double mu, double *w)
{
    double mx = (double)c->nx, my = (double)c->ny, ties = 0, s = 0;
    size_t n = c->nx + c->ny;
    for (size_t i = 0; i < c->nx; i++)
        c->all[i] = c->x[i] - mu;
    memcpy(c->all + c->nx, c->y, c->ny * sizeof(double));
    fx_stats_rank(c->all, n, c->r, &ties, NULL);
    for (size_t i = 0; i < c->nx; i++)
        s += c->r[i];
    double stat = s - mx * (mx + 1) / 2;
    if (w)
        *w = stat;
    double dz = stat - mx * my / 2;
    double sigma = sqrt((mx * my / 12) * ((mx + my + 1) - ties / ((mx + my) * (mx + my - 1))));
    return (dz - corr_of(c, dz)) / sigma;
}

static double w_of(double mu, void *vp)
{
    return std_w(vp, mu, NULL);
}

static double w_minus_zq(double mu, void *vp)
{
    return std_w(vp, mu, NULL) - ((struct rsctx *)vp)->zq;
}

static int cmp_double(const void *a, const void *b)
{
    double p = *(const double *)a, q = *(const double *)b;
    return (p > q) - (p < q);
}

static int exact_ci(const struct rsctx *c, double conf_level, fx_ranksum_result *res, fx_error *err)
{
    size_t m = c->nx * c->ny, k = 0;
    double alpha = 1 - conf_level, qu, achieved;
    double *d = malloc(m * sizeof(*d));
    if (!d)
        return fx_fail(err, FX_ENOMEM, "cannot allocate %zu differences", m);
    for (size_t i = 0; i < c->nx; i++)
        for (size_t j = 0; j < c->ny; j++)
            d[k++] = c->x[i] - c->y[j];
    qsort(d, m, sizeof(*d), cmp_double);
    int rc =
        fx_ranksum_quantile(c->alt == FX_ALT_TWO_SIDED ? alpha / 2 : alpha, c->nx, c->ny, &qu, err);
    if (!rc && qu == 0)
        qu = 1;
    if (!rc)
        rc = fx_ranksum_cdf(qu - 1, c->nx, c->ny, true, &achieved, err);
    if (!rc) {
        size_t iu = (size_t)qu, il = m - iu;
        if (c->alt == FX_ALT_TWO_SIDED)
            achieved *= 2;
        res->conf_int[0] = c->alt == FX_ALT_LESS ? -INFINITY : d[iu - 1];
        res->conf_int[1] = c->alt == FX_ALT_GREATER ? INFINITY : d[il];
        res->conf_level = achieved - alpha > alpha / 2 ? 1 - achieved : conf_level;
        res->estimate = m % 2 ? d[m / 2] : (d[m / 2 - 1] + d[m / 2]) / 2;
    }
    free(d);
    return rc;
}

static int root_of(struct rsctx *c, double lo, double hi, double wlo, double whi, double zq,
                   double *out, fx_error *err)
{
    if (wlo - zq <= 0)
        return *out = lo, FX_OK;
    if (whi - zq >= 0)
        return *out = hi, FX_OK;
    c->zq = zq;
    return fx_stats_zeroin(w_minus_zq, c, lo, hi, wlo - zq, whi - zq, TOL_ROOT, out, err);
}

static int normal_ci(struct rsctx *c, double conf_level, fx_ranksum_result *res, fx_error *err)
{
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    for (size_t i = 0; i < c->nx; i++)
        xmin = fmin(xmin, c->x[i]), xmax = fmax(xmax, c->x[i]);
    for (size_t i = 0; i < c->ny; i++)
        ymin = fmin(ymin, c->y[i]), ymax = fmax(ymax, c->y[i]);
    double lo = xmin - ymax, hi = xmax - ymin, alpha = 1 - conf_level;
    double wlo = w_of(lo, c), whi = w_of(hi, c);
    int rc = FX_OK;
    res->conf_level = conf_level;
    res->conf_int[0] = -INFINITY, res->conf_int[1] = INFINITY;
    if (c->alt != FX_ALT_LESS)
        rc = root_of(c, lo, hi, wlo, whi,
                     fx_stats_qnorm(c->alt == FX_ALT_TWO_SIDED ? alpha / 2 : alpha, true),
                     &res->conf_int[0], err);
    if (!rc && c->alt != FX_ALT_GREATER)
        rc = root_of(c, lo, hi, wlo, whi,
                     fx_stats_qnorm(c->alt == FX_ALT_TWO_SIDED ? alpha / 2 : alpha, false),
                     &res->conf_int[1], err);
    if (rc)
        return rc;
    c->correct = false; /* R drops the correction for the point estimate */
    return fx_stats_zeroin(w_of, c, lo, hi, w_of(lo, c), w_of(hi, c), TOL_ROOT, &res->estimate,
                           err);
}

static int test_p(struct rsctx *c, fx_ranksum_result *res, fx_error *err)
{
    double mx = (double)c->nx, my = (double)c->ny, w = res->statistic, lo;
    fx_alternative alt = c->alt;
    if (!res->exact) {
        res->z = std_w(c, 0, NULL);
        res->p = alt == FX_ALT_LESS ? gsl_cdf_ugaussian_P(res->z)
                 : alt == FX_ALT_GREATER
                     ? gsl_cdf_ugaussian_Q(res->z)
                     : 2 * fmin(gsl_cdf_ugaussian_P(res->z), gsl_cdf_ugaussian_Q(res->z));
        return FX_OK;
    }
    if (alt == FX_ALT_GREATER)
        return fx_ranksum_cdf(w - 1, c->nx, c->ny, false, &res->p, err);
    if (alt == FX_ALT_LESS)
        return fx_ranksum_cdf(w, c->nx, c->ny, true, &res->p, err);
    int rc = w > mx * my / 2 ? fx_ranksum_cdf(w - 1, c->nx, c->ny, false, &lo, err)
                             : fx_ranksum_cdf(w, c->nx, c->ny, true, &lo, err);
    res->p = fmin(2 * lo, 1);
    return rc;
}

int fx_mannwhitney(const double *x, size_t nx, const double *y, size_t ny,
                   const fx_wilcoxon_opts *o, fx_ranksum_result *res, fx_error *err)
{
    memset(res, 0, sizeof(*res));
    res->z = res->estimate = res->conf_int[0] = res->conf_int[1] = res->conf_level = NAN;
    res->n_x = nx, res->n_y = ny;
    if (nx == 0 || ny == 0)
        return fx_fail(err, FX_EINVAL,
                       "the rank-sum test needs at least one value in each "
                       "sample (x has %zu, y has %zu)",
                       nx, ny);
    if (o->conf_int && !(o->conf_level > 0 && o->conf_level < 1))
        return fx_fail(err, FX_EINVAL, "the confidence level must lie between 0 and 1");
    struct rsctx c = {x, y, nx, ny, o->correct, o->alternative, NULL, NULL, 0};
    c.all = malloc((nx + ny) * sizeof(double));
    c.r = malloc((nx + ny) * sizeof(double));
    int rc = FX_OK;
    if (!c.all || !c.r) {
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate ranks");
        goto out;
    }
    double ties = 0;
    for (size_t i = 0; i < nx; i++)
        c.all[i] = x[i];
    memcpy(c.all + nx, y, ny * sizeof(double));
    fx_stats_rank(c.all, nx + ny, c.r, &ties, NULL);
    res->ties = ties > 0;
    std_w(&c, 0, &res->statistic);
    res->exact = !res->ties &&
                 (o->exact == FX_EXACT_YES || (o->exact == FX_EXACT_AUTO && nx < 50 && ny < 50));
    rc = test_p(&c, res, err);
    if (rc)
        goto out;
    snprintf(res->method, sizeof(res->method), "Wilcoxon rank sum %s",
             res->exact   ? "exact test"
             : o->correct ? "test with continuity correction"
                          : "test");
    if (o->conf_int)
        rc = res->exact ? exact_ci(&c, o->conf_level, res, err)
                        : normal_ci(&c, o->conf_level, res, err);
out:
    free(c.all);
    free(c.r);
    return rc;
}
