/*
 * agreement.c - intraclass correlation (six Shrout-Fleiss forms) and
 * Bland-Altman limits of agreement.
 *
 * The ICCs come from the mean squares of a two-way ANOVA without interaction
 * (subjects x raters). Formulas and confidence intervals follow Shrout & Fleiss
 * (1979) and McGraw & Wong (1996) in the exact form R's psych::ICC (2.2.9) uses,
 * so that results can be checked against it to rounding error: in particular the
 * interval of ICC(2,1) uses McGraw & Wong's approximate denominator degrees of
 * freedom v, a non-integer, and the average-rater interval of ICC(2,k) is the
 * Spearman-Brown step-up of the single-rater bounds. docs/agreement.md has the
 * formulas and a hand calculation.
 */
#include "config.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/agreement.h"

static const char *const icc_names[FX_ICC_NTYPES] = {"ICC1",  "ICC2",  "ICC3",
                                                     "ICC1k", "ICC2k", "ICC3k"};
static const char *const icc_descriptions[FX_ICC_NTYPES] = {
    "one-way random effects, absolute agreement, single rater",
    "two-way random effects, absolute agreement, single rater",
    "two-way mixed effects, consistency, single rater",
    "one-way random effects, absolute agreement, mean of k raters",
    "two-way random effects, absolute agreement, mean of k raters",
    "two-way mixed effects, consistency, mean of k raters",
};

const char *fx_icc_type_name(int type)
{
    return type >= 0 && type < FX_ICC_NTYPES ? icc_names[type] : NULL;
}

const char *fx_icc_type_description(int type)
{
    return type >= 0 && type < FX_ICC_NTYPES ? icc_descriptions[type] : NULL;
}

static bool row_complete(const double *row, size_t k)
{
    for (size_t j = 0; j < k; j++)
        if (isnan(row[j]))
            return false;
    return true;
}

/* Copy the complete rows of x into a new n x k table; *n_out rows. */
static int complete_rows(const double *x, size_t n_rows, size_t k, double **out, size_t *n_out,
                         fx_error *err)
{
    double *y = malloc((n_rows ? n_rows : 1) * k * sizeof(*y));
    size_t n = 0;
    if (!y)
        return fx_fail(err, FX_ENOMEM, "cannot allocate a %zu x %zu table", n_rows, k);
    for (size_t i = 0; i < n_rows; i++)
        if (row_complete(x + i * k, k))
            memcpy(y + k * n++, x + i * k, k * sizeof(*y));
    *out = y;
    *n_out = n;
    return FX_OK;
}

/* Mean squares of the two-way layout: rows, columns, residual (two passes
 * through the means, so that nearly constant data keep their precision). */
static int mean_squares(const double *y, size_t n, size_t k, fx_icc *r, fx_error *err)
{
    double *row = calloc(n, sizeof(*row)), *col = calloc(k, sizeof(*col));
    double grand = 0, ssr = 0, ssc = 0, sse = 0;
    if (!row || !col) {
        free(row);
        free(col);
        return fx_fail(err, FX_ENOMEM, "cannot allocate ANOVA means");
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++) {
            row[i] += y[i * k + j];
            col[j] += y[i * k + j];
            grand += y[i * k + j];
        }
    for (size_t i = 0; i < n; i++)
        row[i] /= (double)k;
    for (size_t j = 0; j < k; j++)
        col[j] /= (double)n;
    grand /= (double)(n * k);
    for (size_t i = 0; i < n; i++)
        ssr += (double)k * (row[i] - grand) * (row[i] - grand);
    for (size_t j = 0; j < k; j++)
        ssc += (double)n * (col[j] - grand) * (col[j] - grand);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++) {
            double e = y[i * k + j] - row[i] - col[j] + grand;
            sse += e * e;
        }
    free(row);
    free(col);
    /* A sum of squares that is rounding noise next to the total (data that vary
     * only between raters, or only between subjects) is zero, so that such data
     * are reported as degenerate instead of as an ICC of noise. */
    double sst = ssr + ssc + sse;
    ssr = ssr <= 1e-12 * sst ? 0 : ssr;
    ssc = ssc <= 1e-12 * sst ? 0 : ssc;
    sse = sse <= 1e-12 * sst ? 0 : sse;
    double dfr = (double)n - 1, dfc = (double)k - 1, dfe = dfr * dfc;
    r->ms_rows = ssr / dfr;
    r->ms_cols = ssc / dfc;
    r->ms_error = sse / dfe;
    r->ms_within = (ssc + sse) / (dfc + dfe);
    return FX_OK;
}

