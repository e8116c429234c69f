/*
 * demo.c - `fxaudit demo`: the whole job on a synthetic cohort (demo.h).
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fxaudit/phantom.h"
#include "fxaudit/consensus.h"
#include "fxaudit/domestore.h"
#include "fxaudit/demo.h"
#include "fxaudit/observers.h"
#include "fxaudit/report.h"
#include "fxaudit/store.h"
#include "fxaudit/studystats.h"

extern char **environ;

typedef struct demo {
    const fx_demo_opts *o;
    fx_demo_result *r;
    char log[4300], cohort[4300];
    json_t **truth; /* per patient, in code order */
    size_t n;
    uint64_t rng;
} demo;

void fx_demo_opts_init(fx_demo_opts *o)
{
    memset(o, 0, sizeof *o);
    o->out = "fxaudit-demo";
    o->patients = 10;
    o->size = "small";
    o->seed = 1;
}

/* Run the fxaudit binary with `argv` (argv[0] is replaced by it), output
 * appended to the demo's log; FX_OK when it exits 0. */
static int run(demo *dm, const char **argv, fx_error *err)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, dm->log, O_WRONLY | O_APPEND | O_CREAT, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    argv[0] = dm->o->self;
    pid_t pid;
    int rc = posix_spawn(&pid, dm->o->self, &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc)
        return fx_fail(err, FX_EIO, "cannot run '%s': %s", dm->o->self, strerror(rc));
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return fx_fail(err, FX_EIO, "waiting for '%s %s' failed", dm->o->self, argv[1]);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return FX_OK;
    return fx_fail(err, FX_EIO, "'fxaudit %s %s' failed (exit %d): see '%s'", argv[1],
                   argv[2] ? argv[2] : "", WIFEXITED(st) ? WEXITSTATUS(st) : -1, dm->log);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The truth.json of every patient folder of the cohort, in code order. */
static int load_truth(demo *dm, fx_error *err)
{
    DIR *d = opendir(dm->cohort);
    if (!d)
        return fx_fail(err, FX_EIO, "cannot read the cohort folder '%s'", dm->cohort);
    char *names[100];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 100)
        if (e->d_name[0] == 'P')
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    dm->truth = calloc(n ? n : 1, sizeof *dm->truth);
    int rc = FX_OK;
    for (size_t i = 0; i < n; i++) {
        char p[4500];
        json_error_t je;
        snprintf(p, sizeof p, "%s/%s/truth.json", dm->cohort, names[i]);
        free(names[i]);
        if (!rc && !(dm->truth[dm->n++] = json_load_file(p, 0, &je)))
            rc = fx_fail(err, FX_EFORMAT, "'%s' line %d: %s", p, je.line, je.text);
    }
    return rc;
}

static const char *tstr(const json_t *t, const char *obj, const char *key)
{
    const char *v = json_string_value(json_object_get(json_object_get(t, obj), key));
    return v ? v : "";
}

static int add_patient(fx_store *s, const json_t *t, fx_error *err)
{
    fx_patient p;
    fx_patient_init(&p);
    snprintf(p.code, sizeof p.code, "%s", tstr(t, "patient", "code"));
    snprintf(p.sex, sizeof p.sex, "%s", tstr(t, "patient", "sex"));
    snprintf(p.age_band, sizeof p.age_band, "%s", tstr(t, "patient", "age_band"));
    snprintf(p.side, sizeof p.side, "%s", tstr(t, "patient", "injured_side"));
    snprintf(p.fracture_type, sizeof p.fracture_type, "%s", tstr(t, "patient", "fracture_type"));
    snprintf(p.approach, sizeof p.approach, "%s", tstr(t, "patient", "approach"));
    snprintf(p.mechanism, sizeof p.mechanism, "%s", tstr(t, "patient", "trauma_mechanism"));
    snprintf(p.plates, sizeof p.plates, "%s", tstr(t, "patient", "plate_set"));
    return fx_store_patient_add(s, &p, err);
}

