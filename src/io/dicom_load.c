/*
 * dicom_load.c - one scanned series to an int16 HU volume on a regular grid.
 *
 * Stored values become HU through a lookup table per (slope, intercept,
 * padding) combination: HU = round(stored * slope + intercept), clamped to
 * int16, and stored values equal to Pixel Padding Value (0028,0120) become
 * FX_DICOM_OUTSIDE_HU. A stack whose planes lie on a regular grid (equal gaps
 * within 1 %, positions along the normal within 5 % of a pixel) is copied
 * plane by plane. Otherwise (gantry tilt, uneven or missing slices) every
 * plane is decoded and the volume is resampled onto a grid whose axes are the
 * row direction, the column direction and the slice normal - the orthogonal
 * grid 3D Slicer's acquisition-geometry regularisation also produces - with
 * the median gap as slice spacing, covering every acquired plane. Each output
 * voxel lies between two acquired planes that are parallel to it; it is the
 * linear blend along the normal of bilinear samples in those two planes.
 */
#include "config.h"

#include <endian.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dicom_internal.h"

/* A decoded file and the lookup table from its stored values to HU. */
struct decoder {
    void *buf;
    size_t cap, len;
    int bits, is_signed;
    int file;                 /* decoded file, -1 none */
    int16_t lut[65536];
    double lut_slope, lut_intercept;
    long lut_padding;
    int lut_bits, lut_signed, lut_has_padding, lut_valid;
    long masked;
};

static int16_t to_hu(double stored, double slope, double intercept)
{
    double v = nearbyint(stored * slope + intercept);
    return (int16_t)(v < INT16_MIN ? INT16_MIN : v > INT16_MAX ? INT16_MAX : v);
}

static void build_lut(struct decoder *d, const fx_gdcm_header *h)
{
    if (d->lut_valid && d->lut_slope == h->slope && d->lut_intercept == h->intercept &&
        d->lut_bits == d->bits && d->lut_signed == d->is_signed &&
        d->lut_has_padding == h->has_padding && d->lut_padding == h->padding)
        return;
    int n = d->bits == 8 ? 256 : 65536;
    for (int i = 0; i < n; i++) {
        double stored = d->is_signed ? (d->bits == 8 ? (int8_t)i : (int16_t)i) : i;
        d->lut[i] = to_hu(stored, h->slope, h->intercept);
    }
    d->lut_slope = h->slope, d->lut_intercept = h->intercept;
    d->lut_bits = d->bits, d->lut_signed = d->is_signed;
    d->lut_has_padding = h->has_padding, d->lut_padding = h->padding;
    d->lut_valid = 1;
}

static int decode(const fx_dicom_scan *s, struct decoder *d, const struct dicom_plane *p,
                  fx_error *err)
{
    const fx_gdcm_header *h = &s->hdr[p->file];
    size_t n = (size_t)h->rows * (size_t)h->columns;
    if (d->file != p->file) {
        int rc = fx_gdcm_read_pixels(s->files[p->file], &d->buf, &d->cap, &d->len, &d->bits,
                                     &d->is_signed, err);
        if (rc)
            return rc;
        d->file = p->file;
        if (d->bits != 8 && d->bits != 16)
            return fx_fail(err, FX_EUNSUPPORTED, "'%s' decodes to %d-bit values, not 8 or 16",
                           s->files[p->file], d->bits);
        build_lut(d, h);
    }
    if (d->len < (size_t)(p->frame + 1) * n * (size_t)(d->bits / 8))
        return fx_fail(err, FX_EFORMAT, "'%s' holds fewer pixels than its %d x %d x %d header "
                       "promises", s->files[p->file], h->columns, h->rows, p->frame + 1);
    return FX_OK;
}

/* The common case: 16-bit values, slope 1 and a whole-number intercept, so
 * HU = stored + intercept. Blocks of 16 with a fixed trip count let GCC's
 * cheap vectoriser at -O2 turn the inner loop into SIMD code. */
