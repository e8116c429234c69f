/*
 * test_volio.c - NRRD and NIfTI-1 volumes: geometry carried into LPS against
 * hand calculations and against a header read independently with Python's
 * struct module, round trips, and errors that name the file and the field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fxaudit/volio.h"

static char tmpdir[] = "/tmp/fxvolio.XXXXXX";

static void path_in_tmp(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", tmpdir, name);
}

static fx_volume *oblique_volume(fx_voxel_type type)
{
    int dims[3] = {7, 5, 4};
    fx_volume *v;
    fx_error err;
    assert_int_equal(fx_volume_new(dims, type, &v, &err), FX_OK);
    /* A rotation of 30 degrees about z, spacing and origin with no short
     * decimal form, so that a lossy printout would show. */
    double c = cos(M_PI / 6), s = sin(M_PI / 6);
    double dir[9] = {c, -s, 0, s, c, 0, 0, 0, 1};
    memcpy(v->dir, dir, sizeof(dir));
    v->spacing[0] = 0.7031249876, v->spacing[1] = 0.7031249876, v->spacing[2] = 1.25;
    v->origin[0] = -123.456789012, v->origin[1] = 98.7654321, v->origin[2] = -0.1;
    for (size_t i = 0; i < fx_volume_count(v); i++) {
        switch (type) {
        case FX_VOX_I16: ((int16_t *)v->data)[i] = (int16_t)(i * 37 % 4000 - 1024); break;
        case FX_VOX_U8: ((uint8_t *)v->data)[i] = (uint8_t)(i * 7); break;
        case FX_VOX_U16: ((uint16_t *)v->data)[i] = (uint16_t)(i * 911); break;
        case FX_VOX_F32: ((float *)v->data)[i] = (float)i / 3.0f; break;
        }
    }
    return v;
}

static void assert_same_volume(const fx_volume *a, const fx_volume *b)
{
    assert_int_equal(a->type, b->type);
    assert_memory_equal(a->dims, b->dims, sizeof(a->dims));
    for (int c = 0; c < 3; c++) {
        assert_true(fabs(a->spacing[c] - b->spacing[c]) < 1e-12);
        assert_true(fabs(a->origin[c] - b->origin[c]) < 1e-12);
    }
    for (int k = 0; k < 9; k++)
        assert_true(fabs(a->dir[k] - b->dir[k]) < 1e-12);
    assert_memory_equal(a->data, b->data, fx_volume_count(a) * fx_voxel_size(a->type));
}

static void nrrd_round_trip_keeps_geometry_and_voxels_raw_and_gzip(void **state)
{
    (void)state;
    fx_voxel_type types[] = {FX_VOX_I16, FX_VOX_U8, FX_VOX_U16, FX_VOX_F32};
    char path[256];
    fx_error err;
    for (size_t t = 0; t < 4; t++)
        for (int gz = 0; gz < 2; gz++) {
            fx_volume *v = oblique_volume(types[t]), *w = NULL;
            path_in_tmp(path, sizeof(path), "rt.nrrd");
            assert_int_equal(fx_nrrd_write(path, v, gz, &err), FX_OK);
            assert_int_equal(fx_nrrd_read(path, &w, &err), FX_OK);
            assert_same_volume(v, w);
            /* the by-content reader finds the same thing */
            fx_volume_free(w);
            assert_int_equal(fx_volume_read(path, &w, &err), FX_OK);
            assert_same_volume(v, w);
            fx_volume_free(v);
            fx_volume_free(w);
        }
}

static void write_text(const char *path, const char *text, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    if (n)
        fwrite(data, 1, n, f);
    fclose(f);
}

