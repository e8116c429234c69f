/*
 * file.h - files written atomically (a temporary name in the target's folder,
 * then rename) with the permissions the user's umask gives a new file.
 */
#ifndef FXAUDIT_FILE_H
#define FXAUDIT_FILE_H

#include <stdio.h>

#include "fxaudit/error.h"

/* mkstemp(tmpl), then the file mode an ordinary open() would have given
 * (0666 less the umask) instead of mkstemp's private 0600: outputs are for
 * the user's tools. Returns the descriptor, or -1 with errno set. */
int fx_mkstemp_output(char *tmpl);

/* An output written to `path`.XXXXXX and renamed over `path` when whole, so a
 * reader never sees half a file and a failed write leaves the old file (or
 * none). `path` is borrowed and must outlive the outfile. */
typedef struct fx_outfile {
    FILE *fp; /* open for binary writing between open and commit/abort */
    char tmp[4096];
    const char *path;
} fx_outfile;

int fx_outfile_open(fx_outfile *o, const char *path, fx_error *err);
/* Close and rename; any earlier write error (ferror) or a failed close removes
 * the temporary file and fails naming `path`. */
int fx_outfile_commit(fx_outfile *o, fx_error *err);
/* Close and remove the temporary file; safe to call twice. */
void fx_outfile_abort(fx_outfile *o);

#endif
