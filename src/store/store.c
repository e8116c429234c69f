/*
 * store.c - opening and creating study databases, transactions, and the small
 * SQLite helpers the rest of src/store shares.
 *
 * A connection always runs with foreign keys on, WAL journaling (so readers
 * never block the one writer), synchronous=FULL (a committed write survives a
 * power cut) and a busy timeout (a second fxaudit waits for the first instead
 * of failing at once).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store_int.h"

#define BUSY_TIMEOUT_MS 5000

static const char *const study_subdirs[] = {"volumes", "meshes", "plans", "reports"};

int st_fail(fx_store *s, fx_error *err, const char *doing)
{
    int ext = sqlite3_extended_errcode(s->db), code = FX_EIO;

    switch (ext) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        code = FX_ECONFLICT;
        break;
    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_CONSTRAINT_NOTNULL:
    case SQLITE_CONSTRAINT_FOREIGNKEY:
    case SQLITE_CONSTRAINT_TRIGGER:
        code = FX_EINVAL;
        break;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        code = FX_EFORMAT;
        break;
    default:
        break;
    }
    return fx_fail(err, code, "%s in '%s': %s", doing, s->dbpath, sqlite3_errmsg(s->db));
}

int st_exec(fx_store *s, const char *sql, fx_error *err)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return st_fail(s, err, "cannot run SQL");
    return FX_OK;
}

int st_prepare(fx_store *s, const char *sql, sqlite3_stmt **st, fx_error *err)
{
    if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
        return st_fail(s, err, "cannot prepare a query");
    return FX_OK;
}

int st_bind(sqlite3_stmt *st, int first, const fx_store_field *f, size_t n)
{
    int rc = SQLITE_OK;

    for (size_t k = 0; k < n && rc == SQLITE_OK; k++) {
        int at = first + (int)k;
        switch (f[k].type) {
        case FX_SV_INT:
            rc = sqlite3_bind_int64(st, at, f[k].i);
            break;
        case FX_SV_REAL:
            rc = isnan(f[k].d) ? sqlite3_bind_null(st, at) : sqlite3_bind_double(st, at, f[k].d);
            break;
        case FX_SV_TEXT:
            rc = f[k].s && *f[k].s ? sqlite3_bind_text(st, at, f[k].s, -1, SQLITE_TRANSIENT)
                                   : sqlite3_bind_null(st, at);
            break;
        default:
            rc = sqlite3_bind_null(st, at);
        }
    }
    return rc;
}

int st_int(fx_store *s, const char *sql, int64_t *out, fx_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = st_prepare(s, sql, &st, err);

    if (rc)
        return rc;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else if (step == SQLITE_DONE)
        *out = 0;
    else
        rc = st_fail(s, err, "cannot read");
    sqlite3_finalize(st);
    return rc;
}

void st_utc_now(char out[32])
{
    struct timespec ts;
    struct tm tm;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
}

int st_ident_ok(const char *name)
{
    if (!name || !*name || strlen(name) > 63)
        return 0;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
            return 0;
    return 1;
}

void st_test_slow_write(void)
{
    const char *v = getenv("FXAUDIT_TEST_SLOW_WRITE");
    const char *mark = getenv("FXAUDIT_TEST_SLOW_WRITE_MARK");
    char *end;
    long sec;

    if (!v || !*v)
        return;
    sec = strtol(v, &end, 10);
    if (*end || sec <= 0 || sec > 3600)
        return;
    if (mark && *mark) {
        FILE *f = fopen(mark, "w");
        if (f)
            fclose(f);
    }
    sleep((unsigned)sec);
}

/* The OS user name for the log; the numeric uid when there is no passwd entry. */
static void find_user(char *out, size_t n)
{
    struct passwd pw, *res = NULL;
    char buf[4096];

    if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &res) == 0 && res && res->pw_name)
        snprintf(out, n, "%s", res->pw_name);
    else
        snprintf(out, n, "uid %ld", (long)geteuid());
}

static int set_paths(fx_store *s, const char *dir, fx_error *err)
{
    struct stat sb;
    size_t len;

    if (stat(dir, &sb) == 0 && S_ISREG(sb.st_mode)) {
        /* The path of a study.db: its folder is the study. */
        const char *slash = strrchr(dir, '/');
        len = slash ? (size_t)(slash - dir) : 1;
        if (len >= sizeof(s->dir))
            return fx_fail(err, FX_EINVAL, "study path '%s' is too long", dir);
        memcpy(s->dir, slash ? dir : ".", len);
        s->dir[len] = '\0';
        if (len == 0)
            snprintf(s->dir, sizeof(s->dir), "/");
        snprintf(s->dbpath, sizeof(s->dbpath), "%s", dir);
        return FX_OK;
    }
    len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    if (len + sizeof(FX_STORE_DB_NAME) + 1 >= sizeof(s->dir))
        return fx_fail(err, FX_EINVAL, "study path '%s' is too long", dir);
    memcpy(s->dir, dir, len);
    s->dir[len] = '\0';
    snprintf(s->dbpath, sizeof(s->dbpath), "%s/%s", s->dir, FX_STORE_DB_NAME);
    return FX_OK;
}

