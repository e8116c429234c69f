/*
 * cmd_observer.c - `fxaudit observer add|assign|worklist`: observers and their
 * blinded reading lists. Nothing these commands print names a patient: cases
 * are the observer's own random codes.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "fxaudit/observers.h"
#include "fxaudit/store.h"

static const char add_help[] =
    "usage: fxaudit observer add --study DIR --code CODE [--role ROLE]\n"
    "                            [--experience-years N] [--json]\n\n"
    "Add an observer and give them a reading list: the pre-op and post-op CT of\n"
    "every patient, each as a blinded case with a random code, in an order of\n"
    "their own. The list never shows study codes or other observers' values.\n\n"
    "  --role surgeon|radiologist|resident|researcher|software|other\n";

static const char assign_help[] =
    "usage: fxaudit observer assign --study DIR --observer CODE [--json]\n\n"
    "Add to an observer's reading list the cases of patients added since, at\n"
    "random positions after the cases they already have.\n";

static const char worklist_help[] =
    "usage: fxaudit observer worklist --study DIR --observer CODE [--export DIR] [--json]\n\n"
    "The observer's reading list in their order: for each blinded case the time\n"
    "point (preop, postop), the three planes to measure (axial, coronal,\n"
    "sagittal: the largest gap and step-off at the acetabular dome, in mm) and the\n"
    "planes already recorded. Record with 'fxaudit measure record'.\n\n"
    "  --export DIR   also write the observer's reading folder: each case's CT\n"
    "                 copied as DIR/<case code>.nrrd (or .nii, .nii.gz) and\n"
    "                 DIR/worklist.json; refused when a volume's header names its\n"
    "                 patient. Existing files are never replaced.\n";

enum { OPT_STUDY = 256, OPT_JSON, OPT_CODE, OPT_ROLE, OPT_YEARS, OPT_OBSERVER, OPT_EXPORT };

struct args {
    const char *study, *code, *role, *export_dir;
    long years;
    bool json;
};

static int parse(int argc, char **argv, const char *cmd, const char *help, struct args *a)
{
    static const struct option opts[] = {{"study", required_argument, NULL, OPT_STUDY},
                                         {"json", no_argument, NULL, OPT_JSON},
                                         {"code", required_argument, NULL, OPT_CODE},
                                         {"observer", required_argument, NULL, OPT_OBSERVER},
                                         {"role", required_argument, NULL, OPT_ROLE},
                                         {"experience-years", required_argument, NULL, OPT_YEARS},
                                         {"export", required_argument, NULL, OPT_EXPORT},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    bool is_add = !strcmp(argv[0], "add");
    int c, rc;
    *a = (struct args){.years = -1};
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_STUDY:
            a->study = optarg;
            break;
        case OPT_JSON:
            a->json = true;
            break;
        case OPT_CODE:
        case OPT_OBSERVER:
            if ((c == OPT_CODE) != is_add)
                return cli_usage(cmd, is_add ? "use --code" : "use --observer");
            a->code = optarg;
            break;
        case OPT_ROLE:
        case OPT_YEARS:
            if (!is_add)
                return cli_usage(cmd, "--role and --experience-years belong to 'observer add'");
            if (c == OPT_ROLE)
                a->role = optarg;
            else if ((rc = cli_parse_int(cmd, "--experience-years", optarg, 0, 80, &a->years)))
                return rc;
            break;
        case OPT_EXPORT:
            if (strcmp(argv[0], "worklist"))
                return cli_usage(cmd, "--export belongs to 'observer worklist'");
            a->export_dir = optarg;
            break;
        case 'h':
            return cli_help(help), -1;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
    if (!a->study)
        return cli_usage(cmd, "--study DIR is required");
    if (!a->code)
        return cli_usage(cmd, is_add ? "--code is required" : "--observer is required");
    return EXIT_OK;
}

/* Open the study, run `fn`, close. Library failures print once and give 1. */
static int with_store(const struct args *a, int (*fn)(fx_store *, const struct args *, fx_error *))
{
    fx_store *s = NULL;
    fx_error err = {0};
    int rc = fx_store_open(a->study, &s, &err);
    if (!rc)
        rc = fn(s, a, &err);
    fx_store_close(s);
    return rc ? cli_error(&err) : EXIT_OK;
}

