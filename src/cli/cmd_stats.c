/*
 * cmd_stats.c - `fxaudit stats <test>`: the study's statistical tests on
 * columns of a CSV file, printed as R prints them or as JSON. One row per
 * subcommand in the table below; friedman and mann-whitney live in
 * cmd_stats_groups.c.
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "outcomes_cli.h"
#include "stats_cli.h"

static int stats_wilcoxon(int argc, char **argv);
static int stats_spearman(int argc, char **argv);
static int stats_describe(int argc, char **argv);

static const struct cli_cmd stats_commands[] = {
    {"wilcoxon", stats_wilcoxon, "paired Wilcoxon signed-rank test (as R, or SPSS)"},
    {"spearman", stats_spearman, "Spearman rank correlation (as R's cor.test)"},
    {"describe", stats_describe, "n, mean, SD, median, quartiles (type 6 or 7), range"},
    {"friedman", cmd_stats_friedman, "Friedman test with Holm-corrected pairwise post-hoc"},
    {"mann-whitney", cmd_stats_mann_whitney, "Mann-Whitney U / Wilcoxon rank-sum test"},
    {"icc", cmd_stats_icc, "intraclass correlation, ICC(2,1) with 95 % CI (as psych::ICC)"},
    {"bland-altman", cmd_stats_bland_altman, "bias and 95 % limits of agreement"},
    {"study", cmd_stats_study, "the study's results section, computed from its store"},
    {NULL, NULL, NULL},
};

int cmd_stats(int argc, char **argv)
{
    return cli_subcommand(argc, argv, stats_commands, "fxaudit stats");
}

/* ---- wilcoxon ------------------------------------------------------------ */

static const char wilcoxon_help[] =
    "usage: fxaudit stats wilcoxon FILE.csv --x COL --y COL [options] [--json]\n\n"
    "Paired Wilcoxon signed-rank test of d = x - y (rows where x or y is empty are\n"
    "dropped). Without options it is R's wilcox.test(x, y, paired = TRUE): exact when\n"
    "n < 50 and there are no ties or zeros, otherwise the normal approximation with\n"
    "tie and continuity corrections.\n\n"
    "  --exact               exact p; with ties or zeros the exact conditional p\n"
    "                        (shift algorithm) - R would fall back to the approximation\n"
    "  --asymptotic          normal approximation\n"
    "  --correct, --no-correct   continuity correction of the approximation (default on)\n"
    "  --zero-method M       wilcox (drop zeros; default), pratt, zsplit\n"
    "  --alternative A       two-sided (default), less, greater\n"
    "  --conf-int            print the Hodges-Lehmann estimate and its CI (JSON has it always)\n"
    "  --conf-level L        default 0.95\n"
    "  --spss                SPSS: z from min(W+, W-), no continuity correction, p = 2 Phi(-|z|)\n"
    "  --json                machine-readable output\n";

struct wilcoxon_cmd {
    const char *file, *xcol, *ycol;
    fx_wilcoxon_opts o;
    bool ci, json;
};

static int wilcoxon_args(int argc, char **argv, struct wilcoxon_cmd *c)
{
    static const struct option opts[] = {{"x", required_argument, NULL, OPT_X},
                                         {"y", required_argument, NULL, OPT_Y},
                                         STATS_TEST_OPTIONS,
                                         {NULL, 0, NULL, 0}};
    const char *cmd = "fxaudit stats wilcoxon";
    int opt, rc;
    fx_wilcoxon_opts_init(&c->o);
    cli_getopt_reset();
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (opt == OPT_HELP)
            return cli_help(wilcoxon_help), -1;
        if (opt == OPT_X || opt == OPT_Y) {
            *(opt == OPT_X ? &c->xcol : &c->ycol) = optarg;
            continue;
        }
        if (opt == OPT_JSON) {
            c->json = true;
            continue;
        }
        rc = stats_test_option(cmd, opt, optarg, &c->o, &c->ci);
        if (rc)
            return rc < 0 ? cli_usage(cmd, "unknown option") : rc;
    }
    if (optind != argc - 1)
        return cli_usage(cmd, "one CSV file is needed");
    if (!c->xcol || !c->ycol)
        return cli_usage(cmd, "--x and --y name the two columns");
    if (c->o.spss && c->o.exact == FX_EXACT_YES)
        return cli_usage(cmd, "--spss is the normal approximation: it cannot be --exact");
    c->file = argv[optind];
    return EXIT_OK;
}

