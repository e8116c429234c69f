/*
 * test_grade.c - grading schemes: the built-in Matta and CT (Verbeek) schemes
 * at and around their published cut-offs (domain.md, "Reduction quality"), and
 * the checks that reject a malformed scheme file with a message naming it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fxaudit/grade.h"

static const char *grade_of(const char *scheme, double gap, double step)
{
    static char name[64];
    fx_scheme *s = NULL;
    fx_grade g;
    fx_error err = {0};
    assert_int_equal(fx_scheme_load_builtin(scheme, &s, &err), FX_OK);
    assert_int_equal(fx_grade_apply(s, gap, step, &g, &err), FX_OK);
    snprintf(name, sizeof(name), "%s", g.grade);
    fx_scheme_free(s);
    return name;
}

static void matta_grades_a_displacement_of_exactly_1_mm_anatomical(void **state)
{
    (void)state;
    assert_string_equal(grade_of("matta", 1.0, 0.0), "anatomical");
    assert_string_equal(grade_of("matta", 0.0, 1.0), "anatomical");
    assert_string_equal(grade_of("matta", nextafter(1.0, 0), 0.2), "anatomical");
    assert_string_equal(grade_of("matta", 0, 0), "anatomical");
}

static void matta_grades_just_over_1_mm_imperfect(void **state)
{
    (void)state;
    assert_string_equal(grade_of("matta", nextafter(1.0, 2), 0.0), "imperfect");
    assert_string_equal(grade_of("matta", 0.5, 1.001), "imperfect");
}

static void matta_grades_exactly_3_mm_imperfect_and_just_over_poor(void **state)
{
    (void)state;
    assert_string_equal(grade_of("matta", 3.0, 0.0), "imperfect");
    assert_string_equal(grade_of("matta", 2.999, 3.0), "imperfect");
    assert_string_equal(grade_of("matta", nextafter(3.0, 0), 0), "imperfect");
    assert_string_equal(grade_of("matta", nextafter(3.0, 4), 0), "poor");
    assert_string_equal(grade_of("matta", 0.0, 3.001), "poor");
    assert_string_equal(grade_of("matta", 5.0, 5.0), "poor");
}

static void matta_uses_the_larger_of_gap_and_step(void **state)
{
    (void)state;
    fx_scheme *s = NULL;
    fx_grade g;
    assert_int_equal(fx_scheme_load_builtin("matta", &s, NULL), FX_OK);
    assert_int_equal(fx_grade_apply(s, 0.5, 3.2, &g, NULL), FX_OK);
    assert_string_equal(g.grade, "poor");
    assert_true(g.displacement_mm == 3.2);
    assert_string_equal(g.rule, "otherwise");
    assert_string_equal(fx_scheme_name(s), "matta");
    assert_non_null(strstr(fx_scheme_note(s), "continuous reading"));
    assert_non_null(strstr(fx_scheme_source(s), "Matta"));
    fx_scheme_free(s);
}

static void ct_grades_a_gap_of_exactly_5_mm_inadequate(void **state)
{
    (void)state;
    assert_string_equal(grade_of("ct", 5.0, 0.0), "inadequate");
    assert_string_equal(grade_of("ct", nextafter(5.0, 0), 0.0), "adequate");
    assert_string_equal(grade_of("ct", 4.99, 0.99), "adequate");
    assert_string_equal(grade_of("ct", 5.01, 0.0), "inadequate");
}

static void ct_grades_a_step_of_exactly_1_mm_inadequate(void **state)
{
    (void)state;
    assert_string_equal(grade_of("ct", 0.0, 1.0), "inadequate");
    assert_string_equal(grade_of("ct", 0.0, nextafter(1.0, 0)), "adequate");
    assert_string_equal(grade_of("ct", 4.9, 1.01), "inadequate");
    assert_string_equal(grade_of("ct", 0, 0), "adequate");
}

static void ct_needs_both_gap_and_step_small(void **state)
{
    (void)state;
    /* Displacement 3 mm is "imperfect" by Matta but adequate by CT: the schemes
     * look at different things. */
    assert_string_equal(grade_of("ct", 3.0, 0.5), "adequate");
    assert_string_equal(grade_of("matta", 3.0, 0.5), "imperfect");
    assert_string_equal(grade_of("ct", 6.0, 0.5), "inadequate");
}

static void negative_or_non_finite_input_is_refused(void **state)
{
    (void)state;
    fx_scheme *s = NULL;
    fx_grade g;
    fx_error err = {0};
    assert_int_equal(fx_scheme_load_builtin("ct", &s, NULL), FX_OK);
    assert_int_equal(fx_grade_apply(s, -0.1, 0, &g, &err), FX_EINVAL);
    assert_int_equal(fx_grade_apply(s, 0, NAN, &g, &err), FX_EINVAL);
    assert_int_equal(fx_grade_apply(s, INFINITY, 0, &g, &err), FX_EINVAL);
    fx_scheme_free(s);
}

static void a_user_scheme_grades_by_its_own_conditions(void **state)
{
    (void)state;
    const char *text = "{\"fxaudit_scheme\": 1, \"name\": \"mine\", \"source\": \"test\","
                       " \"grades\": [{\"grade\": \"perfect\", \"when\": [[\"gap_mm\", \"<=\", 2],"
                       " [\"step_mm\", \"<=\", 0.5]]}, {\"grade\": \"good\", \"when\":"
                       " [[\"displacement_mm\", \"<\", 4]]}, {\"grade\": \"fair\"}]}";
    fx_scheme *s = NULL;
    fx_grade g;
    assert_int_equal(fx_scheme_parse(text, "mine.json", false, &s, NULL), FX_OK);
    assert_int_equal(fx_grade_apply(s, 2, 0.5, &g, NULL), FX_OK);
    assert_string_equal(g.grade, "perfect");
    assert_string_equal(g.rule, "gap_mm <= 2 and step_mm <= 0.5");
    assert_int_equal(fx_grade_apply(s, 2, 0.6, &g, NULL), FX_OK);
    assert_string_equal(g.grade, "good");
    assert_int_equal(fx_grade_apply(s, 4, 0, &g, NULL), FX_OK);
    assert_string_equal(g.grade, "fair");
    assert_false(fx_scheme_is_builtin(s));
    fx_scheme_free(s);
}

