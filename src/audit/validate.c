/*
 * validate.c - the audit stage of `fxaudit validate`: audit a phantom patient
 * and compare every recovered figure with its truth.json.
 *
 * The plan is made from the truth's planned screws and plates (pre-op series
 * coordinates, as a surgeon's plan would give them) and the pre-op scan's
 * largest bone part as the reference region (what fx_plan_build calls part 0),
 * so that the errors measured are those of the audit, not of planning.
 * The true post-op -> plan transform of the intact pelvis is P_pre * P_post^-1
 * (docs/phantom.md); the true deviations are truth.json's
 * actual_screws[].deviation.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/auditval.h"
#include "fxaudit/fragments.h"
#include "fxaudit/fragval.h"
#include "fxaudit/volio.h"

static int read_vec(json_t *a, fx_vec3 *v)
{
    if (!json_is_array(a) || json_array_size(a) != 3)
        return 0;
    *v = fx_v3(json_number_value(json_array_get(a, 0)), json_number_value(json_array_get(a, 1)),
               json_number_value(json_array_get(a, 2)));
    return 1;
}

static int read_pose(json_t *truth, const char *series, fx_rigid *T)
{
    json_t *m =
        json_object_get(json_object_get(json_object_get(json_object_get(truth, "series"), series),
                                        "anatomical_to_series"),
                        "matrix");
    double a[16];
    if (!json_is_array(m) || json_array_size(m) != 16)
        return FX_EFORMAT;
    for (int i = 0; i < 16; i++)
        a[i] = json_number_value(json_array_get(m, (size_t)i));
    return fx_rigid_from_matrix(a, T);
}

static int plan_plates(json_t *truth, fx_plan *plan, fx_error *err)
{
    json_t *pl;
    size_t i;
    json_array_foreach(json_object_get(truth, "plates"), i, pl)
    {
        fx_plan_plate p;
        json_t *path = json_object_get(json_object_get(pl, "planned"), "path");
        memset(&p, 0, sizeof(p));
        snprintf(p.name, sizeof(p.name), "plate-%lld",
                 (long long)json_integer_value(json_object_get(pl, "id")));
        p.width_mm = json_number_value(json_object_get(pl, "width_mm"));
        p.thickness_mm = json_number_value(json_object_get(pl, "thickness_mm"));
        p.npath = json_array_size(path);
        p.path = calloc(p.npath + 1, sizeof(fx_vec3));
        if (!p.path)
            return fx_fail(err, FX_ENOMEM, "cannot allocate a plate path");
        for (size_t k = 0; k < p.npath; k++)
            read_vec(json_array_get(path, k), &p.path[k]);
        int rc = fx_plan_add_plate(plan, &p, err);
        free(p.path);
        if (rc)
            return rc;
    }
    return FX_OK;
}

/* The plan from truth.json: planned screws and plates in pre-op coordinates. */
static int plan_from_truth(json_t *truth, fx_plan **out, fx_error *err)
{
    fx_plan *plan = NULL;
    json_t *s;
    size_t i;
    int rc = fx_plan_new(&plan, err);
    if (!rc)
        rc = plan_plates(truth, plan, err);
    json_array_foreach(json_object_get(json_object_get(truth, "planned_screws"), "screws"), i, s)
    {
        fx_vec3 e, t;
        char name[32];
        if (rc)
            break;
        if (!read_vec(json_object_get(s, "entry"), &e) ||
            !read_vec(json_object_get(s, "tip"), &t)) {
            rc = fx_fail(err, FX_EFORMAT, "planned screw %zu has no entry or tip", i);
            break;
        }
        snprintf(name, sizeof(name), "S%lld",
                 (long long)json_integer_value(json_object_get(s, "id")));
        fx_plan_screw ps = fx_plan_screw_make(name, e, fx_v3_sub(t, e),
                                              json_number_value(json_object_get(s, "diameter_mm")),
                                              fx_v3_dist(e, t));
        snprintf(ps.plate, sizeof(ps.plate), "plate-%lld",
                 (long long)json_integer_value(json_object_get(s, "plate")));
        rc = fx_plan_add_screw(plan, &ps, err);
    }
    if (rc) {
        fx_plan_free(plan);
        return rc;
    }
    *out = plan;
    return FX_OK;
}

static void upd(double *mx, double v)
{
    if (isfinite(v) && v > *mx)
        *mx = v;
}

