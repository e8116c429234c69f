/*
 * test_dicom_load.c - scanning and loading DICOM series that the test writes
 * itself through GDCM with known geometry. The pixels are a linear ramp of the
 * world position, HU = f(x, y, z), so the truth at any output voxel is f at
 * that voxel's world position; trilinear resampling reproduces a linear field
 * exactly, so after the stored values' rounding (0.5 HU) and the output's
 * (0.5 HU) every voxel must be within 1 HU of f.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fxaudit/dicom.h"
#include "fxaudit/volio.h"

static char tmpdir[] = "/tmp/fxdcml.XXXXXX";

static double ramp(fx_vec3 p)
{
    return 2.0 * p.x - 3.0 * p.y + 5.0 * p.z + 200.0;
}

/* The geometry of one slice to write. */
struct plane {
    double ipp[3], row[3], col[3];
    int instance;
};

struct stack {
    int rows, cols;
    double dx, dy;          /* column and row spacing, mm */
    const char *series_uid; /* NULL: the same generated UID for the whole stack */
    const char *frame_uid;  /* NULL: a generated one */
    const char *modality;
    int acquisition;
    fx_dicom_ts ts;
    double slope, intercept;
    int pad_every;          /* every n-th pixel is padding (0: none) */
};

static void write_plane(const char *path, const struct stack *st, const struct plane *p,
                        const char *series_uid, const char *frame_uid)
{
    short *hu = malloc((size_t)st->rows * st->cols * sizeof(short));
    assert_non_null(hu);
    for (int j = 0; j < st->rows; j++)
        for (int i = 0; i < st->cols; i++) {
            fx_vec3 w = fx_v3(p->ipp[0] + i * st->dx * p->row[0] + j * st->dy * p->col[0],
                              p->ipp[1] + i * st->dx * p->row[1] + j * st->dy * p->col[1],
                              p->ipp[2] + i * st->dx * p->row[2] + j * st->dy * p->col[2]);
            /* with slope 2 only even HU are representable */
            double v = st->slope == 2 ? 2 * nearbyint(ramp(w) / 2) : nearbyint(ramp(w));
            hu[j * st->cols + i] = (short)v;
        }
    fx_dicom_slice s = {.rows = st->rows, .columns = st->cols, .hu = hu,
                        .pixel_spacing = {st->dy, st->dx}, .slice_thickness_mm = 1,
                        .gantry_tilt_deg = NAN, .slope = st->slope, .intercept = st->intercept,
                        .instance_number = p->instance, .series_number = 1,
                        .acquisition_number = st->acquisition, .modality = st->modality,
                        .series_uid = series_uid,
                        .study_uid = series_uid && !*series_uid ? "" : NULL,
                        .frame_of_reference_uid = frame_uid, .ts = st->ts};
    memcpy(s.ipp, p->ipp, sizeof(s.ipp));
    memcpy(s.iop, p->row, sizeof(p->row));
    memcpy(s.iop + 3, p->col, sizeof(p->col));
    if (st->pad_every) {
        s.has_padding = 1;
        s.padding_stored = -3000;
        for (int i = 0; i < st->rows * st->cols; i += st->pad_every)
            hu[i] = (short)(-3000 * (st->slope ? st->slope : 1) + st->intercept);
    }
    fx_error err;
    assert_int_equal(fx_dicom_write_slice(path, &s, &err), FX_OK);
    free(hu);
}

/* Write `n` planes into `dir` under names "<prefix>NNN.dcm", in the order of
 * `order` (a permutation; NULL: as given). */
static void write_stack(const char *dir, const char *prefix, const struct stack *st,
                        const struct plane *planes, int n, const int *order)
{
    char series[65], frame[65], path[512];
    fx_dicom_new_uid(series);
    fx_dicom_new_uid(frame);
    for (int m = 0; m < n; m++) {
        int k = order ? order[m] : m;
        snprintf(path, sizeof(path), "%s/%s%03d.dcm", dir, prefix, m);
        write_plane(path, st, &planes[k], st->series_uid ? st->series_uid : series,
                    st->frame_uid ? st->frame_uid : frame);
    }
}

static void make_dir(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", tmpdir, name);
    assert_int_equal(mkdir(out, 0777), 0);
}

static void axial_planes(struct plane *p, int n, const double *z, double x0, double y0)
{
    for (int k = 0; k < n; k++) {
        struct plane q = {{x0, y0, z[k]}, {1, 0, 0}, {0, 1, 0}, k + 1};
        p[k] = q;
    }
}

