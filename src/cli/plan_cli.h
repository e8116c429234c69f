/*
 * plan_cli.h - the `fxaudit plan` subcommands kept in their own files.
 */
#ifndef FXAUDIT_PLAN_CLI_H
#define FXAUDIT_PLAN_CLI_H

int plan_export(int argc, char **argv);
int plan_pose(int argc, char **argv);

#endif
