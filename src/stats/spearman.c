/*
 * spearman.c - Spearman's rank correlation and its p-value as R's
 * cor.test(method = "spearman"): rho is the Pearson correlation of average
 * ranks; without ties the null distribution of S = sum d^2 is exact for
 * n <= 9 (enumeration) and an Edgeworth series above (Best & Roberts 1975,
 * algorithm AS 89); with ties (or n > 1290) Student's t with n - 2 df.
 */
#include "config.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/stats.h"

#define EXACT_MAX_N 9
#define AS89_MAX_N 1290

/* Counts of permutations of 1..n by S = sum (i - p(i))^2, by enumeration. */
static void enumerate(int *perm, bool *used, int n, int depth, long s, double *count)
{
    if (depth == n) {
        count[s]++;
        return;
    }
    for (int v = 1; v <= n; v++) {
        if (used[v])
            continue;
        used[v] = true;
        perm[depth] = v;
        long d = v - (depth + 1);
        enumerate(perm, used, n, depth + 1, s + d * d, count);
        used[v] = false;
    }
}

static double prho_exact(double s, int n, bool lower)
{
    int perm[EXACT_MAX_N];
    bool used[EXACT_MAX_N + 1] = {false};
    long top = (long)n * ((long)n * n - 1) / 3;
    double count[EXACT_MAX_N * (EXACT_MAX_N * EXACT_MAX_N - 1) / 3 + 1] = {0};
    double nfac = 1, upper = 0;
    enumerate(perm, used, n, 0, 0, count);
    for (int i = 2; i <= n; i++)
        nfac *= i;
    for (long k = 0; k <= top; k++)
        if ((double)k >= s)
            upper += count[k];
    return (lower ? nfac - upper : upper) / nfac;
}

/* AS 89's Edgeworth series for P(S >= s). */
static double prho_edgeworth(double s, double n)
{
    static const double c[12] = {0.2274, 0.2531, 0.1745, 0.0758, 0.1033, 0.3932,
                                 0.0879, 0.0151, 0.0072, 0.0831, 0.0131, 4.6e-4};
    double b = 1 / n;
    double x = (6 * (s - 1) * b / (n * n - 1) - 1) * sqrt(1 / b - 1);
    double y = x * x;
    double u =
        x * b *
        (c[0] + b * (c[1] + c[2] * b) +
         y * (-c[3] + b * (c[4] + c[5] * b) -
              y * b * (c[6] + c[7] * b - y * (c[8] - c[9] * b + y * b * (c[10] - c[11] * y)))));
    double p = u / exp(y / 2) + gsl_cdf_ugaussian_Q(x);
    return p < 0 ? 0 : p > 1 ? 1 : p;
}

double fx_spearman_prho(double s, size_t n, bool lower)
{
    if (n <= 1 || s <= 0)
        return lower ? 0 : 1;
    double dn = (double)n, top = dn * (dn * dn - 1) / 3;
    if (s > top)
        return lower ? 1 : 0;
    if (n <= EXACT_MAX_N)
        return prho_exact(s, (int)n, lower);
    double up = prho_edgeworth(s, dn);
    return lower ? 1 - up : up;
}

/* Pearson correlation the way R's cor() computes it (long-double sums). */
static double pearson(const double *x, const double *y, size_t n)
{
    long double mx = 0, my = 0, tx = 0, ty = 0, sxx = 0, syy = 0, sxy = 0, dn = n;
    for (size_t i = 0; i < n; i++)
        mx += x[i], my += y[i];
    mx /= dn, my /= dn;
    for (size_t i = 0; i < n; i++)
        tx += x[i] - mx, ty += y[i] - my;
    double xm = (double)(mx + tx / dn), ym = (double)(my + ty / dn);
    for (size_t i = 0; i < n; i++) {
        sxx += (x[i] - xm) * (long double)(x[i] - xm);
        syy += (y[i] - ym) * (long double)(y[i] - ym);
        sxy += (x[i] - xm) * (long double)(y[i] - ym);
    }
    double n1 = (double)(n - 1);
    double cxx = (double)(sxx / n1), cyy = (double)(syy / n1), cxy = (double)(sxy / n1);
    double r = cxy / (sqrt(cxx) * sqrt(cyy));
    return r > 1 ? 1 : r < -1 ? -1 : r;
}

