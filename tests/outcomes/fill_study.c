/*
 * fill_study.c - test helper: writes the observer workflow's rows (consensus,
 * measurements and amendments, grades, planned screws and their deviations)
 * of a CSV file into a study through the store API, so that every row is in
 * the audit log and the study still verifies. Used by tests/cli/test_outcomes.sh.
 *
 * usage: fill_study STUDY ROWS.csv
 * columns: kind,patient,timepoint,plane,gap_mm,step_mm,observer,scheme,grade,
 *          screw,angle_deg,entry_mm,tip_mm,length_diff_mm,joint
 * kind: consensus | measurement | amend | grade | screw (see the fixture).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fxaudit/csv.h"
#include "fxaudit/store.h"

static const fx_csv *T;
static size_t R;

static const char *cell(const char *col)
{
    size_t c;
    return fx_csv_find(T, col, &c, NULL) ? "" : fx_csv_cell(T, R, c);
}

static double num(const char *col)
{
    const char *s = cell(col);
    return *s ? strtod(s, NULL) : NAN;
}

static void utc_now(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int patient_id(fx_store *s, int64_t *id, fx_error *err)
{
    fx_patient p;
    int rc = fx_store_patient_get(s, cell("patient"), &p, err);
    *id = p.id;
    return rc;
}

static int add_consensus(fx_store *s, fx_error *err)
{
    char now[32];
    int64_t pid;
    int rc = patient_id(s, &pid, err);
    utc_now(now);
    fx_store_field f[] = {
        fx_sf_int("patient_id", pid),          fx_sf_text("timepoint", cell("timepoint")),
        fx_sf_text("plane", cell("plane")),    fx_sf_real("gap_mm", num("gap_mm")),
        fx_sf_real("step_mm", num("step_mm")), fx_sf_text("method", "consensus-meeting"),
        fx_sf_text("created_utc", now)};
    return rc ? rc : fx_store_insert(s, "consensus", f, 7, "consensus add (test)", NULL, err);
}

/* The observer's case for this patient and time point, made when absent. */
static int case_of(fx_store *s, const char *obs, char code[40], fx_error *err)
{
    static int order[8];
    static char observers[8][40];
    int64_t id;
    int k = 0;
    if (fx_store_observer_id(s, obs, &id, NULL)) {
        int rc = fx_store_observer_add(s, obs, "surgeon", 10, &id, err);
        if (rc)
            return rc;
    }
    while (k < 7 && observers[k][0] && strcmp(observers[k], obs))
        k++;
    snprintf(observers[k], sizeof(observers[k]), "%s", obs);
    snprintf(code, 40, "%s-%s-%s", obs, cell("patient"), cell("timepoint"));
    json_t *rows = NULL;
    fx_store_field p = fx_sf_text("c", code);
    int rc =
        fx_store_query(s, "SELECT id FROM blinded_cases WHERE case_code = ?1", &p, 1, &rows, err);
    if (!rc && !json_array_size(rows))
        rc = fx_store_case_add(s, obs, code, cell("patient"), cell("timepoint"), ++order[k], NULL,
                               err);
    json_decref(rows);
    return rc;
}

static int64_t last_measurement;

static int add_measurement(fx_store *s, bool amend, fx_error *err)
{
    char code[40];
    int rc = case_of(s, cell("observer"), code, err);
    fx_measurement m = {.observer = cell("observer"),
                        .case_code = code,
                        .plane = cell("plane"),
                        .gap_mm = num("gap_mm"),
                        .step_mm = num("step_mm"),
                        .repeat_no = 1,
                        .amends_id = amend ? last_measurement : 0,
                        .amend_reason = amend ? "re-measured on a thinner reconstruction" : NULL};
    return rc ? rc : fx_store_measurement_add(s, &m, &last_measurement, err);
}

static int add_grade(fx_store *s, fx_error *err)
{
    char now[32];
    int64_t pid;
    int rc = patient_id(s, &pid, err);
    utc_now(now);
    fx_store_field f[] = {fx_sf_int("patient_id", pid), fx_sf_text("timepoint", cell("timepoint")),
                          fx_sf_text("scheme", cell("scheme")), fx_sf_text("grade", cell("grade")),
                          fx_sf_text("created_utc", now)};
    return rc ? rc : fx_store_insert(s, "grades", f, 5, "grade add (test)", NULL, err);
}

/* The id of the first row of `sql` (?1 = a, ?2 = b), 0 when none. */
static int64_t find_id(fx_store *s, const char *sql, int64_t a, const char *b)
{
    fx_store_field p[] = {fx_sf_int("a", a), fx_sf_text("b", b)};
    json_t *rows = NULL;
    int64_t id = 0;
    if (!fx_store_query(s, sql, p, 2, &rows, NULL) && json_array_size(rows))
        id = json_integer_value(json_object_get(json_array_get(rows, 0), "id"));
    json_decref(rows);
    return id;
}

