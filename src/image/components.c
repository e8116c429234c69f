/*
 * components.c - thresholding and connected parts: masks from HU ranges, parts
 * labelled by run-length union-find, filtered by size and numbered largest
 * first, and per-label counts.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/segment.h"
#include "runs.h"

static double voxel_mm3(const fx_volume *v)
{
    return v->spacing[0] * v->spacing[1] * v->spacing[2];
}

int fx_segment_threshold(const fx_volume *v, double lo, double hi, fx_volume **out,
                         fx_error *err)
{
    size_t n = fx_volume_count(v);
    int rc;

    *out = NULL;
    if (!(lo <= hi))
        return fx_fail(err, FX_EINVAL, "threshold range %g:%g is empty", lo, hi);
    rc = fx_volume_new_like(v, FX_VOX_U8, out, err);
    if (rc)
        return rc;
    uint8_t *m = (*out)->data;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (n > 1000000)
#endif
    for (size_t i = 0; i < n; i++) {
        double x;
        switch (v->type) {
        case FX_VOX_I16: x = ((const int16_t *)v->data)[i]; break;
        case FX_VOX_U8: x = ((const uint8_t *)v->data)[i]; break;
        case FX_VOX_U16: x = ((const uint16_t *)v->data)[i]; break;
        default: x = ((const float *)v->data)[i]; break;
        }
        m[i] = x >= lo && x <= hi;
    }
    return FX_OK;
}

typedef struct ranked {
    size_t size;
    uint32_t comp;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    return x->comp < y->comp ? -1 : x->comp > y->comp;
}

/* Number the parts of `r` with at least min_vox voxels 1, 2, ... by size and
 * paint them into the U16 volume `lab`. */
static int paint_ranked(const fx_runs *r, size_t min_vox, fx_volume *lab,
                        fx_segment_part **parts, size_t *nparts, fx_error *err)
{
    ranked *rk = calloc(r->ncomp + 1, sizeof(*rk));
    uint16_t *map = calloc(r->ncomp + 1, sizeof(*map));
    size_t keep = 0;
    int rc = FX_OK;

    *parts = NULL;
    *nparts = 0;
    if (!rk || !map) {
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate %zu parts", r->ncomp);
        goto out;
    }
    for (size_t c = 0; c < r->ncomp; c++)
        rk[c].comp = (uint32_t)c;
    for (size_t i = 0; i < r->n; i++)
        rk[r->comp[i]].size += (size_t)(r->x1[i] - r->x0[i] + 1);
    qsort(rk, r->ncomp, sizeof(*rk), cmp_ranked);
    while (keep < r->ncomp && keep < 65535 && rk[keep].size >= min_vox)
        keep++;
    *parts = calloc(keep + 1, sizeof(**parts));
    if (!*parts) {
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate %zu parts", keep);
        goto out;
    }
    for (size_t p = 0; p < keep; p++) {
        map[rk[p].comp] = (uint16_t)(p + 1);
        (*parts)[p] = (fx_segment_part){(uint16_t)(p + 1), rk[p].size,
                                        (double)rk[p].size * voxel_mm3(lab)};
    }
    *nparts = keep;
    uint16_t *d = lab->data;
    int nx = lab->dims[0];
    size_t nrows = (size_t)lab->dims[1] * lab->dims[2];
    for (size_t row = 0; row < nrows; row++)
        for (size_t i = r->row_start[row]; i < r->row_start[row + 1]; i++)
            for (int x = r->x0[i]; x <= r->x1[i]; x++)
                d[row * nx + x] = map[r->comp[i]];
out:
    free(rk), free(map);
    return rc;
}

int fx_segment_components(const fx_volume *mask, int connectivity, double min_mm3,
                          fx_volume **labels, fx_segment_part **parts, size_t *nparts,
                          fx_error *err)
{
    fx_runs r;
    int rc;

    *labels = NULL;
    *parts = NULL;
    *nparts = 0;
    if (connectivity != 6 && connectivity != 18 && connectivity != 26)
        return fx_fail(err, FX_EINVAL, "connectivity must be 6, 18 or 26, not %d",
                       connectivity);
    if (mask->type != FX_VOX_U8)
        return fx_fail(err, FX_EINVAL, "connected parts need a uint8 mask, not %s",
                       fx_voxel_type_name(mask->type));
    rc = fx_volume_new_like(mask, FX_VOX_U16, labels, err);
    if (rc)
        return rc;
    if (fx_runs_label(mask->data, mask->dims, 1, connectivity, 0, &r)) {
        fx_runs_free(&r);
        fx_volume_free(*labels);
        *labels = NULL;
        return fx_fail(err, FX_ENOMEM, "cannot allocate the runs of a mask");
    }
    double vv = voxel_mm3(mask);
    /* The fewest voxels whose volume reaches min_mm3. */
    size_t min_vox = min_mm3 > 0 ? (size_t)ceil(min_mm3 / vv - 1e-9) : 0;
    rc = paint_ranked(&r, min_vox, *labels, parts, nparts, err);
    fx_runs_free(&r);
    if (rc) {
        fx_volume_free(*labels);
        *labels = NULL;
    }
    return rc;
}

int fx_segment_count(const fx_volume *labels, fx_segment_part **parts, size_t *nparts,
                     fx_error *err)
{
    size_t *count = calloc(65536, sizeof(size_t)), n = fx_volume_count(labels), np = 0;
    const uint16_t *d = labels->data;

    *parts = NULL;
    *nparts = 0;
    if (labels->type != FX_VOX_U16) {
        free(count);
        return fx_fail(err, FX_EINVAL, "label counts need a uint16 volume, not %s",
                       fx_voxel_type_name(labels->type));
    }
    if (!count)
        return fx_fail(err, FX_ENOMEM, "cannot allocate label counts");
    for (size_t i = 0; i < n; i++)
        count[d[i]]++;
    for (int l = 1; l < 65536; l++)
        np += count[l] > 0;
    *parts = calloc(np + 1, sizeof(**parts));
    if (!*parts) {
        free(count);
        return fx_fail(err, FX_ENOMEM, "cannot allocate label counts");
    }
    for (int l = 1; l < 65536; l++)
        if (count[l])
            (*parts)[(*nparts)++] =
                (fx_segment_part){(uint16_t)l, count[l], (double)count[l] * voxel_mm3(labels)};
    free(count);
    return FX_OK;
}
