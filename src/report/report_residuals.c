/*
 * report_residuals.c - the patient report's registration quality beyond its
 * summary: the histogram of the residual distances the audit stored
 * (registration_residuals: closest-point distances after the match, binned,
 * inlier bins below the trimming cut), and where the fragments and plates
 * ended up against the plan (fragment_deviations, plate_deviations), all of
 * the newest registration. Every number is a stored one.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/plot.h"
#include "report_internal.h"

static json_t *rows_of(fx_store *s, const char *sql, json_int_t reg_id, fx_error *err)
{
    json_t *rows = NULL;
    fx_store_field f = fx_sf_int("r", reg_id);
    return fx_store_query(s, sql, &f, 1, &rows, err) ? NULL : rows;
}

static int histogram(rp_ctx *c, const json_t *reg, const json_t *bins, fx_error *err)
{
    size_t n = json_array_size(bins);
    double *v = calloc(3 * n + 1, sizeof *v);
    int *in = calloc(n + 1, sizeof *in);
    if (!v || !in) {
        free(v), free(in);
        return fx_fail(err, FX_ENOMEM, "out of memory for the residual histogram");
    }
    long long total = 0, inl = 0;
    double top = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *b = json_array_get(bins, i);
        v[i] = rp_real(b, "lo_mm"), v[n + i] = rp_real(b, "hi_mm");
        v[2 * n + i] = rp_real(b, "count");
        in[i] = (int)json_integer_value(json_object_get(b, "inlier"));
        total += (long long)v[2 * n + i], inl += in[i] ? (long long)v[2 * n + i] : 0;
        top = in[i] && v[n + i] > top ? v[n + i] : top;
    }
    /* an open-ended tail bin (e.g. 3 mm to the largest distance) would squash
     * the rest: drawn two ordinary bins wide, and said so in the caption */
    char tail[200] = "", xlabel[160] = "residual distance after the registration (mm)";
    double w0 = v[n] - v[0];
    if (n >= 2 && v[2 * n - 1] - v[n - 1] > 3 * w0) {
        snprintf(tail, sizeof tail, " The last, wider bar gathers the %.0f points from %.1f to "
                                    "%.1f mm.", v[3 * n - 1], v[n - 1], v[2 * n - 1]);
        snprintf(xlabel, sizeof xlabel, "residual distance after the registration (mm; the "
                                        "last bar: %.1f to %.1f mm)", v[n - 1], v[2 * n - 1]);
        v[2 * n - 1] = v[n - 1] + 2 * w0;
    }
    char b1[40], b2[40], note[200], cap[900], png[4400];
    rp_num(b1, sizeof b1, json_object_get(reg, "rms_mm"), 2);
    rp_num(b2, sizeof b2, json_object_get(reg, "inlier_fraction"), 3);
    snprintf(note, sizeof note, "RMS %s mm, inlier fraction %s", b1, b2);
    fx_plot_opts po;
    fx_plot_opts_default(&po);
    po.height_px = 900;
    po.xlabel = xlabel;
    po.ylabel = "surface points";
    po.note = note;
    rp_png(c, png, sizeof png);
    fx_error pe = {0};
    int prc = fx_plot_bins(&po, v, v + n, v + 2 * n, in, n, "inliers (used in the match)",
                           "trimmed (not used)", png, &pe);
    snprintf(cap, sizeof cap, "Figure %d. Residual distances of the registration: from each "
                              "post-op bone surface point, after the match, to the plan's "
                              "reference region (%s), in %zu bins; n = %lld points, of which "
                              "%lld (%.1f %%) lie below the trimming cut of %.2f mm (inliers, "
                              "counted over all points; the registration's inlier fraction %s "
                              "and RMS %s mm are its own, on its sample).%s",
             rp_next_fig(c), rp_str(reg, "region"), n, total, inl,
             total ? 100.0 * (double)inl / (double)total : 0.0, top, b2, b1, tail);
    int rc = rp_figure(c, prc, &pe, png, 62, cap, err);
    free(v), free(in);
    return rc;
}

