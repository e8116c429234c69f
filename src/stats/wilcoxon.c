/*
 * wilcoxon.c - the paired Wilcoxon signed-rank test.
 *
 * Defaults reproduce R's wilcox.test(x, y, paired = TRUE): zeros dropped, V =
 * sum of positive ranks, exact p from the null distribution when n < 50 and
 * there are no ties or zeros, otherwise the normal approximation with the tie
 * correction and a continuity correction. Extensions: Pratt's and the
 * zero-splitting treatment of zeros, an exact conditional p with ties or zeros
 * (shift algorithm), and SPSS's z = (min(W+, W-) - mean) / sd with
 * p = 2 Phi(-|z|). The Hodges-Lehmann part lives in wilcoxon_ci.c.
 */
#include "config.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/stats.h"

void fx_wilcoxon_opts_init(fx_wilcoxon_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->alternative = FX_ALT_TWO_SIDED;
    o->zero_method = FX_ZERO_WILCOX;
    o->exact = FX_EXACT_AUTO;
    o->correct = true;
    o->conf_level = 0.95;
}

/* Ranks of |d| and the sums the test needs, after the zero method has decided
 * which differences are ranked. */
struct signed_ranks {
    size_t n_ranked; /* values that got a rank */
    double *d;       /* the ranked differences (owned) */
    double *r;       /* their ranks (owned) */
    double tie_sum;  /* sum(t^3 - t) over tie groups of |d| */
    double w_plus, w_minus, w_zero;
    double mean, var; /* of V under H0, conditional on the ranks */
};

static void signed_ranks_free(struct signed_ranks *s)
{
    free(s->d);
    free(s->r);
}

