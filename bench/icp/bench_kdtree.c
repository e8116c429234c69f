/*
 * bench_kdtree.c - nearest-neighbour queries per second of fx_kdtree on one
 * core: 100,000 points on a 50 mm sphere with 0.2 mm noise (a bone-like
 * surface sampling, 0.56 mm apart), queried 0.2 mm off the surface (as ICP
 * queries near convergence), 1 mm off, and 5 mm off (early iterations).
 * Median of 5 runs of 500,000 queries each: one by one in random order
 * (fx_kdtree_nearest); as one batch (fx_kdtree_nearest_many, which answers
 * them in Z-order, its radix sort timed); one by one after sorting them along
 * a Z-order (Morton) curve with qsort, with and without that sort. (Queries far inside a sphere
 * are a pathological case for any k-d tree: every point is about equally far.)
 *
 * usage: bench_kdtree
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fxaudit/kdtree.h"

/* CPU time of this thread: the machine is shared, and the question is the
 * rate per core, not how much of a core the scheduler gave us. */
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static uint64_t s = 88172645463325252ull;
static double uni(void)
{
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    return (double)(s >> 11) * 0x1.0p-53;
}

static fx_vec3 on_sphere(double r)
{
    fx_vec3 v;
    do
        v = fx_v3(2 * uni() - 1, 2 * uni() - 1, 2 * uni() - 1);
    while (fx_v3_dot(v, v) > 1 || fx_v3_dot(v, v) < 1e-6);
    return fx_v3_scale(fx_v3_unit(v), r);
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Interleave the bits of three 21-bit integers (a Morton code). */
static uint64_t spread3(uint64_t x)
{
    x &= 0x1fffff;
    x = (x | x << 32) & 0x1f00000000ffffull;
    x = (x | x << 16) & 0x1f0000ff0000ffull;
    x = (x | x << 8) & 0x100f00f00f00f00full;
    x = (x | x << 4) & 0x10c30c30c30c30c3ull;
    x = (x | x << 2) & 0x1249249249249249ull;
    return x;
}

typedef struct keyed {
    uint64_t key;
    fx_vec3 q;
} keyed;

static int by_key(const void *a, const void *b)
{
    uint64_t x = ((const keyed *)a)->key, y = ((const keyed *)b)->key;
    return (x > y) - (x < y);
}

/* Reorder the queries along a Z-order curve over their bounding box (what a
 * caller that owns its query order can do); returns the CPU seconds it took. */
static double morton_sort(fx_vec3 *q, size_t nq)
{
    double t0 = now();
    fx_vec3 lo = q[0], hi = q[0];
    for (size_t i = 1; i < nq; i++) {
        lo = fx_v3(fmin(lo.x, q[i].x), fmin(lo.y, q[i].y), fmin(lo.z, q[i].z));
        hi = fx_v3(fmax(hi.x, q[i].x), fmax(hi.y, q[i].y), fmax(hi.z, q[i].z));
    }
    double ext = fmax(hi.x - lo.x, fmax(hi.y - lo.y, hi.z - lo.z)) + 1e-9;
    keyed *k = malloc(nq * sizeof(*k));
    for (size_t i = 0; i < nq; i++) {
        double sc = 2097151.0 / ext;
        k[i].key = spread3((uint64_t)((q[i].x - lo.x) * sc)) |
                   spread3((uint64_t)((q[i].y - lo.y) * sc)) << 1 |
                   spread3((uint64_t)((q[i].z - lo.z) * sc)) << 2;
        k[i].q = q[i];
    }
    qsort(k, nq, sizeof(*k), by_key);
    for (size_t i = 0; i < nq; i++)
        q[i] = k[i].q;
    free(k);
    return now() - t0;
}

/* The same queries through fx_kdtree_nearest_many (Z-order inside, its
 * sort timed), median of 5. */
static double rate_many(const fx_kdtree *t, const fx_vec3 *q, size_t nq)
{
    double runs[5];
    size_t *idx = malloc(nq * sizeof(size_t));
    double *d2 = malloc(nq * sizeof(double));
    for (int r = 0; r < 5; r++) {
        double t0 = now();
        if (!idx || !d2 || fx_kdtree_nearest_many(t, q, nq, idx, d2, NULL))
            exit(1);
        runs[r] = (double)nq / (now() - t0);
    }
    free(idx), free(d2);
    qsort(runs, 5, sizeof(double), cmp);
    return runs[2];
}

static double rate(const fx_kdtree *t, const fx_vec3 *q, size_t nq)
{
    double runs[5], sink = 0;
    for (int r = 0; r < 5; r++) {
        double t0 = now();
        for (size_t i = 0; i < nq; i++) {
            double d2;
            sink += (double)fx_kdtree_nearest(t, q[i], &d2) + d2;
        }
        runs[r] = (double)nq / (now() - t0);
    }
    qsort(runs, 5, sizeof(double), cmp);
    return sink == -1 ? 0 : runs[2];
}

int main(void)
{
    enum { N = 100000, Q = 500000 };
    fx_vec3 *p = malloc(N * sizeof(*p)), *q = malloc(Q * sizeof(*q));
    for (size_t i = 0; i < N; i++)
        p[i] = on_sphere(50 + 0.2 * (uni() - 0.5));
    fx_kdtree *t;
    double t0 = now();
    if (fx_kdtree_build(p, N, &t, NULL))
        return 1;
    double build = now() - t0;
    printf("build of %d points: %.1f ms\n", N, 1e3 * build);
    const double off_mm[] = {0.2, 1.0, 5.0};
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; i < Q; i++)
            q[i] = on_sphere(50 + (uni() < 0.5 ? -off_mm[k] : off_mm[k]));
        printf("queries %.1f mm off the surface: %.2f million/s (one core)\n", off_mm[k],
               rate(t, q, Q) / 1e6);
        printf("  one batch, fx_kdtree_nearest_many: %.2f million/s (one core)\n",
               rate_many(t, q, Q) / 1e6);
        double sort_s = morton_sort(q, Q);
        double r = rate(t, q, Q);
        printf("  pre-sorted in Z-order: %.2f million/s; with that qsort (%.0f ms): %.2f million/s\n",
               r / 1e6, 1e3 * sort_s, (double)Q / ((double)Q / r + sort_s) / 1e6);
    }
    fx_kdtree_free(t);
    free(p);
    free(q);
    return 0;
}
