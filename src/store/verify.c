/*
 * verify.c - `study verify`: is the study what its audit log says it is?
 *
 * Six checks, each reporting the rows it blames: SQLite's integrity_check;
 * foreign_key_check; the two triggers that make the log append-only; the
 * hash chain (consecutive seq, each prev_hash equal to the previous entry's
 * hash, each hash recomputed from its fields); every data row against the
 * content hash of its last log entry (so a row edited, inserted or deleted
 * outside fxaudit is found); and every recorded file against its SHA-256.
 */
#include "config.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

typedef struct list {
    fx_store_problem **v;
    size_t *n;
    size_t cap;
    int oom;    /* a problem could not be recorded: verify must not say "ok" */
    char **rec; /* recorded file paths, relative to the study (problems list only) */
    size_t nrec, caprec;
} list;

static void remember(list *l, const char *rel)
{
    if (l->nrec == l->caprec) {
        size_t cap = l->caprec ? 2 * l->caprec : 64;
        char **w = realloc(l->rec, cap * sizeof(*w));
        if (!w) {
            l->oom = 1;
            return;
        }
        l->rec = w, l->caprec = cap;
    }
    if (!(l->rec[l->nrec] = strdup(rel)))
        l->oom = 1;
    else
        l->nrec++;
}

/* A recorded file, or a folder (a plan's) holding recorded files. */
static int is_recorded(const list *l, const char *rel)
{
    size_t n = strlen(rel);
    for (size_t i = 0; i < l->nrec; i++)
        if (!strcmp(l->rec[i], rel) || (!strncmp(l->rec[i], rel, n) && l->rec[i][n] == '/'))
            return 1;
    return 0;
}

__attribute__((format(printf, 5, 6))) static void add(list *l, const char *check, const char *table,
                                                      int64_t row, const char *fmt, ...)
{
    va_list ap;

    if (*l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        fx_store_problem *w = realloc(*l->v, cap * sizeof(**l->v));
        if (!w) {
            l->oom = 1;
            return;
        }
        *l->v = w, l->cap = cap;
    }
    fx_store_problem *p = &(*l->v)[(*l->n)++];
    snprintf(p->check, sizeof(p->check), "%s", check);
    snprintf(p->table, sizeof(p->table), "%s", table ? table : "");
    p->row = row;
    va_start(ap, fmt);
    vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
    va_end(ap);
}

static const char *text(sqlite3_stmt *st, int c)
{
    const unsigned char *t = sqlite3_column_text(st, c);
    return t ? (const char *)t : "";
}

static int check_integrity(fx_store *s, list *pl, fx_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = st_prepare(s, "PRAGMA integrity_check", &st, err);

    while (!rc && sqlite3_step(st) == SQLITE_ROW)
        if (strcmp(text(st, 0), "ok"))
            add(pl, "integrity", NULL, 0, "integrity check: %s", text(st, 0));
    sqlite3_finalize(st);
    return rc;
}

static int check_foreign_keys(fx_store *s, list *pl, fx_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = st_prepare(s, "PRAGMA foreign_key_check", &st, err);

    while (!rc && sqlite3_step(st) == SQLITE_ROW)
        add(pl, "foreign_keys", text(st, 0), sqlite3_column_int64(st, 1),
            "%s row %lld refers to a missing row of %s", text(st, 0),
            (long long)sqlite3_column_int64(st, 1), text(st, 2));
    sqlite3_finalize(st);
    return rc;
}

static int check_triggers(fx_store *s, list *pl, fx_error *err)
{
    static const char *const names[] = {"audit_log_no_update", "audit_log_no_delete"};

    for (int i = 0; i < 2; i++) {
        char sql[160];
        int64_t n = 0;
        snprintf(sql, sizeof(sql),
                 "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name = '%s' "
                 "AND tbl_name = 'audit_log'",
                 names[i]);
        int rc = st_int(s, sql, &n, err);
        if (rc)
            return rc;
        if (n != 1)
            add(pl, "triggers", "audit_log", 0,
                "the audit log's append-only trigger '%s' is missing (dropped?)", names[i]);
    }
    return FX_OK;
}

/* Walk the log in seq order; blame each entry that breaks the chain. */
static int check_chain(fx_store *s, fx_store_verify_result *r, list *pl, fx_error *err)
{
    sqlite3_stmt *st = NULL;
    char prev[FX_SHA256_HEX] = "", hex[FX_SHA256_HEX];
    int64_t expect = 1;
    int rc = st_prepare(s,
                        "SELECT seq, at_utc, who, action, tbl, row_id, what, content_hash, "
                        "prev_hash, hash FROM audit_log ORDER BY seq",
                        &st, err);

    memset(prev, '0', FX_SHA256_HEX - 1);
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(st, 0);
        r->log_rows++;
        if (seq > expect)
            add(pl, "chain", "audit_log", expect,
                seq == expect + 1 ? "audit log row %lld is missing (deleted?)"
                                  : "audit log rows %lld to %lld are missing (deleted?)",
                (long long)expect, (long long)(seq - 1));
        if (strcmp(text(st, 8), prev))
            add(pl, "chain", "audit_log", seq,
                "audit log row %lld does not follow the row before it: its prev_hash differs "
                "(a row was deleted, inserted or edited before it)",
                (long long)seq);
        st_log_hash(seq, text(st, 1), text(st, 2), text(st, 3),
                    sqlite3_column_type(st, 4) == SQLITE_NULL ? NULL : text(st, 4),
                    sqlite3_column_int64(st, 5), text(st, 6), text(st, 7), text(st, 8), hex);
        if (strcmp(hex, text(st, 9)))
            add(pl, "chain", "audit_log", seq,
                "audit log row %lld was altered or forged: its hash does not match its content",
                (long long)seq);
        snprintf(prev, sizeof(prev), "%s", text(st, 9));
        expect = seq + 1;
    }
    sqlite3_finalize(st);
    snprintf(r->head_hash, sizeof(r->head_hash), "%s", r->log_rows ? prev : "");
    return rc;
}

