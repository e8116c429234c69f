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
    {"demo", cmd_demo, "the main job: synthetic cohort to PDF reports, nothing to set up"},
    {"dicom", cmd_dicom, "inspect DICOM series and load one as a HU volume"},
    {"import", cmd_import, "import a CT series into a study"},
    {"study", cmd_study, "create, verify and summarise a study folder"},
    {"patient", cmd_patient, "add, list and show a study's patients"},
    {"keyfile", cmd_keyfile, "link study codes to hospital IDs, outside the study"},
    {"segment", cmd_segment, "label bone or metal in a CT volume"},
    {"mesh", cmd_mesh, "surface model of a volume at a threshold or label"},
    {"register", cmd_register, "rigidly align two surface models (ICP)"},
    {"register-points", cmd_register_points, "rigid transform from paired landmarks"},
    {"distance", cmd_distance, "signed distances and Hausdorff between two surfaces"},
    {"render", cmd_render, "draw meshes and screws in a standard view as PNG"},
    {"phantom", cmd_phantom, "write a synthetic fracture cohort with ground truth"},
    {"plan", cmd_plan, "make, inspect and export surgical plans"},
    {"guide", cmd_guide, "build a plate's drilling guide and record it in the plan"},
    {"audit", cmd_audit, "find the actual screws in a post-op CT and measure deviations"},
    {"validate", cmd_validate, "compare pipeline stages with a phantom cohort's truth"},
    {"observer", cmd_observer, "observers and their blinded reading lists"},
    {"measure", cmd_measure, "record an observer's gap and step-off"},
    {"consensus", cmd_consensus, "unblind finished cases, record consensus and grades"},
    {"slices", cmd_slices, "axial, coronal, sagittal CT slices through the dome as PNG"},
    {"grade", cmd_grade, "grade a fracture reduction (matta, ct or a scheme file)"},
    {"smfa", cmd_smfa, "store and score SMFA questionnaires"},
    {"stats", cmd_stats, "statistical tests on CSV columns, as R and SPSS compute them"},
    {"report", cmd_report, "write the study report and per-patient audit reports (PDF)"},
    {"validate", cmd_validate, "run a stage on a phantom cohort and compare with its truth"},
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
        printf("  %-16s %s\n", c->name, c->summary);
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
