/*
 * surfdist.c - signed vertex-to-surface distances and the Hausdorff distance.
 *
 * The closest point comes from the triangle BVH; its barycentric weights say
 * whether it lies inside a face, on an edge or at a corner, and the sign is
 * that of (p - closest) . pseudo-normal of that feature: the face normal, the
 * sum of the two face normals at an edge, or the angle-weighted normal at a
 * corner (Baerentzen and Aanaes, IEEE TVCG 11:243, 2005). With plain face
 * normals the sign would be wrong near edges and corners.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fxaudit/bvh.h"
#include "fxaudit/surfdist.h"

typedef struct pseudo {
    const fx_mesh *m;
    fx_vec3 *fn;      /* unit face normals */
    fx_vec3 *vn;      /* angle-weighted vertex normals */
    uint64_t *ekey;   /* sorted (min << 32 | max) edge keys, 3 per face */
    uint32_t *eface;  /* the face of each key */
} pseudo;

static uint64_t edge_key(uint32_t a, uint32_t b)
{
    return a < b ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
}

static int by_key(const void *x, const void *y)
{
    const uint64_t *a = x, *b = y; /* each entry: key, face */
    return (a[0] > b[0]) - (a[0] < b[0]);
}

static void pseudo_free(pseudo *p)
{
    free(p->fn);
    free(p->vn);
    free(p->ekey);
    free(p->eface);
}

static void corner_normals(pseudo *p)
{
    const fx_mesh *m = p->m;
    for (size_t t = 0; t < m->nt; t++)
        for (int k = 0; k < 3; k++) {
            uint32_t i = m->t[3 * t + k];
            fx_vec3 a = m->v[i], b = m->v[m->t[3 * t + (k + 1) % 3]],
                    c = m->v[m->t[3 * t + (k + 2) % 3]];
            double ang = fx_v3_angle(fx_v3_sub(b, a), fx_v3_sub(c, a));
            p->vn[i] = fx_v3_add(p->vn[i], fx_v3_scale(p->fn[t], ang));
        }
}

static int pseudo_build(const fx_mesh *m, pseudo *p, fx_error *err)
{
    memset(p, 0, sizeof(*p));
    p->m = m;
    p->fn = malloc(m->nt * sizeof(fx_vec3));
    p->vn = calloc(m->nv, sizeof(fx_vec3));
    uint64_t *pairs = malloc(6 * m->nt * sizeof(uint64_t));
    p->ekey = malloc(3 * m->nt * sizeof(uint64_t));
    p->eface = malloc(3 * m->nt * sizeof(uint32_t));
    if (!p->fn || !p->vn || !pairs || !p->ekey || !p->eface) {
        free(pairs);
        pseudo_free(p);
        return fx_fail(err, FX_ENOMEM, "cannot allocate pseudo-normals of %zu triangles", m->nt);
    }
    for (size_t t = 0; t < m->nt; t++) {
        const uint32_t *c = m->t + 3 * t;
        p->fn[t] = fx_v3_unit(fx_v3_cross(fx_v3_sub(m->v[c[1]], m->v[c[0]]),
                                          fx_v3_sub(m->v[c[2]], m->v[c[0]])));
        for (int k = 0; k < 3; k++) {
            pairs[2 * (3 * t + k)] = edge_key(c[k], c[(k + 1) % 3]);
            pairs[2 * (3 * t + k) + 1] = t;
        }
    }
    corner_normals(p);
    qsort(pairs, 3 * m->nt, 2 * sizeof(uint64_t), by_key);
    for (size_t e = 0; e < 3 * m->nt; e++)
        p->ekey[e] = pairs[2 * e], p->eface[e] = (uint32_t)pairs[2 * e + 1];
    free(pairs);
    return FX_OK;
}

/* Sum of the normals of the faces sharing edge (a, b). */
static fx_vec3 edge_normal(const pseudo *p, uint32_t a, uint32_t b)
{
    uint64_t key = edge_key(a, b);
    size_t lo = 0, hi = 3 * p->m->nt;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (p->ekey[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    fx_vec3 n = {0, 0, 0};
    for (size_t e = lo; e < 3 * p->m->nt && p->ekey[e] == key; e++)
        n = fx_v3_add(n, p->fn[p->eface[e]]);
    return n;
}

static fx_vec3 feature_normal(const pseudo *p, const fx_closest *c)
{
    const uint32_t *t = p->m->t + 3 * c->tri;
    int zeros = 0, nz[3], k = 0;
    for (int i = 0; i < 3; i++) {
        if (c->bary[i] == 0)
            zeros++;
        else
            nz[k++] = i;
    }
    if (zeros == 2)
        return p->vn[t[nz[0]]];
    if (zeros == 1)
        return edge_normal(p, t[nz[0]], t[nz[1]]);
    return p->fn[c->tri];
}

static void stats_add(fx_surfdist *st, double d)
{
    st->n++;
    st->mean_mm += d;
    st->mean_abs_mm += fabs(d);
    st->rms_mm += d * d;
    st->max_abs_mm = fmax(st->max_abs_mm, fabs(d));
    st->min_mm = fmin(st->min_mm, d);
    st->max_mm = fmax(st->max_mm, d);
}

int fx_surface_distance(const fx_mesh *from, const fx_mesh *to, double *signed_mm,
                        fx_surfdist *st, fx_error *err)
{
    fx_bvh *b = NULL;
    pseudo p;
    int rc = fx_bvh_build(to, &b, err);
    if (rc)
        return rc;
    if ((rc = pseudo_build(to, &p, err))) {
        fx_bvh_free(b);
        return rc;
    }
    double *d = signed_mm ? signed_mm : malloc((from->nv ? from->nv : 1) * sizeof(double));
    if (!d) {
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate %zu distances", from->nv);
        goto out;
    }
#pragma omp parallel for schedule(dynamic, 256)
    for (size_t i = 0; i < from->nv; i++) {
        fx_closest c;
        fx_bvh_closest(b, from->v[i], INFINITY, &c);
        double dist = sqrt(c.d2_mm2);
        d[i] = fx_v3_dot(fx_v3_sub(from->v[i], c.point), feature_normal(&p, &c)) < 0 ? -dist
                                                                                     : dist;
    }
    if (st) {
        *st = (fx_surfdist){0, 0, 0, 0, 0, INFINITY, -INFINITY};
        for (size_t i = 0; i < from->nv; i++)
            stats_add(st, d[i]);
        if (st->n) {
            st->mean_mm /= (double)st->n;
            st->mean_abs_mm /= (double)st->n;
            st->rms_mm = sqrt(st->rms_mm / (double)st->n);
        }
    }
    if (d != signed_mm)
        free(d);
out:
    pseudo_free(&p);
    fx_bvh_free(b);
    return rc;
}

int fx_hausdorff(const fx_mesh *a, const fx_mesh *b, double *h_mm, double *ab_mm,
                 double *ba_mm, fx_error *err)
{
    fx_surfdist sa, sb;
    int rc = fx_surface_distance(a, b, NULL, &sa, err);
    if (!rc)
        rc = fx_surface_distance(b, a, NULL, &sb, err);
    if (rc)
        return rc;
    if (h_mm)
        *h_mm = fmax(sa.max_abs_mm, sb.max_abs_mm);
    if (ab_mm)
        *ab_mm = sa.max_abs_mm;
    if (ba_mm)
        *ba_mm = sb.max_abs_mm;
    return FX_OK;
}
