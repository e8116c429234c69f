/*
 * domestore.c - the automatic dome estimate of a study patient, computed and
 * stored (domestore.h). The volume is the patient's stored CT series; nothing
 * but the CT and the patient record (injured side) is used.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fxaudit/domefind.h"
#include "fxaudit/domestore.h"
#include "fxaudit/volio.h"
#include "domestore_int.h"

static const char *const PLANES[4] = {"axial", "coronal", "sagittal", "max"};

#define METHOD                                                                                    \
    "fxaudit domeest 1: dome = healthy socket sphere mirrored across the symmetry plane; "       \
    "gap = cleft width along the articular surface (deficit 1.5 mm under it), step = offset of " \
    "the two sides' articular surfaces (docs/reduction-estimate.md)"

static const char series_sql[] =
    "SELECT s.id AS id, s.path AS path, p.id AS pid, p.side AS side FROM series s JOIN patients p "
    "ON p.id = s.patient_id WHERE p.code = ?1 AND s.timepoint = ?2 AND s.kind = 'ct' "
    "ORDER BY s.id DESC LIMIT 1";

static double plane_max(const double *v)
{
    double m = NAN;
    for (int k = 0; k < 3; k++)
        if (isfinite(v[k]))
            m = isfinite(m) ? fmax(m, v[k]) : v[k];
    return m;
}

int domestore_insert(fx_store *s, const char *patient, const char *timepoint, int64_t pid,
                     int64_t sid, const double *gap, const double *step, double area_mm2,
                     const char *method, fx_error *err)
{
    char now[32], what[160];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
    int rc = fx_store_tx_begin(s, err);
    for (int k = 0; k < 4 && !rc; k++) {
        double g = k < 3 ? gap[k] : plane_max(gap);
        double st = k < 3 ? step[k] : plane_max(step);
        fx_store_field f[] = {fx_sf_int("patient_id", pid),  sid ? fx_sf_int("series_id", sid)
                                                                  : fx_sf_null("series_id"),
                              fx_sf_text("timepoint", timepoint), fx_sf_text("plane", PLANES[k]),
                              fx_sf_real("gap_mm", g),        fx_sf_real("step_mm", st),
                              fx_sf_real("gap_area_mm2", area_mm2),
                              fx_sf_text("method", method),   fx_sf_text("created_utc", now)};
        snprintf(what, sizeof(what), "dome estimate %s %s %s", patient, timepoint, PLANES[k]);
        rc = fx_store_insert(s, "dome_estimates", f, 9, what, NULL, err);
        if (rc == FX_ECONFLICT)
            rc = fx_fail(err, rc, "the dome estimate of patient '%s' %s (%.16s) is already "
                         "stored", patient, timepoint, method);
    }
    if (rc) {
        fx_store_tx_rollback(s);
        return rc;
    }
    return fx_store_tx_commit(s, err);
}

int fx_dome_estimate_store(fx_store *s, const char *patient, const char *timepoint, json_t **out,
                           fx_error *err)
{
    fx_store_field p[] = {fx_sf_text("", patient), fx_sf_text("", timepoint)};
    json_t *rows = NULL;
    if (out)
        *out = NULL;
    int rc = fx_store_query(s, series_sql, p, 2, &rows, err);
    if (rc)
        return rc;
    json_t *r = json_array_get(rows, 0);
    if (!r) {
        json_decref(rows);
        return fx_fail(err, FX_ENOTFOUND, "patient '%s' has no %s CT in the study", patient,
                       timepoint);
    }
    const char *side = json_string_value(json_object_get(r, "side"));
    if (!side || (strcmp(side, "left") && strcmp(side, "right"))) {
        json_decref(rows);
        return fx_fail(err, FX_EINVAL,
                       "patient '%s': the injured side (left or right) is needed to find the dome",
                       patient);
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", fx_store_dir(s),
             json_string_value(json_object_get(r, "path")));
    int64_t sid = json_integer_value(json_object_get(r, "id"));
    int64_t pid = json_integer_value(json_object_get(r, "pid"));
    int left = strcmp(side, "left") == 0;
    json_decref(rows);
    fx_volume *ct = NULL;
    fx_domefind_result f;
    fx_dome_estimate e;
    fx_domeest_opts o;
    fx_domeest_opts_default(&o);
    rc = fx_volume_read(path, &ct, err);
    if (!rc)
        rc = fx_dome_find(ct, left, NULL, &f, err);
    if (!rc)
        rc = fx_dome_estimate_run(ct, &f.dome, &o, &e, err);
    fx_volume_free(ct);
    if (!rc)
        rc = domestore_insert(s, patient, timepoint, pid, sid, e.gap_mm, e.step_mm,
                              e.gap_area_mm2, METHOD, err);
    if (rc || !out)
        return rc;
    rc = fx_dome_estimate_load(s, patient, timepoint, out, err);
    if (!rc) {
        fx_vec3 c = f.dome.centre_mm;
        json_object_set_new(*out, "dome", json_pack("{s:[f,f,f],s:f}", "centre_mm", c.x, c.y, c.z,
                                                    "radius_mm", f.dome.radius_mm));
    }
    return rc;
}

/* The object of one method in `o` (ct: o itself; plan: o.plan). */
static json_t *method_object(json_t *o, const char *method)
{
    if (strncmp(method, DOMESTORE_PLAN_PREFIX, strlen(DOMESTORE_PLAN_PREFIX)))
        return o;
    json_t *p = json_object_get(o, "plan");
    if (!p) {
        p = json_pack("{s:o}", "planes", json_object());
        json_object_set_new(o, "plan", p);
    }
    return p;
}

int fx_dome_estimate_load(fx_store *s, const char *patient, const char *timepoint, json_t **out,
                          fx_error *err)
{
    static const char sql[] =
        "SELECT d.plane AS plane, d.gap_mm AS gap_mm, d.step_mm AS step_mm, d.gap_area_mm2 AS "
        "area, d.method AS method FROM dome_estimates d JOIN patients p ON p.id = d.patient_id "
        "WHERE p.code = ?1 AND d.timepoint = ?2 ORDER BY d.id";
    fx_store_field p[] = {fx_sf_text("", patient), fx_sf_text("", timepoint)};
    json_t *rows = NULL;
    *out = NULL;
    int rc = fx_store_query(s, sql, p, 2, &rows, err);
    if (rc)
        return rc;
    if (json_array_size(rows) == 0) {
        json_decref(rows);
        *out = json_null();
        return FX_OK;
    }
    json_t *o = json_pack("{s:o}", "planes", json_object());
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        json_t *v = json_pack("{s:O,s:O}", "gap_mm", json_object_get(r, "gap_mm"), "step_mm",
                              json_object_get(r, "step_mm"));
        const char *pl = json_string_value(json_object_get(r, "plane"));
        const char *method = json_string_value(json_object_get(r, "method"));
        json_t *m = method_object(o, method ? method : "");
        if (strcmp(pl, "max"))
            json_object_set_new(json_object_get(m, "planes"), pl, v);
        else
            json_object_set_new(m, "max", v);
        json_object_set(m, "method", json_object_get(r, "method"));
        json_object_set(m, "gap_area_mm2", json_object_get(r, "area"));
    }
    json_object_set_new(o, "patient", json_string(patient));
    json_object_set_new(o, "timepoint", json_string(timepoint));
    json_decref(rows);
    *out = o;
    return FX_OK;
}
