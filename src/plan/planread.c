/*
 * planread.c - reading a plan file back, checking as it goes: a plan drives
 * what a surgeon drills, so every field is checked for presence, type, units,
 * frame and sanity, and an error names the file and the JSON path.
 */
#include "config.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/plan.h"

#define PLAN_FORMAT "fxaudit-plan"
#define PLAN_VERSION 1

struct rd {
    const char *file;
    fx_error *err;
};

static int bad(struct rd *r, const char *where, const char *what)
{
    return fx_fail(r->err, FX_EFORMAT, "plan '%s': %s %s", r->file, where, what);
}

/* A number, or NAN for null when `nullable`. */
static int get_num(struct rd *r, json_t *o, const char *key, const char *where, int nullable,
                   double *out)
{
    json_t *v = json_object_get(o, key);
    char at[160];
    snprintf(at, sizeof(at), "%s.%s", where, key);
    if (nullable && (!v || json_is_null(v))) {
        *out = NAN;
        return FX_OK;
    }
    if (!json_is_number(v))
        return bad(r, at, "must be a number");
    *out = json_number_value(v);
    if (!isfinite(*out))
        return bad(r, at, "must be finite");
    return FX_OK;
}

static int get_str(struct rd *r, json_t *o, const char *key, const char *where, char *out,
                   size_t n)
{
    json_t *v = json_object_get(o, key);
    char at[160];
    snprintf(at, sizeof(at), "%s.%s", where, key);
    if (!json_is_string(v))
        return bad(r, at, "must be a string");
    if (snprintf(out, n, "%s", json_string_value(v)) >= (int)n)
        return bad(r, at, "is too long");
    return FX_OK;
}

static int get_vec(struct rd *r, json_t *o, const char *key, const char *where, fx_vec3 *out)
{
    json_t *v = json_object_get(o, key);
    double x[3];
    char at[160];
    snprintf(at, sizeof(at), "%s.%s", where, key);
    if (!json_is_array(v) || json_array_size(v) != 3)
        return bad(r, at, "must be an array of 3 numbers (mm)");
    for (int i = 0; i < 3; i++) {
        json_t *e = json_array_get(v, i);
        if (!json_is_number(e) || !isfinite(json_number_value(e)))
            return bad(r, at, "must hold finite numbers");
        x[i] = json_number_value(e);
    }
    *out = fx_v3(x[0], x[1], x[2]);
    return FX_OK;
}

static int get_pose(struct rd *r, json_t *o, const char *where, fx_rigid *T)
{
    json_t *m = json_object_get(json_object_get(o, "pose"), "matrix");
    double a[16];
    char at[160];
    snprintf(at, sizeof(at), "%s.pose.matrix", where);
    if (!json_is_array(m) || json_array_size(m) != 16)
        return bad(r, at, "must be 16 numbers (4x4, row-major)");
    for (int i = 0; i < 16; i++) {
        json_t *e = json_array_get(m, i);
        if (!json_is_number(e))
            return bad(r, at, "must hold numbers");
        a[i] = json_number_value(e);
    }
    if (fx_rigid_from_matrix(a, T))
        return bad(r, at, "is not a rigid transform (proper rotation and translation)");
    return FX_OK;
}

static int read_fragment(struct rd *r, json_t *o, const char *at, fx_plan_fragment *f)
{
    json_t *c = json_object_get(o, "color");
    int rc;

    memset(f, 0, sizeof(*f));
    if ((rc = get_str(r, o, "name", at, f->name, sizeof(f->name))) ||
        (rc = get_str(r, o, "mesh", at, f->mesh, sizeof(f->mesh))) ||
        (rc = get_str(r, o, "mesh_sha256", at, f->mesh_sha256, sizeof(f->mesh_sha256))) ||
        (rc = get_pose(r, o, at, &f->pose)) ||
        (rc = get_num(r, o, "residual_rms_mm", at, 1, &f->residual_rms_mm)) ||
        (rc = get_num(r, o, "residual_max_mm", at, 1, &f->residual_max_mm)))
        return rc;
    if (!json_is_integer(json_object_get(o, "label")))
        return bad(r, at, "label must be an integer");
    f->label = (int)json_integer_value(json_object_get(o, "label"));
    f->fixed = json_is_true(json_object_get(o, "fixed"));
    for (int i = 0; i < 3 && json_is_array(c); i++)
        f->rgb[i] = (uint8_t)json_integer_value(json_array_get(c, i));
    return FX_OK;
}

