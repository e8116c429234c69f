/*
 * studystats_smfa.c - the SMFA part of the study statistics: each stored
 * scale (function and bother index first, then any key subscales) at the
 * pre-injury, 3-month and 1-year occasions, the signed-rank tests between
 * them (with Holm's adjustment of the three) and the Friedman test across
 * them; and Spearman between post-op reduction and the 1-year function index.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/stats.h"
#include "studystats_int.h"

#define N_OCC 3
static const char *const occasions[N_OCC] = {"pre-injury", "3-months", "1-year"};
static const int pairs[N_OCC][2] = {{0, 1}, {1, 2}, {0, 2}};

static int occasion_index(const char *occ)
{
    for (int i = 0; occ && i < N_OCC; i++)
        if (!strcmp(occ, occasions[i]))
            return i;
    return -1;
}

/* Scores of `scale` per patient (rows) and occasion (columns), NAN when absent. */
static void fill_scores(json_t *rows, const char *scale, const ss_patients *pts, double *y)
{
    json_t *r;
    size_t i;
    for (size_t k = 0; k < pts->n * N_OCC; k++)
        y[k] = NAN;
    json_array_foreach(rows, i, r)
    {
        if (strcmp(json_string_value(json_object_get(r, "scale")), scale))
            continue;
        long k = ss_patient_index(pts, json_string_value(json_object_get(r, "patient")));
        int o = occasion_index(json_string_value(json_object_get(r, "occasion")));
        if (k >= 0 && o >= 0)
            y[(size_t)k * N_OCC + o] = ss_num(r, "score");
    }
}

static json_t *friedman_block(const double *y, size_t n, bool spss)
{
    fx_wilcoxon_opts o;
    fx_friedman_result r = {0};
    fx_error err;
    json_t *j = json_object();
    size_t complete = 0;
    for (size_t k = 0; k < n; k++)
        complete +=
            isfinite(y[k * N_OCC]) && isfinite(y[k * N_OCC + 1]) && isfinite(y[k * N_OCC + 2]);
    double *yr = malloc((n ? n : 1) * N_OCC * sizeof(double));
    fx_wilcoxon_opts_init(&o);
    o.spss = spss;
    /* ranks within a patient: scores equal in exact arithmetic must tie */
    for (size_t k = 0; yr && k < n * N_OCC; k++)
        yr[k] = ss_round9(y[k]);
    json_object_set_new(j, "n", json_integer((json_int_t)complete));
    if (!yr || complete < 2 || fx_friedman(yr, n, N_OCC, &o, &r, &err)) {
        free(yr);
        json_object_set_new(j, "p", json_null());
        json_object_set_new(j, "method", json_string("not tested"));
        json_object_set_new(j, "message",
                            json_string(complete < 2 ? "fewer than 2 patients with all three "
                                                       "occasions"
                                                     : err.msg));
        return j;
    }
    json_object_set_new(j, "statistic", json_real(r.statistic));
    json_object_set_new(j, "df", json_real(r.df));
    json_object_set_new(j, "p", isfinite(r.p) ? json_real(r.p) : json_null());
    json_object_set_new(j, "method",
                        json_string("Friedman rank sum test (chi-squared with the tie correction, "
                                    "R friedman.test)"));
    fx_friedman_result_free(&r);
    free(yr);
    return j;
}

/* The three pairwise tests, with Holm's adjustment over those that ran. */
static json_t *comparisons(const double *y, size_t n, bool spss)
{
    json_t *list = json_array(), *t[N_OCC];
    double *a = malloc((n ? n : 1) * 2 * sizeof(double)), p[N_OCC], q[N_OCC];
    size_t m = 0;
    for (int c = 0; c < N_OCC; c++) {
        for (size_t k = 0; a && k < n; k++) {
            a[k] = y[k * N_OCC + pairs[c][0]];
            a[n + k] = y[k * N_OCC + pairs[c][1]];
        }
        t[c] = a ? ss_wilcoxon(a, a + n, n, spss) : json_object();
        json_object_set_new(t[c], "a", json_string(occasions[pairs[c][0]]));
        json_object_set_new(t[c], "b", json_string(occasions[pairs[c][1]]));
        double pc = json_number_value(json_object_get(t[c], "p"));
        if (json_is_number(json_object_get(t[c], "p")))
            p[m++] = pc;
        json_array_append_new(list, t[c]);
    }
    if (m && fx_stats_holm(p, m, q, NULL) == FX_OK)
        for (int c = 0, i = 0; c < N_OCC; c++)
            if (json_is_number(json_object_get(t[c], "p")))
                json_object_set_new(t[c], "p_holm", json_real(q[i++]));
    free(a);
    return list;
}

