/*
 * test_segment.c - thresholds, connected parts, distances, morphology, hole
 * filling and fragment splitting on small volumes whose answers are counted
 * by hand or by brute force over the grid.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/segment.h"

static fx_volume *mask_new(int nx, int ny, int nz, double sx, double sy, double sz)
{
    fx_volume *v;
    int dims[3] = {nx, ny, nz};
    assert_int_equal(fx_volume_new(dims, FX_VOX_U8, &v, NULL), 0);
    v->spacing[0] = sx, v->spacing[1] = sy, v->spacing[2] = sz;
    return v;
}

static uint8_t *at(fx_volume *v, int i, int j, int k)
{
    return (uint8_t *)v->data + i + (size_t)v->dims[0] * (j + (size_t)v->dims[1] * k);
}

static void box(fx_volume *v, int i0, int j0, int k0, int i1, int j1, int k1)
{
    for (int k = k0; k <= k1; k++)
        for (int j = j0; j <= j1; j++)
            for (int i = i0; i <= i1; i++)
                *at(v, i, j, k) = 1;
}

static size_t count(const fx_volume *v)
{
    size_t c = 0;
    for (size_t i = 0; i < fx_volume_count(v); i++)
        c += ((const uint8_t *)v->data)[i] != 0;
    return c;
}

static void the_bone_preset_keeps_226_to_3071_hu_inclusive(void **state)
{
    (void)state;
    int dims[3] = {6, 1, 1};
    fx_volume *v, *m;
    const int16_t hu[6] = {-1000, 225, 226, 1500, 3071, 3072};
    assert_int_equal(fx_volume_new(dims, FX_VOX_I16, &v, NULL), 0);
    memcpy(v->data, hu, sizeof(hu));
    assert_int_equal(fx_segment_threshold(v, FX_BONE_HU_MIN, FX_BONE_HU_MAX, &m, NULL), 0);
    const uint8_t want[6] = {0, 0, 1, 1, 1, 0};
    assert_memory_equal(m->data, want, 6);
    fx_volume_free(m);
    assert_int_equal(fx_segment_threshold(v, FX_METAL_HU_MIN, 32767, &m, NULL), 0);
    assert_int_equal(count(m), 2);
    fx_volume_free(m);
    assert_int_not_equal(fx_segment_threshold(v, 10, 5, &m, NULL), 0);
    fx_volume_free(v);
}

static void cubes_touching_at_an_edge_or_a_corner_join_only_under_the_right_connectivity(
    void **state)
{
    (void)state;
    /* A: 3x3x3 at the origin; B: 2x2x2 sharing only an edge with A;
     * C: a single voxel sharing only a corner with A. */
    fx_volume *v = mask_new(12, 12, 12, 1, 1, 1), *lab;
    fx_segment_part *p;
    size_t n;
    box(v, 0, 0, 0, 2, 2, 2);
    box(v, 3, 3, 0, 4, 4, 1);
    box(v, 3, 3, 3, 3, 3, 3);
    const size_t want[3] = {3, 2, 1};
    const int conn[3] = {6, 18, 26};
    for (int c = 0; c < 3; c++) {
        assert_int_equal(fx_segment_components(v, conn[c], 0, &lab, &p, &n, NULL), 0);
        assert_int_equal(n, want[c]);
        assert_int_equal(p[0].label, 1);
        free(p);
        fx_volume_free(lab);
    }
    assert_int_equal(fx_segment_components(v, 6, 0, &lab, &p, &n, NULL), 0);
    assert_int_equal(p[0].voxels, 27);
    assert_int_equal(p[1].voxels, 8);
    assert_int_equal(p[2].voxels, 1);
    assert_int_equal(((uint16_t *)lab->data)[0], 1);
    free(p);
    fx_volume_free(lab);
    /* With 0.5 x 1 x 2 mm voxels (1 mm^3) a 2 mm^3 floor drops the single voxel. */
    v->spacing[0] = 0.5, v->spacing[2] = 2;
    assert_int_equal(fx_segment_components(v, 6, 2.0, &lab, &p, &n, NULL), 0);
    assert_int_equal(n, 2);
    assert_true(fabs(p[1].volume_mm3 - 8) < 1e-12);
    assert_int_equal(*((uint16_t *)lab->data + 3 + 12 * (3 + 12 * 3)), 0);
    free(p);
    fx_volume_free(lab);
    assert_int_not_equal(fx_segment_components(v, 8, 0, &lab, &p, &n, NULL), 0);
    fx_volume_free(v);
}

