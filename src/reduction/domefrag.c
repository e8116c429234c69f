/*
 * domefrag.c - gap and step-off at the dome from the fragments' spheres
 * (domefrag.h; method and accuracy in docs/reduction-estimate.md).
 *
 * Pre-op fragments are displaced by 10-30 mm: a ray from the intact joint
 * centre no longer meets a displaced fragment's articular surface, and the
 * cleft in the cap is no band whose axis is the line. But each fragment
 * keeps its piece of the joint sphere: a Hough transform for concave
 * spheres of the joint radius (each bone edge votes R against its gradient)
 * peaks at every fragment's copy of the joint centre. For a translated pair
 * the offset d = D_a(x) - D_b(x) is the same at every point of their line,
 * c_a - c_b. The line is where the two fragments' articular edges met once
 * moved back by their own sphere's displacement: the plane through those
 * meeting points is the cut. Its circle on the joint sphere inside the dome
 * is sampled as the phantom's truth is (docs/phantom.md), and the per-plane
 * values follow from d by the same formulas. A fragment's rotation about its
 * own sphere centre is not seen (0.4 mm per degree along the surface, and it
 * tilts the surface normal the truth measures the step along).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "domefrag.h"

#define MIN_EDGE_POINTS 6  /* per side of a pair's line */
#define MIN_BACK_POINTS 60 /* a fragment's articular edges near the dome (real: 100-600) */
#define CIRCLE_SAMPLES 1440
#define EDGE_HU_PER_MM 250.0
#define REACH_MM 40.0     /* fragment centres searched this far from the joint centre */
#define PEAK_APART_MM 6.0 /* two fragments closer than this are one sphere */
#define MAX_FRAGS 4
#define BAND_MM 5.0       /* the meeting points looked for this near the cut */
#define CONTACT_MM 4.0    /* moved back, fragments meet where their edges are this close */

/* docs/phantom.md's per-plane values from the 3-D offset dv at a line point
 * with surface normal n, across-line direction u and tangent l. */
void dfrag_plane_values(const fx_vec3 axis[3], fx_vec3 dv, fx_vec3 n, fx_vec3 u, fx_vec3 l,
                        double gap_out[3], double step_out[3])
{
    const fx_vec3 axes[3] = {axis[2], axis[1], axis[0]};
    for (int k = 0; k < 3; k++) {
        fx_vec3 e = axes[k];
        gap_out[k] = step_out[k] = NAN;
        if (fabs(fx_v3_dot(l, e)) < 0.5)
            continue; /* the line runs within 30 degrees of this plane */
        double sstar = -fx_v3_dot(dv, e) / fx_v3_dot(l, e);
        fx_vec3 dp = fx_v3_add(dv, fx_v3_scale(l, sstar));
        fx_vec3 ne = fx_v3_unit(fx_v3_sub(n, fx_v3_scale(e, fx_v3_dot(n, e))));
        fx_vec3 te = fx_v3_unit(fx_v3_cross(e, ne));
        if (fx_v3_dot(te, u) < 0)
            te = fx_v3_scale(te, -1);
        gap_out[k] = fmax(0, fx_v3_dot(dp, te));
        step_out[k] = fabs(fx_v3_dot(dp, ne));
    }
}

static int solve3(const double a[9], const double b[3], double x[3])
{
    double det = a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6]) +
                 a[2] * (a[3] * a[7] - a[4] * a[6]);
    if (!(fabs(det) > 1e-12))
        return -1;
    for (int c = 0; c < 3; c++) {
        double t[9];
        memcpy(t, a, sizeof(t));
        for (int r = 0; r < 3; r++)
            t[3 * r + c] = b[r];
        x[c] = (t[0] * (t[4] * t[8] - t[5] * t[7]) - t[1] * (t[3] * t[8] - t[5] * t[6]) +
                t[2] * (t[3] * t[7] - t[4] * t[6])) /
               det;
    }
    return 0;
}

/* A sphere of radius R through edge points p weighted w (Gauss-Newton on
 * the centre, trimmed twice at max(1 mm, 2.5 RMS)); c holds the start. */
