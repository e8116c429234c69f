/*
 * validate_reduction.c - the reduction stage of `fxaudit validate`: on each
 * phantom patient, the automatic dome estimate (domeest.h) on the pre-op and
 * post-op CT against truth.json's reduction block. The acetabulum is the
 * phantom's (docs/phantom.md): the joint sphere centred at the hip centre
 * (+-86, -5, 0) x scale of the anatomical frame, the injured side's sign,
 * carried into the series by anatomical_to_series; the anatomical axes are
 * that matrix's columns; the dome is limited to the inside of the cup by the
 * opening axis anatomy.c gives the cup.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fxaudit/domeest.h"
#include "fxaudit/domefind.h"
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

typedef struct maxes {
    double gap[2], step[2], dome_mm, radius_mm, axis_deg;
    int compared[2], hidden_mismatch[2];
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

/* Compare one series; add its block to `out` and the errors to `mx`. */
static json_t *compare(json_t *truth, int s, const fx_dome_estimate *e, maxes *mx)
{
    json_t *red = json_object_get(json_object_get(truth, "reduction"), SERIES[s]);
    json_t *tg = json_object_get(red, "gap_mm"), *ts = json_object_get(red, "step_off_mm");
    json_t *est = json_object(), *err = json_object();
    json_t *eg = json_object(), *es = json_object(), *xg = json_object(), *xs = json_object();
    for (int p = 0; p < 3; p++) {
        json_object_set_new(eg, PLANES[p], num_or_null(e->gap_mm[p]));
        json_object_set_new(es, PLANES[p], num_or_null(e->step_mm[p]));
        json_t *g = json_object_get(tg, PLANES[p]), *st = json_object_get(ts, PLANES[p]);
        if (!json_is_number(g) || !isfinite(e->gap_mm[p])) {
            if (json_is_number(g) != (isfinite(e->gap_mm[p]) != 0))
                mx->hidden_mismatch[s]++;
            json_object_set_new(xg, PLANES[p], json_null());
            json_object_set_new(xs, PLANES[p], json_null());
            continue;
        }
        double dg = fabs(e->gap_mm[p] - json_number_value(g));
        double ds = fabs(e->step_mm[p] - json_number_value(st));
        json_object_set_new(xg, PLANES[p], json_real(dg));
        json_object_set_new(xs, PLANES[p], json_real(ds));
        mx->gap[s] = fmax(mx->gap[s], dg);
        mx->step[s] = fmax(mx->step[s], ds);
        mx->compared[s]++;
    }
    json_object_set_new(est, "gap_mm", eg);
    json_object_set_new(est, "step_off_mm", es);
    json_object_set_new(est, "gap_area_mm2", json_real(e->gap_area_mm2));
    json_object_set_new(err, "gap_mm", xg);
    json_object_set_new(err, "step_off_mm", xs);
    return json_pack("{s:o,s:{s:O,s:O},s:o}", "estimate", est, "truth", "gap_mm", tg, "step_off_mm",
                     ts, "error", err);
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
    json_t *block = json_object();
    int rc = 0;
    for (int s = 0; s < 2 && rc == 0; s++) {
        fx_dome d;
        fx_volume *ct = NULL;
        fx_dome_estimate e;
        fx_domeest_opts o;
        fx_domeest_opts_default(&o);
        if (dome_from_truth(truth, s, &d)) {
            rc = fx_fail(err, FX_EFORMAT, "%s: no model, patient side or series pose", path);
            break;
        }
        snprintf(path, sizeof(path), "%s/%s/%s", dir, folder, SERIES[s]);
        rc = fx_volume_read(path, &ct, err);
        fx_domefind_result f;
        /* the injured side is a clinical fact a real case has; the rest is found */
        const char *side =
            json_string_value(json_object_get(json_object_get(truth, "patient"), "injured_side"));
        if (rc == 0)
            rc = fx_dome_find(ct, side && strcmp(side, "left") == 0, NULL, &f, err);
        if (rc == 0)
            rc = fx_dome_estimate_run(ct, &f.dome, &o, &e, err);
        if (rc == 0) {
            json_t *b = compare(truth, s, &e, mx);
            json_object_set_new(b, "dome", dome_json(&f, &d, s, mx));
            json_object_set_new(block, SERIES[s], b);
        }
        fx_volume_free(ct);
    }
    json_object_set_new(p, "reduction", block);
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
    maxes mx = {{0, 0}, {0, 0}, 0, 0, 0, {0, 0}, {0, 0}};
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
    json_object_set_new(summary, "max_gap_err_mm",
                        mx.compared[1] ? json_real(mx.gap[1]) : json_null());
    json_object_set_new(summary, "max_step_err_mm",
                        mx.compared[1] ? json_real(mx.step[1]) : json_null());
    json_object_set_new(summary, "max_gap_err_preop_mm",
                        mx.compared[0] ? json_real(mx.gap[0]) : json_null());
    json_object_set_new(summary, "max_step_err_preop_mm",
                        mx.compared[0] ? json_real(mx.step[0]) : json_null());
    json_object_set_new(summary, "reduction_planes_compared", json_integer(mx.compared[1]));
    json_object_set_new(summary, "max_dome_centre_err_mm", json_real(mx.dome_mm));
    json_object_set_new(summary, "max_dome_radius_err_mm", json_real(mx.radius_mm));
    json_object_set_new(summary, "max_dome_axis_err_deg", json_real(mx.axis_deg));
    json_object_set_new(summary, "reduction_visibility_mismatches",
                        json_integer(mx.hidden_mismatch[1]));
    return 0;
}
