/*
 * auditstore.c - an audit's results in the study store: the plan (recorded
 * with its file's SHA-256 and its screws the first time it is audited), the
 * registration, the actual screws found and one deviation row per planned
 * screw, all in one transaction. Re-running an audit adds new rows (the
 * outcomes read the latest per planned screw); nothing is overwritten.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fxaudit/auditstore.h"
#include "fxaudit/hash.h"
#include "fxaudit/posestore.h"

static void utc_now(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* First integer column of the first row of a query; 0 when there is none. */
static int query_id(fx_store *s, const char *sql, const fx_store_field *p, size_t n, int64_t *id,
                    fx_error *err)
{
    json_t *rows = NULL;
    int rc = fx_store_query(s, sql, p, n, &rows, err);
    *id = 0;
    if (!rc && json_array_size(rows)) {
        const char *key;
        json_t *v;
        json_object_foreach(json_array_get(rows, 0), key, v)
        {
            if (json_is_integer(v))
                *id = json_integer_value(v);
            break;
        }
    }
    json_decref(rows);
    return rc;
}

static int plan_row(fx_store *s, int64_t patient_id, const char *plan_rel, const char *plan_abs,
                    int64_t *plan_id, fx_error *err)
{
    char sha[FX_SHA256_HEX], now[32];
    fx_store_field q = fx_sf_text("path", plan_rel);
    int rc = query_id(s, "SELECT id FROM plans WHERE path = ?1", &q, 1, plan_id, err);
    if (rc || *plan_id)
        return rc;
    if ((rc = fx_sha256_file(plan_abs, sha, err)))
        return rc;
    utc_now(now);
    fx_store_field f[] = {fx_sf_int("patient_id", patient_id), fx_sf_text("label", plan_rel),
                          fx_sf_text("path", plan_rel), fx_sf_text("sha256", sha),
                          fx_sf_text("created_utc", now)};
    return fx_store_insert(s, "plans", f, 5, "plan recorded for audit", plan_id, err);
}

/* The plan_screws rows of plan_id, in plan order, inserted when absent. */
static int screw_rows(fx_store *s, int64_t plan_id, const fx_plan *plan, int64_t *ids,
                      fx_error *err)
{
    for (size_t i = 0; i < plan->nscrews; i++) {
        const fx_plan_screw *ps = &plan->screws[i];
        fx_store_field q[] = {fx_sf_int("plan_id", plan_id), fx_sf_text("label", ps->name)};
        int rc = query_id(s, "SELECT id FROM plan_screws WHERE plan_id = ?1 AND label = ?2", q, 2,
                          &ids[i], err);
        if (rc)
            return rc;
        if (ids[i])
            continue;
        fx_vec3 tip = fx_plan_screw_tip(ps);
        fx_store_field f[] = {
            fx_sf_int("plan_id", plan_id),
            fx_sf_text("label", ps->name),
            fx_sf_real("entry_x_mm", ps->entry.x),
            fx_sf_real("entry_y_mm", ps->entry.y),
            fx_sf_real("entry_z_mm", ps->entry.z),
            fx_sf_real("tip_x_mm", tip.x),
            fx_sf_real("tip_y_mm", tip.y),
            fx_sf_real("tip_z_mm", tip.z),
            fx_sf_real("diameter_mm", ps->diameter_mm > 0 ? ps->diameter_mm : 3.5),
            fx_sf_real("length_mm", ps->length_mm)};
        if ((rc = fx_store_insert(s, "plan_screws", f, 10, "planned screw recorded for audit",
                                  &ids[i], err)))
            return rc;
    }
    return FX_OK;
}

static int registration_row(fx_store *s, int64_t patient_id, int64_t plan_id,
                            const fx_audit_result *r, int64_t *id, fx_error *err)
{
    double m[16];
    char mat[1024], now[32];
    size_t len = 0;
    *id = 0;
    if (!r->registered)
        return FX_OK;
    fx_rigid_to_matrix(&r->reg.T, m);
    for (int i = 0; i < 16; i++)
        len += (size_t)snprintf(mat + len, sizeof(mat) - len, "%s%.12g", i ? "," : "[", m[i]);
    snprintf(mat + len, sizeof(mat) - len, "]");
    utc_now(now);
    fx_store_field f[] = {fx_sf_int("patient_id", patient_id),
                          fx_sf_int("plan_id", plan_id),
                          fx_sf_text("matrix", mat),
                          fx_sf_real("rms_mm", r->reg.rms_mm),
                          fx_sf_real("inlier_fraction", r->reg.inlier_fraction),
                          fx_sf_text("region", r->region),
                          fx_sf_int("iterations", r->reg.iterations),
                          fx_sf_int("converged", r->reg.converged),
                          fx_sf_text("created_utc", now)};
    return fx_store_insert(s, "registrations", f, 9, "post-op registered onto the plan", id, err);
}

