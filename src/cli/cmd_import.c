/*
 * cmd_import.c - `fxaudit import`: a CT series (DICOM folder or files, NRRD or
 * NIfTI) into a study, as a gzip NRRD volume in HU recorded with its geometry
 * and SHA-256. No identifying DICOM data reaches the study: only the volume,
 * its geometry and what the loader did to it.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "fxaudit/dicom.h"
#include "fxaudit/store.h"
#include "fxaudit/volio.h"

static const char import_help[] =
    "usage: fxaudit import --study DIR --patient CODE --timepoint preop|postop|followup\n"
    "                      [--series N] [--months M] [--json] PATH...\n\n"
    "Import one CT series into the study: DICOM files or folders (the series\n"
    "numbered N by 'fxaudit dicom info', or the only CT series there is), or a\n"
    "NRRD or NIfTI volume. The volume is stored in HU as gzip NRRD under volumes/\n"
    "and recorded with its geometry, what the loader did (resampling of a tilted\n"
    "or uneven stack) and its SHA-256, in one transaction: after a failure or a\n"
    "kill the study is as it was. Patient names, IDs, birth dates and UIDs are\n"
    "never stored.\n";

struct import_args {
    const char *study, *patient, *timepoint;
    long series;       /* 1-based; 0 = the only loadable one */
    double months;     /* NAN when not given */
    int json;
    char **paths;
    int npaths;
};

static int parse(int argc, char **argv, struct import_args *a)
{
    static const struct option opts[] = {
        {"study", required_argument, NULL, 's'},   {"patient", required_argument, NULL, 'p'},
        {"timepoint", required_argument, NULL, 't'}, {"series", required_argument, NULL, 'n'},
        {"months", required_argument, NULL, 'm'},  {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    const char *cmd = "fxaudit import";
    int c, rc;

    memset(a, 0, sizeof(*a));
    a->months = NAN;
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 's': a->study = optarg; break;
        case 'p': a->patient = optarg; break;
        case 't': a->timepoint = optarg; break;
        case 'j': a->json = 1; break;
        case 'n':
            if ((rc = cli_parse_int(cmd, "--series", optarg, 1, 100000, &a->series)))
                return rc;
            break;
        case 'm':
            if ((rc = cli_parse_double(cmd, "--months", optarg, &a->months)))
                return rc;
            break;
        case 'h': return -1;
        default: return cli_usage(cmd, "unknown option");
        }
    }
    if (!a->study || !a->patient || !a->timepoint)
        return cli_usage(cmd, "--study, --patient and --timepoint are required");
    if (optind >= argc)
        return cli_usage(cmd, "say what to import (DICOM files or folders, NRRD or NIfTI)");
    fx_error err;
    if (fx_store_enum_check("timepoint", a->timepoint, &err))
        return cli_usage(cmd, "%s", err.msg);
    a->paths = argv + optind;
    a->npaths = argc - optind;
    return EXIT_OK;
}

/* NRRD and NIfTI files are volumes already; anything else is read as DICOM. */
static int is_volume_file(const char *path)
{
    static const char *const ext[] = {".nrrd", ".nhdr", ".nii", ".nii.gz"};
    size_t n = strlen(path);
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
        size_t k = strlen(ext[i]);
        if (n > k && !strcmp(path + n - k, ext[i]))
            return 1;
    }
    return 0;
}

/* Pick the series to import: the one asked for, or the only loadable one. */
static int pick_series(const fx_dicom_scan *scan, long want, int *index, fx_error *err)
{
    int n = fx_dicom_scan_count(scan), loadable = 0, last = -1;

    if (want > 0) {
        if (want > n)
            return fx_fail(err, FX_ENOTFOUND, "there is no series %ld (found %d)", want, n);
        if (!fx_dicom_scan_series(scan, (int)want - 1)->loadable)
            return fx_fail(err, FX_EUNSUPPORTED, "series %ld cannot be imported: %s", want,
                           fx_dicom_scan_series(scan, (int)want - 1)->note);
        *index = (int)want - 1;
        return FX_OK;
    }
    for (int i = 0; i < n; i++)
        if (fx_dicom_scan_series(scan, i)->loadable)
            loadable++, last = i;
    if (loadable == 0)
        return fx_fail(err, FX_ENOTFOUND, "no CT series that can be imported was found");
    if (loadable > 1)
        return fx_fail(err, FX_EINVAL, "%d CT series were found: choose one with --series N "
                       "(see 'fxaudit dicom info')", loadable);
    *index = last;
    return FX_OK;
}

