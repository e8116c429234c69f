/*
 * test_audit_screwfit.c - the model-based refinement of a screw against an
 * analytic truth at the phantom's small size (2 mm voxels): a 3.5 mm screw
 * (head 6 mm across, 2.5 mm high) driven obliquely into cancellous bone under
 * soft tissue, each voxel the mean of 4 x 4 x 4 samples (as a scanner's voxel
 * averages; the refinement's own model is a linear ramp, so the test also
 * checks that the two agree), and a neighbour screw crossing 0.5 mm beyond its
 * tip. The refinement starts where the extraction typically leaves a screw at
 * 2 mm: axis 0.8 degree off, entry 0.6 mm to the side, tip 1.5 mm too far
 * (the profile runs on into the neighbour), and must end within the issue's
 * targets: angle 0.5 degree, entry and tip 0.5 mm (without the neighbour in
 * the model the tip stays 1.06 mm too far). Also the duplicate rule against
 * hand-made cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "phantoms.h"
#include "fxaudit/screwfit.h"

#define METAL 3400.0

typedef struct scene_def {
    ph_screw_truth s[2];
    int n;
} scene_def;

/* Metal; soft tissue above the bone surface z = 0.3 x + 0.1 y, cancellous bone below. */
static double hu_of(fx_vec3 p, const void *ctx)
{
    const scene_def *sc = ctx;
    for (int i = 0; i < sc->n; i++)
        if (ph_in_screw(p, &sc->s[i]))
            return METAL;
    return p.z > 0.3 * p.x + 0.1 * p.y ? 40 : 380;
}

static fx_volume *render(const scene_def *sc)
{
    static const int dims[3] = {44, 40, 44};
    static const double spacing[3] = {2.0, 2.0, 2.0}, origin[3] = {-30.3, -40.7, -70.1};
    return ph_render_hu(dims, spacing, origin, hu_of, sc);
}

static fx_vec3 tip_of(const ph_screw_truth *s)
{
    return fx_v3_add(s->entry, fx_v3_scale(s->dir, s->length_mm));
}

/* Screw A, 50 mm, tilted 24 degrees; B crossing 0.5 mm past A's tip. */
static scene_def make_scene(int with_neighbour)
{
    scene_def sc;
    double a = 24 * M_PI / 180;
    sc.s[0] = (ph_screw_truth){fx_v3(0.37, -0.21, 0.15), fx_v3(sin(a) * 0.8, sin(a) * 0.6, -cos(a)),
                            50};
    fx_vec3 tip = tip_of(&sc.s[0]);
    /* B's axis runs normal to A, 0.5 + 1.75 mm beyond A's tip: its surface
     * 0.5 mm from A's flat end */
    fx_vec3 bdir = fx_v3_unit(fx_v3_cross(sc.s[0].dir, fx_v3(0, 0, 1)));
    fx_vec3 c = fx_v3_add(tip, fx_v3_scale(sc.s[0].dir, 2.25));
    sc.s[1] = (ph_screw_truth){fx_v3_sub(c, fx_v3_scale(bdir, 20)), bdir, 40};
    sc.n = with_neighbour ? 2 : 1;
    return sc;
}

static fx_audit_screw found_as(const ph_screw_truth *s, fx_vec3 shift, double tilt_deg,
                               double extra_mm)
{
    fx_audit_screw a = {0};
    fx_vec3 side = fx_v3_unit(fx_v3_cross(s->dir, fx_v3(1, 0, 0)));
    a.dir = fx_v3_unit(fx_v3_add(s->dir, fx_v3_scale(side, tan(tilt_deg * M_PI / 180))));
    a.entry = fx_v3_add(s->entry, shift);
    a.length_mm = s->length_mm + extra_mm;
    a.tip = fx_v3_add(a.entry, fx_v3_scale(a.dir, a.length_mm));
    a.bone_hu = 380;
    a.metal_level_hu = 3000;
    a.fill = 0.8;
    return a;
}

static void check_within_targets(const fx_audit_screw *a, const ph_screw_truth *s)
{
    double ang = acos(fmin(1, fx_v3_dot(a->dir, s->dir))) * 180 / M_PI;
    double de = fx_v3_dist(a->entry, s->entry), dt = fx_v3_dist(a->tip, tip_of(s));
    print_message("axis %.3f deg, entry %.3f mm, tip %.3f mm, length %+.3f mm\n", ang, de, dt,
                  a->length_mm - s->length_mm);
    assert_true(ang < 0.5);
    assert_true(de < 0.5);
    assert_true(dt < 0.5);
    assert_true(fabs(a->length_mm - s->length_mm) < 1.0);
}