/* Settings of every connection; the first statement that reads the file
 * comes after check_identity, so that a foreign file is named as such. */
static int configure(fx_store *s, fx_error *err)
{
    return st_exec(s, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;", err);
}

/* Is this file an fxaudit study, and one this build can read? */
static int check_identity(fx_store *s, fx_error *err)
{
    int64_t app = 0, ver = 0;

    if (st_int(s, "PRAGMA application_id", &app, NULL))
        return fx_fail(err, FX_EFORMAT, "'%s' is not an fxaudit study database: %s", s->dbpath,
                       sqlite3_errmsg(s->db));
    if (app != FX_STORE_APP_ID)
        return fx_fail(err, FX_EFORMAT,
                       "'%s' is not an fxaudit study database (SQLite application id %#llx, "
                       "expected %#x)",
                       s->dbpath, (unsigned long long)app, FX_STORE_APP_ID);
    int rc = st_int(s, "PRAGMA user_version", &ver, err);
    if (rc)
        return rc;
    s->version = (int)ver;
    if (ver > FX_STORE_SCHEMA_VERSION)
        return fx_fail(err, FX_EVERSION,
                       "'%s' has schema version %lld, written by a newer fxaudit; this fxaudit "
                       "(%s) knows schema versions up to %d and will not open it (install a "
                       "newer fxaudit)",
                       s->dbpath, (long long)ver, PACKAGE_VERSION, FX_STORE_SCHEMA_VERSION);
    if (ver < 1)
        return fx_fail(err, FX_EFORMAT, "'%s' has no fxaudit schema (version %lld)", s->dbpath,
                       (long long)ver);
    return FX_OK;
}

static fx_store *store_new(void)
{
    fx_store *s = calloc(1, sizeof(*s));
    if (s)
        find_user(s->who, sizeof(s->who));
    return s;
}

int fx_store_open(const char *dir, fx_store **out, fx_error *err)
{
    fx_store *s = store_new();
    struct stat sb;
    int rc;

    *out = NULL;
    if (!s)
        return fx_fail(err, FX_ENOMEM, "cannot allocate a store");
    rc = set_paths(s, dir, err);
    if (rc)
        goto fail;
    if (stat(s->dbpath, &sb) != 0) {
        rc = fx_fail(err, FX_ENOTFOUND,
                     "'%s' is not a study: no %s (create one with "
                     "'fxaudit study init')",
                     s->dir, FX_STORE_DB_NAME);
        goto fail;
    }
    if (sqlite3_open_v2(s->dbpath, &s->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        rc = st_fail(s, err, "cannot open the study database");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(s->db, 1);
    rc = check_identity(s, err);
    if (!rc)
        rc = configure(s, err);
    if (!rc)
        rc = st_migrate(s, err);
    if (rc)
        goto fail;
    *out = s;
    return FX_OK;
fail:
    fx_store_close(s);
    return rc;
}

void fx_store_close(fx_store *s)
{
    if (!s)
        return;
    if (s->db) {
        if (s->depth > 0)
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close(s->db);
    }
    free(s);
}

const char *fx_store_dir(const fx_store *s)
{
    return s->dir;
}
const char *fx_store_dbpath(const fx_store *s)
{
    return s->dbpath;
}
int fx_store_schema_version(const fx_store *s)
{
    return s->version;
}

int fx_store_tx_begin(fx_store *s, fx_error *err)
{
    char sql[48];

    if (s->depth == 0)
        snprintf(sql, sizeof(sql), "BEGIN IMMEDIATE");
    else
        snprintf(sql, sizeof(sql), "SAVEPOINT fx%d", s->depth);
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return st_fail(s, err, "cannot start a write transaction");
    s->depth++;
    return FX_OK;
}

int fx_store_tx_commit(fx_store *s, fx_error *err)
{
    char sql[48];

    if (s->depth <= 0)
        return fx_fail(err, FX_EINVAL, "commit without a transaction on '%s'", s->dbpath);
    if (s->depth == 1) {
        st_test_slow_write();
        snprintf(sql, sizeof(sql), "COMMIT");
    } else {
        snprintf(sql, sizeof(sql), "RELEASE fx%d", s->depth - 1);
    }
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        int rc = st_fail(s, err, "cannot commit");
        fx_store_tx_rollback(s);
        return rc;
    }
    s->depth--;
    return FX_OK;
}

void fx_store_tx_rollback(fx_store *s)
{
    char sql[64];

    if (s->depth <= 0)
        return;
    if (s->depth == 1)
        snprintf(sql, sizeof(sql), "ROLLBACK");
    else
        snprintf(sql, sizeof(sql), "ROLLBACK TO fx%d; RELEASE fx%d", s->depth - 1, s->depth - 1);
    sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    s->depth--;
}

/* ---- study init ---------------------------------------------------------- */

/* `dir` must be absent or an empty folder; it is created when absent. */
static int claim_dir(const char *dir, bool *made, fx_error *err)
{
    DIR *d;
    struct dirent *e;
    char db[PATH_MAX + 16];

    *made = false;
    if (mkdir(dir, 0777) == 0) {
        *made = true;
        return FX_OK;
    }
    if (errno != EEXIST)
        return fx_fail(err, FX_EIO, "cannot create study folder '%s': %s", dir, strerror(errno));
    snprintf(db, sizeof(db), "%s/%s", dir, FX_STORE_DB_NAME);
    if (access(db, F_OK) == 0)
        return fx_fail(err, FX_ECONFLICT, "'%s' is already a study: refusing to overwrite it", dir);
    d = opendir(dir);
    if (!d)
        return fx_fail(err, FX_ECONFLICT, "'%s' exists and is not a folder", dir);
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            closedir(d);
            return fx_fail(err, FX_ECONFLICT,
                           "'%s' exists and is not empty: refusing to create a study there", dir);
        }
    closedir(d);
    return FX_OK;
}

/* Remove what a failed init created (only our own names). */
static void undo_init(const char *dir, bool made)
{
    char p[PATH_MAX + 32];
    static const char *const files[] = {FX_STORE_DB_NAME ".new", FX_STORE_DB_NAME ".new-wal",
                                        FX_STORE_DB_NAME ".new-shm", FX_STORE_DB_NAME};

    for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
        unlink(p);
    }
    for (size_t i = 0; i < sizeof(study_subdirs) / sizeof(*study_subdirs); i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, study_subdirs[i]);
        rmdir(p);
    }
    if (made)
        rmdir(dir);
}