static double upper_p(double f, double df1, double df2)
{
    return isinf(f) ? 0.0 : gsl_cdf_fdist_Q(f, df1, df2);
}

static double qf_upper(double alpha, double df1, double df2)
{
    return gsl_cdf_fdist_Pinv(1 - alpha / 2, df1, df2);
}

/* ICC(1,1), ICC(1,k): one-way model, F = MSB / MSW. */
static void one_way(fx_icc *r)
{
    double n = (double)r->n, k = (double)r->k, a = r->alpha;
    double msb = r->ms_rows, msw = r->ms_within;
    double f = msb / msw, df1 = n - 1, df2 = n * (k - 1);
    double fl = f / qf_upper(a, df1, df2), fu = f * qf_upper(a, df2, df1);
    double p = upper_p(f, df1, df2);
    r->form[FX_ICC1] = (fx_icc_form){(msb - msw) / (msb + (k - 1) * msw),
                                     f,
                                     df1,
                                     df2,
                                     p,
                                     (fl - 1) / (fl + k - 1),
                                     (fu - 1) / (fu + k - 1)};
    r->form[FX_ICC1K] = (fx_icc_form){(msb - msw) / msb, f, df1, df2, p, 1 - 1 / fl, 1 - 1 / fu};
}

/* ICC(3,1), ICC(3,k): consistency, F = MSB / MSE. */
static void consistency(fx_icc *r)
{
    double n = (double)r->n, k = (double)r->k, a = r->alpha;
    double msb = r->ms_rows, mse = r->ms_error;
    double f = msb / mse, df1 = n - 1, df2 = (n - 1) * (k - 1);
    double fl = f / qf_upper(a, df1, df2), fu = f * qf_upper(a, df2, df1);
    double p = upper_p(f, df1, df2);
    if (isinf(f))
        fl = fu = NAN;
    r->form[FX_ICC3] = (fx_icc_form){(msb - mse) / (msb + (k - 1) * mse),
                                     f,
                                     df1,
                                     df2,
                                     p,
                                     (fl - 1) / (fl + k - 1),
                                     (fu - 1) / (fu + k - 1)};
    r->form[FX_ICC3K] = (fx_icc_form){(msb - mse) / msb, f, df1, df2, p, 1 - 1 / fl, 1 - 1 / fu};
}

/* ICC(2,1), ICC(2,k): absolute agreement. The interval is McGraw & Wong's
 * (1996, table 7, case 2A) with approximate degrees of freedom v. */
static void absolute(fx_icc *r)
{
    double n = (double)r->n, k = (double)r->k, a = r->alpha;
    double msb = r->ms_rows, msj = r->ms_cols, mse = r->ms_error;
    double icc = (msb - mse) / (msb + (k - 1) * mse + k * (msj - mse) / n);
    double f = msb / mse, df1 = n - 1, df2 = (n - 1) * (k - 1);
    double fj = msj / mse;
    double c = n * (1 + (k - 1) * icc) - k * icc;
    double vn = (k - 1) * (n - 1) * (k * icc * fj + c) * (k * icc * fj + c);
    double vd = (n - 1) * k * k * icc * icc * fj * fj + c * c;
    double v = vn / vd;
    double lo = NAN, hi = NAN;
    if (isfinite(v) && v > 0) {
        double fu = qf_upper(a, n - 1, v), fl = qf_upper(a, v, n - 1);
        double base = k * msj + (k * n - k - n) * mse;
        lo = n * (msb - fu * mse) / (fu * base + n * msb);
        hi = n * (fl * msb - mse) / (base + n * fl * msb);
    }
    double p = upper_p(f, df1, df2);
    r->form[FX_ICC2] = (fx_icc_form){icc, f, df1, df2, p, lo, hi};
    r->form[FX_ICC2K] = (fx_icc_form){(msb - mse) / (msb + (msj - mse) / n),
                                      f,
                                      df1,
                                      df2,
                                      p,
                                      lo * k / (1 + lo * (k - 1)),
                                      hi * k / (1 + hi * (k - 1))};
}

