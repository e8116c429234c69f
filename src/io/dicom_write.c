/*
 * dicom_write.c - a volume as a CT series, one file per slice, for the
 * phantom and the tests. The per-file encoding is GDCM's (dicom_gdcm.cc); this
 * file decides the geometry and the identifiers shared by all slices.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fxaudit/dicom.h"

static int make_folder(const char *dir, fx_error *err)
{
    struct stat st;
    if (mkdir(dir, 0777) == 0)
        return FX_OK;
    if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return FX_OK;
    return fx_fail(err, FX_EIO, "cannot create folder '%s': %s", dir, strerror(errno));
}

int fx_dicom_write_series(const char *dir, const fx_volume *hu, const fx_dicom_write_meta *meta,
                          const fx_progress *progress, fx_error *err)
{
    char study[65], series[65], frame[65], path[4096];
    fx_dicom_slice s = {0};
    int rc;

    if (hu->type != FX_VOX_I16)
        return fx_fail(err, FX_EINVAL, "cannot write '%s': the volume is %s, not int16 HU", dir,
                       fx_voxel_type_name(hu->type));
    rc = fx_volume_check_geometry(hu, err);
    if (!rc)
        rc = make_folder(dir, err);
    if (rc)
        return rc;
    /* One study, series and frame of reference for every slice. */
    fx_dicom_new_uid(study);
    fx_dicom_new_uid(series);
    fx_dicom_new_uid(frame);
    s.rows = hu->dims[1];
    s.columns = hu->dims[0];
    s.pixel_spacing[0] = hu->spacing[1];
    s.pixel_spacing[1] = hu->spacing[0];
    for (int r = 0; r < 3; r++) {
        s.iop[r] = hu->dir[3 * r];
        s.iop[3 + r] = hu->dir[3 * r + 1];
    }
    s.slice_thickness_mm = s.spacing_between_mm = hu->spacing[2];
    s.study_uid = meta && meta->study_uid ? meta->study_uid : study;
    s.series_uid = meta && meta->series_uid ? meta->series_uid : series;
    s.frame_of_reference_uid = frame;
    s.patient_name = meta ? meta->patient_name : NULL;
    s.patient_id = meta ? meta->patient_id : NULL;
    s.series_description = meta ? meta->series_description : NULL;
    s.series_number = meta ? meta->series_number : 1;
    s.gantry_tilt_deg = meta ? meta->gantry_tilt_deg : 0.0;
    for (int k = 0; k < hu->dims[2] && !rc; k++) {
        fx_vec3 p = fx_volume_index_to_world(hu, fx_v3(0, 0, k));
        s.ipp[0] = p.x, s.ipp[1] = p.y, s.ipp[2] = p.z;
        s.hu = (const short *)hu->data + (size_t)k * (size_t)s.rows * (size_t)s.columns;
        s.instance_number = k + 1;
        if (snprintf(path, sizeof(path), "%s/IM%05d.dcm", dir, k + 1) >= (int)sizeof(path))
            return fx_fail(err, FX_EINVAL, "folder name '%s' is too long", dir);
        rc = fx_dicom_write_slice(path, &s, err);
        fx_progress_report(progress, "writing DICOM", (k + 1.0) / hu->dims[2]);
    }
    return rc;
}
