/*
 * test_isosurface.c - surfaces of analytic solids voxelised with partial-volume
 * intensities on oblique, anisotropic grids, against closed-form volumes,
 * areas (the ellipsoid's by Legendre's elliptic-integral formula) and Euler
 * characteristics; topology of random fields; border closing; smoothing.
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

#include "fxaudit/isosurface.h"
#include "fxaudit/surface.h"
#include "phantoms.h"
#include "shells.h"
#include <jansson.h>

/* Extract at iso 0.5 and check measures against the shape's closed forms. */
static void check_shape(const ph_shape *s, const double spacing[3], const double dir[9],
                        double tol)
{
    fx_volume *v = ph_voxelise(s, spacing, dir, 6, 3.0);
    fx_iso_opts o = {.iso = 0.5};
    fx_mesh *m = NULL;
    fx_surface_topology topo;
    assert_non_null(v);
    assert_int_equal(fx_isosurface_extract(v, &o, &m, NULL), 0);
    assert_int_equal(fx_surface_check(m, &topo, NULL), 0);
    double vol = fx_mesh_volume(m), area = fx_mesh_area(m);
    double tv = ph_volume_mm3(s), ta = ph_area_mm2(s);
    print_message("shape %d spacing %.2f,%.2f,%.2f: volume %.2f (truth %.2f, %+.3f%%), "
                  "area %.2f (truth %.2f, %+.3f%%), euler %ld, %zu triangles\n",
                  s->kind, spacing[0], spacing[1], spacing[2], vol, tv, 100 * (vol / tv - 1),
                  area, ta, 100 * (area / ta - 1), topo.euler, topo.triangles);
    assert_true(topo.closed);
    assert_int_equal(topo.degenerate_triangles, 0);
    assert_int_equal(topo.euler, ph_euler(s));
    assert_true(fabs(vol / tv - 1) < tol);
    assert_true(fabs(area / ta - 1) < tol);
    fx_mesh_free(m);
    fx_volume_free(v);
}

static void oblique(double r[9]) { ph_rotation(fx_v3(1, 2, 3), 0.6, r); }

static void a_sphere_on_an_oblique_1mm_grid_has_its_volume_and_area_within_1_percent(
    void **state)
{
    (void)state;
    double r[9], sp[3] = {1, 1, 1};
    ph_shape s = {PH_SPHERE, 20, 0, 0, {12.5, -40.25, 100}};
    oblique(r);
    check_shape(&s, sp, r, 0.01);
}

static void an_ellipsoid_on_an_anisotropic_oblique_grid_is_within_1_percent(void **state)
{
    (void)state;
    double r[9], sp[3] = {0.7, 0.9, 1.6};
    ph_shape s = {PH_ELLIPSOID, 24, 16, 10, {-3, 7, 11}};
    oblique(r);
    check_shape(&s, sp, r, 0.01);
}

static void a_torus_at_half_millimetre_spacing_has_euler_characteristic_zero(void **state)
{
    (void)state;
    double r[9], sp[3] = {0.5, 0.5, 0.5};
    ph_shape s = {PH_TORUS, 15, 5, 0, {0, 0, 0}};
    ph_rotation(fx_v3(-1, 0.5, 0.2), 1.1, r);
    check_shape(&s, sp, r, 0.01);
}

static void a_hollow_shell_at_2mm_spacing_gives_two_closed_spheres(void **state)
{
    (void)state;
    double r[9], sp[3] = {2, 2, 2};
    ph_shape s = {PH_SHELL, 40, 28, 0, {5, 5, 5}};
    oblique(r);
    check_shape(&s, sp, r, 0.01);
}