/* Rows of `table` that no log entry accounts for. */
static int check_unlogged(fx_store *s, const char *table, fx_store_verify_result *r, list *pl,
                          fx_error *err)
{
    char sql[256];
    sqlite3_stmt *st = NULL;
    int64_t n = 0;

    snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", table);
    int rc = st_int(s, sql, &n, err);
    if (rc)
        return rc;
    r->rows_checked += (size_t)n;
    snprintf(sql, sizeof(sql),
             "SELECT rowid FROM \"%s\" WHERE rowid NOT IN (SELECT row_id FROM audit_log WHERE "
             "tbl = '%s')",
             table, table);
    rc = st_prepare(s, sql, &st, err);
    while (!rc && sqlite3_step(st) == SQLITE_ROW)
        add(pl, "rows", table, sqlite3_column_int64(st, 0),
            "%s row %lld has no audit-log entry (inserted outside fxaudit?)", table,
            (long long)sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    return rc;
}

/* Each row's last log entry against the row as it is now. */
static int check_logged(fx_store *s, list *pl, fx_error *err)
{
    sqlite3_stmt *st = NULL;
    char hex[FX_SHA256_HEX];
    int rc = st_prepare(s,
                        "SELECT a.tbl, a.row_id, a.action, a.content_hash, a.seq FROM "
                        "audit_log a WHERE a.tbl IS NOT NULL AND a.seq = (SELECT max(b.seq) "
                        "FROM audit_log b WHERE b.tbl = a.tbl AND b.row_id = a.row_id) "
                        "ORDER BY a.seq",
                        &st, err);

    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        const char *tbl = text(st, 0), *action = text(st, 2);
        int64_t id = sqlite3_column_int64(st, 1), seq = sqlite3_column_int64(st, 4);
        fx_error e2;
        fx_error_clear(&e2);
        int got = st_ident_ok(tbl) ? st_row_hash(s, tbl, id, hex, &e2) : FX_EINVAL;
        bool deleted = !strcmp(action, "delete");
        if (got == FX_ENOTFOUND && !deleted)
            add(pl, "rows", tbl, id,
                "%s row %lld is missing; audit log row %lld recorded it (deleted outside "
                "fxaudit?)",
                tbl, (long long)id, (long long)seq);
        else if (got == FX_OK && deleted)
            add(pl, "rows", tbl, id, "%s row %lld exists but audit log row %lld deleted it", tbl,
                (long long)id, (long long)seq);
        else if (got == FX_OK && strcmp(hex, text(st, 3)))
            add(pl, "rows", tbl, id,
                "%s row %lld differs from what audit log row %lld recorded (edited outside "
                "fxaudit?)",
                tbl, (long long)id, (long long)seq);
        else if (got != FX_OK && got != FX_ENOTFOUND)
            add(pl, "rows", tbl, id,
                "audit log row %lld names %s row %lld, which cannot be "
                "read: %s",
                (long long)seq, tbl, (long long)id, got == FX_EINVAL ? "bad table" : e2.msg);
    }
    sqlite3_finalize(st);
    return rc;
}

