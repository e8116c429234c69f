/*
 * smfastore.c - SMFA forms in the study: validate a form, store its answers
 * item by item, score it (smfa.h) and store the scores, in one transaction
 * so that a form never exists without its answers and scores. Import does the
 * same for a whole CSV file inside one outer transaction.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/csv.h"
#include "fxaudit/smfastore.h"

/* ---- dates ---------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm). */
static long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int parse_date(const char *s, long *days, fx_error *err)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    long y, m, d;
    bool shape = strlen(s) == 10 && s[4] == '-' && s[7] == '-';
    for (int i = 0; shape && i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            shape = false;
    if (!shape)
        return fx_fail(err, FX_EFORMAT, "date '%s' is not YYYY-MM-DD", s);
    y = strtol(s, NULL, 10);
    m = strtol(s + 5, NULL, 10);
    d = strtol(s + 8, NULL, 10);
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
        return fx_fail(err, FX_EFORMAT, "date '%s' does not exist", s);
    *days = days_from_civil(y, m, d);
    return FX_OK;
}

int fx_smfastore_months(const char *form_date, const char *surgery_date, double *months,
                        fx_error *err)
{
    long a, b;
    int rc = parse_date(form_date, &a, err);
    if (!rc)
        rc = parse_date(surgery_date, &b, err);
    if (rc)
        return rc;
    if (a < b)
        return fx_fail(err, FX_EINVAL,
                       "form date %s is before the surgery (%s); a pre-injury recall form "
                       "needs no date",
                       form_date, surgery_date);
    /* an average Gregorian month; rounded to 0.01 month (a few hours) so that
     * the stored number does not pretend to more than a day's precision */
    *months = round((double)(a - b) / (365.25 / 12) * 100) / 100;
    return FX_OK;
}

/* ---- one form ------------------------------------------------------------- */

int fx_smfastore_check(const fx_smfa_entry *e, fx_error *err)
{
    int rc = fx_store_code_check("patient", e->patient, err);
    if (!rc)
        rc = fx_store_enum_check("occasion", e->occasion, err);
    if (rc)
        return rc;
    if (!strcmp(e->occasion, "other") && !isfinite(e->months_after_surgery))
        return fx_fail(err, FX_EINVAL,
                       "occasion 'other' needs its time: months after surgery or a date");
    if (isfinite(e->months_after_surgery) && e->months_after_surgery < 0)
        return fx_fail(err, FX_EINVAL, "months after surgery must be >= 0, not %g",
                       e->months_after_surgery);
    for (int i = 0; i < FX_SMFA_ITEMS; i++)
        if (e->answers[i] < 0 || e->answers[i] > 5)
            return fx_fail(err, FX_EINVAL,
                           "item %d: answer %d is not one of 1, 2, 3, 4, 5 (0: unanswered)", i + 1,
                           e->answers[i]);
    return FX_OK;
}

static json_t *num_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* Score `scale` on `f`, store it as `name` and describe it in `scores`. */
static int store_scale(fx_store *s, int64_t form_id, const fx_smfa_form *f,
                       const fx_smfa_scale *scale, const char *name, const fx_smfa_scoring *sc,
                       bool keyed, json_t *scores, fx_error *err)
{
    fx_smfa_score r;
    fx_smfa_score_scale(f, scale, sc->min_percent, &r);
    int rc =
        fx_store_smfa_score_add(s, form_id, name, r.score, r.answered, keyed ? sc->key_name : NULL,
                                keyed ? sc->key_sha256 : NULL, err);
    if (rc)
        return rc;
    json_t *j = json_object();
    json_object_set_new(j, "score", num_or_null(r.score));
    json_object_set_new(j, "items_used", json_integer(r.answered));
    json_object_set_new(j, "items", json_integer(r.items));
    json_object_set_new(j, "items_required", json_integer(r.required));
    json_object_set_new(scores, name, j);
    return FX_OK;
}

