/*
 * fragval.h - validation of the audit's fragment poses on a phantom patient:
 * planned fragment models from its pre-op scan and label map, the true
 * deviations from its truth.json (src/audit/fragval.c). Lengths mm, angles
 * degrees.
 */
#ifndef FXAUDIT_FRAGVAL_H
#define FXAUDIT_FRAGVAL_H

#include <jansson.h>

#include "fxaudit/auditval.h"
#include "fxaudit/volume.h"

typedef struct fx_audit_fragval fx_audit_fragval;

/* The planned models and true deviations of the intact pelvis and the
 * fragments of the phantom patient in `dir` (pre-op scan `pre`, its
 * preop_labels.nrrd, `truth`). *out owns them (free with
 * fx_audit_fragval_free). */
int fx_audit_fragval_models(const char *dir, const fx_volume *pre, json_t *truth,
                            fx_audit_fragval **out, fx_error *err);
void fx_audit_fragval_free(fx_audit_fragval *fv); /* NULL is a no-op */

/* Fit the fragments and the plates of `plan` (truth.json's, in its order)
 * in the audit `r` of `post` (r->poses->frags and ->plates are replaced)
 * and compare with the truth: *out a new JSON object {fragments: [...],
 * plates: [...]}, one row each, and the maxima in `sum`. Empty lists when
 * the audit did not register. */
int fx_audit_fragval_compare(const fx_audit_fragval *fv, const fx_volume *post,
                             const fx_plan *plan, const fx_audit_opts *o, fx_audit_result *r,
                             fx_audit_val *sum, json_t **out, fx_error *err);

/* Fold one patient's fragment figures into the cohort's. */
void fx_audit_fragval_merge(fx_audit_val *sum, const fx_audit_val *v);
/* Add max_fragment_trans_err_mm, max_fragment_rot_err_deg, fragments_missed,
 * max_plate_trans_err_mm, max_plate_rot_err_deg, plates_missed. */
void fx_audit_fragval_summary(const fx_audit_val *s, json_t *j);

#endif
