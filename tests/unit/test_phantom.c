/*
 * test_phantom.c - the phantom's truth against independent answers: the
 * integrator on spheres (4/3 pi r^3, 4 pi r^2), the gap and step-off of hand-
 * made displacements, mirror symmetry, screws in bone, the seed study's
 * cohort spread, the bone-preset volume of a rendered series against the
 * model's volume, determinism, linear volume mixing at a screw's surface, and a
 * mid-slice PNG kept as an artefact.
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
#include <sys/stat.h>

#include "fxaudit/phantom.h"
#include "fxaudit/png.h"
#include "model.h"

static fx_phantom *make(int index, uint64_t seed)
{
    fx_phantom_opts o = fx_phantom_opts_default();
    fx_phantom *p = NULL;
    o.seed = seed;
    assert_int_equal(fx_phantom_make(&o, index, &p, NULL), 0);
    return p;
}

static double sphere(const void *ctx, fx_vec3 x)
{
    return fx_v3_norm(x) - *(const double *)ctx;
}

static void integrator_recovers_sphere_volume_and_area_within_0_2_percent(void **state)
{
    (void)state;
    const double radii[] = {10.0, 23.5, 40.0};
    for (int i = 0; i < 3; i++) {
        double r = radii[i], v, a;
        ph_integrate(sphere, &r, fx_v3(-50, -51, -52), fx_v3(53, 54, 55), 0.5, &v, &a);
        assert_true(fabs(v / (4.0 / 3.0 * M_PI * r * r * r) - 1) < 0.002);
        assert_true(fabs(a / (4.0 * M_PI * r * r) - 1) < 0.002);
    }
}

static void the_intact_model_is_mirror_symmetric_about_x_0(void **state)
{
    (void)state;
    fx_phantom *p = make(0, 1);
    for (int i = 0; i < 2000; i++) {
        fx_vec3 x = fx_v3(-150 + (i * 37) % 300, -120 + (i * 53) % 240, -100 + (i * 71) % 220);
        fx_vec3 m = fx_v3(-x.x, x.y, x.z);
        assert_true(fabs(ph_hemi(p, 1, x) - ph_hemi(p, -1, m)) < 1e-9);
        assert_true(fabs(ph_sacrum(p, x) - ph_sacrum(p, m)) < 1e-9);
        assert_true(fabs(ph_femur(p, 1, x) - ph_femur(p, -1, m)) < 1e-9);
    }
    fx_phantom_free(p);
}

/* A cut through the hip centre with normal y; fragment 1 (y < C.y) moved. */
static void one_cut_through_the_centre(fx_phantom *p, fx_vec3 move)
{
    fx_vec3 C = ph_hip_centre(p, p->side);
    ph_half h = {C, fx_v3(0, 1, 0)}, f = {C, fx_v3(0, -1, 0)};
    p->nfrag = 3;
    p->ncuts = 1;
    p->cut[0].plane = h;
    p->region[1] = (ph_region){1, {f}};
    p->region[2] = (ph_region){1, {h}};
    for (int k = 0; k < PH_MAX_FRAG; k++)
        p->disp[0][k] = fx_rigid_identity();
    p->disp[0][1] = fx_rigid_from_axis_angle(fx_v3(0, 0, 1), 0, move);
}

/* For a cut plane through the joint sphere's centre, n0 is normal to the cut
 * everywhere, so moving one side by g along the cut normal opens a gap of g
 * with no step; moving it by s superiorly gives a step of s at the dome's top
 * and no gap. The line runs in the coronal plane, so no coronal slice sees it;
 * a sagittal slice at the top sees it square and shows the full gap. */
static void gap_and_step_off_of_hand_made_displacements(void **state)
{
    (void)state;
    fx_phantom *p = make(0, 1);
    ph_reduction res[PH_MAX_CUTS], all;
    one_cut_through_the_centre(p, fx_v3(0, -7.5, 0));
    ph_reduction_measure(p, 0, res, &all);
    assert_true(all.samples > 100);
    assert_true(fabs(all.gap3d_mm - 7.5) < 1e-6);
    assert_true(all.step3d_mm < 1e-6);
    assert_true(fabs(all.gap_mm[2] - 7.5) < 1e-3); /* sagittal */
    assert_true(all.gap_mm[1] < 0);                /* coronal: not visible */
    one_cut_through_the_centre(p, fx_v3(0, 0, 2.0));
    ph_reduction_measure(p, 0, res, &all);
    assert_true(fabs(all.step3d_mm - 2.0) < 1e-4);
    assert_true(all.gap3d_mm < 1e-6);
    fx_phantom_free(p);
}

