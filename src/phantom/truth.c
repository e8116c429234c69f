/*
 * truth.c - a phantom patient's ground truth as truth.json (docs/phantom.md
 * defines every key). Positions and matrices are in millimetres in the DICOM
 * patient coordinates (LPS) of the series each block names; matrices are
 * 4x4 row-major and map fragment-local (= anatomical) coordinates into that
 * series.
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "fxaudit/jsonfile.h"
#include "model.h"

static const char *const SERIES[2] = {"preop", "postop"};
static const char *const PLANES[3] = {"axial", "coronal", "sagittal"};

static json_t *jvec(fx_vec3 v)
{
    return json_pack("[f,f,f]", v.x, v.y, v.z);
}

static json_t *jdoubles(const double *x, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_real(x[i]));
    return a;
}

static json_t *jints(const int *x, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_integer(x[i]));
    return a;
}

static json_t *jpose(const fx_rigid *T, const char *series)
{
    double m[16];
    fx_rigid_to_matrix(T, m);
    return json_pack("{s:s,s:o}", "series", series, "matrix", jdoubles(m, 16));
}

/* Intact model volume and area at scale 1, integrated once per process. */
static double tmpl_vol, tmpl_area;
static pthread_once_t tmpl_once = PTHREAD_ONCE_INIT;

static double intact_field(const void *ctx, fx_vec3 x)
{
    const fx_phantom *p = ctx;
    double d = fmin(ph_hemi(p, 1, x), ph_hemi(p, -1, x));
    d = fmin(d, ph_sacrum(p, x));
    return fmin(d, fmin(ph_femur(p, 1, x), ph_femur(p, -1, x)));
}

static void template_measure(void)
{
    fx_phantom t;
    double v1, a1, v2, a2;
    memset(&t, 0, sizeof(t));
    t.scale = 1.0;
    /* the model is exactly mirror-symmetric about x = 0: integrate x >= 0 */
    ph_integrate(intact_field, &t, fx_v3(0, -130, -300), fx_v3(200, 140, 140), 2.0, &v2, &a2);
    ph_integrate(intact_field, &t, fx_v3(0, -130, -300), fx_v3(200, 140, 140), 1.0, &v1, &a1);
    /* Richardson: the volume converges as h^2, the area as h (the model's
     * sharp edges); docs/phantom.md shows the sequence down to 0.5 mm */
    tmpl_vol = 2 * (4 * v1 - v2) / 3;
    tmpl_area = 2 * (2 * a1 - a2);
}

static json_t *model_json(const fx_phantom *p)
{
    pthread_once(&tmpl_once, template_measure);
    double s = p->scale;
    return json_pack(
        "{s:f,s:f,s:f,s:s,s:f,s:f,s:f,s:f}", "scale", s, "bone_volume_mm3", s * s * s * tmpl_vol,
        "bone_area_mm2", s * s * tmpl_area, "method",
        "adaptive octree integration of the intact model's signed distance function (both "
        "hemipelves, sacrum, femora to their distal caps) with 2 mm and 1 mm leaf cells, "
        "Richardson-extrapolated: volume by the linear coverage ramp in boundary cells (order "
        "h^2), area by the coarea formula with a hat kernel of half width 2h (order h at the "
        "model's edges); on the scale-1 template, scaled by scale^3 and scale^2",
        "joint_radius_mm", PH_R_JOINT * s, "femoral_head_radius_mm", p->r_head_mm * s,
        "cortex_mm", PH_CORTEX_MM, "dome_height_mm", PH_DOME_MM);
}

static json_t *series_json(const fx_phantom *p, int s)
{
    static const double dir[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    fx_vec3 o = fx_rigid_apply(&p->pose[s], fx_v3(0, 0, 0));
    fx_vec3 n = fx_rigid_rotate(&p->pose[s], fx_v3(1, 0, 0));
    return json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:f,s:b,s:{s:o,s:o,s:f}}", "folder", SERIES[s],
                     "dims", jints(p->dims, 3), "spacing", jdoubles(p->spacing, 3), "origin",
                     jdoubles(p->origin[s], 3), "direction", jdoubles(dir, 9),
                     "anatomical_to_series", jpose(&p->pose[s], SERIES[s]),
                     "bone_volume_in_grid_mm3",
                     fx_phantom_bone_volume_in_grid(p, (fx_phantom_series)s), "has_metal",
                     s == FX_PHANTOM_POSTOP, "symmetry_plane", "point", jvec(o), "normal",
                     jvec(n), "offset_mm", fx_v3_dot(n, o));
}