static int fit_fixed_sphere(const fx_vec3 *p, const double *wt, size_t n, double R, fx_vec3 *c)
{
    unsigned char *use = malloc(n);
    if (!use)
        return -1;
    memset(use, 1, n);
    for (int pass = 0; pass < 3; pass++) {
        for (int it = 0; it < 30; it++) {
            double a[9] = {0}, b[3] = {0}, x[3];
            for (size_t i = 0; i < n; i++) {
                if (!use[i])
                    continue;
                fx_vec3 v = fx_v3_sub(p[i], *c);
                double r = fx_v3_norm(v);
                if (!(r > 1e-9))
                    continue;
                double j[3] = {-v.x / r, -v.y / r, -v.z / r}, res = r - R;
                for (int u = 0; u < 3; u++) {
                    b[u] -= wt[i] * j[u] * res;
                    for (int w = 0; w < 3; w++)
                        a[3 * u + w] += wt[i] * j[u] * j[w];
                }
            }
            double lm = 1e-6 * (a[0] + a[4] + a[8]);
            a[0] += lm, a[4] += lm, a[8] += lm;
            if (solve3(a, b, x))
                break;
            *c = fx_v3_add(*c, fx_v3(x[0], x[1], x[2]));
            if (fabs(x[0]) + fabs(x[1]) + fabs(x[2]) < 1e-6)
                break;
        }
        double ss = 0;
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (use[i]) {
                double r = fx_v3_dist(p[i], *c) - R;
                ss += r * r, k++;
            }
        double lim = fmax(1.0, 2.5 * sqrt(ss / (k ? k : 1)));
        for (size_t i = 0; i < n; i++)
            use[i] = fabs(fx_v3_dist(p[i], *c) - R) <= lim;
    }
    free(use);
    return 0;
}

/* The unit normal of the plane through points (the covariance's least
 * eigenvector, by power iteration on trace - C). */
static int plane_normal(const fx_vec3 *p, size_t n, fx_vec3 *mean, fx_vec3 *normal)
{
    fx_vec3 mu = fx_v3(0, 0, 0);
    for (size_t i = 0; i < n; i++)
        mu = fx_v3_add(mu, p[i]);
    mu = fx_v3_scale(mu, 1.0 / n);
    double c[9] = {0};
    for (size_t i = 0; i < n; i++) {
        fx_vec3 v = fx_v3_sub(p[i], mu);
        double a[3] = {v.x, v.y, v.z};
        for (int u = 0; u < 3; u++)
            for (int w = 0; w < 3; w++)
                c[3 * u + w] += a[u] * a[w];
    }
    double tr = c[0] + c[4] + c[8], v[3] = {0.3, 0.5, 0.8};
    for (int it = 0; it < 200; it++) {
        double y[3];
        for (int a = 0; a < 3; a++)
            y[a] = tr * v[a] - (c[3 * a] * v[0] + c[3 * a + 1] * v[1] + c[3 * a + 2] * v[2]);
        double nn = sqrt(y[0] * y[0] + y[1] * y[1] + y[2] * y[2]);
        if (!(nn > 0))
            return -1;
        for (int a = 0; a < 3; a++)
            v[a] = y[a] / nn;
    }
    *mean = mu;
    *normal = fx_v3(v[0], v[1], v[2]);
    return 0;
}

/* One fragment: its joint sphere's centre, and its articular edge points
 * in the dome moved back by centre - joint centre. */
typedef struct frag {
    fx_vec3 centre, mean; /* mean: of the moved-back points */
    fx_vec3 *back;
    size_t nback;
} frag;

static int cut_plane(const frag *a, const frag *b, fx_vec3 *mid, fx_vec3 *mu, fx_vec3 *m);

/* The cut between fragments a and b: a plane through the points where
 * they met (moved back); a fracture line only when both have
 * MIN_BACK_POINTS and the plane parts them, at least 80 % of each one's
 * moved-back edges on its own side (a second peak of one fragment's sphere
 * overlaps it instead). Then, with `e`, its circle on the joint sphere
 * inside the dome sampled, per plane the largest value over the samples.
 * Returns 1 for a line, 0 otherwise. */
