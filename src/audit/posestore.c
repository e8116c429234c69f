/*
 * posestore.c - the audit's residual histogram, fragment and plate poses in
 * the study store (tables registration_residuals, fragment_deviations and
 * plate_deviations of data/schema/002_audit_results.sql), inside the
 * transaction fx_audit_store opened. The plan's fragments and plates are
 * recorded (plan_fragments, plan_plates) the first time a plan is audited.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fxaudit/auditposes.h"
#include "fxaudit/auditstore.h"
#include "fxaudit/posestore.h"

static void matrix_text(const fx_rigid *T, char out[1024])
{
    double m[16];
    size_t len = 0;
    fx_rigid_to_matrix(T, m);
    for (int i = 0; i < 16; i++)
        len += (size_t)snprintf(out + len, 1024 - len, "%s%.12g", i ? "," : "[", m[i]);
    snprintf(out + len, 1024 - len, "]");
}

/* id of (plan_id, label) in `table`, 0 when absent. */
static int find_row(fx_store *s, const char *table, int64_t plan_id, const char *label,
                    int64_t *id, fx_error *err)
{
    char sql[128];
    json_t *rows = NULL;
    fx_store_field q[] = {fx_sf_int("plan_id", plan_id), fx_sf_text("label", label)};
    snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE plan_id = ?1 AND label = ?2", table);
    int rc = fx_store_query(s, sql, q, 2, &rows, err);
    *id = 0;
    if (!rc && json_array_size(rows))
        *id = json_integer_value(json_object_get(json_array_get(rows, 0), "id"));
    json_decref(rows);
    return rc;
}

static int residual_rows(fx_store *s, int64_t reg_id, const fx_audit_hist *h, fx_error *err)
{
    int rc = FX_OK;
    for (size_t b = 0; !rc && b < h->nbins; b++) {
        int last = b + 1 == h->nbins;
        fx_store_field f[] = {fx_sf_int("registration_id", reg_id),
                              fx_sf_real("lo_mm", (double)b * h->bin_mm),
                              fx_sf_real("hi_mm", last ? h->max_mm : (double)(b + 1) * h->bin_mm),
                              fx_sf_int("count", (int64_t)h->count[b]),
                              fx_sf_int("inlier", (double)(b + 1) * h->bin_mm <= h->cut_mm + 1e-9)};
        rc = fx_store_insert(s, "registration_residuals", f, 5, "registration residual bin",
                             NULL, err);
    }
    return rc;
}

static int deviation_row(fx_store *s, const char *table, const char *key, int64_t part_id,
                         int64_t reg_id, const fx_audit_pose *p, const char *what, fx_error *err)
{
    char mat[1024];
    int ok = p->found;
    matrix_text(&p->pose, mat);
    fx_store_field f[] = {fx_sf_int(key, part_id),
                          reg_id ? fx_sf_int("registration_id", reg_id)
                                 : fx_sf_null("registration_id"),
                          fx_sf_int("found", ok),
                          ok ? fx_sf_text("pose", mat) : fx_sf_null("pose"),
                          fx_sf_real("dx_mm", ok ? p->d.x : NAN),
                          fx_sf_real("dy_mm", ok ? p->d.y : NAN),
                          fx_sf_real("dz_mm", ok ? p->d.z : NAN),
                          fx_sf_real("translation_mm", ok ? p->translation_mm : NAN),
                          fx_sf_real("rotation_deg", ok ? p->rotation_deg : NAN),
                          fx_sf_real("rms_mm", p->rms_mm),
                          fx_sf_real("inlier_fraction", p->inlier_fraction)};
    return fx_store_insert(s, table, f, 11, what, NULL, err);
}

static int fragment_rows(fx_store *s, int64_t plan_id, int64_t reg_id, const fx_plan *plan,
                         const fx_audit_poses *ps, fx_error *err)
{
    int rc = FX_OK;
    for (size_t i = 0; !rc && i < ps->nfrags && i < plan->nfrags; i++) {
        const fx_plan_fragment *pf = &plan->frags[i];
        int64_t id;
        char mat[1024];
        if ((rc = find_row(s, "plan_fragments", plan_id, pf->name, &id, err)))
            break;
        if (!id) {
            matrix_text(&pf->pose, mat);
            fx_store_field f[] = {fx_sf_int("plan_id", plan_id), fx_sf_text("label", pf->name),
                                  fx_sf_text("pose", mat), fx_sf_int("reference", pf->fixed != 0)};
            if ((rc = fx_store_insert(s, "plan_fragments", f, 4, "planned fragment recorded for "
                                      "audit", &id, err)))
                break;
        }
        rc = deviation_row(s, "fragment_deviations", "plan_fragment_id", id, reg_id,
                           &ps->frags[i], "fragment deviation measured", err);
    }
    return rc;
}

static const char *plate_position(const char *name)
{
    return strstr(name, "anterior") ? "anterior" : strstr(name, "posterior") ? "posterior"
                                                                               : "other";
}

static int plate_rows(fx_store *s, int64_t plan_id, int64_t reg_id, const fx_plan *plan,
                      const fx_audit_poses *ps, fx_error *err)
{
    int rc = FX_OK;
    for (size_t i = 0; !rc && i < ps->nplates && i < plan->nplates; i++) {
        const fx_plan_plate *pp = &plan->plates[i];
        int64_t id;
        if ((rc = find_row(s, "plan_plates", plan_id, pp->name, &id, err)))
            break;
        if (!id) {
            fx_store_field f[] = {fx_sf_int("plan_id", plan_id), fx_sf_text("label", pp->name),
                                  fx_sf_text("position", plate_position(pp->name)),
                                  fx_sf_real("thickness_mm", pp->thickness_mm > 0
                                                                 ? pp->thickness_mm : NAN)};
            if ((rc = fx_store_insert(s, "plan_plates", f, 4, "planned plate recorded for audit",
                                      &id, err)))
                break;
        }
        rc = deviation_row(s, "plate_deviations", "plan_plate_id", id, reg_id, &ps->plates[i],
                           "plate deviation measured", err);
    }
    return rc;
}

int fx_audit_store_poses(fx_store *s, int64_t plan_id, int64_t reg_id, const fx_plan *plan,
                         const fx_audit_result *r, fx_error *err)
{
    const fx_audit_poses *ps = r->poses;
    int rc = FX_OK;
    if (!ps)
        return FX_OK;
    if (reg_id && ps->has_hist)
        rc = residual_rows(s, reg_id, &ps->hist, err);
    if (!rc)
        rc = fragment_rows(s, plan_id, reg_id, plan, ps, err);
    if (!rc)
        rc = plate_rows(s, plan_id, reg_id, plan, ps, err);
    return rc;
}
