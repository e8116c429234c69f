/*
 * postop.c - the post-op models the audit needs besides the screws: the bone
 * with the metal cut out, registered onto the plan's reference region, and the
 * metal components that no plan explains.
 *
 * Metal is cut from the bone before meshing (voxels >= metal_hu, dilated by
 * exclude_metal_mm, set to soft tissue) because plates and screw heads on the
 * bone surface would otherwise be part of the post-op bone surface and pull the
 * registration towards where the surgeon put them. The bone parts are made as
 * the plan makes them (fx_bone_parts_extract), so that the post-op and pre-op
 * surfaces are cut at the same half-way value; the largest post-op part is
 * registered onto the reference by trimmed point-to-plane ICP, started from
 * the identity and from the principal axes (the post-op scan has its own
 * patient pose), translated so that the centroids meet.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/audit.h"
#include "fxaudit/auditposes.h"
#include "fxaudit/fragments.h"
#include "fxaudit/segment.h"

static int cut_metal(const fx_volume *hu, const fx_audit_opts *o, fx_volume **out, fx_error *err)
{
    fx_volume *mask = NULL, *cut = NULL;
    int rc = fx_segment_threshold(hu, o->metal_hu, INFINITY, &mask, err);
    if (!rc && o->exclude_metal_mm > 0)
        rc = fx_segment_dilate(mask, o->exclude_metal_mm, err);
    if (!rc)
        rc = fx_volume_new_like(hu, FX_VOX_I16, &cut, err);
    if (!rc) {
        const int16_t *src = hu->data;
        const uint8_t *m = mask->data;
        int16_t *dst = cut->data;
        size_t n = fx_volume_count(hu);
        for (size_t i = 0; i < n; i++)
            dst[i] = m[i] ? 0 : src[i];
    }
    fx_volume_free(mask);
    if (rc) {
        fx_volume_free(cut);
        return rc;
    }
    *out = cut;
    return FX_OK;
}

int fx_audit_register_parts(const fx_volume *hu, const fx_mesh *reference,
                            const fx_audit_opts *o, fx_icp_result *out, fx_bone_parts **keep,
                            fx_error *err)
{
    fx_volume *cut = NULL;
    fx_bone_parts *bp = NULL;
    fx_parts_opts po;
    fx_icp_opts io;
    int rc = cut_metal(hu, o, &cut, err);

    if (rc)
        return fx_error_prefix(err, "post-op bone model");
    fx_parts_opts_default(&po);
    rc = fx_bone_parts_extract(cut, &po, &o->progress, &bp, err);
    fx_volume_free(cut);
    if (rc)
        return fx_error_prefix(err, "post-op bone model");
    if (!bp->n) {
        fx_bone_parts_free(bp);
        return fx_fail(err, FX_ENOTFOUND, "post-op scan: no bone to register");
    }
    fx_icp_opts_default(&io);
    io.init = FX_ICP_INIT_AUTO;
    fx_vec3 d = fx_v3_sub(fx_mesh_centroid(reference), bp->parts[0].centroid);
    io.start = fx_rigid_identity();
    io.start.t[0] = d.x;
    io.start.t[1] = d.y;
    io.start.t[2] = d.z;
    rc = fx_icp_align(bp->parts[0].mesh, reference, &io, out, err);
    if (rc || !keep)
        fx_bone_parts_free(bp);
    else
        *keep = bp;
    if (rc)
        return fx_error_prefix(err, "registering the post-op bone onto the plan");
    return FX_OK;
}

int fx_audit_register(const fx_volume *hu, const fx_mesh *reference, const fx_audit_opts *o,
                      fx_icp_result *out, fx_error *err)
{
    return fx_audit_register_parts(hu, reference, o, out, NULL, err);
}

/* ---- metal that no plan explains ------------------------------------------ */

/* Mark the labels found within radius_mm of world point x. */
static void mark_near(const fx_volume *lab, fx_vec3 x, double radius_mm, uint8_t *seen)
{
    fx_vec3 c = fx_volume_world_to_index(lab, x);
    int r[3], ci[3] = {(int)lround(c.x), (int)lround(c.y), (int)lround(c.z)};
    const uint16_t *L = lab->data;
    for (int d = 0; d < 3; d++)
        r[d] = (int)ceil(radius_mm / lab->spacing[d]);
    for (int k = ci[2] - r[2]; k <= ci[2] + r[2]; k++)
        for (int j = ci[1] - r[1]; j <= ci[1] + r[1]; j++)
            for (int i = ci[0] - r[0]; i <= ci[0] + r[0]; i++) {
                if (i < 0 || j < 0 || k < 0 || i >= lab->dims[0] || j >= lab->dims[1] ||
                    k >= lab->dims[2])
                    continue;
                fx_vec3 w = fx_volume_index_to_world(lab, fx_v3(i, j, k));
                if (fx_v3_dist(w, x) > radius_mm)
                    continue;
                seen[L[(size_t)i + (size_t)lab->dims[0] * ((size_t)j + (size_t)lab->dims[1] * k)]] =
                    1;
            }
}

