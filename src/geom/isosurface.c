/*
 * isosurface.c - marching cubes over a padded grid, in two passes so that it
 * runs in parallel and writes a shared-vertex mesh without hashing.
 *
 * The padded grid has planes k = -1 .. nz and the same one-voxel ring in x and
 * y. Layer L (L = 0 .. nz) is the slab of cubes between planes L-1 and L. Each
 * layer owns the crossings on the x- and y-edges of its lower plane and on the
 * z-edges through the slab; it numbers them in scan order, xy-edges first.
 * Pass 1 counts each layer's crossings and triangles; prefix sums give every
 * layer its first vertex and triangle; pass 2 writes them. A layer can compute
 * the numbers of its upper plane's crossings on its own, because they depend
 * only on that plane. Rows are trimmed to the span of inside voxels (the idea
 * behind flying edges), so empty space costs one comparison per voxel.
 *
 * The case table fixes which crossings are joined (mctable.c); how a loop of
 * four or more crossings is cut into triangles is decided per cube from its
 * values: the triangulation whose inner chords pass closest to the iso-surface
 * of the trilinear interpolant. On thin structures (walls one or two voxels
 * thick) this keeps noticeably more of the true volume than any fixed
 * triangulation (docs/isosurface.md has the numbers); on smooth surfaces it
 * changes little. Chords are never drawn inside a cube face, so neighbours
 * still agree and the mesh stays watertight.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "fxaudit/filter.h"
#include "fxaudit/isosurface.h"
#include "mctable.h"

typedef struct plane {
    float *v;     /* W*H values, padded */
    uint8_t *in;  /* W*H inside flags */
    int *lo, *hi; /* per padded row: first and last inside column, lo > hi if none */
    uint32_t *xid, *yid; /* vertex numbers of x- and y-edge crossings */
} plane;

typedef struct ctx {
    const fx_volume *vol;
    int W, H, nz;
    float iso, pad;
    double A[9], o[3]; /* index -> world: o + A * ijk */
    int flip;          /* the grid mapping reverses orientation */
    size_t *nxy, *nzc, *ntri; /* per layer counts */
    size_t *vbase, *tbase;
    fx_mesh *mesh;
} ctx;

double fx_isosurface_pad_value(const fx_volume *v, double iso)
{
    double lo, hi;
    fx_volume_range(v, &lo, &hi);
    /* A solid filling the grid is then cut half a voxel beyond its outer centres. */
    return lo < iso ? lo : hi > iso ? 2 * iso - hi : iso - 1;
}

/* Convert one source row to float. */
static void load_row(const fx_volume *v, size_t off, int n, float *dst)
{
    switch (v->type) {
    case FX_VOX_I16: {
        const int16_t *s = (const int16_t *)v->data + off;
        for (int i = 0; i < n; i++)
            dst[i] = s[i];
        break;
    }
    case FX_VOX_U8: {
        const uint8_t *s = (const uint8_t *)v->data + off;
        for (int i = 0; i < n; i++)
            dst[i] = s[i];
        break;
    }
    case FX_VOX_U16: {
        const uint16_t *s = (const uint16_t *)v->data + off;
        for (int i = 0; i < n; i++)
            dst[i] = s[i];
        break;
    }
    case FX_VOX_F32: memcpy(dst, (const float *)v->data + off, (size_t)n * sizeof(float)); break;
    }
}

/* Fill padded plane k (-1 .. nz) with values, flags and row spans. */
static void fill_plane(const ctx *c, int k, plane *pl)
{
    int W = c->W, H = c->H, nx = W - 2;
    for (int r = 0; r < H; r++) {
        float *row = pl->v + (size_t)r * W;
        uint8_t *in = pl->in + (size_t)r * W;
        int lo = W, hi = -1;
        row[0] = row[W - 1] = c->pad;
        if (k < 0 || k >= c->nz || r == 0 || r == H - 1) {
            for (int i = 1; i < W - 1; i++)
                row[i] = c->pad;
        } else {
            size_t off = (size_t)nx * ((size_t)(r - 1) + (size_t)(H - 2) * (size_t)k);
            load_row(c->vol, off, nx, row + 1);
        }
        for (int i = 0; i < W; i++) {
            in[i] = row[i] >= c->iso;
            if (in[i]) {
                if (lo == W)
                    lo = i;
                hi = i;
            }
        }
        pl->lo[r] = lo, pl->hi[r] = hi;
    }
}

