/*
 * store_int.h - what the files of src/store share and nobody else sees: the
 * store handle, the SQLite error mapping, and the audit-log and row-hash
 * primitives. This is the only header that includes sqlite3.h.
 */
#ifndef FXAUDIT_STORE_INT_H
#define FXAUDIT_STORE_INT_H

#include <limits.h>
#include <sqlite3.h>

#include "fxaudit/hash.h"
#include "fxaudit/store.h"

/* 'FXAU' in PRAGMA application_id marks a database as an fxaudit study. */
#define FX_STORE_APP_ID 0x46584155

struct fx_store {
    sqlite3 *db;
    char dir[PATH_MAX];
    char dbpath[PATH_MAX + 16];
    int depth;    /* open transaction levels (0: none) */
    int version;  /* PRAGMA user_version */
    char who[64]; /* the OS user recorded in the log */
};

/* Fill `err` from the connection's last error, naming the database file;
 * constraint failures become FX_EINVAL (CHECK, NOT NULL, foreign key) or
 * FX_ECONFLICT (UNIQUE). `doing` says what failed ("adding patient 'P01'"). */
int st_fail(fx_store *s, fx_error *err, const char *doing);
/* Run SQL without results. */
int st_exec(fx_store *s, const char *sql, fx_error *err);
/* Prepare one statement. */
int st_prepare(fx_store *s, const char *sql, sqlite3_stmt **st, fx_error *err);
/* Bind fields 1..n to a statement starting at parameter `first`. */
int st_bind(sqlite3_stmt *st, int first, const fx_store_field *f, size_t n);
/* A single integer from a query ("PRAGMA user_version"). */
int st_int(fx_store *s, const char *sql, int64_t *out, fx_error *err);
/* The current UTC time as 2026-11-24T09:58:09.123Z. */
void st_utc_now(char out[32]);
/* Whether `name` is a plain SQL identifier we may splice into SQL. */
int st_ident_ok(const char *name);

/* The SHA-256 of a row's canonical form (docs/study-store.md): its table name,
 * then each non-NULL column as name, type and value. FX_ENOTFOUND if absent. */
int st_row_hash(fx_store *s, const char *table, int64_t id, char hex[FX_SHA256_HEX], fx_error *err);
/* Append a log entry; `table`/`id` name the row (NULL/0 for an event) whose
 * current content is hashed ("delete": the hash of `what`). Must be called
 * inside a transaction. */
int st_log(fx_store *s, const char *action, const char *table, int64_t id, const char *what,
           fx_error *err);
/* The chain hash of one log entry from its fields. */
void st_log_hash(int64_t seq, const char *at, const char *who, const char *action, const char *tbl,
                 int64_t row_id, const char *what, const char *content_hash, const char *prev_hash,
                 char hex[FX_SHA256_HEX]);

/* Bring the schema from s->version to FX_STORE_SCHEMA_VERSION. */
int st_migrate(fx_store *s, fx_error *err);
/* The same up to `target` (tests exercise steps beyond what this build knows). */
int st_migrate_to(fx_store *s, int target, fx_error *err);

/* Test hook (docs/study-store.md): FXAUDIT_TEST_SLOW_WRITE=SECONDS holds every
 * outermost write transaction open that long before it commits. */
void st_test_slow_write(void);

#endif
