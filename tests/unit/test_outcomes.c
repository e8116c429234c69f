/*
 * test_outcomes.c - SMFA forms in the study: dates turned into months after
 * surgery (hand-counted days), validation before anything is written, and a
 * stored form whose answers and scores are counted back from the database.
 */
#define _XOPEN_SOURCE 700 /* nftw, mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/smfastore.h"

static void months_are_days_over_an_average_gregorian_month(void **state)
{
    (void)state;
    double m;
    /* 90 days / 30.4375 = 2.9569 */
    assert_int_equal(fx_smfastore_months("2026-04-01", "2026-01-01", &m, NULL), 0);
    assert_true(fabs(m - 2.96) < 1e-12);
    /* 2024 is a leap year: 28 Feb to 1 Mar is 2 days (0.0657 months) */
    assert_int_equal(fx_smfastore_months("2024-03-01", "2024-02-28", &m, NULL), 0);
    assert_true(fabs(m - 0.07) < 1e-12);
    /* 2023 is not: 1 day (0.0329) */
    assert_int_equal(fx_smfastore_months("2023-03-01", "2023-02-28", &m, NULL), 0);
    assert_true(fabs(m - 0.03) < 1e-12);
    /* 366 days across 2024 = 12.0246 months; 365 days of 2025 = 11.9918 */
    assert_int_equal(fx_smfastore_months("2025-01-01", "2024-01-01", &m, NULL), 0);
    assert_true(fabs(m - 12.02) < 1e-12);
    assert_int_equal(fx_smfastore_months("2026-01-01", "2025-01-01", &m, NULL), 0);
    assert_true(fabs(m - 11.99) < 1e-12);
    assert_int_equal(fx_smfastore_months("2026-01-01", "2026-01-01", &m, NULL), 0);
    assert_true(m == 0);
}

static void impossible_dates_and_forms_before_surgery_are_refused(void **state)
{
    (void)state;
    double m;
    fx_error err;
    assert_int_equal(fx_smfastore_months("2023-02-29", "2023-01-01", &m, &err), FX_EFORMAT);
    assert_non_null(strstr(err.msg, "2023-02-29"));
    assert_int_equal(fx_smfastore_months("2026-13-01", "2026-01-01", &m, NULL), FX_EFORMAT);
    assert_int_equal(fx_smfastore_months("2026-1-01", "2026-01-01", &m, NULL), FX_EFORMAT);
    assert_int_equal(fx_smfastore_months("01-01-2026", "2026-01-01", &m, NULL), FX_EFORMAT);
    assert_int_equal(fx_smfastore_months("2025-12-31", "2026-01-01", &m, &err), FX_EINVAL);
    assert_non_null(strstr(err.msg, "before the surgery"));
}

static void entry(fx_smfa_entry *e, const char *occasion, double months, int answer)
{
    memset(e, 0, sizeof(*e));
    snprintf(e->patient, sizeof(e->patient), "P01");
    snprintf(e->occasion, sizeof(e->occasion), "%s", occasion);
    e->months_after_surgery = months;
    for (int i = 0; i < FX_SMFA_ITEMS; i++)
        e->answers[i] = answer;
}

static void a_form_is_checked_before_anything_is_written(void **state)
{
    (void)state;
    fx_smfa_entry e;
    fx_error err;
    entry(&e, "3-months", 3, 2);
    assert_int_equal(fx_smfastore_check(&e, NULL), 0);
    entry(&e, "other", NAN, 2);
    assert_int_equal(fx_smfastore_check(&e, &err), FX_EINVAL);
    assert_non_null(strstr(err.msg, "'other' needs its time"));
    entry(&e, "2-weeks", 0.5, 2);
    assert_int_equal(fx_smfastore_check(&e, &err), FX_EINVAL);
    assert_non_null(strstr(err.msg, "3-months")); /* lists the study's occasions */
    entry(&e, "1-year", 12, 2);
    e.answers[16] = 7;
    assert_int_equal(fx_smfastore_check(&e, &err), FX_EINVAL);
    assert_non_null(strstr(err.msg, "item 17"));
    entry(&e, "1-year", -1, 2);
    assert_int_equal(fx_smfastore_check(&e, NULL), FX_EINVAL);
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)sb, (void)flag, (void)f;
    return remove(p);
}

static long long count(fx_store *s, const char *sql)
{
    json_t *rows = NULL;
    assert_int_equal(fx_store_query(s, sql, NULL, 0, &rows, NULL), 0);
    long long n = json_integer_value(json_object_get(json_array_get(rows, 0), "n"));
    json_decref(rows);
    return n;
}

static void a_stored_form_has_a_row_per_answered_item_and_per_scale(void **state)
{
    (void)state;
    char tmp[] = "/tmp/fxoutXXXXXX", dir[64];
    fx_store *s = NULL;
    fx_patient p;
    fx_smfa_entry e;
    fx_smfa_scoring sc = {.min_percent = 50};
    json_t *out = NULL;
    fx_error err;
    assert_non_null(mkdtemp(tmp));
    snprintf(dir, sizeof(dir), "%s/s", tmp);
    assert_int_equal(fx_store_init(dir, "unit", &s, &err), 0);
    fx_patient_init(&p);
    snprintf(p.code, sizeof(p.code), "P01");
    assert_int_equal(fx_store_patient_add(s, &p, &err), 0);

    /* 40 answered: items 1-30 = 3 and 35-44 = 5; 31-34, 45, 46 unanswered.
     * function: (90 - 30) / 120 x 100 = 50; bother: (50 - 10) / 40 x 100 = 100 */
    entry(&e, "1-year", 12, 0);
    for (int i = 0; i < 30; i++)
        e.answers[i] = 3;
    for (int i = 34; i < 44; i++)
        e.answers[i] = 5;
    assert_int_equal(fx_smfastore_add(s, &e, &sc, &out, &err), 0);
    assert_true(fabs(json_real_value(json_object_get(
                         json_object_get(json_object_get(out, "scores"), "function"), "score")) -
                     50) < 1e-12);
    json_decref(out);
    assert_int_equal(count(s, "SELECT count(*) AS n FROM smfa_answers"), 40);
    assert_int_equal(count(s, "SELECT count(*) AS n FROM smfa_scores"), 2);
    assert_int_equal(count(s, "SELECT count(*) AS n FROM smfa_scores WHERE scale = 'bother' "
                              "AND score = 100 AND items_used = 10"),
                     1);

    /* the same occasion again: refused, and no half form is left */
    assert_int_equal(fx_smfastore_add(s, &e, &sc, NULL, &err), FX_ECONFLICT);
    assert_int_equal(count(s, "SELECT count(*) AS n FROM smfa_forms"), 1);
    assert_int_equal(count(s, "SELECT count(*) AS n FROM smfa_answers"), 40);
    fx_store_close(s);
    nftw(tmp, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(months_are_days_over_an_average_gregorian_month),
        cmocka_unit_test(impossible_dates_and_forms_before_surgery_are_refused),
        cmocka_unit_test(a_form_is_checked_before_anything_is_written),
        cmocka_unit_test(a_stored_form_has_a_row_per_answered_item_and_per_scale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
