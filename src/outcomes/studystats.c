/*
 * studystats.c - the seed study's results section from the store: the
 * reduction (gap and step-off, pre- vs post-op), screw deviations and grades
 * here; SMFA and the correlations in studystats_smfa.c. Each section reads
 * its tables with one query and hands the numbers to the statistics library.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "studystats_int.h"

void fx_studystats_opts_init(fx_studystats_opts *o)
{
    o->spss = false;
    o->quantile_type = 6;
}

/* ---- reduction ------------------------------------------------------------ */

enum { PRE, POST };
enum { GAP, STEP };

/* One patient's values at one time point, from each source. */
typedef struct red_cell {
    double cons_max[2];   /* consensus row with plane 'max' */
    double cons_plane[2]; /* largest over the consensus rows of the three planes */
    bool has_cons;
    double obs[2];                    /* largest over planes of the measurements ... */
    char observer[FX_STORE_CODE_MAX]; /* ... of this one observer */
    bool several_observers;
} red_cell;

static const char *const reduction_source =
    "consensus table: the row of plane 'max', else the largest over the axial, coronal and "
    "sagittal rows; where a patient's time point has no consensus but current (not amended) "
    "first-reading measurements of exactly one observer, the largest over their planes";

static int timepoint_index(const char *tp)
{
    return !tp ? -1 : !strcmp(tp, "preop") ? PRE : !strcmp(tp, "postop") ? POST : -1;
}

static int read_consensus(fx_store *s, const ss_patients *pts, red_cell (*cell)[2], fx_error *err)
{
    json_t *rows = NULL, *r;
    size_t i;
    int rc = fx_store_query(s,
                            "SELECT p.code AS patient, c.timepoint, c.plane, c.gap_mm, c.step_mm "
                            "FROM consensus c JOIN patients p ON p.id = c.patient_id",
                            NULL, 0, &rows, err);
    if (rc)
        return rc;
    json_array_foreach(rows, i, r)
    {
        long k = ss_patient_index(pts, json_string_value(json_object_get(r, "patient")));
        int t = timepoint_index(json_string_value(json_object_get(r, "timepoint")));
        if (k < 0 || t < 0)
            continue;
        red_cell *c = &cell[k][t];
        bool is_max = !strcmp(json_string_value(json_object_get(r, "plane")), "max");
        double v[2] = {ss_num(r, "gap_mm"), ss_num(r, "step_mm")};
        c->has_cons = true;
        for (int q = 0; q < 2; q++) {
            double *dst = is_max ? &c->cons_max[q] : &c->cons_plane[q];
            *dst = fmax(*dst, v[q]); /* fmax ignores a NAN */
        }
    }
    json_decref(rows);
    return FX_OK;
}

static int read_measurements(fx_store *s, const ss_patients *pts, red_cell (*cell)[2],
                             fx_error *err)
{
    json_t *rows = NULL, *r;
    size_t i;
    int rc = fx_store_query(s,
                            "SELECT patient, timepoint, observer, gap_mm, step_mm "
                            "FROM measurement_view WHERE current AND repeat_no = 1",
                            NULL, 0, &rows, err);
    if (rc)
        return rc;
    json_array_foreach(rows, i, r)
    {
        long k = ss_patient_index(pts, json_string_value(json_object_get(r, "patient")));
        int t = timepoint_index(json_string_value(json_object_get(r, "timepoint")));
        const char *obs = json_string_value(json_object_get(r, "observer"));
        if (k < 0 || t < 0 || !obs)
            continue;
        red_cell *c = &cell[k][t];
        if (!c->observer[0])
            snprintf(c->observer, sizeof(c->observer), "%s", obs);
        else if (strcmp(c->observer, obs))
            c->several_observers = true;
        c->obs[GAP] = fmax(c->obs[GAP], ss_num(r, "gap_mm"));
        c->obs[STEP] = fmax(c->obs[STEP], ss_num(r, "step_mm"));
    }
    json_decref(rows);
    return FX_OK;
}

