/*
 * info.c - a summary of a study for `study info`: what it is, how big, and
 * the head of its audit log (worth writing down elsewhere: an unkeyed hash
 * chain can be rebuilt by a forger, a head hash kept outside cannot).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "store_int.h"

static int add_counts(fx_store *s, json_t *tables, fx_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = st_prepare(s,
                        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT "
                        "LIKE 'sqlite_%' ORDER BY name",
                        &st, err);

    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        char name[64], sql[128];
        int64_t n = 0;
        snprintf(name, sizeof(name), "%s", (const char *)sqlite3_column_text(st, 0));
        if (!st_ident_ok(name))
            continue;
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", name);
        rc = st_int(s, sql, &n, err);
        if (!rc)
            json_object_set_new(tables, name, json_integer(n));
    }
    sqlite3_finalize(st);
    return rc;
}

int fx_store_info(fx_store *s, json_t **out, fx_error *err)
{
    json_t *o = json_object(), *tables = json_object(), *rows = NULL, *head = NULL;
    int rc = o && tables ? FX_OK : fx_fail(err, FX_ENOMEM, "out of memory");

    *out = NULL;
    if (!rc)
        rc = fx_store_query(s, "SELECT title, created_utc, created_by_version FROM study", NULL, 0,
                            &rows, err);
    if (!rc)
        rc = fx_store_query(s,
                            "SELECT seq, hash, at_utc FROM audit_log ORDER BY seq DESC "
                            "LIMIT 1",
                            NULL, 0, &head, err);
    if (!rc)
        rc = add_counts(s, tables, err);
    if (rc) {
        json_decref(o);
        json_decref(tables);
        json_decref(rows);
        json_decref(head);
        return rc;
    }
    json_t *st = json_array_get(rows, 0), *h = json_array_get(head, 0);
    json_object_set_new(o, "study", json_string(s->dir));
    json_object_set_new(o, "database", json_string(s->dbpath));
    json_object_set(o, "title", st ? json_object_get(st, "title") : json_null());
    json_object_set(o, "created_utc", st ? json_object_get(st, "created_utc") : json_null());
    json_object_set(o, "created_by_version",
                    st ? json_object_get(st, "created_by_version") : json_null());
    json_object_set_new(o, "schema_version", json_integer(s->version));
    json_object_set_new(o, "tables", tables);
    json_object_set_new(o, "log_rows",
                        json_integer(h ? json_integer_value(json_object_get(h, "seq")) : 0));
    json_object_set(o, "log_head_hash", h ? json_object_get(h, "hash") : json_null());
    json_object_set(o, "last_write_utc", h ? json_object_get(h, "at_utc") : json_null());
    json_decref(rows);
    json_decref(head);
    *out = o;
    return FX_OK;
}
