/*
 * edt.c - exact squared Euclidean distance transform in millimetres.
 *
 * P. Felzenszwalb and D. Huttenlocher, "Distance transforms of sampled
 * functions", Theory of Computing 8 (2012): the squared distance is separable,
 * and along one line it is the lower envelope of parabolas rooted at the
 * samples, found in linear time. Sample positions are index x spacing, so an
 * anisotropic grid gives true millimetre distances.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "fxaudit/segment.h"

#define FAR 1e30

/* One line: f (squared distances so far) in, d out; h = spacing in mm. */
static void envelope(const double *f, double *d, int n, double h, int *v, double *z)
{
    int k = -1;
    for (int q = 0; q < n; q++) {
        if (f[q] >= FAR)
            continue;
        double xq = q * h;
        if (k < 0) {
            k = 0, v[0] = q, z[0] = -HUGE_VAL, z[1] = HUGE_VAL;
            continue;
        }
        /* z[0] is minus infinity, so this stops at k == 0 at the latest. */
        double s;
        for (;;) {
            double xv = v[k] * h;
            s = ((f[q] + xq * xq) - (f[v[k]] + xv * xv)) / (2 * (xq - xv));
            if (s > z[k])
                break;
            k--;
        }
        k++;
        v[k] = q, z[k] = s, z[k + 1] = HUGE_VAL;
    }
    if (k < 0) {
        for (int q = 0; q < n; q++)
            d[q] = FAR;
        return;
    }
    k = 0;
    for (int q = 0; q < n; q++) {
        double xq = q * h;
        while (z[k + 1] < xq)
            k++;
        double dx = xq - v[k] * h;
        d[q] = dx * dx + f[v[k]];
    }
}

/* Lines are handled in blocks of up to BLOCK neighbours in x, which lie side
 * by side in memory: gathering and scattering them a row at a time keeps the
 * strided y and z passes cache-friendly. Lines without a finite value (no
 * feature yet) or without a non-zero one (all features) are left as they are:
 * in a CT mask most lines are one or the other. */
#define BLOCK 32

typedef struct lines {
    double *f, *d, *z;
    int *v;
} lines;

static int lines_alloc(lines *w, int n)
{
    w->f = malloc((size_t)BLOCK * (size_t)n * sizeof(double));
    w->d = malloc((size_t)n * sizeof(double));
    w->z = malloc(((size_t)n + 1) * sizeof(double));
    w->v = malloc((size_t)n * sizeof(int));
    return w->f && w->d && w->z && w->v;
}

static void lines_free(lines *w)
{
    free(w->f), free(w->d), free(w->z), free(w->v);
}

/* Transform `nb` lines starting at `base` (adjacent in x) along a stride. */
static void transform_block(float *D, size_t base, int nb, int n, size_t stride, double h,
                            lines *w)
{
    for (int q = 0; q < n; q++) {
        const float *row = D + base + (size_t)q * stride;
        for (int b = 0; b < nb; b++)
            w->f[(size_t)b * n + q] = row[b];
    }
    for (int b = 0; b < nb; b++) {
        double *f = w->f + (size_t)b * n;
        int finite = 0, nonzero = 0;
        for (int q = 0; q < n && !(finite && nonzero); q++)
            finite |= f[q] < FAR, nonzero |= f[q] != 0;
        if (!finite || !nonzero) /* no feature yet, or nothing but features */
            continue;
        envelope(f, w->d, n, h, w->v, w->z);
        for (int q = 0; q < n; q++)
            f[q] = w->d[q] < FAR ? w->d[q] : FAR;
    }
    for (int q = 0; q < n; q++) {
        float *row = D + base + (size_t)q * stride;
        for (int b = 0; b < nb; b++)
            row[b] = (float)w->f[(size_t)b * n + q];
    }
}

static int transform_axis(fx_volume *out, int axis)
{
    int n = out->dims[axis], failed = 0;
    size_t nx = (size_t)out->dims[0], ny = (size_t)out->dims[1], nz = (size_t)out->dims[2];
    size_t stride = axis == 0 ? 1 : axis == 1 ? nx : nx * ny;
    /* Blocks: along x one line each; along y and z, runs of x within a plane. */
    size_t per_plane = axis == 0 ? 1 : (nx + BLOCK - 1) / BLOCK;
    size_t planes = axis == 0 ? ny * nz : axis == 1 ? nz : ny;
    size_t nblocks = axis == 0 ? ny * nz : per_plane * planes;
    float *D = out->data;
    double h = out->spacing[axis];
#ifdef _OPENMP
#pragma omp parallel reduction(| : failed)
#endif
    {
        lines w;
        if (!lines_alloc(&w, n))
            failed = 1;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 16)
#endif
        for (size_t blk = 0; blk < nblocks; blk++) {
            if (!w.f || !w.d || !w.z || !w.v)
                continue;
            if (axis == 0) {
                transform_block(D, blk * nx, 1, n, 1, h, &w);
                continue;
            }
            size_t plane = blk / per_plane, x0 = (blk % per_plane) * BLOCK;
            int nb = (int)(nx - x0 < BLOCK ? nx - x0 : BLOCK);
            size_t base = axis == 1 ? plane * nx * ny + x0 : plane * nx + x0;
            transform_block(D, base, nb, n, stride, h, &w);
        }
        lines_free(&w);
    }
    return failed;
}

int fx_segment_distance2(const fx_volume *feature, int invert, fx_volume **out,
                         fx_error *err)
{
    size_t n = fx_volume_count(feature);
    int rc = fx_volume_new_like(feature, FX_VOX_F32, out, err);
    if (rc)
        return rc;
    if (feature->type != FX_VOX_U8) {
        fx_volume_free(*out);
        *out = NULL;
        return fx_fail(err, FX_EINVAL, "a distance map needs a uint8 mask, not %s",
                       fx_voxel_type_name(feature->type));
    }
    const uint8_t *m = feature->data;
    float *D = (*out)->data;
    for (size_t i = 0; i < n; i++)
        D[i] = ((m[i] != 0) != (invert != 0)) ? 0.0f : (float)FAR;
    for (int axis = 0; axis < 3; axis++)
        if (transform_axis(*out, axis)) {
            fx_volume_free(*out);
            *out = NULL;
            return fx_fail(err, FX_ENOMEM, "cannot allocate distance-transform lines");
        }
    return FX_OK;
}
