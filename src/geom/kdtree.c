/*
 * kdtree.c - a static k-d tree (Friedman, Bentley and Finkel 1977) for
 * nearest-neighbour search in 3-D.
 *
 * The points are copied and reordered so that every leaf holds a contiguous
 * run of at most LEAF points; nodes are stored in pre-order, so the left child
 * of node i is i + 1 and only the right child needs an index. A query walks
 * down to the leaf holding q, then back up, visiting the far side of a split
 * only when the splitting plane is closer than the best distance so far. The
 * squared distance to the far cell is tracked incrementally (Arya and Mount
 * 1993): crossing a split on one axis replaces that axis's contribution, which
 * prunes far more cells than the plane distance alone.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/kdtree.h"

#define LEAF 8

typedef struct node {
    double split;
    uint32_t right; /* internal: index of the right child; leaf: first point */
    uint16_t axis;  /* 0..2, or 3 for a leaf */
    uint16_t count; /* leaf: number of points */
} node;

struct fx_kdtree {
    size_t n, nnodes, cap;
    double *xyz;  /* 3n reordered coordinates */
    uint32_t *id; /* original index of each reordered point */
    node *nodes;
};

static double coord(const fx_kdtree *t, uint32_t i, int axis) { return t->xyz[3 * i + axis]; }

static void swap_pts(fx_kdtree *t, uint32_t a, uint32_t b)
{
    double tmp[3];
    memcpy(tmp, t->xyz + 3 * a, sizeof(tmp));
    memcpy(t->xyz + 3 * a, t->xyz + 3 * b, sizeof(tmp));
    memcpy(t->xyz + 3 * b, tmp, sizeof(tmp));
    uint32_t s = t->id[a];
    t->id[a] = t->id[b];
    t->id[b] = s;
}

