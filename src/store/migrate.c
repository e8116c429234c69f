/*
 * migrate.c - numbered schema migrations.
 *
 * data/schema/NNN_<what>.sql takes a database from version NNN - 1 to NNN.
 * Each step runs in its own transaction together with the new PRAGMA
 * user_version and an audit-log event naming the file and its SHA-256, so a
 * database is always at one whole version. The build knows versions up to
 * FX_STORE_SCHEMA_VERSION and insists that every step up to it is installed;
 * a file with a higher number is ignored (the C code would not know its
 * columns), and a database above that version is refused by store.c.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/datapath.h"
#include "store_int.h"

/* Path of the migration to version `v` (NNN_*.sql) in the schema folder. */
static int find_step(int v, char *out, size_t n, fx_error *err)
{
    char dir[PATH_MAX], prefix[16];
    DIR *d;
    struct dirent *e;
    int found = 0;

    int rc = fx_data_path("schema", dir, sizeof(dir), err);
    if (rc)
        return rc;
    d = opendir(dir);
    if (!d)
        return fx_fail(err, FX_EIO, "cannot read schema folder '%s': %s", dir, strerror(errno));
    snprintf(prefix, sizeof(prefix), "%03d_", v);
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, prefix, 4) || len < 9 || strcmp(e->d_name + len - 4, ".sql"))
            continue;
        if (found++) {
            closedir(d);
            return fx_fail(err, FX_ECONFLICT, "schema folder '%s' has two migrations numbered %s",
                           dir, prefix);
        }
        if (snprintf(out, n, "%s/%s", dir, e->d_name) >= (int)n) {
            closedir(d);
            return fx_fail(err, FX_EINVAL, "schema path in '%s' is too long", dir);
        }
    }
    closedir(d);
    if (!found)
        return fx_fail(err, FX_ENOTFOUND, "schema folder '%s' lacks migration %03d_*.sql", dir, v);
    return FX_OK;
}

static int read_text(const char *path, char **out, fx_error *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long len;

    if (!f)
        return fx_fail(err, FX_EIO, "cannot open '%s': %s", path, strerror(errno));
    if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
        fclose(f);
        return fx_fail(err, FX_EIO, "cannot read '%s'", path);
    }
    buf = malloc((size_t)len + 1);
    if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        fclose(f);
        return fx_fail(err, FX_EIO, "cannot read '%s'", path);
    }
    buf[len] = '\0';
    fclose(f);
    *out = buf;
    return FX_OK;
}

static int apply_step(fx_store *s, int v, const char *path, fx_error *err)
{
    char *sql = NULL, hex[FX_SHA256_HEX], pragma[96], what[PATH_MAX + 160];
    int rc = read_text(path, &sql, err);

    if (rc)
        return rc;
    fx_sha256_buf(sql, strlen(sql), hex);
    rc = fx_store_tx_begin(s, err);
    if (rc) {
        free(sql);
        return rc;
    }
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        char doing[PATH_MAX + 64];
        snprintf(doing, sizeof(doing), "migration '%s' failed", path);
        rc = st_fail(s, err, doing);
    }
    free(sql);
    snprintf(pragma, sizeof(pragma), "PRAGMA application_id = %d; PRAGMA user_version = %d",
             FX_STORE_APP_ID, v);
    if (!rc)
        rc = st_exec(s, pragma, err);
    const char *base = strrchr(path, '/');
    snprintf(what, sizeof(what), "schema migrated to version %d (%s, sha256 %s)", v,
             base ? base + 1 : path, hex);
    if (!rc)
        rc = st_log(s, "event", NULL, 0, what, err);
    if (!rc)
        rc = fx_store_tx_commit(s, err);
    else
        fx_store_tx_rollback(s);
    if (!rc)
        s->version = v;
    return rc;
}

int st_migrate(fx_store *s, fx_error *err)
{
    return st_migrate_to(s, FX_STORE_SCHEMA_VERSION, err);
}

int st_migrate_to(fx_store *s, int target, fx_error *err)
{
    char path[PATH_MAX];

    for (int v = s->version + 1; v <= target; v++) {
        int rc = find_step(v, path, sizeof(path), err);
        if (!rc)
            rc = apply_step(s, v, path, err);
        if (rc) {
            fx_error_prefix(err, "cannot bring '%s' to schema version %d", s->dbpath, v);
            return rc;
        }
    }
    return FX_OK;
}
