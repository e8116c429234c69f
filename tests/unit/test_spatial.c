/*
 * test_spatial.c - the k-d tree and the triangle tree, each against brute
 * force over every point or triangle, and the closest point on a triangle and
 * ray crossings against hand calculations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "fxaudit/bvh.h"
#include "fxaudit/kdtree.h"
#include "geom_fixtures.h"

static void nearest_neighbours_agree_with_brute_force(void **state)
{
    (void)state;
    rng r = {42};
    enum { N = 20000, Q = 1000, K = 7 };
    fx_vec3 *p = malloc(N * sizeof(*p));
    for (int i = 0; i < N; i++) /* clustered on a sphere shell, with exact duplicates */
        p[i] = i % 100 == 99 ? p[i - 1]
                             : fx_v3_scale(rng_unit_vector(&r), 50 + rng_uniform(&r));
    fx_kdtree *t;
    assert_int_equal(fx_kdtree_build(p, N, &t, NULL), FX_OK);
    assert_int_equal(fx_kdtree_size(t), N);
    for (int q = 0; q < Q; q++) {
        fx_vec3 x = fx_v3_scale(rng_unit_vector(&r), 80 * rng_uniform(&r));
        double bd[K];
        for (int k = 0; k < K; k++)
            bd[k] = INFINITY;
        for (int i = 0; i < N; i++) { /* brute force: the K smallest distances */
            double d = fx_v3_dot(fx_v3_sub(p[i], x), fx_v3_sub(p[i], x));
            for (int k = 0; k < K; k++)
                if (d < bd[k]) {
                    memmove(bd + k + 1, bd + k, (K - 1 - k) * sizeof(double));
                    bd[k] = d;
                    break;
                }
        }
        double d2, kd[K];
        size_t idx[K];
        size_t i = fx_kdtree_nearest(t, x, &d2);
        assert_true(d2 == bd[0]);
        assert_true(fx_v3_dot(fx_v3_sub(p[i], x), fx_v3_sub(p[i], x)) == d2);
        assert_int_equal(fx_kdtree_knearest(t, x, K, idx, kd), K);
        for (int k = 0; k < K; k++) {
            assert_true(kd[k] == bd[k]);
            assert_true(fx_v3_dot(fx_v3_sub(p[idx[k]], x), fx_v3_sub(p[idx[k]], x)) == kd[k]);
        }
    }
    size_t idx[3];
    fx_kdtree *one;
    assert_int_equal(fx_kdtree_build(p, 1, &one, NULL), FX_OK);
    assert_int_equal(fx_kdtree_knearest(one, fx_v3(0, 0, 0), 3, idx, NULL), 1);
    fx_kdtree_free(one);
    fx_kdtree_free(t);
    free(p);
}

/* The batch answers every query exactly like brute force, although it answers
 * them in another order and starts each search from the previous answer. */
static void batched_queries_in_z_order_agree_with_brute_force(void **state)
{
    (void)state;
    rng r = {7};
    enum { N = 5000, Q = 3000 };
    fx_vec3 *p = malloc(N * sizeof(*p)), *q = malloc(Q * sizeof(*q));
    size_t *idx = malloc(Q * sizeof(size_t));
    double *d2 = malloc(Q * sizeof(double));
    for (int i = 0; i < N; i++)
        p[i] = fx_v3_scale(rng_unit_vector(&r), 30 + rng_uniform(&r));
    for (int j = 0; j < Q; j++) /* near the shell, far inside and far outside */
        q[j] = fx_v3_scale(rng_unit_vector(&r), j % 3 == 0 ? 60 * rng_uniform(&r)
                                                             : 28 + 6 * rng_uniform(&r));
    fx_kdtree *t;
    assert_int_equal(fx_kdtree_build(p, N, &t, NULL), FX_OK);
    assert_int_equal(fx_kdtree_nearest_many(t, q, Q, idx, d2, NULL), FX_OK);
    for (int j = 0; j < Q; j++) {
        double best = INFINITY;
        for (int i = 0; i < N; i++)
            best = fmin(best, fx_v3_dot(fx_v3_sub(p[i], q[j]), fx_v3_sub(p[i], q[j])));
        assert_true(d2[j] == best);
        assert_true(fx_v3_dot(fx_v3_sub(p[idx[j]], q[j]), fx_v3_sub(p[idx[j]], q[j])) == best);
    }
    assert_int_equal(fx_kdtree_nearest_many(t, q, 0, idx, d2, NULL), FX_OK);
    assert_int_equal(fx_kdtree_nearest_many(t, q, 1, idx, NULL, NULL), FX_OK);
    fx_kdtree_free(t);
    free(p), free(q), free(idx), free(d2);
}

