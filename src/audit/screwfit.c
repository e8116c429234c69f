/*
 * screwfit.c - sub-voxel refinement of each found screw by fitting an image
 * model of it to the voxels around it (analysis by synthesis).
 *
 * At 2 mm voxels the screw (3.5 mm across) is under two voxels wide: the
 * weighted principal axis of screws.c leans towards the voxel grid and the
 * half-way crossing of the on-axis profile is lost where streaks dim the
 * shaft or a neighbour's metal carries it on. Here every voxel near the
 * screw is predicted from a model of the whole screw instead:
 *
 *     hu_i = B_i + beta + (M - B_i - beta) * c_i,
 *     c_i  = max(fx_sm_ramp(sd(x_i; axis, T)), other_i),  fx_sm_ramp(d) = clamp(1/2 - d/w, 0, 1),
 *
 * sd the signed distance from the voxel centre x_i to a flat-ended cylinder
 * of the screw's planned diameter ending at the tip T, w the mean voxel side
 * (the partial-volume ramp of a flat surface: the coverage a voxel sees of
 * it), other_i the coverage by the other screws found (shaft and head, fixed
 * at their latest estimates), B_i the tissue beyond the screw at the voxel's
 * own depth and azimuth (the nearest voxel 1.5 w outside the shaft: cortex
 * on one side and cancellous bone on the other each keep their level), and
 * beta, M the background shift and the metal level; about the tip the
 * tissue gets a level of its own (delta, see predict). Fitted: the axis (the
 * entry moved in the plane normal to the axis, the direction tilted: 4 dof),
 * the tip T and the levels, by Levenberg-Marquardt (GSL gsl_multifit_nlinear)
 * re-weighted for Huber's loss (metal streaks are outliers). The entry's
 * depth along the axis is kept from screws.c (the plate beside the head is
 * not modelled): only voxels from 1 mm + w past the entry count.
 *
 * The tip may have been found several millimetres off (a dimmed shaft, a
 * neighbour on the line), where the cost has other minima: the tip is first
 * searched on a 0.1 mm grid from 10 mm short of the tip found up to it
 * (axis fixed, levels by linear least squares), then everything is fitted.
 * The tip never moves out past the one found: the far cortex beyond a tip is
 * denser than the tissue beside the shaft and reads as partial volume of
 * metal. On small seed 1 every tip the model moved out by more than 0.5 mm
 * was made worse (7 of 7, by 0.4-3.3 mm); once the phantom mixed metal over
 * whole bone (2026-11-25), of the tips it moved out at all on small seeds 41
 * and 101, 33 of 51 were made worse, while 85 of the 101 it moved in were
 * made better. Measured: docs/audit.md.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_vector.h>

#include "fxaudit/screwfit.h"
#include "screwhead.h"
#include "screwmodel.h"
#include "screwtissue.h"

#define TIP_SHORT_MM 10.0 /* the tip searched from this far short ... */
#define TIP_PAST_MM 8.0   /* ... to this far past it (the voxels looked at) */
#define TIP_OUT_MM 0.0    /* the tip moves out by at most this from the first one found */
#define TIP_STEP_MM 0.1
#define HUBER_K 1.345      /* Huber's constant, in robust standard deviations */
#define MAX_SHIFT_VOX 0.75 /* a refined entry further than this (voxels) is not trusted */
#define MAX_TURN_DEG 3.0
#define HEAD_R_MM 3.0
#define DUP_SHARE 0.5      /* share of an axis inside another screw: a duplicate */

typedef struct sf_vox {
    fx_vec3 x;     /* voxel centre, mm */
    double hu, bg; /* measured; tissue beyond the screw */
    double other;  /* the other screws' coverage */
} sf_vox;

typedef struct sf_ctx {
    sf_vox *v;
    size_t n, cap;
    fx_vec3 e0, u0, e1, e2; /* first entry and axis; e1, e2 normal to it */
    double r, w;            /* shaft radius; ramp width */
    int fit_tip;
    double T_fixed;         /* the tip when not fitted */
    int shaft_tissue;       /* 1: the tissue from each voxel's clear neighbours (screwtissue.c) */
} sf_ctx;

