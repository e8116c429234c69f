/*
 * fragval.c - the fragment poses of the audit against a phantom's truth
 * (`fxaudit validate --stage audit`).
 *
 * The planned fragment models are the pre-op scan's bone parts on the
 * phantom's own label map (preop_labels.nrrd, as a 3-D lab would draw them,
 * as the demo plans them), each moved to its planned pose: truth.json's
 * anatomical pose A (= P_pre) times the inverse of its pre-op pose
 * (P_pre D_pre). The true deviation of fragment f in plan coordinates,
 * after a perfect registration on the intact pelvis, is A D_post A^-1 with
 * D_post = P_post^-1 (P_post D_post) from its post-op pose (docs/phantom.md).
 * A plate's true deviation is truth.json's plates[].postop.deviation (plan
 * coordinates), the identity where the phantom placed it as planned. Errors:
 * |d - d_true| at the planned centroid and the angle between the recovered
 * and the true rotation.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/auditposes.h"
#include "fxaudit/fragval.h"
#include "fxaudit/volio.h"

struct fx_audit_fragval {
    fx_plan *plan;      /* fragments only: names and the intact one as fixed */
    fx_mesh **models;   /* planned position, pre-op series mm */
    fx_rigid *truth;    /* true deviation pose per fragment */
    size_t n;
    fx_rigid *plate_truth; /* per plate of truth.json: identity for phantoms that
                              place the plates as planned (no "deviation") */
    size_t nplates;
};

static int matrix_of(json_t *pose, fx_rigid *T)
{
    json_t *m = json_object_get(pose, "matrix");
    double a[16];
    if (!json_is_array(m) || json_array_size(m) != 16)
        return FX_EFORMAT;
    for (int i = 0; i < 16; i++)
        a[i] = json_number_value(json_array_get(m, (size_t)i));
    return fx_rigid_from_matrix(a, T);
}

void fx_audit_fragval_free(fx_audit_fragval *fv)
{
    if (!fv)
        return;
    for (size_t i = 0; i < fv->n; i++)
        fx_mesh_free(fv->models[i]);
    free(fv->models);
    free(fv->truth);
    free(fv->plate_truth);
    fx_plan_free(fv->plan);
    free(fv);
}

/* Fragment f of truth.json (intact or fragment): its planned model from part
 * `label` of bp, and its true deviation. */
static int add_fragment(fx_audit_fragval *fv, json_t *f, json_t *series, const fx_bone_parts *bp,
                        fx_error *err)
{
    json_t *poses = json_object_get(f, "poses");
    fx_rigid A, Mpre, Mpost, Ppost;
    int label = (int)json_integer_value(json_object_get(f, "label"));
    const char *kind = json_string_value(json_object_get(f, "kind"));
    fx_plan_fragment pf;
    if (matrix_of(json_object_get(poses, "anatomical"), &A) ||
        matrix_of(json_object_get(poses, "preop"), &Mpre) ||
        matrix_of(json_object_get(poses, "postop"), &Mpost) ||
        matrix_of(json_object_get(json_object_get(series, "postop"), "anatomical_to_series"),
                  &Ppost))
        return fx_fail(err, FX_EFORMAT, "fragment %d: a pose matrix is missing or not rigid",
                       label);
    const fx_bone_part *part = NULL;
    for (size_t k = 0; k < bp->n; k++)
        if ((int)bp->parts[k].label == label)
            part = &bp->parts[k];
    size_t i = fv->n;
    memset(&pf, 0, sizeof(pf));
    snprintf(pf.name, sizeof(pf.name), "%s", json_string_value(json_object_get(f, "name")));
    pf.label = label;
    pf.fixed = kind && !strcmp(kind, "intact");
    fx_rigid Mpre_inv = fx_rigid_inverse(&Mpre), Ainv = fx_rigid_inverse(&A);
    fx_rigid Ppost_inv = fx_rigid_inverse(&Ppost);
    pf.pose = fx_rigid_compose(&A, &Mpre_inv);
    fx_rigid D = fx_rigid_compose(&Ppost_inv, &Mpost), AD = fx_rigid_compose(&A, &D);
    fv->truth[i] = fx_rigid_compose(&AD, &Ainv);
    fv->models[i] = NULL;
    int rc = fx_plan_add_fragment(fv->plan, &pf, err);
    if (!rc && part && (rc = fx_mesh_clone(part->mesh, &fv->models[i], err)) == FX_OK)
        fx_mesh_transform(fv->models[i], &pf.pose);
    fv->n++;
    return rc;
}

