/*
 * fragments.c - bone parts of a CT volume as solid surface models.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/fragments.h"
#include "fxaudit/isosurface.h"
#include "fxaudit/segment.h"
#include "fxaudit/splitmerge.h"

#define MARGIN 2 /* voxels around a part's box, for its partial-volume ramp */

void fx_parts_opts_default(fx_parts_opts *o)
{
    o->lo_hu = FX_BONE_HU_MIN;
    o->hi_hu = FX_BONE_HU_MAX;
    o->min_mm3 = 500;
    o->connectivity = 6;
    o->split = 0; /* plan create turns it on (fx_plan_build_opts_default) */
    o->split_erode_mm = NAN;
    o->split_neck_ratio = 0.3;
    o->iso_hu = NAN;
    o->seeds = NULL;
    o->nseeds = 0;
    o->labels = NULL;
}

/* A copy of a label map made elsewhere, which must be on the CT's grid. */
static int given_labels(const fx_volume *hu, const fx_volume *in, fx_volume **out,
                        fx_error *err)
{
    int rc;
    if (in->type != FX_VOX_U16 && in->type != FX_VOX_U8)
        return fx_fail(err, FX_EINVAL, "a label map must hold integer labels");
    for (int a = 0; a < 3; a++)
        if (in->dims[a] != hu->dims[a] || fabs(in->spacing[a] - hu->spacing[a]) > 1e-4 ||
            fabs(in->origin[a] - hu->origin[a]) > 1e-3)
            return fx_fail(err, FX_EINVAL, "the label map is not on the CT's grid (axis %d)", a);
    if ((rc = fx_volume_new_like(hu, FX_VOX_U16, out, err)))
        return rc;
    for (size_t i = 0, n = fx_volume_count(hu); i < n; i++)
        ((uint16_t *)(*out)->data)[i] = (uint16_t)fx_volume_get(in, (int)(i % (size_t)in->dims[0]),
            (int)(i / (size_t)in->dims[0] % (size_t)in->dims[1]),
            (int)(i / ((size_t)in->dims[0] * (size_t)in->dims[1])));
    return FX_OK;
}

/* Value at quantile q of the voxels in [lo, hi], from a histogram of int16. */
static double quantile16(const fx_volume *v, int lo, int hi, double q)
{
    size_t *h = calloc(65536, sizeof(*h)), total = 0, n = fx_volume_count(v), acc = 0;
    const int16_t *d = v->data;
    double r = NAN;
    if (!h)
        return r;
    for (size_t i = 0; i < n; i++)
        if (d[i] >= lo && d[i] <= hi)
            h[d[i] + 32768]++, total++;
    for (int b = 0; total && b < 65536; b++) {
        acc += h[b];
        if ((double)acc >= q * (double)total) {
            r = b - 32768;
            break;
        }
    }
    free(h);
    return r;
}

void fx_parts_levels(const fx_volume *hu, double lo_hu, double *cortex_hu, double *soft_hu)
{
    *cortex_hu = quantile16(hu, (int)lo_hu, 32767, 0.9);
    *soft_hu = quantile16(hu, -200, 200, 0.5);
}

struct box {
    int lo[3], hi[3];
};

static int boxes(const fx_volume *labels, size_t nparts, struct box **out, fx_error *err)
{
    const uint16_t *l = labels->data;
    struct box *b = malloc((nparts + 1) * sizeof(*b));
    if (!b)
        return fx_fail(err, FX_ENOMEM, "cannot allocate part boxes");
    for (size_t k = 0; k <= nparts; k++)
        for (int a = 0; a < 3; a++)
            b[k].lo[a] = labels->dims[a], b[k].hi[a] = -1;
    size_t idx = 0;
    for (int z = 0; z < labels->dims[2]; z++)
        for (int y = 0; y < labels->dims[1]; y++)
            for (int x = 0; x < labels->dims[0]; x++, idx++) {
                unsigned k = l[idx];
                if (!k || k > nparts)
                    continue;
                int p[3] = {x, y, z};
                for (int a = 0; a < 3; a++) {
                    b[k].lo[a] = p[a] < b[k].lo[a] ? p[a] : b[k].lo[a];
                    b[k].hi[a] = p[a] > b[k].hi[a] ? p[a] : b[k].hi[a];
                }
            }
    *out = b;
    return FX_OK;
}