/* The parameters: entry shift (a1, a2), tilt (b1, b2), M, beta, [delta, T]. */
enum { P_A1, P_A2, P_B1, P_B2, P_M, P_BETA, P_D, P_T, NPAR };

/* Signed distance to a whole screw: shaft (entry - plate .. tip) and head. */
static double screw_sd(const fx_audit_screw *s, const fx_screwfit_geom *g, fx_vec3 x)
{
    double base = -g->plate_mm, top = base - g->head_h_mm;
    double shaft = fx_sm_cyl_sd(x, s->entry, s->dir, base, s->length_mm, 0.5 * g->diameter_mm);
    return fmin(shaft, fx_sm_cyl_sd(x, s->entry, s->dir, top, base, g->head_r_mm));
}

static void axis_of(const sf_ctx *c, const double *x, fx_vec3 *p, fx_vec3 *u)
{
    *p = fx_v3_add(c->e0, fx_v3_add(fx_v3_scale(c->e1, x[P_A1]), fx_v3_scale(c->e2, x[P_A2])));
    *u = fx_v3_unit(
        fx_v3_add(c->u0, fx_v3_add(fx_v3_scale(c->e1, x[P_B1]), fx_v3_scale(c->e2, x[P_B2]))));
}

/* The own coverage of voxel centre X (the shaft from well before the entry). */
static double own_cov(const sf_ctx *c, fx_vec3 p, fx_vec3 u, double T, fx_vec3 X)
{
    return fx_sm_ramp(fx_sm_cyl_sd(X, p, u, -20.0, T, c->r), c->w);
}

/* The model at voxel v for the axis p + t u and the tip T: its metal
 * coverage and the weight lam of the tissue level about the tip. Beside the
 * shaft the tissue is the one beyond it (v->bg, radially out); about the tip
 * it differs: the tips end in or near the far cortex, where radially out
 * lies cancellous bone and beyond the tip cortex (the radial level alone
 * made tips 1-2.5 mm long on small seed 1). The voxels from a voxel before
 * to two past the tip get the shift delta (a free level, fitted with the
 * others: the voxels just beyond the tip set it), ramped over a voxel. */
static void predict(const sf_ctx *c, fx_vec3 p, fx_vec3 u, double T, const sf_vox *v,
                    double *cov, double *lam)
{
    *cov = fmax(own_cov(c, p, u, T, v->x), v->other);
    *lam = 0;
    if (!c->fit_tip)
        return;
    double t = fx_v3_dot(fx_v3_sub(v->x, p), u) - T;
    double up = (t + 1.5 * c->w) / c->w, down = (2.5 * c->w - t) / c->w;
    *lam = fmax(0, fmin(1, fmin(up, down)));
}

static int residuals(const gsl_vector *xv, void *data, gsl_vector *f)
{
    const sf_ctx *c = data;
    double x[NPAR];
    fx_vec3 p, u;
    for (int k = 0; k < NPAR; k++)
        x[k] = k < (int)xv->size ? gsl_vector_get(xv, (size_t)k) : k == P_T ? c->T_fixed : 0;
    axis_of(c, x, &p, &u);
    for (size_t i = 0; i < c->n; i++) {
        double cov, lam;
        predict(c, p, u, x[P_T], &c->v[i], &cov, &lam);
        double b = c->v[i].bg + x[P_BETA] + lam * x[P_D];
        gsl_vector_set(f, i, b + (x[P_M] - b) * cov - c->v[i].hu);
    }
    return GSL_SUCCESS;
}

/* ---- the voxels ------------------------------------------------------------ */

/* Tissue beyond the shaft at the depth and azimuth of X: the nearest voxel
 * to the point 1.5 w outside the shaft (its centre then lies outside the own
 * partial-volume zone); fallback where that is another screw's metal. */
