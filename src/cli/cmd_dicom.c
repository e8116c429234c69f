/*
 * cmd_dicom.c - `fxaudit dicom info` lists the image series in files and
 * folders; `fxaudit dicom load` turns one into a HU volume (NRRD). Identity
 * (names, IDs, birth dates, UIDs) is printed only with --show-identity.
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "fxaudit/dicom.h"
#include "fxaudit/volio.h"

static const char info_help[] =
    "usage: fxaudit dicom info PATH... [--json] [--show-identity]\n\n"
    "Scans DICOM files and folders (one header pass) and lists every image series:\n"
    "size, geometry (LPS mm), gantry tilt, whether slice gaps are uniform, transfer\n"
    "syntaxes, and notes (tilt, uneven gaps, duplicates, why a series is skipped).\n"
    "Series are numbered from 1 in scan order; `dicom load --series N` takes that\n"
    "number.\n\n"
    "  --json           machine-readable output on stdout\n"
    "  --show-identity  also print patient name, ID, birth date and UIDs (without\n"
    "                   it, series_uid is null)\n"
    "  -h, --help       this text\n";

static const char load_help[] =
    "usage: fxaudit dicom load PATH [--series N] -o OUT.nrrd [--no-gzip] [--json]\n\n"
    "Loads one CT series as Hounsfield units (int16) on a regular grid and writes it\n"
    "as NRRD (gzip unless --no-gzip). Rescale is applied and padding masked\n"
    "(-1024 HU); tilted, uneven or gappy stacks are resampled onto an orthogonal\n"
    "grid (row, column, slice normal), and the output says so (`resampled`).\n\n"
    "  --series N   the series number `dicom info` shows (default: the first CT)\n"
    "  -o, --output OUT.nrrd\n"
    "  --no-gzip    write raw NRRD\n"
    "  --json       machine-readable output on stdout\n"
    "  -h, --help   this text\n";

static json_t *json_str_or_null(const char *s, int show)
{
    return show ? json_string(s) : json_null();
}

static json_t *ts_array(const char *list)
{
    json_t *a = json_array();
    char buf[FX_DICOM_TS_MAX];
    snprintf(buf, sizeof(buf), "%s", list);
    for (char *p = buf, *next; p && *p; p = next) {
        next = strstr(p, ", ");
        if (next) {
            *next = '\0';
            next += 2;
        }
        json_array_append_new(a, json_string(p));
    }
    return a;
}

static json_t *series_json(const fx_dicom_scan *scan, int i, int identity)
{
    const fx_dicom_series *s = fx_dicom_scan_series(scan, i);
    fx_dicom_identity id;
    json_t *o = json_object();

    fx_dicom_scan_identity(scan, i, &id);
    json_object_set_new(o, "index", json_integer(s->index));
    json_object_set_new(o, "series_uid", json_str_or_null(id.series_uid, identity));
    json_object_set_new(o, "modality", json_string(s->modality));
    json_object_set_new(o, "rows", json_integer(s->rows));
    json_object_set_new(o, "columns", json_integer(s->columns));
    json_object_set_new(o, "slices", json_integer(s->slices));
    json_object_set_new(o, "spacing", cli_json_doubles(s->spacing, 3));
    json_object_set_new(o, "origin", cli_json_doubles(s->origin, 3));
    json_object_set_new(o, "direction", cli_json_doubles(s->dir, 9));
    json_object_set_new(o, "gantry_tilt_deg", json_real(s->gantry_tilt_deg));
    json_object_set_new(o, "gantry_tilt_tag_deg", isnan(s->gantry_tilt_tag_deg)
                                                      ? json_null()
                                                      : json_real(s->gantry_tilt_tag_deg));
    json_object_set_new(o, "uniform_spacing", json_boolean(s->uniform_spacing));
    json_object_set_new(o, "min_gap_mm", json_real(s->min_gap_mm));
    json_object_set_new(o, "max_gap_mm", json_real(s->max_gap_mm));
    json_object_set_new(o, "transfer_syntaxes", ts_array(s->transfer_syntaxes));
    json_object_set_new(o, "files", json_integer(s->files));
    json_object_set_new(o, "duplicates", json_integer(s->duplicates));
    json_object_set_new(o, "multiframe", json_boolean(s->multiframe));
    json_object_set_new(o, "loadable", json_boolean(s->loadable));
    json_object_set_new(o, "note", json_string(s->note));
    if (identity) {
        json_object_set_new(o, "study_uid", json_string(id.study_uid));
        json_object_set_new(o, "patient_name", json_string(id.patient_name));
        json_object_set_new(o, "patient_id", json_string(id.patient_id));
        json_object_set_new(o, "birth_date", json_string(id.birth_date));
    }
    return o;
}

static void print_series_text(const fx_dicom_scan *scan, int i, int identity)
{
    const fx_dicom_series *s = fx_dicom_scan_series(scan, i);
    printf("series %d: %s, %d x %d x %d, spacing %.4g x %.4g x %.4g mm, tilt %.2f deg, "
           "gaps %s, %s%s\n",
           s->index, s->modality[0] ? s->modality : "?", s->columns, s->rows, s->slices,
           s->spacing[0], s->spacing[1], s->spacing[2], s->gantry_tilt_deg,
           s->uniform_spacing ? "uniform" : "uneven", s->transfer_syntaxes,
           s->loadable ? "" : " (skipped)");
    if (s->note[0])
        printf("  note: %s\n", s->note);
    if (identity) {
        fx_dicom_identity id;
        fx_dicom_scan_identity(scan, i, &id);
        printf("  patient '%s', id '%s', born '%s'\n  series uid %s\n  study uid %s\n",
               id.patient_name, id.patient_id, id.birth_date, id.series_uid, id.study_uid);
    }
}

static int dicom_info(int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"show-identity", no_argument, NULL, 'I'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int json = 0, identity = 0, c;
    const char *cmd = "fxaudit dicom info";

    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'I': identity = 1; break;
        case 'h': return cli_help(info_help);
        default: return cli_usage(cmd, "unknown option");
        }
    }
    if (optind >= argc)
        return cli_usage(cmd, "give at least one file or folder");
    fx_progress prog = cli_progress();
    fx_dicom_scan *scan;
    fx_error err;
    int rc = fx_dicom_scan_paths((const char *const *)argv + optind, argc - optind, &prog, &scan,
                                 &err);
    cli_progress_done();
    if (rc)
        return cli_error(&err);
    int n = fx_dicom_scan_count(scan);
    if (json) {
        json_t *root = json_object(), *list = json_array();
        for (int i = 0; i < n; i++)
            json_array_append_new(list, series_json(scan, i, identity));
        json_object_set_new(root, "series", list);
        json_object_set_new(root, "skipped_files", json_integer(fx_dicom_scan_skipped(scan)));
        json_object_set_new(root, "identity_shown", json_boolean(identity));
        rc = cli_print_json(root);
    } else {
        for (int i = 0; i < n; i++)
            print_series_text(scan, i, identity);
        if (fx_dicom_scan_skipped(scan))
            printf("%d files skipped (not DICOM images), e.g. '%s'\n",
                   fx_dicom_scan_skipped(scan), fx_dicom_scan_skipped_example(scan));
        rc = EXIT_OK;
    }
    fx_dicom_scan_free(scan);
    return rc;
}

static json_t *load_json(const fx_volume *v, const fx_dicom_load_info *info, int series,
                         const char *out)
{
    double lo, hi;
    json_t *o = json_object();
    fx_volume_range(v, &lo, &hi);
    json_object_set_new(o, "series", json_integer(series));
    json_object_set_new(o, "output", json_string(out));
    json_object_set_new(o, "dims", cli_json_ints(v->dims, 3));
    json_object_set_new(o, "spacing", cli_json_doubles(v->spacing, 3));
    json_object_set_new(o, "origin", cli_json_doubles(v->origin, 3));
    json_object_set_new(o, "direction", cli_json_doubles(v->dir, 9));
    json_object_set_new(o, "hu_min", json_integer((json_int_t)lo));
    json_object_set_new(o, "hu_max", json_integer((json_int_t)hi));
    json_object_set_new(o, "resampled", json_boolean(info->resampled));
    json_object_set_new(o, "gantry_tilt_deg", json_real(info->gantry_tilt_deg));
    json_object_set_new(o, "tilt_corrected", json_boolean(info->tilt_corrected));
    json_object_set_new(o, "uniform_spacing", json_boolean(info->uniform_spacing));
    json_object_set_new(o, "duplicates", json_integer(info->duplicates));
    json_object_set_new(o, "padding_masked", json_integer(info->padding_masked));
    json_object_set_new(o, "rescale_slope", json_real(info->slope));
    json_object_set_new(o, "rescale_intercept", json_real(info->intercept));
    json_object_set_new(o, "note", json_string(info->note));
    return o;
}

static int dicom_load(int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"series", required_argument, NULL, 's'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"no-gzip", no_argument, NULL, 'r'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int json = 0, gzip = 1, c;
    long series = 0;
    const char *out = NULL, *cmd = "fxaudit dicom load";

    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 's':
            if (cli_parse_int(cmd, "--series", optarg, 1, 1000000, &series))
                return EXIT_USAGE;
            break;
        case 'o': out = optarg; break;
        case 'r': gzip = 0; break;
        case 'h': return cli_help(load_help);
        default: return cli_usage(cmd, "unknown option");
        }
    }
    if (optind + 1 != argc)
        return cli_usage(cmd, "give exactly one file or folder");
    if (!out)
        return cli_usage(cmd, "give the output file with -o OUT.nrrd");
    fx_progress prog = cli_progress();
    fx_dicom_scan *scan;
    fx_volume *v = NULL;
    fx_dicom_load_info info;
    fx_error err;
    const char *path = argv[optind];
    int rc = fx_dicom_scan_paths(&path, 1, &prog, &scan, &err);
    if (!rc) {
        int index = series ? (int)series - 1 : fx_dicom_scan_first_loadable(scan);
        if (index < 0)
            rc = fx_fail(&err, FX_EUNSUPPORTED, "no loadable CT series in '%s' (see 'fxaudit "
                         "dicom info')", path);
        else
            rc = fx_dicom_load_series(scan, index, &prog, &v, &info, &err);
        series = index + 1;
        fx_dicom_scan_free(scan);
    }
    if (!rc)
        rc = fx_nrrd_write(out, v, gzip, &err);
    cli_progress_done();
    if (rc) {
        fx_volume_free(v);
        return cli_error(&err);
    }
    if (json) {
        rc = cli_print_json(load_json(v, &info, (int)series, out));
    } else {
        printf("wrote '%s': %d x %d x %d, spacing %.4g x %.4g x %.4g mm%s\n", out, v->dims[0],
               v->dims[1], v->dims[2], v->spacing[0], v->spacing[1], v->spacing[2],
               info.resampled ? ", resampled" : "");
        if (info.note[0])
            printf("note: %s\n", info.note);
    }
    fx_volume_free(v);
    return rc;
}

static const char synth_help[] =
    "usage: fxaudit dicom synth -o DIR [--dims NXxNYxNZ] [--spacing SXxSYxSZ]\n"
    "                           [--name PSEUDONYM]\n\n"
    "Writes a synthetic axial CT series (one file per slice, explicit VR little\n"
    "endian) for tests and benchmarks: air, a water cylinder along z and a bone\n"
    "sphere at the centre. Defaults: 64x64x32 voxels of 0.7x0.7x1.25 mm.\n\n"
    "  -o, --output DIR  folder to write (created)\n"
    "  --dims NXxNYxNZ   voxels\n"
    "  --spacing SXxSYxSZ  mm\n"
    "  --name PSEUDONYM  Patient's Name (default SYNTH^TEST)\n"
    "  -h, --help        this text\n";

static int parse_triple(const char *cmd, const char *what, const char *s, double out[3])
{
    char *end;
    const char *p = s;
    for (int c = 0; c < 3; c++) {
        out[c] = strtod(p, &end);
        if (end == p || !(out[c] > 0) || (c < 2 ? *end != 'x' : *end != '\0'))
            return cli_usage(cmd, "%s must look like 512x512x600, not '%s'", what, s);
        p = end + 1;
    }
    return EXIT_OK;
}

static void synth_fill(fx_volume *v)
{
    int16_t *px = v->data;
    double cx = (v->dims[0] - 1) / 2.0, cy = (v->dims[1] - 1) / 2.0, cz = (v->dims[2] - 1) / 2.0;
    double rbody = 0.45 * fmin(v->dims[0] * v->spacing[0], v->dims[1] * v->spacing[1]);
    double rbone = 0.4 * rbody;
    size_t n = 0;
    for (int k = 0; k < v->dims[2]; k++)
        for (int j = 0; j < v->dims[1]; j++)
            for (int i = 0; i < v->dims[0]; i++, n++) {
                double x = (i - cx) * v->spacing[0], y = (j - cy) * v->spacing[1];
                double z = (k - cz) * v->spacing[2], r2 = x * x + y * y;
                int16_t hu = -1000;
                if (r2 < rbody * rbody)
                    hu = (int16_t)(20 + (i * 7 + j * 13 + k * 3) % 41); /* texture */
                if (r2 + z * z < rbone * rbone)
                    hu = 700;
                px[n] = hu;
            }
}

