/*
 * plan_cli.h - the `fxaudit plan` subcommands kept in their own files.
 */
#ifndef FXAUDIT_PLAN_CLI_H
#define FXAUDIT_PLAN_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "fxaudit/plan.h"
#include "fxaudit/store.h"

int plan_export(int argc, char **argv);
int plan_pose(int argc, char **argv);

/* The patient's newest pre-op CT series in the study: ids and absolute path. */
int plan_study_preop(fx_store *s, const char *code, int64_t *patient_id, int64_t *series_id,
                     char *path, size_t n, fx_error *err);
/* Record plan `p`, written at `rel` (relative to the study), with its
 * fragments and screws, in one transaction. */
int plan_study_record(fx_store *s, int64_t patient_id, int64_t series_id, const fx_plan *p,
                      const char *rel, fx_error *err);

#endif
