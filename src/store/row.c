/*
 * row.c - generic logged writes and read-only queries, so that other modules
 * store their results without seeing SQLite.
 *
 * Table and column names are spliced into SQL, so they must be plain
 * lower-case identifiers; values are always bound. Each write and its audit
 * log entry form one transaction (a savepoint inside the caller's).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "store_int.h"

fx_store_field fx_sf_int(const char *col, int64_t v)
{
    return (fx_store_field){.col = col, .type = FX_SV_INT, .i = v};
}

fx_store_field fx_sf_real(const char *col, double v)
{
    return (fx_store_field){.col = col, .type = isnan(v) ? FX_SV_NULL : FX_SV_REAL, .d = v};
}

fx_store_field fx_sf_text(const char *col, const char *v)
{
    return (fx_store_field){.col = col, .type = v && *v ? FX_SV_TEXT : FX_SV_NULL, .s = v};
}

fx_store_field fx_sf_null(const char *col)
{
    return (fx_store_field){.col = col};
}

static int check_names(const char *table, const fx_store_field *f, size_t n, fx_error *err)
{
    if (!st_ident_ok(table) || !strcmp(table, "audit_log") || !strncmp(table, "sqlite_", 7))
        return fx_fail(err, FX_EINVAL, "'%s' is not a table the store writes", table);
    for (size_t k = 0; k < n; k++)
        if (!st_ident_ok(f[k].col))
            return fx_fail(err, FX_EINVAL, "'%s' is not a column name", f[k].col ? f[k].col : "");
    return FX_OK;
}

/* Append to `sql` (of size `cap`, holding `*len` bytes); FX_EINVAL when full. */
static int append(char *sql, size_t cap, size_t *len, const char *piece, fx_error *err)
{
    size_t n = strlen(piece);
    if (*len + n + 1 > cap)
        return fx_fail(err, FX_EINVAL, "statement too long");
    memcpy(sql + *len, piece, n + 1);
    *len += n;
    return FX_OK;
}

/* Run a prepared write with the fields bound, then log it, in one savepoint. */
static int write_logged(fx_store *s, const char *sql, const fx_store_field *f, size_t n,
                        const char *action, const char *table, int64_t id, const char *what,
                        int64_t *new_id, fx_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = fx_store_tx_begin(s, err);

    if (rc)
        return rc;
    rc = st_prepare(s, sql, &st, err);
    if (!rc && st_bind(st, 1, f, n) != SQLITE_OK)
        rc = st_fail(s, err, "cannot bind values");
    if (!rc && sqlite3_step(st) != SQLITE_DONE) {
        char doing[256];
        snprintf(doing, sizeof(doing), "%s refused", what);
        rc = st_fail(s, err, doing);
    }
    sqlite3_finalize(st);
    if (!rc && !id)
        id = sqlite3_last_insert_rowid(s->db);
    if (!rc && sqlite3_changes(s->db) == 0)
        rc = fx_fail(err, FX_ENOTFOUND, "%s: %s has no row %lld", what, table, (long long)id);
    if (!rc)
        rc = st_log(s, action, table, id, what, err);
    if (rc) {
        fx_store_tx_rollback(s);
        return rc;
    }
    rc = fx_store_tx_commit(s, err);
    if (!rc && new_id)
        *new_id = id;
    return rc;
}