/* Per-screw errors against the truth; counts missed and invented screws. */
static json_t *screw_errors(json_t *truth, const fx_audit_result *r, fx_audit_val *sum)
{
    json_t *list = json_array(), *a;
    size_t i;
    json_t *act = json_object_get(json_object_get(truth, "actual_screws"), "screws");
    json_array_foreach(act, i, a)
    {
        json_t *row = json_object(), *dv = json_object_get(a, "deviation");
        int placed = json_is_true(json_object_get(a, "placed"));
        int got = i < r->ndev && r->dev[i].actual >= 0;
        json_object_set_new(row, "id", json_copy(json_object_get(a, "id")));
        json_object_set_new(row, "placed", json_boolean(placed));
        json_object_set_new(row, "found", json_boolean(got));
        if (got) {
            const fx_audit_screw *fs = &r->screws[r->dev[i].actual];
            double e3[3] = {fs->entry.x, fs->entry.y, fs->entry.z}, t3[3] = {fs->tip.x, fs->tip.y, fs->tip.z};
            json_object_set_new(row, "postop_entry", json_pack("[f,f,f]", e3[0], e3[1], e3[2]));
            json_object_set_new(row, "postop_tip", json_pack("[f,f,f]", t3[0], t3[1], t3[2]));
            json_object_set_new(row, "tip_in_other_metal", json_boolean((fs->from_plan & 4) != 0));
            /* the search's ray fill, against which its acceptance gate is set */
            json_object_set_new(row, "fill", json_real(fs->fill));
        }
        sum->missed += placed && !got;
        sum->invented += !placed && got;
        if (placed && got) {
            const fx_audit_dev *d = &r->dev[i];
            const fx_audit_screw *as = &r->screws[d->actual];
            fx_vec3 te, tt;
            if (read_vec(json_object_get(a, "entry"), &te) &&
                read_vec(json_object_get(a, "tip"), &tt)) {
                /* the screw itself against the true one, in the post-op scan */
                double pe = fx_v3_dist(te, as->entry), pt = fx_v3_dist(tt, as->tip);
                json_object_set_new(row, "postop_entry_err_mm", json_real(pe));
                json_object_set_new(row, "postop_tip_err_mm", json_real(pt));
                upd(&sum->pos_max[0], pe);
                upd(&sum->pos_max[1], pt);
                json_object_set_new(
                    row, "postop_axis_err_deg",
                    json_real(fx_v3_axis_angle(fx_v3_sub(tt, te), as->dir) * 180 / M_PI));
            }
            double e[4] = {
                fabs(d->angle_deg - json_number_value(json_object_get(dv, "angle_deg"))),
                fabs(d->entry_mm - json_number_value(json_object_get(dv, "entry_mm"))),
                fabs(d->tip_mm - json_number_value(json_object_get(dv, "tip_mm"))),
                fabs(d->length_mm - json_number_value(json_object_get(dv, "length_mm")))};
            static const char *const k[4] = {"angle_err_deg", "entry_err_mm", "tip_err_mm",
                                             "length_err_mm"};
            json_object_set_new(row, "angle_deg", json_real(d->angle_deg));
            json_object_set_new(row, "entry_mm", json_real(d->entry_mm));
            json_object_set_new(row, "tip_mm", json_real(d->tip_mm));
            json_object_set_new(row, "length_mm", json_real(d->length_mm));
            for (int q = 0; q < 4; q++) {
                json_object_set_new(row, k[q], json_real(e[q]));
                upd(&sum->max[q + 2], e[q]);
            }
        }
        json_array_append_new(list, row);
    }
    sum->invented += r->unmatched;
    return list;
}

/* The joint sphere in plan (pre-op series) coordinates: the hip centre of
 * the injured side (the injured femur's interior point, anatomical mm) under
 * the pre-op anatomical_to_series pose, radius model.joint_radius_mm. */
static int joint_from_truth(json_t *truth, fx_audit_opts *o)
{
    fx_rigid Ppre;
    fx_vec3 c;
    json_t *f;
    size_t i;
    if (read_pose(truth, "preop", &Ppre))
        return 0;
    json_array_foreach(json_object_get(truth, "fragments"), i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        if (name && !strcmp(name, "femur (injured side)") &&
            read_vec(json_object_get(f, "interior_point_local"), &c)) {
            o->joint_centre = fx_rigid_apply(&Ppre, c);
            o->joint_radius_mm =
                json_number_value(json_object_get(json_object_get(truth, "model"), "joint_radius_mm"));
            return o->joint_radius_mm > 0;
        }
    }
    return 0;
}

/* The joint flag of each placed screw against the true screw's (mapped into
 * plan coordinates by the true transform P_pre P_post^-1): keys joint_mm,
 * joint_penetration, true_joint_mm, true_joint_penetration per screw row. */
