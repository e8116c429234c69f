/*
 * report_plan.c - the patient report's plan section: fragments with their
 * reduction moves and residuals, screws with planned lengths, corridors and
 * joint warnings, plates, and 3-D views of the planned result (reduced bone,
 * plates, planned screws) drawn by the software rasteriser. Read from the
 * plan file plans/<code>/plan.json of the study folder.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/meshio.h"
#include "fxaudit/raster.h"
#include "report_internal.h"

/* Rotation angle (degrees) and translation length (mm) of a row-major 4x4. */
static void pose_move(const json_t *m, double *deg, double *mm)
{
    double a[16];
    for (int i = 0; i < 16; i++)
        a[i] = json_number_value(json_array_get(m, (size_t)i));
    double cs = (a[0] + a[5] + a[10] - 1) / 2;
    *deg = acos(cs > 1 ? 1 : cs < -1 ? -1 : cs) * 180 / M_PI;
    *mm = sqrt(a[3] * a[3] + a[7] * a[7] + a[11] * a[11]);
}

static int fragments_table(rp_ctx *c, const json_t *plan, fx_error *err)
{
    static const fx_pdf_column cols[] = {
        {"Fragment", NULL, 1.2, FX_PDF_LEFT},   {"Role", NULL, 0.9, FX_PDF_LEFT},
        {"Rotation", "°", 0.8, FX_PDF_RIGHT},   {"Translation", "mm", 0.9, FX_PDF_RIGHT},
        {"Residual RMS", "mm", 0.9, FX_PDF_RIGHT}, {"Residual max", "mm", 0.9, FX_PDF_RIGHT}};
    rp_table t = {0};
    size_t i;
    json_t *f;
    char b[40];
    json_array_foreach(json_object_get(plan, "fragments"), i, f)
    {
        double deg, mm;
        pose_move(json_object_get(json_object_get(f, "pose"), "matrix"), &deg, &mm);
        int fixed = json_is_true(json_object_get(f, "fixed"));
        rp_cell(&t, rp_str(f, "name"), 0);
        rp_cell(&t, fixed ? "reference" : "moved", 0);
        rp_cellf(&t, 0, "%.1f", deg);
        rp_cellf(&t, 0, "%.1f", mm);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(f, "residual_rms_mm"), 2), 0);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(f, "residual_max_mm"), 2), 0);
    }
    return rp_table_put(c, &t, "Table P1. Fragments and their planned reduction (the move from "
                               "the displaced pre-op position; residual: distance to the mirrored "
                               "template after the move).", cols, 6, err);
}

static int screws_table(rp_ctx *c, const json_t *plan, fx_error *err)
{
    static const fx_pdf_column cols[] = {
        {"Screw", NULL, 0.7, FX_PDF_LEFT},       {"Diameter", "mm", 0.8, FX_PDF_RIGHT},
        {"Length", "mm", 0.7, FX_PDF_RIGHT},     {"Corridor", "mm", 0.8, FX_PDF_RIGHT},
        {"Suggested", "mm", 0.8, FX_PDF_RIGHT},  {"Clearance", "mm", 0.8, FX_PDF_RIGHT},
        {"Joint distance", "mm", 0.9, FX_PDF_RIGHT}, {"Joint warning", NULL, 0.8, FX_PDF_LEFT}};
    rp_table t = {0};
    size_t i;
    json_t *sc;
    char b[40];
    int warn = 0;
    json_array_foreach(json_object_get(plan, "screws"), i, sc)
    {
        int w = json_is_true(json_object_get(sc, "joint_warning"));
        warn += w;
        rp_cell(&t, rp_str(sc, "name"), 0);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(sc, "diameter_mm"), 1), 0);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(sc, "length_mm"), 0), 0);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(sc, "corridor_mm"), 1), 0);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(sc, "suggested_mm"), 0), 0);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(sc, "clearance_mm"), 1),
                rp_real(sc, "clearance_mm") < 0);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(sc, "joint_distance_mm"), 1), w);
        rp_cell(&t, w ? "yes" : "no", w);
    }
    int rc = rp_table_put(c, &t, "Table P2. Planned screws (corridor: bone along the screw's "
                                 "axis; clearance: least distance from the screw's surface to "
                                 "the bone's, negative where it breaches the cortex).",
                          cols, 8, err);
    if (!rc)
        rc = fx_pdf_caption(c->d, "* a screw breaching the cortex (negative clearance) or close "
                                  "to the joint surface (joint warning).", err);
    return rc;
}

static int plates_table(rp_ctx *c, const json_t *plan, fx_error *err)
{
    static const fx_pdf_column cols[] = {{"Plate", NULL, 1.6, FX_PDF_LEFT},
                                         {"Width", "mm", 0.7, FX_PDF_RIGHT},
                                         {"Thickness", "mm", 0.8, FX_PDF_RIGHT},
                                         {"Model", NULL, 2, FX_PDF_LEFT}};
    rp_table t = {0};
    size_t i;
    json_t *p;
    char b[40];
    json_array_foreach(json_object_get(plan, "plates"), i, p)
    {
        rp_cell(&t, rp_str(p, "name"), 0);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(p, "width_mm"), 1), 0);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(p, "thickness_mm"), 1), 0);
        rp_cell(&t, rp_str(p, "mesh"), 0);
    }
    if (t.n == 0)
        return fx_pdf_paragraph(c->d, "No plates in the plan.", FX_PDF_LEFT, err);
    return rp_table_put(c, &t, "Table P3. Plates, contoured to the reduced bone.", cols, 4, err);
}

