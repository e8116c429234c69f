/* cmd_demo.c - `fxaudit demo`: the main job, nothing to set up (demo.h). */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "config.h"
#include "fxaudit/demo.h"

static const char demo_help[] =
    "usage: fxaudit demo [--out DIR] [--patients N] [--size small|clinical] [--seed S] [--json]\n\n"
    "Run the whole job on a synthetic cohort with nothing to set up: phantom CT\n"
    "with ground truth, a new study (SQLite), import, plans, two simulated\n"
    "observers (blinded), consensus and grades, SMFA forms, the audit when this\n"
    "fxaudit has one, the statistics, and every PDF report.\n\n"
    "  -o, --out DIR     a new or empty folder (default fxaudit-demo)\n"
    "  -n, --patients N  cohort size, 1-99 (default 10)\n"
    "  --size small      2 mm voxels (default; about 2 minutes for 10 patients)\n"
    "  --size clinical   0.74 x 0.74 x 1 mm voxels (much slower)\n"
    "  --seed S          phantom and observer noise seed (default 1)\n";

static void summary(const fx_demo_result *r)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/results.json", r->reports);
    json_t *st = json_load_file(path, 0, NULL);
    json_t *red = json_object_get(st, "reduction");
    printf("fxaudit demo: %d patients in %.0f s\n", r->patients, r->seconds);
    printf("  study:           %s\n", r->study);
    printf("  reports:         %s/study.pdf and %d patient reports (%d pages)\n", r->reports,
           r->reports_written - 1, r->pages);
    printf("  results (JSON):  %s\n", path);
    const char *q[2] = {"gap_mm", "step_mm"}, *nm[2] = {"gap", "step-off"};
    for (int k = 0; k < 2; k++) {
        json_t *j = json_object_get(red, q[k]);
        printf("  %-8s median pre-op %.1f mm -> post-op %.1f mm (P = %.3g, n = %lld)\n", nm[k],
               json_number_value(json_object_get(json_object_get(j, "preop"), "median")),
               json_number_value(json_object_get(json_object_get(j, "postop"), "median")),
               json_number_value(json_object_get(json_object_get(j, "test"), "p")),
               (long long)json_integer_value(
                   json_object_get(json_object_get(j, "test"), "n_pairs")));
    }
    printf("  audit:           %s\n", r->audit_run ? (r->audit_failed ? "run, with failures "
                                                      "(see demo.log)" : "run")
                                                  : "not available in this fxaudit yet");
    json_decref(st);
}

int cmd_demo(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},  {"patients", required_argument, NULL, 'n'},
        {"size", required_argument, NULL, 'z'}, {"seed", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},       {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    fx_demo_opts o;
    fx_demo_opts_init(&o);
    o.software = "fxaudit " PACKAGE_VERSION;
    int c, json = 0;
    long v;
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "o:n:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': o.out = optarg; break;
        case 'n':
            if (cli_parse_int("demo", "--patients", optarg, 1, 99, &v))
                return EXIT_USAGE;
            o.patients = (int)v;
            break;
        case 'z':
            if (strcmp(optarg, "small") && strcmp(optarg, "clinical"))
                return cli_usage("demo", "--size is small or clinical");
            o.size = optarg;
            break;
        case 's':
            if (cli_parse_int("demo", "--seed", optarg, 0, 2147483647L, &v))
                return EXIT_USAGE;
            o.seed = (unsigned long)v;
            break;
        case 'j': json = 1; break;
        case 'h': return cli_help(demo_help);
        default: return cli_usage("demo", "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage("demo", "unexpected argument '%s'", argv[optind]);
    static char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return cli_failf("cannot find the fxaudit binary (/proc/self/exe)");
    self[n] = '\0';
    o.self = self;
    /* a bar on a terminal; nothing in pipes and logs (the command-line contract) */
    o.progress = cli_progress();
    fx_demo_result r;
    fx_error err = {0};
    int rc = fx_demo_run(&o, &r, &err);
    cli_progress_done();
    if (rc)
        return cli_error(&err);
    if (r.missing_figures)
        fprintf(stderr, "fxaudit: warning: %d figure(s) not drawn: %s\n", r.missing_figures,
                r.missing_reason);
    if (json)
        return cli_print_json(json_pack("{sssssisisisbsisf}", "study", r.study, "reports",
                                        r.reports, "patients", r.patients, "reports_written",
                                        r.reports_written, "pages", r.pages, "audit_run",
                                        r.audit_run, "figures_missing", r.missing_figures,
                                        "seconds", r.seconds));
    summary(&r);
    return EXIT_OK;
}
