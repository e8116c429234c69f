/*
 * domeest.h - an automatic estimate, from a CT volume alone, of the gap and
 * step-off of a fractured acetabular dome in the axial, coronal and sagittal
 * planes and of the area of the cleft in the dome, in the definitions of
 * docs/phantom.md (method and accuracy: docs/reduction-estimate.md).
 *
 * The acetabulum is given, not found: the joint sphere's centre and radius
 * (a plan's, or a phantom's truth) and the patient's anatomical axes. The
 * estimate is meant to be shown beside observers' values, never instead.
 */
#ifndef FXAUDIT_DOMEEST_H
#define FXAUDIT_DOMEEST_H

#include "fxaudit/error.h"
#include "fxaudit/vec3.h"
#include "fxaudit/volume.h"

typedef struct fx_dome {
    fx_vec3 centre_mm; /* joint sphere centre, LPS world of the volume */
    double radius_mm;  /* joint (articular) surface radius */
    double height_mm;  /* the dome: within this of the sphere's top (10) */
    fx_vec3 axis[3];   /* unit anatomical axes L, P, S in the volume's world */
    fx_vec3 opening;   /* unit axis of the acetabular opening, or zero: the dome
                        * is the part of the cap inside the cup, on the far
                        * side of the plane through the centre normal to it */
    double head_radius_mm; /* femoral head radius (0: radius - 3); the search for
                            * the articular surface starts in the joint space,
                            * halfway between head and socket */
} fx_dome;

typedef struct fx_domeest_opts {
    double trace_step_mm; /* spacing of samples along a slice's joint trace (0.25) */
    double slice_step_mm; /* spacing of slices through the dome (0.5) */
    double jump_mm;       /* a surface jump without a cleft counted as a step (1.0) */
    double fit_mm;        /* length of surface fitted on each side of a line (3) */
    double soft_hu;       /* soft tissue in the cleft, HU (40) */
    double depth_mm;      /* the cleft is read this far below the articular surface,
                           * inside the roof's subchondral cortex (1.5) */
    double search_mm;     /* the articular surface searched this far beyond the
                           * joint sphere (20: pre-op step-offs reach 15 mm) */
} fx_domeest_opts;

void fx_domeest_opts_default(fx_domeest_opts *o);

typedef struct fx_dome_estimate {
    /* per plane 0 axial, 1 coronal, 2 sagittal; NAN where no line is visible */
    double gap_mm[3], step_mm[3];
    int lines_seen[3];   /* events (clefts, steps) measured in that plane */
    int lines_hidden[3]; /* events rejected: line within 30 deg of the plane */
    double gap_area_mm2; /* dome area without articular surface (the cleft) */
    double cap_area_mm2; /* area of the dome sampled */
    double bone_hu;      /* bone level depth_mm under the articular surface (median HU) */
    double cortex_peak_hu; /* articular cortex level (upper quartile of ray peaks) */
} fx_dome_estimate;

/* Estimate on `ct` (HU). Fails when the dome lies outside the volume. */
int fx_dome_estimate_run(const fx_volume *ct, const fx_dome *d, const fx_domeest_opts *o,
                         fx_dome_estimate *out, fx_error *err);

#endif
