/*
 * test_overlap.c - two boxes placed into each other by a known depth: the
 * measured depth and common volume against the hand calculation, and the
 * joint refinement that pushes the movable box out and back onto its
 * template, against the pose it was moved from.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "fxaudit/joint.h"
#include "fxaudit/overlap.h"

#define N 10 /* cells along each edge of a box face */

/* Quad (a, b, c, d) as two triangles facing `out`. */
static void quad(fx_mesh *m, uint32_t a, uint32_t b, uint32_t c, uint32_t d, fx_vec3 out)
{
    fx_vec3 n = fx_v3_cross(fx_v3_sub(m->v[b], m->v[a]), fx_v3_sub(m->v[c], m->v[a]));
    if (fx_v3_dot(n, out) < 0) {
        uint32_t t = b;
        b = d, d = t;
    }
    assert_int_equal(fx_mesh_add_triangle(m, a, b, c, NULL), 0);
    assert_int_equal(fx_mesh_add_triangle(m, a, c, d, NULL), 0);
}

/* The closed surface of the box lo..hi, N x N quads per face, shared
 * vertices, outward. */
static fx_mesh *box(fx_vec3 lo, fx_vec3 hi)
{
    static uint32_t id[N + 1][N + 1][N + 1];
    fx_mesh *m;
    assert_int_equal(fx_mesh_new(&m, NULL), 0);
    for (int i = 0; i <= N; i++)
        for (int j = 0; j <= N; j++)
            for (int k = 0; k <= N; k++)
                if (i == 0 || i == N || j == 0 || j == N || k == 0 || k == N)
                    assert_int_equal(fx_mesh_add_vertex(m, fx_v3(lo.x + (hi.x - lo.x) * i / N,
                                                                 lo.y + (hi.y - lo.y) * j / N,
                                                                 lo.z + (hi.z - lo.z) * k / N),
                                                        &id[i][j][k], NULL), 0);
    for (int a = 0; a < N; a++)
        for (int b = 0; b < N; b++)
            for (int s = 0; s <= N; s += N) {
                double sg = s ? 1 : -1;
                quad(m, id[s][a][b], id[s][a + 1][b], id[s][a + 1][b + 1], id[s][a][b + 1],
                     fx_v3(sg, 0, 0));
                quad(m, id[a][s][b], id[a + 1][s][b], id[a + 1][s][b + 1], id[a][s][b + 1],
                     fx_v3(0, sg, 0));
                quad(m, id[a][b][s], id[a + 1][b][s], id[a + 1][b + 1][s], id[a][b + 1][s],
                     fx_v3(0, 0, sg));
            }
    return m;
}

static fx_rigid shift(double z)
{
    fx_rigid T = fx_rigid_identity();
    T.t[2] = z;
    return T;
}

typedef struct scene {
    fx_mesh *a, *b, *tmpl;
    fx_bvh *ba, *bb, *bt;
    fx_posed p[2];
} scene;

/* A = [0,20]^2 x [0,10], B = [0,20]^2 x [-10,0], one bone cut across at
 * z = 0; the template is the whole [0,20]^2 x [-10,10]. B moved up by dz. */
static void make_scene(scene *s, double dz)
{
    s->a = box(fx_v3(0, 0, 0), fx_v3(20, 20, 10));
    s->b = box(fx_v3(0, 0, -10), fx_v3(20, 20, 0));
    s->tmpl = box(fx_v3(0, 0, -10), fx_v3(20, 20, 10));
    assert_int_equal(fx_bvh_build(s->a, &s->ba, NULL), 0);
    assert_int_equal(fx_bvh_build(s->b, &s->bb, NULL), 0);
    assert_int_equal(fx_bvh_build(s->tmpl, &s->bt, NULL), 0);
    fx_rigid I = fx_rigid_identity(), T = shift(dz);
    s->p[0] = (fx_posed){.mesh = s->a, .bvh = s->ba};
    s->p[1] = (fx_posed){.mesh = s->b, .bvh = s->bb};
    fx_posed_update(&s->p[0], &I);
    fx_posed_update(&s->p[1], &T);
}

static void free_scene(scene *s)
{
    fx_bvh_free(s->ba), fx_bvh_free(s->bb), fx_bvh_free(s->bt);
    fx_mesh_free(s->a), fx_mesh_free(s->b), fx_mesh_free(s->tmpl);
}

