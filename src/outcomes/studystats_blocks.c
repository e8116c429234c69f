/*
 * studystats_blocks.c - the figures of the study statistics as JSON blocks:
 * descriptives, a paired signed-rank test, a paired mean difference and a
 * rank correlation, each with its n and the name of its method, computed by
 * the statistics library (stats.h) on the complete cases.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/stats.h"
#include "studystats_int.h"

long ss_patient_index(const ss_patients *pts, const char *code)
{
    for (size_t i = 0; code && i < pts->n; i++)
        if (!strcmp(pts->p[i].code, code))
            return (long)i;
    return -1;
}

double ss_num(json_t *row, const char *col)
{
    json_t *v = json_object_get(row, col);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

double ss_round9(double v)
{
    return isfinite(v) ? round(v * 1e9) / 1e9 : v;
}

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* The finite values of x (and, when y is not NULL, the pairs where both are
 * finite) into fresh arrays; returns their count. */
static size_t complete(const double *x, const double *y, size_t n, double **cx, double **cy)
{
    size_t m = 0;
    *cx = malloc((n ? n : 1) * sizeof(double));
    *cy = y ? malloc((n ? n : 1) * sizeof(double)) : NULL;
    if (!*cx || (y && !*cy))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && (!y || isfinite(y[i]))) {
            (*cx)[m] = x[i];
            if (y)
                (*cy)[m] = y[i];
            m++;
        }
    return m;
}

json_t *ss_describe(const double *x, size_t n, int quantile_type)
{
    double *v = NULL, *unused = NULL;
    fx_describe d;
    json_t *j = json_object();
    size_t m = complete(x, NULL, n, &v, &unused);
    bool ok = m && fx_stats_describe(v, m, quantile_type, &d, NULL) == FX_OK;
    json_object_set_new(j, "n", json_integer((json_int_t)m));
    json_object_set_new(j, "median", ok ? num(d.median) : json_null());
    json_object_set_new(j, "q1", ok ? num(d.q1) : json_null());
    json_object_set_new(j, "q3", ok ? num(d.q3) : json_null());
    json_object_set_new(j, "min", ok ? num(d.min) : json_null());
    json_object_set_new(j, "max", ok ? num(d.max) : json_null());
    json_object_set_new(j, "mean", ok ? num(d.mean) : json_null());
    json_object_set_new(j, "sd", ok ? num(d.sd) : json_null());
    json_object_set_new(j, "method",
                        json_string(quantile_type == 6
                                        ? "median and IQR, quartiles by type 6 (SPSS HAVERAGE, "
                                          "R quantile(type = 6))"
                                        : "median and IQR, quartiles by type 7 (R's default "
                                          "quantile)"));
    free(v);
    return j;
}

static json_t *untested(size_t m, const char *why)
{
    json_t *j = json_object();
    json_object_set_new(j, "n_pairs", json_integer((json_int_t)m));
    json_object_set_new(j, "p", json_null());
    json_object_set_new(j, "method", json_string("not tested"));
    json_object_set_new(j, "message", json_string(why));
    return j;
}

json_t *ss_wilcoxon(const double *x, const double *y, size_t n, bool spss)
{
    double *a = NULL, *b = NULL;
    fx_wilcoxon_opts o;
    fx_wilcoxon_result r;
    fx_error err;
    json_t *j;
    size_t m = complete(x, y, n, &a, &b);

    fx_wilcoxon_opts_init(&o);
    o.spss = spss;
    /* differences equal in exact arithmetic (2.1 - 0.7 and 3.1 - 1.7, or two
     * SMFA scores' differences) must tie; doubles may differ in the last bit */
    for (size_t i = 0; i < m; i++)
        a[i] = ss_round9(a[i] - b[i]);
    if (!m)
        j = untested(0, "no complete pairs");
    else if (fx_wilcoxon_signed(a, m, &o, &r, &err))
        j = untested(m, err.msg);
    else {
        j = json_object();
        json_object_set_new(j, "n_pairs", json_integer((json_int_t)m));
        json_object_set_new(j, "n", json_integer((json_int_t)r.n));
        json_object_set_new(j, "statistic", num(r.statistic));
        json_object_set_new(j, "w_minus", num(r.w_minus));
        json_object_set_new(j, "z", num(r.z));
        json_object_set_new(j, "p", num(r.p));
        json_object_set_new(j, "alternative", json_string("two-sided"));
        json_object_set_new(j, "method", json_string(r.method));
    }
    free(a);
    free(b);
    return j;
}

json_t *ss_mean_diff(const double *x, const double *y, size_t n)
{
    double *a = NULL, *b = NULL;
    fx_mean_diff d;
    fx_error err;
    json_t *j = json_object();
    size_t m = complete(x, y, n, &a, &b);
    int rc = m ? fx_stats_mean_diff(a, b, m, 0.95, &d, &err)
               : fx_fail(&err, FX_EINVAL, "no complete pairs");

    json_object_set_new(j, "n", json_integer((json_int_t)m));
    json_object_set_new(j, "mean", rc ? json_null() : num(d.mean));
    json_object_set_new(j, "sd", rc ? json_null() : num(d.sd));
    json_object_set_new(j, "conf_int",
                        rc ? json_pack("[nn]")
                           : json_pack("[oo]", num(d.conf_int[0]), num(d.conf_int[1])));
    json_object_set_new(j, "conf_level", json_real(0.95));
    json_object_set_new(j, "method",
                        json_string("mean of the paired differences with a 95 % CI from the t "
                                    "distribution (R t.test(paired = TRUE))"));
    if (rc)
        json_object_set_new(j, "message", json_string(err.msg));
    free(a);
    free(b);
    return j;
}

json_t *ss_spearman(const double *x, const double *y, size_t n, bool spss)
{
    double *a = NULL, *b = NULL;
    fx_spearman_result r;
    fx_error err;
    json_t *j;
    size_t m = complete(x, y, n, &a, &b);
    for (size_t i = 0; i < m; i++) /* values equal in exact arithmetic must tie */
        a[i] = ss_round9(a[i]), b[i] = ss_round9(b[i]);
    int rc = !m     ? fx_fail(&err, FX_EINVAL, "no complete pairs")
             : spss ? fx_spearman_t(a, b, m, FX_ALT_TWO_SIDED, &r, &err)
                    : fx_spearman(a, b, m, FX_ALT_TWO_SIDED, &r, &err);
    if (rc) {
        j = json_object();
        json_object_set_new(j, "n", json_integer((json_int_t)m));
        json_object_set_new(j, "rho", json_null());
        json_object_set_new(j, "p", json_null());
        json_object_set_new(j, "method", json_string("not computed"));
        json_object_set_new(j, "message", json_string(err.msg));
    } else {
        j = json_object();
        json_object_set_new(j, "n", json_integer((json_int_t)r.n));
        json_object_set_new(j, "rho", num(r.rho));
        json_object_set_new(j, "statistic", num(r.statistic));
        json_object_set_new(j, "p", num(r.p));
        json_object_set_new(j, "method", json_string(r.method));
    }
    free(a);
    free(b);
    return j;
}
