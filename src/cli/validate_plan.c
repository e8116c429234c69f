/*
 * validate_plan.c - `fxaudit validate --stage plan`: the planning pipeline on
 * every phantom patient, against the truth. The fragments are given as the
 * phantom's true pre-op label map (the segmentation a 3-D lab draws where
 * fragments touch); everything after that is automatic: surfaces, symmetry
 * plane, template, reduction, screw corridors, plates.
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fxaudit/dicom.h"
#include "fxaudit/meshio.h"
#include "fxaudit/phantom.h"
#include "fxaudit/planbuild.h"
#include "fxaudit/volio.h"
#include "validate.h"

/* dir/name into out (n bytes); FX_EINVAL when it does not fit. */
static int join(char *out, size_t n, const char *dir, const char *name, fx_error *err)
{
    int k = snprintf(out, n, "%s/%s", dir, name);
    return k >= 0 && (size_t)k < n ? FX_OK : fx_fail(err, FX_EINVAL, "path '%s/%s' is too long",
                                                      dir, name);
}

static fx_rigid matrix_of(json_t *m)
{
    double a[16];
    fx_rigid T = fx_rigid_identity();
    for (int i = 0; i < 16; i++)
        a[i] = json_number_value(json_array_get(m, i));
    fx_rigid_from_matrix(a, &T);
    return T;
}

static fx_vec3 vec_of(json_t *v)
{
    return fx_v3(json_number_value(json_array_get(v, 0)), json_number_value(json_array_get(v, 1)),
                 json_number_value(json_array_get(v, 2)));
}

/* Each reduced fragment against its true planned pose (anatomical after
 * pre-op^-1): the rotation between them, and the RMS distance between the
 * fragment's surface moved by each. */
static json_t *compare_fragments(json_t *truth, const fx_plan *plan, const char *dir,
                                 double *rms_max, double *rot_max, fx_error *err)
{
    json_t *out = json_array(), *o;
    size_t i;

    for (size_t k = 0; k < plan->nfrags; k++) {
        const fx_plan_fragment *f = &plan->frags[k];
        if (f->fixed)
            continue;
        json_array_foreach(json_object_get(truth, "fragments"), i, o) {
            if (json_integer_value(json_object_get(o, "label")) != f->label)
                continue;
            json_t *poses = json_object_get(o, "poses");
            fx_rigid A = matrix_of(json_object_get(json_object_get(poses, "anatomical"), "matrix"));
            fx_rigid Pi = matrix_of(json_object_get(json_object_get(poses, "preop"), "matrix"));
            fx_rigid Pinv = fx_rigid_inverse(&Pi), T = fx_rigid_compose(&A, &Pinv);
            char path[4200];
            fx_mesh *m = NULL;
            if (join(path, sizeof(path), dir, f->mesh, err) || fx_mesh_read(path, NULL, &m, err))
                return json_decref(out), NULL;
            double ss = 0;
            for (size_t v = 0; v < m->nv; v++) {
                double d = fx_v3_dist(fx_rigid_apply(&f->pose, m->v[v]), fx_rigid_apply(&T, m->v[v]));
                ss += d * d;
            }
            double rms = m->nv ? sqrt(ss / (double)m->nv) : NAN;
            double rot = fx_rigid_rotation_distance(&T, &f->pose) * 180 / M_PI;
            fx_mesh_free(m);
            *rms_max = fmax(*rms_max, rms);
            *rot_max = fmax(*rot_max, rot);
            json_array_append_new(out, json_pack("{s:s, s:s, s:i, s:f, s:f, s:f, s:f}", "name",
                                                 f->name, "truth_name",
                                                 json_string_value(json_object_get(o, "name")),
                                                 "label", f->label, "rms_err_mm", rms,
                                                 "rotation_err_deg", rot, "true_move_deg",
                                                 fx_rigid_rotation_angle(&T) * 180 / M_PI,
                                                 "residual_to_template_mm", f->residual_rms_mm));
        }
    }
    return out;
}

static json_t *compare_screws(const fx_phantom *ph, const fx_plan *plan, double bridge,
                              double *max, fx_error *err)
{
    json_t *out = json_array();
    for (size_t i = 0; i < plan->nscrews; i++) {
        const fx_plan_screw *s = &plan->screws[i];
        double truth;
        if (fx_phantom_corridor(ph, s->entry, s->dir, bridge, &truth, err))
            return json_decref(out), NULL;
        double e = fabs(s->corridor_mm - truth);
        *max = fmax(*max, e);
        json_array_append_new(out, json_pack("{s:s, s:f, s:f, s:f, s:b}", "name", s->name,
                                             "corridor_mm", s->corridor_mm, "true_corridor_mm",
                                             truth, "corridor_err_mm", e, "joint_warning",
                                             s->joint_warning));
    }
    return out;
}

