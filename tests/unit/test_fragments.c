/*
 * test_fragments.c - bone parts of a voxelised phantom of two hollow spheres
 * (cortex over marrow, in soft tissue, with partial volume): each part a solid
 * whose volume and diameter match the analytic spheres.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "fxaudit/bvh.h"
#include "fxaudit/fragments.h"
#include "fxaudit/isosurface.h"

static const fx_vec3 C1 = {-18, 0, 0}, C2 = {28, 4, 2};
static const double R1 = 20, R2 = 12, SHELL = 3;

static double hu_at(fx_vec3 p)
{
    double d1 = fx_v3_dist(p, C1), d2 = fx_v3_dist(p, C2);
    if (d1 <= R1)
        return d1 >= R1 - SHELL ? 1500 : 300;
    if (d2 <= R2)
        return d2 >= R2 - SHELL ? 1500 : 300;
    return 40;
}

/* Voxels of `mm` (1 or 2), each the mean of 4 x 4 x 4 samples: partial
 * volume. */
static fx_volume *phantom(int mm)
{
    int dims[3] = {96 / mm, 60 / mm, 60 / mm};
    fx_volume *v;
    assert_int_equal(fx_volume_new(dims, FX_VOX_I16, &v, NULL), 0);
    v->origin[0] = -50, v->origin[1] = -30, v->origin[2] = -30;
    v->spacing[0] = v->spacing[1] = v->spacing[2] = mm;
    int16_t *d = v->data;
    for (int z = 0; z < dims[2]; z++)
        for (int y = 0; y < dims[1]; y++)
            for (int x = 0; x < dims[0]; x++) {
                double acc = 0;
                for (int s = 0; s < 64; s++) {
                    fx_vec3 q = fx_v3(x + ((s & 3) + 0.5) / 4 - 0.5,
                                      y + (((s >> 2) & 3) + 0.5) / 4 - 0.5,
                                      z + (((s >> 4) & 3) + 0.5) / 4 - 0.5);
                    acc += hu_at(fx_volume_index_to_world(v, q));
                }
                d[x + dims[0] * (y + dims[1] * z)] = (int16_t)lround(acc / 64);
            }
    return v;
}

/* The surface at 0.5 of sphere k's exact occupied fraction on v's grid (4 x 4
 * x 4 samples a voxel): what a perfect bone fraction gives, the grid's own
 * error included; its enclosed volume in mm^3. */
static double ideal_volume(const fx_volume *grid, fx_vec3 c, double r)
{
    fx_volume *f;
    fx_mesh *m;
    fx_iso_opts io = {.iso = 0.5};
    assert_int_equal(fx_volume_new_like(grid, FX_VOX_F32, &f, NULL), 0);
    float *d = f->data;
    for (int z = 0; z < f->dims[2]; z++)
        for (int y = 0; y < f->dims[1]; y++)
            for (int x = 0; x < f->dims[0]; x++) {
                int in = 0;
                for (int s = 0; s < 64; s++)
                    in += fx_v3_dist(fx_volume_index_to_world(
                                         f, fx_v3(x + ((s & 3) + 0.5) / 4 - 0.5,
                                                  y + (((s >> 2) & 3) + 0.5) / 4 - 0.5,
                                                  z + (((s >> 4) & 3) + 0.5) / 4 - 0.5)),
                                     c) <= r;
                d[x + f->dims[0] * (y + f->dims[1] * z)] = (float)in / 64;
            }
    assert_int_equal(fx_isosurface_extract(f, &io, &m, NULL), 0);
    double vol = fx_mesh_volume(m);
    fx_mesh_free(m);
    fx_volume_free(f);
    return vol;
}

/* Each part's volume within vol_tol of the analytic sphere's, and within
 * ideal_tol of the surface of its exact occupied fraction on the same grid. */
