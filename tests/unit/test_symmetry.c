/*
 * test_symmetry.c - the symmetry plane of a model built mirror-symmetric about
 * a known plane, with one piece on one side displaced as a fracture fragment
 * would be, and the whole posed by a known rigid transform.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "fxaudit/shapes.h"
#include "fxaudit/symmetry.h"

static void ellipsoid(fx_mesh *m, fx_vec3 centre, double a, double b, double c,
                      const fx_rigid *R)
{
    assert_int_equal(fx_shape_ellipsoid(m, centre, a, b, c, R, 32, 16, NULL), 0);
}

static fx_rigid mirror_rot(const fx_rigid *R)
{
    /* reflecting x flips the first row and, to stay proper, the first column */
    fx_rigid M = *R;
    for (int k = 0; k < 3; k++) {
        M.r[k] = -M.r[k];
        M.r[3 * k] = -M.r[3 * k];
    }
    return M;
}

/* Pieces on the left (x > 0) and their mirror images about x = 0, plus a
 * symmetric middle; the piece `displaced` on the right is moved by D. */
static fx_mesh *pelvis_like(int displaced, const fx_rigid *D)
{
    fx_mesh *m;
    struct { fx_vec3 c; double a, b, c2; fx_vec3 axis; double ang; } pc[3] = {
        {{60, 10, 30}, 45, 25, 10, {1, 0.3, 0.2}, 0.5},
        {{45, -15, -10}, 18, 18, 18, {0, 0, 1}, 0},
        {{35, -35, -40}, 30, 8, 8, {0.2, 1, 0}, 0.8},
    };
    assert_int_equal(fx_mesh_new(&m, NULL), 0);
    fx_rigid I = fx_rigid_identity();
    ellipsoid(m, fx_v3(0, 25, 10), 20, 15, 35, &I); /* the sacrum-like middle */
    for (int k = 0; k < 3; k++) {
        fx_rigid R = fx_rigid_from_axis_angle(pc[k].axis, pc[k].ang, fx_v3(0, 0, 0));
        fx_rigid Rm = mirror_rot(&R);
        ellipsoid(m, pc[k].c, pc[k].a, pc[k].b, pc[k].c2, &R);
        fx_mesh *right;
        assert_int_equal(fx_mesh_new(&right, NULL), 0);
        ellipsoid(right, fx_v3(-pc[k].c.x, pc[k].c.y, pc[k].c.z), pc[k].a, pc[k].b, pc[k].c2,
                  &Rm);
        if (k == displaced)
            fx_mesh_transform(right, D);
        assert_int_equal(fx_mesh_append(m, right, NULL), 0);
        fx_mesh_free(right);
    }
    return m;
}

static void check_plane(const fx_symmetry_result *r, fx_plane truth, fx_vec3 at)
{
    double ang = fx_plane_angle(r->plane, truth) * 180 / M_PI;
    double off = fabs(fx_plane_distance(r->plane, fx_plane_reflect(truth, at)) +
                      fx_plane_distance(r->plane, at));
    print_message("# plane error %.4f deg, %.4f mm; rms %.3f mm, inliers %.2f\n", ang, off,
                  r->rms_mm, r->inlier_fraction);
    assert_true(ang < 0.05);
    /* a point and its true mirror image are equally far from the found plane */
    assert_true(off < 0.05);
}

static void recovers_the_plane_of_a_posed_symmetric_model_within_a_twentieth_degree(void **s)
{
    (void)s;
    fx_rigid I = fx_rigid_identity();
    fx_mesh *m = pelvis_like(-1, &I);
    fx_rigid pose = fx_rigid_from_axis_angle(fx_v3(0.2, 1, 0.4), 12 * M_PI / 180,
                                             fx_v3(-20, 35, 180));
    fx_symmetry_result r;

    fx_mesh_transform(m, &pose);
    fx_plane truth = fx_plane_transform(fx_plane_make(fx_v3(0, 0, 0), fx_v3(1, 0, 0)), &pose);
    assert_int_equal(fx_symmetry_plane(m, NULL, &r, NULL), 0);
    check_plane(&r, truth, fx_rigid_apply(&pose, fx_v3(60, 10, 30)));
    assert_true(r.plane.n.x > 0);
    assert_true(r.twist_deg < 0.05);
    fx_mesh_free(m);
}

static void a_displaced_fragment_on_one_side_does_not_tilt_the_plane(void **s)
{
    (void)s;
    fx_rigid D = fx_rigid_from_axis_angle(fx_v3(0, 0, 1), 10 * M_PI / 180, fx_v3(12, -8, 5));
    fx_mesh *m = pelvis_like(2, &D);
    fx_rigid pose = fx_rigid_from_axis_angle(fx_v3(1, 0.5, 0), -8 * M_PI / 180,
                                             fx_v3(5, -10, 90));
    fx_symmetry_result r;

    fx_mesh_transform(m, &pose);
    fx_plane truth = fx_plane_transform(fx_plane_make(fx_v3(0, 0, 0), fx_v3(1, 0, 0)), &pose);
    assert_int_equal(fx_symmetry_plane(m, NULL, &r, NULL), 0);
    check_plane(&r, truth, fx_rigid_apply(&pose, fx_v3(45, -15, -10)));
    fx_mesh_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(recovers_the_plane_of_a_posed_symmetric_model_within_a_twentieth_degree),
        cmocka_unit_test(a_displaced_fragment_on_one_side_does_not_tilt_the_plane),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