static void mark_explained(const fx_volume *lab, const fx_plan *plan, const fx_rigid *plan_to_post,
                           const fx_audit_screw *screws, size_t nscrews, uint8_t *seen)
{
    for (size_t s = 0; s < nscrews; s++)
        for (double t = 0; t <= screws[s].length_mm; t += 2.0)
            mark_near(lab, fx_v3_add(screws[s].entry, fx_v3_scale(screws[s].dir, t)), 1.5, seen);
    for (size_t p = 0; plan && p < plan->nplates; p++)
        for (size_t k = 0; k < plan->plates[p].npath; k++)
            mark_near(lab, fx_rigid_apply(plan_to_post, plan->plates[p].path[k]),
                      plan->plates[p].width_mm > 0 ? plan->plates[p].width_mm : 6.0, seen);
}

static int describe_unexplained(const fx_volume *lab, size_t nparts, const uint8_t *seen,
                                fx_audit_result *r, fx_error *err)
{
    size_t n = 0;
    for (size_t l = 1; l <= nparts; l++)
        n += !seen[l];
    if (!n)
        return FX_OK;
    r->unplanned = calloc(n, sizeof(*r->unplanned));
    size_t *slot = calloc(nparts + 1, sizeof(size_t)), *cnt = calloc(n, sizeof(size_t));
    if (!r->unplanned || !slot || !cnt) {
        free(slot);
        free(cnt);
        return fx_fail(err, FX_ENOMEM, "cannot allocate %zu metal components", n);
    }
    for (size_t l = 1, q = 0; l <= nparts; l++)
        if (!seen[l]) {
            slot[l] = ++q;
            r->unplanned[q - 1].lo = fx_v3(INFINITY, INFINITY, INFINITY);
            r->unplanned[q - 1].hi = fx_v3(-INFINITY, -INFINITY, -INFINITY);
        }
    const uint16_t *L = lab->data;
    for (int k = 0; k < lab->dims[2]; k++)
        for (int j = 0; j < lab->dims[1]; j++)
            for (int i = 0; i < lab->dims[0]; i++) {
                uint16_t l =
                    L[(size_t)i + (size_t)lab->dims[0] * ((size_t)j + (size_t)lab->dims[1] * k)];
                if (!l || !slot[l])
                    continue;
                fx_audit_metal *m = &r->unplanned[slot[l] - 1];
                fx_vec3 w = fx_volume_index_to_world(lab, fx_v3(i, j, k));
                m->centroid = fx_v3_add(m->centroid, w);
                m->lo = fx_v3(fmin(m->lo.x, w.x), fmin(m->lo.y, w.y), fmin(m->lo.z, w.z));
                m->hi = fx_v3(fmax(m->hi.x, w.x), fmax(m->hi.y, w.y), fmax(m->hi.z, w.z));
                cnt[slot[l] - 1]++;
            }
    double vox = lab->spacing[0] * lab->spacing[1] * lab->spacing[2];
    for (size_t q = 0; q < n; q++) {
        r->unplanned[q].centroid = fx_v3_scale(r->unplanned[q].centroid, 1.0 / (double)cnt[q]);
        r->unplanned[q].volume_mm3 = (double)cnt[q] * vox;
    }
    r->nunplanned = n;
    free(slot);
    free(cnt);
    return FX_OK;
}

int fx_audit_unplanned_metal(const fx_volume *hu, const fx_plan *plan, const fx_rigid *plan_to_post,
                             const fx_audit_screw *screws, size_t nscrews, const fx_audit_opts *o,
                             fx_audit_result *r, fx_error *err)
{
    fx_volume *mask = NULL, *lab = NULL;
    fx_segment_part *parts = NULL;
    size_t nparts = 0;
    uint8_t *seen = NULL;
    int rc = fx_segment_threshold(hu, o->metal_hu, INFINITY, &mask, err);

    if (!rc) {
        size_t n = fx_volume_count(mask), c = 0;
        const uint8_t *m = mask->data;
        for (size_t i = 0; i < n; i++)
            c += m[i] != 0;
        r->metal_mm3 = (double)c * hu->spacing[0] * hu->spacing[1] * hu->spacing[2];
        rc = fx_segment_components(mask, 26, o->min_metal_mm3, &lab, &parts, &nparts, err);
    }
    if (!rc && nparts) {
        seen = calloc(nparts + 1, 1);
        if (!seen)
            rc = fx_fail(err, FX_ENOMEM, "cannot allocate %zu metal components", nparts);
    }
    if (!rc && nparts) {
        mark_explained(lab, plan, plan_to_post, screws, nscrews, seen);
        rc = describe_unexplained(lab, nparts, seen, r, err);
    }
    free(seen);
    free(parts);
    fx_volume_free(lab);
    fx_volume_free(mask);
    return rc;
}
