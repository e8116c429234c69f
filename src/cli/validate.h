/*
 * validate.h - the stages of `fxaudit validate`, each run over a phantom cohort
 * against its truth.json files. A stage appends one JSON object per patient to
 * `patients` and sets its summary keys (architecture.md) in `summary`.
 */
#ifndef FXAUDIT_VALIDATE_H
#define FXAUDIT_VALIDATE_H

#include <jansson.h>

#include "fxaudit/error.h"
#include "fxaudit/progress.h"

/* `work` is a folder the stage may write its products to (plans, models). */
int validate_plan(const char *cohort, const char *work, const fx_progress *pg, json_t *patients,
                  json_t *summary, fx_error *err);

#endif
