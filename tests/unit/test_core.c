/*
 * test_core.c - rigid transforms, the volume grid mapping, mesh integrals and
 * SHA-256, each against a hand calculation or a published test vector.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fxaudit/file.h"
#include "fxaudit/hash.h"
#include "fxaudit/mesh.h"
#include "fxaudit/vec3.h"
#include "fxaudit/volume.h"

static void composing_a_transform_with_its_inverse_gives_the_identity(void **state)
{
    (void)state;
    fx_rigid T = fx_rigid_from_axis_angle(fx_v3(1, 2, 3), 0.7, fx_v3(10, -5, 2));
    fx_rigid Ti = fx_rigid_inverse(&T);
    fx_rigid I = fx_rigid_compose(&T, &Ti);
    for (int i = 0; i < 9; i++)
        assert_true(fabs(I.r[i] - (i % 4 == 0)) < 1e-14);
    for (int i = 0; i < 3; i++)
        assert_true(fabs(I.t[i]) < 1e-13);
}

static void a_quarter_turn_about_z_maps_x_to_y(void **state)
{
    (void)state;
    fx_rigid T = fx_rigid_from_axis_angle(fx_v3(0, 0, 1), M_PI / 2, fx_v3(1, 0, 0));
    fx_vec3 p = fx_rigid_apply(&T, fx_v3(1, 0, 0));
    assert_true(fabs(p.x - 1) < 1e-15 && fabs(p.y - 1) < 1e-15 && fabs(p.z) < 1e-15);
    assert_true(fabs(fx_rigid_rotation_angle(&T) - M_PI / 2) < 1e-14);
}

static void rotation_angle_is_accurate_for_a_thousandth_of_a_degree(void **state)
{
    (void)state;
    double a = 1e-3 * M_PI / 180;
    fx_rigid T = fx_rigid_from_axis_angle(fx_v3(0.3, -1, 0.2), a, fx_v3(0, 0, 0));
    assert_true(fabs(fx_rigid_rotation_angle(&T) - a) < 1e-15);
}

static void matrix_round_trip_keeps_the_transform(void **state)
{
    (void)state;
    double m[16];
    fx_rigid T = fx_rigid_from_axis_angle(fx_v3(-1, 0.5, 2), 2.5, fx_v3(3, 4, 5)), U;
    fx_rigid_to_matrix(&T, m);
    assert_int_equal(fx_rigid_from_matrix(m, &U), 0);
    for (int i = 0; i < 9; i++)
        assert_true(fabs(T.r[i] - U.r[i]) < 1e-14);
    m[0] = -m[0], m[4] = -m[4], m[8] = -m[8]; /* no longer a rotation */
    assert_int_not_equal(fx_rigid_from_matrix(m, &U), 0);
}

static void axis_angle_ignores_the_sign_of_an_axis(void **state)
{
    (void)state;
    double deg = 180 / M_PI;
    assert_true(fabs(fx_v3_axis_angle(fx_v3(1, 0, 0), fx_v3(-1, 0.1, 0)) * deg -
                     atan(0.1) * deg) < 1e-12);
}

static void voxel_index_maps_through_direction_and_spacing(void **state)
{
    (void)state;
    fx_volume *v;
    int dims[3] = {4, 5, 6};
    assert_int_equal(fx_volume_new(dims, FX_VOX_I16, &v, NULL), 0);
    double dir[9] = {0, -1, 0, 1, 0, 0, 0, 0, 1}; /* i runs along +y, j along -x */
    memcpy(v->dir, dir, sizeof(dir));
    v->spacing[0] = 0.5, v->spacing[1] = 2, v->spacing[2] = 3;
    v->origin[0] = 10, v->origin[1] = 20, v->origin[2] = 30;
    fx_vec3 w = fx_volume_index_to_world(v, fx_v3(2, 1, 1));
    assert_true(fabs(w.x - 8) < 1e-12 && fabs(w.y - 21) < 1e-12 && fabs(w.z - 33) < 1e-12);
    fx_vec3 back = fx_volume_world_to_index(v, w);
    assert_true(fabs(back.x - 2) < 1e-12 && fabs(back.y - 1) < 1e-12 && fabs(back.z - 1) < 1e-12);
    assert_int_equal(fx_volume_check_geometry(v, NULL), 0);
    fx_volume_free(v);
}

