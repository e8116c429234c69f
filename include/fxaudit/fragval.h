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

/* Fit the fragments in the audit `r` (r->poses->frags is replaced) and
 * compare with the truth: *out a new JSON list, one row per fragment, and
 * the maxima in `sum`. An empty list when the audit did not register. */
int fx_audit_fragval_compare(const fx_audit_fragval *fv, fx_audit_result *r, fx_audit_val *sum,
                             json_t **out, fx_error *err);

/* Fold one patient's fragment figures into the cohort's. */
void fx_audit_fragval_merge(fx_audit_val *sum, const fx_audit_val *v);
/* Add max_fragment_trans_err_mm, max_fragment_rot_err_deg, fragments_missed. */
void fx_audit_fragval_summary(const fx_audit_val *s, json_t *j);

#endif
