/*
 * observers.c - blinded reading lists and validated readings on the study
 * store. Case codes and reading orders come from the operating system's random
 * source, so that neither can be traced back to a study code; every query that
 * feeds an observer's output selects by that observer and never selects the
 * patient's code.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "fxaudit/observers.h"

const char *const fx_observer_planes[3] = {"axial", "coronal", "sagittal"};
const char *const fx_observer_timepoints[2] = {"preop", "postop"};

/* No 0/O, 1/I/L: codes are read aloud and typed by hand. */
static const char code_alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
#define CASE_CODE_LEN 7 /* "K" + 6 symbols: 31^6 ~ 8.9e8 codes */

static int random_bytes(void *buf, size_t n, fx_error *err)
{
    unsigned char *p = buf;
    while (n) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return fx_fail(err, FX_EIO, "cannot read the system's random source: %s",
                           strerror(errno));
        p += got, n -= (size_t)got;
    }
    return FX_OK;
}

/* A uniform integer in [0, n), without modulo bias. */
static int random_below(uint32_t n, uint32_t *out, fx_error *err)
{
    uint32_t limit = UINT32_MAX - UINT32_MAX % n, x;
    do {
        int rc = random_bytes(&x, sizeof(x), err);
        if (rc)
            return rc;
    } while (x >= limit);
    *out = x % n;
    return FX_OK;
}

/* Whether `code` is already a case code or a study code anywhere in the study. */
static int code_taken(fx_store *s, const char *code, bool *taken, fx_error *err)
{
    json_t *rows = NULL;
    fx_store_field p[] = {fx_sf_text("code", code)};
    int rc = fx_store_query(s,
                            "SELECT 1 FROM blinded_cases WHERE case_code = ?1 UNION ALL "
                            "SELECT 1 FROM patients WHERE code = ?1 UNION ALL "
                            "SELECT 1 FROM observers WHERE code = ?1",
                            p, 1, &rows, err);
    if (!rc)
        *taken = json_array_size(rows) > 0;
    json_decref(rows);
    return rc;
}

static int new_case_code(fx_store *s, char code[CASE_CODE_LEN + 1], fx_error *err)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        uint32_t k;
        code[0] = 'K';
        for (int i = 1; i < CASE_CODE_LEN; i++) {
            int rc = random_below(sizeof(code_alphabet) - 1, &k, err);
            if (rc)
                return rc;
            code[i] = code_alphabet[k];
        }
        code[CASE_CODE_LEN] = '\0';
        bool taken = true;
        int rc = code_taken(s, code, &taken, err);
        if (rc || !taken)
            return rc;
    }
    return fx_fail(err, FX_ECONFLICT, "cannot find a free case code after 100 attempts");
}

/* Fisher-Yates on the rows of `todo`. */
static int shuffle(json_t *todo, fx_error *err)
{
    for (size_t i = json_array_size(todo); i > 1; i--) {
        uint32_t j;
        int rc = random_below((uint32_t)i, &j, err);
        if (rc)
            return rc;
        json_t *a = json_incref(json_array_get(todo, i - 1));
        json_array_set(todo, i - 1, json_array_get(todo, j));
        json_array_set_new(todo, j, a);
    }
    return FX_OK;
}

/* The (patient, time point) pairs the observer has no case for yet. */
static int missing_cases(fx_store *s, const char *observer, json_t **todo, int *next_order,
                         fx_error *err)
{
    json_t *rows = NULL;
    fx_store_field p[] = {fx_sf_text("observer", observer)};
    int rc = fx_store_query(s,
                            "SELECT p.code AS patient, t.tp AS timepoint FROM patients p "
                            "CROSS JOIN (SELECT 'preop' AS tp UNION ALL SELECT 'postop') t "
                            "WHERE NOT EXISTS (SELECT 1 FROM blinded_cases c JOIN observers o "
                            "ON o.id = c.observer_id WHERE o.code = ?1 AND c.patient_id = p.id "
                            "AND c.timepoint = t.tp) ORDER BY p.code, t.tp DESC",
                            p, 1, todo, err);
    if (!rc)
        rc = fx_store_query(s,
                            "SELECT coalesce(max(c.order_index), 0) AS last FROM blinded_cases c "
                            "JOIN observers o ON o.id = c.observer_id WHERE o.code = ?1",
                            p, 1, &rows, err);
    if (!rc)
        *next_order = (int)json_integer_value(json_object_get(json_array_get(rows, 0), "last")) + 1;
    json_decref(rows);
    return rc;
}