static void unit_cube_has_area_six_and_volume_one(void **state)
{
    (void)state;
    static const double P[8][3] = {{0, 0, 0}, {1, 0, 0}, {1, 1, 0}, {0, 1, 0},
                                   {0, 0, 1}, {1, 0, 1}, {1, 1, 1}, {0, 1, 1}};
    static const uint32_t F[12][3] = {{0, 2, 1}, {0, 3, 2}, {4, 5, 6}, {4, 6, 7},
                                      {0, 1, 5}, {0, 5, 4}, {2, 3, 7}, {2, 7, 6},
                                      {1, 2, 6}, {1, 6, 5}, {0, 4, 7}, {0, 7, 3}};
    fx_mesh *m;
    assert_int_equal(fx_mesh_new(&m, NULL), 0);
    for (int i = 0; i < 8; i++)
        assert_int_equal(fx_mesh_add_vertex(m, fx_v3(P[i][0], P[i][1], P[i][2]), NULL, NULL), 0);
    for (int i = 0; i < 12; i++)
        assert_int_equal(fx_mesh_add_triangle(m, F[i][0], F[i][1], F[i][2], NULL), 0);
    assert_true(fabs(fx_mesh_area(m) - 6) < 1e-12);
    assert_true(fabs(fx_mesh_volume(m) - 1) < 1e-12);
    fx_rigid T = fx_rigid_from_axis_angle(fx_v3(1, 1, 0), 0.4, fx_v3(100, 0, -50));
    fx_mesh_transform(m, &T);
    assert_true(fabs(fx_mesh_volume(m) - 1) < 1e-9);
    fx_vec3 c = fx_mesh_centroid(m), want = fx_rigid_apply(&T, fx_v3(0.5, 0.5, 0.5));
    assert_true(fx_v3_dist(c, want) < 1e-9);
    m->t[5] = 99;
    assert_int_not_equal(fx_mesh_validate(m, "cube", NULL), 0);
    fx_mesh_free(m);
}

static void sha256_of_abc_matches_the_fips_180_2_vector(void **state)
{
    (void)state;
    char hex[FX_SHA256_HEX];
    fx_sha256_buf("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* Files in `dir` (the temporary names included). */
static int files_in(const char *dir)
{
    int n = 0;
    DIR *d = opendir(dir);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void an_aborted_output_leaves_the_old_file_and_no_temporary(void **state)
{
    (void)state;
    char dir[] = "/tmp/fxcoreXXXXXX", path[64], text[16] = {0};
    fx_outfile o;
    fx_error err;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/out.txt", dir);
    FILE *f = fopen(path, "w");
    fputs("old", f);
    fclose(f);
    assert_int_equal(fx_outfile_open(&o, path, &err), FX_OK);
    fputs("half", o.fp);
    fx_outfile_abort(&o);
    fx_outfile_abort(&o); /* twice is harmless */
    f = fopen(path, "r");
    assert_non_null(fgets(text, sizeof(text), f));
    fclose(f);
    assert_string_equal(text, "old");
    assert_int_equal(files_in(dir), 1);
    unlink(path);
    rmdir(dir);
}

static void a_committed_output_replaces_the_file_with_the_umask_mode(void **state)
{
    (void)state;
    char dir[] = "/tmp/fxcoreXXXXXX", path[64], text[16] = {0};
    fx_outfile o;
    fx_error err;
    struct stat sb;
    mode_t old = umask(027);
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/out.txt", dir);
    assert_int_equal(fx_outfile_open(&o, path, &err), FX_OK);
    fputs("new", o.fp);
    assert_int_equal(fx_outfile_commit(&o, &err), FX_OK);
    umask(old);
    FILE *f = fopen(path, "r");
    assert_non_null(fgets(text, sizeof(text), f));
    fclose(f);
    assert_string_equal(text, "new");
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0640); /* 0666 less 027, not mkstemp's 0600 */
    assert_int_equal(files_in(dir), 1);
    unlink(path);
    rmdir(dir);
}

static void an_output_in_a_missing_folder_fails_naming_it(void **state)
{
    (void)state;
    fx_outfile o;
    fx_error err;
    assert_int_equal(fx_outfile_open(&o, "/nonexistent-fx/out.txt", &err), FX_EIO);
    assert_non_null(strstr(err.msg, "/nonexistent-fx/out.txt"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(composing_a_transform_with_its_inverse_gives_the_identity),
        cmocka_unit_test(a_quarter_turn_about_z_maps_x_to_y),
        cmocka_unit_test(rotation_angle_is_accurate_for_a_thousandth_of_a_degree),
        cmocka_unit_test(matrix_round_trip_keeps_the_transform),
        cmocka_unit_test(axis_angle_ignores_the_sign_of_an_axis),
        cmocka_unit_test(voxel_index_maps_through_direction_and_spacing),
        cmocka_unit_test(unit_cube_has_area_six_and_volume_one),
        cmocka_unit_test(sha256_of_abc_matches_the_fips_180_2_vector),
        cmocka_unit_test(an_aborted_output_leaves_the_old_file_and_no_temporary),
        cmocka_unit_test(a_committed_output_replaces_the_file_with_the_umask_mode),
        cmocka_unit_test(an_output_in_a_missing_folder_fails_naming_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
