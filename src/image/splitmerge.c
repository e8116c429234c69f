/*
 * splitmerge.c - automatic separation of touching bone fragments: an
 * erosion-seeded watershed on the distance map (fx_segment_split) cuts the
 * bone at every local constriction, then neighbouring regions whose common
 * boundary is no neck are merged again.
 *
 * Neck test (the "dynamics" of the distance map's maxima, in ratio form):
 * two regions meeting at a saddle of depth s (the largest distance to the
 * background on their common boundary) are one piece unless s is well below
 * the thinner region's own largest depth p: merged while s >= ratio * p.
 * Thin plates and tubes of one bone have s close to p everywhere; two
 * fragments touching at a contact narrower than their bodies do not.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/splitmerge.h"

#define MAX_REGIONS 2048

typedef struct graph {
    size_t n;            /* regions 1..n */
    double *peak;        /* [n + 1] largest depth, mm */
    double *saddle;      /* [(n + 1)^2] largest boundary depth, mm; 0: not adjacent */
    size_t *contact;     /* [(n + 1)^2] boundary faces */
    size_t *voxels;      /* [n + 1] */
    uint16_t *root;      /* [n + 1] union-find */
} graph;

static uint16_t find(graph *g, uint16_t a)
{
    while (g->root[a] != a)
        a = g->root[a] = g->root[g->root[a]];
    return a;
}

static int graph_build(const fx_volume *lab, const float *D2, size_t n, graph *g, fx_error *err)
{
    const uint16_t *l = lab->data;
    int nx = lab->dims[0], ny = lab->dims[1], nz = lab->dims[2];
    size_t sxy = (size_t)nx * ny, stride[3] = {1, (size_t)nx, sxy};

    g->n = n;
    g->peak = calloc(n + 1, sizeof(double));
    g->saddle = calloc((n + 1) * (n + 1), sizeof(double));
    g->contact = calloc((n + 1) * (n + 1), sizeof(size_t));
    g->voxels = calloc(n + 1, sizeof(size_t));
    g->root = calloc(n + 1, sizeof(uint16_t));
    if (!g->peak || !g->saddle || !g->contact || !g->voxels || !g->root)
        return fx_fail(err, FX_ENOMEM, "cannot allocate the region graph");
    for (size_t a = 0; a <= n; a++)
        g->root[a] = (uint16_t)a;
    for (int z = 0; z < nz; z++)
        for (int y = 0; y < ny; y++)
            for (int x = 0; x < nx; x++) {
                size_t i = (size_t)x + (size_t)nx * y + sxy * z;
                unsigned a = l[i];
                if (!a)
                    continue;
                double d = sqrt(D2[i]);
                g->voxels[a]++;
                g->peak[a] = fmax(g->peak[a], d);
                int at[3] = {x, y, z}, dim[3] = {nx, ny, nz};
                for (int k = 0; k < 3; k++) {
                    if (at[k] + 1 >= dim[k])
                        continue;
                    unsigned b = l[i + stride[k]];
                    if (!b || b == a)
                        continue;
                    double s = fmin(d, sqrt(D2[i + stride[k]]));
                    size_t ab = a * (n + 1) + b, ba = b * (n + 1) + a;
                    g->saddle[ab] = g->saddle[ba] = fmax(g->saddle[ab], s);
                    g->contact[ab]++, g->contact[ba]++;
                }
            }
    return FX_OK;
}

static void graph_free(graph *g)
{
    free(g->peak), free(g->saddle), free(g->contact), free(g->voxels), free(g->root);
}

/* b into a: a takes b's peak, adjacency and size. */
static void merge(graph *g, uint16_t a, uint16_t b)
{
    size_t n1 = g->n + 1;
    g->root[b] = a;
    g->peak[a] = fmax(g->peak[a], g->peak[b]);
    g->voxels[a] += g->voxels[b];
    for (size_t c = 1; c < n1; c++) {
        if (c == a || c == b)
            continue;
        g->saddle[a * n1 + c] = g->saddle[c * n1 + a] =
            fmax(g->saddle[a * n1 + c], g->saddle[b * n1 + c]);
        g->contact[a * n1 + c] += g->contact[b * n1 + c];
        g->contact[c * n1 + a] = g->contact[a * n1 + c];
    }
    g->saddle[a * n1 + b] = g->saddle[b * n1 + a] = 0;
}

/* Merge the pair with the highest saddle / thinner peak while it reaches
 * `ratio`. */
