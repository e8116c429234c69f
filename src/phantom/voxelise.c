/*
 * voxelise.c - from the analytic scene to an int16 HU volume.
 *
 * Partial volume: every tissue boundary contributes through a linear
 * coverage ramp clamp(1/2 - d/w, 0, 1) of its signed distance d, w the mean
 * voxel size. For a locally flat boundary the ramp's sum over voxels equals
 * the true volume whatever the boundary's offset to the grid (the ramp minus
 * a step is odd about d = 0), so partial-volume blur does not bias volumes.
 * Speed: the scene is first evaluated at the centres of 8x8x4-voxel blocks;
 * a boundary whose distance there exceeds the block's half diagonal plus w/2
 * is constant over the block and is not evaluated per voxel. Noise is
 * Gaussian from a counter-based generator keyed by (seed, series, voxel), so
 * the volume does not depend on the number of threads.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "sdf.h"

enum { BX = 8, BY = 8, BZ = 4 };

typedef struct hu_ctx {
    const fx_phantom *p;
    int s;
    double w;
    const fx_volume *v;
} hu_ctx;

static double cov(double d, double w)
{
    return sdf_clamp(0.5 - d / w, 0.0, 1.0);
}

/* A voxel's HU from its volume fractions. The tissues nest (body, muscle,
 * bone, cancellous bone), so each boundary's coverage adds its step. The
 * metal does not nest: a plate or a screw's head lies on the bone and takes
 * the place of the soft tissue beside it (of bone only where it reaches
 * into it), while a shaft is driven into the bone and takes the place of
 * whatever the voxel holds. Mixing a plate over the whole voxel as well put
 * soft tissue between plate and cortex, up to a quarter of a voxel, some
 * 350 HU darker than the face of a plate on bone. */
static double compose(const fx_phantom *p, const ph_dist *d, double w)
{
    double out = -1000.0; /* the soft tissue, without the bone */
    out += cov(d->body, w) * (p->hu_fat + 1000.0);
    out += cov(d->muscle, w) * (p->hu_soft - p->hu_fat);
    out += cov(d->bladder, w) * (10.0 - p->hu_soft);
    out += cov(d->gas, w) * (-1000.0 - p->hu_soft);
    double cb = cov(d->bone, w);
    double bone = cb * (p->hu_cortex - p->hu_soft) +
                  cov(d->canc, w) * (p->hu_cancellous - p->hu_cortex);
    double hu = out + bone; /* the bone sits in muscle: its steps are from hu_soft */
    double co = cov(d->metal_out, w), cs = cov(d->metal, w);
    if (co > 0) {
        double from_soft = fmin(co, 1 - cb), from_bone = co - from_soft;
        double bone_hu = cb > 0 ? p->hu_soft + bone / cb : 0; /* the bone's mean HU */
        hu += from_soft * (p->hu_metal - out) + from_bone * (p->hu_metal - bone_hu);
    }
    /* the shafts over what is left, so that the metal's share is the union's */
    if (cs <= co)
        return hu;
    if (co >= 1)
        return p->hu_metal;
    double rest = hu - co * p->hu_metal;
    return cs * p->hu_metal + rest * (1 - cs) / (1 - co);
}

/* splitmix64: a counter-based stream of well-mixed 64-bit numbers. */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static double gauss(uint64_t key)
{
    uint64_t a = mix(key), b = mix(a ^ 0x5851f42d4c957f2dULL);
    double u1 = ((a >> 11) + 0.5) / 9007199254740992.0, u2 = (b >> 11) / 9007199254740992.0;
    return sqrt(-2.0 * log(u1)) * cos(2 * M_PI * u2);
}

/* The distances are bounds whose gradient can reach about 1.3 (tapers,
 * blends, the wing's arc), so "far" is decided with a margin. */
static int near(double d, double r)
{
    return fabs(d) < 1.5 * r;
}

/* Which parts matter inside a block of radius r (mm) around its centre: a
 * part that is far outside everywhere is left out (it cannot change a
 * coverage), one that is far inside everywhere is replaced by -infinity. */
static unsigned near_parts(const ph_bc *part, double r, unsigned *inside)
{
    unsigned mask = 0;
    *inside = 0;
    for (int i = 0; i < PH_NPARTS; i++) {
        double b = part[i].b, c = part[i].c;
        if (near(b, r) || near(c, r) ||
            (i < PH_PART_METAL && (near(b - PH_SLEEVE_MM, r) || near(b - PH_SLEEVE_MM - 8.0, r))))
            mask |= 1u << i;
        else if (c < 0)
            *inside |= 1u << i;
    }
    return mask;
}

