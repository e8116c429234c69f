/*
 * cmd_measure.c - `fxaudit measure record|list`: an observer records the gap
 * and step-off of one plane of one blinded case, and lists their own readings.
 * What is printed is the observer's own input and nothing else.
 */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "fxaudit/observers.h"
#include "fxaudit/store.h"

static const char record_help[] =
    "usage: fxaudit measure record --study DIR --observer O --case C\n"
    "         --timepoint preop|postop --plane axial|coronal|sagittal --gap MM --step MM\n"
    "         [--points JSON] [--remark TEXT] [--repeat | --amend ID --reason TEXT] [--json]\n\n"
    "Record the largest gap and step-off (mm, >= 0) an observer measured in one\n"
    "plane of one of their blinded cases. The time point must be the case's.\n\n"
    "  --points JSON    landmark points, e.g. '[[12.5, 40.1], [14.0, 41.5]]' (mm)\n"
    "  --repeat         a repeated reading of a plane already measured, for\n"
    "                   intra-observer agreement (numbered 2, 3, ...)\n"
    "  --amend ID       correct measurement ID (one of your own); --reason is\n"
    "                   required, and both values stay in the study's audit log\n";

static const char list_help[] =
    "usage: fxaudit measure list --study DIR --observer O [--json]\n\n"
    "The observer's own readings, current and amended, in reading-list order.\n";

enum {
    OPT_STUDY = 256,
    OPT_JSON,
    OPT_OBSERVER,
    OPT_CASE,
    OPT_TIMEPOINT,
    OPT_PLANE,
    OPT_GAP,
    OPT_STEP,
    OPT_POINTS,
    OPT_REMARK,
    OPT_REPEAT,
    OPT_AMEND,
    OPT_REASON
};

static const struct option record_opts[] = {{"study", required_argument, NULL, OPT_STUDY},
                                            {"json", no_argument, NULL, OPT_JSON},
                                            {"observer", required_argument, NULL, OPT_OBSERVER},
                                            {"case", required_argument, NULL, OPT_CASE},
                                            {"timepoint", required_argument, NULL, OPT_TIMEPOINT},
                                            {"plane", required_argument, NULL, OPT_PLANE},
                                            {"gap", required_argument, NULL, OPT_GAP},
                                            {"step", required_argument, NULL, OPT_STEP},
                                            {"points", required_argument, NULL, OPT_POINTS},
                                            {"remark", required_argument, NULL, OPT_REMARK},
                                            {"repeat", no_argument, NULL, OPT_REPEAT},
                                            {"amend", required_argument, NULL, OPT_AMEND},
                                            {"reason", required_argument, NULL, OPT_REASON},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};

static int parse_mm(const char *cmd, const char *what, const char *s, double *out)
{
    int rc = cli_parse_double(cmd, what, s, out);
    if (!rc && *out < 0)
        return cli_usage(cmd, "%s must be >= 0 mm, not '%s'", what, s);
    return rc;
}

static int parse_option(const char *cmd, int c, fx_reading *r, const char **study, bool *json)
{
    long id;
    int rc = EXIT_OK;
    switch (c) {
    case OPT_STUDY:
        *study = optarg;
        break;
    case OPT_JSON:
        *json = true;
        break;
    case OPT_OBSERVER:
        r->observer = optarg;
        break;
    case OPT_CASE:
        r->case_code = optarg;
        break;
    case OPT_TIMEPOINT:
        r->timepoint = optarg;
        break;
    case OPT_PLANE:
        r->plane = optarg;
        break;
    case OPT_GAP:
        rc = parse_mm(cmd, "--gap", optarg, &r->gap_mm);
        break;
    case OPT_STEP:
        rc = parse_mm(cmd, "--step", optarg, &r->step_mm);
        break;
    case OPT_POINTS:
        r->points = optarg;
        break;
    case OPT_REMARK:
        r->remark = optarg;
        break;
    case OPT_REPEAT:
        r->repeat = true;
        break;
    case OPT_AMEND:
        if (!(rc = cli_parse_int(cmd, "--amend", optarg, 1, LONG_MAX, &id)))
            r->amends_id = id;
        break;
    case OPT_REASON:
        r->reason = optarg;
        break;
    default:
        rc = EXIT_USAGE;
    }
    return rc;
}

static int check_required(const char *cmd, const fx_reading *r, const char *study)
{
    const char *missing = !study              ? "--study"
                          : !r->observer      ? "--observer"
                          : !r->case_code     ? "--case"
                          : !r->timepoint     ? "--timepoint"
                          : !r->plane         ? "--plane"
                          : isnan(r->gap_mm)  ? "--gap"
                          : isnan(r->step_mm) ? "--step"
                                              : NULL;
    if (missing)
        return cli_usage(cmd, "%s is required", missing);
    if (strcmp(r->timepoint, "preop") && strcmp(r->timepoint, "postop"))
        return cli_usage(cmd, "--timepoint must be preop or postop, not '%s'", r->timepoint);
    if (strcmp(r->plane, "axial") && strcmp(r->plane, "coronal") && strcmp(r->plane, "sagittal"))
        return cli_usage(cmd, "--plane must be axial, coronal or sagittal, not '%s'", r->plane);
    if (r->repeat && r->amends_id)
        return cli_usage(cmd, "--repeat and --amend exclude each other");
    if (!r->amends_id != !r->reason)
        return cli_usage(cmd, "--amend and --reason go together");
    return EXIT_OK;
}

