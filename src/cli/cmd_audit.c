/*
 * cmd_audit.c - `fxaudit audit`: the post-op audit of one patient, from a
 * plan file and a post-op volume, or from a study (results stored there).
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit_joint.h"
#include "audit_poses.h"
#include "cli.h"
#include "commands.h"
#include "fxaudit/audit.h"
#include "fxaudit/auditposes.h"
#include "fxaudit/auditstore.h"
#include "fxaudit/meshio.h"
#include "fxaudit/volio.h"

static const char *help =
    "usage: fxaudit audit --plan PLAN.json --postop VOLUME|DICOMDIR [options] [--json]\n"
    "       fxaudit audit --study DIR --patient CODE [options] [--json]\n"
    "options: --no-register, --joint X,Y,Z,R, --joint-margin MM, --timings\n\n"
    "Audit how the plan was carried out. The post-op bone (metal cut out) is registered\n"
    "onto the plan's reference region (its first fixed fragment, e.g. reference-0) by\n"
    "trimmed ICP; each planned screw, mapped into the post-op scan, leads the search for\n"
    "its actual screw in the metal (>= 2500 HU): axis, entry (under the plate) and tip;\n"
    "actual screws are matched to planned ones by optimal assignment (angle + entry\n"
    "distance); deviations per screw in plan coordinates: angle (deg, acos|u.v|), entry\n"
    "and tip (mm), length (actual - planned, mm); planned screws not placed and metal\n"
    "that no plan explains (e.g. a hip implant) are reported. Study mode takes the\n"
    "patient's latest post-op CT and plans/CODE/plan.json and stores the registration,\n"
    "the actual screws and the deviations in the study. --no-register takes the post-op\n"
    "scan as already in plan coordinates. --joint X,Y,Z,R gives the acetabular joint\n"
    "surface as a sphere (plan mm): a screw whose surface comes within --joint-margin MM\n"
    "(2) of it, or into it, is flagged joint_penetration. --timings prints the time of\n"
    "each stage to stderr. Method: docs/audit.md.\n"
    "The screw accuracy was measured on scans with voxels of 1 mm or less (the\n"
    "workflow's CT); a coarser post-op scan is audited with a warning on stderr (JSON\n"
    "scan.coarser_than_1mm, scan.voxel_mm).\n"
    "After the registration, each planned fragment and plate is located in the post-op\n"
    "bone and metal (translation of its centroid, rotation; docs/audit-poses.md) and the\n"
    "registration's residuals are binned (JSON registration.residual_histogram). A\n"
    "fragment or plate whose model cannot be read or whose fit fails is reported not\n"
    "located (found false, its warning in the JSON and on stderr); the audit goes on.\n"
    "Without a registration (--no-register, or no reference region in the plan) no\n"
    "fragment or plate is located: fragments and plates are empty, poses_note says why.\n";

struct audit_args {
    const char *plan, *postop, *study, *patient;
    int json, no_register, timings;
    int joint_set;
    double joint[4], joint_margin_mm; /* centre (plan mm) and radius; margin (NAN: default) */
    double voxel_mm[3];               /* the post-op scan's spacing, filled by audit_files */
};

static void scan_warn(const char *postop, const double s[3])
{
    if (fx_audit_scan_is_coarse(s))
        fprintf(stderr,
                "fxaudit audit: warning: %s: voxels of %.2f x %.2f x %.2f mm are coarser than "
                "the 1 mm slices the screw accuracy was measured on; screw positions are less "
                "certain (docs/audit.md, the small size)\n",
                postop, s[0], s[1], s[2]);
}

static json_t *scan_json(const double s[3])
{
    return json_pack("{s:o,s:b,s:f}", "voxel_mm", cli_json_doubles(s, 3), "coarser_than_1mm",
                     fx_audit_scan_is_coarse(s), "accuracy_measured_up_to_mm",
                     FX_AUDIT_ACCURACY_VOXEL_MM);
}

/* The plan's reference region: the first fixed fragment named reference*,
 * else the first fixed one; NULL when the plan has none. */