static double beyond(const fx_volume *hu, const sf_ctx *c, fx_vec3 X, double fallback, double metal)
{
    fx_vec3 rel = fx_v3_sub(X, c->e0);
    double t = fx_v3_dot(rel, c->u0);
    fx_vec3 rad = fx_v3_sub(rel, fx_v3_scale(c->u0, t));
    double rho = fx_v3_norm(rad);
    if (rho < 1e-6)
        return fallback;
    fx_vec3 q = fx_v3_add(fx_v3_add(c->e0, fx_v3_scale(c->u0, t)),
                          fx_v3_scale(rad, (c->r + 1.5 * c->w) / rho));
    fx_vec3 ijk = fx_volume_world_to_index(hu, q);
    int i = (int)floor(ijk.x + 0.5), j = (int)floor(ijk.y + 0.5), k = (int)floor(ijk.z + 0.5);
    if (i < 0 || j < 0 || k < 0 || i >= hu->dims[0] || j >= hu->dims[1] || k >= hu->dims[2])
        return fallback;
    double b = fx_volume_get(hu, i, j, k);
    return b < 0.5 * (fallback + metal) ? b : fallback;
}

/* Distance from x to the segment a-b. */
static double seg_dist(fx_vec3 x, fx_vec3 a, fx_vec3 b)
{
    fx_vec3 ab = fx_v3_sub(b, a);
    double L2 = fx_v3_dot(ab, ab), t = L2 > 0 ? fx_v3_dot(fx_v3_sub(x, a), ab) / L2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return fx_v3_dist(x, fx_v3_add(a, fx_v3_scale(ab, t)));
}

/* The other screws of a fit, for the tissue's neighbours (screwtissue.c). */
typedef struct sf_others {
    const fx_audit_screw *s;
    const fx_screwfit_geom *geom;
    size_t n, k;
    double w;
} sf_others;

/* 1 where another screw's partial volume reaches x: such a voxel is no tissue. */
static int other_covers(const void *ctx, fx_vec3 x)
{
    const sf_others *o = ctx;
    for (size_t q = 0; q < o->n; q++)
        if (q != o->k && fx_sm_ramp(screw_sd(&o->s[q], &o->geom[q], x), o->w) > 0)
            return 1;
    return 0;
}

/* The voxels within r + w of the first axis from t_lo to t_hi. */
static int collect(const fx_volume *hu, const fx_audit_screw *s, size_t n, size_t k,
                   const fx_screwfit_geom *geom, sf_ctx *c, double t_lo, double t_hi, fx_error *err)
{
    double R = c->r + c->w;
    double mn[3] = {INFINITY, INFINITY, INFINITY}, mx[3] = {-INFINITY, -INFINITY, -INFINITY};
    for (int q = 0; q < 16; q++) {
        fx_vec3 e = fx_v3_add(c->e0, fx_v3_scale(c->u0, (q & 1) ? t_hi : t_lo));
        fx_vec3 ijk = fx_volume_world_to_index(
            hu, fx_v3_add(e, fx_v3((q & 2) ? R : -R, (q & 4) ? R : -R, (q & 8) ? R : -R)));
        double a[3] = {ijk.x, ijk.y, ijk.z};
        for (int d = 0; d < 3; d++)
            mn[d] = fmin(mn[d], a[d]), mx[d] = fmax(mx[d], a[d]);
    }
    int lo[3], hi[3];
    for (int d = 0; d < 3; d++) {
        lo[d] = (int)fmax(0, floor(mn[d]));
        hi[d] = (int)fmin(hu->dims[d] - 1, ceil(mx[d]));
    }
    /* the tissue under each voxel from its clear neighbours (refine_axis) */
    sf_others oth = {s, geom, n, k, c->w};
    fx_screwtissue tg = {c->e0, c->u0, c->r, c->w, 0.5 * (s[k].bone_hu + s[k].metal_level_hu),
                         other_covers, &oth};
    c->n = 0;
    for (int kk = lo[2]; kk <= hi[2]; kk++)
        for (int j = lo[1]; j <= hi[1]; j++)
            for (int i = lo[0]; i <= hi[0]; i++) {
                fx_vec3 X = fx_volume_index_to_world(hu, fx_v3(i, j, kk));
                fx_vec3 rel = fx_v3_sub(X, c->e0);
                double t = fx_v3_dot(rel, c->u0);
                double rho = fx_v3_norm(fx_v3_sub(rel, fx_v3_scale(c->u0, t)));
                if (t < t_lo || t > t_hi || rho > R)
                    continue;
                if (c->n == c->cap) {
                    size_t cap = c->cap ? 2 * c->cap : 4096;
                    sf_vox *nv = realloc(c->v, cap * sizeof(*nv));
                    if (!nv)
                        return fx_fail(err, FX_ENOMEM, "cannot allocate %zu screw voxels", cap);
                    c->v = nv;
                    c->cap = cap;
                }
                sf_vox *v = &c->v[c->n++];
                v->x = X;
                v->hu = fx_volume_get(hu, i, j, kk);
                v->bg = beyond(hu, c, X, s[k].bone_hu, s[k].metal_level_hu);
                if (c->shaft_tissue)
                    v->bg = fx_screwtissue_at(&tg, hu, X, v->bg);
                v->other = 0;
                for (size_t o = 0; o < n; o++)
                    if (o != k)
                        v->other = fmax(v->other, fx_sm_ramp(screw_sd(&s[o], &geom[o], X), c->w));
            }
    return FX_OK;
}