static void print_recorded(const fx_reading *r, int64_t id, int rep, bool json)
{
    if (json) {
        cli_print_json(json_pack(
            "{s:I, s:s, s:s, s:s, s:s, s:f, s:f, s:i, s:o, s:b}", "id", (json_int_t)id, "observer",
            r->observer, "case", r->case_code, "timepoint", r->timepoint, "plane", r->plane,
            "gap_mm", r->gap_mm, "step_mm", r->step_mm, "repeat_no", rep, "amends",
            r->amends_id ? json_integer(r->amends_id) : json_null(), "repeat", rep > 1));
        return;
    }
    printf("recorded measurement %lld: case %s %s %s, gap %g mm, step-off %g mm", (long long)id,
           r->case_code, r->timepoint, r->plane, r->gap_mm, r->step_mm);
    if (r->amends_id)
        printf(", amending measurement %lld", (long long)r->amends_id);
    else if (rep > 1)
        printf(", repeat %d", rep);
    printf("\n");
}

static int cmd_measure_record(int argc, char **argv)
{
    const char *cmd = "fxaudit measure record", *study = NULL;
    fx_reading r = {.gap_mm = NAN, .step_mm = NAN};
    bool json = false;
    int c, rc;
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "h", record_opts, NULL)) != -1)
        if (c == 'h')
            return cli_help(record_help);
        else if ((rc = parse_option(cmd, c, &r, &study, &json)))
            return rc;
    if (optind < argc)
        return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
    if ((rc = check_required(cmd, &r, study)))
        return rc;

    fx_store *s = NULL;
    fx_error err = {0};
    int64_t id = 0;
    int rep = 0;
    rc = fx_store_open(study, &s, &err);
    if (!rc)
        rc = fx_observers_record(s, &r, &id, &rep, &err);
    fx_store_close(s);
    if (rc)
        return cli_error(&err);
    print_recorded(&r, id, rep, json);
    return EXIT_OK;
}

static void print_list_text(json_t *rows)
{
    size_t i;
    json_t *m;
    printf("%6s %-8s %-7s %-9s %8s %8s %4s  %s\n", "id", "case", "ct", "plane", "gap_mm", "step_mm",
           "rep", "status");
    for (i = 0; i < json_array_size(rows); i++) {
        m = json_array_get(rows, i);
        printf("%6lld %-8s %-7s %-9s %8g %8g %4lld  ",
               (long long)json_integer_value(json_object_get(m, "id")),
               json_string_value(json_object_get(m, "case")),
               json_string_value(json_object_get(m, "timepoint")),
               json_string_value(json_object_get(m, "plane")),
               json_number_value(json_object_get(m, "gap_mm")),
               json_number_value(json_object_get(m, "step_mm")),
               (long long)json_integer_value(json_object_get(m, "repeat_no")));
        if (json_is_integer(json_object_get(m, "amends_id")))
            printf("amends %lld (%s)%s",
                   (long long)json_integer_value(json_object_get(m, "amends_id")),
                   json_string_value(json_object_get(m, "amend_reason")),
                   json_integer_value(json_object_get(m, "current")) ? "" : ", amended");
        else
            printf("%s", json_integer_value(json_object_get(m, "current")) ? "current" : "amended");
        printf("\n");
    }
}

static int cmd_measure_list(int argc, char **argv)
{
    const char *cmd = "fxaudit measure list", *study = NULL, *observer = NULL;
    bool json = false;
    int c;
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "h", record_opts, NULL)) != -1) {
        if (c == 'h')
            return cli_help(list_help);
        else if (c == OPT_STUDY)
            study = optarg;
        else if (c == OPT_OBSERVER)
            observer = optarg;
        else if (c == OPT_JSON)
            json = true;
        else
            return cli_usage(cmd, "only --study, --observer and --json are options here");
    }
    if (optind < argc || !study || !observer)
        return cli_usage(cmd, "--study DIR and --observer O are required");
    fx_store *s = NULL;
    fx_error err = {0};
    json_t *rows = NULL;
    int rc = fx_store_open(study, &s, &err);
    if (!rc)
        rc = fx_observers_readings(s, observer, &rows, &err);
    fx_store_close(s);
    if (rc)
        return cli_error(&err);
    if (json)
        return cli_print_json(json_pack("{s:s, s:o}", "observer", observer, "measurements", rows));
    print_list_text(rows);
    json_decref(rows);
    return EXIT_OK;
}

int cmd_measure(int argc, char **argv)
{
    static const struct cli_cmd sub[] = {
        {"record", cmd_measure_record, "record a gap and step-off of one plane of a case"},
        {"list", cmd_measure_list, "an observer's own readings"},
        {NULL, NULL, NULL},
    };
    return cli_subcommand(argc, argv, sub, "fxaudit measure");
}
