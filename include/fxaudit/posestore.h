/*
 * posestore.h - storing the audit's residual histogram, fragment and plate
 * poses (tables registration_residuals, fragment_deviations, plate_deviations
 * of data/schema/002_audit_results.sql). Lengths mm, angles degrees.
 */
#ifndef FXAUDIT_POSESTORE_H
#define FXAUDIT_POSESTORE_H

#include <stdint.h>

#include "fxaudit/audit.h"
#include "fxaudit/store.h"

/* Inside an open transaction: one registration_residuals row per bin (when
 * reg_id is not 0), one fragment_deviations row per planned fragment and one
 * plate_deviations row per planned plate of r->poses (nothing when NULL),
 * recording plan_fragments and plan_plates rows of plan_id when absent. */
int fx_audit_store_poses(fx_store *s, int64_t plan_id, int64_t reg_id, const fx_plan *plan,
                         const fx_audit_result *r, fx_error *err);

#endif
