/*
 * test_screwio.c - screws read from Slicer markups and JSON lists land where
 * a hand calculation puts them, and a bad list changes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <sys/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fxaudit/screwio.h"

static char path[64];

static void write_text(const char *text)
{
    snprintf(path, sizeof(path), "/tmp/fxscrewXXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static void a_slicer_line_in_ras_becomes_an_lps_screw(void **state)
{
    (void)state;
    fx_plan *p;
    write_text("{\"markups\":[{\"type\":\"Fiducial\",\"controlPoints\":[]},"
               "{\"type\":\"Line\",\"name\":\"column\",\"coordinateSystem\":\"RAS\","
               "\"controlPoints\":[{\"position\":[10,20,30]},{\"position\":[10,20,70]}]}]}");
    assert_int_equal(fx_plan_new(&p, NULL), 0);
    assert_int_equal(fx_screws_read(path, 3.5, p, NULL), 0);
    assert_int_equal(p->nscrews, 1);
    assert_string_equal(p->screws[0].name, "column");
    /* RAS (10, 20, 30) is LPS (-10, -20, 30) */
    assert_true(fabs(p->screws[0].entry.x + 10) < 1e-12);
    assert_true(fabs(p->screws[0].entry.y + 20) < 1e-12);
    assert_true(fabs(p->screws[0].length_mm - 40) < 1e-12);
    assert_true(fabs(p->screws[0].dir.z - 1) < 1e-12);
    assert_true(fabs(p->screws[0].diameter_mm - 3.5) < 1e-12);
    fx_plan_free(p);
    unlink(path);
}

static void a_json_list_takes_a_target_or_a_direction_with_a_length(void **state)
{
    (void)state;
    fx_plan *p;
    write_text("{\"screws\":[{\"name\":\"A\",\"entry\":[0,0,0],\"target\":[3,4,0]},"
               "{\"name\":\"B\",\"entry\":[1,1,1],\"direction\":[0,2,0],\"length_mm\":30,"
               "\"diameter_mm\":2.7,\"plate\":\"anterior\"}]}");
    assert_int_equal(fx_plan_new(&p, NULL), 0);
    assert_int_equal(fx_screws_read(path, 3.5, p, NULL), 0);
    assert_int_equal(p->nscrews, 2);
    assert_true(fabs(p->screws[0].length_mm - 5) < 1e-12);   /* 3-4-5 triangle */
    assert_true(fabs(p->screws[0].dir.x - 0.6) < 1e-12);
    fx_vec3 tip = fx_plan_screw_tip(&p->screws[1]);
    assert_true(fabs(tip.y - 31) < 1e-12);
    assert_string_equal(p->screws[1].plate, "anterior");
    assert_true(fabs(p->screws[1].diameter_mm - 2.7) < 1e-12);
    fx_plan_free(p);
    unlink(path);
}

static void a_duplicate_name_is_refused_and_nothing_is_added(void **state)
{
    (void)state;
    fx_plan *p;
    fx_error err;
    write_text("[{\"name\":\"A\",\"entry\":[0,0,0],\"target\":[0,0,9]},"
               "{\"name\":\"A\",\"entry\":[0,0,0],\"target\":[0,0,8]}]");
    assert_int_equal(fx_plan_new(&p, NULL), 0);
    assert_int_equal(fx_screws_read(path, 3.5, p, &err), FX_EFORMAT);
    assert_non_null(strstr(err.msg, "'A' appears twice"));
    assert_int_equal(p->nscrews, 0);
    fx_plan_free(p);
    unlink(path);
}

static void written_markups_read_back_to_the_same_screws(void **state)
{
    (void)state;
    fx_plan *p, *q;
    write_text("[]");
    assert_int_equal(fx_plan_new(&p, NULL), 0);
    fx_plan_screw s = fx_plan_screw_make("S7", fx_v3(-5, 6, 7), fx_v3(1, 1, 0), 3.5, 42);
    assert_int_equal(fx_plan_add_screw(p, &s, NULL), 0);
    assert_int_equal(fx_screws_write_markups(p, path, NULL), 0);
    assert_int_equal(fx_plan_new(&q, NULL), 0);
    assert_int_equal(fx_screws_read(path, 3.5, q, NULL), 0);
    assert_string_equal(q->screws[0].name, "S7");
    assert_true(fx_v3_dist(q->screws[0].entry, s.entry) < 1e-12);
    assert_true(fabs(q->screws[0].length_mm - 42) < 1e-12);
    assert_true(fx_v3_angle(q->screws[0].dir, s.dir) < 1e-12);
    fx_plan_free(p);
    fx_plan_free(q);
    unlink(path);
}

static void write_csv(const char *text)
{
    snprintf(path, sizeof(path), "/tmp/fxscrewXXXXXX.csv");
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static void a_csv_screw_list_gives_lengths_by_hand_and_refuses_a_bad_row(void **state)
{
    (void)state;
    fx_plan *p;
    fx_error err;
    write_csv("name,entry_x,entry_y,entry_z,target_x,target_y,target_z,diameter_mm,plate\n"
              "A,0,0,0,3,4,0,2.7,anterior\n"
              "B,1,1,1,1,1,41,,\n");
    assert_int_equal(fx_plan_new(&p, NULL), 0);
    assert_int_equal(fx_screws_read(path, 3.5, p, NULL), 0);
    assert_int_equal(p->nscrews, 2);
    assert_true(fabs(p->screws[0].length_mm - 5) < 1e-12); /* 3-4-5 */
    assert_true(fabs(p->screws[0].diameter_mm - 2.7) < 1e-12);
    assert_string_equal(p->screws[0].plate, "anterior");
    assert_true(fabs(p->screws[1].length_mm - 40) < 1e-12);
    assert_true(fabs(p->screws[1].diameter_mm - 3.5) < 1e-12); /* the default */
    unlink(path);
    write_csv("name,entry_x,entry_y,entry_z,target_x,target_y,target_z\n"
              "C,0,0,0,0,0,9\n"
              "D,0,0,0,,,\n");
    assert_int_equal(fx_screws_read(path, 3.5, p, &err), FX_EFORMAT);
    assert_non_null(strstr(err.msg, "line 3"));
    assert_int_equal(p->nscrews, 2); /* C was not kept either */
    fx_plan_free(p);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_slicer_line_in_ras_becomes_an_lps_screw),
        cmocka_unit_test(a_json_list_takes_a_target_or_a_direction_with_a_length),
        cmocka_unit_test(a_duplicate_name_is_refused_and_nothing_is_added),
        cmocka_unit_test(written_markups_read_back_to_the_same_screws),
        cmocka_unit_test(a_csv_screw_list_gives_lengths_by_hand_and_refuses_a_bad_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
