/*
 * csv.h - a small reader for the CSV tables researchers hand to fxaudit: a
 * header row, columns chosen by name, empty cells are missing values. Fields
 * may be quoted ("a, b" and "" for a quote, RFC 4180); a comma separates
 * fields; CRLF line ends and a UTF-8 byte-order mark are accepted.
 */
#ifndef FXAUDIT_CSV_H
#define FXAUDIT_CSV_H

#include <stddef.h>

#include "fxaudit/error.h"

typedef struct fx_csv fx_csv;

/* Read `path`. On success *out owns the table (free with fx_csv_free). Fails
 * naming the file and line for a ragged row, an unterminated quote, a missing
 * or duplicated header name. */
int fx_csv_read(const char *path, fx_csv **out, fx_error *err);
void fx_csv_free(fx_csv *t); /* NULL is a no-op */

size_t fx_csv_rows(const fx_csv *t); /* data rows, header excluded */
size_t fx_csv_cols(const fx_csv *t);
const char *fx_csv_path(const fx_csv *t);
const char *fx_csv_name(const fx_csv *t, size_t col);
/* Line of the file (1-based, header = 1) where data row `row` starts. */
size_t fx_csv_line(const fx_csv *t, size_t row);

/* Index of the column called `name` (exact match after trimming spaces), or
 * FX_ENOTFOUND naming the file, the column and the columns there are. */
int fx_csv_find(const fx_csv *t, const char *name, size_t *col, fx_error *err);

/* The cell text with surrounding spaces removed; "" when empty. Owned by t. */
const char *fx_csv_cell(const fx_csv *t, size_t row, size_t col);

/* The column `name` as numbers: NAN for empty cells. *out (n = fx_csv_rows)
 * is the caller's to free. A cell that is not a finite number fails with
 * FX_EFORMAT naming the file, line, column and the text. */
int fx_csv_numbers(const fx_csv *t, const char *name, double **out, fx_error *err);

#endif
