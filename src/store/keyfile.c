/*
 * keyfile.c - the link from study code to hospital patient ID, kept outside
 * the study.
 *
 * A key file is a CSV with the header "code,hospital_id", readable only by
 * its owner (mode 0600), and never inside a study folder: the study must be
 * shareable without it. Nothing else in fxaudit reads it. Lines are appended
 * and synced; a code or a hospital ID appears at most once.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fxaudit/store.h"

#define HEADER "code,hospital_id\n"

/* Refuse a key file in a study folder or any folder below one. */
static int check_place(const char *path, fx_error *err)
{
    char dir[PATH_MAX], *slash, probe[PATH_MAX + 16];
    char *real;

    snprintf(dir, sizeof(dir), "%s", path);
    slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof(dir), ".");
    real = realpath(slash && !*dir ? "/" : dir, NULL);
    if (!real)
        return fx_fail(err, FX_EIO, "cannot find the folder of key file '%s': %s", path,
                       strerror(errno));
    for (;;) {
        snprintf(probe, sizeof(probe), "%s/%s", real, FX_STORE_DB_NAME);
        if (access(probe, F_OK) == 0) {
            int rc = fx_fail(err, FX_EINVAL,
                             "key file '%s' is inside study '%s': keep the link "
                             "to hospital IDs apart from the study",
                             path, real);
            free(real);
            return rc;
        }
        char *up = strrchr(real, '/');
        if (!up || up == real)
            break;
        *up = '\0';
    }
    free(real);
    return FX_OK;
}

static int check_value(const char *what, const char *v, fx_error *err)
{
    size_t n = v ? strlen(v) : 0;
    if (n < 1 || n > 64)
        return fx_fail(err, FX_EINVAL, "%s must have 1 to 64 characters", what);
    /* IDs, not names: no spaces, so a full name cannot be filed as an ID. */
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == '/'))
            return fx_fail(err, FX_EINVAL, "%s may hold only letters, digits and - _ . /", what);
    }
    return FX_OK;
}

/* Open an existing key file for reading, refusing one others can read. */
static int open_existing(const char *path, FILE **out, fx_error *err)
{
    struct stat sb;
    char line[256];
    FILE *f = fopen(path, "r");

    *out = NULL;
    if (!f)
        return fx_fail(err, errno == ENOENT ? FX_ENOTFOUND : FX_EIO,
                       "cannot open key file "
                       "'%s': %s",
                       path, strerror(errno));
    if (fstat(fileno(f), &sb) == 0 && (sb.st_mode & 077)) {
        fclose(f);
        return fx_fail(err, FX_EINVAL,
                       "key file '%s' is readable by others (mode %03o): "
                       "chmod 600 it",
                       path, (unsigned)(sb.st_mode & 0777));
    }
    if (!fgets(line, sizeof(line), f) || strcmp(line, HEADER)) {
        fclose(f);
        return fx_fail(err, FX_EFORMAT, "'%s' is not an fxaudit key file (no header '%.*s')", path,
                       (int)strlen(HEADER) - 1, HEADER);
    }
    *out = f;
    return FX_OK;
}

/* Find the line whose field `col` (0 code, 1 hospital ID) equals `key`; copy
 * the other field to out. FX_ENOTFOUND when there is none. */
static int lookup(const char *path, int col, const char *key, char *out, size_t n, fx_error *err)
{
    FILE *f;
    char line[256];
    int rc = open_existing(path, &f, err), lineno = 1;

    if (rc)
        return rc;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        char *nl = strchr(line, '\n'), *comma = strchr(line, ',');
        if (nl)
            *nl = '\0';
        if (!comma) {
            fclose(f);
            return fx_fail(err, FX_EFORMAT, "key file '%s' line %d has no comma", path, lineno);
        }
        *comma = '\0';
        const char *fields[2] = {line, comma + 1};
        if (!strcmp(fields[col], key)) {
            if (out)
                snprintf(out, n, "%s", fields[1 - col]);
            fclose(f);
            return FX_OK;
        }
    }
    fclose(f);
    return fx_fail(err, FX_ENOTFOUND, "key file '%s' has no %s '%s'", path,
                   col ? "hospital ID" : "code", col ? "(given)" : key);
}

int fx_store_keyfile_find(const char *path, const char *code, char *hospital_id, size_t n,
                          fx_error *err)
{
    return lookup(path, 0, code, hospital_id, n, err);
}

int fx_store_keyfile_code(const char *path, const char *hospital_id, char *code, size_t n,
                          fx_error *err)
{
    return lookup(path, 1, hospital_id, code, n, err);
}

static int append_line(const char *path, bool create, const char *code, const char *hid,
                       fx_error *err)
{
    char line[160];
    int flags = O_WRONLY | O_APPEND | (create ? O_CREAT | O_EXCL : 0);
    int fd = open(path, flags, 0600), len;

    if (fd < 0)
        return fx_fail(err, FX_EIO, "cannot write key file '%s': %s", path, strerror(errno));
    len = snprintf(line, sizeof(line), "%s%s,%s\n", create ? HEADER : "", code, hid);
    if (write(fd, line, (size_t)len) != len || fsync(fd) != 0) {
        int e = errno;
        close(fd);
        return fx_fail(err, FX_EIO, "cannot write key file '%s': %s", path, strerror(e));
    }
    return close(fd) == 0 ? FX_OK : fx_fail(err, FX_EIO, "cannot write key file '%s'", path);
}

int fx_store_keyfile_add(const char *path, const char *code, const char *hospital_id, fx_error *err)
{
    int rc = fx_store_code_check("patient", code, err);

    if (!rc)
        rc = check_value("hospital ID", hospital_id, err);
    if (!rc)
        rc = check_place(path, err);
    if (rc)
        return rc;
    rc = lookup(path, 0, code, NULL, 0, err);
    if (rc == FX_OK)
        return fx_fail(err, FX_ECONFLICT, "key file '%s' already has code '%s'", path, code);
    bool create = rc == FX_ENOTFOUND && access(path, F_OK) != 0;
    if (rc == FX_ENOTFOUND && !create) {
        rc = lookup(path, 1, hospital_id, NULL, 0, err);
        if (rc == FX_OK)
            return fx_fail(err, FX_ECONFLICT,
                           "key file '%s' already links that hospital ID "
                           "to another code",
                           path);
    }
    if (rc != FX_ENOTFOUND)
        return rc;
    return append_line(path, create, code, hospital_id, err);
}