static void planned_screws_stay_a_radius_deep_in_the_reduced_bone(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++) {
        fx_phantom *p = make(i, 5);
        assert_true(p->nscrews >= 4);
        for (int s = 0; s < p->nscrews; s++) {
            const ph_screw *sc = &p->planned[s];
            fx_vec3 u = fx_v3_unit(fx_v3_sub(sc->tip, sc->entry));
            assert_true(sc->length_mm >= 16 && sc->length_mm <= 110);
            for (double t = 4; t <= sc->length_mm; t += 0.25)
                assert_true(ph_hemi(p, p->side, fx_v3_add(sc->entry, fx_v3_scale(u, t))) <=
                            -0.5 * sc->diameter_mm);
            double dev = fx_v3_axis_angle(u, fx_v3_sub(p->actual[s].tip, p->actual[s].entry));
            assert_true(dev * 180 / M_PI <= 12.0 + 1e-9);
        }
        fx_phantom_free(p);
    }
}

static void a_cohort_of_ten_spreads_like_the_seed_study(void **state)
{
    (void)state;
    int both = 0, two_plates = 0, unplaced = 0;
    for (int i = 0; i < 10; i++) {
        fx_phantom *p = make(i, 3);
        ph_reduction res[PH_MAX_CUTS], pre, post;
        both += p->pattern == PH_BOTH_COLUMN;
        two_plates += p->nplates == 2;
        int here = 0;
        for (int s = 0; s < p->nscrews; s++)
            here += !p->actual[s].placed;
        /* the seed study's three screws left out (P03, P06, P09), and more
         * where no actual screw clear of the others could be drawn */
        if (i == 2 || i == 5 || i == 8)
            assert_true(here >= 1);
        unplaced += here;
        assert_true(p->nfrag >= 3 && p->nfrag <= 4);
        ph_reduction_measure(p, 0, res, &pre);
        ph_reduction_measure(p, 1, res, &post);
        double g0 = fmax(pre.gap_mm[0], fmax(pre.gap_mm[1], pre.gap_mm[2]));
        double s0 = fmax(pre.step_mm[0], fmax(pre.step_mm[1], pre.step_mm[2]));
        double g1 = fmax(post.gap_mm[0], fmax(post.gap_mm[1], post.gap_mm[2]));
        double s1 = fmax(post.step_mm[0], fmax(post.step_mm[1], post.step_mm[2]));
        assert_true(g0 >= 10 && g0 <= 30);
        assert_true(s0 >= 2 && s0 <= 15);
        assert_true(g1 >= 0 && g1 <= 6);
        assert_true(s1 >= 0 && s1 <= 3);
        fx_phantom_free(p);
    }
    assert_int_equal(both, 8);
    assert_int_equal(two_plates, 5);
    assert_true(unplaced >= 3);
}

static int16_t at(const fx_volume *v, int i, int j, int k)
{
    return ((const int16_t *)v->data)[i + (size_t)v->dims[0] * (j + (size_t)v->dims[1] * k)];
}

static int in_preset(int16_t x)
{
    return x >= 226 && x <= 3071;
}

/* Partial-volume estimate from the bone preset: voxels in the preset whose
 * six neighbours are too count whole; voxels on either side of the preset's
 * boundary count (HU - soft) / (bone - soft), bone being the brightest value
 * of the 3x3x3 neighbourhood (at most the cortex HU): the two-material
 * mixing rule that the scanner's own averaging follows. */
