/*
 * kdtree.h - static 3-D k-d tree over a point set, for nearest-neighbour
 * queries during surface registration.
 *
 * The tree is built once (median splits on the widest axis, small leaf
 * buckets) and then only read, so any number of threads may query it at the
 * same time. Distances are in the points' unit (mm).
 */
#ifndef FXAUDIT_KDTREE_H
#define FXAUDIT_KDTREE_H

#include <stddef.h>

#include "fxaudit/error.h"
#include "fxaudit/vec3.h"

typedef struct fx_kdtree fx_kdtree;

/* Build a tree over `n` points; the points are copied. On success *out owns a
 * new tree (free with fx_kdtree_free) and FX_OK is returned; on failure *out is
 * NULL and `err`, when not NULL, says why. n must be at least 1 and below 2^32;
 * every coordinate must be finite. */
int fx_kdtree_build(const fx_vec3 *pts, size_t n, fx_kdtree **out, fx_error *err);

/* Index (into the array given to build) of the point nearest to q; its squared
 * distance (mm^2) in *d2 when d2 is not NULL. Ties go to either point. */
size_t fx_kdtree_nearest(const fx_kdtree *t, fx_vec3 q, double *d2);

/* As fx_kdtree_nearest, but only points closer than sqrt(max_d2): returns
 * (size_t)-1 when there is none. Bounding the search makes queries far from
 * the points (early registration iterations) much cheaper. */
size_t fx_kdtree_nearest_within(const fx_kdtree *t, fx_vec3 q, double max_d2, double *d2);

/* fx_kdtree_nearest for n queries at once: idx[i] (and d2[i] when d2 is not
 * NULL) answer q[i]. The queries are answered in Z-order (a Morton curve over
 * their bounding box), so consecutive searches touch the same nodes and
 * points, and each search starts bounded by the distance to the previous
 * answer: faster than single queries in random order (docs/spatial-search.md).
 * Runs of 2,048 consecutive queries are shared among the OpenMP threads (the
 * current team size; one thread up to 2,048 queries); the answers do not
 * depend on the number of threads, except which of tied points is returned.
 * Returns FX_OK, or FX_ENOMEM (with `err` filled) when no work space. */
int fx_kdtree_nearest_many(const fx_kdtree *t, const fx_vec3 *q, size_t n, size_t *idx,
                           double *d2, fx_error *err);

/* As fx_kdtree_nearest_many, but only points closer than sqrt(max_d2), as
 * fx_kdtree_nearest_within: idx[i] is (size_t)-1 (and d2[i] max_d2) when
 * there is none. hint, when not NULL, gives per query a point index likely
 * to be near it (e.g. last iteration's answer), or (size_t)-1: the search
 * starts bounded by its distance, which only saves work. */
int fx_kdtree_nearest_many_within(const fx_kdtree *t, const fx_vec3 *q, size_t n,
                                  double max_d2, const size_t *hint, size_t *idx, double *d2,
                                  fx_error *err);

/* The k points nearest to q, nearest first: their indices in idx[] and
 * squared distances in d2[] (d2 may be NULL). Returns how many were found:
 * min(k, number of points). */
size_t fx_kdtree_knearest(const fx_kdtree *t, fx_vec3 q, size_t k, size_t *idx, double *d2);

/* Number of points in the tree. */
size_t fx_kdtree_size(const fx_kdtree *t);

void fx_kdtree_free(fx_kdtree *t); /* NULL is a no-op */

#endif