static void boxes_pushed_3_mm_into_each_other_overlap_3_mm_deep_and_1200_mm3(void **st)
{
    scene s;
    fx_overlap o;
    (void)st;
    make_scene(&s, 3);
    assert_int_equal(fx_overlap_measure(&s.p[0], &s.p[1], 0.5, &o, NULL), 0);
    assert_true(fabs(o.depth_mm - 3) < 1e-9);   /* B's top face centre: 3 mm above A's floor */
    assert_true(fabs(o.volume_mm3 - 20 * 20 * 3) < 1e-6); /* the 3 mm slab of the cross-section */
    assert_true(o.vertices > 0);
    free_scene(&s);
}

static void boxes_1_mm_apart_do_not_overlap(void **st)
{
    scene s;
    fx_overlap o;
    (void)st;
    make_scene(&s, -1);
    assert_int_equal(fx_overlap_measure(&s.p[0], &s.p[1], 0.5, &o, NULL), 0);
    assert_true(o.depth_mm == 0 && o.volume_mm3 == 0 && o.vertices == 0);
    free_scene(&s);
}

static void inside_test_gives_depth_and_outward_normal(void **st)
{
    scene s;
    bool in;
    double d;
    fx_vec3 q, n;
    (void)st;
    make_scene(&s, 0);
    assert_int_equal(fx_posed_inside(&s.p[0], fx_v3(10, 13, 2.5), &in, &d, &q, &n, NULL), 0);
    assert_true(in && fabs(d - 2.5) < 1e-9 && fabs(q.z) < 1e-9 && fabs(n.z + 1) < 1e-9);
    assert_int_equal(fx_posed_inside(&s.p[0], fx_v3(10, 13, 10.5), &in, &d, &q, &n, NULL), 0);
    assert_false(in);
    free_scene(&s);
}

static void joint_refinement_pushes_the_overlapping_box_back_to_its_true_place(void **st)
{
    scene s;
    fx_joint_opts o;
    fx_joint_report r;
    int movable[2] = {0, 1};
    double d;
    (void)st;
    make_scene(&s, 3);
    fx_joint_opts_default(&o);
    o.tolerance_mm = 0.1;
    assert_int_equal(fx_joint_refine(s.p, movable, 2, s.tmpl, s.bt, &o, &r, NULL), 0);
    assert_true(r.converged && r.sweeps >= 1);
    /* A stays; B's sides hold x, y and the tilts, contact pushes it down until
     * its floor meets the template's floor, which then holds it at z = 0. */
    assert_true(fx_rigid_rotation_angle(&s.p[0].pose) == 0 && s.p[0].pose.t[2] == 0);
    assert_true(fabs(s.p[1].pose.t[0]) < 1e-3 && fabs(s.p[1].pose.t[1]) < 1e-3);
    print_message("box B back at z %+.2e mm after %d sweeps\n", s.p[1].pose.t[2], r.sweeps);
    assert_true(fabs(s.p[1].pose.t[2]) < 0.05);
    assert_true(fx_rigid_rotation_angle(&s.p[1].pose) < 1e-4);
    assert_int_equal(fx_joint_deepest(s.p, movable, 2, &d, NULL, NULL, NULL), 0);
    assert_true(d <= o.tolerance_mm);
    free_scene(&s);
}

static void joint_refinement_leaves_parts_within_the_tolerance_alone(void **st)
{
    scene s;
    fx_joint_opts o;
    fx_joint_report r;
    int movable[2] = {1, 1};
    (void)st;
    make_scene(&s, 0.2);
    fx_joint_opts_default(&o); /* tolerance 0.5 mm: 0.2 mm is allowed */
    assert_int_equal(fx_joint_refine(s.p, movable, 2, s.tmpl, s.bt, &o, &r, NULL), 0);
    assert_true(r.converged && r.sweeps == 0 && fabs(r.depth_mm - 0.2) < 1e-9);
    assert_true(s.p[1].pose.t[2] == 0.2);
    free_scene(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(boxes_pushed_3_mm_into_each_other_overlap_3_mm_deep_and_1200_mm3),
        cmocka_unit_test(boxes_1_mm_apart_do_not_overlap),
        cmocka_unit_test(inside_test_gives_depth_and_outward_normal),
        cmocka_unit_test(joint_refinement_pushes_the_overlapping_box_back_to_its_true_place),
        cmocka_unit_test(joint_refinement_leaves_parts_within_the_tolerance_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
