/*
 * report_study.c - the study report: the cohort table, the results section
 * with its methods (fx_studystats_compute), and the observers' agreement.
 * Sources of every number: docs/reports.md.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/plot.h"
#include "fxaudit/studystats.h"
#include "report_internal.h"

static int cohort_section(rp_ctx *c, fx_store *s, fx_error *err)
{
    fx_patient *p = NULL;
    size_t n = 0;
    int rc = fx_store_patient_list(s, &p, &n, err);
    if (rc)
        return rc;
    static const fx_pdf_column cols[] = {
        {"Patient", NULL, 0.9, FX_PDF_LEFT},      {"Age band", "years", 0.9, FX_PDF_LEFT},
        {"Sex", NULL, 0.8, FX_PDF_LEFT},          {"Mechanism", NULL, 1.3, FX_PDF_LEFT},
        {"Fracture type", NULL, 1.9, FX_PDF_LEFT}, {"Side", NULL, 0.7, FX_PDF_LEFT},
        {"Approach", NULL, 1.3, FX_PDF_LEFT},     {"Plates", NULL, 1.5, FX_PDF_LEFT},
    };
    rp_table t = {0};
    for (size_t i = 0; i < n; i++) {
        const char *v[] = {p[i].code,      p[i].age_band, p[i].sex,      p[i].mechanism,
                           p[i].fracture_type, p[i].side, p[i].approach, p[i].plates};
        for (size_t k = 0; k < 8; k++)
            rp_cell(&t, *v[k] ? v[k] : "–", 0);
    }
    free(p);
    char cap[160];
    snprintf(cap, sizeof cap, "Table 1. The cohort (n = %zu), from the patients table.", n);
    if ((rc = rp_section(c, "1  Cohort", err)))
        return rc;
    if (n == 0) {
        rp_table_free(&t);
        return fx_pdf_paragraph(c->d, "No patients in the study yet.", FX_PDF_LEFT, err);
    }
    return rp_table_put(c, &t, cap, cols, 8, err);
}

/* Pairs of the first two observers' current first readings, per patient,
 * time point and plane, for the Bland-Altman plots. */
