/*
 * cmd_smfa_store.c - `fxaudit smfa add|import|list`: SMFA forms kept in a
 * study. The work (validation, storage, scoring) is in src/outcomes/
 * smfastore.c; this file parses options and prints.
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fxaudit/hash.h"
#include "fxaudit/smfastore.h"
#include "outcomes_cli.h"

static const char add_help[] =
    "usage: fxaudit smfa add --study DIR --patient CODE --occasion OCCASION\n"
    "                        [--months M | --date YYYY-MM-DD --surgery-date YYYY-MM-DD]\n"
    "                        --answers A1,A2,...,A46 [--key KEY] [--min-answered PCT] [--json]\n\n"
    "Store one SMFA form of a patient, item by item, and its scores (function index,\n"
    "bother index, and the subscales of KEY) in the study, in one transaction.\n"
    "--answers gives 46 comma-separated answers 1-5 (0 or empty = unanswered).\n"
    "The time is months after surgery; a date is turned into months after the\n"
    "surgery date and not stored (the study keeps no calendar dates). Occasion\n"
    "'other' needs its time.\n\n"
    "  --min-answered PCT  a scale is scored when >= PCT %% of its items are answered\n"
    "                      (default 50); the items used are stored and reported\n"
    "  --key KEY           subscale key file (docs/smfa.md); its name and SHA-256 are stored\n";

static const char import_help[] =
    "usage: fxaudit smfa import --study DIR FILE.csv [--key KEY] [--min-answered PCT] [--json]\n\n"
    "Store every form of FILE.csv, one per row: columns patient, occasion, item1 ..\n"
    "item46 (1-5, empty = unanswered) and optionally months, or date and\n"
    "surgery_date (YYYY-MM-DD). The whole file is one transaction: a bad row (an\n"
    "answer of 7, an unknown patient or occasion, a form already stored) names the\n"
    "file, line and problem, and nothing is stored.\n";

static const char list_help[] =
    "usage: fxaudit smfa list --study DIR [--patient CODE] [--json]\n\n"
    "List the study's SMFA forms with their answers and stored scores.\n";

enum { O_STUDY = 300, O_PATIENT, O_OCC, O_MONTHS, O_DATE, O_SURG, O_ANS, O_KEY, O_MIN, O_JSON };

struct smfa_opts {
    const char *study, *patient, *occasion, *months, *date, *surgery, *answers, *key, *file;
    double min_pct;
    bool json;
};

static const struct option smfa_long[] = {{"study", required_argument, NULL, O_STUDY},
                                          {"patient", required_argument, NULL, O_PATIENT},
                                          {"occasion", required_argument, NULL, O_OCC},
                                          {"months", required_argument, NULL, O_MONTHS},
                                          {"date", required_argument, NULL, O_DATE},
                                          {"surgery-date", required_argument, NULL, O_SURG},
                                          {"answers", required_argument, NULL, O_ANS},
                                          {"key", required_argument, NULL, O_KEY},
                                          {"min-answered", required_argument, NULL, O_MIN},
                                          {"json", no_argument, NULL, O_JSON},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};

static int parse_min(const char *cmd, const char *arg, double *pct)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%s", arg);
    size_t l = strlen(buf);
    if (l && buf[l - 1] == '%')
        buf[l - 1] = '\0';
    if (cli_parse_double(cmd, "--min-answered", buf, pct))
        return EXIT_USAGE;
    if (*pct < 0 || *pct > 100)
        return cli_usage(cmd, "--min-answered is a percentage 0-100, not '%s'", arg);
    return EXIT_OK;
}

static void print_occasions(void)
{
    printf("\noccasions (the study's list):");
    for (const char *const *v = fx_store_enum_values("occasion"); v && *v; v++)
        printf(" %s", *v);
    printf("\n");
}

/* Parse the options of add/import/list; -1 after --help. */
static int parse(int argc, char **argv, const char *cmd, const char *help, struct smfa_opts *o)
{
    const char **slot[] = {[O_STUDY - O_STUDY] = &o->study,  [O_PATIENT - O_STUDY] = &o->patient,
                           [O_OCC - O_STUDY] = &o->occasion, [O_MONTHS - O_STUDY] = &o->months,
                           [O_DATE - O_STUDY] = &o->date,    [O_SURG - O_STUDY] = &o->surgery,
                           [O_ANS - O_STUDY] = &o->answers,  [O_KEY - O_STUDY] = &o->key};
    int c;
    o->min_pct = 50;
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "h", smfa_long, NULL)) != -1) {
        if (c == 'h') {
            cli_help(help);
            if (help != list_help)
                print_occasions();
            return -1;
        }
        if (c >= O_STUDY && c <= O_KEY)
            *slot[c - O_STUDY] = optarg;
        else if (c == O_MIN) {
            if (parse_min(cmd, optarg, &o->min_pct))
                return EXIT_USAGE;
        } else if (c == O_JSON)
            o->json = true;
        else
            return cli_usage(cmd, "unknown option");
    }
    if (!o->study)
        return cli_usage(cmd, "which study? give --study DIR");
    if (help == import_help) {
        if (optind != argc - 1)
            return cli_usage(cmd, "one CSV file of forms is needed");
        o->file = argv[optind];
    } else if (optind != argc) {
        return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
    }
    return EXIT_OK;
}

