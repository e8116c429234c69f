/*
 * test_plate.c - plates laid on a flat and on a curved bone: thickness and
 * offset kept, volumes as calculated by hand, holes where screws pass, and a
 * closed, consistently wound surface.
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

#include "fxaudit/plate.h"
#include "fxaudit/shapes.h"

static int cmp_edge(const void *a, const void *b)
{
    const uint64_t *x = a, *y = b;
    return *x < *y ? -1 : *x > *y;
}

/* Closed and consistently wound: every directed edge a->b occurs once, and so
 * does its reverse b->a. */
static int closed_and_oriented(const fx_mesh *m)
{
    size_t n = 3 * m->nt;
    uint64_t *e = malloc(n * sizeof(*e));
    int ok = 1;
    for (size_t t = 0; t < m->nt; t++)
        for (int k = 0; k < 3; k++)
            e[3 * t + k] = (uint64_t)m->t[3 * t + k] << 32 | m->t[3 * t + (k + 1) % 3];
    qsort(e, n, sizeof(*e), cmp_edge);
    for (size_t i = 0; ok && i < n; i++) {
        uint64_t rev = (e[i] << 32) | (e[i] >> 32);
        ok = (i + 1 == n || e[i + 1] != e[i]) && bsearch(&rev, e, n, sizeof(*e), cmp_edge);
    }
    free(e);
    return ok;
}

static fx_bvh *bvh_of(const fx_mesh *m)
{
    fx_bvh *b;
    assert_int_equal(fx_bvh_build(m, &b, NULL), 0);
    return b;
}

static void a_plate_on_flat_bone_has_its_thickness_offset_and_holes(void **state)
{
    (void)state;
    fx_mesh *bone, *plate;
    fx_plan *p;
    fx_vec3 path[2] = {{-30, 0, 0}, {30, 0, 0}};
    fx_plan_plate spec = {.name = "anterior", .width_mm = 10, .thickness_mm = 2.5,
                          .offset_mm = 0.5, .path = path, .npath = 2};
    fx_plate_info info;

    assert_int_equal(fx_mesh_new(&bone, NULL), 0); /* its top face is the plane z = 0 */
    assert_int_equal(fx_shape_cylinder(bone, fx_v3(0, 0, -20), fx_v3(0, 0, 0), 100, 4, NULL), 0);
    fx_bvh *b = bvh_of(bone);
    assert_int_equal(fx_plan_new(&p, NULL), 0);
    assert_int_equal(fx_plate_build(&spec, p, bone, b, NULL, &plate, &info, NULL), 0);
    assert_true(closed_and_oriented(plate));
    assert_true(fabs(fx_mesh_volume(plate) - 60 * 10 * 2.5) < 1e-9);
    fx_vec3 lo, hi;
    fx_mesh_bounds(plate, &lo, &hi);
    assert_true(fabs(lo.z - 0.5) < 1e-12 && fabs(hi.z - 3.0) < 1e-12);
    assert_true(info.max_gap_mm < 1e-12);
    fx_mesh_free(plate);

    /* a 3.5 mm screw at x = 5 cuts the 0.5 x 0.5 mm cells within 2.25 mm */
    fx_plan_screw s = fx_plan_screw_make("S1", fx_v3(5, 0, 0), fx_v3(0, 0, -1), 3.5, 30);
    snprintf(s.plate, sizeof(s.plate), "anterior");
    assert_int_equal(fx_plan_add_screw(p, &s, NULL), 0);
    assert_int_equal(fx_plate_build(&spec, p, bone, b, NULL, &plate, &info, NULL), 0);
    int cells = 0;
    for (int i = -20; i < 20; i++)
        for (int j = -20; j < 20; j++) {
            double x = 0.5 * i + 0.25, y = 0.5 * j + 0.25;
            cells += x * x + y * y <= 2.25 * 2.25;
        }
    assert_int_equal(info.holes, 1);
    assert_int_equal(info.cells_removed, cells);
    assert_true(closed_and_oriented(plate));
    assert_true(fabs(fx_mesh_volume(plate) - (1500 - cells * 0.25 * 2.5)) < 1e-9);
    fx_mesh_free(plate);
    fx_plan_free(p);
    fx_bvh_free(b);
    fx_mesh_free(bone);
}

static void a_plate_on_a_curved_bone_follows_the_surface(void **state)
{
    (void)state;
    const double R = 30, o = 0.5, h = 2.5, w = 10, deg = M_PI / 180;
    fx_mesh *bone, *plate;
    fx_plan *p;
    fx_vec3 path[5];
    for (int k = 0; k < 5; k++) /* an arc over the top of a bone along y */
        path[k] = fx_v3(R * sin((-40 + 20 * k) * deg), 0, R * cos((-40 + 20 * k) * deg));
    fx_plan_plate spec = {.name = "posterior", .width_mm = w, .thickness_mm = h,
                          .offset_mm = o, .path = path, .npath = 5};
    fx_plate_info info;

    assert_int_equal(fx_mesh_new(&bone, NULL), 0);
    assert_int_equal(fx_shape_cylinder(bone, fx_v3(0, -50, 0), fx_v3(0, 50, 0), R, 512, NULL), 0);
    fx_bvh *b = bvh_of(bone);
    assert_int_equal(fx_plan_new(&p, NULL), 0);
    assert_int_equal(fx_plate_build(&spec, p, bone, b, NULL, &plate, &info, NULL), 0);
    assert_true(closed_and_oriented(plate));
    assert_true(info.max_gap_mm < 0.01);
    /* an annular sector 80 degrees wide between radii R + o and R + o + h */
    double want = 80 * deg / 2 * (pow(R + o + h, 2) - pow(R + o, 2)) * w;
    print_message("# curved plate volume %.2f mm3, annular sector %.2f mm3\n",
                  fx_mesh_volume(plate), want);
    assert_true(fabs(fx_mesh_volume(plate) - want) < 0.005 * want);
    fx_mesh_free(plate);
    fx_plan_free(p);
    fx_bvh_free(b);
    fx_mesh_free(bone);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_plate_on_flat_bone_has_its_thickness_offset_and_holes),
        cmocka_unit_test(a_plate_on_a_curved_bone_follows_the_surface),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
