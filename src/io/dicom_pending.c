/*
 * dicom_pending.c - placeholder until the series loader (dicom_scan.c,
 * dicom_load.c) lands in the next commit.
 */
#include "config.h"

#include "fxaudit/dicom.h"

int fx_dicom_load_path(const char *path, int index, const fx_progress *progress,
                       fx_volume **out, fx_dicom_load_info *info, fx_error *err)
{
    (void)index, (void)progress, (void)info;
    *out = NULL;
    return fx_fail(err, FX_EUNSUPPORTED, "cannot load '%s': DICOM series loading is not "
                   "built yet", path);
}
