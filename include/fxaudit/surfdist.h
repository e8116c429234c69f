/*
 * surfdist.h - distances between two surface models: per-vertex signed
 * distance (for colour maps), mean, RMS and the Hausdorff distance. Lengths
 * in mm.
 */
#ifndef FXAUDIT_SURFDIST_H
#define FXAUDIT_SURFDIST_H

#include <stddef.h>

#include "fxaudit/error.h"
#include "fxaudit/mesh.h"

typedef struct fx_surfdist {
    size_t n;           /* vertices measured */
    double mean_mm;     /* mean signed distance */
    double mean_abs_mm; /* mean unsigned distance */
    double rms_mm;
    double max_abs_mm;  /* the one-sided Hausdorff distance (over vertices) */
    double min_mm, max_mm; /* extreme signed values */
} fx_surfdist;

/* The distance from every vertex of `from` to the surface `to` (exact closest
 * point on its triangles). The sign is + outside `to` and - inside, taken from
 * the angle-weighted pseudo-normal at the closest feature (face, edge or
 * corner; Baerentzen and Aanaes 2005), which is correct for a closed,
 * consistently oriented `to` wherever the closest point lies. signed_mm
 * (from->nv values) may be NULL; st may be NULL. */
int fx_surface_distance(const fx_mesh *from, const fx_mesh *to, double *signed_mm,
                        fx_surfdist *st, fx_error *err);

/* The symmetric Hausdorff distance max(max_a d(a, B), max_b d(b, A)) over the
 * vertices of each mesh to the other's surface; the one-sided maxima in
 * *ab_mm and *ba_mm (either may be NULL). */
int fx_hausdorff(const fx_mesh *a, const fx_mesh *b, double *h_mm, double *ab_mm,
                 double *ba_mm, fx_error *err);

#endif