static int store_scores(fx_store *s, int64_t form_id, const fx_smfa_entry *e,
                        const fx_smfa_scoring *sc, json_t *scores, fx_error *err)
{
    fx_smfa_form f = {0};
    char what[200];
    for (int i = 0; i < FX_SMFA_ITEMS; i++)
        f.answer[i] = (unsigned char)e->answers[i];
    int rc =
        store_scale(s, form_id, &f, &fx_smfa_function_index, "function", sc, false, scores, err);
    if (!rc)
        rc = store_scale(s, form_id, &f, &fx_smfa_bother_index, "bother", sc, false, scores, err);
    for (size_t k = 0; !rc && sc->key && k < sc->key->n; k++) {
        const char *name = sc->key->scales[k].name;
        if (!strcmp(name, "function") || !strcmp(name, "bother"))
            rc =
                fx_fail(err, FX_ECONFLICT,
                        "key scale '%s' has the name of an SMFA index; rename it in the key", name);
        else
            rc = store_scale(s, form_id, &f, &sc->key->scales[k], name, sc, true, scores, err);
    }
    if (rc)
        return rc;
    /* the rule is part of what a stored score means, so the log records it */
    snprintf(
        what, sizeof(what), "smfa form %lld scored: a scale needs %g %% of its items answered%s%s",
        (long long)form_id, sc->min_percent, sc->key ? "; key " : "", sc->key ? sc->key_name : "");
    return fx_store_log_event(s, what, err);
}

static json_t *entry_json(const fx_smfa_entry *e, int64_t form_id, const fx_smfa_scoring *sc)
{
    json_t *j = json_object();
    int answered = 0;
    for (int i = 0; i < FX_SMFA_ITEMS; i++)
        answered += e->answers[i] != 0;
    json_object_set_new(j, "form_id", json_integer(form_id));
    json_object_set_new(j, "patient", json_string(e->patient));
    json_object_set_new(j, "occasion", json_string(e->occasion));
    json_object_set_new(j, "months_after_surgery", num_or_null(e->months_after_surgery));
    json_object_set_new(j, "items_answered", json_integer(answered));
    json_object_set_new(j, "min_answered_percent", json_real(sc->min_percent));
    json_object_set_new(j, "key", sc->key ? json_string(sc->key_name) : json_null());
    json_object_set_new(j, "key_sha256", sc->key ? json_string(sc->key_sha256) : json_null());
    return j;
}

int fx_smfastore_add(fx_store *s, const fx_smfa_entry *e, const fx_smfa_scoring *sc, json_t **out,
                     fx_error *err)
{
    int64_t form_id = 0;
    json_t *scores = json_object();
    int rc = fx_smfastore_check(e, err);

    if (!rc)
        rc = fx_store_tx_begin(s, err);
    if (rc)
        goto fail;
    rc = fx_store_smfa_form_add(s, e->patient, e->occasion, e->months_after_surgery, &form_id, err);
    if (!rc)
        rc = fx_store_smfa_answers_set(s, form_id, e->answers, err);
    if (!rc)
        rc = store_scores(s, form_id, e, sc, scores, err);
    if (rc) {
        fx_store_tx_rollback(s);
        goto fail;
    }
    rc = fx_store_tx_commit(s, err);
    if (rc)
        goto fail;
    if (out) {
        *out = entry_json(e, form_id, sc);
        json_object_set_new(*out, "scores", scores);
    } else {
        json_decref(scores);
    }
    return FX_OK;
fail:
    json_decref(scores);
    return rc;
}

/* ---- import ---------------------------------------------------------------- */

/* A cell of an optional column, "" when the column is absent. */
static const char *opt_cell(const fx_csv *t, size_t row, const size_t *col)
{
    return col ? fx_csv_cell(t, row, *col) : "";
}

struct import_cols {
    size_t patient, occasion, months, date, surgery;
    bool has_months, has_date, has_surgery;
};