/* Load the reduced bone and the plates of the plan folder `dir`. */
static size_t load_meshes(const char *dir, const json_t *plan, fx_mesh **m, size_t cap)
{
    char path[8800];
    size_t n = 0;
    fx_error e = {0};
    snprintf(path, sizeof path, "%s/reduced.ply", dir);
    if (fx_mesh_read(path, NULL, &m[n], &e) == FX_OK)
        n++;
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(plan, "plates"), i, p)
    {
        snprintf(path, sizeof path, "%s/%s", dir, rp_str(p, "mesh"));
        if (n < cap && *rp_str(p, "mesh") && fx_mesh_read(path, NULL, &m[n], &e) == FX_OK)
            n++;
    }
    return n;
}

static int views_figure(rp_ctx *c, const char *dir, const json_t *plan, const char *side,
                        fx_error *err)
{
    fx_mesh *m[9] = {0};
    size_t nm = load_meshes(dir, plan, m, 9);
    if (nm == 0)
        return fx_pdf_note(c->d, "No 3-D view: the plan's reduced bone model could not be read.",
                           20, err);
    fx_render_mesh rm[9];
    for (size_t i = 0; i < nm; i++)
        rm[i] = (fx_render_mesh){m[i], {226, 214, 190}, i ? 1.0 : 0.45};
    for (size_t i = 1; i < nm; i++)
        memcpy(rm[i].rgb, (uint8_t[3]){120, 128, 140}, 3);
    const json_t *scr = json_object_get(plan, "screws");
    size_t ns = json_array_size(scr);
    fx_render_screw *rs = calloc(ns ? ns : 1, sizeof *rs);
    for (size_t i = 0; i < ns; i++) {
        const json_t *s = json_array_get(scr, i), *e = json_object_get(s, "entry"),
                     *t = json_object_get(s, "tip");
        rs[i].entry = (fx_vec3){json_number_value(json_array_get(e, 0)),
                                json_number_value(json_array_get(e, 1)),
                                json_number_value(json_array_get(e, 2))};
        rs[i].tip = (fx_vec3){json_number_value(json_array_get(t, 0)),
                              json_number_value(json_array_get(t, 1)),
                              json_number_value(json_array_get(t, 2))};
        rs[i].diameter_mm = rp_real(s, "diameter_mm");
        memcpy(rs[i].rgb, (uint8_t[3]){0, 114, 178}, 3);
        rs[i].style = FX_SCREW_CYLINDER;
    }
    fx_render_legend lg[3] = {{"reduced bone (planned)", {226, 214, 190}},
                              {"plates", {120, 128, 140}},
                              {"planned screws", {0, 114, 178}}};
    fx_render_scene sc = {rm, nm, rs, ns, lg, 3};
    int rc = 0;
    const fx_view views[3] = {FX_VIEW_ANTERIOR, FX_VIEW_LATERAL, FX_VIEW_SUPERIOR};
    for (int v = 0; v < 3 && !rc; v++) {
        fx_raster_opts ro;
        fx_raster_opts_default(&ro);
        ro.width = 1000, ro.height = 760, ro.view = views[v];
        ro.side = strcmp(side, "left") ? FX_SIDE_RIGHT : FX_SIDE_LEFT;
        ro.supersample = 2;
        fx_image *im = NULL;
        rc = fx_raster_render(&sc, &ro, &im, err);
        char cap[200];
        snprintf(cap, sizeof cap, "Figure %d. The plan, %s view%s: reduced bone (translucent), "
                                  "plates (grey), planned screws (blue).", v + 1,
                 fx_view_name(views[v]), v == 1 ? " from the injured side" : "");
        if (!rc)
            rc = fx_pdf_image_rgb(c->d, im->rgb, im->w, im->h, 88, cap, err);
        fx_image_free(im);
    }
    free(rs);
    for (size_t i = 0; i < nm; i++)
        fx_mesh_free(m[i]);
    return rc;
}

int rp_plan_section(rp_ctx *c, fx_store *s, const char *code, const char *side, fx_error *err)
{
    char dir[4400], path[4500];
    /* a study folder path is at most PATH_MAX (4096) */
    snprintf(dir, sizeof dir, "%s/plans/%s", fx_store_dir(s), code);
    snprintf(path, sizeof path, "%s/plan.json", dir);
    int rc = rp_section(c, "2  The plan", err);
    if (rc)
        return rc;
    json_error_t je;
    json_t *plan = json_load_file(path, 0, &je);
    if (!plan)
        return fx_pdf_paragraph(c->d, "No plan yet: the study folder has no plans/<code>/plan.json "
                                      "for this patient.", FX_PDF_LEFT, err);
    char text[600];
    snprintf(text, sizeof text, "Plan file plans/%s/plan.json, made %s by %s, in %s (%s, %s); "
                                "%zu fragments, %zu screws, %zu plates.", code,
             rp_str(plan, "created_utc"), rp_str(plan, "software"), rp_str(plan, "frame"),
             rp_str(plan, "coordinate_system"), rp_str(plan, "units"),
             json_array_size(json_object_get(plan, "fragments")),
             json_array_size(json_object_get(plan, "screws")),
             json_array_size(json_object_get(plan, "plates")));
    rc = fx_pdf_paragraph(c->d, text, FX_PDF_LEFT, err);
    if (!rc)
        rc = fragments_table(c, plan, err);
    if (!rc)
        rc = screws_table(c, plan, err);
    if (!rc)
        rc = plates_table(c, plan, err);
    if (!rc)
        rc = views_figure(c, dir, plan, *side ? side : rp_str(plan, "side"), err);
    json_decref(plan);
    return rc;
}