/* ---- costs ----------------------------------------------------------------- */

static double huber(double r, double k)
{
    double a = fabs(r);
    return a <= k ? 0.5 * r * r : k * (a - 0.5 * k);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Robust standard deviation (1.4826 MAD) of r[0..n); buf holds n doubles. */
static double robust_sd(const double *r, size_t n, double *buf)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = fabs(r[i]);
    qsort(buf, n, sizeof(*buf), cmp_double);
    double mad = n ? buf[n / 2] : 0;
    return fmax(1.4826 * mad, 10.0);
}

/* Solve the 3 x 3 system A z = y (A symmetric, row-major) by Cramer's rule;
 * 0 when singular. */
static int solve3(const double A[9], const double y[3], double z[3])
{
    double det = A[0] * (A[4] * A[8] - A[5] * A[7]) - A[1] * (A[3] * A[8] - A[5] * A[6]) +
                 A[2] * (A[3] * A[7] - A[4] * A[6]);
    double scale = fabs(A[0] * A[4] * A[8]) + 1e-300;
    if (!(fabs(det) > 1e-12 * scale))
        return 0;
    for (int k = 0; k < 3; k++) {
        double B[9];
        memcpy(B, A, sizeof(B));
        for (int r = 0; r < 3; r++)
            B[3 * r + k] = y[r];
        z[k] = (B[0] * (B[4] * B[8] - B[5] * B[7]) - B[1] * (B[3] * B[8] - B[5] * B[6]) +
                B[2] * (B[3] * B[7] - B[4] * B[6])) / det;
    }
    return 1;
}

/* With the coverages cov[] and tip weights lam[] known: the levels x[P_M],
 * x[P_BETA], x[P_D] by linear least squares (kept where singular; delta 0
 * when the tip is not fitted), the residuals into res. */
static void fit_levels(const sf_ctx *c, const double *cov, const double *lam, double *x,
                       double *res)
{
    double A[9] = {0}, y[3] = {0}, z[3];
    for (size_t i = 0; i < c->n; i++) {
        double g[3] = {cov[i], 1 - cov[i], lam[i] * (1 - cov[i])};
        double h = c->v[i].hu - c->v[i].bg * (1 - cov[i]);
        for (int a = 0; a < 3; a++) {
            y[a] += g[a] * h;
            for (int b = 0; b < 3; b++)
                A[3 * a + b] += g[a] * g[b];
        }
    }
    if (!c->fit_tip)
        A[8] = 1, A[2] = A[5] = A[6] = A[7] = 0, y[2] = 0;
    if (solve3(A, y, z))
        x[P_M] = z[0], x[P_BETA] = z[1], x[P_D] = z[2];
    for (size_t i = 0; i < c->n; i++) {
        double b = c->v[i].bg + x[P_BETA] + lam[i] * x[P_D];
        res[i] = b + (x[P_M] - b) * cov[i] - c->v[i].hu;
    }
}

/* Robust cost of a tip at T on the first axis, the levels fitted into x;
 * work holds 3 n doubles (the residuals at work + 2 n on return). */
