/*
 * datapath.h - where fxaudit's own data files (schema, grading schemes, report
 * templates) are found at run time.
 */
#ifndef FXAUDIT_DATAPATH_H
#define FXAUDIT_DATAPATH_H

#include <stddef.h>

#include "fxaudit/error.h"

/* Full path of `rel` (e.g. "schemes/matta.json") under the first of: the folder
 * in $FXAUDIT_DATA_DIR, the installed data folder, the source tree's data/.
 * Fails with FX_ENOTFOUND, naming the places searched, when none has it. */
int fx_data_path(const char *rel, char *out, size_t n, fx_error *err);

#endif
