/*
 * cmd_study.c - `fxaudit study init|verify|info|log`: create a study folder,
 * check it against its audit log, summarise it, and show the log.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "fxaudit/store.h"

static const char init_help[] =
    "usage: fxaudit study init DIR [--title TEXT] [--json]\n\n"
    "Create a study folder DIR (absent or empty) with study.db and the folders\n"
    "volumes/, meshes/, plans/ and reports/. An existing study is never overwritten.\n";

static const char verify_help[] =
    "usage: fxaudit study verify --study DIR [--anchor HASH] [--json]\n\n"
    "Check a study: SQLite integrity, foreign keys, the audit log's append-only\n"
    "triggers and hash chain, every row against its last audit-log entry, and\n"
    "every recorded file against its SHA-256. Exit 0 when all hold, 1 when any\n"
    "does not (each problem names the table and row).\n\n"
    "  --anchor HASH  a head hash written down earlier (study info prints it); it\n"
    "                 must still be in the log, which proves the log unchanged up\n"
    "                 to it even if someone recomputed the chain\n";

static const char log_help[] = "usage: fxaudit study log --study DIR [--json]\n\n"
                               "Print the audit log: when, who, what.\n";

static const char info_help[] =
    "usage: fxaudit study info --study DIR [--json]\n\n"
    "Summarise a study: title, schema version, rows per table and the head hash of\n"
    "its audit log (write it down elsewhere to detect a rebuilt chain later).\n";

enum { OPT_JSON = 256, OPT_TITLE, OPT_STUDY, OPT_ANCHOR };

/* Parse --study DIR (or one positional DIR), --json, and --anchor HASH where
 * `anchor` is not NULL. */
static int parse_study(int argc, char **argv, const char *cmd, const char *help, const char **dir,
                       bool *json, const char **anchor)
{
    static const struct option opts[] = {{"study", required_argument, NULL, OPT_STUDY},
                                         {"json", no_argument, NULL, OPT_JSON},
                                         {"anchor", required_argument, NULL, OPT_ANCHOR},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c;

    cli_getopt_reset();
    *dir = NULL;
    *json = false;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h')
            return cli_help(help), -1;
        else if (c == OPT_STUDY)
            *dir = optarg;
        else if (c == OPT_JSON)
            *json = true;
        else if (c == OPT_ANCHOR && anchor)
            *anchor = optarg;
        else
            return c == OPT_ANCHOR ? cli_usage(cmd, "--anchor does not apply here") : EXIT_USAGE;
    }
    if (optind < argc && !*dir)
        *dir = argv[optind++];
    if (optind < argc)
        return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
    if (!*dir)
        return cli_usage(cmd, "which study? give --study DIR");
    return EXIT_OK;
}

static int study_init(int argc, char **argv)
{
    static const struct option opts[] = {{"title", required_argument, NULL, OPT_TITLE},
                                         {"json", no_argument, NULL, OPT_JSON},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *cmd = "fxaudit study init", *title = NULL;
    bool json = false;
    fx_error err;
    fx_store *s = NULL;
    int c;

    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h')
            return cli_help(init_help);
        else if (c == OPT_TITLE)
            title = optarg;
        else if (c == OPT_JSON)
            json = true;
        else
            return EXIT_USAGE;
    }
    if (argc - optind != 1)
        return cli_usage(cmd, "give exactly one study folder");
    if (title && strlen(title) > 200)
        return cli_usage(cmd, "the title may have at most 200 characters");
    if (fx_store_init(argv[optind], title, &s, &err))
        return cli_error(&err);
    if (json) {
        json_t *o = NULL;
        int rc = fx_store_info(s, &o, &err);
        fx_store_close(s);
        return rc ? cli_error(&err) : cli_print_json(o);
    }
    printf("created study '%s' (schema version %d)\n", fx_store_dir(s), fx_store_schema_version(s));
    fx_store_close(s);
    return EXIT_OK;
}

static json_t *problems_json(const fx_store_problem *p, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        json_t *o = json_pack("{s:s, s:s?, s:I, s:s}", "check", p[i].check, "table",
                              p[i].table[0] ? p[i].table : NULL, "row", (json_int_t)p[i].row,
                              "message", p[i].msg);
        json_array_append_new(a, o);
    }
    return a;
}

