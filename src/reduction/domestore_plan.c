/*
 * domestore_plan.c - the plan-based dome estimate of a study patient
 * (domestore.h, fx_dome_estimate_store_plan): the plan file the study
 * records, the pre-op CT it was made on and the audit's stored fragment
 * poses; nothing else.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domestore_int.h"
#include "fxaudit/domeplan.h"
#include "fxaudit/domestore.h"
#include "fxaudit/volio.h"

#define METHOD                                                                                     \
    DOMESTORE_PLAN_PREFIX " 1: fracture lines where the nearest fragment of the reduced plan "  \
    "changes on the dome; d = D_a(x) - D_b(x) from the plan's reduction (pre-op) and the "      \
    "audit's fragment poses (post-op), docs/phantom.md's definitions "                          \
    "(docs/reduction-estimate.md)"

/* The patient's newest plan with a file, and its pre-op series. */
static const char plan_sql[] =
    "SELECT pl.id AS plan_id, pl.path AS path, p.id AS pid, s.id AS sid, s.path AS spath FROM "
    "plans pl JOIN patients p ON p.id = pl.patient_id LEFT JOIN series s ON s.id = "
    "coalesce(pl.series_id, (SELECT max(id) FROM series WHERE patient_id = p.id AND timepoint = "
    "'preop' AND kind = 'ct')) WHERE p.code = ?1 AND pl.path IS NOT NULL ORDER BY pl.id DESC "
    "LIMIT 1";

/* The fragment poses of the newest audit stored against plan ?1. */
static const char poses_sql[] =
    "SELECT pf.label AS name, fd.found AS found, fd.pose AS pose FROM fragment_deviations fd "
    "JOIN plan_fragments pf ON pf.id = fd.plan_fragment_id WHERE pf.plan_id = ?1 AND "
    "fd.registration_id IS (SELECT fd2.registration_id FROM fragment_deviations fd2 JOIN "
    "plan_fragments pf2 ON pf2.id = fd2.plan_fragment_id WHERE pf2.plan_id = ?1 ORDER BY fd2.id "
    "DESC LIMIT 1)";

static const char postop_sql[] =
    "SELECT max(id) AS sid FROM series WHERE patient_id = ?1 AND timepoint = 'postop' AND kind "
    "= 'ct'";

/* Post-op displacement of each plan fragment from the stored poses. */
static int stored_poses(fx_store *s, int64_t plan_id, const fx_plan *plan, fx_rigid *D,
                        int *known, fx_error *err)
{
    fx_store_field q = fx_sf_int("", plan_id);
    json_t *rows = NULL, *r;
    size_t i;
    int rc = fx_store_query(s, poses_sql, &q, 1, &rows, err);
    if (rc)
        return rc;
    if (json_array_size(rows) == 0) {
        json_decref(rows);
        return fx_fail(err, FX_ENOTFOUND, "no audit of the plan's fragments is stored (fxaudit "
                                          "audit --study)");
    }
    json_array_foreach(rows, i, r)
    {
        const char *name = json_string_value(json_object_get(r, "name"));
        const char *text = json_string_value(json_object_get(r, "pose"));
        json_t *pose = text ? json_loads(text, 0, NULL) : NULL;
        double m[16];
        for (size_t k = 0; k < plan->nfrags && name; k++) {
            if (strcmp(plan->frags[k].name, name) || !json_is_array(pose) ||
                json_array_size(pose) != 16 || !json_integer_value(json_object_get(r, "found")))
                continue;
            for (int j = 0; j < 16; j++)
                m[j] = json_number_value(json_array_get(pose, (size_t)j));
            known[k] = fx_rigid_from_matrix(m, &D[k]) == FX_OK;
        }
        json_decref(pose);
    }
    json_decref(rows);
    return FX_OK;
}

