/*
 * corridor_probe.c - what the phantom holds along one planned screw: the
 * evidence behind docs/planning.md, "Why the corridor came out short where a
 * fracture line reaches the surface". Not built by make; see README.md.
 *
 * For t along the screw's axis (plan coordinates = the pre-op series'): the
 * intact bone's signed distance (the truth's definition), the moving
 * fragments' region distances and which region holds the point; then, with
 * the axis mapped into fragment F's pre-op position (pose * D_F * pose^-1), the
 * CT's HU there, and three bone fractions of F trilinearly interpolated from
 * 2 mm voxels: the exact occupied fraction (6^3 samples a voxel), the
 * phantom's ramp coverage, and the plan's rule (src/plan/fragments.c) with the
 * median or with the brightest interior neighbour behind a cortex.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fxaudit/fragments.h"
#include "fxaudit/phantom.h"
#include "model.h"

static const fx_volume *HU, *LB;
static const fx_phantom *P;
static double SOFT, HALF;
static int F;

static int lab(int x, int y, int z)
{
    if (x < 0 || y < 0 || z < 0 || x >= LB->dims[0] || y >= LB->dims[1] || z >= LB->dims[2])
        return 0;
    return ((const uint16_t *)LB->data)[x + (size_t)LB->dims[0] * (y + (size_t)LB->dims[1] * z)];
}

static double hu(int x, int y, int z)
{
    return ((const int16_t *)HU->data)[x + (size_t)HU->dims[0] * (y + (size_t)HU->dims[1] * z)];
}

static int interior(int x, int y, int z, int k)
{
    return lab(x, y, z) == k && lab(x - 1, y, z) == k && lab(x + 1, y, z) == k &&
           lab(x, y - 1, z) == k && lab(x, y + 1, z) == k && lab(x, y, z - 1) == k &&
           lab(x, y, z + 1) == k;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The plan's tissue HU next to a voxel (brightest: the cortex rule). */
static double tissue(int x, int y, int z, int k, int brightest)
{
    double in[27], best = -INFINITY;
    int ni = 0;
    for (int d = 0; d < 27; d++) {
        int X = x + d % 3 - 1, Y = y + d / 3 % 3 - 1, Z = z + d / 9 - 1;
        if (lab(X, Y, Z) != k)
            continue;
        best = fmax(best, hu(X, Y, Z));
        if (d != 13 && interior(X, Y, Z, k))
            in[ni++] = hu(X, Y, Z);
    }
    if (!ni)
        return best;
    qsort(in, (size_t)ni, sizeof(in[0]), cmp);
    double med = ni % 2 ? in[ni / 2] : 0.5 * (in[ni / 2 - 1] + in[ni / 2]);
    return brightest && med >= HALF ? in[ni - 1] : med;
}

static double part_b(fx_vec3 world)
{
    ph_bc part[PH_NPARTS];
    ph_scene_parts(P, 0, fx_rigid_apply(&P->pinv[0], world), 1u << F, part);
    return part[F].b;
}

/* Fraction of F at a voxel: 0 exact, 1 ramp, 2 plan (median), 3 plan (cortex rule). */
static double frac(int x, int y, int z, int how)
{
    fx_vec3 w = fx_volume_index_to_world(HU, fx_v3(x, y, z));
    if (how == 1)
        return fmin(1, fmax(0, 0.5 - part_b(w) / 2.0));
    if (how == 0) {
        int in = 0;
        for (int s = 0; s < 216; s++)
            in += part_b(fx_v3(w.x + 2 * ((s % 6 + 0.5) / 6 - 0.5),
                               w.y + 2 * ((s / 6 % 6 + 0.5) / 6 - 0.5),
                               w.z + 2 * ((s / 36 + 0.5) / 6 - 0.5))) < 0;
        return in / 216.0;
    }
    int l = lab(x, y, z), k = F + 1;
    if (l && l != k)
        return 0;
    if (l == k && interior(x, y, z, k))
        return 1;
    double b = tissue(x, y, z, k, how == 3);
    return b > SOFT + 1 ? fmin(1, fmax(0, (hu(x, y, z) - SOFT) / (b - SOFT))) : 0;
}

