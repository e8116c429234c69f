/*
 * report_views.c - the patient report's 3-D views, drawn by the software
 * rasteriser: the plan (reduced bone translucent, plates, planned screws) and,
 * after the audit, the plan against the post-op result (the actual screws,
 * mapped into plan coordinates by the registration, beside the planned ones).
 * Colours: Okabe-Ito blue for planned, orange for actual screws, so that the
 * two stay apart for readers with a colour-vision deficiency.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/meshio.h"
#include "fxaudit/raster.h"
#include "report_internal.h"

static const uint8_t BONE[3] = {226, 214, 190}, PLATE[3] = {120, 128, 140},
                     PLANNED[3] = {0, 114, 178}, ACTUAL[3] = {230, 159, 0},
                     PLATE_POST[3] = {204, 121, 167};

enum { MAX_MESHES = 16 };

int rp_plan_load(fx_store *s, const char *code, char *dir, size_t n, json_t **plan)
{
    char path[4500];
    /* a study folder path is at most PATH_MAX (4096) */
    snprintf(dir, n, "%s/plans/%s", fx_store_dir(s), code);
    snprintf(path, sizeof path, "%s/plan.json", dir);
    json_error_t je;
    *plan = json_load_file(path, 0, &je);
    return *plan ? FX_OK : FX_ENOTFOUND;
}

/* Load the reduced bone and the plates of the plan folder `dir`; src[i] is
 * the index in plan.plates of mesh i (-1 for the bone). */
static size_t load_meshes(const char *dir, const json_t *plan, fx_mesh **m, int *src, size_t cap)
{
    char path[8800];
    size_t n = 0;
    fx_error e = {0};
    snprintf(path, sizeof path, "%s/reduced.ply", dir);
    if (fx_mesh_read(path, NULL, &m[n], &e) == FX_OK)
        src[n++] = -1;
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(plan, "plates"), i, p)
    {
        snprintf(path, sizeof path, "%s/%s", dir, rp_str(p, "mesh"));
        if (n < cap && *rp_str(p, "mesh") && fx_mesh_read(path, NULL, &m[n], &e) == FX_OK)
            src[n++] = (int)i;
    }
    return n;
}

static fx_vec3 vec_of(const json_t *a)
{
    return (fx_vec3){json_number_value(json_array_get(a, 0)), json_number_value(json_array_get(a, 1)),
                     json_number_value(json_array_get(a, 2))};
}

/* Planned screws as cylinders; beside actual screws, as thin lines along
 * their axes (the actual screw's cylinder hides the line where the two
 * coincide, so what shows blue is where the plan was left). Then the actual
 * screws as orange cylinders. */
static fx_render_screw *screws_of(const json_t *plan, const rp_actual_screw *act, size_t na,
                                  size_t *n)
{
    const json_t *scr = json_object_get(plan, "screws");
    size_t np = json_array_size(scr);
    fx_render_screw *rs = calloc(np + na + 1, sizeof *rs);
    if (!rs)
        return NULL;
    for (size_t i = 0; i < np; i++) {
        const json_t *s = json_array_get(scr, i);
        rs[i].entry = vec_of(json_object_get(s, "entry"));
        rs[i].tip = vec_of(json_object_get(s, "tip"));
        rs[i].diameter_mm = na ? 1.2 : rp_real(s, "diameter_mm");
        memcpy(rs[i].rgb, PLANNED, 3);
        rs[i].style = na ? FX_SCREW_LINE : FX_SCREW_CYLINDER;
    }
    for (size_t i = 0; i < na; i++) {
        fx_render_screw *r = &rs[np + i];
        r->entry = (fx_vec3){act[i].entry[0], act[i].entry[1], act[i].entry[2]};
        r->tip = (fx_vec3){act[i].tip[0], act[i].tip[1], act[i].tip[2]};
        r->diameter_mm = act[i].diameter_mm > 0 ? act[i].diameter_mm : 3.5;
        memcpy(r->rgb, ACTUAL, 3);
        r->style = FX_SCREW_CYLINDER;
    }
    *n = np + na;
    return rs;
}

/* Each plate found post-op, moved by its pose (planned -> post-op, in plan
 * coordinates), appended to m; returns how many. */
