/*
 * report_results.c - the study report's results section: the JSON of
 * fx_studystats_compute set as tables with their methods, and the figures
 * drawn from the same store rows (reduction box plots, screw deviations,
 * SMFA trajectories, the Spearman scatter plot).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/plot.h"
#include "report_internal.h"

static const fx_pdf_column summary_cols[] = {
    {"Measure", NULL, 1.6, FX_PDF_LEFT}, {"Pre-op", "median (IQR)", 1.3, FX_PDF_RIGHT},
    {"n", NULL, 0.4, FX_PDF_RIGHT},      {"Post-op", "median (IQR)", 1.3, FX_PDF_RIGHT},
    {"n", NULL, 0.4, FX_PDF_RIGHT},      {"P", NULL, 0.6, FX_PDF_RIGHT},
};

static int reduction_table(rp_ctx *c, const json_t *red, fx_error *err)
{
    rp_table t = {0};
    char b1[80], b2[80], b3[40];
    const char *keys[2] = {"gap_mm", "step_mm"}, *names[2] = {"Gap (mm)", "Step-off (mm)"};
    for (int q = 0; q < 2; q++) {
        const json_t *j = json_object_get(red, keys[q]);
        const json_t *pre = json_object_get(j, "preop"), *post = json_object_get(j, "postop");
        rp_cell(&t, names[q], 0);
        rp_cell(&t, rp_median_iqr(b1, sizeof b1, pre, 1), 0);
        rp_cellf(&t, 0, "%lld", (long long)json_integer_value(json_object_get(pre, "n")));
        rp_cell(&t, rp_median_iqr(b2, sizeof b2, post, 1), 0);
        rp_cellf(&t, 0, "%lld", (long long)json_integer_value(json_object_get(post, "n")));
        rp_cell(&t, rp_p(b3, sizeof b3, json_object_get(json_object_get(j, "test"), "p")), 0);
    }
    int rc = rp_table_put(c, &t, "Table 2. Displacement at the acetabular dome, largest over "
                                 "the three planes.", summary_cols, 6, err);
    for (int q = 0; q < 2 && !rc; q++) {
        const json_t *j = json_object_get(red, keys[q]);
        const json_t *md = json_object_get(j, "mean_difference");
        char text[900], m[40], lo[40], hi[40];
        const json_t *ci = json_object_get(md, "conf_int");
        snprintf(text, sizeof text,
                 "%s: %s (n = %lld pairs). Mean pre − post difference %s mm, 95 %% CI %s to %s "
                 "(%s). Descriptives: %s.",
                 names[q], rp_str(json_object_get(j, "test"), "method"),
                 (long long)json_integer_value(json_object_get(json_object_get(j, "test"),
                                                               "n_pairs")),
                 rp_num(m, sizeof m, json_object_get(md, "mean"), 2),
                 rp_num(lo, sizeof lo, json_array_get(ci, 0), 2),
                 rp_num(hi, sizeof hi, json_array_get(ci, 1), 2), rp_str(md, "method"),
                 rp_str(json_object_get(j, "preop"), "method"));
        rc = fx_pdf_paragraph(c->d, text, FX_PDF_LEFT, err);
    }
    return rc;
}

static int reduction_figures(rp_ctx *c, const json_t *red, fx_error *err)
{
    const json_t *pts = json_object_get(red, "patients");
    size_t n = json_array_size(pts), m = 0;
    double *v = calloc(4 * (n ? n : 1), sizeof *v);
    const char *keys[4] = {"preop_gap_mm", "postop_gap_mm", "preop_step_mm", "postop_step_mm"};
    for (size_t i = 0; i < n; i++) {
        const json_t *p = json_array_get(pts, i);
        if (!isfinite(rp_real(p, keys[0])) || !isfinite(rp_real(p, keys[1])))
            continue; /* paired plot: complete patients only */
        for (int k = 0; k < 4; k++)
            v[k * n + m] = rp_real(p, keys[k]);
        m++;
    }
    int rc = 0;
    const char *names[2] = {"gap", "step-off"};
    for (int q = 0; q < 2 && !rc; q++) {
        fx_plot_group g[2] = {{"pre-op", v + 2 * q * n, m}, {"post-op", v + (2 * q + 1) * n, m}};
        fx_plot_opts po;
        fx_plot_opts_default(&po);
        char yl[60], png[4400], cap[200];
        snprintf(yl, sizeof yl, "%s (mm)", names[q]);
        po.ylabel = yl;
        rp_png(c, png, sizeof png);
        fx_error pe = {0};
        int prc = fx_plot_box(&po, g, 2, 1, png, &pe);
        snprintf(cap, sizeof cap, "Figure %d. %s pre-op and post-op per patient (n = %zu, mm); "
                                  "lines join a patient's values.", q + 1, q ? "Step-off" : "Gap",
                 m);
        rc = rp_figure(c, prc, &pe, png, 80, cap, err);
    }
    free(v);
    return rc;
}