static const fx_plan_fragment *reference_of(const fx_plan *p)
{
    for (size_t i = 0; i < p->nfrags; i++)
        if (p->frags[i].fixed && !strncmp(p->frags[i].name, "reference", 9))
            return &p->frags[i];
    for (size_t i = 0; i < p->nfrags; i++)
        if (p->frags[i].fixed && p->frags[i].mesh[0])
            return &p->frags[i];
    return NULL;
}

static json_t *vec_json(fx_vec3 v)
{
    double a[3] = {v.x, v.y, v.z};
    return cli_json_doubles(a, 3);
}

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* Why the audit did not register, and so located no fragment or plate. */
static const char *unregistered_why(int no_register)
{
    return no_register ? "--no-register: post-op taken as in plan coordinates"
                       : "no reference region in the plan: post-op taken as in plan coordinates";
}

static const char *no_poses_why(int no_register)
{
    return no_register ? "not located: fragments and plates are located after the registration "
                         "onto the plan's reference region, which --no-register skips"
                       : "not located: fragments and plates are located after the registration "
                         "onto the plan's reference region, and the plan has none";
}

static json_t *registration_json(const fx_audit_result *r, int no_register)
{
    double m[16];
    json_t *w;
    if (!r->registered)
        return json_pack("{s:b,s:s}", "registered", 0, "message", unregistered_why(no_register));
    fx_rigid_to_matrix(&r->reg.T, m);
    w = json_array();
    for (unsigned b = 0; b < FX_ICP_WARN_COUNT; b++)
        if (r->reg.warnings & (1u << b))
            json_array_append_new(w, json_string(fx_icp_warning_text(1u << b)));
    return json_pack("{s:b,s:s,s:o,s:f,s:f,s:i,s:b,s:o}", "registered", 1, "region", r->region,
                     "matrix", cli_json_doubles(m, 16), "rms_mm", r->reg.rms_mm, "inlier_fraction",
                     r->reg.inlier_fraction, "iterations", r->reg.iterations, "converged",
                     r->reg.converged, "warnings", w);
}

static json_t *result_json(const fx_plan *plan, const fx_audit_result *r, int no_register)
{
    json_t *screws = json_array(), *metal = json_array();
    size_t placed = 0;
    for (size_t i = 0; i < r->ndev; i++) {
        const fx_audit_dev *d = &r->dev[i];
        const fx_plan_screw *ps = &plan->screws[i];
        json_t *j = json_pack("{s:s,s:b}", "name", ps->name, "placed", d->actual >= 0);
        if (d->actual >= 0) {
            const fx_audit_screw *a = &r->screws[d->actual];
            placed++;
            json_object_set_new(j, "postop",
                                json_pack("{s:o,s:o,s:f,s:f,s:b,s:b}", "entry", vec_json(a->entry),
                                          "tip", vec_json(a->tip), "length_mm", a->length_mm,
                                          "fit_rms_mm", a->fit_rms_mm, "entry_from_plan",
                                          a->from_plan & 1, "tip_from_plan",
                                          (a->from_plan & 2) != 0));
            json_object_set_new(json_object_get(j, "postop"), "tip_in_other_metal",
                                json_boolean((a->from_plan & 4) != 0));
            json_object_set_new(
                j, "plan",
                json_pack("{s:o,s:o}", "entry", vec_json(d->entry), "tip", vec_json(d->tip)));
        }
        json_object_set_new(j, "angle_deg", num(d->angle_deg));
        json_object_set_new(j, "entry_mm", num(d->entry_mm));
        json_object_set_new(j, "tip_mm", num(d->tip_mm));
        json_object_set_new(j, "length_mm", num(d->length_mm));
        json_object_set_new(j, "joint_mm", num(d->joint_mm));
        json_object_set_new(j, "joint_penetration",
                            d->joint_penetration < 0 ? json_null()
                                                     : json_boolean(d->joint_penetration));
        json_array_append_new(screws, j);
    }
    for (size_t k = 0; k < r->nunplanned; k++) {
        const fx_audit_metal *m = &r->unplanned[k];
        json_array_append_new(metal, json_pack("{s:f,s:o,s:o,s:o}", "volume_mm3", m->volume_mm3,
                                               "centroid", vec_json(m->centroid), "lo",
                                               vec_json(m->lo), "hi", vec_json(m->hi)));
    }
    json_t *j = json_pack("{s:o,s:o,s:i,s:i,s:i,s:o,s:f,s:{s:f,s:f,s:f,s:f}}", "registration",
                     registration_json(r, no_register), "screws", screws, "planned", (int)r->ndev, "placed",
                     (int)placed, "unmatched_candidates", (int)r->unmatched, "unplanned_metal",
                     metal, "metal_mm3", r->metal_mm3, "seconds", "load", r->seconds[0],
                     "registration", r->seconds[1], "screws", r->seconds[2], "matching",
                     r->seconds[3]);
    audit_poses_json_add(j, r, no_poses_why(no_register));
    return j;
}