/* Every voxel with data within `tol` HU of the ramp; returns how many had data. */
static size_t check_ramp(const fx_volume *v, double tol)
{
    size_t seen = 0;
    double worst = 0;
    for (int k = 0; k < v->dims[2]; k++)
        for (int j = 0; j < v->dims[1]; j++)
            for (int i = 0; i < v->dims[0]; i++) {
                double got = fx_volume_get(v, i, j, k);
                if (got == FX_DICOM_OUTSIDE_HU)
                    continue;
                double want = ramp(fx_volume_index_to_world(v, fx_v3(i, j, k)));
                worst = fmax(worst, fabs(got - want));
                seen++;
            }
    if (worst > tol)
        print_message("worst deviation from the ramp %.3f HU\n", worst);
    assert_true(worst <= tol);
    return seen;
}

static void a_shuffled_oblique_series_loads_sorted_by_position(void **state)
{
    (void)state;
    char dir[300];
    enum { N = 12 };
    struct plane p[N];
    int order[N] = {7, 2, 11, 0, 5, 9, 1, 10, 3, 8, 6, 4};
    double c = cos(0.4), s = sin(0.4);
    /* Rows along (c, s, 0), columns along z x row ... an oblique frame. */
    double row[3] = {c, s, 0}, col[3] = {0, 0, -1}, n[3];
    n[0] = row[1] * col[2] - row[2] * col[1];
    n[1] = row[2] * col[0] - row[0] * col[2];
    n[2] = row[0] * col[1] - row[1] * col[0];
    for (int k = 0; k < N; k++) {
        /* Positions run against the normal, instance numbers are scrambled. */
        double t = -2.5 * k;
        struct plane q = {{10 + t * n[0], -20 + t * n[1], 30 + t * n[2]},
                          {row[0], row[1], row[2]}, {col[0], col[1], col[2]}, (k * 5) % N + 1};
        p[k] = q;
    }
    struct stack st = {.rows = 9, .cols = 11, .dx = 0.75, .dy = 1.25};
    make_dir(dir, sizeof(dir), "shuffled");
    write_stack(dir, "x", &st, p, N, order);
    fx_volume *v;
    fx_dicom_load_info info;
    fx_error err;
    assert_int_equal(fx_dicom_load_path(dir, -1, NULL, &v, &info, &err), FX_OK);
    assert_false(info.resampled);
    assert_true(info.uniform_spacing);
    assert_int_equal(v->dims[0], 11);
    assert_int_equal(v->dims[1], 9);
    assert_int_equal(v->dims[2], N);
    assert_true(fabs(v->spacing[2] - 2.5) < 1e-4);
    /* The first slice is the one lowest along the normal: plane N-1. */
    for (int r = 0; r < 3; r++)
        assert_true(fabs(v->origin[r] - p[N - 1].ipp[r]) < 1e-4);
    assert_int_equal(check_ramp(v, 0.5 + 1e-3), fx_volume_count(v));
    fx_volume_free(v);
}

static void a_tilted_stack_is_resampled_onto_an_orthogonal_grid(void **state)
{
    (void)state;
    char dir[300];
    enum { N = 10 };
    struct plane p[N];
    double a = 20 * M_PI / 180;
    /* As a tilted gantry writes it: the slice plane is tilted about x, the
     * table moves along z, so the stack leans by `a` from the normal. */
    for (int k = 0; k < N; k++) {
        struct plane q = {{-10, -8, 3.0 * k}, {1, 0, 0}, {0, cos(a), -sin(a)}, k + 1};
        p[k] = q;
    }
    struct stack st = {.rows = 16, .cols = 12, .dx = 1.5, .dy = 1.0};
    make_dir(dir, sizeof(dir), "tilted");
    write_stack(dir, "t", &st, p, N, NULL);
    fx_dicom_scan *scan;
    const char *path = dir;
    fx_error err;
    assert_int_equal(fx_dicom_scan_paths(&path, 1, NULL, &scan, &err), FX_OK);
    const fx_dicom_series *s = fx_dicom_scan_series(scan, 0);
    assert_true(fabs(s->gantry_tilt_deg - 20) < 1e-3);
    assert_true(s->uniform_spacing); /* 3 mm table steps are 3 cos(a) along the normal */
    assert_true(fabs(s->spacing[2] - 3 * cos(a)) < 1e-4);
    fx_volume *v;
    fx_dicom_load_info info;
    assert_int_equal(fx_dicom_load_series(scan, 0, NULL, &v, &info, &err), FX_OK);
    assert_true(info.resampled && info.tilt_corrected);
    assert_non_null(strstr(info.note, "tilt"));
    assert_int_equal(fx_volume_check_geometry(v, &err), FX_OK);
    /* The third axis is the slice normal (0, sin a, cos a). */
    assert_true(fabs(v->dir[2]) < 1e-9 && fabs(v->dir[5] - sin(a)) < 1e-6 &&
                fabs(v->dir[8] - cos(a)) < 1e-6);
    /* The grid widens along the column axis by the table travel (27 mm) seen
     * along the column direction, 27 sin(a) mm. */
    assert_int_equal(v->dims[1], 16 + (int)floor(27 * sin(a) / 1.0 + 0.5));
    size_t seen = check_ramp(v, 1.0 + 1e-3);
    assert_true(seen > fx_volume_count(v) / 2);
    fx_volume_free(v);
    fx_dicom_scan_free(scan);
}

