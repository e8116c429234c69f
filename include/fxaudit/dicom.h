/*
 * dicom.h - reading CT series as scanners write them, and writing them (for the
 * phantom and the tests). GDCM is used only behind this header, in the one C++
 * file src/io/dicom_gdcm.cc; no C++ exception crosses into C.
 *
 * Privacy: the series description structs carry no patient name, patient ID,
 * birth date or UID unless the caller asks for identity (FX_DICOM_IDENTITY);
 * UIDs are needed internally for grouping and are then kept in a separate
 * struct that the caller must not store in a study.
 */
#ifndef FXAUDIT_DICOM_H
#define FXAUDIT_DICOM_H

#include <stddef.h>

#include "fxaudit/error.h"
#include "fxaudit/progress.h"
#include "fxaudit/volume.h"

/* What a scan of files and folders found: one entry per image series. The
 * exact fields are the dicom module's to decide; the command-line contract's
 * JSON keys (architecture.md, `dicom info`) must all be derivable from it. */
typedef struct fx_dicom_series fx_dicom_series;
typedef struct fx_dicom_scan fx_dicom_scan;

/* Metadata for writing a CT series. Strings may be NULL (then left out, or a
 * generated value for the UIDs). Pixel values are HU; the writer chooses
 * RescaleSlope 1 and RescaleIntercept so that stored values are unsigned or
 * signed 16-bit as it prefers, and says both in the file. */
typedef struct fx_dicom_write_meta {
    const char *patient_name;   /* pseudonymous, e.g. "PHANTOM^P01" */
    const char *patient_id;     /* pseudonymous */
    const char *study_uid;      /* NULL: generated */
    const char *series_uid;     /* NULL: generated */
    const char *series_description;
    const char *study_date;     /* YYYYMMDD or NULL */
    int series_number;
    double gantry_tilt_deg;     /* written as (0018,1120); geometry is what `dir` says */
} fx_dicom_write_meta;

/* Write `hu` (int16 HU, any orthonormal direction) as one CT Image Storage file
 * per slice into folder `dir` (created when missing), with complete geometry
 * (Image Position/Orientation (Patient), Pixel Spacing, Slice Thickness,
 * Spacing Between Slices), rescale slope/intercept and fresh SOP UIDs. */
int fx_dicom_write_series(const char *dir, const fx_volume *hu, const fx_dicom_write_meta *meta,
                          const fx_progress *progress, fx_error *err);

#endif
