/*
 * volio.h - volume files: NRRD (read, write raw or gzip), NIfTI-1 (read,
 * .nii and .nii.gz), and a reader that picks the format by content. Geometry
 * is carried into LPS world coordinates (NIfTI's RAS is converted).
 */
#ifndef FXAUDIT_VOLIO_H
#define FXAUDIT_VOLIO_H

#include "fxaudit/error.h"
#include "fxaudit/volume.h"

/* Read a NRRD file (raw, gzip; attached data). On success *out owns a new
 * volume (free with fx_volume_free). Errors name the file and the field. */
int fx_nrrd_read(const char *path, fx_volume **out, fx_error *err);
/* Write `v` as NRRD with space "left-posterior-superior"; gzip when `gzip`.
 * The file appears complete or not at all (written to a temporary name in the
 * same folder and renamed). */
int fx_nrrd_write(const char *path, const fx_volume *v, int gzip, fx_error *err);
/* Read a NIfTI-1 file (.nii or .nii.gz), applying scl_slope/scl_inter to
 * integer data stored as int16 when the result fits, else as float. */
int fx_nifti_read(const char *path, fx_volume **out, fx_error *err);
/* Read NRRD, NIfTI, or a DICOM file or folder (the first CT series), by
 * content rather than by name. */
int fx_volume_read(const char *path, fx_volume **out, fx_error *err);

#endif
