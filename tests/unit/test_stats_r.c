/*
 * test_stats_r.c - the statistics library against reference values computed
 * by R 4.2.2 (tests/fixtures/r/reference.txt, written by make_reference.R
 * beside it). Statistics and exact p-values must agree to 1e-10 relative,
 * asymptotic ones to 1e-8 (both with an absolute floor of 1e-15 for values
 * that are zero up to rounding). The largest relative error of each kind is
 * printed as a TAP comment; docs/statistics.md quotes it.
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

#include "fxaudit/stats.h"

#define TOL_EXACT 1e-10
#define TOL_ASYMPTOTIC 1e-8
#define MAXV 4096

struct kv {
    char key[32][16];
    double val[32];
    char text[32][24];
    int n;
};

struct rcase {
    char family[32];
    struct kv opt, want;
    double x[MAXV], y[MAXV];
    size_t nx, ny;
    int line;
};

static double max_err_exact, max_err_asym;
static int n_cases_total;

static size_t parse_nums(const char *s, double *v)
{
    size_t n = 0;
    while (*s && *s != '\t' && n < MAXV) {
        char *end;
        v[n++] = strtod(s, &end);
        s = *end == ',' ? end + 1 : end;
    }
    return n;
}

static void parse_kv(const char *s, struct kv *kv)
{
    kv->n = 0;
    while (*s && *s != '\t' && *s != '\n' && kv->n < 32) {
        const char *eq = strchr(s, '=');
        size_t kl = (size_t)(eq - s);
        snprintf(kv->key[kv->n], sizeof(kv->key[0]), "%.*s", (int)kl, s);
        const char *v = eq + 1, *e = v;
        while (*e && *e != ',' && *e != '\t' && *e != '\n')
            e++;
        snprintf(kv->text[kv->n], sizeof(kv->text[0]), "%.*s", (int)(e - v), v);
        kv->val[kv->n] = !strcmp(kv->text[kv->n], "NA") ? NAN : strtod(kv->text[kv->n], NULL);
        kv->n++;
        s = *e == ',' ? e + 1 : e;
    }
}

static const char *field_at(const char *line, int k)
{
    for (int i = 0; i < k && line; i++) {
        line = strchr(line, '\t');
        if (line)
            line++;
    }
    return line;
}

static double get(const struct kv *kv, const char *key)
{
    for (int i = 0; i < kv->n; i++)
        if (!strcmp(kv->key[i], key))
            return kv->val[i];
    return NAN;
}

static const char *gets_(const struct kv *kv, const char *key)
{
    for (int i = 0; i < kv->n; i++)
        if (!strcmp(kv->key[i], key))
            return kv->text[i];
    return "";
}

/* Relative agreement; both NaN or the same infinity count as agreeing. */
static int agree(const struct rcase *c, const char *what, double got, double want, bool asym)
{
    double tol = asym ? TOL_ASYMPTOTIC : TOL_EXACT;
    if (isnan(want) && isnan(got))
        return 1;
    if (isinf(want) || isinf(got)) {
        if (got == want)
            return 1;
    } else if (!isnan(got) && !isnan(want)) {
        double e = fabs(got - want), rel = e / fmax(fabs(want), 1e-300);
        if (e <= 1e-15)
            rel = 0;
        double *mx = asym ? &max_err_asym : &max_err_exact;
        if (rel > *mx)
            *mx = rel;
        if (rel <= tol)
            return 1;
    }
    print_message("# line %d (%s): %s = %.17g, R gives %.17g\n", c->line, c->family, what, got,
                  want);
    return 0;
}

static fx_alternative alt_of(const struct kv *o)
{
    const char *a = gets_(o, "alt");
    return !strcmp(a, "less")      ? FX_ALT_LESS
           : !strcmp(a, "greater") ? FX_ALT_GREATER
                                   : FX_ALT_TWO_SIDED;
}

