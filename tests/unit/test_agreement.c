/*
 * test_agreement.c - ICC and Bland-Altman against independent references: the
 * numbers R's psych::ICC and base R give on the data sets in
 * tests/fixtures/r-psych (written by make_reference.R beside them), Shrout &
 * Fleiss's published 6 x 4 example, and a case worked by hand in
 * docs/agreement.md. Estimates must agree with R to 1e-10 relative, p-values
 * and confidence bounds to 1e-8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/agreement.h"

#define MAX_ROWS 64
#define MAX_COLS 8

static char fixture_dir[1024];
/* Largest relative differences from R seen: estimates, then p and bounds. */
static double worst_estimate, worst_p_ci;

/* A small reader for the fixture CSVs: header of names, numbers, empty = NaN. */
static size_t read_columns(const char *set, const char *cols, double *x, size_t *k)
{
    char path[1200], line[512], names[MAX_COLS][32];
    int pick[MAX_COLS], n_names = 0;
    size_t n = 0;
    snprintf(path, sizeof(path), "%s/%s.csv", fixture_dir, set);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    assert_non_null(fgets(line, sizeof(line), f));
    for (char *p = line, *e; *p && *p != '\n'; p = *e ? e + 1 : e, n_names++) {
        e = p + strcspn(p, ",\n");
        snprintf(names[n_names], sizeof(names[0]), "%.*s", (int)(e - p), p);
    }
    *k = 0;
    for (const char *c = cols, *e; *c; c = *e ? e + 1 : e) {
        e = c + strcspn(c, ",");
        pick[*k] = -1;
        for (int j = 0; j < n_names; j++)
            if ((size_t)(e - c) == strlen(names[j]) && !strncmp(c, names[j], (size_t)(e - c)))
                pick[*k] = j;
        assert_true(pick[(*k)++] >= 0);
    }
    while (fgets(line, sizeof(line), f) && n < MAX_ROWS) {
        double cell[MAX_COLS];
        int j = 0;
        for (char *p = line, *e; j < n_names; p = e + 1, j++) {
            e = p + strcspn(p, ",\n");
            cell[j] = e == p ? NAN : strtod(p, NULL);
            if (!*e)
                break;
        }
        for (size_t c = 0; c < *k; c++)
            x[n * *k + c] = cell[pick[c]];
        n++;
    }
    fclose(f);
    return n;
}

static void assert_close(const char *what, double got, double want, double rel, double scale)
{
    double tol = rel * fmax(fabs(want), scale);
    double d = fabs(got - want) / fmax(fabs(want), scale);
    if (rel >= 1e-10 && want != 0) {
        double *worst = rel > 1e-10 ? &worst_p_ci : &worst_estimate;
        *worst = fmax(*worst, d);
    }
    if (!(fabs(got - want) <= tol))
        fail_msg("%s: got %.17g, R gives %.17g (difference %.3g, tolerance %.3g)", what, got, want,
                 fabs(got - want), tol);
}

static int type_of(const char *name)
{
    for (int t = 0; t < FX_ICC_NTYPES; t++)
        if (!strcmp(fx_icc_type_name(t), name))
            return t;
    fail_msg("unknown ICC type %s", name);
    return -1;
}

static FILE *open_reference(void)
{
    char path[1200];
    snprintf(path, sizeof(path), "%s/reference.txt", fixture_dir);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    return f;
}

static void check_icc_line(const char *line)
{
    char set[64], cols[128], type[16], what[256];
    double v[7], x[MAX_ROWS * MAX_COLS];
    size_t n, dropped, k;
    assert_int_equal(sscanf(line, "icc %63s %127s %15s %zu %zu %lf %lf %lf %lf %lf %lf %lf", set,
                            cols, type, &n, &dropped, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                            &v[6]),
                     12);
    size_t rows = read_columns(set, cols, x, &k);
    fx_icc r;
    fx_error err = {0};
    assert_int_equal(fx_icc_compute(x, rows, k, 0.05, &r, &err), FX_OK);
    assert_int_equal(r.n, n);
    assert_int_equal(r.dropped, dropped);
    const fx_icc_form *f = &r.form[type_of(type)];
    const double got[7] = {f->icc, f->f, f->df1, f->df2, f->p, f->ci_lo, f->ci_hi};
    const char *names[7] = {"icc", "F", "df1", "df2", "p", "lower", "upper"};
    const double rel[7] = {1e-10, 1e-10, 1e-10, 1e-10, 1e-8, 1e-8, 1e-8};
    for (int i = 0; i < 7; i++) {
        snprintf(what, sizeof(what), "%s %s %s %s", set, cols, type, names[i]);
        assert_close(what, got[i], v[i], rel[i], 0);
    }
}