static void hollow_spheres_become_solid_models_of_the_right_size(int mm, double vol_tol,
                                                                 double ideal_tol)
{
    fx_volume *v = phantom(mm);
    fx_bone_parts *bp;
    fx_parts_opts o;

    fx_parts_opts_default(&o);
    o.min_mm3 = 100;
    assert_int_equal(fx_bone_parts_extract(v, &o, NULL, &bp, NULL), 0);
    assert_int_equal(bp->n, 2);
    /* the half-way value between cortex (1500) and soft tissue (40) */
    print_message("# %d mm voxels: surface value %.0f HU\n", mm, bp->iso_hu);
    if (mm == 1)
        assert_true(fabs(bp->iso_hu - 770) < 1);
    double want[2] = {4.0 / 3 * M_PI * R1 * R1 * R1, 4.0 / 3 * M_PI * R2 * R2 * R2};
    fx_vec3 centre[2] = {C1, C2};
    double radius[2] = {R1, R2};
    for (int k = 0; k < 2; k++) {
        double vol = fx_mesh_volume(bp->parts[k].mesh);
        print_message("# %d mm voxels, part %d: %.0f mm3 against %.0f mm3 (%.2f %%)\n", mm,
                      k + 1, vol, want[k], 100 * (vol / want[k] - 1));
        assert_true(fabs(vol / want[k] - 1) < vol_tol);
        double ideal = ideal_volume(v, centre[k], radius[k]);
        print_message("# %d mm voxels, part %d: %.2f %% from the exact fraction's surface\n", mm,
                      k + 1, 100 * (vol / ideal - 1));
        assert_true(fabs(vol / ideal - 1) < ideal_tol);
        assert_true(fx_v3_dist(bp->parts[k].centroid, centre[k]) < 0.1);
        /* a ray just off the centre (off the grid lines, where it would pass through
         * shared vertices) sees bone across the whole chord */
        fx_bvh *b;
        fx_ray_hit *h;
        size_t n;
        assert_int_equal(fx_bvh_build(bp->parts[k].mesh, &b, NULL), 0);
        assert_int_equal(fx_bvh_raycast(b, fx_v3_sub(centre[k], fx_v3(-0.31, -0.17, 40)), fx_v3(0, 0, 1),
                                        100, &h, &n, NULL), 0);
        assert_int_equal(n, 2);
        assert_true(h[0].entering && !h[1].entering);
        double chord = 2 * sqrt(radius[k] * radius[k] - 0.31 * 0.31 - 0.17 * 0.17);
        print_message("# part %d: chord %.3f mm against %.3f mm\n", k + 1, h[1].t_mm - h[0].t_mm,
                      chord);
        assert_true(fabs((h[1].t_mm - h[0].t_mm) - chord) < 0.15 * mm);
        free(h);
        fx_bvh_free(b);
    }
    fx_bone_parts_free(bp);
    fx_volume_free(v);
}

static void two_hollow_spheres_become_two_solid_models_of_the_right_size(void **state)
{
    (void)state;
    hollow_spheres_become_solid_models_of_the_right_size(1, 0.01, 0.01);
}

/* At 2 mm voxels the 3 mm cortex is a voxel and a half thick: the voxels
 * behind a cortical surface mix in the marrow, and taking their median for
 * the cortex made the models +0.65 % and +1.03 % larger than the exact
 * fraction's surfaces (about 0.04 mm on the radius; on the planning phantom,
 * whose voxels blur more, 0.1 mm). Now +0.06 % and +0.02 %. The grid's own
 * error at 2 mm (-0.9 % and -2.3 % from the analytic spheres) is the same for
 * both and is no part of the test. */
static void at_two_mm_voxels_a_thin_cortex_does_not_inflate_the_models(void **state)
{
    (void)state;
    hollow_spheres_become_solid_models_of_the_right_size(2, 0.03, 0.003);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_hollow_spheres_become_two_solid_models_of_the_right_size),
        cmocka_unit_test(at_two_mm_voxels_a_thin_cortex_does_not_inflate_the_models),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