static double p_tail(double q, size_t n, bool exact, bool lower)
{
    double dn = (double)n;
    if (exact && n <= AS89_MAX_N)
        return fx_spearman_prho(nearbyint(q) + 2 * lower, n, lower);
    double r = 1 - q / (dn * (dn * dn - 1) / 6);
    double t = r / sqrt((1 - r * r) / (dn - 2));
    return lower ? gsl_cdf_tdist_Q(t, dn - 2) : gsl_cdf_tdist_P(t, dn - 2);
}

static bool has_ties(const double *r, size_t n)
{
    /* average ranks are all distinct exactly when they are 1..n */
    double sum2 = 0, dn = (double)n;
    for (size_t i = 0; i < n; i++)
        sum2 += r[i] * r[i];
    return sum2 != dn * (dn + 1) * (2 * dn + 1) / 6;
}

static int rank_both(const double *x, const double *y, size_t n, double *rx, double *ry,
                     fx_error *err)
{
    int rc = fx_stats_rank(x, n, rx, NULL, err);
    return rc ? rc : fx_stats_rank(y, n, ry, NULL, err);
}

static int spearman_run(const double *x, const double *y, size_t n, fx_alternative alt,
                        bool t_approx, fx_spearman_result *res, fx_error *err)
{
    memset(res, 0, sizeof(*res));
    res->n = n;
    if (n < 2 || (t_approx && n < 3))
        return fx_fail(err, FX_EINVAL, "spearman needs at least %d complete pairs, not %zu",
                       t_approx ? 3 : 2, n);
    double *rx = malloc(2 * n * sizeof(double));
    if (!rx)
        return fx_fail(err, FX_ENOMEM, "cannot allocate ranks");
    double *ry = rx + n;
    int rc = rank_both(x, y, n, rx, ry, err);
    if (rc)
        goto out;
    res->ties = has_ties(rx, n) || has_ties(ry, n);
    res->rho = pearson(rx, ry, n);
    if (!isfinite(res->rho)) {
        rc = fx_fail(err, FX_EINVAL,
                     "a column is constant: its ranks have no spread, so rho "
                     "is undefined (R gives NA)");
        goto out;
    }
    double dn = (double)n, q = (dn * dn * dn - dn) * (1 - res->rho) / 6;
    res->statistic = q;
    res->exact = !t_approx && !res->ties && n <= AS89_MAX_N;
    if (alt == FX_ALT_TWO_SIDED) {
        bool upper = q > (dn * dn * dn - dn) / 6;
        res->p = fmin(2 * p_tail(q, n, res->exact, !upper), 1);
    } else {
        res->p = p_tail(q, n, res->exact, alt == FX_ALT_GREATER);
    }
    snprintf(res->method, sizeof(res->method), "Spearman's rank correlation rho%s",
             res->exact ? (n <= EXACT_MAX_N ? " (exact, AS 89)" : " (Edgeworth series, AS 89)")
             : t_approx ? " (t approximation, SPSS)"
                        : " (t approximation)");
out:
    free(rx);
    return rc;
}

int fx_spearman(const double *x, const double *y, size_t n, fx_alternative alt,
                fx_spearman_result *res, fx_error *err)
{
    return spearman_run(x, y, n, alt, false, res, err);
}

int fx_spearman_t(const double *x, const double *y, size_t n, fx_alternative alt,
                  fx_spearman_result *res, fx_error *err)
{
    return spearman_run(x, y, n, alt, true, res, err);
}
