/*
 * cmd_stats_agreement.c - `fxaudit stats icc` and `fxaudit stats bland-altman`:
 * observer agreement from a CSV file with one row per subject and one column
 * per observer (or per repeat of one observer, for intra-observer agreement).
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "fxaudit/agreement.h"
#include "agr_table.h"

static const char icc_help[] =
    "usage: fxaudit stats icc FILE.csv --cols A,B[,C...] [--conf-level P] [--json]\n"
    "\n"
    "Intraclass correlation of the chosen columns (one row per subject, one column\n"
    "per observer). The headline is ICC(2,1): two-way random effects, absolute\n"
    "agreement, single rater (Shrout & Fleiss 1979; McGraw & Wong 1996), with its\n"
    "F test and the confidence interval as R's psych::ICC reports it; all six\n"
    "Shrout-Fleiss forms are listed too. For intra-observer agreement give one\n"
    "observer's repeated measurements as the columns. Rows with an empty cell in\n"
    "a chosen column are dropped and counted.\n"
    "\n"
    "  --cols A,B,...   two or more column names from the header row\n"
    "  --conf-level P   confidence level of the intervals (default 0.95)\n"
    "  --json           keys: n, icc, conf_int [2], f, p, df1, df2, dropped, raters,\n"
    "                   columns, type, model, conf_level, forms [...], anova {...}\n";

static const char ba_help[] =
    "usage: fxaudit stats bland-altman FILE.csv --cols A,B [--json]\n"
    "\n"
    "Bland-Altman agreement of two columns: the bias (mean of A - B), the SD of\n"
    "the differences, the 95 % limits of agreement bias -/+ 1.96 SD, and 95 %\n"
    "confidence intervals of the bias and of each limit (t with n - 1 df; SE of a\n"
    "limit SD * sqrt(1/n + 1.96^2 / (2 (n - 1))), Bland & Altman 1999). Rows\n"
    "with an empty cell in either column are dropped and counted.\n"
    "\n"
    "  --cols A,B   the two column names; differences are A - B\n"
    "  --json       keys: n, bias, loa [2], sd, dropped, columns, difference,\n"
    "               bias_ci [2], loa_lower_ci [2], loa_upper_ci [2]\n";

/* JSON number, or null for a value that is not finite. */
static json_t *num(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

static json_t *pair(double a, double b)
{
    json_t *j = json_array();
    json_array_append_new(j, num(a));
    json_array_append_new(j, num(b));
    return j;
}

/* The shared options of both subcommands. Returns an exit code; on success
 * *file and *cols point into argv. */
static int parse_args(int argc, char **argv, const char *cmd, const char *help, const char **file,
                      const char **cols, double *level, bool *json)
{
    static const struct option opts[] = {{"cols", required_argument, NULL, 'c'},
                                         {"conf-level", required_argument, NULL, 'l'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c, rc;
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            *cols = optarg;
            break;
        case 'l':
            if (!level)
                return cli_usage(cmd, "unknown option '--conf-level'");
            if ((rc = cli_parse_double(cmd, "--conf-level", optarg, level)))
                return rc;
            if (!(*level > 0 && *level < 1))
                return cli_usage(cmd, "--conf-level must be between 0 and 1, not '%s'", optarg);
            break;
        case 'j':
            *json = true;
            break;
        case 'h':
            return cli_help(help);
        default:
            return cli_usage(cmd, "unknown option");
        }
    }
    if (optind != argc - 1)
        return cli_usage(cmd, optind >= argc ? "a CSV file is required"
                                             : "exactly one CSV file is expected");
    if (!*cols)
        return cli_usage(cmd, "--cols is required");
    *file = argv[optind];
    return EXIT_OK;
}

static json_t *icc_form_json(const fx_icc *r, int t)
{
    const fx_icc_form *f = &r->form[t];
    return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "type", fx_icc_type_name(t),
                     "model", fx_icc_type_description(t), "icc", num(f->icc), "conf_int",
                     pair(f->ci_lo, f->ci_hi), "f", num(f->f), "df1", num(f->df1), "df2",
                     num(f->df2), "p", num(f->p));
}

static int print_icc_json(const fx_icc *r, const agr_table *t)
{
    const fx_icc_form *f = &r->form[FX_ICC2];
    json_t *forms = json_array();
    for (int i = 0; i < FX_ICC_NTYPES; i++)
        json_array_append_new(forms, icc_form_json(r, i));
    json_t *j = json_pack(
        "{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:o, s:s, s:s, s:f, s:o, s:{s:o, s:o, "
        "s:o, s:o}}",
        "n", (json_int_t)r->n, "icc", num(f->icc), "conf_int", pair(f->ci_lo, f->ci_hi), "f",
        num(f->f), "p", num(f->p), "df1", num(f->df1), "df2", num(f->df2), "dropped",
        (json_int_t)r->dropped, "raters", (json_int_t)r->k, "columns", agr_table_names_json(t),
        "type", fx_icc_type_name(FX_ICC2), "model", fx_icc_type_description(FX_ICC2), "conf_level",
        1 - r->alpha, "forms", forms, "anova", "ms_rows", num(r->ms_rows), "ms_cols",
        num(r->ms_cols), "ms_error", num(r->ms_error), "ms_within", num(r->ms_within));
    return cli_print_json(j);
}

