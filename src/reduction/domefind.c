/*
 * domefind.c - the acetabular dome found from the CT alone (domefind.h).
 *
 * 1. Hip centres: a Hough transform for spheres (radius 15-30 mm) on bone
 *    edges, every vote along the edge's gradient (Kimme, Ballard & Sklansky
 *    1975): a femoral head and its socket are concentric spheres, so each hip
 *    gives the strongest peak on its side.
 * 2. The healthy hip: rays from its peak find the femoral head's surface (the
 *    fall out of bone) and past the joint space the socket's articular
 *    surface (the rise into cortex); spheres fitted to each by linear least
 *    squares, trimmed. The socket's sphere is the joint sphere.
 * 3. Symmetry plane: given (a plan's) or found: normal along the line
 *    through the two femoral heads (a protruded head moves medially, along
 *    it), offset where the bone mirrored across the plane overlaps itself
 *    most.
 * 4. The injured dome: the healthy joint sphere and cup opening mirrored;
 *    axes L = plane normal, S = the scanner's superior axis made normal to
 *    it, P = S x L.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/domefind.h"

#define R_MIN_MM 15.0
#define R_MAX_MM 30.0
#define SOFT_HU 40.0
#define EDGE_HU_PER_MM 250.0
#define NRAYS 800

static double hu(const fx_volume *ct, fx_vec3 x)
{
    return fx_volume_sample(ct, fx_volume_world_to_index(ct, x), -1000.0);
}

/* The accumulator: a grid of `cell` mm over the volume's bounding box. */
typedef struct accum {
    int n[3];
    double cell;
    fx_vec3 lo;
    float *v;
} accum;

static void vote(accum *a, fx_vec3 x)
{
    int i = (int)floor((x.x - a->lo.x) / a->cell), j = (int)floor((x.y - a->lo.y) / a->cell),
        k = (int)floor((x.z - a->lo.z) / a->cell);
    if (i >= 0 && j >= 0 && k >= 0 && i < a->n[0] && j < a->n[1] && k < a->n[2])
        a->v[i + (size_t)a->n[0] * (j + (size_t)a->n[1] * k)] += 1.0f;
}

static int hough(const fx_volume *ct, accum *a)
{
    fx_vec3 lo = fx_v3(INFINITY, INFINITY, INFINITY), hi = fx_v3(-INFINITY, -INFINITY, -INFINITY);
    for (int c = 0; c < 8; c++) {
        fx_vec3 w = fx_volume_index_to_world(
            ct, fx_v3((c & 1) ? ct->dims[0] - 1 : 0, (c & 2) ? ct->dims[1] - 1 : 0,
                      (c & 4) ? ct->dims[2] - 1 : 0));
        lo = fx_v3(fmin(lo.x, w.x), fmin(lo.y, w.y), fmin(lo.z, w.z));
        hi = fx_v3(fmax(hi.x, w.x), fmax(hi.y, w.y), fmax(hi.z, w.z));
    }
    a->cell = 2.0;
    a->lo = lo;
    a->n[0] = (int)ceil((hi.x - lo.x) / 2) + 1, a->n[1] = (int)ceil((hi.y - lo.y) / 2) + 1;
    a->n[2] = (int)ceil((hi.z - lo.z) / 2) + 1;
    a->v = calloc((size_t)a->n[0] * a->n[1] * a->n[2], sizeof(*a->v));
    if (!a->v)
        return -1;
    int st[3];
    for (int c = 0; c < 3; c++)
        st[c] = ct->spacing[c] < 1.5 ? (int)lround(2.0 / ct->spacing[c]) : 1;
    for (int k = st[2]; k < ct->dims[2] - st[2]; k += st[2])
        for (int j = st[1]; j < ct->dims[1] - st[1]; j += st[1])
            for (int i = st[0]; i < ct->dims[0] - st[0]; i += st[0]) {
                double gi = (fx_volume_get(ct, i + st[0], j, k) - fx_volume_get(ct, i - st[0], j, k)) /
                            (2 * st[0] * ct->spacing[0]);
                double gj = (fx_volume_get(ct, i, j + st[1], k) - fx_volume_get(ct, i, j - st[1], k)) /
                            (2 * st[1] * ct->spacing[1]);
                double gk = (fx_volume_get(ct, i, j, k + st[2]) - fx_volume_get(ct, i, j, k - st[2])) /
                            (2 * st[2] * ct->spacing[2]);
                double gm = sqrt(gi * gi + gj * gj + gk * gk);
                if (gm < EDGE_HU_PER_MM || fx_volume_get(ct, i, j, k) > 2500)
                    continue; /* not an edge, or metal */
                const double *D = ct->dir;
                fx_vec3 g = fx_v3_unit(fx_v3(D[0] * gi + D[1] * gj + D[2] * gk,
                                             D[3] * gi + D[4] * gj + D[5] * gk,
                                             D[6] * gi + D[7] * gj + D[8] * gk));
                fx_vec3 p = fx_volume_index_to_world(ct, fx_v3(i, j, k));
                for (double r = R_MIN_MM; r <= R_MAX_MM; r += 1.0) {
                    vote(a, fx_v3_add(p, fx_v3_scale(g, r)));
                    vote(a, fx_v3_sub(p, fx_v3_scale(g, r)));
                }
            }
    return 0;
}

