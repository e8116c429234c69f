/*
 * dicom_check.h - a structural walk of a DICOM file (see dicom_check.c), so
 * that a truncated or garbled file is refused before GDCM's parser, which
 * aborts on such files in Debian's build, ever sees it. Private to src/io.
 */
#ifndef FXAUDIT_DICOM_CHECK_H
#define FXAUDIT_DICOM_CHECK_H

#include <stddef.h>
#include <stdint.h>

/* 0 when every element of `path` (or of the n bytes at p) fits in the file;
 * -1 otherwise, with a lower-case phrase in `why` ("the file ends inside an
 * element header"). */
int dicom_check_file(const char *path, char *why, size_t nwhy);
int dicom_check_buffer(const uint8_t *p, size_t n, char *why, size_t nwhy);

#endif
