/*
 * validate_reduction.c - the reduction stage of `fxaudit validate`: on each
 * phantom patient, the automatic dome estimate (domeest.h) on the pre-op and
 * post-op CT against truth.json's reduction block. The acetabulum is the
 * phantom's (docs/phantom.md): the joint sphere centred at the hip centre
 * (+-86, -5, 0) x scale of the anatomical frame, the injured side's sign,
 * carried into the series by anatomical_to_series; the anatomical axes are
 * that matrix's columns; the dome is limited to the inside of the cup by the
 * opening axis anatomy.c gives the cup.
 *
 * Beside the CT-only estimate, the plan-based one (domeplan.h): the patient's
 * plan made as the plan stage makes it (validate_plan_make: its pre-op CT and
 * label map, nothing of the truth's poses), the post-op audit's fragment
 * poses against that plan, and the lines of the reduced model; products in
 * DIR/validate-reduction/CODE. The contract's max_gap_err_mm and
 * max_step_err_mm report the plan-based estimate where a patient has one.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fxaudit/audit.h"
#include "fxaudit/auditposes.h"
#include "fxaudit/domeest.h"
#include "fxaudit/domefind.h"
#include "fxaudit/domeplan.h"
#include "fxaudit/meshio.h"
#include "fxaudit/volio.h"
#include "validate.h"

static const char *const PLANES[3] = {"axial", "coronal", "sagittal"};
static const char *const SERIES[2] = {"preop", "postop"};

/* The true dome, for comparison only: the estimate runs on the dome found
 * in the CT (domefind.h). */
static int dome_from_truth(json_t *t, int s, fx_dome *d)
{
    json_t *model = json_object_get(t, "model");
    json_t *m =
        json_object_get(json_object_get(json_object_get(json_object_get(t, "series"), SERIES[s]),
                                        "anatomical_to_series"),
                        "matrix");
    const char *side =
        json_string_value(json_object_get(json_object_get(t, "patient"), "injured_side"));
    double scale = json_number_value(json_object_get(model, "scale"));
    if (json_array_size(m) != 16 || !side || !(scale > 0))
        return -1;
    double M[16];
    for (int i = 0; i < 16; i++)
        M[i] = json_number_value(json_array_get(m, i));
    double a[3] = {(strcmp(side, "left") == 0 ? 86.0 : -86.0) * scale, -5.0 * scale, 0};
    double c[3];
    for (int r = 0; r < 3; r++)
        c[r] = M[4 * r] * a[0] + M[4 * r + 1] * a[1] + M[4 * r + 2] * a[2] + M[4 * r + 3];
    d->centre_mm = fx_v3(c[0], c[1], c[2]);
    for (int k = 0; k < 3; k++)
        d->axis[k] = fx_v3(M[k], M[4 + k], M[8 + k]);
    /* the cup's opening, (0.72, -0.28, -0.62) for the left side, mirrored */
    fx_vec3 o = fx_v3_unit(fx_v3(side[0] == 'l' ? 0.72 : -0.72, -0.28, -0.62));
    d->opening = fx_v3(M[0] * o.x + M[1] * o.y + M[2] * o.z, M[4] * o.x + M[5] * o.y + M[6] * o.z,
                       M[8] * o.x + M[9] * o.y + M[10] * o.z);
    d->radius_mm = json_number_value(json_object_get(model, "joint_radius_mm"));
    d->height_mm = json_number_value(json_object_get(model, "dome_height_mm"));
    d->head_radius_mm = json_number_value(json_object_get(model, "femoral_head_radius_mm"));
    return 0;
}

