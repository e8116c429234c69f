/*
 * cmd_plan.c - `fxaudit plan`: inspect and export surgical plans.
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "plan_cli.h"
#include "commands.h"
#include "fxaudit/hash.h"
#include "fxaudit/plan.h"
#include "fxaudit/planbuild.h"
#include "fxaudit/store.h"
#include "fxaudit/volio.h"
#include "fxaudit/screwio.h"

static json_t *maybe(double x) { return isfinite(x) ? json_real(x) : json_null(); }

static json_t *inspect_json(const fx_plan *p)
{
    json_t *frags = json_array(), *screws = json_array(), *plates = json_array();
    for (size_t i = 0; i < p->nfrags; i++) {
        const fx_plan_fragment *f = &p->frags[i];
        json_array_append_new(frags, json_pack("{s:s, s:i, s:b, s:f, s:f, s:o}", "name",
                                               f->name, "label", f->label, "fixed", f->fixed,
                                               "rotation_deg",
                                               fx_rigid_rotation_angle(&f->pose) * 180 / M_PI,
                                               "translation_mm",
                                               fx_v3_norm(fx_v3(f->pose.t[0], f->pose.t[1],
                                                                f->pose.t[2])),
                                               "residual_rms_mm", maybe(f->residual_rms_mm)));
    }
    for (size_t i = 0; i < p->nscrews; i++) {
        const fx_plan_screw *s = &p->screws[i];
        json_t *o = json_pack("{s:s, s:f, s:f, s:s}", "name", s->name, "diameter_mm",
                              s->diameter_mm, "length_mm", s->length_mm, "plate", s->plate);
        json_object_set_new(o, "corridor_mm", maybe(s->corridor_mm));
        json_object_set_new(o, "suggested_mm", maybe(s->suggested_mm));
        json_object_set_new(o, "clearance_mm", maybe(s->clearance_mm));
        json_object_set_new(o, "joint_warning", json_boolean(s->joint_warning));
        json_array_append_new(screws, o);
    }
    for (size_t i = 0; i < p->nplates; i++)
        json_array_append_new(plates, json_pack("{s:s, s:f, s:f, s:i}", "name",
                                                p->plates[i].name, "width_mm",
                                                p->plates[i].width_mm, "thickness_mm",
                                                p->plates[i].thickness_mm, "path_points",
                                                (int)p->plates[i].npath));
    json_t *ov = json_array();
    for (size_t i = 0; i < p->noverlaps; i++) {
        const fx_plan_overlap *o = &p->overlaps[i];
        json_t *e = json_pack("{s:s, s:s}", "a", o->a, "b", o->b);
        json_object_set_new(e, "depth_before_mm", maybe(o->depth_before_mm));
        json_object_set_new(e, "volume_before_mm3", maybe(o->volume_before_mm3));
        json_object_set_new(e, "depth_mm", maybe(o->depth_mm));
        json_object_set_new(e, "volume_mm3", maybe(o->volume_mm3));
        json_array_append_new(ov, e);
    }
    return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:i, s:o}", "patient", p->patient, "side",
                     p->side, "software", p->software, "fragments", frags, "screws", screws,
                     "plates", plates, "guides", (int)p->nguides, "overlaps", ov);
}

static void inspect_text(const fx_plan *p)
{
    printf("plan for %s (fractured side: %s), made by %s\n", p->patient[0] ? p->patient : "?",
           p->side[0] ? p->side : "?", p->software);
    printf("fragments: %zu\n", p->nfrags);
    for (size_t i = 0; i < p->nfrags; i++) {
        const fx_plan_fragment *f = &p->frags[i];
        printf("  %-20s label %-3d %s moved %.1f deg, %.1f mm", f->name, f->label,
               f->fixed ? "fixed" : "     ", fx_rigid_rotation_angle(&f->pose) * 180 / M_PI,
               fx_v3_norm(fx_v3(f->pose.t[0], f->pose.t[1], f->pose.t[2])));
        if (isfinite(f->residual_rms_mm))
            printf(", residual to template %.2f mm RMS", f->residual_rms_mm);
        printf("\n");
    }
    for (size_t i = 0; i < p->noverlaps; i++) {
        const fx_plan_overlap *o = &p->overlaps[i];
        printf("  overlap %s / %s: %.2f mm deep, %.1f mm3 (each fragment on its own: %.2f mm, "
               "%.1f mm3)\n", o->a, o->b, o->depth_mm, o->volume_mm3, o->depth_before_mm,
               o->volume_before_mm3);
    }
    printf("screws: %zu\n", p->nscrews);
    for (size_t i = 0; i < p->nscrews; i++) {
        const fx_plan_screw *s = &p->screws[i];
        printf("  %-8s %.1f mm x %.1f mm", s->name, s->diameter_mm, s->length_mm);
        if (isfinite(s->corridor_mm))
            printf(", corridor %.1f mm (suggested %.0f mm)", s->corridor_mm, s->suggested_mm);
        if (s->joint_warning)
            printf(", WARNING: within the joint safety margin");
        printf("\n");
    }
    printf("plates: %zu, guides: %zu\n", p->nplates, p->nguides);
}

static int plan_inspect(int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *cmd = "fxaudit plan inspect";
    int json = 0, c;
    fx_plan *p;
    fx_error err;

    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'j')
            json = 1;
        else if (c == 'h')
            return cli_help("usage: fxaudit plan inspect PLAN.json [--json]\n\n"
                            "Summarise a plan: fragments and how far the reduction moves them,\n"
                            "screws with planned lengths and corridor checks, plates, guides.\n");
        else
            return cli_usage(cmd, "unknown option");
    }
    if (optind != argc - 1)
        return cli_usage(cmd, "expects one plan file");
    if (fx_plan_read(argv[optind], &p, &err))
        return cli_error(&err);
    if (json)
        c = cli_print_json(inspect_json(p));
    else
        inspect_text(p), c = EXIT_OK;
    fx_plan_free(p);
    return c;
}

static const char create_help[] =
    "usage: fxaudit plan create VOLUME --out DIR [--patient CODE] [--side left|right]\n"
    "       fxaudit plan create --study DIR --patient CODE [--side left|right]\n"
    "                           [--seeds FILE | --labels FILE --roles SPEC]\n"
    "                           [--screws FILE] [--plates FILE] [--no-split] [--no-joint]\n"
    "                           [--overlap-tol MM] [--json]\n\n"
    "Make a plan from a pre-op CT (NRRD, NIfTI or a DICOM folder): bone parts by the\n"
    "226-3071 HU preset, the symmetry plane, the healthy side mirrored as the template,\n"
    "each fragment reduced onto it, the planned screws (JSON list or Slicer markups)\n"
    "checked for corridor, clearance and joint distance, and plates built on the\n"
    "reduced model. Writes DIR/plan.json and the models. Lengths in mm, LPS.\n\n"
    "--seeds FILE corrects the parts: {\"seeds\": [{\"point\": [x, y, z], \"role\":\n"
    "\"reference|fragment|femur-intact|femur-injured|other\"}, ...]}, the reference first;\n"
    "each part grows from its seed over the bone, so touching parts divide along\n"
    "their neck. --labels FILE takes a label map made elsewhere (e.g. 3D Slicer, on\n"
    "the CT's grid) as the parts, with --roles \"1:reference,2:fragment,...\"\n"
    "(label 1 must be the reference). Without either, touching parts are divided\n"
    "automatically where a neck allows (a watershed on the distance map, regions\n"
    "merged again where no neck divides them); --no-split keeps the plain\n"
    "connected components.\n\n"
    "After each fragment's own registration, a joint refinement keeps the reduced\n"
    "parts from running into each other deeper than --overlap-tol MM (at least two\n"
    "voxels, the overlap of voxel models at their true places; default 0.5);\n"
    "--no-joint skips it. plan.json lists each pair's overlap before and after.\n\n"
    "With --study, the patient's newest pre-op series is planned into\n"
    "DIR/plans/CODE/ and the plan, its fragments' poses and its screws are recorded\n"
    "in the study (the audit compares against it).\n";

/* Roles of a label map's labels from "1:reference,2:fragment,...". */
static int parse_roles(const char *cmd, const char *spec, fx_part_role **roles, size_t *n)
{
    fx_error err;
    *roles = calloc(256, sizeof(**roles));
    if (!*roles)
        return cli_failf("out of memory");
    return fx_part_roles_parse(spec, *roles, 256, n, &err) ? cli_usage(cmd, "%s", err.msg)
                                                           : EXIT_OK;
}