static double tip_cost(const sf_ctx *c, double T, double k, double *work, double *x)
{
    double *cov = work, *lam = work + c->n, *res = work + 2 * c->n;
    for (size_t i = 0; i < c->n; i++)
        predict(c, c->e0, c->u0, T, &c->v[i], &cov[i], &lam[i]);
    fit_levels(c, cov, lam, x, res);
    double e = 0;
    for (size_t i = 0; i < c->n; i++)
        e += huber(res[i], k);
    return e;
}

/* The best tip on a grid around the one found, axis fixed, for Huber's
 * loss at scale sd; the levels there into x. */
static double search_tip(const sf_ctx *c, double T0, double T1, double sd, double *x,
                         double *work)
{
    double best = T0, be = INFINITY, k = HUBER_K * sd, xt[NPAR];
    for (double T = T0 - TIP_SHORT_MM; T <= T1 + 1e-9; T += TIP_STEP_MM) {
        memcpy(xt, x, sizeof(xt));
        double e = tip_cost(c, T, k, work, xt);
        if (e < be) {
            be = e, best = T;
            x[P_M] = xt[P_M], x[P_BETA] = xt[P_BETA], x[P_D] = xt[P_D];
        }
    }
    return best;
}

/* Levenberg-Marquardt from x[] (np parameters) with weights wt[]. */
static int lm(sf_ctx *c, double *x, size_t np, const double *wt, fx_error *err)
{
    gsl_multifit_nlinear_fdf fdf;
    gsl_multifit_nlinear_parameters par = gsl_multifit_nlinear_default_parameters();
    memset(&fdf, 0, sizeof(fdf));
    fdf.f = residuals;
    fdf.n = c->n;
    fdf.p = np;
    fdf.params = c;
    par.h_df = 1e-4; /* the coverage is piecewise linear: a step well above rounding */
    gsl_multifit_nlinear_workspace *ws =
        gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &par, c->n, np);
    if (!ws)
        return fx_fail(err, FX_ENOMEM, "cannot allocate a screw fit of %zu voxels", c->n);
    gsl_vector_view xv = gsl_vector_view_array(x, np);
    gsl_vector_const_view wv = gsl_vector_const_view_array(wt, c->n);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int info, st = gsl_multifit_nlinear_winit(&xv.vector, &wv.vector, &fdf, ws);
    if (st == GSL_SUCCESS)
        gsl_multifit_nlinear_driver(60, 1e-9, 1e-9, 1e-9, NULL, NULL, &info, ws);
    gsl_vector *res = gsl_multifit_nlinear_position(ws);
    for (size_t k = 0; k < np; k++)
        if (isfinite(gsl_vector_get(res, k)))
            x[k] = gsl_vector_get(res, k);
    gsl_multifit_nlinear_free(ws);
    gsl_set_error_handler(old);
    return FX_OK;
}

/* Robust cost per voxel at x[] and the Huber weights for scale sd. */
static double cost_at(sf_ctx *c, const double *x, size_t np, double sd, double *wt,
                      double *work)
{
    gsl_vector_const_view xv = gsl_vector_const_view_array(x, np);
    gsl_vector_view fv = gsl_vector_view_array(work, c->n);
    residuals(&xv.vector, c, &fv.vector);
    double k = HUBER_K * sd, e = 0;
    for (size_t i = 0; i < c->n; i++) {
        e += huber(work[i], k);
        if (wt)
            wt[i] = fabs(work[i]) <= k ? 1.0 : k / fabs(work[i]);
    }
    return c->n ? e / (double)c->n : 0;
}

/* Take the fit x into screw a when it lowered the robust cost and moved
 * plausibly (entry within MAX_SHIFT_VOX voxels, axis within MAX_TURN_DEG, a
 * screw of at least 8 mm whose metal is brighter than bone). */
