/*
 * outcomes_cli.h - the command functions of the outcomes area, registered as
 * rows of the `smfa` table (cmd_smfa.c) and the `stats` table (cmd_stats.c).
 */
#ifndef FXAUDIT_OUTCOMES_CLI_H
#define FXAUDIT_OUTCOMES_CLI_H

int cmd_smfa_add(int argc, char **argv);    /* cmd_smfa_store.c */
int cmd_smfa_import(int argc, char **argv); /* cmd_smfa_store.c */
int cmd_smfa_list(int argc, char **argv);   /* cmd_smfa_store.c */
int cmd_stats_study(int argc, char **argv); /* cmd_stats_study.c */

#endif
