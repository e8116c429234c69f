/*
 * cmd_stats_groups.c - `fxaudit stats friedman` (three or more related
 * columns) and `fxaudit stats mann-whitney` (two independent samples).
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fxaudit/csv.h"
#include "stats_cli.h"

/* ---- friedman ------------------------------------------------------------ */

static const char friedman_help[] =
    "usage: fxaudit stats friedman FILE.csv --cols A,B,C[,...] [test options] [--json]\n\n"
    "Friedman rank sum test of k >= 3 related columns (R's friedman.test; rows with\n"
    "an empty cell are dropped), then every pair of columns by the paired Wilcoxon\n"
    "signed-rank test with Holm's correction (R's pairwise.wilcox.test(paired = TRUE,\n"
    "p.adjust.method = \"holm\")). The signed-rank options of 'fxaudit stats wilcoxon'\n"
    "(--exact, --asymptotic, --no-correct, --zero-method, --spss) apply to the post-hoc.\n";

static json_t *friedman_json(const fx_friedman_result *r, char **cols, size_t n_missing)
{
    json_t *j = json_object(), *ph = json_array();
    json_object_set_new(j, "n", json_integer((json_int_t)r->n));
    json_object_set_new(j, "k", json_integer((json_int_t)r->k));
    json_object_set_new(j, "n_missing", json_integer((json_int_t)n_missing));
    json_object_set_new(j, "statistic", json_real(r->statistic));
    json_object_set_new(j, "df", json_real(r->df));
    json_object_set_new(j, "p", stats_json_num(r->p));
    json_object_set_new(j, "method", json_string(r->method));
    for (size_t i = 0; i < r->n_pairs; i++) {
        const fx_friedman_pair *p = &r->pairs[i];
        json_t *o = json_object();
        json_object_set_new(o, "a", json_string(cols[p->a]));
        json_object_set_new(o, "b", json_string(cols[p->b]));
        json_object_set_new(o, "statistic", stats_json_num(p->test.statistic));
        json_object_set_new(o, "p", stats_json_num(p->test.p));
        json_object_set_new(o, "p_holm", stats_json_num(p->p_holm));
        json_object_set_new(o, "method", json_string(p->test.method));
        json_array_append_new(ph, o);
    }
    json_object_set_new(j, "post_hoc", ph);
    json_object_set_new(j, "post_hoc_adjustment", json_string("holm"));
    return j;
}

static void friedman_text(const fx_friedman_result *r, char **cols, const char *file,
                          size_t n_missing)
{
    printf("\n\t%s\n\ndata:  '%s': %zu complete rows of %zu columns", r->method, file, r->n, r->k);
    if (n_missing)
        printf(" (%zu incomplete rows dropped)", n_missing);
    printf("\nFriedman chi-squared = %.10g, df = %g, p-value = %.6g\n\n"
           "pairwise comparisons (Holm-adjusted):\n",
           r->statistic, r->df, r->p);
    for (size_t i = 0; i < r->n_pairs; i++) {
        const fx_friedman_pair *p = &r->pairs[i];
        if (isnan(p->test.p))
            printf("  %s vs %s: %s\n", cols[p->a], cols[p->b], p->test.method);
        else
            printf("  %s vs %s: V = %g, p = %.6g, Holm p = %.6g  [%s]\n", cols[p->a], cols[p->b],
                   p->test.statistic, p->test.p, p->p_holm, p->test.method);
    }
    printf("\n");
}

int cmd_stats_friedman(int argc, char **argv)
{
    static const struct option opts[] = {
        {"cols", required_argument, NULL, OPT_COLS}, STATS_TEST_OPTIONS, {NULL, 0, NULL, 0}};
    const char *cmd = "fxaudit stats friedman", *list = NULL;
    fx_wilcoxon_opts o;
    bool json = false, ci;
    int opt, rc;
    fx_wilcoxon_opts_init(&o);
    cli_getopt_reset();
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (opt == OPT_HELP)
            return cli_help(friedman_help);
        else if (opt == OPT_COLS)
            list = optarg;
        else if (opt == OPT_JSON)
            json = true;
        else if ((rc = stats_test_option(cmd, opt, optarg, &o, &ci)))
            return rc < 0 ? cli_usage(cmd, "unknown option") : rc;
    }
    if (optind != argc - 1 || !list)
        return cli_usage(cmd, "one CSV file and --cols are needed");
    size_t k, n, n_missing;
    char **cols = stats_split_list(list, &k);
    if (!cols)
        return cli_failf("out of memory");
    if (k < 3) {
        free(cols);
        return cli_usage(cmd, "--cols needs at least 3 columns, not %zu", k);
    }
    double *y;
    fx_friedman_result r;
    fx_error err;
    rc = stats_load_table(argv[optind], cols, k, &y, &n, &n_missing);
    if (!rc) {
        if (fx_friedman(y, n, k, &o, &r, &err)) {
            rc = cli_failf("'%s': %s", argv[optind], err.msg);
        } else {
            if (json)
                rc = cli_print_json(friedman_json(&r, cols, n_missing));
            else
                friedman_text(&r, cols, argv[optind], n_missing);
            fx_friedman_result_free(&r);
        }
        free(y);
    }
    free(cols);
    return rc;
}