/* The schema's data tables: everything but the log and SQLite's own. */
static int each_table(fx_store *s,
                      int (*fn)(fx_store *, const char *, fx_store_verify_result *, list *,
                                fx_error *),
                      fx_store_verify_result *r, list *pl, fx_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = st_prepare(s,
                        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT "
                        "LIKE 'sqlite_%' AND name <> 'audit_log' ORDER BY name",
                        &st, err);

    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        char name[64];
        snprintf(name, sizeof(name), "%s", text(st, 0));
        rc = st_ident_ok(name) ? fn(s, name, r, pl, err) : FX_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

/* Files named by a column `<x>path` with a sibling `<x>sha256`. */
static int check_files_of(fx_store *s, const char *table, fx_store_verify_result *r, list *pl,
                          fx_error *err)
{
    char sql[256], cols[8][64], sha[64];
    sqlite3_stmt *st = NULL;
    int nc = 0, rc;

    snprintf(sql, sizeof(sql), "SELECT name FROM pragma_table_info('%s')", table);
    rc = st_prepare(s, sql, &st, err);
    while (!rc && nc < 8 && sqlite3_step(st) == SQLITE_ROW) {
        const char *c = text(st, 0);
        size_t len = strlen(c);
        if (len >= 4 && len < 60 && !strcmp(c + len - 4, "path"))
            snprintf(cols[nc++], sizeof(cols[0]), "%s", c);
    }
    sqlite3_finalize(st);
    for (int k = 0; !rc && k < nc; k++) {
        snprintf(sha, sizeof(sha), "%.*ssha256", (int)strlen(cols[k]) - 4, cols[k]);
        snprintf(sql, sizeof(sql),
                 "SELECT rowid, \"%s\", \"%s\" FROM \"%s\" WHERE \"%s\" IS "
                 "NOT NULL",
                 cols[k], sha, table, cols[k]);
        if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
            continue; /* no sibling hash column: not a recorded file */
        while (sqlite3_step(st) == SQLITE_ROW) {
            char path[PATH_MAX + 300], hex[FX_SHA256_HEX];
            int64_t id = sqlite3_column_int64(st, 0);
            snprintf(path, sizeof(path), "%s/%s", s->dir, text(st, 1));
            r->files_checked++;
            remember(pl, text(st, 1));
            if (fx_sha256_file(path, hex, NULL))
                add(pl, "files", table, id, "%s row %lld: file '%s' is missing or unreadable",
                    table, (long long)id, text(st, 1));
            else if (strcmp(hex, text(st, 2)))
                add(pl, "files", table, id,
                    "%s row %lld: file '%s' has changed (SHA-256 %.12s..., "
                    "recorded %.12s...)",
                    table, (long long)id, text(st, 1), hex, text(st, 2));
        }
        sqlite3_finalize(st);
    }
    return rc;
}

/* Files in the recorded folders that no row names: leftovers of an
 * interrupted write, or copied in by hand. reports/ holds regenerated output. */
static void find_stray(fx_store *s, const list *pl, list *wl)
{
    static const char *const subs[] = {"volumes", "meshes", "plans"};

    for (int i = 0; i < 3; i++) {
        char dir[PATH_MAX + 16], rel[600];
        snprintf(dir, sizeof(dir), "%s/%s", s->dir, subs[i]);
        DIR *d = opendir(dir);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            snprintf(rel, sizeof(rel), "%s/%s", subs[i], e->d_name);
            if (!strncmp(e->d_name, ".stage-", 7))
                add(wl, "files", NULL, 0,
                    "'%s' is a leftover of an interrupted write (not "
                    "recorded; safe to delete)",
                    rel);
            else if (!is_recorded(pl, rel))
                add(wl, "files", NULL, 0,
                    "'%s' is not recorded in the study (left by an "
                    "interrupted write, or copied in by hand)",
                    rel);
        }
        if (d)
            closedir(d);
    }
}

int fx_store_verify(fx_store *s, fx_store_verify_result *r, fx_error *err)
{
    list pl = {0}, wl = {0};
    int rc;

    memset(r, 0, sizeof(*r));
    pl.v = &r->problems, pl.n = &r->n_problems;
    wl.v = &r->warnings, wl.n = &r->n_warnings;
    /* One read transaction: every check sees the same snapshot. */
    rc = st_exec(s, "BEGIN", err);
    if (rc)
        return rc;
    rc = check_integrity(s, &pl, err);
    if (!rc)
        rc = check_foreign_keys(s, &pl, err);
    if (!rc)
        rc = check_triggers(s, &pl, err);
    if (!rc)
        rc = check_chain(s, r, &pl, err);
    if (!rc)
        rc = each_table(s, check_unlogged, r, &pl, err);
    if (!rc)
        rc = check_logged(s, &pl, err);
    if (!rc)
        rc = each_table(s, check_files_of, r, &pl, err);
    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    if (!rc)
        find_stray(s, &pl, &wl);
    for (size_t i = 0; i < pl.nrec; i++)
        free(pl.rec[i]);
    free(pl.rec);
    if (!rc && (pl.oom || wl.oom))
        rc = fx_fail(err, FX_ENOMEM, "out of memory listing the problems of '%s'", s->dbpath);
    if (rc)
        fx_store_verify_release(r);
    return rc;
}

void fx_store_verify_release(fx_store_verify_result *r)
{
    free(r->problems);
    free(r->warnings);
    r->problems = r->warnings = NULL;
    r->n_problems = r->n_warnings = 0;
}

int fx_store_verify_anchor(fx_store *s, const char *hash, int64_t *seq, fx_error *err)
{
    json_t *rows = NULL;
    fx_store_field h = fx_sf_text("hash", hash);
    int rc = fx_store_query(s, "SELECT seq FROM audit_log WHERE hash = ?1", &h, 1, &rows, err);

    if (rc)
        return rc;
    json_t *row = json_array_get(rows, 0);
    if (row && seq)
        *seq = json_integer_value(json_object_get(row, "seq"));
    json_decref(rows);
    if (!row)
        return fx_fail(err, FX_ENOTFOUND,
                       "anchor %.16s... is not in the audit log of '%s': the log was rebuilt or "
                       "cut short since that hash was written down",
                       hash ? hash : "", s->dbpath);
    return FX_OK;
}
