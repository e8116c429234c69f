/*
 * studystats.h - the seed study's results section computed from a study's
 * store: pre- vs post-op gap and step-off, screw deviations, grades per
 * scheme, SMFA indices over the occasions, and Spearman between post-op
 * reduction and the 1-year SMFA function index. Every figure carries the
 * method that produced it and its n; a section without data says so.
 * Sections, methods and data sources: docs/outcomes.md.
 */
#ifndef FXAUDIT_STUDYSTATS_H
#define FXAUDIT_STUDYSTATS_H

#include <jansson.h>
#include <stdbool.h>

#include "fxaudit/error.h"
#include "fxaudit/store.h"

typedef struct fx_studystats_opts {
    bool spss;         /* SPSS's Wilcoxon (normal approximation, no continuity
                        * correction) and Spearman (t approximation); default R's */
    int quantile_type; /* quartiles: 6 (SPSS HAVERAGE, default) or 7 */
} fx_studystats_opts;

void fx_studystats_opts_init(fx_studystats_opts *o);

/* Compute every section. On success *out owns a JSON object with the keys
 * convention, descriptives_method, reduction, screws, grades, smfa and
 * correlations (layout in docs/outcomes.md; free with json_decref). Missing
 * data is reported inside the sections, not as an error; an error means the
 * store could not be read. */
int fx_studystats_compute(fx_store *s, const fx_studystats_opts *o, json_t **out, fx_error *err);

#endif
