/*
 * screwhead.c - the depth of a found screw's head, and so of its entry, by
 * fitting an image model of the head and the plate beside it (analysis by
 * synthesis, as screwfit.c does for the shaft and the tip).
 *
 * screws.c finds the head's top where the HU profile along the axis falls
 * half-way to the soft tissue. At 2 mm voxels the plate's metal beside the
 * head (the head sits tilted in the plate: on one side the plate rises past
 * the head's top) lies within the partial-volume ramp and the interpolation
 * of the on-axis samples, and carries the profile on: the top came out
 * 0.5-2.5 mm too far out (small seed 1 P10 screw 12: 2.44 mm), and 0.25 mm
 * too far on the median screw. Here the voxels around the head are predicted
 * from a model of the screw and the plate:
 *
 *     hu_i = M c_i + (1 - c_i) (S (1 - b_i) + B b_i),
 *     c_i  = max(fx_sm_ramp(sd_screw(x_i; T)), fx_sm_ramp(sd_plate(x_i)), other_i),
 *     fx_sm_ramp(d) = clamp(1/2 - d/w, 0, 1),
 *
 * sd_screw the signed distance to the screw (a head of the plan's radius and
 * height whose top lies at T along the axis, the shaft from the head's base
 * to the tip), sd_plate to a plate of the plan's thickness and width (a
 * straight bar: locally flat; its hole, where the screw does not fill it,
 * is left to the robust loss), other_i the other screws' coverage, b_i the
 * bone side of the plate (ramp of the distance past its bone face), M, S, B
 * the metal, soft-tissue and bone levels (linear least squares), w the mean
 * voxel side: the phantom renders every surface with this ramp and no
 * point-spread function (src/phantom/voxelise.c). The plate's first
 * estimate is the weighted principal axes of the metal around the head
 * (beyond its radius + a voxel, where the head never reaches); its normal,
 * depth and sideways position are fitted (Nelder-Mead) on those voxels, then
 * T on a grid with the plate fixed, then all together; Huber's loss
 * throughout (streaks, the plate's hole where the screw does not fill it).
 * When the top moved by more than REFIT_MM the fit is repeated once about
 * the new top. The entry moves with T; the tip stays. Measured:
 * docs/audit.md, "The head's depth at the small size".
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multimin.h>

#include "screwhead.h"
#include "screwmodel.h"

#define WIN_OUT_MM 5.0 /* voxels from this far beyond the head's top found ... */
#define WIN_IN_MM 1.0  /* ... to this far past the entry */
#define WIN_R_VOX 3.0  /* ... within the head's radius + this many voxels */
#define SEARCH_MM 3.0  /* the head's top searched within +-this of the one found */
#define SEARCH_STEP_MM 0.05
#define REFIT_MM 0.25 /* a top moved further is fitted again about its new place */
#define HUBER_K 1.345
#define MIN_PLATE_VOX 2.0 /* metal beside the head (voxels' worth) to fit a plate */

typedef struct hd_vox {
    fx_vec3 x;
    double hu, other; /* measured; the other screws' coverage */
    int beside;       /* beyond the head's radius + a voxel: the head never reaches it */
} hd_vox;

typedef struct hd_ctx {
    hd_vox *v;
    size_t n, cap;
    fx_vec3 p, u;     /* the entry found and the axis */
    double top0, len; /* t of the head's top as found; the tip */
    double head_r, head_h, shaft_r, w;
    fx_vec3 n0, l0, w0;          /* plate: normal into the bone, along the bar, across */
    double m0, c0, thick, width; /* mid-plane n0.x and centre line w0.x as first seen */
    int beside_only;             /* the cost over the voxels beside the head only */
    double k;                    /* Huber's threshold, HU */
    double lev[3];               /* the levels of the last evaluation: M, S, B */
} hd_ctx;

/* Parameters: the head's top shift, the plate's tilt (2), depth, centre line. */
enum { Q_T, Q_A, Q_B, Q_M, Q_C, NQ };