static void voxel(const hu_ctx *c, fx_vec3 x, unsigned mask, unsigned inside, ph_dist *d)
{
    ph_bc part[PH_NPARTS];
    fx_vec3 a = fx_rigid_apply(&c->p->pinv[c->s], x);
    ph_soft(c->p, a, &d->body, &d->muscle, &d->bladder, &d->gas);
    ph_scene_parts(c->p, c->s, a, mask, part);
    for (int i = 0; i < PH_NPARTS; i++)
        if (inside & (1u << i))
            part[i].b = part[i].c = -INFINITY;
    ph_scene_combine(part, d);
}

static void block(const hu_ctx *c, int bi, int bj, int bk, double *out)
{
    const fx_volume *v = c->v;
    int i1 = bi + BX < v->dims[0] ? bi + BX : v->dims[0];
    int j1 = bj + BY < v->dims[1] ? bj + BY : v->dims[1];
    int k1 = bk + BZ < v->dims[2] ? bk + BZ : v->dims[2];
    fx_vec3 ctr = fx_volume_index_to_world(
        v, fx_v3(0.5 * (bi + i1 - 1), 0.5 * (bj + j1 - 1), 0.5 * (bk + k1 - 1)));
    double hx = 0.5 * (i1 - bi - 1) * v->spacing[0], hy = 0.5 * (j1 - bj - 1) * v->spacing[1],
           hz = 0.5 * (k1 - bk - 1) * v->spacing[2];
    double r = sqrt(hx * hx + hy * hy + hz * hz) + 0.5 * c->w + 1e-6;
    ph_bc part[PH_NPARTS];
    ph_dist dc;
    fx_vec3 a = fx_rigid_apply(&c->p->pinv[c->s], ctr);
    ph_soft(c->p, a, &dc.body, &dc.muscle, &dc.bladder, &dc.gas);
    ph_scene_parts(c->p, c->s, a, ~0u, part);
    unsigned inside, mask = near_parts(part, r, &inside);
    ph_scene_combine(part, &dc);
    int soft = near(dc.body, r) || near(dc.muscle, r) || near(dc.bladder, r) || near(dc.gas, r);
    for (int k = bk; k < k1; k++)
        for (int j = bj; j < j1; j++)
            for (int i = bi; i < i1; i++) {
                ph_dist d = dc;
                if (mask || soft)
                    voxel(c, fx_volume_index_to_world(v, fx_v3(i, j, k)), mask, inside, &d);
                out[(size_t)i + (size_t)v->dims[0] * ((size_t)j + (size_t)v->dims[1] * k)] =
                    compose(c->p, &d, c->w);
            }
}

void ph_streaks(const fx_phantom *p, int s, const fx_volume *v, double *hu);

int fx_phantom_render(const fx_phantom *p, fx_phantom_series s, fx_volume **out, fx_error *err)
{
    fx_volume *v = NULL;
    double *hu = NULL;
    int rc = fx_volume_new(p->dims, FX_VOX_I16, &v, err);
    if (rc)
        return rc;
    size_t n = fx_volume_count(v);
    hu = malloc(n * sizeof(*hu));
    if (!hu) {
        fx_volume_free(v);
        return fx_fail(err, FX_ENOMEM, "cannot allocate a %zu-voxel phantom", n);
    }
    memcpy(v->spacing, p->spacing, sizeof(v->spacing));
    memcpy(v->origin, p->origin[s], sizeof(v->origin));
    hu_ctx c = {p, (int)s, (p->spacing[0] + p->spacing[1] + p->spacing[2]) / 3.0, v};
    int nbx = (v->dims[0] + BX - 1) / BX, nby = (v->dims[1] + BY - 1) / BY,
        nbz = (v->dims[2] + BZ - 1) / BZ;
    long nb = (long)nbx * nby * nbz;
#pragma omp parallel for schedule(dynamic, 4)
    for (long b = 0; b < nb; b++) {
        int bi = (int)(b % nbx), bj = (int)((b / nbx) % nby), bk = (int)(b / ((long)nbx * nby));
        block(&c, bi * BX, bj * BY, bk * BZ, hu);
    }
    if (s == FX_PHANTOM_POSTOP && p->opts.streaks)
        ph_streaks(p, s, v, hu);
    int16_t *px = v->data;
    uint64_t key = p->pseed * 0x2545f4914f6cdd1dULL + (uint64_t)s * 0x9e3779b97f4a7c15ULL;
#pragma omp parallel for schedule(static)
    for (long i = 0; i < (long)n; i++) {
        double x = hu[i] + p->noise_sd * gauss(key ^ mix((uint64_t)i));
        x = sdf_clamp(floor(x + 0.5), -1024.0, 4000.0);
        px[i] = (int16_t)x;
    }
    free(hu);
    *out = v;
    return FX_OK;
}