static double plane_angle_deg(json_t *truth, const fx_plan *plan, double *offset_mm)
{
    json_t *sp = json_object_get(json_object_get(json_object_get(truth, "series"), "preop"),
                                 "symmetry_plane");
    fx_vec3 n = fx_v3_unit(vec_of(json_object_get(sp, "normal")));
    fx_vec3 pt = vec_of(json_object_get(sp, "point"));
    *offset_mm = fabs(fx_v3_dot(plan->plane_normal, pt) - plan->plane_d_mm);
    return fx_v3_axis_angle(n, plan->plane_normal) * 180 / M_PI;
}

int validate_make_dir(const char *path, fx_error *err)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        return fx_fail(err, FX_EIO, "cannot create '%s': %s", path, strerror(errno));
    return FX_OK;
}

struct maxima {
    double rms, rot, plane_deg, plane_mm, corridor;
    int fragments, screws;
    struct overlap_maxima ov;
    struct parts_maxima parts;
};

int validate_plan_make(const char *pdir, const char *out, json_t *truth, const fx_volume *vol,
                       fx_plan **plan, double *bridge, fx_volume **labels_out, fx_error *err)
{
    char path[4200], screws[4200], plates[4200], spec[512];
    fx_volume *labels = NULL;
    fx_part_role roles[64] = {0};
    fx_plan_build_opts o;
    size_t nroles;
    int rc;

    fx_plan_build_opts_default(&o);
    if ((rc = join(screws, sizeof(screws), out, "screws.json", err)) ||
        (rc = join(plates, sizeof(plates), out, "plates.json", err)) ||
        (rc = join(path, sizeof(path), pdir, "preop_labels.nrrd", err)))
        return rc;
    if (!(rc = fx_nrrd_read(path, &labels, err)) &&
        !(rc = validate_make_dir(out, err)) &&
        !(rc = fx_phantom_plan_inputs(truth, screws, plates, spec, sizeof(spec), err)) &&
        !(rc = fx_part_roles_parse(spec, roles, 64, &nroles, err))) {
        o.parts.labels = labels;
        o.roles = roles;
        o.nroles = nroles;
        o.screws_path = screws;
        o.plates_path = plates;
        o.out_dir = out;
        o.patient = json_string_value(json_object_get(json_object_get(truth, "patient"), "code"));
        rc = fx_plan_build(vol, &o, plan, err);
        if (bridge)
            *bridge = fmax(o.screws.bridge_mm,
                           2 * fmax(vol->spacing[0], fmax(vol->spacing[1], vol->spacing[2])));
    }
    if (!rc && labels_out)
        *labels_out = labels;
    else
        fx_volume_free(labels);
    return rc;
}

/* The patient's plan, made from its pre-op series and true label map. */
static int plan_patient(const char *pdir, const char *out, json_t *truth, fx_plan **plan,
                        double *bridge, struct maxima *mx, json_t **auto_parts, fx_error *err)
{
    char path[4200];
    fx_volume *vol = NULL, *labels = NULL;
    int rc;

    if ((rc = join(path, sizeof(path), pdir, "preop", err)) ||
        (rc = fx_dicom_load_path(path, -1, NULL, &vol, NULL, err)))
        return rc;
    rc = validate_plan_make(pdir, out, truth, vol, plan, bridge, &labels, err);
    if (!rc && !(*auto_parts = validate_plan_auto_parts(vol, labels, truth, &mx->parts, err)))
        rc = err ? err->code : FX_EINVAL;
    fx_volume_free(vol);
    fx_volume_free(labels);
    return rc;
}

static int validate_patient(const char *pdir, const char *work, const fx_phantom_opts *po,
                            json_t *patients, struct maxima *mx, fx_error *err)
{
    char path[4200], out[4200];
    json_error_t je;
    json_t *truth, *frags = NULL, *screws = NULL, *overlaps = NULL, *parts = NULL;
    fx_plan *plan = NULL;
    fx_phantom *ph = NULL;
    double bridge = 3, rms = 0, rot = 0, corr = 0, off;
    int rc;

    if ((rc = join(path, sizeof(path), pdir, "truth.json", err)))
        return rc;
    if (!(truth = json_load_file(path, 0, &je)))
        return fx_fail(err, FX_EFORMAT, "cannot read '%s': %s", path, je.text);
    const char *code = json_string_value(json_object_get(json_object_get(truth, "patient"),
                                                         "code"));
    int index = (int)json_integer_value(json_object_get(json_object_get(truth, "generator"),
                                                        "index"));
    if ((rc = join(out, sizeof(out), work, code ? code : "patient", err))) {
        json_decref(truth);
        return rc;
    }
    if (!(rc = plan_patient(pdir, out, truth, &plan, &bridge, mx, &parts, err)) &&
        !(rc = fx_phantom_make(po, index - 1, &ph, err)) &&
        (frags = compare_fragments(truth, plan, out, &rms, &rot, err)) &&
        (screws = compare_screws(ph, plan, bridge, &corr, err)) &&
        (overlaps = validate_plan_overlaps(truth, plan, out, 0.5, &mx->ov, err))) {
        double ang = plane_angle_deg(truth, plan, &off);
        mx->rms = fmax(mx->rms, rms), mx->rot = fmax(mx->rot, rot);
        mx->plane_deg = fmax(mx->plane_deg, ang), mx->plane_mm = fmax(mx->plane_mm, off);
        mx->corridor = fmax(mx->corridor, corr);
        mx->fragments += (int)json_array_size(frags), mx->screws += (int)json_array_size(screws);
        json_t *entry = json_object_get(patients, code);
        if (!entry) {
            entry = json_pack("{s:s}", "code", code);
            json_object_set_new(patients, code, entry);
        }
        json_object_set_new(entry, "plan",
                            json_pack("{s:s, s:f, s:f, s:f, s:f, s:f, s:o, s:o}", "folder", out,
                                      "symmetry_plane_deg", ang, "symmetry_plane_offset_mm", off,
                                      "reduction_rms_mm", rms, "reduction_rot_deg", rot,
                                      "corridor_err_mm", corr, "fragments", frags, "screws",
                                      screws));
        json_object_set_new(json_object_get(entry, "plan"), "overlaps", overlaps);
        json_object_set_new(json_object_get(entry, "plan"), "auto_parts", parts);
        frags = screws = overlaps = parts = NULL;
    } else if (!rc) {
        rc = err ? err->code : FX_EINVAL;
    }
    json_decref(frags);
    json_decref(screws);
    json_decref(overlaps);
    json_decref(parts);
    fx_plan_free(plan);
    fx_phantom_free(ph);
    json_decref(truth);
    return rc ? fx_error_prefix(err, "patient '%s'", pdir) : FX_OK;
}

