/*
 * screwhead.h - model-based sub-voxel depth of a found screw's head (and so
 * of its entry) beside the plate it sits on (src/audit/screwhead.c, method
 * in docs/audit.md, "The head's depth at the small size").
 *
 * Lengths mm, CT values HU, post-op scan coordinates throughout.
 */
#ifndef FXAUDIT_SCREWHEAD_H
#define FXAUDIT_SCREWHEAD_H

#include <stddef.h>

#include "fxaudit/audit.h"
#include "fxaudit/error.h"
#include "fxaudit/plan.h"
#include "fxaudit/screwfit.h"
#include "fxaudit/volume.h"

/* What the head's fit did for one screw (for tests and docs). */
typedef struct fx_screwhead_stat {
    int plate_found;       /* 1: a plate was seen beside the head and fitted */
    int refined;           /* 1: the entry was moved along the axis */
    double moved_mm;       /* the entry's move along the axis (+: deeper, towards the tip) */
    double plate_tilt_deg; /* the fitted plate's normal against its first estimate */
    double metal_hu, soft_hu, bone_hu; /* fitted levels */
    double cost_before, cost_after;    /* robust cost per voxel, HU^2 */
    size_t nvox;
} fx_screwhead_stat;

/* Refine the depth of the head's top of screws[0..n) along their axes (the
 * entry moves with it; the tip stays, the length changes by the opposite
 * amount). geom[k] describes screw k (its plate's thickness: the head's base
 * lies plate_mm before the entry); plate_width_mm[k] is the width of that
 * plate (0: not known, no plate is modelled). Screws whose head was not told
 * from the plate (from_plan bit 1) keep their depth. Nothing changes when the
 * volume's mean voxel side is below min_voxel_mm. stat: NULL or n entries. */
int fx_screwhead_refine(const fx_volume *hu, fx_audit_screw *screws, size_t n,
                        const fx_screwfit_geom *geom, const double *plate_width_mm,
                        double min_voxel_mm, fx_screwhead_stat *stat, fx_error *err);

/* The audit's call (after fx_audit_screwfit): geometry from the plan (each
 * screw's diameter, its plate's thickness and width, the audit's head), at
 * FX_SCREWFIT_MIN_VOXEL_MM. */
int fx_audit_screwhead(const fx_volume *hu, const fx_plan *plan, const fx_audit_opts *o,
                       fx_audit_result *r, fx_error *err);

#endif