static int agreement_section(rp_ctx *c, fx_store *s, fx_error *err)
{
    json_t *obs = rp_query(s, "SELECT DISTINCT observer FROM measurement_view ORDER BY observer",
                           NULL, err);
    if (!obs)
        return err->code;
    int rc = rp_section(c, "7  Observer agreement", err);
    if (rc || json_array_size(obs) < 2) {
        json_decref(obs);
        return rc ? rc
                  : fx_pdf_paragraph(c->d, "Fewer than two observers have recorded measurements: "
                                           "no agreement to show.", FX_PDF_LEFT, err);
    }
    const char *a = rp_str(json_array_get(obs, 0), "observer");
    const char *b = rp_str(json_array_get(obs, 1), "observer");
    char sql[900];
    snprintf(sql, sizeof sql,
             "SELECT x.gap_mm AS ga, y.gap_mm AS gb, x.step_mm AS sa, y.step_mm AS sb "
             "FROM measurement_view x JOIN measurement_view y ON x.patient = y.patient AND "
             "x.timepoint = y.timepoint AND x.plane = y.plane WHERE x.observer = ?1 AND "
             "y.observer = '%s' AND x.current AND y.current AND x.repeat_no = 1 AND "
             "y.repeat_no = 1 ORDER BY x.patient, x.timepoint, x.plane", b);
    /* b is an observer code from the store: [A-Za-z0-9_-] by the schema's CHECK */
    json_t *rows = rp_query(s, sql, a, err);
    if (!rows) {
        json_decref(obs);
        return err->code;
    }
    size_t n = json_array_size(rows);
    double *v = calloc(4 * (n ? n : 1), sizeof *v);
    for (size_t i = 0; i < n; i++) {
        json_t *r = json_array_get(rows, i);
        v[i] = rp_real(r, "ga"), v[n + i] = rp_real(r, "gb");
        v[2 * n + i] = rp_real(r, "sa"), v[3 * n + i] = rp_real(r, "sb");
    }
    char text[600];
    snprintf(text, sizeof text,
             "Agreement of the observers on every patient, time point (pre-op and post-op) and "
             "plane that they measured (current first readings from the measurements table). "
             "Table 8 gives the intraclass correlation per quantity and time point; Figures 6 "
             "and 7 are Bland–Altman plots of observer %s against observer %s (n = %zu readings "
             "each): the bias is the mean difference %s − %s, the limits of agreement are bias "
             "± 1.96 SD of the differences.",
             a, b, n, a, b);
    rc = fx_pdf_paragraph(c->d, text, FX_PDF_JUSTIFY, err);
    if (!rc)
        rc = rp_agreement_table(c, s, err);
    const char *what[2] = {"gap", "step-off"};
    for (int q = 0; q < 2 && !rc; q++) {
        fx_plot_opts po;
        fx_plot_opts_default(&po);
        char xl[80], yl[80], png[4400], cap[200];
        snprintf(xl, sizeof xl, "mean of the two observers' %s (mm)", what[q]);
        snprintf(yl, sizeof yl, "difference %s − %s (mm)", a, b);
        po.xlabel = xl, po.ylabel = yl;
        rp_png(c, png, sizeof png);
        fx_error pe = {0};
        int prc = fx_plot_bland_altman(&po, v + 2 * q * n, v + (2 * q + 1) * n, n, "mm", png, &pe);
        snprintf(cap, sizeof cap, "Figure %d. Observer agreement on the %s (n = %zu, mm).", 6 + q,
                 what[q], n);
        rc = rp_figure(c, prc, &pe, png, 85, cap, err);
    }
    free(v);
    json_decref(rows);
    json_decref(obs);
    return rc;
}

static int study_title(rp_ctx *c, fx_store *s, size_t *n_patients, fx_error *err)
{
    json_t *info = NULL;
    int rc = fx_store_info(s, &info, err);
    if (rc)
        return rc;
    char sub[400];
    const char *title = rp_str(info, "title");
    json_t *rows = json_object_get(info, "tables");
    *n_patients = (size_t)json_integer_value(json_object_get(rows, "patients"));
    snprintf(sub, sizeof sub, "%s · %zu patients · study folder %s", *title ? title : "untitled",
             *n_patients, fx_store_dir(s));
    rc = fx_pdf_title(c->d, "Study report", sub, err);
    json_decref(info);
    return rc;
}

int fx_report_study(fx_store *s, fx_report_opts *o, const char *pdf, fx_error *err)
{
    rp_ctx c;
    json_t *stats = NULL;
    size_t np = 0;
    fx_studystats_opts so;
    fx_studystats_opts_init(&so);
    so.spss = o->spss;
    int rc = rp_begin(&c, s, o, "fxaudit study report", NULL, 0, err);
    if (!rc)
        rc = study_title(&c, s, &np, err);
    if (!rc)
        rc = fx_pdf_paragraph(c.d,
                              "Every number in this report is read from the study's database "
                              "(its SHA-256 is in the footer of every page) and computed by "
                              "fxaudit; each figure names its method and n. Lengths in "
                              "millimetres, angles in degrees, SMFA indices 0–100 (higher is "
                              "worse). Medians with interquartile ranges (IQR) in parentheses.",
                              FX_PDF_JUSTIFY, err);
    if (!rc)
        rc = cohort_section(&c, s, err);
    if (!rc)
        rc = fx_studystats_compute(s, &so, &stats, err);
    if (!rc)
        rc = rp_results(&c, s, stats, err);
    if (!rc)
        rc = agreement_section(&c, s, err);
    json_decref(stats);
    if (rc) {
        rp_free(&c);
        return rc;
    }
    return rp_end(&c, pdf, err);
}
