/*
 * volume.c - the regular-grid image type and the one place that maps voxel
 * indices to patient millimetres.
 */
#include "config.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/volume.h"

size_t fx_voxel_size(fx_voxel_type type)
{
    switch (type) {
    case FX_VOX_I16: return 2;
    case FX_VOX_U8: return 1;
    case FX_VOX_U16: return 2;
    case FX_VOX_F32: return 4;
    }
    return 0;
}

const char *fx_voxel_type_name(fx_voxel_type type)
{
    switch (type) {
    case FX_VOX_I16: return "int16";
    case FX_VOX_U8: return "uint8";
    case FX_VOX_U16: return "uint16";
    case FX_VOX_F32: return "float";
    }
    return "unknown";
}

size_t fx_volume_count(const fx_volume *v)
{
    return (size_t)v->dims[0] * (size_t)v->dims[1] * (size_t)v->dims[2];
}

int fx_volume_new(const int dims[3], fx_voxel_type type, fx_volume **out, fx_error *err)
{
    fx_volume *v;
    size_t n;

    *out = NULL;
    if (dims[0] <= 0 || dims[1] <= 0 || dims[2] <= 0 || !fx_voxel_size(type))
        return fx_fail(err, FX_EINVAL, "invalid volume size %d x %d x %d", dims[0], dims[1],
                       dims[2]);
    v = calloc(1, sizeof(*v));
    if (!v)
        return fx_fail(err, FX_ENOMEM, "cannot allocate a volume");
    memcpy(v->dims, dims, sizeof(v->dims));
    n = fx_volume_count(v);
    v->data = calloc(n, fx_voxel_size(type));
    if (!v->data) {
        free(v);
        return fx_fail(err, FX_ENOMEM, "cannot allocate %zu voxels", n);
    }
    v->type = type;
    v->spacing[0] = v->spacing[1] = v->spacing[2] = 1.0;
    v->dir[0] = v->dir[4] = v->dir[8] = 1.0;
    *out = v;
    return FX_OK;
}

int fx_volume_new_like(const fx_volume *like, fx_voxel_type type, fx_volume **out,
                       fx_error *err)
{
    int rc = fx_volume_new(like->dims, type, out, err);
    if (rc)
        return rc;
    memcpy((*out)->spacing, like->spacing, sizeof(like->spacing));
    memcpy((*out)->origin, like->origin, sizeof(like->origin));
    memcpy((*out)->dir, like->dir, sizeof(like->dir));
    return FX_OK;
}

void fx_volume_free(fx_volume *v)
{
    if (!v)
        return;
    free(v->data);
    free(v);
}

fx_vec3 fx_volume_index_to_world(const fx_volume *v, fx_vec3 ijk)
{
    double a = ijk.x * v->spacing[0], b = ijk.y * v->spacing[1], c = ijk.z * v->spacing[2];
    const double *d = v->dir;
    return fx_v3(v->origin[0] + d[0] * a + d[1] * b + d[2] * c,
                 v->origin[1] + d[3] * a + d[4] * b + d[5] * c,
                 v->origin[2] + d[6] * a + d[7] * b + d[8] * c);
}

fx_vec3 fx_volume_world_to_index(const fx_volume *v, fx_vec3 w)
{
    /* The direction matrix is orthonormal, so its inverse is its transpose. */
    double x = w.x - v->origin[0], y = w.y - v->origin[1], z = w.z - v->origin[2];
    const double *d = v->dir;
    return fx_v3((d[0] * x + d[3] * y + d[6] * z) / v->spacing[0],
                 (d[1] * x + d[4] * y + d[7] * z) / v->spacing[1],
                 (d[2] * x + d[5] * y + d[8] * z) / v->spacing[2]);
}

double fx_volume_get(const fx_volume *v, int i, int j, int k)
{
    size_t idx = (size_t)i + (size_t)v->dims[0] * ((size_t)j + (size_t)v->dims[1] * (size_t)k);
    switch (v->type) {
    case FX_VOX_I16: return ((const int16_t *)v->data)[idx];
    case FX_VOX_U8: return ((const uint8_t *)v->data)[idx];
    case FX_VOX_U16: return ((const uint16_t *)v->data)[idx];
    case FX_VOX_F32: return ((const float *)v->data)[idx];
    }
    return 0;
}

double fx_volume_sample(const fx_volume *v, fx_vec3 p, double outside)
{
    int i0 = (int)floor(p.x), j0 = (int)floor(p.y), k0 = (int)floor(p.z);
    double fx = p.x - i0, fy = p.y - j0, fz = p.z - k0, acc = 0;

    if (p.x < 0 || p.y < 0 || p.z < 0 || p.x > v->dims[0] - 1 || p.y > v->dims[1] - 1 ||
        p.z > v->dims[2] - 1)
        return outside;
    for (int c = 0; c < 8; c++) {
        int i = i0 + (c & 1), j = j0 + ((c >> 1) & 1), k = k0 + ((c >> 2) & 1);
        double w = ((c & 1) ? fx : 1 - fx) * (((c >> 1) & 1) ? fy : 1 - fy) *
                   (((c >> 2) & 1) ? fz : 1 - fz);
        if (w == 0)
            continue;
        acc += w * fx_volume_get(v, i < v->dims[0] ? i : i - 1, j < v->dims[1] ? j : j - 1,
                                 k < v->dims[2] ? k : k - 1);
    }
    return acc;
}

void fx_volume_range(const fx_volume *v, double *lo, double *hi)
{
    size_t n = fx_volume_count(v);
    double a = DBL_MAX, b = -DBL_MAX;
    for (size_t i = 0; i < n; i++) {
        double x;
        switch (v->type) {
        case FX_VOX_I16: x = ((const int16_t *)v->data)[i]; break;
        case FX_VOX_U8: x = ((const uint8_t *)v->data)[i]; break;
        case FX_VOX_U16: x = ((const uint16_t *)v->data)[i]; break;
        default: x = ((const float *)v->data)[i]; break;
        }
        if (x < a)
            a = x;
        if (x > b)
            b = x;
    }
    *lo = a;
    *hi = b;
}

int fx_volume_check_geometry(const fx_volume *v, fx_error *err)
{
    for (int c = 0; c < 3; c++)
        if (!(v->spacing[c] > 0) || !isfinite(v->spacing[c]) || !isfinite(v->origin[c]))
            return fx_fail(err, FX_EFORMAT, "spacing %g along axis %d is not a positive number",
                           v->spacing[c], c);
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            double dot = 0;
            for (int r = 0; r < 3; r++)
                dot += v->dir[3 * r + a] * v->dir[3 * r + b];
            if (fabs(dot - (a == b)) > 1e-4)
                return fx_fail(err, FX_EFORMAT,
                               "direction matrix is not orthonormal (axes %d and %d)", a, b);
        }
    return FX_OK;
}
