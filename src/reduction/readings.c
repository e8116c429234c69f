/*
 * readings.c - recording an observer's gap and step-off: the checks that keep
 * a study's measurements trustworthy (the case is this observer's, the time
 * point is the case's, values are millimetres >= 0, landmark points are
 * points), and the rules for a second reading of the same plane: it is either
 * a marked repeat (for intra-observer agreement) or an amendment with a reason,
 * never a silent replacement.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fxaudit/observers.h"

/* The observer's case: its id and time point. Another observer's case is
 * reported exactly like a case that does not exist, so that guessing codes
 * teaches nothing. */
static int find_case(fx_store *s, const fx_reading *r, int64_t *case_id, fx_error *err)
{
    json_t *rows = NULL;
    fx_store_field p[] = {fx_sf_text("o", r->observer), fx_sf_text("c", r->case_code)};
    int rc = fx_store_query(s,
                            "SELECT c.id, c.timepoint FROM blinded_cases c JOIN observers o "
                            "ON o.id = c.observer_id WHERE o.code = ?1 AND c.case_code = ?2",
                            p, 2, &rows, err);
    if (rc)
        return rc;
    json_t *row = json_array_get(rows, 0);
    const char *tp = json_string_value(json_object_get(row, "timepoint"));
    if (!row)
        rc =
            fx_fail(err, FX_ENOTFOUND, "observer '%s' has no case '%s'", r->observer, r->case_code);
    else if (strcmp(tp, r->timepoint))
        rc = fx_fail(err, FX_EINVAL,
                     "case '%s' is the %s CT, not %s: check that you have the right case",
                     r->case_code, tp, r->timepoint);
    else
        *case_id = json_integer_value(json_object_get(row, "id"));
    json_decref(rows);
    return rc;
}

/* A JSON array of 2 or 3 finite numbers each, at most 64 points. */
static int check_points(const char *text, fx_error *err)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    int rc = FX_OK;
    if (!j)
        return fx_fail(err, FX_EINVAL, "--points is not valid JSON: %s", jerr.text);
    if (!json_is_array(j) || json_array_size(j) == 0 || json_array_size(j) > 64)
        rc = fx_fail(err, FX_EINVAL,
                     "--points must be a list of 1 to 64 points, e.g. "
                     "[[12.5, 40.0], [14.0, 41.5]]");
    size_t i;
    json_t *pt;
    for (i = 0; i < json_array_size(j); i++) {
        pt = json_array_get(j, i);
        size_t n = json_array_size(pt);
        bool ok = json_is_array(pt) && (n == 2 || n == 3);
        for (size_t k = 0; ok && k < n; k++)
            ok = json_is_number(json_array_get(pt, k)) &&
                 isfinite(json_number_value(json_array_get(pt, k)));
        if (!ok && !rc)
            rc = fx_fail(err, FX_EINVAL, "--points: point %zu is not [x, y] or [x, y, z]", i + 1);
    }
    json_decref(j);
    return rc;
}

static int check_reading(const fx_reading *r, fx_error *err)
{
    int rc = fx_store_enum_check("plane", r->plane, err);
    if (!rc && strcmp(r->timepoint, "preop") && strcmp(r->timepoint, "postop"))
        rc = fx_fail(err, FX_EINVAL, "time point must be preop or postop, not '%s'", r->timepoint);
    if (!rc && !(isfinite(r->gap_mm) && r->gap_mm >= 0 && isfinite(r->step_mm) && r->step_mm >= 0))
        rc = fx_fail(err, FX_EINVAL, "gap and step-off must be numbers >= 0 mm");
    if (!rc && r->amends_id && !(r->reason && *r->reason))
        rc = fx_fail(err, FX_EINVAL, "an amendment needs a reason");
    if (!rc && !r->amends_id && r->reason && *r->reason)
        rc = fx_fail(err, FX_EINVAL, "a reason is given only with an amendment");
    if (!rc && r->amends_id && r->repeat)
        rc = fx_fail(err, FX_EINVAL, "a reading is a repeat or an amendment, not both");
    if (!rc && r->points)
        rc = check_points(r->points, err);
    return rc;
}

/* The amended measurement must be this observer's, of this case and plane,
 * and not already amended; the amendment keeps its repeat number. */