static json_t *ci_json(const double *ci)
{
    json_t *a = json_array();
    json_array_append_new(a, stats_json_num(ci[0]));
    json_array_append_new(a, stats_json_num(ci[1]));
    return a;
}

static json_t *wilcoxon_json(const struct wilcoxon_cmd *c, const fx_wilcoxon_result *r,
                             const fx_mean_diff *md, bool have_md, size_t n_missing)
{
    json_t *j = json_object(), *m = json_null();
    json_object_set_new(j, "x", json_string(c->xcol));
    json_object_set_new(j, "y", json_string(c->ycol));
    json_object_set_new(j, "n", json_integer((json_int_t)r->n));
    json_object_set_new(j, "n_pairs", json_integer((json_int_t)(r->n_pos + r->n_neg + r->n_zero)));
    json_object_set_new(j, "n_missing", json_integer((json_int_t)n_missing));
    json_object_set_new(j, "n_positive", json_integer((json_int_t)r->n_pos));
    json_object_set_new(j, "n_negative", json_integer((json_int_t)r->n_neg));
    json_object_set_new(j, "n_zero", json_integer((json_int_t)r->n_zero));
    json_object_set_new(j, "ties", json_boolean(r->ties));
    json_object_set_new(j, "statistic", json_real(r->statistic));
    json_object_set_new(j, "w_minus", json_real(r->w_minus));
    json_object_set_new(j, "p", stats_json_num(r->p));
    json_object_set_new(j, "z", stats_json_num(r->z));
    json_object_set_new(j, "exact", json_boolean(r->kind != FX_WILCOXON_NORMAL));
    json_object_set_new(j, "method", json_string(r->method));
    json_object_set_new(j, "alternative", json_string(stats_alt_name(c->o.alternative)));
    json_object_set_new(j, "estimate", stats_json_num(r->estimate));
    json_object_set_new(j, "conf_int", ci_json(r->conf_int));
    json_object_set_new(j, "conf_level", stats_json_num(r->conf_level));
    if (have_md) {
        m = json_object();
        json_object_set_new(m, "mean", json_real(md->mean));
        json_object_set_new(m, "sd", json_real(md->sd));
        json_object_set_new(m, "conf_int", ci_json(md->conf_int));
        json_object_set_new(m, "conf_level", json_real(md->conf_level));
        json_object_set_new(m, "method", json_string("paired t (R's t.test, paired = TRUE)"));
    }
    json_object_set_new(j, "mean_difference", m);
    return j;
}

static void wilcoxon_text(const struct wilcoxon_cmd *c, const fx_wilcoxon_result *r,
                          const fx_mean_diff *md, bool have_md, size_t n_missing)
{
    printf("\n\t%s\n\ndata:  %s and %s ('%s'): %zu pairs", r->method, c->xcol, c->ycol, c->file,
           r->n_pos + r->n_neg + r->n_zero);
    if (n_missing)
        printf(", %zu incomplete rows dropped", n_missing);
    if (r->n_zero)
        printf(", %zu zero differences", r->n_zero);
    printf("\nV = %.10g, ", r->statistic);
    if (isfinite(r->z))
        printf("z = %.6g, ", r->z);
    printf("p-value = %.6g\n", r->p);
    stats_print_alternative("location shift", c->o.alternative);
    if (c->ci) {
        char a[32], b[32], e[32];
        printf("%.10g percent confidence interval:\n %s %s\nsample estimates:\n"
               "(pseudo)median\n%s\n",
               100 * r->conf_level, stats_fmt(r->conf_int[0], a, 32),
               stats_fmt(r->conf_int[1], b, 32), stats_fmt(r->estimate, e, 32));
        if (r->conf_level != c->o.conf_level)
            printf("(the requested %g percent level is not achievable with these data)\n",
                   100 * c->o.conf_level);
    }
    if (have_md)
        printf("mean difference %.10g, %.10g percent CI (paired t) %.10g to %.10g\n", md->mean,
               100 * md->conf_level, md->conf_int[0], md->conf_int[1]);
    printf("\n");
}