static void accept(const sf_ctx *c, const double *x, double wmax, fx_audit_screw *a,
                   fx_screwfit_stat *st)
{
    fx_vec3 p, u;
    axis_of(c, x, &p, &u);
    st->moved_mm = hypot(x[P_A1], x[P_A2]);
    st->turned_deg = acos(fmin(1.0, fx_v3_dot(u, c->u0))) * 180 / M_PI;
    st->tip_moved_mm = x[P_T] - a->length_mm;
    st->metal_hu = x[P_M];
    st->background_shift_hu = x[P_BETA];
    if (!(st->cost_after <= st->cost_before) || st->moved_mm > MAX_SHIFT_VOX * wmax ||
        st->turned_deg > MAX_TURN_DEG || x[P_T] < 8 || !(x[P_M] > a->bone_hu))
        return;
    /* the entry keeps its depth: where the first entry's plane meets the axis */
    double te = fx_v3_dot(fx_v3_sub(c->e0, p), u);
    a->entry = fx_v3_add(p, fx_v3_scale(u, te));
    a->dir = u;
    a->length_mm = x[P_T] - te;
    a->tip = fx_v3_add(a->entry, fx_v3_scale(u, a->length_mm));
    st->refined = 1;
}


/* The fit's frame: the screw as found, two directions normal to its axis,
 * the shaft's radius (mm) and its tip where the tip is not fitted. */
static void set_frame(sf_ctx *c, const fx_audit_screw *a, double diameter_mm)
{
    c->e0 = a->entry;
    c->u0 = a->dir;
    c->e1 = fx_v3_unit(fx_v3_cross(a->dir, fabs(a->dir.x) < 0.9 ? fx_v3(1, 0, 0) : fx_v3(0, 1, 0)));
    c->e2 = fx_v3_cross(a->dir, c->e1);
    c->r = 0.5 * diameter_mm;
    c->T_fixed = a->length_mm;
}

/* Iteratively re-weighted: Huber weights from the last fit's residuals,
 * three rounds of Levenberg-Marquardt over the first np parameters. */
static int irls(sf_ctx *c, double *x, size_t np, double sd, double *wt, double *work,
                fx_error *err)
{
    int rc = FX_OK;
    for (int round = 0; round < 3 && !rc; round++) {
        cost_at(c, x, np, sd, wt, work);
        rc = lm(c, x, np, wt, err);
    }
    return rc;
}

/* Fit screw k; on success (a lower robust cost, a plausible move) update it. */
static int refine_one(const fx_volume *hu, fx_audit_screw *s, size_t n, size_t k,
                      const fx_screwfit_geom *geom, double tip_max, sf_ctx *c,
                      fx_screwfit_stat *st, fx_error *err)
{
    fx_audit_screw *a = &s[k];
    double wmax = fmax(hu->spacing[0], fmax(hu->spacing[1], hu->spacing[2]));
    set_frame(c, a, geom[k].diameter_mm);
    c->fit_tip = !(a->from_plan & 6);
    c->shaft_tissue = 0;
    memset(st, 0, sizeof(*st));
    st->tip_fitted = c->fit_tip;
    double t_hi = c->fit_tip ? a->length_mm + TIP_PAST_MM + c->w : a->length_mm - c->w;
    int rc = collect(hu, s, n, k, geom, c, 1.0 + c->w, t_hi, err);
    st->nvox = c->n;
    if (rc || c->n < 20)
        return rc;
    double *work = malloc(5 * c->n * sizeof(double));
    if (!work)
        return fx_fail(err, FX_ENOMEM, "cannot allocate a screw fit of %zu voxels", c->n);
    double *wt = work + 4 * c->n, x[NPAR], x0[NPAR] = {0}, sd;
    size_t np = c->fit_tip ? NPAR : NPAR - 2;
    /* the screw as found, its levels by least squares: the cost to beat */
    x0[P_T] = a->length_mm;
    x0[P_M] = a->metal_level_hu;
    tip_cost(c, x0[P_T], INFINITY, work, x0);
    sd = robust_sd(work + 2 * c->n, c->n, work + 3 * c->n);
    memcpy(x, x0, sizeof(x));
    if (c->fit_tip)
        x[P_T] = search_tip(c, a->length_mm, fmax(a->length_mm, tip_max), sd, x, work);
    double before = cost_at(c, x0, np, sd, NULL, work);
    rc = irls(c, x, np, sd, wt, work, err);
    if (c->fit_tip && x[P_T] > fmax(a->length_mm, tip_max))
        x[P_T] = fmax(a->length_mm, tip_max);
    st->cost_before = before;
    st->cost_after = rc ? INFINITY : cost_at(c, x, np, sd, NULL, work);
    free(work);
    if (!rc)
        accept(c, x, wmax, a, st);
    return rc;
}

