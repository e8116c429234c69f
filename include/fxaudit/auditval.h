/*
 * auditval.h - validation of the post-op audit on phantom patients: audit the
 * post-op series of a patient folder written by `fxaudit phantom` and compare
 * the registration and every screw deviation with its truth.json. Lengths
 * mm, angles degrees. See docs/audit.md.
 */
#ifndef FXAUDIT_AUDITVAL_H
#define FXAUDIT_AUDITVAL_H

#include <jansson.h>

#include "fxaudit/audit.h"

/* Running maxima over patients: registration rotation (deg) and translation
 * (mm), screw angle (deg), entry, tip and length errors (mm); counts. */
typedef struct fx_audit_val {
    double max[6];
    double pos_max[2]; /* the found screw's entry and tip against the true ones, post-op mm */
    long missed, invented;
    double frag_max[4];  /* fragment translation (mm) and rotation (deg) errors, then plate */
    long frags_missed, plates_missed; /* fits that were not trusted */
    long joint_true, joint_wrong; /* screws that truly penetrate the joint; flags wrong */
    double max_voxel_mm;          /* the coarsest side of any post-op scan (mm) */
} fx_audit_val;

void fx_audit_val_init(fx_audit_val *s);

/* Audit the patient in `dir` (truth.json, preop/, postop/) and compare. On
 * success *out owns a JSON object of per-patient errors and `sum` is updated. */
int fx_audit_validate_patient(const char *dir, const fx_audit_opts *o, json_t **out,
                              fx_audit_val *sum, fx_error *err);

/* The contract's summary keys (a new JSON object). */
json_t *fx_audit_val_summary(const fx_audit_val *s);

#endif
