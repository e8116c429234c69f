/*
 * tips.c - screw tips that end against another screw's metal.
 *
 * fx_audit_find_screw finds a tip where the HU profile along the axis falls
 * half-way from the screw's plateau to what lies beyond. When the tip of one
 * screw ends beside another screw (two converging screws whose tips nearly
 * touch, a screw that stops against a crossing one), the neighbour's metal
 * carries the profile on and the tip is found too far: 1-1.3 mm on the
 * clinical phantom seed 11 P03 where two tips lie 2.6 mm apart, 7.5 mm where
 * a tip stops 1 mm from a crossing shaft.
 *
 * With every screw found, the others' metal along the axis is known: a
 * screw is a capped cylinder of its diameter, imaged with a partial-volume
 * ramp about a voxel wide. The profile near the tip is then modelled as
 *     hu(t) = bg + (metal - bg) * max(own(t; T), others(t)),
 * own(t; T) = clamp(1/2 - (t - T) / w, 0, 1), and the tip T is the least-
 * squares fit of this model (the half-way crossing, where nothing else is
 * near, is the same fit for a symmetric blur). Only tips that some other
 * screw comes near are refitted; Gauss-Seidel sweeps, because the
 * neighbour's own tip may have been found too far at first.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/audit.h"

#define STEP_MM 0.1
#define BEFORE_MM 12.0 /* the window: from 12 mm short of the first tip ... */
#define AFTER_MM 4.0   /* ... to 4 mm past it */
enum { NPROF = 161 };  /* (BEFORE_MM + AFTER_MM) / STEP_MM + 1 */

/* Signed distance (mm) from x to the shaft of s, a capped cylinder of radius r
 * from the entry to the tip (negative inside). */
static double shaft_sd(const fx_audit_screw *s, double r, fx_vec3 x)
{
    fx_vec3 rel = fx_v3_sub(x, s->entry);
    double t = fx_v3_dot(rel, s->dir);
    double radial = fx_v3_norm(fx_v3_sub(rel, fx_v3_scale(s->dir, t))) - r;
    double axial = fabs(t - 0.5 * s->length_mm) - 0.5 * s->length_mm;
    double ox = fmax(radial, 0), oy = fmax(axial, 0);
    return sqrt(ox * ox + oy * oy) + fmin(fmax(radial, axial), 0.0);
}

/* Partial-volume coverage of a voxel whose centre lies d mm outside a surface:
 * a linear ramp a voxel (w mm) wide. */
static double ramp(double d, double w)
{
    double c = 0.5 - d / w;
    return c < 0 ? 0 : c > 1 ? 1 : c;
}

/* The profile of one screw around its first tip, sampled on the axis by
 * trilinear interpolation, and per sample its 8 voxel centres: weight, depth
 * along the axis (t), distance from it (rho) and the others' coverage. */
typedef struct tip_prof {
    double t[NPROF], hu[NPROF];
    double wt[NPROF][8], ct[NPROF][8], rho[NPROF][8], other[NPROF][8];
    double r, w; /* the screw's radius; the ramp's width */
} tip_prof;

static double corner_other(const fx_audit_screw *s, size_t n, size_t k, const double *diameter_mm,
                           double w, fx_vec3 x)
{
    double c = 0;
    for (size_t j = 0; j < n; j++)
        if (j != k)
            c = fmax(c, ramp(shaft_sd(&s[j], 0.5 * diameter_mm[j], x), w));
    return c;
}

/* Samples screw k's profile around T0; returns the largest coverage of the
 * others' metal that the samples see. */
static double sample(const fx_volume *hu, const fx_audit_screw *s, size_t n, size_t k,
                     const double *diameter_mm, double T0, tip_prof *p)
{
    const fx_audit_screw *a = &s[k];
    double most = 0;
    p->r = 0.5 * diameter_mm[k];
    for (int i = 0; i < NPROF; i++) {
        p->t[i] = T0 - BEFORE_MM + STEP_MM * i;
        fx_vec3 x = fx_v3_add(a->entry, fx_v3_scale(a->dir, p->t[i]));
        fx_vec3 ijk = fx_volume_world_to_index(hu, x);
        double f[3] = {ijk.x - floor(ijk.x), ijk.y - floor(ijk.y), ijk.z - floor(ijk.z)}, seen = 0;
        p->hu[i] = fx_volume_sample(hu, ijk, a->bone_hu);
        for (int q = 0; q < 8; q++) {
            fx_vec3 cq = fx_v3(floor(ijk.x) + (q & 1), floor(ijk.y) + ((q >> 1) & 1),
                               floor(ijk.z) + ((q >> 2) & 1));
            fx_vec3 X = fx_volume_index_to_world(hu, cq), rel = fx_v3_sub(X, a->entry);
            p->wt[i][q] = ((q & 1) ? f[0] : 1 - f[0]) * (((q >> 1) & 1) ? f[1] : 1 - f[1]) *
                          (((q >> 2) & 1) ? f[2] : 1 - f[2]);
            p->ct[i][q] = fx_v3_dot(rel, a->dir);
            p->rho[i][q] = fx_v3_norm(fx_v3_sub(rel, fx_v3_scale(a->dir, p->ct[i][q])));
            p->other[i][q] = corner_other(s, n, k, diameter_mm, p->w, X);
            seen += p->wt[i][q] * p->other[i][q];
        }
        most = fmax(most, seen);
    }
    return most;
}

