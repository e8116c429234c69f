/*
 * cmd_patient.c - `fxaudit patient add|list|show`: the study's patients,
 * known by study code only. There is deliberately no option for a name, a
 * hospital ID or a birth date, and asking for one is refused with the reason.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "fxaudit/store.h"

static const char add_help[] =
    "usage: fxaudit patient add --study DIR --code CODE [options] [--json]\n\n"
    "Add a patient, known only by a study code (1-32 of A-Z a-z 0-9 - _).\n\n"
    "  --sex female|male|other|unknown\n"
    "  --age-band 0-17|18-29|30-39|40-49|50-59|60-69|70-79|80-89|90+|unknown\n"
    "  --side left|right|bilateral          fractured side\n"
    "  --fracture-type TYPE                 Letournel: posterior-wall, posterior-column,\n"
    "      anterior-wall, anterior-column, transverse, posterior-column-posterior-wall,\n"
    "      transverse-posterior-wall, t-shaped, anterior-posterior-hemitransverse,\n"
    "      both-column\n"
    "  --approach stoppa|ilioinguinal|pararectus|kocher-langenbeck|\n"
    "      extended-iliofemoral|combined|percutaneous|other\n"
    "  --mechanism traffic|fall-from-height|fall-from-standing|crush|sports|other|unknown\n"
    "  --plates none|anterior|posterior|anterior-posterior\n"
    "  --injury-to-surgery-days N\n\n"
    "Names, hospital IDs and birth dates are never stored: keep the link from code\n"
    "to hospital ID outside the study (docs/study-store.md).\n";

static const char list_help[] = "usage: fxaudit patient list --study DIR [--json]\n\n"
                                "List the study's patients by code.\n";

static const char show_help[] = "usage: fxaudit patient show --study DIR CODE [--json]\n\n"
                                "Show one patient.\n";

enum {
    OPT_STUDY = 256,
    OPT_JSON,
    OPT_CODE,
    OPT_SEX,
    OPT_AGE,
    OPT_SIDE,
    OPT_FRACTURE,
    OPT_APPROACH,
    OPT_MECHANISM,
    OPT_PLATES,
    OPT_DAYS
};

/* Options someone might try in order to store identity; refused by name. */
static int refuse_identity(int argc, char **argv, const char *cmd)
{
    static const char *const banned[] = {
        "--name", "--patient-name",  "--first-name",  "--last-name", "--birth-date",
        "--dob",  "--date-of-birth", "--hospital-id", "--mrn",       "--patient-id",
        NULL};
    for (int i = 1; i < argc; i++)
        for (const char *const *b = banned; *b; b++) {
            size_t n = strlen(*b);
            if (!strncmp(argv[i], *b, n) && (argv[i][n] == '\0' || argv[i][n] == '='))
                return cli_usage(cmd,
                                 "'%s': the study stores no names, hospital IDs or birth "
                                 "dates (privacy); patients are study codes",
                                 *b);
        }
    return EXIT_OK;
}

static json_t *opt_str(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *patient_json(const fx_patient *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "code", json_string(p->code));
    json_object_set_new(o, "sex", opt_str(p->sex));
    json_object_set_new(o, "age_band", opt_str(p->age_band));
    json_object_set_new(o, "side", opt_str(p->side));
    json_object_set_new(o, "fracture_type", opt_str(p->fracture_type));
    json_object_set_new(o, "approach", opt_str(p->approach));
    json_object_set_new(o, "mechanism", opt_str(p->mechanism));
    json_object_set_new(o, "plates", opt_str(p->plates));
    json_object_set_new(o, "injury_to_surgery_days",
                        p->injury_to_surgery_days >= 0 ? json_integer(p->injury_to_surgery_days)
                                                       : json_null());
    json_object_set_new(o, "created_utc", json_string(p->created_utc));
    return o;
}

static const char *dash(const char *s)
{
    return *s ? s : "-";
}