static int do_add(fx_store *s, const struct args *a, fx_error *err)
{
    size_t n = 0;
    int rc = fx_observers_add(s, a->code, a->role, (int)a->years, &n, err);
    if (rc)
        return rc;
    if (a->json)
        cli_print_json(json_pack("{s:s, s:I}", "observer", a->code, "cases", (json_int_t)n));
    else
        printf("observer %s added with %zu blinded cases on the reading list\n", a->code, n);
    return FX_OK;
}

static int do_assign(fx_store *s, const struct args *a, fx_error *err)
{
    size_t n = 0;
    int rc = fx_observers_assign(s, a->code, &n, err);
    if (rc)
        return rc;
    if (a->json)
        cli_print_json(json_pack("{s:s, s:I}", "observer", a->code, "added", (json_int_t)n));
    else
        printf("%zu cases added to observer %s's reading list\n", n, a->code);
    return FX_OK;
}

static void print_worklist_text(const char *observer, json_t *list)
{
    size_t i, done = 0;
    json_t *c;
    printf("reading list of observer %s: measure the largest gap and step-off (mm) at the "
           "acetabular dome in each plane\n\n%5s  %-8s %-7s %s\n",
           observer, "order", "case", "ct", "recorded planes");
    for (i = 0; i < json_array_size(list); i++) {
        c = json_array_get(list, i);
        json_t *m = json_object_get(c, "measured");
        size_t k;
        printf("%5lld  %-8s %-7s", (long long)json_integer_value(json_object_get(c, "order")),
               json_string_value(json_object_get(c, "case")),
               json_string_value(json_object_get(c, "timepoint")));
        for (k = 0; k < json_array_size(m); k++)
            printf(" %s", json_string_value(json_array_get(m, k)));
        printf("%s", json_array_size(m) ? "" : " -");
        json_t *img = json_object_get(c, "image");
        if (img)
            printf("   image: %s", json_is_string(img) ? json_string_value(img) : "none yet");
        printf("\n");
        done += json_is_true(json_object_get(c, "done"));
    }
    printf("\n%zu of %zu cases done\n", done, json_array_size(list));
}

static int do_worklist(fx_store *s, const struct args *a, fx_error *err)
{
    json_t *list = NULL;
    int rc = a->export_dir ? fx_observers_export(s, a->code, a->export_dir, &list, err)
                           : fx_observers_worklist(s, a->code, &list, err);
    if (rc)
        return rc;
    if (a->json)
        cli_print_json(json_pack("{s:s, s:o}", "observer", a->code, "cases", list));
    else {
        print_worklist_text(a->code, list);
        if (a->export_dir)
            printf("reading folder: %s (images named by case code, and worklist.json)\n",
                   a->export_dir);
        json_decref(list);
    }
    return FX_OK;
}

static int run(int argc, char **argv, const char *cmd, const char *help,
               int (*fn)(fx_store *, const struct args *, fx_error *))
{
    struct args a;
    int rc = parse(argc, argv, cmd, help, &a);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    return with_store(&a, fn);
}

static int cmd_observer_add(int argc, char **argv)
{
    return run(argc, argv, "fxaudit observer add", add_help, do_add);
}

static int cmd_observer_assign(int argc, char **argv)
{
    return run(argc, argv, "fxaudit observer assign", assign_help, do_assign);
}

static int cmd_observer_worklist(int argc, char **argv)
{
    return run(argc, argv, "fxaudit observer worklist", worklist_help, do_worklist);
}

int cmd_observer(int argc, char **argv)
{
    static const struct cli_cmd sub[] = {
        {"add", cmd_observer_add, "add an observer with a blinded reading list"},
        {"assign", cmd_observer_assign, "add newly added patients to a reading list"},
        {"worklist", cmd_observer_worklist, "an observer's reading list"},
        {NULL, NULL, NULL},
    };
    return cli_subcommand(argc, argv, sub, "fxaudit observer");
}