/* A whole screw with its head's top at t = top (t from the entry p). */
static double screw_sd(fx_vec3 x, fx_vec3 p, fx_vec3 u, double top, double head_h, double head_r,
                       double shaft_r, double len)
{
    double base = top + head_h;
    return fmin(fx_sm_cyl_sd(x, p, u, top, base, head_r), fx_sm_cyl_sd(x, p, u, base, len, shaft_r));
}

/* The plate of parameters q: its normal, mid-plane and centre line. */
static void plate_of(const hd_ctx *c, const double *q, fx_vec3 *nrm, fx_vec3 *wd, double *m,
                     double *cl)
{
    *nrm = fx_v3_unit(
        fx_v3_add(c->n0, fx_v3_add(fx_v3_scale(c->l0, q[Q_A]), fx_v3_scale(c->w0, q[Q_B]))));
    *wd = fx_v3_unit(fx_v3_sub(c->w0, fx_v3_scale(*nrm, fx_v3_dot(c->w0, *nrm))));
    *m = c->m0 + q[Q_M];
    *cl = c->c0 + q[Q_C];
}

/* Robust cost of parameters q (levels by least squares into c->lev). */
static double cost(hd_ctx *c, const double *q, double *res)
{
    fx_vec3 nrm, wd;
    double m, cl, A[9] = {0}, y[3] = {0};
    plate_of(c, q, &nrm, &wd, &m, &cl);
    double top = c->top0 + q[Q_T];
    /* pass 1: normal equations of the levels; pass 2: residuals */
    for (int pass = 0; pass < 2; pass++) {
        double e = 0, z[3];
        if (pass == 1) {
            double det = A[0] * (A[4] * A[8] - A[5] * A[7]) - A[1] * (A[3] * A[8] - A[5] * A[6]) +
                         A[2] * (A[3] * A[7] - A[4] * A[6]);
            if (!(fabs(det) > 1e-9 * fabs(A[0] * A[4] * A[8]) + 1e-300))
                return INFINITY;
            for (int k = 0; k < 3; k++) {
                double Bm[9];
                memcpy(Bm, A, sizeof(Bm));
                for (int r = 0; r < 3; r++)
                    Bm[3 * r + k] = y[r];
                z[k] = (Bm[0] * (Bm[4] * Bm[8] - Bm[5] * Bm[7]) -
                        Bm[1] * (Bm[3] * Bm[8] - Bm[5] * Bm[6]) +
                        Bm[2] * (Bm[3] * Bm[7] - Bm[4] * Bm[6])) /
                       det;
            }
            memcpy(c->lev, z, sizeof(z));
        }
        size_t used = 0;
        for (size_t i = 0; i < c->n; i++) {
            const hd_vox *v = &c->v[i];
            if (c->beside_only && !v->beside)
                continue;
            double s = nrm.x * v->x.x + nrm.y * v->x.y + nrm.z * v->x.z - m;
            double across = fabs(fx_v3_dot(wd, v->x) - cl) - 0.5 * c->width;
            double along = fabs(s) - 0.5 * c->thick;
            double ox = fmax(along, 0), oy = fmax(across, 0);
            double sdp = sqrt(ox * ox + oy * oy) + fmin(fmax(along, across), 0.0);
            double cov = fmax(fx_sm_ramp(sdp, c->w), v->other);
            if (!v->beside)
                cov = fmax(cov, fx_sm_ramp(screw_sd(v->x, c->p, c->u, top, c->head_h, c->head_r,
                                              c->shaft_r, c->len),
                                     c->w));
            double bone = fx_sm_ramp(0.5 * c->thick - s, c->w);
            double g[3] = {cov, (1 - cov) * (1 - bone), (1 - cov) * bone};
            if (pass == 0) {
                for (int a = 0; a < 3; a++) {
                    y[a] += g[a] * v->hu;
                    for (int b = 0; b < 3; b++)
                        A[3 * a + b] += g[a] * g[b];
                }
                continue;
            }
            double r = g[0] * z[0] + g[1] * z[1] + g[2] * z[2] - v->hu, ar = fabs(r);
            if (res)
                res[used] = r;
            used++;
            e += ar <= c->k ? 0.5 * r * r : c->k * (ar - 0.5 * c->k);
        }
        if (pass == 1)
            return used ? e / (double)used : INFINITY;
    }
    return INFINITY;
}

