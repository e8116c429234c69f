/*
 * test_mctable.c - the case table and the two ways of cutting its loops:
 * every case against every neighbour (closed, manifold, oriented, both cuts
 * the same topology), analytic solids with the fixed VTK-compatible cut, and
 * thin shells against the volumes VTK 9.1 itself gave on the same voxels
 * (stored by bench/isosurface/vtk_shells.py).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fxaudit/isosurface.h"
#include "fxaudit/surface.h"
#include "phantoms.h"
#include "shells.h"

static double lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0;
}

/* Two cubes side by side along `axis`: the first has corner case `cs`, the
 * second shares its face and has the four far corners of `far` (bit i for the
 * i-th far corner in scan order). Values are 0.5 +- (0.05 .. 0.45). */
static fx_volume *two_cubes(int axis, int cs, int far, uint64_t *seed)
{
    int dims[3] = {2, 2, 2};
    fx_volume *v;
    dims[axis] = 3;
    assert_int_equal(fx_volume_new(dims, FX_VOX_F32, &v, NULL), 0);
    float *d = v->data;
    int nfar = 0;
    for (int k = 0; k < dims[2]; k++)
        for (int j = 0; j < dims[1]; j++)
            for (int i = 0; i < dims[0]; i++) {
                int ijk[3] = {i, j, k}, in;
                if (ijk[axis] == 2) {
                    in = (far >> nfar++) & 1;
                } else {
                    int c = (i & 1) | (j & 1) << 1 | (k & 1) << 2;
                    in = (cs >> c) & 1;
                }
                double u = 0.05 + 0.4 * lcg(seed);
                d[i + dims[0] * (j + dims[1] * k)] = (float)(in ? 0.5 + u : 0.5 - u);
            }
    return v;
}

static void extract_checked(const fx_volume *v, fx_iso_cut cut, fx_surface_topology *topo)
{
    fx_iso_opts o = {.iso = 0.5, .threads = 1, .cut = cut};
    fx_mesh *m = NULL;
    assert_int_equal(fx_isosurface_extract(v, &o, &m, NULL), 0);
    assert_int_equal(fx_surface_check(m, topo, NULL), 0);
    if (m->nt) {
        assert_true(topo->closed);
        assert_int_equal(topo->boundary_edges, 0);
        assert_int_equal(topo->nonmanifold_edges, 0);
        assert_int_equal(topo->misoriented_edges, 0);
        assert_int_equal(topo->degenerate_triangles, 0);
        assert_true(fx_mesh_volume(m) > 0);
    }
    fx_mesh_free(m);
}

static void every_case_next_to_every_neighbour_is_closed_and_crack_free_with_both_cuts(
    void **state)
{
    (void)state;
    uint64_t seed = 7;
    long checked = 0;
    for (int axis = 0; axis < 3; axis++)
        for (int cs = 0; cs < 256; cs++)
            for (int far = 0; far < 16; far++) {
                fx_volume *v = two_cubes(axis, cs, far, &seed);
                fx_surface_topology a, b;
                extract_checked(v, FX_ISO_CUT_INTERPOLANT, &a);
                extract_checked(v, FX_ISO_CUT_VTK, &b);
                /* The cut changes triangles, never which crossings are joined. */
                assert_int_equal(a.vertices, b.vertices);
                assert_int_equal(a.triangles, b.triangles);
                assert_int_equal(a.euler, b.euler);
                assert_int_equal(a.components, b.components);
                fx_volume_free(v);
                checked++;
            }
    assert_int_equal(checked, 3 * 256 * 16);
}

