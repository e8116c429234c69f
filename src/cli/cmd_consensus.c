/*
 * cmd_consensus.c - `fxaudit consensus status|show|record|export`: the
 * unblinding step. Values appear only for cases that every observer has
 * finished; the library refuses the rest.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "fxaudit/file.h"
#include "fxaudit/consensus.h"
#include "fxaudit/domestore.h"
#include "fxaudit/store.h"

static const char status_help[] =
    "usage: fxaudit consensus status --study DIR [--json]\n\n"
    "The cases that every observer has finished (ready for consensus), and how\n"
    "many are still being read (counted, not named).\n";

static const char show_help[] =
    "usage: fxaudit consensus show --study DIR --patient CODE --timepoint preop|postop [--json]\n\n"
    "The observers' values side by side per plane, with their mean and maximum,\n"
    "once every observer has recorded all three planes; refused before. The\n"
    "software's automatic estimate (consensus estimate), when stored, beside them.\n";

static const char record_help[] =
    "usage: fxaudit consensus record --study DIR --patient CODE --timepoint preop|postop\n"
    "         (--rule mean|max | --axial GAP,STEP --coronal GAP,STEP --sagittal GAP,STEP)\n"
    "         [--remark TEXT] [--json]\n\n"
    "Record the consensus per plane, either by a declared rule over the observers'\n"
    "values or as agreed in a consensus meeting (all three planes, mm). The\n"
    "patient's gap and step-off are the largest over the planes; they are graded\n"
    "by the matta and ct schemes and stored with the consensus.\n";

static const char estimate_help[] =
    "usage: fxaudit consensus estimate --study DIR --patient CODE [--timepoint preop|postop]\n"
    "         [--json]\n\n"
    "Compute the software's automatic estimate of the gap and step-off at the dome\n"
    "(per plane and the largest) and the cleft area on the patient's stored CT of\n"
    "each time point (both when --timepoint is not given), and store it. The dome is\n"
    "found in the CT (the healthy socket mirrored; the injured side from the patient\n"
    "record); docs/reduction-estimate.md. When the patient has a plan in the study\n"
    "(and, post-op, an audit of its fragments), the estimate from the plan and the\n"
    "audit's fragment poses is stored beside it (method \"plan\"; the CT-only one is\n"
    "\"ct\"). The values are printed only for a case already unblinded for\n"
    "consensus; before, they are stored and kept from view. consensus show prints\n"
    "them beside the observers' values, labelled by method.\n";

static const char export_help[] =
    "usage: fxaudit consensus export --study DIR -o FILE.csv\n\n"
    "The readings of every finished case as CSV, one row per patient, time point\n"
    "and plane; columns <observer>_gap, <observer>_step, and _r2, _r3 ... for\n"
    "repeats. Inter-observer: fxaudit stats icc FILE.csv --cols O1_gap,O2_gap;\n"
    "intra-observer: --cols O1_gap,O1_gap_r2.\n";

static const char agreement_help[] =
    "usage: fxaudit consensus agreement --study DIR [--json]\n\n"
    "Observer agreement on the finished cases (one row per patient, time point\n"
    "and plane; gap and step-off separately): inter-observer ICC(2,1) of all\n"
    "observers' first readings with its 95 % CI, Bland-Altman bias and limits for\n"
    "each pair of observers, and intra-observer ICC(2,1) and Bland-Altman of each\n"
    "observer's first reading against their repeat (measure record --repeat).\n"
    "The same numbers as stats icc / bland-altman on the consensus export.\n";

enum {
    OPT_STUDY = 256,
    OPT_JSON,
    OPT_PATIENT,
    OPT_TIMEPOINT,
    OPT_RULE,
    OPT_AXIAL,
    OPT_CORONAL,
    OPT_SAGITTAL,
    OPT_REMARK
};

struct args {
    const char *study, *patient, *timepoint, *rule, *remark, *out;
    const char *plane[3];
    bool json;
};

static int parse(int argc, char **argv, const char *cmd, const char *help, struct args *a)
{
    static const struct option opts[] = {{"study", required_argument, NULL, OPT_STUDY},
                                         {"json", no_argument, NULL, OPT_JSON},
                                         {"patient", required_argument, NULL, OPT_PATIENT},
                                         {"timepoint", required_argument, NULL, OPT_TIMEPOINT},
                                         {"rule", required_argument, NULL, OPT_RULE},
                                         {"axial", required_argument, NULL, OPT_AXIAL},
                                         {"coronal", required_argument, NULL, OPT_CORONAL},
                                         {"sagittal", required_argument, NULL, OPT_SAGITTAL},
                                         {"remark", required_argument, NULL, OPT_REMARK},
                                         {"output", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c;
    *a = (struct args){0};
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case OPT_STUDY:
            a->study = optarg;
            break;
        case OPT_JSON:
            a->json = true;
            break;
        case OPT_PATIENT:
            a->patient = optarg;
            break;
        case OPT_TIMEPOINT:
            a->timepoint = optarg;
            break;
        case OPT_RULE:
            a->rule = optarg;
            break;
        case OPT_AXIAL:
        case OPT_CORONAL:
        case OPT_SAGITTAL:
            a->plane[c - OPT_AXIAL] = optarg;
            break;
        case OPT_REMARK:
            a->remark = optarg;
            break;
        case 'o':
            a->out = optarg;
            break;
        case 'h':
            return cli_help(help), -1;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
    if (!a->study)
        return cli_usage(cmd, "--study DIR is required");
    return EXIT_OK;
}

static int need_case(const char *cmd, const struct args *a)
{
    if (!a->patient || !a->timepoint)
        return cli_usage(cmd, "--patient and --timepoint are required");
    if (strcmp(a->timepoint, "preop") && strcmp(a->timepoint, "postop"))
        return cli_usage(cmd, "--timepoint must be preop or postop, not '%s'", a->timepoint);
    return EXIT_OK;
}

static int cmd_consensus_status(int argc, char **argv)
{
    struct args a;
    fx_store *s = NULL;
    fx_error err = {0};
    json_t *st = NULL;
    int rc = parse(argc, argv, "fxaudit consensus status", status_help, &a);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    rc = fx_store_open(a.study, &s, &err);
    if (!rc)
        rc = fx_consensus_status(s, &st, &err);
    fx_store_close(s);
    if (rc)
        return cli_error(&err);
    if (a.json)
        return cli_print_json(st);
    json_t *ready = json_object_get(st, "ready");
    printf("ready for consensus:\n");
    for (size_t i = 0; i < json_array_size(ready); i++) {
        json_t *r = json_array_get(ready, i);
        printf("  %s %s (%lld observers)%s\n", json_string_value(json_object_get(r, "patient")),
               json_string_value(json_object_get(r, "timepoint")),
               (long long)json_integer_value(json_object_get(r, "observers")),
               json_is_true(json_object_get(r, "recorded")) ? ": recorded" : "");
    }
    printf("still being read: %lld\n",
           (long long)json_integer_value(json_object_get(st, "waiting")));
    json_decref(st);
    return EXIT_OK;
}

static void print_plane_text(const char *plane, json_t *p)
{
    json_t *obs = json_object_get(p, "observers");
    printf("%s:\n", plane);
    for (void *it = json_object_iter(obs); it; it = json_object_iter_next(obs, it)) {
        json_t *v = json_object_iter_value(it);
        printf("  %-12s gap %6.2f  step %6.2f\n", json_object_iter_key(it),
               json_number_value(json_object_get(v, "gap_mm")),
               json_number_value(json_object_get(v, "step_mm")));
    }
    for (int k = 0; k < 2; k++) {
        json_t *m = json_object_get(p, k ? "max" : "mean");
        printf("  %-12s gap %6.2f  step %6.2f\n", k ? "(max)" : "(mean)",
               json_number_value(json_object_get(m, "gap_mm")),
               json_number_value(json_object_get(m, "step_mm")));
    }
}

/* One plane of an estimate; label names the method, e.g. "(estimate, CT)". */
static void print_estimate_plane(json_t *v, const char *label)
{
    if (!json_is_object(v))
        return;
    json_t *g = json_object_get(v, "gap_mm"), *st = json_object_get(v, "step_mm");
    if (json_is_number(g))
        printf("  %-16s gap %6.2f  step %6.2f\n", label, json_number_value(g),
               json_number_value(st));
    else
        printf("  %-16s not visible in this plane\n", label);
}

