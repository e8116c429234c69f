/*
 * test_surfdist.c - signed distances and the Hausdorff distance against
 * hand calculations on a cube (face, edge and corner cases of the sign) and
 * concentric spheres.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fxaudit/surfdist.h"
#include "geom_fixtures.h"

static void signs_are_right_at_faces_edges_and_corners_of_a_cube(void **state)
{
    (void)state;
    fx_mesh *cube = fixture_cube(), *pts;
    struct { fx_vec3 p; double want; } c[] = {
        {{1.1, 1.1, 1.1}, sqrt(3) * 0.1},  /* outside a corner */
        {{0.95, 0.95, 0.95}, -0.05},       /* inside, nearest three faces at once */
        {{1.1, 1.1, 0.5}, sqrt(2) * 0.1},  /* outside an edge */
        {{-0.2, 0.5, 0.5}, 0.2},           /* outside a face */
        {{0.5, 0.5, 0.4}, -0.4},           /* inside */
        {{0.5, 0.5, 1.0}, 0.0},            /* on the surface */
    };
    int n = sizeof(c) / sizeof(c[0]);
    assert_int_equal(fx_mesh_alloc((size_t)n, 0, &pts, NULL), FX_OK);
    for (int i = 0; i < n; i++)
        pts->v[i] = c[i].p;
    double d[6];
    fx_surfdist st;
    assert_int_equal(fx_surface_distance(pts, cube, d, &st, NULL), FX_OK);
    for (int i = 0; i < n; i++)
        if (fabs(d[i] - c[i].want) > 1e-12)
            fail_msg("point %d: %g, want %g", i, d[i], c[i].want);
    assert_true(fabs(st.max_abs_mm - 0.4) < 1e-12);
    assert_true(fabs(st.min_mm + 0.4) < 1e-12 && fabs(st.max_mm - 0.2) < 1e-12);
    double mean = 0, rms = 0;
    for (int i = 0; i < n; i++)
        mean += c[i].want / n, rms += c[i].want * c[i].want / n;
    assert_true(fabs(st.mean_mm - mean) < 1e-12 && fabs(st.rms_mm - sqrt(rms)) < 1e-12);
    fx_mesh_free(pts);
    fx_mesh_free(cube);
}

static void a_shifted_cube_is_a_hausdorff_distance_of_the_shift_away(void **state)
{
    (void)state;
    fx_mesh *a = fixture_cube(), *b = fixture_cube();
    fx_rigid T = fx_rigid_from_axis_angle(fx_v3(0, 0, 1), 0, fx_v3(0.3, 0, 0));
    fx_mesh_transform(b, &T);
    double h, ab, ba;
    assert_int_equal(fx_hausdorff(a, b, &h, &ab, &ba, NULL), FX_OK);
    assert_true(fabs(h - 0.3) < 1e-12 && fabs(ab - 0.3) < 1e-12 && fabs(ba - 0.3) < 1e-12);
    fx_mesh_free(a);
    fx_mesh_free(b);
}

static void concentric_spheres_are_their_radius_difference_apart(void **state)
{
    (void)state;
    fx_vec3 c = {5, -3, 2};
    fx_mesh *ref = fixture_sphere(c, 10, 90, 180);
    double sag = 10 * (1 - cos(M_PI / 90)); /* deepest point of a facet below the sphere */
    for (int sgn = -1; sgn <= 1; sgn += 2) {
        fx_mesh *other = fixture_sphere(c, 10 + 2 * sgn, 37, 71);
        fx_surfdist st;
        assert_int_equal(fx_surface_distance(other, ref, NULL, &st, NULL), FX_OK);
        assert_true(fabs(st.mean_mm - 2 * sgn) <= sag);
        assert_true(st.min_mm >= 2 * sgn - sag && st.max_mm <= 2 * sgn + sag);
        fx_mesh_free(other);
    }
    fx_mesh_free(ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(signs_are_right_at_faces_edges_and_corners_of_a_cube),
        cmocka_unit_test(a_shifted_cube_is_a_hausdorff_distance_of_the_shift_away),
        cmocka_unit_test(concentric_spheres_are_their_radius_difference_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
