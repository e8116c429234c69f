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

#define MARGIN 2 /* voxels around a part's box, for its partial-volume ramp */

void fx_parts_opts_default(fx_parts_opts *o)
{
    o->lo_hu = FX_BONE_HU_MIN;
    o->hi_hu = FX_BONE_HU_MAX;
    o->min_mm3 = 500;
    o->connectivity = 6;
    o->iso_hu = NAN;
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

/* The part's box of the CT with its marrow filled to cortex and other parts
 * replaced by soft tissue; the background keeps its values (the ramp). */
static int part_volume(const fx_volume *hu, const fx_volume *L, unsigned k, const struct box *b,
                       double cortex, double soft, fx_volume **out, fx_error *err)
{
    int lo[3], dims[3], rc;
    for (int a = 0; a < 3; a++) {
        lo[a] = b->lo[a] - MARGIN > 0 ? b->lo[a] - MARGIN : 0;
        int hi = b->hi[a] + MARGIN < hu->dims[a] - 1 ? b->hi[a] + MARGIN : hu->dims[a] - 1;
        dims[a] = hi - lo[a] + 1;
    }
    if ((rc = fx_volume_new(dims, FX_VOX_I16, out, err)))
        return rc;
    memcpy((*out)->spacing, hu->spacing, sizeof(hu->spacing));
    memcpy((*out)->dir, hu->dir, sizeof(hu->dir));
    fx_vec3 o = fx_volume_index_to_world(hu, fx_v3(lo[0], lo[1], lo[2]));
    (*out)->origin[0] = o.x, (*out)->origin[1] = o.y, (*out)->origin[2] = o.z;
    int16_t *d = (*out)->data;
    for (int z = 0; z < dims[2]; z++)
        for (int y = 0; y < dims[1]; y++)
            for (int x = 0; x < dims[0]; x++) {
                int gx = x + lo[0], gy = y + lo[1], gz = z + lo[2];
                size_t gi = gx + (size_t)hu->dims[0] * (gy + (size_t)hu->dims[1] * gz);
                unsigned lab = ((const uint16_t *)L->data)[gi];
                double v = ((const int16_t *)hu->data)[gi];
                if (lab == k && same_label(L, gx - 1, gy, gz, k) &&
                    same_label(L, gx + 1, gy, gz, k) && same_label(L, gx, gy - 1, gz, k) &&
                    same_label(L, gx, gy + 1, gz, k) && same_label(L, gx, gy, gz - 1, k) &&
                    same_label(L, gx, gy, gz + 1, k))
                    v = fmax(v, cortex);
                else if (lab && lab != k)
                    v = soft;
                d[x + (size_t)dims[0] * (y + (size_t)dims[1] * z)] = (int16_t)v;
            }
    return FX_OK;
}

static int mesh_parts(const fx_volume *hu, fx_bone_parts *bp, const fx_segment_part *sp,
                      const fx_progress *pg, fx_error *err)
{
    struct box *b = NULL;
    int rc = boxes(bp->labels, bp->n, &b, err);
    fx_iso_opts io = {.iso = bp->iso_hu, .threads = 0};

    for (size_t k = 0; !rc && k < bp->n; k++) {
        fx_volume *sub = NULL;
        fx_bone_part *p = &bp->parts[k];
        p->label = sp[k].label;
        p->volume_mm3 = sp[k].volume_mm3;
        fx_progress_report(pg, "modelling bone parts", (double)k / (double)bp->n);
        rc = part_volume(hu, bp->labels, p->label, &b[p->label], bp->cortex_hu, bp->soft_hu, &sub,
                         err);
        if (!rc)
            rc = fx_isosurface_extract(sub, &io, &p->mesh, err);
        fx_volume_free(sub);
        if (!rc)
            p->centroid = fx_mesh_centroid(p->mesh);
    }
    free(b);
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
    if ((rc = fx_segment_threshold(hu, opts->lo_hu, opts->hi_hu, &mask, err)) ||
        (rc = fx_segment_fill_holes(mask, 0, err)) ||
        (rc = fx_segment_components(mask, opts->connectivity, opts->min_mm3, &bp->labels, &sp,
                                    &bp->n, err)))
        goto fail;
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