static double trilinear(fx_vec3 w, int how)
{
    fx_vec3 q = fx_volume_world_to_index(HU, w);
    int i = (int)floor(q.x), j = (int)floor(q.y), k = (int)floor(q.z);
    double fx = q.x - i, fy = q.y - j, fz = q.z - k, s = 0;
    for (int c = 0; c < 8; c++) {
        double wt = (c & 1 ? fx : 1 - fx) * (c & 2 ? fy : 1 - fy) * (c & 4 ? fz : 1 - fz);
        int a = i + (c & 1), b = j + (c >> 1 & 1), d = k + (c >> 2);
        s += wt * (how < 0 ? hu(a, b, d) : frac(a, b, d, how));
    }
    return s;
}

static int numbers(int argc, char **argv, double *v)
{
    for (int i = 1; i < argc; i++) {
        char *end;
        errno = 0;
        v[i - 1] = strtod(argv[i], &end);
        if (errno || *end || end == argv[i])
            return fprintf(stderr, "corridor_probe: '%s' is not a number\n", argv[i]), 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    double v[14];
    fx_phantom *p;
    fx_volume *ct = NULL, *labels = NULL;
    fx_error err = {0};
    if (argc != 15 || numbers(argc, argv, v)) {
        fprintf(stderr, "usage: corridor_probe PATIENTS SEED INDEX EX EY EZ DX DY DZ "
                        "FRAGMENT T0 T1 STEP_MM SIZE(0 small)\n");
        return 2;
    }
    fx_phantom_opts o = fx_phantom_opts_default();
    o.patients = (int)v[0], o.seed = (uint64_t)v[1], o.size = (fx_phantom_size)v[13];
    fx_vec3 e = fx_v3(v[3], v[4], v[5]), d = fx_v3_unit(fx_v3(v[6], v[7], v[8]));
    F = (int)v[9];
    if (fx_phantom_make(&o, (int)v[2], &p, &err) ||
        fx_phantom_render(p, FX_PHANTOM_PREOP, &ct, &err) ||
        fx_phantom_render_labels(p, FX_PHANTOM_PREOP, &labels, &err))
        return fprintf(stderr, "corridor_probe: %s\n", err.msg), 1;
    P = p, HU = ct, LB = labels;
    double cortex;
    fx_parts_levels(ct, FX_BONE_HU_MIN, &cortex, &SOFT);
    HALF = 0.5 * (cortex + SOFT);
    fx_rigid M = fx_rigid_compose(&p->pose[0], &p->disp[0][F]);
    M = fx_rigid_compose(&M, &p->pinv[0]);
    printf("# t_mm intact_mm label region_mm... | fragment_mm HU exact ramp plan_median "
           "plan_cortex\n");
    for (double t = v[10]; t <= v[11] + 1e-9; t += v[12]) {
        fx_vec3 x = fx_v3_add(e, fx_v3_scale(d, t)), a = fx_rigid_apply(&p->pinv[0], x);
        double intact = fmin(fmin(ph_hemi(p, p->side, a), ph_hemi(p, -p->side, a)),
                             ph_sacrum(p, a));
        printf("%7.2f %7.3f %d", t, intact, ph_label(p, a));
        for (int f = 1; f < p->nfrag; f++)
            printf(" %7.3f", ph_region_sdf(&p->region[f], a));
        fx_vec3 w = fx_rigid_apply(&M, x);
        printf(" | %7.3f %7.1f %.3f %.3f %.3f %.3f\n", part_b(w), trilinear(w, -1),
               trilinear(w, 0), trilinear(w, 1), trilinear(w, 2), trilinear(w, 3));
    }
    fx_volume_free(ct);
    fx_volume_free(labels);
    fx_phantom_free(p);
    return 0;
}