/* A point deep in fragment f (anatomical = fragment-local): the deepest point
 * of a 3 mm grid around the hip that lies at least 5 mm from the fragment's
 * cuts. A seed for region growing, and a check of the pose chain. */
static fx_vec3 interior_point(const fx_phantom *p, int f)
{
    fx_vec3 C = ph_hip_centre(p, p->side), best = C;
    double depth = 0;
    for (double z = -81; z <= 81; z += 3)
        for (double y = -90; y <= 90; y += 3)
            for (double x = -72; x <= 72; x += 3) {
                fx_vec3 q = fx_v3(C.x + x, C.y + y, C.z + z);
                double r = INFINITY;
                if (f > 0) {
                    r = ph_region_sdf(&p->region[f], q);
                } else { /* the intact part: outside every moving fragment */
                    for (int g = 1; g < p->nfrag; g++)
                        r = fmin(r, ph_region_sdf(&p->region[g], q));
                    r = -r;
                }
                /* away from implants too: their streaks change the post-op HU */
                if (r > -5.0 || ph_metal(p, q) < 10.0)
                    continue;
                double h = ph_hemi(p, p->side, q);
                if (h < depth) {
                    depth = h;
                    best = q;
                }
            }
    return best;
}

static json_t *fragment_json(const fx_phantom *p, int label, const char *name, const char *kind,
                             const fx_rigid *pre, const fx_rigid *post, fx_vec3 inside)
{
    fx_rigid a = fx_rigid_compose(&p->pose[0], pre), b = fx_rigid_compose(&p->pose[1], post);
    return json_pack("{s:i,s:s,s:s,s:o,s:{s:o,s:o,s:o}}", "label", label, "name", name, "kind",
                     kind, "interior_point_local", jvec(inside), "poses", "preop",
                     jpose(&a, "preop"), "anatomical", jpose(&p->pose[0], "preop"), "postop",
                     jpose(&b, "postop"));
}

static json_t *fragments_json(const fx_phantom *p)
{
    json_t *a = json_array();
    fx_rigid id = fx_rigid_identity();
    for (int f = 0; f < p->nfrag; f++)
        json_array_append_new(a, fragment_json(p, f + 1, p->frag_name[f],
                                               f ? "fragment" : "intact", &p->disp[0][f],
                                               &p->disp[1][f], interior_point(p, f)));
    json_array_append_new(a, fragment_json(p, p->nfrag + 1, "femur (injured side)", "femur",
                                           &p->head[0], &p->head[1],
                                           ph_hip_centre(p, p->side)));
    json_array_append_new(a, fragment_json(p, p->nfrag + 2, "femur (other side)", "femur", &id,
                                           &id, ph_hip_centre(p, -p->side)));
    return a;
}

static json_t *cuts_json(const fx_phantom *p)
{
    json_t *a = json_array();
    for (int c = 0; c < p->ncuts; c++) {
        fx_vec3 q = fx_rigid_apply(&p->pose[0], p->cut[c].plane.q);
        fx_vec3 n = fx_rigid_rotate(&p->pose[0], p->cut[c].plane.n);
        json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:o,s:o}", "name", p->cut[c].name,
                                           "shape", "plane", "series", "preop", "point", jvec(q),
                                           "normal", jvec(n)));
    }
    return a;
}

static json_t *planes_json(const double *v)
{
    double mx = -1;
    json_t *o = json_object();
    for (int k = 0; k < 3; k++) {
        json_object_set_new(o, PLANES[k], v[k] < 0 ? json_null() : json_real(v[k]));
        mx = fmax(mx, v[k]);
    }
    json_object_set_new(o, "max", mx < 0 ? json_null() : json_real(mx));
    return o;
}

static json_t *reduction_json(const fx_phantom *p, int s)
{
    ph_reduction res[PH_MAX_CUTS], all;
    ph_reduction_measure(p, s, res, &all);
    json_t *per = json_array();
    for (int c = 0; c < p->ncuts; c++)
        if (res[c].samples)
            json_array_append_new(per, json_pack("{s:s,s:f,s:f,s:o,s:o,s:i}", "surface",
                                                 p->cut[c].name, "gap_3d_mm", res[c].gap3d_mm,
                                                 "step_off_3d_mm", res[c].step3d_mm, "gap_mm",
                                                 planes_json(res[c].gap_mm), "step_off_mm",
                                                 planes_json(res[c].step_mm), "samples",
                                                 res[c].samples));
    return json_pack("{s:o,s:o,s:f,s:f,s:o}", "gap_mm", planes_json(all.gap_mm), "step_off_mm",
                     planes_json(all.step_mm), "gap_3d_mm", all.gap3d_mm, "step_off_3d_mm",
                     all.step3d_mm, "per_surface", per);
}

