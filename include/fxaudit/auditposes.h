/*
 * auditposes.h - what the post-op audit measures beyond the screws: the
 * registration's residual histogram, and where each planned fragment and
 * plate ended up in the post-op CT. Lengths mm, angles degrees, poses in plan
 * coordinates (LPS mm of the pre-op series). Method: docs/audit.md.
 */
#ifndef FXAUDIT_AUDITPOSES_H
#define FXAUDIT_AUDITPOSES_H

#include <stddef.h>

#include "fxaudit/audit.h"
#include "fxaudit/error.h"
#include "fxaudit/fragments.h"
#include "fxaudit/icp.h"
#include "fxaudit/mesh.h"
#include "fxaudit/plan.h"
#include "fxaudit/vec3.h"

/* Unsigned closest-point distances of the moving points (after the
 * registration) to the fixed surface, in bins [k bin_mm, (k+1) bin_mm) from 0
 * up to range_mm (at least the trimming cut), then one last bin
 * [range_mm, max_mm] with everything beyond. Bins below cut_mm are inliers. */
typedef struct fx_audit_hist {
    double bin_mm;  /* 0.1 */
    double cut_mm;  /* the trimming cut rounded up to a bin edge; bins below are inliers */
    double range_mm; /* end of the fine bins: max(cut_mm, the range asked) */
    double max_mm;  /* the largest distance (upper end of the last bin) */
    size_t nbins;   /* range_mm / bin_mm + 1 */
    size_t *count;  /* nbins counts, owned */
    size_t n;       /* points measured */
    double mean_mm, rms_mm; /* over all points */
} fx_audit_hist;

/* A planned part (fragment or plate) located in the post-op CT. pose maps the
 * planned part onto the post-op one, both in plan coordinates
 * (x_postop = R x_planned + t); d is the displacement of the planned part's
 * centroid, rotation_deg the angle of R. found = 0: the fit cannot be trusted
 * (or there was nothing to fit); the figures are then NAN. */
typedef struct fx_audit_pose {
    char name[FX_PLAN_NAME];
    int found;
    fx_rigid pose;
    fx_vec3 centroid;       /* of the planned part, plan mm */
    fx_vec3 d;              /* dx, dy, dz (mm) */
    double translation_mm;  /* |d| */
    double rotation_deg;
    double rms_mm, inlier_fraction;
    double rotation_bound_deg; /* plates: the fit's rms over the lever arm of the metal it
                                  used, a bound on its rotation error (deg); NAN otherwise */
    int reference;          /* the plan's reference region (expected ~identity) */
    char warning[256];      /* why it was not located when its model or fit failed; "" */
} fx_audit_pose;

typedef struct fx_audit_poses {
    int has_hist;
    fx_audit_hist hist;
    fx_mesh *bone;          /* owned: the post-op bone (all parts, metal cut), plan mm */
    fx_audit_pose *frags;   /* owned, nfrags */
    size_t nfrags;
    fx_audit_pose *plates;  /* owned, nplates */
    size_t nplates;
    double seconds[2];      /* wall: fragment fits, plate fits */
} fx_audit_poses;

void fx_audit_poses_free(fx_audit_poses *p); /* NULL is a no-op */
double fx_audit_poses_now_s(void);           /* monotonic wall clock, s */

/* The histogram of `moving` (its vertices mapped by T) against the surface
 * `fixed`. The trimming cut is chosen as the ICP chooses it (the FRMSD
 * minimum of Chetverikov et al. 2005 over all distances, keeping at least
 * min_overlap of them), then rounded up to a bin edge; fine bins up to
 * range_mm (or the cut, if further), at most 200 bins in all. On
 * success *out owns its counts (free with fx_audit_hist_release). */
int fx_audit_residuals(const fx_mesh *moving, const fx_mesh *fixed, const fx_rigid *T,
                       double bin_mm, double range_mm, double min_overlap, fx_audit_hist *out,
                       fx_error *err);
void fx_audit_hist_release(fx_audit_hist *h);

/* fx_audit_register, keeping the post-op bone parts (*keep, free with
 * fx_bone_parts_free; part 0 is the one registered). keep may be NULL. */
int fx_audit_register_parts(const fx_volume *hu, const fx_mesh *reference,
                            const fx_audit_opts *o, fx_icp_result *out, fx_bone_parts **keep,
                            fx_error *err);