/* The key file, its SHA-256 and the name recorded with the scores. */
static int load_key(const char *path, fx_smfa_key *key, fx_smfa_scoring *sc)
{
    fx_error err;
    if (!path)
        return EXIT_OK;
    if (fx_smfa_key_read(path, key, &err) || fx_sha256_file(path, sc->key_sha256, &err))
        return cli_error(&err);
    const char *base = strrchr(path, '/');
    sc->key = key;
    sc->key_name = base ? base + 1 : path;
    return EXIT_OK;
}

/* "1,2,,5,..." into 46 answers (0 = unanswered). */
static int parse_answers(const char *s, int answers[FX_SMFA_ITEMS])
{
    int item = 0;
    const char *p = s;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char cell[16];
        if (item == FX_SMFA_ITEMS)
            return cli_failf("--answers: more than %d answers", FX_SMFA_ITEMS);
        while (len && (*p == ' ' || *p == '\t'))
            p++, len--;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        snprintf(cell, sizeof(cell), "%.*s", (int)(len < 15 ? len : 15), p);
        if (len == 0)
            answers[item] = 0;
        else if (len == 1 && cell[0] >= '0' && cell[0] <= '5')
            answers[item] = cell[0] - '0';
        else
            return cli_failf("--answers: item %d: answer '%s' is not one of 1, 2, 3, 4, 5 "
                             "(0 or empty: unanswered)",
                             item + 1, cell);
        item++;
        if (!end)
            break;
        p = end + 1;
    }
    if (item != FX_SMFA_ITEMS)
        return cli_failf("--answers: %d answers given, the SMFA has %d items", item, FX_SMFA_ITEMS);
    return EXIT_OK;
}

static int build_entry(const char *cmd, const struct smfa_opts *o, fx_smfa_entry *e)
{
    fx_error err;
    if (!o->patient || !o->occasion || !o->answers)
        return cli_usage(cmd, "--patient, --occasion and --answers are needed");
    if (o->months && o->date)
        return cli_usage(cmd, "give --months or --date, not both");
    if (o->date && !o->surgery)
        return cli_usage(cmd, "--date needs --surgery-date (the study stores months after "
                              "surgery, not dates)");
    memset(e, 0, sizeof(*e));
    snprintf(e->patient, sizeof(e->patient), "%s", o->patient);
    snprintf(e->occasion, sizeof(e->occasion), "%s", o->occasion);
    e->months_after_surgery = NAN;
    if (o->months && cli_parse_double(cmd, "--months", o->months, &e->months_after_surgery))
        return EXIT_USAGE;
    if (o->date && fx_smfastore_months(o->date, o->surgery, &e->months_after_surgery, &err))
        return cli_error(&err);
    if (fx_store_enum_check("occasion", o->occasion, &err))
        return cli_usage(cmd, "%s", err.msg);
    return parse_answers(o->answers, e->answers);
}