/* The bounded batch, over several runs of queries shared among one and two
 * threads: a query with no point within the radius gets none, every other
 * the brute-force nearest distance; hints (last answers, random points, none)
 * change nothing. */
static void bounded_batches_on_one_and_two_threads_agree_with_brute_force(void **state)
{
    (void)state;
    rng r = {11};
    enum { N = 4000, Q = 9000 };
    const double max_d2 = 1.5 * 1.5;
    fx_vec3 *p = malloc(N * sizeof(*p)), *q = malloc(Q * sizeof(*q));
    size_t *idx = malloc(Q * sizeof(size_t)), *hint = malloc(Q * sizeof(size_t));
    double *d2 = malloc(Q * sizeof(double));
    for (int i = 0; i < N; i++)
        p[i] = fx_v3_scale(rng_unit_vector(&r), 30 + rng_uniform(&r));
    for (int j = 0; j < Q; j++) /* from 25 to 35 mm: some within 1.5 mm, some not */
        q[j] = fx_v3_scale(rng_unit_vector(&r), 25 + 10 * rng_uniform(&r));
    fx_kdtree *t;
    assert_int_equal(fx_kdtree_build(p, N, &t, NULL), FX_OK);
    int none = 0, some = 0;
    for (int threads = 1; threads <= 2; threads++) {
#ifdef _OPENMP
        omp_set_num_threads(threads);
#endif
        assert_int_equal(fx_kdtree_nearest_many_within(t, q, Q, max_d2, threads == 2 ? hint : NULL,
                                                                idx, d2, NULL), FX_OK);
        for (int j = 0; j < Q; j++) {
            double best = INFINITY;
            for (int i = 0; i < N; i++)
                best = fmin(best, fx_v3_dot(fx_v3_sub(p[i], q[j]), fx_v3_sub(p[i], q[j])));
            if (best >= max_d2) {
                assert_true(idx[j] == (size_t)-1);
                none++;
                continue;
            }
            some++;
            assert_true(idx[j] < N);
            assert_true(d2[j] == best);
            assert_true(fx_v3_dot(fx_v3_sub(p[idx[j]], q[j]), fx_v3_sub(p[idx[j]], q[j])) == best);
        }
        for (int j = 0; j < Q; j++)
            hint[j] = j % 5 == 0 ? (size_t)-1 : j % 3 == 0 ? (size_t)(j * 7919) % N : idx[j];
    }
    assert_true(none > 1000 && some > 1000);
    fx_kdtree_free(t);
    free(p), free(q), free(idx), free(hint), free(d2);
}

static void closest_point_on_a_triangle_matches_hand_calculation(void **state)
{
    (void)state;
    fx_vec3 a = {0, 0, 0}, b = {1, 0, 0}, c = {0, 1, 0};
    struct { fx_vec3 p, want; double bary[3]; } cases[] = {
        {{0.25, 0.25, 5}, {0.25, 0.25, 0}, {0.5, 0.25, 0.25}}, /* face */
        {{-1, -1, 0}, {0, 0, 0}, {1, 0, 0}},                  /* corner a */
        {{2, -1, 3}, {1, 0, 0}, {0, 1, 0}},                   /* corner b */
        {{-0.5, 3, 0}, {0, 1, 0}, {0, 0, 1}},                 /* corner c */
        {{0.5, -3, 1}, {0.5, 0, 0}, {0.5, 0.5, 0}},           /* edge ab */
        {{1, 1, 0}, {0.5, 0.5, 0}, {0, 0.5, 0.5}},            /* edge bc */
        {{-2, 0.75, -1}, {0, 0.75, 0}, {0.25, 0, 0.75}},      /* edge ca */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        double bary[3];
        fx_vec3 got = fx_closest_on_triangle(cases[i].p, a, b, c, bary);
        assert_true(fx_v3_dist(got, cases[i].want) < 1e-15);
        for (int k = 0; k < 3; k++)
            assert_true(fabs(bary[k] - cases[i].bary[k]) < 1e-15);
    }
}