static void put_vertex(const ctx *c, uint32_t id, double i, double j, double k)
{
    const double *A = c->A;
    c->mesh->v[id] = fx_v3(c->o[0] + A[0] * i + A[1] * j + A[2] * k,
                           c->o[1] + A[3] * i + A[4] * j + A[5] * k,
                           c->o[2] + A[6] * i + A[7] * j + A[8] * k);
}

static double frac(float iso, float a, float b) { return (iso - a) / (b - a); }

/* Number (and, when `write`, place) the xy-edge crossings of plane k starting
 * at `base`; returns how many there are. With base == NULL only counts. */
static size_t plane_xy(const ctx *c, const plane *pl, int k, const size_t *base, int write)
{
    int W = c->W, H = c->H;
    size_t n = 0;
    for (int r = 0; r < H; r++) {
        int lo = pl->lo[r], hi = pl->hi[r];
        if (r + 1 < H) {
            lo = pl->lo[r + 1] < lo ? pl->lo[r + 1] : lo;
            hi = pl->hi[r + 1] > hi ? pl->hi[r + 1] : hi;
        }
        if (lo > hi)
            continue;
        for (int i = lo - 1; i <= hi; i++) {
            size_t p = (size_t)r * W + i;
            if (pl->in[p] != pl->in[p + 1]) {
                if (base) {
                    pl->xid[p] = (uint32_t)(*base + n);
                    if (write)
                        put_vertex(c, pl->xid[p], i - 1 + frac(c->iso, pl->v[p], pl->v[p + 1]),
                                   r - 1, k);
                }
                n++;
            }
            if (r + 1 < H && pl->in[p] != pl->in[p + W]) {
                if (base) {
                    pl->yid[p] = (uint32_t)(*base + n);
                    if (write)
                        put_vertex(c, pl->yid[p], i - 1,
                                   r - 1 + frac(c->iso, pl->v[p], pl->v[p + W]), k);
                }
                n++;
            }
        }
    }
    return n;
}

/* z-edge crossings between planes k and k+1, numbered from `base`. */
static size_t slab_z(const ctx *c, const plane *a, const plane *b, int k, uint32_t *zid,
                     const size_t *base)
{
    size_t n = 0;
    for (int r = 0; r < c->H; r++) {
        int lo = a->lo[r] < b->lo[r] ? a->lo[r] : b->lo[r];
        int hi = a->hi[r] > b->hi[r] ? a->hi[r] : b->hi[r];
        for (int i = lo; i <= hi; i++) {
            size_t p = (size_t)r * c->W + i;
            if (a->in[p] == b->in[p])
                continue;
            if (base) {
                zid[p] = (uint32_t)(*base + n);
                put_vertex(c, zid[p], i - 1, r - 1, k + frac(c->iso, a->v[p], b->v[p]));
            }
            n++;
        }
    }
    return n;
}

/* Trilinear interpolation of the corner values at local (x, y, z) in [0,1]^3. */
static double trilinear(const float cv[8], const double q[3])
{
    double x0 = cv[0] + q[0] * (cv[1] - cv[0]), x1 = cv[2] + q[0] * (cv[3] - cv[2]);
    double x2 = cv[4] + q[0] * (cv[5] - cv[4]), x3 = cv[6] + q[0] * (cv[7] - cv[6]);
    double y0 = x0 + q[1] * (x1 - x0), y1 = x2 + q[1] * (x3 - x2);
    return y0 + q[2] * (y1 - y0);
}

/* How far the midpoint of the chord between crossings on edges ea and eb is
 * from the iso-surface of the trilinear interpolant, in value units; a chord
 * lying in a cube face may not be used (the neighbour could use it too). */
static double chord_cost(const double pos[12][3], int ea, int eb, const float cv[8],
                         float iso)
{
    if (fx_mc_same_face[ea][eb])
        return HUGE_VAL;
    double mid[3] = {0.5 * (pos[ea][0] + pos[eb][0]), 0.5 * (pos[ea][1] + pos[eb][1]),
                     0.5 * (pos[ea][2] + pos[eb][2])};
    return fabs(trilinear(cv, mid) - iso);
}

