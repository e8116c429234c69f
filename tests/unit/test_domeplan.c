/*
 * test_domeplan.c - the plan-based dome estimate against hand calculations.
 *
 * Two fragments of the socket: the joint sphere's surface (R = 25 mm, centre
 * C, up to 80 degrees from the top) cut by the plane y = C_y through C; the
 * part y < C_y has label 1 (b, the lower label), y > C_y label 2 (a). The dome
 * is the cap within 10 mm of the top: cos(theta) >= 0.6, theta <= 53.13 deg.
 * The line is the great circle y = C_y, tangent (cos t, 0, -sin t) at polar
 * angle t. By docs/phantom.md:
 * - b moved by (0, -g, 0): d = D_a - D_b = (0, g, 0), u = +y: gap_3d = g,
 *   step 0; sagittal (e = x, |l.x| = cos t >= 0.6: visible) gap g, step 0;
 *   axial (|l.z| = sin t >= 0.5 for t >= 30 deg) gap g, step 0; coronal
 *   (l.y = 0) not visible. Cleft area: g times the line's length in the dome,
 *   2 R theta_d = 2 * 25 * 0.92730 = 46.365 mm.
 * - b moved by (0, 0, s): d = (0, 0, -s): step_3d = s (at the top), gap 0;
 *   sagittal: d' = d, n_e = z: step s; axial: s* = s / (l.z), d' =
 *   (-s cot t, 0, 0), n_e = x: step s cot t, largest at the first visible
 *   sample, t = 30 deg: s sqrt(3).
 * The line is found to grid_mm / 256 (bisection), so values hold to 1e-3 mm.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "fxaudit/domeplan.h"

#define R_MM 25.0

static const fx_vec3 C = {40, 30, 20};

/* The sphere's surface for polar angle 0..80 deg and azimuth phi0..phi0+pi. */
static fx_mesh *half_cap(double phi0)
{
    fx_mesh *m = NULL;
    const int nt = 160, np = 240;
    assert_int_equal(fx_mesh_new(&m, NULL), FX_OK);
    for (int i = 0; i <= nt; i++)
        for (int j = 0; j <= np; j++) {
            double t = (80.0 * M_PI / 180) * i / nt, ph = phi0 + M_PI * j / np;
            fx_vec3 p = fx_v3(C.x + R_MM * sin(t) * cos(ph), C.y + R_MM * sin(t) * sin(ph),
                              C.z + R_MM * cos(t));
            assert_int_equal(fx_mesh_add_vertex(m, p, NULL, NULL), FX_OK);
        }
    for (int i = 0; i < nt; i++)
        for (int j = 0; j < np; j++) {
            uint32_t a = (uint32_t)(i * (np + 1) + j), b = a + 1, c = a + (uint32_t)np + 1,
                     d = c + 1;
            /* wound so that the outward normal of the bone (outside the
             * sphere) points to the joint centre, as a socket's does */
            assert_int_equal(fx_mesh_add_triangle(m, a, b, c, NULL), FX_OK);
            assert_int_equal(fx_mesh_add_triangle(m, b, d, c, NULL), FX_OK);
        }
    return m;
}

static fx_dome test_dome(void)
{
    fx_dome d = {0};
    d.centre_mm = C;
    d.radius_mm = R_MM;
    d.height_mm = 10;
    d.axis[0] = fx_v3(1, 0, 0);
    d.axis[1] = fx_v3(0, 1, 0);
    d.axis[2] = fx_v3(0, 0, 1);
    return d;
}

/* Lines of the two halves; the result with b (label 1) moved by `move`. */
static void measure_moved(fx_vec3 move, fx_domeplan_result *r, size_t *samples)
{
    fx_mesh *lo = half_cap(M_PI), *hi = half_cap(0); /* y < C_y, y > C_y */
    fx_domeplan_part parts[2] = {{lo, 1}, {hi, 2}};
    fx_domeplan_opts o;
    fx_domeplan *p = NULL;
    fx_dome d = test_dome();
    fx_domeplan_opts_default(&o);
    assert_int_equal(fx_domeplan_lines(&d, parts, 2, &o, &p, NULL), FX_OK);
    fx_rigid D[2] = {fx_rigid_identity(), fx_rigid_identity()};
    D[0].t[0] = move.x;
    D[0].t[1] = move.y;
    D[0].t[2] = move.z;
    fx_domeplan_measure(p, D, NULL, r);
    *samples = fx_domeplan_samples(p);
    fx_domeplan_free(p);
    fx_mesh_free(lo);
    fx_mesh_free(hi);
}

