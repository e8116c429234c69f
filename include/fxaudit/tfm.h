/*
 * tfm.h - rigid transforms in files: ITK .tfm (for 3D Slicer) and JSON.
 *
 * fxaudit's transforms map the moving model into the fixed model's space:
 * x_fixed = R*x_moving + t (LPS, mm). ITK stores in a .tfm the transform used
 * for resampling, which maps points of the fixed (output) space to the moving
 * (input) space; 3D Slicer reads a .tfm as that "transform from parent" and
 * moves a model placed under it by the inverse. So the .tfm holds T^-1: a
 * moving model placed under the loaded transform in Slicer lands on the fixed
 * one. ITK files are in LPS, like fxaudit; Slicer converts to RAS on loading.
 */
#ifndef FXAUDIT_TFM_H
#define FXAUDIT_TFM_H

#include "fxaudit/error.h"
#include "fxaudit/vec3.h"

/* Write T (moving -> fixed) to `path`: an ITK AffineTransform_double_3_3
 * holding T^-1 when the name ends in .tfm or .txt, a JSON object when it ends
 * in .json ("matrix": 16 numbers row-major, moving -> fixed, and
 * "matrix_fixed_to_moving"). Written atomically. */
int fx_transform_write(const char *path, const fx_rigid *moving_to_fixed, fx_error *err);

/* Read an ITK .tfm with one affine (or rigid Euler-free matrix) transform,
 * honouring its centre, and return it as moving -> fixed (the inverse of the
 * stored one). Fails when the matrix is not a rotation. */
int fx_tfm_read(const char *path, fx_rigid *moving_to_fixed, fx_error *err);

#endif
