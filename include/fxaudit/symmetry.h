/*
 * symmetry.h - the mid-sagittal symmetry plane of a (mostly) bilaterally
 * symmetric model such as a pelvis, by registering its mirror image onto
 * itself.
 *
 * Method (docs/planning.md): the model is mirrored across a candidate plane
 * and the mirror registered onto the model by robust, trimmed ICP; the
 * registration composed with the reflection is an improper isometry whose
 * -1 eigenvector is the symmetry plane's normal. Parts that break the
 * symmetry (a displaced fragment, a missing piece) are trimmed away as
 * outliers, so give the model without the fragments that surgery will move.
 * Without a start plane, the planes through the centroid normal to the
 * principal axes and to the scanner's left-right axis are tried.
 */
#ifndef FXAUDIT_SYMMETRY_H
#define FXAUDIT_SYMMETRY_H

#include "fxaudit/error.h"
#include "fxaudit/mesh.h"
#include "fxaudit/mirror.h"

typedef struct fx_symmetry_result {
    fx_plane plane;          /* n.x = d in mm, LPS; n points to the model's left (+x side) */
    double rms_mm;           /* mirror against model, inliers, after the last refinement */
    double inlier_fraction;  /* of the mirrored samples */
    double twist_deg;        /* rotation left in the improper isometry after removing the
                                reflection: 0 for a perfect mirror symmetry */
    int candidates;          /* start planes tried */
    unsigned icp_warnings;   /* FX_ICP_WARN_* of the last registration */
} fx_symmetry_result;

/* Estimate the symmetry plane of `m`; `start` (may be NULL) is a first guess.
 * Fails when no candidate gives an inlier fraction of at least 0.3. */
int fx_symmetry_plane(const fx_mesh *m, const fx_plane *start, fx_symmetry_result *out,
                      fx_error *err);

#endif
