/*
 * cmd_stats_study.c - `fxaudit stats study`: prints the study's results
 * section, computed by src/outcomes/studystats.c, as text for reading, as a
 * long CSV table (one figure per row) for SPSS and R, or as JSON.
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fxaudit/studystats.h"
#include "outcomes_cli.h"

static const char study_help[] =
    "usage: fxaudit stats study --study DIR [--spss] [--quantile-type 6|7]\n"
    "                           [--format text|csv|json] [--json]\n\n"
    "The seed study's results section from a study's store: pre- vs post-op gap and\n"
    "step-off (median and IQR, Wilcoxon signed-rank P, mean difference with 95 %% CI)\n"
    "from the consensus values; screw deviations (median and IQR); grades per scheme;\n"
    "SMFA function and bother index at pre-injury, 3 months and 1 year with Wilcoxon P\n"
    "between them and the Friedman test; Spearman between the post-op gap and\n"
    "step-off and the 1-year SMFA function index. Every figure names its method and n.\n\n"
    "  --spss             SPSS's conventions: Wilcoxon by the normal approximation without\n"
    "                     continuity correction, Spearman P by the t approximation\n"
    "                     (default: R's wilcox.test and cor.test)\n"
    "  --quantile-type T  quartiles by type 6 (SPSS HAVERAGE, default) or 7 (R's default)\n"
    "  --format F         text (default), csv (one figure per row, for SPSS/R) or json\n"
    "  --json             the same as --format json\n";

enum { S_STUDY = 400, S_SPSS, S_QTYPE, S_FORMAT, S_JSON };
enum { F_TEXT, F_CSV, F_JSON };

static int study_args(int argc, char **argv, const char **dir, int *format, fx_studystats_opts *o)
{
    static const struct option opts[] = {{"study", required_argument, NULL, S_STUDY},
                                         {"spss", no_argument, NULL, S_SPSS},
                                         {"quantile-type", required_argument, NULL, S_QTYPE},
                                         {"format", required_argument, NULL, S_FORMAT},
                                         {"json", no_argument, NULL, S_JSON},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *cmd = "fxaudit stats study";
    long qt;
    int c;
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h')
            return cli_help(study_help), -1;
        if (c == S_STUDY)
            *dir = optarg;
        else if (c == S_SPSS)
            o->spss = true;
        else if (c == S_JSON)
            *format = F_JSON;
        else if (c == S_QTYPE) {
            if (cli_parse_int(cmd, "--quantile-type", optarg, 6, 7, &qt))
                return EXIT_USAGE;
            o->quantile_type = (int)qt;
        } else if (c == S_FORMAT) {
            if (!strcmp(optarg, "text") || !strcmp(optarg, "csv") || !strcmp(optarg, "json"))
                *format = optarg[0] == 't' ? F_TEXT : optarg[0] == 'c' ? F_CSV : F_JSON;
            else
                return cli_usage(cmd, "--format is text, csv or json, not '%s'", optarg);
        } else
            return cli_usage(cmd, "unknown option");
    }
    if (optind != argc)
        return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
    if (!*dir)
        return cli_usage(cmd, "which study? give --study DIR");
    return EXIT_OK;
}

/* ---- CSV: section, quantity, group, statistic, value, n, method ---------- */