/* Table of fragment or plate poses against the plan. */
static int pose_table(rp_ctx *c, const json_t *rows, const char *what, const char *caption,
                      fx_error *err)
{
    const fx_pdf_column cols[] = {
        {what, NULL, 1.4, FX_PDF_LEFT},         {"Found", NULL, 0.6, FX_PDF_LEFT},
        {"Translation", "mm", 0.9, FX_PDF_RIGHT}, {"Rotation", "°", 0.8, FX_PDF_RIGHT},
        {"dx", "mm", 0.6, FX_PDF_RIGHT},        {"dy", "mm", 0.6, FX_PDF_RIGHT},
        {"dz", "mm", 0.6, FX_PDF_RIGHT},        {"Fit RMS", "mm", 0.7, FX_PDF_RIGHT}};
    rp_table t = {0};
    size_t i;
    json_t *r;
    char b[40];
    json_array_foreach(rows, i, r)
    {
        int found = (int)json_integer_value(json_object_get(r, "found"));
        rp_cell(&t, rp_str(r, "label"), 0);
        rp_cell(&t, found ? "yes" : "not found", !found);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(r, "translation_mm"), 1), 0);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(r, "rotation_deg"), 1), 0);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(r, "dx_mm"), 1), 0);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(r, "dy_mm"), 1), 0);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(r, "dz_mm"), 1), 0);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(r, "rms_mm"), 2), 0);
    }
    return rp_table_put(c, &t, caption, cols, 8, err);
}

int rp_residuals(rp_ctx *c, fx_store *s, const json_t *reg, fx_error *err)
{
    json_int_t id = json_integer_value(json_object_get(reg, "id"));
    json_t *bins = rows_of(s, "SELECT lo_mm, hi_mm, count, inlier FROM registration_residuals "
                              "WHERE registration_id = ?1 ORDER BY lo_mm", id, err);
    if (!bins)
        return err->code;
    int rc = json_array_size(bins)
                 ? histogram(c, reg, bins, err)
                 : fx_pdf_paragraph(c->d, "No histogram of the residual distances: the store "
                                          "holds none for this registration.", FX_PDF_LEFT, err);
    json_decref(bins);
    return rc;
}

int rp_pose_deviations(rp_ctx *c, fx_store *s, const json_t *reg, fx_error *err)
{
    json_int_t id = json_integer_value(json_object_get(reg, "id"));
    int rc = FX_OK;
    static const char *const sql[2] = {
        "SELECT f.label, d.found, d.translation_mm, d.rotation_deg, d.dx_mm, d.dy_mm, d.dz_mm, "
        "d.rms_mm FROM fragment_deviations d JOIN plan_fragments f ON f.id = d.plan_fragment_id "
        "WHERE d.registration_id = ?1 ORDER BY f.id",
        "SELECT p.label, d.found, d.translation_mm, d.rotation_deg, d.dx_mm, d.dy_mm, d.dz_mm, "
        "d.rms_mm FROM plate_deviations d JOIN plan_plates p ON p.id = d.plan_plate_id "
        "WHERE d.registration_id = ?1 ORDER BY p.id"};
    static const char *const what[2] = {"Fragment", "Plate"};
    static const char *const cap[2] = {
        "Table 6. Fragments, post-op against planned pose (in plan coordinates: translation of "
        "the centroid and its x, y, z components, LPS; rotation angle of the difference).",
        "Table 7. Plates, post-op against planned pose (as Table 6, from the metal of the "
        "post-op CT)."};
    for (int k = 0; k < 2 && !rc; k++) {
        json_t *rows = rows_of(s, sql[k], id, err);
        if (!rows)
            return err->code;
        if (json_array_size(rows))
            rc = pose_table(c, rows, what[k], cap[k], err);
        json_decref(rows);
    }
    return rc;
}