static void a_sphere_cut_by_the_grid_border_is_closed_by_a_flat_cap(void **state)
{
    (void)state;
    double r[9], sp[3] = {1.5, 1, 1.25};
    ph_shape s = {PH_SPHERE, 18, 0, 0, {3, -2, 7}};
    fx_iso_opts o = {.iso = 0.5};
    fx_mesh *m;
    fx_surface_topology topo;
    fx_volume *v, *cut;
    int i0;
    oblique(r);
    v = ph_voxelise(&s, sp, r, 6, 3.0);
    assert_non_null(v);
    /* Drop the columns i < i0: the border now cuts the sphere. */
    i0 = (v->dims[0] - 1) / 2 - 4;
    int dims[3] = {v->dims[0] - i0, v->dims[1], v->dims[2]};
    assert_int_equal(fx_volume_new(dims, FX_VOX_F32, &cut, NULL), 0);
    memcpy(cut->spacing, v->spacing, sizeof(v->spacing));
    memcpy(cut->dir, v->dir, sizeof(v->dir));
    fx_vec3 o0 = fx_volume_index_to_world(v, fx_v3(i0, 0, 0));
    cut->origin[0] = o0.x, cut->origin[1] = o0.y, cut->origin[2] = o0.z;
    for (int k = 0; k < dims[2]; k++)
        for (int j = 0; j < dims[1]; j++)
            for (int i = 0; i < dims[0]; i++)
                ((float *)cut->data)[i + (size_t)dims[0] * (j + (size_t)dims[1] * k)] =
                    ((float *)v->data)[i + i0 + (size_t)v->dims[0] * (j + (size_t)v->dims[1] * k)];
    assert_int_equal(fx_isosurface_extract(cut, &o, &m, NULL), 0);
    assert_int_equal(fx_surface_check(m, &topo, NULL), 0);
    /* The border voxels hold 1 and the padding 0, so the cap lies half a voxel
     * outside the first kept column: d mm from the centre. The part of a ball
     * on the centre's side of a plane at distance d: 2/3 pi R^3 + pi (R^2 d -
     * d^3 / 3); its surface 2 pi R (R + d) plus the disc pi (R^2 - d^2). */
    double d = ((v->dims[0] - 1) / 2.0 - (i0 - 0.5)) * sp[0], R = s.a;
    double tv = 2.0 / 3 * M_PI * R * R * R + M_PI * (R * R * d - d * d * d / 3);
    double ta = 2 * M_PI * R * (R + d) + M_PI * (R * R - d * d);
    double vol = fx_mesh_volume(m), area = fx_mesh_area(m);
    print_message("cut sphere: volume %+.3f%%, area %+.3f%%\n", 100 * (vol / tv - 1),
                  100 * (area / ta - 1));
    assert_true(topo.closed);
    assert_int_equal(topo.euler, 2);
    assert_true(fabs(vol / tv - 1) < 0.01);
    assert_true(fabs(area / ta - 1) < 0.01);
    fx_mesh_free(m);
    fx_volume_free(cut);
    fx_volume_free(v);
}

/* A tiny linear congruential generator, so the field is the same everywhere. */
static double lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0;
}

static void random_fields_give_closed_manifold_consistently_oriented_surfaces(void **state)
{
    (void)state;
    int dims[3] = {23, 19, 17};
    uint64_t seed = 42;
    for (int trial = 0; trial < 4; trial++) {
        fx_volume *v;
        fx_mesh *m;
        fx_surface_topology topo;
        fx_iso_opts o = {.iso = 0.5, .threads = 1 + trial % 2};
        assert_int_equal(fx_volume_new(dims, FX_VOX_F32, &v, NULL), 0);
        float *d = v->data;
        for (size_t i = 0; i < fx_volume_count(v); i++)
            d[i] = (float)lcg(&seed);
        assert_int_equal(fx_isosurface_extract(v, &o, &m, NULL), 0);
        assert_int_equal(fx_surface_check(m, &topo, NULL), 0);
        assert_true(m->nt > 10000);
        assert_int_equal(topo.boundary_edges, 0);
        assert_int_equal(topo.nonmanifold_edges, 0);
        assert_int_equal(topo.misoriented_edges, 0);
        assert_true(topo.euler % 2 == 0);
        /* Every voxel is inside or outside: inside volume is between 0 and the box. */
        assert_true(fx_mesh_volume(m) > 0);
        fx_mesh_free(m);
        fx_volume_free(v);
    }
}

static void a_mirrored_grid_still_gives_outward_normals(void **state)
{
    (void)state;
    double r[9], sp[3] = {1, 1.2, 0.9};
    ph_shape s = {PH_SPHERE, 12, 0, 0, {1, 2, 3}};
    oblique(r);
    for (int i = 0; i < 3; i++)
        r[3 * i + 2] = -r[3 * i + 2]; /* determinant -1 */
    check_shape(&s, sp, r, 0.01);
}

