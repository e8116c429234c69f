/*
 * validate_audit.c - `fxaudit validate --stage audit`: the post-op audit of
 * every phantom patient (plan from the truth's planned screws and plates),
 * against the true deviations in truth.json (src/audit/validate.c).
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>

#include "fxaudit/audit.h"
#include "fxaudit/auditval.h"
#include "fxaudit/fragval.h"
#include "validate.h"

int validate_audit(const char *cohort_dir, json_t *patients, json_t *summary, fx_error *err)
{
    char path[4200], dir[4200];
    json_error_t je;
    json_t *cohort, *entry;
    fx_audit_opts o;
    fx_audit_val sum;
    size_t i;
    int rc = FX_OK;

    if (snprintf(path, sizeof(path), "%s/cohort.json", cohort_dir) >= (int)sizeof(path))
        return fx_fail(err, FX_EINVAL, "cohort path '%s' is too long", cohort_dir);
    if (!(cohort = json_load_file(path, 0, &je)))
        return fx_fail(err, FX_EFORMAT, "cannot read '%s': %s (is it a phantom cohort?)", path,
                       je.text);
    fx_audit_opts_default(&o);
    fx_audit_val_init(&sum);
    json_array_foreach(json_object_get(cohort, "patients"), i, entry) {
        const char *code = json_string_value(json_object_get(entry, "code"));
        const char *folder = json_string_value(json_object_get(entry, "folder"));
        json_t *res = NULL, *p;
        fx_audit_val v;
        if (!code || !folder) {
            rc = fx_fail(err, FX_EFORMAT, "'%s': patient %zu has no code or folder", path, i);
            break;
        }
        snprintf(dir, sizeof(dir), "%s/%s", cohort_dir, folder);
        fx_audit_val_init(&v);
        if ((rc = fx_audit_validate_patient(dir, &o, &res, &v, err)))
            break;
        json_object_set_new(res, "summary", fx_audit_val_summary(&v));
        if (!(p = json_object_get(patients, code))) {
            p = json_pack("{s:s}", "code", code);
            json_object_set_new(patients, code, p);
        }
        json_object_set_new(p, "audit", res);
        for (int q = 0; q < 6; q++)
            if (v.max[q] > sum.max[q])
                sum.max[q] = v.max[q];
        for (int q = 0; q < 2; q++)
            if (v.pos_max[q] > sum.pos_max[q])
                sum.pos_max[q] = v.pos_max[q];
        sum.missed += v.missed;
        sum.invented += v.invented;
        fx_audit_fragval_merge(&sum, &v);
        sum.joint_true += v.joint_true;
        sum.joint_wrong += v.joint_wrong;
        if (v.max_voxel_mm > sum.max_voxel_mm)
            sum.max_voxel_mm = v.max_voxel_mm;
    }
    json_decref(cohort);
    if (!rc && sum.max_voxel_mm > FX_AUDIT_ACCURACY_VOXEL_MM)
        fprintf(stderr,
                "fxaudit validate: note: %s: post-op voxels of up to %.2f mm are coarser than the "
                "1 mm slices the screw accuracy targets apply to (docs/audit.md, the small "
                "size)\n",
                cohort_dir, sum.max_voxel_mm);
    if (!rc)
        json_object_update_new(summary, fx_audit_val_summary(&sum));
    return rc;
}
