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
#include <stdlib.h>

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

/* A block of bone: the convex polygon (x[i], z[i]) extruded from y = -10 to
 * y = 10, appended to m outward-oriented. */
static void add_block(fx_mesh *m, const double *x, const double *z, int n)
{
    fx_mesh *b;
    uint32_t v[16];
    assert_int_equal(fx_mesh_new(&b, NULL), 0);
    for (int i = 0; i < 2 * n; i++)
        assert_int_equal(fx_mesh_add_vertex(b, fx_v3(x[i % n], i < n ? -10 : 10, z[i % n]),
                                            &v[i], NULL), 0);
    for (int i = 1; i + 1 < n; i++) { /* the two caps, as fans */
        assert_int_equal(fx_mesh_add_triangle(b, v[0], v[i], v[i + 1], NULL), 0);
        assert_int_equal(fx_mesh_add_triangle(b, v[n], v[n + i + 1], v[n + i], NULL), 0);
    }
    for (int i = 0; i < n; i++) { /* the sides */
        int j = (i + 1) % n;
        assert_int_equal(fx_mesh_add_triangle(b, v[i], v[n + i], v[n + j], NULL), 0);
        assert_int_equal(fx_mesh_add_triangle(b, v[i], v[n + j], v[j], NULL), 0);
    }
    if (fx_mesh_volume(b) < 0)
        for (size_t t = 0; t < b->nt; t++) {
            uint32_t k = b->t[3 * t + 1];
            b->t[3 * t + 1] = b->t[3 * t + 2], b->t[3 * t + 2] = k;
        }
    assert_true(fx_mesh_volume(b) > 0);
    assert_int_equal(fx_mesh_append(m, b, NULL), 0);
    fx_mesh_free(b);
}

/* Two fragments reduced side by side, 0.2 mm apart across the fracture plane
 * x = 0, under a flat bone surface z = 20. Each model has its edge along the
 * fracture line rounded off as voxels do, here cut at 45 degrees 1 mm deep:
 * a groove from z = 19 (0.2 mm wide) to z = 20 (2.2 mm wide). A screw up the
 * axis x = 0.4 leaves fragment B's cut at z = 19 + 0.3 (hand calculation),
 * but the bone it stands for ends at z = 20. A point of the groove is bridged
 * where the shortest line through it that meets both fragments is shorter than
 * the bridge. The cuts lie on two lines at right angles (x + z = 18.9 and
 * z - x = 18.9); through a point at distances a and b from the sides of a
 * right angle the shortest such line is (a^(2/3) + b^(2/3))^(3/2) long (the
 * ladder carried round a corner), here a = (z - 18.5)/sqrt 2 and
 * b = (z - 19.3)/sqrt 2: at z = 20 2.15 mm, so bridged at 3 mm the groove is
 * bone up to z = 20 (above it no line meets both fragments); at 1 mm up to
 * where the ladder is 1 mm long. */
static double ladder_height(double bridge)
{
    double lo = 19.3, hi = 20;
    for (int it = 0; it < 60; it++) {
        double z = 0.5 * (lo + hi), a = (z - 18.5) / sqrt(2), b = (z - 19.3) / sqrt(2);
        if (pow(pow(a, 2.0 / 3) + pow(b, 2.0 / 3), 1.5) < bridge)
            lo = z;
        else
            hi = z;
    }
    return lo;
}

static void a_groove_between_two_fragments_at_the_surface_is_bridged_across_the_screw(void **s)
{
    (void)s;
    const double xa[5] = {-10, -0.1, -0.1, -1.1, -10}, za[5] = {0, 0, 19, 20, 20};
    const double xb[5] = {0.1, 10, 10, 1.1, 0.1}, zb[5] = {0, 0, 20, 20, 19};
    fx_screw_check_opts o;
    fx_mesh *m;
    fx_bvh *bone;
    uint32_t *solid, *one;
    fx_plan_screw sc = fx_plan_screw_make("S", fx_v3(0.4, 0, 0), fx_v3(0, 0, 1), 3.5, 10);

    assert_int_equal(fx_mesh_new(&m, NULL), 0);
    add_block(m, xa, za, 5);
    add_block(m, xb, zb, 5);
    assert_int_equal(fx_bvh_build(m, &bone, NULL), 0);
    assert_int_equal(fx_screw_solids(m, &solid, NULL), 0);
    for (size_t t = 1; t < m->nt; t++) /* two solids, the first 16 triangles A's */
        assert_true((solid[t] == solid[0]) == (t < 16));
    fx_screw_check_opts_default(&o);
    assert_int_equal(fx_screw_check(&sc, bone, NULL, &o, NULL), 0);
    assert_true(fabs(sc.corridor_mm - 19.3) < 1e-9);
    assert_int_equal(fx_screw_check_solids(&sc, bone, solid, NULL, &o, NULL), 0);
    print_message("# groove bridged at 3 mm: corridor %.4f mm (20)\n", sc.corridor_mm);
    assert_true(fabs(sc.corridor_mm - 20) < 0.02 && ladder_height(3) > 19.999);
    o.bridge_mm = 1;
    assert_int_equal(fx_screw_check_solids(&sc, bone, solid, NULL, &o, NULL), 0);
    print_message("# groove bridged at 1 mm: corridor %.4f mm (%.4f)\n", sc.corridor_mm,
                  ladder_height(1));
    assert_true(fabs(sc.corridor_mm - ladder_height(1)) < 0.01);
    /* a groove in one solid is that bone's shape, not a cleft */
    one = calloc(m->nt, sizeof(*one));
    assert_non_null(one);
    o.bridge_mm = 3;
    assert_int_equal(fx_screw_check_solids(&sc, bone, one, NULL, &o, NULL), 0);
    assert_true(fabs(sc.corridor_mm - 19.3) < 1e-9);
    free(one);
    free(solid);
    fx_bvh_free(bone);
    fx_mesh_free(m);
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
        cmocka_unit_test(a_groove_between_two_fragments_at_the_surface_is_bridged_across_the_screw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
