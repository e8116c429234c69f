/*
 * volio.c - open a volume file by what it contains, not by its name: NRRD
 * magic, NIfTI-1 magic (also inside gzip), DICOM (preamble "DICM", or a bare
 * data set starting with a group 0002 or 0008 tag), or a folder of DICOM.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "fxaudit/dicom.h"
#include "fxaudit/volio.h"

enum kind { K_UNKNOWN, K_NRRD, K_NIFTI, K_DICOM };

static enum kind sniff(const char *path, fx_error *err)
{
    uint8_t b[352] = {0};
    int n;
    gzFile gz = gzopen(path, "rb"); /* reads plain files unchanged */

    if (!gz) {
        fx_fail(err, FX_EIO, "cannot open '%s': %s", path, strerror(errno));
        return K_UNKNOWN;
    }
    n = gzread(gz, b, sizeof(b));
    gzclose(gz);
    if (n >= 8 && !memcmp(b, "NRRD000", 7))
        return K_NRRD;
    if (n >= 348 && !memcmp(b + 344, "n+1", 4))
        return K_NIFTI;
    if (n >= 132 && !memcmp(b + 128, "DICM", 4))
        return K_DICOM;
    /* No preamble: the first tag is little-endian group 0x0002 or 0x0008. */
    if (n >= 8 && b[1] == 0 && (b[0] == 2 || b[0] == 8) && b[3] == 0)
        return K_DICOM;
    fx_fail(err, FX_EFORMAT, "'%s' is neither NRRD, NIfTI-1 nor DICOM", path);
    return K_UNKNOWN;
}

int fx_volume_read(const char *path, fx_volume **out, fx_error *err)
{
    struct stat st;

    *out = NULL;
    if (stat(path, &st))
        return fx_fail(err, FX_EIO, "cannot open '%s': %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return fx_dicom_load_path(path, -1, NULL, out, NULL, err);
    switch (sniff(path, err)) {
    case K_NRRD: return fx_nrrd_read(path, out, err);
    case K_NIFTI: return fx_nifti_read(path, out, err);
    case K_DICOM: return fx_dicom_load_path(path, -1, NULL, out, NULL, err);
    default: return err ? err->code : FX_EFORMAT;
    }
}
