/*
 * screwio.c - planned screws from JSON lists and 3D Slicer markups, and back
 * to markups so that a plan can be checked in Slicer.
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fxaudit/jsonfile.h"
#include "fxaudit/csv.h"
#include "fxaudit/screwio.h"

#define MARKUPS_SCHEMA                                                                            \
    "https://raw.githubusercontent.com/slicer/slicer/master/Modules/Loadable/Markups/Resources/" \
    "Schema/markups-schema-v1.0.3.json#"

static int json_vec(json_t *a, fx_vec3 *out)
{
    if (!json_is_array(a) || json_array_size(a) != 3)
        return -1;
    double x[3];
    for (int i = 0; i < 3; i++) {
        json_t *e = json_array_get(a, i);
        if (!json_is_number(e) || !isfinite(json_number_value(e)))
            return -1;
        x[i] = json_number_value(e);
    }
    *out = fx_v3(x[0], x[1], x[2]);
    return 0;
}

static int add_checked(fx_plan *p, const fx_plan_screw *s, const char *path, fx_error *err)
{
    if (!s->name[0])
        return fx_fail(err, FX_EFORMAT, "'%s': a screw has no name", path);
    if (fx_plan_find_screw(p, s->name))
        return fx_fail(err, FX_EFORMAT, "'%s': screw '%s' appears twice", path, s->name);
    if (!(s->length_mm > 0) || !(fx_v3_norm(s->dir) > 0))
        return fx_fail(err, FX_EFORMAT, "'%s': screw '%s' has zero length or no direction",
                       path, s->name);
    if (!(s->diameter_mm > 0))
        return fx_fail(err, FX_EFORMAT, "'%s': screw '%s' needs a positive diameter_mm", path,
                       s->name);
    return fx_plan_add_screw(p, s, err);
}

static int read_markup_line(json_t *m, size_t i, double diam, const char *path, fx_plan *p,
                            fx_error *err)
{
    json_t *cps = json_object_get(m, "controlPoints");
    const char *cs = json_string_value(json_object_get(m, "coordinateSystem"));
    const char *name = json_string_value(json_object_get(m, "name"));
    fx_vec3 a, b;
    char fallback[32];

    if (json_array_size(cps) != 2 ||
        json_vec(json_object_get(json_array_get(cps, 0), "position"), &a) ||
        json_vec(json_object_get(json_array_get(cps, 1), "position"), &b))
        return fx_fail(err, FX_EFORMAT,
                       "'%s': markup %zu is a Line without two control points with positions",
                       path, i);
    if (cs && !strcmp(cs, "RAS")) { /* RAS and LPS differ in the sign of x and y */
        a = fx_v3(-a.x, -a.y, a.z);
        b = fx_v3(-b.x, -b.y, b.z);
    } else if (cs && strcmp(cs, "LPS")) {
        return fx_fail(err, FX_EFORMAT, "'%s': markup %zu has coordinate system '%s' (LPS or "
                       "RAS expected)", path, i, cs);
    }
    if (!name || !*name) {
        snprintf(fallback, sizeof(fallback), "S%zu", i + 1);
        name = fallback;
    }
    fx_plan_screw s = fx_plan_screw_make(name, a, fx_v3_sub(b, a), diam, fx_v3_dist(a, b));
    return add_checked(p, &s, path, err);
}

static int read_markups(json_t *root, double diam, const char *path, fx_plan *p, fx_error *err)
{
    json_t *m;
    size_t i;
    int found = 0, rc;

    json_array_foreach(json_object_get(root, "markups"), i, m) {
        const char *type = json_string_value(json_object_get(m, "type"));
        if (!type || strcmp(type, "Line"))
            continue;
        if ((rc = read_markup_line(m, i, diam, path, p, err)))
            return rc;
        found++;
    }
    return found ? FX_OK : fx_fail(err, FX_EFORMAT, "'%s': no Line markups (screws) found", path);
}

static int read_list_item(json_t *o, size_t i, double diam, const char *path, fx_plan *p,
                          fx_error *err)
{
    const char *name = json_string_value(json_object_get(o, "name"));
    json_t *len = json_object_get(o, "length_mm"), *d = json_object_get(o, "diameter_mm");
    json_t *plate = json_object_get(o, "plate");
    fx_vec3 entry, dir, target;
    double length = json_is_number(len) ? json_number_value(len) : NAN;

    if (!name || json_vec(json_object_get(o, "entry"), &entry))
        return fx_fail(err, FX_EFORMAT, "'%s': screw %zu needs \"name\" and \"entry\" [x,y,z]",
                       path, i);
    if (!json_vec(json_object_get(o, "target"), &target)) {
        dir = fx_v3_sub(target, entry);
        if (isnan(length))
            length = fx_v3_norm(dir);
    } else if (json_vec(json_object_get(o, "direction"), &dir) || isnan(length)) {
        return fx_fail(err, FX_EFORMAT, "'%s': screw '%s' needs \"target\", or \"direction\" "
                       "with \"length_mm\"", path, name);
    }
    fx_plan_screw s = fx_plan_screw_make(name, entry, dir,
                                         json_is_number(d) ? json_number_value(d) : diam, length);
    if (json_is_string(plate))
        snprintf(s.plate, sizeof(s.plate), "%s", json_string_value(plate));
    return add_checked(p, &s, path, err);
}

