/*
 * domestore_int.h - private to the dome estimate's storing (domestore.c,
 * domestore_plan.c): the rows of one estimate and the methods' names.
 */
#ifndef FXAUDIT_DOMESTORE_INT_H
#define FXAUDIT_DOMESTORE_INT_H

#include <stdint.h>

#include "fxaudit/store.h"

/* The plan-based method's text starts so (the CT-only one does not). */
#define DOMESTORE_PLAN_PREFIX "fxaudit domeplan"

/* Store the four rows (axial, coronal, sagittal, max) of one estimate in one
 * transaction; gap/step per plane in mm (NAN: not visible, stored NULL);
 * sid 0: no series. FX_ECONFLICT when that method's rows are stored. */
int domestore_insert(fx_store *s, const char *patient, const char *timepoint, int64_t pid,
                     int64_t sid, const double *gap, const double *step, double area_mm2,
                     const char *method, fx_error *err);

#endif
