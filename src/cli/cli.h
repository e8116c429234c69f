/*
 * cli.h - what the command files in src/cli share: the command table type,
 * the one way errors and usage mistakes are printed, JSON output, number
 * parsing and the progress bar. Only src/cli knows about argv, stdout and exit
 * codes (0 success, 1 failure, 2 usage).
 */
#ifndef FXAUDIT_CLI_H
#define FXAUDIT_CLI_H

#include <jansson.h>
#include <stdbool.h>

#include "fxaudit/error.h"
#include "fxaudit/progress.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* A command or subcommand: `fn` gets argv with argv[0] its own name. */
struct cli_cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

/* Run the row of `table` named by argv[1]; `parent` is "fxaudit dicom" etc. for
 * messages. Prints a list of subcommands for --help or a missing name. */
int cli_subcommand(int argc, char **argv, const struct cli_cmd *table, const char *parent);

/* Print "fxaudit: <message>" on stderr; returns EXIT_FAIL. */
int cli_error(const fx_error *err);
/* Print "fxaudit: <printf message>" on stderr; returns EXIT_FAIL. */
int cli_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "<cmd>: <message>" and a hint to --help on stderr; returns EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print `text` (a command's help) on stdout; returns EXIT_OK. */
int cli_help(const char *text);

/* Reset getopt for a fresh parse of a (sub)command's argv. */
void cli_getopt_reset(void);

/* Strict number parsing: the whole string must be a finite number.
 * On failure a usage message naming `what` is printed and EXIT_USAGE returned. */
int cli_parse_double(const char *cmd, const char *what, const char *s, double *out);
int cli_parse_int(const char *cmd, const char *what, const char *s, long lo, long hi, long *out);

/* Print `j` (stolen) on stdout as indented JSON with a final newline. */
int cli_print_json(json_t *j);
/* JSON arrays of n doubles / ints. */
json_t *cli_json_doubles(const double *x, int n);
json_t *cli_json_ints(const int *x, int n);

/* A progress reporter drawing a bar on stderr when stderr is a terminal and
 * doing nothing otherwise. Call cli_progress_done() when the work ends. */
fx_progress cli_progress(void);
void cli_progress_done(void);

#endif