static void check_shape_vtk_cut(const ph_shape *s, const double sp[3], const double dir[9])
{
    fx_volume *v = ph_voxelise(s, sp, dir, 6, 3.0);
    fx_iso_opts o = {.iso = 0.5, .cut = FX_ISO_CUT_VTK};
    fx_mesh *m = NULL;
    fx_surface_topology topo;
    assert_non_null(v);
    assert_int_equal(fx_isosurface_extract(v, &o, &m, NULL), 0);
    assert_int_equal(fx_surface_check(m, &topo, NULL), 0);
    double vol = fx_mesh_volume(m), area = fx_mesh_area(m);
    double tv = ph_volume_mm3(s), ta = ph_area_mm2(s);
    print_message("vtk cut, shape %d: volume %+.3f%%, area %+.3f%%, euler %ld\n", s->kind,
                  100 * (vol / tv - 1), 100 * (area / ta - 1), topo.euler);
    assert_true(topo.closed);
    assert_int_equal(topo.euler, ph_euler(s));
    assert_true(fabs(vol / tv - 1) < 0.01);
    assert_true(fabs(area / ta - 1) < 0.01);
    fx_mesh_free(m);
    fx_volume_free(v);
}

static void with_the_vtk_cut_analytic_solids_stay_within_1_percent(void **state)
{
    (void)state;
    double r[9], q[9], mirror[9];
    ph_rotation(fx_v3(1, 2, 3), 0.6, r);
    ph_rotation(fx_v3(-1, 0.5, 0.2), 1.1, q);
    for (int i = 0; i < 9; i++)
        mirror[i] = i % 3 == 0 ? -r[i] : r[i]; /* first column flipped: det -1 */
    ph_shape sphere = {PH_SPHERE, 20, 0, 0, {12.5, -40.25, 100}};
    ph_shape ellipsoid = {PH_ELLIPSOID, 24, 16, 10, {-3, 7, 11}};
    ph_shape torus = {PH_TORUS, 15, 5, 0, {0, 0, 0}};
    ph_shape shell = {PH_SHELL, 40, 28, 0, {5, 5, 5}};
    ph_shape small = {PH_SPHERE, 12, 0, 0, {1, 2, 3}};
    check_shape_vtk_cut(&sphere, (double[3]){1, 1, 1}, r);
    check_shape_vtk_cut(&ellipsoid, (double[3]){0.7, 0.9, 1.6}, r);
    check_shape_vtk_cut(&torus, (double[3]){0.5, 0.5, 0.5}, q);
    check_shape_vtk_cut(&shell, (double[3]){2, 2, 2}, r);
    check_shape_vtk_cut(&small, (double[3]){1, 1.2, 0.9}, mirror);
}

/* Where the two cuts differ most (walls one voxel thick), the VTK cut gives
 * VTK's own volumes. */
static void with_the_vtk_cut_thin_shells_have_vtks_volume_within_half_a_percent(void **state)
{
    (void)state;
    json_t *ref = thin_shells_vtk_reference();
    assert_non_null(ref);
    for (int c = 0; c < THIN_SHELLS; c++) {
        ph_shape s;
        fx_volume *v = thin_shell(c, &s);
        fx_iso_opts o = {.iso = 0.5, .cut = FX_ISO_CUT_VTK}, oi = {.iso = 0.5};
        fx_mesh *m, *mi;
        assert_int_equal(fx_isosurface_extract(v, &o, &m, NULL), 0);
        assert_int_equal(fx_isosurface_extract(v, &oi, &mi, NULL), 0);
        double ours = fx_mesh_volume(m), interp = fx_mesh_volume(mi);
        double vtk = json_real_value(json_object_get(
            json_array_get(json_object_get(ref, "shells"), (size_t)c), "volume_mm3"));
        print_message("shell %d: VTK %.0f mm3, vtk cut %+.3f%%, interpolant cut %+.3f%%\n", c,
                      vtk, 100 * (ours / vtk - 1), 100 * (interp / vtk - 1));
        assert_true(vtk > 0);
        assert_true(fabs(ours / vtk - 1) < 0.005);
        fx_mesh_free(m);
        fx_mesh_free(mi);
        fx_volume_free(v);
    }
    json_decref(ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_case_next_to_every_neighbour_is_closed_and_crack_free_with_both_cuts),
        cmocka_unit_test(with_the_vtk_cut_analytic_solids_stay_within_1_percent),
        cmocka_unit_test(with_the_vtk_cut_thin_shells_have_vtks_volume_within_half_a_percent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