#define LABEL_CT "(estimate, CT)"
#define LABEL_PLAN "(estimate, plan)"

/* Both stored estimates' value of one plane ("max": the largest). */
static void print_estimates(json_t *est, const char *plane)
{
    json_t *pl = json_object_get(est, "plan");
    if (strcmp(plane, "max")) {
        print_estimate_plane(json_object_get(json_object_get(est, "planes"), plane), LABEL_CT);
        print_estimate_plane(json_object_get(json_object_get(pl, "planes"), plane), LABEL_PLAN);
        return;
    }
    print_estimate_plane(json_object_get(est, "max"), LABEL_CT);
    print_estimate_plane(json_object_get(pl, "max"), LABEL_PLAN);
}

static int cmd_consensus_show(int argc, char **argv)
{
    const char *cmd = "fxaudit consensus show";
    struct args a;
    fx_store *s = NULL;
    fx_error err = {0};
    json_t *j = NULL;
    int rc = parse(argc, argv, cmd, show_help, &a);
    if (rc || (rc = need_case(cmd, &a)))
        return rc < 0 ? EXIT_OK : rc;
    json_t *est = NULL;
    rc = fx_store_open(a.study, &s, &err);
    if (!rc)
        rc = fx_consensus_show(s, a.patient, a.timepoint, &j, &err);
    /* only after the library has found the case unblinded */
    if (!rc)
        rc = fx_dome_estimate_load(s, a.patient, a.timepoint, &est, &err);
    fx_store_close(s);
    if (rc) {
        json_decref(j);
        return cli_error(&err);
    }
    json_object_set_new(j, "estimate", est);
    if (a.json)
        return cli_print_json(j);
    printf("patient %s, %s CT\n", a.patient, a.timepoint);
    json_t *planes = json_object_get(j, "planes");
    for (void *it = json_object_iter(planes); it; it = json_object_iter_next(planes, it)) {
        print_plane_text(json_object_iter_key(it), json_object_iter_value(it));
        print_estimates(est, json_object_iter_key(it));
    }
    if (json_is_object(est)) {
        printf("largest over the planes (software, not an observer):\n");
        print_estimates(est, "max");
    }
    printf("consensus: %s\n",
           json_is_null(json_object_get(j, "consensus")) ? "not recorded yet" : "recorded");
    json_decref(j);
    return EXIT_OK;
}