static void taubin_smoothing_keeps_the_sphere_volume_within_half_a_percent(void **state)
{
    (void)state;
    double r[9], sp[3] = {1, 1, 1};
    ph_shape s = {PH_SPHERE, 20, 0, 0, {0, 0, 0}};
    fx_iso_opts o = {.iso = 0.5};
    fx_mesh *m;
    fx_surface_topology topo;
    oblique(r);
    fx_volume *v = ph_voxelise(&s, sp, r, 4, 3.0);
    assert_int_equal(fx_isosurface_extract(v, &o, &m, NULL), 0);
    assert_int_equal(fx_surface_smooth_taubin(m, 30, 0.5, -0.53, 0, NULL), 0);
    assert_int_equal(fx_surface_check(m, &topo, NULL), 0);
    double vol = fx_mesh_volume(m), tv = ph_volume_mm3(&s);
    print_message("taubin 30: volume %+.3f%%, area %+.3f%%\n", 100 * (vol / tv - 1),
                  100 * (fx_mesh_area(m) / ph_area_mm2(&s) - 1));
    assert_true(topo.closed);
    assert_true(fabs(vol / tv - 1) < 0.005);
    /* The same count of plain Laplacian steps (mu = 0 is refused, so compare
     * with the analytic shrink direction): smoothing must not have moved the
     * vertices inwards on average by more than 0.05 mm. */
    double mean_r = 0;
    for (size_t i = 0; i < m->nv; i++)
        mean_r += fx_v3_norm(m->v[i]);
    mean_r /= (double)m->nv;
    assert_true(fabs(mean_r - 20) < 0.05);
    fx_mesh_free(m);
    fx_volume_free(v);
}

static void a_binary_label_smoothed_before_cutting_is_within_2_percent(void **state)
{
    (void)state;
    double r[9], sp[3] = {1, 1, 1};
    ph_shape s = {PH_SPHERE, 20, 0, 0, {0, 0, 0}};
    fx_iso_opts o = {.iso = 0};
    fx_mesh *m;
    fx_surface_topology topo;
    oblique(r);
    fx_volume *v = ph_voxelise(&s, sp, r, 1, 4.0); /* one sample: a binary mask */
    fx_volume *lab;
    assert_int_equal(fx_volume_new_like(v, FX_VOX_U16, &lab, NULL), 0);
    for (size_t i = 0; i < fx_volume_count(v); i++)
        ((uint16_t *)lab->data)[i] = ((float *)v->data)[i] > 0.5f ? 3 : 0;
    assert_int_equal(fx_isosurface_label(lab, 3, 1.0, &o, &m, NULL), 0);
    assert_int_equal(fx_surface_check(m, &topo, NULL), 0);
    double vol = fx_mesh_volume(m), area = fx_mesh_area(m);
    print_message("label sigma 1 mm: volume %+.3f%%, area %+.3f%%\n",
                  100 * (vol / ph_volume_mm3(&s) - 1), 100 * (area / ph_area_mm2(&s) - 1));
    assert_true(topo.closed);
    assert_int_equal(topo.euler, 2);
    assert_true(fabs(vol / ph_volume_mm3(&s) - 1) < 0.02);
    assert_true(fabs(area / ph_area_mm2(&s) - 1) < 0.02);
    /* Another label number gives nothing. */
    fx_mesh_free(m);
    assert_int_equal(fx_isosurface_label(lab, 4, 0, &o, &m, NULL), 0);
    assert_int_equal(m->nt, 0);
    fx_mesh_free(m);
    fx_volume_free(lab);
    fx_volume_free(v);
}

static void keeping_the_largest_part_of_a_shell_keeps_the_outer_sphere(void **state)
{
    (void)state;
    double r[9], sp[3] = {2, 2, 2};
    ph_shape s = {PH_SHELL, 30, 20, 0, {0, 0, 0}};
    fx_iso_opts o = {.iso = 0.5};
    fx_mesh *m;
    uint32_t *comp;
    size_t n;
    oblique(r);
    fx_volume *v = ph_voxelise(&s, sp, r, 4, 3.0);
    assert_int_equal(fx_isosurface_extract(v, &o, &m, NULL), 0);
    assert_int_equal(fx_surface_components(m, &comp, &n, NULL), 0);
    assert_int_equal(n, 2);
    free(comp);
    assert_int_equal(fx_surface_keep_component(m, 0, NULL), 0);
    /* The outer sphere alone encloses 4/3 pi 30^3. */
    assert_true(fabs(fx_mesh_volume(m) / (4.0 / 3 * M_PI * 27000) - 1) < 0.01);
    assert_int_equal(fx_surface_keep_component(m, 0, NULL), 0);
    fx_mesh_free(m);
    fx_volume_free(v);
}


