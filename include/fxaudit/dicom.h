/*
 * dicom.h - reading CT series as scanners write them, and writing them (for the
 * phantom and the tests). GDCM is used only behind this header, in the one C++
 * file src/io/dicom_gdcm.cc; no C++ exception crosses into C.
 *
 * Privacy: the series description structs carry no patient name, patient ID,
 * birth date or UID. UIDs are needed internally for grouping; they and the
 * names are kept in a separate struct (fx_dicom_identity) that a caller asks
 * for explicitly and must not store in a study.
 */
#ifndef FXAUDIT_DICOM_H
#define FXAUDIT_DICOM_H

#include <stddef.h>

#include "fxaudit/error.h"
#include "fxaudit/progress.h"
#include "fxaudit/volume.h"

/* ---- Reading -------------------------------------------------------------- */

typedef struct fx_dicom_scan fx_dicom_scan;

#define FX_DICOM_NOTE_MAX 1024
#define FX_DICOM_TS_MAX 256

/* One image series found by a scan, without identifying data. Geometry is the
 * acquisition's: `dir` has the row direction, the column direction and the
 * slice normal (row x column) as its columns; `origin` is the first slice's
 * Image Position (Patient) after sorting along the normal. */
typedef struct fx_dicom_series {
    int index;                 /* 1-based, in scan order: what `--series N` takes */
    char modality[17];         /* "CT", "MR", ... */
    int rows, columns;
    int slices;                /* distinct slice positions (frames for multi-frame) */
    int files;                 /* files in the series */
    int frames;                /* image planes before removing duplicates */
    double spacing[3];         /* mm: column spacing, row spacing, median slice gap */
    double origin[3];          /* mm, LPS */
    double dir[9];             /* row-major; columns row, column, normal */
    double gantry_tilt_deg;    /* from the geometry: angle of the stack to the normal */
    double gantry_tilt_tag_deg; /* (0018,1120) as written, NaN when absent */
    int uniform_spacing;       /* gaps equal within 1 % (and no duplicates) */
    double min_gap_mm, max_gap_mm;
    int duplicates;            /* planes dropped because their position repeats */
    int multiframe;            /* an enhanced multi-frame object */
    int loadable;              /* a CT (or CT-like) image series with geometry */
    char transfer_syntaxes[FX_DICOM_TS_MAX]; /* distinct names, ", " separated */
    char note[FX_DICOM_NOTE_MAX]; /* why not loadable; what is unusual */
} fx_dicom_series;

/* Identifying data of a series: only for display with an explicit request
 * (`--show-identity`); never store it in a study. */
typedef struct fx_dicom_identity {
    char series_uid[65];
    char study_uid[65];
    char patient_name[65];
    char patient_id[65];
    char birth_date[17];
} fx_dicom_identity;

/* Scan files and folders (recursively; a path to a DICOMDIR scans the folder
 * it sits in; non-image files are passed over and counted) reading each
 * header once, and group the image planes into
 * series: by Series Instance UID, and when that is empty by frame of
 * reference, orientation, size, spacing and acquisition. On success *out owns
 * the scan (free with fx_dicom_scan_free). Finding no DICOM image at all is an
 * error (FX_ENOTFOUND) naming the paths. */
int fx_dicom_scan_paths(const char *const *paths, int npaths, const fx_progress *progress,
                        fx_dicom_scan **out, fx_error *err);
void fx_dicom_scan_free(fx_dicom_scan *scan); /* NULL is a no-op */

/* Number of series, and series i (0-based: its `index` is i + 1; owned by the
 * scan, valid until it is freed). */
int fx_dicom_scan_count(const fx_dicom_scan *scan);
const fx_dicom_series *fx_dicom_scan_series(const fx_dicom_scan *scan, int i);
/* Identifying data of series i (see fx_dicom_identity). */
void fx_dicom_scan_identity(const fx_dicom_scan *scan, int i, fx_dicom_identity *id);
/* How many files were skipped (unreadable, not DICOM, or not an image), and
 * the path of the first of them ("" when none). */
int fx_dicom_scan_skipped(const fx_dicom_scan *scan);
const char *fx_dicom_scan_skipped_example(const fx_dicom_scan *scan);
/* Index of the first loadable series, or -1. */
int fx_dicom_scan_first_loadable(const fx_dicom_scan *scan);

