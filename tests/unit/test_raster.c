/*
 * test_raster.c - the software rasteriser against geometry whose picture is
 * known without it: an orthographic sphere covers pi r^2 pixels, a near box
 * hides a far one whatever the drawing order, lit faces facing the light keep
 * exactly the colour asked for, a 50 % layer blends half and half, a cylinder
 * seen side-on covers its length times its diameter, and the standard views
 * put the patient's left, posterior and superior where raster.h says.
 * Sample renders are kept in $FX_BUILDDIR/tests/artefacts.
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
#include <sys/stat.h>
#include <unistd.h>

#include "fxaudit/png.h"
#include "fxaudit/raster.h"

/* A UV sphere, outward triangles, `rings` latitude bands. */
static fx_mesh *sphere(fx_vec3 c, double r, int rings)
{
    int segs = 2 * rings;
    fx_mesh *m;
    assert_int_equal(fx_mesh_new(&m, NULL), 0);
    for (int i = 0; i <= rings; i++)
        for (int j = 0; j < segs; j++) {
            double th = M_PI * i / rings, ph = 2 * M_PI * j / segs;
            uint32_t idx;
            fx_vec3 p =
                fx_v3(c.x + r * sin(th) * cos(ph), c.y + r * sin(th) * sin(ph), c.z + r * cos(th));
            assert_int_equal(fx_mesh_add_vertex(m, p, &idx, NULL), 0);
        }
    for (int i = 0; i < rings; i++)
        for (int j = 0; j < segs; j++) {
            uint32_t a = (uint32_t)(i * segs + j), b = (uint32_t)(i * segs + (j + 1) % segs);
            uint32_t cc = a + (uint32_t)segs, d = b + (uint32_t)segs;
            assert_int_equal(fx_mesh_add_triangle(m, a, cc, d, NULL), 0);
            assert_int_equal(fx_mesh_add_triangle(m, a, d, b, NULL), 0);
        }
    return m;
}

/* An axis-aligned box from lo to hi, outward triangles. */
static fx_mesh *box(fx_vec3 lo, fx_vec3 hi)
{
    static const int faces[6][4] = {{0, 2, 3, 1}, {4, 5, 7, 6}, {0, 1, 5, 4},
                                    {2, 6, 7, 3}, {0, 4, 6, 2}, {1, 3, 7, 5}};
    fx_mesh *m;
    assert_int_equal(fx_mesh_new(&m, NULL), 0);
    for (int i = 0; i < 8; i++) {
        uint32_t idx;
        fx_vec3 p = fx_v3(i & 1 ? hi.x : lo.x, i & 2 ? hi.y : lo.y, i & 4 ? hi.z : lo.z);
        assert_int_equal(fx_mesh_add_vertex(m, p, &idx, NULL), 0);
    }
    for (int f = 0; f < 6; f++) {
        const int *q = faces[f];
        assert_int_equal(fx_mesh_add_triangle(m, q[0], q[1], q[2], NULL), 0);
        assert_int_equal(fx_mesh_add_triangle(m, q[0], q[2], q[3], NULL), 0);
    }
    return m;
}

/* Options with no annotations, a fixed scale, and a head-on light with no
 * ambient, so that faces facing the viewer show their exact colour. */
static fx_raster_opts plain(int w, int h, double px_per_mm)
{
    fx_raster_opts o;
    fx_raster_opts_default(&o);
    o.width = w;
    o.height = h;
    o.px_per_mm = px_per_mm;
    o.scale_bar = 0;
    o.title_view = 0;
    o.ambient = 0;
    o.light = fx_v3(0, 0, 1);
    return o;
}

static const uint8_t *px(const fx_image *im, int x, int y)
{
    return im->rgb + 3 * ((size_t)y * (size_t)im->w + (size_t)x);
}

static void assert_rgb_near(const uint8_t *p, int r, int g, int b, int tol)
{
    if (abs(p[0] - r) > tol || abs(p[1] - g) > tol || abs(p[2] - b) > tol)
        fail_msg("colour %d,%d,%d, wanted %d,%d,%d within %d", p[0], p[1], p[2], r, g, b, tol);
}

