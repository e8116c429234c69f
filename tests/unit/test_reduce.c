/*
 * test_reduce.c - a fragment cut from a template's surface, with a flat
 * fracture surface the template does not have, displaced by a known rigid
 * transform, is put back where it came from.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "fxaudit/reduce.h"
#include "fxaudit/shapes.h"

/* An ellipsoid with a bump, so that no symmetry makes the pose ambiguous. */
static fx_mesh *template_model(void)
{
    fx_mesh *m;
    fx_rigid R = fx_rigid_from_axis_angle(fx_v3(0.3, 1, 0.2), 0.4, fx_v3(0, 0, 0));
    fx_rigid I = fx_rigid_identity();
    assert_int_equal(fx_mesh_new(&m, NULL), 0);
    assert_int_equal(fx_shape_ellipsoid(m, fx_v3(50, -20, 100), 40, 25, 15, &R, 96, 48, NULL), 0);
    assert_int_equal(fx_shape_ellipsoid(m, fx_v3(75, -20, 112), 12, 9, 9, &I, 48, 24, NULL), 0);
    return m;
}

/* The template's triangles with every corner on the positive side of the
 * plane through `p` with normal `n`, and a disc on that plane: the fracture
 * surface. */
static fx_mesh *cut_fragment(const fx_mesh *t, fx_vec3 p, fx_vec3 n, double disc_r)
{
    fx_mesh *f;
    assert_int_equal(fx_mesh_new(&f, NULL), 0);
    uint32_t *map = calloc(t->nv, sizeof(*map));
    for (size_t i = 0; i < t->nv; i++)
        if (fx_v3_dot(fx_v3_sub(t->v[i], p), n) > 0)
            fx_mesh_add_vertex(f, t->v[i], &map[i], NULL), map[i]++;
    for (size_t k = 0; k < t->nt; k++) {
        const uint32_t *c = t->t + 3 * k;
        if (map[c[0]] && map[c[1]] && map[c[2]])
            fx_mesh_add_triangle(f, map[c[0]] - 1, map[c[1]] - 1, map[c[2]] - 1, NULL);
    }
    free(map);
    fx_mesh *cap;
    assert_int_equal(fx_mesh_new(&cap, NULL), 0);
    fx_shape_cylinder(cap, fx_v3_sub(p, fx_v3_scale(n, 0.01)), p, disc_r, 48, NULL);
    fx_mesh_append(f, cap, NULL);
    fx_mesh_free(cap);
    return f;
}

static void reduce_case(double deg, fx_vec3 shift)
{
    fx_mesh *t = template_model();
    fx_vec3 p = fx_v3(60, -20, 100);
    fx_mesh *f = cut_fragment(t, p, fx_v3(1, 0, 0.2), 8);
    fx_vec3 c = fx_mesh_centroid(f);
    /* `deg` about an oblique axis through the centroid, then the shift */
    fx_rigid R = fx_rigid_from_axis_angle(fx_v3(0.2, 1, 0.5), deg * M_PI / 180, fx_v3(0, 0, 0));
    fx_vec3 t0 = fx_v3_add(fx_v3_sub(c, fx_rigid_rotate(&R, c)), shift);
    fx_rigid D = R;
    D.t[0] = t0.x, D.t[1] = t0.y, D.t[2] = t0.z;
    fx_reduce_result r;

    fx_mesh_transform(f, &D);
    assert_int_equal(fx_reduce_fragment(f, t, NULL, NULL, &r, NULL), 0);
    fx_rigid back = fx_rigid_compose(&r.pose, &D); /* should be the identity */
    double rot = fx_rigid_rotation_angle(&back) * 180 / M_PI;
    double tr = fx_v3_dist(fx_rigid_apply(&back, c), c);
    print_message("# residual %.4f deg, %.4f mm; rms %.4f mm over %.0f %% of the fragment, "
                  "%d starts\n", rot, tr, r.rms_mm, 100 * r.surface_fraction, r.starts);
    assert_true(rot < 0.05);
    assert_true(tr < 0.05);
    /* the cap is no part of the template: it is left out of the residual */
    assert_true(r.surface_fraction < 1.0);
    assert_true(r.rms_mm < 0.05);
    fx_mesh_free(t);
    fx_mesh_free(f);
}

static void a_displaced_fragment_is_reduced_within_a_twentieth_degree_and_mm(void **state)
{
    (void)state;
    reduce_case(10, fx_v3(9, -8, 6)); /* 13.4 mm */
}

static void a_fragment_displaced_by_15_degrees_and_25_mm_is_reduced_as_well(void **state)
{
    (void)state;
    reduce_case(15, fx_v3(20, -12, 8)); /* 24.7 mm, the middle of the pre-op gaps */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_displaced_fragment_is_reduced_within_a_twentieth_degree_and_mm),
        cmocka_unit_test(a_fragment_displaced_by_15_degrees_and_25_mm_is_reduced_as_well),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