static size_t postop_plates(const json_t *plan, const rp_result *res, fx_mesh **m, const int *src,
                            size_t nm, size_t cap)
{
    size_t n = 0;
    fx_error e = {0};
    for (size_t k = 0; res && k < res->n_plates && nm + n < cap; k++)
        for (size_t i = 0; i < nm; i++) {
            const json_t *p = json_array_get(json_object_get(plan, "plates"), (size_t)src[i]);
            fx_rigid T;
            if (src[i] < 0 || strcmp(rp_str(p, "name"), res->plates[k].label) ||
                fx_rigid_from_matrix(res->plates[k].pose, &T) ||
                fx_mesh_clone(m[i], &m[nm + n], &e))
                continue;
            fx_mesh_transform(m[nm + n++], &T);
            break;
        }
    return n;
}

static void view_caption(char *cap, size_t n, int fig, fx_view v, size_t na, size_t np)
{
    const char *where = v == FX_VIEW_LATERAL ? " from the injured side" : "";
    if (na || np)
        snprintf(cap, n, "Figure %d. The plan against the post-op result, %s view%s: reduced bone "
                         "as planned (translucent), plates as planned (grey%s)%s, planned screw "
                         "axes (blue), actual screws from the post-op CT (orange), in plan "
                         "coordinates.", fig, fx_view_name(v), where, np ? ", translucent" : "",
                 np ? " and as found post-op (purple)" : "");
    else
        snprintf(cap, n, "Figure %d. The plan, %s view%s: reduced bone (translucent), plates "
                         "(grey), planned screws (blue).", fig, fx_view_name(v), where);
}

int rp_views(rp_ctx *c, const char *dir, const json_t *plan, const char *side,
             const rp_result *res, fx_error *err)
{
    fx_mesh *m[MAX_MESHES] = {0};
    int src[MAX_MESHES];
    size_t nm = load_meshes(dir, plan, m, src, MAX_MESHES / 2);
    if (nm == 0)
        return fx_pdf_note(c->d, "No 3-D view: the plan's reduced bone model could not be read.",
                           20, err);
    size_t na = res ? res->n_screws : 0, np = postop_plates(plan, res, m, src, nm, MAX_MESHES);
    fx_render_mesh rm[MAX_MESHES];
    for (size_t i = 0; i < nm + np; i++) {
        rm[i] = (fx_render_mesh){m[i], {0, 0, 0}, i == 0 ? 0.45 : i < nm && np ? 0.5 : 1.0};
        memcpy(rm[i].rgb, i == 0 ? BONE : i < nm ? PLATE : PLATE_POST, 3);
    }
    size_t ns = 0;
    fx_render_screw *rs = screws_of(plan, res ? res->screws : NULL, na, &ns);
    int rc = rs ? FX_OK : fx_fail(err, FX_ENOMEM, "out of memory drawing the 3-D views");
    int cmp = na || np;
    fx_render_legend lg[5] = {{"reduced bone (planned)", {0}},
                              {cmp ? "plates (planned)" : "plates", {0}},
                              {na ? "planned screws (axes)" : "planned screws", {0}},
                              {"actual screws (post-op CT)", {0}},
                              {"plates (post-op CT)", {0}}};
    memcpy(lg[0].rgb, BONE, 3), memcpy(lg[1].rgb, PLATE, 3), memcpy(lg[2].rgb, PLANNED, 3);
    memcpy(lg[3].rgb, ACTUAL, 3), memcpy(lg[4].rgb, PLATE_POST, 3);
    if (np && !na)
        lg[3] = lg[4];
    fx_render_scene sc = {rm, nm + np, rs, ns, lg, 3 + (na > 0) + (np > 0)};
    const fx_view views[3] = {FX_VIEW_ANTERIOR, FX_VIEW_LATERAL, FX_VIEW_SUPERIOR};
    for (int v = 0; v < 3 && !rc; v++) {
        fx_raster_opts ro;
        fx_raster_opts_default(&ro);
        ro.width = 1000, ro.height = 760, ro.view = views[v];
        ro.side = strcmp(side, "left") ? FX_SIDE_RIGHT : FX_SIDE_LEFT;
        ro.supersample = 2;
        fx_image *im = NULL;
        rc = fx_raster_render(&sc, &ro, &im, err);
        char cap[500];
        view_caption(cap, sizeof cap, rp_next_fig(c), views[v], na, np);
        if (!rc)
            rc = fx_pdf_image_rgb(c->d, im->rgb, im->w, im->h, cmp ? 80 : 88, cap, err);
        fx_image_free(im);
    }
    free(rs);
    for (size_t i = 0; i < nm + np; i++)
        fx_mesh_free(m[i]);
    return rc;
}
