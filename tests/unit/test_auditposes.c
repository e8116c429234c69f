/*
 * test_auditposes.c - the audit's residual histogram and fragment poses
 * against analytic truths: points at known heights over a flat square (their
 * distances are the heights), and a fragment block moved by a known rigid
 * transform beside a fixed reference block.
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

#include "fxaudit/auditposes.h"

/* A 200 x 200 mm square in z = 0, 1 mm grid, triangles facing +z. */
static fx_mesh *square(void)
{
    enum { N = 201 };
    fx_mesh *m = NULL;
    assert_int_equal(fx_mesh_new(&m, NULL), FX_OK);
    for (int j = 0; j < N; j++)
        for (int i = 0; i < N; i++)
            assert_int_equal(fx_mesh_add_vertex(m, fx_v3(i - 100.0, j - 100.0, 0), NULL, NULL),
                             FX_OK);
    for (int j = 0; j + 1 < N; j++)
        for (int i = 0; i + 1 < N; i++) {
            uint32_t a = (uint32_t)(j * N + i), b = a + 1, c = a + N, d = c + 1;
            assert_int_equal(fx_mesh_add_triangle(m, a, b, d, NULL), FX_OK);
            assert_int_equal(fx_mesh_add_triangle(m, a, d, c, NULL), FX_OK);
        }
    return m;
}

/* 800 points 0.25 mm above the square and 200 points 5 mm above it, all
 * 10 mm higher than that and brought down by T: the distances are 0.25 and
 * 5 mm. FRMSD: keeping the 800 gives 0.25 / 0.8^2 = 0.39, keeping all
 * sqrt((800 * 0.0625 + 200 * 25) / 1000) = 2.25, so the cut is 0.25 mm,
 * rounded up to the bin edge 0.3 mm; 30 fine bins to 3 mm: 800 in
 * [0.2, 0.3), the 200 in the last bin [3, 5]. */
static void histogram_puts_known_offsets_in_their_bins_and_the_tail_in_the_last(void **st)
{
    (void)st;
    fx_mesh *fixed = square(), *moving = NULL;
    fx_audit_hist h;
    fx_rigid T = fx_rigid_identity();
    T.t[2] = -10;
    assert_int_equal(fx_mesh_new(&moving, NULL), FX_OK);
    for (int k = 0; k < 1000; k++) {
        double x = -80 + 0.16 * k, y = 60 * sin(0.37 * k);
        assert_int_equal(fx_mesh_add_vertex(moving, fx_v3(x, y, k < 800 ? 10.25 : 15.0), NULL,
                                            NULL),
                         FX_OK);
    }
    assert_int_equal(fx_audit_residuals(moving, fixed, &T, 0.1, 3.0, 0.3, &h, NULL), FX_OK);
    assert_int_equal(h.nbins, 31);
    assert_true(fabs(h.cut_mm - 0.3) < 1e-12);
    assert_true(fabs(h.range_mm - 3.0) < 1e-12);
    for (size_t b = 0; b < 30; b++)
        assert_int_equal(h.count[b], b == 2 ? 800 : 0);
    assert_int_equal(h.count[30], 200);
    assert_int_equal(h.n, 1000);
    assert_true(fabs(h.max_mm - 5.0) < 1e-9);
    assert_true(fabs(h.mean_mm - 1.2) < 1e-9);
    fx_audit_hist_release(&h);
    fx_mesh_free(moving);
    fx_mesh_free(fixed);
}

/* The surface of the box lo..hi as six grids of about step_mm (vertices on
 * the edges repeat; closed enough for closest points and ICP). */