static void opts_of(const struct kv *o, fx_wilcoxon_opts *w)
{
    fx_wilcoxon_opts_init(w);
    w->alternative = alt_of(o);
    const char *e = gets_(o, "exact");
    w->exact = !strcmp(e, "yes") ? FX_EXACT_YES : !strcmp(e, "no") ? FX_EXACT_NO : FX_EXACT_AUTO;
    w->correct = get(o, "correct") != 0;
    w->conf_int = get(o, "ci") == 1;
}

static int check_wilcoxon(const struct rcase *c)
{
    fx_wilcoxon_opts o;
    fx_wilcoxon_result r;
    fx_error err;
    opts_of(&c->opt, &o);
    if (fx_wilcoxon_paired(c->x, c->y, c->nx, &o, &r, &err)) {
        print_message("# line %d: %s\n", c->line, err.msg);
        return 0;
    }
    bool asym = r.kind != FX_WILCOXON_EXACT;
    int ok = agree(c, "V", r.statistic, get(&c->want, "V"), false) &
             agree(c, "p", r.p, get(&c->want, "p"), asym) &
             ((r.kind == FX_WILCOXON_EXACT) == (get(&c->want, "exactp") == 1));
    if (o.conf_int)
        ok &= agree(c, "estimate", r.estimate, get(&c->want, "estimate"), asym) &
              agree(c, "ci lower", r.conf_int[0], get(&c->want, "lo"), asym) &
              agree(c, "ci upper", r.conf_int[1], get(&c->want, "hi"), asym) &
              agree(c, "conf level", r.conf_level, get(&c->want, "level"), asym);
    return ok;
}

static int check_zero(const struct rcase *c)
{
    fx_wilcoxon_opts o;
    fx_wilcoxon_result r, e;
    fx_error err;
    opts_of(&c->opt, &o);
    const char *zm = gets_(&c->opt, "zm");
    o.zero_method = !strcmp(zm, "pratt")    ? FX_ZERO_PRATT
                    : !strcmp(zm, "zsplit") ? FX_ZERO_ZSPLIT
                                            : FX_ZERO_WILCOX;
    o.exact = FX_EXACT_NO;
    if (fx_wilcoxon_paired(c->x, c->y, c->nx, &o, &r, &err))
        return print_message("# line %d: %s\n", c->line, err.msg), 0;
    o.exact = FX_EXACT_YES;
    if (fx_wilcoxon_paired(c->x, c->y, c->nx, &o, &e, &err))
        return print_message("# line %d: %s\n", c->line, err.msg), 0;
    return agree(c, "V", r.statistic, get(&c->want, "V"), false) &
           agree(c, "z", r.z, get(&c->want, "z"), true) &
           agree(c, "p", r.p, get(&c->want, "p"), true) &
           agree(c, "exact conditional p", e.p, get(&c->want, "pexact"), false);
}

static int check_spss(const struct rcase *c)
{
    fx_wilcoxon_opts o;
    fx_wilcoxon_result r;
    fx_error err;
    fx_wilcoxon_opts_init(&o);
    o.spss = true;
    if (fx_wilcoxon_paired(c->x, c->y, c->nx, &o, &r, &err))
        return print_message("# line %d: %s\n", c->line, err.msg), 0;
    return agree(c, "V", r.statistic, get(&c->want, "V"), false) &
           agree(c, "z", r.z, get(&c->want, "z"), true) &
           agree(c, "p", r.p, get(&c->want, "p"), true);
}

static int check_mannwhitney(const struct rcase *c)
{
    fx_wilcoxon_opts o;
    fx_ranksum_result r;
    fx_error err;
    opts_of(&c->opt, &o);
    if (fx_mannwhitney(c->x, c->nx, c->y, c->ny, &o, &r, &err))
        return print_message("# line %d: %s\n", c->line, err.msg), 0;
    bool asym = !r.exact;
    return agree(c, "W", r.statistic, get(&c->want, "W"), false) &
           agree(c, "p", r.p, get(&c->want, "p"), asym) &
           agree(c, "estimate", r.estimate, get(&c->want, "estimate"), asym) &
           agree(c, "ci lower", r.conf_int[0], get(&c->want, "lo"), asym) &
           agree(c, "ci upper", r.conf_int[1], get(&c->want, "hi"), asym) &
           agree(c, "conf level", r.conf_level, get(&c->want, "level"), asym) &
           (r.exact == (get(&c->want, "exactp") == 1));
}