/* ---- voxels and the plate's first estimate ------------------------------- */

/* The voxels around screw k's head, with the other screws' coverage. */
static int collect(const fx_volume *hu, const fx_audit_screw *s, size_t n, size_t k,
                   const fx_screwfit_geom *g, hd_ctx *c, fx_error *err)
{
    double R = c->head_r + WIN_R_VOX * c->w, t0 = c->top0 - WIN_OUT_MM, t1 = WIN_IN_MM;
    int lo[3] = {hu->dims[0], hu->dims[1], hu->dims[2]}, hi[3] = {-1, -1, -1};
    for (int corner = 0; corner < 16; corner++) {
        fx_vec3 x = fx_v3_add(c->p, fx_v3_scale(c->u, corner & 8 ? t1 : t0));
        x = fx_v3_add(x, fx_v3(corner & 1 ? R : -R, corner & 2 ? R : -R, corner & 4 ? R : -R));
        fx_vec3 ijk = fx_volume_world_to_index(hu, x);
        double a[3] = {ijk.x, ijk.y, ijk.z};
        for (int d = 0; d < 3; d++) {
            lo[d] = (int)fmin(lo[d], floor(a[d]));
            hi[d] = (int)fmax(hi[d], ceil(a[d]));
        }
    }
    c->n = 0;
    for (int d = 0; d < 3; d++) {
        lo[d] = lo[d] < 0 ? 0 : lo[d];
        hi[d] = hi[d] >= hu->dims[d] ? hu->dims[d] - 1 : hi[d];
    }
    for (int kk = lo[2]; kk <= hi[2]; kk++)
        for (int j = lo[1]; j <= hi[1]; j++)
            for (int i = lo[0]; i <= hi[0]; i++) {
                fx_vec3 x = fx_volume_index_to_world(hu, fx_v3(i, j, kk)), rel = fx_v3_sub(x, c->p);
                double t = fx_v3_dot(rel, c->u);
                double rho = fx_v3_norm(fx_v3_sub(rel, fx_v3_scale(c->u, t)));
                if (t < t0 || t > t1 || rho > R)
                    continue;
                if (c->n == c->cap) {
                    size_t cap = c->cap ? 2 * c->cap : 512;
                    hd_vox *nv = realloc(c->v, cap * sizeof(*nv));
                    if (!nv)
                        return fx_fail(err, FX_ENOMEM, "cannot allocate a head fit of %zu voxels",
                                       cap);
                    c->v = nv;
                    c->cap = cap;
                }
                hd_vox *v = &c->v[c->n++];
                v->x = x;
                v->hu = fx_volume_get(hu, i, j, kk);
                v->beside = rho >= c->head_r + c->w;
                v->other = 0;
                for (size_t o = 0; o < n; o++)
                    if (o != k) {
                        double top = -g[o].plate_mm - g[o].head_h_mm;
                        v->other =
                            fmax(v->other, fx_sm_ramp(screw_sd(x, s[o].entry, s[o].dir, top,
                                                         g[o].head_h_mm, g[o].head_r_mm,
                                                         0.5 * g[o].diameter_mm, s[o].length_mm),
                                                c->w));
                    }
            }
    return FX_OK;
}

/* The plate's first estimate: the principal axes of the metal beside the
 * head (coverage-weighted voxel centres; the other screws' metal left out):
 * the normal is the axis of least spread, turned into the bone; the bar's
 * direction that of most. 0 when too little metal lies there. */