/* Seeds and their roles from {"seeds": [{"point": [x, y, z], "role": "..."}]}. */
static int read_seeds(const char *path, fx_vec3 **pts, fx_part_role **roles, size_t *n,
                      fx_error *err)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je), *list, *o;
    size_t i;

    if (!root)
        return fx_fail(err, FX_EFORMAT, "cannot read seeds from '%s': %s", path, je.text);
    list = json_object_get(root, "seeds");
    *n = json_array_size(list);
    *pts = calloc(*n ? *n : 1, sizeof(**pts));
    *roles = calloc(*n + 1, sizeof(**roles)); /* by label: seed i grows label i + 1 */
    if (!*pts || !*roles) {
        json_decref(root);
        return fx_fail(err, FX_ENOMEM, "cannot read seeds");
    }
    json_array_foreach(list, i, o) {
        json_t *p = json_object_get(o, "point");
        const char *role = json_string_value(json_object_get(o, "role"));
        int r = role ? fx_part_role_from_name(role) : -1;
        if (json_array_size(p) != 3 || r < 0) {
            json_decref(root);
            return fx_fail(err, FX_EFORMAT, "'%s': seed %zu needs a \"point\" [x, y, z] and a "
                           "\"role\" (reference, fragment, femur-intact, femur-injured, other)",
                           path, i);
        }
        (*pts)[i] = fx_v3(json_number_value(json_array_get(p, 0)),
                          json_number_value(json_array_get(p, 1)),
                          json_number_value(json_array_get(p, 2)));
        (*roles)[i + 1] = (fx_part_role)r;
    }
    json_decref(root);
    return *n ? FX_OK : fx_fail(err, FX_EFORMAT, "'%s' holds no seeds", path);
}