static int rank_differences(const double *d, size_t n, fx_zero_method zm, struct signed_ranks *s,
                            fx_error *err)
{
    memset(s, 0, sizeof(*s));
    s->d = malloc((n ? n : 1) * sizeof(double));
    s->r = malloc((n ? n : 1) * sizeof(double));
    double *a = malloc((n ? n : 1) * sizeof(double));
    int rc = FX_OK;
    if (!s->d || !s->r || !a) {
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate ranks for %zu differences", n);
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (d[i] != 0 || zm != FX_ZERO_WILCOX)
            s->d[s->n_ranked++] = d[i];
    for (size_t i = 0; i < s->n_ranked; i++)
        a[i] = fabs(s->d[i]);
    rc = fx_stats_rank(a, s->n_ranked, s->r, &s->tie_sum, err);
    if (rc)
        goto out;
    double sum_r = 0, sum_r2 = 0;
    for (size_t i = 0; i < s->n_ranked; i++) {
        double ri = s->r[i];
        if (s->d[i] > 0)
            s->w_plus += ri;
        else if (s->d[i] < 0)
            s->w_minus += ri;
        else
            s->w_zero += ri;
        if (s->d[i] != 0)
            sum_r += ri, sum_r2 += ri * ri;
    }
    if (zm == FX_ZERO_WILCOX) { /* R's formulas, term for term */
        double m = (double)s->n_ranked;
        s->mean = m * (m + 1) / 4;
        s->var = m * (m + 1) * (2 * m + 1) / 24 - s->tie_sum / 48;
    } else {
        /* conditional on the ranks: each non-zero rank is positive with prob 1/2 */
        s->mean = sum_r / 2 + (zm == FX_ZERO_ZSPLIT ? s->w_zero / 2 : 0);
        s->var = sum_r2 / 4;
    }
out:
    free(a);
    return rc;
}

static void name_method(fx_wilcoxon_result *res, const fx_wilcoxon_opts *o)
{
    const char *zm = o->zero_method == FX_ZERO_PRATT    ? ", Pratt's zero method"
                     : o->zero_method == FX_ZERO_ZSPLIT ? ", zeros split"
                                                        : "";
    if (o->spss)
        snprintf(res->method, sizeof(res->method),
                 "Wilcoxon signed rank test, normal approximation without continuity "
                 "correction (SPSS)%s",
                 zm);
    else if (res->kind == FX_WILCOXON_EXACT)
        snprintf(res->method, sizeof(res->method), "Wilcoxon signed rank exact test%s", zm);
    else if (res->kind == FX_WILCOXON_EXACT_CONDITIONAL)
        snprintf(res->method, sizeof(res->method),
                 "Wilcoxon signed rank exact conditional test (shift algorithm)%s", zm);
    else
        snprintf(res->method, sizeof(res->method), "Wilcoxon signed rank test%s%s",
                 o->correct ? " with continuity correction" : "", zm);
}

static int exact_p(const struct signed_ranks *s, double v, fx_alternative alt, double *p,
                   fx_error *err)
{
    size_t n = s->n_ranked;
    double lo, hi;
    int rc;
    if (alt == FX_ALT_GREATER)
        return fx_signrank_cdf(v - 1, n, false, p, err);
    if (alt == FX_ALT_LESS)
        return fx_signrank_cdf(v, n, true, p, err);
    if (v > (double)n * (n + 1) / 4)
        rc = fx_signrank_cdf(v - 1, n, false, &hi, err), lo = hi;
    else
        rc = fx_signrank_cdf(v, n, true, &lo, err);
    if (rc)
        return rc;
    *p = fmin(2 * lo, 1);
    return FX_OK;
}

/* Exact conditional p: scores are twice the ranks (integers, since average
 * ranks are halves); zeros carry no sign and add a constant under zsplit. */
static int conditional_p(const struct signed_ranks *s, fx_alternative alt, double *p, fx_error *err)
{
    long *a = malloc((s->n_ranked ? s->n_ranked : 1) * sizeof(long));
    if (!a)
        return fx_fail(err, FX_ENOMEM, "cannot allocate scores");
    size_t m = 0;
    for (size_t i = 0; i < s->n_ranked; i++)
        if (s->d[i] != 0)
            a[m++] = lround(2 * s->r[i]);
    long t = lround(2 * s->w_plus);
    double le, ge;
    int rc = fx_signrank_conditional(a, m, t, &le, &ge, err);
    free(a);
    if (rc)
        return rc;
    if (alt == FX_ALT_GREATER)
        *p = ge;
    else if (alt == FX_ALT_LESS)
        *p = le;
    else
        *p = fmin(1, 2 * fmin(le, ge));
    return FX_OK;
}

static void normal_p(const struct signed_ranks *s, double v, const fx_wilcoxon_opts *o,
                     fx_wilcoxon_result *res)
{
    double sd = sqrt(s->var), dz = v - s->mean, corr = 0;
    if (o->spss) {
        /* SPSS: the smaller of the two rank sums, never a correction */
        double w_min = fmin(v, s->w_minus + (o->zero_method == FX_ZERO_ZSPLIT ? s->w_zero / 2 : 0));
        res->z = (w_min - s->mean) / sd;
        res->p = 2 * gsl_cdf_ugaussian_P(-fabs(res->z));
        if (o->alternative != FX_ALT_TWO_SIDED) /* one-sided: the matching half */
            res->p = (o->alternative == FX_ALT_GREATER) == (dz > 0) ? res->p / 2 : 1 - res->p / 2;
        return;
    }
    if (o->correct)
        corr = o->alternative == FX_ALT_GREATER ? 0.5
               : o->alternative == FX_ALT_LESS  ? -0.5
                                                : 0.5 * ((dz > 0) - (dz < 0));
    res->z = (dz - corr) / sd;
    if (o->alternative == FX_ALT_LESS)
        res->p = gsl_cdf_ugaussian_P(res->z);
    else if (o->alternative == FX_ALT_GREATER)
        res->p = gsl_cdf_ugaussian_Q(res->z);
    else
        res->p = 2 * fmin(gsl_cdf_ugaussian_P(res->z), gsl_cdf_ugaussian_Q(res->z));
}

static int check_opts(const fx_wilcoxon_opts *o, fx_error *err)
{
    if (o->conf_int && !(o->conf_level > 0 && o->conf_level < 1))
        return fx_fail(err, FX_EINVAL, "the confidence level must lie between 0 and 1, not %g",
                       o->conf_level);
    if (o->spss && o->exact == FX_EXACT_YES)
        return fx_fail(err, FX_EINVAL, "SPSS mode is the normal approximation: drop --exact");
    return FX_OK;
}

static void count_signs(const double *d, size_t n, fx_wilcoxon_result *res)
{
    for (size_t i = 0; i < n; i++) {
        if (d[i] > 0)
            res->n_pos++;
        else if (d[i] < 0)
            res->n_neg++;
        else
            res->n_zero++;
    }
}

int fx_wilcoxon_signed(const double *d, size_t n, const fx_wilcoxon_opts *o,
                       fx_wilcoxon_result *res, fx_error *err)
{
    struct signed_ranks s;
    int rc = check_opts(o, err);
    if (rc)
        return rc;
    memset(res, 0, sizeof(*res));
    res->z = res->estimate = res->conf_int[0] = res->conf_int[1] = res->conf_level = NAN;
    if (n == 0)
        return fx_fail(err, FX_EINVAL,
                       "no complete pairs: the signed-rank test needs at "
                       "least one difference");
    count_signs(d, n, res);
    if (res->n_zero == n)
        return fx_fail(err, FX_EINVAL,
                       "all %zu differences are zero: the signed-rank test is "
                       "undefined (R gives p = NaN)",
                       n);
    rc = rank_differences(d, n, o->zero_method, &s, err);
    if (rc)
        goto out;
    res->n = s.n_ranked;
    res->ties = s.tie_sum > 0;
    res->statistic = s.w_plus + (o->zero_method == FX_ZERO_ZSPLIT ? s.w_zero / 2 : 0);
    res->w_minus = s.w_minus + (o->zero_method == FX_ZERO_ZSPLIT ? s.w_zero / 2 : 0);
    res->mean = s.mean;
    res->sd = sqrt(s.var);
    bool clean = !res->ties && res->n_zero == 0; /* R's condition for its exact test */
    bool exact = !o->spss &&
                 (o->exact == FX_EXACT_YES || (o->exact == FX_EXACT_AUTO && res->n < 50 && clean));
    if (exact && clean) {
        res->kind = FX_WILCOXON_EXACT;
        rc = exact_p(&s, res->statistic, o->alternative, &res->p, err);
    } else if (exact) {
        res->kind = FX_WILCOXON_EXACT_CONDITIONAL;
        rc = conditional_p(&s, o->alternative, &res->p, err);
    } else {
        res->kind = FX_WILCOXON_NORMAL;
        normal_p(&s, res->statistic, o, res);
    }
    if (rc)
        goto out;
    name_method(res, o);
    if (o->conf_int) {
        /* R's estimate and CI: exact only on its exact path, on the non-zero d */
        bool ci_exact = res->kind == FX_WILCOXON_EXACT;
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (d[i] != 0)
                s.d[m++] = d[i];
        rc = fx_wilcoxon_hl(s.d, m, ci_exact, o->correct && !o->spss, o->alternative, o->conf_level,
                            res, err);
    }
out:
    signed_ranks_free(&s);
    return rc;
}

int fx_wilcoxon_paired(const double *x, const double *y, size_t n, const fx_wilcoxon_opts *o,
                       fx_wilcoxon_result *res, fx_error *err)
{
    double *d = malloc((n ? n : 1) * sizeof(*d));
    if (!d)
        return fx_fail(err, FX_ENOMEM, "cannot allocate %zu differences", n);
    for (size_t i = 0; i < n; i++)
        d[i] = x[i] - y[i];
    int rc = fx_wilcoxon_signed(d, n, o, res, err);
    free(d);
    return rc;
}