/* ---- mann-whitney -------------------------------------------------------- */

static const char mw_help[] =
    "usage: fxaudit stats mann-whitney FILE.csv (--x COL --y COL | --col COL --by GROUP)\n"
    "                                 [--exact|--asymptotic] [--no-correct]\n"
    "                                 [--alternative A] [--conf-int] [--json]\n\n"
    "Mann-Whitney U / Wilcoxon rank-sum test of two independent samples, as R's\n"
    "wilcox.test(x, y): W = U of x; exact when both samples are below 50 and nothing\n"
    "is tied, otherwise the normal approximation with tie and continuity corrections.\n"
    "--x/--y take the present values of two columns; --col/--by split one column by a\n"
    "grouping column with exactly two values (sorted: the first is x, as R's formula).\n";

/* Values of `col` split by the two values of `by`; *gx, *gy name the groups. */
static int split_groups(const char *path, const char *col, const char *by, double **x, size_t *nx,
                        double **y, size_t *ny, char *gx, char *gy, size_t gn)
{
    fx_csv *t;
    fx_error err;
    size_t cb, rows;
    double *v = NULL;
    int rc = EXIT_OK;
    if (fx_csv_read(path, &t, &err))
        return cli_error(&err);
    if (fx_csv_find(t, by, &cb, &err) || fx_csv_numbers(t, col, &v, &err)) {
        fx_csv_free(t);
        return cli_error(&err);
    }
    rows = fx_csv_rows(t);
    const char *g[2] = {NULL, NULL};
    for (size_t i = 0; i < rows && !rc; i++) {
        const char *s = fx_csv_cell(t, i, cb);
        if (!*s || (g[0] && !strcmp(s, g[0])) || (g[1] && !strcmp(s, g[1])))
            continue;
        if (g[1])
            rc = cli_failf("'%s' line %zu: column '%s' has a third group '%s' (a rank-sum "
                           "test compares two)",
                           path, fx_csv_line(t, i), by, s);
        else
            g[g[0] ? 1 : 0] = s;
    }
    if (!rc && !g[1])
        rc = cli_failf("'%s': column '%s' needs two groups", path, by);
    if (!rc) {
        if (strcmp(g[0], g[1]) > 0) {
            const char *s = g[0];
            g[0] = g[1], g[1] = s;
        }
        snprintf(gx, gn, "%s", g[0]);
        snprintf(gy, gn, "%s", g[1]);
        *x = malloc(rows * sizeof(double)), *y = malloc(rows * sizeof(double));
        *nx = *ny = 0;
        for (size_t i = 0; *x && *y && i < rows; i++) {
            const char *s = fx_csv_cell(t, i, cb);
            if (isnan(v[i]) || !*s)
                continue;
            if (!strcmp(s, gx))
                (*x)[(*nx)++] = v[i];
            else
                (*y)[(*ny)++] = v[i];
        }
        if (!*x || !*y)
            rc = cli_failf("out of memory"), free(*x), free(*y);
    }
    free(v);
    fx_csv_free(t);
    return rc;
}

