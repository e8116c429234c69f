/*
 * main.c - fxaudit's entry point: one table of commands and the dispatch to
 * them. A command file parses its own options, calls the library, prints the
 * result and returns 0 (success), 1 (failure) or 2 (usage).
 */
#include "config.h"

#include <gsl/gsl_errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

static const struct cli_cmd commands[] = {
    {"help", cmd_help, "list the commands"},
    {"plan", cmd_plan, "inspect and export surgical plans"},
    {"guide", cmd_guide, "build a plate's drilling guide and record it in the plan"},
    {"render", cmd_render, "draw meshes and screws in a standard view as PNG"},
    {NULL, NULL, NULL},
};

int cmd_help(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("usage: fxaudit <command> [<subcommand>] [options]\n\n"
           "Plans patient-specific fracture fixation from CT and audits how well the\n"
           "plan was carried out.\n\ncommands:\n");
    for (const struct cli_cmd *c = commands; c->name; c++)
        printf("  %-10s %s\n", c->name, c->summary);
    printf("\n'fxaudit <command> --help' describes one; 'fxaudit --version' prints the "
           "version.\nExit status: 0 success, 1 failure, 2 usage error.\n");
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    /* Numbers are read and written with '.' whatever the user's locale says. */
    setlocale(LC_ALL, "C");
    /* GSL's default handler aborts; the library checks status codes instead. */
    gsl_set_error_handler_off();

    if (argc < 2)
        return cmd_help(argc, argv), EXIT_USAGE;
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("fxaudit %s\n", PACKAGE_VERSION);
        return EXIT_OK;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        return cmd_help(argc - 1, argv + 1);
    for (const struct cli_cmd *c = commands; c->name; c++)
        if (!strcmp(c->name, argv[1]))
            return c->fn(argc - 1, argv + 1);
    fprintf(stderr, "fxaudit: unknown command '%s'\nTry 'fxaudit --help'.\n", argv[1]);
    return EXIT_USAGE;
}