static int plate_guess(hd_ctx *c, double bone_hu, double metal_hu)
{
    double W = 0, mu[3] = {0}, S[9] = {0};
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < c->n; i++) {
            const hd_vox *v = &c->v[i];
            if (!v->beside || v->other > 0.5)
                continue;
            double wt = fmin(1, fmax(0, (v->hu - bone_hu) / (metal_hu - bone_hu)));
            double x[3] = {v->x.x, v->x.y, v->x.z};
            if (pass == 0) {
                W += wt;
                for (int a = 0; a < 3; a++)
                    mu[a] += wt * x[a];
                continue;
            }
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++)
                    S[3 * a + b] += wt * (x[a] - mu[a] / W) * (x[b] - mu[b] / W);
        }
    if (W < MIN_PLATE_VOX)
        return 0;
    gsl_matrix_view Sv = gsl_matrix_view_array(S, 3, 3);
    gsl_vector *eval = gsl_vector_alloc(3);
    gsl_matrix *evec = gsl_matrix_alloc(3, 3);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(3);
    int ok = eval && evec && ws && gsl_eigen_symmv(&Sv.matrix, eval, evec, ws) == GSL_SUCCESS;
    if (ok) {
        gsl_eigen_symmv_sort(eval, evec, GSL_EIGEN_SORT_VAL_ASC);
        c->n0 = fx_v3(gsl_matrix_get(evec, 0, 0), gsl_matrix_get(evec, 1, 0),
                      gsl_matrix_get(evec, 2, 0));
        c->l0 = fx_v3(gsl_matrix_get(evec, 0, 2), gsl_matrix_get(evec, 1, 2),
                      gsl_matrix_get(evec, 2, 2));
        if (fx_v3_dot(c->n0, c->u) < 0)
            c->n0 = fx_v3_scale(c->n0, -1);
        c->w0 = fx_v3_cross(c->n0, c->l0);
        fx_vec3 m = fx_v3(mu[0] / W, mu[1] / W, mu[2] / W);
        c->m0 = fx_v3_dot(c->n0, m);
        c->c0 = fx_v3_dot(c->w0, m);
    }
    gsl_eigen_symmv_free(ws);
    gsl_matrix_free(evec);
    gsl_vector_free(eval);
    return ok;
}

/* ---- the fit --------------------------------------------------------------- */

typedef struct hd_min {
    hd_ctx *c;
    double q[NQ];
    int free_mask; /* bit i: q[i] is fitted */
} hd_min;

static double min_f(const gsl_vector *x, void *params)
{
    hd_min *m = params;
    double q[NQ];
    memcpy(q, m->q, sizeof(q));
    for (int i = 0, j = 0; i < NQ; i++)
        if (m->free_mask & (1 << i))
            q[i] = gsl_vector_get(x, (size_t)j++);
    /* the search window for the top; a plate tilted by at most ~17 degrees */
    if (fabs(q[Q_T]) > SEARCH_MM || hypot(q[Q_A], q[Q_B]) > 0.3)
        return 1e30;
    double e = cost(m->c, q, NULL);
    return isfinite(e) ? e : 1e30;
}

/* Nelder-Mead over the parameters in free_mask, from q (updated). */
static void simplex(hd_ctx *c, double *q, int free_mask)
{
    static const double step[NQ] = {0.5, 0.05, 0.05, 0.5, 0.5};
    hd_min m = {c, {0}, free_mask};
    memcpy(m.q, q, sizeof(m.q));
    size_t np = 0;
    for (int i = 0; i < NQ; i++)
        np += (free_mask >> i) & 1;
    gsl_multimin_function f = {min_f, np, &m};
    gsl_vector *x = gsl_vector_alloc(np), *ss = gsl_vector_alloc(np);
    gsl_multimin_fminimizer *s =
        gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, np);
    if (x && ss && s) {
        for (int i = 0, j = 0; i < NQ; i++)
            if (free_mask & (1 << i)) {
                gsl_vector_set(x, (size_t)j, q[i]);
                gsl_vector_set(ss, (size_t)j++, step[i]);
            }
        gsl_multimin_fminimizer_set(s, &f, x, ss);
        for (int it = 0; it < 400; it++) {
            if (gsl_multimin_fminimizer_iterate(s) != GSL_SUCCESS)
                break;
            if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(s), 1e-4) == GSL_SUCCESS)
                break;
        }
        if (gsl_multimin_fminimizer_minimum(s) < 1e30)
            for (int i = 0, j = 0; i < NQ; i++)
                if (free_mask & (1 << i))
                    q[i] = gsl_vector_get(s->x, (size_t)j++);
    }
    gsl_multimin_fminimizer_free(s);
    gsl_vector_free(ss);
    gsl_vector_free(x);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Huber's threshold from the residuals at q: 1.345 x 1.4826 x their median
 * absolute value (at least 10 HU). */