static void print_icc_text(const fx_icc *r)
{
    const fx_icc_form *f = &r->form[FX_ICC2];
    printf("ICC(2,1) = %.4f, %g %% CI %.4f to %.4f, F(%g, %g) = %.4g, p = %.4g\n", f->icc,
           100 * (1 - r->alpha), f->ci_lo, f->ci_hi, f->df1, f->df2, f->f, f->p);
    printf("%zu subjects, %zu raters", r->n, r->k);
    if (r->dropped)
        printf(", %zu row%s dropped for missing values", r->dropped, r->dropped == 1 ? "" : "s");
    printf("\n\n%-6s %9s %9s %9s %9s %5s %6s %10s\n", "type", "icc", "lower", "upper", "F", "df1",
           "df2", "p");
    for (int t = 0; t < FX_ICC_NTYPES; t++) {
        f = &r->form[t];
        printf("%-6s %9.4f %9.4f %9.4f %9.4g %5g %6g %10.4g  %s\n", fx_icc_type_name(t), f->icc,
               f->ci_lo, f->ci_hi, f->f, f->df1, f->df2, f->p, fx_icc_type_description(t));
    }
    if (!isfinite(r->form[FX_ICC2].f))
        printf("\nnote: the residual is zero (the raters differ by a constant at most), so F is "
               "infinite and some intervals are undefined\n");
}

int cmd_stats_icc(int argc, char **argv)
{
    const char *cmd = "fxaudit stats icc", *file = NULL, *cols = NULL;
    double level = 0.95;
    bool json = false;
    int rc = parse_args(argc, argv, cmd, icc_help, &file, &cols, &level, &json);
    if (rc || !file)
        return rc;

    agr_table *t = NULL;
    fx_error err = {0};
    fx_icc r;
    if ((rc = agr_table_read(cmd, file, cols, 2, 0, &t)))
        return rc;
    if (fx_icc_compute(agr_table_values(t), agr_table_rows(t), agr_table_cols(t), 1 - level, &r,
                       &err)) {
        fx_error_prefix(&err, "'%s'", file);
        rc = cli_error(&err);
    } else {
        rc = json ? print_icc_json(&r, t) : (print_icc_text(&r), EXIT_OK);
    }
    agr_table_free(t);
    return rc;
}

static int print_ba(const fx_bland_altman *r, const agr_table *t, bool json)
{
    const char *a = agr_table_name(t, 0), *b = agr_table_name(t, 1);
    char diff[256];
    snprintf(diff, sizeof(diff), "%s - %s", a, b);
    if (json)
        return cli_print_json(json_pack(
            "{s:I, s:o, s:o, s:o, s:I, s:o, s:s, s:o, s:o, s:o, s:f, s:f}", "n", (json_int_t)r->n,
            "bias", num(r->bias), "loa", pair(r->loa[0], r->loa[1]), "sd", num(r->sd), "dropped",
            (json_int_t)r->dropped, "columns", agr_table_names_json(t), "difference", diff,
            "bias_ci", pair(r->bias_ci[0], r->bias_ci[1]), "loa_lower_ci",
            pair(r->loa_lo_ci[0], r->loa_lo_ci[1]), "loa_upper_ci",
            pair(r->loa_hi_ci[0], r->loa_hi_ci[1]), "conf_level", 0.95, "z", 1.96));
    printf("differences %s, n = %zu", diff, r->n);
    if (r->dropped)
        printf(" (%zu dropped for missing values)", r->dropped);
    printf("\nbias %.4g (95 %% CI %.4g to %.4g), SD %.4g\n", r->bias, r->bias_ci[0], r->bias_ci[1],
           r->sd);
    printf("95 %% limits of agreement %.4g (CI %.4g to %.4g) to %.4g (CI %.4g to %.4g)\n",
           r->loa[0], r->loa_lo_ci[0], r->loa_lo_ci[1], r->loa[1], r->loa_hi_ci[0],
           r->loa_hi_ci[1]);
    return EXIT_OK;
}

int cmd_stats_bland_altman(int argc, char **argv)
{
    const char *cmd = "fxaudit stats bland-altman", *file = NULL, *cols = NULL;
    bool json = false;
    int rc = parse_args(argc, argv, cmd, ba_help, &file, &cols, NULL, &json);
    if (rc || !file)
        return rc;

    agr_table *t = NULL;
    fx_error err = {0};
    fx_bland_altman r;
    if ((rc = agr_table_read(cmd, file, cols, 2, 2, &t)))
        return rc;
    const double *x = agr_table_values(t);
    size_t n = agr_table_rows(t);
    double *a = malloc((n ? n : 1) * sizeof(*a)), *b = malloc((n ? n : 1) * sizeof(*b));
    if (!a || !b) {
        rc = cli_failf("out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        a[i] = x[2 * i], b[i] = x[2 * i + 1];
    if (fx_bland_altman_compute(a, b, n, &r, &err)) {
        fx_error_prefix(&err, "'%s'", file);
        rc = cli_error(&err);
    } else {
        rc = print_ba(&r, t, json);
    }
out:
    free(a);
    free(b);
    agr_table_free(t);
    return rc;
}
