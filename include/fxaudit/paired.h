/*
 * paired.h - closed-form rigid registration of paired points (landmarks).
 *
 * The result maps moving points onto fixed ones: x_fixed = R*x_moving + t, as
 * every registration in fxaudit does. Coordinates in mm.
 */
#ifndef FXAUDIT_PAIRED_H
#define FXAUDIT_PAIRED_H

#include <stddef.h>

#include "fxaudit/error.h"
#include "fxaudit/vec3.h"

/* The rigid T minimising sum_i w_i |T(moving_i) - fixed_i|^2, by Horn's unit
 * quaternion method (1987), which cannot return a reflection. `w` may be NULL
 * (equal weights); weights must be >= 0. Needs at least 3 points that are not
 * all on one line (FX_ENUMERIC otherwise: the rotation about that line would
 * be arbitrary). */
int fx_paired_register(const fx_vec3 *moving, const fx_vec3 *fixed, const double *w, size_t n,
                       fx_rigid *out, fx_error *err);

#endif