static int set_scale(hd_ctx *c, const double *q)
{
    double *r = malloc((c->n + 1) * sizeof(double));
    if (!r)
        return 0;
    c->k = INFINITY;
    c->beside_only = 0;
    cost(c, q, r);
    for (size_t i = 0; i < c->n; i++)
        r[i] = fabs(r[i]);
    qsort(r, c->n, sizeof(double), cmp_double);
    c->k = HUBER_K * fmax(1.4826 * r[c->n / 2], 10.0);
    free(r);
    return 1;
}

/* ---- one screw, all screws ------------------------------------------------ */

static void fill_ctx(hd_ctx *c, const fx_audit_screw *a, const fx_screwfit_geom *g, double width)
{
    c->p = a->entry;
    c->u = a->dir;
    c->len = a->length_mm;
    c->head_r = g->head_r_mm;
    c->head_h = g->head_h_mm;
    c->shaft_r = 0.5 * g->diameter_mm;
    c->thick = g->plate_mm;
    c->width = width;
    c->top0 = -g->plate_mm - g->head_h_mm;
}

/* One fit of screw k's head and the plate beside it, about the screw as it
 * is now: *move gets the head's top's shift along the axis, 0 when the fit
 * is not trusted (no plate seen, no lower cost, the top at the window's end,
 * metal not brighter than the soft tissue). */
static int fit_once(const fx_volume *hu, const fx_audit_screw *s, size_t n, size_t k,
                    const fx_screwfit_geom *g, double width, hd_ctx *c, fx_screwhead_stat *st,
                    double *move, fx_error *err)
{
    const fx_audit_screw *a = &s[k];
    *move = 0;
    fill_ctx(c, a, &g[k], width);
    int rc = collect(hu, s, n, k, g, c, err);
    double thr = 0.5 * (a->bone_hu + a->metal_level_hu);
    if (rc || c->n < 30 || !(a->metal_level_hu > thr) || !plate_guess(c, thr, a->metal_level_hu))
        return rc;
    st->plate_found = 1;
    st->nvox = c->n;
    double q[NQ] = {0};
    if (!set_scale(c, q))
        return fx_fail(err, FX_ENOMEM, "cannot allocate a head fit of %zu voxels", c->n);
    /* the plate alone, beside the head; then the head's top with it fixed */
    c->beside_only = 1;
    simplex(c, q, (1 << Q_A) | (1 << Q_B) | (1 << Q_M) | (1 << Q_C));
    c->beside_only = 0;
    st->cost_before = cost(c, q, NULL);
    double best = 0, be = st->cost_before;
    for (double T = -SEARCH_MM; T <= SEARCH_MM + 1e-9; T += SEARCH_STEP_MM) {
        q[Q_T] = T;
        double e = cost(c, q, NULL);
        if (e < be)
            be = e, best = T;
    }
    q[Q_T] = best;
    /* then all together */
    simplex(c, q, (1 << NQ) - 1);
    st->cost_after = cost(c, q, NULL);
    st->metal_hu = c->lev[0];
    st->soft_hu = c->lev[1];
    st->bone_hu = c->lev[2];
    st->plate_tilt_deg = atan(hypot(q[Q_A], q[Q_B])) * 180 / M_PI;
    if (st->cost_after <= st->cost_before && fabs(q[Q_T]) <= SEARCH_MM - 0.1 &&
        c->lev[0] > c->lev[1])
        *move = q[Q_T];
    return FX_OK;
}