static json_t *num_or_null(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

/* Running maxima per series; [0] the CT-only estimate, [1] the plan-based,
 * [2] the one reported (plan-based where the patient has it). */
typedef struct errmax {
    double gap[2], step[2];
    int compared[2], hidden_mismatch[2];
} errmax;

typedef struct maxes {
    errmax e[3];
    double dome_mm, radius_mm, axis_deg, plan_dome_mm;
    int plan_patients, patients;
} maxes;

static json_t *v3j(fx_vec3 v)
{
    return json_pack("[f,f,f]", v.x, v.y, v.z);
}

/* The dome found against the true one: centre distance, radius, axes. */
static json_t *dome_json(const fx_domefind_result *f, const fx_dome *t, int s, maxes *mx)
{
    (void)s;
    double dist = fx_v3_dist(f->dome.centre_mm, t->centre_mm);
    double dr = f->dome.radius_mm - t->radius_mm, ax = 0;
    for (int k = 0; k < 3; k++)
        ax = fmax(ax, acos(fmin(1, fx_v3_dot(f->dome.axis[k], t->axis[k]))) * 180 / M_PI);
    mx->dome_mm = fmax(mx->dome_mm, dist);
    mx->radius_mm = fmax(mx->radius_mm, fabs(dr));
    mx->axis_deg = fmax(mx->axis_deg, ax);
    return json_pack("{s:o,s:o,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:i}", "centre_mm",
                     v3j(f->dome.centre_mm), "true_centre_mm", v3j(t->centre_mm),
                     "centre_err_mm", dist, "radius_mm", f->dome.radius_mm, "radius_err_mm", dr,
                     "axis_err_deg", ax, "head_radius_mm", f->head_radius_mm, "socket_rms_mm",
                     f->socket_rms_mm, "plane_offset_mm", f->plane.d_mm, "socket_points",
                     f->socket_points);
}

/* Compare one series' per-plane values with the truth; the errors go to `mx`. */
static json_t *compare(json_t *truth, int s, const double *gap, const double *step,
                       double area_mm2, errmax *mx)
{
    json_t *red = json_object_get(json_object_get(truth, "reduction"), SERIES[s]);
    json_t *tg = json_object_get(red, "gap_mm"), *ts = json_object_get(red, "step_off_mm");
    json_t *est = json_object(), *err = json_object();
    json_t *eg = json_object(), *es = json_object(), *xg = json_object(), *xs = json_object();
    for (int p = 0; p < 3; p++) {
        json_object_set_new(eg, PLANES[p], num_or_null(gap[p]));
        json_object_set_new(es, PLANES[p], num_or_null(step[p]));
        json_t *g = json_object_get(tg, PLANES[p]), *st = json_object_get(ts, PLANES[p]);
        if (!json_is_number(g) || !isfinite(gap[p])) {
            if (json_is_number(g) != (isfinite(gap[p]) != 0))
                mx->hidden_mismatch[s]++;
            json_object_set_new(xg, PLANES[p], json_null());
            json_object_set_new(xs, PLANES[p], json_null());
            continue;
        }
        double dg = fabs(gap[p] - json_number_value(g));
        double ds = fabs(step[p] - json_number_value(st));
        json_object_set_new(xg, PLANES[p], json_real(dg));
        json_object_set_new(xs, PLANES[p], json_real(ds));
        mx->gap[s] = fmax(mx->gap[s], dg);
        mx->step[s] = fmax(mx->step[s], ds);
        mx->compared[s]++;
    }
    json_object_set_new(est, "gap_mm", eg);
    json_object_set_new(est, "step_off_mm", es);
    json_object_set_new(est, "gap_area_mm2", json_real(area_mm2));
    json_object_set_new(err, "gap_mm", xg);
    json_object_set_new(err, "step_off_mm", xs);
    return json_pack("{s:o,s:{s:O,s:O},s:o}", "estimate", est, "truth", "gap_mm", tg, "step_off_mm",
                     ts, "error", err);
}

static void merge(errmax *into, const errmax *from)
{
    for (int s = 0; s < 2; s++) {
        into->gap[s] = fmax(into->gap[s], from->gap[s]);
        into->step[s] = fmax(into->step[s], from->step[s]);
        into->compared[s] += from->compared[s];
        into->hidden_mismatch[s] += from->hidden_mismatch[s];
    }
}

/* The patient's plan (made here), the post-op audit's fragment poses against
 * it, and the plan-based estimate of both series. */
static int plan_estimate(const char *dir, const char *folder, json_t *truth, const fx_volume *pre,
                         const fx_volume *post, fx_domeplan_est *e, json_t **info, fx_error *err)
{
    char pdir[4200], out[4200], plan_path[4300];
    const char *code = json_string_value(json_object_get(json_object_get(truth, "patient"), "code"));
    fx_plan *plan = NULL;
    fx_audit_result *r = NULL;
    fx_mesh *ref = NULL;
    fx_rigid *poses = NULL;
    int *known = NULL, rc;
    fx_audit_opts o;

    snprintf(pdir, sizeof(pdir), "%s/validate-reduction", dir);
    if ((rc = validate_make_dir(pdir, err)))
        return rc;
    snprintf(out, sizeof(out), "%s/validate-reduction/%s", dir, code ? code : folder);
    snprintf(pdir, sizeof(pdir), "%s/%s", dir, folder);
    snprintf(plan_path, sizeof(plan_path), "%s/plan.json", out);
    if ((rc = validate_plan_make(pdir, out, truth, pre, &plan, NULL, NULL, err)))
        return rc;
    /* the audit of the fragments only: screws and plates do not move bone */
    fx_plan lite = *plan;
    lite.nscrews = lite.nplates = lite.nguides = 0;
    fx_audit_opts_default(&o);
    const fx_plan_fragment *rf = NULL;
    for (size_t i = 0; i < plan->nfrags && !rf; i++)
        if (plan->frags[i].fixed && !strncmp(plan->frags[i].name, "reference", 9))
            rf = &plan->frags[i];
    char mp[4800];
    if (!rf)
        rc = fx_fail(err, FX_ENOTFOUND, "'%s' has no reference region", plan_path);
    else
        snprintf(mp, sizeof(mp), "%s/%s", out, rf->mesh);
    if (!rc && !(rc = fx_mesh_read(mp, NULL, &ref, err)) &&
        !(rc = fx_audit_run(post, &lite, ref, rf->name, &o, &r, err)))
        rc = fx_audit_parts_from_plan(r, post, &lite, plan_path, &o, err);
    if (!rc && r->poses && r->poses->nfrags == plan->nfrags) {
        poses = calloc(plan->nfrags, sizeof(*poses));
        known = calloc(plan->nfrags, sizeof(*known));
        if (!poses || !known)
            rc = fx_fail(err, FX_ENOMEM, "cannot allocate %zu poses", plan->nfrags);
        for (size_t i = 0; !rc && i < plan->nfrags; i++) {
            poses[i] = r->poses->frags[i].pose;
            known[i] = r->poses->frags[i].found;
        }
    }
    if (!rc)
        rc = fx_domeplan_from_plan(plan, out, pre, poses, known, e, err);
    if (!rc)
        *info = json_pack("{s:s,s:b,s:i,s:i,s:f}", "plan", plan_path, "registered",
                          r->registered, "parts", (int)e->parts, "line_samples", (int)e->samples,
                          "line_mm", e->line_mm);
    free(poses);
    free(known);
    fx_audit_result_free(r);
    fx_mesh_free(ref);
    fx_plan_free(plan);
    return rc;
}

/* The plan-based series block: the comparison plus the 3-D values. */
static json_t *plan_block(json_t *truth, int s, const fx_domeplan_result *r, errmax *mx)
{
    json_t *b = compare(truth, s, r->gap_mm, r->step_mm, r->gap_area_mm2, mx);
    json_t *est = json_object_get(b, "estimate");
    json_t *red = json_object_get(json_object_get(truth, "reduction"), SERIES[s]);
    json_object_set_new(est, "gap_3d_mm", json_real(r->gap3d_mm));
    json_object_set_new(est, "step_off_3d_mm", json_real(r->step3d_mm));
    json_object_set_new(est, "line_mm", json_real(r->line_mm));
    json_object_set_new(est, "samples", json_integer(r->samples));
    json_object_set_new(est, "samples_unknown", json_integer(r->unknown));
    json_t *lines = json_array();
    for (int i = 0; i < r->nlines; i++) {
        const fx_domeplan_line *l = &r->lines[i];
        json_array_append_new(lines, json_pack("{s:[i,i],s:f,s:f,s:f,s:i}", "labels", l->label_a,
                                               l->label_b, "line_mm", l->line_mm, "gap_3d_mm",
                                               l->gap3d_mm, "step_off_3d_mm", l->step3d_mm,
                                               "samples", l->samples));
    }
    json_object_set_new(est, "lines", lines);
    json_object_set(json_object_get(b, "truth"), "gap_3d_mm", json_object_get(red, "gap_3d_mm"));
    json_object_set(json_object_get(b, "truth"), "step_off_3d_mm",
                    json_object_get(red, "step_off_3d_mm"));
    return b;
}

static int read_series(const char *dir, const char *folder, int s, fx_volume **v, fx_error *err)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s/%s", dir, folder, SERIES[s]);
    return fx_volume_read(path, v, err);
}