static void check_ba_line(const char *line)
{
    char set[64], cols[128], what[256];
    double v[10], a[MAX_ROWS], b[MAX_ROWS], x[MAX_ROWS * 2];
    size_t n, dropped, k;
    assert_int_equal(sscanf(line, "ba %63s %127s %zu %zu %lf %lf %lf %lf %lf %lf %lf %lf %lf %lf",
                            set, cols, &n, &dropped, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                            &v[6], &v[7], &v[8], &v[9]),
                     14);
    size_t rows = read_columns(set, cols, x, &k);
    for (size_t i = 0; i < rows; i++)
        a[i] = x[2 * i], b[i] = x[2 * i + 1];
    fx_bland_altman r;
    assert_int_equal(fx_bland_altman_compute(a, b, rows, &r, NULL), FX_OK);
    assert_int_equal(r.n, n);
    assert_int_equal(r.dropped, dropped);
    const double got[10] = {r.bias,         r.sd,          r.loa[0],       r.loa[1],
                            r.bias_ci[0],   r.bias_ci[1],  r.loa_lo_ci[0], r.loa_lo_ci[1],
                            r.loa_hi_ci[0], r.loa_hi_ci[1]};
    for (int i = 0; i < 10; i++) {
        snprintf(what, sizeof(what), "%s %s value %d", set, cols, i);
        /* A bias of zero is compared on the scale of the differences' SD. */
        assert_close(what, got[i], v[i], i < 4 ? 1e-10 : 1e-8, 1e-3 * v[1]);
    }
}

static int check_reference(const char *kind, void (*check)(const char *))
{
    char line[1024];
    int count = 0;
    FILE *f = open_reference();
    while (fgets(line, sizeof(line), f))
        if (!strncmp(line, kind, strlen(kind))) {
            check(line);
            count++;
        }
    fclose(f);
    return count;
}

static void icc_matches_psych_on_every_reference_data_set(void **state)
{
    (void)state;
    /* 9 column selections x 6 forms. */
    assert_int_equal(check_reference("icc ", check_icc_line), 54);
}

static void bland_altman_matches_base_r_on_every_reference_data_set(void **state)
{
    (void)state;
    assert_int_equal(check_reference("ba ", check_ba_line), 7);
    printf("# largest relative difference from R: estimates %.2g, p and bounds %.2g\n",
           worst_estimate, worst_p_ci);
}

static void shrout_and_fleiss_published_example_gives_their_published_iccs(void **state)
{
    (void)state;
    /* Shrout & Fleiss 1979, table 2 data and table 4 values (two decimals). */
    const double x[24] = {9, 2, 5, 8, 6, 1, 3, 2, 8, 4, 6, 8, 7, 1, 2, 6, 10, 5, 6, 9, 6, 2, 4, 7};
    const double published[6] = {0.17, 0.29, 0.71, 0.44, 0.62, 0.91};
    fx_icc r;
    assert_int_equal(fx_icc_compute(x, 6, 4, 0.05, &r, NULL), FX_OK);
    for (int t = 0; t < FX_ICC_NTYPES; t++)
        assert_true(fabs(r.form[t].icc - published[t]) < 0.005);
}

static void a_small_case_equals_the_hand_calculation(void **state)
{
    (void)state;
    /* docs/agreement.md: MSR = 6.75, MSC = 2.5, MSE = 0.25, so ICC(2,1) = 6.5 / 7.9
     * = 65/79, ICC(3,1) = 13/14, F = 27; differences -1 0 -1 -1 -2. */
    const double x[10] = {1, 2, 2, 2, 3, 4, 4, 5, 5, 7}, a[5] = {1, 2, 3, 4, 5},
                 b[5] = {2, 2, 4, 5, 7};
    fx_icc r;
    fx_bland_altman ba;
    assert_int_equal(fx_icc_compute(x, 5, 2, 0.05, &r, NULL), FX_OK);
    assert_close("ms rows", r.ms_rows, 6.75, 1e-14, 0);
    assert_close("ms cols", r.ms_cols, 2.5, 1e-14, 0);
    assert_close("ms error", r.ms_error, 0.25, 1e-14, 0);
    assert_close("icc2", r.form[FX_ICC2].icc, 65.0 / 79.0, 1e-14, 0);
    assert_close("icc3", r.form[FX_ICC3].icc, 13.0 / 14.0, 1e-14, 0);
    assert_close("F", r.form[FX_ICC2].f, 27, 1e-14, 0);
    assert_int_equal(fx_bland_altman_compute(a, b, 5, &ba, NULL), FX_OK);
    assert_close("bias", ba.bias, -1, 1e-15, 0);
    assert_close("sd", ba.sd, sqrt(0.5), 1e-15, 0);
    assert_close("upper loa", ba.loa[1], -1 + 1.96 * sqrt(0.5), 1e-15, 0);
}