static void a_ras_nrrd_is_read_into_lps(void **state)
{
    (void)state;
    char path[256];
    int16_t px[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    fx_volume *v;
    fx_error err;
    path_in_tmp(path, sizeof(path), "ras.nrrd");
    write_text(path,
               "NRRD0004\ntype: short\ndimension: 3\nspace: right-anterior-superior\n"
               "sizes: 2 2 2\nspace directions: (0,2,0) (-3,0,0) (0,0,4)\nendian: little\n"
               "encoding: raw\nspace origin: (10,20,30)\n\n", px, sizeof(px));
    assert_int_equal(fx_volume_read(path, &v, &err), FX_OK);
    /* By hand: LPS = (-R, -A, S). Axis 0 is RAS (0,1,0) -> LPS (0,-1,0),
     * axis 1 is RAS (-1,0,0) -> LPS (1,0,0); origin (-10,-20,30). */
    double want_dir[9] = {0, 1, 0, -1, 0, 0, 0, 0, 1};
    for (int k = 0; k < 9; k++)
        assert_true(fabs(v->dir[k] - want_dir[k]) < 1e-15);
    assert_true(v->spacing[0] == 2 && v->spacing[1] == 3 && v->spacing[2] == 4);
    assert_true(v->origin[0] == -10 && v->origin[1] == -20 && v->origin[2] == 30);
    fx_vec3 w = fx_volume_index_to_world(v, fx_v3(1, 1, 1));
    assert_true(fabs(w.x - (-10 + 3)) < 1e-12 && fabs(w.y - (-20 - 2)) < 1e-12 &&
                fabs(w.z - 34) < 1e-12);
    assert_int_equal(((int16_t *)v->data)[7], 8);
    fx_volume_free(v);
}

static void a_big_endian_nrrd_is_swapped(void **state)
{
    (void)state;
    char path[256];
    uint8_t be[4] = {0x01, 0x02, 0xff, 0xfe}; /* 258 and -2 big-endian */
    fx_volume *v;
    fx_error err;
    path_in_tmp(path, sizeof(path), "be.nrrd");
    write_text(path, "NRRD0004\ntype: short\ndimension: 3\nsizes: 2 1 1\nendian: big\n"
                     "encoding: raw\n\n", be, sizeof(be));
    assert_int_equal(fx_nrrd_read(path, &v, &err), FX_OK);
    assert_int_equal(((int16_t *)v->data)[0], 258);
    assert_int_equal(((int16_t *)v->data)[1], -2);
    fx_volume_free(v);
}

static void nrrd_errors_name_the_file_and_the_field(void **state)
{
    (void)state;
    char path[256];
    int16_t px[2] = {0, 0};
    fx_volume *v;
    fx_error err;
    path_in_tmp(path, sizeof(path), "short.nrrd");
    write_text(path, "NRRD0004\ntype: short\ndimension: 3\nsizes: 2 2 2\nencoding: raw\n\n",
               px, sizeof(px));
    assert_int_equal(fx_nrrd_read(path, &v, &err), FX_EFORMAT);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "shorter"));
    assert_null(v);
    write_text(path, "NRRD0004\ntype: short\ndimension: 3\nencoding: raw\n\n", NULL, 0);
    assert_int_equal(fx_nrrd_read(path, &v, &err), FX_EFORMAT);
    assert_non_null(strstr(err.msg, "'sizes'"));
    write_text(path, "NRRD0004\ntype: double\ndimension: 3\nsizes: 1 1 1\nencoding: raw\n\n",
               NULL, 0);
    assert_int_equal(fx_nrrd_read(path, &v, &err), FX_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "'type'"));
    write_text(path, "NRRD0004\ntype: short\ndimension: 3\nsizes: 1 1 1\nencoding: bzip2\n\n",
               NULL, 0);
    assert_int_equal(fx_nrrd_read(path, &v, &err), FX_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "'encoding'"));
}

static void a_failed_nrrd_write_leaves_no_file(void **state)
{
    (void)state;
    fx_volume *v = oblique_volume(FX_VOX_I16);
    fx_error err;
    /* A folder that does not exist: nothing may appear anywhere. */
    assert_int_equal(fx_nrrd_write("/nonexistent-fx/x.nrrd", v, 1, &err), FX_EIO);
    assert_int_not_equal(access("/nonexistent-fx/x.nrrd", F_OK), 0);
    fx_volume_free(v);
}