/* Triangulate one loop of n >= 4 crossings: among all triangulations, the one
 * whose inner chords stay closest to the interpolant's iso-surface (dynamic
 * programming over sub-polygons). Writes n - 2 triangles of loop positions. */
static void triangulate(const uint8_t *loop, int n, const double pos[12][3], const float cv[8],
                        float iso, uint8_t out[][3])
{
    double cost[12][12];
    int8_t split[12][12];
    for (int len = 2; len < n; len++)
        for (int i = 0; i + len < n; i++) {
            int j = i + len;
            double chord = (i == 0 && j == n - 1) ? 0 : chord_cost(pos, loop[i], loop[j], cv, iso);
            cost[i][j] = HUGE_VAL, split[i][j] = (int8_t)(i + 1);
            for (int k = i + 1; k < j; k++) {
                double w = (k - i > 1 ? cost[i][k] : 0) + (j - k > 1 ? cost[k][j] : 0);
                if (w < cost[i][j])
                    cost[i][j] = w, split[i][j] = (int8_t)k;
            }
            cost[i][j] += chord;
        }
    int stack[12][2], top = 0, nt = 0;
    stack[top][0] = 0, stack[top][1] = n - 1, top++;
    while (top) {
        top--;
        int i = stack[top][0], j = stack[top][1], k = split[i][j];
        out[nt][0] = (uint8_t)i, out[nt][1] = (uint8_t)k, out[nt][2] = (uint8_t)j, nt++;
        if (k - i > 1)
            stack[top][0] = i, stack[top][1] = k, top++;
        if (j - k > 1)
            stack[top][0] = k, stack[top][1] = j, top++;
    }
}

/* Write the triangles of one cube: triangles stay as they are; larger loops
 * are triangulated for this cube's values. */
static void emit_case(const ctx *c, const fx_mc_case *mc, const uint32_t e[12],
                      const float cv[8], uint32_t *dst)
{
    const uint8_t *loop = mc->loop;
    double pos[12][3];
    int have_pos = 0;
    for (int q = 0; q < mc->nloops; loop += mc->loop_len[q++]) {
        int n = mc->loop_len[q];
        uint8_t tri[10][3] = {{0, 1, 2}};
        if (n > 3) {
            if (!have_pos) {
                for (int k = 0; k < 12; k++) {
                    int c0 = fx_mc_edge_corner[k][0], c1 = fx_mc_edge_corner[k][1];
                    double t = cv[c0] == cv[c1] ? 0.5 : (c->iso - cv[c0]) / (cv[c1] - cv[c0]);
                    for (int ax = 0; ax < 3; ax++) {
                        int b0 = (c0 >> ax) & 1, b1 = (c1 >> ax) & 1;
                        pos[k][ax] = b0 + t * (b1 - b0);
                    }
                }
                have_pos = 1;
            }
            triangulate(loop, n, pos, cv, c->iso, tri);
        }
        for (int t = 0; t < n - 2; t++, dst += 3) {
            dst[0] = e[loop[tri[t][0]]];
            dst[1] = e[loop[tri[t][c->flip ? 2 : 1]]];
            dst[2] = e[loop[tri[t][c->flip ? 1 : 2]]];
        }
    }
}

/* Triangles of the cubes between planes a and b; written from `tbase` when not
 * NULL. Returns the count. */
