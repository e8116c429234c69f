/*
 * test_auditposes.c - the audit's residual histogram and fragment poses
 * against analytic truths: points at known heights over a flat square (their
 * distances are the heights), and a fragment model moved by a known rigid
 * transform beside a fixed neighbour.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(histogram_puts_known_offsets_in_their_bins_and_the_tail_in_the_last),
        cmocka_unit_test(histogram_refuses_a_zero_bin_width),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
