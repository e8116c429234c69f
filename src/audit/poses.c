/*
 * poses.c - the audit's figures beyond the screws, kept beside its result:
 * the registration's residual histogram and the post-op bone in plan
 * coordinates, which the fragment fits need after the audit has run.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/auditposes.h"
#include "fxaudit/meshio.h"
#include <time.h>

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

double fx_audit_poses_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
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

void fx_audit_pose_failed(fx_audit_pose *p, const char *why)
{
    p->found = 0;
    p->pose = fx_rigid_identity();
    p->d = fx_v3(NAN, NAN, NAN);
    p->rms_mm = p->inlier_fraction = p->rotation_bound_deg = NAN;
    p->translation_mm = p->rotation_deg = NAN;
    snprintf(p->warning, sizeof(p->warning), "%s", why);
}

/* A failure that costs one part, not the audit: anything but running out of
 * memory. Its message goes to warn (prefixed), err is cleared. */
static int part_failed(int rc, fx_error *err, char *warn, size_t n, const char *what)
{
    if (rc == FX_OK || rc == FX_ENOMEM)
        return rc;
    if (snprintf(warn, n, "%s: %s", what, err ? err->msg : "failed") >= (int)n)
        warn[n - 2] = '~'; /* cut short; its start says what failed */
    fx_error_clear(err);
    return FX_OK;
}

/* A model file named in the plan (relative to the plan's folder) moved by T;
 * NULL when the plan names none. */
static int plan_model(const char *mesh, const fx_rigid *T, const char *plan_path, fx_mesh **out,
                      fx_error *err)
{
    char path[4096];
    const char *slash = strrchr(plan_path, '/');
    int dl = slash ? (int)(slash - plan_path + 1) : 0;
    *out = NULL;
    if (!mesh[0])
        return FX_OK;
    if (mesh[0] == '/')
        snprintf(path, sizeof(path), "%s", mesh);
    else
        snprintf(path, sizeof(path), "%.*s%s", dl, plan_path, mesh);
    int rc = fx_mesh_read(path, NULL, out, err);
    if (!rc && T)
        fx_mesh_transform(*out, T);
    return rc;
}

static void free_models(fx_mesh **m, size_t n)
{
    for (size_t i = 0; m && i < n; i++)
        fx_mesh_free(m[i]);
    free(m);
}

/* The planned (reduced) bone: every fragment model in its planned place. */
static int reduced_bone(fx_mesh *const *frags, size_t n, fx_mesh **out, fx_error *err)
{
    int rc = fx_mesh_new(out, err);
    for (size_t i = 0; !rc && i < n; i++)
        if (frags[i])
            rc = fx_mesh_append(*out, frags[i], err);
    return rc;
}

int fx_audit_plate_models(const fx_plan *plan, const char *plan_path, const fx_mesh *reduced,
                          fx_audit_warning *warn, fx_mesh ***out, fx_error *err)
{
    fx_mesh **m = calloc(plan->nplates + 1, sizeof(*m));
    int rc = m ? FX_OK : fx_fail(err, FX_ENOMEM, "cannot allocate %zu plate models",
                                 plan->nplates);
    for (size_t i = 0; !rc && i < plan->nplates; i++) {
        if (plan_path && plan->plates[i].mesh[0])
            rc = plan_model(plan->plates[i].mesh, NULL, plan_path, &m[i], err);
        else if (reduced && reduced->nt && plan->plates[i].npath >= 2)
            rc = fx_audit_plate_build(plan, i, reduced, &m[i], err);
        if (warn && rc) {
            fx_mesh_free(m[i]);
            m[i] = NULL;
            rc = part_failed(rc, err, warn[i], sizeof(warn[i]), "its model");
        }
        if (rc)
            fx_error_prefix(err, "plate '%s'", plan->plates[i].name);
    }
    if (rc) {
        free_models(m, plan->nplates);
        return rc;
    }
    *out = m;
    return FX_OK;
}

int fx_audit_locate_plates(const fx_volume *postop, const fx_plan *plan, fx_mesh *const *models,
                           const fx_audit_warning *warn, const fx_audit_opts *o,
                           fx_audit_result *r, fx_error *err)
{
    fx_audit_poses *ps = r->poses;
    size_t n = plan->nplates;
    fx_audit_pose *all = calloc(n + 1, sizeof(*all));
    fx_mesh **one = calloc(n + 1, sizeof(*one));
    int rc = all && one ? FX_OK : fx_fail(err, FX_ENOMEM, "cannot allocate %zu plate poses", n);
    /* one plate at a time, so that a fit that fails costs that plate only */
    for (size_t i = 0; !rc && ps && i < n; i++) {
        char why[sizeof(all->warning)] = "";
        snprintf(all[i].name, sizeof(all[i].name), "%s", plan->plates[i].name);
        fx_audit_pose_failed(&all[i], warn ? warn[i] : "");
        if (!models[i])
            continue;
        one[i] = models[i];
        rc = part_failed(fx_audit_plate_poses(postop, plan, one, o, r, err), err, why,
                         sizeof(why), "its fit");
        one[i] = NULL;
        if (!rc && why[0])
            fx_audit_pose_failed(&all[i], why);
        else if (!rc && ps->nplates == n)
            all[i] = ps->plates[i];
    }
    if (!rc && ps) {
        free(ps->plates);
        ps->plates = all;
        ps->nplates = n;
        all = NULL;
    }
    free(all);
    free(one);
    return rc;
}

int fx_audit_parts_from_plan(fx_audit_result *r, const fx_volume *postop, const fx_plan *plan,
                             const char *plan_path, const fx_audit_opts *o, fx_error *err)
{
    fx_audit_poses *ps = r->poses;
    size_t n = plan->nfrags;
    fx_mesh **frags = NULL, **plates = NULL, *reduced = NULL;
    fx_audit_warning *fw = NULL, *pw = NULL;
    int rc = FX_OK;
    double t0 = fx_audit_poses_now_s();
    if (!ps || !ps->bone)
        return FX_OK;
    frags = calloc(n + 1, sizeof(*frags));
    fw = calloc(n + 1, sizeof(*fw));
    pw = calloc(plan->nplates + 1, sizeof(*pw));
    if (!frags || !fw || !pw)
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate %zu fragment models", n);
    for (size_t i = 0; !rc && i < n; i++)
        rc = part_failed(plan_model(plan->frags[i].mesh, &plan->frags[i].pose, plan_path,
                                    &frags[i], err),
                         err, fw[i], sizeof(fw[i]), "its model");
    if (!rc && n) {
        free(ps->frags);
        ps->frags = NULL;
        ps->nfrags = 0;
        if (!(rc = fx_audit_fragment_poses(ps->bone, plan, frags, &ps->frags, err)))
            ps->nfrags = n;
        for (size_t i = 0; !rc && i < n; i++)
            if (fw[i][0])
                fx_audit_pose_failed(&ps->frags[i], fw[i]);
    }
    ps->seconds[0] = fx_audit_poses_now_s() - t0;
    t0 = fx_audit_poses_now_s();
    if (!rc)
        rc = reduced_bone(frags, n, &reduced, err);
    if (!rc)
        rc = fx_audit_plate_models(plan, plan_path, reduced, pw, &plates, err);
    if (!rc)
        rc = fx_audit_locate_plates(postop, plan, plates, pw, o, r, err);
    ps->seconds[1] = fx_audit_poses_now_s() - t0;
    free_models(frags, n);
    free_models(plates, plan->nplates);
    fx_mesh_free(reduced);
    free(fw);
    free(pw);
    return rc;
}
