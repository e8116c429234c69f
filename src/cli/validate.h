/*
 * validate.h - the stages of `fxaudit validate`: each runs on every phantom
 * patient of a cohort, appends its per-patient results to the patient's
 * object in `patients` (keyed by code) and sets its summary keys.
 */
#ifndef FXAUDIT_VALIDATE_H
#define FXAUDIT_VALIDATE_H

#include <jansson.h>

#include "fxaudit/error.h"
#include "fxaudit/plan.h"
#include "fxaudit/volume.h"

/* The reduction stage: the automatic gap and step-off estimate at the dome
 * (fx_dome_estimate_run) against truth.json, pre-op and post-op; summary
 * max_gap_err_mm, max_step_err_mm (post-op) and their _preop twins. */
int validate_reduction(const char *cohort_dir, json_t *patients, json_t *summary, fx_error *err);

/* The plan stage: the planning pipeline on each patient, fragments from the
 * true pre-op label map, against truth.json (products in DIR/validate-plan);
 * summary max_reduction_rms_mm, max_symmetry_plane_deg and more
 * (docs/planning.md). */
int validate_plan(const char *cohort_dir, json_t *patients, json_t *summary, fx_error *err);

/* The plan of the phantom patient in folder pdir as the plan stage makes it:
 * from its pre-op series `vol`, its true label map (preop_labels.nrrd, the
 * segmentation a 3-D lab draws) and truth.json's planned screws and plates
 * (a surgeon's), with plan.json and its models written into folder `out`.
 * *bridge (may be NULL) gets the corridor's bridging length; *labels (may be
 * NULL) the label map. Nothing of the truth's poses enters the plan. */
int validate_plan_make(const char *pdir, const char *out, json_t *truth, const fx_volume *vol,
                       fx_plan **plan, double *bridge, fx_volume **labels, fx_error *err);

/* mkdir that accepts an existing folder. */
int validate_make_dir(const char *path, fx_error *err);

/* Overlaps of the plan's reduced parts (plan->overlaps) beside the same
 * pairs at the truth's planned poses (models read from dir): one object per
 * pair; the maxima grow. NULL on error. */
struct overlap_maxima {
    double before_mm, after_mm, truth_mm, before_mm3, after_mm3, truth_mm3;
};
json_t *validate_plan_overlaps(json_t *truth, const fx_plan *plan, const char *dir,
                               double step_mm, struct overlap_maxima *mx, fx_error *err);

/* Dice of each true part of the phantom with the automatic parts of its
 * pre-op CT (no seeds or labels): by connected components ("dice_components")
 * and by the automatic split ("dice", the default of plan create). A part is
 * right at Dice >= 0.8. One object per true part; the counts grow. */
struct parts_maxima {
    int parts, right_components, right_split;
    double min_split;
};
json_t *validate_plan_auto_parts(const fx_volume *hu, const fx_volume *truth_labels,
                                 json_t *truth, struct parts_maxima *mx, fx_error *err);

/* The audit stage: each patient's post-op audit against the true deviations;
 * summary: the contract's max_registration_*, max_screw_*_err_*, screws_missed,
 * screws_invented (docs/audit.md). */
int validate_audit(const char *cohort_dir, json_t *patients, json_t *summary, fx_error *err);

#endif