#define SHIFT_BLOCK(T)                                                                  \
    for (int b = 0; b < 16; b++) {                                                      \
        int v = (int)(T)src[i + b] + intercept;                                         \
        v = v < INT16_MIN ? INT16_MIN : v > INT16_MAX ? INT16_MAX : v;                  \
        int p = src[i + b] == pad;                                                      \
        out[i + b] = (int16_t)(p ? FX_DICOM_OUTSIDE_HU : v);                            \
        m += p;                                                                         \
    }

static long convert_shift16(const uint16_t *restrict src, size_t n, int is_signed,
                            int intercept, int pad, int16_t *restrict out)
{
    long masked = 0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        int m = 0;
        if (is_signed) {
            SHIFT_BLOCK(int16_t)
        } else {
            SHIFT_BLOCK(uint16_t)
        }
        masked += m;
    }
    for (; i < n; i++) {
        int v = (is_signed ? (int)(int16_t)src[i] : (int)src[i]) + intercept;
        v = v < INT16_MIN ? INT16_MIN : v > INT16_MAX ? INT16_MAX : v;
        int p = src[i] == pad;
        out[i] = (int16_t)(p ? FX_DICOM_OUTSIDE_HU : v);
        masked += p;
    }
    return masked;
}

/* Stored values at `raw` (n values of d->bits bits) to HU in `out`. */
static void convert_plane(struct decoder *d, const fx_gdcm_header *h, const void *raw,
                          int16_t *out)
{
    size_t n = (size_t)h->rows * (size_t)h->columns;
    long pad = h->has_padding ? (d->bits == 8 ? h->padding & 0xff : h->padding & 0xffff) : -1;
    long masked = 0;
    if (d->bits == 8) {
        const uint8_t *src = raw;
        for (size_t i = 0; i < n; i++) {
            int pad_here = src[i] == pad;
            out[i] = pad_here ? FX_DICOM_OUTSIDE_HU : d->lut[src[i]];
            masked += pad_here;
        }
    } else if (h->slope == 1 && h->intercept == floor(h->intercept) &&
               fabs(h->intercept) < 65536) {
        masked = convert_shift16(raw, n, d->is_signed, (int)h->intercept, (int)pad, out);
    } else {
        const uint16_t *src = raw;
        for (size_t i = 0; i < n; i++) {
            int pad_here = src[i] == pad;
            out[i] = pad_here ? FX_DICOM_OUTSIDE_HU : d->lut[src[i]];
            masked += pad_here;
        }
    }
    d->masked += masked;
}

/* Uncompressed little-endian 16-bit files are read without GDCM, the way
 * dcm2niix does: the pixel data element is the last one in such files, so
 * its tag, VR and length must sit right before the last rows*columns*2 bytes.
 * Anything else (or any check failing) goes through GDCM. Returns 1 when the
 * plane was read into `out`, 0 to fall back. */
static int read_native(const char *path, const fx_gdcm_header *h, void *out)
{
    static const uint8_t tag[4] = {0xe0, 0x7f, 0x10, 0x00};
    size_t bytes = (size_t)h->rows * (size_t)h->columns * 2;
    uint8_t head[12];
    struct stat st;
    int ok = 0;

    if ((strcmp(h->ts_uid, "1.2.840.10008.1.2.1") && strcmp(h->ts_uid, "1.2.840.10008.1.2")) ||
        h->bits_allocated != 16 || h->samples != 1 || h->frames > 1)
        return 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    if (fstat(fd, &st) == 0 && (size_t)st.st_size >= bytes + 12) {
        off_t off = st.st_size - (off_t)bytes;
        uint32_t len;
        if (pread(fd, head, 12, off - 12) == 12) {
            int explicit_vr = !memcmp(head, tag, 4) && (!memcmp(head + 4, "OW", 2) ||
                                                        !memcmp(head + 4, "OB", 2)) &&
                              head[6] == 0 && head[7] == 0;
            int implicit_vr = !memcmp(head + 4, tag, 4);
            memcpy(&len, head + 8, 4);
            ok = (explicit_vr || implicit_vr) && le32toh(len) == bytes &&
                 pread(fd, out, bytes, off) == (ssize_t)bytes;
        }
    }
    close(fd);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    ok = 0; /* the values would need swapping: leave it to GDCM */
#endif
    return ok;
}

