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
    fx_outfile out;
    int rc = fx_outfile_open(&out, path, err);
    if (rc)
        return rc;
    if (json_dumpf(j, out.fp, flags) != 0 || fputc('\n', out.fp) == EOF) {
        fx_outfile_abort(&out);
        return fx_fail(err, FX_EIO, "cannot write '%s' (disk full?)", path);
    }
    return fx_outfile_commit(&out, err);
}