static int dicom_synth(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"dims", required_argument, NULL, 'd'},
                                         {"spacing", required_argument, NULL, 's'},
                                         {"name", required_argument, NULL, 'n'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    double dims[3] = {64, 64, 32}, spacing[3] = {0.7, 0.7, 1.25};
    const char *out = NULL, *name = "SYNTH^TEST", *cmd = "fxaudit dicom synth";
    int c;

    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'd':
            if (parse_triple(cmd, "--dims", optarg, dims))
                return EXIT_USAGE;
            break;
        case 's':
            if (parse_triple(cmd, "--spacing", optarg, spacing))
                return EXIT_USAGE;
            break;
        case 'n': name = optarg; break;
        case 'h': return cli_help(synth_help);
        default: return cli_usage(cmd, "unknown option");
        }
    }
    if (!out || optind != argc)
        return cli_usage(cmd, "give the output folder with -o DIR and nothing else");
    int idims[3] = {(int)dims[0], (int)dims[1], (int)dims[2]};
    fx_volume *v;
    fx_error err;
    if (fx_volume_new(idims, FX_VOX_I16, &v, &err))
        return cli_error(&err);
    memcpy(v->spacing, spacing, sizeof(spacing));
    v->origin[0] = -0.5 * idims[0] * spacing[0];
    v->origin[1] = -0.5 * idims[1] * spacing[1];
    synth_fill(v);
    fx_dicom_write_meta meta = {.patient_name = name, .patient_id = "SYNTH01",
                                .series_description = "fxaudit synthetic series",
                                .series_number = 1};
    fx_progress prog = cli_progress();
    int rc = fx_dicom_write_series(out, v, &meta, &prog, &err);
    cli_progress_done();
    fx_volume_free(v);
    return rc ? cli_error(&err) : EXIT_OK;
}

int cmd_dicom(int argc, char **argv)
{
    static const struct cli_cmd sub[] = {
        {"info", dicom_info, "list the image series in DICOM files and folders"},
        {"load", dicom_load, "load one CT series as a HU volume (NRRD)"},
        {"synth", dicom_synth, "write a synthetic CT series (tests, benchmarks)"},
        {NULL, NULL, NULL},
    };
    return cli_subcommand(argc, argv, sub, "fxaudit dicom");
}