/* What a load did, without identifying data. */
typedef struct fx_dicom_load_info {
    int resampled;             /* the acquisition grid was not the output grid */
    int tilt_corrected;        /* resampled to remove a gantry tilt */
    double gantry_tilt_deg;
    int uniform_spacing;
    int duplicates;
    int padding_masked;        /* voxels set to FX_DICOM_OUTSIDE_HU as padding */
    double slope, intercept;   /* of the first plane */
    char note[FX_DICOM_NOTE_MAX];
} fx_dicom_load_info;

/* HU written where the acquisition has no data (padding, outside a tilted FOV). */
#define FX_DICOM_OUTSIDE_HU (-1024)

/* Load series `index` (0-based, as for fx_dicom_scan_series) of `scan` as an
 * int16 HU volume on a regular orthogonal grid: rescale applied and clamped to
 * int16, padding masked, slices sorted along the normal; tilted, uneven or gappy stacks are resampled (trilinear)
 * onto a grid with axes row, column, normal. On success *out owns the volume
 * and `info` (may be NULL) says what was done. */
int fx_dicom_load_series(const fx_dicom_scan *scan, int index, const fx_progress *progress,
                         fx_volume **out, fx_dicom_load_info *info, fx_error *err);

/* Scan `path` and load its series `index` (0-based), or the first loadable
 * one when `index` is negative. */
int fx_dicom_load_path(const char *path, int index, const fx_progress *progress,
                       fx_volume **out, fx_dicom_load_info *info, fx_error *err);

/* Decode the pixel data of one file as GDCM delivers it (stored values, native
 * byte order, all frames). *buf is malloc'ed (the caller frees it). */
int fx_dicom_decode_file(const char *path, void **buf, size_t *len, fx_error *err);

/* ---- Writing -------------------------------------------------------------- */

/* Transfer syntaxes the writer can produce. */
typedef enum fx_dicom_ts {
    FX_TS_EXPLICIT_LE = 0,
    FX_TS_IMPLICIT_LE,
    FX_TS_RLE,
    FX_TS_JPEG_LOSSLESS,
    FX_TS_JPEG2000_LOSSLESS,
    FX_TS_JPEGLS_LOSSLESS,
} fx_dicom_ts;

/* Metadata for writing a CT series. Strings may be NULL (then left out, or a
 * generated value for the UIDs). Pixel values are HU; the writer stores them
 * as signed 16-bit with RescaleSlope 1 and RescaleIntercept 0 and says both in
 * the file. */
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
 * Spacing Between Slices), rescale slope/intercept and fresh SOP UIDs. Files
 * are named IM00001.dcm, ... in slice order. */
int fx_dicom_write_series(const char *dir, const fx_volume *hu, const fx_dicom_write_meta *meta,
                          const fx_progress *progress, fx_error *err);

/* One slice with full control over its geometry, for tests that need tilted,
 * uneven, shuffled or broken series. Pixels are HU, rows x columns, row-major
 * (column index fastest). Stored = (HU - intercept) / slope, rounded. */
typedef struct fx_dicom_slice {
    int rows, columns;
    const short *hu;
    double ipp[3];              /* Image Position (Patient), mm LPS */
    double iop[6];              /* row direction, then column direction */
    double pixel_spacing[2];    /* row spacing (between rows), column spacing, mm */
    double slice_thickness_mm;  /* 0: left out */
    double spacing_between_mm;  /* 0: left out */
    double gantry_tilt_deg;     /* NaN: left out */
    double slope, intercept;    /* 0 slope: 1 and 0 */
    int instance_number;
    int series_number;
    int acquisition_number;     /* 0: left out */
    const char *modality;       /* NULL: "CT" */
    const char *study_uid, *series_uid, *sop_uid, *frame_of_reference_uid; /* NULL: generated;
                                                                      "" writes an empty UID */
    const char *patient_name, *patient_id;
    const char *series_description;
    fx_dicom_ts ts;
    int omit_ipp;               /* leave out Image Position (Patient): a broken file */
    int has_padding;            /* write Pixel Padding Value */
    short padding_stored;       /* its stored value */
} fx_dicom_slice;

/* Write one slice as a CT Image Storage file (the file appears whole or not
 * at all). */
int fx_dicom_write_slice(const char *path, const fx_dicom_slice *s, fx_error *err);

/* Write `n` frames (same size, orientation, spacing and rescale as frames[0];
 * positions and pixels their own, in the order given) as one Enhanced CT
 * Image Storage file with shared and per-frame functional groups. */
int fx_dicom_write_enhanced(const char *path, const fx_dicom_slice *frames, int n,
                            fx_error *err);

/* A fresh UID under GDCM's root, at most 64 characters plus the NUL. */
void fx_dicom_new_uid(char uid[65]);

#endif
