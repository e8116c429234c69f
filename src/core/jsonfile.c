/*
 * jsonfile.c - atomic JSON output.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fxaudit/file.h"
#include "fxaudit/jsonfile.h"

int fx_json_write_atomic(const char *path, const json_t *j, size_t flags, fx_error *err)
{
    char tmp[4096];
    int fd, bad;

    if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
        return fx_fail(err, FX_EINVAL, "path '%s' is too long", path);
    fd = fx_mkstemp_output(tmp);
    if (fd < 0)
        return fx_fail(err, FX_EIO, "cannot create '%s': %s", tmp, strerror(errno));
    bad = json_dumpfd(j, fd, flags) != 0;
    bad |= write(fd, "\n", 1) != 1;
    bad |= close(fd) != 0;
    if (bad || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return fx_fail(err, FX_EIO, "cannot write '%s': %s", path, strerror(e));
    }
    return FX_OK;
}
