/*
 * friedman.c - Friedman's rank test for k >= 3 related samples (R's
 * friedman.test on a matrix), with pairwise signed-rank post-hoc tests and
 * Holm's step-down correction (R's pairwise.wilcox.test(paired = TRUE,
 * p.adjust.method = "holm")).
 */
#include "config.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/stats.h"

struct pv {
    double p;
    size_t i;
};

static int by_p(const void *a, const void *b)
{
    const struct pv *u = a, *v = b;
    if (u->p != v->p)
        return u->p < v->p ? -1 : 1;
    return u->i < v->i ? -1 : u->i > v->i;
}

int fx_stats_holm(const double *p, size_t m, double *q, fx_error *err)
{
    if (m == 0)
        return FX_OK;
    struct pv *s = malloc(m * sizeof(*s));
    size_t mm = 0;
    if (!s)
        return fx_fail(err, FX_ENOMEM, "cannot allocate %zu p-values", m);
    /* as R's p.adjust, missing p-values stay missing and do not count */
    for (size_t i = 0; i < m; i++) {
        if (isnan(p[i]))
            q[i] = NAN;
        else
            s[mm++] = (struct pv){p[i], i};
    }
    m = mm;
    qsort(s, m, sizeof(*s), by_p);
    double running = 0;
    for (size_t k = 0; k < m; k++) {
        double adj = fmin(1, (double)(m - k) * s[k].p);
        running = fmax(running, adj); /* adjusted p never decreases down the order */
        q[s[k].i] = running;
    }
    free(s);
    return FX_OK;
}

/* Copy the rows of y without a NAN into *out; *n_out complete rows. */
static int complete_rows(const double *y, size_t n, size_t k, double **out, size_t *n_out,
                         fx_error *err)
{
    double *c = malloc((n ? n : 1) * k * sizeof(*c));
    size_t m = 0;
    if (!c)
        return fx_fail(err, FX_ENOMEM, "cannot allocate a %zu x %zu table", n, k);
    for (size_t i = 0; i < n; i++) {
        bool ok = true;
        for (size_t j = 0; j < k; j++)
            ok = ok && !isnan(y[i * k + j]);
        if (ok)
            memcpy(c + k * m++, y + i * k, k * sizeof(*c));
    }
    *out = c;
    *n_out = m;
    return FX_OK;
}

static int chi_squared(const double *c, size_t n, size_t k, fx_friedman_result *res, fx_error *err)
{
    double *r = malloc(k * sizeof(*r)), *colsum = calloc(k, sizeof(*colsum));
    double ties = 0, t, dn = (double)n, dk = (double)k, ss = 0;
    int rc = FX_OK;
    if (!r || !colsum) {
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate ranks");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        rc = fx_stats_rank(c + i * k, k, r, &t, err);
        if (rc)
            goto out;
        ties += t;
        for (size_t j = 0; j < k; j++)
            colsum[j] += r[j];
    }
    for (size_t j = 0; j < k; j++)
        ss += (colsum[j] - dn * (dk + 1) / 2) * (colsum[j] - dn * (dk + 1) / 2);
    res->statistic = 12 * ss / (dn * dk * (dk + 1) - ties / (dk - 1));
    res->df = dk - 1;
    res->p = gsl_cdf_chisq_Q(res->statistic, res->df);
out:
    free(r);
    free(colsum);
    return rc;
}

static bool all_equal(const double *x, const double *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return false;
    return true;
}

static int post_hoc(const double *c, size_t n, size_t k, const fx_wilcoxon_opts *o,
                    fx_friedman_result *res, fx_error *err)
{
    size_t m = k * (k - 1) / 2, idx = 0;
    double *a = malloc(2 * n * sizeof(*a)), *p = malloc(m * sizeof(*p)),
           *q = malloc(m * sizeof(*q));
    int rc = FX_OK;
    res->pairs = calloc(m, sizeof(*res->pairs));
    if (!a || !p || !q || !res->pairs) {
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate the post-hoc tests");
        goto out;
    }
    res->n_pairs = m;
    for (size_t j = 0; j < k; j++)
        for (size_t l = j + 1; l < k; l++, idx++) {
            fx_friedman_pair *pr = &res->pairs[idx];
            for (size_t i = 0; i < n; i++)
                a[i] = c[i * k + j], a[n + i] = c[i * k + l];
            pr->a = j, pr->b = l;
            p[idx] = NAN;
            if (all_equal(a, a + n, n)) { /* R: NaN for this pair, the others go on */
                pr->test.p = pr->test.statistic = NAN;
                snprintf(pr->test.method, sizeof(pr->test.method),
                         "not tested: all differences are zero");
                continue;
            }
            rc = fx_wilcoxon_paired(a, a + n, n, o, &pr->test, err);
            if (rc) {
                fx_error_prefix(err, "post-hoc test of columns %zu and %zu", j + 1, l + 1);
                goto out;
            }
            p[idx] = pr->test.p;
        }
    rc = fx_stats_holm(p, m, q, err);
    for (size_t i = 0; !rc && i < m; i++)
        res->pairs[i].p_holm = q[i];
out:
    free(a);
    free(p);
    free(q);
    return rc;
}

int fx_friedman(const double *y, size_t n, size_t k, const fx_wilcoxon_opts *o,
                fx_friedman_result *res, fx_error *err)
{
    double *c = NULL;
    size_t m = 0;
    memset(res, 0, sizeof(*res));
    if (k < 3)
        return fx_fail(err, FX_EINVAL, "the friedman test needs at least 3 columns, not %zu", k);
    int rc = complete_rows(y, n, k, &c, &m, err);
    if (rc)
        return rc;
    res->n = m, res->k = k;
    if (m < 2) {
        rc =
            fx_fail(err, FX_EINVAL, "the friedman test needs at least 2 complete rows, not %zu", m);
        goto out;
    }
    rc = chi_squared(c, m, k, res, err);
    if (!rc && isnan(res->statistic))
        rc = fx_fail(err, FX_EINVAL,
                     "every row is constant: the friedman statistic is "
                     "undefined (R gives NaN)");
    if (!rc)
        rc = post_hoc(c, m, k, o, res, err);
    snprintf(res->method, sizeof(res->method), "Friedman rank sum test");
out:
    free(c);
    if (rc)
        fx_friedman_result_free(res);
    return rc;
}

void fx_friedman_result_free(fx_friedman_result *res)
{
    if (!res)
        return;
    free(res->pairs);
    res->pairs = NULL;
    res->n_pairs = 0;
}