static int check_amended(fx_store *s, const fx_reading *r, int64_t case_id, int *repeat_no,
                         fx_error *err)
{
    json_t *rows = NULL;
    fx_store_field p[] = {fx_sf_int("id", r->amends_id), fx_sf_text("o", r->observer)};
    int rc = fx_store_query(
        s,
        "SELECT m.case_id, m.plane, m.repeat_no, (SELECT min(n.id) FROM measurements n "
        "WHERE n.amends_id = m.id) AS amended_by FROM measurements m JOIN observers o "
        "ON o.id = m.observer_id WHERE m.id = ?1 AND o.code = ?2",
        p, 2, &rows, err);
    if (rc)
        return rc;
    json_t *m = json_array_get(rows, 0);
    if (!m)
        rc = fx_fail(err, FX_ENOTFOUND, "observer '%s' has no measurement %lld", r->observer,
                     (long long)r->amends_id);
    else if (json_integer_value(json_object_get(m, "case_id")) != case_id ||
             strcmp(json_string_value(json_object_get(m, "plane")), r->plane))
        rc = fx_fail(err, FX_EINVAL, "measurement %lld is not of case '%s' in the %s plane",
                     (long long)r->amends_id, r->case_code, r->plane);
    else if (json_is_integer(json_object_get(m, "amended_by")))
        rc = fx_fail(err, FX_ECONFLICT,
                     "measurement %lld was already amended by measurement %lld: amend that one",
                     (long long)r->amends_id,
                     (long long)json_integer_value(json_object_get(m, "amended_by")));
    else
        *repeat_no = (int)json_integer_value(json_object_get(m, "repeat_no"));
    json_decref(rows);
    return rc;
}

/* For a first reading or a repeat: the repeat number, refusing an unmarked
 * second reading. */
static int next_repeat(fx_store *s, const fx_reading *r, int64_t case_id, int *repeat_no,
                       fx_error *err)
{
    json_t *rows = NULL;
    fx_store_field p[] = {fx_sf_int("c", case_id), fx_sf_text("p", r->plane)};
    int rc = fx_store_query(s,
                            "SELECT coalesce(max(repeat_no), 0) AS last, max(id) AS id "
                            "FROM measurements WHERE case_id = ?1 AND plane = ?2",
                            p, 2, &rows, err);
    if (rc)
        return rc;
    json_t *row = json_array_get(rows, 0);
    int last = (int)json_integer_value(json_object_get(row, "last"));
    long long id = (long long)json_integer_value(json_object_get(row, "id"));
    if (last && !r->repeat)
        rc = fx_fail(err, FX_ECONFLICT,
                     "case '%s' is already measured in the %s plane (measurement %lld): give "
                     "--repeat for a repeated reading, or --amend ID --reason TEXT to correct one",
                     r->case_code, r->plane, id);
    else if (!last && r->repeat)
        rc = fx_fail(err, FX_EINVAL, "case '%s' has no first reading in the %s plane to repeat",
                     r->case_code, r->plane);
    else
        *repeat_no = last + 1;
    json_decref(rows);
    return rc;
}

int fx_observers_record(fx_store *s, const fx_reading *r, int64_t *id, int *repeat_no,
                        fx_error *err)
{
    int64_t case_id = 0, new_id = 0;
    int rep = 1;
    int rc = check_reading(r, err);
    if (!rc)
        rc = find_case(s, r, &case_id, err);
    if (!rc)
        rc = r->amends_id ? check_amended(s, r, case_id, &rep, err)
                          : next_repeat(s, r, case_id, &rep, err);
    if (rc)
        return rc;
    fx_measurement m = {.observer = r->observer,
                        .case_code = r->case_code,
                        .plane = r->plane,
                        .gap_mm = r->gap_mm,
                        .step_mm = r->step_mm,
                        .landmarks_json = r->points,
                        .remark = r->remark,
                        .repeat_no = rep,
                        .amends_id = r->amends_id,
                        .amend_reason = r->amends_id ? r->reason : NULL};
    rc = fx_store_measurement_add(s, &m, &new_id, err);
    if (!rc && id)
        *id = new_id;
    if (!rc && repeat_no)
        *repeat_no = rep;
    return rc;
}

int fx_observers_readings(fx_store *s, const char *observer, json_t **out, fx_error *err)
{
    int64_t oid;
    fx_store_field p[] = {fx_sf_text("observer", observer)};
    *out = NULL;
    int rc = fx_store_observer_id(s, observer, &oid, err);
    if (rc)
        return rc;
    return fx_store_query(
        s,
        "SELECT m.id, c.case_code AS \"case\", c.timepoint, m.plane, m.gap_mm, m.step_mm, "
        "m.repeat_no, m.amends_id, m.amend_reason, m.remark, m.measured_utc, "
        "NOT EXISTS (SELECT 1 FROM measurements n WHERE n.amends_id = m.id) AS current "
        "FROM measurements m JOIN blinded_cases c ON c.id = m.case_id JOIN observers o "
        "ON o.id = m.observer_id WHERE o.code = ?1 "
        "ORDER BY c.order_index, m.plane, m.repeat_no, m.id",
        p, 1, out, err);
}
