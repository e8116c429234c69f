/*
 * icp.c - robust, trimmed point-to-plane ICP (Chen and Medioni 1992), with
 * the small-angle linearisation of Low (2004).
 *
 * Each iteration pairs every moving sample with the fixed surface, coarse to
 * fine: the nearest of a random eighth of the fixed vertices (first level and
 * the start-pose candidates), the nearest fixed vertex (middle levels), and
 * the closest point on the triangles around it (the finest level); the normal
 * is that vertex's or that triangle's. Then it
 *   - trims: keeps the fraction xi of pairs with the smallest distances, xi
 *     chosen to minimise e(xi) / xi^2, e the RMS of the kept distances (the
 *     FRMSD criterion of Chetverikov et al., Trimmed ICP, 2005), so partial
 *     overlap needs no user setting;
 *   - weighs the kept pairs by Tukey's biweight of the point-to-plane residual,
 *     scale 1.4826 * median |residual| (MAD), constant 4.685;
 *   - solves the 6x6 normal equations for a small rotation about the samples'
 *     centroid and a translation, and applies the exact rotation.
 * A level ends when no sample moves more than the tolerance; the moving
 * samples grow fourfold per level.
 */
#include "config.h"

#include <gsl/gsl_eigen.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "fxaudit/bvh.h"
#include "icp_int.h"

typedef struct pair {
    double d;  /* distance sample - surface point (mm) */
    double r;  /* point-to-plane residual (mm) */
    fx_vec3 y; /* transformed sample */
    fx_vec3 n; /* unit normal at the surface point */
} pair;

typedef struct state {
    const icp_fixed *f;
    const icp_moving *mv;
    pair *pr;
    fx_vec3 *y;      /* the transformed samples, contiguous, for the batch query */
    size_t *nearest; /* their nearest fixed vertex, or (size_t)-1 */
    size_t *hint;    /* the nearest fixed vertex at the last finer pairing, or (size_t)-1 */
    double *scratch; /* for quantiles */
    size_t nscratch;
    double A[36], b[6]; /* last normal equations (rotation scaled by L) */
    double dmax, sigma, score, inliers, rms;
    double radius_mm; /* pairing search radius */
    int iterations;
} state;

/* ---- pairing ------------------------------------------------------------ */

/* The closest point among the triangles around vertex j (the nearest vertex),
 * with the normal of its triangle. For a query near a mesh of well-shaped
 * triangles this is the closest point of the whole surface, at the cost of one
 * k-d query and a few triangle tests (a BVH query costs several times more);
 * it can miss only where a long thin triangle passes closer than any of the
 * triangles around the nearest vertex. */
static fx_vec3 ring_closest(const icp_fixed *f, size_t j, fx_vec3 y, fx_vec3 *n)
{
    double best = INFINITY;
    fx_vec3 q = f->m->v[j];
    *n = f->m->n[j];
    for (uint32_t k = f->ring_start[j]; k < f->ring_start[j + 1]; k++) {
        const uint32_t *t = f->m->t + 3 * (size_t)f->ring[k];
        double bary[3];
        fx_vec3 c = fx_closest_on_triangle(y, f->m->v[t[0]], f->m->v[t[1]], f->m->v[t[2]], bary);
        fx_vec3 d = fx_v3_sub(y, c);
        double d2 = fx_v3_dot(d, d);
        if (d2 < best)
            best = d2, q = c, *n = f->tn[f->ring[k]];
    }
    return q;
}

/* Pair the first n samples under T: coarse (a random eighth of the fixed
 * vertices and their normals) or exact (the closest point on the surface).
 * Only partners within s->radius_mm are sought: farther pairs would be
 * trimmed anyway, and bounded queries are much cheaper. The nearest vertices
 * are found in one batch (fx_kdtree_nearest_many_within: Z-order, runs shared
 * among threads); should its work space not be allocated, one by one. */
enum { COARSE, VERTEX, EXACT }; /* pairing modes, coarse to fine */

