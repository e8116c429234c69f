/*
 * audit_joint.h - the acetabular joint sphere for the audit's joint check,
 * found in a study patient's pre-op CT when the user gives none.
 */
#ifndef FXAUDIT_CLI_AUDIT_JOINT_H
#define FXAUDIT_CLI_AUDIT_JOINT_H

#include "fxaudit/error.h"
#include "fxaudit/store.h"

/* The injured side's joint sphere in the coordinates of the patient's latest
 * pre-op CT (the plan's): out[0..2] centre (mm, LPS), out[3] radius (mm).
 * The healthy socket's sphere mirrored across the symmetry plane
 * (fx_dome_find); the injured side from the patients table. */
int audit_joint_from_study(fx_store *s, const char *code, double out[4], fx_error *err);

#endif
