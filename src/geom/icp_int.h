/*
 * icp_int.h - what the parts of the ICP share: the prepared fixed surface,
 * the moving samples, and the initial-alignment helpers. Internal to src/geom.
 */
#ifndef FXAUDIT_ICP_INT_H
#define FXAUDIT_ICP_INT_H

#include "fxaudit/bvh.h"
#include "fxaudit/icp.h"
#include "fxaudit/kdtree.h"

typedef struct icp_fixed {
    fx_mesh *m;        /* the region's triangles and vertices, with normals */
    fx_vec3 *tn;       /* unit normal per triangle */
    fx_kdtree *kd;     /* over m->v */
    fx_bvh *bvh;       /* over m's triangles */
    double spacing_mm; /* median edge length */
} icp_fixed;

typedef struct icp_moving {
    fx_vec3 *p; /* region vertices, shuffled: any prefix is a random subset */
    size_t n;
    fx_mesh *m; /* the region's triangles (for principal axes), may have nt 0 */
} icp_moving;

/* A sub-mesh: the vertices selected by mask and/or label (see fx_icp_opts),
 * and the triangles whose three corners are all selected. */
int icp_region(const fx_mesh *src, const uint8_t *mask, const fx_icp_opts *o, const char *what,
               fx_mesh **out, fx_error *err);
int icp_fixed_prepare(const fx_mesh *fixed, const fx_icp_opts *o, icp_fixed *f, fx_error *err);
void icp_fixed_release(icp_fixed *f);
int icp_moving_prepare(const fx_mesh *moving, const fx_icp_opts *o, icp_moving *mv,
                       fx_error *err);
void icp_moving_release(icp_moving *mv);

/* Principal-axes start poses: the 4 proper rotations that align the moving
 * region's axes with the fixed region's (the signs of eigenvectors are
 * arbitrary), each with the centroids matched. Returns how many (4, or 0 when
 * the moving region has too few points). */
int icp_pca_candidates(const fx_mesh *moving, const fx_mesh *fixed, fx_rigid cand[4]);

#endif