static int load(const struct import_args *a, const fx_progress *pg, fx_volume **vol,
                fx_dicom_load_info *info, fx_error *err)
{
    fx_dicom_scan *scan = NULL;
    int index = -1, rc;

    memset(info, 0, sizeof(*info));
    info->gantry_tilt_deg = NAN;
    info->uniform_spacing = 1;
    if (a->npaths == 1 && is_volume_file(a->paths[0])) {
        if (a->series > 0)
            return fx_fail(err, FX_EINVAL, "--series applies to DICOM, not to '%s'", a->paths[0]);
        return fx_volume_read(a->paths[0], vol, err);
    }
    rc = fx_dicom_scan_paths((const char *const *)a->paths, a->npaths, pg, &scan, err);
    if (!rc)
        rc = pick_series(scan, a->series, &index, err);
    if (!rc)
        rc = fx_dicom_load_series(scan, index, pg, vol, info, err);
    fx_dicom_scan_free(scan);
    return rc;
}

static void fill_record(const struct import_args *a, const fx_volume *v,
                        const fx_dicom_load_info *info, fx_series_rec *r)
{
    fx_series_rec_init(r);
    snprintf(r->patient, sizeof(r->patient), "%s", a->patient);
    snprintf(r->timepoint, sizeof(r->timepoint), "%s", a->timepoint);
    snprintf(r->modality, sizeof(r->modality), "CT");
    r->months_after_surgery = a->months;
    for (int i = 0; i < 3; i++) {
        r->dims[i] = v->dims[i];
        r->spacing_mm[i] = v->spacing[i];
        r->origin_mm[i] = v->origin[i];
    }
    memcpy(r->dir, v->dir, sizeof(r->dir));
    r->gantry_tilt_deg = info->gantry_tilt_deg;
    r->resampled = info->resampled;
    /* the loader's note is longer than the column: keep its first sentences */
    snprintf(r->notes, sizeof(r->notes), "%.*s", (int)sizeof(r->notes) - 1, info->note);
}

/* Write the volume to a temporary NRRD inside the study, so that recording it
 * is a rename on the same file system. */
static int stage_volume(fx_store *s, const fx_volume *v, char *tmp, size_t n, fx_error *err)
{
    int fd;
    if (snprintf(tmp, n, "%s/volumes/import-XXXXXX.nrrd", fx_store_dir(s)) >= (int)n)
        return fx_fail(err, FX_EINVAL, "study path '%s' is too long", fx_store_dir(s));
    fd = mkstemps(tmp, 5); /* the store names the volume after this extension */
    if (fd < 0)
        return fx_fail(err, FX_EIO, "cannot create '%s': %s", tmp, strerror(errno));
    close(fd);
    return fx_nrrd_write(tmp, v, 1, err);
}

static int print_result(const struct import_args *a, const fx_series_rec *r)
{
    if (!a->json) {
        printf("imported %s %s: %d x %d x %d voxels, %.3g x %.3g x %.3g mm -> %s\n", r->patient,
               r->timepoint, r->dims[0], r->dims[1], r->dims[2], r->spacing_mm[0],
               r->spacing_mm[1], r->spacing_mm[2], r->path);
        if (r->notes[0])
            printf("note: %s\n", r->notes);
        return EXIT_OK;
    }
    json_t *o = json_pack("{s:s, s:s, s:I, s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:b, s:s}",
                          "patient", r->patient, "timepoint", r->timepoint, "series_id",
                          (json_int_t)r->id, "path", r->path, "sha256", r->sha256, "bytes",
                          (json_int_t)r->bytes, "dims", cli_json_ints(r->dims, 3), "spacing",
                          cli_json_doubles(r->spacing_mm, 3), "origin",
                          cli_json_doubles(r->origin_mm, 3), "direction",
                          cli_json_doubles(r->dir, 9), "resampled", r->resampled, "notes",
                          r->notes);
    return cli_print_json(o);
}

int cmd_import(int argc, char **argv)
{
    struct import_args a;
    fx_store *s = NULL;
    fx_volume *v = NULL;
    fx_dicom_load_info info;
    fx_series_rec rec;
    fx_patient pat;
    fx_progress pg = cli_progress();
    fx_error err;
    char tmp[4096] = "";
    int rc = parse(argc, argv, &a);

    if (rc == -1)
        return cli_help(import_help);
    if (rc)
        return rc;
    if ((rc = fx_store_open(a.study, &s, &err)) ||
        (rc = fx_store_patient_get(s, a.patient, &pat, &err)) ||
        (rc = load(&a, &pg, &v, &info, &err)) || (rc = stage_volume(s, v, tmp, sizeof(tmp), &err)))
        goto out;
    fill_record(&a, v, &info, &rec);
    rc = fx_store_series_add(s, &rec, tmp, true, &err);
    if (!rc)
        tmp[0] = '\0'; /* moved into the study */
out:
    cli_progress_done();
    if (tmp[0])
        unlink(tmp);
    fx_volume_free(v);
    fx_store_close(s);
    if (rc)
        return cli_error(&err);
    return print_result(&a, &rec);
}