static void a_sphere_covers_pi_r_squared_pixels_within_one_percent(void **state)
{
    (void)state;
    fx_mesh *s = sphere(fx_v3(5, -3, 12), 40.0, 96);
    fx_render_mesh rm = {s, {200, 190, 170}, 1.0};
    fx_render_scene sc = {&rm, 1, NULL, 0, NULL, 0};
    fx_image *im;
    for (int v = 0; v <= FX_VIEW_SUPERIOR; v++) {
        fx_raster_opts o = plain(300, 300, 2.5); /* r = 100 px */
        o.view = (fx_view)v;
        assert_int_equal(fx_raster_render(&sc, &o, &im, NULL), 0);
        double covered = 0;
        for (int i = 0; i < im->w * im->h; i++)
            covered += im->coverage[i] / 255.0;
        double want = M_PI * 100.0 * 100.0;
        print_message("# %s view: %.1f px covered, pi r^2 = %.1f (%.3f %%)\n",
                      fx_view_name((fx_view)v), covered, want, 100 * (covered - want) / want);
        assert_true(fabs(covered - want) / want < 0.01);
        fx_image_free(im);
    }
    fx_mesh_free(s);
}

/* Red box in front (anterior, y -30..-10), blue box behind (y 10..30),
 * overlapping for x in [0, 10]. In the anterior view nearer is smaller y. */
static void check_near_box_hides_far_box(int red_first)
{
    fx_mesh *near = box(fx_v3(-10, -30, -10), fx_v3(10, -10, 10));
    fx_mesh *far = box(fx_v3(0, 10, -10), fx_v3(30, 30, 10));
    fx_render_mesh rm[2] = {{near, {255, 0, 0}, 1.0}, {far, {0, 0, 255}, 1.0}};
    if (!red_first) {
        fx_render_mesh t = rm[0];
        rm[0] = rm[1];
        rm[1] = t;
    }
    fx_render_scene sc = {rm, 2, NULL, 0, NULL, 0};
    fx_raster_opts o = plain(200, 100, 4.0);
    fx_image *im;
    assert_int_equal(fx_raster_render(&sc, &o, &im, NULL), 0);
    /* bounds x -10..30, z -10..10: centre (10, 0) at pixel (100, 50) */
    int x_overlap = (int)(100 + (5.0 - 10.0) * 4), x_far = (int)(100 + (22.0 - 10.0) * 4);
    int x_near = (int)(100 + (-5.0 - 10.0) * 4);
    assert_rgb_near(px(im, x_overlap, 50), 255, 0, 0, 1);
    assert_rgb_near(px(im, x_far, 50), 0, 0, 255, 1);
    assert_rgb_near(px(im, x_near, 50), 255, 0, 0, 1);
    assert_rgb_near(px(im, 100, 5), 255, 255, 255, 0); /* above both: background */
    fx_image_free(im);
    fx_mesh_free(near);
    fx_mesh_free(far);
}

static void a_near_box_hides_a_far_one_in_either_drawing_order(void **state)
{
    (void)state;
    check_near_box_hides_far_box(1);
    check_near_box_hides_far_box(0);
}

static void a_half_opaque_layer_blends_half_and_half_over_what_is_behind(void **state)
{
    (void)state;
    fx_mesh *back = box(fx_v3(-20, 0, -20), fx_v3(20, 10, 20));
    fx_mesh *pane = box(fx_v3(-10, -20, -10), fx_v3(10, -19.9, 10));
    fx_render_mesh rm[2] = {{pane, {0, 255, 0}, 0.5}, {back, {255, 0, 0}, 1.0}};
    fx_render_scene sc = {rm, 2, NULL, 0, NULL, 0};
    fx_raster_opts o = plain(100, 100, 2.0);
    fx_image *im;
    assert_int_equal(fx_raster_render(&sc, &o, &im, NULL), 0);
    /* the pane has two faces towards the viewer's line of sight, front and
     * back: red under two 50 % green layers is 1/4 red, 3/4 green */
    assert_rgb_near(px(im, 50, 50), 64, 191, 0, 2);
    assert_rgb_near(px(im, 50, 15), 255, 0, 0, 1); /* outside the pane */
    fx_image_free(im);
    fx_mesh_free(back);
    fx_mesh_free(pane);
}

