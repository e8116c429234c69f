/*
 * stats_cli.c - shared plumbing of the `stats` subcommands: columns from CSV
 * files, the signed-rank options, and JSON numbers.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fxaudit/csv.h"
#include "stats_cli.h"

int stats_test_option(const char *cmd, int opt, const char *arg, fx_wilcoxon_opts *o,
                      bool *explicit_ci)
{
    switch (opt) {
    case OPT_EXACT:
        o->exact = FX_EXACT_YES;
        return 0;
    case OPT_ASYMPTOTIC:
        o->exact = FX_EXACT_NO;
        return 0;
    case OPT_CORRECT:
        o->correct = true;
        return 0;
    case OPT_NO_CORRECT:
        o->correct = false;
        return 0;
    case OPT_CONF_INT:
        *explicit_ci = true;
        return 0;
    case OPT_SPSS:
        o->spss = true;
        return 0;
    case OPT_CONF_LEVEL: {
        double l;
        if (cli_parse_double(cmd, "--conf-level", arg, &l))
            return EXIT_USAGE;
        if (!(l > 0 && l < 1))
            return cli_usage(cmd, "--conf-level must lie between 0 and 1, not '%s'", arg);
        o->conf_level = l;
        return 0;
    }
    case OPT_ALT:
        if (!strcmp(arg, "two-sided") || !strcmp(arg, "two.sided"))
            o->alternative = FX_ALT_TWO_SIDED;
        else if (!strcmp(arg, "less"))
            o->alternative = FX_ALT_LESS;
        else if (!strcmp(arg, "greater"))
            o->alternative = FX_ALT_GREATER;
        else
            return cli_usage(cmd, "--alternative must be two-sided, less or greater, not '%s'",
                             arg);
        return 0;
    case OPT_ZERO:
        if (!strcmp(arg, "wilcox"))
            o->zero_method = FX_ZERO_WILCOX;
        else if (!strcmp(arg, "pratt"))
            o->zero_method = FX_ZERO_PRATT;
        else if (!strcmp(arg, "zsplit"))
            o->zero_method = FX_ZERO_ZSPLIT;
        else
            return cli_usage(cmd, "--zero-method must be wilcox, pratt or zsplit, not '%s'", arg);
        return 0;
    default:
        return -1;
    }
}

static int load(const char *path, fx_csv **t)
{
    fx_error err;
    if (fx_csv_read(path, t, &err))
        return cli_error(&err);
    return EXIT_OK;
}

int stats_load_table(const char *path, char *const *cols, size_t ncol, double **y, size_t *n,
                     size_t *n_missing)
{
    fx_csv *t;
    fx_error err;
    int rc = load(path, &t);
    if (rc)
        return rc;
    size_t rows = fx_csv_rows(t), m = 0;
    double **c = calloc(ncol, sizeof(*c));
    double *out = malloc((rows ? rows : 1) * ncol * sizeof(*out));
    if (!c || !out) {
        rc = cli_failf("out of memory reading '%s'", path);
        goto done;
    }
    for (size_t j = 0; j < ncol; j++)
        if (fx_csv_numbers(t, cols[j], &c[j], &err)) {
            rc = cli_error(&err);
            goto done;
        }
    for (size_t i = 0; i < rows; i++) {
        bool ok = true;
        for (size_t j = 0; j < ncol; j++)
            ok = ok && !isnan(c[j][i]);
        if (!ok)
            continue;
        for (size_t j = 0; j < ncol; j++)
            out[m * ncol + j] = c[j][i];
        m++;
    }
    *y = out, out = NULL;
    *n = m;
    *n_missing = rows - m;
done:
    for (size_t j = 0; c && j < ncol; j++)
        free(c[j]);
    free(c);
    free(out);
    fx_csv_free(t);
    return rc;
}

int stats_load_pairs(const char *path, const char *xcol, const char *ycol, double **x, double **y,
                     size_t *n, size_t *n_missing)
{
    char *cols[2] = {(char *)xcol, (char *)ycol};
    double *xy;
    int rc = stats_load_table(path, cols, 2, &xy, n, n_missing);
    if (rc)
        return rc;
    *x = malloc((*n ? *n : 1) * sizeof(double));
    *y = malloc((*n ? *n : 1) * sizeof(double));
    if (!*x || !*y) {
        free(*x), free(*y), free(xy);
        return cli_failf("out of memory reading '%s'", path);
    }
    for (size_t i = 0; i < *n; i++)
        (*x)[i] = xy[2 * i], (*y)[i] = xy[2 * i + 1];
    free(xy);
    return EXIT_OK;
}

int stats_load_column(const char *path, const char *col, double **v, size_t *n, size_t *n_missing)
{
    char *cols[1] = {(char *)col};
    return stats_load_table(path, cols, 1, v, n, n_missing);
}

const char *stats_fmt(double v, char *buf, size_t n)
{
    if (isnan(v))
        snprintf(buf, n, "NaN");
    else if (isinf(v))
        snprintf(buf, n, "%sInf", v < 0 ? "-" : "");
    else
        snprintf(buf, n, "%.10g", v);
    return buf;
}

json_t *stats_json_num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

const char *stats_alt_name(fx_alternative a)
{
    return a == FX_ALT_LESS ? "less" : a == FX_ALT_GREATER ? "greater" : "two-sided";
}

void stats_print_alternative(const char *what, fx_alternative a)
{
    printf("alternative hypothesis: true %s is %s 0\n", what,
           a == FX_ALT_LESS      ? "less than"
           : a == FX_ALT_GREATER ? "greater than"
                                 : "not equal to");
}

char **stats_split_list(const char *s, size_t *n)
{
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ',';
    char **v = calloc(cap + 1, sizeof(*v));
    char *copy = strdup(s);
    *n = 0;
    if (!v || !copy) {
        free(v);
        free(copy);
        return NULL;
    }
    /* the array and its strings are one block: free(v) frees all */
    size_t len = strlen(s) + 1;
    char **block = realloc(v, (cap + 1) * sizeof(*v) + len);
    if (!block) {
        free(v);
        free(copy);
        return NULL;
    }
    v = block;
    char *text = (char *)(v + cap + 1);
    memcpy(text, copy, len);
    free(copy);
    for (char *p = text;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        v[(*n)++] = p;
        if (!comma)
            break;
        p = comma + 1;
    }
    v[*n] = NULL;
    return v;
}