static int reduction_section(rp_ctx *c, const json_t *red, fx_error *err)
{
    int rc = rp_section(c, "2  Reduction: gap and step-off", err);
    size_t n = json_array_size(json_object_get(red, "patients"));
    if (!rc) {
        char text[700];
        snprintf(text, sizeof text, "Source: %s. %zu patients with values; %zu time points "
                                    "awaiting consensus.", rp_str(red, "source"), n,
                 json_array_size(json_object_get(red, "awaiting_consensus")));
        rc = fx_pdf_paragraph(c->d, text, FX_PDF_JUSTIFY, err);
    }
    if (!rc && n == 0)
        return fx_pdf_paragraph(c->d, "No gap or step-off values recorded yet.", FX_PDF_LEFT, err);
    if (!rc)
        rc = reduction_table(c, red, err);
    if (!rc)
        rc = reduction_figures(c, red, err);
    return rc;
}

static int screws_section(rp_ctx *c, fx_store *s, const json_t *sc, fx_error *err)
{
    int rc = rp_section(c, "3  Screws: planned against actual", err);
    if (rc)
        return rc;
    if (json_integer_value(json_object_get(sc, "n_planned")) == 0)
        return fx_pdf_paragraph(c->d, "Screw deviations: not recorded yet (the screw_deviations "
                                      "table has no rows; the post-operative audit has not been "
                                      "run).", FX_PDF_LEFT, err);
    static const fx_pdf_column cols[] = {{"Deviation", NULL, 2, FX_PDF_LEFT},
                                         {"Median (IQR)", NULL, 1.5, FX_PDF_RIGHT},
                                         {"Range", NULL, 1.3, FX_PDF_RIGHT},
                                         {"n", NULL, 0.5, FX_PDF_RIGHT}};
    const char *keys[] = {"angle_deg", "entry_mm", "tip_mm", "length_diff_mm",
                          "abs_length_diff_mm"};
    const char *names[] = {"Direction (°)", "Entry point (mm)", "Tip (mm)",
                           "Length, actual − planned (mm)", "Length, absolute (mm)"};
    rp_table t = {0};
    char b1[80], b2[40], b3[40];
    for (int k = 0; k < 5; k++) {
        const json_t *d = json_object_get(sc, keys[k]);
        rp_cell(&t, names[k], 0);
        rp_cell(&t, rp_median_iqr(b1, sizeof b1, d, 1), 0);
        rp_cellf(&t, 0, "%s to %s", rp_num(b2, sizeof b2, json_object_get(d, "min"), 1),
                 rp_num(b3, sizeof b3, json_object_get(d, "max"), 1));
        rp_cellf(&t, 0, "%lld", (long long)json_integer_value(json_object_get(d, "n")));
    }
    char cap[300];
    snprintf(cap, sizeof cap, "Table 3. Screw deviations (%lld planned, %lld placed, %lld not "
                              "placed, %lld entering the joint).",
             (long long)json_integer_value(json_object_get(sc, "n_planned")),
             (long long)json_integer_value(json_object_get(sc, "n_placed")),
             (long long)json_integer_value(json_object_get(sc, "n_not_placed")),
             (long long)json_integer_value(json_object_get(sc, "n_joint_penetration")));
    if ((rc = rp_table_put(c, &t, cap, cols, 4, err)))
        return rc;
    json_t *rows = rp_query(s, "SELECT angle_deg, entry_mm, tip_mm FROM screw_deviations "
                               "WHERE actual_screw_id IS NOT NULL ORDER BY id", NULL, err);
    if (!rows)
        return err->code;
    size_t n = json_array_size(rows);
    double *v = calloc(3 * (n ? n : 1), sizeof *v);
    for (size_t i = 0; i < n; i++) {
        json_t *r = json_array_get(rows, i);
        v[i] = rp_real(r, "angle_deg"), v[n + i] = rp_real(r, "entry_mm");
        v[2 * n + i] = rp_real(r, "tip_mm");
    }
    json_decref(rows);
    fx_plot_group g[2] = {{"entry point", v + n, n}, {"tip", v + 2 * n, n}};
    fx_plot_opts po;
    fx_plot_opts_default(&po);
    po.ylabel = "distance, actual to planned (mm)";
    char png[4400];
    rp_png(c, png, sizeof png);
    fx_error pe = {0};
    int prc = fx_plot_strip(&po, g, 2, c->o->tol_entry_mm, png, &pe);
    snprintf(cap, sizeof cap, "Figure 3. Distribution of the screw deviations at entry and tip "
                              "(n = %zu screws, mm); dashed: the entry tolerance.", n);
    rc = rp_figure(c, prc, &pe, png, 75, cap, err);
    free(v);
    return rc;
}

