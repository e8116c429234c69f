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

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/kdtree.h"

#define LEAF 12

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
    uint32_t *pos; /* and the reverse: reordered position of each original point */
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
        t->pos = malloc(n * sizeof(uint32_t));
        t->nodes = malloc(cap * sizeof(node));
    }
    if (!t || !t->xyz || !t->id || !t->pos || !t->nodes) {
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
    for (size_t i = 0; i < n; i++)
        t->pos[t->id[i]] = (uint32_t)i;
    *out = t;
    return FX_OK;
}

void fx_kdtree_free(fx_kdtree *t)
{
    if (!t)
        return;
    free(t->xyz);
    free(t->id);
    free(t->pos);
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

/* The same walk for k = 1, without the list: the hot loop of ICP. */
static void search1(const fx_kdtree *t, uint32_t ni, const double q[3], double off[3],
                    double rd, double *bd2, uint32_t *bi)
{
    const node *nd = &t->nodes[ni];
    while (nd->axis != 3) {
        int a = nd->axis;
        double diff = q[a] - nd->split;
        uint32_t near = diff < 0 ? ni + 1 : nd->right, far = diff < 0 ? nd->right : ni + 1;
        double old = off[a], far_rd = rd - old * old + diff * diff;
        if (far_rd < *bd2) { /* the far side may matter: recurse on the near one first */
            search1(t, near, q, off, rd, bd2, bi);
            if (far_rd < *bd2) {
                off[a] = diff;
                search1(t, far, q, off, far_rd, bd2, bi);
                off[a] = old;
            }
            return;
        }
        ni = near, nd = &t->nodes[ni]; /* the far side cannot win: a loop, no call */
    }
    const double *p = t->xyz + 3 * (size_t)nd->right;
    for (uint32_t k = 0; k < nd->count; k++, p += 3) {
        double dx = p[0] - q[0], dy = p[1] - q[1], dz = p[2] - q[2];
        double d2 = dx * dx + dy * dy + dz * dz;
        if (d2 < *bd2)
            *bd2 = d2, *bi = nd->right + k;
    }
}

size_t fx_kdtree_nearest(const fx_kdtree *t, fx_vec3 q, double *d2)
{
    double dist = INFINITY, qq[3] = {q.x, q.y, q.z}, off[3] = {0, 0, 0};
    uint32_t idx = 0;
    search1(t, 0, qq, off, 0.0, &dist, &idx);
    if (d2)
        *d2 = dist;
    return t->id[idx];
}

size_t fx_kdtree_nearest_within(const fx_kdtree *t, fx_vec3 q, double max_d2, double *d2)
{
    double dist = max_d2, qq[3] = {q.x, q.y, q.z}, off[3] = {0, 0, 0};
    uint32_t idx = UINT32_MAX;
    search1(t, 0, qq, off, 0.0, &dist, &idx);
    if (d2)
        *d2 = dist;
    return idx == UINT32_MAX ? (size_t)-1 : t->id[idx];
}

/* Spread the low 10 bits of x to every third bit (one axis of a Morton code). */
static uint32_t spread3(uint32_t x)
{
    x &= 0x3ff;
    x = (x | x << 16) & 0x030000ff;
    x = (x | x << 8) & 0x0300f00f;
    x = (x | x << 4) & 0x030c30c3;
    x = (x | x << 2) & 0x09249249;
    return x;
}

/* A coordinate's cell 0..1023 (0 for NaN, which then merely costs locality). */
static uint32_t cell(double x, double lo, double sc)
{
    double c = (x - lo) * sc;
    return c >= 0 ? (c < 1023 ? (uint32_t)c : 1023) : 0;
}

/* order[] = the queries along a Z-order curve (cells of 1/1024 of their
 * extent): an LSD radix sort of 30-bit keys, 8 bits per pass. */
static int z_order(const fx_vec3 *q, size_t n, uint32_t *order)
{
    uint32_t *key = malloc(2 * n * sizeof(uint32_t)), *tmp = malloc(n * sizeof(uint32_t));
    if (!key || !tmp) {
        free(key), free(tmp);
        return -1;
    }
    fx_vec3 lo = q[0], hi = q[0];
    for (size_t i = 1; i < n; i++) {
        lo = fx_v3(fmin(lo.x, q[i].x), fmin(lo.y, q[i].y), fmin(lo.z, q[i].z));
        hi = fx_v3(fmax(hi.x, q[i].x), fmax(hi.y, q[i].y), fmax(hi.z, q[i].z));
    }
    double sc = 1023.0 / (fmax(hi.x - lo.x, fmax(hi.y - lo.y, hi.z - lo.z)) + 1e-300);
    uint32_t *ka = key, *kb = key + n, *oa = order, *ob = tmp;
    for (size_t i = 0; i < n; i++) {
        oa[i] = (uint32_t)i;
        ka[i] = spread3(cell(q[i].x, lo.x, sc)) | spread3(cell(q[i].y, lo.y, sc)) << 1 |
                spread3(cell(q[i].z, lo.z, sc)) << 2;
    }
    for (int shift = 0; shift < 32; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((ka[i] >> shift) & 0xff) + 1]++;
        for (int b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++) {
            size_t at = count[(ka[i] >> shift) & 0xff]++;
            kb[at] = ka[i], ob[at] = oa[i];
        }
        uint32_t *s = ka;
        ka = kb, kb = s, s = oa, oa = ob, ob = s;
    }
    /* four passes: the result is back in `order` */
    free(key), free(tmp);
    return 0;
}

