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

static int transform_axis(fx_volume *out, int axis)
{
    int n = out->dims[axis], failed = 0;
    size_t nx = (size_t)out->dims[0], ny = (size_t)out->dims[1];
    size_t stride = axis == 0 ? 1 : axis == 1 ? nx : nx * ny;
    size_t nlines = fx_volume_count(out) / (size_t)n;
    float *D = out->data;
    double h = out->spacing[axis];
#ifdef _OPENMP
#pragma omp parallel reduction(| : failed)
#endif
    {
        double *f = malloc((size_t)n * sizeof(double)), *d = malloc((size_t)n * sizeof(double));
        double *z = malloc(((size_t)n + 1) * sizeof(double));
        int *v = malloc((size_t)n * sizeof(int));
        if (!f || !d || !z || !v)
            failed = 1;
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
        for (size_t l = 0; l < nlines; l++) {
            if (!f || !d || !z || !v)
                continue;
            size_t base = axis == 0 ? l * nx : axis == 1 ? (l / nx) * nx * ny + l % nx : l;
            for (int i = 0; i < n; i++)
                f[i] = D[base + (size_t)i * stride];
            envelope(f, d, n, h, v, z);
            for (int i = 0; i < n; i++)
                D[base + (size_t)i * stride] = (float)(d[i] < FAR ? d[i] : FAR);
        }
        free(f), free(d), free(z), free(v);
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