static int import_columns(const fx_csv *t, struct import_cols *c, fx_error *err)
{
    int rc = fx_csv_find(t, "patient", &c->patient, err);
    if (!rc)
        rc = fx_csv_find(t, "occasion", &c->occasion, err);
    c->has_months = fx_csv_find(t, "months", &c->months, NULL) == FX_OK;
    c->has_date = fx_csv_find(t, "date", &c->date, NULL) == FX_OK;
    c->has_surgery = fx_csv_find(t, "surgery_date", &c->surgery, NULL) == FX_OK;
    if (!rc && c->has_date && !c->has_surgery)
        rc = fx_fail(err, FX_EFORMAT,
                     "'%s': a 'date' column needs a 'surgery_date' column (the study stores "
                     "months after surgery, not dates)",
                     fx_csv_path(t));
    return rc;
}

static int import_row(const fx_csv *t, size_t r, const struct import_cols *c, const fx_smfa_form *f,
                      fx_smfa_entry *e, fx_error *err)
{
    const char *pat = fx_csv_cell(t, r, c->patient), *occ = fx_csv_cell(t, r, c->occasion);
    const char *months = opt_cell(t, r, c->has_months ? &c->months : NULL);
    const char *date = opt_cell(t, r, c->has_date ? &c->date : NULL);
    const char *surg = opt_cell(t, r, c->has_surgery ? &c->surgery : NULL);
    char *end;
    int rc = FX_OK;

    memset(e, 0, sizeof(*e));
    snprintf(e->patient, sizeof(e->patient), "%s", pat);
    snprintf(e->occasion, sizeof(e->occasion), "%s", occ);
    e->months_after_surgery = NAN;
    if (strlen(pat) >= sizeof(e->patient) || strlen(occ) >= sizeof(e->occasion))
        return fx_fail(err, FX_EINVAL, "patient or occasion too long");
    if (*months && *date)
        return fx_fail(err, FX_EINVAL, "give months or a date, not both");
    if (*months) {
        e->months_after_surgery = strtod(months, &end);
        if (*end || !isfinite(e->months_after_surgery))
            return fx_fail(err, FX_EFORMAT, "months '%s' is not a number", months);
    } else if (*date) {
        if (!*surg)
            return fx_fail(err, FX_EINVAL, "date %s needs the surgery_date", date);
        rc = fx_smfastore_months(date, surg, &e->months_after_surgery, err);
    }
    for (int i = 0; i < FX_SMFA_ITEMS; i++)
        e->answers[i] = f->answer[i];
    return rc ? rc : fx_smfastore_check(e, err);
}

static int import_rows(fx_store *s, const fx_csv *t, const fx_smfa_form *forms,
                       const fx_smfa_scoring *sc, json_t *list, fx_error *err)
{
    struct import_cols c;
    fx_smfa_entry e;
    int rc = import_columns(t, &c, err);

    for (size_t r = 0; !rc && r < fx_csv_rows(t); r++) {
        json_t *one = NULL;
        rc = import_row(t, r, &c, &forms[r], &e, err);
        if (!rc)
            rc = fx_smfastore_add(s, &e, sc, &one, err);
        if (rc)
            return fx_error_prefix(err, "'%s' line %zu", fx_csv_path(t), fx_csv_line(t, r));
        json_object_set_new(one, "line", json_integer((json_int_t)fx_csv_line(t, r)));
        json_array_append_new(list, one);
    }
    return rc;
}

int fx_smfastore_import(fx_store *s, const char *path, const fx_smfa_scoring *sc, json_t **out,
                        fx_error *err)
{
    fx_csv *t = NULL;
    fx_smfa_form *forms = NULL;
    json_t *list = json_array();
    size_t n = 0;
    char what[600];
    /* every answer of the file is checked before the first write */
    int rc = fx_csv_read(path, &t, err);
    if (!rc)
        rc = fx_smfa_forms_read(t, NULL, &forms, &n, err);
    if (!rc)
        rc = fx_store_tx_begin(s, err);
    if (rc)
        goto out;
    rc = import_rows(s, t, forms, sc, list, err);
    if (!rc) {
        snprintf(what, sizeof(what), "smfa import '%s': %zu forms", path, n);
        rc = fx_store_log_event(s, what, err);
    }
    if (rc) {
        fx_store_tx_rollback(s);
        goto out;
    }
    rc = fx_store_tx_commit(s, err);
    if (!rc && out) {
        *out = json_object();
        json_object_set_new(*out, "file", json_string(path));
        json_object_set_new(*out, "n_forms", json_integer((json_int_t)n));
        json_object_set_new(*out, "forms", list);
        list = NULL;
    }
out:
    json_decref(list);
    free(forms);
    fx_csv_free(t);
    return rc;
}