static int same_label(const fx_volume *L, int x, int y, int z, unsigned k)
{
    if (x < 0 || y < 0 || z < 0 || x >= L->dims[0] || y >= L->dims[1] || z >= L->dims[2])
        return 0;
    return ((const uint16_t *)L->data)[x + (size_t)L->dims[0] * (y + (size_t)L->dims[1] * z)] ==
           k;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int interior(const fx_volume *L, int x, int y, int z, unsigned k)
{
    return same_label(L, x, y, z, k) && same_label(L, x - 1, y, z, k) &&
           same_label(L, x + 1, y, z, k) && same_label(L, x, y - 1, z, k) &&
           same_label(L, x, y + 1, z, k) && same_label(L, x, y, z - 1, k) &&
           same_label(L, x, y, z + 1, k);
}

/* The tissue part k is made of next to (x, y, z): the median HU of its
 * interior voxels among the 26 neighbours (cortex under a cortical surface,
 * cancellous bone behind a fracture surface), or the brightest of its voxels
 * there when none is interior (then only the partial-volume rim is near);
 * -INFINITY when the part is not there at all. When that median says cortex
 * (above `half`, half-way between cortex and soft tissue), the brightest
 * interior neighbour: a 3 mm cortex is a voxel and a half thick at 2 mm, and
 * the deeper of the 26 neighbours mix in the cancellous bone behind it, so
 * their median (~1460 HU on the phantom, cortex 1560) put every cortical
 * surface ~0.1 mm too far out (docs/planning.md, "Screw checks"). */
static double part_tissue(const fx_volume *hu, const fx_volume *L, int x, int y, int z,
                          unsigned k, double half)
{
    double inner[27], any[27];
    int ni = 0, na = 0;
    for (int dz = -1; dz <= 1; dz++)
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                int X = x + dx, Y = y + dy, Z = z + dz;
                if (!same_label(L, X, Y, Z, k))
                    continue;
                double v = ((const int16_t *)hu->data)[(size_t)X + (size_t)hu->dims[0] *
                                                                     ((size_t)Y +
                                                                      (size_t)hu->dims[1] *
                                                                          (size_t)Z)];
                any[na++] = v;
                if ((dx || dy || dz) && interior(L, X, Y, Z, k))
                    inner[ni++] = v;
            }
    if (!ni) { /* only the partial-volume rim is near: its brightest is the tissue */
        double best = -INFINITY;
        for (int i = 0; i < na; i++)
            best = fmax(best, any[i]);
        return best;
    }
    qsort(inner, (size_t)ni, sizeof(inner[0]), cmp_double);
    double median = ni % 2 ? inner[ni / 2] : 0.5 * (inner[ni / 2 - 1] + inner[ni / 2]);
    return median >= half ? inner[ni - 1] : median;
}

/* The bone fraction of a voxel of part k (or next to it): 1 inside, and at
 * the boundary the two-material mixing ratio (HU - soft) / (bone - soft),
 * where "bone" is the median of the neighbours inside the part (cortex on a
 * cortical surface, cancellous bone on a fracture surface through it). Both
 * kinds of surface, which no single HU level marks, come out at the half-way
 * point of their partial volume. */