static json_t *screw_json(const fx_phantom *p, const ph_screw *s, int id, int series)
{
    fx_vec3 e = fx_rigid_apply(&p->pose[series], s->entry);
    fx_vec3 t = fx_rigid_apply(&p->pose[series], s->tip);
    return json_pack("{s:i,s:i,s:o,s:o,s:f,s:f}", "id", id, "plate", s->plate + 1, "entry",
                     jvec(e), "tip", jvec(t), "diameter_mm", s->diameter_mm, "length_mm",
                     s->length_mm);
}

static json_t *screws_json(const fx_phantom *p, int actual)
{
    json_t *a = json_array();
    for (int i = 0; i < p->nscrews; i++) {
        const ph_screw *pl = &p->planned[i], *ac = &p->actual[i];
        json_t *j = screw_json(p, actual ? ac : pl, i + 1, actual);
        if (!actual) {
            json_object_set_new(j, "clearance_mm", json_real(pl->clearance_mm));
        } else {
            fx_vec3 u = fx_v3_sub(pl->tip, pl->entry), v = fx_v3_sub(ac->tip, ac->entry);
            json_object_set_new(j, "placed", json_boolean(ac->placed));
            json_object_set_new(
                j, "deviation",
                json_pack("{s:f,s:f,s:f,s:f}", "angle_deg", fx_v3_axis_angle(u, v) * 180 / M_PI,
                          "entry_mm", fx_v3_dist(pl->entry, ac->entry), "tip_mm",
                          fx_v3_dist(pl->tip, ac->tip), "length_mm",
                          ac->length_mm - pl->length_mm));
        }
        json_array_append_new(a, j);
    }
    return a;
}

static json_t *path_json(const fx_phantom *p, const fx_vec3 *pts, const int *idx, int n, int s)
{
    json_t *a = json_array();
    for (int k = 0; k < n; k++)
        json_array_append_new(a, jvec(fx_rigid_apply(&p->pose[s], pts[idx ? idx[k] : k])));
    return a;
}

/* A plate's post-op placement error in the pre-op series (plan) coordinates:
 * P_pre dev P_pre^-1, its rotation angle and the shift of its path's centroid. */
static json_t *plate_deviation_json(const fx_phantom *p, int i)
{
    const ph_plate *pl = &p->plate[i];
    fx_rigid a = fx_rigid_compose(&p->pose[0], &p->plate_dev[i]);
    fx_rigid T = fx_rigid_compose(&a, &p->pinv[0]);
    double m[16];
    fx_vec3 c = {0, 0, 0};
    for (int k = 0; k < pl->npts; k++)
        c = fx_v3_add(c, pl->pt[k]);
    c = fx_v3_scale(c, 1.0 / pl->npts);
    fx_rigid_to_matrix(&T, m);
    return json_pack("{s:s,s:o,s:f,s:f}", "series", "preop", "matrix", jdoubles(m, 16),
                     "translation_mm", fx_v3_dist(fx_rigid_apply(&p->plate_dev[i], c), c),
                     "rotation_deg", fx_rigid_rotation_angle(&T) * 180 / M_PI);
}

static json_t *plates_json(const fx_phantom *p)
{
    json_t *a = json_array();
    for (int i = 0; i < p->nplates; i++) {
        const ph_plate *pl = &p->plate[i];
        fx_vec3 moved[PH_MAX_PTS];
        for (int k = 0; k < pl->npts; k++)
            moved[k] = fx_rigid_apply(&p->plate_dev[i], pl->pt[k]);
        json_array_append_new(
            a, json_pack("{s:i,s:s,s:f,s:f,s:f,s:f,s:{s:o,s:o},s:{s:o,s:o,s:o}}", "id", i + 1,
                         "name", pl->name, "thickness_mm", pl->thick_mm, "width_mm",
                         pl->width_mm, "hole_diameter_mm", pl->hole_diameter_mm, "hu",
                         p->hu_metal, "planned", "path", path_json(p, pl->pt, NULL, pl->npts, 0),
                         "holes", path_json(p, pl->pt, pl->hole, pl->nholes, 0), "postop", "path",
                         path_json(p, moved, NULL, pl->npts, 1), "holes",
                         path_json(p, moved, pl->hole, pl->nholes, 1), "deviation",
                         plate_deviation_json(p, i)));
    }
    return a;
}