/* A CSV screw list: name, entry_x, entry_y, entry_z and either target_x..z or
 * dir_x..z with length_mm; diameter_mm and plate optional. */
static int read_csv(const char *path, double diam, fx_plan *p, fx_error *err)
{
    static const char *const cols[] = {"entry_x", "entry_y", "entry_z", "target_x", "target_y",
                                       "target_z", "dir_x", "dir_y", "dir_z", "length_mm",
                                       "diameter_mm"};
    double *v[11] = {0};
    size_t name_col, plate_col, n;
    fx_csv *t = NULL;
    int rc = fx_csv_read(path, &t, err), have_plate;

    if (rc)
        return rc;
    if ((rc = fx_csv_find(t, "name", &name_col, err)))
        goto out;
    have_plate = fx_csv_find(t, "plate", &plate_col, NULL) == FX_OK;
    for (int c = 0; c < 11 && !rc; c++) {
        size_t col;
        if (c < 3 || fx_csv_find(t, cols[c], &col, NULL) == FX_OK)
            rc = fx_csv_numbers(t, cols[c], &v[c], err);
    }
    n = fx_csv_rows(t);
    for (size_t r = 0; !rc && r < n; r++) {
        fx_vec3 e = fx_v3(v[0][r], v[1][r], v[2][r]), dir;
        double len = v[9] ? v[9][r] : NAN;
        if (v[3] && isfinite(v[3][r])) {
            dir = fx_v3_sub(fx_v3(v[3][r], v[4] ? v[4][r] : NAN, v[5] ? v[5][r] : NAN), e);
            if (!isfinite(len))
                len = fx_v3_norm(dir);
        } else if (v[6] && v[7] && v[8]) {
            dir = fx_v3(v[6][r], v[7][r], v[8][r]);
        } else {
            dir = fx_v3(NAN, NAN, NAN);
        }
        if (!isfinite(e.x + e.y + e.z + dir.x + dir.y + dir.z + len)) {
            rc = fx_fail(err, FX_EFORMAT, "'%s' line %zu: a screw needs entry_x..z and either "
                         "target_x..z or dir_x..z with length_mm", path, fx_csv_line(t, r));
            break;
        }
        fx_plan_screw sc = fx_plan_screw_make(fx_csv_cell(t, r, name_col), e, dir,
                                              v[10] && isfinite(v[10][r]) ? v[10][r] : diam, len);
        if (have_plate)
            snprintf(sc.plate, sizeof(sc.plate), "%s", fx_csv_cell(t, r, plate_col));
        rc = add_checked(p, &sc, path, err);
    }
out:
    for (int c = 0; c < 11; c++)
        free(v[c]);
    fx_csv_free(t);
    return rc;
}

int fx_screws_read(const char *path, double default_diameter_mm, fx_plan *p, fx_error *err)
{
    size_t before = p->nscrews, i, len = strlen(path);
    int rc = FX_OK;

    if (len > 4 && !strcasecmp(path + len - 4, ".csv")) {
        rc = read_csv(path, default_diameter_mm, p, err);
        if (rc)
            p->nscrews = before; /* nothing half-appended */
        return rc;
    }
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je), *list, *o;

    if (!root)
        return je.line > 0 ? fx_fail(err, FX_EFORMAT, "cannot read screws from '%s': %s (line %d)",
                                     path, je.text, je.line)
                           : fx_fail(err, FX_EIO, "cannot read screws from '%s': %s", path,
                                     je.text);
    if (json_is_array(json_object_get(root, "markups"))) {
        rc = read_markups(root, default_diameter_mm, path, p, err);
    } else {
        list = json_is_array(root) ? root : json_object_get(root, "screws");
        if (!json_is_array(list))
            rc = fx_fail(err, FX_EFORMAT, "'%s' is neither a markups file nor a screw list",
                         path);
        json_array_foreach(list, i, o) {
            if ((rc = read_list_item(o, i, default_diameter_mm, path, p, err)))
                break;
        }
    }
    json_decref(root);
    if (rc)
        p->nscrews = before; /* nothing half-appended */
    return rc;
}

static json_t *markup_line(const fx_plan_screw *s)
{
    fx_vec3 tip = fx_plan_screw_tip(s);
    char a[FX_PLAN_NAME + 8], b[FX_PLAN_NAME + 8];
    snprintf(a, sizeof(a), "%s-entry", s->name);
    snprintf(b, sizeof(b), "%s-tip", s->name);
    return json_pack("{s:s, s:s, s:s, s:s, s:[{s:s, s:s, s:[fff]}, {s:s, s:s, s:[fff]}]}",
                     "type", "Line", "name", s->name, "coordinateSystem", "LPS",
                     "coordinateUnits", "mm", "controlPoints", "id", "1", "label", a,
                     "position", s->entry.x, s->entry.y, s->entry.z, "id", "2", "label", b,
                     "position", tip.x, tip.y, tip.z);
}

int fx_screws_write_markups(const fx_plan *p, const char *path, fx_error *err)
{
    json_t *list = json_array();
    json_t *root = json_pack("{s:s, s:o}", "@schema", MARKUPS_SCHEMA, "markups", list);
    int rc;

    for (size_t i = 0; i < p->nscrews; i++)
        json_array_append_new(list, markup_line(&p->screws[i]));
    rc = fx_json_write_atomic(path, root,
                              JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17), err);
    json_decref(root);
    return rc;
}
