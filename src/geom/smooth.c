/*
 * smooth.c - Taubin's lambda|mu smoothing (G. Taubin, "A signal processing
 * approach to fair surface design", SIGGRAPH 1995).
 *
 * Each iteration moves every vertex by lambda times the umbrella Laplacian
 * (mean of its neighbours minus itself) and then by mu < -lambda times the new
 * Laplacian. The pair is a low-pass filter whose gain at zero frequency is one,
 * so the model keeps its size, unlike repeated Laplacian smoothing. Neighbours
 * are held in a compressed row table built once; both steps run in parallel.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "fxaudit/surface.h"

typedef struct adjacency {
    size_t *start; /* nv + 1 */
    uint32_t *nbr;
} adjacency;

/* Neighbour lists are short (about a dozen entries): insertion sort. */
static void sort_small(uint32_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint32_t x = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1] > x; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

/* Neighbour lists without repeats: every triangle side gives each end the other. */
static int build_adjacency(const fx_mesh *m, adjacency *a)
{
    size_t *fill = calloc(m->nv + 1, sizeof(size_t));
    a->start = calloc(m->nv + 1, sizeof(size_t));
    a->nbr = malloc((6 * m->nt + 1) * sizeof(uint32_t));
    if (!fill || !a->start || !a->nbr) {
        free(fill);
        return -1;
    }
    for (size_t i = 0; i < 3 * m->nt; i++)
        a->start[m->t[i] + 1] += 2;
    for (size_t v = 0; v < m->nv; v++)
        a->start[v + 1] += a->start[v];
    for (size_t t = 0; t < m->nt; t++)
        for (int k = 0; k < 3; k++) {
            uint32_t p = m->t[3 * t + k], q = m->t[3 * t + (k + 1) % 3];
            a->nbr[a->start[p] + fill[p]++] = q;
            a->nbr[a->start[q] + fill[q]++] = p;
        }
    /* Sort and squeeze each list in place, then close the gaps. */
    size_t w = 0;
    for (size_t v = 0; v < m->nv; v++) {
        size_t s = a->start[v], e = s + fill[v], first = w;
        sort_small(a->nbr + s, e - s);
        for (size_t i = s; i < e; i++)
            if (i == s || a->nbr[i] != a->nbr[i - 1])
                a->nbr[w++] = a->nbr[i];
        a->start[v] = first;
    }
    a->start[m->nv] = w;
    free(fill);
    return 0;
}

static void laplace_step(const adjacency *a, const fx_vec3 *src, fx_vec3 *dst, size_t nv,
                         double f, int threads)
{
    (void)threads;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(threads > 0 ? threads : omp_get_max_threads()) if (nv > 20000)
#endif
    for (size_t v = 0; v < nv; v++) {
        size_t s = a->start[v], e = a->start[v + 1];
        fx_vec3 p = src[v];
        if (e == s) {
            dst[v] = p;
            continue;
        }
        double x = 0, y = 0, z = 0, w = 1.0 / (double)(e - s);
        for (size_t i = s; i < e; i++) {
            fx_vec3 q = src[a->nbr[i]];
            x += q.x, y += q.y, z += q.z;
        }
        dst[v] = fx_v3(p.x + f * (x * w - p.x), p.y + f * (y * w - p.y), p.z + f * (z * w - p.z));
    }
}

int fx_surface_smooth_taubin(fx_mesh *m, int iterations, double lambda, double mu,
                             int threads, fx_error *err)
{
    adjacency a = {0};
    fx_vec3 *tmp;

    if (!(lambda > 0 && lambda < 1 && mu < -lambda && mu > -1))
        return fx_fail(err, FX_EINVAL, "taubin smoothing needs 0 < lambda < 1 and "
                       "-1 < mu < -lambda (got %g, %g)", lambda, mu);
    if (iterations <= 0 || !m->nv)
        return FX_OK;
    tmp = malloc(m->nv * sizeof(*tmp));
    if (!tmp || build_adjacency(m, &a)) {
        free(tmp), free(a.start), free(a.nbr);
        return fx_fail(err, FX_ENOMEM, "cannot allocate smoothing tables for %zu vertices",
                       m->nv);
    }
    for (int it = 0; it < iterations; it++) {
        laplace_step(&a, m->v, tmp, m->nv, lambda, threads);
        laplace_step(&a, tmp, m->v, m->nv, mu, threads);
    }
    free(tmp), free(a.start), free(a.nbr);
    return m->n ? fx_mesh_compute_normals(m, err) : FX_OK;
}