/* The CT-only estimate of both series into block; errors into mx. */
static int ct_estimates(json_t *truth, const char *path, fx_volume *const *ct, json_t *block,
                        errmax *mx, maxes *all, fx_error *err)
{
    /* the injured side is a clinical fact a real case has; the rest is found */
    const char *side =
        json_string_value(json_object_get(json_object_get(truth, "patient"), "injured_side"));
    int rc = 0;
    for (int s = 0; s < 2 && rc == 0; s++) {
        fx_dome d;
        fx_dome_estimate e;
        fx_domeest_opts o;
        fx_domefind_result f;
        fx_domeest_opts_default(&o);
        if (dome_from_truth(truth, s, &d))
            return fx_fail(err, FX_EFORMAT, "%s: no model, patient side or series pose", path);
        rc = fx_dome_find(ct[s], side && strcmp(side, "left") == 0, NULL, &f, err);
        if (rc == 0)
            rc = fx_dome_estimate_run(ct[s], &f.dome, &o, &e, err);
        if (rc == 0) {
            json_t *b = compare(truth, s, e.gap_mm, e.step_mm, e.gap_area_mm2, mx);
            json_object_set_new(b, "dome", dome_json(&f, &d, s, all));
            json_object_set_new(block, SERIES[s], b);
        }
    }
    return rc;
}

