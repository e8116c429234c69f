/*
 * commands.h - one entry point per command; each lives in src/cli/cmd_<name>.c.
 */
#ifndef FXAUDIT_COMMANDS_H
#define FXAUDIT_COMMANDS_H

/* Each gets argv with argv[0] the command's own name and returns an exit code. */
int cmd_help(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_guide(int argc, char **argv);
int cmd_render(int argc, char **argv);

#endif