static void distances_on_an_anisotropic_grid_are_euclidean_millimetres(void **state)
{
    (void)state;
    fx_volume *v = mask_new(17, 13, 9, 0.5, 1.25, 2.0), *D;
    /* Two object voxels: the distance is the smaller Euclidean one. */
    *at(v, 3, 4, 2) = 1;
    *at(v, 14, 10, 7) = 1;
    assert_int_equal(fx_segment_distance2(v, 0, &D, NULL), 0);
    double worst = 0;
    for (int k = 0; k < 9; k++)
        for (int j = 0; j < 13; j++)
            for (int i = 0; i < 17; i++) {
                double a = pow((i - 3) * 0.5, 2) + pow((j - 4) * 1.25, 2) + pow((k - 2) * 2.0, 2);
                double b = pow((i - 14) * 0.5, 2) + pow((j - 10) * 1.25, 2) + pow((k - 7) * 2.0, 2);
                double got = ((float *)D->data)[i + 17 * (j + 13 * k)];
                worst = fmax(worst, fabs(got - fmin(a, b)));
            }
    assert_true(worst < 1e-4);
    fx_volume_free(D);
    fx_volume_free(v);
}

static void dilating_one_voxel_gives_the_lattice_points_of_a_millimetre_ball(void **state)
{
    (void)state;
    fx_volume *v = mask_new(31, 21, 11, 0.5, 0.8, 1.5);
    size_t want = 0;
    *at(v, 15, 10, 5) = 1;
    assert_int_equal(fx_segment_dilate(v, 4.0, NULL), 0);
    for (int k = 0; k < 11; k++)
        for (int j = 0; j < 21; j++)
            for (int i = 0; i < 31; i++)
                want += pow((i - 15) * 0.5, 2) + pow((j - 10) * 0.8, 2) +
                            pow((k - 5) * 1.5, 2) <= 16.0 + 1e-9;
    assert_int_equal(count(v), want);
    /* Eroding back by the same ball leaves the centre alone. */
    assert_int_equal(fx_segment_erode(v, 4.0, NULL), 0);
    assert_int_equal(count(v), 1);
    assert_int_equal(*at(v, 15, 10, 5), 1);
    fx_volume_free(v);
}

/* Brute-force morphology over the ball's lattice offsets: erosion keeps a
 * voxel whose whole ball (clipped to the grid) is set; dilation sets a voxel
 * with any set voxel in its ball. */
static void brute(const fx_volume *in, fx_volume *out, double r, int erode)
{
    int n[3] = {in->dims[0], in->dims[1], in->dims[2]}, R = (int)r + 1;
    for (int k = 0; k < n[2]; k++)
        for (int j = 0; j < n[1]; j++)
            for (int i = 0; i < n[0]; i++) {
                int hit = erode;
                for (int c = -R; c <= R; c++)
                    for (int b = -R; b <= R; b++)
                        for (int a = -R; a <= R; a++) {
                            int x = i + a, y = j + b, z = k + c;
                            if (a * a + b * b + c * c > r * r || x < 0 || y < 0 || z < 0 ||
                                x >= n[0] || y >= n[1] || z >= n[2])
                                continue;
                            int set = *at((fx_volume *)in, x, y, z);
                            if (erode && !set)
                                hit = 0;
                            if (!erode && set)
                                hit = 1;
                        }
                *at(out, i, j, k) = (uint8_t)hit;
            }
}

static void opening_removes_a_thin_strut_and_closing_bridges_a_narrow_gap(void **state)
{
    (void)state;
    fx_volume *v = mask_new(40, 20, 20, 1, 1, 1);
    fx_volume *e = mask_new(40, 20, 20, 1, 1, 1), *o = mask_new(40, 20, 20, 1, 1, 1);
    box(v, 2, 2, 2, 14, 14, 14);   /* 13^3 block */
    box(v, 15, 8, 8, 30, 8, 8);    /* a one-voxel strut */
    brute(v, e, 2.0, 1);
    brute(e, o, 2.0, 0);
    assert_int_equal(fx_segment_open(v, 2.0, NULL), 0);
    assert_int_equal(*at(v, 22, 8, 8), 0);
    assert_int_equal(*at(v, 8, 8, 8), 1);
    assert_memory_equal(v->data, o->data, fx_volume_count(v));
    fx_volume_free(v), fx_volume_free(e), fx_volume_free(o);

    v = mask_new(30, 12, 12, 1, 1, 1);
    box(v, 2, 2, 2, 12, 9, 9);
    box(v, 14, 2, 2, 26, 9, 9); /* a one-voxel gap at i = 13 */
    assert_int_equal(fx_segment_close(v, 1.5, NULL), 0);
    for (int k = 3; k <= 8; k++)
        for (int j = 3; j <= 8; j++)
            assert_int_equal(*at(v, 13, j, k), 1);
    fx_volume_free(v);
}