static int one_patient(const char *dir, json_t *entry, json_t *patients, maxes *mx, fx_error *err)
{
    const char *code = json_string_value(json_object_get(entry, "code"));
    const char *folder = json_string_value(json_object_get(entry, "folder"));
    const char *tname = json_string_value(json_object_get(entry, "truth"));
    char path[4096];
    if (!code || !folder || !tname)
        return fx_fail(err, FX_EFORMAT, "%s/cohort.json: a patient lacks code, folder or truth",
                       dir);
    snprintf(path, sizeof(path), "%s/%s/%s", dir, folder, tname);
    json_error_t je;
    json_t *truth = json_load_file(path, 0, &je);
    if (!truth)
        return fx_fail(err, FX_EFORMAT, "%s: %s", path, je.text);
    json_t *p = json_object_get(patients, code);
    if (!p) {
        p = json_pack("{s:s}", "code", code);
        json_object_set_new(patients, code, p);
    }
    json_t *block = json_object(), *info = NULL;
    fx_volume *ct[2] = {NULL, NULL};
    errmax ect = {{0, 0}, {0, 0}, {0, 0}, {0, 0}}, epl = ect;
    fx_domeplan_est pe;
    int rc = read_series(dir, folder, 0, &ct[0], err);
    if (!rc)
        rc = read_series(dir, folder, 1, &ct[1], err);
    if (!rc)
        rc = ct_estimates(truth, path, ct, block, &ect, mx, err);
    if (!rc)
        rc = plan_estimate(dir, folder, truth, ct[0], ct[1], &pe, &info, err);
    for (int s = 0; s < 2 && !rc; s++) {
        json_t *b = json_object_get(block, SERIES[s]);
        if (pe.has[s])
            json_object_set_new(b, "plan_estimate", plan_block(truth, s, &pe.series[s], &epl));
    }
    if (!rc) {
        fx_dome t;
        dome_from_truth(truth, 0, &t);
        double dd = fx_v3_dist(pe.found.dome.centre_mm, t.centre_mm);
        mx->plan_dome_mm = fmax(mx->plan_dome_mm, dd);
        json_object_set_new(info, "dome_centre_err_mm", json_real(dd));
        json_object_set_new(info, "dome_radius_err_mm",
                            json_real(pe.found.dome.radius_mm - t.radius_mm));
        json_object_set_new(block, "plan_based", info);
        merge(&mx->e[0], &ect);
        merge(&mx->e[1], &epl);
        merge(&mx->e[2], pe.has[1] ? &epl : &ect);
        mx->plan_patients += pe.has[1];
        mx->patients++;
    }
    json_object_set_new(p, "reduction", block);
    fx_volume_free(ct[0]);
    fx_volume_free(ct[1]);
    json_decref(truth);
    return rc;
}