static int stats_wilcoxon(int argc, char **argv)
{
    struct wilcoxon_cmd c = {0};
    double *x = NULL, *y = NULL;
    size_t n, n_missing;
    fx_wilcoxon_result r;
    fx_mean_diff md;
    fx_error err;
    int rc = wilcoxon_args(argc, argv, &c);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    rc = stats_load_pairs(c.file, c.xcol, c.ycol, &x, &y, &n, &n_missing);
    if (rc)
        return rc;
    /* The estimate is always computed for JSON; when it was not asked for, a
     * failure there must not sink the test itself. */
    fx_wilcoxon_opts o = c.o;
    o.conf_int = true;
    if (fx_wilcoxon_paired(x, y, n, &o, &r, &err)) {
        o.conf_int = c.ci;
        if (c.ci || fx_wilcoxon_paired(x, y, n, &o, &r, &err)) {
            rc = cli_failf("'%s': %s", c.file, err.msg);
            goto out;
        }
    }
    bool have_md = fx_stats_mean_diff(x, y, n, c.o.conf_level, &md, NULL) == FX_OK;
    if (c.json)
        rc = cli_print_json(wilcoxon_json(&c, &r, &md, have_md, n_missing));
    else
        wilcoxon_text(&c, &r, &md, have_md, n_missing);
out:
    free(x);
    free(y);
    return rc;
}

/* ---- spearman ------------------------------------------------------------ */

static const char spearman_help[] =
    "usage: fxaudit stats spearman FILE.csv --x COL --y COL [--alternative A] [--spss]\n"
    "                              [--json]\n\n"
    "Spearman's rank correlation of complete pairs, p-value as R's\n"
    "cor.test(method = \"spearman\"): without ties AS 89 (exact for n <= 9, Edgeworth\n"
    "series above), with ties the t approximation with n - 2 df. --spss: the t\n"
    "approximation always, as SPSS.\n";

static int stats_spearman(int argc, char **argv)
{
    static const struct option opts[] = {{"x", required_argument, NULL, OPT_X},
                                         {"y", required_argument, NULL, OPT_Y},
                                         {"alternative", required_argument, NULL, OPT_ALT},
                                         {"spss", no_argument, NULL, OPT_SPSS},
                                         {"json", no_argument, NULL, OPT_JSON},
                                         {"help", no_argument, NULL, OPT_HELP},
                                         {NULL, 0, NULL, 0}};
    const char *cmd = "fxaudit stats spearman", *xc = NULL, *yc = NULL;
    fx_wilcoxon_opts o;
    bool json = false, ci;
    int opt, rc;
    fx_wilcoxon_opts_init(&o);
    cli_getopt_reset();
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (opt == OPT_HELP)
            return cli_help(spearman_help);
        else if (opt == OPT_X || opt == OPT_Y)
            *(opt == OPT_X ? &xc : &yc) = optarg;
        else if (opt == OPT_JSON)
            json = true;
        else if ((rc = stats_test_option(cmd, opt, optarg, &o, &ci)))
            return rc < 0 ? cli_usage(cmd, "unknown option") : rc;
    }
    if (optind != argc - 1 || !xc || !yc)
        return cli_usage(cmd, "one CSV file and --x, --y are needed");
    double *x, *y;
    size_t n, n_missing;
    fx_spearman_result r;
    fx_error err;
    if ((rc = stats_load_pairs(argv[optind], xc, yc, &x, &y, &n, &n_missing)))
        return rc;
    rc = (o.spss ? fx_spearman_t : fx_spearman)(x, y, n, o.alternative, &r, &err);
    free(x);
    free(y);
    if (rc)
        return cli_failf("'%s': %s", argv[optind], err.msg);
    if (json) {
        json_t *j = json_object();
        json_object_set_new(j, "x", json_string(xc));
        json_object_set_new(j, "y", json_string(yc));
        json_object_set_new(j, "n", json_integer((json_int_t)r.n));
        json_object_set_new(j, "n_missing", json_integer((json_int_t)n_missing));
        json_object_set_new(j, "rho", json_real(r.rho));
        json_object_set_new(j, "statistic", json_real(r.statistic));
        json_object_set_new(j, "p", stats_json_num(r.p));
        json_object_set_new(j, "ties", json_boolean(r.ties));
        json_object_set_new(j, "method", json_string(r.method));
        json_object_set_new(j, "alternative", json_string(stats_alt_name(o.alternative)));
        return cli_print_json(j);
    }
    printf("\n\t%s\n\ndata:  %s and %s ('%s'): %zu pairs\nS = %.10g, p-value = %.6g\n", r.method,
           xc, yc, argv[optind], r.n, r.statistic, r.p);
    stats_print_alternative("rho", o.alternative);
    printf("sample estimates:\n      rho\n%.10g\n\n", r.rho);
    return EXIT_OK;
}

