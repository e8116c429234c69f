/*
 * cli.c - shared helpers of the command files: messages, parsing, JSON.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_error(const fx_error *err)
{
    fprintf(stderr, "fxaudit: %s\n", err && err->msg[0] ? err->msg : "unknown error");
    return EXIT_FAIL;
}

int cli_failf(const char *fmt, ...)
{
    va_list ap;
    fputs("fxaudit: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_FAIL;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s --help' for more information.\n", cmd);
    return EXIT_USAGE;
}

int cli_help(const char *text)
{
    fputs(text, stdout);
    return EXIT_OK;
}

void cli_getopt_reset(void)
{
    optind = 0; /* glibc: 0 re-initialises, so a second parse starts afresh */
    opterr = 1;
}

int cli_subcommand(int argc, char **argv, const struct cli_cmd *table, const char *parent)
{
    const char *name = argc > 1 ? argv[1] : NULL;
    bool help = name && (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help"));

    if (name && !help)
        for (const struct cli_cmd *c = table; c->name; c++)
            if (!strcmp(c->name, name))
                return c->fn(argc - 1, argv + 1);
    if (name && !help)
        fprintf(stderr, "%s: unknown subcommand '%s'\n", parent, name);
    FILE *out = help ? stdout : stderr;
    fprintf(out, "usage: %s <subcommand> [options]\n\nsubcommands:\n", parent);
    for (const struct cli_cmd *c = table; c->name; c++)
        fprintf(out, "  %-14s %s\n", c->name, c->summary);
    fprintf(out, "\n'%s <subcommand> --help' describes one.\n", parent);
    return help ? EXIT_OK : EXIT_USAGE;
}

int cli_parse_double(const char *cmd, const char *what, const char *s, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(x))
        return cli_usage(cmd, "%s must be a number, not '%s'", what, s);
    *out = x;
    return EXIT_OK;
}

int cli_parse_int(const char *cmd, const char *what, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (!*s || *end || errno || x < lo || x > hi)
        return cli_usage(cmd, "%s must be a whole number from %ld to %ld, not '%s'", what, lo,
                         hi, s);
    *out = x;
    return EXIT_OK;
}

int cli_print_json(json_t *j)
{
    if (!j)
        return cli_failf("cannot build the JSON output (out of memory)");
    int rc = json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(j);
    fputc('\n', stdout);
    return rc ? cli_failf("cannot write JSON to stdout") : EXIT_OK;
}

json_t *cli_json_doubles(const double *x, int n)
{
    json_t *a = json_array();
    for (int i = 0; a && i < n; i++)
        json_array_append_new(a, json_real(x[i]));
    return a;
}

json_t *cli_json_ints(const int *x, int n)
{
    json_t *a = json_array();
    for (int i = 0; a && i < n; i++)
        json_array_append_new(a, json_integer(x[i]));
    return a;
}
