/*
 * report_agreement.c - the study report's table of observer agreement:
 * inter-observer ICC(2,1) with its 95 % CI for gap and step-off, pre-op,
 * post-op and over both, and intra-observer ICC(2,1) (first reading against
 * the repeat) where an observer has repeats. The readings are the table of
 * `fxaudit consensus export` (fx_consensus_export: finished cases, current
 * readings, one row per patient, time point and plane), so the rows are those
 * of `fxaudit consensus agreement` and `fxaudit stats icc`; the ICC is
 * src/stats's (fx_icc_compute), not recomputed here.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/agreement.h"
#include "fxaudit/consensus.h"
#include "fxaudit/csv.h"
#include "report_internal.h"

#define MAX_OBS 16

typedef struct readings {
    fx_csv *csv;
    size_t tp_col;
    char obs[MAX_OBS][40];
    size_t n_obs;
} readings;

static const char *const QUANT[2] = {"gap", "step"};
static const char *const QUANT_NAME[2] = {"Gap", "Step-off"};
static const char *const TP[3] = {"preop", "postop", NULL};
static const char *const TP_NAME[3] = {"pre-op", "post-op", "both"};

static int export_readings(rp_ctx *c, fx_store *s, readings *r, fx_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/readings.csv", c->tmpdir);
    FILE *f = fopen(path, "w");
    if (!f)
        return fx_fail(err, FX_EIO, "cannot write '%s'", path);
    int rc = fx_consensus_export(s, f, err);
    if (fclose(f) && !rc)
        rc = fx_fail(err, FX_EIO, "cannot write '%s'", path);
    if (!rc)
        rc = fx_csv_read(path, &r->csv, err);
    if (!rc)
        rc = fx_csv_find(r->csv, "timepoint", &r->tp_col, err);
    /* observers: the columns <code>_gap of first readings */
    for (size_t k = 0; !rc && k < fx_csv_cols(r->csv) && r->n_obs < MAX_OBS; k++) {
        const char *name = fx_csv_name(r->csv, k);
        size_t len = strlen(name);
        if (len > 4 && len < 44 && !strcmp(name + len - 4, "_gap"))
            snprintf(r->obs[r->n_obs++], 40, "%.*s", (int)(len - 4), name);
    }
    return rc;
}

/* ICC(2,1) of columns `names` over the rows of time point `tp` (NULL: all). */
static int icc_of(const readings *r, const char *const *names, size_t k, const char *tp,
                  fx_icc *out, fx_error *err)
{
    size_t rows = fx_csv_rows(r->csv), n = 0;
    double *col[MAX_OBS] = {0}, *x = calloc(rows * k + 1, sizeof *x);
    int rc = x ? FX_OK : fx_fail(err, FX_ENOMEM, "out of memory for the agreement table");
    for (size_t j = 0; !rc && j < k; j++)
        rc = fx_csv_numbers(r->csv, names[j], &col[j], err);
    for (size_t i = 0; !rc && i < rows; i++) {
        if (tp && strcmp(fx_csv_cell(r->csv, i, r->tp_col), tp))
            continue;
        for (size_t j = 0; j < k; j++)
            x[n * k + j] = col[j][i];
        n++;
    }
    if (!rc)
        rc = fx_icc_compute(x, n, k, 0.05, out, err);
    for (size_t j = 0; j < k; j++)
        free(col[j]);
    free(x);
    return rc;
}

static void icc_cells(rp_table *t, const readings *r, const char *const *names, size_t k,
                      const char *tp)
{
    fx_icc res;
    fx_error e = {0};
    if (icc_of(r, names, k, tp, &res, &e)) {
        rp_cell(t, "–", 0);
        rp_cell(t, "not computable (too few rows or no variation)", 0);
        rp_cell(t, "", 0), rp_cell(t, "", 0);
        return;
    }
    const fx_icc_form *f = &res.form[FX_ICC2];
    rp_cellf(t, 0, "%zu", res.n);
    rp_cellf(t, 0, "%.3f", f->icc);
    if (isfinite(f->ci_lo) && isfinite(f->ci_hi))
        rp_cellf(t, 0, "%.3f to %.3f", f->ci_lo, f->ci_hi);
    else
        rp_cell(t, "–", 0);
    if (f->p < 0.001)
        rp_cell(t, "< 0.001", 0);
    else
        rp_cellf(t, 0, "%.3f", f->p);
}