/* The axis of screw k once more over its shaft alone (from 1 mm + w past the
 * entry to a voxel before the tip), the tip kept, each voxel's tissue from
 * its clear neighbours in its slice (screwtissue.c) instead of the radial
 * voxel: along a thin or ending cortex and through the streaks next to the
 * metal the radial voxel is other tissue than the voxel's own, which pulled
 * axes up to 0.67 degree and entries 0.54 mm to the side at 2 mm (small seed
 * 59 P01 S4, seed 7 P08 S6). Run after the sweeps of refine_one, the tip's
 * depth kept from them: with this tissue about the tip too, tips that end in
 * a far cortex came out up to 2.7 mm longer (fresh seed 89 P03 S6), and with
 * this pass inside each sweep the next sweep's tip search, on the better
 * axis, took a second minimum 1.4 mm out (seed 89 P05 S4). Measured:
 * docs/audit.md. */
static int refine_axis(const fx_volume *hu, fx_audit_screw *s, size_t n, size_t k,
                       const fx_screwfit_geom *geom, sf_ctx *c, fx_screwfit_stat *st,
                       fx_error *err)
{
    fx_audit_screw *a = &s[k];
    fx_screwfit_stat st2;
    double wmax = fmax(hu->spacing[0], fmax(hu->spacing[1], hu->spacing[2]));
    set_frame(c, a, geom[k].diameter_mm);
    c->fit_tip = 0;
    c->shaft_tissue = 1;
    int rc = collect(hu, s, n, k, geom, c, 1.0 + c->w, a->length_mm - c->w, err);
    c->shaft_tissue = 0;
    if (rc || c->n < 20)
        return rc;
    double *work = malloc(5 * c->n * sizeof(double));
    if (!work)
        return fx_fail(err, FX_ENOMEM, "cannot allocate a screw fit of %zu voxels", c->n);
    double *wt = work + 4 * c->n, x[NPAR] = {0}, sd;
    size_t np = NPAR - 2;
    x[P_T] = a->length_mm;
    x[P_M] = a->metal_level_hu;
    tip_cost(c, x[P_T], INFINITY, work, x);
    sd = robust_sd(work + 2 * c->n, c->n, work + 3 * c->n);
    memset(&st2, 0, sizeof(st2));
    st2.cost_before = cost_at(c, x, np, sd, NULL, work);
    rc = irls(c, x, np, sd, wt, work, err);
    st2.cost_after = rc ? INFINITY : cost_at(c, x, np, sd, NULL, work);
    free(work);
    if (!rc)
        accept(c, x, wmax, a, &st2);
    if (st2.refined) {
        st->refined = 1;
        st->moved_mm += st2.moved_mm;
        st->turned_deg += st2.turned_deg;
    }
    return rc;
}

int fx_screwfit_refine(const fx_volume *hu, fx_audit_screw *screws, size_t n,
                       const fx_screwfit_geom *geom, double min_voxel_mm,
                       fx_screwfit_stat *stat, fx_error *err)
{
    sf_ctx c;
    fx_screwfit_stat one;
    int rc = FX_OK;
    memset(&c, 0, sizeof(c));
    c.w = (hu->spacing[0] + hu->spacing[1] + hu->spacing[2]) / 3.0;
    if (hu->type != FX_VOX_I16)
        return fx_fail(err, FX_EINVAL, "screw refinement needs a HU volume (int16)");
    if (c.w < min_voxel_mm)
        return FX_OK;
    /* the tips may move out by TIP_OUT_MM over both sweeps */
    double *tip_max = malloc((n + 1) * sizeof(double));
    if (!tip_max)
        return fx_fail(err, FX_ENOMEM, "cannot allocate %zu screw tips", n);
    for (size_t k = 0; k < n; k++)
        tip_max[k] = screws[k].length_mm + TIP_OUT_MM;
    for (int sweep = 0; sweep < 2 && !rc; sweep++)
        for (size_t k = 0; k < n && !rc; k++)
            rc = refine_one(hu, screws, n, k, geom, tip_max[k], &c, stat ? &stat[k] : &one, err);
    /* then the axes over the shafts with their own tissue, the tips kept */
    for (int sweep = 0; sweep < 2 && !rc; sweep++)
        for (size_t k = 0; k < n && !rc; k++)
            rc = refine_axis(hu, screws, n, k, geom, &c, stat ? &stat[k] : &one, err);
    free(tip_max);
    free(c.v);
    return rc;
}

