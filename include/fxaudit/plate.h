/*
 * plate.h - a patient-specific plate model: a strip of constant thickness laid
 * along a path on the reduced bone surface, conforming to the bone across its
 * width at a chosen offset, with holes where planned screws pass. Lengths mm.
 *
 * The path is resampled every `step_mm` (Catmull-Rom through the given points)
 * and each sample, and `columns` points across the width, are projected onto
 * the bone surface; the plate's underside lies `offset_mm` above those points
 * along the path's smoothed surface normal, its top `thickness_mm` further.
 * A screw of the plan whose `plate` names this plate cuts a hole: grid cells
 * whose centre lies within diameter/2 + `hole_clearance_mm` of its axis are
 * removed and walled, so the model stays closed (printable).
 *
 * Vertex layout of the built mesh (the drilling guide relies on it): first the
 * underside grid, rows x columns, row-major (row i along the path, column j
 * across the width from -width/2 to +width/2), then the top grid in the same
 * order; rows = fx_plate_info.rows, columns = fx_plate_info.columns.
 */
#ifndef FXAUDIT_PLATE_H
#define FXAUDIT_PLATE_H

#include "fxaudit/bvh.h"
#include "fxaudit/error.h"
#include "fxaudit/mesh.h"
#include "fxaudit/plan.h"

typedef struct fx_plate_opts {
    double step_mm;           /* along the path (0.5) */
    int columns;              /* grid points across the width (21) */
    double hole_clearance_mm; /* added to the screw radius (0.5) */
    int normal_window;        /* samples each side averaged into the normal (5) */
} fx_plate_opts;

typedef struct fx_plate_info {
    double length_mm;     /* along the resampled centre line */
    int rows, columns;    /* of the grid */
    int holes;            /* screws that cut the plate */
    int cells_removed;    /* grid cells removed for holes */
    double max_gap_mm;    /* largest distance of the underside from the bone, less the offset */
} fx_plate_info;

void fx_plate_opts_default(fx_plate_opts *o);

/* Build the plate `spec` (path, width, thickness, offset) of plan `p` on the
 * reduced bone surface `bone` (its mesh `bone_mesh` gives the normals). *out
 * owns a new closed mesh (free with fx_mesh_free); `info` may be NULL. */
int fx_plate_build(const fx_plan_plate *spec, const fx_plan *p, const fx_mesh *bone_mesh,
                   const fx_bvh *bone, const fx_plate_opts *o, fx_mesh **out,
                   fx_plate_info *info, fx_error *err);

#endif