static void joint_errors(json_t *truth, const fx_audit_result *r, const fx_audit_opts *o,
                         json_t *rows, fx_audit_val *sum)
{
    fx_rigid Ppre, Ppost;
    json_t *a;
    size_t i;
    if (!(o->joint_radius_mm > 0) || read_pose(truth, "preop", &Ppre) ||
        read_pose(truth, "postop", &Ppost))
        return;
    fx_rigid inv = fx_rigid_inverse(&Ppost), T = fx_rigid_compose(&Ppre, &inv);
    json_array_foreach(json_object_get(json_object_get(truth, "actual_screws"), "screws"), i, a)
    {
        fx_vec3 e, t;
        json_t *row = json_array_get(rows, i);
        if (!json_is_true(json_object_get(a, "placed")) || !read_vec(json_object_get(a, "entry"), &e) ||
            !read_vec(json_object_get(a, "tip"), &t) || !row)
            continue;
        double dj = fx_audit_joint_clearance(fx_rigid_apply(&T, e), fx_rigid_apply(&T, t),
                                             0.5 * json_number_value(json_object_get(a, "diameter_mm")),
                                             o->joint_centre, o->joint_radius_mm);
        int truly = dj < o->joint_margin_mm;
        json_object_set_new(row, "true_joint_mm", json_real(dj));
        json_object_set_new(row, "true_joint_penetration", json_boolean(truly));
        sum->joint_true += truly;
        if (i < r->ndev && r->dev[i].actual >= 0) {
            json_object_set_new(row, "joint_mm", json_real(r->dev[i].joint_mm));
            json_object_set_new(row, "joint_penetration", json_boolean(r->dev[i].joint_penetration == 1));
            sum->joint_wrong += (r->dev[i].joint_penetration == 1) != truly;
        }
    }
}

/* Registration error: rotation angle of est^-1 * true, and how far the two
 * transforms put the reference region's centroid. */
static json_t *registration_errors(json_t *truth, const fx_audit_result *r, fx_vec3 ref_centroid,
                                   fx_audit_val *sum)
{
    fx_rigid Ppre, Ppost;
    json_t *j = json_object();
    if (read_pose(truth, "preop", &Ppre) || read_pose(truth, "postop", &Ppost) || !r->registered)
        return j;
    fx_rigid inv = fx_rigid_inverse(&Ppost), Ttrue = fx_rigid_compose(&Ppre, &inv);
    fx_rigid Ttinv = fx_rigid_inverse(&Ttrue);
    fx_vec3 c_post = fx_rigid_apply(&Ttinv, ref_centroid);
    double rot = fx_rigid_rotation_distance(&Ttrue, &r->reg.T) * 180 / M_PI;
    double tr = fx_v3_dist(fx_rigid_apply(&r->reg.T, c_post), ref_centroid);
    json_object_set_new(j, "rot_err_deg", json_real(rot));
    json_object_set_new(j, "trans_err_mm", json_real(tr));
    json_object_set_new(j, "rms_mm", json_real(r->reg.rms_mm));
    json_object_set_new(j, "inlier_fraction", json_real(r->reg.inlier_fraction));
    json_object_set_new(j, "iterations", json_integer(r->reg.iterations));
    json_object_set_new(j, "converged", json_boolean(r->reg.converged));
    upd(&sum->max[0], rot);
    upd(&sum->max[1], tr);
    return j;
}

static int load_series(const char *dir, json_t *truth, const char *series, fx_volume **v,
                       fx_error *err)
{
    char path[4096];
    const char *f = json_string_value(
        json_object_get(json_object_get(json_object_get(truth, "series"), series), "folder"));
    snprintf(path, sizeof(path), "%s/%s", dir, f ? f : series);
    return fx_volume_read(path, v, err);
}

/* The post-op scan's voxels, as `fxaudit audit` gives them: the targets hold
 * for scans of 1 mm or finer. */
static json_t *scan_json(const fx_volume *post)
{
    const double *s = post->spacing;
    return json_pack("{s:[f,f,f],s:b,s:f}", "voxel_mm", s[0], s[1], s[2], "coarser_than_1mm",
                     fx_audit_scan_is_coarse(s), "accuracy_measured_up_to_mm",
                     FX_AUDIT_ACCURACY_VOXEL_MM);
}

