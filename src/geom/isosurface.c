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
    int k;        /* plane index, -1 .. nz */
    uint8_t *in;  /* W*H inside flags, padded */
    int *lo, *hi; /* per padded row: first and last inside column, lo > hi if none */
    uint32_t *xid, *yid; /* vertex numbers of x- and y-edge crossings */
} plane;

typedef struct ctx {
    const fx_volume *vol;
    int W, H, nz;
    float iso, pad;
    double A[9], o[3]; /* index -> world: o + A * ijk */
    int flip;          /* the grid mapping reverses orientation */
    int fixed_cut;     /* use the table's fixed fans where it has one */
    int *span;         /* per plane (k + 1) and row: first, last inside column,
                        * found by pass 1 so that pass 2 reads only those */
    size_t *nxy, *nzc, *ntri; /* per layer counts */
    size_t *vbase, *tbase;
    fx_mesh *mesh;
} ctx;

/* Minimum and maximum voxel, typed and in parallel (the generic
 * fx_volume_range costs as much as the extraction itself). */
#define RANGE_LOOP(T)                                                                   \
    do {                                                                                \
        const T *d = v->data;                                                           \
        T a = d[0], b = d[0];                                                           \
        OMP_MINMAX                                                                      \
        for (size_t i = 0; i < n; i++) {                                                \
            a = d[i] < a ? d[i] : a;                                                    \
            b = d[i] > b ? d[i] : b;                                                    \
        }                                                                               \
        *lo = a, *hi = b;                                                               \
    } while (0)
#ifdef _OPENMP
#define OMP_MINMAX _Pragma("omp parallel for simd reduction(min : a) reduction(max : b) num_threads(nth)")
#else
#define OMP_MINMAX
#endif

static void range(const fx_volume *v, int threads, double *lo, double *hi)
{
    size_t n = fx_volume_count(v);
#ifdef _OPENMP
    int nth = threads > 0 ? threads : omp_get_max_threads();
#else
    (void)threads;
#endif
    switch (v->type) {
    case FX_VOX_I16: RANGE_LOOP(int16_t); break;
    case FX_VOX_U8: RANGE_LOOP(uint8_t); break;
    case FX_VOX_U16: RANGE_LOOP(uint16_t); break;
    case FX_VOX_F32: RANGE_LOOP(float); break;
    }
}

static double pad_value(const fx_volume *v, double iso, int threads)
{
    double lo = 0, hi = 0;
    range(v, threads, &lo, &hi);
    /* A solid filling the grid is then cut half a voxel beyond its outer centres. */
    return lo < iso ? lo : hi > iso ? 2 * iso - hi : iso - 1;
}

double fx_isosurface_pad_value(const fx_volume *v, double iso)
{
    return pad_value(v, iso, 0);
}

#ifdef _OPENMP
#define SIMD _Pragma("omp simd")
#else
#define SIMD
#endif

/* Inside flags of one source row: value >= iso. Integer voxels compare with
 * ceil(iso), which is the same test without a conversion per voxel. */
static void flag_row(const ctx *c, size_t off, int n, uint8_t *dst)
{
    const fx_volume *v = c->vol;
    double t = ceil(c->iso);
    switch (v->type) {
    case FX_VOX_I16: {
        const int16_t *s = (const int16_t *)v->data + off;
        int th = t < -32768 ? -32768 : t > 32768 ? 32768 : (int)t;
        SIMD
        for (int i = 0; i < n; i++)
            dst[i] = s[i] >= th;
        break;
    }
    case FX_VOX_U8: {
        const uint8_t *s = (const uint8_t *)v->data + off;
        int th = t < 0 ? 0 : t > 256 ? 256 : (int)t;
        for (int i = 0; i < n; i++)
            dst[i] = s[i] >= th;
        break;
    }
    case FX_VOX_U16: {
        const uint16_t *s = (const uint16_t *)v->data + off;
        int th = t < 0 ? 0 : t > 65536 ? 65536 : (int)t;
        for (int i = 0; i < n; i++)
            dst[i] = s[i] >= th;
        break;
    }
    case FX_VOX_F32: {
        const float *s = (const float *)v->data + off;
        for (int i = 0; i < n; i++)
            dst[i] = s[i] >= c->iso;
        break;
    }
    }
}

