/*
 * files.c - putting files into the study folder so that a crash never leaves
 * a recorded file half-written.
 *
 * A file is first staged under a hidden temporary name in its target folder
 * (a hard link when moving within one file system, else a synced copy),
 * hashed, and only then linked to its final name, which link() refuses to
 * replace. The caller records the row and publishes inside one transaction;
 * a crash before the commit leaves at most an unrecorded file, which
 * `study verify` lists as a warning, never a recorded file that is missing.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fxaudit/file.h"
#include "store_int.h"

static int copy_fd(int in, int out)
{
    char buf[1 << 16];
    ssize_t got;

    while ((got = read(in, buf, sizeof(buf))) != 0) {
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        for (ssize_t off = 0; off < got;) {
            ssize_t put = write(out, buf + off, (size_t)(got - off));
            if (put < 0 && errno != EINTR)
                return -1;
            if (put > 0)
                off += put;
        }
    }
    return fsync(out);
}

static int copy_into(const char *src, int out, const char *tmp, fx_error *err)
{
    int in = open(src, O_RDONLY);

    if (in < 0)
        return fx_fail(err, FX_EIO, "cannot open '%s': %s", src, strerror(errno));
    int bad = copy_fd(in, out);
    int e = errno;
    close(in);
    if (bad)
        return fx_fail(err, FX_EIO, "cannot copy '%s' to '%s': %s", src, tmp, strerror(e));
    return FX_OK;
}

static int name_ok(const char *name)
{
    if (!name || !*name || name[0] == '.' || strlen(name) > 200)
        return 0;
    for (const char *c = name; *c; c++)
        if (*c == '/' || (unsigned char)*c < 0x20)
            return 0;
    return strstr(name, "..") == NULL;
}

int fx_store_file_stage(fx_store *s, const char *src, const char *subdir, const char *name,
                        bool move, fx_store_file *f, fx_error *err)
{
    struct stat sb;
    int fd, rc;

    memset(f, 0, sizeof(*f));
    if (!st_ident_ok(subdir) || !name_ok(name))
        return fx_fail(err, FX_EINVAL, "'%s/%s' is not a valid study file name", subdir,
                       name ? name : "");
    errno = 0;
    if (stat(src, &sb) != 0 || !S_ISREG(sb.st_mode))
        return fx_fail(err, FX_EIO, "cannot add '%s': %s", src,
                       errno ? strerror(errno) : "not a regular file");
    snprintf(f->rel, sizeof(f->rel), "%s/%s", subdir, name);
    snprintf(f->src, sizeof(f->src), "%s", src);
    f->move = move;
    if (snprintf(f->tmp, sizeof(f->tmp), "%s/%s/.stage-XXXXXX", s->dir, subdir) >=
        (int)sizeof(f->tmp))
        return fx_fail(err, FX_EINVAL, "study path '%s' is too long", s->dir);
    fd = fx_mkstemp_output(f->tmp);
    if (fd < 0) {
        rc = fx_fail(err, FX_EIO, "cannot create a file in '%s/%s': %s", s->dir, subdir,
                     strerror(errno));
        f->tmp[0] = '\0';
        return rc;
    }
    /* Moving within one file system: a second link, the source goes after commit. */
    if (move && unlink(f->tmp) == 0 && link(src, f->tmp) == 0) {
        close(fd);
        rc = FX_OK;
    } else {
        if (move) { /* link failed (another file system): copy instead */
            close(fd);
            fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
        }
        rc = fd < 0 ? fx_fail(err, FX_EIO, "cannot create '%s': %s", f->tmp, strerror(errno))
                    : copy_into(src, fd, f->tmp, err);
        if (fd >= 0)
            close(fd);
    }
    if (!rc)
        rc = fx_sha256_file(f->tmp, f->sha256, err);
    if (!rc && stat(f->tmp, &sb) == 0)
        f->bytes = (int64_t)sb.st_size;
    if (rc) {
        unlink(f->tmp);
        f->tmp[0] = '\0';
    }
    return rc;
}

int fx_store_file_publish(fx_store *s, fx_store_file *f, fx_error *err)
{
    char final[PATH_MAX + 300];

    if (!f->tmp[0])
        return fx_fail(err, FX_EINVAL, "'%s' was not staged", f->rel);
    snprintf(final, sizeof(final), "%s/%s", s->dir, f->rel);
    if (link(f->tmp, final) != 0)
        return fx_fail(err, errno == EEXIST ? FX_ECONFLICT : FX_EIO, "cannot create '%s': %s",
                       final, strerror(errno));
    f->published = true;
    unlink(f->tmp);
    f->tmp[0] = '\0';
    return FX_OK;
}

void fx_store_file_finish(fx_store *s, fx_store_file *f, bool committed)
{
    char final[PATH_MAX + 300];

    if (committed) {
        if (f->move && f->published)
            unlink(f->src);
        return;
    }
    if (f->tmp[0])
        unlink(f->tmp);
    f->tmp[0] = '\0';
    if (f->published) {
        snprintf(final, sizeof(final), "%s/%s", s->dir, f->rel);
        unlink(final);
        f->published = false;
    }
}