static void closest_points_on_the_bunny_agree_with_brute_force(void **state)
{
    (void)state;
    fx_mesh *m = fixture_bunny_mm();
    if (!m)
        m = fixture_sphere(fx_v3(0, 0, 0), 50, 60, 120);
    fx_bvh *b;
    assert_int_equal(fx_bvh_build(m, &b, NULL), FX_OK);
    rng r = {7};
    fx_vec3 lo, hi;
    fx_mesh_bounds(m, &lo, &hi);
    for (int q = 0; q < 200; q++) {
        fx_vec3 x = fx_v3(lo.x - 20 + (hi.x - lo.x + 40) * rng_uniform(&r),
                          lo.y - 20 + (hi.y - lo.y + 40) * rng_uniform(&r),
                          lo.z - 20 + (hi.z - lo.z + 40) * rng_uniform(&r));
        double best = INFINITY;
        for (size_t t = 0; t < m->nt; t++) {
            double bary[3];
            fx_vec3 p = fx_closest_on_triangle(x, m->v[m->t[3 * t]], m->v[m->t[3 * t + 1]],
                                               m->v[m->t[3 * t + 2]], bary);
            best = fmin(best, fx_v3_dot(fx_v3_sub(p, x), fx_v3_sub(p, x)));
        }
        fx_closest c;
        assert_true(fx_bvh_closest(b, x, INFINITY, &c));
        assert_true(c.d2_mm2 == best);
        fx_vec3 fromb = fx_v3(0, 0, 0);
        for (int k = 0; k < 3; k++)
            fromb = fx_v3_add(fromb, fx_v3_scale(m->v[m->t[3 * c.tri + k]], c.bary[k]));
        assert_true(fx_v3_dist(fromb, c.point) < 1e-9);
        assert_false(fx_bvh_closest(b, x, best * 0.999, &c)); /* nothing that close */
    }
    fx_bvh_free(b);
    fx_mesh_free(m);
}

static void a_ray_through_the_unit_cube_enters_at_one_and_leaves_at_two(void **state)
{
    (void)state;
    fx_mesh *m = fixture_cube();
    assert_true(fabs(fx_mesh_volume(m) - 1) < 1e-15); /* the fixture faces outward */
    fx_bvh *b;
    fx_ray_hit *h;
    size_t n;
    assert_int_equal(fx_bvh_build(m, &b, NULL), FX_OK);
    assert_int_equal(fx_bvh_raycast(b, fx_v3(-1, 0.3, 0.4), fx_v3(2, 0, 0), INFINITY, &h, &n,
                                    NULL), FX_OK);
    assert_int_equal(n, 2);
    assert_true(fabs(h[0].t_mm - 1) < 1e-15 && h[0].entering);
    assert_true(fabs(h[1].t_mm - 2) < 1e-15 && !h[1].entering);
    assert_true(fx_v3_dist(h[1].point, fx_v3(1, 0.3, 0.4)) < 1e-15);
    free(h);
    /* stopping short of the far face: only the entry */
    assert_int_equal(fx_bvh_raycast(b, fx_v3(-1, 0.3, 0.4), fx_v3(1, 0, 0), 1.5, &h, &n, NULL),
                     FX_OK);
    assert_int_equal(n, 1);
    free(h);
    /* a ray that misses */
    assert_int_equal(fx_bvh_raycast(b, fx_v3(-1, 1.3, 0.4), fx_v3(1, 0, 0), INFINITY, &h, &n,
                                    NULL), FX_OK);
    assert_int_equal(n, 0);
    assert_null(h);
    fx_bvh_free(b);
    fx_mesh_free(m);
}

static void rays_through_a_sphere_cross_it_twice_near_the_analytic_points(void **state)
{
    (void)state;
    double R = 10, sag = R * (1 - cos(M_PI / 80)); /* facet depth at 80 segments */
    fx_mesh *m = fixture_sphere(fx_v3(1, 2, 3), R, 80, 160);
    fx_bvh *b;
    assert_int_equal(fx_bvh_build(m, &b, NULL), FX_OK);
    rng r = {3};
    for (int q = 0; q < 200; q++) {
        fx_vec3 d = rng_unit_vector(&r), o = fx_v3_sub(fx_v3(1, 2, 3), fx_v3_scale(d, 30));
        fx_ray_hit *h;
        size_t n;
        assert_int_equal(fx_bvh_raycast(b, o, d, INFINITY, &h, &n, NULL), FX_OK);
        assert_int_equal(n, 2);
        assert_true(h[0].entering && !h[1].entering);
        assert_true(h[0].t_mm >= 20 && h[0].t_mm <= 20 + 2 * sag);
        assert_true(h[1].t_mm <= 40 && h[1].t_mm >= 40 - 2 * sag);
        free(h);
    }
    fx_bvh_free(b);
    fx_mesh_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nearest_neighbours_agree_with_brute_force),
        cmocka_unit_test(batched_queries_in_z_order_agree_with_brute_force),
        cmocka_unit_test(bounded_batches_on_one_and_two_threads_agree_with_brute_force),
        cmocka_unit_test(closest_point_on_a_triangle_matches_hand_calculation),
        cmocka_unit_test(closest_points_on_the_bunny_agree_with_brute_force),
        cmocka_unit_test(a_ray_through_the_unit_cube_enters_at_one_and_leaves_at_two),
        cmocka_unit_test(rays_through_a_sphere_cross_it_twice_near_the_analytic_points),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