/* Rows of one kind: inter-observer (obs < 0) or observer obs's repeats. */
static size_t put_rows(rp_table *t, const readings *r, int obs)
{
    size_t rows = 0;
    char a[2][64], reader[80];
    for (int q = 0; q < 2; q++)
        for (int p = 0; p < 3; p++) {
            const char *names[MAX_OBS];
            size_t k = 0;
            if (obs < 0) {
                for (size_t j = 0; j < r->n_obs; j++) {
                    snprintf(a[0], sizeof a[0], "%s_%s", r->obs[j], QUANT[q]);
                    names[k++] = strdup(a[0]);
                }
                snprintf(reader, sizeof reader, "%zu observers", r->n_obs);
            } else {
                snprintf(a[0], sizeof a[0], "%s_%s", r->obs[obs], QUANT[q]);
                snprintf(a[1], sizeof a[1], "%s_%s_r2", r->obs[obs], QUANT[q]);
                names[k++] = strdup(a[0]), names[k++] = strdup(a[1]);
                snprintf(reader, sizeof reader, "%s, first vs repeat", r->obs[obs]);
            }
            rp_cell(t, QUANT_NAME[q], 0);
            rp_cell(t, TP_NAME[p], 0);
            rp_cell(t, reader, 0);
            icc_cells(t, r, names, k, TP[p]);
            for (size_t j = 0; j < k; j++)
                free((char *)names[j]);
            rows++;
        }
    return rows;
}

static int has_repeats(const readings *r, size_t obs)
{
    char name[64];
    size_t col;
    fx_error e = {0};
    snprintf(name, sizeof name, "%s_gap_r2", r->obs[obs]);
    return fx_csv_find(r->csv, name, &col, &e) == FX_OK;
}

int rp_agreement_table(rp_ctx *c, fx_store *s, fx_error *err)
{
    readings r = {0};
    fx_error e = {0};
    if (export_readings(c, s, &r, &e) || r.n_obs < 2) {
        fx_csv_free(r.csv);
        return fx_pdf_paragraph(c->d, "No intraclass correlation: fewer than two observers have "
                                      "finished cases.", FX_PDF_LEFT, err);
    }
    static const fx_pdf_column cols[] = {
        {"Quantity", NULL, 0.8, FX_PDF_LEFT}, {"Time point", NULL, 0.8, FX_PDF_LEFT},
        {"Readings", NULL, 1.5, FX_PDF_LEFT}, {"n", "rows", 0.5, FX_PDF_RIGHT},
        {"ICC(2,1)", NULL, 0.8, FX_PDF_RIGHT}, {"95 % CI", NULL, 1.3, FX_PDF_RIGHT},
        {"P (F test)", NULL, 0.8, FX_PDF_RIGHT}};
    rp_table t = {0};
    put_rows(&t, &r, -1);
    int repeats = 0;
    for (size_t k = 0; k < r.n_obs; k++)
        if (has_repeats(&r, k))
            put_rows(&t, &r, (int)k), repeats++;
    char note[600];
    snprintf(note, sizeof note,
             "ICC(2,1): two-way random effects, absolute agreement, single rater (Shrout & Fleiss "
             "1979), 95 %% CI by McGraw & Wong (1996); n: rows of finished cases (one per "
             "patient, time point and plane, current readings; %zu in all). Inter-observer: all "
             "observers' first readings; intra-observer: an observer's first reading against "
             "the repeat. –: not defined (the readings differ only by a constant, or agree "
             "exactly).", fx_csv_rows(r.csv));
    int rc = rp_table_put(c, &t, "Table 8. Observer agreement: intraclass correlation with 95 % "
                                 "confidence interval.", cols, 7, err);
    if (!rc)
        rc = fx_pdf_caption(c->d, note, err);
    if (!rc && !repeats)
        rc = fx_pdf_caption(c->d, "No observer has repeated readings: intra-observer agreement "
                                  "is not assessed.", err);
    fx_csv_free(r.csv);
    return rc;
}