static void rows_with_a_missing_cell_are_dropped_and_counted(void **state)
{
    (void)state;
    const double x[12] = {1, 2, NAN, 4, 2, 3, 5, 5, 3, 3, 4, NAN};
    const double a[4] = {1, NAN, 2, 3}, b[4] = {2, 4, 3, NAN};
    fx_icc r;
    fx_bland_altman ba;
    assert_int_equal(fx_icc_compute(x, 6, 2, 0.05, &r, NULL), FX_OK);
    assert_int_equal(r.n, 4);
    assert_int_equal(r.dropped, 2);
    assert_int_equal(fx_bland_altman_compute(a, b, 4, &ba, NULL), FX_OK);
    assert_int_equal(ba.n, 2);
    assert_int_equal(ba.dropped, 2);
    assert_close("bias", ba.bias, -1, 1e-15, 0);
}

static void degenerate_tables_are_refused_with_a_reason(void **state)
{
    (void)state;
    const double one[3] = {1, 2, 3}, flat[6] = {2, 2, 2, 2, 2, 2}, gaps[4] = {1, NAN, 2, NAN};
    fx_icc r;
    fx_bland_altman ba;
    fx_error err = {0};
    assert_int_equal(fx_icc_compute(one, 3, 1, 0.05, &r, &err), FX_EINVAL);
    assert_non_null(strstr(err.msg, "2 raters"));
    assert_int_equal(fx_icc_compute(one, 1, 3, 0.05, &r, &err), FX_EINVAL);
    assert_non_null(strstr(err.msg, "at least 2 subjects"));
    assert_int_equal(fx_icc_compute(flat, 3, 2, 0.05, &r, &err), FX_EINVAL);
    assert_non_null(strstr(err.msg, "no variation between subjects"));
    assert_int_equal(fx_bland_altman_compute(gaps, gaps + 2, 2, &ba, &err), FX_EINVAL);
    assert_non_null(strstr(err.msg, "1 dropped"));
}

static void rounding_noise_is_not_taken_for_variation(void **state)
{
    (void)state;
    /* Every subject measured 1.8 by one rater and 3.3 by the other: subjects do
     * not differ and there is no residual, though 1.8 and 3.3 are not exact in
     * binary. The ICC is undefined, not a number made of rounding errors. */
    const double x[8] = {1.8, 3.3, 1.8, 3.3, 1.8, 3.3, 1.8, 3.3};
    fx_icc r;
    fx_error err = {0};
    assert_int_equal(fx_icc_compute(x, 4, 2, 0.05, &r, &err), FX_EINVAL);
    assert_non_null(strstr(err.msg, "no variation between subjects"));
}

static void raters_differing_by_a_constant_have_an_infinite_f(void **state)
{
    (void)state;
    /* Rater 2 = rater 1 + 3: consistency is perfect, absolute agreement is not.
     * MSB = 28/3, MSC = 18, MSE = 0, so ICC(2,1) = MSB / (MSB + 2 MSC / 4) = 28/55. */
    const double x[8] = {1, 4, 3, 6, 6, 9, 2, 5};
    fx_icc r;
    assert_int_equal(fx_icc_compute(x, 4, 2, 0.05, &r, NULL), FX_OK);
    assert_true(r.ms_error == 0);
    assert_close("icc3", r.form[FX_ICC3].icc, 1, 1e-15, 0);
    assert_close("icc2", r.form[FX_ICC2].icc, 28.0 / 55.0, 1e-15, 0);
    assert_true(isinf(r.form[FX_ICC2].f) && r.form[FX_ICC2].p == 0);
    assert_true(isnan(r.form[FX_ICC2].ci_lo) && isnan(r.form[FX_ICC2].ci_hi));
}

int main(void)
{
    const char *src = getenv("FX_SRCDIR");
    snprintf(fixture_dir, sizeof(fixture_dir), "%s/tests/fixtures/r-psych", src ? src : ".");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(icc_matches_psych_on_every_reference_data_set),
        cmocka_unit_test(bland_altman_matches_base_r_on_every_reference_data_set),
        cmocka_unit_test(shrout_and_fleiss_published_example_gives_their_published_iccs),
        cmocka_unit_test(a_small_case_equals_the_hand_calculation),
        cmocka_unit_test(rows_with_a_missing_cell_are_dropped_and_counted),
        cmocka_unit_test(degenerate_tables_are_refused_with_a_reason),
        cmocka_unit_test(raters_differing_by_a_constant_have_an_infinite_f),
        cmocka_unit_test(rounding_noise_is_not_taken_for_variation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