int fx_audit_fragval_models(const char *dir, const fx_volume *pre, json_t *truth,
                            fx_audit_fragval **out, fx_error *err)
{
    char path[4200];
    fx_volume *lab = NULL;
    fx_bone_parts *bp = NULL;
    fx_parts_opts po;
    json_t *frags = json_object_get(truth, "fragments"), *f;
    size_t i, n = json_array_size(frags);
    fx_audit_fragval *fv = calloc(1, sizeof(*fv));
    int rc = fv ? fx_plan_new(&fv->plan, err) : fx_fail(err, FX_ENOMEM, "cannot allocate");

    *out = NULL;
    if (!rc && (!(fv->models = calloc(n + 1, sizeof(*fv->models))) ||
                !(fv->truth = calloc(n + 1, sizeof(*fv->truth)))))
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate %zu fragments", n);
    snprintf(path, sizeof(path), "%s/preop_labels.nrrd", dir);
    if (!rc && (rc = fx_volume_read(path, &lab, err)) == FX_OK) {
        fx_parts_opts_default(&po);
        po.labels = lab;
        rc = fx_bone_parts_extract(pre, &po, NULL, &bp, err);
    }
    json_array_foreach(frags, i, f)
    {
        const char *kind = json_string_value(json_object_get(f, "kind"));
        if (rc)
            break;
        if (kind && (!strcmp(kind, "intact") || !strcmp(kind, "fragment")))
            rc = add_fragment(fv, f, json_object_get(truth, "series"), bp, err);
    }
    json_t *plates = json_object_get(truth, "plates");
    fv->nplates = json_array_size(plates);
    if (!rc && !(fv->plate_truth = calloc(fv->nplates + 1, sizeof(fx_rigid))))
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate %zu plates", fv->nplates);
    for (size_t k = 0; !rc && k < fv->nplates; k++) {
        json_t *dev = json_object_get(json_object_get(json_array_get(plates, k), "postop"),
                                      "deviation");
        fv->plate_truth[k] = fx_rigid_identity();
        if (dev && matrix_of(dev, &fv->plate_truth[k]))
            rc = fx_fail(err, FX_EFORMAT, "plate %zu: the deviation is not a rigid matrix", k);
    }
    fx_bone_parts_free(bp);
    fx_volume_free(lab);
    if (rc) {
        fx_audit_fragval_free(fv);
        return fx_error_prefix(err, "planned fragments of '%s'", dir);
    }
    *out = fv;
    return FX_OK;
}

static void upd(double *mx, double v)
{
    if (isfinite(v) && v > *mx)
        *mx = v;
}

/* One fragment's or plate's recovered pose against its true one; mx[0..1]
 * the running maxima, *missed counts fits not trusted. */
static json_t *row_json(const fx_audit_pose *p, const fx_rigid *truth, double *mx, long *missed)
{
    fx_vec3 dt = fx_v3_sub(fx_rigid_apply(truth, p->centroid), p->centroid);
    double rt = fx_rigid_rotation_angle(truth) * 180 / M_PI;
    json_t *j = json_pack("{s:s,s:b,s:f,s:f,s:[f,f,f]}", "name", p->name, "found", p->found,
                          "true_translation_mm", fx_v3_norm(dt), "true_rotation_deg", rt,
                          "true_d_mm", dt.x, dt.y, dt.z);
    json_object_set_new(j, "rms_mm", isfinite(p->rms_mm) ? json_real(p->rms_mm) : json_null());
    json_object_set_new(j, "inlier_fraction",
                        isfinite(p->inlier_fraction) ? json_real(p->inlier_fraction) : json_null());
    json_object_set_new(j, "rotation_bound_deg", isfinite(p->rotation_bound_deg)
                                                     ? json_real(p->rotation_bound_deg)
                                                     : json_null());
    double te = fx_v3_dist(p->d, dt), re = fx_rigid_rotation_distance(&p->pose, truth) * 180 / M_PI;
    if (!p->found) {
        /* what the trust test turned down: the fit, when there was one */
        if (isfinite(p->rms_mm)) {
            json_object_set_new(j, "fit_trans_err_mm", json_real(te));
            json_object_set_new(j, "fit_rot_err_deg", json_real(re));
        }
        (*missed)++;
        return j;
    }
    json_object_set_new(j, "translation_mm", json_real(p->translation_mm));
    json_object_set_new(j, "rotation_deg", json_real(p->rotation_deg));
    json_object_set_new(j, "d_mm", json_pack("[f,f,f]", p->d.x, p->d.y, p->d.z));
    json_object_set_new(j, "trans_err_mm", json_real(te));
    json_object_set_new(j, "rot_err_deg", json_real(re));
    upd(&mx[0], te);
    upd(&mx[1], re);
    return j;
}

