/*
 * agreement.h - agreement between observers (or between one observer's repeated
 * measurements): intraclass correlation coefficients with their F tests and
 * confidence intervals, and Bland-Altman bias with limits of agreement.
 *
 * The ICCs follow Shrout & Fleiss (Psychol Bull 1979;86:420-8) and McGraw &
 * Wong (Psychol Methods 1996;1:30-46); every number, including the confidence
 * interval of ICC(2,1) by McGraw & Wong's approximate degrees of freedom, is
 * computed as R's psych::ICC computes it (docs/agreement.md). Inter-observer
 * agreement puts observers in the columns; intra-observer agreement puts one
 * observer's repeats in the columns. The kernels do no I/O; missing values are
 * NaN, and a row (subject) with a missing cell is dropped and counted.
 */
#ifndef FXAUDIT_AGREEMENT_H
#define FXAUDIT_AGREEMENT_H

#include <stddef.h>

#include "fxaudit/error.h"

/* The six forms, in psych::ICC's order. Names: Shrout & Fleiss / McGraw & Wong. */
enum fx_icc_type {
    FX_ICC1,  /* ICC(1,1): one-way random, single rater */
    FX_ICC2,  /* ICC(2,1) = ICC(A,1): two-way random, absolute agreement, single rater */
    FX_ICC3,  /* ICC(3,1) = ICC(C,1): two-way mixed, consistency, single rater */
    FX_ICC1K, /* ICC(1,k): one-way random, mean of k raters */
    FX_ICC2K, /* ICC(2,k) = ICC(A,k): two-way random, absolute agreement, mean of k raters */
    FX_ICC3K, /* ICC(3,k) = ICC(C,k): two-way mixed, consistency, mean of k raters */
    FX_ICC_NTYPES
};

typedef struct fx_icc_form {
    double icc;
    double f, df1, df2, p; /* F test of H0: ICC = 0 (one-sided, upper tail) */
    double ci_lo, ci_hi;   /* the (1 - alpha) confidence interval; NaN when undefined */
} fx_icc_form;

typedef struct fx_icc {
    size_t n;       /* subjects (rows) used */
    size_t k;       /* raters (columns) */
    size_t dropped; /* rows dropped because a cell was missing (NaN) */
    double alpha;   /* 1 - confidence level of the intervals */
    /* Two-way ANOVA without interaction: mean squares of rows (subjects),
     * columns (raters), residual, and within rows (columns + residual). */
    double ms_rows, ms_cols, ms_error, ms_within;
    fx_icc_form form[FX_ICC_NTYPES];
} fx_icc;

/* ICCs of the `n_rows` x `k` table `x` (row-major: x[i * k + j] is subject i by
 * rater j, any unit), with (1 - alpha) confidence intervals (alpha = 0.05 for
 * 95 %). Rows holding a NaN are dropped. Fails with FX_EINVAL when k < 2, when
 * fewer than 2 complete rows remain, or when there is no variation at all; with
 * FX_ENOMEM. When the residual is zero (raters differ only by a constant) the
 * F statistics are +inf, p = 0, and the intervals that need the residual NaN. */
int fx_icc_compute(const double *x, size_t n_rows, size_t k, double alpha, fx_icc *out,
                   fx_error *err);

/* psych::ICC's name of a form ("ICC2") and a description ("two-way random
 * effects, absolute agreement, single rater"); NULL for an unknown type. */
const char *fx_icc_type_name(int type);
const char *fx_icc_type_description(int type);

typedef struct fx_bland_altman {
    size_t n;            /* pairs used */
    size_t dropped;      /* pairs dropped because a value was missing (NaN) */
    double bias;         /* mean of a - b */
    double sd;           /* standard deviation of a - b (n - 1 denominator) */
    double loa[2];       /* bias -/+ 1.96 sd: lower, upper limit of agreement */
    double t_crit;       /* t quantile 0.975 with n - 1 degrees of freedom */
    double bias_ci[2];   /* 95 % CI of the bias: bias -/+ t sd / sqrt(n) */
    double se_loa;       /* SE of a limit, sd * sqrt(1/n + 1.96^2 / (2 (n - 1))) */
    double loa_lo_ci[2]; /* 95 % CI of the lower limit: loa[0] -/+ t se_loa */
    double loa_hi_ci[2]; /* 95 % CI of the upper limit */
} fx_bland_altman;

/* Bland-Altman analysis of the `n` pairs (a[i], b[i]) (Bland & Altman, Lancet
 * 1986;i:307-10; CIs of the limits per Bland & Altman, Stat Methods Med Res
 * 1999;8:135-60). Pairs with a NaN are dropped. FX_EINVAL when fewer than 2
 * complete pairs remain. */
int fx_bland_altman_compute(const double *a, const double *b, size_t n, fx_bland_altman *out,
                            fx_error *err);

#endif
