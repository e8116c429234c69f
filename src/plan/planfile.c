/*
 * planfile.c - the plan as a JSON file: what a surgeon's plan is, in a form
 * that outlives the program run that made it (format "fxaudit-plan").
 * Unknown numbers (not computed) are written as null and read back as NAN.
 */
#include "config.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/jsonfile.h"
#include "fxaudit/plan.h"

#define PLAN_FORMAT "fxaudit-plan"
#define PLAN_VERSION 1

/* --- writing --------------------------------------------------------------- */

static json_t *num(double x) { return isfinite(x) ? json_real(x) : json_null(); }

static json_t *vec(fx_vec3 v) { return json_pack("[fff]", v.x, v.y, v.z); }

static json_t *matrix(const fx_rigid *T)
{
    double m[16];
    json_t *a = json_array();
    fx_rigid_to_matrix(T, m);
    for (int i = 0; i < 16; i++)
        json_array_append_new(a, json_real(m[i]));
    return a;
}

static json_t *fragment_json(const fx_plan_fragment *f)
{
    return json_pack("{s:s, s:i, s:[iii], s:s, s:s, s:{s:o}, s:b, s:o, s:o}", "name", f->name,
                     "label", f->label, "color", f->rgb[0], f->rgb[1], f->rgb[2], "mesh",
                     f->mesh, "mesh_sha256", f->mesh_sha256, "pose", "matrix", matrix(&f->pose),
                     "fixed", f->fixed, "residual_rms_mm", num(f->residual_rms_mm),
                     "residual_max_mm", num(f->residual_max_mm));
}

static json_t *screw_json(const fx_plan_screw *s)
{
    json_t *o = json_pack("{s:s, s:o, s:o, s:o, s:f, s:f, s:s}", "name", s->name, "entry",
                          vec(s->entry), "direction", vec(s->dir), "tip",
                          vec(fx_plan_screw_tip(s)), "diameter_mm", s->diameter_mm,
                          "length_mm", s->length_mm, "plate", s->plate);
    json_object_set_new(o, "corridor_mm", num(s->corridor_mm));
    json_object_set_new(o, "suggested_mm", num(s->suggested_mm));
    json_object_set_new(o, "clearance_mm", num(s->clearance_mm));
    json_object_set_new(o, "joint_distance_mm", num(s->joint_distance_mm));
    json_object_set_new(o, "joint_warning", json_boolean(s->joint_warning));
    return o;
}

static json_t *plate_json(const fx_plan_plate *p)
{
    json_t *path = json_array();
    for (size_t i = 0; i < p->npath; i++)
        json_array_append_new(path, vec(p->path[i]));
    return json_pack("{s:s, s:f, s:f, s:f, s:o, s:s, s:s}", "name", p->name, "width_mm",
                     p->width_mm, "thickness_mm", p->thickness_mm, "offset_mm", p->offset_mm,
                     "path", path, "mesh", p->mesh, "mesh_sha256", p->mesh_sha256);
}

static json_t *plan_json(const fx_plan *p)
{
    json_t *root = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "format",
                             PLAN_FORMAT, "version", PLAN_VERSION, "units", "mm",
                             "coordinate_system", "LPS", "frame",
                             "DICOM patient coordinates of the pre-op series", "software",
                             p->software, "created_utc", p->created_utc, "patient", p->patient,
                             "side", p->side);
    json_t *a;

    if (p->has_plane)
        json_object_set_new(root, "symmetry_plane", json_pack("{s:o, s:f}", "normal",
                                                              vec(p->plane_normal), "d_mm",
                                                              p->plane_d_mm));
    json_object_set_new(root, "fragments", a = json_array());
    for (size_t i = 0; i < p->nfrags; i++)
        json_array_append_new(a, fragment_json(&p->frags[i]));
    json_object_set_new(root, "screws", a = json_array());
    for (size_t i = 0; i < p->nscrews; i++)
        json_array_append_new(a, screw_json(&p->screws[i]));
    json_object_set_new(root, "plates", a = json_array());
    for (size_t i = 0; i < p->nplates; i++)
        json_array_append_new(a, plate_json(&p->plates[i]));
    json_object_set_new(root, "guides", a = json_array());
    for (size_t i = 0; i < p->nguides; i++)
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s}", "name", p->guides[i].name,
                                           "plate", p->guides[i].plate, "mesh",
                                           p->guides[i].mesh, "mesh_sha256",
                                           p->guides[i].mesh_sha256));
    json_object_set_new(root, "inputs", a = json_array());
    for (size_t i = 0; i < p->ninputs; i++)
        json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "role", p->inputs[i].role,
                                           "path", p->inputs[i].path, "sha256",
                                           p->inputs[i].sha256));
    json_object_set_new(root, "overlaps", a = json_array());
    for (size_t i = 0; i < p->noverlaps; i++) {
        const fx_plan_overlap *o = &p->overlaps[i];
        json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "a", o->a, "b",
                                           o->b, "depth_before_mm", num(o->depth_before_mm),
                                           "volume_before_mm3", num(o->volume_before_mm3),
                                           "depth_mm", num(o->depth_mm), "volume_mm3",
                                           num(o->volume_mm3)));
    }
    return root;
}

int fx_plan_write(const fx_plan *p, const char *path, fx_error *err)
{
    json_t *root = plan_json(p);
    int rc;

    if (!root)
        return fx_fail(err, FX_ENOMEM, "cannot build the plan for '%s'", path);
    rc = fx_json_write_atomic(path, root,
                              JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17), err);
    json_decref(root);
    return rc;
}
