/*
 * stats_cli.h - what the `stats` subcommands share: reading columns from a
 * CSV file (complete cases for paired data), the signed-rank options, and
 * JSON numbers that turn NaN and infinities into null.
 */
#ifndef FXAUDIT_STATS_CLI_H
#define FXAUDIT_STATS_CLI_H

#include <getopt.h>
#include <jansson.h>
#include <stddef.h>

#include "fxaudit/stats.h"

/* Long-option values of the signed-rank options shared by wilcoxon, friedman
 * and mann-whitney. */
enum {
    OPT_X = 1000,
    OPT_Y,
    OPT_COL,
    OPT_COLS,
    OPT_BY,
    OPT_EXACT,
    OPT_ASYMPTOTIC,
    OPT_CORRECT,
    OPT_NO_CORRECT,
    OPT_ZERO,
    OPT_ALT,
    OPT_CONF_INT,
    OPT_CONF_LEVEL,
    OPT_SPSS,
    OPT_JSON,
    OPT_QTYPE,
    OPT_HELP
};

#define STATS_TEST_OPTIONS                                                                         \
    {"exact", no_argument, NULL, OPT_EXACT}, {"asymptotic", no_argument, NULL, OPT_ASYMPTOTIC},    \
        {"correct", no_argument, NULL, OPT_CORRECT},                                               \
        {"no-correct", no_argument, NULL, OPT_NO_CORRECT},                                         \
        {"alternative", required_argument, NULL, OPT_ALT},                                         \
        {"conf-int", no_argument, NULL, OPT_CONF_INT},                                             \
        {"conf-level", required_argument, NULL, OPT_CONF_LEVEL},                                   \
        {"zero-method", required_argument, NULL, OPT_ZERO}, {"spss", no_argument, NULL, OPT_SPSS}, \
        {"json", no_argument, NULL, OPT_JSON},                                                     \
    {                                                                                              \
        "help", no_argument, NULL, OPT_HELP                                                        \
    }

/* Apply option `opt` to `o`. Returns 0 when handled, -1 when `opt` is not a
 * test option, or EXIT_USAGE after printing a usage message. */
int stats_test_option(const char *cmd, int opt, const char *arg, fx_wilcoxon_opts *o,
                      bool *explicit_ci);

/* Columns `xcol` and `ycol` of `path`, keeping rows where both are present.
 * *x and *y are the caller's to free. Prints the error and returns EXIT_FAIL
 * on a bad file. */
int stats_load_pairs(const char *path, const char *xcol, const char *ycol, double **x, double **y,
                     size_t *n, size_t *n_missing);
/* Several columns, keeping complete rows; *y is row-major n x ncol. */
int stats_load_table(const char *path, char *const *cols, size_t ncol, double **y, size_t *n,
                     size_t *n_missing);
/* The present values of one column. */
int stats_load_column(const char *path, const char *col, double **v, size_t *n, size_t *n_missing);

/* Subcommands in cmd_stats_groups.c. */
int cmd_stats_friedman(int argc, char **argv);
int cmd_stats_mann_whitney(int argc, char **argv);

/* `v` as R prints it in an interval: %.10g, or Inf / -Inf / NaN. */
const char *stats_fmt(double v, char *buf, size_t n);

json_t *stats_json_num(double v);             /* null unless finite */
const char *stats_alt_name(fx_alternative a); /* "two-sided", "less", "greater" */
/* R's sentence: "true location shift is not equal to 0" for `what`. */
void stats_print_alternative(const char *what, fx_alternative a);
/* Split "A,B,C" into a NULL-terminated array (free with free()). */
char **stats_split_list(const char *s, size_t *n);

#endif