/* The plan-based estimate beside the CT-only one: stored when the patient has
 * a plan (and, post-op, an audit); otherwise why not. *fresh: 1 when stored now. */
static int estimate_plan(fx_store *s, const char *patient, const char *tp, json_t **out,
                         int *fresh, fx_error *err)
{
    fx_error why = {0};
    int rc = fx_dome_estimate_store_plan(s, patient, tp, out, &why);
    *fresh = rc == FX_OK;
    if (rc == FX_ENOTFOUND || rc == FX_ECONFLICT) {
        *out = json_pack("{s:b,s:s}", "stored", rc == FX_ECONFLICT, "message", why.msg);
        return FX_OK;
    }
    if (rc)
        *err = why;
    return rc;
}

/* Compute and store the estimates; print them only for an unblinded case. A
 * time point whose every available estimate is already stored is refused. */
static int estimate_one(fx_store *s, const char *patient, const char *tp, json_t *list,
                        fx_error *err)
{
    json_t *e = NULL, *shown = NULL, *pe = NULL;
    fx_error ct_err = {0};
    int fresh = 0;
    int rc = fx_dome_estimate_store(s, patient, tp, &e, &ct_err);
    if (rc && rc != FX_ECONFLICT) {
        *err = ct_err;
        return rc;
    }
    int ct_fresh = rc == FX_OK;
    if ((rc = estimate_plan(s, patient, tp, &pe, &fresh, err))) {
        json_decref(e);
        return rc;
    }
    if (!ct_fresh && !fresh) {
        json_decref(pe);
        *err = ct_err;
        return FX_ECONFLICT;
    }
    if (!e)
        e = json_pack("{s:s,s:s,s:s}", "patient", patient, "timepoint", tp, "message", ct_err.msg);
    json_object_set_new(e, "plan", pe);
    fx_error blind = {0};
    int open_case = fx_consensus_show(s, patient, tp, &shown, &blind) == 0;
    json_decref(shown);
    if (!open_case) {
        json_decref(e);
        e = json_pack("{s:s,s:s,s:b,s:b,s:s}", "patient", patient, "timepoint", tp, "stored", 1,
                      "plan_stored", fresh, "values",
                      "withheld until every observer has recorded the case");
    }
    json_array_append_new(list, e);
    return FX_OK;
}

