/*
 * cohort.c - making one phantom patient of a cohort: who they are (age band,
 * sex, trauma mechanism, approach, SMFA answers), which fracture and which
 * plates they have, their tissue HU, scanner poses and voxel grids. A cohort
 * of 10 follows the seed study (domain.md): 8 both-column and 2 T-shaped
 * fractures, 5 anterior plates only and 5 anterior + posterior, 3 planned
 * screws not placed. Every random choice comes from GSL's MT19937 seeded
 * from (seed, patient index), so a patient is the same whatever N is.
 */
#include "config.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "sdf.h"

fx_phantom_opts fx_phantom_opts_default(void)
{
    fx_phantom_opts o = {10, 1, FX_PHANTOM_SMALL, 1};
    return o;
}

const char *fx_phantom_code(const fx_phantom *p)
{
    return p->code;
}

void fx_phantom_hu(const fx_phantom *p, double *cortex_hu, double *soft_hu)
{
    *cortex_hu = p->hu_cortex;
    *soft_hu = p->hu_soft;
}

void fx_phantom_free(fx_phantom *p)
{
    free(p);
}

static const char *pick(gsl_rng *rng, const char *const *list, int n)
{
    return list[gsl_rng_uniform_int(rng, (unsigned long)n)];
}

/* The decade of an age band ("18-29" -> 2), which sets bone density. */
static int decade(const char *band)
{
    const char *dash = strchr(band, '-');
    return dash ? dash[1] - '0' : 9;
}

/* Patient attributes in the study store's codes (docs/study-store.md), so that
 * a phantom patient can be entered as it is. */
static void who(fx_phantom *p, gsl_rng *rng)
{
    static const char *const bands[] = {"18-29", "30-39", "40-49", "40-49", "50-59",
                                        "50-59", "60-69", "60-69", "70-79"};
    static const char *const young[] = {"traffic", "fall-from-height", "traffic", "sports",
                                        "traffic"};
    static const char *const old[] = {"fall-from-standing", "sports", "fall-from-height",
                                      "traffic"};
    snprintf(p->age_band, sizeof(p->age_band), "%s", pick(rng, bands, 9));
    snprintf(p->sex, sizeof(p->sex), "%s", gsl_rng_uniform(rng) < 0.7 ? "male" : "female");
    int elderly = decade(p->age_band) >= 6;
    snprintf(p->mechanism, sizeof(p->mechanism), "%s",
             elderly ? pick(rng, old, 4) : pick(rng, young, 5));
    /* two plates: a Stoppa approach for the anterior one and Kocher-Langenbeck for the
     * posterior one */
    snprintf(p->approach, sizeof(p->approach), "%s", p->nplates == 2 ? "combined" : "stoppa");
}

/* One SMFA form whose dysfunction index is about fi (0-100): each answer is
 * 1 + Binomial(4, fi/100), so E[(answer - 1)/4] = fi/100. Bother items
 * (35-46) run a little above the dysfunction items. */
static void smfa_form(gsl_rng *rng, double fi, int *ans)
{
    for (int i = 0; i < 46; i++) {
        double q = sdf_clamp((i < 34 ? fi : 1.1 * fi) / 100.0, 0.0, 1.0);
        ans[i] = 1 + (int)gsl_ran_binomial(rng, q, 4);
    }
}

static void outcomes(fx_phantom *p, gsl_rng *rng)
{
    /* seed study: function index 7 (2-9) -> 29 (22-35) -> 9 (5-27) */
    double pre = gsl_ran_flat(rng, 1, 12);
    double m3 = sdf_clamp(25 + gsl_ran_gaussian(rng, 6), 12, 55);
    double y1 = gsl_rng_uniform(rng) < 0.65 ? gsl_ran_flat(rng, 3, 14) : gsl_ran_flat(rng, 18, 35);
    smfa_form(rng, pre, p->smfa[0]);
    smfa_form(rng, m3, p->smfa[1]);
    smfa_form(rng, y1, p->smfa[2]);
}

static fx_rigid random_pose(gsl_rng *rng)
{
    fx_vec3 ax = ph_random_unit(rng);
    double ang = gsl_ran_flat(rng, 1.0, 4.0) * M_PI / 180;
    fx_vec3 t = fx_v3(gsl_ran_flat(rng, -6, 6), gsl_ran_flat(rng, -8, 8),
                      gsl_ran_flat(rng, -5, 5));
    return fx_rigid_from_axis_angle(ax, ang, t);
}