static void a_cylinder_seen_side_on_covers_length_times_diameter(void **state)
{
    (void)state;
    fx_render_screw sc1 = {
        fx_v3(-20, 0, 0), fx_v3(20, 0, 0), 10.0, {90, 90, 90}, FX_SCREW_CYLINDER};
    fx_render_scene sc = {NULL, 0, &sc1, 1, NULL, 0};
    fx_raster_opts o = plain(240, 100, 4.0);
    fx_image *im;
    assert_int_equal(fx_raster_render(&sc, &o, &im, NULL), 0);
    double covered = 0, want = 40 * 4.0 * 10 * 4.0;
    for (int i = 0; i < im->w * im->h; i++)
        covered += im->coverage[i] / 255.0;
    /* a 24-sided prism is between cos(pi/24) and 1 of the true width */
    assert_true(covered <= want * 1.005 && covered >= want * cos(M_PI / 24) * 0.995);
    fx_image_free(im);
}

/* Where the centre of a small box lands: returns the mean pixel of coverage. */
static void centroid_of(const fx_image *im, double *cx, double *cy)
{
    double sx = 0, sy = 0, n = 0;
    for (int y = 0; y < im->h; y++)
        for (int x = 0; x < im->w; x++) {
            double c = im->coverage[(size_t)y * (size_t)im->w + (size_t)x];
            sx += c * x;
            sy += c * y;
            n += c;
        }
    *cx = sx / n;
    *cy = sy / n;
}

static void the_standard_views_put_left_posterior_and_superior_where_documented(void **state)
{
    (void)state;
    /* a reference cube at the origin and a marker at the patient's left,
     * posterior, superior corner (+x, +y, +z in LPS) */
    fx_mesh *ref = box(fx_v3(-30, -30, -30), fx_v3(30, 30, 30));
    fx_mesh *mark = box(fx_v3(20, 20, 20), fx_v3(30, 30, 30));
    fx_render_mesh rm = {mark, {0, 0, 0}, 1.0};
    fx_render_scene sc = {&rm, 1, NULL, 0, NULL, 0};
    struct {
        fx_view v;
        fx_side side;
        int right, up; /* +1: marker on the right / upper half */
    } cases[] = {
        {FX_VIEW_ANTERIOR, FX_SIDE_LEFT, +1, +1}, /* left on the right, superior up */
        {FX_VIEW_LATERAL, FX_SIDE_LEFT, +1, +1},  /* from the left: posterior on the right */
        {FX_VIEW_LATERAL, FX_SIDE_RIGHT, -1, +1}, /* from the right: posterior on the left */
        {FX_VIEW_SUPERIOR, FX_SIDE_LEFT, +1, +1}, /* left on the right, posterior up */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fx_raster_opts o = plain(120, 120, 1.5);
        fx_image *im;
        double cx, cy;
        o.view = cases[i].v;
        o.side = cases[i].side;
        /* frame on the reference cube: fixed scale, centre forced by a
         * transparent copy of the cube */
        fx_render_mesh both[2] = {{ref, {255, 255, 255}, 0.0}, rm};
        fx_render_scene s2 = {both, 2, NULL, 0, NULL, 0};
        assert_int_equal(fx_raster_render(&s2, &o, &im, NULL), 0);
        centroid_of(im, &cx, &cy);
        assert_true(cases[i].right > 0 ? cx > 60 : cx < 60);
        assert_true(cases[i].up > 0 ? cy < 60 : cy > 60);
        fx_image_free(im);
    }
    (void)sc;
    fx_mesh_free(ref);
    fx_mesh_free(mark);
}

static void bad_options_are_refused_with_a_reason(void **state)
{
    (void)state;
    fx_render_scene empty = {0};
    fx_raster_opts o;
    fx_image *im;
    fx_error err;
    fx_raster_opts_default(&o);
    assert_int_not_equal(fx_raster_render(&empty, &o, &im, &err), 0);
    assert_non_null(strstr(err.msg, "nothing to render"));
    o.supersample = 9;
    assert_int_not_equal(fx_raster_render(&empty, &o, &im, &err), 0);
    assert_non_null(strstr(err.msg, "supersampling"));
    assert_null(im);

    fx_render_screw bad = {fx_v3(0, 0, 0), fx_v3(NAN, 0, 0), 3.5, {0, 0, 0}, FX_SCREW_LINE};
    fx_render_scene one = {NULL, 0, &bad, 1, NULL, 0};
    fx_raster_opts_default(&o);
    assert_int_not_equal(fx_raster_render(&one, &o, &im, &err), 0);
    assert_non_null(strstr(err.msg, "screw 1"));
}