static int pair_values(const fx_dome *d, const frag *a, const frag *b, fx_vec3 *mid,
                       fx_dome_estimate *e)
{
    fx_vec3 mu, mvec, C = d->centre_mm;
    if (cut_plane(a, b, mid, &mu, &mvec))
        return 0; /* a on the + side, as docs/phantom.md */
    size_t ina = 0, inb = 0;
    for (size_t i = 0; i < a->nback; i++)
        ina += fx_v3_dot(fx_v3_sub(a->back[i], mu), mvec) > 0;
    for (size_t i = 0; i < b->nback; i++)
        inb += fx_v3_dot(fx_v3_sub(b->back[i], mu), mvec) < 0;
    double R = d->radius_mm, h = fx_v3_dot(fx_v3_sub(mu, C), mvec);
    if (a->nback < MIN_BACK_POINTS || b->nback < MIN_BACK_POINTS || fabs(h) >= R ||
        ina < 0.8 * a->nback || inb < 0.8 * b->nback)
        return 0;
    if (!e)
        return 1;
    fx_vec3 q = fx_v3_add(C, fx_v3_scale(mvec, h)), dv = fx_v3_sub(a->centre, b->centre);
    fx_vec3 e1 = fx_v3_unit(fx_v3_cross(mvec, fabs(mvec.x) < 0.9 ? fx_v3(1, 0, 0)
                                                                   : fx_v3(0, 1, 0)));
    fx_vec3 e2 = fx_v3_cross(mvec, e1);
    double rho = sqrt(R * R - h * h);
    for (int k = 0; k < CIRCLE_SAMPLES; k++) {
        double t = 2 * M_PI * k / CIRCLE_SAMPLES;
        fx_vec3 x = fx_v3_add(q, fx_v3_add(fx_v3_scale(e1, rho * cos(t)),
                                            fx_v3_scale(e2, rho * sin(t))));
        fx_vec3 n = fx_v3_scale(fx_v3_sub(x, C), 1.0 / R);
        if (fx_v3_dot(n, d->axis[2]) * R < R - d->height_mm ||
            fx_v3_dot(fx_v3_sub(x, C), d->opening) > 0)
            continue; /* outside the dome */
        fx_vec3 l = fx_v3_unit(fx_v3_cross(n, mvec)), u = fx_v3_unit(fx_v3_cross(n, l));
        if (fx_v3_dot(u, mvec) < 0)
            u = fx_v3_scale(u, -1);
        double gap[3], step[3];
        dfrag_plane_values(d->axis, dfrag_offset(u, n, fx_v3_dot(dv, u), fx_v3_dot(dv, n)), n, u, l,
                           gap, step);
        for (int p = 0; p < 3; p++) {
            if (isnan(gap[p])) {
                e->lines_hidden[p]++;
                continue;
            }
            e->lines_seen[p]++;
            e->gap_mm[p] = isnan(e->gap_mm[p]) ? gap[p] : fmax(e->gap_mm[p], gap[p]);
            e->step_mm[p] = isnan(e->step_mm[p]) ? step[p] : fmax(e->step_mm[p], step[p]);
        }
    }
    return 1;
}


/* A bone edge voxel: where (world, mm), unit gradient (into bone), weight
 * (gradient magnitude, HU/mm). */
typedef struct edgept {
    fx_vec3 p, g;
    double w;
} edgept;