static int plan_screw(fx_store *s, int64_t pid, int64_t *ps, fx_error *err)
{
    char now[32];
    int64_t plan =
        find_id(s, "SELECT id FROM plans WHERE patient_id = ?1 AND ?2 IS NULL", pid, NULL);
    int rc = FX_OK;
    utc_now(now);
    if (!plan) {
        fx_store_field f[] = {fx_sf_int("patient_id", pid), fx_sf_text("label", "plan"),
                              fx_sf_text("created_utc", now)};
        rc = fx_store_insert(s, "plans", f, 3, "plan add (test)", &plan, err);
    }
    *ps = find_id(s, "SELECT id FROM plan_screws WHERE plan_id = ?1 AND label = ?2", plan,
                  cell("screw"));
    if (rc || *ps)
        return rc;
    fx_store_field f[] = {fx_sf_int("plan_id", plan),     fx_sf_text("label", cell("screw")),
                          fx_sf_real("entry_x_mm", 0),    fx_sf_real("entry_y_mm", 0),
                          fx_sf_real("entry_z_mm", 0),    fx_sf_real("tip_x_mm", 0),
                          fx_sf_real("tip_y_mm", 0),      fx_sf_real("tip_z_mm", 40),
                          fx_sf_real("diameter_mm", 3.5), fx_sf_real("length_mm", 40)};
    return fx_store_insert(s, "plan_screws", f, 10, "plan screw add (test)", ps, err);
}

static int add_screw(fx_store *s, fx_error *err)
{
    int64_t pid, ps = 0, actual = 0;
    static int n_actual;
    char label[32];
    int rc = patient_id(s, &pid, err);
    if (!rc)
        rc = plan_screw(s, pid, &ps, err);
    if (!rc && isfinite(num("angle_deg"))) {
        snprintf(label, sizeof(label), "A%d", ++n_actual);
        fx_store_field f[] = {fx_sf_int("patient_id", pid),
                              fx_sf_text("label", label),
                              fx_sf_real("entry_x_mm", 0),
                              fx_sf_real("entry_y_mm", 0),
                              fx_sf_real("entry_z_mm", 0),
                              fx_sf_real("tip_x_mm", 0),
                              fx_sf_real("tip_y_mm", 0),
                              fx_sf_real("tip_z_mm", 40),
                              fx_sf_real("length_mm", 40 + num("length_diff_mm"))};
        rc = fx_store_insert(s, "actual_screws", f, 9, "actual screw add (test)", &actual, err);
    }
    if (rc)
        return rc;
    fx_store_field f[] = {fx_sf_int("plan_screw_id", ps),
                          actual ? fx_sf_int("actual_screw_id", actual)
                                 : fx_sf_null("actual_screw_id"),
                          fx_sf_real("angle_deg", num("angle_deg")),
                          fx_sf_real("entry_mm", num("entry_mm")),
                          fx_sf_real("tip_mm", num("tip_mm")),
                          fx_sf_real("length_diff_mm", num("length_diff_mm")),
                          *cell("joint") ? fx_sf_int("joint_penetration", (int64_t)num("joint"))
                                         : fx_sf_null("joint_penetration")};
    return fx_store_insert(s, "screw_deviations", f, 7, "screw deviation add (test)", NULL, err);
}

static int add_row(fx_store *s, fx_error *err)
{
    const char *k = cell("kind");
    return !strcmp(k, "consensus")     ? add_consensus(s, err)
           : !strcmp(k, "measurement") ? add_measurement(s, false, err)
           : !strcmp(k, "amend")       ? add_measurement(s, true, err)
           : !strcmp(k, "grade")       ? add_grade(s, err)
           : !strcmp(k, "screw")       ? add_screw(s, err)
                                       : fx_fail(err, FX_EINVAL, "unknown kind '%s'", k);
}

int main(int argc, char **argv)
{
    fx_store *s = NULL;
    fx_csv *t = NULL;
    fx_error err;
    int rc;
    if (argc != 3) {
        fprintf(stderr, "usage: fill_study STUDY ROWS.csv\n");
        return 2;
    }
    rc = fx_csv_read(argv[2], &t, &err);
    if (!rc)
        rc = fx_store_open(argv[1], &s, &err);
    if (!rc)
        rc = fx_store_tx_begin(s, &err);
    T = t;
    for (R = 0; !rc && R < fx_csv_rows(t); R++)
        if ((rc = add_row(s, &err)))
            fx_error_prefix(&err, "'%s' line %zu", argv[2], fx_csv_line(t, R));
    if (!rc)
        rc = fx_store_tx_commit(s, &err);
    if (rc)
        fprintf(stderr, "fill_study: %s\n", err.msg);
    fx_store_close(s);
    fx_csv_free(t);
    return rc ? 1 : 0;
}