/* A NIfTI-1 header with a qform, written byte by byte. */
static void write_nifti_qform(const char *path, int16_t datatype, const void *data, size_t n,
                              float slope, float inter)
{
    uint8_t h[352] = {0};
    int32_t sizeof_hdr = 348;
    int16_t dim[8] = {3, 2, 2, 2, 1, 1, 1, 1}, bitpix = datatype == 4 ? 16 : 8, one = 1;
    float pixdim[8] = {-1, 2, 3, 4, 1, 1, 1, 1}, off = 352;
    /* 90 degrees about z: a = cos 45, d = sin 45, b = c = 0. */
    float quat[6] = {0, 0, (float)sin(M_PI / 4), 10, 20, 30};
    memcpy(h, &sizeof_hdr, 4);
    memcpy(h + 40, dim, 16);
    memcpy(h + 70, &datatype, 2);
    memcpy(h + 72, &bitpix, 2);
    memcpy(h + 76, pixdim, 32);
    memcpy(h + 108, &off, 4);
    memcpy(h + 112, &slope, 4);
    memcpy(h + 116, &inter, 4);
    memcpy(h + 252, &one, 2); /* qform_code 1, sform_code 0 */
    memcpy(h + 256, quat, 24);
    memcpy(h + 344, "n+1", 4);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite(h, 1, sizeof(h), f);
    fwrite(data, 1, n, f);
    fclose(f);
}

static void nifti_qform_with_negative_qfac_maps_to_lps_by_hand(void **state)
{
    (void)state;
    char path[256];
    int16_t raw[8] = {0, 1, 2, 3, 4, 5, 6, -7};
    fx_volume *v;
    fx_error err;
    path_in_tmp(path, sizeof(path), "q.nii");
    write_nifti_qform(path, 4, raw, sizeof(raw), 2.0f, -10.0f);
    assert_int_equal(fx_volume_read(path, &v, &err), FX_OK);
    /* R = [[0,-1,0],[1,0,0],[0,0,1]], qfac -1: RAS columns (0,1,0), (-1,0,0),
     * (0,0,-1); LPS negates x and y. */
    double want[9] = {0, 1, 0, -1, 0, 0, 0, 0, -1};
    for (int k = 0; k < 9; k++)
        assert_true(fabs(v->dir[k] - want[k]) < 1e-6);
    assert_true(fabs(v->spacing[0] - 2) < 1e-6 && fabs(v->spacing[2] - 4) < 1e-6);
    assert_true(v->origin[0] == -10 && v->origin[1] == -20 && v->origin[2] == 30);
    assert_int_equal(v->type, FX_VOX_I16);
    assert_int_equal(((int16_t *)v->data)[3], 2 * 3 - 10);
    assert_int_equal(((int16_t *)v->data)[7], 2 * -7 - 10);
    fx_volume_free(v);
}

static void nifti_fractional_scaling_gives_float(void **state)
{
    (void)state;
    char path[256];
    uint8_t raw[8] = {0, 1, 2, 3, 4, 5, 6, 255};
    fx_volume *v;
    fx_error err;
    path_in_tmp(path, sizeof(path), "u8.nii");
    write_nifti_qform(path, 2, raw, sizeof(raw), 0.5f, 1.0f);
    assert_int_equal(fx_nifti_read(path, &v, &err), FX_OK);
    assert_int_equal(v->type, FX_VOX_F32);
    assert_true(((float *)v->data)[1] == 1.5f && ((float *)v->data)[7] == 128.5f);
    fx_volume_free(v);
}

/* Truth from the header read once with Python's struct module (recorded in
 * docs/dicom-import.md): datatype 8 (int32), dim 122 101 112, pixdim 3 3 3,
 * sform_code 2 with srow diagonal 3 and offsets (-177.95632934570312,
 * 11.319000244140625, 94.3017578125) RAS; scl_slope 1, inter 0; data min
 * -1207, max 3382, 529 voxels >= 2000. */