static int read_screw(struct rd *r, json_t *o, const char *at, fx_plan_screw *s)
{
    json_t *plate = json_object_get(o, "plate");
    int rc;

    memset(s, 0, sizeof(*s));
    if ((rc = get_str(r, o, "name", at, s->name, sizeof(s->name))) ||
        (rc = get_vec(r, o, "entry", at, &s->entry)) ||
        (rc = get_vec(r, o, "direction", at, &s->dir)) ||
        (rc = get_num(r, o, "diameter_mm", at, 0, &s->diameter_mm)) ||
        (rc = get_num(r, o, "length_mm", at, 0, &s->length_mm)) ||
        (rc = get_num(r, o, "corridor_mm", at, 1, &s->corridor_mm)) ||
        (rc = get_num(r, o, "suggested_mm", at, 1, &s->suggested_mm)) ||
        (rc = get_num(r, o, "clearance_mm", at, 1, &s->clearance_mm)) ||
        (rc = get_num(r, o, "joint_distance_mm", at, 1, &s->joint_distance_mm)))
        return rc;
    if (fabs(fx_v3_norm(s->dir) - 1) > 1e-6)
        return bad(r, at, "direction must be a unit vector");
    if (!(s->diameter_mm > 0) || !(s->length_mm > 0))
        return bad(r, at, "diameter_mm and length_mm must be positive");
    if (json_is_string(plate))
        snprintf(s->plate, sizeof(s->plate), "%s", json_string_value(plate));
    s->joint_warning = json_is_true(json_object_get(o, "joint_warning"));
    return FX_OK;
}

static int read_plate(struct rd *r, json_t *o, const char *at, fx_plan_plate *p)
{
    json_t *path = json_object_get(o, "path");
    int rc;

    memset(p, 0, sizeof(*p));
    if ((rc = get_str(r, o, "name", at, p->name, sizeof(p->name))) ||
        (rc = get_num(r, o, "width_mm", at, 0, &p->width_mm)) ||
        (rc = get_num(r, o, "thickness_mm", at, 0, &p->thickness_mm)) ||
        (rc = get_num(r, o, "offset_mm", at, 0, &p->offset_mm)) ||
        (rc = get_str(r, o, "mesh", at, p->mesh, sizeof(p->mesh))) ||
        (rc = get_str(r, o, "mesh_sha256", at, p->mesh_sha256, sizeof(p->mesh_sha256))))
        return rc;
    if (!json_is_array(path))
        return bad(r, at, "path must be an array of points");
    p->npath = json_array_size(path);
    p->path = calloc(p->npath ? p->npath : 1, sizeof(fx_vec3));
    if (!p->path)
        return fx_fail(r->err, FX_ENOMEM, "cannot read the path of plate '%s'", p->name);
    for (size_t i = 0; i < p->npath; i++) {
        json_t *pt = json_array_get(path, i);
        if (json_array_size(pt) != 3 || !json_is_number(json_array_get(pt, 0)) ||
            !json_is_number(json_array_get(pt, 1)) || !json_is_number(json_array_get(pt, 2))) {
            free(p->path);
            return bad(r, at, "path points must be arrays of 3 numbers (mm)");
        }
        p->path[i] = fx_v3(json_number_value(json_array_get(pt, 0)),
                           json_number_value(json_array_get(pt, 1)),
                           json_number_value(json_array_get(pt, 2)));
    }
    return FX_OK;
}

static int check_header(struct rd *r, json_t *root)
{
    json_t *fmt = json_object_get(root, "format"), *ver = json_object_get(root, "version");
    const char *units = json_string_value(json_object_get(root, "units"));
    const char *cs = json_string_value(json_object_get(root, "coordinate_system"));

    if (!json_is_string(fmt) || strcmp(json_string_value(fmt), PLAN_FORMAT))
        return bad(r, "format", "is not \"" PLAN_FORMAT "\": not an fxaudit plan");
    if (!json_is_integer(ver))
        return bad(r, "version", "must be an integer");
    if (json_integer_value(ver) > PLAN_VERSION)
        return fx_fail(r->err, FX_EVERSION,
                       "plan '%s' has format version %lld, newer than this fxaudit reads (%d)",
                       r->file, (long long)json_integer_value(ver), PLAN_VERSION);
    if (!units || strcmp(units, "mm"))
        return bad(r, "units", "must be \"mm\"");
    if (!cs || strcmp(cs, "LPS"))
        return bad(r, "coordinate_system", "must be \"LPS\"");
    return FX_OK;
}

static int read_header(struct rd *r, json_t *root, fx_plan *p)
{
    json_t *plane = json_object_get(root, "symmetry_plane");
    int rc;

    if ((rc = get_str(r, root, "patient", "$", p->patient, sizeof(p->patient))) ||
        (rc = get_str(r, root, "side", "$", p->side, sizeof(p->side))) ||
        (rc = get_str(r, root, "software", "$", p->software, sizeof(p->software))) ||
        (rc = get_str(r, root, "created_utc", "$", p->created_utc, sizeof(p->created_utc))))
        return rc;
    if (plane) {
        if ((rc = get_vec(r, plane, "normal", "$.symmetry_plane", &p->plane_normal)) ||
            (rc = get_num(r, plane, "d_mm", "$.symmetry_plane", 0, &p->plane_d_mm)))
            return rc;
        if (fabs(fx_v3_norm(p->plane_normal) - 1) > 1e-6)
            return bad(r, "$.symmetry_plane.normal", "must be a unit vector");
        p->has_plane = 1;
    }
    return FX_OK;
}

