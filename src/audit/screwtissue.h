/*
 * screwtissue.h - the tissue under a voxel that a screw's metal partly
 * covers, for the screw refinement's image model (src/audit/screwfit.c;
 * method in docs/audit.md). Lengths mm, CT values HU, scan coordinates.
 */
#ifndef FX_AUDIT_SCREWTISSUE_H
#define FX_AUDIT_SCREWTISSUE_H

#include "fxaudit/vec3.h"
#include "fxaudit/volume.h"

/* The screw as first found: its axis, shaft radius, the partial-volume ramp's
 * width and the HU at and above which a voxel is taken for metal. */
typedef struct fx_screwtissue {
    fx_vec3 p, u;       /* a point of the axis and its unit direction */
    double r_mm, w_mm;  /* shaft radius; ramp width (mean voxel side) */
    double metal_hu;    /* voxels at or above this are metal, never tissue */
    /* nonzero where other metal (another screw) covers a voxel centre even
     * partly: never tissue; NULL for none */
    int (*covered)(const void *ctx, fx_vec3 x);
    const void *ctx;
} fx_screwtissue;

/* The tissue level at voxel centre x (HU): from the voxels of x's own slice
 * (third index) within two voxels that lie clear of the shaft's partial
 * volume and of other metal, weighted by how near they lie along and around the axis, a line in
 * their distance from the axis evaluated at x's. fallback where no such
 * voxel lies near. */
double fx_screwtissue_at(const fx_screwtissue *g, const fx_volume *hu, fx_vec3 x,
                         double fallback);

#endif
