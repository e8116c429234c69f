/*
 * filter.c - separable Gaussian smoothing along each axis in turn, one line
 * at a time (lines are independent, so they are shared among threads).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/filter.h"

int fx_volume_to_float(const fx_volume *v, fx_volume **out, fx_error *err)
{
    int rc = fx_volume_new_like(v, FX_VOX_F32, out, err);
    if (rc)
        return rc;
    float *d = (*out)->data;
    size_t n = fx_volume_count(v);
    for (size_t i = 0; i < n; i++) {
        switch (v->type) {
        case FX_VOX_I16: d[i] = ((const int16_t *)v->data)[i]; break;
        case FX_VOX_U8: d[i] = ((const uint8_t *)v->data)[i]; break;
        case FX_VOX_U16: d[i] = ((const uint16_t *)v->data)[i]; break;
        case FX_VOX_F32: d[i] = ((const float *)v->data)[i]; break;
        }
    }
    return FX_OK;
}

/* Filter every line along `axis` with kernel k[-r..r] (k points at k[0]). */
static int filter_axis(fx_volume *v, int axis, const double *k, int r)
{
    int n = v->dims[axis], failed = 0;
    size_t stride = axis == 0 ? 1 : axis == 1 ? (size_t)v->dims[0]
                                               : (size_t)v->dims[0] * v->dims[1];
    size_t nlines = fx_volume_count(v) / (size_t)n;
    float *d = v->data;
#ifdef _OPENMP
#pragma omp parallel reduction(| : failed)
#endif
    {
        double *line = malloc((size_t)n * sizeof(double));
        if (!line)
            failed = 1;
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
        for (size_t l = 0; l < nlines; l++) {
            size_t base;
            if (!line)
                continue;
            if (axis == 0)
                base = l * (size_t)n;
            else if (axis == 1)
                base = (l / (size_t)v->dims[0]) * stride * (size_t)n + l % (size_t)v->dims[0];
            else
                base = l;
            for (int i = 0; i < n; i++)
                line[i] = d[base + (size_t)i * stride];
            for (int i = 0; i < n; i++) {
                double acc = 0;
                int a = i - r < 0 ? -i : -r, b = i + r >= n ? n - 1 - i : r;
                for (int j = a; j <= b; j++)
                    acc += k[j] * line[i + j];
                d[base + (size_t)i * stride] = (float)acc;
            }
        }
        free(line);
    }
    return failed;
}

int fx_volume_gaussian(fx_volume *v, double sigma_mm, fx_error *err)
{
    if (v->type != FX_VOX_F32)
        return fx_fail(err, FX_EINVAL, "gaussian smoothing needs a float volume, not %s",
                       fx_voxel_type_name(v->type));
    if (!(sigma_mm >= 0) || !isfinite(sigma_mm))
        return fx_fail(err, FX_EINVAL, "gaussian sigma %g mm is not a non-negative number",
                       sigma_mm);
    if (sigma_mm == 0)
        return FX_OK;
    for (int axis = 0; axis < 3; axis++) {
        double s = sigma_mm / v->spacing[axis], sum = 0;
        int r = (int)ceil(3 * s);
        double *k;
        if (r < 1 || v->dims[axis] < 2)
            continue;
        k = malloc((size_t)(2 * r + 1) * sizeof(double));
        if (!k)
            return fx_fail(err, FX_ENOMEM, "cannot allocate a gaussian kernel");
        for (int i = -r; i <= r; i++)
            sum += k[i + r] = exp(-0.5 * i * i / (s * s));
        for (int i = 0; i <= 2 * r; i++)
            k[i] /= sum;
        int failed = filter_axis(v, axis, k + r, r);
        free(k);
        if (failed)
            return fx_fail(err, FX_ENOMEM, "cannot allocate gaussian line buffers");
    }
    return FX_OK;
}