/* The model's coverage at each sample with the tip at T. */
static void model(const tip_prof *p, double T, double *c)
{
    for (int i = 0; i < NPROF; i++) {
        c[i] = 0;
        for (int q = 0; q < 8; q++) {
            double radial = p->rho[i][q] - p->r, axial = p->ct[i][q] - T;
            double ox = fmax(radial, 0), oy = fmax(axial, 0);
            double sd = sqrt(ox * ox + oy * oy) + fmin(fmax(radial, axial), 0.0);
            c[i] += p->wt[i][q] * fmax(ramp(sd, p->w), p->other[i][q]);
        }
    }
}

/* Sum of squared residuals with the tip at T, the two levels (background and
 * metal) fitted by linear least squares. */
static double sse(const tip_prof *p, double T)
{
    double c[NPROF], sc = 0, sh = 0, scc = 0, sch = 0, shh = 0;
    model(p, T, c);
    for (int i = 0; i < NPROF; i++) {
        sc += c[i];
        sh += p->hu[i];
        scc += c[i] * c[i];
        sch += c[i] * p->hu[i];
        shh += p->hu[i] * p->hu[i];
    }
    double var = scc - sc * sc / NPROF, cov = sch - sc * sh / NPROF;
    double tot = shh - sh * sh / NPROF;
    return var > 1e-9 ? tot - cov * cov / var : tot;
}

/* The least-squares tip of screw k, from 10 mm short of T0 (the tip first
 * found) to 2 mm past it; T0 when no other screw comes near. */
static double refit_tip(const fx_volume *hu, const fx_audit_screw *s, size_t n, size_t k,
                        const double *diameter_mm, double w, double T0, int *refitted)
{
    tip_prof *p = malloc(sizeof(*p));
    double best = T0, be = INFINITY;
    *refitted = 0;
    if (!p)
        return T0;
    p->w = w;
    if (sample(hu, s, n, k, diameter_mm, T0, p) < 0.02) {
        free(p);
        return T0;
    }
    for (double T = T0 - 10.0; T <= T0 + 2.0 + 1e-9; T += 0.05) {
        double e = sse(p, T);
        if (e < be) {
            be = e;
            best = T;
        }
    }
    /* parabola through the best and its neighbours */
    double em = sse(p, best - 0.05), ep = sse(p, best + 0.05), den = em - 2 * be + ep;
    if (den > 0)
        best += 0.05 * 0.5 * (em - ep) / den;
    free(p);
    *refitted = 1;
    return best;
}

/* A tip inside another screw's metal (its shaft, or within a head's radius,
 * 3.5 mm, of its axis over the 6.5 mm before its entry: head and plate) cannot
 * be told from it: screws that collide, as phantom screws may. */
static int tip_in_other(const fx_audit_screw *s, size_t n, size_t k, const double *diameter_mm,
                        double vox)
{
    for (size_t j = 0; j < n; j++) {
        if (j == k)
            continue;
        fx_vec3 rel = fx_v3_sub(s[k].tip, s[j].entry);
        double t = fx_v3_dot(rel, s[j].dir);
        double rho = fx_v3_norm(fx_v3_sub(rel, fx_v3_scale(s[j].dir, t)));
        if (shaft_sd(&s[j], 0.5 * diameter_mm[j], s[k].tip) < 0 ||
            (t > -6.5 && t <= 0 && rho < 3.5 + 0.5 * vox))
            return 1;
    }
    return 0;
}

int fx_audit_resolve_tips(const fx_volume *hu, fx_audit_screw *screws, size_t n,
                          const double *diameter_mm, const fx_audit_opts *o, fx_error *err)
{
    /* the partial-volume ramp of the scan: about a voxel */
    double w = (hu->spacing[0] + hu->spacing[1] + hu->spacing[2]) / 3.0;
    double *first = malloc((n + 1) * sizeof(double));
    if (!first)
        return fx_fail(err, FX_ENOMEM, "cannot allocate %zu screw tips", n);
    for (size_t k = 0; k < n; k++)
        first[k] = screws[k].length_mm;
    int rc = FX_OK;
    for (int sweep = 0; sweep < 3 && !rc; sweep++)
        for (size_t k = 0; k < n && !rc; k++) {
            fx_audit_screw *a = &screws[k];
            int refitted;
            if (a->from_plan & 2)
                continue;
            double T = refit_tip(hu, screws, n, k, diameter_mm, w, first[k], &refitted);
            if (!refitted || T < 8)
                continue;
            int moved = fabs(T - a->length_mm) > 0.5;
            a->tip = fx_v3_add(a->entry, fx_v3_scale(a->dir, T));
            a->length_mm = T;
            if (!moved)
                continue;
            /* the axis was fitted over the neighbour's metal beyond the true
             * tip: fit it again over the shaft, then the tip on the new axis */
            if ((rc = fx_audit_refit_axis(hu, a, diameter_mm[k], o, err)))
                break;
            T = refit_tip(hu, screws, n, k, diameter_mm, w, first[k], &refitted);
            if (refitted && T >= 8)
                a->length_mm = T;
            a->tip = fx_v3_add(a->entry, fx_v3_scale(a->dir, a->length_mm));
        }
    for (size_t k = 0; k < n && !rc; k++)
        if (tip_in_other(screws, n, k, diameter_mm, w))
            screws[k].from_plan |= 4;
    free(first);
    return rc;
}