static void holes_are_filled_in_3d_and_open_tubes_only_per_slice(void **state)
{
    (void)state;
    fx_volume *v = mask_new(20, 20, 20, 1, 1, 1);
    box(v, 3, 3, 3, 15, 15, 15);
    for (int k = 6; k <= 12; k++) /* a closed 7^3 cavity */
        for (int j = 6; j <= 12; j++)
            for (int i = 6; i <= 12; i++)
                *at(v, i, j, k) = 0;
    assert_int_equal(count(v), 13 * 13 * 13 - 7 * 7 * 7);
    assert_int_equal(fx_segment_fill_holes(v, 0, NULL), 0);
    assert_int_equal(count(v), 13 * 13 * 13);
    fx_volume_free(v);

    /* A square tube along z through the whole grid: its lumen reaches the
     * top and bottom borders, so only slice-by-slice filling closes it. */
    v = mask_new(16, 16, 10, 1, 1, 1);
    box(v, 3, 3, 0, 12, 12, 9);
    for (int k = 0; k < 10; k++)
        for (int j = 5; j <= 10; j++)
            for (int i = 5; i <= 10; i++)
                *at(v, i, j, k) = 0;
    size_t before = count(v);
    assert_int_equal(fx_segment_fill_holes(v, 0, NULL), 0);
    assert_int_equal(count(v), before);
    assert_int_equal(fx_segment_fill_holes(v, 1, NULL), 0);
    assert_int_equal(count(v), 10 * 10 * 10);
    fx_volume_free(v);
}

/* Two balls of radius r whose centres are d apart, on a 1 mm grid. */
static fx_volume *two_balls(double r, double d, int *c1, int *c2)
{
    fx_volume *v = mask_new(48, 30, 30, 1, 1, 1);
    c1[0] = 14, c2[0] = 14 + (int)d;
    c1[1] = c2[1] = c1[2] = c2[2] = 15;
    for (int k = 0; k < 30; k++)
        for (int j = 0; j < 30; j++)
            for (int i = 0; i < 48; i++) {
                double a = hypot(hypot(i - c1[0], j - 15), k - 15);
                double b = hypot(hypot(i - c2[0], j - 15), k - 15);
                *at(v, i, j, k) = a <= r || b <= r;
            }
    return v;
}

static void touching_balls_are_split_along_their_neck(void **state)
{
    (void)state;
    int c1[3], c2[3];
    fx_volume *v = two_balls(10, 18, c1, c2), *lab;
    fx_segment_part *p;
    size_t n;
    assert_int_equal(fx_segment_components(v, 26, 0, &lab, &p, &n, NULL), 0);
    assert_int_equal(n, 1); /* they touch */
    free(p);
    fx_volume_free(lab);
    assert_int_equal(fx_segment_split(v, 5.0, 1.0, &lab, &p, &n, NULL), 0);
    assert_int_equal(n, 2);
    assert_int_equal(p[0].voxels + p[1].voxels, count(v));
    /* Symmetric halves: equal up to the one plane of voxels on the dam. */
    assert_true(labs((long)p[0].voxels - (long)p[1].voxels) <= 100);
    uint16_t *d = lab->data;
    uint16_t l1 = d[c1[0] + 48 * (c1[1] + 30 * c1[2])], l2 = d[c2[0] + 48 * (c2[1] + 30 * c2[2])];
    assert_true(l1 && l2 && l1 != l2);
    /* Every voxel left of the mid-plane but one voxel goes with the left ball. */
    for (size_t i = 0; i < fx_volume_count(v); i++)
        if (d[i] && (int)(i % 48) < 22)
            assert_int_equal(d[i], l1);
    free(p);
    fx_volume_free(lab);

    /* The same from seeds given in world millimetres. */
    fx_vec3 seeds[2] = {fx_v3(c2[0], 15, 15), fx_v3(c1[0], 15, 15)};
    assert_int_equal(fx_segment_grow(v, seeds, 2, &lab, &p, &n, NULL), 0);
    assert_int_equal(n, 2);
    d = lab->data;
    assert_int_equal(d[c2[0] + 48 * (15 + 30 * 15)], 1);
    assert_int_equal(d[c1[0] + 48 * (15 + 30 * 15)], 2);
    free(p);
    fx_volume_free(lab);
    fx_error err;
    seeds[0] = fx_v3(1, 1, 1);
    assert_int_not_equal(fx_segment_grow(v, seeds, 2, &lab, &p, &n, &err), 0);
    assert_non_null(strstr(err.msg, "seed 1"));
    fx_volume_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_bone_preset_keeps_226_to_3071_hu_inclusive),
        cmocka_unit_test(
            cubes_touching_at_an_edge_or_a_corner_join_only_under_the_right_connectivity),
        cmocka_unit_test(distances_on_an_anisotropic_grid_are_euclidean_millimetres),
        cmocka_unit_test(dilating_one_voxel_gives_the_lattice_points_of_a_millimetre_ball),
        cmocka_unit_test(opening_removes_a_thin_strut_and_closing_bridges_a_narrow_gap),
        cmocka_unit_test(holes_are_filled_in_3d_and_open_tubes_only_per_slice),
        cmocka_unit_test(touching_balls_are_split_along_their_neck),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
