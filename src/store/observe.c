/*
 * observe.c - observers, their blinded reading lists, and the gap and
 * step-off they measure. Observers are codes; a measurement names the
 * observer's case code, never the patient, and corrections are new rows
 * that point at the row they amend.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "store_int.h"

static int lookup_id(fx_store *s, const char *sql, const char *a, const char *b, int64_t *id,
                     const char *missing, fx_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = st_prepare(s, sql, &st, err);

    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    if (b)
        sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    else if (step == SQLITE_DONE)
        rc = fx_fail(err, FX_ENOTFOUND, "%s in '%s'", missing, s->dbpath);
    else
        rc = st_fail(s, err, "cannot read");
    sqlite3_finalize(st);
    return rc;
}

int fx_store_observer_add(fx_store *s, const char *code, const char *role, int experience_years,
                          int64_t *id, fx_error *err)
{
    char now[32], what[96];
    int rc = fx_store_code_check("observer", code, err);

    if (!rc && role && *role)
        rc = fx_store_enum_check("role", role, err);
    if (!rc && experience_years < -1)
        rc = fx_fail(err, FX_EINVAL, "observer experience must be >= 0 years");
    if (rc)
        return rc;
    st_utc_now(now);
    fx_store_field f[] = {fx_sf_text("code", code), fx_sf_text("role", role),
                          experience_years >= 0 ? fx_sf_int("experience_years", experience_years)
                                                : fx_sf_null("experience_years"),
                          fx_sf_text("created_utc", now)};
    snprintf(what, sizeof(what), "observer add %s", code);
    rc = fx_store_insert(s, "observers", f, 4, what, id, err);
    if (rc == FX_ECONFLICT)
        return fx_fail(err, rc, "observer '%s' already exists in '%s'", code, s->dbpath);
    return rc;
}

int fx_store_observer_id(fx_store *s, const char *code, int64_t *id, fx_error *err)
{
    char missing[96];
    snprintf(missing, sizeof(missing), "no observer '%s'", code);
    return lookup_id(s, "SELECT id FROM observers WHERE code = ?1", code, NULL, id, missing, err);
}

int fx_store_case_add(fx_store *s, const char *observer, const char *case_code, const char *patient,
                      const char *timepoint, int order_index, int64_t *id, fx_error *err)
{
    int64_t obs = 0;
    fx_patient p;
    char what[160];
    int rc = fx_store_code_check("case", case_code, err);

    if (!rc)
        rc = fx_store_enum_check("timepoint", timepoint, err);
    if (!rc && order_index < 1)
        rc = fx_fail(err, FX_EINVAL, "case '%s': order index must be >= 1", case_code);
    if (!rc)
        rc = fx_store_observer_id(s, observer, &obs, err);
    if (!rc)
        rc = fx_store_patient_get(s, patient, &p, err);
    if (rc)
        return rc;
    fx_store_field f[] = {fx_sf_int("observer_id", obs), fx_sf_text("case_code", case_code),
                          fx_sf_int("patient_id", p.id), fx_sf_text("timepoint", timepoint),
                          fx_sf_int("order_index", order_index)};
    /* The log names the case, not the patient, so that reading it does not unblind. */
    snprintf(what, sizeof(what), "case add %s for observer %s", case_code, observer);
    rc = fx_store_insert(s, "blinded_cases", f, 5, what, id, err);
    if (rc == FX_ECONFLICT)
        return fx_fail(err, rc,
                       "observer '%s' already has case '%s', that patient and time "
                       "point, or that position in '%s'",
                       observer, case_code, s->dbpath);
    return rc;
}

static int validate(const fx_measurement *m, fx_error *err)
{
    int rc = fx_store_enum_check("plane", m->plane, err);

    if (rc)
        return rc;
    if (isnan(m->gap_mm) && isnan(m->step_mm))
        return fx_fail(err, FX_EINVAL, "case '%s': a measurement needs a gap or a step-off",
                       m->case_code);
    if (m->gap_mm < 0 || m->step_mm < 0 || isinf(m->gap_mm) || isinf(m->step_mm))
        return fx_fail(err, FX_EINVAL, "case '%s': gap and step-off must be finite and >= 0 mm",
                       m->case_code);
    if ((m->amends_id != 0) != (m->amend_reason && *m->amend_reason))
        return fx_fail(err, FX_EINVAL,
                       "case '%s': an amendment needs both the amended "
                       "measurement and a reason",
                       m->case_code);
    if (m->repeat_no < 0)
        return fx_fail(err, FX_EINVAL, "case '%s': repeat number must be >= 1", m->case_code);
    return FX_OK;
}

int fx_store_measurement_add(fx_store *s, const fx_measurement *m, int64_t *id, fx_error *err)
{
    int64_t obs = 0, cid = 0;
    char now[32], what[192], missing[128];
    int rc = validate(m, err);

    if (!rc)
        rc = fx_store_observer_id(s, m->observer, &obs, err);
    snprintf(missing, sizeof(missing), "observer '%s' has no case '%s'", m->observer, m->case_code);
    if (!rc)
        rc = lookup_id(s,
                       "SELECT c.id FROM blinded_cases c JOIN observers o ON o.id = "
                       "c.observer_id WHERE o.code = ?1 AND c.case_code = ?2",
                       m->observer, m->case_code, &cid, missing, err);
    if (rc)
        return rc;
    st_utc_now(now);
    fx_store_field f[] = {
        fx_sf_int("observer_id", obs),
        fx_sf_int("case_id", cid),
        fx_sf_text("plane", m->plane),
        fx_sf_real("gap_mm", m->gap_mm),
        fx_sf_real("step_mm", m->step_mm),
        fx_sf_text("landmarks", m->landmarks_json),
        fx_sf_text("remark", m->remark),
        fx_sf_int("repeat_no", m->repeat_no > 0 ? m->repeat_no : 1),
        m->amends_id ? fx_sf_int("amends_id", m->amends_id) : fx_sf_null("amends_id"),
        fx_sf_text("amend_reason", m->amend_reason),
        fx_sf_text("measured_utc", now),
    };
    snprintf(what, sizeof(what), "measurement %s %s %s by %s", m->amends_id ? "amend" : "add",
             m->case_code, m->plane, m->observer);
    rc = fx_store_insert(s, "measurements", f, sizeof(f) / sizeof(*f), what, id, err);
    if (rc == FX_ECONFLICT)
        return fx_fail(err, rc,
                       "observer '%s' already measured case '%s' in the %s plane "
                       "(repeat %d), or that measurement was already amended",
                       m->observer, m->case_code, m->plane, m->repeat_no > 0 ? m->repeat_no : 1);
    return rc;
}
