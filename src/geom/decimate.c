/*
 * decimate.c - quadric error metric edge collapse (M. Garland and P. Heckbert,
 * "Surface simplification using quadric error metrics", SIGGRAPH 1997).
 *
 * Each vertex carries the sum of the area-weighted squared-distance quadrics
 * of the planes of its triangles; an edge collapses to the point that
 * minimises the summed quadric of its two ends, cheapest first (a heap with
 * lazy invalidation by per-vertex version stamps). A collapse is refused when
 * the two ends share more neighbours than the two opposite vertices of the
 * edge (the link condition: the result would not be a manifold), when a
 * surrounding triangle would turn over or degenerate, when a vertex lies on a
 * boundary (open edges are kept as they are), or when fewer than four
 * vertices would remain in a part.
 */
#include "config.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/surface.h"

typedef struct quad {
    double a[6]; /* xx xy xz yy yz zz */
    double b[3], c;
} quad;

typedef struct tlist {
    uint32_t *t;
    size_t n, cap;
} tlist;

typedef struct cand {
    double cost;
    uint32_t v0, v1, s0, s1;
} cand;

typedef struct dec {
    fx_mesh *m;
    quad *q;
    tlist *vt;       /* triangles around each vertex (some may be dead) */
    uint32_t *stamp; /* bumped when a vertex changes */
    uint32_t *mark;  /* scratch for neighbour sets */
    uint32_t mark_id;
    uint8_t *dead_v, *dead_t, *border;
    cand *heap;
    size_t nh, caph, alive;
} dec;

static int tl_push(tlist *l, uint32_t t)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        uint32_t *p = realloc(l->t, cap * sizeof(*p));
        if (!p)
            return -1;
        l->t = p, l->cap = cap;
    }
    l->t[l->n++] = t;
    return 0;
}

static int heap_push(dec *d, cand c)
{
    if (d->nh == d->caph) {
        size_t cap = d->caph ? 2 * d->caph : 1024;
        cand *h = realloc(d->heap, cap * sizeof(*h));
        if (!h)
            return -1;
        d->heap = h, d->caph = cap;
    }
    size_t i = d->nh++;
    while (i && d->heap[(i - 1) / 2].cost > c.cost) {
        d->heap[i] = d->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    d->heap[i] = c;
    return 0;
}

static cand heap_pop(dec *d)
{
    cand top = d->heap[0], last = d->heap[--d->nh];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= d->nh)
            break;
        if (c + 1 < d->nh && d->heap[c + 1].cost < d->heap[c].cost)
            c++;
        if (d->heap[c].cost >= last.cost)
            break;
        d->heap[i] = d->heap[c];
        i = c;
    }
    if (d->nh)
        d->heap[i] = last;
    return top;
}

static void quad_add_plane(quad *q, fx_vec3 n, double off, double w)
{
    double v[3] = {n.x, n.y, n.z};
    int k = 0;
    for (int i = 0; i < 3; i++)
        for (int j = i; j < 3; j++)
            q->a[k++] += w * v[i] * v[j];
    for (int i = 0; i < 3; i++)
        q->b[i] += w * off * v[i];
    q->c += w * off * off;
}

static double quad_eval(const quad *q, fx_vec3 p)
{
    const double *a = q->a;
    return a[0] * p.x * p.x + 2 * a[1] * p.x * p.y + 2 * a[2] * p.x * p.z + a[3] * p.y * p.y +
           2 * a[4] * p.y * p.z + a[5] * p.z * p.z + 2 * (q->b[0] * p.x + q->b[1] * p.y + q->b[2] * p.z) +
           q->c;
}

/* The minimiser of q when well conditioned, else the best of the ends and
 * the midpoint. */