static void a_tip_against_a_crossing_neighbour_is_refined_within_the_targets(void **st)
{
    (void)st;
    scene_def sc = make_scene(1);
    fx_volume *v = render(&sc);
    fx_vec3 side = fx_v3_unit(fx_v3_cross(sc.s[0].dir, fx_v3(0, 1, 0)));
    fx_audit_screw f[2] = {found_as(&sc.s[0], fx_v3_scale(side, 0.6), 0.8, 1.5),
                           found_as(&sc.s[1], fx_v3(0, 0, 0), 0, 0)};
    fx_screwfit_geom g[2] = {{3.5, 0, 3.0, 2.5}, {3.5, 0, 3.0, 2.5}};
    fx_screwfit_stat stat[2];
    fx_error err = {0};
    assert_int_equal(fx_screwfit_refine(v, f, 2, g, 1.0, stat, &err), 0);
    assert_true(stat[0].refined);
    check_within_targets(&f[0], &sc.s[0]);
    fx_volume_free(v);
}

static void a_lone_oblique_screw_is_refined_within_the_targets(void **st)
{
    (void)st;
    scene_def sc = make_scene(0);
    fx_volume *v = render(&sc);
    fx_vec3 side = fx_v3_unit(fx_v3_cross(sc.s[0].dir, fx_v3(0, 1, 0)));
    fx_audit_screw f = found_as(&sc.s[0], fx_v3_scale(side, -0.5), -0.7, 1.2);
    fx_screwfit_geom g = {3.5, 0, 3.0, 2.5};
    fx_error err = {0};
    assert_int_equal(fx_screwfit_refine(v, &f, 1, &g, 1.0, NULL, &err), 0);
    check_within_targets(&f, &sc.s[0]);
    fx_volume_free(v);
}

static void nothing_changes_below_the_voxel_threshold(void **st)
{
    (void)st;
    scene_def sc = make_scene(0);
    fx_volume *v = render(&sc);
    fx_audit_screw f = found_as(&sc.s[0], fx_v3(0.4, 0, 0), 0.5, 1.0), f0 = f;
    fx_screwfit_geom g = {3.5, 0, 3.0, 2.5};
    fx_error err = {0};
    assert_int_equal(fx_screwfit_refine(v, &f, 1, &g, 2.5, NULL, &err), 0);
    assert_true(fx_v3_dist(f.entry, f0.entry) == 0 && fx_v3_dist(f.tip, f0.tip) == 0);
    fx_volume_free(v);
}

/* By hand: A along z from 0 to 60; B the same line the other way, from 64 to
 * 4 (the whole of it within 3.5 mm of A: a duplicate); C crossing A at right
 * angles (7 of its 41 axis points within 3.5 mm of A: not one). */
static void a_screw_found_on_another_ones_metal_is_dropped(void **st)
{
    (void)st;
    fx_audit_screw s[3] = {{0}};
    s[0].entry = fx_v3(0, 0, 0), s[0].dir = fx_v3(0, 0, 1), s[0].length_mm = 60, s[0].fill = 0.74;
    s[1].entry = fx_v3(0.5, 0, 64), s[1].dir = fx_v3(0, 0, -1), s[1].length_mm = 60,
    s[1].fill = 0.47, s[1].from_plan = 4;
    s[2].entry = fx_v3(-20, 0, 30), s[2].dir = fx_v3(1, 0, 0), s[2].length_mm = 40,
    s[2].fill = 0.30;
    s[0].from_plan = 4; /* its tip was "in" the duplicate's head */
    for (int i = 0; i < 3; i++)
        s[i].tip = fx_v3_add(s[i].entry, fx_v3_scale(s[i].dir, s[i].length_mm));
    fx_screwfit_geom g[3] = {{3.5, 0, 3.0, 2.5}, {3.5, 0, 3.0, 2.5}, {3.5, 0, 3.0, 2.5}};
    size_t n = 3;
    assert_int_equal(fx_screwfit_drop_duplicates(s, &n, g), 1);
    assert_int_equal(n, 2);
    assert_true(s[0].fill == 0.74 && s[1].fill == 0.30);
    assert_int_equal(s[0].from_plan & 4, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_tip_against_a_crossing_neighbour_is_refined_within_the_targets),
        cmocka_unit_test(a_lone_oblique_screw_is_refined_within_the_targets),
        cmocka_unit_test(nothing_changes_below_the_voxel_threshold),
        cmocka_unit_test(a_screw_found_on_another_ones_metal_is_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