static int plan_create(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},    {"patient", required_argument, NULL, 'p'},
        {"side", required_argument, NULL, 's'},   {"screws", required_argument, NULL, 'S'},
        {"plates", required_argument, NULL, 'P'}, {"json", no_argument, NULL, 'j'},
        {"seeds", required_argument, NULL, 'D'},  {"labels", required_argument, NULL, 'L'},
        {"study", required_argument, NULL, 'Y'},
        {"roles", required_argument, NULL, 'R'},
        {"no-joint", no_argument, NULL, 'N'},     {"no-split", no_argument, NULL, 'C'},     {"overlap-tol", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    const char *cmd = "fxaudit plan create", *seeds_path = NULL, *labels_path = NULL;
    const char *study = NULL, *input;
    char study_in[4200], study_out[4200];
    fx_store *st = NULL;
    int64_t patient_id = 0, series_id = 0;
    fx_volume *labels = NULL;
    fx_vec3 *seeds = NULL;
    fx_part_role *roles = NULL;
    fx_plan_build_opts o;
    int json = 0, c, rc;
    fx_volume *v = NULL;
    fx_plan *p = NULL;
    fx_error err;
    char sha[FX_SHA256_HEX] = "", path[FX_PLAN_PATH + 16];

    fx_plan_build_opts_default(&o);
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'o': o.out_dir = optarg; break;
        case 'p': o.patient = optarg; break;
        case 's': o.side = optarg; break;
        case 'S': o.screws_path = optarg; break;
        case 'P': o.plates_path = optarg; break;
        case 'D': seeds_path = optarg; break;
        case 'Y': study = optarg; break;
        case 'L': labels_path = optarg; break;
        case 'R':
            free(roles);
            if ((rc = parse_roles(cmd, optarg, &roles, &o.nroles)))
                return rc;
            break;
        case 'N': o.no_joint = 1; break;
        case 'C': o.parts.split = 0; break;
        case 'T': {
            char *end;
            o.joint.tolerance_mm = strtod(optarg, &end);
            if (*end || !(o.joint.tolerance_mm >= 0))
                return cli_usage(cmd, "--overlap-tol needs a length in mm, not '%s'", optarg);
            break;
        }
        case 'j': json = 1; break;
        case 'h': return cli_help(create_help);
        default: return cli_usage(cmd, "unknown option");
        }
    }
    if (study ? (optind != argc || !o.patient || o.out_dir)
              : (optind != argc - 1 || !o.out_dir))
        return cli_usage(cmd, "expects a pre-op volume and --out DIR, or --study DIR and "
                         "--patient CODE");
    if (o.side && strcmp(o.side, "left") && strcmp(o.side, "right"))
        return cli_usage(cmd, "--side must be left or right");
    o.progress = cli_progress();
    if (labels_path && (seeds_path || !roles))
        return cli_usage(cmd, "--labels goes with --roles, and not with --seeds");
    rc = FX_OK;
    if (seeds_path) {
        free(roles);
        rc = read_seeds(seeds_path, &seeds, &roles, &o.parts.nseeds, &err);
        o.nroles = o.parts.nseeds + 1;
    }
    input = study ? study_in : argv[optind];
    if (!rc && study && !(rc = fx_store_open(study, &st, &err)) &&
        !(rc = plan_study_preop(st, o.patient, &patient_id, &series_id, study_in,
                                sizeof(study_in), &err))) {
        snprintf(study_out, sizeof(study_out), "%s/plans/%s", fx_store_dir(st), o.patient);
        o.out_dir = study_out;
        /* never over a plan already there: its recorded checksums would go stale */
        if (access(study_out, F_OK) == 0)
            rc = fx_fail(&err, FX_ECONFLICT, "'%s' exists already; move it aside to make a new "
                         "plan for %s", study_out, o.patient);
    }
    if (!rc && labels_path)
        rc = fx_volume_read(labels_path, &labels, &err);
    o.parts.seeds = seeds;
    o.parts.labels = labels;
    o.roles = roles;
    if (!rc)
        rc = fx_volume_read(input, &v, &err);
    if (!rc)
        rc = fx_plan_build(v, &o, &p, &err);
    cli_progress_done();
    fx_volume_free(v);
    free(seeds);
    free(roles);
    fx_volume_free(labels);
    if (rc) {
        fx_store_close(st);
        return cli_error(&err);
    }
    /* the input's checksum, when it is one file */
    if (fx_sha256_file(input, sha, NULL) == FX_OK &&
        fx_plan_add_input(p, "preop-volume", input, sha, &err) == FX_OK) {
        snprintf(path, sizeof(path), "%s/plan.json", o.out_dir);
        rc = fx_plan_write(p, path, &err);
    }
    if (!rc && st) {
        char rel[300];
        snprintf(rel, sizeof(rel), "plans/%s/plan.json", o.patient);
        rc = plan_study_record(st, patient_id, series_id, p, rel, &err);
    }
    fx_store_close(st);
    if (rc) {
        fx_plan_free(p);
        return cli_error(&err);
    }
    if (json)
        rc = cli_print_json(inspect_json(p));
    else
        inspect_text(p), rc = EXIT_OK;
    fx_plan_free(p);
    return rc;
}

int cmd_plan(int argc, char **argv)
{
    static const struct cli_cmd sub[] = {
        {"create", plan_create, "make a plan from a pre-op CT"},
        {"inspect", plan_inspect, "summarise a plan file"},
        {"export", plan_export, "export the reduced model, screws and markups"},
        {"pose", plan_pose, "set a fragment's planned pose by hand"},
        {NULL, NULL, NULL},
    };
    return cli_subcommand(argc, argv, sub, "fxaudit plan");
}