static void csv_str(const char *s)
{
    putchar('"');
    for (; s && *s; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}

static void csv_row(const char *sec, const char *qty, const char *grp, const char *stat,
                    json_t *value, json_t *n, const char *method)
{
    printf("%s,%s,", sec, qty);
    csv_str(grp);
    printf(",%s,", stat);
    if (json_is_number(value))
        printf("%.15g", json_number_value(value));
    printf(",");
    if (json_is_integer(n))
        printf("%lld", (long long)json_integer_value(n));
    printf(",");
    csv_str(method);
    printf("\n");
}

static void csv_fields(const char *sec, const char *qty, const char *grp, json_t *o,
                       const char *const *fields, const char *ncol)
{
    const char *method = json_string_value(json_object_get(o, "method"));
    for (; *fields; fields++)
        csv_row(sec, qty, grp, *fields, json_object_get(o, *fields), json_object_get(o, ncol),
                method);
}

static const char *const desc_fields[] = {"median", "q1", "q3", "min", "max", "mean", "sd", NULL};
static const char *const test_fields[] = {"statistic", "z", "p", "p_holm", NULL};

static void csv_paired(const char *qty, json_t *b)
{
    json_t *md = json_object_get(b, "mean_difference"), *ci = json_object_get(md, "conf_int");
    const char *m = json_string_value(json_object_get(md, "method"));
    csv_fields("reduction", qty, "preop", json_object_get(b, "preop"), desc_fields, "n");
    csv_fields("reduction", qty, "postop", json_object_get(b, "postop"), desc_fields, "n");
    csv_fields("reduction", qty, "preop - postop", json_object_get(b, "test"), test_fields, "n");
    csv_row("reduction", qty, "preop - postop", "mean_difference", json_object_get(md, "mean"),
            json_object_get(md, "n"), m);
    csv_row("reduction", qty, "preop - postop", "ci_low", json_array_get(ci, 0),
            json_object_get(md, "n"), m);
    csv_row("reduction", qty, "preop - postop", "ci_high", json_array_get(ci, 1),
            json_object_get(md, "n"), m);
}

static void csv_grades_smfa(json_t *r)
{
    size_t i, k;
    json_t *g, *c;
    json_array_foreach(json_object_get(json_object_get(r, "grades"), "schemes"), i, g)
    {
        const char *scheme = json_string_value(json_object_get(g, "scheme"));
        const char *tp = json_string_value(json_object_get(g, "timepoint"));
        json_array_foreach(json_object_get(g, "counts"), k, c)
            csv_row("grades", scheme, tp, json_string_value(json_object_get(c, "grade")),
                    json_object_get(c, "n"), json_object_get(g, "n"),
                    json_string_value(json_object_get(g, "method")));
    }
    json_array_foreach(json_object_get(json_object_get(r, "smfa"), "scales"), i, g)
    {
        const char *scale = json_string_value(json_object_get(g, "scale")), *occ;
        char grp[64];
        json_object_foreach(json_object_get(g, "by_occasion"), occ, c)
            csv_fields("smfa", scale, occ, c, desc_fields, "n");
        json_array_foreach(json_object_get(g, "comparisons"), k, c)
        {
            snprintf(grp, sizeof(grp), "%s - %s", json_string_value(json_object_get(c, "a")),
                     json_string_value(json_object_get(c, "b")));
            csv_fields("smfa", scale, grp, c, test_fields, "n");
        }
        static const char *const fr[] = {"statistic", "df", "p", NULL};
        csv_fields("smfa", scale, "pre-injury, 3-months, 1-year", json_object_get(g, "friedman"),
                   fr, "n");
    }
}

static void print_csv(json_t *r)
{
    static const char *const screws[] = {"angle_deg", "entry_mm", "tip_mm", "length_diff_mm",
                                         "abs_length_diff_mm"};
    static const char *const corr[] = {"rho", "statistic", "p", NULL};
    json_t *red = json_object_get(r, "reduction"), *sc = json_object_get(r, "screws"), *c;
    size_t i;
    printf("section,quantity,group,statistic,value,n,method\n");
    csv_paired("gap_mm", json_object_get(red, "gap_mm"));
    csv_paired("step_mm", json_object_get(red, "step_mm"));
    for (size_t k = 0; k < 5; k++)
        csv_fields("screws", screws[k], "", json_object_get(sc, screws[k]), desc_fields, "n");
    csv_row("screws", "screws", "", "n_not_placed", json_object_get(sc, "n_not_placed"),
            json_object_get(sc, "n_planned"), "count");
    csv_row("screws", "screws", "", "n_joint_penetration",
            json_object_get(sc, "n_joint_penetration"), json_object_get(sc, "n_planned"), "count");
    csv_grades_smfa(r);
    json_array_foreach(json_object_get(json_object_get(r, "correlations"), "pairs"), i, c)
    {
        char q[128];
        snprintf(q, sizeof(q), "%s ~ %s", json_string_value(json_object_get(c, "x")),
                 json_string_value(json_object_get(c, "y")));
        csv_fields("correlations", "spearman", q, c, corr, "n");
    }
}

/* ---- text ----------------------------------------------------------------- */

static double num(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static long long cnt(json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

static void text_desc(const char *label, json_t *d)
{
    if (!cnt(d, "n")) {
        printf("    %-22s no values\n", label);
        return;
    }
    printf("    %-22s median %.4g (IQR %.4g to %.4g), n = %lld\n", label, num(d, "median"),
           num(d, "q1"), num(d, "q3"), cnt(d, "n"));
}

static void text_test(const char *label, json_t *t)
{
    if (!json_is_number(json_object_get(t, "p"))) {
        printf("    %-22s not tested: %s (pairs: %lld)\n", label,
               json_string_value(json_object_get(t, "message")), cnt(t, "n_pairs"));
        return;
    }
    printf("    %-22s P = %.3g (p = %.6g", label, num(t, "p"), num(t, "p"));
    if (isfinite(num(t, "z")))
        printf(", z = %.4g", num(t, "z"));
    printf(", V = %g", num(t, "statistic"));
    if (isfinite(num(t, "p_holm")))
        printf(", Holm-adjusted p = %.6g", num(t, "p_holm"));
    printf("), n = %lld of %lld pairs\n      %s\n", cnt(t, "n"), cnt(t, "n_pairs"),
           json_string_value(json_object_get(t, "method")));
}

static void text_reduction(json_t *red)
{
    static const char *const q[] = {"gap_mm", "step_mm"};
    printf("\nReduction: gap and step-off (mm), pre- vs post-op\n  source: %s\n",
           json_string_value(json_object_get(red, "source")));
    if (json_object_get(red, "message")) {
        printf("  %s\n", json_string_value(json_object_get(red, "message")));
        return;
    }
    for (int i = 0; i < 2; i++) {
        json_t *b = json_object_get(red, q[i]), *md = json_object_get(b, "mean_difference");
        printf("  %s\n", i ? "step-off (mm)" : "gap (mm)");
        text_desc("pre-op", json_object_get(b, "preop"));
        text_desc("post-op", json_object_get(b, "postop"));
        text_test("pre - post", json_object_get(b, "test"));
        if (isfinite(num(md, "mean")))
            printf("    %-22s %.4g (95 %% CI %.4g to %.4g), n = %lld\n      %s\n",
                   "mean difference", num(md, "mean"),
                   json_number_value(json_array_get(json_object_get(md, "conf_int"), 0)),
                   json_number_value(json_array_get(json_object_get(md, "conf_int"), 1)),
                   cnt(md, "n"), json_string_value(json_object_get(md, "method")));
    }
    json_t *wait = json_object_get(red, "awaiting_consensus"), *w;
    size_t k;
    if (json_array_size(wait))
        printf("  left out, measured by several observers and awaiting a consensus:");
    json_array_foreach(wait, k, w)
        printf(" %s%s", json_string_value(w), k + 1 < json_array_size(wait) ? "," : "\n");
}

static void text_screws(json_t *sc)
{
    static const char *const q[] = {"angle_deg", "entry_mm", "tip_mm", "length_diff_mm",
                                    "abs_length_diff_mm"};
    printf("\nScrew deviations, planned vs actual\n  source: %s\n",
           json_string_value(json_object_get(sc, "source")));
    if (json_object_get(sc, "message")) {
        printf("  %s\n", json_string_value(json_object_get(sc, "message")));
        return;
    }
    printf("  %lld planned screws: %lld placed, %lld not placed, %lld entering the joint\n",
           cnt(sc, "n_planned"), cnt(sc, "n_placed"), cnt(sc, "n_not_placed"),
           cnt(sc, "n_joint_penetration"));
    for (int i = 0; i < 5; i++)
        text_desc(q[i], json_object_get(sc, q[i]));
    printf("      %s\n",
           json_string_value(json_object_get(json_object_get(sc, "angle_deg"), "method")));
}

static void text_grades(json_t *gr)
{
    size_t i, k;
    json_t *g, *c;
    printf("\nGrades per scheme (count of patients per grade)\n");
    if (json_object_get(gr, "message"))
        printf("  %s\n", json_string_value(json_object_get(gr, "message")));
    json_array_foreach(json_object_get(gr, "schemes"), i, g)
    {
        printf("  %-10s %-8s", json_string_value(json_object_get(g, "scheme")),
               json_string_value(json_object_get(g, "timepoint")));
        json_array_foreach(json_object_get(g, "counts"), k, c)
            printf(" %s %lld/%lld", json_string_value(json_object_get(c, "grade")), cnt(c, "n"),
                   cnt(g, "n"));
        printf("\n");
    }
}

static void text_smfa(json_t *sm)
{
    size_t i, k;
    json_t *s, *c;
    printf("\nSMFA (0-100, higher = worse)\n  source: %s\n",
           json_string_value(json_object_get(sm, "source")));
    if (json_object_get(sm, "message")) {
        printf("  %s\n", json_string_value(json_object_get(sm, "message")));
        return;
    }
    json_array_foreach(json_object_get(sm, "scales"), i, s)
    {
        const char *occ;
        json_t *fr = json_object_get(s, "friedman");
        printf("  %s\n", json_string_value(json_object_get(s, "scale")));
        json_object_foreach(json_object_get(s, "by_occasion"), occ, c) text_desc(occ, c);
        json_array_foreach(json_object_get(s, "comparisons"), k, c)
        {
            char label[64];
            snprintf(label, sizeof(label), "%s - %s", json_string_value(json_object_get(c, "a")),
                     json_string_value(json_object_get(c, "b")));
            text_test(label, c);
        }
        if (json_is_number(json_object_get(fr, "p")))
            printf("    %-22s P = %.3g (chi-squared %.4g, df %g), n = %lld\n      %s\n",
                   "Friedman, 3 occasions", num(fr, "p"), num(fr, "statistic"), num(fr, "df"),
                   cnt(fr, "n"), json_string_value(json_object_get(fr, "method")));
        else
            printf("    %-22s not tested: %s\n", "Friedman, 3 occasions",
                   json_string_value(json_object_get(fr, "message")));
    }
}

static void text_correlations(json_t *co)
{
    size_t i;
    json_t *c;
    printf("\nSpearman: post-op reduction vs 1-year SMFA function index\n");
    json_array_foreach(json_object_get(co, "pairs"), i, c)
    {
        const char *x = json_string_value(json_object_get(c, "x"));
        if (!json_is_number(json_object_get(c, "rho")))
            printf("  %-18s not computed: %s\n", x,
                   json_string_value(json_object_get(c, "message")));
        else
            printf("  %-18s rho = %.4g, P = %.3g (p = %.6g), n = %lld\n    %s\n", x, num(c, "rho"),
                   num(c, "p"), num(c, "p"), cnt(c, "n"),
                   json_string_value(json_object_get(c, "method")));
    }
}

static void print_text(json_t *r)
{
    printf("Study statistics of '%s': %lld patients; tests as %s; quartiles by type %lld\n",
           json_string_value(json_object_get(r, "study")), cnt(r, "n_patients"),
           json_string_value(json_object_get(r, "convention")), cnt(r, "quantile_type"));
    text_reduction(json_object_get(r, "reduction"));
    text_screws(json_object_get(r, "screws"));
    text_grades(json_object_get(r, "grades"));
    text_smfa(json_object_get(r, "smfa"));
    text_correlations(json_object_get(r, "correlations"));
}

int cmd_stats_study(int argc, char **argv)
{
    const char *dir = NULL;
    int format = F_TEXT;
    fx_studystats_opts o;
    fx_store *s = NULL;
    json_t *r = NULL;
    fx_error err;
    fx_studystats_opts_init(&o);
    int rc = study_args(argc, argv, &dir, &format, &o);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    rc = fx_store_open(dir, &s, &err);
    if (!rc)
        rc = fx_studystats_compute(s, &o, &r, &err);
    fx_store_close(s);
    if (rc)
        return cli_error(&err);
    if (format == F_JSON)
        return cli_print_json(r);
    if (format == F_CSV)
        print_csv(r);
    else
        print_text(r);
    json_decref(r);
    return EXIT_OK;
}