static void print_text(const fx_plan *plan, const fx_audit_result *r, int no_register)
{
    if (r->registered)
        printf("registration on %s: rms %.3f mm, inliers %.2f, %d iterations%s\n", r->region,
               r->reg.rms_mm, r->reg.inlier_fraction, r->reg.iterations,
               r->reg.converged ? "" : " (not converged)");
    else
        printf("no registration: %s\n", unregistered_why(no_register));
    printf("%-12s %8s %8s %8s %9s\n", "screw", "angle", "entry_mm", "tip_mm", "length_mm");
    for (size_t i = 0; i < r->ndev; i++) {
        const fx_audit_dev *d = &r->dev[i];
        if (d->actual < 0)
            printf("%-12s not placed\n", plan->screws[i].name);
        else
            printf("%-12s %8.2f %8.2f %8.2f %+9.2f\n", plan->screws[i].name, d->angle_deg,
                   d->entry_mm, d->tip_mm, d->length_mm);
    }
    for (size_t k = 0; k < r->nunplanned; k++)
        printf("unplanned metal: %.0f mm3 at (%.1f, %.1f, %.1f)\n", r->unplanned[k].volume_mm3,
               r->unplanned[k].centroid.x, r->unplanned[k].centroid.y, r->unplanned[k].centroid.z);
    audit_poses_print(r, no_poses_why(no_register));
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* "X,Y,Z,R": the joint sphere's centre (plan mm) and radius (> 0). */
static int parse_joint(const char *s, double out[4])
{
    char *end;
    for (int k = 0; k < 4; k++) {
        out[k] = strtod(s, &end);
        if (end == s || !isfinite(out[k]) || (k < 3 && *end != ',') || (k == 3 && *end))
            return 0;
        s = end + 1;
    }
    return out[3] > 0;
}

/* Plan, its reference mesh and the post-op volume; then the audit. */
static int audit_files(const char *plan_path, const char *postop, struct audit_args *a,
                       fx_plan **plan, fx_audit_result **res, fx_error *err)
{
    fx_volume *v = NULL;
    fx_mesh *ref = NULL;
    fx_audit_opts o;
    const fx_plan_fragment *f;
    double t0 = now_s(), t_plan, t_vol;
    int rc = fx_plan_read(plan_path, plan, err);
    fx_audit_opts_default(&o);
    o.register_postop = !a->no_register;
    o.progress = cli_progress();
    if (a->joint_set) {
        o.joint_centre = fx_v3(a->joint[0], a->joint[1], a->joint[2]);
        o.joint_radius_mm = a->joint[3];
    }
    if (isfinite(a->joint_margin_mm))
        o.joint_margin_mm = a->joint_margin_mm;
    if (!rc && (f = reference_of(*plan)) && o.register_postop) {
        char mp[4096];
        const char *slash = strrchr(plan_path, '/');
        int dl = slash ? (int)(slash - plan_path + 1) : 0;
        if (f->mesh[0] == '/')
            snprintf(mp, sizeof(mp), "%s", f->mesh);
        else
            snprintf(mp, sizeof(mp), "%.*s%s", dl, plan_path, f->mesh);
        rc = fx_mesh_read(mp, NULL, &ref, err);
    }
    t_plan = now_s();
    if (!rc)
        rc = fx_volume_read(postop, &v, err);
    t_vol = now_s();
    if (!rc) {
        memcpy(a->voxel_mm, v->spacing, sizeof(a->voxel_mm));
        scan_warn(postop, a->voxel_mm);
    }
    if (!rc)
        rc = fx_audit_run(v, *plan, ref, ref ? reference_of(*plan)->name : NULL, &o, res, err);
    if (!rc)
        rc = fx_audit_parts_from_plan(*res, v, *plan, plan_path, &o, err);
    cli_progress_done();
    if (!rc && a->timings)
        fprintf(stderr,
                "timings (s, wall): plan and reference read %.2f, post-op volume loaded %.2f, "
                "post-op bone model and registration %.2f, screws %.2f, matching and unplanned "
                "metal %.2f, total %.2f\n",
                t_plan - t0, t_vol - t_plan, (*res)->seconds[1], (*res)->seconds[2],
                (*res)->seconds[3], now_s() - t0);
    if (!rc)
        (*res)->seconds[0] = t_vol - t0;
    fx_volume_free(v);
    fx_mesh_free(ref);
    return rc;
}

/* The patient's latest post-op CT in the study: its id and absolute path. */
static int postop_series(fx_store *s, const char *code, int64_t *id, char *path, size_t n,
                         fx_error *err)
{
    json_t *rows = NULL;
    fx_store_field p = fx_sf_text("code", code);
    int rc = fx_store_query(s,
                            "SELECT s.id, s.path FROM series s JOIN patients p ON p.id = "
                            "s.patient_id WHERE p.code = ?1 AND s.timepoint = 'postop' AND "
                            "s.kind = 'ct' ORDER BY s.id DESC LIMIT 1",
                            &p, 1, &rows, err);
    if (rc)
        return rc;
    if (!json_array_size(rows)) {
        json_decref(rows);
        return fx_fail(err, FX_ENOTFOUND, "study '%s': patient '%s' has no post-op CT",
                       fx_store_dir(s), code);
    }
    json_t *r = json_array_get(rows, 0);
    *id = json_integer_value(json_object_get(r, "id"));
    snprintf(path, n, "%s/%s", fx_store_dir(s), json_string_value(json_object_get(r, "path")));
    json_decref(rows);
    return FX_OK;
}

/* The joint sphere the check uses and where it came from, for --json. */
static json_t *joint_json(const struct audit_args *a, const char *source)
{
    if (!a->joint_set)
        return json_null();
    return json_pack("{s:o,s:f,s:s}", "centre_mm", cli_json_doubles(a->joint, 3), "radius_mm",
                     a->joint[3], "source", source);
}

/* Study mode without --joint: the joint found in the pre-op CT. A joint that
 * cannot be found leaves the check off, with a warning, not the audit failed. */
static void joint_from_study(fx_store *st, struct audit_args *a, const char **source)
{
    fx_error err = {0};
    if (a->joint_set)
        return;
    if (audit_joint_from_study(st, a->patient, a->joint, &err)) {
        fprintf(stderr, "fxaudit audit: warning: no joint check: %s\n", err.msg);
        return;
    }
    a->joint_set = 1;
    *source = "pre-op CT: healthy socket mirrored";
    fprintf(stderr,
            "fxaudit audit: joint sphere from the pre-op CT (healthy socket mirrored): centre "
            "(%.1f, %.1f, %.1f) mm, radius %.1f mm\n",
            a->joint[0], a->joint[1], a->joint[2], a->joint[3]);
}

static int run(const struct audit_args *args)
{
    struct audit_args copy = *args, *a = &copy;
    const char *joint_source = "--joint";
    fx_error err = {0};
    fx_store *st = NULL;
    fx_plan *plan = NULL;
    fx_audit_result *res = NULL;
    char post[4096], plan_abs[4096], plan_rel[512];
    int64_t series_id = 0;
    int rc;

    if (a->study) {
        snprintf(plan_rel, sizeof(plan_rel), "plans/%s/plan.json", a->patient);
        if (!(rc = fx_store_open(a->study, &st, &err)) &&
            !(rc = fx_store_code_check("patient", a->patient, &err)))
            rc = postop_series(st, a->patient, &series_id, post, sizeof(post), &err);
        if (!rc)
            joint_from_study(st, a, &joint_source);
        snprintf(plan_abs, sizeof(plan_abs), "%s/%s", a->study, plan_rel);
        if (!rc)
            rc = audit_files(plan_abs, post, a, &plan, &res, &err);
        if (!rc)
            rc = fx_audit_store(st, a->patient, series_id, plan_rel, plan_abs, plan, res, &err);
    } else {
        rc = audit_files(a->plan, a->postop, a, &plan, &res, &err);
    }
    if (!rc) {
        audit_poses_warn(res);
        if (a->json) {
            json_t *j = result_json(plan, res, a->no_register);
            json_object_set_new(j, "joint", joint_json(a, joint_source));
            json_object_set_new(j, "scan", scan_json(a->voxel_mm));
            cli_print_json(j);
        } else {
            printf("post-op scan: voxels %.2f x %.2f x %.2f mm%s\n", a->voxel_mm[0],
                   a->voxel_mm[1], a->voxel_mm[2],
                   fx_audit_scan_is_coarse(a->voxel_mm) ? " (coarser than 1 mm: see the warning)"
                                                         : "");
            print_text(plan, res, a->no_register);
        }
    }
    fx_audit_result_free(res);
    fx_plan_free(plan);
    fx_store_close(st);
    return rc ? cli_error(&err) : EXIT_OK;
}

int cmd_audit(int argc, char **argv)
{
    static const struct option opts[] = {
        {"plan", required_argument, NULL, 'p'},  {"postop", required_argument, NULL, 'o'},
        {"study", required_argument, NULL, 's'}, {"patient", required_argument, NULL, 'P'},
        {"no-register", no_argument, NULL, 'n'}, {"json", no_argument, NULL, 'j'},
        {"joint", required_argument, NULL, 'J'}, {"joint-margin", required_argument, NULL, 'M'},
        {"timings", no_argument, NULL, 't'},     {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    struct audit_args a;
    int ch;
    memset(&a, 0, sizeof(a));
    a.joint_margin_mm = NAN;
    cli_getopt_reset();
    while ((ch = getopt_long(argc, argv, "p:o:s:P:njJ:M:th", opts, NULL)) != -1) {
        switch (ch) {
        case 'p':
            a.plan = optarg;
            break;
        case 'o':
            a.postop = optarg;
            break;
        case 's':
            a.study = optarg;
            break;
        case 'P':
            a.patient = optarg;
            break;
        case 'n':
            a.no_register = 1;
            break;
        case 'J':
            if (!parse_joint(optarg, a.joint))
                return cli_usage("audit", "--joint wants X,Y,Z,R (mm, R > 0), not '%s'", optarg);
            a.joint_set = 1;
            break;
        case 'M':
            if (cli_parse_double("audit", "--joint-margin", optarg, &a.joint_margin_mm))
                return EXIT_USAGE;
            if (a.joint_margin_mm < 0)
                return cli_usage("audit", "--joint-margin wants a distance >= 0 mm");
            break;
        case 't':
            a.timings = 1;
            break;
        case 'j':
            a.json = 1;
            break;
        case 'h':
            return cli_help(help);
        default:
            return cli_usage("audit", "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage("audit", "unexpected argument '%s'", argv[optind]);
    if (a.study && (a.plan || a.postop))
        return cli_usage("audit", "--study cannot be combined with --plan or --postop");
    if (a.study && !a.patient)
        return cli_usage("audit", "--study needs --patient CODE");
    if (!a.study && (!a.plan || !a.postop))
        return cli_usage("audit", "give --plan and --postop, or --study and --patient");
    return run(&a);
}