static int assign_in_tx(fx_store *s, const char *observer, size_t *n_added, fx_error *err)
{
    json_t *todo = NULL;
    int next = 1;
    int64_t oid;
    int rc = fx_store_observer_id(s, observer, &oid, err);
    if (!rc)
        rc = missing_cases(s, observer, &todo, &next, err);
    if (!rc)
        rc = shuffle(todo, err);
    for (size_t i = 0; !rc && i < json_array_size(todo); i++) {
        json_t *row = json_array_get(todo, i);
        char code[CASE_CODE_LEN + 1];
        rc = new_case_code(s, code, err);
        if (!rc)
            rc = fx_store_case_add(
                s, observer, code, json_string_value(json_object_get(row, "patient")),
                json_string_value(json_object_get(row, "timepoint")), next + (int)i, NULL, err);
    }
    if (!rc && n_added)
        *n_added = json_array_size(todo);
    json_decref(todo);
    return rc;
}

int fx_observers_assign(fx_store *s, const char *observer, size_t *n_added, fx_error *err)
{
    int rc = fx_store_tx_begin(s, err);
    if (rc)
        return rc;
    rc = assign_in_tx(s, observer, n_added, err);
    if (!rc)
        return fx_store_tx_commit(s, err);
    fx_store_tx_rollback(s);
    return rc;
}

int fx_observers_add(fx_store *s, const char *code, const char *role, int experience_years,
                     size_t *n_cases, fx_error *err)
{
    int rc = fx_store_tx_begin(s, err);
    if (rc)
        return rc;
    rc = fx_store_observer_add(s, code, role, experience_years, NULL, err);
    if (!rc)
        rc = assign_in_tx(s, code, n_cases, err);
    if (!rc)
        return fx_store_tx_commit(s, err);
    fx_store_tx_rollback(s);
    return rc;
}

/* "axial,sagittal" -> ["axial", "sagittal"] in the fixed plane order. */
static json_t *plane_list(const char *csv)
{
    json_t *a = json_array();
    for (int i = 0; i < 3; i++)
        if (csv && strstr(csv, fx_observer_planes[i]))
            json_array_append_new(a, json_string(fx_observer_planes[i]));
    return a;
}

int fx_observers_worklist(fx_store *s, const char *observer, json_t **out, fx_error *err)
{
    json_t *rows = NULL;
    int64_t oid;
    fx_store_field p[] = {fx_sf_text("observer", observer)};
    *out = NULL;
    int rc = fx_store_observer_id(s, observer, &oid, err);
    if (!rc)
        rc = fx_store_query(s,
                            "SELECT c.order_index AS ord, c.case_code, c.timepoint, "
                            "(SELECT group_concat(DISTINCT m.plane) FROM measurements m "
                            " WHERE m.case_id = c.id AND m.repeat_no = 1) AS measured "
                            "FROM blinded_cases c JOIN observers o ON o.id = c.observer_id "
                            "WHERE o.code = ?1 AND c.timepoint IN ('preop', 'postop') "
                            "ORDER BY c.order_index",
                            p, 1, &rows, err);
    if (rc)
        return rc;
    json_t *list = json_array();
    size_t i;
    json_t *r;
    for (i = 0; i < json_array_size(rows); i++) {
        r = json_array_get(rows, i);
        json_t *done = plane_list(json_string_value(json_object_get(r, "measured")));
        json_array_append_new(
            list, json_pack("{s:O, s:O, s:O, s:[sss], s:o, s:b}", "order",
                            json_object_get(r, "ord"), "case", json_object_get(r, "case_code"),
                            "timepoint", json_object_get(r, "timepoint"), "planes",
                            fx_observer_planes[0], fx_observer_planes[1], fx_observer_planes[2],
                            "measured", done, "done", json_array_size(done) == 3));
    }
    json_decref(rows);
    *out = list;
    return FX_OK;
}