static void pair_up(state *s, const fx_rigid *T, size_t n, int mode)
{
    const icp_fixed *f = s->f;
    const fx_kdtree *kd = mode == COARSE ? f->coarse : f->kd;
    bool exact = mode == EXACT, full = mode != COARSE;
    double r2 = s->radius_mm * s->radius_mm;
    /* Threads pay only on big levels: for a few hundred samples the fork and
     * barrier cost more than the work (and far more on a loaded machine). */
#pragma omp parallel for schedule(static) if (n >= 4096)
    for (size_t i = 0; i < n; i++)
        s->y[i] = s->pr[i].y = fx_rigid_apply(T, s->mv->p[i]);
    /* At the finer levels last time's partner bounds each search, so the
     * tree is walked only where a nearer vertex could be (poses change little
     * from one iteration to the next). */
    if (fx_kdtree_nearest_many_within(kd, s->y, n, r2, full ? s->hint : NULL, s->nearest, NULL,
                                      NULL))
        for (size_t i = 0; i < n; i++)
            s->nearest[i] = fx_kdtree_nearest_within(kd, s->y[i], r2, NULL);
    if (full)
        memcpy(s->hint, s->nearest, n * sizeof(size_t));
#pragma omp parallel for schedule(static) if (n >= 4096)
    for (size_t i = 0; i < n; i++) {
        pair *p = &s->pr[i];
        size_t j = s->nearest[i];
        if (j == (size_t)-1) {
            p->d = INFINITY, p->r = 0, p->n = fx_v3(0, 0, 0);
            continue;
        }
        fx_vec3 q;
        if (exact)
            q = ring_closest(f, j, p->y, &p->n);
        else if (full)
            q = f->m->v[j], p->n = f->m->n[j];
        else
            j = f->coarse_id[j], q = f->m->v[j], p->n = f->m->n[j];
        fx_vec3 d = fx_v3_sub(p->y, q);
        p->d = fx_v3_norm(d);
        p->r = fx_v3_dot(d, p->n);
    }
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The k-th smallest of x[0..n-1] (Hoare's selection; x is reordered). */
static double select_kth(double *x, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = x[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (x[i] < pivot)
                i++;
            while (x[j] > pivot)
                j--;
            if (i <= j) {
                double t = x[i];
                x[i] = x[j], x[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            break;
    }
    return x[k];
}

/* Trimming: the distance threshold from the FRMSD minimum, found on an evenly
 * strided subset of at most 1024 pairs (sorting them all each time would cost
 * more than the pairing). Also sets the score (the FRMSD minimum). */
static void trim(state *s, size_t n, double min_overlap)
{
    size_t m = n < s->nscratch ? n : s->nscratch, step = n / m;
    double *d = s->scratch;
    for (size_t k = 0; k < m; k++)
        d[k] = s->pr[k * step].d;
    qsort(d, m, sizeof(*d), by_double);
    double best = INFINITY, acc = 0;
    size_t kbest = m, kmin = (size_t)ceil(min_overlap * (double)m);
    for (size_t k = 0; k < m; k++) {
        acc += d[k] * d[k];
        if (k + 1 < kmin)
            continue;
        double xi = (double)(k + 1) / (double)m, e = sqrt(acc / (double)(k + 1));
        double psi = e / (xi * xi);
        if (psi < best)
            best = psi, kbest = k + 1;
    }
    s->dmax = d[kbest - 1];
    s->score = best;
}

/* Tukey scale: 1.4826 * median |r| of the kept pairs (again on the subset). */
static void robust_scale(state *s, size_t n, double floor_mm)
{
    size_t m = 0, step = n / (n < s->nscratch ? n : s->nscratch);
    for (size_t k = 0; k < n && m < s->nscratch; k += step)
        if (s->pr[k].d <= s->dmax)
            s->scratch[m++] = fabs(s->pr[k].r);
    double med = m ? select_kth(s->scratch, m, m / 2) : 0;
    s->sigma = fmax(1.4826 * med, floor_mm);
}

static inline double tukey(double r, double c)
{
    double u = r / c;
    return fabs(u) >= 1 ? 0 : (1 - u * u) * (1 - u * u);
}

/* ---- solving -------------------------------------------------------------- */

/* Cholesky solve of the 6x6 SPD system A x = b; false when A is not SPD. */
static bool solve6(const double A[36], const double b[6], double x[6])
{
    double L[36] = {0}, y[6];
    for (int i = 0; i < 6; i++)
        for (int j = 0; j <= i; j++) {
            double sum = A[6 * i + j];
            for (int k = 0; k < j; k++)
                sum -= L[6 * i + k] * L[6 * j + k];
            if (i == j) {
                if (!(sum > 0))
                    return false;
                L[6 * i + i] = sqrt(sum);
            } else {
                L[6 * i + j] = sum / L[6 * j + j];
            }
        }
    for (int i = 0; i < 6; i++) {
        double sum = b[i];
        for (int k = 0; k < i; k++)
            sum -= L[6 * i + k] * y[k];
        y[i] = sum / L[6 * i + i];
    }
    for (int i = 5; i >= 0; i--) {
        double sum = y[i];
        for (int k = i + 1; k < 6; k++)
            sum -= L[6 * k + i] * x[k];
        x[i] = sum / L[6 * i + i];
    }
    return true;
}

/* Accumulate the weighted normal equations about centre c with rotations
 * scaled by L; returns the number of pairs with a non-zero weight. */
static size_t accumulate(state *s, size_t n, fx_vec3 c, double L)
{
    double A[36] = {0}, b[6] = {0}, sum_d2 = 0, tc = 4.685 * s->sigma;
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        const pair *p = &s->pr[i];
        if (p->d > s->dmax)
            continue;
        double w = tukey(p->r, tc);
        if (w <= 0)
            continue;
        fx_vec3 cr = fx_v3_scale(fx_v3_cross(fx_v3_sub(p->y, c), p->n), 1.0 / L);
        double a[6] = {cr.x, cr.y, cr.z, p->n.x, p->n.y, p->n.z};
        for (int r = 0; r < 6; r++) {
            for (int k = 0; k <= r; k++)
                A[6 * r + k] += w * a[r] * a[k];
            b[r] -= w * a[r] * p->r;
        }
        sum_d2 += p->d * p->d;
        used++;
    }
    for (int r = 0; r < 6; r++)
        for (int k = r + 1; k < 6; k++)
            A[6 * r + k] = A[6 * k + r];
    memcpy(s->A, A, sizeof(A));
    memcpy(s->b, b, sizeof(b));
    s->inliers = (double)used / (double)n;
    s->rms = used ? sqrt(sum_d2 / (double)used) : INFINITY;
    return used;
}

/* One step: returns the largest motion of a sample (mm), or -1 when the
 * equations cannot be solved (too few pairs). */
static double step(state *s, fx_rigid *T, size_t n, int mode, double min_overlap)
{
    pair_up(s, T, n, mode);
    trim(s, n, min_overlap);
    robust_scale(s, n, 1e-3 * s->f->spacing_mm);
    if (isfinite(s->dmax)) /* next time, search a few trimming thresholds out */
        s->radius_mm = fmax(4 * s->dmax, 2 * s->f->spacing_mm);
    fx_vec3 c = {0, 0, 0};
    for (size_t i = 0; i < n; i++)
        c = fx_v3_add(c, s->pr[i].y);
    c = fx_v3_scale(c, 1.0 / (double)n);
    double L = 0, rmax = 0;
    for (size_t i = 0; i < n; i++) {
        double r2 = fx_v3_dot(fx_v3_sub(s->pr[i].y, c), fx_v3_sub(s->pr[i].y, c));
        L += r2, rmax = fmax(rmax, r2);
    }
    L = sqrt(L / (double)n) + 1e-12, rmax = sqrt(rmax);
    double x[6];
    if (accumulate(s, n, c, L) < 6 || !solve6(s->A, s->b, x))
        return -1;
    fx_vec3 w = fx_v3(x[0] / L, x[1] / L, x[2] / L), t = fx_v3(x[3], x[4], x[5]);
    double ang = fx_v3_norm(w);
    /* y' = R (y - c) + c + t */
    fx_rigid D = fx_rigid_from_axis_angle(ang > 0 ? w : fx_v3(1, 0, 0), ang, fx_v3(0, 0, 0));
    fx_vec3 off = fx_v3_add(fx_v3_sub(c, fx_rigid_rotate(&D, c)), t);
    D.t[0] = off.x, D.t[1] = off.y, D.t[2] = off.z;
    *T = fx_rigid_compose(&D, T);
    s->iterations++;
    return ang * rmax + fx_v3_norm(t);
}

/* Iterate one level until no sample moves more than tol_mm; true then. */
static bool run_level(state *s, fx_rigid *T, size_t n, int mode, double tol_mm,
                      const fx_icp_opts *o)
{
    for (int it = 0; it < o->max_iterations; it++) {
        double moved = step(s, T, n, mode, o->min_overlap);
        if (moved < 0)
            return false;
        if (moved < tol_mm)
            return true;
    }
    return false;
}

/* Coarse levels only bring the pose near enough for the next: a looser
 * tolerance there saves iterations the finest level would undo anyway. */
static double coarse_tol(const fx_icp_opts *o) { return 10 * o->tolerance_mm; }

/* ---- the whole registration ---------------------------------------------- */

void fx_icp_opts_default(fx_icp_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->init = FX_ICP_INIT_AUTO;
    o->start = fx_rigid_identity();
    o->levels = 3;
    o->max_samples = 12000;
    o->max_iterations = 40;
    o->tolerance_mm = 2e-3;
    o->min_overlap = 0.3;
    o->seed = 1;
}

static size_t level_samples(const icp_moving *mv, const fx_icp_opts *o, int level)
{
    size_t n = mv->n < o->max_samples ? mv->n : o->max_samples;
    for (int l = level; l < o->levels - 1; l++)
        n /= 4;
    size_t lo = mv->n < 300 ? mv->n : 300;
    return n < lo ? lo : n;
}

/* Score of a pose after coarse ICP from it: the FRMSD minimum. */
static double coarse_score(state *s, fx_rigid *T, size_t n, const fx_icp_opts *o)
{
    s->radius_mm = INFINITY;
    run_level(s, T, n, COARSE, coarse_tol(o), o);
    pair_up(s, T, n, COARSE);
    trim(s, n, o->min_overlap);
    return s->score;
}

/* The best-scoring pose, and the runner-up among the poses that ended
 * somewhere else (over 5 degrees or 5 spacings away), or -1. */
static int rank(const state *s, const fx_rigid *end, const double *score, int nc, int *runner)
{
    int best = 0;
    for (int k = 1; k < nc; k++)
        if (score[k] < score[best])
            best = k;
    *runner = -1;
    for (int k = 0; k < nc; k++) {
        fx_vec3 dt = fx_v3(end[k].t[0] - end[best].t[0], end[k].t[1] - end[best].t[1],
                           end[k].t[2] - end[best].t[2]);
        bool elsewhere = fx_rigid_rotation_distance(&end[k], &end[best]) > 5 * M_PI / 180 ||
                         fx_v3_norm(dt) > 5 * s->f->spacing_mm;
        if (elsewhere && (*runner < 0 || score[k] < score[*runner]))
            *runner = k;
    }
    return best;
}

/* Coarse ICP from each start pose (a quick look: few samples, few
 * iterations); the lowest trimmed score wins. When a pose that ended
 * elsewhere scores nearly as well, both are looked at again with the coarse
 * level's full samples before the choice is made; their score ratio says how
 * ambiguous the shape is. */
static void choose_start(state *s, const fx_icp_opts *o, fx_rigid *T, double *gap)
{
    fx_rigid end[5];
    double score[5];
    int nc = 0, runner;
    if (o->init != FX_ICP_INIT_PCA)
        end[nc++] = o->start;
    if (o->init != FX_ICP_INIT_NONE)
        nc += icp_pca_candidates(s->mv->m, s->f->m, end + nc);
    if (nc == 0)
        end[nc++] = o->start;
    size_t n0 = level_samples(s->mv, o, 0), n = n0 < 300 ? n0 : 300;
    fx_icp_opts quick = *o;
    quick.max_iterations = o->max_iterations < 12 ? o->max_iterations : 12;
    for (int k = 0; k < nc; k++)
        score[k] = coarse_score(s, &end[k], n, &quick);
    int best = rank(s, end, score, nc, &runner);
    if (runner >= 0 && score[runner] < 1.5 * score[best]) {
        score[best] = coarse_score(s, &end[best], n0, o);
        score[runner] = coarse_score(s, &end[runner], n0, o);
        best = rank(s, end, score, nc, &runner);
    }
    *T = end[best];
    *gap = runner >= 0 && score[best] > 0 ? score[runner] / score[best] : INFINITY;
}

/* Smallest / largest eigenvalue of the last normal equations. */
static double condition(const double A[36])
{
    double a[36];
    memcpy(a, A, sizeof(a));
    gsl_matrix_view M = gsl_matrix_view_array(a, 6, 6);
    gsl_vector *ev = gsl_vector_alloc(6);
    gsl_eigen_symm_workspace *ws = gsl_eigen_symm_alloc(6);
    double c = 0;
    if (ev && ws && !gsl_eigen_symm(&M.matrix, ev, ws)) {
        double lo = INFINITY, hi = 0;
        for (int i = 0; i < 6; i++)
            lo = fmin(lo, gsl_vector_get(ev, i)), hi = fmax(hi, gsl_vector_get(ev, i));
        c = hi > 0 ? fmax(lo, 0) / hi : 0;
    }
    gsl_vector_free(ev);
    gsl_eigen_symm_free(ws);
    return c;
}

static void judge(fx_icp_result *r)
{
    if (!r->converged)
        r->warnings |= FX_ICP_WARN_NOT_CONVERGED;
    if (r->inlier_fraction < 0.4)
        r->warnings |= FX_ICP_WARN_LOW_INLIERS;
    if (r->rms_mm > r->spacing_mm)
        r->warnings |= FX_ICP_WARN_HIGH_RMS;
    if (r->condition < 1e-2)
        r->warnings |= FX_ICP_WARN_ILL_CONDITIONED;
    if (r->candidate_gap < 1.15)
        r->warnings |= FX_ICP_WARN_AMBIGUOUS;
}

const char *fx_icp_warning_text(unsigned bit)
{
    switch (bit) {
    case FX_ICP_WARN_NOT_CONVERGED:
        return "the iterations did not converge: the pose is still changing";
    case FX_ICP_WARN_LOW_INLIERS:
        return "fewer than 40 % of the moving points found the fixed surface: little overlap, "
               "or a wrong pose";
    case FX_ICP_WARN_HIGH_RMS:
        return "the RMS distance exceeds the fixed mesh's vertex spacing: the surfaces do not "
               "match well";
    case FX_ICP_WARN_ILL_CONDITIONED:
        return "the shape leaves some motion unconstrained (e.g. a sphere, a cylinder or a "
               "plane): the pose along it is arbitrary";
    case FX_ICP_WARN_AMBIGUOUS:
        return "a different pose fits almost as well (a nearly symmetric shape): check the "
               "result, or give landmarks";
    default:
        return "unknown warning";
    }
}

static int run(state *s, const fx_icp_opts *o, fx_icp_result *out)
{
    fx_rigid T;
    double gap;
    choose_start(s, o, &T, &gap);
    s->radius_mm = INFINITY;
    run_level(s, &T, level_samples(s->mv, o, 0), COARSE, coarse_tol(o), o);
    for (int l = 1; l + 1 < o->levels; l++)
        run_level(s, &T, level_samples(s->mv, o, l), VERTEX, coarse_tol(o), o);
    /* the finest level pairs with the exact surface, not just its vertices */
    size_t n = level_samples(s->mv, o, o->levels - 1);
    bool conv = run_level(s, &T, n, EXACT, o->tolerance_mm, o);
    /* The report comes from the last iteration's pairs: the pose has since
     * moved by less than the tolerance (a few micrometres), and another pass
     * over every sample would cost as much as an iteration. */
    *out = (fx_icp_result){T, s->rms, s->inliers, s->iterations, conv, s->f->spacing_mm,
                           condition(s->A), gap, 0, n};
    judge(out);
    return FX_OK;
}

int fx_icp_align(const fx_mesh *moving, const fx_mesh *fixed, const fx_icp_opts *opts,
                 fx_icp_result *out, fx_error *err)
{
    fx_icp_opts def;
    fx_icp_opts_default(&def);
    const fx_icp_opts *o = opts ? opts : &def;
    icp_fixed f;
    icp_moving mv;
    state s = {0};
    if (o->levels < 1 || o->max_iterations < 1 || !(o->tolerance_mm > 0) ||
        !(o->min_overlap > 0 && o->min_overlap <= 1) || o->max_samples < 3)
        return fx_fail(err, FX_EINVAL, "icp: levels, iterations, tolerance, overlap (0..1] or "
                       "sample count out of range");
#ifdef _OPENMP
    int saved = omp_get_max_threads();
    if (o->threads > 0)
        omp_set_num_threads(o->threads);
#endif
    int rc = icp_fixed_prepare(fixed, o, &f, err);
    if (rc)
        goto out_threads;
    rc = icp_moving_prepare(moving, o, &mv, err);
    if (rc)
        goto out_fixed;
    s.f = &f, s.mv = &mv;
    s.nscratch = 1024;
    s.pr = malloc(mv.n * sizeof(pair));
    s.y = malloc(mv.n * sizeof(fx_vec3));
    s.nearest = malloc(mv.n * sizeof(size_t));
    s.hint = malloc(mv.n * sizeof(size_t));
    for (size_t i = 0; s.hint && i < mv.n; i++)
        s.hint[i] = (size_t)-1;
    s.scratch = malloc(s.nscratch * sizeof(double));
    if (!s.pr || !s.y || !s.nearest || !s.hint || !s.scratch)
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate %zu ICP pairs", mv.n);
    else
        rc = run(&s, o, out);
    free(s.pr), free(s.y), free(s.nearest), free(s.hint);
    free(s.scratch);
    icp_moving_release(&mv);
out_fixed:
    icp_fixed_release(&f);
out_threads:
#ifdef _OPENMP
    omp_set_num_threads(saved);
#endif
    return rc;
}