/* The plates of `plan` (truth.json's, in its order), built on the planned
 * fragments and fitted onto the post-op metal. */
static int plates_fit(const fx_audit_fragval *fv, const fx_volume *post, const fx_plan *plan,
                      const fx_audit_opts *o, fx_audit_result *r, fx_error *err)
{
    fx_mesh *reduced = NULL, **models = NULL;
    int rc = fx_mesh_new(&reduced, err);
    for (size_t i = 0; !rc && i < fv->n; i++)
        if (fv->models[i])
            rc = fx_mesh_append(reduced, fv->models[i], err);
    if (!rc)
        rc = fx_audit_plate_models(plan, NULL, reduced, NULL, &models, err);
    if (!rc)
        rc = fx_audit_locate_plates(post, plan, models, NULL, o, r, err);
    for (size_t i = 0; models && i < plan->nplates; i++)
        fx_mesh_free(models[i]);
    free(models);
    fx_mesh_free(reduced);
    return rc;
}

int fx_audit_fragval_compare(const fx_audit_fragval *fv, const fx_volume *post,
                             const fx_plan *plan, const fx_audit_opts *o, fx_audit_result *r,
                             fx_audit_val *sum, json_t **out, fx_error *err)
{
    fx_audit_poses *ps = r->poses;
    json_t *fl = json_array(), *pl = json_array();
    int rc = FX_OK;
    *out = json_pack("{s:o,s:o}", "fragments", fl, "plates", pl);
    if (!ps || !ps->bone)
        return FX_OK;
    double t0 = fx_audit_poses_now_s();
    free(ps->frags);
    ps->frags = NULL;
    ps->nfrags = 0;
    if ((rc = fx_audit_fragment_poses(ps->bone, fv->plan, fv->models, &ps->frags, err)))
        return rc;
    ps->nfrags = fv->n;
    ps->seconds[0] = fx_audit_poses_now_s() - t0;
    for (size_t i = 0; i < fv->n; i++)
        json_array_append_new(fl, row_json(&ps->frags[i], &fv->truth[i], &sum->frag_max[0],
                                           &sum->frags_missed));
    t0 = fx_audit_poses_now_s();
    if ((rc = plates_fit(fv, post, plan, o, r, err)))
        return rc;
    ps->seconds[1] = fx_audit_poses_now_s() - t0;
    json_object_set_new(*out, "pose_seconds", json_pack("{s:f,s:f}", "fragments", ps->seconds[0],
                                                   "plates", ps->seconds[1]));
    for (size_t i = 0; i < ps->nplates && i < fv->nplates; i++)
        json_array_append_new(pl, row_json(&ps->plates[i], &fv->plate_truth[i],
                                           &sum->frag_max[2], &sum->plates_missed));
    return FX_OK;
}

void fx_audit_fragval_merge(fx_audit_val *sum, const fx_audit_val *v)
{
    for (int q = 0; q < 4; q++)
        upd(&sum->frag_max[q], v->frag_max[q]);
    sum->frags_missed += v->frags_missed;
    sum->plates_missed += v->plates_missed;
}

void fx_audit_fragval_summary(const fx_audit_val *s, json_t *j)
{
    json_object_set_new(j, "max_fragment_trans_err_mm", json_real(s->frag_max[0]));
    json_object_set_new(j, "max_fragment_rot_err_deg", json_real(s->frag_max[1]));
    json_object_set_new(j, "fragments_missed", json_integer(s->frags_missed));
    json_object_set_new(j, "max_plate_trans_err_mm", json_real(s->frag_max[2]));
    json_object_set_new(j, "max_plate_rot_err_deg", json_real(s->frag_max[3]));
    json_object_set_new(j, "plates_missed", json_integer(s->plates_missed));
}