static int grades_section(rp_ctx *c, const json_t *gr, fx_error *err)
{
    int rc = rp_section(c, "4  Grades of the reduction", err);
    const json_t *schemes = json_object_get(gr, "schemes");
    if (rc || json_array_size(schemes) == 0)
        return rc ? rc : fx_pdf_paragraph(c->d, "No grades recorded yet.", FX_PDF_LEFT, err);
    static const fx_pdf_column cols[] = {{"Scheme", NULL, 1, FX_PDF_LEFT},
                                         {"Time point", NULL, 1, FX_PDF_LEFT},
                                         {"Grade", NULL, 1.5, FX_PDF_LEFT},
                                         {"Patients", "n", 0.8, FX_PDF_RIGHT}};
    rp_table t = {0};
    size_t i, k;
    json_t *g, *cnt;
    json_array_foreach(schemes, i, g)
    {
        json_array_foreach(json_object_get(g, "counts"), k, cnt)
        {
            rp_cell(&t, rp_str(g, "scheme"), 0);
            rp_cell(&t, rp_str(g, "timepoint"), 0);
            rp_cell(&t, rp_str(cnt, "grade"), 0);
            rp_cellf(&t, 0, "%lld", (long long)json_integer_value(json_object_get(cnt, "n")));
        }
    }
    return rp_table_put(c, &t, "Table 4. Grades from the consensus values (count of patients "
                               "per grade; matta: on the larger of gap and step-off).",
                        cols, 4, err);
}

/* SMFA function index per patient over the occasions, from smfa_scores. */
static int smfa_figure(rp_ctx *c, fx_store *s, fx_error *err)
{
    json_t *rows = rp_query(s, "SELECT p.code AS patient, f.months_after_surgery AS months, "
                               "f.occasion, sc.score FROM smfa_scores sc JOIN smfa_forms f ON "
                               "f.id = sc.form_id JOIN patients p ON p.id = f.patient_id WHERE "
                               "sc.scale = 'function' AND sc.score IS NOT NULL ORDER BY p.code, "
                               "f.months_after_surgery", NULL, err);
    if (!rows)
        return err->code;
    size_t n = json_array_size(rows), ns = 0;
    double *x = calloc(n ? n : 1, sizeof *x), *y = calloc(n ? n : 1, sizeof *y);
    fx_plot_series *ser = calloc(n ? n : 1, sizeof *ser);
    for (size_t i = 0; i < n; i++) {
        json_t *r = json_array_get(rows, i);
        x[i] = rp_real(r, "months");
        if (!strcmp(rp_str(r, "occasion"), "pre-injury"))
            x[i] = 0; /* recalled state before the injury, drawn at surgery */
        y[i] = rp_real(r, "score");
        if (!ns || strcmp(ser[ns - 1].name, rp_str(r, "patient")))
            ser[ns++] = (fx_plot_series){rp_str(r, "patient"), x + i, y + i, 0};
        ser[ns - 1].n++;
    }
    fx_plot_opts po;
    fx_plot_opts_default(&po);
    po.xlabel = "months after surgery (pre-injury recall at 0)";
    po.ylabel = "SMFA function index (0-100, higher is worse)";
    char png[4400], cap[200];
    rp_png(c, png, sizeof png);
    fx_error pe = {0};
    int prc = fx_plot_lines(&po, ser, ns, png, &pe);
    snprintf(cap, sizeof cap, "Figure 4. SMFA function index per patient (%zu patients, %zu "
                              "forms).", ns, n);
    int rc = rp_figure(c, prc, &pe, png, 85, cap, err);
    free(ser), free(x), free(y);
    json_decref(rows);
    return rc;
}