static void print_scores(json_t *form)
{
    const char *name;
    json_t *v;
    json_object_foreach(json_object_get(form, "scores"), name, v)
    {
        json_t *sc = json_object_get(v, "score");
        long long used = json_integer_value(json_object_get(v, "items_used"));
        long long items = json_integer_value(json_object_get(v, "items"));
        char score[32], count[64];
        if (json_is_number(sc))
            snprintf(score, sizeof(score), "%7.2f", json_number_value(sc));
        else
            snprintf(score, sizeof(score), "%7s", "-");
        if (items) /* just scored: the scale's size is known */
            snprintf(count, sizeof(count), "%lld of %lld items%s", used, items,
                     json_is_number(sc) ? "" : ": too few, not scored");
        else
            snprintf(count, sizeof(count), "%lld items used", used);
        printf("  %-24s %s  (%s)\n", name, score, count);
    }
}

static void print_form(json_t *f)
{
    json_t *m = json_object_get(f, "months_after_surgery");
    printf("SMFA form %lld: patient %s, %s",
           (long long)json_integer_value(json_object_get(f, "form_id")),
           json_string_value(json_object_get(f, "patient")),
           json_string_value(json_object_get(f, "occasion")));
    if (json_is_number(m))
        printf(", %g months after surgery", json_number_value(m));
    printf("\n");
    print_scores(f);
}

static int store_and_print(struct smfa_opts *o, fx_smfa_entry *e, const fx_smfa_scoring *sc)
{
    fx_store *s = NULL;
    json_t *out = NULL;
    fx_error err;
    int rc = fx_store_open(o->study, &s, &err);
    if (!rc)
        rc = o->file ? fx_smfastore_import(s, o->file, sc, &out, &err)
                     : fx_smfastore_add(s, e, sc, &out, &err);
    fx_store_close(s);
    if (rc)
        return cli_error(&err);
    if (o->json)
        return cli_print_json(out);
    printf("scores 0-100, higher = worse; a scale is scored when at least %g %% of its items "
           "are answered\n",
           sc->min_percent);
    if (o->file) {
        size_t i;
        json_t *f;
        printf("imported %lld forms from '%s'\n",
               (long long)json_integer_value(json_object_get(out, "n_forms")), o->file);
        json_array_foreach(json_object_get(out, "forms"), i, f) print_form(f);
    } else {
        print_form(out);
    }
    json_decref(out);
    return EXIT_OK;
}

static int add_or_import(int argc, char **argv, const char *cmd, const char *help)
{
    struct smfa_opts o = {0};
    fx_smfa_entry e;
    fx_smfa_key key = {0};
    fx_smfa_scoring sc = {0};
    int rc = parse(argc, argv, cmd, help, &o);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (help == import_help && (o.patient || o.occasion || o.answers || o.months || o.date))
        return cli_usage(cmd, "the file gives patient, occasion, time and answers per row");
    if (help == add_help && (rc = build_entry(cmd, &o, &e)))
        return rc;
    sc.min_percent = o.min_pct;
    rc = load_key(o.key, &key, &sc);
    if (!rc)
        rc = store_and_print(&o, &e, &sc);
    fx_smfa_key_free(&key);
    return rc;
}

int cmd_smfa_add(int argc, char **argv)
{
    return add_or_import(argc, argv, "fxaudit smfa add", add_help);
}

int cmd_smfa_import(int argc, char **argv)
{
    return add_or_import(argc, argv, "fxaudit smfa import", import_help);
}

static void list_text(json_t *out)
{
    size_t i;
    json_t *f;
    if (!json_array_size(json_object_get(out, "forms")))
        printf("no SMFA forms stored\n");
    json_array_foreach(json_object_get(out, "forms"), i, f)
    {
        size_t k, answered = 0;
        json_t *a;
        json_array_foreach(json_object_get(f, "answers"), k, a) answered += !json_is_null(a);
        print_form(f);
        printf("  %-24s %7zu of 46\n", "items answered", answered);
    }
}

int cmd_smfa_list(int argc, char **argv)
{
    const char *cmd = "fxaudit smfa list";
    struct smfa_opts o = {0};
    fx_store *s = NULL;
    json_t *out = NULL;
    fx_error err;
    int rc = parse(argc, argv, cmd, list_help, &o);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (o.occasion || o.answers || o.months || o.date || o.key)
        return cli_usage(cmd, "list takes --study, --patient and --json only");
    rc = fx_store_open(o.study, &s, &err);
    if (!rc)
        rc = fx_smfastore_list(s, o.patient, &out, &err);
    fx_store_close(s);
    if (rc)
        return cli_error(&err);
    if (o.json)
        return cli_print_json(out);
    list_text(out);
    json_decref(out);
    return EXIT_OK;
}
