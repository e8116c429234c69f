/*
 * test_csv.c - the CSV reader on hand-written files: quoting, line ends,
 * missing cells, and the errors that must name the file, line and column.
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
#include <unistd.h>

#include "fxaudit/csv.h"

static char path[64];

static void write_file(const char *text)
{
    snprintf(path, sizeof(path), "/tmp/fxcsvXXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static void quoted_fields_crlf_and_a_bom_read_as_written(void **state)
{
    (void)state;
    fx_csv *t;
    write_file("\xEF\xBB\xBFid,note, x \r\n7,\"a, \"\"b\"\"\",1.5\r\n\r\n8,plain,\r\n");
    assert_int_equal(fx_csv_read(path, &t, NULL), 0);
    assert_int_equal(fx_csv_rows(t), 2);
    assert_int_equal(fx_csv_cols(t), 3);
    assert_string_equal(fx_csv_name(t, 2), "x");
    assert_string_equal(fx_csv_cell(t, 0, 1), "a, \"b\"");
    assert_int_equal(fx_csv_line(t, 1), 4); /* the blank line 3 is skipped */
    double *v;
    assert_int_equal(fx_csv_numbers(t, "x", &v, NULL), 0);
    assert_true(v[0] == 1.5 && isnan(v[1]));
    free(v);
    fx_csv_free(t);
    unlink(path);
}

static void na_is_missing_and_text_is_an_error_naming_line_and_column(void **state)
{
    (void)state;
    fx_csv *t;
    fx_error err;
    double *v;
    write_file("a,b\n1,NA\n2,x1\n");
    assert_int_equal(fx_csv_read(path, &t, NULL), 0);
    assert_int_equal(fx_csv_numbers(t, "b", &v, &err), FX_EFORMAT);
    assert_non_null(strstr(err.msg, "line 3, column 'b': 'x1' is not a number"));
    fx_csv_free(t);
    unlink(path);
    write_file("a\n0x10\n");
    assert_int_equal(fx_csv_read(path, &t, NULL), 0);
    assert_int_equal(fx_csv_numbers(t, "a", &v, &err), FX_EFORMAT);
    fx_csv_free(t);
    unlink(path);
    write_file("a,b\n1,NA\n2,x1\n");
    assert_int_equal(fx_csv_read(path, &t, NULL), 0);
    assert_int_equal(fx_csv_numbers(t, "c", &v, &err), FX_ENOTFOUND);
    assert_non_null(strstr(err.msg, "has no column 'c' (it has 'a', 'b')"));
    fx_csv_free(t);
    unlink(path);
}

static void ragged_rows_open_quotes_and_double_names_are_refused(void **state)
{
    (void)state;
    fx_csv *t;
    fx_error err;
    write_file("a,b\n1,2\n3\n");
    assert_int_equal(fx_csv_read(path, &t, &err), FX_EFORMAT);
    assert_non_null(strstr(err.msg, "line 3: 1 fields where the header has 2"));
    unlink(path);
    write_file("a,b\n1,\"2\n");
    assert_int_equal(fx_csv_read(path, &t, &err), FX_EFORMAT);
    assert_non_null(strstr(err.msg, "not closed"));
    unlink(path);
    write_file("a,a\n1,2\n");
    assert_int_equal(fx_csv_read(path, &t, &err), FX_EFORMAT);
    assert_non_null(strstr(err.msg, "names column 'a' twice"));
    unlink(path);
    assert_int_equal(fx_csv_read("/nonexistent/x.csv", &t, &err), FX_EIO);
    assert_non_null(strstr(err.msg, "/nonexistent/x.csv"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quoted_fields_crlf_and_a_bom_read_as_written),
        cmocka_unit_test(na_is_missing_and_text_is_an_error_naming_line_and_column),
        cmocka_unit_test(ragged_rows_open_quotes_and_double_names_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