/* The bone edges within R + REACH_MM of the joint centre. */
static int edge_points(const fx_volume *ct, const fx_dome *d, edgept **out, size_t *n)
{
    double reach = d->radius_mm + REACH_MM;
    int lo[3] = {ct->dims[0], ct->dims[1], ct->dims[2]}, hi[3] = {0, 0, 0};
    for (int c = 0; c < 8; c++) {
        fx_vec3 w = fx_v3_add(d->centre_mm, fx_v3((c & 1) ? reach : -reach,
                                                  (c & 2) ? reach : -reach,
                                                  (c & 4) ? reach : -reach));
        fx_vec3 x = fx_volume_world_to_index(ct, w);
        double v[3] = {x.x, x.y, x.z};
        for (int a = 0; a < 3; a++) {
            lo[a] = (int)fmin(lo[a], floor(v[a])), hi[a] = (int)fmax(hi[a], ceil(v[a]));
            lo[a] = lo[a] < 1 ? 1 : lo[a];
            hi[a] = hi[a] > ct->dims[a] - 2 ? ct->dims[a] - 2 : hi[a];
        }
    }
    size_t cap = 4096, k = 0;
    edgept *e = malloc(cap * sizeof(*e));
    if (!e)
        return -1;
    const double *D = ct->dir, *sp = ct->spacing;
    for (int z = lo[2]; z <= hi[2]; z++)
        for (int y = lo[1]; y <= hi[1]; y++)
            for (int x = lo[0]; x <= hi[0]; x++) {
                double gi = (fx_volume_get(ct, x + 1, y, z) - fx_volume_get(ct, x - 1, y, z)) /
                            (2 * sp[0]);
                double gj = (fx_volume_get(ct, x, y + 1, z) - fx_volume_get(ct, x, y - 1, z)) /
                            (2 * sp[1]);
                double gk = (fx_volume_get(ct, x, y, z + 1) - fx_volume_get(ct, x, y, z - 1)) /
                            (2 * sp[2]);
                double gm = sqrt(gi * gi + gj * gj + gk * gk);
                if (gm < EDGE_HU_PER_MM || fx_volume_get(ct, x, y, z) > 2500)
                    continue; /* not an edge, or metal */
                fx_vec3 p = fx_volume_index_to_world(ct, fx_v3(x, y, z));
                if (fx_v3_dist(p, d->centre_mm) > reach)
                    continue;
                if (k == cap) {
                    edgept *t = realloc(e, 2 * cap * sizeof(*e));
                    if (!t) {
                        free(e);
                        return -1;
                    }
                    e = t, cap *= 2;
                }
                e[k].p = p, e[k].w = gm;
                e[k++].g = fx_v3_unit(fx_v3(D[0] * gi + D[1] * gj + D[2] * gk,
                                            D[3] * gi + D[4] * gj + D[5] * gk,
                                            D[6] * gi + D[7] * gj + D[8] * gk));
            }
    *out = e, *n = k;
    return 0;
}

/* Hough transform for concave spheres of radius R (bone outside, the
 * socket's articular surface): each edge votes once, R against its
 * gradient; 1 mm cells within REACH_MM of the joint centre. The peaks (3x3x3
 * sums, at least PEAK_APART_MM apart, at least a quarter of the best) are
 * the fragments' centres. */
static int hough_peaks(const fx_dome *d, const edgept *e, size_t n, fx_vec3 *pk, int *npk)
{
    int N = 2 * (int)REACH_MM;
    fx_vec3 lo = fx_v3_sub(d->centre_mm, fx_v3(REACH_MM, REACH_MM, REACH_MM));
    float *acc = calloc((size_t)N * N * N, sizeof(*acc));
    if (!acc)
        return -1;
    for (size_t i = 0; i < n; i++) {
        fx_vec3 v = fx_v3_sub(fx_v3_sub(e[i].p, fx_v3_scale(e[i].g, d->radius_mm)), lo);
        int a = (int)floor(v.x), b = (int)floor(v.y), c = (int)floor(v.z);
        if (a >= 0 && b >= 0 && c >= 0 && a < N && b < N && c < N)
            acc[a + (size_t)N * (b + (size_t)N * c)] += 1.0f;
    }
    double first = 0;
    *npk = 0;
    while (*npk < MAX_FRAGS) {
        double best = 0;
        fx_vec3 at = lo;
        for (int c = 1; c < N - 1; c++)
            for (int b = 1; b < N - 1; b++)
                for (int a = 1; a < N - 1; a++) {
                    fx_vec3 x = fx_v3(lo.x + a + 0.5, lo.y + b + 0.5, lo.z + c + 0.5);
                    int near = 0;
                    for (int q = 0; q < *npk; q++)
                        near |= fx_v3_dist(x, pk[q]) < PEAK_APART_MM;
                    if (near || acc[a + (size_t)N * (b + (size_t)N * c)] == 0)
                        continue;
                    double s = 0;
                    for (int t = 0; t < 27; t++)
                        s += acc[(a + t % 3 - 1) +
                                 (size_t)N * ((b + (t / 3) % 3 - 1) + (size_t)N * (c + t / 9 - 1))];
                    if (s > best)
                        best = s, at = x;
                }
        if (*npk == 0)
            first = best;
        if (!(best > 0) || best < 0.25 * first)
            break;
        pk[(*npk)++] = at;
    }
    free(acc);
    return 0;
}

