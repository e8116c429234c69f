/*
 * filter.h - smoothing filters on volumes, in millimetres.
 */
#ifndef FXAUDIT_FILTER_H
#define FXAUDIT_FILTER_H

#include "fxaudit/error.h"
#include "fxaudit/volume.h"

/* Convolve float volume `v` in place with a Gaussian of standard deviation
 * `sigma_mm` (per axis sigma_mm / spacing voxels, truncated at 3 sigma;
 * outside the grid counts as 0). `v` must be FX_VOX_F32; sigma 0 does nothing. */
int fx_volume_gaussian(fx_volume *v, double sigma_mm, fx_error *err);

/* A float copy of any volume, same grid; *out owns it. */
int fx_volume_to_float(const fx_volume *v, fx_volume **out, fx_error *err);

#endif