static int smfa_tables(rp_ctx *c, const json_t *sm, fx_error *err)
{
    static const fx_pdf_column cols[] = {
        {"Scale", NULL, 1, FX_PDF_LEFT},        {"Pre-injury", NULL, 1.4, FX_PDF_RIGHT},
        {"3 months", NULL, 1.4, FX_PDF_RIGHT}, {"1 year", NULL, 1.4, FX_PDF_RIGHT},
        {"n", NULL, 0.4, FX_PDF_RIGHT},         {"Friedman P", NULL, 0.8, FX_PDF_RIGHT}};
    const char *occ[3] = {"pre-injury", "3-months", "1-year"};
    rp_table t = {0};
    size_t i;
    json_t *sc;
    char b[80];
    json_array_foreach(json_object_get(sm, "scales"), i, sc)
    {
        const json_t *by = json_object_get(sc, "by_occasion");
        rp_cell(&t, rp_str(sc, "scale"), 0);
        for (int k = 0; k < 3; k++)
            rp_cell(&t, rp_median_iqr(b, sizeof b, json_object_get(by, occ[k]), 1), 0);
        rp_cellf(&t, 0, "%lld", (long long)json_integer_value(
                                    json_object_get(json_object_get(by, occ[0]), "n")));
        rp_cell(&t, rp_p(b, sizeof b, json_object_get(json_object_get(sc, "friedman"), "p")), 0);
    }
    int rc = rp_table_put(c, &t, "Table 5. SMFA indices, median (IQR) per occasion (0–100, higher is "
                                 "worse); n: patients with a pre-injury form.", cols, 6, err);
    const json_t *fr = json_object_get(json_array_get(json_object_get(sm, "scales"), 0),
                                       "friedman");
    if (!rc && fr) {
        char text[400];
        snprintf(text, sizeof text, "Friedman P: %s across the three occasions, on the %lld "
                                    "patients with all three forms.", rp_str(fr, "method"),
                 (long long)json_integer_value(json_object_get(fr, "n")));
        rc = fx_pdf_paragraph(c->d, text, FX_PDF_LEFT, err);
    }
    static const fx_pdf_column ccols[] = {
        {"Scale", NULL, 0.8, FX_PDF_LEFT},   {"Comparison", NULL, 1.8, FX_PDF_LEFT},
        {"n", "pairs", 0.5, FX_PDF_RIGHT},   {"P", NULL, 0.6, FX_PDF_RIGHT},
        {"P (Holm)", NULL, 0.7, FX_PDF_RIGHT}, {"Method", NULL, 2.6, FX_PDF_LEFT}};
    json_array_foreach(json_object_get(sm, "scales"), i, sc)
    {
        size_t k;
        json_t *cm;
        json_array_foreach(json_object_get(sc, "comparisons"), k, cm)
        {
            rp_cell(&t, rp_str(sc, "scale"), 0);
            rp_cellf(&t, 0, "%s vs %s", rp_str(cm, "a"), rp_str(cm, "b"));
            rp_cellf(&t, 0, "%lld", (long long)json_integer_value(json_object_get(cm, "n_pairs")));
            rp_cell(&t, rp_p(b, sizeof b, json_object_get(cm, "p")), 0);
            rp_cell(&t, rp_p(b, sizeof b, json_object_get(cm, "p_holm")), 0);
            rp_cell(&t, rp_str(cm, "method"), 0);
        }
    }
    if (!rc && t.n)
        return rp_table_put(c, &t, "Table 6. SMFA between occasions, signed-rank tests.", ccols,
                            6, err);
    rp_table_free(&t);
    return rc;
}

static int smfa_section(rp_ctx *c, fx_store *s, const json_t *sm, fx_error *err)
{
    int rc = rp_section(c, "5  Patient-reported outcome: SMFA", err);
    if (rc)
        return rc;
    if (json_array_size(json_object_get(sm, "scales")) == 0)
        return fx_pdf_paragraph(c->d, "No SMFA forms scored yet.", FX_PDF_LEFT, err);
    if (!rc)
        rc = fx_pdf_paragraph(c->d, rp_str(sm, "source"), FX_PDF_LEFT, err);
    if (!rc)
        rc = smfa_tables(c, sm, err);
    if (!rc)
        rc = smfa_figure(c, s, err);
    return rc;
}

