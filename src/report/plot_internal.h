/*
 * plot_internal.h - one gnuplot run: a temporary folder for its data files
 * and script, the values filled into the template's @KEY@ placeholders, and
 * running gnuplot without a shell (plot.c). The figure kinds (plot_kinds.c)
 * are built from these.
 */
#ifndef FXAUDIT_PLOT_INTERNAL_H
#define FXAUDIT_PLOT_INTERNAL_H

#include <stdio.h>

#include "fxaudit/plot.h"

#define PLOT_MAX_KEYS 48
#define PLOT_MAX_FILES 8

typedef struct plot_job {
    char gnuplot[4096];
    char dir[4096];
    char files[PLOT_MAX_FILES][64]; /* names inside dir, removed at the end */
    int nfiles;
    char *keys[PLOT_MAX_KEYS], *values[PLOT_MAX_KEYS];
    int nkeys;
} plot_job;

/* Find gnuplot and make the temporary folder; FX_ENOGNUPLOT without gnuplot. */
int plot_begin(plot_job *j, fx_error *err);
/* Open data file `name` in the job's folder for writing; NULL on failure
 * (err says why). Its path is available to the template as @DIR@/name. */
FILE *plot_data(plot_job *j, const char *name, fx_error *err);
/* Close a data file, checking that everything was written. */
int plot_data_close(FILE *f, const char *name, fx_error *err);
/* Set @KEY@ to a number (shortest exact form), or to text quoted for a
 * gnuplot single-quoted string. */
int plot_set_num(plot_job *j, const char *key, double v, fx_error *err);
int plot_set_text(plot_job *j, const char *key, const char *utf8, fx_error *err);
/* Set @KEY@ to `value` as it is (a malloc'd string the job takes over, even
 * on failure; NULL means allocation failed). */
int plot_set_raw(plot_job *j, const char *key, char *value, fx_error *err);
/* Fill reports/<kind>.gp, run gnuplot on it and move its PNG to `png`. */
int plot_run(plot_job *j, const char *kind, const fx_plot_opts *o, const char *png, fx_error *err);
/* Remove the folder and everything in it; safe after a failed begin. */
void plot_end(plot_job *j);

#endif