static float fraction(const fx_volume *hu, const fx_volume *L, int x, int y, int z, unsigned k,
                      double soft, double half)
{
    size_t gi = (size_t)x + (size_t)hu->dims[0] * ((size_t)y + (size_t)hu->dims[1] * (size_t)z);
    unsigned lab = ((const uint16_t *)L->data)[gi];
    double v = ((const int16_t *)hu->data)[gi];

    if (lab && lab != k)
        return 0;
    if (lab == k && interior(L, x, y, z, k))
        return 1;
    double bone = part_tissue(hu, L, x, y, z, k, half);
    if (!(bone > soft + 1))
        return 0;
    return (float)fmin(1.0, fmax(0.0, (v - soft) / (bone - soft)));
}

/* The part's box of the CT as a bone-fraction field (0 outside, 1 inside),
 * to be cut at 0.5. */
static int part_volume(const fx_volume *hu, const fx_volume *L, unsigned k, const struct box *b,
                       double soft, double half, fx_volume **out, fx_error *err)
{
    int lo[3], dims[3], rc;
    for (int a = 0; a < 3; a++) {
        lo[a] = b->lo[a] - MARGIN > 0 ? b->lo[a] - MARGIN : 0;
        int hi = b->hi[a] + MARGIN < hu->dims[a] - 1 ? b->hi[a] + MARGIN : hu->dims[a] - 1;
        dims[a] = hi - lo[a] + 1;
    }
    if ((rc = fx_volume_new(dims, FX_VOX_F32, out, err)))
        return rc;
    memcpy((*out)->spacing, hu->spacing, sizeof(hu->spacing));
    memcpy((*out)->dir, hu->dir, sizeof(hu->dir));
    fx_vec3 o = fx_volume_index_to_world(hu, fx_v3(lo[0], lo[1], lo[2]));
    (*out)->origin[0] = o.x, (*out)->origin[1] = o.y, (*out)->origin[2] = o.z;
    float *d = (*out)->data;
    for (int z = 0; z < dims[2]; z++)
        for (int y = 0; y < dims[1]; y++)
            for (int x = 0; x < dims[0]; x++)
                d[x + (size_t)dims[0] * (y + (size_t)dims[1] * z)] =
                    fraction(hu, L, x + lo[0], y + lo[1], z + lo[2], k, soft, half);
    return FX_OK;
}

static int mesh_parts(const fx_volume *hu, fx_bone_parts *bp, const fx_segment_part *sp,
                      const fx_progress *pg, fx_error *err)
{
    struct box *b = NULL;
    int rc = boxes(bp->labels, bp->n, &b, err);
    fx_iso_opts io = {.iso = 0.5, .threads = 0};

    for (size_t k = 0; !rc && k < bp->n; k++) {
        fx_volume *sub = NULL;
        fx_bone_part *p = &bp->parts[k];
        p->label = sp[k].label;
        p->volume_mm3 = sp[k].volume_mm3;
        fx_progress_report(pg, "modelling bone parts", (double)k / (double)bp->n);
        rc = part_volume(hu, bp->labels, p->label, &b[p->label], bp->soft_hu,
                         0.5 * (bp->cortex_hu + bp->soft_hu), &sub, err);
        if (!rc)
            rc = fx_isosurface_extract(sub, &io, &p->mesh, err);
        fx_volume_free(sub);
        if (!rc)
            p->centroid = fx_mesh_centroid(p->mesh);
    }
    free(b);
    return rc;
}

/* Parts without user corrections: split where touching parts meet at a
 * neck, or connected components. */
static int auto_parts(const fx_volume *mask, const fx_parts_opts *o, fx_volume **labels,
                      fx_segment_part **sp, size_t *n, fx_error *err)
{
    double erode = o->split_erode_mm;
    if (!o->split)
        return fx_segment_components(mask, o->connectivity, o->min_mm3, labels, sp, n, err);
    if (!isfinite(erode)) /* 4 mm, at least two voxels (docs/planning.md) */
        erode = fmax(4, 2 * fmax(mask->spacing[0], fmax(mask->spacing[1], mask->spacing[2])));
    return fx_segment_split_merge(mask, erode, o->split_neck_ratio, o->min_mm3, labels, sp, n,
                                  err);
}