static fx_vec3 best_point(const quad *q, fx_vec3 p0, fx_vec3 p1, double *cost)
{
    const double *a = q->a;
    double det = a[0] * (a[3] * a[5] - a[4] * a[4]) - a[1] * (a[1] * a[5] - a[4] * a[2]) +
                 a[2] * (a[1] * a[4] - a[3] * a[2]);
    double scale = a[0] + a[3] + a[5];
    fx_vec3 cands[4] = {p0, p1, fx_v3_scale(fx_v3_add(p0, p1), 0.5), p0};
    int nc = 3;
    if (fabs(det) > 1e-9 * scale * scale * scale) {
        double i00 = (a[3] * a[5] - a[4] * a[4]) / det, i01 = (a[2] * a[4] - a[1] * a[5]) / det;
        double i02 = (a[1] * a[4] - a[2] * a[3]) / det, i11 = (a[0] * a[5] - a[2] * a[2]) / det;
        double i12 = (a[1] * a[2] - a[0] * a[4]) / det, i22 = (a[0] * a[3] - a[1] * a[1]) / det;
        const double *b = q->b;
        cands[3] = fx_v3(-(i00 * b[0] + i01 * b[1] + i02 * b[2]),
                         -(i01 * b[0] + i11 * b[1] + i12 * b[2]),
                         -(i02 * b[0] + i12 * b[1] + i22 * b[2]));
        /* Trust the optimum only near the edge; far away it is ill-posed. */
        if (fx_v3_dist(cands[3], cands[2]) < 2 * fx_v3_dist(p0, p1))
            nc = 4;
    }
    fx_vec3 best = p0;
    *cost = DBL_MAX;
    for (int i = 0; i < nc; i++) {
        double e = quad_eval(q, cands[i]);
        if (e < *cost)
            *cost = e, best = cands[i];
    }
    return best;
}

static quad quad_sum(const quad *x, const quad *y)
{
    quad s;
    for (int i = 0; i < 6; i++)
        s.a[i] = x->a[i] + y->a[i];
    for (int i = 0; i < 3; i++)
        s.b[i] = x->b[i] + y->b[i];
    s.c = x->c + y->c;
    return s;
}

static int push_edge(dec *d, uint32_t v0, uint32_t v1)
{
    quad s = quad_sum(&d->q[v0], &d->q[v1]);
    double cost;
    best_point(&s, d->m->v[v0], d->m->v[v1], &cost);
    return heap_push(d, (cand){cost, v0, v1, d->stamp[v0], d->stamp[v1]});
}


/* Mark the live neighbours of v with id; returns how many. */
static size_t mark_neighbours(dec *d, uint32_t v, uint32_t id)
{
    size_t n = 0;
    for (size_t i = 0; i < d->vt[v].n; i++) {
        uint32_t t = d->vt[v].t[i];
        if (d->dead_t[t])
            continue;
        for (int k = 0; k < 3; k++) {
            uint32_t w = d->m->t[3 * t + k];
            if (w != v && d->mark[w] != id)
                d->mark[w] = id, n++;
        }
    }
    return n;
}

/* The link condition for a closed manifold: exactly two shared neighbours,
 * and enough vertices left around for a part not to become flat. */
static int link_ok(dec *d, uint32_t v0, uint32_t v1)
{
    uint32_t id0 = ++d->mark_id;
    size_t n0 = mark_neighbours(d, v0, id0), shared = 0, n1 = 0;
    for (size_t i = 0; i < d->vt[v1].n; i++) {
        uint32_t t = d->vt[v1].t[i];
        if (d->dead_t[t])
            continue;
        for (int k = 0; k < 3; k++) {
            uint32_t w = d->m->t[3 * t + k];
            if (w == v1 || d->mark[w] == id0 + 1)
                continue;
            if (d->mark[w] == id0)
                shared++;
            else
                n1++;
            d->mark[w] = id0 + 1;
        }
    }
    d->mark_id++;
    /* Both ends' other neighbours: at least three, or a tetrahedron would flatten. */
    return shared == 2 && n0 + n1 >= 5;
}

static fx_vec3 tri_normal(fx_vec3 a, fx_vec3 b, fx_vec3 c)
{
    return fx_v3_cross(fx_v3_sub(b, a), fx_v3_sub(c, a));
}

