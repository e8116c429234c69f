/*
 * test_plan.c - the plan file keeps what was planned, and refuses what it
 * cannot trust.
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

#include "fxaudit/mirror.h"
#include "fxaudit/plan.h"
#include "fxaudit/shapes.h"

static char *tmpfile_path(void)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/fxplanXXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    return path;
}

static fx_plan *sample_plan(void)
{
    fx_plan *p;
    fx_plan_fragment f;
    fx_plan_plate pl;
    fx_vec3 path[3] = {{0, 0, 0}, {10, 0, 1}, {20, 2, 2}};

    assert_int_equal(fx_plan_new(&p, NULL), 0);
    snprintf(p->patient, sizeof(p->patient), "P01");
    snprintf(p->side, sizeof(p->side), "left");
    p->has_plane = 1;
    p->plane_normal = fx_v3(1, 0, 0);
    p->plane_d_mm = 2.5;
    memset(&f, 0, sizeof(f));
    snprintf(f.name, sizeof(f.name), "anterior-column");
    f.label = 2;
    f.rgb[0] = 200;
    f.pose = fx_rigid_from_axis_angle(fx_v3(0, 0, 1), 0.1, fx_v3(1, 2, 3));
    f.residual_rms_mm = 0.42;
    f.residual_max_mm = NAN;
    assert_int_equal(fx_plan_add_fragment(p, &f, NULL), 0);
    fx_plan_screw s = fx_plan_screw_make("S1", fx_v3(1, 2, 3), fx_v3(0, 0, 2), 3.5, 40);
    assert_int_equal(fx_plan_add_screw(p, &s, NULL), 0);
    memset(&pl, 0, sizeof(pl));
    snprintf(pl.name, sizeof(pl.name), "anterior");
    pl.width_mm = 10, pl.thickness_mm = 2.5, pl.offset_mm = 0.5, pl.path = path, pl.npath = 3;
    assert_int_equal(fx_plan_add_plate(p, &pl, NULL), 0);
    assert_int_equal(fx_plan_add_input(p, "preop-volume", "volumes/a.nrrd", "ab", NULL), 0);
    return p;
}

static void a_written_plan_reads_back_with_the_same_geometry(void **state)
{
    (void)state;
    char *path = tmpfile_path();
    fx_plan *p = sample_plan(), *q;
    fx_error err;

    assert_int_equal(fx_plan_write(p, path, &err), 0);
    assert_int_equal(fx_plan_read(path, &q, &err), 0);
    assert_string_equal(q->patient, "P01");
    assert_int_equal(q->nfrags, 1);
    assert_true(fx_rigid_rotation_distance(&p->frags[0].pose, &q->frags[0].pose) < 1e-12);
    assert_true(fabs(q->frags[0].residual_rms_mm - 0.42) < 1e-15);
    assert_true(isnan(q->frags[0].residual_max_mm));
    assert_int_equal(q->nscrews, 1);
    /* the direction was given as (0,0,2): it is stored as a unit vector */
    assert_true(fabs(q->screws[0].dir.z - 1) < 1e-15);
    assert_true(isnan(q->screws[0].corridor_mm));
    assert_int_equal(q->plates[0].npath, 3);
    assert_true(fabs(q->plates[0].path[2].y - 2) < 1e-15);
    assert_true(fabs(q->plane_d_mm - 2.5) < 1e-15);
    fx_plan_free(p);
    fx_plan_free(q);
    unlink(path);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void a_plan_from_a_newer_version_is_refused(void **state)
{
    (void)state;
    char *path = tmpfile_path();
    fx_plan *q;
    fx_error err;
    write_text(path, "{\"format\":\"fxaudit-plan\",\"version\":99,\"units\":\"mm\","
                     "\"coordinate_system\":\"LPS\"}");
    assert_int_equal(fx_plan_read(path, &q, &err), FX_EVERSION);
    assert_non_null(strstr(err.msg, "newer"));
    assert_null(q);
    unlink(path);
}

static void a_pose_that_is_not_rigid_is_refused_naming_its_json_path(void **state)
{
    (void)state;
    char *path = tmpfile_path();
    fx_plan *p = sample_plan(), *q;
    fx_error err;
    assert_int_equal(fx_plan_write(p, path, &err), 0);
    /* scale the fragment's rotation by 2: no longer rigid */
    p->frags[0].pose.r[0] *= 2;
    p->frags[0].pose.r[4] *= 2;
    p->frags[0].pose.r[8] *= 2;
    assert_int_equal(fx_plan_write(p, path, &err), 0);
    assert_int_equal(fx_plan_read(path, &q, &err), FX_EFORMAT);
    assert_non_null(strstr(err.msg, "$.fragments[0].pose.matrix"));
    assert_non_null(strstr(err.msg, path));
    fx_plan_free(p);
    unlink(path);
}

static void screw_lengths_round_down_to_the_screw_set(void **state)
{
    (void)state;
    /* a set of 10..110 mm in 2 mm steps */
    assert_true(fx_plan_round_length(47.3, 10, 2, 110) == 46);
    assert_true(fx_plan_round_length(40.0, 10, 2, 110) == 40);
    assert_true(fx_plan_round_length(39.999, 10, 2, 110) == 38);
    assert_true(fx_plan_round_length(150, 10, 2, 110) == 110);
    assert_true(fx_plan_round_length(8, 10, 2, 110) == 0);
}