/* Start a search at point i (reordered) when it is nearer than the bound. */
static void bound_by(const fx_kdtree *t, uint32_t i, const double *qq, double *dist,
                     uint32_t *bi)
{
    const double *p = t->xyz + 3 * (size_t)i;
    double dx = p[0] - qq[0], dy = p[1] - qq[1], dz = p[2] - qq[2];
    double d2 = dx * dx + dy * dy + dz * dz;
    if (d2 < *dist)
        *dist = d2, *bi = i;
}

/* Answer the Z-ordered queries qs[k0..k1): each search starts bounded by
 * max_d2 or, when nearer, by the distance to the previous answer or to the
 * query's hint hs[k] (exact upper bounds). ans[k] is UINT32_MAX when nothing
 * lies within max_d2. */
static void answer_run(const fx_kdtree *t, const double *qs, const uint32_t *hs, size_t k0,
                       size_t k1, double max_d2, uint32_t *ans, double *ds)
{
    uint32_t prev = UINT32_MAX;
    for (size_t k = k0; k < k1; k++) {
        const double *qq = qs + 3 * k;
        double off[3] = {0, 0, 0}, dist = max_d2;
        uint32_t bi = UINT32_MAX;
        if (hs && hs[k] != UINT32_MAX)
            bound_by(t, hs[k], qq, &dist, &bi);
        if (prev != UINT32_MAX)
            bound_by(t, prev, qq, &dist, &bi);
        search1(t, 0, qq, off, 0.0, &dist, &bi);
        ans[k] = bi, ds[k] = dist;
        if (bi != UINT32_MAX)
            prev = bi;
    }
}

/* Queries per run of the batch: each thread takes whole runs of consecutive
 * Z-ordered queries, so locality and the previous-answer bound survive. */
enum { RUN = 2048 };

/* The queries are gathered in Z-order into a contiguous buffer, answered in
 * that order, and the answers scattered back: the gather and scatter are
 * loops of independent loads and stores, whose cache misses overlap, while
 * the searches in between walk memory that the previous search warmed. With
 * OpenMP the runs are shared among threads (from two runs on). */
static int many(const fx_kdtree *t, const fx_vec3 *q, size_t n, double max_d2,
                const size_t *hint, size_t none, size_t *idx, double *d2, fx_error *err)
{
    if (n == 0)
        return FX_OK;
    if (n >= UINT32_MAX)
        return fx_fail(err, FX_EINVAL, "too many k-d tree queries at once: %zu", n);
    uint32_t *order = malloc(n * sizeof(uint32_t)), *ans = malloc(n * sizeof(uint32_t));
    double *qs = malloc(3 * n * sizeof(double)), *ds = malloc(n * sizeof(double));
    uint32_t *hs = hint ? malloc(n * sizeof(uint32_t)) : NULL;
    if (!order || !ans || !qs || !ds || (hint && !hs) || z_order(q, n, order)) {
        free(order), free(ans), free(qs), free(ds), free(hs);
        return fx_fail(err, FX_ENOMEM, "cannot allocate the order of %zu k-d tree queries", n);
    }
    long nruns = (long)((n + RUN - 1) / RUN);
#pragma omp parallel if (nruns > 1)
    {
#pragma omp for schedule(static)
        for (size_t k = 0; k < n; k++) {
            const fx_vec3 *x = &q[order[k]];
            qs[3 * k] = x->x, qs[3 * k + 1] = x->y, qs[3 * k + 2] = x->z;
            if (hs)
                hs[k] = hint[order[k]] < t->n ? t->pos[hint[order[k]]] : UINT32_MAX;
        }
#pragma omp for schedule(dynamic, 1)
        for (long r = 0; r < nruns; r++) {
            size_t k0 = (size_t)r * RUN, k1 = k0 + RUN < n ? k0 + RUN : n;
            answer_run(t, qs, hs, k0, k1, max_d2, ans, ds);
        }
#pragma omp for schedule(static)
        for (size_t k = 0; k < n; k++) {
            idx[order[k]] = ans[k] == UINT32_MAX ? none : t->id[ans[k]];
            if (d2)
                d2[order[k]] = ds[k];
        }
    }
    free(order), free(ans), free(qs), free(ds), free(hs);
    return FX_OK;
}

int fx_kdtree_nearest_many(const fx_kdtree *t, const fx_vec3 *q, size_t n, size_t *idx,
                           double *d2, fx_error *err)
{
    /* Unbounded, a search always finds a point unless q is NaN: then point 0,
     * as fx_kdtree_nearest answers. */
    return many(t, q, n, INFINITY, NULL, t->id[0], idx, d2, err);
}

int fx_kdtree_nearest_many_within(const fx_kdtree *t, const fx_vec3 *q, size_t n,
                                  double max_d2, const size_t *hint, size_t *idx, double *d2,
                                  fx_error *err)
{
    return many(t, q, n, max_d2, hint, (size_t)-1, idx, d2, err);
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
