/*
 * auditlog.c - the append-only, hash-chained audit log and the canonical row
 * hash it records.
 *
 * Both hashes are SHA-256 over fields written as <length>:<bytes>, so no
 * choice of text (newlines, separators) can make two different inputs look
 * alike. A row's canonical form is its table name followed by each non-NULL
 * column (declaration order) as name, a type letter (i, r, t, b) and value;
 * leaving NULLs out keeps old rows' hashes unchanged when a later migration
 * adds a column. Reals are written with 17 significant digits, which is exact
 * for a double.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

typedef struct buf {
    char *p;
    size_t n, cap;
    int oom;
} buf;

static void put(buf *b, const void *data, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 256) + n;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p, b->cap = cap;
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
}

/* One field as <length>:<bytes>. */
static void put_field(buf *b, const void *data, size_t n)
{
    char len[24];
    int k = snprintf(len, sizeof(len), "%zu:", n);
    put(b, len, (size_t)k);
    put(b, data, n);
}

static void put_str(buf *b, const char *s)
{
    put_field(b, s ? s : "", s ? strlen(s) : 0);
}

static void put_i64(buf *b, int64_t v)
{
    char t[24];
    int k = snprintf(t, sizeof(t), "%lld", (long long)v);
    put_field(b, t, (size_t)k);
}

static void put_column(buf *b, sqlite3_stmt *st, int c)
{
    char t[40];
    int k;

    put_str(b, sqlite3_column_name(st, c));
    switch (sqlite3_column_type(st, c)) {
    case SQLITE_INTEGER:
        put(b, "i", 1);
        put_i64(b, sqlite3_column_int64(st, c));
        break;
    case SQLITE_FLOAT:
        put(b, "r", 1);
        k = snprintf(t, sizeof(t), "%.17g", sqlite3_column_double(st, c));
        put_field(b, t, (size_t)k);
        break;
    case SQLITE_BLOB:
        put(b, "b", 1);
        put_field(b, sqlite3_column_blob(st, c), (size_t)sqlite3_column_bytes(st, c));
        break;
    default:
        put(b, "t", 1);
        put_field(b, sqlite3_column_text(st, c), (size_t)sqlite3_column_bytes(st, c));
    }
}

int st_row_hash(fx_store *s, const char *table, int64_t id, char hex[FX_SHA256_HEX], fx_error *err)
{
    char sql[128];
    sqlite3_stmt *st = NULL;
    buf b = {0};
    int rc;

    if (!st_ident_ok(table))
        return fx_fail(err, FX_EINVAL, "'%s' is not a table name", table);
    snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" WHERE rowid = ?1", table);
    rc = st_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        put_str(&b, table);
        for (int c = 0; c < sqlite3_column_count(st); c++)
            if (sqlite3_column_type(st, c) != SQLITE_NULL)
                put_column(&b, st, c);
        if (b.oom)
            rc = fx_fail(err, FX_ENOMEM, "cannot hash row %lld of %s", (long long)id, table);
        else
            fx_sha256_buf(b.p, b.n, hex);
    } else if (step == SQLITE_DONE) {
        rc = fx_fail(err, FX_ENOTFOUND, "%s has no row %lld", table, (long long)id);
    } else {
        rc = st_fail(s, err, "cannot read a row");
    }
    sqlite3_finalize(st);
    free(b.p);
    return rc;
}

void st_log_hash(int64_t seq, const char *at, const char *who, const char *action, const char *tbl,
                 int64_t row_id, const char *what, const char *content_hash, const char *prev_hash,
                 char hex[FX_SHA256_HEX])
{
    buf b = {0};

    put_str(&b, "fxaudit-log-1");
    put_i64(&b, seq);
    put_str(&b, at);
    put_str(&b, who);
    put_str(&b, action);
    put_str(&b, tbl);
    put_i64(&b, row_id);
    put_str(&b, what);
    put_str(&b, content_hash);
    put_str(&b, prev_hash);
    if (b.oom) /* cannot match any stored hash, so verify reports the row */
        memset(hex, 'x', FX_SHA256_HEX - 1), hex[FX_SHA256_HEX - 1] = '\0';
    else
        fx_sha256_buf(b.p, b.n, hex);
    free(b.p);
}

/* The last entry's seq and hash (0 and the genesis hash for an empty log). */
static int log_head(fx_store *s, int64_t *seq, char prev[FX_SHA256_HEX], fx_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = st_prepare(s, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", &st, err);

    if (rc)
        return rc;
    *seq = 0;
    snprintf(prev, FX_SHA256_HEX, "%s", GENESIS);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
        snprintf(prev, FX_SHA256_HEX, "%s", (const char *)sqlite3_column_text(st, 1));
    } else if (step != SQLITE_DONE) {
        rc = st_fail(s, err, "cannot read the audit log");
    }
    sqlite3_finalize(st);
    return rc;
}

int st_log(fx_store *s, const char *action, const char *table, int64_t id, const char *what,
           fx_error *err)
{
    char prev[FX_SHA256_HEX], content[FX_SHA256_HEX], hash[FX_SHA256_HEX], at[32];
    sqlite3_stmt *st = NULL;
    int64_t seq;
    int rc;

    if (s->depth <= 0)
        return fx_fail(err, FX_EINVAL, "audit log written outside a transaction");
    rc = log_head(s, &seq, prev, err);
    if (rc)
        return rc;
    seq++;
    if (table && strcmp(action, "delete"))
        rc = st_row_hash(s, table, id, content, err);
    else
        fx_sha256_buf(what, strlen(what), content);
    if (rc)
        return rc;
    st_utc_now(at);
    st_log_hash(seq, at, s->who, action, table, table ? id : 0, what, content, prev, hash);
    rc = st_prepare(s,
                    "INSERT INTO audit_log (seq, at_utc, who, action, tbl, row_id, what, "
                    "content_hash, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
                    "?9, ?10)",
                    &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, s->who, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
    if (table) {
        sqlite3_bind_text(st, 5, table, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 6, id);
    }
    sqlite3_bind_text(st, 7, what, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, content, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, prev, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, hash, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = st_fail(s, err, "cannot append to the audit log");
    sqlite3_finalize(st);
    return rc;
}

int fx_store_log_event(fx_store *s, const char *what, fx_error *err)
{
    int rc = fx_store_tx_begin(s, err);

    if (rc)
        return rc;
    rc = st_log(s, "event", NULL, 0, what, err);
    if (rc) {
        fx_store_tx_rollback(s);
        return rc;
    }
    return fx_store_tx_commit(s, err);
}
