/*
 * residuals.c - the registration's residuals as a histogram: how far each
 * post-op bone point lies from the plan's reference surface once registered.
 *
 * The RMS and inlier fraction the ICP reports say little about where the
 * misfit is; the histogram shows it: a tight peak below the trimming cut
 * (the matched bone, its width the noise of the two surfaces) and a tail
 * beyond it (fragments that moved, cut faces, bone the reference does not
 * have). Distances are exact closest points on the fixed triangles (BVH).
 * The cut is found anew here, by the ICP's own criterion (FRMSD, Chetverikov
 * et al. 2005) over all points, not taken from the ICP, whose cut is computed
 * on a subsample at its last iteration.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/auditposes.h"
#include "fxaudit/bvh.h"

enum { MAX_BINS = 200 };

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The FRMSD trimming distance of sorted distances d[0..n-1]: the k-th
 * smallest, k >= min_overlap * n, minimising rms(d[0..k-1]) / (k/n)^2. */
static double frmsd_cut(const double *d, size_t n, double min_overlap)
{
    double best = INFINITY, acc = 0, cut = d[n - 1];
    size_t kmin = (size_t)ceil(min_overlap * (double)n);
    for (size_t k = 0; k < n; k++) {
        acc += d[k] * d[k];
        if (k + 1 < kmin)
            continue;
        double xi = (double)(k + 1) / (double)n, e = sqrt(acc / (double)(k + 1));
        if (e / (xi * xi) < best) {
            best = e / (xi * xi);
            cut = d[k];
        }
    }
    return cut;
}

static int distances(const fx_mesh *moving, const fx_mesh *fixed, const fx_rigid *T, double *d,
                     fx_error *err)
{
    fx_bvh *tree = NULL;
    int rc = fx_bvh_build(fixed, &tree, err);
    if (rc)
        return rc;
    long n = (long)moving->nv;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 512)
#endif
    for (long i = 0; i < n; i++) {
        fx_closest c;
        fx_vec3 q = fx_rigid_apply(T, moving->v[i]);
        d[i] = fx_bvh_closest(tree, q, INFINITY, &c) ? sqrt(c.d2_mm2) : INFINITY;
    }
    fx_bvh_free(tree);
    return FX_OK;
}

int fx_audit_residuals(const fx_mesh *moving, const fx_mesh *fixed, const fx_rigid *T,
                       double bin_mm, double range_mm, double min_overlap, fx_audit_hist *out,
                       fx_error *err)
{
    size_t n = moving->nv;
    double *d;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!(bin_mm > 0))
        return fx_fail(err, FX_EINVAL, "residual histogram: bin width %g mm is not positive",
                       bin_mm);
    if (!n || !fixed->nt)
        return fx_fail(err, FX_EINVAL, "residual histogram: empty model (%zu points, %zu "
                       "triangles)", n, fixed->nt);
    if (!(d = malloc(n * sizeof(*d))))
        return fx_fail(err, FX_ENOMEM, "cannot allocate %zu residuals", n);
    if ((rc = distances(moving, fixed, T, d, err))) {
        free(d);
        return rc;
    }
    qsort(d, n, sizeof(*d), by_double);
    /* the cut rounded up to a bin edge (the slack keeps an exact edge where
     * it is); the fine bins reach at least range_mm so that histograms of
     * different registrations compare bin by bin */
    size_t below = (size_t)ceil(frmsd_cut(d, n, min_overlap) / bin_mm - 1e-9);
    size_t fine = (size_t)ceil(range_mm / bin_mm - 1e-9);
    below = below < 1 ? 1 : below > MAX_BINS - 1 ? MAX_BINS - 1 : below;
    fine = fine < below ? below : fine > MAX_BINS - 1 ? MAX_BINS - 1 : fine;
    out->bin_mm = bin_mm;
    out->cut_mm = (double)below * bin_mm;
    out->range_mm = (double)fine * bin_mm;
    out->nbins = fine + 1;
    out->n = n;
    out->max_mm = fmax(d[n - 1], out->range_mm + bin_mm);
    if (!(out->count = calloc(out->nbins, sizeof(size_t)))) {
        free(d);
        return fx_fail(err, FX_ENOMEM, "cannot allocate %zu bins", out->nbins);
    }
    double sum = 0, sum2 = 0;
    for (size_t i = 0; i < n; i++) {
        size_t b = (size_t)floor(d[i] / bin_mm);
        out->count[b < fine ? b : fine]++;
        sum += d[i];
        sum2 += d[i] * d[i];
    }
    out->mean_mm = sum / (double)n;
    out->rms_mm = sqrt(sum2 / (double)n);
    free(d);
    return FX_OK;
}

void fx_audit_hist_release(fx_audit_hist *h)
{
    if (!h)
        return;
    free(h->count);
    h->count = NULL;
    h->nbins = 0;
}