static void decimating_a_torus_to_a_fifth_keeps_it_closed_manifold_and_its_volume(void **state)
{
    (void)state;
    double r[9], sp[3] = {0.8, 0.8, 0.8};
    ph_shape s = {PH_TORUS, 15, 5, 0, {0, 0, 0}};
    fx_iso_opts o = {.iso = 0.5};
    fx_mesh *m;
    fx_surface_topology topo;
    oblique(r);
    fx_volume *v = ph_voxelise(&s, sp, r, 4, 3.0);
    assert_int_equal(fx_isosurface_extract(v, &o, &m, NULL), 0);
    size_t nt0 = m->nt;
    double vol0 = fx_mesh_volume(m);
    assert_int_equal(fx_surface_decimate(m, 0.2, NULL), 0);
    assert_int_equal(fx_surface_check(m, &topo, NULL), 0);
    double vol = fx_mesh_volume(m), tv = ph_volume_mm3(&s);
    print_message("decimated %zu -> %zu triangles: volume %+.3f%%, area %+.3f%%\n", nt0, m->nt,
                  100 * (vol / tv - 1), 100 * (fx_mesh_area(m) / ph_area_mm2(&s) - 1));
    assert_true(m->nt <= nt0 / 5 + 2);
    assert_true(topo.closed);
    assert_int_equal(topo.degenerate_triangles, 0);
    assert_int_equal(topo.euler, 0);
    assert_int_equal(topo.components, 1);
    /* Within 1 % of the undecimated volume, 1.5 % of the truth. */
    assert_true(fabs(vol / vol0 - 1) < 0.01);
    assert_true(fabs(vol / tv - 1) < 0.015);
    assert_true(fabs(fx_mesh_area(m) / ph_area_mm2(&s) - 1) < 0.01);
    fx_mesh_free(m);
    fx_volume_free(v);
}


/* VTK's volumes of the same thin shells, stored by bench/isosurface/vtk_shells.py. */
static void on_thin_walls_the_volume_is_closer_to_the_truth_than_vtk_flying_edges(void **state)
{
    (void)state;
    json_t *ref = thin_shells_vtk_reference();
    assert_non_null(ref);
    double ours_sum = 0, vtk_sum = 0;
    for (int c = 0; c < THIN_SHELLS; c++) {
        ph_shape s;
        fx_volume *v = thin_shell(c, &s);
        fx_iso_opts o = {.iso = 0.5};
        fx_mesh *m;
        assert_int_equal(fx_isosurface_extract(v, &o, &m, NULL), 0);
        double tv = ph_volume_mm3(&s), ours = fx_mesh_volume(m);
        double vtk = json_real_value(
            json_object_get(json_array_get(json_object_get(ref, "shells"), (size_t)c), "volume_mm3"));
        print_message("shell %d: truth %.0f, fxaudit %+.2f%%, VTK %+.2f%%\n", c, tv,
                      100 * (ours / tv - 1), 100 * (vtk / tv - 1));
        assert_true(vtk > 0);
        assert_true(fabs(ours - tv) <= fabs(vtk - tv) + 0.001 * tv);
        ours_sum += fabs(ours - tv), vtk_sum += fabs(vtk - tv);
        fx_mesh_free(m);
        fx_volume_free(v);
    }
    assert_true(ours_sum < vtk_sum);
    json_decref(ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_sphere_on_an_oblique_1mm_grid_has_its_volume_and_area_within_1_percent),
        cmocka_unit_test(an_ellipsoid_on_an_anisotropic_oblique_grid_is_within_1_percent),
        cmocka_unit_test(a_torus_at_half_millimetre_spacing_has_euler_characteristic_zero),
        cmocka_unit_test(a_hollow_shell_at_2mm_spacing_gives_two_closed_spheres),
        cmocka_unit_test(a_sphere_cut_by_the_grid_border_is_closed_by_a_flat_cap),
        cmocka_unit_test(random_fields_give_closed_manifold_consistently_oriented_surfaces),
        cmocka_unit_test(a_mirrored_grid_still_gives_outward_normals),
        cmocka_unit_test(taubin_smoothing_keeps_the_sphere_volume_within_half_a_percent),
        cmocka_unit_test(a_binary_label_smoothed_before_cutting_is_within_2_percent),
        cmocka_unit_test(keeping_the_largest_part_of_a_shell_keeps_the_outer_sphere),
        cmocka_unit_test(decimating_a_torus_to_a_fifth_keeps_it_closed_manifold_and_its_volume),
        cmocka_unit_test(on_thin_walls_the_volume_is_closer_to_the_truth_than_vtk_flying_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