static int cmd_consensus_estimate(int argc, char **argv)
{
    const char *cmd = "fxaudit consensus estimate";
    static const char *const tps[2] = {"preop", "postop"};
    struct args a;
    fx_store *s = NULL;
    fx_error err = {0};
    int rc = parse(argc, argv, cmd, estimate_help, &a);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (!a.patient)
        return cli_usage(cmd, "--patient CODE is required");
    if (a.timepoint && strcmp(a.timepoint, "preop") && strcmp(a.timepoint, "postop"))
        return cli_usage(cmd, "--timepoint must be preop or postop, not '%s'", a.timepoint);
    json_t *list = json_array();
    rc = fx_store_open(a.study, &s, &err);
    for (int k = 0; k < 2 && !rc; k++)
        if (!a.timepoint || strcmp(a.timepoint, tps[k]) == 0)
            rc = estimate_one(s, a.patient, tps[k], list, &err);
    fx_store_close(s);
    if (rc) {
        json_decref(list);
        return cli_error(&err);
    }
    if (a.json)
        return cli_print_json(json_pack("{s:o}", "estimates", list));
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        const char *tp = json_string_value(json_object_get(e, "timepoint"));
        if (json_object_get(e, "values")) {
            printf("patient %s, %s CT: estimate stored; withheld until every observer has "
                   "recorded the case\n",
                   a.patient, tp);
            continue;
        }
        printf("patient %s, %s CT: automatic estimate stored\n", a.patient, tp);
        json_t *pp = json_object_get(e, "plan"), *pl = json_object_get(e, "planes");
        if (!pl)
            pl = json_object_get(pp, "planes");
        for (void *it = json_object_iter(pl); it; it = json_object_iter_next(pl, it)) {
            printf("  %s\n", json_object_iter_key(it));
            print_estimate_plane(json_object_iter_value(it), LABEL_CT);
            print_estimate_plane(json_object_get(json_object_get(pp, "planes"),
                                                 json_object_iter_key(it)),
                                 LABEL_PLAN);
        }
        if (!json_object_get(pp, "planes"))
            printf("  %s: %s\n", LABEL_PLAN, json_string_value(json_object_get(pp, "message")));
    }
    json_decref(list);
    return EXIT_OK;
}

/* "GAP,STEP" in mm. */
static int parse_pair(const char *cmd, const char *what, const char *s, double *gap, double *step)
{
    char *end;
    errno = 0;
    *gap = strtod(s, &end);
    if (end != s && *end == ',') {
        const char *t = end + 1;
        *step = strtod(t, &end);
        if (end != t && !*end && !errno && isfinite(*gap) && isfinite(*step) && *gap >= 0 &&
            *step >= 0)
            return EXIT_OK;
    }
    return cli_usage(cmd, "%s must be GAP,STEP in mm (numbers >= 0), not '%s'", what, s);
}

