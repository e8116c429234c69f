/*
 * study_agreement.c - observer agreement straight from a study: on every
 * finished case and plane, inter-observer ICC(2,1) over all observers and
 * Bland-Altman for each pair, and intra-observer ICC(2,1) and Bland-Altman of
 * each observer's first reading against their repeat. Gap and step-off are
 * analysed separately. The numbers are those of `fxaudit stats icc` and
 * `stats bland-altman` on the `consensus export` table (src/stats/agreement.c).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "fxaudit/agreement.h"
#include "fxaudit/consensus.h"
#include "readings_table.h"

static const char *const quantity[2] = {"gap_mm", "step_mm"};

static json_t *num(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

/* ICC(2,1) of the given columns, or {n, error} when it cannot be computed. */
static json_t *icc_of(const rt_table *t, const int *cols, size_t k)
{
    double *x = malloc((t->n_rows ? t->n_rows : 1) * k * sizeof(*x));
    fx_icc r;
    fx_error err = {0};
    if (!x)
        return json_pack("{s:s}", "error", "out of memory");
    for (size_t i = 0; i < t->n_rows; i++)
        for (size_t j = 0; j < k; j++)
            x[i * k + j] = t->v[i * (size_t)t->n_cols + (size_t)cols[j]];
    int rc = fx_icc_compute(x, t->n_rows, k, 0.05, &r, &err);
    free(x);
    if (rc)
        return json_pack("{s:s}", "error", err.msg);
    const fx_icc_form *f = &r.form[FX_ICC2];
    return json_pack("{s:I, s:I, s:s, s:o, s:[oo], s:o, s:o, s:o, s:o}", "n", (json_int_t)r.n,
                     "dropped", (json_int_t)r.dropped, "type", "ICC2", "icc", num(f->icc),
                     "conf_int", num(f->ci_lo), num(f->ci_hi), "f", num(f->f), "df1", num(f->df1),
                     "df2", num(f->df2), "p", num(f->p));
}

static json_t *ba_of(const rt_table *t, int ca, int cb)
{
    double *a = malloc((t->n_rows ? t->n_rows : 1) * sizeof(*a));
    double *b = malloc((t->n_rows ? t->n_rows : 1) * sizeof(*b));
    fx_bland_altman r;
    fx_error err = {0};
    int rc = a && b ? FX_OK : fx_fail(&err, FX_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < t->n_rows; i++) {
        a[i] = t->v[i * (size_t)t->n_cols + (size_t)ca];
        b[i] = t->v[i * (size_t)t->n_cols + (size_t)cb];
    }
    if (!rc)
        rc = fx_bland_altman_compute(a, b, t->n_rows, &r, &err);
    free(a);
    free(b);
    if (rc)
        return json_pack("{s:s}", "error", err.msg);
    return json_pack("{s:I, s:I, s:o, s:o, s:[oo], s:[oo]}", "n", (json_int_t)r.n, "dropped",
                     (json_int_t)r.dropped, "bias", num(r.bias), "sd", num(r.sd), "loa",
                     num(r.loa[0]), num(r.loa[1]), "bias_ci", num(r.bias_ci[0]), num(r.bias_ci[1]));
}

static json_t *inter(const rt_table *t)
{
    json_t *o = json_object();
    int cols[RT_MAX_OBSERVERS];
    for (int q = 0; q < 2; q++) {
        for (size_t k = 0; k < t->n_obs; k++)
            cols[k] = rt_column(t, k, 1, q);
        json_object_set_new(o, quantity[q],
                            t->n_obs >= 2 ? icc_of(t, cols, t->n_obs)
                                          : json_pack("{s:s}", "error", "fewer than 2 observers"));
    }
    return o;
}

static json_t *pairs(const rt_table *t)
{
    json_t *a = json_array();
    for (size_t i = 0; i < t->n_obs; i++)
        for (size_t j = i + 1; j < t->n_obs; j++)
            for (int q = 0; q < 2; q++) {
                json_t *r = ba_of(t, rt_column(t, i, 1, q), rt_column(t, j, 1, q));
                json_object_set_new(r, "a", json_string(t->observer[i]));
                json_object_set_new(r, "b", json_string(t->observer[j]));
                json_object_set_new(r, "quantity", json_string(quantity[q]));
                json_array_append_new(a, r);
            }
    return a;
}

static json_t *intra(const rt_table *t)
{
    json_t *a = json_array();
    for (size_t k = 0; k < t->n_obs; k++)
        for (int q = 0; t->repeats[k] >= 2 && q < 2; q++) {
            int cols[2] = {rt_column(t, k, 1, q), rt_column(t, k, 2, q)};
            json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:o, s:o}", "observer",
                                               t->observer[k], "quantity", quantity[q], "readings",
                                               "first and repeat 2", "icc", icc_of(t, cols, 2),
                                               "bland_altman", ba_of(t, cols[0], cols[1])));
        }
    return a;
}

int fx_consensus_agreement(fx_store *s, json_t **out, fx_error *err)
{
    rt_table t;
    int rc = rt_build(s, &t, err);
    *out = NULL;
    if (!rc) {
        json_t *obs = json_array();
        for (size_t k = 0; k < t.n_obs; k++)
            json_array_append_new(obs, json_string(t.observer[k]));
        *out = json_pack("{s:I, s:o, s:o, s:o, s:o}", "rows", (json_int_t)t.n_rows, "observers",
                         obs, "inter_observer", inter(&t), "bland_altman", pairs(&t),
                         "intra_observer", intra(&t));
        if (!*out)
            rc = fx_fail(err, FX_ENOMEM, "out of memory");
    }
    rt_release(&t);
    return rc;
}
