/*
 * screwfit.h - model-based sub-voxel refinement of the actual screws found by
 * the audit (src/audit/screwfit.c, method in docs/audit.md).
 *
 * Each screw's neighbourhood is predicted as the image of a cylinder of its
 * planned diameter (analysis by synthesis): HU = background + (metal -
 * background) x the voxel's metal coverage, the coverage a linear partial-
 * volume ramp one voxel wide of the signed distance to the screw, and the
 * other screws' metal (found, fixed) in the same voxel taken as known.
 * The axis (4 dof), the tip along it and the two levels are fitted by robust
 * (Huber) Levenberg-Marquardt. Lengths mm, CT values HU, post-op scan
 * coordinates throughout.
 */
#ifndef FXAUDIT_SCREWFIT_H
#define FXAUDIT_SCREWFIT_H

#include <stddef.h>

#include "fxaudit/audit.h"
#include "fxaudit/error.h"
#include "fxaudit/plan.h"
#include "fxaudit/volume.h"

/* One screw's fixed description for the model. */
typedef struct fx_screwfit_geom {
    double diameter_mm;   /* shaft */
    double plate_mm;      /* plate under the head: the head's base lies this far before the entry */
    double head_r_mm;     /* head radius (3 mm for a 3.5 mm cortical screw) */
    double head_h_mm;     /* head height (the audit's head_height_mm) */
} fx_screwfit_geom;

/* What one refinement did (for tests and docs). */
typedef struct fx_screwfit_stat {
    int refined;        /* 1: the fitted axis/tip replaced the found one */
    int tip_fitted;     /* 0 when the tip was kept (flagged from_plan 2 or 4) */
    double moved_mm;    /* entry's lateral move */
    double turned_deg;  /* axis change */
    double tip_moved_mm;
    double metal_hu, background_shift_hu;
    double cost_before, cost_after; /* robust cost (Huber) per voxel, HU^2 */
    size_t nvox;
} fx_screwfit_stat;

/* Refine screws[0..n) in place (two Gauss-Seidel sweeps, the other screws
 * fixed at their latest estimates). geom[k] describes screw k; stat may be
 * NULL or an array of n (filled by the last sweep). Nothing changes when the volume's mean voxel side
 * is below min_voxel_mm. */
int fx_screwfit_refine(const fx_volume *hu, fx_audit_screw *screws, size_t n,
                       const fx_screwfit_geom *geom, double min_voxel_mm,
                       fx_screwfit_stat *stat, fx_error *err);

/* Drop the screws found on another screw's metal: where half of a screw's
 * axis (every 1 mm) lies closer to another's axis than the sum of their
 * radii (two shafts cannot share their space), the one with the lower fill
 * goes (g is kept in step); a screw flagged "tip in other metal" (from_plan
 * bit 3) whose tip is no longer within 0.5 mm of another screw loses the
 * flag. Returns how many were dropped; *n is updated. */
size_t fx_screwfit_drop_duplicates(fx_audit_screw *s, size_t *n, fx_screwfit_geom *g);

/* The audit's call: the geometry of each found screw from the plan (its
 * diameter, the thickness of its plate, the audit's head height), the
 * duplicates dropped (at every voxel size), then fx_screwfit_refine at the
 * default voxel threshold FX_SCREWFIT_MIN_VOXEL_MM (off at the clinical
 * 0.74 x 0.74 x 1 mm: docs/audit.md). */
#define FX_SCREWFIT_MIN_VOXEL_MM 1.0
int fx_audit_screwfit(const fx_volume *hu, const fx_plan *plan, const fx_audit_opts *o,
                      fx_audit_result *r, fx_error *err);

#endif
