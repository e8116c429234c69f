/*
 * jsonfile.h - JSON documents written atomically: a temporary file in the
 * target's folder (with the permissions the umask gives), then rename, so a
 * reader never sees half a plan, truth or markups file.
 */
#ifndef FXAUDIT_JSONFILE_H
#define FXAUDIT_JSONFILE_H

#include <jansson.h>

#include "fxaudit/error.h"

/* Write `j` (not stolen) to `path` with jansson's dump `flags` and a final
 * newline. On failure nothing is left under either name and `err` names the
 * file. */
int fx_json_write_atomic(const char *path, const json_t *j, size_t flags, fx_error *err);

#endif
