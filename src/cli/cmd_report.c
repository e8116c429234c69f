/* cmd_report.c - `fxaudit report study|patient`: the PDF reports. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "config.h"
#include "fxaudit/report.h"

static const char report_help[] =
    "usage: fxaudit report study --study DIR [-o FILE.pdf] [--spss] [--json]\n"
    "       fxaudit report patient --study DIR --patient CODE [--identity KEYFILE]\n"
    "              [-o FILE.pdf] [--tol-angle DEG] [--tol-entry MM] [--tol-tip MM]\n"
    "              [--tol-length MM] [--dome X,Y,Z] [--json]\n\n"
    "Write the study report (cohort, results with methods, figures, observer\n"
    "agreement) or one patient's audit report (plan, 3-D views, reduction, SMFA,\n"
    "planned against actual screws) as PDF. Default output: DIR/reports/study.pdf\n"
    "or DIR/reports/<CODE>.pdf. The hospital ID is printed only with --identity.\n"
    "Tolerances flag screw deviations (defaults 5 degrees, 3, 3 and 2 mm). --dome\n"
    "gives the acetabular dome point (mm, LPS, pre-op CT coordinates): the report\n"
    "then shows the axial, coronal and sagittal CT slices through it, pre-op and\n"
    "post-op (carried over by the registration). Without gnuplot the reports are\n"
    "written with a note where each plot would be.\n";

/* "X,Y,Z" in mm into d[3]; 0 when well formed. */
static int parse_point(const char *s, double d[3])
{
    const char *p = s;
    for (int i = 0; i < 3; i++) {
        char *end;
        errno = 0;
        d[i] = strtod(p, &end);
        if (end == p || errno || !isfinite(d[i]) || (i < 2 ? *end != ',' : *end != '\0'))
            return -1;
        p = end + 1;
    }
    return 0;
}

static int run(int patient_mode, int argc, char **argv)
{
    static const struct option opts[] = {
        {"study", required_argument, NULL, 's'},    {"patient", required_argument, NULL, 'p'},
        {"identity", required_argument, NULL, 'i'}, {"output", required_argument, NULL, 'o'},
        {"tol-angle", required_argument, NULL, 'a'}, {"tol-entry", required_argument, NULL, 'e'},
        {"tol-tip", required_argument, NULL, 't'},  {"tol-length", required_argument, NULL, 'l'},
        {"spss", no_argument, NULL, 'S'},           {"json", no_argument, NULL, 'j'},
        {"dome", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    const char *cmd = patient_mode ? "report patient" : "report study";
    const char *study = NULL, *code = NULL, *out = NULL;
    int json = 0, c;
    fx_report_opts o;
    fx_report_opts_init(&o, "fxaudit " PACKAGE_VERSION);
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        double *tol = c == 'a' ? &o.tol_angle_deg : c == 'e' ? &o.tol_entry_mm
                      : c == 't' ? &o.tol_tip_mm : c == 'l' ? &o.tol_length_mm : NULL;
        if (tol) {
            if (cli_parse_double(cmd, "tolerance", optarg, tol) || *tol < 0)
                return cli_usage(cmd, "a tolerance must be a number >= 0");
            continue;
        }
        switch (c) {
        case 's': study = optarg; break;
        case 'p': code = optarg; break;
        case 'i': o.keyfile = optarg; break;
        case 'o': out = optarg; break;
        case 'S': o.spss = true; break;
        case 'd':
            if (parse_point(optarg, o.dome_mm))
                return cli_usage(cmd, "--dome: expected X,Y,Z in mm, got '%s'", optarg);
            o.have_dome = true;
            break;
        case 'j': json = 1; break;
        case 'h': return cli_help(report_help);
        default: return cli_usage(cmd, "unknown option");
        }
    }
    if (o.have_dome && !patient_mode)
        return cli_usage(cmd, "--dome belongs to report patient");
    if (!study || optind < argc || (patient_mode && !code))
        return cli_usage(cmd, patient_mode ? "needs --study DIR and --patient CODE"
                                           : "needs --study DIR");
    fx_error err = {0};
    fx_store *s = NULL;
    if (fx_store_open(study, &s, &err))
        return cli_error(&err);
    char def[4400];
    if (!out) {
        snprintf(def, sizeof def, "%s/reports/%s.pdf", fx_store_dir(s),
                 patient_mode ? code : "study");
        out = def;
    }
    int rc = patient_mode ? fx_report_patient(s, code, &o, out, &err)
                          : fx_report_study(s, &o, out, &err);
    fx_store_close(s);
    if (rc)
        return cli_error(&err);
    if (o.missing_figures)
        fprintf(stderr, "fxaudit: warning: %d figure(s) not drawn in '%s': %s\n",
                o.missing_figures, out, o.missing_reason);
    if (json)
        return cli_print_json(json_pack("{sssisi}", "output", out, "pages", o.pages,
                                        "figures_missing", o.missing_figures));
    printf("%s (%d pages)\n", out, o.pages);
    return EXIT_OK;
}

static int cmd_report_study(int argc, char **argv) { return run(0, argc, argv); }
static int cmd_report_patient(int argc, char **argv) { return run(1, argc, argv); }

int cmd_report(int argc, char **argv)
{
    static const struct cli_cmd sub[] = {
        {"study", cmd_report_study, "the study report (cohort, results, figures)"},
        {"patient", cmd_report_patient, "one patient's audit report"},
        {NULL, NULL, NULL}};
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
        return cli_help(report_help);
    return cli_subcommand(argc, argv, sub, "fxaudit report");
}
