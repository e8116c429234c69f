/*
 * report_plan.c - the patient report's plan section: fragments with their
 * reduction moves and residuals, screws with planned lengths, corridors and
 * joint warnings, plates, and 3-D views of the planned result (reduced bone,
 * plates, planned screws; report_views.c). Read from the plan file
 * plans/<code>/plan.json of the study folder.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int rp_plan_section(rp_ctx *c, fx_store *s, const char *code, const char *side, fx_error *err)
{
    char dir[4400];
    int rc = rp_section(c, "2  The plan", err);
    if (rc)
        return rc;
    json_t *plan = NULL;
    if (rp_plan_load(s, code, dir, sizeof dir, &plan))
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
        rc = rp_views(c, dir, plan, *side ? side : rp_str(plan, "side"), NULL, err);
    json_decref(plan);
    return rc;
}