static size_t slab_cubes(const ctx *c, const plane *a, const plane *b, const uint32_t *zid,
                         const size_t *tbase)
{
    int W = c->W;
    size_t nt = 0;
    for (int r = 0; r + 1 < c->H; r++) {
        int lo = W, hi = -1;
        const plane *ps[2] = {a, b};
        for (int q = 0; q < 4; q++) {
            const plane *pl = ps[q >> 1];
            int rr = r + (q & 1);
            lo = pl->lo[rr] < lo ? pl->lo[rr] : lo;
            hi = pl->hi[rr] > hi ? pl->hi[rr] : hi;
        }
        for (int i = lo - 1; i <= hi && lo <= hi; i++) {
            size_t p = (size_t)r * W + i;
            int cs = a->in[p] | a->in[p + 1] << 1 | a->in[p + W] << 2 | a->in[p + W + 1] << 3 |
                     b->in[p] << 4 | b->in[p + 1] << 5 | b->in[p + W] << 6 |
                     b->in[p + W + 1] << 7;
            /* Table corner bits: x is bit 0, y bit 1, z bit 2. */
            const fx_mc_case *mc = &fx_mc_cases[cs];
            if (!mc->ntri)
                continue;
            if (tbase) {
                uint32_t e[12] = {a->xid[p], a->xid[p + W], b->xid[p], b->xid[p + W],
                                  a->yid[p], a->yid[p + 1], b->yid[p], b->yid[p + 1],
                                  zid[p], zid[p + 1], zid[p + W], zid[p + W + 1]};
                float cv[8] = {a->v[p], a->v[p + 1], a->v[p + W], a->v[p + W + 1],
                               b->v[p], b->v[p + 1], b->v[p + W], b->v[p + W + 1]};
                emit_case(c, mc, e, cv, c->mesh->t + 3 * (*tbase + nt));
            }
            nt += mc->ntri;
        }
    }
    return nt;
}

static int plane_alloc(plane *pl, size_t wh, int H)
{
    pl->v = malloc(wh * sizeof(float));
    pl->in = malloc(wh);
    pl->lo = malloc((size_t)H * sizeof(int));
    pl->hi = malloc((size_t)H * sizeof(int));
    pl->xid = malloc(wh * sizeof(uint32_t));
    pl->yid = malloc(wh * sizeof(uint32_t));
    return pl->v && pl->in && pl->lo && pl->hi && pl->xid && pl->yid;
}

static void plane_free(plane *pl)
{
    free(pl->v), free(pl->in), free(pl->lo), free(pl->hi), free(pl->xid), free(pl->yid);
}

/* One chunk of layers [L0, L1): count (emit == 0) or write (emit == 1). */
static void run_chunk(ctx *c, int L0, int L1, int emit, plane *cur, plane *nxt, uint32_t *zid)
{
    fill_plane(c, L0 - 1, cur);
    if (emit)
        plane_xy(c, cur, L0 - 1, &c->vbase[L0], 1);
    for (int L = L0; L < L1; L++) {
        fill_plane(c, L, nxt);
        if (!emit) {
            c->nxy[L] = plane_xy(c, cur, L - 1, NULL, 0);
            c->nzc[L] = slab_z(c, cur, nxt, L - 1, NULL, NULL);
            c->ntri[L] = slab_cubes(c, cur, nxt, NULL, NULL);
        } else {
            size_t zb = c->vbase[L] + c->nxy[L];
            slab_z(c, cur, nxt, L - 1, zid, &zb);
            plane_xy(c, nxt, L, &c->vbase[L + 1], L + 1 < L1);
            slab_cubes(c, cur, nxt, zid, &c->tbase[L]);
        }
        plane *t = cur;
        cur = nxt, nxt = t;
    }
}

/* Both passes over all layers, chunks shared among threads. */
static int run_pass(ctx *c, int emit, int threads)
{
    int NL = c->nz + 1, chunk = 4, nchunks = (NL + chunk - 1) / chunk, failed = 0;
    size_t wh = (size_t)c->W * c->H;
    (void)threads;
#ifdef _OPENMP
    int nth = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel num_threads(nth) reduction(| : failed)
#endif
    {
        plane a = {0}, b = {0};
        uint32_t *zid = malloc(wh * sizeof(uint32_t));
        if (!plane_alloc(&a, wh, c->H) || !plane_alloc(&b, wh, c->H) || !zid)
            failed = 1;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (int q = 0; q < nchunks; q++) {
            int L0 = q * chunk, L1 = L0 + chunk < NL ? L0 + chunk : NL;
            if (!failed)
                run_chunk(c, L0, L1, emit, &a, &b, zid);
        }
        plane_free(&a), plane_free(&b), free(zid);
    }
    return failed;
}