/* Plane `p` of an uncompressed file straight into `out` as HU, without GDCM.
 * Returns 1 when done, 0 when the file needs GDCM, negative on no memory. */
static int try_native(const fx_dicom_scan *s, struct decoder *d, const struct dicom_plane *p,
                      int16_t *out)
{
    const fx_gdcm_header *h = &s->hdr[p->file];
    size_t n = (size_t)h->rows * (size_t)h->columns;
    if (d->cap < n * 2) {
        void *b = realloc(d->buf, n * 2);
        if (!b)
            return FX_ENOMEM;
        d->buf = b;
        d->cap = n * 2;
    }
    if (!read_native(s->files[p->file], h, d->buf))
        return 0;
    d->bits = 16;
    d->is_signed = h->pixel_representation == 1;
    d->file = -1; /* the buffer holds one plane, not a decoded file */
    build_lut(d, h);
    convert_plane(d, h, d->buf, out);
    return 1;
}

/* Plane `p` as HU into `out` (rows x columns): directly, or through GDCM. */
static int load_plane(const fx_dicom_scan *s, struct decoder *d, const struct dicom_plane *p,
                      int16_t *out, fx_error *err)
{
    const fx_gdcm_header *h = &s->hdr[p->file];
    size_t n = (size_t)h->rows * (size_t)h->columns;
    int done = try_native(s, d, p, out);
    if (done < 0)
        return fx_fail(err, FX_ENOMEM, "cannot allocate a %zu-pixel plane", n);
    if (done)
        return FX_OK;
    int rc = decode(s, d, p, err);
    if (!rc)
        convert_plane(d, h, (const uint8_t *)d->buf + (size_t)p->frame * n * (size_t)(d->bits / 8),
                      out);
    return rc;
}

/* Uncompressed planes are independent files: read and convert them on all
 * threads (each with its own buffer and table). Marks in done[] what it
 * managed; GDCM, whose thread safety we do not rely on, does the rest. */
static void load_native_parallel(const fx_dicom_scan *s, const struct dicom_series *d,
                                 int16_t *vol, size_t n, unsigned char *done, long *masked)
{
    long m = 0;
#pragma omp parallel reduction(+ : m)
    {
        struct decoder *td = calloc(1, sizeof(*td));
        if (td) {
            td->file = -1;
#pragma omp for schedule(dynamic, 4)
            for (int k = 0; k < d->nplanes; k++)
                done[k] = try_native(s, td, &d->planes[k], vol + (size_t)k * n) == 1;
            m += td->masked;
            free(td->buf);
            free(td);
        }
    }
    *masked += m;
}

