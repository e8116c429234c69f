/*
 * datapath.c - finding fxaudit's data files: an override for tests and
 * relocated installs, then the installed copy, then the source tree (so that
 * the program runs from its build folder before `make install`).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fxaudit/datapath.h"

int fx_data_path(const char *rel, char *out, size_t n, fx_error *err)
{
    const char *dirs[3] = {getenv("FXAUDIT_DATA_DIR"), FX_DATADIR, FX_SRCDATADIR};

    for (int i = 0; i < 3; i++) {
        if (!dirs[i] || !*dirs[i])
            continue;
        if (snprintf(out, n, "%s/%s", dirs[i], rel) >= (int)n)
            return fx_fail(err, FX_EINVAL, "data path for '%s' is too long", rel);
        if (access(out, R_OK) == 0)
            return FX_OK;
    }
    return fx_fail(err, FX_ENOTFOUND,
                   "cannot find data file '%s' (looked in $FXAUDIT_DATA_DIR, %s and %s)", rel,
                   FX_DATADIR, FX_SRCDATADIR);
}