/* |residual| of an edge on the concave sphere (c, R): within 1.5 mm of it,
 * the gradient within 30 degrees of the outward radius; -1 when not on it. */
static double on_sphere(const edgept *e, fx_vec3 c, double R)
{
    fx_vec3 r = fx_v3_sub(e->p, c);
    double res = fabs(fx_v3_norm(r) - R);
    return res <= 1.5 && fx_v3_dot(e->g, fx_v3_unit(r)) >= cos(M_PI / 6) ? res : -1;
}

/* The fragment about Hough peak c0: its articular edges (voting within
 * 2.5 mm of c0, then on its sphere: on_sphere), the sphere refitted. */
static int frag_fit(const fx_dome *d, const edgept *e, size_t n, fx_vec3 c0, frag *f)
{
    fx_vec3 *p = malloc((n + 1) * sizeof(*p));
    double *w = malloc((n + 1) * sizeof(*w));
    f->nback = 0, f->centre = c0;
    if (!p || !w) {
        free(p), free(w);
        return -1;
    }
    double R = d->radius_mm;
    for (int round = 0; round < 2; round++) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            int on = round == 0
                         ? fx_v3_dist(fx_v3_sub(e[i].p, fx_v3_scale(e[i].g, R)), c0) <= 2.5
                         : on_sphere(&e[i], f->centre, R) >= 0;
            if (on)
                p[k] = e[i].p, w[k++] = e[i].w;
        }
        if (k < 3 * MIN_EDGE_POINTS || fit_fixed_sphere(p, w, k, R, &f->centre))
            break;
    }
    free(p), free(w);
    return 0;
}

/* Each articular edge to the fragment on whose sphere it lies closest,
 * moved back by that sphere's displacement; kept in or near the dome. */
static int frag_back(const fx_dome *d, const edgept *e, size_t n, frag *fr, int nf)
{
    double R = d->radius_mm;
    for (int a = 0; a < nf; a++) {
        fr[a].back = malloc((n + 1) * sizeof(*fr[a].back));
        fr[a].nback = 0, fr[a].mean = fx_v3(0, 0, 0);
        if (!fr[a].back)
            return -1;
    }
    for (size_t i = 0; i < n; i++) {
        int best = -1;
        double bres = INFINITY;
        for (int a = 0; a < nf; a++) {
            double r = on_sphere(&e[i], fr[a].centre, R);
            if (r >= 0 && r < bres)
                bres = r, best = a;
        }
        if (best < 0)
            continue;
        frag *f = &fr[best];
        fx_vec3 q = fx_v3_sub(e[i].p, fx_v3_sub(f->centre, d->centre_mm));
        fx_vec3 rq = fx_v3_sub(q, d->centre_mm);
        if (fx_v3_dot(rq, d->axis[2]) < R - d->height_mm - 6 || fx_v3_dot(rq, d->opening) > 0)
            continue;
        f->back[f->nback++] = q;
        f->mean = fx_v3_add(f->mean, q);
    }
    for (int a = 0; a < nf; a++)
        fr[a].mean = fr[a].nback ? fx_v3_scale(fr[a].mean, 1.0 / fr[a].nback) : d->centre_mm;
    return 0;
}

/* Where two fragments met: midpoints between each moved-back edge point
 * within BAND_MM of the plane (mu, m) and the other fragment's nearest one
 * there, when closer than CONTACT_MM. *na: how many from a's side. */
