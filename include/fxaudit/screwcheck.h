/*
 * screwcheck.h - checking a planned screw against the reduced bone model:
 * how much bone lies along it (the corridor), which length of the screw set
 * fits, how close it runs to the cortex, and whether it comes near the hip
 * joint. Lengths in mm.
 *
 * Definitions (docs/planning.md):
 *  - corridor: from the entry point along the screw's direction until the axis
 *    leaves bone for good; clefts shorter than `bridge_mm` (fracture lines of
 *    the reduced model) are bridged (fx_plan_build uses at least two voxels
 *    of the CT, the narrowest cleft a model made from voxels can close).
 *    Measured on the axis.
 *  - clearance: the smallest distance from the screw's surface (axis distance
 *    minus radius) to the bone surface, over the planned length from
 *    `entry_skip_mm` past the entry (where the screw crosses the near cortex by
 *    design) to the tip; negative where the screw leaves bone. The fracture
 *    faces between reduced fragments lie inside the bone and do not count:
 *    where the nearest face is one of them, the distance to the outside is
 *    found by rays across the screw (clefts bridged as for the corridor), and
 *    within `bridge_mm` of a cleft the screw crosses it is not measured.
 *  - joint distance: the smallest distance from the screw's surface to the
 *    joint surface (e.g. the femoral head or the acetabular cartilage) over the
 *    whole screw; a warning when it is below `joint_margin_mm`.
 */
#ifndef FXAUDIT_SCREWCHECK_H
#define FXAUDIT_SCREWCHECK_H

#include "fxaudit/bvh.h"
#include "fxaudit/error.h"
#include "fxaudit/plan.h"

typedef struct fx_screw_check_opts {
    double bridge_mm;       /* default 3 */
    double entry_skip_mm;   /* default 5 */
    double joint_margin_mm; /* default 2 */
    double set_min_mm, set_step_mm, set_max_mm; /* screw set: 10, 2, 110 */
    double sample_mm;       /* sampling step along the screw: 0.25 */
    double max_length_mm;   /* how far to look for bone: 300 */
} fx_screw_check_opts;

void fx_screw_check_opts_default(fx_screw_check_opts *o);

/* Fill the computed fields of `s` (corridor_mm, suggested_mm, clearance_mm,
 * joint_distance_mm, joint_warning) from the reduced bone surface `bone` (a
 * closed, outward-oriented mesh, possibly several) and the joint surface
 * `joint` (NULL: no joint check; the fields stay NAN / 0). A screw whose entry
 * is not on bone (no bone within 2 mm of it along the axis) gets corridor 0. */
int fx_screw_check(fx_plan_screw *s, const fx_bvh *bone, const fx_bvh *joint,
                   const fx_screw_check_opts *o, fx_error *err);

/* The same, knowing which separate surface (solid) each triangle of the model
 * belongs to (fx_screw_solids; NULL: as fx_screw_check). The corridor then
 * also runs on across a cleft between two separate surfaces that the axis
 * leaves into: a point outside bone on a line that meets two of them within
 * `bridge_mm` of each other is bone (the bridge across the screw, not only
 * along it). A reduced model is a union of fragments, each rounded at its own
 * edges by the voxels it was made from; along a fracture line that reaches
 * the bone's surface that leaves a groove the bone does not have. */
int fx_screw_check_solids(fx_plan_screw *s, const fx_bvh *bone, const uint32_t *solid,
                          const fx_bvh *joint, const fx_screw_check_opts *o, fx_error *err);

/* solid[t] for each triangle t of m: triangles joined through shared vertices
 * share a value. *solid is a new array (free with free()). */
int fx_screw_solids(const fx_mesh *m, uint32_t **solid, fx_error *err);

#endif
