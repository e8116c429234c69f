/*
 * validate_overlap.c - for `fxaudit validate --stage plan`: how far the
 * reduced fragments run into each other, in the plan (after each fragment's
 * own registration and after the joint refinement) and at the phantom's true
 * planned poses, pair by pair.
 */
#include "config.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fxaudit/meshio.h"
#include "fxaudit/overlap.h"
#include "validate.h"

/* The truth's planned pose of the part with `label` (anatomical after
 * pre-op^-1); 0 when the truth has no such part. */
static int true_pose(json_t *truth, int label, fx_rigid *T)
{
    json_t *o;
    size_t i;
    json_array_foreach(json_object_get(truth, "fragments"), i, o) {
        if (json_integer_value(json_object_get(o, "label")) != label)
            continue;
        json_t *poses = json_object_get(o, "poses");
        double a[16], p[16];
        fx_rigid A, P;
        for (int k = 0; k < 16; k++) {
            a[k] = json_number_value(json_array_get(
                json_object_get(json_object_get(poses, "anatomical"), "matrix"), k));
            p[k] = json_number_value(json_array_get(
                json_object_get(json_object_get(poses, "preop"), "matrix"), k));
        }
        if (fx_rigid_from_matrix(a, &A) || fx_rigid_from_matrix(p, &P))
            return 0;
        fx_rigid Pinv = fx_rigid_inverse(&P);
        *T = fx_rigid_compose(&A, &Pinv);
        return 1;
    }
    return 0;
}

/* One plan fragment's model, posed at its true planned pose. */
static int load_posed(json_t *truth, const fx_plan_fragment *f, const char *dir, fx_mesh **m,
                      fx_bvh **b, fx_posed *p, fx_error *err)
{
    char path[4200];
    fx_rigid T;
    int rc;
    if (!true_pose(truth, f->label, &T))
        return fx_fail(err, FX_EFORMAT, "truth has no part with label %d", f->label);
    if (snprintf(path, sizeof(path), "%s/%s", dir, f->mesh) >= (int)sizeof(path))
        return fx_fail(err, FX_EINVAL, "path of '%s' is too long", f->mesh);
    if ((rc = fx_mesh_read(path, NULL, m, err)) || (rc = fx_bvh_build(*m, b, err)))
        return rc;
    p->mesh = *m, p->bvh = *b;
    fx_posed_update(p, &T);
    return FX_OK;
}

static int true_overlap(json_t *truth, const fx_plan *plan, const fx_plan_overlap *ov,
                        const char *dir, double step_mm, fx_overlap *out, fx_error *err)
{
    const fx_plan_fragment *fa = fx_plan_find_fragment(plan, ov->a);
    const fx_plan_fragment *fb = fx_plan_find_fragment(plan, ov->b);
    fx_mesh *ma = NULL, *mb = NULL;
    fx_bvh *ba = NULL, *bb = NULL;
    fx_posed pa, pb;
    int rc;
    if (!fa || !fb)
        return fx_fail(err, FX_EFORMAT, "plan overlap names a missing fragment");
    if (!(rc = load_posed(truth, fa, dir, &ma, &ba, &pa, err)) &&
        !(rc = load_posed(truth, fb, dir, &mb, &bb, &pb, err)))
        rc = fx_overlap_measure(&pa, &pb, step_mm, out, err);
    fx_bvh_free(ba), fx_bvh_free(bb);
    fx_mesh_free(ma), fx_mesh_free(mb);
    return rc;
}

json_t *validate_plan_overlaps(json_t *truth, const fx_plan *plan, const char *dir,
                               double step_mm, struct overlap_maxima *mx, fx_error *err)
{
    json_t *out = json_array();
    for (size_t i = 0; i < plan->noverlaps; i++) {
        const fx_plan_overlap *ov = &plan->overlaps[i];
        fx_overlap t;
        if (true_overlap(truth, plan, ov, dir, step_mm, &t, err))
            return json_decref(out), NULL;
        mx->before_mm = fmax(mx->before_mm, ov->depth_before_mm);
        mx->after_mm = fmax(mx->after_mm, ov->depth_mm);
        mx->truth_mm = fmax(mx->truth_mm, t.depth_mm);
        mx->before_mm3 = fmax(mx->before_mm3, ov->volume_before_mm3);
        mx->after_mm3 = fmax(mx->after_mm3, ov->volume_mm3);
        mx->truth_mm3 = fmax(mx->truth_mm3, t.volume_mm3);
        json_array_append_new(out, json_pack("{s:s, s:s, s:f, s:f, s:f, s:f, s:f, s:f}", "a",
                                             ov->a, "b", ov->b, "depth_before_mm",
                                             ov->depth_before_mm, "volume_before_mm3",
                                             ov->volume_before_mm3, "depth_mm", ov->depth_mm,
                                             "volume_mm3", ov->volume_mm3, "true_depth_mm",
                                             t.depth_mm, "true_volume_mm3", t.volume_mm3));
    }
    return out;
}