/* The strongest 3x3x3-summed cell, optionally at least `apart` mm in x from
 * `away`. */
static fx_vec3 peak(const accum *a, const fx_vec3 *away, double apart)
{
    double best = -1;
    fx_vec3 at = a->lo;
    for (int k = 1; k < a->n[2] - 1; k++)
        for (int j = 1; j < a->n[1] - 1; j++)
            for (int i = 1; i < a->n[0] - 1; i++) {
                fx_vec3 x = fx_v3(a->lo.x + (i + 0.5) * a->cell, a->lo.y + (j + 0.5) * a->cell,
                                  a->lo.z + (k + 0.5) * a->cell);
                if (away && fabs(x.x - away->x) < apart)
                    continue;
                double s = 0;
                for (int c = 0; c < 27; c++)
                    s += a->v[(i + c % 3 - 1) +
                              (size_t)a->n[0] * ((j + (c / 3) % 3 - 1) + (size_t)a->n[1] * (k + c / 9 - 1))];
                if (s > best)
                    best = s, at = x;
            }
    return at;
}

/* Least-squares sphere |x|^2 = 2 c.x + k through the points marked in
 * `keep`; 4x4 normal equations by Gaussian elimination. */
static int sphere_fit(const fx_vec3 *p, const int *keep, int n, fx_vec3 *c, double *r)
{
    double A[4][5] = {{0}};
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (!keep[i])
            continue;
        double row[4] = {2 * p[i].x, 2 * p[i].y, 2 * p[i].z, 1}, b = fx_v3_dot(p[i], p[i]);
        for (int u = 0; u < 4; u++) {
            for (int v = 0; v < 4; v++)
                A[u][v] += row[u] * row[v];
            A[u][4] += row[u] * b;
        }
        m++;
    }
    if (m < 10)
        return -1;
    for (int col = 0; col < 4; col++) {
        int piv = col;
        for (int r2 = col + 1; r2 < 4; r2++)
            if (fabs(A[r2][col]) > fabs(A[piv][col]))
                piv = r2;
        if (fabs(A[piv][col]) < 1e-12)
            return -1;
        for (int v = 0; v < 5; v++) {
            double t = A[col][v];
            A[col][v] = A[piv][v], A[piv][v] = t;
        }
        for (int r2 = 0; r2 < 4; r2++)
            if (r2 != col) {
                double f = A[r2][col] / A[col][col];
                for (int v = col; v < 5; v++)
                    A[r2][v] -= f * A[col][v];
            }
    }
    *c = fx_v3(A[0][4] / A[0][0], A[1][4] / A[1][1], A[2][4] / A[2][2]);
    double k = A[3][4] / A[3][3], r2 = k + fx_v3_dot(*c, *c);
    if (!(r2 > 0))
        return -1;
    *r = sqrt(r2);
    return 0;
}

/* Fit, then drop points farther than max(1 mm, 2.5 x RMS) from the sphere,
 * three times. Returns the points kept. */
