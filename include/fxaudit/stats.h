/*
 * stats.h - the study's statistical tests, written to agree with R (stats
 * package, R 4.2) and, where asked, with SPSS.
 *
 * Kernels take arrays and counts, fill a result record and return FX_OK or a
 * negative FX_E* status with `err` saying why; they never print. Scratch
 * memory is allocated and freed inside. Missing values (NAN) must be removed by
 * the caller, except where a function says otherwise. Method notes, references
 * and the measured agreement with R are in docs/statistics.md.
 */
#ifndef FXAUDIT_STATS_H
#define FXAUDIT_STATS_H

#include <stdbool.h>
#include <stddef.h>

#include "fxaudit/error.h"

typedef enum { FX_ALT_TWO_SIDED, FX_ALT_LESS, FX_ALT_GREATER } fx_alternative;
typedef enum { FX_ZERO_WILCOX, FX_ZERO_PRATT, FX_ZERO_ZSPLIT } fx_zero_method;
/* AUTO is R's rule: exact when n < 50 and there are no ties or zeros. */
typedef enum { FX_EXACT_AUTO, FX_EXACT_YES, FX_EXACT_NO } fx_exact_mode;

#define FX_STATS_METHOD_MAX 128

/* ---- ranks (ranks.c) ------------------------------------------------------ */

/* Average ranks (1-based, ties share the mean of their positions) of x[0..n-1]
 * into r[0..n-1]; *tie_sum (may be NULL) receives sum(t^3 - t) over tie groups. */
int fx_stats_rank(const double *x, size_t n, double *r, double *tie_sum, fx_error *err);

/* ---- exact null distributions (signrank.c, ranksum.c) ---------------------- */

/* P(V <= q) (lower) or P(V > q) for the signed-rank statistic of n untied,
 * non-zero differences: R's psignrank. */
int fx_signrank_cdf(double q, size_t n, bool lower, double *p, fx_error *err);
/* Smallest q with P(V <= q) >= p: R's qsignrank (0 < p < 1). */
int fx_signrank_quantile(double p, size_t n, double *q, fx_error *err);
/* P(W <= q) or P(W > q) for the rank-sum statistic W of samples of m and n: R's pwilcox. */
int fx_ranksum_cdf(double q, size_t m, size_t n, bool lower, double *p, fx_error *err);
/* Smallest q with P(W <= q) >= p: R's qwilcox. */
int fx_ranksum_quantile(double p, size_t m, size_t n, double *q, fx_error *err);

/* Brent's root finder with the stopping rule of R's uniroot(): a root of f in
 * [lo, hi] given f(lo) = flo and f(hi) = fhi of opposite signs, to `tol`. */
typedef double (*fx_root_fn)(double x, void *ctx);
int fx_stats_zeroin(fx_root_fn f, void *ctx, double lo, double hi, double flo, double fhi,
                    double tol, double *root, fx_error *err);

/* ---- Wilcoxon signed-rank test, paired (wilcoxon.c, wilcoxon_ci.c) -------- */

typedef struct fx_wilcoxon_opts {
    fx_alternative alternative; /* default two-sided */
    fx_zero_method zero_method; /* default wilcox (drop zeros), as R and SPSS */
    fx_exact_mode exact;        /* default AUTO (R's rule) */
    bool correct;               /* continuity correction, default true (R) */
    bool conf_int;              /* Hodges-Lehmann estimate and CI, default false */
    double conf_level;          /* default 0.95 */
    bool spss;                  /* SPSS: z from min(W+, W-), no correction, p = 2 Phi(-|z|) */
} fx_wilcoxon_opts;

void fx_wilcoxon_opts_init(fx_wilcoxon_opts *o);

typedef enum {
    FX_WILCOXON_EXACT,             /* exact null distribution, no ties or zeros */
    FX_WILCOXON_EXACT_CONDITIONAL, /* exact conditional distribution (shift algorithm) */
    FX_WILCOXON_NORMAL,            /* normal approximation */
} fx_wilcoxon_kind;

typedef struct fx_wilcoxon_result {
    size_t n; /* differences ranked (R's n: zeros dropped for 'wilcox') */
    size_t n_pos, n_neg, n_zero;
    bool ties; /* tied |differences| among the ranked ones */
    fx_wilcoxon_kind kind;
    double statistic; /* V: sum of the ranks of the positive differences */
    double w_minus;   /* sum of the ranks of the negative differences */
    double mean, sd;  /* of V under H0 (tie-corrected) */
    double z;         /* normal approximation only; NAN for the exact tests */
    double p;
    double estimate;                  /* Hodges-Lehmann (pseudo)median; NAN unless conf_int */
    double conf_int[2];               /* NAN unless conf_int; +-INFINITY for one-sided */
    double conf_level;                /* achieved level, as R reports it */
    char method[FX_STATS_METHOD_MAX]; /* e.g. "Wilcoxon signed rank exact test" */
} fx_wilcoxon_result;

/* Test of d = x - y for n pairs (no NAN). Without options this is R's
 * wilcox.test(x, y, paired = TRUE[, conf.int = TRUE]). Fails with FX_EINVAL when
 * n is 0 or every difference is zero and the test is undefined. */
int fx_wilcoxon_paired(const double *x, const double *y, size_t n, const fx_wilcoxon_opts *o,
                       fx_wilcoxon_result *res, fx_error *err);
/* The same on differences d[0..n-1]. */
int fx_wilcoxon_signed(const double *d, size_t n, const fx_wilcoxon_opts *o,
                       fx_wilcoxon_result *res, fx_error *err);

/* Exact conditional P(T <= t) and P(T >= t) of T = sum of the integer scores a[i]
 * whose signs are positive, each with probability 1/2 (the one-sample shift
 * algorithm of Streitberg and Roehmel). */
