/*
 * nifti.c - NIfTI-1 single-file volumes (.nii, .nii.gz), read through zlib,
 * which passes uncompressed files through unchanged.
 *
 * Geometry follows the NIfTI-1 header documentation (nifti1.h, "3D IMAGE
 * (VOLUME) ORIENTATION AND LOCATION IN SPACE"): the sform when sform_code > 0,
 * else the qform quaternion when qform_code > 0, else pixdim alone (old
 * ANALYZE files). NIfTI world space is RAS; we negate x and y to get LPS.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fxaudit/volio.h"

/* The fields of the 348-byte header we use, at their byte offsets. */
struct nifti_hdr {
    int16_t dim[8];
    int16_t datatype;
    float pixdim[8];
    float vox_offset, scl_slope, scl_inter;
    int16_t qform_code, sform_code;
    float quatern[6]; /* b, c, d, qoffset x, y, z */
    float srow[12];
};

static void swap(void *p, size_t n)
{
    uint8_t *b = p;
    for (size_t i = 0; i < n / 2; i++) {
        uint8_t t = b[i];
        b[i] = b[n - 1 - i];
        b[n - 1 - i] = t;
    }
}

static void get(const uint8_t *raw, size_t off, void *out, size_t size, size_t count, int sw)
{
    memcpy(out, raw + off, size * count);
    if (sw)
        for (size_t i = 0; i < count; i++)
            swap((uint8_t *)out + i * size, size);
}

static int decode_header(const char *path, const uint8_t raw[348], struct nifti_hdr *h,
                         fx_error *err)
{
    int32_t sizeof_hdr;
    int sw = 0;

    memcpy(&sizeof_hdr, raw, 4);
    if (sizeof_hdr != 348) {
        swap(&sizeof_hdr, 4);
        if (sizeof_hdr != 348)
            return fx_fail(err, FX_EFORMAT, "'%s' is not a NIfTI-1 file (sizeof_hdr is not 348)",
                           path);
        sw = 1;
    }
    if (memcmp(raw + 344, "n+1", 4))
        return fx_fail(err, FX_EUNSUPPORTED, "'%s': field 'magic' is not \"n+1\" (only "
                       "single-file NIfTI-1 is read)", path);
    get(raw, 40, h->dim, 2, 8, sw);
    get(raw, 70, &h->datatype, 2, 1, sw);
    get(raw, 76, h->pixdim, 4, 8, sw);
    get(raw, 108, &h->vox_offset, 4, 1, sw);
    get(raw, 112, &h->scl_slope, 4, 1, sw);
    get(raw, 116, &h->scl_inter, 4, 1, sw);
    get(raw, 252, &h->qform_code, 2, 1, sw);
    get(raw, 254, &h->sform_code, 2, 1, sw);
    get(raw, 256, h->quatern, 4, 6, sw);
    get(raw, 280, h->srow, 4, 12, sw);
    if (h->dim[0] < 3 || h->dim[0] > 7)
        return fx_fail(err, FX_EFORMAT, "'%s': field 'dim[0]' is %d", path, h->dim[0]);
    for (int d = 4; d <= h->dim[0]; d++)
        if (h->dim[d] > 1)
            return fx_fail(err, FX_EUNSUPPORTED, "'%s': field 'dim[%d]' is %d: only 3-D "
                           "volumes are read", path, d, h->dim[d]);
    for (int d = 1; d <= 3; d++)
        if (h->dim[d] < 1)
            return fx_fail(err, FX_EFORMAT, "'%s': field 'dim[%d]' is %d", path, d, h->dim[d]);
    if (!(h->vox_offset >= 348) || h->vox_offset > 1e7)
        return fx_fail(err, FX_EFORMAT, "'%s': field 'vox_offset' is %g", path, h->vox_offset);
    return sw ? 1 : 0;
}

/* The 3x4 RAS affine: world = A * (i, j, k) + t. */
static int affine(const char *path, const struct nifti_hdr *h, double A[9], double t[3],
                  fx_error *err)
{
    if (h->sform_code > 0) {
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++)
                A[3 * r + c] = h->srow[4 * r + c];
            t[r] = h->srow[4 * r + 3];
        }
    } else if (h->qform_code > 0) {
        double b = h->quatern[0], c = h->quatern[1], d = h->quatern[2];
        double a2 = 1.0 - (b * b + c * c + d * d), a = a2 > 0 ? sqrt(a2) : 0;
        double qfac = h->pixdim[0] < 0 ? -1 : 1;
        double R[9] = {a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c),
                       2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b),
                       2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b};
        double s[3] = {h->pixdim[1], h->pixdim[2], h->pixdim[3] * qfac};
        for (int r = 0; r < 3; r++) {
            for (int k = 0; k < 3; k++)
                A[3 * r + k] = R[3 * r + k] * s[k];
            t[r] = h->quatern[3 + r];
        }
    } else {
        memset(A, 0, 9 * sizeof(double));
        for (int r = 0; r < 3; r++) {
            A[4 * r] = h->pixdim[r + 1];
            t[r] = 0;
        }
    }
    for (int k = 0; k < 9; k++)
        if (!isfinite(A[k]))
            return fx_fail(err, FX_EFORMAT, "'%s': the %s is not finite", path,
                           h->sform_code > 0 ? "sform" : "qform");
    return FX_OK;
}