/* First and last non-zero byte of a row (word at a time), lo > hi if none. */
static void row_span(const uint8_t *in, int W, int *lo, int *hi)
{
    int i = 0, j = W - 1;
    uint64_t w;
    while (i + 8 <= W && (memcpy(&w, in + i, 8), w == 0))
        i += 8;
    while (i < W && !in[i])
        i++;
    if (i == W) {
        *lo = W, *hi = -1;
        return;
    }
    while (j - 7 > i && (memcpy(&w, in + j - 7, 8), w == 0))
        j -= 8;
    while (!in[j])
        j--;
    *lo = i, *hi = j;
}

/* Fill padded plane k (-1 .. nz) with flags and row spans. Pass 1 (`known`
 * 0) reads every row and records the spans when `record`; pass 2 reads only
 * the recorded span of each row. */
static void fill_plane(const ctx *c, int k, plane *pl, int known, int record)
{
    int W = c->W, H = c->H, nx = W - 2;
    int *span = c->span + 2 * (size_t)H * (size_t)(k + 1);
    pl->k = k;
    for (int r = 0; r < H; r++) {
        uint8_t *in = pl->in + (size_t)r * W;
        size_t row0 = (size_t)nx * ((size_t)(r - 1) + (size_t)(H - 2) * (size_t)k);
        if (k < 0 || k >= c->nz || r == 0 || r == H - 1 || (known && span[2 * r] > span[2 * r + 1])) {
            memset(in, 0, (size_t)W);
            pl->lo[r] = W, pl->hi[r] = -1;
        } else if (known) {
            int lo = span[2 * r], hi = span[2 * r + 1];
            memset(in, 0, (size_t)W);
            flag_row(c, row0 + (size_t)(lo - 1), hi - lo + 1, in + lo);
            pl->lo[r] = lo, pl->hi[r] = hi;
        } else {
            in[0] = in[W - 1] = 0;
            flag_row(c, row0, nx, in + 1);
            row_span(in, W, &pl->lo[r], &pl->hi[r]);
        }
        if (record)
            span[2 * r] = pl->lo[r], span[2 * r + 1] = pl->hi[r];
    }
}