/* The result of --anchor: 0 when not asked, the row when found, -1 when gone. */
static int print_verify(const fx_store *s, const fx_store_verify_result *r, bool json,
                        const char *anchor, int64_t anchor_row, const char *anchor_msg)
{
    bool ok = r->n_problems == 0 && anchor_row >= 0;

    if (json) {
        json_t *o = json_object();
        json_object_set_new(o, "study", json_string(fx_store_dir(s)));
        json_object_set_new(o, "ok", json_boolean(ok));
        json_object_set_new(o, "schema_version", json_integer(fx_store_schema_version(s)));
        json_object_set_new(o, "log_rows", json_integer((json_int_t)r->log_rows));
        json_object_set_new(o, "rows_checked", json_integer((json_int_t)r->rows_checked));
        json_object_set_new(o, "files_checked", json_integer((json_int_t)r->files_checked));
        json_object_set_new(o, "log_head_hash", json_string(r->head_hash));
        json_object_set_new(o, "problems", problems_json(r->problems, r->n_problems));
        json_object_set_new(o, "warnings", problems_json(r->warnings, r->n_warnings));
        if (anchor)
            json_object_set_new(o, "anchor",
                                json_pack("{s:s, s:b, s:I}", "hash", anchor, "found",
                                          anchor_row > 0, "row", (json_int_t)anchor_row));
        int rc = cli_print_json(o);
        return rc ? rc : ok ? EXIT_OK : EXIT_FAIL;
    }
    for (size_t i = 0; i < r->n_warnings; i++)
        fprintf(stderr, "fxaudit: warning: %s\n", r->warnings[i].msg);
    for (size_t i = 0; i < r->n_problems; i++)
        printf("problem [%s]: %s\n", r->problems[i].check, r->problems[i].msg);
    if (anchor && anchor_row < 0)
        printf("problem [anchor]: %s\n", anchor_msg);
    else if (anchor)
        printf("anchor found at audit log row %lld\n", (long long)anchor_row);
    printf("study '%s': %s (%zu audit-log rows, %zu rows, %zu files checked)\n", fx_store_dir(s),
           ok ? "ok" : "FAILED", r->log_rows, r->rows_checked, r->files_checked);
    printf("audit-log head hash: %s\n", r->head_hash[0] ? r->head_hash : "(empty log)");
    return ok ? EXIT_OK : EXIT_FAIL;
}

static int study_verify(int argc, char **argv)
{
    const char *dir, *anchor = NULL;
    bool json;
    fx_error err, aerr;
    fx_store *s = NULL;
    fx_store_verify_result r;
    int64_t arow = 0;
    int rc = parse_study(argc, argv, "fxaudit study verify", verify_help, &dir, &json, &anchor);

    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (fx_store_open(dir, &s, &err))
        return cli_error(&err);
    if (fx_store_verify(s, &r, &err)) {
        fx_store_close(s);
        return cli_error(&err);
    }
    fx_error_clear(&aerr);
    if (anchor && fx_store_verify_anchor(s, anchor, &arow, &aerr))
        arow = -1;
    rc = print_verify(s, &r, json, anchor, arow, aerr.msg);
    fx_store_verify_release(&r);
    fx_store_close(s);
    return rc;
}

/* A string member of `o`, or "-" when absent or null. */
static const char *str(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v && *v ? v : "-";
}

static int study_info(int argc, char **argv)
{
    const char *dir;
    bool json;
    fx_error err;
    fx_store *s = NULL;
    json_t *o = NULL;
    int rc = parse_study(argc, argv, "fxaudit study info", info_help, &dir, &json, NULL);

    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (fx_store_open(dir, &s, &err))
        return cli_error(&err);
    rc = fx_store_info(s, &o, &err);
    fx_store_close(s);
    if (rc)
        return cli_error(&err);
    if (json)
        return cli_print_json(o);
    printf("study:          %s\n", str(o, "study"));
    printf("title:          %s\n", str(o, "title"));
    printf("created:        %s (fxaudit %s)\n", str(o, "created_utc"),
           str(o, "created_by_version"));
    printf("schema version: %lld\n",
           (long long)json_integer_value(json_object_get(o, "schema_version")));
    printf("audit log:      %lld rows, head %s\n",
           (long long)json_integer_value(json_object_get(o, "log_rows")), str(o, "log_head_hash"));
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(o, "tables"), k,
                        v) if (strcmp(k, "audit_log") && json_integer_value(v) > 0)
        printf("  %-18s %lld rows\n", k, (long long)json_integer_value(v));
    json_decref(o);
    return EXIT_OK;
}

static int study_log(int argc, char **argv)
{
    const char *dir;
    bool json;
    fx_error err;
    fx_store *s = NULL;
    json_t *rows = NULL, *e;
    size_t i;
    int rc = parse_study(argc, argv, "fxaudit study log", log_help, &dir, &json, NULL);

    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (fx_store_open(dir, &s, &err))
        return cli_error(&err);
    rc = fx_store_query(s,
                        "SELECT seq, at_utc, who, action, tbl, row_id, what, hash FROM "
                        "audit_log ORDER BY seq",
                        NULL, 0, &rows, &err);
    fx_store_close(s);
    if (rc)
        return cli_error(&err);
    if (json)
        return cli_print_json(json_pack("{s:o}", "entries", rows));
    json_array_foreach(rows, i, e)
        printf("%5lld  %s  %-12s %s\n", (long long)json_integer_value(json_object_get(e, "seq")),
               str(e, "at_utc"), str(e, "who"), str(e, "what"));
    json_decref(rows);
    return EXIT_OK;
}

int cmd_study(int argc, char **argv)
{
    static const struct cli_cmd sub[] = {
        {"init", study_init, "create a study folder and its database"},
        {"verify", study_verify, "check the audit log, rows and files of a study"},
        {"info", study_info, "summarise a study"},
        {"log", study_log, "print the audit log"},
        {NULL, NULL, NULL},
    };
    return cli_subcommand(argc, argv, sub, "fxaudit study");
}