static void add_box(fx_mesh *m, fx_vec3 lo, fx_vec3 hi, double step_mm)
{
    double a[3] = {lo.x, lo.y, lo.z}, b[3] = {hi.x, hi.y, hi.z};
    for (int ax = 0; ax < 3; ax++)
        for (int side = 0; side < 2; side++) {
            int u = (ax + 1) % 3, v = (ax + 2) % 3;
            int nu = (int)ceil((b[u] - a[u]) / step_mm), nv = (int)ceil((b[v] - a[v]) / step_mm);
            uint32_t base = (uint32_t)m->nv;
            for (int j = 0; j <= nv; j++)
                for (int i = 0; i <= nu; i++) {
                    double p[3];
                    p[ax] = side ? b[ax] : a[ax];
                    p[u] = a[u] + (b[u] - a[u]) * i / nu;
                    p[v] = a[v] + (b[v] - a[v]) * j / nv;
                    assert_int_equal(fx_mesh_add_vertex(m, fx_v3(p[0], p[1], p[2]), NULL, NULL),
                                     FX_OK);
                }
            for (int j = 0; j < nv; j++)
                for (int i = 0; i < nu; i++) {
                    uint32_t q = base + (uint32_t)(j * (nu + 1) + i), r = q + 1,
                             t = q + (uint32_t)(nu + 1), w = t + 1;
                    /* outward: counter-clockwise seen from outside */
                    if (side)
                        assert_int_equal(fx_mesh_add_triangle(m, q, r, w, NULL), FX_OK),
                            assert_int_equal(fx_mesh_add_triangle(m, q, w, t, NULL), FX_OK);
                    else
                        assert_int_equal(fx_mesh_add_triangle(m, q, w, r, NULL), FX_OK),
                            assert_int_equal(fx_mesh_add_triangle(m, q, t, w, NULL), FX_OK);
                }
        }
}

/* A reference block and a fragment block 1 mm beside it, planned; in the
 * "post-op bone" the fragment is turned 2 deg about an oblique axis through
 * (80, 10, 5) and shifted by (0.8, -1.1, 0.6) mm. The fit must give that
 * transform back, and the identity for the reference. */
static void fragment_moved_by_a_known_rigid_transform_is_recovered(void **st)
{
    (void)st;
    fx_mesh *ref = NULL, *frag = NULL, *bone = NULL, *moved = NULL;
    fx_plan *plan = NULL;
    fx_plan_fragment pf;
    fx_audit_pose *p = NULL;
    assert_int_equal(fx_mesh_new(&ref, NULL), FX_OK);
    assert_int_equal(fx_mesh_new(&frag, NULL), FX_OK);
    add_box(ref, fx_v3(0, 0, 0), fx_v3(60, 40, 30), 1.0);
    add_box(frag, fx_v3(61, -5, -8), fx_v3(95, 22, 16), 1.0);
    fx_vec3 axis = fx_v3_unit(fx_v3(0.3, -0.5, 0.81));
    fx_rigid T = fx_rigid_from_axis_angle(axis, 2.0 * M_PI / 180, fx_v3(0, 0, 0));
    fx_vec3 c = fx_v3(80, 10, 5), shift = fx_v3(0.8, -1.1, 0.6);
    fx_vec3 t = fx_v3_add(fx_v3_sub(c, fx_rigid_rotate(&T, c)), shift);
    T.t[0] = t.x, T.t[1] = t.y, T.t[2] = t.z;
    assert_int_equal(fx_mesh_clone(ref, &bone, NULL), FX_OK);
    assert_int_equal(fx_mesh_clone(frag, &moved, NULL), FX_OK);
    fx_mesh_transform(moved, &T);
    assert_int_equal(fx_mesh_append(bone, moved, NULL), FX_OK);

    assert_int_equal(fx_plan_new(&plan, NULL), FX_OK);
    memset(&pf, 0, sizeof(pf));
    pf.pose = fx_rigid_identity();
    snprintf(pf.name, sizeof(pf.name), "reference-0");
    pf.fixed = 1;
    assert_int_equal(fx_plan_add_fragment(plan, &pf, NULL), FX_OK);
    snprintf(pf.name, sizeof(pf.name), "fragment-1");
    pf.fixed = 0;
    assert_int_equal(fx_plan_add_fragment(plan, &pf, NULL), FX_OK);
    fx_mesh *models[2] = {ref, frag};
    assert_int_equal(fx_audit_fragment_poses(bone, plan, models, &p, NULL), FX_OK);

    assert_true(p[0].found && p[0].reference);
    assert_true(p[0].translation_mm < 0.01 && p[0].rotation_deg < 0.01);
    assert_true(p[1].found && !p[1].reference);
    fx_vec3 centroid = fx_mesh_centroid(frag);
    fx_vec3 d_true = fx_v3_sub(fx_rigid_apply(&T, centroid), centroid);
    assert_true(fx_v3_dist(p[1].d, d_true) < 0.01);
    assert_true(fabs(p[1].rotation_deg - 2.0) < 0.01);
    assert_true(fx_rigid_rotation_distance(&p[1].pose, &T) * 180 / M_PI < 0.01);
    free(p);
    fx_plan_free(plan);
    fx_mesh_free(moved);
    fx_mesh_free(bone);
    fx_mesh_free(frag);
    fx_mesh_free(ref);
}

