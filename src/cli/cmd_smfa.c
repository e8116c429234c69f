/*
 * cmd_smfa.c - `fxaudit smfa score`: scores SMFA forms from a CSV file (one
 * row per form, columns item1 .. item46) into the function and bother indices
 * and, with a key file, the user's subscales. Storing forms in a study
 * (add, import, list) is in cmd_smfa_store.c.
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "fxaudit/csv.h"
#include "fxaudit/smfa.h"
#include "outcomes_cli.h"

static int smfa_score(int argc, char **argv);

static const struct cli_cmd smfa_commands[] = {
    {"score", smfa_score, "score SMFA forms from a CSV file"},
    {"add", cmd_smfa_add, "store one SMFA form in a study, with its scores"},
    {"import", cmd_smfa_import, "store the SMFA forms of a CSV file in a study (all or none)"},
    {"list", cmd_smfa_list, "list a study's SMFA forms and scores"},
    {NULL, NULL, NULL},
};

int cmd_smfa(int argc, char **argv)
{
    return cli_subcommand(argc, argv, smfa_commands, "fxaudit smfa");
}

static const char score_help[] =
    "usage: fxaudit smfa score FILE.csv [--key KEY] [--min-answered PCT] [--id COL] [--json]\n\n"
    "Scores SMFA forms, one per row, from columns item1 .. item46 (answers 1-5, an\n"
    "empty cell is an unanswered item; higher = worse). Function index: items 1-34;\n"
    "bother index: items 35-46; a scale with k answered items scores\n"
    "(sum - k) / (4k) x 100. A scale is scored only when at least PCT %% of its items\n"
    "are answered (default 50: at least half); the items used are always reported.\n\n"
    "  --key KEY          subscales from a key file (format: docs/smfa.md)\n"
    "  --min-answered PCT the missing-item rule, 0-100 (a trailing %% is allowed)\n"
    "  --id COL           a column identifying each form (default: 'id' when present)\n"
    "  --json             machine-readable output\n";

struct score_cmd {
    const char *file, *key_path, *id_col;
    double min_pct;
    bool json;
};

enum { O_KEY = 1, O_MIN, O_ID, O_JSON, O_HELP };

static int score_args(int argc, char **argv, struct score_cmd *c)
{
    static const struct option opts[] = {
        {"key", required_argument, NULL, O_KEY}, {"min-answered", required_argument, NULL, O_MIN},
        {"id", required_argument, NULL, O_ID},   {"json", no_argument, NULL, O_JSON},
        {"help", no_argument, NULL, O_HELP},     {NULL, 0, NULL, 0}};
    const char *cmd = "fxaudit smfa score";
    int opt;
    c->min_pct = 50;
    cli_getopt_reset();
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case O_HELP:
            return cli_help(score_help), -1;
        case O_KEY:
            c->key_path = optarg;
            break;
        case O_ID:
            c->id_col = optarg;
            break;
        case O_JSON:
            c->json = true;
            break;
        case O_MIN: {
            char buf[64];
            snprintf(buf, sizeof(buf), "%s", optarg);
            size_t l = strlen(buf);
            if (l && buf[l - 1] == '%')
                buf[l - 1] = '\0';
            if (cli_parse_double(cmd, "--min-answered", buf, &c->min_pct))
                return EXIT_USAGE;
            if (c->min_pct < 0 || c->min_pct > 100)
                return cli_usage(cmd, "--min-answered is a percentage 0-100, not '%s'", optarg);
            break;
        }
        default:
            return cli_usage(cmd, "unknown option");
        }
    }
    if (optind != argc - 1)
        return cli_usage(cmd, "one CSV file of forms is needed");
    c->file = argv[optind];
    return EXIT_OK;
}

static json_t *scale_json(const fx_smfa_score *s)
{
    json_t *j = json_object();
    json_object_set_new(j, "score", isfinite(s->score) ? json_real(s->score) : json_null());
    json_object_set_new(j, "items_answered", json_integer(s->answered));
    json_object_set_new(j, "items", json_integer(s->items));
    json_object_set_new(j, "items_required", json_integer(s->required));
    return j;
}

static json_t *form_json(const fx_smfa_form *f, size_t row, const fx_smfa_key *key, double pct)
{
    fx_smfa_score fi, bi, s;
    json_t *j = json_object();
    int answered = 0;
    for (int i = 0; i < FX_SMFA_ITEMS; i++)
        answered += f->answer[i] != 0;
    fx_smfa_score_scale(f, &fx_smfa_function_index, pct, &fi);
    fx_smfa_score_scale(f, &fx_smfa_bother_index, pct, &bi);
    json_object_set_new(j, "row", json_integer((json_int_t)row + 1));
    json_object_set_new(j, "line", json_integer((json_int_t)f->line));
    json_object_set_new(j, "id", f->id[0] ? json_string(f->id) : json_null());
    json_object_set_new(j, "function_index",
                        isfinite(fi.score) ? json_real(fi.score) : json_null());
    json_object_set_new(j, "function_items_answered", json_integer(fi.answered));
    json_object_set_new(j, "bother_index", isfinite(bi.score) ? json_real(bi.score) : json_null());
    json_object_set_new(j, "bother_items_answered", json_integer(bi.answered));
    json_object_set_new(j, "items_answered", json_integer(answered));
    if (key) {
        json_t *sub = json_object();
        for (size_t k = 0; k < key->n; k++) {
            fx_smfa_score_scale(f, &key->scales[k], pct, &s);
            json_object_set_new(sub, key->scales[k].name, scale_json(&s));
        }
        json_object_set_new(j, "subscales", sub);
    }
    return j;
}

static void print_score(const fx_smfa_score *s)
{
    char cell[64];
    if (isfinite(s->score))
        snprintf(cell, sizeof(cell), "%.2f (%d/%d)", s->score, s->answered, s->items);
    else
        snprintf(cell, sizeof(cell), "- (%d/%d)", s->answered, s->items);
    printf(" %17s", cell);
}

static void score_text(const struct score_cmd *c, const fx_smfa_form *f, size_t n,
                       const fx_smfa_key *key)
{
    printf("SMFA scores of '%s': transformed 0-100, higher = worse; a scale is scored when "
           "at least %g %% of its items are answered (items answered/items in brackets)\n\n"
           "%-12s %17s %17s",
           c->file, c->min_pct, "form", "function index", "bother index");
    for (size_t k = 0; key && k < key->n; k++)
        printf(" %17.17s", key->scales[k].name);
    printf("\n");
    for (size_t i = 0; i < n; i++) {
        fx_smfa_score s;
        if (f[i].id[0])
            printf("%-12.12s", f[i].id);
        else
            printf("row %-8zu", i + 1);
        fx_smfa_score_scale(&f[i], &fx_smfa_function_index, c->min_pct, &s);
        print_score(&s);
        fx_smfa_score_scale(&f[i], &fx_smfa_bother_index, c->min_pct, &s);
        print_score(&s);
        for (size_t k = 0; key && k < key->n; k++) {
            fx_smfa_score_scale(&f[i], &key->scales[k], c->min_pct, &s);
            print_score(&s);
        }
        printf("\n");
    }
}

static int smfa_score(int argc, char **argv)
{
    struct score_cmd c = {0};
    fx_smfa_key key = {0};
    fx_smfa_form *forms = NULL;
    fx_csv *t = NULL;
    fx_error err;
    size_t n = 0, idc;
    int rc = score_args(argc, argv, &c);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (c.key_path && fx_smfa_key_read(c.key_path, &key, &err))
        return cli_error(&err);
    if (fx_csv_read(c.file, &t, &err)) {
        rc = cli_error(&err);
        goto out;
    }
    if (!c.id_col && fx_csv_find(t, "id", &idc, NULL) == FX_OK)
        c.id_col = "id";
    if (fx_smfa_forms_read(t, c.id_col, &forms, &n, &err)) {
        rc = cli_error(&err);
        goto out;
    }
    if (c.json) {
        json_t *j = json_object(), *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, form_json(&forms[i], i, c.key_path ? &key : NULL, c.min_pct));
        json_object_set_new(j, "file", json_string(c.file));
        json_object_set_new(j, "n_forms", json_integer((json_int_t)n));
        json_object_set_new(j, "min_answered_percent", json_real(c.min_pct));
        json_object_set_new(j, "function_items_required",
                            json_integer(fx_smfa_required(34, c.min_pct)));
        json_object_set_new(j, "bother_items_required",
                            json_integer(fx_smfa_required(12, c.min_pct)));
        json_object_set_new(j, "key", c.key_path ? json_string(c.key_path) : json_null());
        json_object_set_new(j, "forms", a);
        rc = cli_print_json(j);
    } else {
        score_text(&c, forms, n, c.key_path ? &key : NULL);
    }
out:
    free(forms);
    fx_csv_free(t);
    fx_smfa_key_free(&key);
    return rc;
}