/* Would moving v (one end of the edge v0-v1) to p turn a triangle over? */
static int flips(const dec *d, uint32_t v, uint32_t v0, uint32_t v1, fx_vec3 p)
{
    for (size_t i = 0; i < d->vt[v].n; i++) {
        uint32_t t = d->vt[v].t[i];
        const uint32_t *tv = d->m->t + 3 * t;
        if (d->dead_t[t])
            continue;
        int has0 = tv[0] == v0 || tv[1] == v0 || tv[2] == v0;
        int has1 = tv[0] == v1 || tv[1] == v1 || tv[2] == v1;
        if (has0 && has1)
            continue; /* dies with the edge */
        fx_vec3 c[3], n0, n1;
        for (int k = 0; k < 3; k++)
            c[k] = d->m->v[tv[k]];
        n0 = tri_normal(c[0], c[1], c[2]);
        for (int k = 0; k < 3; k++)
            if (tv[k] == v)
                c[k] = p;
        n1 = tri_normal(c[0], c[1], c[2]);
        double l0 = fx_v3_norm(n0), l1 = fx_v3_norm(n1);
        if (l1 <= 1e-12 * (l0 + 1e-30) || fx_v3_dot(n0, n1) < 0.2 * l0 * l1)
            return 1;
    }
    return 0;
}

/* Move v1 into v0 at p. */
static int collapse(dec *d, uint32_t v0, uint32_t v1, fx_vec3 p)
{
    for (size_t i = 0; i < d->vt[v1].n; i++) {
        uint32_t t = d->vt[v1].t[i];
        uint32_t *tv = d->m->t + 3 * t;
        if (d->dead_t[t])
            continue;
        if (tv[0] == v0 || tv[1] == v0 || tv[2] == v0) {
            d->dead_t[t] = 1;
            d->alive--;
            continue;
        }
        for (int k = 0; k < 3; k++)
            if (tv[k] == v1)
                tv[k] = v0;
        if (tl_push(&d->vt[v0], t))
            return -1;
    }
    d->m->v[v0] = p;
    d->q[v0] = quad_sum(&d->q[v0], &d->q[v1]);
    d->dead_v[v1] = 1;
    d->stamp[v0]++;
    d->stamp[v1]++;
    /* New candidates from v0 to its neighbours. */
    uint32_t id = ++d->mark_id;
    for (size_t i = 0; i < d->vt[v0].n; i++) {
        uint32_t t = d->vt[v0].t[i];
        if (d->dead_t[t])
            continue;
        for (int k = 0; k < 3; k++) {
            uint32_t w = d->m->t[3 * t + k];
            if (w != v0 && d->mark[w] != id) {
                d->mark[w] = id;
                if (push_edge(d, v0, w))
                    return -1;
            }
        }
    }
    return 0;
}