/* Screw k's head: fitted about the top found, and once more about the new
 * top when it moved by more than REFIT_MM (the window follows the head). */
static int refine_one(const fx_volume *hu, fx_audit_screw *s, size_t n, size_t k,
                      const fx_screwfit_geom *g, double width, hd_ctx *c, fx_screwhead_stat *st,
                      fx_error *err)
{
    fx_audit_screw *a = &s[k];
    memset(st, 0, sizeof(*st));
    if ((a->from_plan & 1) || !(width > 0) || !(g[k].plate_mm > 0))
        return FX_OK;
    double total = 0, move = 0;
    for (int round = 0; round < 2; round++) {
        fx_audit_screw keep = *a;
        int rc = fit_once(hu, s, n, k, g, width, c, st, &move, err);
        if (rc)
            return rc;
        if (move == 0 || fabs(total + move) > SEARCH_MM) {
            *a = keep;
            break;
        }
        total += move;
        a->entry = fx_v3_add(a->entry, fx_v3_scale(a->dir, move));
        a->length_mm -= move;
        if (fabs(move) <= REFIT_MM)
            break;
    }
    st->refined = total != 0;
    st->moved_mm = total;
    return FX_OK;
}

int fx_screwhead_refine(const fx_volume *hu, fx_audit_screw *screws, size_t n,
                        const fx_screwfit_geom *geom, const double *plate_width_mm,
                        double min_voxel_mm, fx_screwhead_stat *stat, fx_error *err)
{
    hd_ctx c;
    fx_screwhead_stat one;
    int rc = FX_OK;
    memset(&c, 0, sizeof(c));
    c.w = (hu->spacing[0] + hu->spacing[1] + hu->spacing[2]) / 3.0;
    if (hu->type != FX_VOX_I16)
        return fx_fail(err, FX_EINVAL, "screw head fit needs a HU volume (int16)");
    if (c.w < min_voxel_mm)
        return FX_OK;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    for (size_t k = 0; k < n && !rc; k++)
        rc = refine_one(hu, screws, n, k, geom, plate_width_mm[k], &c, stat ? &stat[k] : &one, err);
    gsl_set_error_handler(old);
    free(c.v);
    return rc;
}

int fx_audit_screwhead(const fx_volume *hu, const fx_plan *plan, const fx_audit_opts *o,
                       fx_audit_result *r, fx_error *err)
{
    fx_screwfit_geom *g = malloc((r->nscrews + 1) * sizeof(*g));
    double *width = malloc((r->nscrews + 1) * sizeof(double));
    int rc = FX_OK;
    if (!g || !width) {
        free(g);
        free(width);
        return fx_fail(err, FX_ENOMEM, "cannot allocate %zu screw heads", r->nscrews);
    }
    for (size_t k = 0; k < r->nscrews; k++) {
        const fx_plan_screw *s = &plan->screws[r->screws[k].planned];
        const fx_plan_plate *pl = fx_plan_plate_of_screw(plan, s);
        g[k].diameter_mm = s->diameter_mm > 0 ? s->diameter_mm : 3.5;
        g[k].plate_mm = pl && isfinite(pl->thickness_mm) ? pl->thickness_mm : 0.0;
        g[k].head_r_mm = o->head_diameter_mm > 0 ? 0.5 * o->head_diameter_mm : 3.0;
        g[k].head_h_mm = o->head_height_mm;
        width[k] = pl && isfinite(pl->width_mm) ? pl->width_mm : 0.0;
    }
    rc = fx_screwhead_refine(hu, r->screws, r->nscrews, g, width, FX_SCREWFIT_MIN_VOXEL_MM, NULL,
                             err);
    free(g);
    free(width);
    return rc;
}