static double preset_volume_pv(const fx_volume *v, double cortex, double soft, double *plain)
{
    const int *n = v->dims;
    double pv = 0;
    long count = 0;
    for (int k = 0; k < n[2]; k++)
        for (int j = 0; j < n[1]; j++)
            for (int i = 0; i < n[0]; i++) {
                int in = in_preset(at(v, i, j, k)), edge = 0;
                double ref = 226;
                count += in;
                for (int dk = -1; dk <= 1; dk++)
                    for (int dj = -1; dj <= 1; dj++)
                        for (int di = -1; di <= 1; di++) {
                            int ii = i + di, jj = j + dj, kk = k + dk;
                            if (ii < 0 || jj < 0 || kk < 0 || ii >= n[0] || jj >= n[1] ||
                                kk >= n[2])
                                continue;
                            int16_t x = at(v, ii, jj, kk);
                            ref = fmax(ref, x);
                            if (abs(di) + abs(dj) + abs(dk) == 1 && in_preset(x) != in)
                                edge = 1;
                        }
                if (edge)
                    pv += (at(v, i, j, k) - soft) / (fmin(ref, cortex) - soft);
                else
                    pv += in;
            }
    double vox = v->spacing[0] * v->spacing[1] * v->spacing[2];
    *plain = count * vox;
    return pv * vox;
}

static void the_bone_preset_reproduces_the_model_bone_volume_within_2_percent(void **state)
{
    (void)state;
    for (int i = 0; i < 4; i += 3) { /* a both-column and a T-shaped patient */
        fx_phantom *p = make(i, 11);
        fx_volume *v = NULL;
        double cortex, soft, plain;
        assert_int_equal(fx_phantom_render(p, FX_PHANTOM_PREOP, &v, NULL), 0);
        fx_phantom_hu(p, &cortex, &soft);
        double truth = fx_phantom_bone_volume_in_grid(p, FX_PHANTOM_PREOP);
        double pv = preset_volume_pv(v, cortex, soft, &plain);
        print_message("# %s: model %.0f mm3, preset + partial volume %.0f (%+.2f %%), "
                      "preset voxel count %.0f (%+.2f %%)\n",
                      fx_phantom_code(p), truth, pv, 100 * (pv / truth - 1), plain,
                      100 * (plain / truth - 1));
        assert_true(fabs(pv / truth - 1) < 0.02);
        fx_volume_free(v);
        fx_phantom_free(p);
    }
}

static void the_same_seed_gives_the_same_pixels_and_another_seed_does_not(void **state)
{
    (void)state;
    fx_phantom *a = make(1, 42), *b = make(1, 42), *c = make(1, 43);
    fx_volume *va, *vb, *vc;
    assert_int_equal(fx_phantom_render(a, FX_PHANTOM_POSTOP, &va, NULL), 0);
    assert_int_equal(fx_phantom_render(b, FX_PHANTOM_POSTOP, &vb, NULL), 0);
    assert_int_equal(fx_phantom_render(c, FX_PHANTOM_POSTOP, &vc, NULL), 0);
    size_t n = fx_volume_count(va) * sizeof(int16_t);
    assert_memory_equal(va->data, vb->data, n);
    assert_true(memcmp(va->data, vc->data, n) != 0);
    fx_volume_free(va);
    fx_volume_free(vb);
    fx_volume_free(vc);
    fx_phantom_free(a);
    fx_phantom_free(b);
    fx_phantom_free(c);
}

/* Seed 11's first patient post-op without noise or streaks: its HU are the
 * partial-volume mixing alone, to compare with a hand calculation. */
static void clean_postop(fx_phantom **p, fx_volume **v)
{
    fx_phantom_opts o = fx_phantom_opts_default();
    o.seed = 11;
    o.streaks = 0;
    assert_int_equal(fx_phantom_make(&o, 0, p, NULL), 0);
    (*p)->noise_sd = 0;
    assert_int_equal(fx_phantom_render(*p, FX_PHANTOM_POSTOP, v, NULL), 0);
}

/* A voxel at a screw's surface deep in bone is metal and bone in proportion
 * to how much of it each covers, as a CT's linear volume averaging gives
 * (hand calculation: hu = c m + (1 - c) b for coverage c of metal m over
 * bone b). The bone under the metal was once carved away as well, and such
 * a voxel half metal was a quarter soft tissue, some 360 HU darker next to
 * cortex. Noise and streaks off; only voxels whose tissue is one kind
 * (cortex or cancellous, a voxel and more from its boundaries) and which
 * lie in no other implant's ramp are checked. */