/* The surgeon's plan as scripts/fxdemo makes it: the phantom's planned screws
 * and plate paths, in the pre-op frame. */

/* One patient: import pre-op and post-op, then the plan. */
static int patient_pipeline(demo *dm, const json_t *t, fx_error *err)
{
    const char *code = tstr(t, "patient", "code");
    char pre[4500], post[4500], screws[4600], plates[4600];
    snprintf(pre, sizeof pre, "%s/%s/preop", dm->cohort, code);
    snprintf(post, sizeof post, "%s/%s/postop", dm->cohort, code);
    const char *st = dm->r->study;
    const char *a1[] = {"", "import", "--study", st, "--patient", code, "--timepoint", "preop",
                        pre, NULL};
    const char *a2[] = {"", "import", "--study", st, "--patient", code, "--timepoint", "postop",
                        post, NULL};
    int rc = run(dm, a1, err);
    if (!rc)
        rc = run(dm, a2, err);
    if (rc)
        return rc;
    /* The fragments as a 3-D lab would draw them (the phantom's true label map),
     * since touching fragments cannot be told apart by a threshold; the rest of
     * the planning is automatic. The plan is recorded in the study. */
    char labels[4600], roles[512];
    snprintf(labels, sizeof labels, "%s/%s/preop_labels.nrrd", dm->cohort, code);
    snprintf(screws, sizeof screws, "%s/%s/plan-screws.json", dm->cohort, code);
    snprintf(plates, sizeof plates, "%s/%s/plan-plates.json", dm->cohort, code);
    if ((rc = fx_phantom_plan_inputs(t, screws, plates, roles, sizeof roles, err)))
        return rc;
    const char *a3[] = {"", "plan", "create", "--study", st, "--patient", code, "--side",
                        tstr(t, "patient", "injured_side"), "--labels", labels, "--roles", roles,
                        "--screws", screws, "--plates", plates, NULL};
    return run(dm, a3, err);
}

/* The SMFA forms of the truth (pre-injury, 3 months, 1 year) as the CSV that
 * `smfa import` reads. */
static int smfa_csv(demo *dm, const char *path, fx_error *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return fx_fail(err, FX_EIO, "cannot write '%s'", path);
    fprintf(f, "patient,occasion,months");
    for (int i = 1; i <= 46; i++)
        fprintf(f, ",item%d", i);
    fputc('\n', f);
    static const char *const key[3] = {"pre_injury", "3_months", "1_year"};
    static const char *const occ[3] = {"pre-injury", "3-months", "1-year"};
    static const int months[3] = {0, 3, 12};
    for (size_t p = 0; p < dm->n; p++) {
        const json_t *ans = json_object_get(json_object_get(dm->truth[p], "smfa"), "answers");
        for (int k = 0; k < 3; k++) {
            const json_t *a = json_object_get(ans, key[k]);
            if (json_array_size(a) != 46)
                continue;
            fprintf(f, "%s,%s,%d", tstr(dm->truth[p], "patient", "code"), occ[k], months[k]);
            for (size_t i = 0; i < 46; i++)
                fprintf(f, ",%lld", (long long)json_integer_value(json_array_get(a, i)));
            fputc('\n', f);
        }
    }
    return fclose(f) ? fx_fail(err, FX_EIO, "cannot write '%s'", path) : FX_OK;
}

/* ---- two simulated observers ---------------------------------------------- */

