/*
 * bvh.c - a bounding-volume hierarchy of axis-aligned boxes over triangles.
 *
 * Build: triangles are split at the median centroid on the widest axis until
 * a leaf holds at most LEAF of them; nodes are stored in pre-order (left child
 * of node i is i + 1). Closest point: depth-first, nearer box first, skipping
 * every box farther than the best distance found so far; the point on each
 * triangle comes from the Voronoi-region test of Ericson (Real-Time Collision
 * Detection, 2005, 5.1.5). Rays: slab test on boxes, Moller-Trumbore (1997) on
 * triangles, every hit kept and sorted.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/bvh.h"

#define LEAF 4

typedef struct bnode {
    double lo[3], hi[3];
    uint32_t right; /* internal: right child; leaf: first triangle */
    uint32_t count; /* 0 for an internal node */
} bnode;

struct fx_bvh {
    size_t nt, nnodes;
    double *corner;  /* 9 per (reordered) triangle */
    uint32_t *id;    /* original triangle index */
    bnode *nodes;
    double *cen;     /* build only: 3 per triangle */
};

fx_vec3 fx_closest_on_triangle(fx_vec3 p, fx_vec3 a, fx_vec3 b, fx_vec3 c, double bary[3])
{
    fx_vec3 ab = fx_v3_sub(b, a), ac = fx_v3_sub(c, a), ap = fx_v3_sub(p, a);
    double d1 = fx_v3_dot(ab, ap), d2 = fx_v3_dot(ac, ap);
    if (d1 <= 0 && d2 <= 0)
        return bary[0] = 1, bary[1] = bary[2] = 0, a;
    fx_vec3 bp = fx_v3_sub(p, b);
    double d3 = fx_v3_dot(ab, bp), d4 = fx_v3_dot(ac, bp);
    if (d3 >= 0 && d4 <= d3)
        return bary[1] = 1, bary[0] = bary[2] = 0, b;
    double vc = d1 * d4 - d3 * d2;
    if (vc <= 0 && d1 >= 0 && d3 <= 0) {
        double v = d1 / (d1 - d3);
        bary[0] = 1 - v, bary[1] = v, bary[2] = 0;
        return fx_v3_add(a, fx_v3_scale(ab, v));
    }
    fx_vec3 cp = fx_v3_sub(p, c);
    double d5 = fx_v3_dot(ab, cp), d6 = fx_v3_dot(ac, cp);
    if (d6 >= 0 && d5 <= d6)
        return bary[2] = 1, bary[0] = bary[1] = 0, c;
    double vb = d5 * d2 - d1 * d6;
    if (vb <= 0 && d2 >= 0 && d6 <= 0) {
        double w = d2 / (d2 - d6);
        bary[0] = 1 - w, bary[1] = 0, bary[2] = w;
        return fx_v3_add(a, fx_v3_scale(ac, w));
    }
    double va = d3 * d6 - d5 * d4;
    if (va <= 0 && d4 - d3 >= 0 && d5 - d6 >= 0) {
        double w = (d4 - d3) / ((d4 - d3) + (d5 - d6));
        bary[0] = 0, bary[1] = 1 - w, bary[2] = w;
        return fx_v3_add(b, fx_v3_scale(fx_v3_sub(c, b), w));
    }
    double sum = va + vb + vc;
    if (!(sum > 0)) /* a degenerate (zero-area) triangle: its first corner will do */
        return bary[0] = 1, bary[1] = bary[2] = 0, a;
    double v = vb / sum, w = vc / sum;
    bary[0] = 1 - v - w, bary[1] = v, bary[2] = w;
    return fx_v3_add(a, fx_v3_add(fx_v3_scale(ab, v), fx_v3_scale(ac, w)));
}

/* ---- build -------------------------------------------------------------- */

