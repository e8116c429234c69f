/*
 * test_screwcheck.c - corridors, clearances and joint distances of screws in
 * prisms whose answers follow from plane geometry by hand.
 *
 * fx_shape_cylinder(m, a, b, r, 64) puts ring vertices at angle t = 2 pi k/64
 * at (sin t, -cos t) * r about a z axis: vertices lie on +x (k = 16) and -x
 * (k = 48), and the faces next to +x have normals pi/64 off the x axis.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "fxaudit/screwcheck.h"
#include "fxaudit/shapes.h"

static fx_bvh *prism_bvh(double cx, double z0, double z1, double r, int stacked, double z2,
                         double z3)
{
    fx_mesh *m;
    fx_bvh *b;
    assert_int_equal(fx_mesh_new(&m, NULL), 0);
    assert_int_equal(fx_shape_cylinder(m, fx_v3(cx, 0, z0), fx_v3(cx, 0, z1), r, 64, NULL), 0);
    if (stacked) /* a second prism: a cleft between z1 and z2 */
        assert_int_equal(fx_shape_cylinder(m, fx_v3(cx, 0, z2), fx_v3(cx, 0, z3), r, 64, NULL),
                         0);
    assert_int_equal(fx_bvh_build(m, &b, NULL), 0);
    fx_mesh_free(m);
    return b;
}

static void a_screw_along_a_bone_prism_finds_its_full_corridor_and_side_clearance(void **s)
{
    (void)s;
    fx_screw_check_opts o;
    fx_bvh *bone = prism_bvh(0, 0, 60, 10, 0, 0, 0);
    fx_plan_screw sc = fx_plan_screw_make("S", fx_v3(7, 0, 0), fx_v3(0, 0, 1), 3.5, 40);

    fx_screw_check_opts_default(&o);
    assert_int_equal(fx_screw_check(&sc, bone, NULL, &o, NULL), 0);
    assert_true(fabs(sc.corridor_mm - 60) < 1e-9);
    assert_true(sc.suggested_mm == 60);
    /* apothem 10 cos(pi/64) less the axis offset 7 cos(pi/64), less the radius */
    assert_true(fabs(sc.clearance_mm - (3 * cos(M_PI / 64) - 1.75)) < 1e-9);
    assert_true(isnan(sc.joint_distance_mm));
    assert_false(sc.joint_warning);
    fx_bvh_free(bone);
}

static void a_fracture_cleft_is_bridged_only_when_narrower_than_the_bridge(void **s)
{
    (void)s;
    fx_screw_check_opts o;
    fx_bvh *bone = prism_bvh(0, 0, 30, 10, 1, 31, 60);
    fx_plan_screw sc = fx_plan_screw_make("S", fx_v3(0, 0, 0), fx_v3(0, 0, 1), 3.5, 20);

    fx_screw_check_opts_default(&o);
    assert_int_equal(fx_screw_check(&sc, bone, NULL, &o, NULL), 0);
    assert_true(fabs(sc.corridor_mm - 60) < 1e-9); /* a 1 mm cleft, bridged at 3 mm */
    o.bridge_mm = 0.5;
    assert_int_equal(fx_screw_check(&sc, bone, NULL, &o, NULL), 0);
    assert_true(fabs(sc.corridor_mm - 30) < 1e-9);
    assert_true(sc.suggested_mm == 30);
    fx_bvh_free(bone);
}

static void a_screw_longer_than_its_corridor_has_negative_clearance(void **s)
{
    (void)s;
    fx_screw_check_opts o;
    fx_bvh *bone = prism_bvh(0, 0, 30, 10, 0, 0, 0);
    fx_plan_screw sc = fx_plan_screw_make("S", fx_v3(0, 0, 0), fx_v3(0, 0, 1), 3.5, 40);

    fx_screw_check_opts_default(&o);
    assert_int_equal(fx_screw_check(&sc, bone, NULL, &o, NULL), 0);
    assert_true(fabs(sc.corridor_mm - 30) < 1e-9);
    /* the tip is 10 mm beyond the far cap */
    assert_true(fabs(sc.clearance_mm - (-10 - 1.75)) < 1e-9);
    fx_bvh_free(bone);
}

static void a_screw_near_the_joint_warns_only_inside_the_margin(void **s)
{
    (void)s;
    fx_screw_check_opts o;
    fx_bvh *bone = prism_bvh(0, 0, 60, 10, 0, 0, 0);
    fx_bvh *joint = prism_bvh(20, 0, 60, 5, 0, 0, 0); /* a vertex at x = 15 faces the screw */
    fx_plan_screw sc = fx_plan_screw_make("S", fx_v3(7, 0, 0), fx_v3(0, 0, 1), 3.5, 40);

    fx_screw_check_opts_default(&o);
    assert_int_equal(fx_screw_check(&sc, bone, joint, &o, NULL), 0);
    assert_true(fabs(sc.joint_distance_mm - (8 - 1.75)) < 1e-9);
    assert_false(sc.joint_warning);
    o.joint_margin_mm = 7;
    assert_int_equal(fx_screw_check(&sc, bone, joint, &o, NULL), 0);
    assert_true(sc.joint_warning);
    fx_bvh_free(bone);
    fx_bvh_free(joint);
}

static void a_screw_that_starts_away_from_bone_has_no_corridor(void **s)
{
    (void)s;
    fx_screw_check_opts o;
    fx_bvh *bone = prism_bvh(0, 0, 60, 10, 0, 0, 0);
    fx_plan_screw sc = fx_plan_screw_make("S", fx_v3(0, 0, -20), fx_v3(0, 0, 1), 3.5, 40);

    fx_screw_check_opts_default(&o);
    assert_int_equal(fx_screw_check(&sc, bone, NULL, &o, NULL), 0);
    assert_true(sc.corridor_mm == 0);
    assert_true(sc.suggested_mm == 0);
    fx_bvh_free(bone);
}

static void a_fracture_cleft_inside_the_reduced_bone_does_not_count_as_its_surface(void **s)
{
    (void)s;
    fx_screw_check_opts o;
    /* two fragments reduced with a 0.5 mm cleft between their faces at z = 30 */
    fx_bvh *bone = prism_bvh(0, 0, 30, 10, 1, 30.5, 60);
    fx_plan_screw sc = fx_plan_screw_make("S", fx_v3(7, 0, 0), fx_v3(0, 0, 1), 3.5, 50);

    fx_screw_check_opts_default(&o);
    assert_int_equal(fx_screw_check(&sc, bone, NULL, &o, NULL), 0);
    assert_true(fabs(sc.corridor_mm - 60) < 1e-9);
    /* the side wall, as without the cleft: the cleft's faces are not the bone's surface */
    assert_true(fabs(sc.clearance_mm - (3 * cos(M_PI / 64) - 1.75)) < 1e-9);
    fx_bvh_free(bone);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_screw_along_a_bone_prism_finds_its_full_corridor_and_side_clearance),
        cmocka_unit_test(a_fracture_cleft_is_bridged_only_when_narrower_than_the_bridge),
        cmocka_unit_test(a_screw_longer_than_its_corridor_has_negative_clearance),
        cmocka_unit_test(a_screw_near_the_joint_warns_only_inside_the_margin),
        cmocka_unit_test(a_screw_that_starts_away_from_bone_has_no_corridor),
        cmocka_unit_test(a_fracture_cleft_inside_the_reduced_bone_does_not_count_as_its_surface),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
