/*
 * consensus.c - the moment of unblinding: which cases every observer has
 * finished, their values side by side, the consensus value per plane and the
 * patient's value (largest over the planes) with its grades, and the export of
 * finished readings for agreement statistics. Every function checks readiness
 * itself, so that no caller can show a value early by forgetting to.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fxaudit/consensus.h"
#include "fxaudit/grade.h"
#include "fxaudit/observers.h"

/* Per patient and time point: observers with the case, and how many of them
 * have a first reading in all three planes. */
static const char status_sql[] =
    "WITH d AS (SELECT c.patient_id, c.timepoint, (SELECT count(DISTINCT m.plane) "
    "  FROM measurements m WHERE m.case_id = c.id AND m.repeat_no = 1) AS planes "
    "  FROM blinded_cases c) "
    "SELECT p.code AS patient, d.timepoint, count(*) AS observers, "
    "  sum(d.planes = 3) AS complete, EXISTS (SELECT 1 FROM consensus k WHERE "
    "  k.patient_id = d.patient_id AND k.timepoint = d.timepoint) AS recorded "
    "FROM d JOIN patients p ON p.id = d.patient_id ";

/* Current first readings (the last amendment of repeat 1). */
static const char current_sql[] =
    "SELECT o.code AS observer, m.plane, m.repeat_no, m.gap_mm, m.step_mm, p.code AS patient, "
    "c.timepoint FROM measurements m JOIN blinded_cases c ON c.id = m.case_id "
    "JOIN observers o ON o.id = m.observer_id JOIN patients p ON p.id = c.patient_id "
    "WHERE NOT EXISTS (SELECT 1 FROM measurements n WHERE n.amends_id = m.id) ";

static bool row_ready(json_t *row)
{
    return json_integer_value(json_object_get(row, "observers")) > 0 &&
           json_integer_value(json_object_get(row, "complete")) ==
               json_integer_value(json_object_get(row, "observers"));
}

int fx_consensus_status(fx_store *s, json_t **out, fx_error *err)
{
    char sql[1024];
    json_t *rows = NULL;
    snprintf(sql, sizeof(sql),
             "%s GROUP BY d.patient_id, d.timepoint ORDER BY p.code, "
             "d.timepoint DESC",
             status_sql);
    int rc = fx_store_query(s, sql, NULL, 0, &rows, err);
    if (rc)
        return rc;
    json_t *ready = json_array();
    json_int_t waiting = 0;
    size_t i;
    json_t *r;
    for (i = 0; i < json_array_size(rows); i++) {
        r = json_array_get(rows, i);
        if (!row_ready(r)) {
            waiting++;
            continue;
        }
        json_array_append_new(
            ready,
            json_pack("{s:O, s:O, s:O, s:b}", "patient", json_object_get(r, "patient"), "timepoint",
                      json_object_get(r, "timepoint"), "observers", json_object_get(r, "observers"),
                      "recorded", json_integer_value(json_object_get(r, "recorded")) != 0));
    }
    json_decref(rows);
    *out = json_pack("{s:o, s:I}", "ready", ready, "waiting", waiting);
    return *out ? FX_OK : fx_fail(err, FX_ENOMEM, "out of memory");
}

/* FX_OK when every observer of this patient and time point is done. */
static int check_ready(fx_store *s, const char *patient, const char *timepoint, fx_error *err)
{
    char sql[1024];
    json_t *rows = NULL;
    fx_store_field p[] = {fx_sf_text("p", patient), fx_sf_text("t", timepoint)};
    snprintf(sql, sizeof(sql),
             "%s WHERE p.code = ?1 AND d.timepoint = ?2 GROUP BY "
             "d.patient_id, d.timepoint",
             status_sql);
    int rc = fx_store_query(s, sql, p, 2, &rows, err);
    if (rc)
        return rc;
    json_t *r = json_array_get(rows, 0);
    if (!r)
        rc = fx_fail(err, FX_ENOTFOUND, "no observer has patient '%s' %s on their list", patient,
                     timepoint);
    else if (!row_ready(r))
        rc = fx_fail(err, FX_EINVAL,
                     "patient '%s' %s is still blinded: %lld of %lld observers have recorded "
                     "all three planes",
                     patient, timepoint,
                     (long long)json_integer_value(json_object_get(r, "complete")),
                     (long long)json_integer_value(json_object_get(r, "observers")));
    json_decref(rows);
    return rc;
}

static double num_or_nan(json_t *v)
{
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static json_t *num(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

/* Mean and largest of the non-missing values. */
static void summarise(const double *v, size_t n, double *mean, double *max)
{
    double sum = 0;
    size_t k = 0;
    *max = NAN;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i])) {
            sum += v[i], k++;
            *max = isnan(*max) || v[i] > *max ? v[i] : *max;
        }
    *mean = k ? sum / (double)k : NAN;
}

#define MAX_OBSERVERS 64

