/*
 * plan_store.c - a plan made in a study, recorded in it: the plan file (path
 * and SHA-256, as the audit finds it), its fragments' poses and its screws,
 * in one transaction.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "fxaudit/hash.h"
#include "plan_cli.h"

/* The patient's newest pre-op series: its id and absolute path. */
int plan_study_preop(fx_store *s, const char *code, int64_t *patient_id, int64_t *series_id,
                     char *path, size_t n, fx_error *err)
{
    json_t *rows = NULL;
    fx_store_field q = fx_sf_text("code", code);
    int rc = fx_store_query(s,
                            "SELECT p.id AS pid, s.id AS sid, s.path AS path FROM series s "
                            "JOIN patients p ON p.id = s.patient_id WHERE p.code = ?1 AND "
                            "s.timepoint = 'preop' AND s.kind = 'ct' ORDER BY s.id DESC LIMIT 1",
                            &q, 1, &rows, err);
    if (rc)
        return rc;
    json_t *r = json_array_get(rows, 0);
    if (!r) {
        json_decref(rows);
        return fx_fail(err, FX_ENOTFOUND, "patient '%s' has no pre-op CT in the study (fxaudit "
                       "import --timepoint preop)", code);
    }
    *patient_id = json_integer_value(json_object_get(r, "pid"));
    *series_id = json_integer_value(json_object_get(r, "sid"));
    if (snprintf(path, n, "%s/%s", fx_store_dir(s),
                 json_string_value(json_object_get(r, "path"))) >= (int)n)
        rc = fx_fail(err, FX_EINVAL, "series path of '%s' is too long", code);
    json_decref(rows);
    return rc;
}

static json_t *pose_json(const fx_rigid *T)
{
    double m[16];
    json_t *a = json_array();
    fx_rigid_to_matrix(T, m);
    for (int i = 0; i < 16; i++)
        json_array_append_new(a, json_real(m[i]));
    return a;
}

static int rows(fx_store *s, int64_t plan_id, const fx_plan *p, fx_error *err)
{
    int rc = FX_OK;
    for (size_t i = 0; !rc && i < p->nfrags; i++) {
        json_t *pj = pose_json(&p->frags[i].pose);
        char *pose = json_dumps(pj, JSON_COMPACT | JSON_REAL_PRECISION(17));
        json_decref(pj);
        fx_store_field f[] = {fx_sf_int("plan_id", plan_id), fx_sf_text("label", p->frags[i].name),
                              fx_sf_text("pose", pose), fx_sf_int("reference", p->frags[i].fixed)};
        rc = fx_store_insert(s, "plan_fragments", f, 4, "planned fragment pose", NULL, err);
        free(pose);
    }
    for (size_t i = 0; !rc && i < p->nscrews; i++) {
        const fx_plan_screw *ps = &p->screws[i];
        fx_vec3 tip = fx_plan_screw_tip(ps);
        fx_store_field f[] = {fx_sf_int("plan_id", plan_id), fx_sf_text("label", ps->name),
                              fx_sf_real("entry_x_mm", ps->entry.x),
                              fx_sf_real("entry_y_mm", ps->entry.y),
                              fx_sf_real("entry_z_mm", ps->entry.z), fx_sf_real("tip_x_mm", tip.x),
                              fx_sf_real("tip_y_mm", tip.y), fx_sf_real("tip_z_mm", tip.z),
                              fx_sf_real("diameter_mm", ps->diameter_mm),
                              fx_sf_real("length_mm", ps->length_mm)};
        rc = fx_store_insert(s, "plan_screws", f, 10, "planned screw", NULL, err);
    }
    return rc;
}

