/*
 * cmd_keyfile.c - `fxaudit keyfile add|lookup`: the link from study code to
 * hospital patient ID, in a file kept apart from the study. The hospital ID
 * is read from standard input, never from the command line, so that it does
 * not end up in shell histories or process lists.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "fxaudit/store.h"

static const char add_help[] =
    "usage: fxaudit keyfile add --keyfile FILE --code CODE < hospital-id\n\n"
    "Link study code CODE to the hospital patient ID read from standard input (one\n"
    "line) in FILE, a CSV created with mode 0600 when absent. FILE may not lie in a\n"
    "study folder; the study never reads it.\n";

static const char lookup_help[] =
    "usage: fxaudit keyfile lookup --keyfile FILE --code CODE [--json]\n"
    "       fxaudit keyfile lookup --keyfile FILE [--json] < hospital-id\n\n"
    "Print the hospital ID linked to CODE, or the code linked to the hospital ID\n"
    "read from standard input.\n";

enum { OPT_KEYFILE = 256, OPT_CODE, OPT_JSON };

static int parse(int argc, char **argv, const char *cmd, const char *help, const char **file,
                 const char **code, bool *json)
{
    static const struct option opts[] = {{"keyfile", required_argument, NULL, OPT_KEYFILE},
                                         {"code", required_argument, NULL, OPT_CODE},
                                         {"json", no_argument, NULL, OPT_JSON},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c;

    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h')
            return cli_help(help), -1;
        else if (c == OPT_KEYFILE)
            *file = optarg;
        else if (c == OPT_CODE)
            *code = optarg;
        else if (c == OPT_JSON)
            *json = true;
        else
            return EXIT_USAGE;
    }
    if (optind < argc)
        return cli_usage(cmd,
                         "unexpected argument '%s' (the hospital ID is read from "
                         "standard input)",
                         argv[optind]);
    if (!*file)
        return cli_usage(cmd, "which key file? give --keyfile FILE");
    return EXIT_OK;
}

/* One line of standard input without its newline. */
static int read_id(char *out, size_t n)
{
    if (!fgets(out, (int)n, stdin))
        return cli_failf("expected a hospital ID on standard input");
    out[strcspn(out, "\r\n")] = '\0';
    return EXIT_OK;
}

static int keyfile_add(int argc, char **argv)
{
    const char *file = NULL, *code = NULL, *cmd = "fxaudit keyfile add";
    bool json = false;
    char id[128];
    fx_error err;
    int rc = parse(argc, argv, cmd, add_help, &file, &code, &json);

    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (!code)
        return cli_usage(cmd, "give the study code with --code");
    rc = read_id(id, sizeof(id));
    if (rc)
        return rc;
    if (fx_store_keyfile_add(file, code, id, &err))
        return cli_error(&err);
    printf("linked %s in '%s'\n", code, file);
    return EXIT_OK;
}

static int keyfile_lookup(int argc, char **argv)
{
    const char *file = NULL, *code = NULL, *cmd = "fxaudit keyfile lookup";
    bool json = false;
    char id[128], found[128];
    fx_error err;
    int rc = parse(argc, argv, cmd, lookup_help, &file, &code, &json);

    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (code)
        rc = fx_store_keyfile_find(file, code, found, sizeof(found), &err);
    else if (!(rc = read_id(id, sizeof(id))))
        rc = fx_store_keyfile_code(file, id, found, sizeof(found), &err);
    else
        return rc;
    if (rc)
        return cli_error(&err);
    if (json)
        return cli_print_json(
            json_pack("{s:s, s:s}", "code", code ? code : found, "hospital_id", code ? found : id));
    printf("%s\n", found);
    return EXIT_OK;
}

int cmd_keyfile(int argc, char **argv)
{
    static const struct cli_cmd sub[] = {
        {"add", keyfile_add, "link a study code to a hospital ID (read from stdin)"},
        {"lookup", keyfile_lookup, "find the hospital ID of a code, or the code of an ID"},
        {NULL, NULL, NULL},
    };
    return cli_subcommand(argc, argv, sub, "fxaudit keyfile");
}