int validate_reduction(const char *dir, json_t *patients, json_t *summary, fx_error *err)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/cohort.json", dir);
    json_error_t je;
    json_t *cohort = json_load_file(path, 0, &je);
    if (!cohort)
        return fx_fail(err, FX_EIO, "%s: not a phantom cohort: %s", path, je.text);
    json_t *list = json_object_get(cohort, "patients");
    if (!json_is_array(list) || json_array_size(list) == 0) {
        json_decref(cohort);
        return fx_fail(err, FX_EFORMAT, "%s: no patients", path);
    }
    maxes mx;
    memset(&mx, 0, sizeof(mx));
    size_t i;
    json_t *entry;
    int rc = 0;
    json_array_foreach(list, i, entry)
    {
        if ((rc = one_patient(dir, entry, patients, &mx, err)))
            break;
    }
    json_decref(cohort);
    if (rc)
        return rc;
    /* an error over no comparison at all is no error of 0: say null */
    static const char *const KEY[3][4] = {
        {"max_gap_err_ct_mm", "max_step_err_ct_mm", "max_gap_err_preop_ct_mm",
         "max_step_err_preop_ct_mm"},
        {"max_gap_err_plan_mm", "max_step_err_plan_mm", "max_gap_err_preop_plan_mm",
         "max_step_err_preop_plan_mm"},
        {"max_gap_err_mm", "max_step_err_mm", "max_gap_err_preop_mm", "max_step_err_preop_mm"}};
    for (int m = 0; m < 3; m++) {
        const errmax *e = &mx.e[m];
        json_object_set_new(summary, KEY[m][0], e->compared[1] ? json_real(e->gap[1]) : json_null());
        json_object_set_new(summary, KEY[m][1], e->compared[1] ? json_real(e->step[1]) : json_null());
        json_object_set_new(summary, KEY[m][2], e->compared[0] ? json_real(e->gap[0]) : json_null());
        json_object_set_new(summary, KEY[m][3], e->compared[0] ? json_real(e->step[0]) : json_null());
    }
    json_object_set_new(summary, "reduction_estimate",
                        json_string(mx.plan_patients == mx.patients ? "plan" : "plan where a patient "
                                                                              "has one, else ct"));
    json_object_set_new(summary, "reduction_plan_patients", json_integer(mx.plan_patients));
    json_object_set_new(summary, "reduction_planes_compared", json_integer(mx.e[2].compared[1]));
    json_object_set_new(summary, "max_dome_centre_err_mm", json_real(mx.dome_mm));
    json_object_set_new(summary, "max_dome_radius_err_mm", json_real(mx.radius_mm));
    json_object_set_new(summary, "max_dome_axis_err_deg", json_real(mx.axis_deg));
    json_object_set_new(summary, "max_plan_dome_centre_err_mm", json_real(mx.plan_dome_mm));
    json_object_set_new(summary, "reduction_visibility_mismatches",
                        json_integer(mx.e[2].hidden_mismatch[1]));
    json_object_set_new(summary, "reduction_visibility_mismatches_ct",
                        json_integer(mx.e[0].hidden_mismatch[1]));
    return 0;
}