/* ---- duplicates ------------------------------------------------------------ */

/* Share of a's axis (every 1 mm, entry to tip) within d_mm of b's. */
static double axis_share(const fx_audit_screw *a, const fx_audit_screw *b, double d_mm)
{
    int n = 0, m = 0;
    fx_vec3 b1 = b->tip;
    for (double t = 0; t <= a->length_mm; t += 1.0, n++)
        m += seg_dist(fx_v3_add(a->entry, fx_v3_scale(a->dir, t)), b->entry, b1) < d_mm;
    return n ? (double)m / n : 0;
}

/* Two screws found on the same metal: two shafts cannot share their space,
 * so where half of one screw's axis lies closer to another's than the sum of
 * their radii, one was found on the other's metal (small seed 7 P08: planned
 * screw 8, not placed, whose entry lay near screw 6's tip, was "found" along
 * screw 6 the other way round, its axis 92 % within 3.5 mm of 6's). The one
 * with the lower fill (mean metal coverage along its search ray) goes; the
 * other loses the flag "tip in other metal" when that metal was the dropped
 * one (its tip no longer inside any other screw, nor within 0.5 mm of it). */
size_t fx_screwfit_drop_duplicates(fx_audit_screw *s, size_t *n, fx_screwfit_geom *g)
{
    size_t dropped = 0;
    for (size_t i = 0; i < *n; i++)
        for (size_t j = 0; j < *n; j++) {
            if (i == j)
                continue;
            double d = 0.5 * (g[i].diameter_mm + g[j].diameter_mm);
            if (axis_share(&s[i], &s[j], d) < DUP_SHARE || s[i].fill > s[j].fill)
                continue;
            memmove(&s[i], &s[i + 1], (*n - i - 1) * sizeof(*s));
            memmove(&g[i], &g[i + 1], (*n - i - 1) * sizeof(*g));
            (*n)--;
            dropped++;
            i = (size_t)-1; /* start over */
            break;
        }
    for (size_t k = 0; dropped && k < *n; k++) {
        int inside = 0;
        for (size_t o = 0; o < *n; o++)
            inside |= o != k && screw_sd(&s[o], &g[o], s[k].tip) < 0.5;
        if (!inside)
            s[k].from_plan &= ~4;
    }
    return dropped;
}

/* Thickness of the plate a planned screw's head sits on; 0 for none (as the
 * audit takes it, src/audit/audit.c). */
static double plate_mm(const fx_plan *plan, const fx_plan_screw *s)
{
    const fx_plan_plate *pl = fx_plan_plate_of_screw(plan, s);
    return pl && isfinite(pl->thickness_mm) ? pl->thickness_mm : 0.0;
}

int fx_audit_screwfit(const fx_volume *hu, const fx_plan *plan, const fx_audit_opts *o,
                      fx_audit_result *r, fx_error *err)
{
    fx_screwfit_geom *g = malloc((r->nscrews + 1) * sizeof(*g));
    if (!g)
        return fx_fail(err, FX_ENOMEM, "cannot allocate %zu screw models", r->nscrews);
    for (size_t k = 0; k < r->nscrews; k++) {
        const fx_plan_screw *s = &plan->screws[r->screws[k].planned];
        g[k].diameter_mm = s->diameter_mm > 0 ? s->diameter_mm : 3.5;
        g[k].plate_mm = plate_mm(plan, s);
        g[k].head_r_mm = HEAD_R_MM;
        g[k].head_h_mm = o->head_height_mm;
    }
    fx_screwfit_drop_duplicates(r->screws, &r->nscrews, g);
    int rc = fx_screwfit_refine(hu, r->screws, r->nscrews, g, FX_SCREWFIT_MIN_VOXEL_MM, NULL, err);
    free(g);
    /* the entry's depth: the head and the plate beside it (src/audit/screwhead.c) */
    return rc ? rc : fx_audit_screwhead(hu, plan, o, r, err);
}
