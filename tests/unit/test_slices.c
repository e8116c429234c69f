/*
 * test_slices.c - slice images through a point: the pixel -> mm mapping
 * against the volume's own geometry worked out by hand, and the scale bar.
 *
 * The volume: 40 x 50 x 30 voxels of 0.7 x 0.9 x 2.5 mm, origin (10, -20, 5),
 * index axis i along +y (posterior), j along -x (right), k along +z. One
 * bright voxel at (i, j, k) = (20, 25, 12) lies, by hand, at
 *   x = 10 - 25 * 0.9 = -12.5,  y = -20 + 20 * 0.7 = -6,  z = 5 + 12 * 2.5 = 35.
 At 0.25 mm/px and a 40 mm field (161 px, the slice point at pixel 80) the
 * display convention in slices.h puts it at
 *   axial through (-10, -5, 35) (column +x, row +y):
 *       (u, v) = (80 + (-12.5 + 10) / 0.25, 80 + (-6 + 5) / 0.25) = (70, 76)
 *   coronal through (-10, -6, 33) (column +x, row -z): (70, 80 - 2 / 0.25) = (70, 72)
 *   sagittal through (-12.5, -5, 33) (column +y, row -z): (80 - 1 / 0.25, 72) = (76, 72)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "fxaudit/slices.h"

static fx_volume *marker_volume(void)
{
    int dims[3] = {40, 50, 30};
    fx_volume *v = NULL;
    assert_int_equal(fx_volume_new(dims, FX_VOX_I16, &v, NULL), 0);
    double dir[9] = {0, -1, 0, 1, 0, 0, 0, 0, 1}; /* row-major; columns are the axes */
    for (int i = 0; i < 9; i++)
        v->dir[i] = dir[i];
    v->spacing[0] = 0.7, v->spacing[1] = 0.9, v->spacing[2] = 2.5;
    v->origin[0] = 10, v->origin[1] = -20, v->origin[2] = 5;
    int16_t *d = v->data;
    for (size_t i = 0; i < fx_volume_count(v); i++)
        d[i] = -1000;
    d[20 + 40 * (25 + 50 * 12)] = 3000;
    return v;
}

/* Intensity-weighted centroid of the grey pixels brighter than black. */
static void centroid(const fx_slice_image *im, double *u, double *v)
{
    double s = 0, su = 0, sv = 0;
    for (int y = 0; y < im->map.height; y++)
        for (int x = 0; x < im->map.width; x++) {
            const uint8_t *p = im->rgb + 3 * ((size_t)y * im->map.width + x);
            if (p[0] == p[2] && p[0] > 0) {
                s += p[0], su += p[0] * x, sv += p[0] * y;
            }
        }
    assert_true(s > 0);
    *u = su / s, *v = sv / s;
}

static void the_marker_voxel_appears_where_the_hand_calculation_puts_it(void **state)
{
    (void)state;
    fx_volume *vol = marker_volume();
    fx_slice_opts o;
    fx_slice_opts_default(&o);
    o.mm_per_px = 0.25, o.field_mm = 40, o.window_hu = 4000, o.level_hu = 1000;
    const double want[3][2] = {{70, 76}, {70, 72}, {76, 72}};
    const fx_vec3 through[3] = {{-10, -5, 35}, {-10, -6, 33}, {-12.5, -5, 33}};
    for (int p = 0; p < 3; p++) {
        fx_slice_image *im = NULL;
        assert_int_equal(fx_slice_render(vol, p, through[p], &o, NULL, &im, NULL), 0);
        assert_int_equal(im->map.width, 161);
        assert_int_equal(im->map.height, 161);
        double u, v;
        centroid(im, &u, &v);
        assert_float_equal(u, want[p][0], 0.05);
        assert_float_equal(v, want[p][1], 0.05);
        fx_vec3 w = fx_slice_px_to_mm(&im->map, want[p][0], want[p][1]);
        assert_float_equal(w.x, -12.5, 1e-9);
        assert_float_equal(w.y, -6, 1e-9);
        assert_float_equal(w.z, 35, 1e-9);
        fx_slice_image_free(im);
    }
    fx_volume_free(vol);
}

static void pixel_zero_is_half_a_field_from_the_point_along_each_image_axis(void **state)
{
    (void)state;
    fx_slice_opts o;
    fx_slice_opts_default(&o); /* 0.5 mm/px, 128 mm: 257 px, point at 128 */
    fx_slice_map m;
    assert_int_equal(fx_slice_map_make(FX_SLICE_SAGITTAL, fx_v3(1, 2, 3), &o, &m, NULL), 0);
    assert_int_equal(m.width, 257);
    /* sagittal: column +y, row -z, so pixel (0, 0) is 64 mm anterior, 64 mm up */
    fx_vec3 w = fx_slice_px_to_mm(&m, 0, 0);
    assert_float_equal(w.x, 1, 1e-12);
    assert_float_equal(w.y, 2 - 64, 1e-12);
    assert_float_equal(w.z, 3 + 64, 1e-12);
    assert_string_equal(m.left, "A");
    assert_string_equal(m.bottom, "I");
}

static void the_scale_bar_is_its_length_over_the_pixel_size_in_yellow_pixels(void **state)
{
    (void)state;
    fx_volume *vol = marker_volume();
    fx_slice_opts o;
    fx_slice_opts_default(&o);
    o.mm_per_px = 0.4, o.field_mm = 100; /* bar: largest 1-2-5 <= 25 mm = 20 mm = 50 px */
    fx_slice_image *im = NULL;
    assert_int_equal(fx_slice_render(vol, FX_SLICE_AXIAL, fx_v3(0, 0, 30), &o, NULL, &im, NULL), 0);
    assert_float_equal(im->map.bar_mm, 20, 0);
    assert_int_equal(im->map.bar_px, 50);
    int longest = 0;
    for (int y = im->map.height / 2; y < im->map.height; y++) { /* the lower half */
        int run = 0;
        for (int x = 0; x < im->map.width; x++) {
            const uint8_t *p = im->rgb + 3 * ((size_t)y * im->map.width + x);
            run = (p[0] == 255 && p[1] == 255 && p[2] == 0) ? run + 1 : 0;
            longest = run > longest ? run : longest;
        }
    }
    assert_int_equal(longest, 50);
    fx_slice_image_free(im);
    fx_volume_free(vol);
}

static void a_pixel_size_of_zero_is_refused(void **state)
{
    (void)state;
    fx_slice_opts o;
    fx_slice_opts_default(&o);
    o.mm_per_px = 0;
    fx_slice_map m;
    fx_error err = {0};
    assert_true(fx_slice_map_make(FX_SLICE_AXIAL, fx_v3(0, 0, 0), &o, &m, &err) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_marker_voxel_appears_where_the_hand_calculation_puts_it),
        cmocka_unit_test(pixel_zero_is_half_a_field_from_the_point_along_each_image_axis),
        cmocka_unit_test(the_scale_bar_is_its_length_over_the_pixel_size_in_yellow_pixels),
        cmocka_unit_test(a_pixel_size_of_zero_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
