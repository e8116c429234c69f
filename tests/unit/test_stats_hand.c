/*
 * test_stats_hand.c - the statistics kernels on cases small enough to work
 * out by hand, and the edge cases where a test is undefined.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "fxaudit/smfa.h"
#include "fxaudit/stats.h"

static void signed_rank_distribution_of_three_counts_subsets_by_hand(void **state)
{
    (void)state;
    /* subsets of {1,2,3} by sum 0..6: 1 1 1 2 1 1 1, out of 8 */
    double p, q;
    assert_int_equal(fx_signrank_cdf(1, 3, true, &p, NULL), 0);
    assert_true(p == 2.0 / 8);
    assert_int_equal(fx_signrank_cdf(3, 3, false, &p, NULL), 0);
    assert_true(p == 3.0 / 8);
    assert_int_equal(fx_signrank_quantile(0.3, 3, &q, NULL), 0);
    assert_true(q == 2); /* P(V <= 1) = 0.25 < 0.3 <= P(V <= 2) = 0.375 */
}

static void rank_sum_distribution_of_two_and_two_counts_arrangements_by_hand(void **state)
{
    (void)state;
    /* W = 0..4 with counts 1 1 2 1 1 out of choose(4, 2) = 6 */
    double p;
    assert_int_equal(fx_ranksum_cdf(1, 2, 2, true, &p, NULL), 0);
    assert_true(fabs(p - 2.0 / 6) < 1e-15);
    assert_int_equal(fx_ranksum_cdf(2, 2, 2, false, &p, NULL), 0);
    assert_true(fabs(p - 2.0 / 6) < 1e-15);
}

static void conditional_distribution_of_two_tied_scores_has_three_values(void **state)
{
    (void)state;
    /* scores 3 and 3: T = 0, 3, 6 with probabilities 1/4, 1/2, 1/4 */
    long a[2] = {3, 3};
    double le, ge;
    assert_int_equal(fx_signrank_conditional(a, 2, 3, &le, &ge, NULL), 0);
    assert_true(le == 0.75 && ge == 0.75);
    assert_int_equal(fx_signrank_conditional(a, 2, 0, &le, &ge, NULL), 0);
    assert_true(le == 0.25 && ge == 1);
}

static void spss_mode_gives_z_2_803_for_ten_positive_differences(void **state)
{
    (void)state;
    double d[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    fx_wilcoxon_opts o;
    fx_wilcoxon_result r;
    fx_wilcoxon_opts_init(&o);
    o.spss = true;
    assert_int_equal(fx_wilcoxon_signed(d, 10, &o, &r, NULL), 0);
    /* W- = 0, mean 27.5, variance 10 * 11 * 21 / 24 = 96.25 */
    assert_true(fabs(r.z + 27.5 / sqrt(96.25)) < 1e-14);
    assert_true(fabs(r.p - 0.00506) < 5e-6);
    assert_non_null(strstr(r.method, "SPSS"));
}

static void undefined_tests_fail_and_say_why(void **state)
{
    (void)state;
    double z[3] = {0, 0, 0}, c[3] = {5, 5, 5}, x[3] = {1, 2, 3};
    fx_wilcoxon_opts o;
    fx_wilcoxon_result w;
    fx_spearman_result s;
    fx_ranksum_result m;
    fx_error err;
    fx_wilcoxon_opts_init(&o);
    assert_int_equal(fx_wilcoxon_signed(z, 3, &o, &w, &err), FX_EINVAL);
    assert_non_null(strstr(err.msg, "all 3 differences are zero"));
    assert_int_equal(fx_wilcoxon_signed(z, 0, &o, &w, &err), FX_EINVAL);
    assert_int_equal(fx_spearman(x, c, 3, FX_ALT_TWO_SIDED, &s, &err), FX_EINVAL);
    assert_non_null(strstr(err.msg, "constant"));
    assert_int_equal(fx_spearman(x, x, 1, FX_ALT_TWO_SIDED, &s, &err), FX_EINVAL);
    assert_int_equal(fx_mannwhitney(x, 3, c, 0, &o, &m, &err), FX_EINVAL);
}

static void one_value_has_no_sd_and_every_quantile_is_that_value(void **state)
{
    (void)state;
    double x = 4.25;
    fx_describe d;
    assert_int_equal(fx_stats_describe(&x, 1, 6, &d, NULL), 0);
    assert_true(isnan(d.sd) && d.q1 == x && d.median == x && d.q3 == x);
    assert_int_equal(fx_stats_describe(&x, 0, 6, &d, NULL), FX_EINVAL);
    assert_int_equal(fx_stats_describe(&x, 1, 5, &d, NULL), FX_EINVAL);
}

static void holm_multiplies_by_the_remaining_count_and_keeps_order(void **state)
{
    (void)state;
    /* sorted 0.01, 0.03, 0.04 -> 0.03, 0.06, max(0.06, 0.04) = 0.06 */
    double p[3] = {0.01, 0.04, 0.03}, q[3];
    assert_int_equal(fx_stats_holm(p, 3, q, NULL), 0);
    assert_true(fabs(q[0] - 0.03) < 1e-15 && fabs(q[1] - 0.06) < 1e-15 &&
                fabs(q[2] - 0.06) < 1e-15);
}

static double square_minus_two(double x, void *ctx)
{
    (void)ctx;
    return x * x - 2;
}

static void brent_finds_the_square_root_of_two_within_its_tolerance(void **state)
{
    (void)state;
    double r;
    assert_int_equal(fx_stats_zeroin(square_minus_two, NULL, 0, 2, -2, 2, 1e-10, &r, NULL), 0);
    assert_true(fabs(r - sqrt(2)) < 1e-10);
    assert_int_not_equal(fx_stats_zeroin(square_minus_two, NULL, 2, 3, 2, 7, 1e-4, &r, NULL), 0);
}

static void smfa_needs_half_the_items_rounded_up(void **state)
{
    (void)state;
    assert_int_equal(fx_smfa_required(34, 50), 17);
    assert_int_equal(fx_smfa_required(12, 50), 6);
    assert_int_equal(fx_smfa_required(5, 50), 3);
    assert_int_equal(fx_smfa_required(34, 100), 34);
    fx_smfa_form f;
    fx_smfa_score s;
    memset(&f, 0, sizeof(f));
    for (int i = 0; i < 34; i++)
        f.answer[i] = (unsigned char)(1 + i % 5); /* 1..5 repeating: sum 100 */
    fx_smfa_score_scale(&f, &fx_smfa_function_index, 50, &s);
    assert_true(fabs(s.score - (100.0 - 34) / 136 * 100) < 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(signed_rank_distribution_of_three_counts_subsets_by_hand),
        cmocka_unit_test(rank_sum_distribution_of_two_and_two_counts_arrangements_by_hand),
        cmocka_unit_test(conditional_distribution_of_two_tied_scores_has_three_values),
        cmocka_unit_test(spss_mode_gives_z_2_803_for_ten_positive_differences),
        cmocka_unit_test(undefined_tests_fail_and_say_why),
        cmocka_unit_test(one_value_has_no_sd_and_every_quantile_is_that_value),
        cmocka_unit_test(holm_multiplies_by_the_remaining_count_and_keeps_order),
        cmocka_unit_test(brent_finds_the_square_root_of_two_within_its_tolerance),
        cmocka_unit_test(smfa_needs_half_the_items_rounded_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
