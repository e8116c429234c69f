/*
 * test_dicom_write.c - the DICOM writer: what it writes is read back through
 * GDCM's own parser and decoders, tag by tag, against the volume it was given.
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
#include <unistd.h>

#include "dicom_gdcm.h"
#include "fxaudit/dicom.h"

static char tmpdir[] = "/tmp/fxdcmw.XXXXXX";

static fx_volume *oblique_ramp(void)
{
    int dims[3] = {6, 4, 5};
    fx_volume *v;
    fx_error err;
    assert_int_equal(fx_volume_new(dims, FX_VOX_I16, &v, &err), FX_OK);
    double c = cos(0.3), s = sin(0.3);
    double dir[9] = {c, 0, s, 0, 1, 0, -s, 0, c}; /* rotation about y */
    memcpy(v->dir, dir, sizeof(dir));
    v->spacing[0] = 0.8, v->spacing[1] = 0.9, v->spacing[2] = 2.5;
    v->origin[0] = -100.25, v->origin[1] = 50.5, v->origin[2] = 12.125;
    for (size_t i = 0; i < fx_volume_count(v); i++)
        ((int16_t *)v->data)[i] = (int16_t)((int)i * 53 - 1100);
    return v;
}

static void a_written_series_reads_back_with_its_geometry_and_pixels(void **state)
{
    (void)state;
    char dir[300], path[400], series0[65] = "", sop0[65] = "";
    fx_volume *v = oblique_ramp();
    fx_dicom_write_meta meta = {.patient_name = "PHANTOM^P01", .patient_id = "P01",
                                .series_number = 3};
    fx_error err;
    snprintf(dir, sizeof(dir), "%s/series", tmpdir);
    assert_int_equal(fx_dicom_write_series(dir, v, &meta, NULL, &err), FX_OK);
    void *buf = NULL;
    size_t cap = 0;
    for (int k = 0; k < v->dims[2]; k++) {
        fx_gdcm_header h;
        size_t len;
        int bits, sgn;
        snprintf(path, sizeof(path), "%s/IM%05d.dcm", dir, k + 1);
        assert_int_equal(fx_gdcm_read_header(path, &h, &err), FX_OK);
        assert_string_equal(h.sop_class, "1.2.840.10008.5.1.4.1.1.2");
        assert_string_equal(h.modality, "CT");
        assert_string_equal(h.patient_name, "PHANTOM^P01");
        assert_int_equal(h.rows, 4);
        assert_int_equal(h.columns, 6);
        assert_int_equal(h.instance_number, k + 1);
        assert_int_equal(h.series_number, 3);
        assert_true(h.has_ipp && h.has_iop && h.has_spacing);
        fx_vec3 p = fx_volume_index_to_world(v, fx_v3(0, 0, k));
        assert_true(fabs(h.ipp[0] - p.x) < 1e-4 && fabs(h.ipp[1] - p.y) < 1e-4 &&
                    fabs(h.ipp[2] - p.z) < 1e-4);
        for (int r = 0; r < 3; r++) {
            assert_true(fabs(h.iop[r] - v->dir[3 * r]) < 1e-6);
            assert_true(fabs(h.iop[3 + r] - v->dir[3 * r + 1]) < 1e-6);
        }
        /* Pixel Spacing is (between rows, between columns). */
        assert_true(fabs(h.pixel_spacing[0] - 0.9) < 1e-9 && fabs(h.pixel_spacing[1] - 0.8) < 1e-9);
        assert_true(fabs(h.slice_thickness - 2.5) < 1e-9 && fabs(h.spacing_between - 2.5) < 1e-9);
        assert_true(h.slope == 1 && h.intercept == 0);
        if (k == 0) {
            memcpy(series0, h.series_uid, sizeof(series0));
            memcpy(sop0, h.sop_class, sizeof(sop0));
            assert_true(strlen(series0) > 10);
        } else {
            assert_string_equal(h.series_uid, series0);
        }
        assert_int_equal(fx_gdcm_read_pixels(path, &buf, &cap, &len, &bits, &sgn, &err), FX_OK);
        assert_int_equal(len, 6 * 4 * 2);
        assert_int_equal(bits, 16);
        assert_memory_equal(buf, (int16_t *)v->data + k * 24, len);
        free(h.frame_ipp);
    }
    free(buf);
    fx_volume_free(v);
}