int fx_icc_compute(const double *x, size_t n_rows, size_t k, double alpha, fx_icc *out,
                   fx_error *err)
{
    double *y = NULL;
    size_t n = 0;
    if (k < 2)
        return fx_fail(err, FX_EINVAL, "an ICC needs at least 2 raters (columns), got %zu", k);
    if (!(alpha > 0 && alpha < 1))
        return fx_fail(err, FX_EINVAL, "alpha must be between 0 and 1, got %g", alpha);
    int rc = complete_rows(x, n_rows, k, &y, &n, err);
    if (rc)
        return rc;
    memset(out, 0, sizeof(*out));
    out->n = n, out->k = k, out->dropped = n_rows - n, out->alpha = alpha;
    if (n < 2)
        rc = fx_fail(err, FX_EINVAL,
                     "an ICC needs at least 2 subjects with every value present, got %zu "
                     "(%zu dropped for missing values)",
                     n, n_rows - n);
    if (!rc)
        rc = mean_squares(y, n, k, out, err);
    free(y);
    if (rc)
        return rc;
    if (out->ms_rows == 0 && out->ms_error == 0)
        return fx_fail(err, FX_EINVAL,
                       "the ICC is undefined: no variation between subjects and no residual "
                       "(every subject has the same mean and the raters differ by a constant at "
                       "most)");
    one_way(out);
    consistency(out);
    absolute(out);
    return FX_OK;
}

int fx_bland_altman_compute(const double *a, const double *b, size_t n, fx_bland_altman *out,
                            fx_error *err)
{
    double sum = 0, ss = 0;
    size_t m = 0;
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < n; i++)
        if (!isnan(a[i]) && !isnan(b[i]))
            sum += a[i] - b[i], m++;
    out->n = m, out->dropped = n - m;
    if (m < 2)
        return fx_fail(err, FX_EINVAL,
                       "bland-altman needs at least 2 complete pairs, got %zu (%zu dropped for "
                       "missing values)",
                       m, n - m);
    double bias = sum / (double)m, dm = (double)m;
    for (size_t i = 0; i < n; i++)
        if (!isnan(a[i]) && !isnan(b[i]))
            ss += (a[i] - b[i] - bias) * (a[i] - b[i] - bias);
    double sd = sqrt(ss / (dm - 1)), z = 1.96;
    double t = gsl_cdf_tdist_Pinv(0.975, dm - 1);
    double se_bias = sd / sqrt(dm);
    double se_loa = sd * sqrt(1 / dm + z * z / (2 * (dm - 1)));
    out->bias = bias;
    out->sd = sd;
    out->loa[0] = bias - z * sd;
    out->loa[1] = bias + z * sd;
    out->t_crit = t;
    out->bias_ci[0] = bias - t * se_bias;
    out->bias_ci[1] = bias + t * se_bias;
    out->se_loa = se_loa;
    out->loa_lo_ci[0] = out->loa[0] - t * se_loa;
    out->loa_lo_ci[1] = out->loa[0] + t * se_loa;
    out->loa_hi_ci[0] = out->loa[1] - t * se_loa;
    out->loa_hi_ci[1] = out->loa[1] + t * se_loa;
    return FX_OK;
}