/* Overlaps between reduced parts (optional: plans made before they were
 * measured have none). */
static int read_overlaps(struct rd *r, json_t *root, fx_plan *p)
{
    char at[64];
    size_t i;
    json_t *o;
    int rc = FX_OK;

    json_array_foreach(json_object_get(root, "overlaps"), i, o) {
        fx_plan_overlap ov;
        memset(&ov, 0, sizeof(ov));
        snprintf(at, sizeof(at), "$.overlaps[%zu]", i);
        if ((rc = get_str(r, o, "a", at, ov.a, sizeof(ov.a))) ||
            (rc = get_str(r, o, "b", at, ov.b, sizeof(ov.b))) ||
            (rc = get_num(r, o, "depth_before_mm", at, 1, &ov.depth_before_mm)) ||
            (rc = get_num(r, o, "volume_before_mm3", at, 1, &ov.volume_before_mm3)) ||
            (rc = get_num(r, o, "depth_mm", at, 1, &ov.depth_mm)) ||
            (rc = get_num(r, o, "volume_mm3", at, 1, &ov.volume_mm3)) ||
            (rc = fx_plan_add_overlap(p, &ov, r->err)))
            return rc;
    }
    return rc;
}

static int read_lists(struct rd *r, json_t *root, fx_plan *p)
{
    char at[64];
    size_t i;
    json_t *o;
    int rc = FX_OK;

    json_array_foreach(json_object_get(root, "fragments"), i, o) {
        fx_plan_fragment f;
        snprintf(at, sizeof(at), "$.fragments[%zu]", i);
        if ((rc = read_fragment(r, o, at, &f)) || (rc = fx_plan_add_fragment(p, &f, r->err)))
            return rc;
    }
    json_array_foreach(json_object_get(root, "screws"), i, o) {
        fx_plan_screw s;
        snprintf(at, sizeof(at), "$.screws[%zu]", i);
        if ((rc = read_screw(r, o, at, &s)) || (rc = fx_plan_add_screw(p, &s, r->err)))
            return rc;
    }
    json_array_foreach(json_object_get(root, "plates"), i, o) {
        fx_plan_plate pl;
        snprintf(at, sizeof(at), "$.plates[%zu]", i);
        if ((rc = read_plate(r, o, at, &pl)))
            return rc;
        rc = fx_plan_add_plate(p, &pl, r->err);
        free(pl.path);
        if (rc)
            return rc;
    }
    json_array_foreach(json_object_get(root, "guides"), i, o) {
        fx_plan_guide g;
        memset(&g, 0, sizeof(g));
        snprintf(at, sizeof(at), "$.guides[%zu]", i);
        if ((rc = get_str(r, o, "name", at, g.name, sizeof(g.name))) ||
            (rc = get_str(r, o, "plate", at, g.plate, sizeof(g.plate))) ||
            (rc = get_str(r, o, "mesh", at, g.mesh, sizeof(g.mesh))) ||
            (rc = get_str(r, o, "mesh_sha256", at, g.mesh_sha256, sizeof(g.mesh_sha256))) ||
            (rc = fx_plan_add_guide(p, &g, r->err)))
            return rc;
    }
    json_array_foreach(json_object_get(root, "inputs"), i, o) {
        fx_plan_input in;
        snprintf(at, sizeof(at), "$.inputs[%zu]", i);
        if ((rc = get_str(r, o, "role", at, in.role, sizeof(in.role))) ||
            (rc = get_str(r, o, "path", at, in.path, sizeof(in.path))) ||
            (rc = get_str(r, o, "sha256", at, in.sha256, sizeof(in.sha256))) ||
            (rc = fx_plan_add_input(p, in.role, in.path, in.sha256, r->err)))
            return rc;
    }
    return rc;
}

int fx_plan_read(const char *path, fx_plan **out, fx_error *err)
{
    struct rd r = {path, err};
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    fx_plan *p = NULL;
    int rc;

    *out = NULL;
    if (!root)
        return je.line > 0 ? fx_fail(err, FX_EFORMAT, "plan '%s': %s (line %d)", path, je.text,
                                     je.line)
                           : fx_fail(err, FX_EIO, "plan '%s': %s", path, je.text);
    if ((rc = check_header(&r, root)) || (rc = fx_plan_new(&p, err)) ||
        (rc = read_header(&r, root, p)) || (rc = read_lists(&r, root, p)) ||
        (rc = read_overlaps(&r, root, p))) {
        fx_plan_free(p);
        json_decref(root);
        return rc;
    }
    json_decref(root);
    *out = p;
    return FX_OK;
}