static void merge_necks(graph *g, double ratio)
{
    size_t n1 = g->n + 1;
    for (;;) {
        double best = 0;
        uint16_t ba = 0, bb = 0;
        for (size_t a = 1; a < n1; a++)
            for (size_t b = a + 1; b < n1 && g->root[a] == a; b++) {
                if (g->root[b] != b || g->saddle[a * n1 + b] <= 0)
                    continue;
                double r = g->saddle[a * n1 + b] / fmin(g->peak[a], g->peak[b]);
                if (r > best)
                    best = r, ba = (uint16_t)a, bb = (uint16_t)b;
            }
        if (best < ratio || !ba)
            return;
        if (g->voxels[bb] > g->voxels[ba]) {
            uint16_t t = ba;
            ba = bb, bb = t;
        }
        merge(g, ba, bb);
    }
}

/* Regions under min_voxels go to the neighbour they share most faces with. */
static void merge_small(graph *g, size_t min_voxels)
{
    size_t n1 = g->n + 1;
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t a = 1; a < n1; a++) {
            if (g->root[a] != a || g->voxels[a] >= min_voxels)
                continue;
            size_t most = 0;
            uint16_t to = 0;
            for (size_t b = 1; b < n1; b++)
                if (b != a && g->root[b] == b && g->contact[a * n1 + b] > most)
                    most = g->contact[a * n1 + b], to = (uint16_t)b;
            if (to)
                merge(g, to, (uint16_t)a), changed = 1;
        }
    }
}

typedef struct rank {
    size_t n;
    uint16_t root;
} rank;

static int by_size(const void *x, const void *y)
{
    const rank *a = x, *b = y;
    return a->n != b->n ? (a->n > b->n ? -1 : 1) : a->root - b->root;
}

/* Final labels 1.. by decreasing size; regions still under min_voxels (alone
 * in the bone) are dropped. */
static int relabel(fx_volume *lab, graph *g, size_t min_voxels, fx_segment_part **parts,
                   size_t *nparts, fx_error *err)
{
    size_t n1 = g->n + 1, k = 0;
    rank *r = calloc(n1, sizeof(*r));
    uint16_t *map = calloc(n1, sizeof(*map));
    uint16_t *d = lab->data;
    if (!r || !map) {
        free(r), free(map);
        return fx_fail(err, FX_ENOMEM, "cannot allocate the relabelling");
    }
    for (size_t a = 1; a < n1; a++)
        if (g->root[a] == a && g->voxels[a] >= min_voxels)
            r[k++] = (rank){g->voxels[a], (uint16_t)a};
    qsort(r, k, sizeof(*r), by_size);
    for (size_t i = 0; i < k; i++)
        map[r[i].root] = (uint16_t)(i + 1);
    for (size_t i = 0, n = fx_volume_count(lab); i < n; i++)
        d[i] = d[i] ? map[find(g, d[i])] : 0;
    free(r), free(map);
    return fx_segment_count(lab, parts, nparts, err);
}

int fx_segment_split_merge(const fx_volume *mask, double erode_mm, double neck_ratio,
                           double min_mm3, fx_volume **labels, fx_segment_part **parts,
                           size_t *nparts, fx_error *err)
{
    fx_volume *D2 = NULL, *lab = NULL;
    fx_segment_part *sp = NULL;
    graph g;
    size_t n = 0;
    double vox = mask->spacing[0] * mask->spacing[1] * mask->spacing[2];
    size_t min_voxels = (size_t)ceil(min_mm3 / vox);
    int rc;

    memset(&g, 0, sizeof(g));
    *labels = NULL, *parts = NULL, *nparts = 0;
    /* seeds as small as a voxel's worth of core: the merging decides */
    if ((rc = fx_segment_split(mask, erode_mm, vox, &lab, &sp, &n, err)) ||
        (rc = fx_segment_distance2(mask, 1, &D2, err)))
        goto out;
    if (n >= MAX_REGIONS) {
        rc = fx_fail(err, FX_EUNSUPPORTED, "%zu regions are too many to merge", n);
        goto out;
    }
    if ((rc = graph_build(lab, D2->data, n, &g, err)))
        goto out;
    merge_necks(&g, neck_ratio);
    merge_small(&g, min_voxels);
    if (!(rc = relabel(lab, &g, min_voxels, parts, nparts, err)))
        *labels = lab, lab = NULL;
out:
    graph_free(&g);
    fx_volume_free(D2), fx_volume_free(lab);
    free(sp);
    return rc;
}