int fx_parts_auto_labels(const fx_volume *hu, const fx_parts_opts *o, fx_volume **labels,
                         fx_segment_part **sp, size_t *n, fx_error *err)
{
    fx_volume *mask = NULL;
    int rc;
    *labels = NULL, *sp = NULL, *n = 0;
    if (hu->type != FX_VOX_I16)
        return fx_fail(err, FX_EINVAL, "bone parts need a CT volume in HU (int16)");
    if (!(rc = fx_segment_threshold(hu, o->lo_hu, o->hi_hu, &mask, err)) &&
        !(rc = fx_segment_fill_holes(mask, 0, err)))
        rc = auto_parts(mask, o, labels, sp, n, err);
    fx_volume_free(mask);
    return rc;
}

int fx_bone_parts_extract(const fx_volume *hu, const fx_parts_opts *opts, const fx_progress *pg,
                          fx_bone_parts **out, fx_error *err)
{
    fx_parts_opts def;
    fx_volume *mask = NULL;
    fx_segment_part *sp = NULL;
    fx_bone_parts *bp = calloc(1, sizeof(*bp));
    int rc;

    if (!opts)
        fx_parts_opts_default(&def), opts = &def;
    *out = NULL;
    if (!bp)
        return fx_fail(err, FX_ENOMEM, "cannot allocate bone parts");
    if (hu->type != FX_VOX_I16) {
        rc = fx_fail(err, FX_EINVAL, "bone parts need a CT volume in HU (int16)");
        goto fail;
    }
    fx_progress_report(pg, "segmenting bone", 0);
    if (opts->labels) {
        if ((rc = given_labels(hu, opts->labels, &bp->labels, err)) ||
            (rc = fx_segment_count(bp->labels, &sp, &bp->n, err)))
            goto fail;
    } else if ((rc = fx_segment_threshold(hu, opts->lo_hu, opts->hi_hu, &mask, err)) ||
               (rc = fx_segment_fill_holes(mask, 0, err)))
        goto fail;
    else if ((rc = opts->nseeds ? fx_segment_grow(mask, opts->seeds, opts->nseeds, &bp->labels,
                                                  &sp, &bp->n, err)
                                : auto_parts(mask, opts, &bp->labels, &sp, &bp->n, err)))
        goto fail;
    if (opts->nseeds && bp->n != opts->nseeds) {
        rc = fx_fail(err, FX_EINVAL, "%zu seeds gave %zu bone parts: two seeds lie in the same "
                     "part", opts->nseeds, bp->n);
        goto fail;
    }
    fx_parts_levels(hu, opts->lo_hu, &bp->cortex_hu, &bp->soft_hu);
    bp->iso_hu = isfinite(opts->iso_hu) ? opts->iso_hu : 0.5 * (bp->cortex_hu + bp->soft_hu);
    if (!isfinite(bp->iso_hu) || bp->n == 0) {
        rc = fx_fail(err, FX_ENOTFOUND, "no bone found between %g and %g HU", opts->lo_hu,
                     opts->hi_hu);
        goto fail;
    }
    bp->parts = calloc(bp->n, sizeof(*bp->parts));
    if (!bp->parts) {
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate %zu bone parts", bp->n);
        goto fail;
    }
    if ((rc = mesh_parts(hu, bp, sp, pg, err)))
        goto fail;
    fx_volume_free(mask);
    free(sp);
    *out = bp;
    return FX_OK;
fail:
    fx_volume_free(mask);
    free(sp);
    fx_bone_parts_free(bp);
    return rc;
}

void fx_bone_parts_free(fx_bone_parts *bp)
{
    if (!bp)
        return;
    for (size_t k = 0; bp->parts && k < bp->n; k++)
        fx_mesh_free(bp->parts[k].mesh);
    free(bp->parts);
    fx_volume_free(bp->labels);
    free(bp);
}