/* Side-by-side values of one plane; per-plane mean and max into m[], x[]. */
static json_t *plane_values(json_t *rows, const char *plane, double mean[2], double max[2])
{
    double gap[MAX_OBSERVERS], step[MAX_OBSERVERS];
    size_t n = 0, i;
    json_t *r, *obs = json_object();
    for (i = 0; i < json_array_size(rows); i++) {
        r = json_array_get(rows, i);
        if (strcmp(json_string_value(json_object_get(r, "plane")), plane) ||
            json_integer_value(json_object_get(r, "repeat_no")) != 1 || n == MAX_OBSERVERS)
            continue;
        gap[n] = num_or_nan(json_object_get(r, "gap_mm"));
        step[n] = num_or_nan(json_object_get(r, "step_mm"));
        json_object_set_new(
            obs, json_string_value(json_object_get(r, "observer")),
            json_pack("{s:o, s:o}", "gap_mm", num(gap[n]), "step_mm", num(step[n])));
        n++;
    }
    summarise(gap, n, &mean[0], &max[0]);
    summarise(step, n, &mean[1], &max[1]);
    return json_pack("{s:o, s:{s:o, s:o}, s:{s:o, s:o}}", "observers", obs, "mean", "gap_mm",
                     num(mean[0]), "step_mm", num(mean[1]), "max", "gap_mm", num(max[0]), "step_mm",
                     num(max[1]));
}

/* The current first readings of one ready case, and per plane mean/max. */
static int side_by_side(fx_store *s, const char *patient, const char *timepoint, json_t **planes,
                        double mean[3][2], double max[3][2], fx_error *err)
{
    char sql[1024];
    json_t *rows = NULL;
    fx_store_field p[] = {fx_sf_text("p", patient), fx_sf_text("t", timepoint)};
    int rc = check_ready(s, patient, timepoint, err);
    if (rc)
        return rc;
    snprintf(sql, sizeof(sql), "%s AND p.code = ?1 AND c.timepoint = ?2 ORDER BY o.code",
             current_sql);
    if ((rc = fx_store_query(s, sql, p, 2, &rows, err)))
        return rc;
    *planes = json_object();
    for (int k = 0; k < 3; k++)
        json_object_set_new(*planes, fx_observer_planes[k],
                            plane_values(rows, fx_observer_planes[k], mean[k], max[k]));
    json_decref(rows);
    return FX_OK;
}

static int recorded_consensus(fx_store *s, const char *patient, const char *timepoint, json_t **out,
                              fx_error *err)
{
    fx_store_field p[] = {fx_sf_text("p", patient), fx_sf_text("t", timepoint)};
    return fx_store_query(s,
                          "SELECT k.plane, k.gap_mm, k.step_mm, k.method, k.remark, "
                          "k.created_utc FROM consensus k JOIN patients p ON p.id = k.patient_id "
                          "WHERE p.code = ?1 AND k.timepoint = ?2 ORDER BY k.id",
                          p, 2, out, err);
}

int fx_consensus_show(fx_store *s, const char *patient, const char *timepoint, json_t **out,
                      fx_error *err)
{
    json_t *planes = NULL, *rec = NULL;
    double mean[3][2], max[3][2];
    *out = NULL;
    int rc = side_by_side(s, patient, timepoint, &planes, mean, max, err);
    if (!rc)
        rc = recorded_consensus(s, patient, timepoint, &rec, err);
    if (rc) {
        json_decref(planes);
        return rc;
    }
    *out = json_pack("{s:s, s:s, s:o, s:o}", "patient", patient, "timepoint", timepoint, "planes",
                     planes, "consensus",
                     json_array_size(rec) ? rec : (json_decref(rec), json_null()));
    return FX_OK;
}