/* Write the new database under a temporary name; it is renamed when complete. */
static int create_db(fx_store *s, const char *tmp, const char *title, fx_error *err)
{
    char now[32];
    int rc;

    if (sqlite3_open_v2(tmp, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
        return st_fail(s, err, "cannot create the study database");
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(s->db, 1);
    rc = configure(s, err);
    if (!rc)
        rc = st_exec(s, "PRAGMA journal_mode = WAL", err);
    if (!rc)
        rc = st_migrate(s, err);
    if (rc)
        return rc;
    st_utc_now(now);
    /* An empty title is left to the column's default ('') rather than NULL. */
    fx_store_field f[] = {fx_sf_int("id", 1), fx_sf_text("created_utc", now),
                          fx_sf_text("created_by_version", PACKAGE_VERSION),
                          fx_sf_text("title", title)};
    size_t n = title && *title ? 4 : 3;
    return fx_store_insert(s, "study", f, n, "study init", NULL, err);
}

int fx_store_init(const char *dir, const char *title, fx_store **out, fx_error *err)
{
    fx_store *s = store_new();
    char tmp[PATH_MAX + 32], sub[PATH_MAX + 16];
    bool made = false;
    int rc;

    if (out)
        *out = NULL;
    if (!s)
        return fx_fail(err, FX_ENOMEM, "cannot allocate a store");
    rc = set_paths(s, dir, err);
    if (!rc)
        rc = claim_dir(s->dir, &made, err);
    if (rc) {
        fx_store_close(s);
        return rc;
    }
    for (size_t i = 0; !rc && i < sizeof(study_subdirs) / sizeof(*study_subdirs); i++) {
        snprintf(sub, sizeof(sub), "%s/%s", s->dir, study_subdirs[i]);
        if (mkdir(sub, 0777) != 0)
            rc = fx_fail(err, FX_EIO, "cannot create '%s': %s", sub, strerror(errno));
    }
    snprintf(tmp, sizeof(tmp), "%s.new", s->dbpath);
    if (!rc)
        rc = create_db(s, tmp, title, err);
    sqlite3_close(s->db); /* checkpoints and removes the -wal file */
    s->db = NULL;
    if (!rc && rename(tmp, s->dbpath) != 0)
        rc =
            fx_fail(err, FX_EIO, "cannot rename '%s' to '%s': %s", tmp, s->dbpath, strerror(errno));
    if (rc) {
        undo_init(s->dir, made);
        fx_store_close(s);
        return rc;
    }
    fx_store_close(s);
    return out ? fx_store_open(dir, out, err) : FX_OK;
}