static double uniform01(demo *dm)
{
    dm->rng ^= dm->rng << 13, dm->rng ^= dm->rng >> 7, dm->rng ^= dm->rng << 17; /* xorshift64 */
    return ((dm->rng >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(demo *dm)
{
    double u = uniform01(dm), v = uniform01(dm);
    return sqrt(-2 * log(u)) * cos(2 * M_PI * v); /* Box-Muller */
}

static const json_t *truth_of(demo *dm, const char *code)
{
    for (size_t i = 0; i < dm->n; i++)
        if (!strcmp(tstr(dm->truth[i], "patient", "code"), code))
            return dm->truth[i];
    return NULL;
}

/* The reader sees the image; the simulation looks the case up to know what
 * the image shows (truth), then adds the reader's error: bias + SD * N(0,1),
 * clipped at 0. A plane in which the truth sees no fracture line reads 0. */
static double reading(demo *dm, const json_t *red, const char *what, const char *plane,
                      double bias, double sd)
{
    const json_t *v = json_object_get(json_object_get(red, what), plane);
    if (!json_is_number(v))
        return 0;
    double x = json_number_value(v) + bias + sd * gauss(dm);
    return x < 0 ? 0 : round(x * 10) / 10; /* read to 0.1 mm, as on a viewer */
}

static int observer_reads(demo *dm, fx_store *s, const char *obs, double bias, double sd,
                          fx_error *err)
{
    int rc = fx_observers_add(s, obs, "surgeon", bias > 0 ? 6 : 15, NULL, err);
    json_t *rows = NULL;
    fx_store_field f = fx_sf_text("o", obs);
    if (!rc)
        rc = fx_store_query(s, "SELECT c.case_code, c.timepoint, p.code FROM blinded_cases c "
                               "JOIN observers o ON o.id = c.observer_id JOIN patients p ON "
                               "p.id = c.patient_id WHERE o.code = ?1 ORDER BY c.order_index",
                            &f, 1, &rows, err);
    size_t i;
    json_t *c;
    if (!rc && (rc = fx_store_tx_begin(s, err)) == FX_OK) {
        json_array_foreach(rows, i, c)
        {
            const char *tp = json_string_value(json_object_get(c, "timepoint"));
            const json_t *t = truth_of(dm, json_string_value(json_object_get(c, "code")));
            const json_t *red = json_object_get(json_object_get(t, "reduction"), tp);
            for (int k = 0; k < 3 && !rc; k++) {
                fx_reading r = {obs, json_string_value(json_object_get(c, "case_code")), tp,
                                fx_observer_planes[k], 0, 0, NULL, NULL, false, 0, NULL};
                r.gap_mm = reading(dm, red, "gap_mm", r.plane, bias, sd);
                r.step_mm = reading(dm, red, "step_off_mm", r.plane, bias / 2, sd / 2);
                rc = fx_observers_record(s, &r, NULL, NULL, err);
            }
            if (rc)
                break;
        }
        if (rc)
            fx_store_tx_rollback(s);
        else
            rc = fx_store_tx_commit(s, err);
    }
    json_decref(rows);
    return rc;
}

static int observers_and_consensus(demo *dm, fx_store *s, fx_error *err)
{
    int rc = observer_reads(dm, s, "OBS1", 0.0, 0.6, err);
    if (!rc)
        rc = observer_reads(dm, s, "OBS2", 0.3, 0.9, err);
    for (size_t p = 0; p < dm->n && !rc; p++)
        for (int t = 0; t < 2 && !rc; t++) {
            json_t *out = NULL;
            rc = fx_consensus_record(s, tstr(dm->truth[p], "patient", "code"),
                                     fx_observer_timepoints[t], FX_CONSENSUS_MEAN, NULL, NULL,
                                     "demo: mean of two simulated observers", &out, err);
            json_decref(out);
            /* the software's estimate, shown beside the consensus (domestore.h) */
            if (!rc)
                rc = fx_dome_estimate_store(s, tstr(dm->truth[p], "patient", "code"),
                                            fx_observer_timepoints[t], NULL, err);
        }
    return rc;
}

/* The plan-based dome estimates beside the CT-only ones (domestore.h), once
 * the plans and the audits are in the study; a patient without them keeps
 * the CT-only one. */
static int plan_estimates(demo *dm, fx_store *s, fx_error *err)
{
    for (size_t p = 0; p < dm->n; p++)
        for (int t = 0; t < 2; t++) {
            fx_error e = {0};
            int rc = fx_dome_estimate_store_plan(s, tstr(dm->truth[p], "patient", "code"),
                                                 fx_observer_timepoints[t], NULL, &e);
            if (rc && rc != FX_ENOTFOUND) {
                *err = e;
                return rc;
            }
        }
    return FX_OK;
}

/* ---- the job ---------------------------------------------------------------- */

static int audit_available(demo *dm)
{
    fx_error e = {0};
    const char *a[] = {"", "audit", "--help", NULL};
    return run(dm, a, &e) == FX_OK;
}

/* The dome point in the pre-op CT, where a reader would put it: the top of
 * the injured side's joint sphere, from the truth (docs/phantom.md: hip centre
 * (+-86, -5, 0) x scale in the anatomical frame, plus the joint radius along
 * its superior axis, carried into the series by anatomical_to_series). */
static bool dome_of(const json_t *t, double d[3])
{
    const json_t *m = json_object_get(json_object_get(json_object_get(json_object_get(t,
                          "series"), "preop"), "anatomical_to_series"), "matrix");
    const json_t *model = json_object_get(t, "model");
    double s = json_number_value(json_object_get(model, "scale"));
    double r = json_number_value(json_object_get(model, "joint_radius_mm"));
    if (json_array_size(m) != 16 || !(s > 0) || !(r > 0))
        return false;
    double a[3] = {(strcmp(tstr(t, "patient", "injured_side"), "left") ? -86 : 86) * s, -5 * s, 0};
    a[2] += r; /* the top of the sphere, along the anatomical superior axis */
    for (size_t i = 0; i < 3; i++) {
        d[i] = json_number_value(json_array_get(m, 4 * i + 3));
        for (size_t k = 0; k < 3; k++)
            d[i] += json_number_value(json_array_get(m, 4 * i + k)) * a[k];
    }
    return true;
}

static int reports(demo *dm, fx_store *s, fx_error *err)
{
    fx_report_opts ro;
    fx_report_opts_init(&ro, dm->o->software);
    char path[4600];
    int rc = FX_OK;
    for (size_t p = 0; p < dm->n && !rc; p++) {
        const char *code = tstr(dm->truth[p], "patient", "code");
        fx_progress_report(&dm->o->progress, "patient reports", (double)p / (double)dm->n);
        snprintf(path, sizeof path, "%s/%s.pdf", dm->r->reports, code);
        ro.have_dome = dome_of(dm->truth[p], ro.dome_mm);
        rc = fx_report_patient(s, code, &ro, path, err);
        dm->r->reports_written += !rc, dm->r->pages += ro.pages;
        dm->r->missing_figures += ro.missing_figures;
        if (ro.missing_figures && !dm->r->missing_reason[0])
            memcpy(dm->r->missing_reason, ro.missing_reason, sizeof ro.missing_reason);
    }
    fx_progress_report(&dm->o->progress, "study report", 0);
    snprintf(path, sizeof path, "%s/study.pdf", dm->r->reports);
    if (!rc)
        rc = fx_report_study(s, &ro, path, err);
    if (!rc) {
        dm->r->reports_written++, dm->r->pages += ro.pages;
        dm->r->missing_figures += ro.missing_figures;
        if (ro.missing_figures && !dm->r->missing_reason[0])
            memcpy(dm->r->missing_reason, ro.missing_reason, sizeof ro.missing_reason);
    }
    return rc;
}

static int stats_file(demo *dm, fx_store *s, fx_error *err)
{
    fx_studystats_opts so;
    fx_studystats_opts_init(&so);
    json_t *st = NULL;
    int rc = fx_studystats_compute(s, &so, &st, err);
    char path[4600];
    snprintf(path, sizeof path, "%s/results.json", dm->r->reports);
    if (!rc && json_dump_file(st, path, JSON_INDENT(2)))
        rc = fx_fail(err, FX_EIO, "cannot write '%s'", path);
    json_decref(st);
    return rc;
}

static int stage_patients(demo *dm, fx_store *s, fx_error *err)
{
    int rc = FX_OK;
    for (size_t p = 0; p < dm->n && !rc; p++)
        rc = add_patient(s, dm->truth[p], err);
    for (size_t p = 0; p < dm->n && !rc; p++) {
        fx_progress_report(&dm->o->progress, "import and plan", (double)p / (double)dm->n);
        rc = patient_pipeline(dm, dm->truth[p], err);
    }
    return rc;
}

static int stages(demo *dm, fx_error *err)
{
    const fx_demo_opts *o = dm->o;
    char num[16], seed[24], csv[4400];
    snprintf(num, sizeof num, "%d", o->patients);
    snprintf(seed, sizeof seed, "%lu", o->seed);
    fx_progress_report(&o->progress, "synthetic cohort", 0);
    const char *a[] = {"", "phantom", "--out", dm->cohort, "--patients", num, "--seed", seed,
                       "--size", o->size, NULL};
    int rc = run(dm, a, err);
    fx_store *s = NULL;
    if (!rc)
        rc = load_truth(dm, err);
    if (!rc)
        rc = fx_store_init(dm->r->study, "fxaudit demo: synthetic acetabular fracture cohort", &s,
                           err);
    if (!rc)
        rc = stage_patients(dm, s, err);
    fx_progress_report(&o->progress, "observers and consensus", 0);
    if (!rc)
        rc = observers_and_consensus(dm, s, err);
    snprintf(csv, sizeof csv, "%s/smfa.csv", dm->cohort);
    const char *sm[] = {"", "smfa", "import", "--study", dm->r->study, csv, NULL};
    if (!rc)
        rc = smfa_csv(dm, csv, err);
    if (!rc)
        rc = run(dm, sm, err);
    /* ---- AUDIT HOOK: the post-operative audit (registration, actual screws,
     * screw_deviations) is run here when this fxaudit has `audit`. ---- */
    if (!rc && (dm->r->audit_run = audit_available(dm))) {
        fx_progress_report(&o->progress, "post-operative audit", 0);
        for (size_t p = 0; p < dm->n && !rc; p++) {
            const char *aa[] = {"", "audit", "--study", dm->r->study, "--patient",
                                tstr(dm->truth[p], "patient", "code"), NULL};
            fx_error ae = {0};
            if (run(dm, aa, &ae)) /* the reports then say the audit has not been run */
                dm->r->audit_failed++;
        }
    }
    if (!rc)
        rc = plan_estimates(dm, s, err);
    fx_progress_report(&o->progress, "statistics", 0);
    if (!rc)
        rc = stats_file(dm, s, err);
    if (!rc)
        rc = reports(dm, s, err);
    fx_store_close(s);
    return rc;
}

int fx_demo_run(const fx_demo_opts *o, fx_demo_result *r, fx_error *err)
{
    memset(r, 0, sizeof *r);
    DIR *d = opendir(o->out);
    if (d) {
        struct dirent *e;
        int empty = 1;
        while ((e = readdir(d)))
            empty &= !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
        closedir(d);
        if (!empty)
            return fx_fail(err, FX_ECONFLICT, "'%s' exists and is not empty: choose another "
                                              "--out or remove it", o->out);
    } else if (mkdir(o->out, 0755))
        return fx_fail(err, FX_EIO, "cannot create '%s': %s", o->out, strerror(errno));
    demo dm = {o, r, "", "", NULL, 0, 0x9e3779b97f4a7c15ULL ^ (uint64_t)o->seed};
    snprintf(dm.log, sizeof dm.log, "%s/demo.log", o->out);
    snprintf(dm.cohort, sizeof dm.cohort, "%s/cohort", o->out);
    snprintf(r->study, sizeof r->study, "%s/study", o->out);
    snprintf(r->reports, sizeof r->reports, "%s/study/reports", o->out);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = stages(&dm, err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    r->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    r->patients = (int)dm.n;
    for (size_t i = 0; i < dm.n; i++)
        json_decref(dm.truth[i]);
    free(dm.truth);
    return rc;
}