static int check_spearman(const struct rcase *c)
{
    fx_spearman_result r;
    fx_error err;
    if (fx_spearman(c->x, c->y, c->nx, alt_of(&c->opt), &r, &err))
        return print_message("# line %d: %s\n", c->line, err.msg), 0;
    /* exact enumeration is exact; the Edgeworth series and t are approximations */
    bool asym = !(r.exact && r.n <= 9);
    return agree(c, "rho", r.rho, get(&c->want, "rho"), false) &
           agree(c, "S", r.statistic, get(&c->want, "S"), false) &
           agree(c, "p", r.p, get(&c->want, "p"), asym);
}

static int check_spearman_t(const struct rcase *c)
{
    fx_spearman_result r;
    fx_error err;
    if (fx_spearman_t(c->x, c->y, c->nx, alt_of(&c->opt), &r, &err))
        return print_message("# line %d: %s\n", c->line, err.msg), 0;
    return agree(c, "rho", r.rho, get(&c->want, "rho"), false) &
           agree(c, "p", r.p, get(&c->want, "p"), true);
}

static int check_friedman(const struct rcase *c)
{
    size_t k = (size_t)get(&c->opt, "k"), n = c->nx / k;
    fx_wilcoxon_opts o;
    fx_friedman_result r;
    fx_error err;
    fx_wilcoxon_opts_init(&o);
    if (fx_friedman(c->x, n, k, &o, &r, &err))
        return print_message("# line %d: %s\n", c->line, err.msg), 0;
    int ok = agree(c, "chi-squared", r.statistic, get(&c->want, "chisq"), false) &
             agree(c, "df", r.df, get(&c->want, "df"), false) &
             agree(c, "p", r.p, get(&c->want, "p"), true);
    for (size_t i = 0; i < r.n_pairs; i++) {
        char key[32];
        snprintf(key, sizeof(key), "holm%zu", i + 1);
        bool asym = r.pairs[i].test.kind != FX_WILCOXON_EXACT;
        ok &= agree(c, key, r.pairs[i].p_holm, get(&c->want, key), asym);
    }
    fx_friedman_result_free(&r);
    return ok;
}

static int check_describe(const struct rcase *c)
{
    fx_describe d;
    fx_error err;
    if (fx_stats_describe(c->x, c->nx, (int)get(&c->opt, "type"), &d, &err))
        return print_message("# line %d: %s\n", c->line, err.msg), 0;
    return agree(c, "mean", d.mean, get(&c->want, "mean"), false) &
           agree(c, "sd", d.sd, get(&c->want, "sd"), false) &
           agree(c, "median", d.median, get(&c->want, "median"), false) &
           agree(c, "q1", d.q1, get(&c->want, "q1"), false) &
           agree(c, "q3", d.q3, get(&c->want, "q3"), false) &
           agree(c, "min", d.min, get(&c->want, "min"), false) &
           agree(c, "max", d.max, get(&c->want, "max"), false);
}

static int check_meandiff(const struct rcase *c)
{
    fx_mean_diff m;
    fx_error err;
    if (fx_stats_mean_diff(c->x, c->y, c->nx, 0.95, &m, &err))
        return print_message("# line %d: %s\n", c->line, err.msg), 0;
    return agree(c, "mean", m.mean, get(&c->want, "mean"), false) &
           agree(c, "t", m.t, get(&c->want, "t"), false) &
           agree(c, "ci lower", m.conf_int[0], get(&c->want, "lo"), true) &
           agree(c, "ci upper", m.conf_int[1], get(&c->want, "hi"), true) &
           agree(c, "p", m.p, get(&c->want, "p"), true);
}

