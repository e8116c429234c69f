/*
 * dicom_gdcm.h - the C face of the GDCM shim (src/io/dicom_gdcm.cc): one call
 * reads the header fields the scanner needs, one decodes pixels. Everything
 * else (grouping, sorting, resampling) is C in dicom_scan.c and dicom_load.c.
 */
#ifndef FXAUDIT_DICOM_GDCM_H
#define FXAUDIT_DICOM_GDCM_H

#include <stddef.h>

/* The core headers are plain C; C++ must see them with C linkage. */
#ifdef __cplusplus
extern "C" {
#endif

#include "fxaudit/dicom.h"
#include "fxaudit/error.h"

/* The header fields of one file. Strings are NUL-terminated, trimmed, empty
 * when the tag is absent; numbers NaN when absent. */
typedef struct fx_gdcm_header {
    int has_pixels;             /* (7FE0,0010) present */
    char sop_class[65];
    char modality[17];
    char image_type[65];
    char ts_uid[65];
    char ts_name[48];           /* short readable name of the transfer syntax */
    char series_uid[65], study_uid[65], frame_uid[65];
    char patient_name[65], patient_id[65], birth_date[17];
    int instance_number, acquisition_number, series_number;
    int rows, columns, frames, bits_allocated, pixel_representation, samples;
    int has_ipp, has_iop, has_spacing;
    double ipp[3], iop[6], pixel_spacing[2];
    double slice_thickness, spacing_between, gantry_tilt_deg;
    double slope, intercept;    /* 1 and 0 when absent */
    int has_padding;
    long padding;               /* stored value, sign as Pixel Representation says */
    double *frame_ipp;          /* multi-frame: frames x 3 positions (malloc'ed), else NULL */
} fx_gdcm_header;

/* Read the header of `path` (not the pixels). FX_EFORMAT when the file is not
 * DICOM. The caller frees h->frame_ipp. */
int fx_gdcm_read_header(const char *path, fx_gdcm_header *h, fx_error *err);

/* Decode all frames of `path` into *buf (grown with realloc as needed, *cap its
 * size in bytes); *len gets the decoded length, *bits the bits allocated per
 * value (8, 16 or 32) and *is_signed the pixel representation of the decoded
 * buffer. Values are stored values in native byte order. */
int fx_gdcm_read_pixels(const char *path, void **buf, size_t *cap, size_t *len, int *bits,
                        int *is_signed, fx_error *err);

#ifdef __cplusplus
}
#endif

#endif