static void print_patient(const fx_patient *p)
{
    printf("code:            %s\nsex:             %s\nage band:        %s\n"
           "side:            %s\nfracture type:   %s\napproach:        %s\n"
           "mechanism:       %s\nplates:          %s\n",
           p->code, dash(p->sex), dash(p->age_band), dash(p->side), dash(p->fracture_type),
           dash(p->approach), dash(p->mechanism), dash(p->plates));
    if (p->injury_to_surgery_days >= 0)
        printf("injury→surgery:  %d days\n", p->injury_to_surgery_days);
    printf("added:           %s\n", p->created_utc);
}

/* Copy an enumerated option's value after checking it (usage error if not allowed). */
static int set_enum(const char *cmd, const char *field, const char *v, char *dst, size_t n)
{
    fx_error err;
    if (fx_store_enum_check(field, v, &err))
        return cli_usage(cmd, "%s", err.msg);
    snprintf(dst, n, "%s", v);
    return EXIT_OK;
}

static const struct option add_opts[] = {
    {"study", required_argument, NULL, OPT_STUDY},
    {"json", no_argument, NULL, OPT_JSON},
    {"code", required_argument, NULL, OPT_CODE},
    {"sex", required_argument, NULL, OPT_SEX},
    {"age-band", required_argument, NULL, OPT_AGE},
    {"side", required_argument, NULL, OPT_SIDE},
    {"fracture-type", required_argument, NULL, OPT_FRACTURE},
    {"approach", required_argument, NULL, OPT_APPROACH},
    {"mechanism", required_argument, NULL, OPT_MECHANISM},
    {"plates", required_argument, NULL, OPT_PLATES},
    {"injury-to-surgery-days", required_argument, NULL, OPT_DAYS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static int parse_add(int argc, char **argv, const char **dir, bool *json, fx_patient *p)
{
    const char *cmd = "fxaudit patient add";
    fx_error err;
    long days;
    int c, rc = refuse_identity(argc, argv, cmd);

    cli_getopt_reset();
    while (!rc && (c = getopt_long(argc, argv, "h", add_opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            return cli_help(add_help), -1;
        case OPT_STUDY:
            *dir = optarg;
            break;
        case OPT_JSON:
            *json = true;
            break;
        case OPT_CODE:
            if (fx_store_code_check("patient", optarg, &err))
                return cli_usage(cmd, "%s", err.msg);
            snprintf(p->code, sizeof(p->code), "%s", optarg);
            break;
        case OPT_SEX:
            rc = set_enum(cmd, "sex", optarg, p->sex, sizeof(p->sex));
            break;
        case OPT_AGE:
            rc = set_enum(cmd, "age_band", optarg, p->age_band, sizeof(p->age_band));
            break;
        case OPT_SIDE:
            rc = set_enum(cmd, "side", optarg, p->side, sizeof(p->side));
            break;
        case OPT_FRACTURE:
            rc = set_enum(cmd, "fracture_type", optarg, p->fracture_type, sizeof(p->fracture_type));
            break;
        case OPT_APPROACH:
            rc = set_enum(cmd, "approach", optarg, p->approach, sizeof(p->approach));
            break;
        case OPT_MECHANISM:
            rc = set_enum(cmd, "mechanism", optarg, p->mechanism, sizeof(p->mechanism));
            break;
        case OPT_PLATES:
            rc = set_enum(cmd, "plates", optarg, p->plates, sizeof(p->plates));
            break;
        case OPT_DAYS:
            rc = cli_parse_int(cmd, "--injury-to-surgery-days", optarg, 0, 36500, &days);
            p->injury_to_surgery_days = (int)days;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (rc)
        return rc;
    if (optind < argc)
        return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
    if (!*dir)
        return cli_usage(cmd, "which study? give --study DIR");
    if (!p->code[0])
        return cli_usage(cmd, "give the patient's study code with --code");
    return EXIT_OK;
}

static int patient_add(int argc, char **argv)
{
    const char *dir = NULL;
    bool json = false;
    fx_patient p;
    fx_error err;
    fx_store *s = NULL;
    int rc;

    fx_patient_init(&p);
    rc = parse_add(argc, argv, &dir, &json, &p);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (fx_store_open(dir, &s, &err))
        return cli_error(&err);
    rc = fx_store_patient_add(s, &p, &err);
    fx_store_close(s);
    if (rc)
        return cli_error(&err);
    if (json)
        return cli_print_json(patient_json(&p));
    printf("added patient %s\n", p.code);
    return EXIT_OK;
}

/* --study DIR, --json and at most `npos` positional arguments. */
static int parse_common(int argc, char **argv, const char *cmd, const char *help, const char **dir,
                        bool *json, const char **pos, int npos)
{
    static const struct option opts[] = {{"study", required_argument, NULL, OPT_STUDY},
                                         {"json", no_argument, NULL, OPT_JSON},
                                         {"code", required_argument, NULL, OPT_CODE},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c;

    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h')
            return cli_help(help), -1;
        else if (c == OPT_STUDY)
            *dir = optarg;
        else if (c == OPT_JSON)
            *json = true;
        else if (c == OPT_CODE && npos > 0)
            *pos = optarg;
        else
            return c == OPT_CODE ? cli_usage(cmd, "--code does not apply here") : EXIT_USAGE;
    }
    if (npos > 0 && optind < argc && !*pos)
        *pos = argv[optind++];
    if (optind < argc)
        return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
    if (!*dir)
        return cli_usage(cmd, "which study? give --study DIR");
    if (npos > 0 && !*pos)
        return cli_usage(cmd, "which patient? give the study code");
    return EXIT_OK;
}

static int patient_list(int argc, char **argv)
{
    const char *dir = NULL;
    bool json = false;
    fx_patient *v = NULL;
    size_t n = 0;
    fx_error err;
    fx_store *s = NULL;
    int rc = parse_common(argc, argv, "fxaudit patient list", list_help, &dir, &json, NULL, 0);

    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (fx_store_open(dir, &s, &err))
        return cli_error(&err);
    rc = fx_store_patient_list(s, &v, &n, &err);
    fx_store_close(s);
    if (rc)
        return cli_error(&err);
    if (json) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, patient_json(&v[i]));
        free(v);
        return cli_print_json(json_pack("{s:o}", "patients", a));
    }
    printf("%-12s %-8s %-8s %-9s %-34s %s\n", "code", "sex", "age", "side", "fracture type",
           "approach");
    for (size_t i = 0; i < n; i++)
        printf("%-12s %-8s %-8s %-9s %-34s %s\n", v[i].code, dash(v[i].sex), dash(v[i].age_band),
               dash(v[i].side), dash(v[i].fracture_type), dash(v[i].approach));
    free(v);
    return EXIT_OK;
}

static int patient_show(int argc, char **argv)
{
    const char *dir = NULL, *code = NULL;
    bool json = false;
    fx_patient p;
    fx_error err;
    fx_store *s = NULL;
    int rc = parse_common(argc, argv, "fxaudit patient show", show_help, &dir, &json, &code, 1);

    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (fx_store_open(dir, &s, &err))
        return cli_error(&err);
    rc = fx_store_patient_get(s, code, &p, &err);
    fx_store_close(s);
    if (rc)
        return cli_error(&err);
    if (json)
        return cli_print_json(patient_json(&p));
    print_patient(&p);
    return EXIT_OK;
}

int cmd_patient(int argc, char **argv)
{
    static const struct cli_cmd sub[] = {
        {"add", patient_add, "add a patient by study code"},
        {"list", patient_list, "list the study's patients"},
        {"show", patient_show, "show one patient"},
        {NULL, NULL, NULL},
    };
    return cli_subcommand(argc, argv, sub, "fxaudit patient");
}
