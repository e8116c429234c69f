/*
 * cmd_validate.c - `fxaudit validate`: run a pipeline stage on a phantom
 * cohort and compare every result with its truth.json.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "validate.h"

static const struct stage {
    const char *name;
    int (*run)(const char *cohort, const char *work, const fx_progress *pg, json_t *patients,
               json_t *summary, fx_error *err);
} stages[] = {
    {"plan", validate_plan},
    {NULL, NULL},
};

static const char help[] =
    "usage: fxaudit validate --cohort DIR [--stage plan] [--work DIR] [--json]\n\n"
    "Runs a stage of the pipeline on every patient of a phantom cohort (fxaudit\n"
    "phantom) and compares the results with truth.json.\n"
    "  plan   fragments from the true pre-op label map, then automatically: the\n"
    "         symmetry plane, the template, the reduction, screw corridors and\n"
    "         plates; errors of the plane (deg, mm), of each fragment's planned pose\n"
    "         (RMS mm over its surface, deg) and of each corridor (mm).\n"
    "--work DIR keeps the products (default DIR/validate-STAGE).\n";

int cmd_validate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"cohort", required_argument, NULL, 'c'}, {"stage", required_argument, NULL, 's'},
        {"work", required_argument, NULL, 'w'},   {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    const char *cmd = "fxaudit validate", *cohort = NULL, *stage = "plan", *work = NULL;
    char wbuf[4200];
    int json = 0, c, rc;
    fx_error err;

    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': cohort = optarg; break;
        case 's': stage = optarg; break;
        case 'w': work = optarg; break;
        case 'j': json = 1; break;
        case 'h': return cli_help(help);
        default: return cli_usage(cmd, "unknown option");
        }
    }
    if (!cohort || optind != argc)
        return cli_usage(cmd, "--cohort DIR is required");
    const struct stage *st = stages;
    while (st->name && strcmp(st->name, stage))
        st++;
    if (!st->name)
        return cli_usage(cmd, "no stage '%s' (plan)", stage);
    if (!work) {
        snprintf(wbuf, sizeof(wbuf), "%s/validate-%s", cohort, stage);
        work = wbuf;
    }
    json_t *patients = json_array(), *summary = json_object();
    fx_progress pg = cli_progress();
    rc = st->run(cohort, work, &pg, patients, summary, &err);
    cli_progress_done();
    if (rc) {
        json_decref(patients);
        json_decref(summary);
        return cli_error(&err);
    }
    json_t *o = json_pack("{s:s, s:o, s:o}", "stage", stage, "patients", patients, "summary",
                          summary);
    if (json)
        return cli_print_json(o);
    printf("validate %s on %s: %zu patients\n", stage, cohort, json_array_size(patients));
    const char *k;
    json_t *v;
    json_object_foreach(summary, k, v)
        printf("  %-32s %g\n", k, json_number_value(v));
    json_decref(o);
    return EXIT_OK;
}