static int sphere_fit_trimmed(const fx_vec3 *p, int *keep, int n, fx_vec3 *c, double *r,
                              double *rms)
{
    int kept = 0;
    for (int it = 0; it < 4; it++) {
        if (sphere_fit(p, keep, n, c, r))
            return 0;
        double ss = 0;
        kept = 0;
        for (int i = 0; i < n; i++)
            if (keep[i]) {
                double e = fx_v3_dist(p[i], *c) - *r;
                ss += e * e, kept++;
            }
        *rms = sqrt(ss / kept);
        if (it == 3)
            break;
        double lim = fmax(1.0, 2.5 * *rms);
        for (int i = 0; i < n; i++)
            keep[i] = keep[i] && fabs(fx_v3_dist(p[i], *c) - *r) <= lim;
    }
    return kept;
}

static fx_vec3 fib_dir(int i, int n)
{
    double z = 1 - (2.0 * i + 1) / n, rr = sqrt(1 - z * z), a = i * M_PI * (3 - sqrt(5.0));
    return fx_v3(rr * cos(a), rr * sin(a), z);
}

/* One hip from its Hough peak: head and socket spheres. */
typedef struct hip {
    fx_vec3 head_c, sock_c;
    double head_r, sock_r, sock_rms;
    int head_n, sock_n;
    fx_vec3 opening; /* away from the socket's points */
} hip;

static int hip_fit(const fx_volume *ct, fx_vec3 c0, int with_socket, hip *h)
{
    fx_vec3 hp[NRAYS], sp[NRAYS], sd[NRAYS];
    int hk[NRAYS], sk[NRAYS], nh = 0, ns = 0;
    const double dt = 0.25, lo = SOFT_HU + 150;
    for (int i = 0; i < NRAYS; i++) {
        fx_vec3 u = fib_dir(i, NRAYS);
#define AT(t) hu(ct, fx_v3_add(c0, fx_v3_scale(u, (t))))
        double t = 6.0;
        if (AT(t) < lo)
            continue; /* the peak is not inside a head along this ray */
        double top = AT(t);
        while (t < 34 && AT(t) >= lo)
            top = fmax(top, AT(t)), t += dt;
        if (t >= 34)
            continue;
        double half = 0.5 * (top + SOFT_HU), th = t;
        while (th > 6 && AT(th) < half)
            th -= dt;
        hp[nh] = fx_v3_add(c0, fx_v3_scale(u, th + dt * 0.5));
        hk[nh++] = 1;
        if (!with_socket)
            continue;
        double t2 = t;
        while (t2 < t + 12 && AT(t2) < lo)
            t2 += dt;
        if (t2 >= t + 12)
            continue;
        double pk = -INFINITY;
        for (double v = t2; v <= t2 + 4; v += dt)
            pk = fmax(pk, AT(v));
        if (pk < 700)
            continue; /* a fracture face or soft tissue: not articular cortex */
        double hf = 0.5 * (pk + SOFT_HU), ts = t;
        while (ts < t2 + 4 && AT(ts) < hf)
            ts += dt;
#undef AT
        sp[ns] = fx_v3_add(c0, fx_v3_scale(u, ts - dt * 0.5));
        sd[ns] = u;
        sk[ns++] = 1;
    }
    memset(h, 0, sizeof(*h));
    double rms;
    h->head_n = sphere_fit_trimmed(hp, hk, nh, &h->head_c, &h->head_r, &rms);
    if (h->head_n < 20)
        return -1;
    if (!with_socket)
        return 0;
    h->sock_n = sphere_fit_trimmed(sp, sk, ns, &h->sock_c, &h->sock_r, &h->sock_rms);
    if (h->sock_n < 20)
        return -1;
    fx_vec3 m = fx_v3(0, 0, 0);
    for (int i = 0; i < ns; i++)
        if (sk[i])
            m = fx_v3_add(m, sd[i]);
    h->opening = fx_v3_scale(fx_v3_unit(m), -1);
    return 0;
}

/* The offset d of the plane n.x = d (n fixed) where bone mirrored across it
 * lands on bone most often: 0.5 mm steps within 12 mm of d0, then a
 * parabola through the best three. */