static void utc_now(char buf[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *method_name(fx_consensus_method m)
{
    return m == FX_CONSENSUS_MEAN ? "mean" : m == FX_CONSENSUS_MAX ? "max" : "consensus-meeting";
}

/* The consensus row of one plane ("max" for the patient value). */
static int insert_consensus(fx_store *s, int64_t patient_id, const char *patient,
                            const char *timepoint, const char *plane, double gap, double step,
                            const char *method, const char *remark, int64_t *id, fx_error *err)
{
    char now[32], what[160];
    utc_now(now);
    fx_store_field f[] = {fx_sf_int("patient_id", patient_id), fx_sf_text("timepoint", timepoint),
                          fx_sf_text("plane", plane),          fx_sf_real("gap_mm", gap),
                          fx_sf_real("step_mm", step),         fx_sf_text("method", method),
                          fx_sf_text("remark", remark),        fx_sf_text("created_utc", now)};
    snprintf(what, sizeof(what), "consensus %s %s %s (%s)", patient, timepoint, plane, method);
    int rc = fx_store_insert(s, "consensus", f, 8, what, id, err);
    if (rc == FX_ECONFLICT)
        return fx_fail(err, rc, "the consensus of patient '%s' %s is already recorded", patient,
                       timepoint);
    return rc;
}

/* Grade the patient value by each built-in scheme, store and list the grades. */
static int insert_grades(fx_store *s, int64_t patient_id, const char *patient,
                         const char *timepoint, int64_t consensus_id, double gap, double step,
                         json_t *list, fx_error *err)
{
    static const char *const schemes[] = {"matta", "ct"};
    int rc = FX_OK;
    for (int i = 0; i < 2 && !rc; i++) {
        fx_scheme *sc = NULL;
        fx_grade g;
        char now[32], what[160];
        rc = fx_scheme_load_builtin(schemes[i], &sc, err);
        if (!rc)
            rc = fx_grade_apply(sc, gap, step, &g, err);
        if (!rc) {
            utc_now(now);
            fx_store_field f[] = {fx_sf_int("patient_id", patient_id),
                                  fx_sf_text("timepoint", timepoint),
                                  fx_sf_int("consensus_id", consensus_id),
                                  fx_sf_text("scheme", schemes[i]),
                                  fx_sf_text("grade", g.grade),
                                  fx_sf_real("displacement_mm", g.displacement_mm),
                                  fx_sf_text("created_utc", now)};
            snprintf(what, sizeof(what), "grade %s %s by %s: %s", patient, timepoint, schemes[i],
                     g.grade);
            rc = fx_store_insert(s, "grades", f, 7, what, NULL, err);
            if (!rc)
                json_array_append_new(list, json_pack("{s:s, s:s, s:f, s:s, s:s}", "scheme",
                                                      schemes[i], "grade", g.grade,
                                                      "displacement_mm", g.displacement_mm, "rule",
                                                      g.rule, "note", fx_scheme_note(sc)));
        }
        fx_scheme_free(sc);
    }
    return rc;
}

/* Per-plane values by the method; meeting values are checked here. */
static int plane_consensus(fx_consensus_method method, const double *gap_mm, const double *step_mm,
                           double mean[3][2], double max[3][2], double v[3][2], fx_error *err)
{
    for (int k = 0; k < 3; k++) {
        if (method == FX_CONSENSUS_MEETING) {
            v[k][0] = gap_mm[k], v[k][1] = step_mm[k];
            if (!(isfinite(v[k][0]) && v[k][0] >= 0 && isfinite(v[k][1]) && v[k][1] >= 0))
                return fx_fail(err, FX_EINVAL,
                               "the agreed %s gap and step-off must be numbers >= 0 mm",
                               fx_observer_planes[k]);
        } else {
            for (int q = 0; q < 2; q++)
                v[k][q] = method == FX_CONSENSUS_MEAN ? mean[k][q] : max[k][q];
        }
    }
    return FX_OK;
}

static int record_in_tx(fx_store *s, const char *patient, const char *timepoint, const char *method,
                        double v[3][2], const char *remark, json_t *res, fx_error *err)
{
    fx_patient p;
    int64_t max_id = 0;
    double gap = NAN, step = NAN;
    int rc = fx_store_patient_get(s, patient, &p, err);
    json_t *planes = json_object();
    for (int k = 0; !rc && k < 3; k++) {
        rc = insert_consensus(s, p.id, patient, timepoint, fx_observer_planes[k], v[k][0], v[k][1],
                              method, remark, NULL, err);
        gap = isnan(gap) || v[k][0] > gap ? v[k][0] : gap;
        step = isnan(step) || v[k][1] > step ? v[k][1] : step;
        json_object_set_new(
            planes, fx_observer_planes[k],
            json_pack("{s:o, s:o}", "gap_mm", num(v[k][0]), "step_mm", num(v[k][1])));
    }
    json_object_set_new(res, "planes", planes);
    if (!rc && !(isfinite(gap) && isfinite(step)))
        rc = fx_fail(err, FX_EINVAL, "patient '%s' %s: a plane has no gap or step-off to agree on",
                     patient, timepoint);
    if (!rc)
        rc = insert_consensus(s, p.id, patient, timepoint, "max", gap, step, method,
                              "largest over the axial, coronal and sagittal planes", &max_id, err);
    json_t *grades = json_array();
    json_object_set_new(res, "gap_mm", num(gap));
    json_object_set_new(res, "step_mm", num(step));
    json_object_set_new(res, "grades", grades);
    if (!rc)
        rc = insert_grades(s, p.id, patient, timepoint, max_id, gap, step, grades, err);
    return rc;
}

int fx_consensus_record(fx_store *s, const char *patient, const char *timepoint,
                        fx_consensus_method method, const double gap_mm[3], const double step_mm[3],
                        const char *remark, json_t **out, fx_error *err)
{
    json_t *planes = NULL;
    double mean[3][2], max[3][2], v[3][2];
    *out = NULL;
    int rc = side_by_side(s, patient, timepoint, &planes, mean, max, err);
    json_decref(planes);
    if (!rc)
        rc = plane_consensus(method, gap_mm, step_mm, mean, max, v, err);
    if (!rc)
        rc = fx_store_tx_begin(s, err);
    if (rc)
        return rc;
    json_t *res = json_pack("{s:s, s:s, s:s}", "patient", patient, "timepoint", timepoint, "method",
                            method_name(method));
    rc = record_in_tx(s, patient, timepoint, method_name(method), v, remark, res, err);
    if (!rc)
        rc = fx_store_tx_commit(s, err);
    else
        fx_store_tx_rollback(s);
    if (rc)
        json_decref(res);
    else
        *out = res;
    return rc;
}