/* fx_audit_register, then the residual histogram of the registered part
 * against `reference` and the whole post-op bone mapped into plan
 * coordinates. On success *poses is new (free with fx_audit_poses_free). */
int fx_audit_register_poses(const fx_volume *hu, const fx_mesh *reference,
                            const fx_audit_opts *o, fx_icp_result *out, fx_audit_poses **poses,
                            fx_error *err);

/* Fill the figures of *p from its pose and planned centroid (found = 1). */
void fx_audit_pose_figures(fx_audit_pose *p);

/* *p not located (found = 0, figures NAN, identity pose), `why` its warning. */
void fx_audit_pose_failed(fx_audit_pose *p, const char *why);

/* Why one fragment or plate was not located ("" when it was, or had no model). */
typedef char fx_audit_warning[256];

/* Fit `model` (plan mm; its vertices where moving_mask is non-zero, NULL:
 * all) onto the surface `fixed` by trimmed ICP from the identity: first onto
 * the part of `fixed` within near1_mm of the model, then within near2_mm of
 * the model as fitted. *out->T maps the model onto its fit; rms_mm is NAN
 * when `fixed` had nothing near the model. */
int fx_audit_fit_part(const fx_mesh *fixed, const fx_mesh *model, const uint8_t *moving_mask,
                      double near1_mm, double near2_mm, fx_icp_result *out, fx_error *err);

/* Locate each planned fragment in the post-op bone `bone` (plan mm, after the
 * reference registration). models[i] is plan fragment i's model in its
 * planned position (plan mm), or NULL (not located: found = 0). Each is fitted
 * by trimmed ICP started at its planned pose, onto the post-op bone near it,
 * leaving out its own points near the other fragments (the fracture faces).
 * A fit that fails leaves that fragment not located, the error in its
 * `warning`; only running out of memory fails the call. On success *out is a
 * new array of plan->nfrags poses (free()). */
int fx_audit_fragment_poses(const fx_mesh *bone, const fx_plan *plan, fx_mesh *const *models,
                            fx_audit_pose **out, fx_error *err);

/* Locate each planned plate in the post-op metal: models[i] is plan plate i's
 * model (plan mm) or NULL (found = 0). Needs the audit `r` (registration,
 * screws found) of `postop`; fills r->poses->plates (nothing when r->poses
 * is NULL). */
int fx_audit_plate_poses(const fx_volume *postop, const fx_plan *plan, fx_mesh *const *models,
                         const fx_audit_opts *o, fx_audit_result *r, fx_error *err);

/* Plan plate i's model built along its path on the planned bone `reduced`
 * (fx_plate_build). *out owns it. */
int fx_audit_plate_build(const fx_plan *plan, size_t i, const fx_mesh *reduced, fx_mesh **out,
                         fx_error *err);

/* The plan's plate models: each plate's mesh file (relative to plan_path's
 * folder), else one built on `reduced` (may be NULL: none). *out is a new
 * array of plan->nplates meshes or NULLs; free each and the array. With
 * `warn` (plan->nplates entries), a model that cannot be read or built is
 * NULL and its error goes to warn[i]; without, it fails the call. */
int fx_audit_plate_models(const fx_plan *plan, const char *plan_path, const fx_mesh *reduced,
                          fx_audit_warning *warn, fx_mesh ***out, fx_error *err);

/* fx_audit_plate_poses one plate at a time: a plate whose fit fails is not
 * located, the error in its warning, and the others go on; a plate whose
 * model is NULL gets warn[i] (may be NULL) as its warning. Only running out
 * of memory fails. Fills r->poses->plates (nothing when r->poses is NULL). */
int fx_audit_locate_plates(const fx_volume *postop, const fx_plan *plan, fx_mesh *const *models,
                           const fx_audit_warning *warn, const fx_audit_opts *o,
                           fx_audit_result *r, fx_error *err);

/* After fx_audit_run of `postop` against `plan` (read from `plan_path`,
 * whose folder its model files are relative to): each planned fragment
 * (its model moved by its planned pose) and each plate located
 * (r->poses->frags, r->poses->plates). A model that cannot be read or built,
 * or a fit that fails, leaves that fragment or plate not located with the
 * error in its `warning`; the rest goes on. Only running out of memory fails.
 * Nothing when the audit did not register (r->poses is NULL). */
int fx_audit_parts_from_plan(fx_audit_result *r, const fx_volume *postop, const fx_plan *plan,
                             const char *plan_path, const fx_audit_opts *o, fx_error *err);

#endif
