/*
 * readings_table.h - internal to src/reduction: the current readings of every
 * case that all its observers have finished, as one table (a row per patient,
 * time point and plane; two columns, gap then step-off, per observer and
 * repeat). Shared by the CSV export and the agreement report.
 */
#ifndef FXAUDIT_READINGS_TABLE_H
#define FXAUDIT_READINGS_TABLE_H

#include <jansson.h>

#include "fxaudit/store.h"

#define RT_MAX_OBSERVERS 64
#define RT_MAX_COLS 256

typedef struct rt_table {
    json_t *readings;                       /* owned; the strings below point into it */
    const char *observer[RT_MAX_OBSERVERS]; /* in code order */
    int repeats[RT_MAX_OBSERVERS];          /* largest repeat number per observer */
    size_t n_obs, n_rows;
    int n_cols;
    double *v;                                  /* n_rows x n_cols, NaN when absent */
    const char **patient, **timepoint, **plane; /* per row */
} rt_table;

/* Fill *t (release with rt_release, also after a failure). */
int rt_build(fx_store *s, rt_table *t, fx_error *err);
void rt_release(rt_table *t);

/* Column of observer `obs`, repeat `rep` (1-based), quantity 0 = gap, 1 = step;
 * -1 when that observer has no such repeat. */
int rt_column(const rt_table *t, size_t obs, int rep, int quantity);

#endif