/* The value the study uses, and where it came from ("" when none). */
static double cell_value(const red_cell *c, int q, const char **source)
{
    if (c->has_cons) {
        *source = "consensus";
        return isfinite(c->cons_max[q]) ? c->cons_max[q] : c->cons_plane[q];
    }
    if (c->observer[0] && !c->several_observers) {
        *source = "single-observer";
        return c->obs[q];
    }
    *source = "";
    return NAN;
}

static json_t *paired_block(const double *pre, const double *post, size_t n,
                            const fx_studystats_opts *o)
{
    json_t *j = json_object();
    json_object_set_new(j, "preop", ss_describe(pre, n, o->quantile_type));
    json_object_set_new(j, "postop", ss_describe(post, n, o->quantile_type));
    json_object_set_new(j, "test", ss_wilcoxon(pre, post, n, o->spss));
    json_object_set_new(j, "mean_difference", ss_mean_diff(pre, post, n));
    return j;
}

static json_t *patient_row(const char *code, red_cell *c, double (*v)[2][2])
{
    json_t *j = json_object();
    static const char *const names[2][2] = {{"preop_gap_mm", "preop_step_mm"},
                                            {"postop_gap_mm", "postop_step_mm"}};
    json_object_set_new(j, "patient", json_string(code));
    for (int t = 0; t < 2; t++) {
        const char *src = "";
        for (int q = 0; q < 2; q++) {
            (*v)[t][q] = cell_value(&c[t], q, &src);
            json_object_set_new(j, names[t][q],
                                isfinite((*v)[t][q]) ? json_real((*v)[t][q]) : json_null());
        }
        json_object_set_new(j, t == PRE ? "preop_source" : "postop_source",
                            *src ? json_string(src) : json_null());
    }
    return j;
}

/* Per patient: the values used, and the patients measured by several
 * observers who still wait for a consensus. */
static void reduction_values(const ss_patients *pts, red_cell (*cell)[2], double *v, json_t *sec)
{
    json_t *rows = json_array(), *pending = json_array();
    for (size_t k = 0; k < pts->n; k++) {
        double pv[2][2];
        json_t *row = patient_row(pts->p[k].code, cell[k], &pv);
        bool any = false;
        for (int t = 0; t < 2; t++)
            for (int q = 0; q < 2; q++) {
                v[((size_t)t * 2 + q) * pts->n + k] = pv[t][q];
                any |= isfinite(pv[t][q]);
            }
        if (any)
            json_array_append_new(rows, row);
        else
            json_decref(row);
        for (int t = 0; t < 2; t++)
            if (!cell[k][t].has_cons && cell[k][t].several_observers)
                json_array_append_new(
                    pending, json_sprintf("%s %s", pts->p[k].code, t == PRE ? "preop" : "postop"));
    }
    json_object_set_new(sec, "patients", rows);
    json_object_set_new(sec, "awaiting_consensus", pending);
}