static void a_fragment_moved_across_the_line_opens_a_gap_seen_axially_and_sagittally(void **s)
{
    (void)s;
    fx_domeplan_result r;
    size_t n;
    measure_moved(fx_v3(0, -7.5, 0), &r, &n);
    assert_true(n > 100);
    assert_float_equal(r.gap3d_mm, 7.5, 1e-3);
    assert_float_equal(r.step3d_mm, 0.0, 1e-3);
    assert_float_equal(r.gap_mm[2], 7.5, 1e-3); /* sagittal */
    assert_float_equal(r.step_mm[2], 0.0, 1e-3);
    assert_float_equal(r.gap_mm[0], 7.5, 1e-3); /* axial */
    assert_float_equal(r.step_mm[0], 0.0, 1e-3);
    assert_true(isnan(r.gap_mm[1]) && isnan(r.step_mm[1])); /* coronal: not visible */
    assert_float_equal(r.line_mm, 46.365, 0.5);
    assert_float_equal(r.gap_area_mm2, 7.5 * 46.365, 4.0);
}

static void a_fragment_moved_along_the_joint_normal_makes_a_step_without_a_gap(void **s)
{
    (void)s;
    fx_domeplan_result r;
    size_t n;
    measure_moved(fx_v3(0, 0, 2), &r, &n);
    assert_float_equal(r.step3d_mm, 2.0, 1e-3);
    assert_float_equal(r.gap3d_mm, 0.0, 1e-3);
    assert_float_equal(r.step_mm[2], 2.0, 1e-3); /* sagittal */
    assert_float_equal(r.gap_mm[2], 0.0, 1e-3);
    assert_float_equal(r.step_mm[0], 2.0 * sqrt(3.0), 0.15); /* axial, first visible sample */
    assert_float_equal(r.gap_area_mm2, 0.0, 1e-2);
    assert_true(isnan(r.step_mm[1]));
}

static void overlapping_fragments_count_no_gap(void **s)
{
    (void)s;
    fx_domeplan_result r;
    size_t n;
    measure_moved(fx_v3(0, 3, 0), &r, &n); /* b pushed into a: d = (0, -3, 0) */
    assert_float_equal(r.gap3d_mm, 0.0, 1e-9);
    assert_float_equal(r.gap_mm[2], 0.0, 1e-9);
    assert_float_equal(r.step_mm[2], 0.0, 1e-3);
}

static void a_surface_facing_away_from_the_joint_labels_nothing(void **s)
{
    (void)s;
    fx_mesh *lo = half_cap(M_PI), *hi = half_cap(0);
    /* part 2 turned inside out: its normals face away from the joint centre,
     * as an outer cortex's would; it labels no dome point, so no line */
    for (size_t t = 0; t < hi->nt; t++) {
        uint32_t k = hi->t[3 * t + 1];
        hi->t[3 * t + 1] = hi->t[3 * t + 2];
        hi->t[3 * t + 2] = k;
    }
    fx_domeplan_part parts[2] = {{lo, 1}, {hi, 2}};
    fx_domeplan_opts o;
    fx_domeplan *p = NULL;
    fx_dome d = test_dome();
    fx_domeplan_opts_default(&o);
    assert_int_equal(fx_domeplan_lines(&d, parts, 2, &o, &p, NULL), FX_OK);
    assert_int_equal((int)fx_domeplan_samples(p), 0);
    fx_domeplan_free(p);
    fx_mesh_free(lo);
    fx_mesh_free(hi);
}

static void a_dome_of_one_part_has_no_line(void **s)
{
    (void)s;
    fx_mesh *lo = half_cap(M_PI), *hi = half_cap(0);
    fx_domeplan_part parts[2] = {{lo, 1}, {hi, 1}}; /* one label for both: still two parts */
    fx_domeplan_part one[1] = {{lo, 1}};
    fx_domeplan_opts o;
    fx_domeplan *p = NULL;
    fx_dome d = test_dome();
    fx_rigid D[2] = {fx_rigid_identity(), fx_rigid_identity()};
    fx_domeplan_result r;
    fx_domeplan_opts_default(&o);
    assert_int_equal(fx_domeplan_lines(&d, one, 1, &o, &p, NULL), FX_OK);
    assert_int_equal((int)fx_domeplan_samples(p), 0);
    fx_domeplan_measure(p, D, NULL, &r);
    assert_int_equal(r.samples, 0);
    assert_true(isnan(r.gap_mm[0]) && isnan(r.gap_mm[1]) && isnan(r.gap_mm[2]));
    fx_domeplan_free(p);
    /* a part whose displacement is unknown: its samples are skipped, counted */
    assert_int_equal(fx_domeplan_lines(&d, parts, 2, &o, &p, NULL), FX_OK);
    int known[2] = {1, 0};
    fx_domeplan_measure(p, D, known, &r);
    assert_int_equal(r.samples, 0);
    assert_true(r.unknown > 100);
    fx_domeplan_free(p);
    fx_mesh_free(lo);
    fx_mesh_free(hi);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_fragment_moved_across_the_line_opens_a_gap_seen_axially_and_sagittally),
        cmocka_unit_test(a_fragment_moved_along_the_joint_normal_makes_a_step_without_a_gap),
        cmocka_unit_test(overlapping_fragments_count_no_gap),
        cmocka_unit_test(a_surface_facing_away_from_the_joint_labels_nothing),
        cmocka_unit_test(a_dome_of_one_part_has_no_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
