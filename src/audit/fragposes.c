/*
 * fragposes.c - where each planned fragment ended up: its planned model
 * fitted onto the post-op bone (already registered onto the plan's reference
 * region) by trimmed point-to-plane ICP, started at the planned pose.
 *
 * Two things keep the neighbours from pulling a fragment: its own points
 * within FACE_MM of another planned fragment (its fracture faces, which in
 * the post-op scan touch or face the neighbour's) are left out of the moving
 * set, and the fixed set is the post-op bone near the fragment only: within
 * NEAR1_MM of its planned model for a first fit (as far as a residual
 * displacement after reduction reaches), then within NEAR2_MM of the fitted
 * model for the final one. The fit is trusted (found = 1) when the kept
 * inliers are at least MIN_INLIERS of the moving points, their RMS at most
 * MAX_RMS_MM and the ICP saw no unconstrained motion.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/auditposes.h"
#include "fxaudit/bvh.h"
#include "fxaudit/icp.h"

#define FACE_MM 2.0
#define NEAR1_MM 10.0
#define NEAR2_MM 3.0
#define MIN_INLIERS 0.4
#define MAX_RMS_MM 1.0

/* mask[i] = 1 where m's vertex i (mapped by T) is within r_mm of tree's
 * surface (want_near) or farther than r_mm (!want_near); the count kept. */
static size_t mark(const fx_mesh *m, const fx_rigid *T, const fx_bvh *tree, double r_mm,
                   int want_near, uint8_t *mask)
{
    size_t kept = 0;
    long n = (long)m->nv;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1024) reduction(+ : kept)
#endif
    for (long i = 0; i < n; i++) {
        fx_closest c;
        fx_vec3 q = T ? fx_rigid_apply(T, m->v[i]) : m->v[i];
        int near = tree && fx_bvh_closest(tree, q, r_mm * r_mm, &c);
        mask[i] = (uint8_t)(near == want_near);
        kept += mask[i];
    }
    return kept;
}

/* The other fragments' models in one tree (NULL when there are none). */
static int others_tree(fx_mesh *const *models, size_t n, size_t self, fx_bvh **out,
                       fx_error *err)
{
    fx_mesh *all = NULL;
    int rc = fx_mesh_new(&all, err);
    *out = NULL;
    for (size_t j = 0; !rc && j < n; j++)
        if (j != self && models[j])
            rc = fx_mesh_append(all, models[j], err);
    if (!rc && all->nt)
        rc = fx_bvh_build(all, out, err);
    fx_mesh_free(all);
    return rc;
}

/* One ICP of the moving points (mask mv) onto the bone near `model` mapped by
 * `start`, within r_mm. */
static int fit_near(const fx_mesh *bone, const fx_mesh *model, const uint8_t *mv,
                    const fx_rigid *start, double r_mm, uint8_t *fixed_mask, fx_icp_result *res,
                    fx_error *err)
{
    fx_mesh *moved = NULL;
    fx_bvh *tree = NULL;
    fx_icp_opts io;
    int rc = fx_mesh_clone(model, &moved, err);
    if (!rc) {
        fx_mesh_transform(moved, start);
        rc = fx_bvh_build(moved, &tree, err);
    }
    fx_mesh_free(moved);
    if (rc)
        return rc;
    size_t kept = mark(bone, NULL, tree, r_mm, 1, fixed_mask);
    fx_bvh_free(tree);
    if (kept < 3) {
        memset(res, 0, sizeof(*res));
        res->T = *start;
        res->rms_mm = NAN;
        return FX_OK; /* nothing near: not found */
    }
    fx_icp_opts_default(&io);
    io.init = FX_ICP_INIT_NONE;
    io.start = *start;
    io.moving_mask = mv;
    io.fixed_mask = fixed_mask;
    return fx_icp_align(model, bone, &io, res, err);
}