/* Run every case of `family`; returns the number that disagree. */
static int run_family(const char *family, int (*check)(const struct rcase *), int *count)
{
    const char *src = getenv("FX_SRCDIR");
    char path[4096];
    snprintf(path, sizeof(path), "%s/tests/fixtures/r/reference.txt", src ? src : ".");
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open '%s' (set FX_SRCDIR to the source tree)", path);
    static char line[1 << 17];
    static struct rcase c;
    int bad = 0, ln = 0;
    *count = 0;
    while (fgets(line, sizeof(line), f)) {
        ln++;
        size_t fl = strcspn(line, "\t");
        if (fl != strlen(family) || strncmp(line, family, fl))
            continue;
        snprintf(c.family, sizeof(c.family), "%s", family);
        c.line = ln;
        parse_kv(field_at(line, 1), &c.opt);
        c.nx = parse_nums(field_at(line, 2), c.x);
        c.ny = parse_nums(field_at(line, 3), c.y);
        parse_kv(field_at(line, 4), &c.want);
        bad += !check(&c);
        ++*count;
    }
    fclose(f);
    n_cases_total += *count;
    return bad;
}

#define FAMILY_TEST(fn, family, checker, at_least)                                                 \
    static void fn(void **state)                                                                   \
    {                                                                                              \
        (void)state;                                                                               \
        int n, bad = run_family(family, checker, &n);                                              \
        print_message("# %s: %d cases, %d disagree\n", family, n, bad);                            \
        assert_true(n >= at_least);                                                                \
        assert_int_equal(bad, 0);                                                                  \
    }

FAMILY_TEST(signed_rank_tests_agree_with_r_wilcox_test_paired, "wilcoxon", check_wilcoxon, 150)
FAMILY_TEST(zero_methods_and_exact_conditional_p_agree_with_their_definitions, "signrank_zero",
            check_zero, 30)
FAMILY_TEST(spss_mode_agrees_with_the_hand_formula, "spss", check_spss, 5)
FAMILY_TEST(rank_sum_tests_agree_with_r_wilcox_test_unpaired, "mannwhitney", check_mannwhitney, 30)
FAMILY_TEST(spearman_agrees_with_r_cor_test, "spearman", check_spearman, 80)
FAMILY_TEST(spearman_spss_mode_agrees_with_the_t_formula, "spearman_t", check_spearman_t, 5)
FAMILY_TEST(friedman_and_holm_post_hoc_agree_with_r, "friedman", check_friedman, 10)
FAMILY_TEST(descriptives_agree_with_r_quantile_types_6_and_7, "describe", check_describe, 40)
FAMILY_TEST(paired_mean_difference_agrees_with_r_t_test, "meandiff", check_meandiff, 5)

static void the_suite_holds_at_least_200_cases(void **state)
{
    (void)state;
    print_message("# %d R cases; largest relative error: exact %.3g, asymptotic %.3g\n",
                  n_cases_total, max_err_exact, max_err_asym);
    assert_true(n_cases_total >= 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(signed_rank_tests_agree_with_r_wilcox_test_paired),
        cmocka_unit_test(zero_methods_and_exact_conditional_p_agree_with_their_definitions),
        cmocka_unit_test(spss_mode_agrees_with_the_hand_formula),
        cmocka_unit_test(rank_sum_tests_agree_with_r_wilcox_test_unpaired),
        cmocka_unit_test(spearman_agrees_with_r_cor_test),
        cmocka_unit_test(spearman_spss_mode_agrees_with_the_t_formula),
        cmocka_unit_test(friedman_and_holm_post_hoc_agree_with_r),
        cmocka_unit_test(descriptives_agree_with_r_quantile_types_6_and_7),
        cmocka_unit_test(paired_mean_difference_agrees_with_r_t_test),
        cmocka_unit_test(the_suite_holds_at_least_200_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
