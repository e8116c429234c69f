/*
 * reduce.h - virtual reduction: the rigid pose that puts a fracture fragment
 * back where the mirrored healthy side says it belongs.
 *
 * The fragment (moving) is registered onto the template (fixed: the healthy
 * hemipelvis mirrored across the symmetry plane) by robust, trimmed ICP. Its
 * fracture surfaces have no counterpart in the template and are trimmed as
 * outliers. Because a displaced fragment can start 10-30 mm and some degrees
 * away, coarse registrations from several start poses around the fragment's
 * centroid are compared and the best is refined. Lengths in mm.
 */
#ifndef FXAUDIT_REDUCE_H
#define FXAUDIT_REDUCE_H

#include <stdint.h>

#include "fxaudit/bvh.h"
#include "fxaudit/error.h"
#include "fxaudit/mesh.h"

typedef struct fx_reduce_opts {
    double min_overlap;     /* share of the fragment expected on the template (0.4) */
    int multistart;         /* try the start poses below besides the given one (1) */
    double start_rot_deg;   /* rotations of the start poses about the centroid (15) */
    double start_trans_mm;  /* translations of the start poses (15) */
    double inlier_mm;       /* residual statistics count vertices this close (2) */
    const uint8_t *template_mask; /* template vertices to use, or NULL for all */
} fx_reduce_opts;

typedef struct fx_reduce_result {
    fx_rigid pose;           /* pre-op fragment -> planned (reduced) position */
    double rms_mm;           /* fragment vertices within inlier_mm of the template */
    double max_mm;           /* largest of those distances */
    double surface_fraction; /* share of the fragment's vertices within inlier_mm */
    double icp_rms_mm;       /* the registration's own figures */
    double icp_inlier_fraction;
    unsigned icp_warnings;
    int starts;              /* start poses tried */
} fx_reduce_result;

void fx_reduce_opts_default(fx_reduce_opts *o);

/* Reduce `fragment` onto `tmpl` from the start pose `start` (NULL: identity). */
int fx_reduce_fragment(const fx_mesh *fragment, const fx_mesh *tmpl, const fx_rigid *start,
                       const fx_reduce_opts *o, fx_reduce_result *out, fx_error *err);

/* The residual figures of r (rms_mm, max_mm, surface_fraction) for the
 * fragment at pose T: its vertices within `inlier_mm` of the template `tb`. */
int fx_reduce_residuals(const fx_mesh *fragment, const fx_bvh *tb, const fx_rigid *T,
                        double inlier_mm, fx_reduce_result *r);

#endif
