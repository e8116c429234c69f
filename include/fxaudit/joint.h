/*
 * joint.h - joint refinement of a virtual reduction: every fragment held to
 * the mirrored template and pushed out of the other bone parts, so that the
 * reduced fragments do not overlap.
 *
 * Registered one by one, fragments can each fit the template and still run
 * into each other (their fracture surfaces carry no template to stop them).
 * Here each movable part in turn (the order given: larger first) takes
 * Gauss-Newton steps of a point-to-plane cost with two kinds of terms: its
 * vertices within `fit_mm` of the template, towards the template (weight 1),
 * and every vertex of it deeper than tolerance_mm / 2 inside another part,
 * or of another part inside it, towards that depth (weight `weight` per
 * vertex, raised fourfold each sweep that ends with a pair still deeper than
 * `tolerance_mm`). Sweeps repeat until no pair is deeper than the tolerance.
 *
 * The tolerance is an allowance, not a target of zero: models made from
 * voxels carry partial-volume errors on both faces of a fracture line, and
 * on 2 mm phantom models the true planned poses themselves interpenetrate by
 * up to 1.85 voxels (docs/planning.md); the plan allows two voxels. Lengths
 * in mm.
 */
#ifndef FXAUDIT_JOINT_H
#define FXAUDIT_JOINT_H

#include "fxaudit/overlap.h"

typedef struct fx_joint_opts {
    double tolerance_mm;   /* allowed depth of one part in another (0.5) */
    double fit_mm;         /* template terms: vertices this close to it (1.0) */
    double weight;         /* first weight of a penetrating vertex (10) */
    int max_sweeps;        /* 8 */
    int steps;             /* Gauss-Newton steps per part and sweep (4) */
    size_t max_samples;    /* template terms per part (3000) */
} fx_joint_opts;

typedef struct fx_joint_report {
    int sweeps;            /* sweeps run */
    double depth_mm;       /* deepest pair at the end */
    int converged;         /* every pair within the tolerance */
} fx_joint_report;

void fx_joint_opts_default(fx_joint_opts *o);

/* Refine parts[k].pose for every k with movable[k] set, in index order;
 * the others stay. `tmpl` (with `tbvh` over it) is the template in world
 * coordinates. */
int fx_joint_refine(fx_posed *parts, const int *movable, size_t n, const fx_mesh *tmpl,
                    const fx_bvh *tbvh, const fx_joint_opts *o, fx_joint_report *rep,
                    fx_error *err);

/* The deepest overlap of any pair of parts with at least one movable, and
 * which pair (either index may be NULL). */
int fx_joint_deepest(const fx_posed *parts, const int *movable, size_t n, double *depth_mm,
                     size_t *ia, size_t *ib, fx_error *err);

#endif