static int actual_rows(fx_store *s, int64_t patient_id, int64_t series_id, const fx_plan *plan,
                       const fx_audit_result *r, int64_t *ids, fx_error *err)
{
    fx_store_field q[] = {fx_sf_int("patient_id", patient_id), fx_sf_int("series_id", series_id)};
    int64_t before;
    int rc =
        query_id(s, "SELECT count(*) FROM actual_screws WHERE patient_id = ?1 AND series_id = ?2",
                 q, 2, &before, err);
    for (size_t k = 0; !rc && k < r->nscrews; k++) {
        const fx_audit_screw *a = &r->screws[k];
        char label[96];
        /* run number: unique across re-runs of the audit of this series */
        snprintf(label, sizeof(label), "%s@%lld", plan->screws[a->planned].name,
                 (long long)before + 1);
        fx_store_field f[] = {fx_sf_int("patient_id", patient_id),
                              fx_sf_int("series_id", series_id),
                              fx_sf_text("label", label),
                              fx_sf_real("entry_x_mm", a->entry.x),
                              fx_sf_real("entry_y_mm", a->entry.y),
                              fx_sf_real("entry_z_mm", a->entry.z),
                              fx_sf_real("tip_x_mm", a->tip.x),
                              fx_sf_real("tip_y_mm", a->tip.y),
                              fx_sf_real("tip_z_mm", a->tip.z),
                              fx_sf_real("diameter_mm", plan->screws[a->planned].diameter_mm),
                              fx_sf_real("length_mm", a->length_mm)};
        rc = fx_store_insert(s, "actual_screws", f, 11, "actual screw found in post-op CT", &ids[k],
                             err);
    }
    return rc;
}

static int deviation_rows(fx_store *s, const fx_audit_result *r, const int64_t *plan_ids,
                          const int64_t *actual_ids, int64_t reg_id, fx_error *err)
{
    int rc = FX_OK;
    for (size_t i = 0; !rc && i < r->ndev; i++) {
        const fx_audit_dev *d = &r->dev[i];
        int placed = d->actual >= 0;
        fx_store_field f[] = {fx_sf_int("plan_screw_id", plan_ids[i]),
                              placed ? fx_sf_int("actual_screw_id", actual_ids[d->actual])
                                     : fx_sf_null("actual_screw_id"),
                              reg_id ? fx_sf_int("registration_id", reg_id)
                                     : fx_sf_null("registration_id"),
                              fx_sf_real("angle_deg", d->angle_deg),
                              fx_sf_real("entry_mm", d->entry_mm),
                              fx_sf_real("tip_mm", d->tip_mm),
                              fx_sf_real("length_diff_mm", d->length_mm)};
        rc = fx_store_insert(s, "screw_deviations", f, 7, "screw deviation measured", NULL, err);
    }
    return rc;
}

int fx_audit_store(fx_store *s, const char *patient, int64_t series_id, const char *plan_rel,
                   const char *plan_abs, const fx_plan *plan, const fx_audit_result *r,
                   fx_error *err)
{
    fx_patient p;
    int64_t plan_id = 0, reg_id = 0;
    int64_t *plan_ids = calloc(plan->nscrews + 1, sizeof(int64_t));
    int64_t *actual_ids = calloc(r->nscrews + 1, sizeof(int64_t));
    int rc = (!plan_ids || !actual_ids) ? fx_fail(err, FX_ENOMEM, "cannot allocate screw rows")
                                        : fx_store_patient_get(s, patient, &p, err);
    if (!rc)
        rc = fx_store_tx_begin(s, err);
    if (rc)
        goto out;
    if ((rc = plan_row(s, p.id, plan_rel, plan_abs, &plan_id, err)) ||
        (rc = screw_rows(s, plan_id, plan, plan_ids, err)) ||
        (rc = registration_row(s, p.id, plan_id, r, &reg_id, err)) ||
        (rc = fx_audit_store_poses(s, plan_id, reg_id, plan, r, err)) ||
        (rc = actual_rows(s, p.id, series_id, plan, r, actual_ids, err)) ||
        (rc = deviation_rows(s, r, plan_ids, actual_ids, reg_id, err)) ||
        (rc = fx_store_tx_commit(s, err)))
        fx_store_tx_rollback(s);
out:
    free(plan_ids);
    free(actual_ids);
    return rc;
}