static void a_voxel_at_a_screw_surface_mixes_metal_and_bone_by_coverage(void **state)
{
    (void)state;
    fx_phantom *p = NULL;
    fx_volume *v = NULL;
    clean_postop(&p, &v);
    double w = (v->spacing[0] + v->spacing[1] + v->spacing[2]) / 3.0, worst = 0;
    int checked = 0;
    for (int s = 0; s < p->nscrews; s++) {
        const ph_screw *sc = &p->actual[s];
        if (!sc->placed)
            continue;
        fx_vec3 u = fx_v3_unit(fx_v3_sub(sc->tip, sc->entry));
        double L = fx_v3_dist(sc->tip, sc->entry);
        fx_vec3 mid = fx_rigid_apply(&p->pose[FX_PHANTOM_POSTOP],
                                     fx_v3_add(sc->entry, fx_v3_scale(u, 0.5 * L)));
        fx_vec3 c = fx_volume_world_to_index(v, mid);
        for (int k = (int)c.z - 6; k <= (int)c.z + 6; k++)
            for (int j = (int)c.y - 6; j <= (int)c.y + 6; j++)
                for (int i = (int)c.x - 6; i <= (int)c.x + 6; i++) {
                    if (i < 0 || j < 0 || k < 0 || i >= v->dims[0] || j >= v->dims[1] ||
                        k >= v->dims[2])
                        continue;
                    fx_vec3 a = fx_rigid_apply(&p->pinv[FX_PHANTOM_POSTOP],
                                               fx_volume_index_to_world(v, fx_v3(i, j, k)));
                    ph_bc part[PH_NPARTS];
                    ph_scene_parts(p, FX_PHANTOM_POSTOP, a, ~0u, part);
                    double bd = INFINITY, cd = INFINITY, md = part[PH_PART_METAL].c;
                    for (int q = 0; q < PH_PART_METAL; q++)
                        bd = fmin(bd, part[q].b), cd = fmin(cd, part[q].c);
                    double own = fx_v3_norm(fx_v3_sub(
                                     fx_v3_sub(a, sc->entry),
                                     fx_v3_scale(u, fx_v3_dot(fx_v3_sub(a, sc->entry), u)))) -
                                 0.5 * sc->diameter_mm;
                    double cm = 0.5 - md / w;
                    /* half-covered by this screw's shaft alone, in one tissue */
                    if (cm < 0.2 || cm > 0.8 || fabs(own - md) > 1e-6 || bd > -w ||
                        part[PH_PART_METAL].b < w)
                        continue;
                    double bone;
                    if (cd < -w)
                        bone = p->hu_cancellous;
                    else if (cd > w)
                        bone = p->hu_cortex;
                    else
                        continue;
                    double want = cm * p->hu_metal + (1 - cm) * bone;
                    worst = fmax(worst, fabs(fx_volume_get(v, i, j, k) - want));
                    checked++;
                }
    }
    print_message("# %d voxels at screw surfaces in bone: largest difference from linear "
                  "mixing %.1f HU\n", checked, worst);
    assert_true(checked >= 20);
    assert_true(worst <= 1.0); /* int16 rounding */
    fx_volume_free(v);
    fx_phantom_free(p);
}

/* A plate lies on the cortex and takes the place of the soft tissue beside
 * it: a voxel at its underside holds c_p metal, c_b cortex and the rest
 * muscle, hu = c_p metal + c_b cortex + (1 - c_p - c_b) soft (the bone's
 * share cut where the ramps overlap). Mixing the plate over the whole voxel
 * put soft tissue between plate and bone. */
