/*
 * commands.h - one entry point per command; each lives in src/cli/cmd_<name>.c.
 */
#ifndef FXAUDIT_COMMANDS_H
#define FXAUDIT_COMMANDS_H

/* Each gets argv with argv[0] the command's own name and returns an exit code. */
int cmd_help(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_smfa(int argc, char **argv);
int cmd_grade(int argc, char **argv);
int cmd_stats_icc(int argc, char **argv);
int cmd_stats_bland_altman(int argc, char **argv);
int cmd_observer(int argc, char **argv);
int cmd_measure(int argc, char **argv);
int cmd_consensus(int argc, char **argv);
int cmd_study(int argc, char **argv);
int cmd_patient(int argc, char **argv);
int cmd_keyfile(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_mesh(int argc, char **argv);
int cmd_segment(int argc, char **argv);
int cmd_dicom(int argc, char **argv);
int cmd_register(int argc, char **argv);
int cmd_register_points(int argc, char **argv);
int cmd_distance(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_phantom(int argc, char **argv);
int cmd_guide(int argc, char **argv);
int cmd_slices(int argc, char **argv);
int cmd_audit(int argc, char **argv);

#endif