static int reduction_section(fx_store *s, const fx_studystats_opts *o, const ss_patients *pts,
                             double *post_gap, double *post_step, json_t **out, fx_error *err)
{
    size_t n = pts->n;
    red_cell(*cell)[2] = calloc(n ? n : 1, sizeof(*cell));
    double *v =
        calloc(4 * (n ? n : 1), sizeof(double)); /* [pre gap, pre step, post gap, post step] */
    int rc = cell && v ? FX_OK : fx_fail(err, FX_ENOMEM, "cannot allocate %zu patients", n);

    for (size_t k = 0; !rc && k < n; k++)
        for (int t = 0; t < 2; t++)
            for (int q = 0; q < 2; q++)
                cell[k][t].cons_max[q] = cell[k][t].cons_plane[q] = cell[k][t].obs[q] = NAN;
    if (!rc)
        rc = read_consensus(s, pts, cell, err);
    if (!rc)
        rc = read_measurements(s, pts, cell, err);
    if (!rc) {
        json_t *sec = json_object();
        json_object_set_new(sec, "source", json_string(reduction_source));
        reduction_values(pts, cell, v, sec);
        if (!json_array_size(json_object_get(sec, "patients")))
            json_object_set_new(sec, "message",
                                json_string("no gap or step-off values recorded yet"));
        json_object_set_new(sec, "gap_mm", paired_block(v, v + 2 * n, n, o));
        json_object_set_new(sec, "step_mm", paired_block(v + n, v + 3 * n, n, o));
        memcpy(post_gap, v + 2 * n, n * sizeof(double));
        memcpy(post_step, v + 3 * n, n * sizeof(double));
        *out = sec;
    }
    free(cell);
    free(v);
    return rc;
}

/* ---- screws --------------------------------------------------------------- */

static int screw_section(fx_store *s, const fx_studystats_opts *o, json_t **out, fx_error *err)
{
    static const char *const cols[] = {"angle_deg", "entry_mm", "tip_mm", "length_diff_mm"};
    json_t *rows = NULL, *r, *sec;
    size_t i, n, placed = 0, joint = 0;
    /* the latest row per planned screw: a re-run registration supersedes the old one */
    int rc = fx_store_query(s,
                            "SELECT d.actual_screw_id, d.angle_deg, d.entry_mm, d.tip_mm, "
                            "d.length_diff_mm, d.joint_penetration, pl.patient_id "
                            "FROM screw_deviations d JOIN plan_screws ps ON ps.id = "
                            "d.plan_screw_id JOIN plans pl ON pl.id = ps.plan_id "
                            "WHERE d.id = (SELECT max(e.id) FROM screw_deviations e "
                            "WHERE e.plan_screw_id = d.plan_screw_id) ORDER BY d.id",
                            NULL, 0, &rows, err);
    if (rc)
        return rc;
    n = json_array_size(rows);
    double *v = calloc(5 * (n ? n : 1), sizeof(double));
    if (!v) {
        json_decref(rows);
        return fx_fail(err, FX_ENOMEM, "cannot allocate %zu screws", n);
    }
    json_array_foreach(rows, i, r)
    {
        placed += json_is_integer(json_object_get(r, "actual_screw_id"));
        joint += ss_num(r, "joint_penetration") == 1;
        for (int c = 0; c < 4; c++)
            v[c * n + i] = ss_num(r, cols[c]);
        v[4 * n + i] = fabs(v[3 * n + i]);
    }
    sec = json_object();
    if (!n)
        json_object_set_new(sec, "message", json_string("no screw deviations recorded yet"));
    json_object_set_new(sec, "source",
                        json_string("screw_deviations table, the latest row per planned screw"));
    json_object_set_new(sec, "n_planned", json_integer((json_int_t)n));
    json_object_set_new(sec, "n_placed", json_integer((json_int_t)placed));
    json_object_set_new(sec, "n_not_placed", json_integer((json_int_t)(n - placed)));
    json_object_set_new(sec, "n_joint_penetration", json_integer((json_int_t)joint));
    for (int c = 0; c < 4; c++)
        json_object_set_new(sec, cols[c], ss_describe(v + c * n, n, o->quantile_type));
    json_object_set_new(sec, "abs_length_diff_mm", ss_describe(v + 4 * n, n, o->quantile_type));
    free(v);
    json_decref(rows);
    *out = sec;
    return FX_OK;
}

/* ---- grades --------------------------------------------------------------- */

static json_t *grade_group(json_t *r)
{
    json_t *g = json_object();
    json_object_set(g, "scheme", json_object_get(r, "scheme"));
    json_object_set(g, "timepoint", json_object_get(r, "timepoint"));
    json_object_set_new(g, "n", json_integer(0));
    json_object_set_new(g, "counts", json_array());
    json_object_set_new(g, "method", json_string("count of patients per grade"));
    return g;
}

