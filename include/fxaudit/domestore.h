/*
 * domestore.h - the automatic dome estimate of a study patient, computed on
 * the patient's stored CT and kept in the study's dome_estimates table (per
 * time point: axial, coronal, sagittal and the patient value 'max'). It is
 * shown beside the observers' values only once the case is unblinded for
 * consensus (consensus.h), never before and never instead of them.
 * JSON results are new references owned by the caller.
 */
#ifndef FXAUDIT_DOMESTORE_H
#define FXAUDIT_DOMESTORE_H

#include <jansson.h>

#include "fxaudit/error.h"
#include "fxaudit/store.h"

/* Estimate the dome of `patient` on its latest CT of `timepoint` (preop,
 * postop, followup): the dome found from the CT (domefind.h, the injured side
 * from the patient record), then the estimate (domeest.h); store the four rows
 * in one transaction. FX_ECONFLICT when already stored. *out (may be NULL)
 * gets {patient, timepoint, method, planes: {axial: {gap_mm, step_mm}, ...},
 * max: {...}, gap_area_mm2, dome: {centre_mm, radius_mm}}. */
int fx_dome_estimate_store(fx_store *s, const char *patient, const char *timepoint, json_t **out,
                           fx_error *err);

/* The plan-based estimate (domeplan.h) of `patient` at `timepoint` (preop or
 * postop), stored beside the CT-only one: the patient's newest plan with a
 * plan file and its pre-op CT; post-op, the fragment poses of the newest
 * audit stored against that plan (fragment_deviations). FX_ENOTFOUND, naming
 * what is missing, when the patient has no such plan or audit; FX_ECONFLICT
 * when already stored. *out (may be NULL) gets {patient, timepoint, method,
 * planes, max, gap_area_mm2, gap_3d_mm, step_off_3d_mm, line_mm}. */
int fx_dome_estimate_store_plan(fx_store *s, const char *patient, const char *timepoint,
                                json_t **out, fx_error *err);

/* The stored estimates of one patient and time point: the CT-only one as
 * {method, planes: {...}, max, gap_area_mm2}, the plan-based one, when
 * stored, as the same object under "plan"; JSON null when none is stored. */
int fx_dome_estimate_load(fx_store *s, const char *patient, const char *timepoint, json_t **out,
                          fx_error *err);

#endif
