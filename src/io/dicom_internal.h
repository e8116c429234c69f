/*
 * dicom_internal.h - what the scanner (dicom_scan.c) hands to the loader
 * (dicom_load.c): every file's header, and per series its image planes sorted
 * along the slice normal. Private to src/io.
 */
#ifndef FXAUDIT_DICOM_INTERNAL_H
#define FXAUDIT_DICOM_INTERNAL_H

#include "dicom_gdcm.h"
#include "fxaudit/dicom.h"

/* One image plane: a single-frame file, or one frame of a multi-frame file. */
struct dicom_plane {
    int file;        /* index into fx_dicom_scan.files */
    int frame;       /* 0 for single-frame files */
    double ipp[3];   /* Image Position (Patient) of this plane, mm LPS */
    double z_mm;     /* position along the slice normal */
    int instance;
};

struct dicom_series {
    fx_dicom_series pub;
    fx_dicom_identity id;
    char key[512];           /* grouping key */
    struct dicom_plane *planes; /* sorted by z_mm, duplicates removed */
    int nplanes, cap;
    double row[3], col[3], normal[3]; /* unit vectors, LPS */
    double shear_mm;         /* largest in-plane offset of a plane from the first */
    char why[FX_ERROR_MSG_MAX]; /* when not loadable: the error a load reports */
};

struct fx_dicom_scan {
    char **files;            /* paths, owned */
    fx_gdcm_header *hdr;     /* one per file (frame_ipp freed after grouping) */
    int nfiles, cap;
    struct dicom_series *series;
    int nseries;
    int skipped;             /* files that are not DICOM images */
    char skipped_example[512];
};

/* A plane is sheared (tilted stack) when it is offset within the slice plane
 * by more than this fraction of a pixel; gaps are uneven when they differ from
 * the median by more than this fraction of it. */
#define DICOM_SHEAR_TOL 0.05
#define DICOM_GAP_TOL 0.01

#endif