int fx_signrank_conditional(const long *a, size_t n, long t, double *p_le, double *p_ge,
                            fx_error *err);

/* Hodges-Lehmann estimate and CI of the signed-rank test as R computes them
 * (internal to wilcoxon.c, exposed for tests). `d` holds the non-zero
 * differences when `exact` is true. */
int fx_wilcoxon_hl(const double *d, size_t n, bool exact, bool correct, fx_alternative alt,
                   double conf_level, fx_wilcoxon_result *res, fx_error *err);

/* Normal quantile as R's qnorm(p, lower.tail = !upper): -+INFINITY at the
 * ends, NAN outside [0, 1]. */
double fx_stats_qnorm(double p, bool upper);
/* R's signif(x, digits). */
double fx_stats_signif(double x, int digits);

/* ---- Mann-Whitney U / Wilcoxon rank-sum test (mannwhitney.c) ------------- */

typedef struct fx_ranksum_result {
    size_t n_x, n_y;
    bool ties;
    bool exact;       /* exact null distribution used */
    double statistic; /* W = U of x: sum of x's ranks - n_x (n_x + 1) / 2 (R's W) */
    double z;         /* NAN when exact */
    double p;
    double estimate; /* difference in location; NAN unless conf_int */
    double conf_int[2];
    double conf_level;
    char method[FX_STATS_METHOD_MAX];
} fx_ranksum_result;

/* R's wilcox.test(x, y) (unpaired). Uses exact, correct, alternative, conf_int
 * and conf_level of `o`; zero_method and spss do not apply. */
int fx_mannwhitney(const double *x, size_t nx, const double *y, size_t ny,
                   const fx_wilcoxon_opts *o, fx_ranksum_result *res, fx_error *err);

/* ---- Spearman rank correlation (spearman.c) ------------------------------- */

typedef struct fx_spearman_result {
    size_t n;
    bool ties;
    bool exact; /* AS 89 (exact enumeration n <= 9, Edgeworth above) */
    double rho;
    double statistic; /* S = (n^3 - n)(1 - rho) / 6 */
    double p;
    char method[FX_STATS_METHOD_MAX];
} fx_spearman_result;

/* R's cor.test(x, y, method = "spearman"). Fails for n < 2 and for a constant
 * column (R returns NA there). */
int fx_spearman(const double *x, const double *y, size_t n, fx_alternative alt,
                fx_spearman_result *res, fx_error *err);

/* The same with p always from t = r sqrt((n - 2) / (1 - r^2)), n - 2 df, as
 * SPSS computes it with or without ties (needs n >= 3). */
int fx_spearman_t(const double *x, const double *y, size_t n, fx_alternative alt,
                  fx_spearman_result *res, fx_error *err);

/* Upper tail P(S >= s) (or lower P(S < s)) of Spearman's S under H0 for n
 * untied pairs by AS 89: R's internal pRho. */
double fx_spearman_prho(double s, size_t n, bool lower);

/* ---- Friedman test (friedman.c) ------------------------------------------- */

typedef struct fx_friedman_pair {
    size_t a, b; /* column indices */
    fx_wilcoxon_result test;
    double p_holm; /* Holm-adjusted p */
} fx_friedman_pair;

typedef struct fx_friedman_result {
    size_t n, k;      /* complete blocks (rows) and treatments (columns) */
    double statistic; /* Friedman chi-squared (tie-corrected) */
    double df;
    double p;
    size_t n_pairs;          /* k (k - 1) / 2 post-hoc comparisons */
    fx_friedman_pair *pairs; /* owned: free with fx_friedman_result_free */
    char method[FX_STATS_METHOD_MAX];
} fx_friedman_result;

/* R's friedman.test(y) on the n x k matrix y (row-major), k >= 3; rows with a
 * NAN are dropped as R does. Post-hoc: pairwise signed-rank tests with the
 * options `o` (R: pairwise.wilcox.test(paired = TRUE, p.adjust.method = "holm")). */
int fx_friedman(const double *y, size_t n, size_t k, const fx_wilcoxon_opts *o,
                fx_friedman_result *res, fx_error *err);
void fx_friedman_result_free(fx_friedman_result *res);

/* Holm's step-down adjustment of p[0..m-1] into q (R's p.adjust "holm"). */
int fx_stats_holm(const double *p, size_t m, double *q, fx_error *err);

/* ---- descriptives (describe.c) --------------------------------------------- */

typedef struct fx_describe {
    size_t n;
    double mean, sd; /* sd with n - 1; NAN for n < 2 */
    double median, q1, q3, min, max;
    int quantile_type;
} fx_describe;

/* Quantile of x[0..n-1] (need not be sorted) at probability p by R's type 6
 * (SPSS HAVERAGE) or 7 (R's default). */
int fx_stats_quantile(const double *x, size_t n, double p, int type, double *q, fx_error *err);

/* R's median(): the middle value, or the mean of the two middle values. */
int fx_stats_median(const double *x, size_t n, double *m, fx_error *err);

/* Descriptives of x[0..n-1]; quartiles by `quantile_type` (6 or 7). */
int fx_stats_describe(const double *x, size_t n, int quantile_type, fx_describe *out,
                      fx_error *err);

typedef struct fx_mean_diff {
    size_t n;
    double mean, sd, se, df, t, p;
    double conf_int[2];
    double conf_level;
} fx_mean_diff;

/* Mean of x - y with its paired-t CI and p (R's t.test(x, y, paired = TRUE)). */
int fx_stats_mean_diff(const double *x, const double *y, size_t n, double conf_level,
                       fx_mean_diff *out, fx_error *err);

#endif
