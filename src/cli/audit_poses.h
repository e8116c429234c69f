/*
 * audit_poses.h - the JSON of the audit's residual histogram, fragment and
 * plate poses (`fxaudit audit --json`).
 */
#ifndef FXAUDIT_CLI_AUDIT_POSES_H
#define FXAUDIT_CLI_AUDIT_POSES_H

#include <jansson.h>

#include "fxaudit/audit.h"

/* Add to the audit's JSON `j`: registration.residual_histogram (when the
 * audit registered), "fragments" and "plates" (arrays, empty when none; each
 * with its "warning" when its model or fit failed, else null) and, when the
 * audit did not register, "poses_note": why_none (why nothing was located). */
void audit_poses_json_add(json_t *j, const fx_audit_result *r, const char *why_none);

/* The same as lines of text on stdout. */
void audit_poses_print(const fx_audit_result *r, const char *why_none);

/* One warning on stderr per fragment or plate whose model or fit failed. */
void audit_poses_warn(const fx_audit_result *r);

#endif