static void uneven_and_missing_slices_are_resampled_and_said_so(void **state)
{
    (void)state;
    char dir[300];
    double z[] = {0, 2, 4, 6, 10, 12, 13, 15, 17};
    enum { N = sizeof(z) / sizeof(z[0]) };
    struct plane p[N];
    axial_planes(p, N, z, -5, 7);
    struct stack st = {.rows = 6, .cols = 7, .dx = 1, .dy = 1};
    make_dir(dir, sizeof(dir), "uneven");
    write_stack(dir, "u", &st, p, N, NULL);
    fx_volume *v;
    fx_dicom_load_info info;
    fx_error err;
    assert_int_equal(fx_dicom_load_path(dir, 0, NULL, &v, &info, &err), FX_OK);
    assert_true(info.resampled);
    assert_false(info.uniform_spacing);
    assert_false(info.tilt_corrected);
    assert_non_null(strstr(info.note, "uneven"));
    /* 17 mm at the median gap 2 mm: 9 intervals of 17/9 mm. */
    assert_int_equal(v->dims[2], 10);
    assert_true(fabs(v->spacing[2] - 17.0 / 9) < 1e-9);
    assert_int_equal(check_ramp(v, 1.0 + 1e-3), fx_volume_count(v));
    fx_volume_free(v);
}

static void several_series_in_one_folder_are_told_apart(void **state)
{
    (void)state;
    char dir[300];
    double z[] = {0, 1.5, 3, 4.5, 6};
    struct plane ax[5], sag[3], mr[1];
    axial_planes(ax, 5, z, 0, 0);
    for (int k = 0; k < 3; k++) { /* sagittal: rows along y, columns along -z */
        struct plane q = {{2.0 * k, 0, 0}, {0, 1, 0}, {0, 0, -1}, k + 1};
        sag[k] = q;
    }
    axial_planes(mr, 1, z, 0, 0);
    struct stack a = {.rows = 5, .cols = 5, .dx = 1, .dy = 1};
    struct stack b = {.rows = 4, .cols = 6, .dx = 0.5, .dy = 0.5};
    struct stack m = {.rows = 5, .cols = 5, .dx = 1, .dy = 1, .modality = "MR"};
    /* Two stacks with empty UIDs, told apart by acquisition number only. */
    struct stack e1 = {.rows = 5, .cols = 5, .dx = 1, .dy = 1, .series_uid = "",
                       .frame_uid = "1.2.826.0.1.3680043.2.1125.77", .acquisition = 1};
    struct stack e2 = e1;
    e2.acquisition = 2;
    make_dir(dir, sizeof(dir), "several");
    write_stack(dir, "m", &a, ax, 5, NULL); /* names interleave on purpose */
    write_stack(dir, "n", &b, sag, 3, NULL);
    write_stack(dir, "o", &m, mr, 1, NULL);
    write_stack(dir, "p", &e1, ax, 4, NULL);
    write_stack(dir, "q", &e2, ax, 3, NULL);
    fx_dicom_scan *scan;
    const char *path = dir;
    fx_error err;
    assert_int_equal(fx_dicom_scan_paths(&path, 1, NULL, &scan, &err), FX_OK);
    assert_int_equal(fx_dicom_scan_count(scan), 5);
    int want_slices[5] = {5, 3, 1, 4, 3}, want_loadable[5] = {1, 1, 0, 1, 1};
    for (int i = 0; i < 5; i++) {
        const fx_dicom_series *s = fx_dicom_scan_series(scan, i);
        assert_int_equal(s->index, i + 1);
        assert_int_equal(s->slices, want_slices[i]);
        assert_int_equal(s->loadable, want_loadable[i]);
    }
    assert_non_null(strstr(fx_dicom_scan_series(scan, 2)->note, "not CT"));
    fx_volume *v;
    assert_int_equal(fx_dicom_load_series(scan, 2, NULL, &v, NULL, &err), FX_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "MR"));
    assert_int_equal(fx_dicom_load_series(scan, 1, NULL, &v, NULL, &err), FX_OK);
    assert_int_equal(v->dims[0], 6);
    assert_int_equal(v->dims[2], 3);
    assert_int_equal(check_ramp(v, 0.5 + 1e-3), fx_volume_count(v));
    fx_volume_free(v);
    fx_dicom_scan_free(scan);
}