static int record_method(const char *cmd, const struct args *a, fx_consensus_method *m,
                         double gap[3], double step[3])
{
    static const char *const names[3] = {"--axial", "--coronal", "--sagittal"};
    int given = !!a->plane[0] + !!a->plane[1] + !!a->plane[2], rc;
    if (a->rule && given)
        return cli_usage(cmd, "give --rule or the agreed values per plane, not both");
    if (a->rule) {
        if (!strcmp(a->rule, "mean") || !strcmp(a->rule, "max")) {
            *m = strcmp(a->rule, "mean") ? FX_CONSENSUS_MAX : FX_CONSENSUS_MEAN;
            return EXIT_OK;
        }
        return cli_usage(cmd, "--rule must be mean or max, not '%s'", a->rule);
    }
    if (given != 3)
        return cli_usage(cmd, "give --rule mean|max, or --axial, --coronal and --sagittal");
    *m = FX_CONSENSUS_MEETING;
    for (int k = 0; k < 3; k++)
        if ((rc = parse_pair(cmd, names[k], a->plane[k], &gap[k], &step[k])))
            return rc;
    return EXIT_OK;
}

static void print_record_text(json_t *j)
{
    printf("consensus of patient %s %s (%s): gap %g mm, step-off %g mm (largest over the planes)\n",
           json_string_value(json_object_get(j, "patient")),
           json_string_value(json_object_get(j, "timepoint")),
           json_string_value(json_object_get(j, "method")),
           json_number_value(json_object_get(j, "gap_mm")),
           json_number_value(json_object_get(j, "step_mm")));
    json_t *grades = json_object_get(j, "grades");
    for (size_t i = 0; i < json_array_size(grades); i++) {
        json_t *g = json_array_get(grades, i);
        printf("grade (%s): %s\n", json_string_value(json_object_get(g, "scheme")),
               json_string_value(json_object_get(g, "grade")));
    }
}

static int cmd_consensus_record(int argc, char **argv)
{
    const char *cmd = "fxaudit consensus record";
    struct args a;
    fx_consensus_method m;
    double gap[3] = {NAN, NAN, NAN}, step[3] = {NAN, NAN, NAN};
    int rc = parse(argc, argv, cmd, record_help, &a);
    if (rc || (rc = need_case(cmd, &a)) || (rc = record_method(cmd, &a, &m, gap, step)))
        return rc < 0 ? EXIT_OK : rc;
    fx_store *s = NULL;
    fx_error err = {0};
    json_t *j = NULL;
    rc = fx_store_open(a.study, &s, &err);
    if (!rc)
        rc = fx_consensus_record(s, a.patient, a.timepoint, m, gap, step, a.remark, &j, &err);
    fx_store_close(s);
    if (rc)
        return cli_error(&err);
    if (a.json)
        return cli_print_json(j);
    print_record_text(j);
    json_decref(j);
    return EXIT_OK;
}

/* Write to a temporary file beside the target and rename, so that a failure
 * leaves no half-written CSV. */
static int cmd_consensus_export(int argc, char **argv)
{
    const char *cmd = "fxaudit consensus export";
    struct args a;
    char tmp[4096];
    int rc = parse(argc, argv, cmd, export_help, &a);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (!a.out)
        return cli_usage(cmd, "-o FILE.csv is required");
    if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", a.out) >= (int)sizeof(tmp))
        return cli_usage(cmd, "output path is too long");
    fx_store *s = NULL;
    fx_error err = {0};
    int fd = fx_mkstemp_output(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd), unlink(tmp);
        return cli_failf("cannot write '%s': %s", a.out, strerror(errno));
    }
    rc = fx_store_open(a.study, &s, &err);
    if (!rc)
        rc = fx_consensus_export(s, f, &err);
    fx_store_close(s);
    if (fclose(f) && !rc)
        rc = fx_fail(&err, FX_EIO, "cannot write '%s': %s", a.out, strerror(errno));
    if (!rc && rename(tmp, a.out))
        rc = fx_fail(&err, FX_EIO, "cannot write '%s': %s", a.out, strerror(errno));
    if (rc) {
        unlink(tmp);
        return cli_error(&err);
    }
    return EXIT_OK;
}

