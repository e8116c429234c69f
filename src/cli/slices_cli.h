/*
 * slices_cli.h - what cmd_slices.c asks of slices_points.c: the points
 * subcommand, the sidecar writer and the observer's case volume.
 */
#ifndef FXAUDIT_SLICES_CLI_H
#define FXAUDIT_SLICES_CLI_H

#include <jansson.h>

#include "fxaudit/error.h"
#include "fxaudit/volume.h"

int cmd_slices_points(int argc, char **argv);
/* Write `doc` (borrowed) as `path`, complete or not at all. */
int slices_json_write(const char *path, const json_t *doc, fx_error *err);
/* The CT of `case_code` on `observer`'s reading list in `study`, read from a
 * blinded export in a temporary folder that is removed again. *out owns it. */
int slices_study_volume(const char *study, const char *observer, const char *case_code,
                        fx_volume **out, fx_error *err);

#endif