int fx_audit_validate_patient(const char *dir, const fx_audit_opts *o, json_t **out,
                              fx_audit_val *sum, fx_error *err)
{
    char path[4096];
    json_error_t je;
    fx_volume *pre = NULL, *post = NULL;
    fx_bone_parts *bp = NULL;
    fx_plan *plan = NULL;
    fx_audit_result *r = NULL;
    fx_audit_fragval *fv = NULL;
    json_t *frag_rows = NULL;
    fx_parts_opts po;
    fx_audit_opts oj = *o;
    int rc;

    snprintf(path, sizeof(path), "%s/truth.json", dir);
    json_t *truth = json_load_file(path, 0, &je);
    if (!truth)
        return fx_fail(err, FX_EFORMAT, "cannot read '%s': %s", path, je.text);
    fx_parts_opts_default(&po);
    joint_from_truth(truth, &oj);
    if ((rc = plan_from_truth(truth, &plan, err)) ||
        (rc = load_series(dir, truth, "preop", &pre, err)) ||
        (rc = fx_bone_parts_extract(pre, &po, NULL, &bp, err)))
        goto out;
    if (!bp->n) {
        rc = fx_fail(err, FX_ENOTFOUND, "'%s': no bone in the pre-op scan", dir);
        goto out;
    }
    if ((rc = fx_audit_fragval_models(dir, pre, truth, &fv, err)))
        goto out;
    fx_volume_free(pre);
    pre = NULL;
    if ((rc = load_series(dir, truth, "postop", &post, err)) ||
        (rc = fx_audit_run(post, plan, bp->parts[0].mesh, "reference-0", &oj, &r, err)) ||
        (rc = fx_audit_fragval_compare(fv, post, plan, o, r, sum, &frag_rows, err)))
        goto out;
    json_t *j = json_object();
    json_object_set_new(j, "code",
                        json_copy(json_object_get(json_object_get(truth, "patient"), "code")));
    json_object_set_new(j, "registration",
                        registration_errors(truth, r, fx_mesh_centroid(bp->parts[0].mesh), sum));
    json_t *rows = screw_errors(truth, r, sum);
    joint_errors(truth, r, &oj, rows, sum);
    json_object_set_new(j, "screws", rows);
    json_object_update_new(j, frag_rows); /* fragments, plates */
    frag_rows = NULL;
    json_object_set_new(j, "unplanned_metal", json_integer((json_int_t)r->nunplanned));
    json_object_set_new(j, "scan", scan_json(post));
    sum->max_voxel_mm = fmax(sum->max_voxel_mm,
                             fmax(post->spacing[0], fmax(post->spacing[1], post->spacing[2])));
    json_object_set_new(j, "seconds",
                        json_pack("{s:f,s:f,s:f}", "registration", r->seconds[1], "screws",
                                  r->seconds[2], "matching", r->seconds[3]));
    *out = j;
out:
    if (rc)
        fx_error_prefix(err, "validating '%s'", dir);
    fx_audit_result_free(r);
    fx_audit_fragval_free(fv);
    json_decref(frag_rows);
    fx_plan_free(plan);
    fx_bone_parts_free(bp);
    fx_volume_free(pre);
    fx_volume_free(post);
    json_decref(truth);
    return rc;
}

void fx_audit_val_init(fx_audit_val *s)
{
    memset(s, 0, sizeof(*s));
}

json_t *fx_audit_val_summary(const fx_audit_val *s)
{
    static const char *const k[6] = {"max_registration_rot_deg", "max_registration_trans_mm",
                                     "max_screw_angle_err_deg",  "max_screw_entry_err_mm",
                                     "max_screw_tip_err_mm",     "max_screw_length_err_mm"};
    json_t *j = json_object();
    for (int q = 0; q < 6; q++)
        json_object_set_new(j, k[q], json_real(s->max[q]));
    /* where the screw is, not only how its deviation came out: a deviation
     * error can be small while the screw found lies off the true one */
    json_object_set_new(j, "max_screw_entry_pos_err_mm", json_real(s->pos_max[0]));
    json_object_set_new(j, "max_screw_tip_pos_err_mm", json_real(s->pos_max[1]));
    json_object_set_new(j, "screws_missed", json_integer(s->missed));
    json_object_set_new(j, "screws_invented", json_integer(s->invented));
    fx_audit_fragval_summary(s, j);
    json_object_set_new(j, "joint_penetrations", json_integer(s->joint_true));
    json_object_set_new(j, "joint_flags_wrong", json_integer(s->joint_wrong));
    json_object_set_new(j, "max_voxel_mm", json_real(s->max_voxel_mm));
    json_object_set_new(j, "coarser_than_1mm",
                        json_boolean(s->max_voxel_mm > FX_AUDIT_ACCURACY_VOXEL_MM));
    return j;
}
