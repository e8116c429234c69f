/*
 * agr_table.h - the columns that `stats icc` and `stats bland-altman` analyse,
 * read from a CSV file by name into a table of doubles (NaN = empty cell).
 * Part of the CLI: it prints its own messages and returns exit codes.
 */
#ifndef FXAUDIT_AGR_TABLE_H
#define FXAUDIT_AGR_TABLE_H

#include <jansson.h>
#include <stddef.h>

typedef struct agr_table agr_table;

/* Read the comma-separated column names `cols` of CSV `file` (header row; empty
 * cells missing). Between `min_cols` and `max_cols` names (0 = no maximum).
 * Returns EXIT_OK and *out (free with agr_table_free), or prints why and
 * returns EXIT_USAGE (bad --cols) or EXIT_FAIL (bad file). */
int agr_table_read(const char *cmd, const char *file, const char *cols, size_t min_cols,
                   size_t max_cols, agr_table **out);
void agr_table_free(agr_table *t);

size_t agr_table_rows(const agr_table *t);
size_t agr_table_cols(const agr_table *t);
const double *agr_table_values(const agr_table *t); /* row-major rows x cols */
const char *agr_table_name(const agr_table *t, size_t j);
json_t *agr_table_names_json(const agr_table *t); /* a new JSON array of the names */

#endif
