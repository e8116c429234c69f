/*
 * dicom_scan.c - find the image series in files and folders.
 *
 * Each file's header is read once (GDCM stops before the pixel data). Files
 * are grouped into series by Series Instance UID and geometry (rows, columns,
 * orientation, pixel spacing), so that a UID holding two stacks is split; when
 * the UID is empty, as in some anonymised exports, by frame of reference,
 * modality, series and acquisition number and the same geometry. Planes are
 * then sorted by their position along the slice normal (row x column), never
 * by instance number or file name; repeated positions are dropped and
 * counted; gaps and gantry tilt are measured for the loader and the report.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "dicom_internal.h"

/* ---- collecting files ------------------------------------------------------ */

static int add_file(fx_dicom_scan *s, const char *path, fx_error *err)
{
    if (s->nfiles == s->cap) {
        int cap = s->cap ? 2 * s->cap : 256;
        char **f = realloc(s->files, (size_t)cap * sizeof(*f));
        if (!f)
            return fx_fail(err, FX_ENOMEM, "cannot list %d files", cap);
        s->files = f;
        s->cap = cap;
    }
    s->files[s->nfiles] = strdup(path);
    if (!s->files[s->nfiles])
        return fx_fail(err, FX_ENOMEM, "cannot list files");
    s->nfiles++;
    return FX_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(fx_dicom_scan *s, const char *path, int depth, fx_error *err)
{
    struct stat st;
    if (stat(path, &st))
        return fx_fail(err, FX_EIO, "cannot open '%s': %s", path, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return add_file(s, path, err);
    if (depth > 32)
        return fx_fail(err, FX_EINVAL, "folders nest too deep under '%s'", path);
    DIR *d = opendir(path);
    if (!d)
        return fx_fail(err, FX_EIO, "cannot open folder '%s': %s", path, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = FX_OK;
    struct dirent *e;
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **nn = realloc(names, cap * sizeof(*nn));
            if (!nn) {
                rc = fx_fail(err, FX_ENOMEM, "cannot list '%s'", path);
                break;
            }
            names = nn;
        }
        names[n] = strdup(e->d_name);
        if (!names[n])
            rc = fx_fail(err, FX_ENOMEM, "cannot list '%s'", path);
        else
            n++;
    }
    closedir(d);
    qsort(names, n, sizeof(*names), by_name); /* the same order on every machine */
    for (size_t i = 0; i < n; i++) {
        char sub[4096];
        if (!rc && snprintf(sub, sizeof(sub), "%s/%s", path, names[i]) >= (int)sizeof(sub))
            rc = fx_fail(err, FX_EINVAL, "path under '%s' is too long", path);
        if (!rc)
            rc = walk(s, sub, depth + 1, err);
        free(names[i]);
    }
    free(names);
    return rc;
}

/* A DICOMDIR names files under its own folder: scanning that folder finds
 * them all (and the DICOMDIR itself is passed over, having no image). */
static int walk_path(fx_dicom_scan *s, const char *path, fx_error *err)
{
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
    char dir[4096];
    if (strcasecmp(base, "DICOMDIR"))
        return walk(s, path, 0, err);
    if (!slash)
        return walk(s, ".", 0, err);
    snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    return walk(s, dir[0] ? dir : "/", 0, err);
}

/* ---- grouping -------------------------------------------------------------- */

static void cross(const double a[3], const double b[3], double out[3])
{
    out[0] = a[1] * b[2] - a[2] * b[1];
    out[1] = a[2] * b[0] - a[0] * b[2];
    out[2] = a[0] * b[1] - a[1] * b[0];
}

static double dot(const double a[3], const double b[3])
{
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static void unit(double v[3])
{
    double n = sqrt(dot(v, v));
    if (n > 0)
        v[0] /= n, v[1] /= n, v[2] /= n;
}

static void group_key(const fx_gdcm_header *h, char *key, size_t n)
{
    char geo[256];
    /* Orientation to 1e-4 and spacing to 1e-4 mm: rounding noise between
     * files of one stack stays inside, a different stack does not. */
    snprintf(geo, sizeof(geo), "%d|%d|%.4f|%.4f|%.4f|%.4f|%.4f|%.4f|%.4f|%.4f|%d", h->rows,
             h->columns, h->iop[0] + 0.0, h->iop[1] + 0.0, h->iop[2] + 0.0, h->iop[3] + 0.0,
             h->iop[4] + 0.0, h->iop[5] + 0.0, h->pixel_spacing[0], h->pixel_spacing[1],
             h->frames > 1);
    if (h->series_uid[0])
        snprintf(key, n, "uid|%s|%s", h->series_uid, geo);
    else
        snprintf(key, n, "nouid|%s|%s|%s|%d|%d|%s", h->study_uid, h->frame_uid, h->modality,
                 h->series_number, h->acquisition_number, geo);
}

static struct dicom_series *series_for(fx_dicom_scan *s, const char *key, fx_error *err)
{
    for (int i = 0; i < s->nseries; i++)
        if (!strcmp(s->series[i].key, key))
            return &s->series[i];
    struct dicom_series *ns = realloc(s->series, (size_t)(s->nseries + 1) * sizeof(*ns));
    if (!ns) {
        fx_fail(err, FX_ENOMEM, "cannot allocate a series");
        return NULL;
    }
    s->series = ns;
    struct dicom_series *d = &s->series[s->nseries++];
    memset(d, 0, sizeof(*d));
    snprintf(d->key, sizeof(d->key), "%s", key);
    return d;
}

static int add_plane(struct dicom_series *d, int file, int frame, const double ipp[3],
                     int instance, fx_error *err)
{
    if (d->nplanes == d->cap) {
        int cap = d->cap ? 2 * d->cap : 64;
        struct dicom_plane *p = realloc(d->planes, (size_t)cap * sizeof(*p));
        if (!p)
            return fx_fail(err, FX_ENOMEM, "cannot allocate %d planes", cap);
        d->planes = p;
        d->cap = cap;
    }
    struct dicom_plane *p = &d->planes[d->nplanes++];
    p->file = file;
    p->frame = frame;
    memcpy(p->ipp, ipp, sizeof(p->ipp));
    p->instance = instance;
    p->z_mm = 0;
    return FX_OK;
}

/* Why a series cannot be loaded (first reason found), as the loader's error. */
static void check_file(fx_dicom_scan *s, struct dicom_series *d, int f)
{
    const fx_gdcm_header *h = &s->hdr[f];
    const char *tag = !h->has_ipp ? "Image Position (Patient) (0020,0032)"
                    : !h->has_iop ? "Image Orientation (Patient) (0020,0037)"
                    : !h->has_spacing ? "Pixel Spacing (0028,0030)" : NULL;
    if (d->why[0])
        return;
    if (tag)
        snprintf(d->why, sizeof(d->why), "'%s' lacks the geometry tag %s", s->files[f], tag);
    else if (strcmp(h->modality, "CT"))
        snprintf(d->why, sizeof(d->why), "series %d is %s, not CT: only CT series are loaded",
                 d->pub.index, h->modality[0] ? h->modality : "of no modality");
    else if (h->samples != 1 || (h->bits_allocated != 8 && h->bits_allocated != 16))
        snprintf(d->why, sizeof(d->why), "'%s' holds %d samples of %d bits per pixel, not a "
                 "grey-scale CT image", s->files[f], h->samples, h->bits_allocated);
}

static int group(fx_dicom_scan *s, fx_error *err)
{
    for (int f = 0; f < s->nfiles; f++) {
        fx_gdcm_header *h = &s->hdr[f];
        char key[512];
        if (!h->has_pixels)
            continue;
        group_key(h, key, sizeof(key));
        struct dicom_series *d = series_for(s, key, err);
        if (!d)
            return err ? err->code : FX_ENOMEM;
        if (!d->pub.files) {
            d->pub.index = s->nseries;
            snprintf(d->pub.modality, sizeof(d->pub.modality), "%s", h->modality);
            snprintf(d->id.series_uid, sizeof(d->id.series_uid), "%s", h->series_uid);
            snprintf(d->id.study_uid, sizeof(d->id.study_uid), "%s", h->study_uid);
            snprintf(d->id.patient_name, sizeof(d->id.patient_name), "%s", h->patient_name);
            snprintf(d->id.patient_id, sizeof(d->id.patient_id), "%s", h->patient_id);
            snprintf(d->id.birth_date, sizeof(d->id.birth_date), "%s", h->birth_date);
        }
        d->pub.files++;
        check_file(s, d, f);
        int frames = h->frames > 1 ? h->frames : 1;
        d->pub.multiframe |= frames > 1;
        for (int k = 0; k < frames; k++) {
            const double *ipp = h->frame_ipp ? h->frame_ipp + 3 * k : h->ipp;
            int rc = add_plane(d, f, k, ipp, h->instance_number, err);
            if (rc)
                return rc;
        }
        if (!strstr(d->pub.transfer_syntaxes, h->ts_name)) {
            size_t used = strlen(d->pub.transfer_syntaxes);
            snprintf(d->pub.transfer_syntaxes + used, sizeof(d->pub.transfer_syntaxes) - used,
                     "%s%s", used ? ", " : "", h->ts_name);
        }
    }
    return FX_OK;
}

/* ---- sorting and geometry -------------------------------------------------- */

static int by_position(const void *a, const void *b)
{
    const struct dicom_plane *p = a, *q = b;
    if (p->z_mm != q->z_mm)
        return p->z_mm < q->z_mm ? -1 : 1;
    if (p->instance != q->instance)
        return p->instance < q->instance ? -1 : 1;
    return p->file != q->file ? (p->file < q->file ? -1 : 1) : p->frame - q->frame;
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Sort along the normal and drop planes whose position repeats one already
 * kept (within 0.01 mm): the first in instance order stays. */
static void sort_planes(struct dicom_series *d)
{
    for (int k = 0; k < d->nplanes; k++)
        d->planes[k].z_mm = dot(d->planes[k].ipp, d->normal);
    qsort(d->planes, (size_t)d->nplanes, sizeof(*d->planes), by_position);
    int kept = 0;
    for (int k = 0; k < d->nplanes; k++) {
        if (kept && d->planes[k].z_mm - d->planes[kept - 1].z_mm < 0.01)
            continue;
        d->planes[kept++] = d->planes[k];
    }
    d->pub.frames = d->nplanes;
    d->pub.duplicates = d->nplanes - kept;
    d->nplanes = kept;
    d->pub.slices = kept;
}

static void append_note(fx_dicom_series *p, const char *part)
{
    size_t used = strlen(p->note);
    snprintf(p->note + used, sizeof(p->note) - used, "%s%s", used ? "; " : "", part);
}

/* Median, smallest and largest gap between neighbouring planes, and whether
 * they are uniform (all within DICOM_GAP_TOL of the median). */
static void measure_gaps(struct dicom_series *d, const fx_gdcm_header *h)
{
    fx_dicom_series *p = &d->pub;
    int n = d->nplanes;
    double *gaps = n > 1 ? malloc((size_t)(n - 1) * sizeof(*gaps)) : NULL;

    p->uniform_spacing = 1;
    if (n < 2) { /* one plane: the thickness is all there is */
        double z = h->spacing_between > 0 ? h->spacing_between
                 : h->slice_thickness > 0 ? h->slice_thickness : 1.0;
        p->spacing[2] = p->min_gap_mm = p->max_gap_mm = z;
        return;
    }
    if (!gaps) { /* keep going with the ends only */
        p->spacing[2] = (d->planes[n - 1].z_mm - d->planes[0].z_mm) / (n - 1);
        p->min_gap_mm = p->max_gap_mm = p->spacing[2];
        return;
    }
    for (int k = 0; k + 1 < n; k++)
        gaps[k] = d->planes[k + 1].z_mm - d->planes[k].z_mm;
    qsort(gaps, (size_t)(n - 1), sizeof(*gaps), by_double);
    p->spacing[2] = gaps[(n - 2) / 2];
    p->min_gap_mm = gaps[0];
    p->max_gap_mm = gaps[n - 2];
    free(gaps);
    double tol = DICOM_GAP_TOL * p->spacing[2];
    p->uniform_spacing = p->max_gap_mm - p->spacing[2] <= tol &&
                         p->spacing[2] - p->min_gap_mm <= tol;
}

/* The shear (largest in-plane offset of a plane from the first) and, when it
 * exceeds DICOM_SHEAR_TOL of a pixel, the tilt: the angle between the line
 * through the first and last positions and the slice normal. */
static void measure_tilt(struct dicom_series *d)
{
    fx_dicom_series *p = &d->pub;
    int n = d->nplanes;
    double line[3];

    d->shear_mm = 0;
    p->gantry_tilt_deg = 0;
    if (n < 2)
        return;
    for (int k = 1; k < n; k++) {
        double off[3];
        for (int r = 0; r < 3; r++)
            off[r] = d->planes[k].ipp[r] - d->planes[0].ipp[r];
        double a = fabs(dot(off, d->row)), b = fabs(dot(off, d->col));
        d->shear_mm = fmax(d->shear_mm, fmax(a, b));
    }
    for (int r = 0; r < 3; r++)
        line[r] = d->planes[n - 1].ipp[r] - d->planes[0].ipp[r];
    unit(line);
    if (d->shear_mm > DICOM_SHEAR_TOL * fmin(p->spacing[0], p->spacing[1]))
        p->gantry_tilt_deg = acos(fmin(1, fabs(dot(line, d->normal)))) * 180 / M_PI;
}

/* Say in the series' note what is unusual about it. */
static void add_notes(fx_dicom_series *p, const fx_gdcm_header *h)
{
    char part[160];
    if (p->duplicates) {
        snprintf(part, sizeof(part), "%d planes repeat a position and are dropped",
                 p->duplicates);
        append_note(p, part);
    }
    if (p->gantry_tilt_deg > 0) {
        snprintf(part, sizeof(part), "gantry tilt %.2f deg: resampled on load",
                 p->gantry_tilt_deg);
        append_note(p, part);
    }
    if (!p->uniform_spacing) {
        snprintf(part, sizeof(part), "uneven slice gaps %.3f to %.3f mm: resampled on load",
                 p->min_gap_mm, p->max_gap_mm);
        append_note(p, part);
    }
    /* a missing slice doubles a gap */
    if (p->slices > 1 && p->max_gap_mm > 1.9 * p->spacing[2]) {
        snprintf(part, sizeof(part), "largest gap %.3f mm is %.1f times the median: "
                 "slices missing there are interpolated", p->max_gap_mm,
                 p->max_gap_mm / p->spacing[2]);
        append_note(p, part);
    }
    if (p->slices > 1 && h->slice_thickness > p->spacing[2] * (1 + DICOM_GAP_TOL)) {
        snprintf(part, sizeof(part), "slices overlap (thickness %.3f mm, gap %.3f mm)",
                 h->slice_thickness, p->spacing[2]);
        append_note(p, part);
    }
}

/* Size, acquisition geometry, gaps, tilt and notes of a sorted series. */
static void measure(fx_dicom_scan *s, struct dicom_series *d)
{
    fx_dicom_series *p = &d->pub;
    const fx_gdcm_header *h = &s->hdr[d->planes[0].file];

    p->rows = h->rows;
    p->columns = h->columns;
    p->spacing[0] = h->pixel_spacing[1];
    p->spacing[1] = h->pixel_spacing[0];
    memcpy(p->origin, d->planes[0].ipp, sizeof(p->origin));
    for (int r = 0; r < 3; r++) {
        p->dir[3 * r] = d->row[r] + 0.0; /* + 0.0 turns -0 into 0 */
        p->dir[3 * r + 1] = d->col[r] + 0.0;
        p->dir[3 * r + 2] = d->normal[r] + 0.0;
    }
    p->gantry_tilt_tag_deg = h->gantry_tilt_deg;
    measure_gaps(d, h);
    measure_tilt(d);
    add_notes(p, h);
}

static void finish_series(fx_dicom_scan *s, struct dicom_series *d)
{
    const fx_gdcm_header *h = &s->hdr[d->planes[0].file];
    memcpy(d->row, h->iop, sizeof(d->row));
    memcpy(d->col, h->iop + 3, sizeof(d->col));
    unit(d->row);
    unit(d->col);
    cross(d->row, d->col, d->normal);
    unit(d->normal);
    sort_planes(d);
    measure(s, d);
    d->pub.loadable = !d->why[0];
    if (d->why[0]) {
        char part[FX_ERROR_MSG_MAX + 32];
        snprintf(part, sizeof(part), "skipped: %s", d->why);
        append_note(&d->pub, part);
    }
}

/* ---- the scan -------------------------------------------------------------- */

static int read_headers(fx_dicom_scan *s, const fx_progress *progress, fx_error *err)
{
    s->hdr = calloc((size_t)(s->nfiles ? s->nfiles : 1), sizeof(*s->hdr));
    if (!s->hdr)
        return fx_fail(err, FX_ENOMEM, "cannot allocate %d headers", s->nfiles);
    for (int f = 0; f < s->nfiles; f++) {
        fx_error e;
        if (fx_gdcm_read_header(s->files[f], &s->hdr[f], &e) || !s->hdr[f].has_pixels) {
            s->hdr[f].has_pixels = 0;
            if (!s->skipped++)
                snprintf(s->skipped_example, sizeof(s->skipped_example), "%s", s->files[f]);
        }
        if ((f & 31) == 31 || f + 1 == s->nfiles)
            fx_progress_report(progress, "reading DICOM headers", (f + 1.0) / s->nfiles);
    }
    return FX_OK;
}

static void free_frame_positions(fx_dicom_scan *s)
{
    for (int f = 0; f < s->nfiles; f++) {
        free(s->hdr[f].frame_ipp);
        s->hdr[f].frame_ipp = NULL;
    }
}

int fx_dicom_scan_paths(const char *const *paths, int npaths, const fx_progress *progress,
                        fx_dicom_scan **out, fx_error *err)
{
    fx_dicom_scan *s = calloc(1, sizeof(*s));
    int rc = FX_OK;

    *out = NULL;
    if (!s)
        return fx_fail(err, FX_ENOMEM, "cannot allocate a scan");
    for (int i = 0; i < npaths && !rc; i++)
        rc = walk_path(s, paths[i], err);
    if (!rc)
        rc = read_headers(s, progress, err);
    if (!rc)
        rc = group(s, err);
    if (s->hdr)
        free_frame_positions(s); /* the planes hold their own copies now */
    for (int i = 0; !rc && i < s->nseries; i++)
        finish_series(s, &s->series[i]);
    if (!rc && !s->nseries)
        rc = fx_fail(err, FX_ENOTFOUND, "no DICOM image found in '%s'%s (%d files looked at)",
                     npaths ? paths[0] : "", npaths > 1 ? " and the other paths" : "",
                     s->nfiles);
    if (rc) {
        fx_dicom_scan_free(s);
        return rc;
    }
    *out = s;
    return FX_OK;
}

void fx_dicom_scan_free(fx_dicom_scan *s)
{
    if (!s)
        return;
    for (int f = 0; f < s->nfiles; f++)
        free(s->files[f]);
    if (s->hdr)
        free_frame_positions(s);
    for (int i = 0; i < s->nseries; i++)
        free(s->series[i].planes);
    free(s->files);
    free(s->hdr);
    free(s->series);
    free(s);
}

int fx_dicom_scan_count(const fx_dicom_scan *s)
{
    return s->nseries;
}

const fx_dicom_series *fx_dicom_scan_series(const fx_dicom_scan *s, int i)
{
    return i >= 0 && i < s->nseries ? &s->series[i].pub : NULL;
}

void fx_dicom_scan_identity(const fx_dicom_scan *s, int i, fx_dicom_identity *id)
{
    if (i >= 0 && i < s->nseries)
        *id = s->series[i].id;
    else
        memset(id, 0, sizeof(*id));
}

int fx_dicom_scan_skipped(const fx_dicom_scan *s)
{
    return s->skipped;
}

const char *fx_dicom_scan_skipped_example(const fx_dicom_scan *s)
{
    return s->skipped_example;
}

int fx_dicom_scan_first_loadable(const fx_dicom_scan *s)
{
    for (int i = 0; i < s->nseries; i++)
        if (s->series[i].pub.loadable)
            return i;
    return -1;
}
