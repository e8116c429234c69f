/*
 * cmd_validate.c - `fxaudit validate --cohort DIR [--stage S] [--json]`: run
 * the pipeline's stages on a phantom cohort and compare with its truth. Each
 * stage is a row of the table below (validate.h).
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "validate.h"

static const struct {
    const char *name;
    int (*run)(const char *cohort_dir, json_t *patients, json_t *summary, fx_error *err);
} stages[] = {
    {"plan", validate_plan},
    {"audit", validate_audit},
    {"reduction", validate_reduction},
};

#define N_STAGES (sizeof(stages) / sizeof(stages[0]))

static const char help[] =
    "usage: fxaudit validate --cohort DIR [--stage plan|audit|reduction|all] [--json]\n"
    "\n"
    "Runs stages of the pipeline on every patient of a phantom cohort (fxaudit\n"
    "phantom) and compares each result with the patient's truth.json.\n"
    "  plan        fragments from the true pre-op label map, then automatically the\n"
    "              symmetry plane, template, reduction, screw corridors and plates;\n"
    "              products kept in DIR/validate-plan (docs/planning.md)\n"
    "  audit       the post-op audit against the true screw deviations (plan from the\n"
    "              truth's planned screws and plates; docs/audit.md)\n"
    "  reduction   the automatic estimate of the gap and step-off at the dome\n"
    "              (docs/reduction-estimate.md), pre-op and post-op\n"
    "Output: patients (per-patient errors) and summary (max_gap_err_mm,\n"
    "max_step_err_mm, ...).\n";

static void print_text(json_t *summary)
{
    const char *k;
    json_t *v;
    json_object_foreach(summary, k, v)
    {
        if (json_is_number(v))
            printf("%-28s %.3f\n", k, json_number_value(v));
        else if (json_is_null(v))
            printf("%-28s -\n", k);
    }
}

int cmd_validate(int argc, char **argv)
{
    static const struct option opts[] = {{"cohort", required_argument, NULL, 'c'},
                                         {"stage", required_argument, NULL, 's'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *cohort = NULL, *stage = "all";
    int c, json = 0;
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            cohort = optarg;
            break;
        case 's':
            stage = optarg;
            break;
        case 'j':
            json = 1;
            break;
        case 'h':
            return cli_help(help);
        default:
            return cli_usage("fxaudit validate", "unknown option");
        }
    }
    if (!cohort || optind < argc)
        return cli_usage("fxaudit validate", "--cohort DIR is required");
    size_t first = 0, last = N_STAGES;
    if (strcmp(stage, "all") != 0) {
        for (first = 0; first < N_STAGES && strcmp(stages[first].name, stage); first++)
            ;
        if (first == N_STAGES)
            return cli_usage("fxaudit validate", "unknown or not yet available stage '%s'", stage);
        last = first + 1;
    }
    json_t *patients = json_object(), *summary = json_object();
    fx_error err = {0};
    for (size_t s = first; s < last; s++)
        if (stages[s].run(cohort, patients, summary, &err)) {
            json_decref(patients), json_decref(summary);
            return cli_error(&err);
        }
    json_t *list = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(patients, k, v) json_array_append(list, v);
    json_decref(patients);
    if (json)
        return cli_print_json(json_pack("{s:s,s:s,s:o,s:o}", "cohort", cohort, "stage", stage,
                                        "patients", list, "summary", summary));
    print_text(summary);
    json_decref(list), json_decref(summary);
    return EXIT_OK;
}
