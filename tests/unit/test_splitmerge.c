/*
 * test_splitmerge.c - automatic separation of touching parts on masks whose
 * true parts are known by construction: two balls joined by a thin bridge
 * are two parts, each matching its ball; two balls fused along a waist
 * almost as thick as they are, and a long ellipsoid, stay one part; a blob
 * under the minimum size is dropped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "fxaudit/splitmerge.h"

#define NX 64
#define NY 40
#define NZ 40

typedef int (*shape_fn)(double x, double y, double z);

static fx_volume *mask_of(shape_fn f)
{
    int dims[3] = {NX, NY, NZ};
    fx_volume *m;
    assert_int_equal(fx_volume_new(dims, FX_VOX_U8, &m, NULL), 0);
    for (int a = 0; a < 3; a++)
        m->spacing[a] = 1;
    uint8_t *d = m->data;
    for (int z = 0; z < NZ; z++)
        for (int y = 0; y < NY; y++)
            for (int x = 0; x < NX; x++)
                d[x + NX * (y + NY * z)] = (uint8_t)f(x, y, z);
    return m;
}

static int ball(double x, double y, double z, double cx, double r)
{
    return (x - cx) * (x - cx) + (y - 20) * (y - 20) + (z - 20) * (z - 20) <= r * r;
}

/* Balls of radius 10 at x = 16 and 46 (6 mm of gap), a bridge of radius 2. */
static int dumbbell(double x, double y, double z)
{
    int bridge = x >= 16 && x <= 46 && (y - 20) * (y - 20) + (z - 20) * (z - 20) <= 4;
    return ball(x, y, z, 16, 10) || ball(x, y, z, 46, 10) || bridge;
}

/* Balls of radius 10 at x = 25 and 37: a waist of radius 8 between them. */
static int fused(double x, double y, double z)
{
    return ball(x, y, z, 25, 10) || ball(x, y, z, 37, 10);
}

/* An ellipsoid 56 x 16 x 16 mm with a blob of 2.1 mm radius (about 40 mm3)
 * apart from it. */
static int long_one(double x, double y, double z)
{
    double e = (x - 31) * (x - 31) / 784 + (y - 20) * (y - 20) / 64 + (z - 20) * (z - 20) / 64;
    double b = (x - 60) * (x - 60) + (y - 5) * (y - 5) + (z - 5) * (z - 5);
    return e <= 1 || b <= 4.4;
}

static void two_balls_on_a_thin_bridge_become_two_parts_that_match_the_balls(void **st)
{
    (void)st;
    fx_volume *m = mask_of(dumbbell), *lab;
    fx_segment_part *sp;
    size_t n;
    assert_int_equal(fx_segment_split_merge(m, 3, 0.7, 500, &lab, &sp, &n, NULL), 0);
    assert_int_equal(n, 2);
    /* Dice of each ball with the part at its centre: the bridge (~380 mm3
     * between them) may go either way, the balls (4189 mm3 each) may not. */
    for (int b = 0; b < 2; b++) {
        double cx = b ? 46 : 16;
        uint16_t want = ((uint16_t *)lab->data)[(int)cx + NX * (20 + NY * 20)];
        size_t both = 0, in_part = 0, in_ball = 0;
        for (int z = 0; z < NZ; z++)
            for (int y = 0; y < NY; y++)
                for (int x = 0; x < NX; x++) {
                    int p = ((uint16_t *)lab->data)[x + NX * (y + NY * z)] == want;
                    int q = ball(x, y, z, cx, 10);
                    both += p && q, in_part += p, in_ball += q;
                }
        double dice = 2.0 * (double)both / (double)(in_part + in_ball);
        print_message("ball %d: Dice %.3f\n", b, dice);
        assert_true(dice > 0.95);
    }
    fx_volume_free(m), fx_volume_free(lab), free(sp);
}

static void balls_fused_along_a_thick_waist_stay_one_part(void **st)
{
    (void)st;
    fx_volume *m = mask_of(fused), *lab;
    fx_segment_part *sp;
    size_t n;
    /* cores eroded by 9 mm (past the 8 mm waist) seed one region per ball;
     * waist 8 mm / ball 10 mm = 0.8: above the ratio 0.7, one bone again */
    assert_int_equal(fx_segment_split_merge(m, 9, 0.7, 500, &lab, &sp, &n, NULL), 0);
    assert_int_equal(n, 1);
    fx_volume_free(lab), free(sp);
    /* and two parts when the ratio asks for more than that */
    assert_int_equal(fx_segment_split_merge(m, 9, 0.9, 500, &lab, &sp, &n, NULL), 0);
    assert_int_equal(n, 2);
    fx_volume_free(m), fx_volume_free(lab), free(sp);
}

static void a_long_ellipsoid_is_one_part_and_a_small_blob_is_dropped(void **st)
{
    (void)st;
    fx_volume *m = mask_of(long_one), *lab;
    fx_segment_part *sp;
    size_t n;
    assert_int_equal(fx_segment_split_merge(m, 3, 0.7, 500, &lab, &sp, &n, NULL), 0);
    assert_int_equal(n, 1);
    assert_true(((uint16_t *)lab->data)[60 + NX * (5 + NY * 5)] == 0);
    fx_volume_free(m), fx_volume_free(lab), free(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_balls_on_a_thin_bridge_become_two_parts_that_match_the_balls),
        cmocka_unit_test(balls_fused_along_a_thick_waist_stay_one_part),
        cmocka_unit_test(a_long_ellipsoid_is_one_part_and_a_small_blob_is_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