/* Each malformed scheme must be refused with a message naming the file and a
 * phrase that points at the problem. */
static void expect_refused(const char *text, const char *phrase)
{
    fx_scheme *s = (fx_scheme *)1;
    fx_error err = {0};
    assert_int_not_equal(fx_scheme_parse(text, "bad.json", false, &s, &err), FX_OK);
    assert_null(s);
    assert_non_null(strstr(err.msg, "'bad.json'"));
    if (!strstr(err.msg, phrase))
        fail_msg("message '%s' lacks '%s'", err.msg, phrase);
}

#define HEAD "{\"fxaudit_scheme\": 1, \"name\": \"x\", \"source\": \"s\", "
#define LAST "{\"grade\": \"b\"}"

static void malformed_scheme_files_are_refused_with_the_reason(void **state)
{
    (void)state;
    expect_refused("{\"fxaudit_scheme\": 1,", "not valid JSON");
    expect_refused("[1, 2]", "top level");
    expect_refused("{\"name\": \"x\", \"source\": \"s\"}", "fxaudit_scheme");
    expect_refused("{\"fxaudit_scheme\": 2, \"name\": \"x\", \"source\": \"s\"}", "version 2");
    expect_refused(HEAD "\"grades\": [" LAST "]}", "at least two grades");
    expect_refused(HEAD "\"grades\": [{\"grade\": \"a\"}, " LAST "]}", "could never apply");
    expect_refused(HEAD "\"grades\": [{\"grade\": \"a\", \"when\": [[\"gap_mm\", \"<\", 1]]},"
                        " {\"grade\": \"b\", \"when\": [[\"gap_mm\", \">=\", 1]]}]}",
                   "must have no conditions");
    expect_refused(HEAD "\"grades\": [{\"grade\": \"a\", \"when\": [[\"gapmm\", \"<\", 1]]}, " LAST
                        "]}",
                   "unknown quantity 'gapmm'");
    expect_refused(
        HEAD "\"grades\": [{\"grade\": \"a\", \"when\": [[\"gap_mm\", \"=<\", 1]]}, " LAST "]}",
        "unknown relation '=<'");
    expect_refused(
        HEAD "\"grades\": [{\"grade\": \"a\", \"when\": [[\"gap_mm\", \"<\", -1]]}, " LAST "]}",
        ">= 0 mm");
    expect_refused(HEAD "\"grades\": [{\"grade\": \"a\", \"when\": [[\"gap_mm\", 1]]}, " LAST "]}",
                   "[quantity, relation, number]");
    expect_refused(
        HEAD "\"grades\": [{\"grade\": \"Good\", \"when\": [[\"gap_mm\", \"<\", 1]]}, " LAST "]}",
        "lower-case");
    expect_refused(HEAD "\"grades\": [{\"grade\": \"b\", \"when\": [[\"gap_mm\", \"<\", 1]]}, " LAST
                        "]}",
                   "listed twice");
    expect_refused(HEAD "\"grades\": [{\"grade\": \"a\", \"wehn\": [[\"gap_mm\", \"<\", 1]]}, " LAST
                        "]}",
                   "unknown key 'wehn'");
    expect_refused("{\"fxaudit_scheme\": 1, \"name\": \"x\", \"grades\": []}", "\"source\"");
    expect_refused("{\"fxaudit_scheme\": 1, \"name\": \"ct\", \"source\": \"s\", \"grades\": "
                   "[{\"grade\": \"a\", \"when\": [[\"gap_mm\", \"<\", 1]]}, " LAST "]}",
                   "built-in");
    expect_refused("{\"fxaudit_scheme\": 1, \"name\": \"x\", \"name\": \"y\"}", "duplicate");
}

static void a_missing_scheme_file_is_an_io_error_naming_it(void **state)
{
    (void)state;
    fx_scheme *s = NULL;
    fx_error err = {0};
    assert_int_equal(fx_scheme_load("/nonexistent/scheme.json", &s, &err), FX_EIO);
    assert_non_null(strstr(err.msg, "'/nonexistent/scheme.json'"));
    assert_int_equal(fx_scheme_load_builtin("perfect", &s, &err), FX_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matta_grades_a_displacement_of_exactly_1_mm_anatomical),
        cmocka_unit_test(matta_grades_just_over_1_mm_imperfect),
        cmocka_unit_test(matta_grades_exactly_3_mm_imperfect_and_just_over_poor),
        cmocka_unit_test(matta_uses_the_larger_of_gap_and_step),
        cmocka_unit_test(ct_grades_a_gap_of_exactly_5_mm_inadequate),
        cmocka_unit_test(ct_grades_a_step_of_exactly_1_mm_inadequate),
        cmocka_unit_test(ct_needs_both_gap_and_step_small),
        cmocka_unit_test(negative_or_non_finite_input_is_refused),
        cmocka_unit_test(a_user_scheme_grades_by_its_own_conditions),
        cmocka_unit_test(malformed_scheme_files_are_refused_with_the_reason),
        cmocka_unit_test(a_missing_scheme_file_is_an_io_error_naming_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