/* ---- describe ------------------------------------------------------------ */

static const char describe_help[] =
    "usage: fxaudit stats describe FILE.csv --col COL [--quantile-type 6|7] [--json]\n\n"
    "n, mean, SD, median, quartiles, minimum and maximum of a column (empty cells\n"
    "skipped). Quartiles by R's type 6 = SPSS's HAVERAGE, position (n + 1) p\n"
    "(default), or type 7 = R's default, position 1 + (n - 1) p.\n";

static int describe_print(const char *file, const char *col, const fx_describe *d, size_t n_missing,
                          bool json)
{
    const char *def = d->quantile_type == 6 ? "R type 6 (SPSS HAVERAGE)" : "R type 7 (R default)";
    if (!json) {
        printf("%s ('%s'): n = %zu", col, file, d->n);
        if (n_missing)
            printf(" (%zu missing)", n_missing);
        printf("\nmean %.10g, SD %.10g\nmedian %.10g, quartiles %.10g to %.10g [%s]\n"
               "min %.10g, max %.10g\n",
               d->mean, d->sd, d->median, d->q1, d->q3, def, d->min, d->max);
        return EXIT_OK;
    }
    json_t *j = json_object();
    json_object_set_new(j, "column", json_string(col));
    json_object_set_new(j, "n", json_integer((json_int_t)d->n));
    json_object_set_new(j, "n_missing", json_integer((json_int_t)n_missing));
    json_object_set_new(j, "mean", json_real(d->mean));
    json_object_set_new(j, "sd", stats_json_num(d->sd));
    json_object_set_new(j, "median", json_real(d->median));
    json_object_set_new(j, "q1", json_real(d->q1));
    json_object_set_new(j, "q3", json_real(d->q3));
    json_object_set_new(j, "iqr", json_real(d->q3 - d->q1));
    json_object_set_new(j, "min", json_real(d->min));
    json_object_set_new(j, "max", json_real(d->max));
    json_object_set_new(j, "quantile_type", json_integer(d->quantile_type));
    json_object_set_new(j, "method", json_string(def));
    return cli_print_json(j);
}

static int stats_describe(int argc, char **argv)
{
    static const struct option opts[] = {{"col", required_argument, NULL, OPT_COL},
                                         {"quantile-type", required_argument, NULL, OPT_QTYPE},
                                         {"json", no_argument, NULL, OPT_JSON},
                                         {"help", no_argument, NULL, OPT_HELP},
                                         {NULL, 0, NULL, 0}};
    const char *cmd = "fxaudit stats describe", *col = NULL;
    long type = 6;
    bool json = false;
    int opt;
    cli_getopt_reset();
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (opt == OPT_HELP)
            return cli_help(describe_help);
        else if (opt == OPT_COL)
            col = optarg;
        else if (opt == OPT_JSON)
            json = true;
        else if (opt == OPT_QTYPE) {
            if (cli_parse_int(cmd, "--quantile-type", optarg, 6, 7, &type))
                return EXIT_USAGE;
        } else
            return cli_usage(cmd, "unknown option");
    }
    if (optind != argc - 1 || !col)
        return cli_usage(cmd, "one CSV file and --col are needed");
    double *v;
    size_t n, n_missing;
    fx_describe d;
    fx_error err;
    int rc = stats_load_column(argv[optind], col, &v, &n, &n_missing);
    if (rc)
        return rc;
    rc = fx_stats_describe(v, n, (int)type, &d, &err);
    free(v);
    if (rc)
        return cli_failf("'%s', column '%s': %s", argv[optind], col, err.msg);
    return describe_print(argv[optind], col, &d, n_missing, json);
}