int fx_store_insert(fx_store *s, const char *table, const fx_store_field *f, size_t n,
                    const char *what, int64_t *id, fx_error *err)
{
    char sql[4096], piece[96];
    size_t len = 0;
    int rc = check_names(table, f, n, err);

    if (!rc && n == 0)
        rc = fx_fail(err, FX_EINVAL, "%s: no values to insert into %s", what, table);
    snprintf(piece, sizeof(piece), "INSERT INTO \"%s\" (", table);
    if (!rc)
        rc = append(sql, sizeof(sql), &len, piece, err);
    for (size_t k = 0; !rc && k < n; k++) {
        snprintf(piece, sizeof(piece), "%s\"%s\"", k ? ", " : "", f[k].col);
        rc = append(sql, sizeof(sql), &len, piece, err);
    }
    if (!rc)
        rc = append(sql, sizeof(sql), &len, ") VALUES (", err);
    for (size_t k = 0; !rc && k < n; k++)
        rc = append(sql, sizeof(sql), &len, k ? ", ?" : "?", err);
    if (!rc)
        rc = append(sql, sizeof(sql), &len, ")", err);
    if (rc)
        return rc;
    return write_logged(s, sql, f, n, "insert", table, 0, what, id, err);
}

int fx_store_update(fx_store *s, const char *table, int64_t id, const fx_store_field *f, size_t n,
                    const char *what, fx_error *err)
{
    char sql[4096], piece[96];
    size_t len = 0;
    int rc = check_names(table, f, n, err);

    if (!rc && n == 0)
        rc = fx_fail(err, FX_EINVAL, "%s: no values to change in %s", what, table);
    snprintf(piece, sizeof(piece), "UPDATE \"%s\" SET ", table);
    if (!rc)
        rc = append(sql, sizeof(sql), &len, piece, err);
    for (size_t k = 0; !rc && k < n; k++) {
        snprintf(piece, sizeof(piece), "%s\"%s\" = ?", k ? ", " : "", f[k].col);
        rc = append(sql, sizeof(sql), &len, piece, err);
    }
    snprintf(piece, sizeof(piece), " WHERE rowid = %lld", (long long)id);
    if (!rc)
        rc = append(sql, sizeof(sql), &len, piece, err);
    if (rc)
        return rc;
    return write_logged(s, sql, f, n, "update", table, id, what, NULL, err);
}

int fx_store_delete(fx_store *s, const char *table, int64_t id, const char *what, fx_error *err)
{
    char sql[160];
    int rc = check_names(table, NULL, 0, err);

    if (rc)
        return rc;
    snprintf(sql, sizeof(sql), "DELETE FROM \"%s\" WHERE rowid = %lld", table, (long long)id);
    return write_logged(s, sql, NULL, 0, "delete", table, id, what, NULL, err);
}

static json_t *column_json(sqlite3_stmt *st, int c)
{
    switch (sqlite3_column_type(st, c)) {
    case SQLITE_INTEGER:
        return json_integer(sqlite3_column_int64(st, c));
    case SQLITE_FLOAT:
        return json_real(sqlite3_column_double(st, c));
    case SQLITE_NULL:
        return json_null();
    default:
        return json_stringn((const char *)sqlite3_column_text(st, c),
                            (size_t)sqlite3_column_bytes(st, c));
    }
}

int fx_store_query(fx_store *s, const char *sql, const fx_store_field *params, size_t n,
                   json_t **rows, fx_error *err)
{
    sqlite3_stmt *st = NULL;
    json_t *arr = json_array();
    int rc = arr ? st_prepare(s, sql, &st, err) : fx_fail(err, FX_ENOMEM, "out of memory");
    int step = SQLITE_DONE;

    *rows = NULL;
    if (!rc && !sqlite3_stmt_readonly(st))
        rc = fx_fail(err, FX_EINVAL, "fx_store_query runs only read-only statements");
    if (!rc && st_bind(st, 1, params, n) != SQLITE_OK)
        rc = st_fail(s, err, "cannot bind query parameters");
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *o = json_object();
        for (int c = 0; o && c < sqlite3_column_count(st); c++)
            json_object_set_new(o, sqlite3_column_name(st, c), column_json(st, c));
        if (!o || json_array_append_new(arr, o))
            rc = fx_fail(err, FX_ENOMEM, "out of memory reading '%s'", s->dbpath);
    }
    if (!rc && step != SQLITE_DONE)
        rc = st_fail(s, err, "query failed");
    sqlite3_finalize(st);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *rows = arr;
    return FX_OK;
}
