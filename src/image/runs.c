/*
 * runs.c - run-length connected-component labelling (union-find over runs).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "runs.h"

static int push_run(fx_runs *r, int32_t a, int32_t b)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 4096;
        int32_t *x0 = realloc(r->x0, cap * sizeof(*x0));
        if (!x0)
            return -1;
        r->x0 = x0;
        int32_t *x1 = realloc(r->x1, cap * sizeof(*x1));
        if (!x1)
            return -1;
        r->x1 = x1;
        r->cap = cap;
    }
    r->x0[r->n] = a, r->x1[r->n] = b;
    r->n++;
    return 0;
}

static int find_runs(const uint8_t *d, const int dims[3], int want, fx_runs *r)
{
    size_t nrows = (size_t)dims[1] * dims[2];
    int nx = dims[0];
    r->row_start = malloc((nrows + 1) * sizeof(size_t));
    if (!r->row_start)
        return -1;
    for (size_t row = 0; row < nrows; row++) {
        const uint8_t *p = d + row * nx;
        r->row_start[row] = r->n;
        for (int i = 0; i < nx;) {
            if ((p[i] != 0) != want) {
                i++;
                continue;
            }
            int s = i;
            while (i < nx && (p[i] != 0) == want)
                i++;
            if (push_run(r, s, i - 1))
                return -1;
        }
    }
    r->row_start[nrows] = r->n;
    return 0;
}

static uint32_t root(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

static void unite(uint32_t *parent, uint32_t a, uint32_t b)
{
    a = root(parent, a), b = root(parent, b);
    if (a < b)
        parent[b] = a;
    else if (b < a)
        parent[a] = b;
}

/* Join the runs of rows ra and rb whose x ranges overlap (grown by ext). */
static void join_rows(const fx_runs *r, size_t ra, size_t rb, int ext, uint32_t *parent)
{
    size_t ia = r->row_start[ra], ea = r->row_start[ra + 1];
    size_t ib = r->row_start[rb], eb = r->row_start[rb + 1];
    while (ia < ea && ib < eb) {
        if (r->x0[ia] <= r->x1[ib] + ext && r->x0[ib] <= r->x1[ia] + ext)
            unite(parent, (uint32_t)ia, (uint32_t)ib);
        if (r->x1[ia] < r->x1[ib])
            ia++;
        else
            ib++;
    }
}

int fx_runs_label(const uint8_t *d, const int dims[3], int want, int conn, int planar,
                  fx_runs *r)
{
    int ny = dims[1], nz = dims[2], edge = conn >= 18, corner = conn == 26;
    uint32_t *parent;

    memset(r, 0, sizeof(*r));
    if (find_runs(d, dims, want, r))
        return -1;
    parent = malloc((r->n + 1) * sizeof(*parent));
    r->comp = malloc((r->n + 1) * sizeof(*r->comp));
    if (!parent || !r->comp) {
        free(parent);
        return -1;
    }
    for (size_t i = 0; i < r->n; i++)
        parent[i] = (uint32_t)i;
    for (int k = 0; k < nz; k++)
        for (int j = 0; j < ny; j++) {
            size_t row = (size_t)j + (size_t)ny * k;
            if (j > 0)
                join_rows(r, row, row - 1, edge, parent);
            if (planar || k == 0)
                continue;
            join_rows(r, row, row - ny, edge, parent);
            if (!edge)
                continue;
            if (j > 0)
                join_rows(r, row, row - ny - 1, corner, parent);
            if (j + 1 < ny)
                join_rows(r, row, row - ny + 1, corner, parent);
        }
    /* Roots are the smallest run of each part, so numbering roots in run order
     * numbers the parts in scan order. */
    r->ncomp = 0;
    for (size_t i = 0; i < r->n; i++) {
        uint32_t q = root(parent, (uint32_t)i);
        r->comp[i] = q == i ? (uint32_t)r->ncomp++ : r->comp[q];
    }
    free(parent);
    return 0;
}

void fx_runs_free(fx_runs *r)
{
    free(r->x0), free(r->x1), free(r->row_start), free(r->comp);
    memset(r, 0, sizeof(*r));
}
