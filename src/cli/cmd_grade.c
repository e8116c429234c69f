/*
 * cmd_grade.c - `fxaudit grade`: grade one reduction from its gap and step-off
 * by a built-in or user-defined scheme, saying which scheme and source.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "fxaudit/grade.h"

static const char grade_help[] =
    "usage: fxaudit grade --gap MM --step MM [--scheme matta|ct|FILE] [--json]\n"
    "\n"
    "Grades the quality of one fracture reduction from its residual gap and\n"
    "step-off in millimetres (the largest over the three CT planes).\n"
    "\n"
    "  --gap MM        residual gap, mm (>= 0)\n"
    "  --step MM       residual step-off, mm (>= 0)\n"
    "  --scheme S      matta (default): anatomical d <= 1, imperfect 1 < d <= 3,\n"
    "                  poor d > 3, with d = max(gap, step) (the continuous reading\n"
    "                  of Matta's integer bins); ct (Verbeek): adequate when\n"
    "                  gap < 5 and step < 1, otherwise inadequate; or a scheme FILE\n"
    "                  (JSON; the format is in docs/grading.md)\n"
    "  --json          machine-readable output: scheme, grade, displacement_mm,\n"
    "                  gap_mm, step_mm, rule, title, source, note, scheme_file\n";

/* A built-in name wins over a file of the same name in the current folder, so
 * that "--scheme ct" means the same everywhere. Returns an exit code. */
static int load_scheme(const char *arg, fx_scheme **s)
{
    fx_error err = {0};
    if (fx_scheme_is_builtin_name(arg))
        return fx_scheme_load_builtin(arg, s, &err) ? cli_error(&err) : EXIT_OK;
    if (!strchr(arg, '/') && access(arg, F_OK) != 0)
        return cli_usage("fxaudit grade", "unknown scheme '%s' (matta, ct, or a scheme file)", arg);
    return fx_scheme_load(arg, s, &err) ? cli_error(&err) : EXIT_OK;
}

static int print_grade(const fx_scheme *s, const fx_grade *g, bool json)
{
    if (json) {
        json_t *j =
            json_pack("{s:s, s:s, s:f, s:f, s:f, s:s, s:s, s:s, s:s, s:s, s:b}", "scheme",
                      fx_scheme_name(s), "grade", g->grade, "displacement_mm", g->displacement_mm,
                      "gap_mm", g->gap_mm, "step_mm", g->step_mm, "rule", g->rule, "title",
                      fx_scheme_title(s), "source", fx_scheme_source(s), "note", fx_scheme_note(s),
                      "scheme_file", fx_scheme_path(s), "builtin", fx_scheme_is_builtin(s));
        return cli_print_json(j);
    }
    printf("grade: %s (scheme %s: %s)\n", g->grade, fx_scheme_name(s), g->rule);
    printf("gap %g mm, step-off %g mm, displacement max(gap, step) %g mm\n", g->gap_mm, g->step_mm,
           g->displacement_mm);
    if (*fx_scheme_note(s))
        printf("note: %s\n", fx_scheme_note(s));
    printf("source: %s\n", fx_scheme_source(s));
    return EXIT_OK;
}

static int parse_mm(const char *what, const char *s, double *out)
{
    int rc = cli_parse_double("fxaudit grade", what, s, out);
    if (!rc && *out < 0)
        rc = cli_usage("fxaudit grade", "%s must be >= 0 mm, not '%s'", what, s);
    return rc;
}

int cmd_grade(int argc, char **argv)
{
    static const struct option opts[] = {
        {"gap", required_argument, NULL, 'g'},    {"step", required_argument, NULL, 's'},
        {"scheme", required_argument, NULL, 'S'}, {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    double gap = -1, step = -1;
    const char *scheme = "matta";
    bool json = false, have_gap = false, have_step = false;
    int c, rc;

    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'g':
            if ((rc = parse_mm("--gap", optarg, &gap)))
                return rc;
            have_gap = true;
            break;
        case 's':
            if ((rc = parse_mm("--step", optarg, &step)))
                return rc;
            have_step = true;
            break;
        case 'S':
            scheme = optarg;
            break;
        case 'j':
            json = true;
            break;
        case 'h':
            return cli_help(grade_help);
        default:
            return cli_usage("fxaudit grade", "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage("fxaudit grade", "unexpected argument '%s'", argv[optind]);
    if (!have_gap || !have_step)
        return cli_usage("fxaudit grade", "both --gap and --step are required");

    fx_error err = {0};
    fx_scheme *s = NULL;
    fx_grade g;
    if ((rc = load_scheme(scheme, &s)))
        return rc;
    if (fx_grade_apply(s, gap, step, &g, &err)) {
        fx_scheme_free(s);
        return cli_error(&err);
    }
    rc = print_grade(s, &g, json);
    fx_scheme_free(s);
    return rc;
}
