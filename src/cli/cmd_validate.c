/*
 * cmd_validate.c - `fxaudit validate`: run pipeline stages on a phantom cohort
 * written by `fxaudit phantom` and compare every result with its truth.json.
 *
 * Stages are rows of one table: a stage validates one patient folder, adds
 * its per-patient errors to the patient's JSON object and its maxima to the
 * summary. To add a stage (plan, reduction), add a row and its function.
 */
#include "config.h"

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "fxaudit/auditval.h"

static const char *help =
    "usage: fxaudit validate --cohort DIR [--stage audit|all] [--json]\n\n"
    "Run pipeline stages on a phantom cohort (written by 'fxaudit phantom') and compare\n"
    "every result with the patient's truth.json. Stage 'audit': plan from the truth's\n"
    "planned screws and plates with the pre-op scan's largest bone part as the reference\n"
    "region, audit of the post-op series, errors of the registration (degrees, mm at the\n"
    "reference's centroid) and of each screw's recovered deviations (angle, entry, tip,\n"
    "length) against the true ones; screws missed and invented. Prints a table per\n"
    "patient, or JSON: patients (per-patient errors) and summary (the maxima).\n";

struct stage_ctx {
    fx_audit_val audit;
};

typedef int (*stage_fn)(const char *dir, json_t *patient, struct stage_ctx *c, fx_error *err);

static void merge_max(fx_audit_val *into, const fx_audit_val *v)
{
    for (int q = 0; q < 6; q++)
        if (v->max[q] > into->max[q])
            into->max[q] = v->max[q];
    into->missed += v->missed;
    into->invented += v->invented;
}

static int stage_audit(const char *dir, json_t *patient, struct stage_ctx *c, fx_error *err)
{
    fx_audit_opts o;
    fx_audit_val v;
    json_t *j = NULL;
    fx_audit_opts_default(&o);
    fx_audit_val_init(&v);
    int rc = fx_audit_validate_patient(dir, &o, &j, &v, err);
    if (rc)
        return rc;
    json_object_set(patient, "code", json_object_get(j, "code"));
    json_object_set_new(j, "summary", fx_audit_val_summary(&v));
    json_object_set_new(patient, "audit", j);
    json_object_update(patient, json_object_get(j, "summary"));
    merge_max(&c->audit, &v);
    return FX_OK;
}

static const struct {
    const char *name;
    stage_fn fn;
} stages[] = {
    {"audit", stage_audit},
};
#define N_STAGES (sizeof(stages) / sizeof(stages[0]))

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Patient folders of the cohort: sub-folders holding a truth.json, by name. */
static int cohort_dirs(const char *cohort, char ***out, size_t *n)
{
    DIR *d = opendir(cohort);
    struct dirent *e;
    char **v = NULL, path[4096];
    size_t k = 0;
    if (!d)
        return cli_failf("cannot open the cohort folder '%s'", cohort);
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s/truth.json", cohort, e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        fclose(f);
        char **nv = realloc(v, (k + 1) * sizeof(*v));
        if (!nv)
            break;
        v = nv;
        snprintf(path, sizeof(path), "%s/%s", cohort, e->d_name);
        v[k++] = strdup(path);
    }
    closedir(d);
    if (!k) {
        free(v);
        return cli_failf("'%s' holds no phantom patient (no */truth.json)", cohort);
    }
    qsort(v, k, sizeof(*v), cmp_str);
    *out = v;
    *n = k;
    return EXIT_OK;
}

static void print_text(json_t *patients, json_t *summary)
{
    json_t *p;
    size_t i;
    printf("%-6s %9s %9s %9s %9s %9s %9s %6s %8s\n", "code", "rot_deg", "trans_mm", "angle",
           "entry_mm", "tip_mm", "len_mm", "missed", "invented");
    json_array_foreach(patients, i, p)
    {
        printf("%-6s", json_string_value(json_object_get(p, "code")));
        static const char *const k[6] = {"max_registration_rot_deg", "max_registration_trans_mm",
                                         "max_screw_angle_err_deg",  "max_screw_entry_err_mm",
                                         "max_screw_tip_err_mm",     "max_screw_length_err_mm"};
        for (int q = 0; q < 6; q++)
            printf(" %9.3f", json_number_value(json_object_get(p, k[q])));
        printf(" %6lld %8lld\n", (long long)json_integer_value(json_object_get(p, "screws_missed")),
               (long long)json_integer_value(json_object_get(p, "screws_invented")));
    }
    char *s = json_dumps(summary, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
    if (s)
        printf("summary: %s\n", s);
    free(s);
}

static int run(const char *cohort, const char *stage, int json)
{
    char **dirs = NULL;
    size_t n = 0;
    struct stage_ctx c;
    json_t *patients = json_array();
    int rc = cohort_dirs(cohort, &dirs, &n);
    memset(&c, 0, sizeof(c));
    fx_audit_val_init(&c.audit);
    for (size_t i = 0; !rc && i < n; i++) {
        json_t *p = json_object();
        json_object_set_new(p, "folder", json_string(dirs[i]));
        for (size_t s = 0; !rc && s < N_STAGES; s++) {
            fx_error err = {0};
            if (strcmp(stage, "all") && strcmp(stage, stages[s].name))
                continue;
            if (stages[s].fn(dirs[i], p, &c, &err))
                rc = cli_error(&err);
        }
        json_array_append_new(patients, p);
    }
    for (size_t i = 0; i < n; i++)
        free(dirs[i]);
    free(dirs);
    if (rc) {
        json_decref(patients);
        return rc;
    }
    json_t *summary = fx_audit_val_summary(&c.audit);
    if (!json) {
        print_text(patients, summary);
        json_decref(patients);
        json_decref(summary);
        return EXIT_OK;
    }
    return cli_print_json(json_pack("{s:s,s:s,s:o,s:o}", "cohort", cohort, "stage", stage,
                                    "patients", patients, "summary", summary));
}

int cmd_validate(int argc, char **argv)
{
    static const struct option opts[] = {{"cohort", required_argument, NULL, 'c'},
                                         {"stage", required_argument, NULL, 's'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *cohort = NULL, *stage = "all";
    int json = 0, ch;
    cli_getopt_reset();
    while ((ch = getopt_long(argc, argv, "c:s:jh", opts, NULL)) != -1) {
        switch (ch) {
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
            return cli_usage("validate", "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage("validate", "unexpected argument '%s'", argv[optind]);
    if (!cohort)
        return cli_usage("validate", "--cohort DIR is required");
    int known = !strcmp(stage, "all");
    for (size_t s = 0; s < N_STAGES; s++)
        known |= !strcmp(stage, stages[s].name);
    if (!known && (!strcmp(stage, "plan") || !strcmp(stage, "reduction")))
        return cli_failf("validate: stage '%s' is not written yet (have: audit)", stage);
    if (!known)
        return cli_usage("validate", "unknown stage '%s' (plan, audit, reduction or all)", stage);
    return run(cohort, stage, json);
}