static double mirror_offset(const fx_volume *ct, fx_vec3 n, double d0)
{
    enum { NS = 49 };
    double score[NS] = {0};
    int st[3];
    for (int c = 0; c < 3; c++)
        st[c] = ct->spacing[c] < 1.5 ? (int)lround(2.0 / ct->spacing[c]) : 1;
    for (int k = 0; k < ct->dims[2]; k += st[2])
        for (int j = 0; j < ct->dims[1]; j += st[1])
            for (int i = 0; i < ct->dims[0]; i += st[0]) {
                double v = fx_volume_get(ct, i, j, k);
                if (v < 250 || v > 2500)
                    continue;
                fx_vec3 x = fx_volume_index_to_world(ct, fx_v3(i, j, k));
                for (int s = 0; s < NS; s++) {
                    double d = d0 + 0.5 * (s - NS / 2);
                    fx_vec3 y = fx_v3_sub(x, fx_v3_scale(n, 2 * (fx_v3_dot(n, x) - d)));
                    double w = hu(ct, y);
                    score[s] += w >= 250 && w <= 2500;
                }
            }
    int b = 0;
    for (int s = 1; s < NS; s++)
        if (score[s] > score[b])
            b = s;
    double off = 0;
    if (b > 0 && b < NS - 1) {
        double den = score[b - 1] - 2 * score[b] + score[b + 1];
        if (den < 0)
            off = 0.5 * (score[b - 1] - score[b + 1]) / den;
    }
    return d0 + 0.5 * (b + off - NS / 2);
}

static fx_vec3 reflect_dir(fx_vec3 v, fx_vec3 n)
{
    return fx_v3_sub(v, fx_v3_scale(n, 2 * fx_v3_dot(v, n)));
}

int fx_dome_find(const fx_volume *ct, int injured_left, const fx_plane *plane,
                 fx_domefind_result *out, fx_error *err)
{
    int rc = fx_volume_check_geometry(ct, err);
    if (rc)
        return rc;
    memset(out, 0, sizeof(*out));
    accum a = {{0}, 0, {0, 0, 0}, NULL};
    if (hough(ct, &a)) {
        free(a.v);
        return fx_fail(err, FX_ENOMEM, "dome search: out of memory");
    }
    fx_vec3 p1 = peak(&a, NULL, 0), p2 = peak(&a, &p1, 100.0);
    free(a.v);
    fx_vec3 left = p1.x > p2.x ? p1 : p2, right = p1.x > p2.x ? p2 : p1;
    fx_vec3 healthy0 = injured_left ? right : left, injured0 = injured_left ? left : right;
    hip hh, hi;
    if (hip_fit(ct, healthy0, 1, &hh) || hip_fit(ct, hh.sock_c, 1, &hh))
        return fx_fail(err, FX_EINVAL,
                       "dome search: no healthy hip joint (femoral head in its socket) found on "
                       "the %s side",
                       injured_left ? "right" : "left");
    if (plane) {
        out->plane = *plane;
        out->plane_given = 1;
    } else {
        if (hip_fit(ct, injured0, 0, &hi))
            return fx_fail(err, FX_EINVAL, "dome search: no femoral head found on the injured side");
        fx_vec3 n = fx_v3_unit(fx_v3_sub(injured_left ? hi.head_c : hh.head_c,
                                         injured_left ? hh.head_c : hi.head_c));
        double d0 = 0.5 * fx_v3_dot(n, fx_v3_add(hi.head_c, hh.head_c));
        out->plane.n = n;
        out->plane.d_mm = mirror_offset(ct, n, d0);
    }
    fx_vec3 n = out->plane.n;
    if (n.x < 0) {
        n = fx_v3_scale(n, -1);
        out->plane.n = n, out->plane.d_mm = -out->plane.d_mm;
    }
    out->healthy_centre_mm = hh.sock_c;
    out->healthy_radius_mm = hh.sock_r;
    out->head_radius_mm = hh.head_r;
    out->socket_rms_mm = hh.sock_rms;
    out->socket_points = hh.sock_n, out->head_points = hh.head_n;
    fx_dome *d = &out->dome;
    d->centre_mm = fx_plane_reflect(out->plane, hh.sock_c);
    d->radius_mm = hh.sock_r;
    d->head_radius_mm = hh.head_r;
    d->height_mm = 10.0;
    d->axis[0] = n;
    fx_vec3 z = fx_v3(0, 0, 1); /* LPS superior */
    d->axis[2] = fx_v3_unit(fx_v3_sub(z, fx_v3_scale(n, fx_v3_dot(z, n))));
    d->axis[1] = fx_v3_cross(d->axis[2], d->axis[0]);
    d->opening = reflect_dir(hh.opening, n);
    return 0;
}