static int correlation_section(rp_ctx *c, const json_t *stats, fx_error *err)
{
    int rc = rp_section(c, "6  Reduction and outcome", err);
    static const fx_pdf_column cols[] = {{"x", NULL, 1.3, FX_PDF_LEFT}, {"y", NULL, 1.6, FX_PDF_LEFT},
                                         {"n", NULL, 0.4, FX_PDF_RIGHT}, {"rho", NULL, 0.6, FX_PDF_RIGHT},
                                         {"P", NULL, 0.6, FX_PDF_RIGHT},
                                         {"Method", NULL, 2.2, FX_PDF_LEFT}};
    rp_table t = {0};
    size_t i;
    json_t *pr;
    char b[40];
    json_array_foreach(json_object_get(json_object_get(stats, "correlations"), "pairs"), i, pr)
    {
        rp_cell(&t, rp_str(pr, "x"), 0);
        rp_cell(&t, rp_str(pr, "y"), 0);
        rp_cellf(&t, 0, "%lld", (long long)json_integer_value(json_object_get(pr, "n")));
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(pr, "rho"), 2), 0);
        rp_cell(&t, rp_p(b, sizeof b, json_object_get(pr, "p")), 0);
        rp_cell(&t, rp_str(pr, "method"), 0);
    }
    if (!rc)
        rc = rp_table_put(c, &t, "Table 7. Spearman's rank correlation.", cols, 6, err);
    else
        rp_table_free(&t);
    return rc;
}

/* Post-op gap against the 1-year function index, one point per patient. */
static int spearman_figure(rp_ctx *c, fx_store *s, const json_t *stats, fx_error *err)
{
    json_t *rows = rp_query(s, "SELECT p.code AS patient, sc.score FROM smfa_scores sc JOIN "
                               "smfa_forms f ON f.id = sc.form_id JOIN patients p ON p.id = "
                               "f.patient_id WHERE sc.scale = 'function' AND f.occasion = "
                               "'1-year' AND sc.score IS NOT NULL", NULL, err);
    if (!rows)
        return err->code;
    const json_t *pts = json_object_get(json_object_get(stats, "reduction"), "patients");
    size_t np = json_array_size(pts), n = 0;
    double *x = calloc(np ? np : 1, sizeof *x), *y = calloc(np ? np : 1, sizeof *y);
    for (size_t i = 0; i < np; i++) {
        const json_t *p = json_array_get(pts, i);
        for (size_t k = 0; k < json_array_size(rows); k++) {
            json_t *r = json_array_get(rows, k);
            if (!strcmp(rp_str(r, "patient"), rp_str(p, "patient")) &&
                isfinite(rp_real(p, "postop_gap_mm"))) {
                x[n] = rp_real(p, "postop_gap_mm"), y[n++] = rp_real(r, "score");
            }
        }
    }
    json_decref(rows);
    const json_t *pr = json_array_get(json_object_get(json_object_get(stats, "correlations"),
                                                      "pairs"), 0);
    char note[120], b1[40], b2[40], png[4400], cap[200];
    snprintf(note, sizeof note, "Spearman rho = %s, P = %s, n = %zu",
             rp_num(b1, sizeof b1, json_object_get(pr, "rho"), 2),
             rp_p(b2, sizeof b2, json_object_get(pr, "p")), n);
    fx_plot_opts po;
    fx_plot_opts_default(&po);
    po.xlabel = "post-op gap (mm)";
    po.ylabel = "SMFA function index at 1 year";
    po.note = note;
    rp_png(c, png, sizeof png);
    fx_error pe = {0};
    int prc = n ? fx_plot_scatter(&po, x, y, n, png, &pe) : FX_EINVAL;
    int rc = 0;
    if (n == 0)
        rc = fx_pdf_paragraph(c->d, "No patient has both a post-op gap and a 1-year SMFA form "
                                    "yet: no scatter plot.", FX_PDF_LEFT, err);
    else {
        snprintf(cap, sizeof cap, "Figure 5. Post-op gap against the 1-year SMFA function index "
                                  "(n = %zu patients; the line is the least-squares fit).", n);
        rc = rp_figure(c, prc, &pe, png, 80, cap, err);
    }
    free(x), free(y);
    return rc;
}

int rp_results(rp_ctx *c, fx_store *s, const json_t *stats, fx_error *err)
{
    int rc = reduction_section(c, json_object_get(stats, "reduction"), err);
    if (!rc)
        rc = screws_section(c, s, json_object_get(stats, "screws"), err);
    if (!rc)
        rc = grades_section(c, json_object_get(stats, "grades"), err);
    if (!rc)
        rc = smfa_section(c, s, json_object_get(stats, "smfa"), err);
    if (!rc)
        rc = correlation_section(c, stats, err);
    if (!rc)
        rc = spearman_figure(c, s, stats, err);
    return rc;
}