/* The generator's options of the cohort, to remake each patient's model. */
static int cohort_opts(json_t *cohort, fx_phantom_opts *po)
{
    const char *size = json_string_value(json_object_get(cohort, "size"));
    *po = fx_phantom_opts_default();
    po->patients = (int)json_integer_value(json_object_get(cohort, "count"));
    po->seed = (uint64_t)json_integer_value(json_object_get(cohort, "seed"));
    po->size = size && !strcmp(size, "clinical") ? FX_PHANTOM_CLINICAL : FX_PHANTOM_SMALL;
    po->streaks = json_is_true(json_object_get(cohort, "streaks"));
    return po->patients > 0 ? FX_OK : FX_EFORMAT;
}

int validate_plan(const char *cohort, json_t *patients, json_t *summary, fx_error *err)
{
    char path[4200], work[4200];
    json_error_t je;
    json_t *cj, *o;
    fx_phantom_opts po;
    struct maxima mx = {0};
    size_t i;
    int rc = FX_OK;

    if ((rc = join(path, sizeof(path), cohort, "cohort.json", err)))
        return rc;
    if (!(cj = json_load_file(path, 0, &je)))
        return fx_fail(err, FX_EFORMAT, "cannot read '%s': %s (is it a phantom cohort?)", path,
                       je.text);
    if (cohort_opts(cj, &po) || (rc = join(work, sizeof(work), cohort, "validate-plan", err)) ||
        (rc = validate_make_dir(work, err))) {
        json_decref(cj);
        return rc ? rc : fx_fail(err, FX_EFORMAT, "'%s' has no patient count", path);
    }
    json_array_foreach(json_object_get(cj, "patients"), i, o) {
        const char *folder = json_string_value(json_object_get(o, "folder"));
        if ((rc = join(path, sizeof(path), cohort, folder ? folder : "?", err)) ||
            (rc = validate_patient(path, work, &po, patients, &mx, err)))
            break;
    }
    json_decref(cj);
    if (rc)
        return rc;
    json_object_set_new(summary, "max_reduction_rms_mm", json_real(mx.rms));
    json_object_set_new(summary, "max_reduction_rot_deg", json_real(mx.rot));
    json_object_set_new(summary, "max_symmetry_plane_deg", json_real(mx.plane_deg));
    json_object_set_new(summary, "max_symmetry_plane_offset_mm", json_real(mx.plane_mm));
    json_object_set_new(summary, "max_corridor_err_mm", json_real(mx.corridor));
    json_object_set_new(summary, "max_fragment_overlap_mm", json_real(mx.ov.after_mm));
    json_object_set_new(summary, "max_fragment_overlap_mm3", json_real(mx.ov.after_mm3));
    json_object_set_new(summary, "max_fragment_overlap_before_mm", json_real(mx.ov.before_mm));
    json_object_set_new(summary, "max_fragment_overlap_before_mm3", json_real(mx.ov.before_mm3));
    json_object_set_new(summary, "max_true_fragment_overlap_mm", json_real(mx.ov.truth_mm));
    json_object_set_new(summary, "max_true_fragment_overlap_mm3", json_real(mx.ov.truth_mm3));
    json_object_set_new(summary, "auto_parts", json_integer(mx.parts.parts));
    json_object_set_new(summary, "auto_parts_right", json_integer(mx.parts.right_split));
    json_object_set_new(summary, "auto_parts_right_components",
                        json_integer(mx.parts.right_components));
    json_object_set_new(summary, "min_auto_part_dice", json_real(mx.parts.min_split));
    json_object_set_new(summary, "fragments", json_integer(mx.fragments));
    json_object_set_new(summary, "screws", json_integer(mx.screws));
    return FX_OK;
}