static double dot(const double a[3], const double b[3])
{
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static void set_axes(fx_volume *v, const struct dicom_series *d)
{
    for (int r = 0; r < 3; r++) {
        v->dir[3 * r] = d->row[r] + 0.0; /* + 0.0 turns -0 into 0 */
        v->dir[3 * r + 1] = d->col[r] + 0.0;
        v->dir[3 * r + 2] = d->normal[r] + 0.0;
    }
}

/* Every plane straight into its slice of the output. */
static int load_direct(const fx_dicom_scan *s, const struct dicom_series *d, struct decoder *dec,
                       const fx_progress *progress, fx_volume **out, fx_error *err)
{
    const fx_gdcm_header *h0 = &s->hdr[d->planes[0].file];
    int dims[3] = {h0->columns, h0->rows, d->nplanes};
    size_t n = (size_t)dims[0] * (size_t)dims[1];
    fx_volume *v;
    int rc = fx_volume_new(dims, FX_VOX_I16, &v, err);
    if (rc)
        return rc;
    set_axes(v, d);
    v->spacing[0] = d->pub.spacing[0];
    v->spacing[1] = d->pub.spacing[1];
    v->spacing[2] = d->nplanes > 1 ? (d->planes[d->nplanes - 1].z_mm - d->planes[0].z_mm) /
                                         (d->nplanes - 1)
                                   : d->pub.spacing[2];
    memcpy(v->origin, d->planes[0].ipp, sizeof(v->origin));
    unsigned char *done = calloc((size_t)d->nplanes, 1);
    if (!done)
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate %d flags", d->nplanes);
    else
        load_native_parallel(s, d, v->data, n, done, &dec->masked);
    for (int k = 0; k < d->nplanes && !rc; k++) {
        if (!done[k])
            rc = load_plane(s, dec, &d->planes[k], (int16_t *)v->data + (size_t)k * n, err);
        fx_progress_report(progress, "loading DICOM", (k + 1.0) / d->nplanes);
    }
    free(done);
    if (rc)
        fx_volume_free(v);
    else
        *out = v;
    return rc;
}

/* Bilinear sample of a rows x cols plane at (x, y) pixel units; NaN outside. */
static double bilinear(const int16_t *img, int cols, int rows, double x, double y)
{
    const double eps = 1e-6;
    if (x < -eps || y < -eps || x > cols - 1 + eps || y > rows - 1 + eps)
        return NAN;
    x = fmin(fmax(x, 0), cols - 1);
    y = fmin(fmax(y, 0), rows - 1);
    int i = (int)x, j = (int)y;
    int i1 = i + 1 < cols ? i + 1 : i, j1 = j + 1 < rows ? j + 1 : j;
    double fx = x - i, fy = y - j;
    const int16_t *r0 = img + (size_t)j * cols, *r1 = img + (size_t)j1 * cols;
    return (1 - fy) * ((1 - fx) * r0[i] + fx * r0[i1]) + fy * ((1 - fx) * r1[i] + fx * r1[i1]);
}

/* The grid that covers every plane: axes row, column, normal. */
struct grid {
    int dims[3];
    double umin, vmin, z0, dx, dy, dz;
    double *a, *b;   /* per plane: in-plane offsets of its first pixel, mm */
};

static int plan_grid(const struct dicom_series *d, struct grid *g, fx_error *err)
{
    int n = d->nplanes;
    const fx_dicom_series *p = &d->pub;
    double umax = -INFINITY, vmax = -INFINITY;
    g->a = malloc((size_t)n * sizeof(double));
    g->b = malloc((size_t)n * sizeof(double));
    if (!g->a || !g->b)
        return fx_fail(err, FX_ENOMEM, "cannot allocate the resampling grid");
    g->dx = p->spacing[0], g->dy = p->spacing[1];
    g->umin = g->vmin = INFINITY;
    for (int k = 0; k < n; k++) {
        g->a[k] = dot(d->planes[k].ipp, d->row);
        g->b[k] = dot(d->planes[k].ipp, d->col);
        g->umin = fmin(g->umin, g->a[k]);
        g->vmin = fmin(g->vmin, g->b[k]);
        umax = fmax(umax, g->a[k] + (p->columns - 1) * g->dx);
        vmax = fmax(vmax, g->b[k] + (p->rows - 1) * g->dy);
    }
    double depth = d->planes[n - 1].z_mm - d->planes[0].z_mm;
    g->dims[0] = (int)floor((umax - g->umin) / g->dx + 0.5) + 1;
    g->dims[1] = (int)floor((vmax - g->vmin) / g->dy + 0.5) + 1;
    g->dims[2] = n > 1 ? (int)floor(depth / p->spacing[2] + 0.5) + 1 : 1;
    g->dz = g->dims[2] > 1 ? depth / (g->dims[2] - 1) : p->spacing[2];
    g->z0 = d->planes[0].z_mm;
    if ((double)g->dims[0] * g->dims[1] * g->dims[2] > 2e9)
        return fx_fail(err, FX_EUNSUPPORTED, "the resampled grid %d x %d x %d is too large",
                       g->dims[0], g->dims[1], g->dims[2]);
    return FX_OK;
}

static void resample_slice(const struct dicom_series *d, const struct grid *g,
                           const int16_t *stack, int k, int16_t *out)
{
    const fx_dicom_series *p = &d->pub;
    size_t n = (size_t)p->rows * (size_t)p->columns;
    double z = g->z0 + k * g->dz;
    int s = 0;
    while (s + 2 < d->nplanes && d->planes[s + 1].z_mm <= z)
        s++;
    int s1 = d->nplanes > 1 ? s + 1 : s;
    double gap = d->planes[s1].z_mm - d->planes[s].z_mm;
    double t = gap > 0 ? fmin(fmax((z - d->planes[s].z_mm) / gap, 0), 1) : 0;
    for (int j = 0; j < g->dims[1]; j++) {
        double v = g->vmin + j * g->dy;
        double y0 = (v - g->b[s]) / g->dy, y1 = (v - g->b[s1]) / g->dy;
        for (int i = 0; i < g->dims[0]; i++) {
            double u = g->umin + i * g->dx;
            double x0 = (u - g->a[s]) / g->dx, x1 = (u - g->a[s1]) / g->dx;
            double v0 = bilinear(stack + (size_t)s * n, p->columns, p->rows, x0, y0);
            double v1 = t > 0 ? bilinear(stack + (size_t)s1 * n, p->columns, p->rows, x1, y1)
                              : v0;
            /* Outside either plane is outside: no extrapolation at the edges. */
            double val = (1 - t) * v0 + t * v1;
            out[(size_t)j * g->dims[0] + i] =
                isnan(val) ? FX_DICOM_OUTSIDE_HU : to_hu(val, 1, 0);
        }
    }
}

static int load_resampled(const fx_dicom_scan *s, const struct dicom_series *d,
                          struct decoder *dec, const fx_progress *progress, fx_volume **out,
                          fx_error *err)
{
    const fx_dicom_series *p = &d->pub;
    size_t n = (size_t)p->rows * (size_t)p->columns;
    struct grid g = {0};
    fx_volume *v = NULL;
    int16_t *stack = malloc((size_t)d->nplanes * n * sizeof(int16_t));
    int rc = stack ? plan_grid(d, &g, err)
                   : fx_fail(err, FX_ENOMEM, "cannot allocate %d planes", d->nplanes);
    for (int k = 0; k < d->nplanes && !rc; k++) {
        rc = load_plane(s, dec, &d->planes[k], stack + (size_t)k * n, err);
        fx_progress_report(progress, "loading DICOM", 0.5 * (k + 1.0) / d->nplanes);
    }
    if (!rc)
        rc = fx_volume_new(g.dims, FX_VOX_I16, &v, err);
    if (!rc) {
        set_axes(v, d);
        v->spacing[0] = g.dx, v->spacing[1] = g.dy, v->spacing[2] = g.dz;
        for (int r = 0; r < 3; r++)
            v->origin[r] = g.umin * d->row[r] + g.vmin * d->col[r] + g.z0 * d->normal[r];
        size_t slice = (size_t)g.dims[0] * (size_t)g.dims[1];
#pragma omp parallel for schedule(dynamic)
        for (int k = 0; k < g.dims[2]; k++)
            resample_slice(d, &g, stack, k, (int16_t *)v->data + (size_t)k * slice);
        fx_progress_report(progress, "loading DICOM", 1.0);
    }
    free(stack);
    free(g.a);
    free(g.b);
    if (rc)
        fx_volume_free(v);
    else
        *out = v;
    return rc;
}

static void describe(const struct dicom_series *d, const fx_gdcm_header *h0, int resampled,
                     const fx_volume *v, long masked, fx_dicom_load_info *info)
{
    const fx_dicom_series *p = &d->pub;
    size_t used = 0;
    memset(info, 0, sizeof(*info));
    info->resampled = resampled;
    info->tilt_corrected = resampled && p->gantry_tilt_deg > 0;
    info->gantry_tilt_deg = p->gantry_tilt_deg;
    info->uniform_spacing = p->uniform_spacing;
    info->duplicates = p->duplicates;
    info->padding_masked = (int)(masked > INT32_MAX ? INT32_MAX : masked);
    info->slope = h0->slope;
    info->intercept = h0->intercept;
#define NOTE(...) \
    used += (size_t)snprintf(info->note + used, used < sizeof(info->note) ? \
                             sizeof(info->note) - used : 0, __VA_ARGS__)
    if (info->tilt_corrected)
        NOTE("gantry tilt of %.2f deg removed by resampling onto an orthogonal grid; ",
             p->gantry_tilt_deg);
    if (!p->uniform_spacing)
        NOTE("uneven slice gaps (%.3f to %.3f mm) resampled to %.4f mm; ", p->min_gap_mm,
             p->max_gap_mm, v->spacing[2]);
    if (p->duplicates)
        NOTE("%d planes at repeated positions dropped; ", p->duplicates);
    if (masked)
        NOTE("%ld padding voxels set to %d HU; ", masked, FX_DICOM_OUTSIDE_HU);
#undef NOTE
    used = strlen(info->note);
    if (used >= 2)
        info->note[used - 2] = '\0';
}

int fx_dicom_load_series(const fx_dicom_scan *s, int index, const fx_progress *progress,
                         fx_volume **out, fx_dicom_load_info *info, fx_error *err)
{
    *out = NULL;
    if (index < 0 || index >= s->nseries)
        return fx_fail(err, FX_ENOTFOUND, "there is no series %d (the scan found %d)", index + 1,
                       s->nseries);
    const struct dicom_series *d = &s->series[index];
    if (!d->pub.loadable)
        return fx_fail(err, FX_EUNSUPPORTED, "%s", d->why);
    struct decoder *dec = calloc(1, sizeof(*dec));
    if (!dec)
        return fx_fail(err, FX_ENOMEM, "cannot allocate a decoder");
    dec->file = -1;
    double pixel = fmin(d->pub.spacing[0], d->pub.spacing[1]);
    int regular = d->pub.uniform_spacing && d->shear_mm <= DICOM_SHEAR_TOL * pixel;
    int rc = regular ? load_direct(s, d, dec, progress, out, err)
                     : load_resampled(s, d, dec, progress, out, err);
    if (!rc && info)
        describe(d, &s->hdr[d->planes[0].file], !regular, *out, dec->masked, info);
    free(dec->buf);
    free(dec);
    return rc;
}

int fx_dicom_load_path(const char *path, int index, const fx_progress *progress,
                       fx_volume **out, fx_dicom_load_info *info, fx_error *err)
{
    fx_dicom_scan *s;
    int rc = fx_dicom_scan_paths(&path, 1, progress, &s, err);

    *out = NULL;
    if (rc)
        return rc;
    if (index < 0) {
        index = fx_dicom_scan_first_loadable(s);
        if (index < 0) {
            const struct dicom_series *d = &s->series[0];
            rc = fx_fail(err, FX_EUNSUPPORTED, "no loadable CT series in '%s': %s", path,
                         d->why);
        }
    }
    if (!rc)
        rc = fx_dicom_load_series(s, index, progress, out, info, err);
    fx_dicom_scan_free(s);
    return rc;
}

int fx_dicom_decode_file(const char *path, void **buf, size_t *len, fx_error *err)
{
    size_t cap = 0;
    int bits, sgn;
    *buf = NULL;
    int rc = fx_gdcm_read_pixels(path, buf, &cap, len, &bits, &sgn, err);
    if (rc) {
        free(*buf);
        *buf = NULL;
    }
    return rc;
}
