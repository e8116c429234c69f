/*
 * plateposes.c - where each planned plate ended up: the planned plate model
 * fitted onto the post-op metal by trimmed ICP, started at its planned place.
 *
 * The metal is taken from the post-op CT in a box around the planned plate
 * (mapped into the scan), surfaced half-way between the metal threshold and
 * the cortex, each point moved to where the metal covers half a voxel given
 * the tissue beside it (one level cannot: beside cortex it lies in the bone,
 * beside soft tissue in the plate), and mapped into plan coordinates; its points on every screw
 * found (a cylinder of the head's radius, plus half a voxel and 0.5 mm of
 * blur, from above its head to past its tip) are left out, so that the screw
 * shafts, which leave the plate at large angles, and the heads on top of it
 * do not pull the plate model. The plate model is the plan's plate mesh, or one built along
 * the planned path on the planned (reduced) bone and laid flat across its
 * width (a plate is bent along its length only; a model conforming to a
 * convex bone across its width lies deeper than the plate and was fitted too
 * far out, docs/audit-poses.md).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

#include "fxaudit/auditposes.h"
#include "fxaudit/bvh.h"
#include "fxaudit/icp.h"
#include "fxaudit/isosurface.h"
#include "fxaudit/plate.h"

#define BOX_MARGIN_MM 8.0
#define HEAD_R_MM 3.0
#define ABOVE_ENTRY_MM 8.0 /* plate + head + margin */
#define NEAR1_MM 6.0
#define NEAR2_MM 2.0
#define MIN_INLIERS 0.3
#define MAX_RMS_MM 1.0
/* A fit whose rotation bound (rms over the lever arm, rotation_bound_deg)
 * exceeds this is not trusted: at 2 mm voxels the short posterior plates
 * reach 0.80-0.84 with rotations 2.3-2.4 degrees off; every anterior plate
 * and every other posterior plate of small seeds 1 and 41 stays at or under
 * 0.72 (docs/audit-poses.md). */
#define MAX_ROT_BOUND_DEG 0.75
/* how far beyond a surface point its tissue is read, in voxels */
#define TISSUE_VOX 1.5

/* Is world point x within r_mm of screw s's segment (from above its head to
 * 1 mm past its tip)? */
static int in_screw(fx_vec3 x, const fx_audit_screw *s, double r_mm)
{
    fx_vec3 a = fx_v3_sub(s->entry, fx_v3_scale(s->dir, ABOVE_ENTRY_MM));
    double L = s->length_mm + ABOVE_ENTRY_MM + 1.0;
    double t = fx_v3_dot(fx_v3_sub(x, a), s->dir);
    if (t < 0 || t > L)
        return 0;
    return fx_v3_dist(x, fx_v3_add(a, fx_v3_scale(s->dir, t))) <= r_mm;
}

/* The index box (lo, dims) of the scan around model mapped by to_post. */
static int crop_box(const fx_volume *hu, const fx_mesh *model, const fx_rigid *to_post, int lo[3],
                    int dims[3])
{
    double mn[3] = {INFINITY, INFINITY, INFINITY}, mx[3] = {-INFINITY, -INFINITY, -INFINITY};
    for (size_t i = 0; i < model->nv; i++)
        for (int s = -1; s <= 1; s += 2) {
            fx_vec3 w = fx_rigid_apply(to_post, model->v[i]);
            /* the margin along each world axis, through the index map */
            for (int a = 0; a < 3; a++) {
                fx_vec3 q = w;
                double *c = a == 0 ? &q.x : a == 1 ? &q.y : &q.z;
                *c += s * BOX_MARGIN_MM;
                fx_vec3 ijk = fx_volume_world_to_index(hu, q);
                double v[3] = {ijk.x, ijk.y, ijk.z};
                for (int b = 0; b < 3; b++)
                    mn[b] = fmin(mn[b], v[b]), mx[b] = fmax(mx[b], v[b]);
            }
        }
    for (int a = 0; a < 3; a++) {
        int l = (int)floor(fmax(mn[a], 0)), h = (int)ceil(fmin(mx[a], hu->dims[a] - 1));
        if (!(h > l))
            return 0;
        lo[a] = l;
        dims[a] = h - l + 1;
    }
    return 1;
}

/* HU at world point x (trilinear; NAN outside the scan). */
static double hu_at(const fx_volume *hu, fx_vec3 x)
{
    return fx_volume_sample(hu, fx_volume_world_to_index(hu, x), NAN);
}

/* The metal level of the screws found (the median of their fitted levels),
 * NAN when none has one. */