static void example_ct_nifti_has_the_geometry_read_independently(void **state)
{
    (void)state;
    const char *root = getenv("FXAUDIT_SHARED_DATA");
    char path[1024];
    fx_volume *v;
    fx_error err;
    snprintf(path, sizeof(path), "%s/volumes/example_ct.nii.gz", root ? root : "");
    assert_int_equal(fx_volume_read(path, &v, &err), FX_OK);
    assert_int_equal(v->dims[0], 122);
    assert_int_equal(v->dims[1], 101);
    assert_int_equal(v->dims[2], 112);
    assert_int_equal(v->type, FX_VOX_I16);
    for (int c = 0; c < 3; c++)
        assert_true(fabs(v->spacing[c] - 3) < 1e-6);
    assert_true(fabs(v->origin[0] - 177.95632934570312) < 1e-4);
    assert_true(fabs(v->origin[1] + 11.319000244140625) < 1e-4);
    assert_true(fabs(v->origin[2] - 94.3017578125) < 1e-4);
    double want[9] = {-1, 0, 0, 0, -1, 0, 0, 0, 1};
    for (int k = 0; k < 9; k++)
        assert_true(fabs(v->dir[k] - want[k]) < 1e-12);
    double lo, hi;
    fx_volume_range(v, &lo, &hi);
    assert_true(lo == -1207 && hi == 3382);
    size_t metal = 0;
    for (size_t i = 0; i < fx_volume_count(v); i++)
        metal += ((int16_t *)v->data)[i] >= 2000;
    assert_int_equal(metal, 529);
    fx_volume_free(v);
}

static void an_unknown_file_is_refused_by_name(void **state)
{
    (void)state;
    char path[256];
    fx_volume *v;
    fx_error err;
    path_in_tmp(path, sizeof(path), "junk.nii");
    write_text(path, "this is not an image at all, just some words to fill a file", NULL, 0);
    assert_int_not_equal(fx_volume_read(path, &v, &err), FX_OK);
    assert_non_null(strstr(err.msg, path));
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    const char *names[] = {"rt.nrrd", "ras.nrrd", "be.nrrd", "short.nrrd", "q.nii", "u8.nii",
                           "junk.nii"};
    char path[256];
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        path_in_tmp(path, sizeof(path), names[i]);
        unlink(path);
    }
    return rmdir(tmpdir);
}

static int have_example_ct(void)
{
    const char *root = getenv("FXAUDIT_SHARED_DATA");
    char path[1024];
    snprintf(path, sizeof(path), "%s/volumes/example_ct.nii.gz", root ? root : "");
    if (root && !access(path, R_OK))
        return 1;
    /* cmocka reports skip() as "not ok # SKIP", which automake counts as a
     * failure; so the test is left out, saying why. */
    printf("# skipping the example_ct test: %s is absent (set FXAUDIT_SHARED_DATA)\n", path);
    return 0;
}

int main(void)
{
    struct CMUnitTest tests[] = {
        cmocka_unit_test(nrrd_round_trip_keeps_geometry_and_voxels_raw_and_gzip),
        cmocka_unit_test(a_ras_nrrd_is_read_into_lps),
        cmocka_unit_test(a_big_endian_nrrd_is_swapped),
        cmocka_unit_test(nrrd_errors_name_the_file_and_the_field),
        cmocka_unit_test(a_failed_nrrd_write_leaves_no_file),
        cmocka_unit_test(nifti_qform_with_negative_qfac_maps_to_lps_by_hand),
        cmocka_unit_test(nifti_fractional_scaling_gives_float),
        cmocka_unit_test(example_ct_nifti_has_the_geometry_read_independently),
        cmocka_unit_test(an_unknown_file_is_refused_by_name),
    };
    size_t n = sizeof(tests) / sizeof(tests[0]);
    if (!have_example_ct()) {
        tests[7] = tests[n - 1];
        n--;
    }
    return _cmocka_run_group_tests("tests", tests, n, setup, teardown);
}