static double smfa_index(const int *ans, int from, int to)
{
    int sum = 0, k = to - from + 1;
    for (int i = from - 1; i < to; i++)
        sum += ans[i];
    return (sum - k) * 100.0 / (4.0 * k);
}

static json_t *smfa_json(const fx_phantom *p)
{
    static const char *const when[3] = {"pre_injury", "3_months", "1_year"};
    json_t *ans = json_object(), *fi = json_object(), *bi = json_object();
    for (int t = 0; t < 3; t++) {
        json_object_set_new(ans, when[t], jints(p->smfa[t], 46));
        json_object_set_new(fi, when[t], json_real(smfa_index(p->smfa[t], 1, 34)));
        json_object_set_new(bi, when[t], json_real(smfa_index(p->smfa[t], 35, 46)));
    }
    return json_pack("{s:i,s:s,s:o,s:o,s:o}", "items", 46, "scale", "1-5, higher is worse",
                     "answers", ans, "function_index", fi, "bother_index", bi);
}

static json_t *patient_json(const fx_phantom *p)
{
    json_t *plates = json_array();
    for (int i = 0; i < p->nplates; i++)
        json_array_append_new(plates, json_string(p->plate[i].name));
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:s}", "code", p->code, "age_band",
                     p->age_band, "sex", p->sex, "trauma_mechanism", p->mechanism,
                     "fracture_type", p->pattern == PH_T_SHAPED ? "t-shaped" : "both-column",
                     "injured_side", p->side > 0 ? "left" : "right", "approach", p->approach,
                     "plates", plates, "plate_set",
                     p->nplates == 2 ? "anterior-posterior" : "anterior");
}

static json_t *truth_json(const fx_phantom *p)
{
    json_t *j = json_object();
    json_object_set_new(j, "format", json_string("fxaudit-phantom-truth"));
    json_object_set_new(j, "version", json_integer(1));
    json_object_set_new(
        j, "coordinates",
        json_string("millimetres in the DICOM patient coordinates (LPS) of the series each "
                    "entry names ('preop' or 'postop'); matrices are 4x4 row-major and map "
                    "fragment-local coordinates (the anatomical frame: the intact, reduced "
                    "patient) into that series: x_series = R x_local + t"));
    json_object_set_new(j, "units", json_pack("{s:s,s:s,s:s,s:s,s:s}", "length", "mm", "angle",
                                              "deg", "intensity", "HU", "volume", "mm3", "area",
                                              "mm2"));
    json_object_set_new(j, "generator",
                        json_pack("{s:I,s:i,s:s,s:b}", "seed", (json_int_t)p->opts.seed, "index",
                                  p->index + 1, "size",
                                  p->opts.size == FX_PHANTOM_CLINICAL ? "clinical" : "small",
                                  "streaks", p->opts.streaks));
    json_object_set_new(j, "patient", patient_json(p));
    json_object_set_new(j, "tissue_hu",
                        json_pack("{s:f,s:f,s:f,s:f,s:f,s:f,s:f}", "cortex", p->hu_cortex,
                                  "cancellous", p->hu_cancellous, "soft_tissue", p->hu_soft,
                                  "fat", p->hu_fat, "air", -1000.0, "metal", p->hu_metal,
                                  "noise_sd", p->noise_sd));
    json_object_set_new(j, "model", model_json(p));
    json_object_set_new(j, "series", json_pack("{s:o,s:o}", "preop", series_json(p, 0), "postop",
                                               series_json(p, 1)));
    json_object_set_new(j, "fragments", fragments_json(p));
    json_object_set_new(j, "fracture_surfaces", cuts_json(p));
    json_object_set_new(j, "reduction", json_pack("{s:o,s:o}", "preop", reduction_json(p, 0),
                                                  "postop", reduction_json(p, 1)));
    json_object_set_new(j, "planned_screws", json_pack("{s:s,s:o}", "series", "preop", "screws",
                                                       screws_json(p, 0)));
    json_object_set_new(j, "actual_screws", json_pack("{s:s,s:o}", "series", "postop", "screws",
                                                      screws_json(p, 1)));
    json_object_set_new(j, "plates", plates_json(p));
    json_object_set_new(j, "smfa", smfa_json(p));
    return j;
}

int fx_phantom_write_truth(const fx_phantom *p, const char *path, fx_error *err)
{
    json_t *j = truth_json(p);
    if (!j)
        return fx_fail(err, FX_ENOMEM, "cannot build the truth of %s", p->code);
    int rc = fx_json_write_atomic(
        path, j, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12), err);
    json_decref(j);
    return rc;
}