void ph_grid(fx_phantom *p)
{
    double centre[3] = {0, -5, 15};
    /* The hip joint space (cartilage) is 2.5 mm: resolved at 0.74 mm, but at 2 mm
     * voxels partial volume bridges it and the femoral head fuses with the
     * acetabulum in any bone threshold. The small size therefore gets a smaller
     * head, a 5.5 mm joint space, so that its bone parts separate as they do on
     * clinical scans; truth.json records the radius used. */
    p->r_head_mm = p->opts.size == FX_PHANTOM_CLINICAL ? PH_R_HEAD : PH_R_JOINT - 5.5;
    if (p->opts.size == FX_PHANTOM_CLINICAL) {
        p->dims[0] = p->dims[1] = 512;
        p->dims[2] = 240;
        p->spacing[0] = p->spacing[1] = 0.74;
        p->spacing[2] = 1.0;
    } else {
        p->dims[0] = 168;
        p->dims[1] = 128;
        p->dims[2] = 108;
        p->spacing[0] = p->spacing[1] = p->spacing[2] = 2.0;
    }
    for (int s = 0; s < 2; s++)
        for (int a = 0; a < 3; a++) {
            /* post-op: another table position and reconstruction centre */
            double shift = s ? (a == 2 ? 3.3 : a == 0 ? -1.1 : 0.0) : 0.0;
            p->origin[s][a] = centre[a] + shift - 0.5 * (p->dims[a] - 1) * p->spacing[a];
        }
}

void ph_finalise(fx_phantom *p)
{
    for (int s = 0; s < 2; s++) {
        for (int f = 0; f < PH_MAX_FRAG; f++)
            p->dinv[s][f] = fx_rigid_inverse(&p->disp[s][f]);
        p->hinv[s] = fx_rigid_inverse(&p->head[s]);
        p->pinv[s] = fx_rigid_inverse(&p->pose[s]);
    }
}

/* Which patients of a cohort have what: the seed study's spread for each
 * block of ten. */
static void design(fx_phantom *p, int index)
{
    static const int t_shaped[10] = {0, 0, 0, 1, 0, 0, 0, 1, 0, 0};
    static const int posterior[10] = {1, 0, 1, 0, 1, 0, 0, 1, 0, 1};
    int i = index % 10;
    p->pattern = t_shaped[i] ? PH_T_SHAPED : PH_BOTH_COLUMN;
    p->nplates = posterior[i] ? 2 : 1;
}

static void unplaced(fx_phantom *p, gsl_rng *rng, int index)
{
    int i = index % 10;
    if ((i == 2 || i == 5 || i == 8) && p->nscrews > 1) {
        int k = (int)gsl_rng_uniform_int(rng, (unsigned long)p->nscrews);
        p->actual[k].placed = 0;
    }
}

int fx_phantom_make(const fx_phantom_opts *o, int index, fx_phantom **out, fx_error *err)
{
    *out = NULL;
    if (!o || o->patients < 1 || index < 0 || index >= o->patients)
        return fx_fail(err, FX_EINVAL, "phantom patient %d is not in a cohort of %d", index,
                       o ? o->patients : 0);
    fx_phantom *p = calloc(1, sizeof(*p));
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!p || !rng) {
        free(p);
        gsl_rng_free(rng);
        return fx_fail(err, FX_ENOMEM, "cannot allocate phantom patient %d", index + 1);
    }
    p->index = index;
    p->opts = *o;
    snprintf(p->code, sizeof(p->code), "P%02d", index + 1);
    p->pseed = o->seed * 1000003ULL + (uint64_t)index * 7919ULL + 17;
    gsl_rng_set(rng, (unsigned long)(p->pseed & 0xffffffffUL) ^ (unsigned long)(p->pseed >> 32));
    design(p, index);
    who(p, rng);
    outcomes(p, rng);
    p->side = gsl_rng_uniform(rng) < 0.5 ? 1 : -1;
    p->scale = !strcmp(p->sex, "male") ? gsl_ran_flat(rng, 0.98, 1.06) : gsl_ran_flat(rng, 0.92, 0.99);
    p->hu_cortex = gsl_ran_flat(rng, 1300, 1700);
    p->hu_cancellous = 400 - 15 * (decade(p->age_band) - 2) + gsl_ran_flat(rng, -15, 15);
    p->hu_soft = 40 + gsl_ran_flat(rng, -5, 5);
    p->hu_fat = -100 + gsl_ran_flat(rng, -10, 10);
    p->hu_metal = 3400;
    p->noise_sd = 15;
    ph_fracture_make(p, rng);
    ph_implants_make(p, rng);
    unplaced(p, rng, index);
    p->pose[0] = random_pose(rng);
    p->pose[1] = random_pose(rng);
    ph_grid(p);
    ph_finalise(p);
    gsl_rng_free(rng);
    *out = p;
    return FX_OK;
}

static double bone_field(const void *ctx, fx_vec3 x)
{
    const fx_phantom *const *pp = ctx;
    const fx_phantom *p = pp[0];
    int s = (int)(intptr_t)pp[1];
    return ph_scene_bone(p, s, x);
}

double fx_phantom_bone_volume_in_grid(const fx_phantom *p, fx_phantom_series s)
{
    const void *ctx[2] = {p, (const void *)(intptr_t)s};
    fx_vec3 lo = fx_v3(p->origin[s][0] - 0.5 * p->spacing[0], p->origin[s][1] - 0.5 * p->spacing[1],
                       p->origin[s][2] - 0.5 * p->spacing[2]);
    fx_vec3 hi = fx_v3(lo.x + p->dims[0] * p->spacing[0], lo.y + p->dims[1] * p->spacing[1],
                       lo.z + p->dims[2] * p->spacing[2]);
    double v;
    ph_integrate(bone_field, ctx, lo, hi, 2.0, &v, NULL);
    return v;
}
