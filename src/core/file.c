/*
 * file.c - temporary files that become outputs (file.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fxaudit/file.h"

int fx_mkstemp_output(char *tmpl)
{
    int fd = mkstemp(tmpl);
    if (fd < 0)
        return fd;
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        close(fd);
        unlink(tmpl);
        return -1;
    }
    return fd;
}

int fx_outfile_open(fx_outfile *o, const char *path, fx_error *err)
{
    o->path = path;
    o->fp = NULL;
    o->tmp[0] = '\0';
    if ((size_t)snprintf(o->tmp, sizeof(o->tmp), "%s.XXXXXX", path) >= sizeof(o->tmp))
        return fx_fail(err, FX_EINVAL, "'%s': the path is too long", path);
    int fd = fx_mkstemp_output(o->tmp);
    if (fd < 0)
        return fx_fail(err, FX_EIO, "cannot create '%s': %s", o->tmp, strerror(errno));
    o->fp = fdopen(fd, "wb");
    if (!o->fp) {
        int e = errno;
        close(fd);
        unlink(o->tmp);
        return fx_fail(err, FX_EIO, "cannot write '%s': %s", path, strerror(e));
    }
    return FX_OK;
}

void fx_outfile_abort(fx_outfile *o)
{
    if (o->fp) {
        fclose(o->fp);
        o->fp = NULL;
        unlink(o->tmp);
    }
}

int fx_outfile_commit(fx_outfile *o, fx_error *err)
{
    int bad = ferror(o->fp);
    bad |= fclose(o->fp) != 0;
    o->fp = NULL;
    if (bad) {
        unlink(o->tmp);
        return fx_fail(err, FX_EIO, "cannot write '%s' (disk full?)", o->path);
    }
    if (rename(o->tmp, o->path)) {
        int e = errno;
        unlink(o->tmp);
        return fx_fail(err, FX_EIO, "cannot write '%s': %s", o->path, strerror(e));
    }
    return FX_OK;
}