/* One model file of the plan, by its path relative to the plan's folder. */
static int mesh_row(fx_store *s, int64_t patient_id, int64_t series_id, const char *dir_rel,
                    const char *file, const char *role, const char *label, const char *when,
                    fx_error *err)
{
    char rel[600], abs[4800], sha[FX_SHA256_HEX];
    int rc;
    if (snprintf(rel, sizeof(rel), "%s/%s", dir_rel, file) >= (int)sizeof(rel) ||
        snprintf(abs, sizeof(abs), "%s/%s", fx_store_dir(s), rel) >= (int)sizeof(abs))
        return fx_fail(err, FX_EINVAL, "model path '%s' is too long", file);
    if ((rc = fx_sha256_file(abs, sha, err)))
        return rc;
    fx_store_field f[] = {fx_sf_int("patient_id", patient_id), fx_sf_int("series_id", series_id),
                          fx_sf_text("role", role), fx_sf_text("label", label),
                          fx_sf_text("path", rel), fx_sf_text("sha256", sha),
                          fx_sf_text("created_utc", when)};
    return fx_store_insert(s, "meshes", f, 7, "plan model recorded", NULL, err);
}

/* Every model file the plan names: parts, plates, guides, and the template,
 * reduced and joint models listed among its outputs. */
static int mesh_rows(fx_store *s, int64_t patient_id, int64_t series_id, const fx_plan *p,
                     const char *dir_rel, fx_error *err)
{
    int rc = FX_OK;
    for (size_t i = 0; !rc && i < p->nfrags; i++)
        rc = mesh_row(s, patient_id, series_id, dir_rel, p->frags[i].mesh,
                      p->frags[i].fixed ? "bone" : "fragment", p->frags[i].name, p->created_utc,
                      err);
    for (size_t i = 0; !rc && i < p->nplates; i++)
        rc = mesh_row(s, patient_id, series_id, dir_rel, p->plates[i].mesh, "plate",
                      p->plates[i].name, p->created_utc, err);
    for (size_t i = 0; !rc && i < p->nguides; i++)
        rc = mesh_row(s, patient_id, series_id, dir_rel, p->guides[i].mesh, "guide",
                      p->guides[i].name, p->created_utc, err);
    for (size_t i = 0; !rc && i < p->ninputs; i++) {
        const char *role = p->inputs[i].role;
        if (strncmp(role, "output:", 7))
            continue;
        rc = mesh_row(s, patient_id, series_id, dir_rel, p->inputs[i].path,
                      !strcmp(role, "output:template") ? "mirrored"
                      : !strcmp(role, "output:reduced") ? "bone"
                                                        : "other",
                      role + 7, p->created_utc, err);
    }
    return rc;
}

int plan_study_record(fx_store *s, int64_t patient_id, int64_t series_id, const fx_plan *p,
                      const char *rel, fx_error *err)
{
    char abs[4200], sha[FX_SHA256_HEX];
    int64_t plan_id;
    int rc;

    if (snprintf(abs, sizeof(abs), "%s/%s", fx_store_dir(s), rel) >= (int)sizeof(abs))
        return fx_fail(err, FX_EINVAL, "plan path '%s' is too long", rel);
    if ((rc = fx_sha256_file(abs, sha, err)) || (rc = fx_store_tx_begin(s, err)))
        return rc;
    fx_store_field f[] = {fx_sf_int("patient_id", patient_id), fx_sf_int("series_id", series_id),
                          fx_sf_text("label", rel), fx_sf_text("path", rel),
                          fx_sf_text("sha256", sha), fx_sf_text("created_utc", p->created_utc)};
    char dir_rel[300];
    snprintf(dir_rel, sizeof(dir_rel), "%.*s", (int)(strrchr(rel, '/') - rel), rel);
    if ((rc = fx_store_insert(s, "plans", f, 6, "plan made", &plan_id, err)) ||
        (rc = rows(s, plan_id, p, err)) ||
        (rc = mesh_rows(s, patient_id, series_id, p, dir_rel, err)) ||
        (rc = fx_store_tx_commit(s, err))) {
        fx_store_tx_rollback(s);
        return rc == FX_ECONFLICT ? fx_fail(err, rc, "a plan is already recorded at '%s'; move "
                                                     "it aside to make a new one", rel)
                                  : rc;
    }
    return FX_OK;
}