static double screws_metal_hu(const fx_audit_result *r)
{
    double lv[64];
    size_t n = 0;
    for (size_t s = 0; s < r->nscrews && n < 64; s++)
        if (isfinite(r->screws[s].metal_level_hu) && r->screws[s].metal_level_hu > 0)
            lv[n++] = r->screws[s].metal_level_hu;
    return n ? gsl_stats_median(lv, 1, n) : NAN;
}

/* Move every surface point (world mm) to where the metal covers half of a
 * voxel. A voxel at the metal's face holds c metal and 1 - c of the tissue
 * beside it, hu = c metal + (1 - c) tissue, so one iso level lies at the
 * coverage c = (iso - tissue) / (metal - tissue): inside the plate beside
 * soft tissue, in the cortex beside bone. For the linear partial-volume ramp
 * of width w (a voxel) the face is (c - 1/2) w further out along the
 * outward normal (-grad hu). The tissue is read TISSUE_VOX voxels beyond the
 * point, past the ramp. */
static void to_half_coverage(const fx_volume *hu, fx_mesh *m, double iso, double metal_hu)
{
    double w = (hu->spacing[0] + hu->spacing[1] + hu->spacing[2]) / 3.0, h = 0.5 * w;
    for (size_t v = 0; v < m->nv; v++) {
        fx_vec3 x = m->v[v];
        fx_vec3 g = fx_v3(hu_at(hu, fx_v3_add(x, fx_v3(h, 0, 0))) -
                              hu_at(hu, fx_v3_sub(x, fx_v3(h, 0, 0))),
                          hu_at(hu, fx_v3_add(x, fx_v3(0, h, 0))) -
                              hu_at(hu, fx_v3_sub(x, fx_v3(0, h, 0))),
                          hu_at(hu, fx_v3_add(x, fx_v3(0, 0, h))) -
                              hu_at(hu, fx_v3_sub(x, fx_v3(0, 0, h))));
        double gn = fx_v3_norm(g);
        if (!(gn > 0))
            continue;
        fx_vec3 out = fx_v3_scale(g, -1.0 / gn);
        double tissue = hu_at(hu, fx_v3_add(x, fx_v3_scale(out, TISSUE_VOX * w)));
        if (!(tissue < iso))
            continue; /* metal or nothing beyond: leave the point */
        double c = fmin(fmax((iso - tissue) / (metal_hu - tissue), 0.0), 1.0);
        m->v[v] = fx_v3_add(x, fx_v3_scale(out, (c - 0.5) * w));
    }
}

/* The metal near the plate as a surface in plan mm; *keep (new, one byte a
 * vertex) is 0 on the screws found. */
static int metal_near(const fx_volume *hu, const fx_mesh *model, const fx_rigid *to_plan,
                      const fx_audit_result *r, const fx_audit_opts *o, fx_mesh **out,
                      uint8_t **keep, fx_error *err)
{
    fx_rigid to_post = fx_rigid_inverse(to_plan);
    fx_volume *sub = NULL;
    int lo[3], dims[3], rc;
    double vox = fmax(hu->spacing[0], fmax(hu->spacing[1], hu->spacing[2]));
    double cut_r = HEAD_R_MM + 0.5 * vox + 0.5;
    *out = NULL;
    *keep = NULL;
    if (!crop_box(hu, model, &to_post, lo, dims))
        return FX_OK; /* the plate lies outside the scan */
    if ((rc = fx_volume_new(dims, FX_VOX_F32, &sub, err)))
        return rc;
    memcpy(sub->spacing, hu->spacing, sizeof(hu->spacing));
    memcpy(sub->dir, hu->dir, sizeof(hu->dir));
    fx_vec3 o0 = fx_volume_index_to_world(hu, fx_v3(lo[0], lo[1], lo[2]));
    sub->origin[0] = o0.x, sub->origin[1] = o0.y, sub->origin[2] = o0.z;
    float *d = sub->data;
    for (int k = 0; k < dims[2]; k++)
        for (int j = 0; j < dims[1]; j++)
            for (int i = 0; i < dims[0]; i++)
                d[i + (size_t)dims[0] * (j + (size_t)dims[1] * k)] =
                    (float)fx_volume_get(hu, i + lo[0], j + lo[1], k + lo[2]);
    /* half-way between metal and cortex: a plate thinner than a voxel never
     * reaches the metal threshold, and the cortex it lies on stays below */
    double cortex, soft;
    fx_parts_levels(hu, 226, &cortex, &soft);
    fx_iso_opts io = {.iso = isfinite(cortex) && cortex < o->metal_hu
                                 ? 0.5 * (cortex + o->metal_hu) : o->metal_hu,
                      .threads = 0};
    rc = fx_isosurface_extract(sub, &io, out, err);
    fx_volume_free(sub);
    double metal = screws_metal_hu(r);
    if (!rc && metal > io.iso)
        to_half_coverage(hu, *out, io.iso, metal);
    if (!rc && !(*keep = malloc((*out)->nv ? (*out)->nv : 1)))
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate a mask of %zu points", (*out)->nv);
    if (rc) {
        fx_mesh_free(*out);
        *out = NULL;
        return rc;
    }
    /* the screws' surface points are left out, not their voxels: cutting
     * voxels would make walls where the cut meets the plate */
    for (size_t v = 0; v < (*out)->nv; v++) {
        (*keep)[v] = 1;
        for (size_t s = 0; s < r->nscrews && (*keep)[v]; s++)
            (*keep)[v] = !in_screw((*out)->v[v], &r->screws[s], cut_r);
    }
    fx_mesh_transform(*out, to_plan);
    return FX_OK;
}

