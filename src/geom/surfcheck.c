/*
 * surfcheck.c - topology of a triangle surface: every edge counted with the
 * directions its triangles walk it (sorting the half-edges by their
 * undirected key), parts found with a union-find over vertices.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fxaudit/surface.h"

typedef struct half {
    uint64_t key; /* min << 32 | max */
    uint32_t fwd; /* 1 when walked from min to max */
} half;

static int cmp_half(const void *a, const void *b)
{
    const half *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key;
}

static void count_edges(const half *h, size_t nh, fx_surface_topology *out)
{
    for (size_t i = 0; i < nh;) {
        size_t j = i, fwd = 0;
        while (j < nh && h[j].key == h[i].key)
            fwd += h[j++].fwd;
        size_t n = j - i;
        out->edges++;
        if (n == 1)
            out->boundary_edges++;
        else if (n > 2)
            out->nonmanifold_edges++;
        else if (fwd != 1)
            out->misoriented_edges++;
        i = j;
    }
}

static uint32_t find(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

/* Root vertex of each triangle's part in root[t]; parent is nv long. */
static void union_triangles(const fx_mesh *m, uint32_t *parent)
{
    for (size_t i = 0; i < m->nv; i++)
        parent[i] = (uint32_t)i;
    for (size_t t = 0; t < m->nt; t++) {
        uint32_t a = find(parent, m->t[3 * t]);
        for (int k = 1; k < 3; k++) {
            uint32_t b = find(parent, m->t[3 * t + k]);
            if (a != b)
                parent[b] = a;
        }
    }
}

int fx_surface_check(const fx_mesh *m, fx_surface_topology *out, fx_error *err)
{
    half *h = NULL;
    uint32_t *parent = NULL;
    uint8_t *used = NULL;
    int rc = fx_mesh_validate(m, "surface", err);

    memset(out, 0, sizeof(*out));
    if (rc)
        return rc;
    h = malloc((3 * m->nt + 1) * sizeof(*h));
    parent = malloc((m->nv + 1) * sizeof(*parent));
    used = calloc(m->nv + 1, 1);
    if (!h || !parent || !used) {
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate the edges of %zu triangles", m->nt);
        goto out;
    }
    size_t nh = 0;
    for (size_t t = 0; t < m->nt; t++) {
        const uint32_t *v = m->t + 3 * t;
        if (v[0] == v[1] || v[1] == v[2] || v[0] == v[2])
            out->degenerate_triangles++;
        for (int k = 0; k < 3; k++) {
            uint32_t a = v[k], b = v[(k + 1) % 3];
            used[a] = 1;
            if (a == b)
                continue;
            h[nh].key = a < b ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
            h[nh++].fwd = a < b;
        }
    }
    qsort(h, nh, sizeof(*h), cmp_half);
    count_edges(h, nh, out);
    union_triangles(m, parent);
    for (size_t i = 0; i < m->nv; i++)
        if (used[i]) {
            out->vertices++;
            out->components += find(parent, (uint32_t)i) == i;
        }
    out->triangles = m->nt;
    out->euler = (long)out->vertices - (long)out->edges + (long)out->triangles;
    out->closed = m->nt > 0 && !out->boundary_edges && !out->nonmanifold_edges &&
                  !out->misoriented_edges;
out:
    free(h), free(parent), free(used);
    return rc;
}

typedef struct part {
    uint32_t root;
    size_t n;
} part;

static int cmp_part(const void *a, const void *b)
{
    const part *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return x->root < y->root ? -1 : x->root > y->root;
}

/* Number the parts by decreasing size: rank[root] = part number. */
static int rank_parts(const fx_mesh *m, uint32_t *parent, uint32_t *rank, size_t *ncomp)
{
    size_t *count = calloc(m->nv + 1, sizeof(size_t)), np = 0;
    part *parts = NULL;
    if (!count)
        return -1;
    for (size_t t = 0; t < m->nt; t++)
        if (count[find(parent, m->t[3 * t])]++ == 0)
            np++;
    parts = malloc((np + 1) * sizeof(*parts));
    if (!parts) {
        free(count);
        return -1;
    }
    np = 0;
    for (size_t i = 0; i < m->nv; i++)
        if (count[i])
            parts[np++] = (part){(uint32_t)i, count[i]};
    qsort(parts, np, sizeof(*parts), cmp_part);
    for (size_t p = 0; p < np; p++)
        rank[parts[p].root] = (uint32_t)p;
    *ncomp = np;
    free(count), free(parts);
    return 0;
}

int fx_surface_components(const fx_mesh *m, uint32_t **comp, size_t *ncomp, fx_error *err)
{
    uint32_t *parent = malloc((m->nv + 1) * sizeof(*parent));
    uint32_t *rank = malloc((m->nv + 1) * sizeof(*rank));
    int rc = FX_OK;

    *comp = malloc((m->nt + 1) * sizeof(**comp));
    *ncomp = 0;
    if (!parent || !rank || !*comp) {
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate surface parts");
        goto out;
    }
    union_triangles(m, parent);
    if (rank_parts(m, parent, rank, ncomp)) {
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate surface parts");
        goto out;
    }
    for (size_t t = 0; t < m->nt; t++)
        (*comp)[t] = rank[find(parent, m->t[3 * t])];
out:
    if (rc) {
        free(*comp);
        *comp = NULL;
    }
    free(parent), free(rank);
    return rc;
}

int fx_surface_keep_component(fx_mesh *m, size_t which, fx_error *err)
{
    uint32_t *comp, *map;
    size_t ncomp, nt = 0, nv = 0;
    int rc = fx_surface_components(m, &comp, &ncomp, err);
    if (rc)
        return rc;
    map = malloc((m->nv + 1) * sizeof(*map));
    if (!map) {
        free(comp);
        return fx_fail(err, FX_ENOMEM, "cannot allocate a vertex map");
    }
    memset(map, 0xff, (m->nv + 1) * sizeof(*map));
    for (size_t t = 0; t < m->nt; t++)
        if (comp[t] == which)
            for (int k = 0; k < 3; k++)
                map[m->t[3 * t + k]] = 0;
    /* New numbers in increasing old order, so compaction never overwrites a
     * vertex still to be moved. */
    for (size_t v = 0; v < m->nv; v++) {
        if (map[v] == UINT32_MAX)
            continue;
        map[v] = (uint32_t)nv;
        m->v[nv] = m->v[v];
        if (m->n)
            m->n[nv] = m->n[v];
        if (m->scalar)
            m->scalar[nv] = m->scalar[v];
        nv++;
    }
    for (size_t t = 0; t < m->nt; t++) {
        if (comp[t] != which)
            continue;
        for (int k = 0; k < 3; k++)
            m->t[3 * nt + k] = map[m->t[3 * t + k]];
        nt++;
    }
    m->nv = nv, m->nt = nt;
    free(comp), free(map);
    return FX_OK;
}