static size_t contact(const frag *a, const frag *b, fx_vec3 mu, fx_vec3 m, fx_vec3 *mid,
                      size_t *na)
{
    size_t k = 0;
    *na = 0;
    for (int side = 0; side < 2; side++) {
        const frag *s = side ? b : a, *o = side ? a : b;
        for (size_t i = 0; i < s->nback; i++) {
            if (fabs(fx_v3_dot(fx_v3_sub(s->back[i], mu), m)) > BAND_MM)
                continue;
            double best = INFINITY;
            size_t bj = 0;
            for (size_t j = 0; j < o->nback; j++) {
                if (fabs(fx_v3_dot(fx_v3_sub(o->back[j], mu), m)) > BAND_MM)
                    continue;
                double t = fx_v3_dist(s->back[i], o->back[j]);
                if (t < best)
                    best = t, bj = j;
            }
            if (best <= CONTACT_MM)
                mid[k++] = fx_v3_scale(fx_v3_add(s->back[i], o->back[bj]), 0.5);
        }
        if (side == 0)
            *na = k;
    }
    return k;
}

/* The plane parting a from b: first by linear discriminant (pooled
 * covariance), then three times through the midpoints where they met near
 * it. Normal towards a. */
static int cut_plane(const frag *a, const frag *b, fx_vec3 *mid, fx_vec3 *mu, fx_vec3 *m)
{
    double S[9] = {0}, x[3];
    const frag *fs[2] = {a, b};
    for (int f = 0; f < 2; f++)
        for (size_t i = 0; i < fs[f]->nback; i++) {
            fx_vec3 v = fx_v3_sub(fs[f]->back[i], fs[f]->mean);
            double q[3] = {v.x, v.y, v.z};
            for (int u = 0; u < 3; u++)
                for (int w = 0; w < 3; w++)
                    S[3 * u + w] += q[u] * q[w];
        }
    fx_vec3 dm = fx_v3_sub(a->mean, b->mean);
    double rhs[3] = {dm.x, dm.y, dm.z};
    if (solve3(S, rhs, x))
        return -1;
    *m = fx_v3_unit(fx_v3(x[0], x[1], x[2]));
    *mu = fx_v3_scale(fx_v3_add(a->mean, b->mean), 0.5);
    for (int it = 0; it < 3; it++) {
        size_t na, k = contact(a, b, *mu, *m, mid, &na);
        if (na < MIN_EDGE_POINTS || k - na < MIN_EDGE_POINTS || plane_normal(mid, k, mu, m))
            return -1;
        if (fx_v3_dot(fx_v3_sub(a->mean, *mu), *m) < 0)
            *m = fx_v3_scale(*m, -1);
    }
    return 0;
}

int dfrag_estimate(const fx_volume *ct, const fx_dome *d, double min_offset_mm,
                   fx_dome_estimate *e)
{
    edgept *ep = NULL;
    size_t n = 0;
    fx_vec3 pk[MAX_FRAGS], *mid = NULL;
    frag fr[MAX_FRAGS];
    int npk = 0, nf = 0, rc = 0;
    memset(fr, 0, sizeof(fr));
    if (edge_points(ct, d, &ep, &n) || hough_peaks(d, ep, n, pk, &npk)) {
        rc = -1;
        goto out;
    }
    for (nf = 0; nf < npk; nf++)
        if (frag_fit(d, ep, n, pk[nf], &fr[nf])) {
            rc = -1, nf++;
            goto out;
        }
    if (frag_back(d, ep, n, fr, nf)) {
        rc = -1;
        goto out;
    }
    size_t most = 0;
    for (int a = 0; a < nf; a++)
        most += fr[a].nback;
    mid = malloc((most + 1) * sizeof(*mid));
    if (!mid) {
        rc = -1;
        goto out;
    }
    double widest = 0;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            if (widest < min_offset_mm)
                break;
            for (int k = 0; k < 3; k++)
                e->gap_mm[k] = e->step_mm[k] = NAN, e->lines_seen[k] = e->lines_hidden[k] = 0;
            rc = 1;
        }
        for (int a = 0; a < nf; a++)
            for (int b = a + 1; b < nf; b++) {
                if (pass == 0 && pair_values(d, &fr[a], &fr[b], mid, NULL))
                    widest = fmax(widest, fx_v3_dist(fr[a].centre, fr[b].centre));
                else if (pass == 1)
                    pair_values(d, &fr[a], &fr[b], mid, e);
            }
    }
out:
    for (int a = 0; a < nf; a++)
        free(fr[a].back);
    free(ep), free(mid);
    return rc;
}
