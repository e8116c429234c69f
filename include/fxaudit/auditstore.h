/*
 * auditstore.h - storing a post-op audit in the study store (tables plans,
 * plan_screws, registrations, actual_screws, screw_deviations; see
 * data/schema/001_initial.sql). Lengths mm, angles degrees.
 */
#ifndef FXAUDIT_AUDITSTORE_H
#define FXAUDIT_AUDITSTORE_H

#include <stdint.h>

#include "fxaudit/audit.h"
#include "fxaudit/store.h"

/* Store the audit `r` of patient `patient`'s post-op series `series_id`
 * against `plan` (file `plan_abs`, recorded as `plan_rel` relative to the
 * study folder), in one transaction: the plan row and its screws when the plan
 * was not recorded yet, a registration row when r->registered, one
 * actual_screws row per screw found (in the post-op series' coordinates, label
 * "<planned name>@<run>") and one screw_deviations row per planned screw. */
int fx_audit_store(fx_store *s, const char *patient, int64_t series_id, const char *plan_rel,
                   const char *plan_abs, const fx_plan *plan, const fx_audit_result *r,
                   fx_error *err);

#endif
