/*
 * audit_joint.c - the joint sphere of a study patient, found in the pre-op CT
 * (audit_joint.h; method and accuracy of the finding: docs/reduction-estimate.md).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "audit_joint.h"
#include "fxaudit/domefind.h"
#include "fxaudit/volio.h"

/* The patient's injured side and latest pre-op CT (absolute path). */
static int preop_of(fx_store *s, const char *code, int *left, char *path, size_t n,
                    fx_error *err)
{
    json_t *rows = NULL;
    fx_store_field p = fx_sf_text("code", code);
    int rc = fx_store_query(s,
                            "SELECT p.side AS side, s.path AS path FROM series s JOIN patients p "
                            "ON p.id = s.patient_id WHERE p.code = ?1 AND s.timepoint = 'preop' "
                            "AND s.kind = 'ct' ORDER BY s.id DESC LIMIT 1",
                            &p, 1, &rows, err);
    if (rc)
        return rc;
    json_t *r = json_array_get(rows, 0);
    const char *side = json_string_value(json_object_get(r, "side"));
    const char *rel = json_string_value(json_object_get(r, "path"));
    if (!r || !rel)
        rc = fx_fail(err, FX_ENOTFOUND, "study '%s': patient '%s' has no pre-op CT to find the "
                     "joint in (give --joint)", fx_store_dir(s), code);
    else if (!side || (strcmp(side, "left") && strcmp(side, "right")))
        rc = fx_fail(err, FX_EINVAL, "study '%s': patient '%s' has no injured side (left or "
                     "right) recorded; give --joint", fx_store_dir(s), code);
    else {
        *left = !strcmp(side, "left");
        snprintf(path, n, "%s/%s", fx_store_dir(s), rel);
    }
    json_decref(rows);
    return rc;
}

int audit_joint_from_study(fx_store *s, const char *code, double out[4], fx_error *err)
{
    char path[4096];
    int left = 0;
    fx_volume *ct = NULL;
    fx_domefind_result r;
    int rc = preop_of(s, code, &left, path, sizeof(path), err);
    if (!rc)
        rc = fx_volume_read(path, &ct, err);
    if (!rc)
        rc = fx_dome_find(ct, left, NULL, &r, err);
    fx_volume_free(ct);
    if (rc)
        return fx_error_prefix(err, "finding the joint of patient '%s'", code);
    out[0] = r.dome.centre_mm.x;
    out[1] = r.dome.centre_mm.y;
    out[2] = r.dome.centre_mm.z;
    out[3] = r.dome.radius_mm;
    return FX_OK;
}
