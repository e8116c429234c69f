/*
 * test_png.c - a written PNG reads back, pixel for pixel, through libpng's
 * own reader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fxaudit/png.h"

static void rgb_image_reads_back_unchanged(void **state)
{
    (void)state;
    uint8_t px[4 * 3 * 3];
    char path[] = "/tmp/fxpngXXXXXX";
    int fd = mkstemp(path);
    png_image img;
    uint8_t back[sizeof(px)];

    assert_true(fd >= 0);
    close(fd);
    for (size_t i = 0; i < sizeof(px); i++)
        px[i] = (uint8_t)(i * 19);
    assert_int_equal(fx_png_write(path, px, 4, 3, 3, NULL), 0);
    memset(&img, 0, sizeof(img));
    img.version = PNG_IMAGE_VERSION;
    assert_true(png_image_begin_read_from_file(&img, path));
    assert_int_equal(img.width, 4);
    assert_int_equal(img.height, 3);
    img.format = PNG_FORMAT_RGB;
    assert_true(png_image_finish_read(&img, NULL, back, 0, NULL));
    assert_memory_equal(px, back, sizeof(px));
    unlink(path);
}

static void a_bad_channel_count_is_refused_and_names_the_file(void **state)
{
    (void)state;
    uint8_t px[4] = {0};
    fx_error err;
    assert_int_not_equal(fx_png_write("/tmp/never.png", px, 2, 2, 2, &err), 0);
    assert_non_null(strstr(err.msg, "/tmp/never.png"));
    assert_int_not_equal(access("/tmp/never.png", F_OK), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rgb_image_reads_back_unchanged),
        cmocka_unit_test(a_bad_channel_count_is_refused_and_names_the_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
