/*
 * demo.h - the main job on the embedded default (an SQLite study folder), with
 * nothing else to set up: a synthetic cohort with ground truth, a new study,
 * import, plans, two simulated observers, consensus and grades, SMFA forms,
 * the audit when the program has it, the statistics and every PDF report.
 *
 * The stages that are whole commands of the program (phantom, import, plan
 * create, smfa import, audit) are run as the fxaudit binary `self` with
 * posix_spawn (argv only, no shell; their output goes to OUT/demo.log); the
 * store, observer, consensus, statistics and report stages are library calls
 * in this process. docs/reports.md describes every stage.
 */
#ifndef FXAUDIT_DEMO_H
#define FXAUDIT_DEMO_H

#include "fxaudit/error.h"
#include "fxaudit/progress.h"

typedef struct fx_demo_opts {
    const char *out;      /* a new (absent or empty) folder */
    int patients;         /* 1..99 */
    const char *size;     /* "small" or "clinical" */
    unsigned long seed;   /* the phantom's seed and the observers' noise */
    const char *self;     /* the fxaudit binary */
    const char *software; /* "fxaudit <version>" */
    fx_progress progress;
} fx_demo_opts;

typedef struct fx_demo_result {
    char study[4200];   /* the study folder */
    char reports[4200]; /* its reports folder */
    int patients;
    int reports_written; /* PDF files */
    int pages;           /* over all reports */
    int missing_figures; /* figures replaced by notes (gnuplot missing) */
    char missing_reason[256];
    int audit_run;    /* 1 when this fxaudit has `audit` and it was run */
    int audit_failed; /* patients whose audit failed (see OUT/demo.log) */
    double seconds;
} fx_demo_result;

void fx_demo_opts_init(fx_demo_opts *o);
int fx_demo_run(const fx_demo_opts *o, fx_demo_result *r, fx_error *err);

#endif