/* One ICP of the metal points within r_mm of the model (the metal mapped by
 * `start`, metal -> planned) onto the plate model. */
static int fit_metal(const fx_mesh *metal, const uint8_t *keep, const fx_mesh *model,
                     const fx_bvh *tree, const fx_rigid *start, double r_mm, uint8_t *mask,
                     fx_icp_result *res, fx_error *err)
{
    size_t kept = 0;
    fx_icp_opts io;
    for (size_t i = 0; i < metal->nv; i++) {
        fx_closest c;
        mask[i] = keep[i] &&
                  fx_bvh_closest(tree, fx_rigid_apply(start, metal->v[i]), r_mm * r_mm, &c);
        kept += mask[i];
    }
    res->rms_mm = NAN;
    if (kept < 3)
        return FX_OK;
    fx_icp_opts_default(&io);
    io.init = FX_ICP_INIT_NONE;
    io.start = *start;
    io.moving_mask = mask;
    return fx_icp_align(metal, model, &io, res, err);
}

/* The fit's own bound on the plate's rotation (deg): its RMS distance over
 * the lever arm of the metal it used (the RMS spread of those points along
 * their principal axis): a surface misfit of rms at either end of a lever L
 * allows a tilt of about rms / L. */
static double rotation_bound_deg(const fx_mesh *metal, const uint8_t *mask, const fx_rigid *T,
                                 double rms_mm)
{
    double m[3] = {0}, S[6] = {0};
    size_t n = 0;
    for (size_t i = 0; i < metal->nv; i++) {
        if (!mask[i])
            continue;
        fx_vec3 x = fx_rigid_apply(T, metal->v[i]);
        double a[3] = {x.x, x.y, x.z};
        for (int d = 0, q = 0; d < 3; d++) {
            m[d] += a[d];
            for (int e = d; e < 3; e++)
                S[q++] += a[d] * a[e];
        }
        n++;
    }
    if (n < 3)
        return INFINITY;
    for (int d = 0, q = 0; d < 3; d++)
        for (int e = d; e < 3; e++, q++)
            S[q] = S[q] / (double)n - m[d] * m[e] / ((double)n * (double)n);
    /* the largest eigenvalue (power iteration): the mean squared distance
     * along the principal axis from the centroid */
    fx_vec3 v = fx_v3(1, 1, 1);
    for (int it = 0; it < 100; it++)
        v = fx_v3_unit(fx_v3(S[0] * v.x + S[1] * v.y + S[2] * v.z,
                             S[1] * v.x + S[3] * v.y + S[4] * v.z,
                             S[2] * v.x + S[4] * v.y + S[5] * v.z));
    double l1 = v.x * (S[0] * v.x + S[1] * v.y + S[2] * v.z) +
                v.y * (S[1] * v.x + S[3] * v.y + S[4] * v.z) +
                v.z * (S[2] * v.x + S[4] * v.y + S[5] * v.z);
    return rms_mm / sqrt(fmax(l1, 1e-12)) * 180 / M_PI;
}

/* The metal is the moving set and the plate model the fixed one: every bit
 * of metal left near the plate has its place on the model, while much of the
 * model (holes, the thin plate's partial-volume losses) has no metal. */