static void a_mirrored_tetrahedron_keeps_its_volume_and_outward_normals(void **state)
{
    (void)state;
    fx_mesh *m, *r;
    /* unit right tetrahedron, outward winding: volume 1/6 */
    assert_int_equal(fx_mesh_new(&m, NULL), 0);
    fx_mesh_add_vertex(m, fx_v3(0, 0, 0), NULL, NULL);
    fx_mesh_add_vertex(m, fx_v3(1, 0, 0), NULL, NULL);
    fx_mesh_add_vertex(m, fx_v3(0, 1, 0), NULL, NULL);
    fx_mesh_add_vertex(m, fx_v3(0, 0, 1), NULL, NULL);
    fx_mesh_add_triangle(m, 0, 2, 1, NULL);
    fx_mesh_add_triangle(m, 0, 1, 3, NULL);
    fx_mesh_add_triangle(m, 0, 3, 2, NULL);
    fx_mesh_add_triangle(m, 1, 2, 3, NULL);
    assert_true(fabs(fx_mesh_volume(m) - 1.0 / 6) < 1e-15);
    /* the plane x = 5: (1,0,0) goes to (9,0,0) */
    fx_plane pl = fx_plane_make(fx_v3(5, 0, 0), fx_v3(2, 0, 0));
    assert_int_equal(fx_mesh_mirror(m, pl, &r, NULL), 0);
    assert_true(fabs(r->v[1].x - 9) < 1e-15);
    assert_true(fabs(fx_mesh_volume(r) - 1.0 / 6) < 1e-14);
    fx_mesh_free(m);
    fx_mesh_free(r);
}

static void reflecting_twice_is_the_identity_and_the_matrix_agrees(void **state)
{
    (void)state;
    fx_plane pl = fx_plane_make(fx_v3(1, 2, 3), fx_v3(1, -1, 0.5));
    fx_vec3 p = fx_v3(-4, 7, 2.5), q = fx_plane_reflect(pl, p);
    double m[16];
    assert_true(fx_v3_dist(fx_plane_reflect(pl, q), p) < 1e-13);
    assert_true(fabs(fx_plane_distance(pl, p) + fx_plane_distance(pl, q)) < 1e-13);
    fx_plane_reflection_matrix(pl, m);
    fx_vec3 mq = fx_v3(m[0] * p.x + m[1] * p.y + m[2] * p.z + m[3],
                       m[4] * p.x + m[5] * p.y + m[6] * p.z + m[7],
                       m[8] * p.x + m[9] * p.y + m[10] * p.z + m[11]);
    assert_true(fx_v3_dist(mq, q) < 1e-13);
    /* a plane moved by a rigid transform reflects the moved point correctly */
    fx_rigid T = fx_rigid_from_axis_angle(fx_v3(0, 1, 1), 0.3, fx_v3(5, 0, -2));
    fx_plane tp = fx_plane_transform(pl, &T);
    assert_true(fx_v3_dist(fx_plane_reflect(tp, fx_rigid_apply(&T, p)), fx_rigid_apply(&T, q)) <
                1e-12);
}

static void a_screw_cylinder_is_closed_with_the_prism_volume(void **state)
{
    (void)state;
    fx_mesh *m;
    int n = 24;
    double r = 1.75, L = 40;
    assert_int_equal(fx_mesh_new(&m, NULL), 0);
    assert_int_equal(fx_shape_cylinder(m, fx_v3(10, -3, 2), fx_v3(10, 37, 2), r, n, NULL), 0);
    double want = 0.5 * n * r * r * sin(2 * M_PI / n) * L;
    assert_true(fabs(fx_mesh_volume(m) - want) < 1e-9 * want);
    /* lateral area of the prism plus two polygon caps */
    double side = 2 * r * sin(M_PI / n);
    double area = n * side * L + 2 * 0.5 * n * r * r * sin(2 * M_PI / n);
    assert_true(fabs(fx_mesh_area(m) - area) < 1e-9 * area);
    fx_mesh_free(m);
}

static void an_ellipsoid_mesh_is_closed_and_close_to_the_analytic_volume(void **state)
{
    (void)state;
    fx_mesh *m;
    fx_rigid R = fx_rigid_from_axis_angle(fx_v3(1, 2, 0), 0.7, fx_v3(0, 0, 0));
    assert_int_equal(fx_mesh_new(&m, NULL), 0);
    assert_int_equal(fx_shape_ellipsoid(m, fx_v3(5, 6, 7), 30, 20, 10, &R, 256, 128, NULL), 0);
    double want = 4.0 / 3 * M_PI * 30 * 20 * 10;
    /* the inscribed polyhedron falls short of the ellipsoid by O(h^2): < 0.1 % here */
    assert_true(fx_mesh_volume(m) < want && fx_mesh_volume(m) > 0.999 * want);
    fx_vec3 c = fx_mesh_centroid(m);
    assert_true(fx_v3_dist(c, fx_v3(5, 6, 7)) < 1e-6);
    fx_mesh_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_written_plan_reads_back_with_the_same_geometry),
        cmocka_unit_test(a_plan_from_a_newer_version_is_refused),
        cmocka_unit_test(a_pose_that_is_not_rigid_is_refused_naming_its_json_path),
        cmocka_unit_test(screw_lengths_round_down_to_the_screw_set),
        cmocka_unit_test(a_mirrored_tetrahedron_keeps_its_volume_and_outward_normals),
        cmocka_unit_test(reflecting_twice_is_the_identity_and_the_matrix_agrees),
        cmocka_unit_test(a_screw_cylinder_is_closed_with_the_prism_volume),
        cmocka_unit_test(an_ellipsoid_mesh_is_closed_and_close_to_the_analytic_volume),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