static int set_geometry(const char *path, const struct nifti_hdr *h, fx_volume *v, fx_error *err)
{
    double A[9], t[3];
    int rc = affine(path, h, A, t, err);
    if (rc)
        return rc;
    for (int c = 0; c < 3; c++) {
        double s = sqrt(A[c] * A[c] + A[3 + c] * A[3 + c] + A[6 + c] * A[6 + c]);
        if (!(s > 0))
            return fx_fail(err, FX_EFORMAT, "'%s': voxel axis %d has zero length", path, c);
        v->spacing[c] = s;
        for (int r = 0; r < 3; r++) /* RAS -> LPS: rows x and y change sign */
            v->dir[3 * r + c] = (r < 2 ? -1 : 1) * A[3 * r + c] / s;
    }
    v->origin[0] = -t[0];
    v->origin[1] = -t[1];
    v->origin[2] = t[2];
    rc = fx_volume_check_geometry(v, err);
    return rc ? fx_error_prefix(err, "'%s': sheared or non-orthogonal affine", path) : FX_OK;
}

static size_t type_size(int datatype)
{
    switch (datatype) {
    case 2: case 256: return 1;     /* uint8, int8 */
    case 4: case 512: return 2;     /* int16, uint16 */
    case 8: case 16: case 768: return 4; /* int32, float32, uint32 */
    case 64: return 8;              /* float64 */
    }
    return 0;
}

static double raw_value(const uint8_t *p, int datatype)
{
    switch (datatype) {
    case 2: return *p;
    case 256: return *(const int8_t *)p;
    case 4: { int16_t x; memcpy(&x, p, 2); return x; }
    case 512: { uint16_t x; memcpy(&x, p, 2); return x; }
    case 8: { int32_t x; memcpy(&x, p, 4); return x; }
    case 768: { uint32_t x; memcpy(&x, p, 4); return x; }
    case 16: { float x; memcpy(&x, p, 4); return x; }
    default: { double x; memcpy(&x, p, 8); return x; }
    }
}

/* Scale the raw voxels into `v`: int16 when every scaled value is a whole
 * number within int16 range, float otherwise. */
static int convert(const struct nifti_hdr *h, uint8_t *raw, int sw, fx_volume *v, fx_error *err)
{
    size_t n = fx_volume_count(v), sz = type_size(h->datatype);
    int is_int = h->datatype != 16 && h->datatype != 64;
    double slope = h->scl_slope, inter = h->scl_inter, lo = INFINITY, hi = -INFINITY;
    int whole = 1;

    if (slope == 0 || !isfinite(slope) || !isfinite(inter))
        slope = 1, inter = 0; /* the standard: slope 0 means "no scaling" */
    if (sw && sz > 1)
        for (size_t i = 0; i < n; i++)
            swap(raw + i * sz, sz);
    for (size_t i = 0; i < n && whole; i++) {
        double x = raw_value(raw + i * sz, h->datatype) * slope + inter;
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
        whole = x == floor(x);
    }
    v->type = is_int && whole && lo >= INT16_MIN && hi <= INT16_MAX ? FX_VOX_I16 : FX_VOX_F32;
    free(v->data);
    v->data = malloc(n * fx_voxel_size(v->type));
    if (!v->data)
        return fx_fail(err, FX_ENOMEM, "cannot allocate %zu voxels", n);
    for (size_t i = 0; i < n; i++) {
        double x = raw_value(raw + i * sz, h->datatype) * slope + inter;
        if (v->type == FX_VOX_I16)
            ((int16_t *)v->data)[i] = (int16_t)x;
        else
            ((float *)v->data)[i] = (float)x;
    }
    return FX_OK;
}

static int read_exact(gzFile gz, void *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        unsigned chunk = n - done > (1u << 30) ? 1u << 30 : (unsigned)(n - done);
        int got = gzread(gz, (char *)buf + done, chunk);
        if (got <= 0)
            return -1;
        done += (size_t)got;
    }
    return 0;
}

int fx_nifti_read(const char *path, fx_volume **out, fx_error *err)
{
    uint8_t hdr[348], *raw = NULL;
    struct nifti_hdr h;
    fx_volume *v = NULL;
    int rc, sw;
    gzFile gz = gzopen(path, "rb");

    *out = NULL;
    if (!gz)
        return fx_fail(err, FX_EIO, "cannot open '%s': %s", path, strerror(errno));
    gzbuffer(gz, 1 << 18);
    if (read_exact(gz, hdr, sizeof(hdr))) {
        rc = fx_fail(err, FX_EFORMAT, "'%s' is too short for a NIfTI-1 header", path);
        goto out;
    }
    sw = decode_header(path, hdr, &h, err);
    if (sw < 0) {
        rc = sw;
        goto out;
    }
    rc = FX_OK;
    if (!type_size(h.datatype)) {
        rc = fx_fail(err, FX_EUNSUPPORTED, "'%s': field 'datatype' %d is not supported", path,
                     h.datatype);
        goto out;
    }
    int dims[3] = {h.dim[1], h.dim[2], h.dim[3]};
    rc = fx_volume_new(dims, FX_VOX_U8, &v, err);
    if (!rc)
        rc = set_geometry(path, &h, v, err);
    if (rc)
        goto out;
    size_t bytes = fx_volume_count(v) * type_size(h.datatype);
    raw = malloc(bytes);
    if (!raw) {
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate %zu bytes for '%s'", bytes, path);
        goto out;
    }
    if (gzseek(gz, (z_off_t)h.vox_offset, SEEK_SET) < 0 || read_exact(gz, raw, bytes)) {
        rc = fx_fail(err, FX_EFORMAT, "'%s': data are shorter than the %zu bytes the header "
                     "promises", path, bytes);
        goto out;
    }
    rc = convert(&h, raw, sw, v, err);
out:
    gzclose(gz);
    free(raw);
    if (rc)
        fx_volume_free(v);
    else
        *out = v;
    return rc;
}