static void every_writable_transfer_syntax_decodes_to_the_same_pixels(void **state)
{
    (void)state;
    fx_dicom_ts tss[] = {FX_TS_EXPLICIT_LE, FX_TS_IMPLICIT_LE, FX_TS_RLE, FX_TS_JPEG_LOSSLESS,
                         FX_TS_JPEG2000_LOSSLESS, FX_TS_JPEGLS_LOSSLESS};
    const char *names[] = {"explicit VR little endian", "implicit VR little endian",
                           "RLE lossless", "JPEG lossless SV1", "JPEG 2000 lossless",
                           "JPEG-LS lossless"};
    short hu[64];
    for (int i = 0; i < 64; i++)
        hu[i] = (short)(i * i * 7 - 1000);
    void *buf = NULL;
    size_t cap = 0;
    for (size_t t = 0; t < sizeof(tss) / sizeof(tss[0]); t++) {
        fx_dicom_slice s = {.rows = 8, .columns = 8, .hu = hu, .iop = {1, 0, 0, 0, 1, 0},
                            .pixel_spacing = {1, 1}, .gantry_tilt_deg = NAN,
                            .slope = 1, .intercept = -1024, .ts = tss[t]};
        char path[300];
        fx_gdcm_header h;
        fx_error err;
        size_t len;
        int bits, sgn;
        snprintf(path, sizeof(path), "%s/ts%zu.dcm", tmpdir, t);
        assert_int_equal(fx_dicom_write_slice(path, &s, &err), FX_OK);
        assert_int_equal(fx_gdcm_read_header(path, &h, &err), FX_OK);
        assert_string_equal(h.ts_name, names[t]);
        assert_true(h.intercept == -1024);
        assert_int_equal(fx_gdcm_read_pixels(path, &buf, &cap, &len, &bits, &sgn, &err), FX_OK);
        for (int i = 0; i < 64; i++)
            assert_int_equal(((int16_t *)buf)[i] + (int)h.intercept, hu[i]);
        free(h.frame_ipp);
    }
    free(buf);
}

static void a_slice_can_be_written_broken_or_with_empty_uids(void **state)
{
    (void)state;
    short hu[4] = {0, 1, 2, 3};
    fx_dicom_slice s = {.rows = 2, .columns = 2, .hu = hu, .iop = {1, 0, 0, 0, 1, 0},
                        .pixel_spacing = {1, 1}, .gantry_tilt_deg = 12.5, .omit_ipp = 1,
                        .series_uid = "", .study_uid = ""};
    char path[300];
    fx_gdcm_header h;
    fx_error err;
    snprintf(path, sizeof(path), "%s/broken.dcm", tmpdir);
    assert_int_equal(fx_dicom_write_slice(path, &s, &err), FX_OK);
    assert_int_equal(fx_gdcm_read_header(path, &h, &err), FX_OK);
    assert_false(h.has_ipp);
    assert_true(h.has_iop);
    assert_string_equal(h.series_uid, "");
    assert_true(fabs(h.gantry_tilt_deg - 12.5) < 1e-9);
    free(h.frame_ipp);
}

static void a_file_that_is_not_dicom_is_refused_by_name(void **state)
{
    (void)state;
    char path[300];
    fx_gdcm_header h;
    fx_error err;
    snprintf(path, sizeof(path), "%s/not.dcm", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("hello, this is text and no DICOM at all\n", f);
    fclose(f);
    assert_int_equal(fx_gdcm_read_header(path, &h, &err), FX_EFORMAT);
    assert_non_null(strstr(err.msg, path));
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[600];
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

static int teardown(void **state)
{
    (void)state;
    remove_tree(tmpdir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_written_series_reads_back_with_its_geometry_and_pixels),
        cmocka_unit_test(every_writable_transfer_syntax_decodes_to_the_same_pixels),
        cmocka_unit_test(a_slice_can_be_written_broken_or_with_empty_uids),
        cmocka_unit_test(a_file_that_is_not_dicom_is_refused_by_name),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