static int mw_print(const fx_ranksum_result *r, const char *xn, const char *yn,
                    const fx_wilcoxon_opts *o, bool ci, bool json)
{
    if (json) {
        json_t *j = json_object(), *c = json_array();
        json_object_set_new(j, "x", json_string(xn));
        json_object_set_new(j, "y", json_string(yn));
        json_object_set_new(j, "n_x", json_integer((json_int_t)r->n_x));
        json_object_set_new(j, "n_y", json_integer((json_int_t)r->n_y));
        json_object_set_new(j, "statistic", json_real(r->statistic));
        json_object_set_new(j, "u", json_real(r->statistic));
        json_object_set_new(j, "p", stats_json_num(r->p));
        json_object_set_new(j, "z", stats_json_num(r->z));
        json_object_set_new(j, "exact", json_boolean(r->exact));
        json_object_set_new(j, "ties", json_boolean(r->ties));
        json_object_set_new(j, "method", json_string(r->method));
        json_object_set_new(j, "alternative", json_string(stats_alt_name(o->alternative)));
        json_object_set_new(j, "estimate", stats_json_num(r->estimate));
        json_array_append_new(c, stats_json_num(r->conf_int[0]));
        json_array_append_new(c, stats_json_num(r->conf_int[1]));
        json_object_set_new(j, "conf_int", c);
        json_object_set_new(j, "conf_level", stats_json_num(r->conf_level));
        return cli_print_json(j);
    }
    printf("\n\t%s\n\ndata:  %s (%zu) and %s (%zu)\nW = %.10g, ", r->method, xn, r->n_x, yn, r->n_y,
           r->statistic);
    if (isfinite(r->z))
        printf("z = %.6g, ", r->z);
    printf("p-value = %.6g\n", r->p);
    stats_print_alternative("location shift", o->alternative);
    if (ci) {
        char a[32], b[32], e[32];
        printf("%.10g percent confidence interval:\n %s %s\nsample estimates:\n"
               "difference in location\n%s\n",
               100 * r->conf_level, stats_fmt(r->conf_int[0], a, 32),
               stats_fmt(r->conf_int[1], b, 32), stats_fmt(r->estimate, e, 32));
    }
    printf("\n");
    return EXIT_OK;
}

int cmd_stats_mann_whitney(int argc, char **argv)
{
    static const struct option opts[] = {{"x", required_argument, NULL, OPT_X},
                                         {"y", required_argument, NULL, OPT_Y},
                                         {"col", required_argument, NULL, OPT_COL},
                                         {"by", required_argument, NULL, OPT_BY},
                                         STATS_TEST_OPTIONS,
                                         {NULL, 0, NULL, 0}};
    const char *cmd = "fxaudit stats mann-whitney", *xc = NULL, *yc = NULL, *col = NULL, *by = NULL;
    fx_wilcoxon_opts o;
    bool json = false, ci = false;
    int opt, rc;
    fx_wilcoxon_opts_init(&o);
    cli_getopt_reset();
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        const char **slot = opt == OPT_X     ? &xc
                            : opt == OPT_Y   ? &yc
                            : opt == OPT_COL ? &col
                            : opt == OPT_BY  ? &by
                                             : NULL;
        if (opt == OPT_HELP)
            return cli_help(mw_help);
        else if (slot)
            *slot = optarg;
        else if (opt == OPT_JSON)
            json = true;
        else if (opt == OPT_SPSS || opt == OPT_ZERO)
            return cli_usage(cmd, "--spss and --zero-method belong to the paired test");
        else if ((rc = stats_test_option(cmd, opt, optarg, &o, &ci)))
            return rc < 0 ? cli_usage(cmd, "unknown option") : rc;
    }
    if (optind != argc - 1 || !((xc && yc && !col && !by) || (col && by && !xc && !yc)))
        return cli_usage(cmd, "one CSV file and either --x, --y or --col, --by are needed");
    double *x = NULL, *y = NULL;
    size_t nx, ny, miss;
    char gx[128], gy[128];
    if (xc) {
        rc = stats_load_column(argv[optind], xc, &x, &nx, &miss);
        if (!rc)
            rc = stats_load_column(argv[optind], yc, &y, &ny, &miss);
        snprintf(gx, sizeof(gx), "%s", xc);
        snprintf(gy, sizeof(gy), "%s", yc);
    } else {
        rc = split_groups(argv[optind], col, by, &x, &nx, &y, &ny, gx, gy, sizeof(gx));
    }
    if (!rc) {
        fx_ranksum_result r;
        fx_error err;
        o.conf_int = true; /* as for wilcoxon: JSON always carries the estimate */
        if (fx_mannwhitney(x, nx, y, ny, &o, &r, &err) &&
            (ci || (o.conf_int = false, fx_mannwhitney(x, nx, y, ny, &o, &r, &err))))
            rc = cli_failf("'%s': %s", argv[optind], err.msg);
        else
            rc = mw_print(&r, gx, gy, &o, ci, json);
    }
    free(x);
    free(y);
    return rc;
}