static void a_scale_far_beyond_the_image_draws_without_overflow(void **state)
{
    (void)state;
    fx_mesh *b = box(fx_v3(-10, -10, -10), fx_v3(10, 10, 10));
    fx_render_mesh rm = {b, {10, 200, 10}, 1.0};
    fx_render_scene sc = {&rm, 1, NULL, 0, NULL, 0};
    fx_raster_opts o = plain(64, 64, 1e9); /* the box's edges are ~1e10 px away */
    fx_image *im;
    assert_int_equal(fx_raster_render(&sc, &o, &im, NULL), 0);
    assert_rgb_near(px(im, 32, 32), 10, 200, 10, 1); /* inside the front face */
    fx_image_free(im);
    fx_mesh_free(b);
}

/* A pelvis-like scene for a person to look at: a translucent "bone", an
 * opaque plate, planned screws as lines and actual ones as cylinders. */
static void sample_renders_are_written_as_artefacts(void **state)
{
    (void)state;
    const char *b = getenv("FX_BUILDDIR");
    char dir[1024], path[1200];
    snprintf(dir, sizeof(dir), "%s/tests", b && *b ? b : "/tmp");
    mkdir(dir, 0777);
    strncat(dir, "/artefacts", sizeof(dir) - strlen(dir) - 1);
    mkdir(dir, 0777);
    fx_mesh *bone = sphere(fx_v3(0, 0, 0), 45, 48);
    fx_mesh *plate = box(fx_v3(-40, -52, -8), fx_v3(40, -47, 8));
    fx_render_mesh rm[2] = {{bone, {226, 212, 186}, 0.45}, {plate, {120, 130, 150}, 1.0}};
    fx_render_screw sw[4] = {
        {fx_v3(-25, -50, 0), fx_v3(-20, 20, 5), 3.5, {40, 110, 220}, FX_SCREW_LINE},
        {fx_v3(25, -50, 0), fx_v3(20, 20, -5), 3.5, {40, 110, 220}, FX_SCREW_LINE},
        {fx_v3(-25, -50, 0), fx_v3(-14, 22, 12), 3.5, {220, 80, 30}, FX_SCREW_CYLINDER},
        {fx_v3(25, -50, 0), fx_v3(23, 19, -3), 3.5, {220, 80, 30}, FX_SCREW_CYLINDER},
    };
    fx_render_legend lg[4] = {{"bone (45% opaque)", {226, 212, 186}},
                              {"plate", {120, 130, 150}},
                              {"planned screw", {40, 110, 220}},
                              {"actual screw", {220, 80, 30}}};
    fx_render_scene sc = {rm, 2, sw, 4, lg, 4};
    for (int v = 0; v <= FX_VIEW_SUPERIOR; v++) {
        fx_raster_opts o;
        fx_image *im;
        fx_raster_opts_default(&o);
        o.width = 800;
        o.height = 640;
        o.view = (fx_view)v;
        assert_int_equal(fx_raster_render(&sc, &o, &im, NULL), 0);
        snprintf(path, sizeof(path), "%s/render_%s.png", dir, fx_view_name((fx_view)v));
        assert_int_equal(fx_png_write(path, im->rgb, im->w, im->h, 3, NULL), 0);
        fx_image_free(im);
    }
    fx_mesh_free(bone);
    fx_mesh_free(plate);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_sphere_covers_pi_r_squared_pixels_within_one_percent),
        cmocka_unit_test(a_near_box_hides_a_far_one_in_either_drawing_order),
        cmocka_unit_test(a_half_opaque_layer_blends_half_and_half_over_what_is_behind),
        cmocka_unit_test(a_cylinder_seen_side_on_covers_length_times_diameter),
        cmocka_unit_test(the_standard_views_put_left_posterior_and_superior_where_documented),
        cmocka_unit_test(bad_options_are_refused_with_a_reason),
        cmocka_unit_test(a_scale_far_beyond_the_image_draws_without_overflow),
        cmocka_unit_test(sample_renders_are_written_as_artefacts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