static void histogram_refuses_a_zero_bin_width(void **st)
{
    (void)st;
    fx_mesh *fixed = square();
    fx_audit_hist h;
    fx_rigid T = fx_rigid_identity();
    fx_error err = {0};
    assert_int_not_equal(fx_audit_residuals(fixed, fixed, &T, 0, 3.0, 0.3, &h, &err), FX_OK);
    fx_mesh_free(fixed);
}

/* The surface of a cylinder of radius CYL_R_MM about the x axis, x from -60
 * to 60 mm (the planned bone), triangles facing out. */
#define CYL_R_MM 12.0
static fx_mesh *cylinder(void)
{
    enum { NX = 121, NS = 360 };
    fx_mesh *m = NULL;
    assert_int_equal(fx_mesh_new(&m, NULL), FX_OK);
    for (int k = 0; k < NX; k++)
        for (int s = 0; s < NS; s++) {
            double th = 2 * M_PI * s / NS;
            assert_int_equal(fx_mesh_add_vertex(m, fx_v3(k - 60.0, CYL_R_MM * cos(th),
                                                         CYL_R_MM * sin(th)), NULL, NULL),
                             FX_OK);
        }
    for (int k = 0; k + 1 < NX; k++)
        for (int s = 0; s < NS; s++) {
            uint32_t a = (uint32_t)(k * NS + s), b = (uint32_t)(k * NS + (s + 1) % NS);
            uint32_t c = a + NS, d = b + NS;
            assert_int_equal(fx_mesh_add_triangle(m, a, b, c, NULL), FX_OK);
            assert_int_equal(fx_mesh_add_triangle(m, b, d, c, NULL), FX_OK);
        }
    return m;
}

/* A plate is bent along its length, not across its width: laid along the top
 * line of a bone of radius 12 mm (z = 12), the model's underside must be the
 * plane z = 12 over its whole width, touching the bone along the path and
 * standing 12 - sqrt(12^2 - 5^2) = 1.09 mm off it at its edges, and its top
 * the plane z = 14.5. A model conforming to the bone (the edges at z = 10.91)
 * lies 0.37 mm deeper on average than the plate, and the audit fitted the
 * plate that much too far out. */
static void plate_model_on_a_convex_bone_lies_flat_across_its_width(void **st)
{
    (void)st;
    fx_vec3 path[17];
    for (int i = 0; i < 17; i++)
        path[i] = fx_v3(-40 + 5.0 * i, 0, CYL_R_MM);
    fx_plan_plate pl = {.name = "plate", .width_mm = 10, .thickness_mm = 2.5, .offset_mm = 0,
                        .path = path, .npath = 17};
    fx_plan plan;
    memset(&plan, 0, sizeof(plan));
    plan.plates = &pl;
    plan.nplates = 1;
    fx_mesh *bone = cylinder(), *model = NULL;
    assert_int_equal(fx_audit_plate_build(&plan, 0, bone, &model, NULL), FX_OK);
    double worst_bot = 0, worst_top = 0, ymin = 0, ymax = 0;
    size_t half = model->nv / 2;
    for (size_t i = 0; i < model->nv; i++) {
        double want = i < half ? CYL_R_MM : CYL_R_MM + 2.5, e = fabs(model->v[i].z - want);
        if (i < half)
            worst_bot = fmax(worst_bot, e);
        else
            worst_top = fmax(worst_top, e);
        ymin = fmin(ymin, model->v[i].y), ymax = fmax(ymax, model->v[i].y);
    }
    printf("# underside %.4f mm, top %.4f mm off their planes; y %.3f..%.3f mm\n", worst_bot,
           worst_top, ymin, ymax);
    /* the bone is a 360-gon: the facet under the path tilts its normal by up
     * to 0.5 deg, 5 mm sin 0.5 deg = 0.044 mm at the edges */
    assert_true(worst_bot <= 0.05);
    assert_true(worst_top <= 0.05);
    assert_true(fabs(ymin + 5) <= 0.05 && fabs(ymax - 5) <= 0.05);
    fx_mesh_free(model);
    fx_mesh_free(bone);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(histogram_puts_known_offsets_in_their_bins_and_the_tail_in_the_last),
        cmocka_unit_test(histogram_refuses_a_zero_bin_width),
        cmocka_unit_test(fragment_moved_by_a_known_rigid_transform_is_recovered),
        cmocka_unit_test(plate_model_on_a_convex_bone_lies_flat_across_its_width),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