static json_t *scale_block(json_t *rows, const char *scale, const ss_patients *pts,
                           const fx_studystats_opts *o, double *y)
{
    json_t *j = json_object(), *by = json_object();
    double *col = malloc((pts->n ? pts->n : 1) * sizeof(double));
    fill_scores(rows, scale, pts, y);
    for (int c = 0; c < N_OCC; c++) {
        for (size_t k = 0; col && k < pts->n; k++)
            col[k] = y[k * N_OCC + c];
        json_object_set_new(by, occasions[c], ss_describe(col, col ? pts->n : 0, o->quantile_type));
    }
    free(col);
    json_object_set_new(j, "scale", json_string(scale));
    json_object_set_new(j, "by_occasion", by);
    json_object_set_new(j, "comparisons", comparisons(y, pts->n, o->spss));
    json_object_set_new(j, "friedman", friedman_block(y, pts->n, o->spss));
    return j;
}

/* The scales present, function and bother first. */
static json_t *scale_names(json_t *rows)
{
    json_t *names = json_pack("[ss]", "function", "bother"), *r;
    size_t i, k;
    json_array_foreach(rows, i, r)
    {
        json_t *s = json_object_get(r, "scale"), *v;
        bool seen = false;
        json_array_foreach(names, k, v) seen |= json_equal(v, s);
        if (!seen)
            json_array_append(names, s);
    }
    return names;
}

int ss_smfa_section(fx_store *s, const fx_studystats_opts *o, const ss_patients *pts, json_t **out,
                    fx_error *err)
{
    json_t *rows = NULL, *names, *scales = json_array(), *v;
    size_t i;
    double *y = malloc((pts->n ? pts->n : 1) * N_OCC * sizeof(double));
    int rc = y ? fx_store_query(s,
                                "SELECT p.code AS patient, f.occasion, sc.scale, sc.score "
                                "FROM smfa_scores sc JOIN smfa_forms f ON f.id = sc.form_id "
                                "JOIN patients p ON p.id = f.patient_id "
                                "WHERE sc.score IS NOT NULL ORDER BY sc.id",
                                NULL, 0, &rows, err)
               : fx_fail(err, FX_ENOMEM, "cannot allocate SMFA scores");
    if (rc) {
        free(y);
        json_decref(scales);
        return rc;
    }
    names = scale_names(rows);
    json_array_foreach(names, i, v)
        json_array_append_new(scales, scale_block(rows, json_string_value(v), pts, o, y));
    *out = json_object();
    if (!json_array_size(rows))
        json_object_set_new(*out, "message", json_string("no SMFA scores recorded yet"));
    json_object_set_new(*out, "source",
                        json_string("smfa_scores of the forms at pre-injury, 3-months and "
                                    "1-year (0-100, higher = worse; unscored scales left out)"));
    json_object_set_new(*out, "occasions",
                        json_pack("[sss]", occasions[0], occasions[1], occasions[2]));
    json_object_set_new(*out, "scales", scales);
    json_decref(names);
    json_decref(rows);
    free(y);
    return FX_OK;
}

int ss_correlation_section(fx_store *s, const fx_studystats_opts *o, const ss_patients *pts,
                           const double *post_gap, const double *post_step, json_t **out,
                           fx_error *err)
{
    json_t *rows = NULL, *list = json_array(), *c;
    double *y = malloc((pts->n ? pts->n : 1) * N_OCC * sizeof(double));
    double *fn = malloc((pts->n ? pts->n : 1) * sizeof(double));
    int rc = y && fn ? fx_store_query(s,
                                      "SELECT p.code AS patient, f.occasion, sc.scale, sc.score "
                                      "FROM smfa_scores sc JOIN smfa_forms f ON f.id = "
                                      "sc.form_id JOIN patients p ON p.id = f.patient_id "
                                      "WHERE sc.scale = 'function' AND sc.score IS NOT NULL",
                                      NULL, 0, &rows, err)
                     : fx_fail(err, FX_ENOMEM, "cannot allocate SMFA scores");
    if (!rc) {
        fill_scores(rows, "function", pts, y);
        for (size_t k = 0; k < pts->n; k++)
            fn[k] = y[k * N_OCC + 2];
        c = ss_spearman(post_gap, fn, pts->n, o->spss);
        json_object_set_new(c, "x", json_string("post-op gap_mm"));
        json_object_set_new(c, "y", json_string("1-year SMFA function index"));
        json_array_append_new(list, c);
        c = ss_spearman(post_step, fn, pts->n, o->spss);
        json_object_set_new(c, "x", json_string("post-op step_mm"));
        json_object_set_new(c, "y", json_string("1-year SMFA function index"));
        json_array_append_new(list, c);
        *out = json_object();
        json_object_set_new(*out, "pairs", list);
        list = NULL;
    }
    json_decref(list);
    json_decref(rows);
    free(y);
    free(fn);
    return rc;
}
