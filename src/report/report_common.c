/*
 * report_common.c - what both reports share: the document with its audit
 * trail, a private folder for figures, number formatting and a table builder.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fxaudit/figure.h"
#include "fxaudit/hash.h"
#include "fxaudit/plot.h"
#include "report_internal.h"

void fx_report_opts_init(fx_report_opts *o, const char *software)
{
    memset(o, 0, sizeof *o);
    o->software = software;
    o->tol_angle_deg = 5;
    o->tol_entry_mm = 3;
    o->tol_tip_mm = 3;
    o->tol_length_mm = 2;
}

int rp_begin(rp_ctx *c, fx_store *s, fx_report_opts *o, const char *title,
             const fx_pdf_input *inputs, size_t n_inputs, fx_error *err)
{
    char db[FX_SHA256_HEX];
    memset(c, 0, sizeof *c);
    c->o = o;
    o->missing_figures = 0;
    o->missing_reason[0] = '\0';
    /* the database as it is while the report is written: a later change to
     * the study gives another hash, so the report names the state it shows */
    int rc = rp_db_sha256(s, db, err);
    if (rc)
        return rc;
    const char *tmp = getenv("TMPDIR");
    snprintf(c->tmpdir, sizeof c->tmpdir, "%s/fxreport.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(c->tmpdir)) {
        c->tmpdir[0] = '\0';
        return fx_fail(err, FX_EIO, "cannot make a temporary folder for the report's figures");
    }
    fx_pdf_meta meta = {title, "fxaudit report", NULL};
    rc = fx_pdf_new(&meta, &c->d, err);
    if (rc)
        return rc;
    fx_pdf_audit a = {o->software, db, inputs, n_inputs, time(NULL)};
    return fx_pdf_set_audit(c->d, &a, err);
}

void rp_png(rp_ctx *c, char *path, size_t n)
{
    snprintf(path, n, "%s/fig%02d.png", c->tmpdir, ++c->nfig);
}

int rp_figure(rp_ctx *c, int plot_rc, const fx_error *plot_err, const char *png, double height_mm,
              const char *caption, fx_error *err)
{
    if (plot_rc == FX_ENOGNUPLOT && !c->o->missing_reason[0])
        snprintf(c->o->missing_reason, sizeof c->o->missing_reason, "%.200s", plot_err->msg);
    return fx_figure_place(c->d, plot_rc, plot_err, png, height_mm, caption,
                           &c->o->missing_figures, err);
}

void rp_free(rp_ctx *c)
{
    fx_pdf_free(c->d);
    c->d = NULL;
    if (!c->tmpdir[0])
        return;
    DIR *dir = opendir(c->tmpdir);
    if (dir) {
        struct dirent *e;
        char p[4400];
        while ((e = readdir(dir))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            snprintf(p, sizeof p, "%s/%s", c->tmpdir, e->d_name);
            unlink(p);
        }
        closedir(dir);
    }
    rmdir(c->tmpdir);
    c->tmpdir[0] = '\0';
}

int rp_end(rp_ctx *c, const char *pdf, fx_error *err)
{
    c->o->pages = fx_pdf_page_count(c->d);
    int rc = fx_pdf_save(c->d, pdf, err);
    rp_free(c);
    return rc;
}

const char *rp_num(char *buf, size_t n, const json_t *v, int prec)
{
    if (!v || !json_is_number(v) || !isfinite(json_number_value(v)))
        snprintf(buf, n, "–");
    else {
        double x = json_number_value(v);
        /* no "-0.0": a value that rounds to zero prints without a sign */
        if (fabs(x) < 0.5 * pow(10, -prec))
            x = 0;
        snprintf(buf, n, "%.*f", prec, x);
    }
    return buf;
}

const char *rp_median_iqr(char *buf, size_t n, const json_t *desc, int prec)
{
    const json_t *med = json_object_get(desc, "median");
    if (!med || !json_is_number(med)) {
        snprintf(buf, n, "–");
        return buf;
    }
    snprintf(buf, n, "%.*f (%.*f–%.*f)", prec, json_number_value(med), prec,
             json_number_value(json_object_get(desc, "q1")), prec,
             json_number_value(json_object_get(desc, "q3")));
    return buf;
}

const char *rp_p(char *buf, size_t n, const json_t *p)
{
    if (!p || !json_is_number(p))
        snprintf(buf, n, "–");
    else if (json_number_value(p) < 0.001)
        snprintf(buf, n, "< 0.001");
    else
        snprintf(buf, n, "%.3f", json_number_value(p));
    return buf;
}

json_t *rp_query(fx_store *s, const char *sql, const char *param, fx_error *err)
{
    json_t *rows = NULL;
    fx_store_field f = fx_sf_text("p", param);
    if (fx_store_query(s, sql, param ? &f : NULL, param ? 1 : 0, &rows, err))
        return NULL;
    return rows;
}

const char *rp_str(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "";
}

double rp_real(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return v && json_is_number(v) ? json_number_value(v) : NAN;
}

void rp_cell(rp_table *t, const char *text, int flagged)
{
    if (t->failed)
        return;
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        fx_pdf_cell *c = realloc(t->cells, cap * sizeof *c);
        if (c)
            t->cells = c;
        char **s = c ? realloc(t->text, cap * sizeof *s) : NULL;
        if (!s) {
            t->failed = 1; /* reported by rp_table_put */
            return;
        }
        t->text = s;
        t->cap = cap;
    }
    t->text[t->n] = strdup(text ? text : "");
    if (!t->text[t->n]) {
        t->failed = 1;
        return;
    }
    t->cells[t->n].text = t->text[t->n];
    t->cells[t->n].flagged = flagged;
    t->n++;
}

void rp_cellf(rp_table *t, int flagged, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    rp_cell(t, buf, flagged);
}

int rp_table_put(rp_ctx *c, rp_table *t, const char *caption, const fx_pdf_column *cols,
                 size_t ncols, fx_error *err)
{
    int rc = t->failed ? fx_fail(err, FX_ENOMEM, "out of memory building a report table")
                       : fx_pdf_table(c->d, caption, cols, ncols, t->cells, t->n / ncols, err);
    rp_table_free(t);
    return rc;
}

void rp_table_free(rp_table *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->text[i]);
    free(t->text);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

int rp_section(rp_ctx *c, const char *title, fx_error *err)
{
    /* a heading with at least a table's caption, header and two rows under it */
    int rc = fx_pdf_keep_together(c->d, 45, err);
    return rc ? rc : fx_pdf_heading(c->d, 1, title, err);
}

int rp_next_fig(rp_ctx *c)
{
    return ++c->fig_no;
}

int rp_matrix_parse(const char *text, double m[16], fx_error *err)
{
    for (int i = 0; i < 16; i++)
        m[i] = i % 5 == 0 ? 1 : 0;
    if (!text)
        return FX_OK;
    json_error_t je;
    json_t *a = json_loads(text, 0, &je);
    int rc = json_array_size(a) == 16 ? FX_OK
                                      : fx_fail(err, FX_EFORMAT, "a registration matrix in the "
                                                                 "store is not 16 numbers");
    for (int i = 0; !rc && i < 16; i++) {
        json_t *v = json_array_get(a, (size_t)i);
        if (!json_is_number(v))
            rc = fx_fail(err, FX_EFORMAT, "a registration matrix in the store is not 16 numbers");
        else
            m[i] = json_number_value(v);
    }
    json_decref(a);
    return rc;
}