static json_t *result_json(const fx_domeplan_est *e, int t)
{
    const fx_domeplan_result *r = &e->series[t];
    return json_pack("{s:f,s:f,s:f,s:i}", "gap_3d_mm", r->gap3d_mm, "step_off_3d_mm",
                     r->step3d_mm, "line_mm", r->line_mm, "line_samples", r->samples);
}

/* Plan, pre-op CT and (post-op) poses; then the estimate. */
static int compute(fx_store *s, json_t *row, int post, fx_domeplan_est *e, fx_error *err)
{
    char path[4200], dir[4200];
    fx_plan *plan = NULL;
    fx_volume *pre = NULL;
    fx_rigid *D = NULL;
    int *known = NULL;
    const char *pp = json_string_value(json_object_get(row, "path"));
    const char *sp = json_string_value(json_object_get(row, "spath"));
    if (!sp)
        return fx_fail(err, FX_ENOTFOUND, "the plan's pre-op CT is not in the study");
    snprintf(path, sizeof(path), "%s/%s", fx_store_dir(s), pp);
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    int rc = fx_plan_read(path, &plan, err);
    if (!rc && post) {
        D = calloc(plan->nfrags + 1, sizeof(*D));
        known = calloc(plan->nfrags + 1, sizeof(*known));
        rc = D && known ? stored_poses(s, json_integer_value(json_object_get(row, "plan_id")),
                                       plan, D, known, err)
                        : fx_fail(err, FX_ENOMEM, "cannot allocate poses");
    }
    snprintf(path, sizeof(path), "%s/%s", fx_store_dir(s), sp);
    if (!rc)
        rc = fx_volume_read(path, &pre, err);
    if (!rc)
        rc = fx_domeplan_from_plan(plan, dir, pre, D, known, e, err);
    fx_volume_free(pre);
    fx_plan_free(plan);
    free(D);
    free(known);
    return rc;
}

int fx_dome_estimate_store_plan(fx_store *s, const char *patient, const char *timepoint,
                                json_t **out, fx_error *err)
{
    fx_store_field p = fx_sf_text("", patient);
    json_t *rows = NULL, *sid = NULL;
    fx_domeplan_est e;
    int post = !strcmp(timepoint, "postop");
    if (out)
        *out = NULL;
    if (!post && strcmp(timepoint, "preop"))
        return fx_fail(err, FX_EINVAL, "the plan-based estimate is made pre-op or post-op, not "
                                       "'%s'", timepoint);
    int rc = fx_store_query(s, plan_sql, &p, 1, &rows, err);
    json_t *row = json_array_get(rows, 0);
    if (!rc && !row)
        rc = fx_fail(err, FX_ENOTFOUND, "patient '%s' has no plan in the study", patient);
    if (!rc)
        rc = compute(s, row, post, &e, err);
    int64_t pid = json_integer_value(json_object_get(row, "pid"));
    int64_t series = json_integer_value(json_object_get(row, "sid"));
    if (!rc && post) {
        fx_store_field q = fx_sf_int("", pid);
        rc = fx_store_query(s, postop_sql, &q, 1, &sid, err);
        series = rc ? 0 : json_integer_value(json_object_get(json_array_get(sid, 0), "sid"));
    }
    const fx_domeplan_result *r = &e.series[post];
    if (!rc)
        rc = domestore_insert(s, patient, timepoint, pid, series, r->gap_mm, r->step_mm,
                              r->gap_area_mm2, METHOD, err);
    json_decref(rows);
    json_decref(sid);
    if (rc)
        return fx_error_prefix(err, "patient '%s' %s", patient, timepoint);
    if (!out)
        return FX_OK;
    json_t *all = NULL;
    if ((rc = fx_dome_estimate_load(s, patient, timepoint, &all, err)))
        return rc;
    *out = json_deep_copy(json_object_get(all, "plan"));
    json_decref(all);
    json_object_update_new(*out, result_json(&e, post));
    json_object_set_new(*out, "patient", json_string(patient));
    json_object_set_new(*out, "timepoint", json_string(timepoint));
    return FX_OK;
}