static void swap_tri(fx_bvh *b, uint32_t i, uint32_t j)
{
    double tmp[9];
    memcpy(tmp, b->corner + 9 * i, sizeof(tmp));
    memcpy(b->corner + 9 * i, b->corner + 9 * j, sizeof(tmp));
    memcpy(b->corner + 9 * j, tmp, sizeof(tmp));
    double c[3];
    memcpy(c, b->cen + 3 * i, sizeof(c));
    memcpy(b->cen + 3 * i, b->cen + 3 * j, sizeof(c));
    memcpy(b->cen + 3 * j, c, sizeof(c));
    uint32_t s = b->id[i];
    b->id[i] = b->id[j];
    b->id[j] = s;
}

static void select_kth(fx_bvh *b, uint32_t lo, uint32_t hi, uint32_t k, int axis)
{
    while (hi - lo > 1) {
        double pivot = b->cen[3 * (lo + (hi - lo) / 2) + axis];
        uint32_t i = lo, j = hi - 1;
        while (i <= j) {
            while (b->cen[3 * i + axis] < pivot)
                i++;
            while (b->cen[3 * j + axis] > pivot)
                j--;
            if (i <= j) {
                swap_tri(b, i, j);
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j + 1;
        else if (k >= i)
            lo = i;
        else
            return;
    }
}

static uint32_t build(fx_bvh *b, uint32_t lo, uint32_t hi)
{
    uint32_t me = (uint32_t)b->nnodes++;
    bnode *nd = &b->nodes[me];
    double clo[3], chi[3];
    for (int a = 0; a < 3; a++) {
        nd->lo[a] = clo[a] = INFINITY;
        nd->hi[a] = chi[a] = -INFINITY;
    }
    for (uint32_t i = lo; i < hi; i++)
        for (int a = 0; a < 3; a++) {
            for (int k = 0; k < 3; k++) {
                double x = b->corner[9 * i + 3 * k + a];
                nd->lo[a] = fmin(nd->lo[a], x);
                nd->hi[a] = fmax(nd->hi[a], x);
            }
            clo[a] = fmin(clo[a], b->cen[3 * i + a]);
            chi[a] = fmax(chi[a], b->cen[3 * i + a]);
        }
    if (hi - lo <= LEAF) {
        nd->right = lo;
        nd->count = hi - lo;
        return me;
    }
    int axis = 0;
    for (int a = 1; a < 3; a++)
        if (chi[a] - clo[a] > chi[axis] - clo[axis])
            axis = a;
    uint32_t mid = lo + (hi - lo) / 2;
    select_kth(b, lo, hi, mid, axis);
    nd->count = 0;
    build(b, lo, mid);
    uint32_t r = build(b, mid, hi);
    b->nodes[me].right = r;
    return me;
}

int fx_bvh_build(const fx_mesh *m, fx_bvh **out, fx_error *err)
{
    *out = NULL;
    if (m->nt == 0 || m->nt >= UINT32_MAX / 2)
        return fx_fail(err, FX_EINVAL, "a triangle tree needs from 1 to 2^31 triangles, not %zu",
                       m->nt);
    int rc = fx_mesh_validate(m, "mesh", err);
    if (rc)
        return rc;
    fx_bvh *b = calloc(1, sizeof(*b));
    size_t cap = 2 * m->nt + 1;
    if (b) {
        b->corner = malloc(9 * m->nt * sizeof(double));
        b->cen = malloc(3 * m->nt * sizeof(double));
        b->id = malloc(m->nt * sizeof(uint32_t));
        b->nodes = malloc(cap * sizeof(bnode));
    }
    if (!b || !b->corner || !b->cen || !b->id || !b->nodes) {
        if (b)
            free(b->cen);
        fx_bvh_free(b);
        return fx_fail(err, FX_ENOMEM, "cannot allocate a tree of %zu triangles", m->nt);
    }
    for (size_t t = 0; t < m->nt; t++) {
        for (int k = 0; k < 3; k++) {
            fx_vec3 p = m->v[m->t[3 * t + k]];
            b->corner[9 * t + 3 * k] = p.x;
            b->corner[9 * t + 3 * k + 1] = p.y;
            b->corner[9 * t + 3 * k + 2] = p.z;
        }
        for (int a = 0; a < 3; a++)
            b->cen[3 * t + a] = (b->corner[9 * t + a] + b->corner[9 * t + 3 + a] +
                                 b->corner[9 * t + 6 + a]) / 3.0;
        b->id[t] = (uint32_t)t;
    }
    b->nt = m->nt;
    build(b, 0, (uint32_t)m->nt);
    free(b->cen);
    b->cen = NULL;
    *out = b;
    return FX_OK;
}

void fx_bvh_free(fx_bvh *b)
{
    if (!b)
        return;
    free(b->corner);
    free(b->id);
    free(b->nodes);
    free(b);
}

/* ---- closest point ------------------------------------------------------ */

static fx_vec3 corner(const fx_bvh *b, uint32_t t, int k)
{
    const double *c = b->corner + 9 * (size_t)t + 3 * k;
    return fx_v3(c[0], c[1], c[2]);
}

static double box_d2(const bnode *nd, const double q[3])
{
    double d2 = 0;
    for (int a = 0; a < 3; a++) {
        double d = q[a] < nd->lo[a] ? nd->lo[a] - q[a] : q[a] > nd->hi[a] ? q[a] - nd->hi[a] : 0;
        d2 += d * d;
    }
    return d2;
}

typedef struct cbest {
    double d2;
    uint32_t tri;
    fx_vec3 point;
    double bary[3];
} cbest;

static void closest(const fx_bvh *b, uint32_t ni, fx_vec3 q, const double qq[3], cbest *best)
{
    const bnode *nd = &b->nodes[ni];
    if (nd->count) {
        for (uint32_t t = nd->right; t < nd->right + nd->count; t++) {
            double bary[3];
            fx_vec3 p = fx_closest_on_triangle(q, corner(b, t, 0), corner(b, t, 1),
                                               corner(b, t, 2), bary);
            fx_vec3 d = fx_v3_sub(p, q);
            double d2 = fx_v3_dot(d, d);
            if (d2 < best->d2) {
                best->d2 = d2, best->tri = t, best->point = p;
                memcpy(best->bary, bary, sizeof(bary));
            }
        }
        return;
    }
    uint32_t l = ni + 1, r = nd->right;
    double dl = box_d2(&b->nodes[l], qq), dr = box_d2(&b->nodes[r], qq);
    if (dr < dl) {
        uint32_t s = l;
        double ds = dl;
        l = r, r = s, dl = dr, dr = ds;
    }
    if (dl < best->d2)
        closest(b, l, q, qq, best);
    if (dr < best->d2)
        closest(b, r, q, qq, best);
}

bool fx_bvh_closest(const fx_bvh *b, fx_vec3 q, double max_d2_mm2, fx_closest *out)
{
    double qq[3] = {q.x, q.y, q.z};
    cbest best = {max_d2_mm2, UINT32_MAX, {0, 0, 0}, {0, 0, 0}};
    if (box_d2(&b->nodes[0], qq) < best.d2)
        closest(b, 0, q, qq, &best);
    if (best.tri == UINT32_MAX)
        return false;
    out->d2_mm2 = best.d2;
    out->point = best.point;
    out->tri = b->id[best.tri];
    memcpy(out->bary, best.bary, sizeof(best.bary));
    return true;
}

/* ---- rays --------------------------------------------------------------- */

typedef struct hits {
    fx_ray_hit *h;
    size_t n, cap;
    int rc;
} hits;

static bool ray_box(const bnode *nd, const double o[3], const double inv[3], double tmax)
{
    double t0 = 0, t1 = tmax;
    for (int a = 0; a < 3; a++) {
        double ta = (nd->lo[a] - o[a]) * inv[a], tb = (nd->hi[a] - o[a]) * inv[a];
        if (ta > tb) {
            double s = ta;
            ta = tb, tb = s;
        }
        if (isnan(ta) || isnan(tb)) /* the ray lies in a slab plane: keep the box */
            continue;
        t0 = ta > t0 ? ta : t0;
        t1 = tb < t1 ? tb : t1;
        if (t0 > t1)
            return false;
    }
    return true;
}

static void ray_tri(const fx_bvh *b, uint32_t t, fx_vec3 o, fx_vec3 d, double tmax, hits *H)
{
    fx_vec3 a = corner(b, t, 0), e1 = fx_v3_sub(corner(b, t, 1), a),
            e2 = fx_v3_sub(corner(b, t, 2), a);
    fx_vec3 pv = fx_v3_cross(d, e2);
    double det = fx_v3_dot(e1, pv);
    double scale = fx_v3_norm(e1) * fx_v3_norm(e2);
    if (fabs(det) <= 1e-14 * scale) /* parallel to the plane, or degenerate */
        return;
    fx_vec3 tv = fx_v3_sub(o, a);
    double u = fx_v3_dot(tv, pv) / det;
    if (u < 0 || u > 1)
        return;
    fx_vec3 qv = fx_v3_cross(tv, e1);
    double v = fx_v3_dot(d, qv) / det;
    if (v < 0 || u + v > 1)
        return;
    double tt = fx_v3_dot(e2, qv) / det;
    if (tt < 0 || tt > tmax)
        return;
    if (H->n == H->cap) {
        size_t cap = H->cap ? 2 * H->cap : 16;
        fx_ray_hit *h = realloc(H->h, cap * sizeof(*h));
        if (!h) {
            H->rc = FX_ENOMEM;
            return;
        }
        H->h = h, H->cap = cap;
    }
    fx_ray_hit *h = &H->h[H->n++];
    h->t_mm = tt;
    h->point = fx_v3_add(o, fx_v3_scale(d, tt));
    h->tri = b->id[t];
    h->bary[0] = 1 - u - v, h->bary[1] = u, h->bary[2] = v;
    h->entering = fx_v3_dot(fx_v3_cross(e1, e2), d) < 0;
}

static void ray_node(const fx_bvh *b, uint32_t ni, fx_vec3 o, fx_vec3 d, const double oo[3],
                     const double inv[3], double tmax, hits *H)
{
    const bnode *nd = &b->nodes[ni];
    if (H->rc || !ray_box(nd, oo, inv, tmax))
        return;
    if (nd->count) {
        for (uint32_t t = nd->right; t < nd->right + nd->count; t++)
            ray_tri(b, t, o, d, tmax, H);
        return;
    }
    ray_node(b, ni + 1, o, d, oo, inv, tmax, H);
    ray_node(b, nd->right, o, d, oo, inv, tmax, H);
}

static int by_t(const void *x, const void *y)
{
    double a = ((const fx_ray_hit *)x)->t_mm, c = ((const fx_ray_hit *)y)->t_mm;
    return (a > c) - (a < c);
}

int fx_bvh_raycast(const fx_bvh *b, fx_vec3 origin, fx_vec3 dir, double tmax_mm,
                   fx_ray_hit **out, size_t *n, fx_error *err)
{
    *out = NULL;
    *n = 0;
    double len = fx_v3_norm(dir);
    if (!(len > 0) || !isfinite(len) || isnan(tmax_mm))
        return fx_fail(err, FX_EINVAL, "a ray needs a finite, non-zero direction");
    fx_vec3 d = fx_v3_scale(dir, 1.0 / len);
    double oo[3] = {origin.x, origin.y, origin.z};
    double inv[3] = {1.0 / d.x, 1.0 / d.y, 1.0 / d.z};
    hits H = {NULL, 0, 0, FX_OK};
    ray_node(b, 0, origin, d, oo, inv, tmax_mm, &H);
    if (H.rc) {
        free(H.h);
        return fx_fail(err, FX_ENOMEM, "cannot hold the hits of a ray");
    }
    if (H.n > 1)
        qsort(H.h, H.n, sizeof(*H.h), by_t);
    *out = H.h;
    *n = H.n;
    return FX_OK;
}
