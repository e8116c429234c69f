/*
 * report.h - the study report and the per-patient audit report, written as
 * PDF from a study's store. Every number printed comes from the store (or,
 * for the plan, from the plan file the store's folder holds); sections
 * without data say so. Sections and the source of every number:
 * docs/reports.md.
 */
#ifndef FXAUDIT_REPORT_H
#define FXAUDIT_REPORT_H

#include "fxaudit/error.h"
#include "fxaudit/store.h"

typedef struct fx_report_opts {
    const char *software; /* "fxaudit <version>", printed in the footer */
    const char *keyfile;  /* patient report: print the hospital ID from this
                           * key file; NULL: pseudonymised (code only) */
    double tol_angle_deg; /* screw deviations flagged beyond these */
    double tol_entry_mm;
    double tol_tip_mm;
    double tol_length_mm;
    bool spss; /* the results section by SPSS's conventions */
    /* patient report: the acetabular dome point (mm, LPS) in the pre-op CT's
     * (= the plan's) coordinates; the CT slices go through it (the post-op
     * ones through its image under the inverse of the registration).
     * have_dome 0: no slices, and the report says how to get them. */
    bool have_dome;
    double dome_mm[3];
    /* out: figures replaced by a note because gnuplot is missing, and why */
    int missing_figures;
    char missing_reason[256];
    int pages; /* out: pages written */
} fx_report_opts;

/* Defaults: tolerances 5 degrees, 3 mm entry, 3 mm tip, 2 mm length. */
void fx_report_opts_init(fx_report_opts *o, const char *software);

/* Write the study report to `pdf` (atomically: complete or not at all). */
int fx_report_study(fx_store *s, fx_report_opts *o, const char *pdf, fx_error *err);

/* Write the audit report of patient `code` to `pdf`. */
int fx_report_patient(fx_store *s, const char *code, fx_report_opts *o, const char *pdf,
                      fx_error *err);

#endif
