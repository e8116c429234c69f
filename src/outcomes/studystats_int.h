/*
 * studystats_int.h - what the files of the study statistics share: the
 * patients as the row index of every per-patient array, and JSON blocks
 * that carry a figure, its n and its method.
 */
#ifndef FXAUDIT_STUDYSTATS_INT_H
#define FXAUDIT_STUDYSTATS_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "fxaudit/store.h"
#include "fxaudit/studystats.h"

/* The study's patients, ordered by code; arrays indexed like codes. */
typedef struct ss_patients {
    fx_patient *p;
    size_t n;
} ss_patients;

/* Index of `code` in `pts`, or -1. */
long ss_patient_index(const ss_patients *pts, const char *code);

/* A JSON number of a query row's column (integer or real), NAN when null. */
double ss_num(json_t *row, const char *col);

/* v rounded to 9 decimals: values and differences equal in exact arithmetic
 * become equal doubles, so they tie (docs/outcomes.md). */
double ss_round9(double v);

/* {n, median, q1, q3, min, max, mean, sd, method} of the finite x[i]. */
json_t *ss_describe(const double *x, size_t n, int quantile_type);
/* Paired signed-rank test of x - y over the pairs where both are finite:
 * {n_pairs, n, statistic, w_minus, z, p, method} or p null and a message. */
json_t *ss_wilcoxon(const double *x, const double *y, size_t n, bool spss);
/* Mean of x - y with its paired-t 95 % CI over the complete pairs. */
json_t *ss_mean_diff(const double *x, const double *y, size_t n);
/* Spearman's rho over the complete pairs (R's cor.test or SPSS's t). */
json_t *ss_spearman(const double *x, const double *y, size_t n, bool spss);

/* Sections (studystats_smfa.c). `post_gap`, `post_step` are indexed like pts. */
int ss_smfa_section(fx_store *s, const fx_studystats_opts *o, const ss_patients *pts, json_t **out,
                    fx_error *err);
int ss_correlation_section(fx_store *s, const fx_studystats_opts *o, const ss_patients *pts,
                           const double *post_gap, const double *post_step, json_t **out,
                           fx_error *err);

#endif