/* The value at padded position p of plane pl (the pad value on the ring). */
static float value_at(const ctx *c, const plane *pl, size_t p)
{
    int W = c->W, H = c->H, r = (int)(p / (size_t)W), i = (int)(p % (size_t)W);
    if (pl->k < 0 || pl->k >= c->nz || r == 0 || r == H - 1 || i == 0 || i == W - 1)
        return c->pad;
    size_t idx = (size_t)(i - 1) + (size_t)(W - 2) * ((size_t)(r - 1) + (size_t)(H - 2) * pl->k);
    switch (c->vol->type) {
    case FX_VOX_I16: return ((const int16_t *)c->vol->data)[idx];
    case FX_VOX_U8: return ((const uint8_t *)c->vol->data)[idx];
    case FX_VOX_U16: return ((const uint16_t *)c->vol->data)[idx];
    case FX_VOX_F32: return ((const float *)c->vol->data)[idx];
    }
    return c->pad;
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
                        put_vertex(c, pl->xid[p], i - 1 + frac(c->iso, value_at(c, pl, p), value_at(c, pl, p + 1)),
                                   r - 1, k);
                }
                n++;
            }
            if (r + 1 < H && pl->in[p] != pl->in[p + W]) {
                if (base) {
                    pl->yid[p] = (uint32_t)(*base + n);
                    if (write)
                        put_vertex(c, pl->yid[p], i - 1,
                                   r - 1 + frac(c->iso, value_at(c, pl, p), value_at(c, pl, p + W)), k);
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
                put_vertex(c, zid[p], i - 1, r - 1, k + frac(c->iso, value_at(c, a, p), value_at(c, b, p)));
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
        if (n > 3 && c->fixed_cut && mc->apex[q] >= 0) {
            for (int t = 0; t < n - 2; t++) {
                tri[t][0] = (uint8_t)mc->apex[q];
                tri[t][1] = (uint8_t)((mc->apex[q] + t + 1) % n);
                tri[t][2] = (uint8_t)((mc->apex[q] + t + 2) % n);
            }
        } else if (n > 3) {
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
/* Column bits 0..3 to the cube corners 0, 2, 4, 6 (x = 0); shifted left by
 * one they are corners 1, 3, 5, 7 (x = 1). */
static const uint8_t spread[16] = {0x00, 0x01, 0x04, 0x05, 0x10, 0x11, 0x14, 0x15,
                                   0x40, 0x41, 0x44, 0x45, 0x50, 0x51, 0x54, 0x55};

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
        if (lo > hi)
            continue;
        /* A column holds the four corners at one x: bit 0 (y, z), bit 1
         * (y+1, z), bit 2 (y, z+1), bit 3 (y+1, z+1). A cube is two columns;
         * where both are all outside or all inside nothing is cut. */
        const uint8_t *a0 = a->in + (size_t)r * W, *a1 = a0 + W;
        const uint8_t *b0 = b->in + (size_t)r * W, *b1 = b0 + W;
        int col = a0[lo - 1] | a1[lo - 1] << 1 | b0[lo - 1] << 2 | b1[lo - 1] << 3;
        for (int i = lo - 1; i <= hi; i++) {
            int prev = col;
            col = a0[i + 1] | a1[i + 1] << 1 | b0[i + 1] << 2 | b1[i + 1] << 3;
            if ((prev | col << 4) == 0 || (prev | col << 4) == 0xff)
                continue;
            size_t p = (size_t)r * W + i;
            int cs = spread[prev] | spread[col] << 1;
            /* Table corner bits: x is bit 0, y bit 1, z bit 2. */
            const fx_mc_case *mc = &fx_mc_cases[cs];
            if (!mc->ntri)
                continue;
            if (tbase) {
                uint32_t e[12] = {a->xid[p], a->xid[p + W], b->xid[p], b->xid[p + W],
                                  a->yid[p], a->yid[p + 1], b->yid[p], b->yid[p + 1],
                                  zid[p], zid[p + 1], zid[p + W], zid[p + W + 1]};
                float cv[8] = {value_at(c, a, p),     value_at(c, a, p + 1),
                               value_at(c, a, p + W), value_at(c, a, p + W + 1),
                               value_at(c, b, p),     value_at(c, b, p + 1),
                               value_at(c, b, p + W), value_at(c, b, p + W + 1)};
                emit_case(c, mc, e, cv, c->mesh->t + 3 * (*tbase + nt));
            }
            nt += mc->ntri;
        }
    }
    return nt;
}

static int plane_alloc(plane *pl, size_t wh, int H)
{
    pl->in = malloc(wh);
    pl->lo = malloc((size_t)H * sizeof(int));
    pl->hi = malloc((size_t)H * sizeof(int));
    pl->xid = malloc(wh * sizeof(uint32_t));
    pl->yid = malloc(wh * sizeof(uint32_t));
    return pl->in && pl->lo && pl->hi && pl->xid && pl->yid;
}

static void plane_free(plane *pl)
{
    free(pl->in), free(pl->lo), free(pl->hi), free(pl->xid), free(pl->yid);
}

/* One chunk of layers [L0, L1): count (emit == 0) or write (emit == 1). */
static void run_chunk(ctx *c, int L0, int L1, int emit, plane *cur, plane *nxt, uint32_t *zid)
{
    fill_plane(c, L0 - 1, cur, emit, !emit);
    if (emit)
        plane_xy(c, cur, L0 - 1, &c->vbase[L0], 1);
    for (int L = L0; L < L1; L++) {
        /* Plane L belongs to layer L + 1: record it only inside this chunk. */
        fill_plane(c, L, nxt, emit, !emit && L + 1 < L1);
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
    c.fixed_cut = opts->cut == FX_ISO_CUT_VTK;
    c.pad = (float)pad_value(v, opts->iso, opts->threads);
    setup_geometry(&c, v);
    NL = c.nz + 1;
    c.nxy = calloc((size_t)NL, sizeof(size_t));
    c.nzc = calloc((size_t)NL, sizeof(size_t));
    c.ntri = calloc((size_t)NL, sizeof(size_t));
    c.vbase = calloc((size_t)NL + 1, sizeof(size_t));
    c.tbase = calloc((size_t)NL + 1, sizeof(size_t));
    c.span = malloc(2 * (size_t)c.H * ((size_t)c.nz + 2) * sizeof(int));
    if (!c.nxy || !c.nzc || !c.ntri || !c.vbase || !c.tbase || !c.span) {
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
    free(c.nxy), free(c.nzc), free(c.ntri), free(c.vbase), free(c.tbase), free(c.span);
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