/* Hoare's selection: afterwards point k has rank k on `axis` within [lo, hi). */
static void select_kth(fx_kdtree *t, uint32_t lo, uint32_t hi, uint32_t k, int axis)
{
    while (hi - lo > 1) {
        double pivot = coord(t, lo + (hi - lo) / 2, axis);
        uint32_t i = lo, j = hi - 1;
        while (i <= j) {
            while (coord(t, i, axis) < pivot)
                i++;
            while (coord(t, j, axis) > pivot)
                j--;
            if (i <= j) {
                swap_pts(t, i, j);
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

static int widest_axis(const fx_kdtree *t, uint32_t lo, uint32_t hi)
{
    double mn[3], mx[3];
    for (int a = 0; a < 3; a++)
        mn[a] = mx[a] = coord(t, lo, a);
    for (uint32_t i = lo + 1; i < hi; i++)
        for (int a = 0; a < 3; a++) {
            double c = coord(t, i, a);
            mn[a] = c < mn[a] ? c : mn[a];
            mx[a] = c > mx[a] ? c : mx[a];
        }
    int best = 0;
    for (int a = 1; a < 3; a++)
        if (mx[a] - mn[a] > mx[best] - mn[best])
            best = a;
    return best;
}

static uint32_t build(fx_kdtree *t, uint32_t lo, uint32_t hi)
{
    uint32_t me = (uint32_t)t->nnodes++;
    node *nd = &t->nodes[me];
    if (hi - lo <= LEAF) {
        *nd = (node){0, lo, 3, (uint16_t)(hi - lo)};
        return me;
    }
    int axis = widest_axis(t, lo, hi);
    uint32_t mid = lo + (hi - lo) / 2;
    select_kth(t, lo, hi, mid, axis);
    t->nodes[me].axis = (uint16_t)axis;
    t->nodes[me].split = coord(t, mid, axis);
    build(t, lo, mid);
    uint32_t r = build(t, mid, hi);
    t->nodes[me].right = r;
    return me;
}

int fx_kdtree_build(const fx_vec3 *pts, size_t n, fx_kdtree **out, fx_error *err)
{
    *out = NULL;
    if (n == 0 || n >= UINT32_MAX)
        return fx_fail(err, FX_EINVAL, "a k-d tree needs from 1 to 2^32-2 points, not %zu", n);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(pts[i].x) || !isfinite(pts[i].y) || !isfinite(pts[i].z))
            return fx_fail(err, FX_EINVAL, "point %zu of a k-d tree is not finite", i);
    fx_kdtree *t = calloc(1, sizeof(*t));
    size_t cap = 2 * (n / (LEAF / 2) + 1) + 1;
    if (t) {
        t->xyz = malloc(3 * n * sizeof(double));
        t->id = malloc(n * sizeof(uint32_t));
        t->nodes = malloc(cap * sizeof(node));
    }
    if (!t || !t->xyz || !t->id || !t->nodes) {
        fx_kdtree_free(t);
        return fx_fail(err, FX_ENOMEM, "cannot allocate a k-d tree of %zu points", n);
    }
    for (size_t i = 0; i < n; i++) {
        t->xyz[3 * i] = pts[i].x, t->xyz[3 * i + 1] = pts[i].y, t->xyz[3 * i + 2] = pts[i].z;
        t->id[i] = (uint32_t)i;
    }
    t->n = n;
    t->cap = cap;
    build(t, 0, (uint32_t)n);
    *out = t;
    return FX_OK;
}

void fx_kdtree_free(fx_kdtree *t)
{
    if (!t)
        return;
    free(t->xyz);
    free(t->id);
    free(t->nodes);
    free(t);
}

size_t fx_kdtree_size(const fx_kdtree *t) { return t->n; }

/* ---- queries: a small sorted list of the k best so far ------------------ */

typedef struct best {
    size_t k, n;
    double *d2;
    uint32_t *i;
} best;

static inline double worst(const best *b) { return b->n < b->k ? INFINITY : b->d2[b->n - 1]; }

static inline void offer(best *b, double d2, uint32_t i)
{
    if (d2 >= worst(b))
        return;
    size_t j = b->n < b->k ? b->n++ : b->k - 1;
    while (j > 0 && b->d2[j - 1] > d2) {
        b->d2[j] = b->d2[j - 1];
        b->i[j] = b->i[j - 1];
        j--;
    }
    b->d2[j] = d2;
    b->i[j] = i;
}

/* off[] holds, per axis, the distance from q to the current cell along that
 * axis; rd is their sum of squares: a lower bound on any point in the cell. */
static void search(const fx_kdtree *t, uint32_t ni, const double q[3], double off[3],
                   double rd, best *b)
{
    const node *nd = &t->nodes[ni];
    if (nd->axis == 3) {
        const double *p = t->xyz + 3 * (size_t)nd->right;
        for (uint32_t k = 0; k < nd->count; k++, p += 3) {
            double dx = p[0] - q[0], dy = p[1] - q[1], dz = p[2] - q[2];
            offer(b, dx * dx + dy * dy + dz * dz, nd->right + k);
        }
        return;
    }
    int a = nd->axis;
    double diff = q[a] - nd->split;
    uint32_t near = diff < 0 ? ni + 1 : nd->right, far = diff < 0 ? nd->right : ni + 1;
    search(t, near, q, off, rd, b);
    double old = off[a];
    double far_rd = rd - old * old + diff * diff;
    if (far_rd < worst(b)) {
        off[a] = diff;
        search(t, far, q, off, far_rd, b);
        off[a] = old;
    }
}

size_t fx_kdtree_nearest(const fx_kdtree *t, fx_vec3 q, double *d2)
{
    double dist = INFINITY, qq[3] = {q.x, q.y, q.z}, off[3] = {0, 0, 0};
    uint32_t idx = 0;
    best b = {1, 0, &dist, &idx};
    search(t, 0, qq, off, 0.0, &b);
    if (d2)
        *d2 = dist;
    return t->id[idx];
}

size_t fx_kdtree_knearest(const fx_kdtree *t, fx_vec3 q, size_t k, size_t *idx, double *d2)
{
    double qq[3] = {q.x, q.y, q.z}, off[3] = {0, 0, 0};
    double d2buf[64], *dd = k <= 64 ? d2buf : malloc(k * sizeof(double));
    uint32_t ibuf[64], *ii = k <= 64 ? ibuf : malloc(k * sizeof(uint32_t));
    size_t n = 0;
    if (k && dd && ii) {
        best b = {k, 0, dd, ii};
        search(t, 0, qq, off, 0.0, &b);
        n = b.n;
        for (size_t j = 0; j < n; j++) {
            idx[j] = t->id[ii[j]];
            if (d2)
                d2[j] = dd[j];
        }
    }
    if (dd != d2buf)
        free(dd);
    if (ii != ibuf)
        free(ii);
    return n;
}