static int grade_section(fx_store *s, json_t **out, fx_error *err)
{
    json_t *rows = NULL, *r, *groups = json_array(), *g = NULL;
    size_t i;
    int rc = fx_store_query(s,
                            "SELECT scheme, timepoint, grade, count(*) AS n FROM grades "
                            "GROUP BY scheme, timepoint, grade ORDER BY scheme, "
                            "instr('preop postop followup', timepoint), grade",
                            NULL, 0, &rows, err);
    if (rc) {
        json_decref(groups);
        return rc;
    }
    json_array_foreach(rows, i, r)
    {
        if (!g || !json_equal(json_object_get(g, "scheme"), json_object_get(r, "scheme")) ||
            !json_equal(json_object_get(g, "timepoint"), json_object_get(r, "timepoint"))) {
            g = grade_group(r);
            json_array_append_new(groups, g);
        }
        json_int_t k = json_integer_value(json_object_get(r, "n"));
        json_object_set_new(g, "n", json_integer(json_integer_value(json_object_get(g, "n")) + k));
        json_array_append_new(json_object_get(g, "counts"),
                              json_pack("{sOsI}", "grade", json_object_get(r, "grade"), "n", k));
    }
    json_decref(rows);
    *out = json_object();
    if (!json_array_size(groups))
        json_object_set_new(*out, "message", json_string("no grades recorded yet"));
    json_object_set_new(*out, "source", json_string("grades table"));
    json_object_set_new(*out, "schemes", groups);
    return FX_OK;
}

/* ---- all ------------------------------------------------------------------ */

static int sections(fx_store *s, const fx_studystats_opts *o, const ss_patients *pts, json_t *res,
                    fx_error *err)
{
    size_t n = pts->n ? pts->n : 1;
    double *gap = calloc(n, sizeof(double)), *step = calloc(n, sizeof(double));
    json_t *sec = NULL;
    int rc = gap && step ? FX_OK : fx_fail(err, FX_ENOMEM, "cannot allocate %zu patients", n);

    if (!rc && !(rc = reduction_section(s, o, pts, gap, step, &sec, err)))
        json_object_set_new(res, "reduction", sec);
    if (!rc && !(rc = screw_section(s, o, &sec, err)))
        json_object_set_new(res, "screws", sec);
    if (!rc && !(rc = grade_section(s, &sec, err)))
        json_object_set_new(res, "grades", sec);
    if (!rc && !(rc = ss_smfa_section(s, o, pts, &sec, err)))
        json_object_set_new(res, "smfa", sec);
    if (!rc && !(rc = ss_correlation_section(s, o, pts, gap, step, &sec, err)))
        json_object_set_new(res, "correlations", sec);
    free(gap);
    free(step);
    return rc;
}

int fx_studystats_compute(fx_store *s, const fx_studystats_opts *o, json_t **out, fx_error *err)
{
    ss_patients pts = {0};
    json_t *res;
    int rc;

    if (o->quantile_type != 6 && o->quantile_type != 7)
        return fx_fail(err, FX_EINVAL, "quantile type must be 6 or 7, not %d", o->quantile_type);
    rc = fx_store_patient_list(s, &pts.p, &pts.n, err);
    if (rc)
        return rc;
    res = json_object();
    json_object_set_new(res, "study", json_string(fx_store_dir(s)));
    json_object_set_new(res, "convention", json_string(o->spss ? "SPSS" : "R"));
    json_object_set_new(res, "quantile_type", json_integer(o->quantile_type));
    json_object_set_new(res, "n_patients", json_integer((json_int_t)pts.n));
    rc = sections(s, o, &pts, res, err);
    free(pts.p);
    if (rc) {
        json_decref(res);
        return rc;
    }
    *out = res;
    return FX_OK;
}