int fx_audit_fit_part(const fx_mesh *fixed, const fx_mesh *model, const uint8_t *moving_mask,
                      double near1_mm, double near2_mm, fx_icp_result *out, fx_error *err)
{
    uint8_t *fixed_mask = malloc(fixed->nv ? fixed->nv : 1);
    fx_icp_result r1;
    fx_rigid id = fx_rigid_identity();
    int rc = fixed_mask ? fit_near(fixed, model, moving_mask, &id, near1_mm, fixed_mask, &r1, err)
                        : fx_fail(err, FX_ENOMEM, "cannot allocate a mask of %zu points",
                                  fixed->nv);
    memset(out, 0, sizeof(*out));
    out->T = id;
    out->rms_mm = NAN;
    if (!rc && isfinite(r1.rms_mm))
        rc = fit_near(fixed, model, moving_mask, &r1.T, near2_mm, fixed_mask, out, err);
    free(fixed_mask);
    return rc;
}

static int fit_one(const fx_mesh *bone, fx_mesh *const *models, size_t n, size_t i,
                   fx_audit_pose *out, fx_error *err)
{
    const fx_mesh *m = models[i];
    fx_bvh *others = NULL;
    fx_icp_result r2;
    uint8_t *mv = malloc(m->nv ? m->nv : 1);
    int rc = mv ? others_tree(models, n, i, &others, err)
                : fx_fail(err, FX_ENOMEM, "cannot allocate a fragment mask");
    if (rc) {
        free(mv);
        return rc;
    }
    size_t kept = mark(m, NULL, others, FACE_MM, 0, mv);
    fx_bvh_free(others);
    out->centroid = fx_mesh_centroid(m);
    if (kept >= 3)
        rc = fx_audit_fit_part(bone, m, mv, NEAR1_MM, NEAR2_MM, &r2, err);
    free(mv);
    if (rc || kept < 3 || !isfinite(r2.rms_mm))
        return rc;
    out->pose = r2.T;
    out->rms_mm = r2.rms_mm;
    /* inliers of the moving points kept, not of the fragment's own points:
     * the faces left out are no failure of the fit */
    out->inlier_fraction = r2.inlier_fraction;
    fx_audit_pose_figures(out);
    out->found = r2.inlier_fraction >= MIN_INLIERS && r2.rms_mm <= MAX_RMS_MM &&
                 !(r2.warnings & FX_ICP_WARN_ILL_CONDITIONED);
    return FX_OK;
}

int fx_audit_fragment_poses(const fx_mesh *bone, const fx_plan *plan, fx_mesh *const *models,
                            fx_audit_pose **out, fx_error *err)
{
    size_t n = plan->nfrags;
    fx_audit_pose *p = calloc(n ? n : 1, sizeof(*p));
    int rc = p ? FX_OK : fx_fail(err, FX_ENOMEM, "cannot allocate %zu fragment poses", n);
    for (size_t i = 0; !rc && i < n; i++) {
        snprintf(p[i].name, sizeof(p[i].name), "%s", plan->frags[i].name);
        p[i].reference = plan->frags[i].fixed && !strncmp(plan->frags[i].name, "reference", 9);
        p[i].pose = fx_rigid_identity();
        p[i].rms_mm = p[i].inlier_fraction = p[i].rotation_bound_deg = NAN;
        p[i].translation_mm = p[i].rotation_deg = NAN;
        if (models[i] && models[i]->nt && bone->nt)
            rc = fit_one(bone, models, n, i, &p[i], err);
        if (rc && rc != FX_ENOMEM) {
            /* one fit that fails is one fragment not located, not the audit lost */
            fx_audit_pose_failed(&p[i], err ? err->msg : "its fit failed");
            fx_error_clear(err);
            rc = FX_OK;
        }
        if (rc)
            fx_error_prefix(err, "fragment '%s'", plan->frags[i].name);
    }
    if (rc) {
        free(p);
        return rc;
    }
    *out = p;
    return FX_OK;
}

