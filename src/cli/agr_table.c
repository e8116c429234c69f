/*
 * agr_table.c - the columns the agreement commands analyse, read through the
 * shared CSV reader (src/io/csv.c) into one row-major table of doubles, so that
 * the kernels in src/stats/agreement.c see subjects x raters with NaN for an
 * empty cell. Only the choice of columns is checked here; the reader names the
 * file, line and column of anything malformed.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agr_table.h"
#include "cli.h"
#include "fxaudit/csv.h"

struct agr_table {
    size_t rows, cols;
    double *x;
    char **names;
};

void agr_table_free(agr_table *t)
{
    if (!t)
        return;
    for (size_t j = 0; j < t->cols; j++)
        free(t->names[j]);
    free(t->names);
    free(t->x);
    free(t);
}

size_t agr_table_rows(const agr_table *t)
{
    return t->rows;
}
size_t agr_table_cols(const agr_table *t)
{
    return t->cols;
}
const double *agr_table_values(const agr_table *t)
{
    return t->x;
}
const char *agr_table_name(const agr_table *t, size_t j)
{
    return t->names[j];
}

json_t *agr_table_names_json(const agr_table *t)
{
    json_t *a = json_array();
    for (size_t j = 0; a && j < t->cols; j++)
        json_array_append_new(a, json_string(t->names[j]));
    return a;
}

/* Split --cols into t->names, checking the count and repeats. */
static int split_names(const char *cmd, const char *cols, size_t min_cols, size_t max_cols,
                       agr_table *t)
{
    size_t want = 1;
    for (const char *c = cols; *c; c++)
        want += *c == ',';
    if (want < min_cols || (max_cols && want > max_cols))
        return max_cols == min_cols
                   ? cli_usage(cmd, "--cols needs exactly %zu column names, got %zu", min_cols,
                               want)
                   : cli_usage(cmd, "--cols needs at least %zu column names, got %zu", min_cols,
                               want);
    if (!(t->names = calloc(want, sizeof(*t->names))))
        return cli_failf("out of memory");
    for (const char *c = cols, *e; t->cols < want; c = e + 1) {
        e = c + strcspn(c, ",");
        if (!(t->names[t->cols] = strndup(c, (size_t)(e - c))))
            return cli_failf("out of memory");
        const char *name = t->names[t->cols++];
        if (!*name)
            return cli_usage(cmd, "--cols has an empty column name");
        for (size_t j = 0; j + 1 < t->cols; j++)
            if (!strcmp(t->names[j], name))
                return cli_usage(cmd, "column '%s' is named twice in --cols", name);
    }
    return EXIT_OK;
}

static int fill(const fx_csv *csv, agr_table *t)
{
    fx_error err = {0};
    t->rows = fx_csv_rows(csv);
    if (!(t->x = malloc((t->rows ? t->rows : 1) * t->cols * sizeof(*t->x))))
        return cli_failf("out of memory");
    for (size_t j = 0; j < t->cols; j++) {
        double *v = NULL;
        if (fx_csv_numbers(csv, t->names[j], &v, &err))
            return cli_error(&err);
        for (size_t i = 0; i < t->rows; i++)
            t->x[i * t->cols + j] = v[i];
        free(v);
    }
    return EXIT_OK;
}

int agr_table_read(const char *cmd, const char *file, const char *cols, size_t min_cols,
                   size_t max_cols, agr_table **out)
{
    fx_csv *csv = NULL;
    fx_error err = {0};
    agr_table *t = calloc(1, sizeof(*t));
    int rc = t ? split_names(cmd, cols, min_cols, max_cols, t) : cli_failf("out of memory");
    if (!rc && fx_csv_read(file, &csv, &err))
        rc = cli_error(&err);
    if (!rc)
        rc = fill(csv, t);
    fx_csv_free(csv);
    if (rc) {
        agr_table_free(t);
        t = NULL;
    }
    *out = t;
    return rc;
}