static void print_icc_line(const char *label, json_t *r)
{
    if (json_object_get(r, "error")) {
        printf("  %-22s %s\n", label, json_string_value(json_object_get(r, "error")));
        return;
    }
    json_t *ci = json_object_get(r, "conf_int");
    printf("  %-22s ICC(2,1) %.3f (95 %% CI %.3f to %.3f), n = %lld\n", label,
           json_number_value(json_object_get(r, "icc")), json_number_value(json_array_get(ci, 0)),
           json_number_value(json_array_get(ci, 1)),
           (long long)json_integer_value(json_object_get(r, "n")));
}

static void print_ba_line(const char *label, json_t *r)
{
    if (json_object_get(r, "error")) {
        printf("  %-22s %s\n", label, json_string_value(json_object_get(r, "error")));
        return;
    }
    json_t *loa = json_object_get(r, "loa");
    printf("  %-22s bias %.3f mm, limits %.3f to %.3f mm, n = %lld\n", label,
           json_number_value(json_object_get(r, "bias")), json_number_value(json_array_get(loa, 0)),
           json_number_value(json_array_get(loa, 1)),
           (long long)json_integer_value(json_object_get(r, "n")));
}

static void print_agreement_text(json_t *j)
{
    char label[128];
    json_t *inter = json_object_get(j, "inter_observer"), *ba = json_object_get(j, "bland_altman");
    json_t *intra = json_object_get(j, "intra_observer");
    printf("%lld finished case planes\ninter-observer:\n",
           (long long)json_integer_value(json_object_get(j, "rows")));
    print_icc_line("gap", json_object_get(inter, "gap_mm"));
    print_icc_line("step-off", json_object_get(inter, "step_mm"));
    for (size_t i = 0; i < json_array_size(ba); i++) {
        json_t *r = json_array_get(ba, i);
        snprintf(label, sizeof(label), "%s - %s %s", json_string_value(json_object_get(r, "a")),
                 json_string_value(json_object_get(r, "b")),
                 json_string_value(json_object_get(r, "quantity")));
        print_ba_line(label, r);
    }
    printf("intra-observer (first reading against repeat 2):%s\n",
           json_array_size(intra) ? "" : " no repeated readings");
    for (size_t i = 0; i < json_array_size(intra); i++) {
        json_t *r = json_array_get(intra, i);
        snprintf(label, sizeof(label), "%s %s", json_string_value(json_object_get(r, "observer")),
                 json_string_value(json_object_get(r, "quantity")));
        print_icc_line(label, json_object_get(r, "icc"));
        print_ba_line(label, json_object_get(r, "bland_altman"));
    }
}

static int cmd_consensus_agreement(int argc, char **argv)
{
    struct args a;
    fx_store *s = NULL;
    fx_error err = {0};
    json_t *j = NULL;
    int rc = parse(argc, argv, "fxaudit consensus agreement", agreement_help, &a);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    rc = fx_store_open(a.study, &s, &err);
    if (!rc)
        rc = fx_consensus_agreement(s, &j, &err);
    fx_store_close(s);
    if (rc)
        return cli_error(&err);
    if (a.json)
        return cli_print_json(j);
    print_agreement_text(j);
    json_decref(j);
    return EXIT_OK;
}

int cmd_consensus(int argc, char **argv)
{
    static const struct cli_cmd sub[] = {
        {"status", cmd_consensus_status, "which cases all observers have finished"},
        {"show", cmd_consensus_show, "the observers' values side by side (after all recorded)"},
        {"record", cmd_consensus_record, "record the consensus (agreed values, mean or max)"},
        {"export", cmd_consensus_export, "finished readings as CSV for agreement statistics"},
        {"estimate", cmd_consensus_estimate, "compute and store the automatic dome estimate"},
        {"agreement", cmd_consensus_agreement, "inter- and intra-observer ICC and Bland-Altman"},
        {NULL, NULL, NULL},
    };
    return cli_subcommand(argc, argv, sub, "fxaudit consensus");
}