static int setup(dec *d, fx_mesh *m)
{
    size_t nv = m->nv, nt = m->nt;
    d->m = m;
    d->alive = nt;
    d->q = calloc(nv + 1, sizeof(*d->q));
    d->vt = calloc(nv + 1, sizeof(*d->vt));
    d->stamp = calloc(nv + 1, sizeof(*d->stamp));
    d->mark = calloc(nv + 1, sizeof(*d->mark));
    d->dead_v = calloc(nv + 1, 1);
    d->dead_t = calloc(nt + 1, 1);
    d->border = calloc(nv + 1, 1);
    if (!d->q || !d->vt || !d->stamp || !d->mark || !d->dead_v || !d->dead_t || !d->border)
        return -1;
    for (size_t t = 0; t < nt; t++) {
        const uint32_t *tv = m->t + 3 * t;
        fx_vec3 n = tri_normal(m->v[tv[0]], m->v[tv[1]], m->v[tv[2]]);
        double len = fx_v3_norm(n);
        if (len > 0) {
            fx_vec3 u = fx_v3_scale(n, 1 / len);
            for (int k = 0; k < 3; k++)
                quad_add_plane(&d->q[tv[k]], u, -fx_v3_dot(u, m->v[tv[0]]), 0.5 * len);
        }
        for (int k = 0; k < 3; k++)
            if (tl_push(&d->vt[tv[k]], (uint32_t)t))
                return -1;
    }
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Vertices on open or non-manifold edges (not used by exactly two triangles)
 * stay where they are. */
static int mark_border(dec *d)
{
    const fx_mesh *m = d->m;
    uint64_t *e = malloc((3 * m->nt + 1) * sizeof(*e));
    size_t ne = 0;
    if (!e)
        return -1;
    for (size_t t = 0; t < m->nt; t++)
        for (int k = 0; k < 3; k++) {
            uint64_t a = m->t[3 * t + k], b = m->t[3 * t + (k + 1) % 3];
            e[ne++] = a < b ? a << 32 | b : b << 32 | a;
        }
    qsort(e, ne, sizeof(*e), cmp_u64);
    for (size_t i = 0; i < ne;) {
        size_t j = i;
        while (j < ne && e[j] == e[i])
            j++;
        if (j - i != 2)
            d->border[e[i] >> 32] = d->border[e[i] & 0xffffffffu] = 1;
        i = j;
    }
    free(e);
    return 0;
}

static int seed_heap(dec *d)
{
    const fx_mesh *m = d->m;
    for (size_t t = 0; t < m->nt; t++)
        for (int k = 0; k < 3; k++) {
            uint32_t a = m->t[3 * t + k], b = m->t[3 * t + (k + 1) % 3];
            if (a < b && push_edge(d, a, b))
                return -1;
        }
    return 0;
}

static void compact(dec *d)
{
    fx_mesh *m = d->m;
    uint32_t *map = d->mark; /* reused */
    size_t nv = 0, nt = 0;
    for (size_t v = 0; v < m->nv; v++)
        if (!d->dead_v[v]) {
            map[v] = (uint32_t)nv;
            m->v[nv++] = m->v[v];
        }
    for (size_t t = 0; t < m->nt; t++)
        if (!d->dead_t[t]) {
            for (int k = 0; k < 3; k++)
                m->t[3 * nt + k] = map[m->t[3 * t + k]];
            nt++;
        }
    m->nv = nv, m->nt = nt;
    free(m->n);
    m->n = NULL;
}

static void release(dec *d)
{
    if (d->vt)
        for (size_t v = 0; v < d->m->nv; v++)
            free(d->vt[v].t);
    free(d->q), free(d->vt), free(d->stamp), free(d->mark), free(d->dead_v);
    free(d->dead_t), free(d->border), free(d->heap);
}

int fx_surface_decimate(fx_mesh *m, double keep_fraction, fx_error *err)
{
    dec d = {0};
    int rc = FX_OK;

    if (!(keep_fraction > 0 && keep_fraction <= 1))
        return fx_fail(err, FX_EINVAL, "decimation keeps a fraction in (0, 1], not %g",
                       keep_fraction);
    if (keep_fraction == 1 || m->nt == 0)
        return FX_OK;
    size_t target = (size_t)(keep_fraction * (double)m->nt);
    if (setup(&d, m) || mark_border(&d) || seed_heap(&d)) {
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate decimation tables for %zu triangles",
                     m->nt);
        goto out;
    }
    while (d.alive > target && d.nh) {
        cand c = heap_pop(&d);
        if (d.dead_v[c.v0] || d.dead_v[c.v1] || c.s0 != d.stamp[c.v0] ||
            c.s1 != d.stamp[c.v1] || d.border[c.v0] || d.border[c.v1])
            continue;
        double cost;
        quad s = quad_sum(&d.q[c.v0], &d.q[c.v1]);
        fx_vec3 p = best_point(&s, m->v[c.v0], m->v[c.v1], &cost);
        if (!link_ok(&d, c.v0, c.v1) || flips(&d, c.v0, c.v0, c.v1, p) ||
            flips(&d, c.v1, c.v0, c.v1, p))
            continue;
        if (collapse(&d, c.v0, c.v1, p)) {
            rc = fx_fail(err, FX_ENOMEM, "cannot grow decimation tables");
            goto out;
        }
    }
    compact(&d);
out:
    release(&d);
    return rc;
}