static void a_corrupt_file_among_good_ones_is_skipped_and_counted(void **state)
{
    (void)state;
    char dir[300], path[400];
    double z[] = {0, 1, 2, 3};
    struct plane p[4];
    axial_planes(p, 4, z, 0, 0);
    struct stack st = {.rows = 4, .cols = 4, .dx = 1, .dy = 1};
    make_dir(dir, sizeof(dir), "corrupt");
    write_stack(dir, "c", &st, p, 4, NULL);
    snprintf(path, sizeof(path), "%s/c001b.dcm", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (int i = 0; i < 4000; i++)
        fputc((i * 7919) & 0xff, f);
    fclose(f);
    fx_dicom_scan *scan;
    const char *dp = dir;
    fx_error err;
    assert_int_equal(fx_dicom_scan_paths(&dp, 1, NULL, &scan, &err), FX_OK);
    assert_int_equal(fx_dicom_scan_count(scan), 1);
    assert_int_equal(fx_dicom_scan_skipped(scan), 1);
    assert_string_equal(fx_dicom_scan_skipped_example(scan), path);
    fx_volume *v;
    assert_int_equal(fx_dicom_load_series(scan, 0, NULL, &v, NULL, &err), FX_OK);
    assert_int_equal(v->dims[2], 4);
    fx_volume_free(v);
    fx_dicom_scan_free(scan);
}

/* Debian's GDCM aborts the program on some broken files; they must be
 * refused before it sees them: cut copies of a good file at every 40 bytes
 * through its header, and a copy whose first VR is not a VR. */
static void truncated_or_garbled_files_are_skipped_not_fatal(void **state)
{
    (void)state;
    char dir[300], path[400], good[400];
    double z[] = {0, 1};
    struct plane p[2];
    axial_planes(p, 2, z, 0, 0);
    struct stack st = {.rows = 16, .cols = 16, .dx = 1, .dy = 1};
    make_dir(dir, sizeof(dir), "broken");
    write_stack(dir, "a", &st, p, 2, NULL);
    snprintf(good, sizeof(good), "%s/a000.dcm", dir);
    static unsigned char buf[1 << 16];
    FILE *f = fopen(good, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof(buf), f), made = 0;
    fclose(f);
    for (size_t cut = 0; cut < n - 1; cut += cut < 1500 ? 40 : 97) {
        snprintf(path, sizeof(path), "%s/z%05zu.dcm", dir, cut);
        f = fopen(path, "wb");
        fwrite(buf, 1, cut, f);
        fclose(f);
        made++;
    }
    memcpy(buf + 132 + 4, "Q?", 2); /* the first meta element's VR */
    snprintf(path, sizeof(path), "%s/zvr.dcm", dir);
    f = fopen(path, "wb");
    fwrite(buf, 1, n, f);
    fclose(f);
    fx_dicom_scan *scan;
    const char *dp = dir;
    fx_error err;
    assert_int_equal(fx_dicom_scan_paths(&dp, 1, NULL, &scan, &err), FX_OK);
    assert_int_equal(fx_dicom_scan_skipped(scan), (int)made + 1);
    assert_int_equal(fx_dicom_scan_series(scan, 0)->slices, 2);
    fx_dicom_scan_free(scan);
    void *px;
    size_t len;
    assert_int_equal(fx_dicom_decode_file(path, &px, &len, &err), FX_EFORMAT);
    assert_non_null(strstr(err.msg, path));
}

static void a_missing_position_tag_is_an_error_naming_file_and_tag(void **state)
{
    (void)state;
    char dir[300], bad[400];
    short hu[4] = {0, 0, 0, 0};
    double z[] = {0, 1, 2};
    struct plane p[3];
    axial_planes(p, 3, z, 0, 0);
    struct stack st = {.rows = 2, .cols = 2, .dx = 1, .dy = 1, .series_uid = "1.2.3.4"};
    make_dir(dir, sizeof(dir), "noipp");
    write_stack(dir, "g", &st, p, 3, NULL);
    snprintf(bad, sizeof(bad), "%s/g999.dcm", dir);
    fx_dicom_slice s = {.rows = 2, .columns = 2, .hu = hu, .iop = {1, 0, 0, 0, 1, 0},
                        .pixel_spacing = {1, 1}, .gantry_tilt_deg = NAN, .omit_ipp = 1,
                        .series_uid = "1.2.3.4"};
    fx_error err;
    assert_int_equal(fx_dicom_write_slice(bad, &s, &err), FX_OK);
    fx_volume *v;
    assert_int_not_equal(fx_dicom_load_path(dir, -1, NULL, &v, NULL, &err), FX_OK);
    assert_non_null(strstr(err.msg, bad));
    assert_non_null(strstr(err.msg, "(0020,0032)"));
}

static void duplicates_padding_and_rescale_are_handled_and_reported(void **state)
{
    (void)state;
    char dir[300];
    double z[] = {0, 2, 2, 4, 6};
    struct plane p[5];
    axial_planes(p, 5, z, 0, 0);
    struct stack st = {.rows = 8, .cols = 8, .dx = 1, .dy = 1, .slope = 2, .intercept = -1000,
                       .pad_every = 16};
    make_dir(dir, sizeof(dir), "dup");
    write_stack(dir, "d", &st, p, 5, NULL);
    fx_volume *v;
    fx_dicom_load_info info;
    fx_error err;
    assert_int_equal(fx_dicom_load_path(dir, -1, NULL, &v, &info, &err), FX_OK);
    assert_int_equal(info.duplicates, 1);
    assert_int_equal(v->dims[2], 4);
    assert_false(info.resampled);
    assert_true(info.slope == 2 && info.intercept == -1000);
    /* 4 of 64 pixels per kept plane are padding. */
    assert_int_equal(info.padding_masked, 4 * 4);
    size_t seen = check_ramp(v, 1.0 + 1e-3); /* slope 2: values rounded to even */
    assert_int_equal(seen, fx_volume_count(v) - 16);
    assert_true(fx_volume_get(v, 0, 0, 0) == FX_DICOM_OUTSIDE_HU);
    fx_volume_free(v);
}

static void compressed_series_load_the_same_as_uncompressed(void **state)
{
    (void)state;
    fx_dicom_ts tss[] = {FX_TS_JPEG2000_LOSSLESS, FX_TS_JPEGLS_LOSSLESS, FX_TS_RLE,
                         FX_TS_JPEG_LOSSLESS, FX_TS_IMPLICIT_LE};
    double z[] = {0, 3, 6};
    struct plane p[3];
    axial_planes(p, 3, z, -4, 2);
    for (size_t t = 0; t < sizeof(tss) / sizeof(tss[0]); t++) {
        char dir[300], name[32];
        struct stack st = {.rows = 10, .cols = 12, .dx = 0.5, .dy = 0.5, .ts = tss[t]};
        snprintf(name, sizeof(name), "ts%zu", t);
        make_dir(dir, sizeof(dir), name);
        write_stack(dir, "j", &st, p, 3, NULL);
        fx_volume *v;
        fx_error err;
        assert_int_equal(fx_volume_read(dir, &v, &err), FX_OK); /* a folder, by content */
        assert_int_equal(check_ramp(v, 0.5 + 1e-3), fx_volume_count(v));
        fx_volume_free(v);
    }
}

static void an_enhanced_multiframe_ct_with_shuffled_frames_loads(void **state)
{
    (void)state;
    enum { N = 6, R = 7, C = 9 };
    double z[N] = {5, 0, 15, 10, 25, 20}; /* frames out of order */
    short hu[N][R * C];
    fx_dicom_slice f[N];
    for (int k = 0; k < N; k++) {
        for (int j = 0; j < R; j++)
            for (int i = 0; i < C; i++)
                hu[k][j * C + i] = (short)nearbyint(ramp(fx_v3(-3 + 0.5 * i, 4 + 0.5 * j, z[k])));
        fx_dicom_slice s = {.rows = R, .columns = C, .hu = hu[k], .ipp = {-3, 4, z[k]},
                            .iop = {1, 0, 0, 0, 1, 0}, .pixel_spacing = {0.5, 0.5},
                            .slice_thickness_mm = 5, .gantry_tilt_deg = NAN, .slope = 1,
                            .intercept = -1024};
        f[k] = s;
    }
    char dir[300], path[400];
    make_dir(dir, sizeof(dir), "enhanced");
    snprintf(path, sizeof(path), "%s/mf.dcm", dir);
    fx_error err;
    assert_int_equal(fx_dicom_write_enhanced(path, f, N, &err), FX_OK);
    fx_dicom_scan *scan;
    const char *pp = path;
    assert_int_equal(fx_dicom_scan_paths(&pp, 1, NULL, &scan, &err), FX_OK);
    const fx_dicom_series *s = fx_dicom_scan_series(scan, 0);
    assert_true(s->multiframe);
    assert_int_equal(s->files, 1);
    assert_int_equal(s->slices, N);
    assert_true(s->uniform_spacing && fabs(s->spacing[2] - 5) < 1e-9);
    fx_volume *v;
    fx_dicom_load_info info;
    assert_int_equal(fx_dicom_load_series(scan, 0, NULL, &v, &info, &err), FX_OK);
    assert_false(info.resampled);
    assert_true(fabs(v->origin[2]) < 1e-9);
    assert_int_equal(check_ramp(v, 0.5 + 1e-3), fx_volume_count(v));
    fx_volume_free(v);
    fx_dicom_scan_free(scan);
}

/* Files as some archives store them: no 128-byte preamble and "DICM"; and
 * no file meta information at all (a bare implicit VR data set). */
static void files_without_preamble_or_meta_header_are_read(void **state)
{
    (void)state;
    double z[] = {0, 2, 4};
    struct plane p[3];
    axial_planes(p, 3, z, 1, 1);
    struct stack st = {.rows = 5, .cols = 6, .dx = 1, .dy = 1, .ts = FX_TS_IMPLICIT_LE};
    char dir[300], src[400], dst[400];
    make_dir(dir, sizeof(dir), "bare");
    write_stack(dir, "w", &st, p, 3, NULL);
    for (int m = 0; m < 3; m++) {
        snprintf(src, sizeof(src), "%s/w%03d.dcm", dir, m);
        snprintf(dst, sizeof(dst), "%s/bare%03d", dir, m);
        FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
        assert_true(in && out);
        static unsigned char buf[1 << 16];
        size_t n = fread(buf, 1, sizeof(buf), in), skip = 132;
        assert_memory_equal(buf + 128, "DICM", 4);
        if (m > 0) { /* drop the meta group too: its length is (0002,0000) */
            uint32_t meta;
            memcpy(&meta, buf + 132 + 8, 4);
            skip = 132 + 12 + meta;
        }
        fwrite(buf + skip, 1, n - skip, out);
        fclose(in);
        fclose(out);
        unlink(src);
    }
    fx_volume *v;
    fx_error err;
    assert_int_equal(fx_volume_read(dir, &v, &err), FX_OK);
    assert_int_equal(v->dims[2], 3);
    assert_int_equal(check_ramp(v, 0.5 + 1e-3), fx_volume_count(v));
    fx_volume_free(v);
    snprintf(dst, sizeof(dst), "%s/bare000", dir);
    assert_int_equal(fx_volume_read(dst, &v, &err), FX_OK); /* one file, by content */
    fx_volume_free(v);
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[700];
    if (!d)
        return;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
            if (unlink(p))
                remove_tree(p);
        }
    closedir(d);
    rmdir(dir);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    remove_tree(tmpdir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_shuffled_oblique_series_loads_sorted_by_position),
        cmocka_unit_test(a_tilted_stack_is_resampled_onto_an_orthogonal_grid),
        cmocka_unit_test(uneven_and_missing_slices_are_resampled_and_said_so),
        cmocka_unit_test(several_series_in_one_folder_are_told_apart),
        cmocka_unit_test(a_corrupt_file_among_good_ones_is_skipped_and_counted),
        cmocka_unit_test(truncated_or_garbled_files_are_skipped_not_fatal),
        cmocka_unit_test(a_missing_position_tag_is_an_error_naming_file_and_tag),
        cmocka_unit_test(duplicates_padding_and_rescale_are_handled_and_reported),
        cmocka_unit_test(compressed_series_load_the_same_as_uncompressed),
        cmocka_unit_test(an_enhanced_multiframe_ct_with_shuffled_frames_loads),
        cmocka_unit_test(files_without_preamble_or_meta_header_are_read),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