static int fit_plate(const fx_volume *hu, const fx_mesh *model, const fx_audit_result *r,
                     const fx_audit_opts *o, fx_audit_pose *p, fx_error *err)
{
    fx_mesh *metal = NULL;
    fx_bvh *tree = NULL;
    uint8_t *mask = NULL, *keep = NULL;
    fx_icp_result r1, r2;
    fx_rigid id = fx_rigid_identity();
    double bound_deg = INFINITY;
    const fx_rigid *to_plan = r->registered ? &r->reg.T : &id;
    int rc = metal_near(hu, model, to_plan, r, o, &metal, &keep, err);
    p->centroid = fx_mesh_centroid(model);
    r2.rms_mm = NAN;
    if (!rc && metal && metal->nv >= 3 && !(rc = fx_bvh_build(model, &tree, err))) {
        if (!(mask = malloc(metal->nv)))
            rc = fx_fail(err, FX_ENOMEM, "cannot allocate a mask of %zu points", metal->nv);
        if (!rc)
            rc = fit_metal(metal, keep, model, tree, &id, NEAR1_MM, mask, &r1, err);
        if (!rc && isfinite(r1.rms_mm))
            rc = fit_metal(metal, keep, model, tree, &r1.T, NEAR2_MM, mask, &r2, err);
        if (!rc && isfinite(r2.rms_mm))
            bound_deg = rotation_bound_deg(metal, mask, &r2.T, r2.rms_mm);
    }
    free(mask);
    free(keep);
    fx_bvh_free(tree);
    fx_mesh_free(metal);
    if (rc || !isfinite(r2.rms_mm))
        return rc;
    p->pose = fx_rigid_inverse(&r2.T);
    p->rms_mm = r2.rms_mm;
    p->inlier_fraction = r2.inlier_fraction;
    p->rotation_bound_deg = bound_deg;
    fx_audit_pose_figures(p);
    p->found = r2.inlier_fraction >= MIN_INLIERS && r2.rms_mm <= MAX_RMS_MM &&
               !(r2.warnings & FX_ICP_WARN_ILL_CONDITIONED) && bound_deg <= MAX_ROT_BOUND_DEG;
    return FX_OK;
}

int fx_audit_plate_poses(const fx_volume *postop, const fx_plan *plan, fx_mesh *const *models,
                         const fx_audit_opts *o, fx_audit_result *r, fx_error *err)
{
    fx_audit_poses *ps = r->poses;
    size_t n = plan->nplates;
    fx_audit_pose *p;
    int rc = FX_OK;
    if (!ps || !n)
        return FX_OK;
    if (!(p = calloc(n, sizeof(*p))))
        return fx_fail(err, FX_ENOMEM, "cannot allocate %zu plate poses", n);
    for (size_t i = 0; !rc && i < n; i++) {
        snprintf(p[i].name, sizeof(p[i].name), "%s", plan->plates[i].name);
        p[i].pose = fx_rigid_identity();
        p[i].rms_mm = p[i].inlier_fraction = p[i].rotation_bound_deg = NAN;
        p[i].translation_mm = p[i].rotation_deg = NAN;
        if (models[i] && models[i]->nt)
            rc = fit_plate(postop, models[i], r, o, &p[i], err);
        if (rc)
            fx_error_prefix(err, "plate '%s'", plan->plates[i].name);
    }
    if (rc) {
        free(p);
        return rc;
    }
    free(ps->plates);
    ps->plates = p;
    ps->nplates = n;
    return FX_OK;
}

/* Lay every row of the built plate (plate.h's grid: the underside rows x
 * columns, then the top) flat across its width: a straight line through the
 * row's centre on the bone, across the width, the top `thick_mm` above along
 * the row's normal. A plate bends along its length, not across its width. */
static void flatten_rows(fx_mesh *m, const fx_plate_info *in, double width_mm, double thick_mm)
{
    int R = in->rows, J = in->columns;
    if (R < 1 || J < 2 || m->nv < (size_t)(2 * R * J))
        return;
    for (int i = 0; i < R; i++) {
        fx_vec3 *bot = m->v + (size_t)i * J, *top = m->v + (size_t)(R + i) * J;
        fx_vec3 c = bot[J / 2];
        fx_vec3 n = fx_v3_unit(fx_v3_sub(top[J / 2], c));
        fx_vec3 b = fx_v3_sub(bot[J - 1], bot[0]);
        b = fx_v3_unit(fx_v3_sub(b, fx_v3_scale(n, fx_v3_dot(b, n))));
        if (!isfinite(n.x) || !isfinite(b.x))
            continue;
        for (int j = 0; j < J; j++) {
            double u = -0.5 * width_mm + width_mm * j / (J - 1);
            bot[j] = fx_v3_add(c, fx_v3_scale(b, u));
            top[j] = fx_v3_add(bot[j], fx_v3_scale(n, thick_mm));
        }
    }
}

int fx_audit_plate_build(const fx_plan *plan, size_t i, const fx_mesh *reduced, fx_mesh **out,
                         fx_error *err)
{
    fx_bvh *tree = NULL;
    fx_plate_info info;
    int rc = fx_bvh_build(reduced, &tree, err);
    *out = NULL;
    if (!rc)
        rc = fx_plate_build(&plan->plates[i], plan, reduced, tree, NULL, out, &info, err);
    if (!rc)
        flatten_rows(*out, &info, plan->plates[i].width_mm, plan->plates[i].thickness_mm);
    fx_bvh_free(tree);
    return rc;
}
