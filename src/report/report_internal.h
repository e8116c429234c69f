/* report_internal.h - helpers shared by the report writers (not public). */
#ifndef FXAUDIT_REPORT_INTERNAL_H
#define FXAUDIT_REPORT_INTERNAL_H

#include <jansson.h>
#include <stddef.h>

#include "fxaudit/error.h"
#include "fxaudit/hash.h"
#include "fxaudit/pdf.h"
#include "fxaudit/report.h"
#include "fxaudit/store.h"

/* A report being written: the document, a private folder for its figures. */
typedef struct rp_ctx {
    fx_pdf *d;
    fx_report_opts *o;
    char tmpdir[4096];
    int nfig;   /* PNG files made so far */
    int fig_no; /* the last figure number printed in a caption */
} rp_ctx;

/* Start a document with the footer's audit trail (software, SHA-256 of the
 * study.db file, `inputs`, now). */
int rp_begin(rp_ctx *c, fx_store *s, fx_report_opts *o, const char *title,
             const fx_pdf_input *inputs, size_t n_inputs, fx_error *err);
/* SHA-256 of study.db as `sha256sum` will see it once the program ends
 * (the WAL checkpointed into it first; report_dbhash.c). */
int rp_db_sha256(fx_store *s, char hex[FX_SHA256_HEX], fx_error *err);
/* A level-1 heading kept with some 45 mm of what follows it. */
int rp_section(rp_ctx *c, const char *title, fx_error *err);
/* A fresh PNG path in the context's folder. */
void rp_png(rp_ctx *c, char *path, size_t n);
/* Place a plot's result (the figure, or a note when gnuplot is missing). */
int rp_figure(rp_ctx *c, int plot_rc, const fx_error *plot_err, const char *png, double height_mm,
              const char *caption, fx_error *err);
/* Save to `pdf` and release everything; rp_free alone on failure. */
int rp_end(rp_ctx *c, const char *pdf, fx_error *err);
void rp_free(rp_ctx *c);

/* A number from JSON with `prec` decimals, or "–" for null/absent. */
const char *rp_num(char *buf, size_t n, const json_t *v, int prec);
/* "median (q1–q3)" of a describe object, or "–" when n is 0. */
const char *rp_median_iqr(char *buf, size_t n, const json_t *desc, int prec);
/* A p value as a journal prints it: "0.034", "< 0.001", or "–". */
const char *rp_p(char *buf, size_t n, const json_t *p);
/* Rows of a query (params may be NULL); on failure NULL with err filled. */
json_t *rp_query(fx_store *s, const char *sql, const char *param, fx_error *err);
/* A string member, or "" when absent or null. */
const char *rp_str(const json_t *o, const char *key);
double rp_real(const json_t *o, const char *key); /* NAN when absent/null */

/* A table whose cells are strings owned by the builder. */
typedef struct rp_table {
    fx_pdf_cell *cells;
    char **text;
    size_t n, cap;
    int failed; /* an allocation failed: rp_table_put says so */
} rp_table;
void rp_cell(rp_table *t, const char *text, int flagged);
void rp_cellf(rp_table *t, int flagged, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int rp_table_put(rp_ctx *c, rp_table *t, const char *caption, const fx_pdf_column *cols,
                 size_t ncols, fx_error *err);
void rp_table_free(rp_table *t);

/* Sections of the study report (report_results.c). */
int rp_results(rp_ctx *c, fx_store *s, const json_t *stats, fx_error *err);
/* Sections of the patient report (report_plan.c). */
int rp_plan_section(rp_ctx *c, fx_store *s, const char *code, const char *side, fx_error *err);
/* The next figure number (captions are numbered in the order printed). */
int rp_next_fig(rp_ctx *c);

/* A registration (post-op -> plan, x_plan = R x_post + t, row-major 4x4)
 * from a `registrations.matrix` JSON text; identity when `json` is NULL.
 * FX_EFORMAT when the text is not 16 numbers. */
int rp_matrix_parse(const char *json, double m[16], fx_error *err);

/* The patient report's figure of the CT slices through the dome, pre-op and
 * post-op (report_slices.c). `reg` is the newest registration row (with
 * `matrix`) or NULL. */
int rp_dome_slices(rp_ctx *c, fx_store *s, const char *code, const json_t *reg, fx_error *err);

/* 3-D views of the plan (report_views.c): the reduced bone and plates of the
 * plan folder `dir`, the planned screws, and, with a result, the actual
 * screws (already in plan coordinates) and the plates found post-op (moved
 * by their poses) beside them. */
typedef struct rp_actual_screw {
    double entry[3], tip[3], diameter_mm;
} rp_actual_screw;
/* A plate found post-op: its plan label and pose (planned -> post-op, plan
 * coordinates, row-major 4x4; plate_deviations.pose). */
typedef struct rp_plate_pose {
    const char *label; /* borrowed */
    double pose[16];
} rp_plate_pose;
/* The post-op result drawn beside the plan (all borrowed; NULL: none). */
typedef struct rp_result {
    const rp_actual_screw *screws;
    size_t n_screws;
    const rp_plate_pose *plates;
    size_t n_plates;
} rp_result;
int rp_views(rp_ctx *c, const char *dir, const json_t *plan, const char *side,
             const rp_result *res, fx_error *err);
/* The plan of patient `code` (plans/<code>/plan.json) into *plan and its
 * folder into dir; FX_ENOTFOUND (err untouched) when there is none. */
int rp_plan_load(fx_store *s, const char *code, char *dir, size_t n, json_t **plan);

/* The study report's observer agreement table (report_agreement.c). */
int rp_agreement_table(rp_ctx *c, fx_store *s, fx_error *err);
/* The patient report's histogram of the registration's residuals, and the
 * tables of fragment and plate poses against the plan (report_residuals.c);
 * `reg` is the newest registration row (id, rms_mm, inlier_fraction, region). */
int rp_residuals(rp_ctx *c, fx_store *s, const json_t *reg, fx_error *err);
int rp_pose_deviations(rp_ctx *c, fx_store *s, const json_t *reg, fx_error *err);

#endif