/* ---- list ------------------------------------------------------------------ */

static json_t *find_form(json_t *forms, json_int_t id)
{
    size_t i;
    json_t *f;
    json_array_foreach(forms, i, f)
    {
        if (json_integer_value(json_object_get(f, "form_id")) == id)
            return f;
    }
    return NULL;
}

static int attach_answers(fx_store *s, json_t *forms, fx_error *err)
{
    json_t *rows = NULL, *r;
    size_t i;
    int rc = fx_store_query(s, "SELECT form_id, item, answer FROM smfa_answers ORDER BY id", NULL,
                            0, &rows, err);
    if (rc)
        return rc;
    json_array_foreach(rows, i, r)
    {
        json_t *f = find_form(forms, json_integer_value(json_object_get(r, "form_id")));
        json_int_t item = json_integer_value(json_object_get(r, "item"));
        if (f && item >= 1 && item <= FX_SMFA_ITEMS)
            json_array_set(json_object_get(f, "answers"), (size_t)item - 1,
                           json_object_get(r, "answer"));
    }
    json_decref(rows);
    return FX_OK;
}

static int attach_scores(fx_store *s, json_t *forms, fx_error *err)
{
    json_t *rows = NULL, *r;
    size_t i;
    int rc = fx_store_query(s,
                            "SELECT form_id, scale, score, items_used, key_name, key_sha256 "
                            "FROM smfa_scores ORDER BY id",
                            NULL, 0, &rows, err);
    if (rc)
        return rc;
    json_array_foreach(rows, i, r)
    {
        json_t *f = find_form(forms, json_integer_value(json_object_get(r, "form_id")));
        if (!f)
            continue;
        json_t *sc = json_object();
        json_object_set(sc, "score", json_object_get(r, "score"));
        json_object_set(sc, "items_used", json_object_get(r, "items_used"));
        json_object_set(sc, "key", json_object_get(r, "key_name"));
        json_object_set(sc, "key_sha256", json_object_get(r, "key_sha256"));
        json_object_set_new(json_object_get(f, "scores"),
                            json_string_value(json_object_get(r, "scale")), sc);
    }
    json_decref(rows);
    return FX_OK;
}

int fx_smfastore_list(fx_store *s, const char *patient, json_t **out, fx_error *err)
{
    json_t *forms = NULL, *f;
    size_t i;
    fx_store_field p = fx_sf_text("patient", patient ? patient : "");
    int rc = fx_store_query(s,
                            "SELECT f.id AS form_id, p.code AS patient, f.occasion, "
                            "f.months_after_surgery, f.created_utc FROM smfa_forms f "
                            "JOIN patients p ON p.id = f.patient_id "
                            "WHERE ?1 IS NULL OR p.code = ?1 ORDER BY p.code, instr('pre-injury "
                            "6-weeks 3-months 6-months 1-year 2-years other', f.occasion)",
                            &p, 1, &forms, err);
    if (rc)
        return rc;
    json_array_foreach(forms, i, f)
    {
        json_t *a = json_array();
        for (int k = 0; k < FX_SMFA_ITEMS; k++)
            json_array_append_new(a, json_null());
        json_object_set_new(f, "answers", a);
        json_object_set_new(f, "scores", json_object());
    }
    rc = attach_answers(s, forms, err);
    if (!rc)
        rc = attach_scores(s, forms, err);
    if (rc) {
        json_decref(forms);
        return rc;
    }
    *out = json_object();
    json_object_set_new(*out, "patient", patient ? json_string(patient) : json_null());
    json_object_set_new(*out, "n_forms", json_integer((json_int_t)json_array_size(forms)));
    json_object_set_new(*out, "forms", forms);
    return FX_OK;
}