static void setup_geometry(ctx *c, const fx_volume *v)
{
    for (int r = 0; r < 3; r++)
        for (int col = 0; col < 3; col++)
            c->A[3 * r + col] = v->dir[3 * r + col] * v->spacing[col];
    for (int r = 0; r < 3; r++)
        c->o[r] = v->origin[r];
    const double *A = c->A;
    double det = A[0] * (A[4] * A[8] - A[5] * A[7]) - A[1] * (A[3] * A[8] - A[5] * A[6]) +
                 A[2] * (A[3] * A[7] - A[4] * A[6]);
    c->flip = det < 0;
}

static int prefix_sums(ctx *c, fx_error *err)
{
    int NL = c->nz + 1;
    c->vbase[0] = c->tbase[0] = 0;
    for (int L = 0; L < NL; L++) {
        c->vbase[L + 1] = c->vbase[L] + c->nxy[L] + c->nzc[L];
        c->tbase[L + 1] = c->tbase[L] + c->ntri[L];
    }
    if (c->vbase[NL] >= UINT32_MAX)
        return fx_fail(err, FX_EUNSUPPORTED, "isosurface has %zu vertices, more than 32-bit "
                       "indices hold", c->vbase[NL]);
    return fx_mesh_alloc(c->vbase[NL], c->tbase[NL], &c->mesh, err);
}

int fx_isosurface_extract(const fx_volume *v, const fx_iso_opts *opts, fx_mesh **out,
                          fx_error *err)
{
    ctx c = {0};
    int rc, NL;

    *out = NULL;
    rc = fx_volume_check_geometry(v, err);
    if (rc)
        return rc;
    if (!isfinite(opts->iso))
        return fx_fail(err, FX_EINVAL, "iso-value is not a finite number");
    fx_mc_table_init();
    c.vol = v;
    c.W = v->dims[0] + 2, c.H = v->dims[1] + 2, c.nz = v->dims[2];
    c.iso = (float)opts->iso;
    c.pad = (float)fx_isosurface_pad_value(v, opts->iso);
    setup_geometry(&c, v);
    NL = c.nz + 1;
    c.nxy = calloc((size_t)NL, sizeof(size_t));
    c.nzc = calloc((size_t)NL, sizeof(size_t));
    c.ntri = calloc((size_t)NL, sizeof(size_t));
    c.vbase = calloc((size_t)NL + 1, sizeof(size_t));
    c.tbase = calloc((size_t)NL + 1, sizeof(size_t));
    if (!c.nxy || !c.nzc || !c.ntri || !c.vbase || !c.tbase) {
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate isosurface counters");
        goto out;
    }
    if (run_pass(&c, 0, opts->threads)) {
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate isosurface plane buffers");
        goto out;
    }
    rc = prefix_sums(&c, err);
    if (rc)
        goto out;
    if (run_pass(&c, 1, opts->threads)) {
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate isosurface plane buffers");
        goto out;
    }
    *out = c.mesh;
    c.mesh = NULL;
out:
    fx_mesh_free(c.mesh);
    free(c.nxy), free(c.nzc), free(c.ntri), free(c.vbase), free(c.tbase);
    return rc;
}

int fx_isosurface_label(const fx_volume *labels, unsigned label, double sigma_mm,
                        const fx_iso_opts *opts, fx_mesh **out, fx_error *err)
{
    fx_volume *mask = NULL;
    fx_iso_opts o = *opts;
    size_t n = fx_volume_count(labels);
    int rc;

    *out = NULL;
    if (labels->type == FX_VOX_F32)
        return fx_fail(err, FX_EINVAL, "a label surface needs an integer volume, not float");
    rc = fx_volume_new_like(labels, FX_VOX_F32, &mask, err);
    if (rc)
        return rc;
    float *d = mask->data;
    for (size_t i = 0; i < n; i++) {
        double x = labels->type == FX_VOX_U8    ? ((const uint8_t *)labels->data)[i]
                   : labels->type == FX_VOX_U16 ? ((const uint16_t *)labels->data)[i]
                                                : ((const int16_t *)labels->data)[i];
        d[i] = label ? x == label : x != 0;
    }
    rc = fx_volume_gaussian(mask, sigma_mm, err);
    o.iso = 0.5;
    if (!rc)
        rc = fx_isosurface_extract(mask, &o, out, err);
    fx_volume_free(mask);
    return rc;
}
