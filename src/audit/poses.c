/*
 * poses.c - the audit's figures beyond the screws, kept beside its result:
 * the registration's residual histogram and the post-op bone in plan
 * coordinates, which the fragment fits need after the audit has run.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/auditposes.h"

enum { HIST_MIN_OVERLAP_PCT = 30 }; /* as the ICP's default min_overlap */
#define HIST_BIN_MM 0.1
#define HIST_RANGE_MM 3.0 /* 30 fine bins, then the tail */

void fx_audit_poses_free(fx_audit_poses *p)
{
    if (!p)
        return;
    fx_audit_hist_release(&p->hist);
    fx_mesh_free(p->bone);
    free(p->frags);
    free(p->plates);
    free(p);
}

/* All parts in one mesh, mapped by T. */
static int merge_parts(const fx_bone_parts *bp, const fx_rigid *T, fx_mesh **out, fx_error *err)
{
    fx_mesh *m = NULL;
    int rc = fx_mesh_new(&m, err);
    for (size_t i = 0; !rc && i < bp->n; i++)
        rc = fx_mesh_append(m, bp->parts[i].mesh, err);
    if (rc) {
        fx_mesh_free(m);
        return rc;
    }
    fx_mesh_transform(m, T);
    *out = m;
    return FX_OK;
}

int fx_audit_register_poses(const fx_volume *hu, const fx_mesh *reference,
                            const fx_audit_opts *o, fx_icp_result *out, fx_audit_poses **poses,
                            fx_error *err)
{
    fx_bone_parts *bp = NULL;
    fx_audit_poses *p = calloc(1, sizeof(*p));
    int rc = p ? fx_audit_register_parts(hu, reference, o, out, &bp, err)
               : fx_fail(err, FX_ENOMEM, "cannot allocate the audit's poses");
    if (!rc)
        rc = fx_audit_residuals(bp->parts[0].mesh, reference, &out->T, HIST_BIN_MM,
                                HIST_RANGE_MM, HIST_MIN_OVERLAP_PCT / 100.0, &p->hist, err);
    if (!rc) {
        p->has_hist = 1;
        rc = merge_parts(bp, &out->T, &p->bone, err);
    }
    fx_bone_parts_free(bp);
    if (rc) {
        fx_audit_poses_free(p);
        return rc;
    }
    *poses = p;
    return FX_OK;
}

void fx_audit_pose_figures(fx_audit_pose *p)
{
    fx_vec3 c2 = fx_rigid_apply(&p->pose, p->centroid);
    p->found = 1;
    p->d = fx_v3_sub(c2, p->centroid);
    p->translation_mm = fx_v3_norm(p->d);
    p->rotation_deg = fx_rigid_rotation_angle(&p->pose) * 180 / M_PI;
}