static void a_voxel_under_a_plate_holds_metal_and_cortex_without_soft_tissue(void **state)
{
    (void)state;
    fx_phantom *p = NULL;
    fx_volume *v = NULL;
    clean_postop(&p, &v);
    double w = (v->spacing[0] + v->spacing[1] + v->spacing[2]) / 3.0, worst = 0, old = 0;
    int checked = 0;
    for (int k = 0; k < v->dims[2]; k++)
        for (int j = 0; j < v->dims[1]; j++)
            for (int i = 0; i < v->dims[0]; i++) {
                fx_vec3 a = fx_rigid_apply(&p->pinv[FX_PHANTOM_POSTOP],
                                           fx_volume_index_to_world(v, fx_v3(i, j, k)));
                ph_bc part[PH_NPARTS];
                ph_scene_parts(p, FX_PHANTOM_POSTOP, a, 1u << PH_PART_METAL, part);
                double cp = 0.5 - part[PH_PART_METAL].b / w;
                if (cp < 0.1 || cp > 0.9 || part[PH_PART_METAL].c < w)
                    continue;
                ph_dist d;
                ph_scene(p, FX_PHANTOM_POSTOP, fx_volume_index_to_world(v, fx_v3(i, j, k)), 1, &d);
                double cb = 0.5 - d.bone / w;
                /* cortex alone in the bone, muscle alone outside it */
                if (cb < 0.1 || cb > 0.9 || d.canc < w || d.muscle > -w || d.body > -w ||
                    d.bladder < w || d.gas < w)
                    continue;
                double bone = fmin(cb, 1 - cp);
                double want = cp * p->hu_metal + bone * p->hu_cortex + (1 - cp - bone) * p->hu_soft;
                double mixed = cp * p->hu_metal +
                               (1 - cp) * (cb * p->hu_cortex + (1 - cb) * p->hu_soft);
                worst = fmax(worst, fabs(fx_volume_get(v, i, j, k) - want));
                old = fmax(old, fabs(mixed - want));
                checked++;
            }
    print_message("# %d voxels under plates on cortex: largest difference from the volume "
                  "fractions %.1f HU (mixing the plate over the voxel: %.0f HU)\n",
                  checked, worst, old);
    assert_true(checked >= 20);
    assert_true(worst <= 1.0); /* int16 rounding */
    fx_volume_free(v);
    fx_phantom_free(p);
}

/* An axial slice through the hip centres in a soft-tissue/bone window, kept
 * in the build folder; and what a reader expects there: femoral heads of
 * cancellous bone, muscle between them, air outside the body. */
static void a_mid_slice_shows_the_hips_and_is_kept_as_a_png(void **state)
{
    (void)state;
    fx_phantom *p = make(0, 1);
    fx_volume *v;
    assert_int_equal(fx_phantom_render(p, FX_PHANTOM_PREOP, &v, NULL), 0);
    fx_vec3 head = fx_volume_world_to_index(
        v, fx_rigid_apply(&p->pose[0], ph_hip_centre(p, -p->side)));
    const int up = 3; /* nearest-neighbour enlargement, for a reader */
    int k = (int)lround(head.z), W = v->dims[0], H = v->dims[1];
    int16_t hu_head = at(v, (int)lround(head.x), (int)lround(head.y), k);
    assert_true(hu_head > p->hu_cancellous - 80 && hu_head < p->hu_cancellous + 80);
    assert_true(at(v, 0, 0, k) < -900);
    uint8_t *px = malloc((size_t)W * H * up * up);
    assert_non_null(px);
    for (int j = 0; j < H * up; j++)
        for (int i = 0; i < W * up; i++) {
            double g = (at(v, i / up, j / up, k) + 160.0) / 1400.0 * 255.0; /* W 1400, L 540 */
            px[(size_t)j * W * up + i] = (uint8_t)fmin(255, fmax(0, g));
        }
    const char *b = getenv("FX_BUILDDIR");
    char dir[4096], path[4200];
    snprintf(dir, sizeof(dir), "%s/tests", b ? b : ".");
    mkdir(dir, 0777);
    snprintf(dir, sizeof(dir), "%s/tests/artefacts", b ? b : ".");
    mkdir(dir, 0777);
    snprintf(path, sizeof(path), "%s/phantom_axial.png", dir);
    assert_int_equal(fx_png_write(path, px, W * up, H * up, 1, NULL), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    free(px);
    fx_volume_free(v);
    fx_phantom_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(integrator_recovers_sphere_volume_and_area_within_0_2_percent),
        cmocka_unit_test(the_intact_model_is_mirror_symmetric_about_x_0),
        cmocka_unit_test(gap_and_step_off_of_hand_made_displacements),
        cmocka_unit_test(planned_screws_stay_a_radius_deep_in_the_reduced_bone),
        cmocka_unit_test(a_cohort_of_ten_spreads_like_the_seed_study),
        cmocka_unit_test(the_bone_preset_reproduces_the_model_bone_volume_within_2_percent),
        cmocka_unit_test(the_same_seed_gives_the_same_pixels_and_another_seed_does_not),
        cmocka_unit_test(a_voxel_at_a_screw_surface_mixes_metal_and_bone_by_coverage),
        cmocka_unit_test(a_voxel_under_a_plate_holds_metal_and_cortex_without_soft_tissue),
        cmocka_unit_test(a_mid_slice_shows_the_hips_and_is_kept_as_a_png),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
