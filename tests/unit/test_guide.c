/*
 * test_guide.c - drilling guides on a flat and on a curved bone, checked
 * against hand calculations: the underside on the plate's top, the
 * extensions on the bone, volumes, sleeves coaxial with their screws with the
 * inner radius asked for, k-wire holes where asked and clear drill paths, and
 * closed, consistently wound surfaces.
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

#include "fxaudit/guide.h"
#include "fxaudit/shapes.h"

static const double deg = M_PI / 180;

static int by_edge(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Every directed edge a->b occurs exactly once and so does b->a: the surface
 * is closed (each edge has two triangles) and wound consistently. */
static int edges_pair_up(const fx_mesh *m)
{
    size_t n = 3 * m->nt;
    uint64_t *e = malloc(n * sizeof(*e));
    int ok = n > 0;
    for (size_t t = 0; t < m->nt; t++)
        for (int k = 0; k < 3; k++)
            e[3 * t + k] = (uint64_t)m->t[3 * t + k] << 32 | m->t[3 * t + (k + 1) % 3];
    qsort(e, n, sizeof(*e), by_edge);
    for (size_t i = 0; ok && i < n; i++) {
        uint64_t rev = e[i] << 32 | e[i] >> 32;
        ok = !(i + 1 < n && e[i + 1] == e[i]) && bsearch(&rev, e, n, sizeof(*e), by_edge);
    }
    free(e);
    return ok;
}

static const fx_mesh *sort_mesh; /* for by_position */

static int by_position(const void *a, const void *b)
{
    fx_vec3 p = sort_mesh->v[*(const uint32_t *)a], q = sort_mesh->v[*(const uint32_t *)b];
    if (p.x != q.x)
        return p.x < q.x ? -1 : 1;
    if (p.y != q.y)
        return p.y < q.y ? -1 : 1;
    return (p.z > q.z) - (p.z < q.z);
}

/* The same check after welding vertices at equal coordinates, as reading the
 * STL back does: overlapping parts must share no edge. */
static int welded_edges_pair_up(const fx_mesh *m)
{
    uint32_t *order = malloc(m->nv * sizeof(*order)), *id = malloc(m->nv * sizeof(*id));
    fx_mesh w = *m;
    for (uint32_t i = 0; i < m->nv; i++)
        order[i] = i;
    sort_mesh = m;
    qsort(order, m->nv, sizeof(*order), by_position);
    for (size_t i = 0; i < m->nv; i++)
        id[order[i]] = i && !by_position(&order[i - 1], &order[i]) ? id[order[i - 1]] : order[i];
    w.t = malloc(3 * m->nt * sizeof(*w.t));
    for (size_t k = 0; k < 3 * m->nt; k++)
        w.t[k] = id[m->t[k]];
    int ok = edges_pair_up(&w);
    free(w.t), free(order), free(id);
    return ok;
}

static fx_bvh *bvh_of(const fx_mesh *m)
{
    fx_bvh *b;
    assert_int_equal(fx_bvh_build(m, &b, NULL), 0);
    return b;
}

static size_t hits_on(const fx_bvh *b, fx_vec3 o, fx_vec3 d, double len, fx_ray_hit **h)
{
    size_t n;
    assert_int_equal(fx_bvh_raycast(b, o, d, len, h, &n, NULL), 0);
    return n;
}

/* A flat bone (its top face is z = 0) with a plate along x from -30 to 30,
 * 10 mm wide, 2.5 mm thick, 0.5 mm above it: the guide's body is then 3 mm
 * thick from z = 3 to 6 over the plate, 14 mm wide, and its extensions run
 * from the bone to z = 6 out to x = +-40. */
struct flat {
    fx_mesh *bone, *plate;
    fx_bvh *bvh;
    fx_plan *plan;
    fx_plate_info pinfo;
    fx_vec3 path[2];
    fx_plan_plate spec;
};

static void flat_setup(struct flat *f)
{
    f->path[0] = fx_v3(-30, 0, 0), f->path[1] = fx_v3(30, 0, 0);
    f->spec = (fx_plan_plate){.name = "anterior",
                              .width_mm = 10,
                              .thickness_mm = 2.5,
                              .offset_mm = 0.5,
                              .path = f->path,
                              .npath = 2};
    assert_int_equal(fx_mesh_new(&f->bone, NULL), 0);
    assert_int_equal(fx_shape_cylinder(f->bone, fx_v3(0, 0, -20), fx_v3(0, 0, 0), 100, 4, NULL), 0);
    f->bvh = bvh_of(f->bone);
    assert_int_equal(fx_plan_new(&f->plan, NULL), 0);
}

static void flat_plate(struct flat *f)
{
    assert_int_equal(
        fx_plate_build(&f->spec, f->plan, f->bone, f->bvh, NULL, &f->plate, &f->pinfo, NULL), 0);
}

static void flat_teardown(struct flat *f)
{
    fx_mesh_free(f->plate);
    fx_plan_free(f->plan);
    fx_bvh_free(f->bvh);
    fx_mesh_free(f->bone);
}

static void add_screw(fx_plan *p, const char *name, fx_vec3 entry, fx_vec3 dir)
{
    fx_plan_screw s = fx_plan_screw_make(name, entry, dir, 3.5, 30);
    snprintf(s.plate, sizeof(s.plate), "anterior");
    assert_int_equal(fx_plan_add_screw(p, &s, NULL), 0);
}

/* Cells of the 0.5 mm grid (columns from y = -7 to 7) between x0 and x1
 * that the disc of radius r about (cx, cy) meets. */
static int cells_within(double cx, double cy, double r, double x0, double x1)
{
    int n = 0;
    for (double x = x0 + 0.25; x < x1; x += 0.5)
        for (double y = -6.75; y < 7; y += 0.5) {
            double dx = fmax(fabs(x - cx) - 0.25, 0), dy = fmax(fabs(y - cy) - 0.25, 0);
            n += dx * dx + dy * dy < r * r;
        }
    return n;
}

static void a_guide_on_a_flat_bone_sits_on_the_plate_and_the_bone(void **state)
{
    (void)state;
    struct flat f;
    fx_guide g;
    fx_guide_info info;
    fx_ray_hit *h;

    flat_setup(&f);
    flat_plate(&f);
    assert_int_equal(
        fx_guide_build(&f.spec, f.plan, f.plate, &f.pinfo, f.bone, f.bvh, NULL, &g, &info, NULL),
        0);
    assert_true(edges_pair_up(g.body));
    assert_int_equal(g.sleeves->nt, 0);
    assert_int_equal(info.rows, 121 + 2 * 20);
    assert_int_equal(info.columns, 21 + 2 * 4);
    /* by hand: 14 mm wide; 60 mm of 3 mm over the plate, 2 x 9.5 mm of 6 mm on
     * the bone, 2 x 0.5 mm ramps of 6 - 1.5 mm; less the k-wire cells, 6 mm high */
    int kcells = cells_within(-35, 0, 1, -40, -30);
    assert_int_equal(kcells, cells_within(35, 0, 1, 30, 40));
    assert_int_equal(info.cells_removed, 2 * kcells);
    double want = 14 * (60 * 3 + 2 * 9.5 * 6 + 2 * 0.5 * 4.5) - 2 * kcells * 0.25 * 6;
    print_message("# flat guide body %.4f mm3, by hand %.4f mm3 (%d k-wire cells each)\n",
                  fx_mesh_volume(g.body), want, kcells);
    assert_true(fabs(fx_mesh_volume(g.body) - want) < 1e-9);

    fx_bvh *gb = bvh_of(g.body);
    fx_vec3 lo, hi;
    fx_mesh_bounds(f.plate, &lo, &hi);
    assert_true(fabs(hi.z - 3) < 1e-12); /* the plate's top */
    /* looking up from between plate and bone: the first thing met is the
     * guide's underside, at the plate's top */
    /* off the grid's lines and diagonals (0.5 mm cells from x = -40, y = -7) */
    const double xs[] = {-29.9, -12.3, 0.1, 17.1, 29.9}, ys[] = {-6.85, -4.15, 0.45, 2.65, 6.85};
    for (int a = 0; a < 5; a++)
        for (int b = 0; b < 5; b++) {
            size_t n = hits_on(gb, fx_v3(xs[a], ys[b], 1), fx_v3(0, 0, 1), 20, &h);
            assert_int_equal(n, 2);
            assert_true(h[0].entering && fabs(h[0].point.z - 3) < 1e-9);
            assert_true(fabs(h[1].point.z - 6) < 1e-9);
            free(h);
        }
    /* looking down on the extensions: the guide is left at the bone */
    const double xe[] = {-39.9, -33.2, -30.6, 30.6, 36.6, 39.9};
    for (int a = 0; a < 6; a++)
        for (int b = 0; b < 5; b++) {
            size_t n = hits_on(gb, fx_v3(xe[a], ys[b], 10), fx_v3(0, 0, -1), 20, &h);
            assert_int_equal(n, 2);
            assert_true(!h[1].entering && fabs(h[1].point.z) < 0.05);
            free(h);
        }
    assert_true(info.extension_gap_mm < 1e-9);
    fx_bvh_free(gb);
    fx_guide_release(&g);
    flat_teardown(&f);
}

static void k_wire_holes_are_where_asked_and_clear(void **state)
{
    (void)state;
    struct flat f;
    fx_guide g;
    fx_guide_info info;
    fx_guide_opts o;
    fx_ray_hit *h;

    flat_setup(&f);
    flat_plate(&f);
    fx_guide_opts_default(&o);
    o.extension_mm = 12;
    o.kwire_inset_mm = 6.5;
    o.kwire_mm = 2.4;
    assert_int_equal(
        fx_guide_build(&f.spec, f.plan, f.plate, &f.pinfo, f.bone, f.bvh, &o, &g, &info, NULL), 0);
    assert_int_equal(info.kwires, 2);
    assert_true(fx_v3_dist(info.kwire_point[0], fx_v3(-36.5, 0, 0)) < 1e-9);
    assert_true(fx_v3_dist(info.kwire_point[1], fx_v3(36.5, 0, 0)) < 1e-9);
    for (int e = 0; e < 2; e++)
        assert_true(fx_v3_dist(info.kwire_dir[e], fx_v3(0, 0, 1)) < 1e-12);
    assert_true(edges_pair_up(g.body));
    fx_bvh *gb = bvh_of(g.body);
    for (int e = 0; e < 2; e++) {
        double cx = e ? 36.5 : -36.5;
        /* a wire of the hole's diameter passes: no surface within 1.2 mm of the axis */
        for (int k = 0; k <= 8; k++) {
            double r = k < 8 ? 1.19 : 0, a = 2 * M_PI * k / 8;
            size_t n = hits_on(gb, fx_v3(cx + r * cos(a), r * sin(a), 10), fx_v3(0, 0, -1), 20, &h);
            assert_int_equal(n, 0);
            free(h);
        }
        /* and the hole is no wider than the radius plus a cell's diagonal */
        size_t n =
            hits_on(gb, fx_v3(cx + 1.2 + sqrt(0.5) + 0.01, 0.1, 10), fx_v3(0, 0, -1), 20, &h);
        assert_int_equal(n, 2);
        free(h);
    }
    fx_bvh_free(gb);
    fx_guide_release(&g);

    o.kwire_inset_mm = 11.5; /* the hole would break out of the extension's end */
    assert_int_equal(
        fx_guide_build(&f.spec, f.plan, f.plate, &f.pinfo, f.bone, f.bvh, &o, &g, &info, NULL),
        FX_EINVAL);
    assert_null(g.body);
    flat_teardown(&f);
}

/* The axis of sleeve k from the centroids of its inner rings; every inner
 * vertex's distance from the screw's axis in *ri_err, outer in *ro_err. */
static void sleeve_axis(const fx_mesh *m, int k, int S, const fx_plan_screw *s, fx_vec3 *bot,
                        fx_vec3 *top, double ri, double ro, double *ri_err, double *ro_err)
{
    const fx_vec3 *v = m->v + (size_t)4 * S * k;
    *bot = *top = fx_v3(0, 0, 0);
    *ri_err = *ro_err = 0;
    for (int i = 0; i < S; i++) {
        *bot = fx_v3_add(*bot, fx_v3_scale(v[2 * S + i], 1.0 / S));
        *top = fx_v3_add(*top, fx_v3_scale(v[3 * S + i], 1.0 / S));
        for (int ring = 0; ring < 4; ring++) {
            fx_vec3 d = fx_v3_sub(v[ring * S + i], s->entry);
            double r = fx_v3_norm(fx_v3_sub(d, fx_v3_scale(s->dir, fx_v3_dot(d, s->dir))));
            if (ring < 2)
                *ro_err = fmax(*ro_err, fabs(r - ro));
            else
                *ri_err = fmax(*ri_err, fabs(r - ri));
        }
    }
}

/* Looking down around a sleeve: every vertical line that stays clear of its
 * bore (by 0.05 mm) from the plate's top (z = 3) to above the sleeve meets the
 * guide at or above the body's top (z = 6), so neither a gap nor a groove
 * opens between sleeve and body. Returns the number of lines checked. */
static int lines_meet_the_top(const fx_bvh *guide, const fx_plan_screw *s, double step)
{
    int lines = 0;
    fx_vec3 at = fx_v3_sub(s->entry, fx_v3_scale(s->dir, 4.5 / -s->dir.z));
    for (double x = at.x - 7; x <= at.x + 7; x += step)
        for (double y = at.y - 6; y <= at.y + 6; y += step) {
            double clear = INFINITY;
            for (double z = 3; z <= 20; z += 0.01) {
                fx_vec3 d = fx_v3_sub(fx_v3(x, y, z), s->entry);
                clear = fmin(clear,
                             fx_v3_norm(fx_v3_sub(d, fx_v3_scale(s->dir, fx_v3_dot(d, s->dir)))));
            }
            if (clear < 2.25 + 0.05 || fabs(y) > 6.9)
                continue;
            fx_ray_hit *h;
            assert_true(hits_on(guide, fx_v3(x, y, 30), fx_v3(0, 0, -1), 40, &h) > 0);
            assert_true(h[0].point.z > 6 - 1e-9);
            free(h);
            lines++;
        }
    return lines;
}

static void sleeves_are_coaxial_with_their_screws_and_the_drill_path_is_clear(void **state)
{
    (void)state;
    struct flat f;
    fx_guide g;
    fx_guide_info info;
    fx_mesh *all;
    const int S = 48;

    flat_setup(&f);
    add_screw(f.plan, "S1", fx_v3(5, 0, 0), fx_v3(0, 0, -1));
    add_screw(f.plan, "S2", fx_v3(-12, 1, 0), fx_v3(sin(20 * deg), 0, -cos(20 * deg)));
    flat_plate(&f);
    assert_int_equal(
        fx_guide_build(&f.spec, f.plan, f.plate, &f.pinfo, f.bone, f.bvh, NULL, &g, &info, NULL),
        0);
    assert_int_equal(info.sleeves, 2);
    assert_int_equal(info.collars, 1); /* the oblique one */
    assert_int_equal(g.sleeves->nv, 3 * 4 * S);
    assert_true(edges_pair_up(g.body));
    assert_true(edges_pair_up(g.sleeves));
    assert_int_equal(fx_guide_merge(&g, &all, NULL), 0);
    assert_true(edges_pair_up(all));
    assert_true(welded_edges_pair_up(all));
    for (int k = 0; k < 2; k++) {
        const fx_plan_screw *s = &f.plan->screws[k];
        fx_vec3 bot, top;
        double ri_err, ro_err;
        sleeve_axis(g.sleeves, k, S, s, &bot, &top, 2.25, 3.5, &ri_err, &ro_err);
        double ang = fx_v3_axis_angle(fx_v3_sub(top, bot), s->dir) / deg;
        print_message("# sleeve %s: axis %.2e deg off the screw, radii off by %.1e / %.1e mm\n",
                      s->name, ang, ri_err, ro_err);
        assert_true(ang < 0.01);
        assert_true(ri_err < 1e-9 && ro_err < 1e-9);
        /* the top ends 10 mm along the axis above where it leaves the body (z = 6) */
        double c = -s->dir.z;
        assert_true(fabs(top.z - (6 + 10 * c)) < 1e-9);
        /* the bottom annulus lies on the plate's top, z = 3 */
        for (int i = 0; i < S; i++) {
            assert_true(fabs(g.sleeves->v[4 * S * k + i].z - 3) < 1e-9);
            assert_true(fabs(g.sleeves->v[4 * S * k + 2 * S + i].z - 3) < 1e-9);
        }
    }
    /* the collar of the tilted one fills the body from z = 3 to 6, its bore
     * inside the sleeve's wall */
    for (int i = 0; i < 4 * S; i++) {
        fx_vec3 p = g.sleeves->v[2 * 4 * S + i], d = fx_v3_sub(p, f.plan->screws[1].entry);
        double r = fx_v3_norm(
            fx_v3_sub(d, fx_v3_scale(f.plan->screws[1].dir, fx_v3_dot(d, f.plan->screws[1].dir))));
        assert_true(fabs(p.z - 3) < 1e-9 || fabs(p.z - 6) < 1e-9);
        assert_true(i < 2 * S ? r > 3.5 : fabs(r - (2.25 + 3.5) / 2) < 1e-9);
    }
    /* a drill of the sleeve's bore meets nothing of the guide along either axis */
    fx_bvh *ab = bvh_of(all);
    for (int k = 0; k < 2; k++) {
        const fx_plan_screw *s = &f.plan->screws[k];
        fx_vec3 u = fx_v3_unit(fx_v3_cross(s->dir, fx_v3(0, 1, 0))), v = fx_v3(0, 1, 0);
        for (int i = 0; i <= 12; i++) {
            double r = i < 12 ? 0.99 * 2.25 : 0, a = 2 * M_PI * i / 12;
            fx_vec3 o = fx_v3_add(
                s->entry, fx_v3_add(fx_v3_scale(u, r * cos(a)), fx_v3_scale(v, r * sin(a))));
            fx_ray_hit *h;
            size_t n = hits_on(ab, fx_v3_sub(o, fx_v3_scale(s->dir, 40)), s->dir, 40, &h);
            assert_int_equal(n, 0);
            free(h);
        }
    }
    /* and looking down around the oblique sleeve, nothing opens beside it */
    int lines = lines_meet_the_top(ab, &f.plan->screws[1], 0.23);
    print_message("# %d vertical lines around the oblique sleeve meet the guide at z >= 6\n",
                  lines);
    fx_bvh_free(ab);
    fx_mesh_free(all);
    fx_guide_release(&g);
    flat_teardown(&f);
}

static void steeply_tilted_sleeves_leave_no_opening_beside_them(void **state)
{
    (void)state;
    const double tilts[] = {35, 55};
    for (int k = 0; k < 2; k++) {
        struct flat f;
        fx_guide g;
        fx_guide_info info;
        fx_mesh *all;
        flat_setup(&f);
        add_screw(f.plan, "S1", fx_v3(-5, 0.3, 0),
                  fx_v3(sin(tilts[k] * deg), 0, -cos(tilts[k] * deg)));
        flat_plate(&f);
        assert_int_equal(fx_guide_build(&f.spec, f.plan, f.plate, &f.pinfo, f.bone, f.bvh, NULL, &g,
                                        &info, NULL),
                         0);
        assert_int_equal(info.collars, 1);
        assert_int_equal(fx_guide_merge(&g, &all, NULL), 0);
        assert_true(edges_pair_up(all) && welded_edges_pair_up(all));
        fx_bvh *ab = bvh_of(all);
        int lines = lines_meet_the_top(ab, &f.plan->screws[0], 0.3);
        print_message("# tilted %.0f deg: %d vertical lines meet the guide at z >= 6\n", tilts[k],
                      lines);
        fx_bvh_free(ab);
        fx_mesh_free(all);
        fx_guide_release(&g);
        flat_teardown(&f);
    }
}

static void a_perpendicular_sleeve_has_the_volume_of_its_prisms(void **state)
{
    (void)state;
    struct flat f;
    fx_guide g;
    fx_guide_info info;
    fx_guide_opts o;

    flat_setup(&f);
    add_screw(f.plan, "S1", fx_v3(5, 0, 0), fx_v3(0, 0, -1));
    flat_plate(&f);
    fx_guide_opts_default(&o);
    o.kwire_mm = 0;
    o.sleeve_segments = 64;
    assert_int_equal(
        fx_guide_build(&f.spec, f.plan, f.plate, &f.pinfo, f.bone, f.bvh, &o, &g, &info, NULL), 0);
    /* from the plate's top (z = 3) to 10 mm above the body's (z = 16) */
    double sleeve = 32 * sin(2 * M_PI / 64) * (3.5 * 3.5 - 2.25 * 2.25) * 13;
    int cells = cells_within(5, 0, 2.25, -30, 30);
    double body = 14 * (60 * 3 + 2 * 9.5 * 6 + 2 * 0.5 * 4.5) - cells * 0.25 * 3;
    print_message("# sleeve %.4f (by hand %.4f) mm3, body %.4f (by hand %.4f) mm3\n",
                  fx_mesh_volume(g.sleeves), sleeve, fx_mesh_volume(g.body), body);
    assert_int_equal(info.cells_removed, cells);
    assert_true(fabs(fx_mesh_volume(g.sleeves) - sleeve) < 1e-9);
    assert_true(fabs(fx_mesh_volume(g.body) - body) < 1e-9);
    fx_guide_release(&g);
    flat_teardown(&f);
}

static void a_guide_is_refused_what_it_cannot_make(void **state)
{
    (void)state;
    struct flat f;
    fx_guide g;
    fx_error err;
    fx_plate_info wrong;

    flat_setup(&f);
    add_screw(f.plan, "S1", fx_v3(5, 0, 0), fx_v3(sin(65 * deg), 0, -cos(65 * deg)));
    flat_plate(&f);
    assert_int_equal(
        fx_guide_build(&f.spec, f.plan, f.plate, &f.pinfo, f.bone, f.bvh, NULL, &g, NULL, &err),
        FX_EINVAL);
    assert_non_null(strstr(err.msg, "'S1'"));
    assert_null(g.body);
    assert_null(g.sleeves);
    wrong = f.pinfo;
    wrong.columns++;
    assert_int_equal(
        fx_guide_build(&f.spec, f.plan, f.plate, &wrong, f.bone, f.bvh, NULL, &g, NULL, &err),
        FX_EINVAL);
    fx_guide_opts o;
    fx_guide_opts_default(&o);
    o.sleeve_outer_mm = 4.5; /* no wall around the bore */
    f.plan->screws[0].dir = fx_v3(0, 0, -1);
    assert_int_equal(
        fx_guide_build(&f.spec, f.plan, f.plate, &f.pinfo, f.bone, f.bvh, &o, &g, NULL, &err),
        FX_EINVAL);
    f.plan->screws[0].entry = fx_v3(5, 9, 0); /* beside the plate */
    assert_int_equal(
        fx_guide_build(&f.spec, f.plan, f.plate, &f.pinfo, f.bone, f.bvh, NULL, &g, NULL, &err),
        FX_EINVAL);
    assert_non_null(strstr(err.msg, "does not pass through"));
    flat_teardown(&f);
}

/* A box from lo to hi, wound outward. */
static fx_mesh *box(fx_vec3 lo, fx_vec3 hi)
{
    static const int tri[12][3] = {{0, 2, 1}, {0, 3, 2}, {4, 5, 6}, {4, 6, 7},
                                   {0, 1, 5}, {0, 5, 4}, {3, 7, 6}, {3, 6, 2},
                                   {0, 4, 7}, {0, 7, 3}, {1, 2, 6}, {1, 6, 5}};
    fx_mesh *m;
    assert_int_equal(fx_mesh_new(&m, NULL), 0);
    for (int k = 0; k < 8; k++) {
        double x = (k == 1 || k == 2 || k == 5 || k == 6) ? hi.x : lo.x;
        double y = (k == 2 || k == 3 || k == 6 || k == 7) ? hi.y : lo.y;
        assert_int_equal(fx_mesh_add_vertex(m, fx_v3(x, y, k < 4 ? lo.z : hi.z), NULL, NULL), 0);
    }
    for (int t = 0; t < 12; t++)
        assert_int_equal(fx_mesh_add_triangle(m, tri[t][0], tri[t][1], tri[t][2], NULL), 0);
    return m;
}

/* A bone 12 mm wide under a 10 mm plate: the 14 mm guide's overhang runs on
 * straight past the bone's edges; extensions whose sides would fold onto
 * those edges are refused. */
static void a_guide_wider_than_the_bone_overhangs_it_or_is_refused(void **state)
{
    (void)state;
    struct flat f;
    fx_guide g;
    fx_guide_opts o;
    fx_error err;

    flat_setup(&f);
    fx_bvh_free(f.bvh);
    fx_mesh_free(f.bone);
    f.bone = box(fx_v3(-50, -6, -20), fx_v3(50, 6, 0));
    f.bvh = bvh_of(f.bone);
    flat_plate(&f);
    fx_guide_opts_default(&o);
    o.extension_mm = 0;
    o.kwire_mm = 0;
    assert_int_equal(
        fx_guide_build(&f.spec, f.plan, f.plate, &f.pinfo, f.bone, f.bvh, &o, &g, NULL, NULL), 0);
    assert_true(edges_pair_up(g.body) && welded_edges_pair_up(g.body));
    fx_vec3 lo, hi;
    fx_mesh_bounds(g.body, &lo, &hi);
    assert_true(fabs(lo.y + 7) < 1e-12 && fabs(hi.y - 7) < 1e-12);
    assert_true(fabs(lo.z - 3) < 1e-12 && fabs(hi.z - 6) < 1e-12);
    assert_true(fabs(fx_mesh_volume(g.body) - 14 * 60 * 3) < 1e-9);
    fx_guide_release(&g);
    assert_int_equal(
        fx_guide_build(&f.spec, f.plan, f.plate, &f.pinfo, f.bone, f.bvh, NULL, &g, NULL, &err),
        FX_EINVAL);
    assert_non_null(strstr(err.msg, "folds where the bone ends under an extension"));
    flat_teardown(&f);
}

/* A plate over the top of a bone that is a cylinder of radius 30 along y,
 * as in test_plate: the guide over the plate is an annular sector between
 * 33 and 36 mm from the axis, its extensions lie on the cylinder. */
static void a_guide_on_a_curved_bone_follows_plate_and_bone(void **state)
{
    (void)state;
    const double R = 30;
    fx_mesh *bone, *plate;
    fx_plan *p;
    fx_vec3 path[5];
    fx_plate_info pinfo;
    fx_guide g;
    fx_guide_info info;
    fx_ray_hit *h;

    for (int k = 0; k < 5; k++)
        path[k] = fx_v3(R * sin((-40 + 20 * k) * deg), 0, R * cos((-40 + 20 * k) * deg));
    fx_plan_plate spec = {.name = "anterior",
                          .width_mm = 10,
                          .thickness_mm = 2.5,
                          .offset_mm = 0.5,
                          .path = path,
                          .npath = 5};
    assert_int_equal(fx_mesh_new(&bone, NULL), 0);
    assert_int_equal(fx_shape_cylinder(bone, fx_v3(0, -50, 0), fx_v3(0, 50, 0), R, 512, NULL), 0);
    fx_bvh *b = bvh_of(bone);
    assert_int_equal(fx_plan_new(&p, NULL), 0);
    /* a radial screw at 10 degrees */
    add_screw(p, "S1", fx_v3(R * sin(10 * deg), 0, R * cos(10 * deg)),
              fx_v3(-sin(10 * deg), 0, -cos(10 * deg)));
    assert_int_equal(fx_plate_build(&spec, p, bone, b, NULL, &plate, &pinfo, NULL), 0);
    assert_int_equal(fx_guide_build(&spec, p, plate, &pinfo, bone, b, NULL, &g, &info, NULL), 0);
    assert_true(edges_pair_up(g.body));
    assert_true(edges_pair_up(g.sleeves));
    fx_bvh *gb = bvh_of(g.body), *pb = bvh_of(plate);
    /* from the bone's axis outwards over the plate: the plate's top, then at
     * the same point the guide's underside, 3 mm of guide, nothing else */
    double worst_under = 0, worst_top = 0;
    const double over[] = {-38, -25, -3, 25, 38}, ys[] = {-6.85, -2.15, 0.15, 4.85, 6.85};
    for (int a = 0; a < 5; a++)
        for (int k = 0; k < 5; k++) {
            fx_vec3 d = fx_v3(sin(over[a] * deg), 0, cos(over[a] * deg)), o = fx_v3(0, ys[k], 0);
            assert_int_equal(hits_on(gb, o, d, 60, &h), 2);
            worst_under = fmax(worst_under, fabs(h[0].t_mm - (R + 3)));
            worst_top = fmax(worst_top, fabs(h[1].t_mm - (R + 6)));
            double under = h[0].t_mm;
            free(h);
            if (fabs(ys[k]) < 5) {
                size_t n = hits_on(pb, o, d, 60, &h);
                assert_int_equal(n, 2);
                assert_true(fabs(h[1].t_mm - under) < 1e-9);
                free(h);
            }
        }
    print_message("# curved guide: underside within %.4f mm of r = 33, top within %.4f of 36\n",
                  worst_under, worst_top);
    assert_true(worst_under < 0.01 && worst_top < 0.01);
    /* beyond the plate's ends the guide's underside is on the bone */
    double worst_ext = 0;
    const double beyond[] = {-57, -44, 43, 56}; /* k-wires at +-49.5 */
    for (int a = 0; a < 4; a++)
        for (int k = 0; k < 5; k++) {
            fx_vec3 d = fx_v3(sin(beyond[a] * deg), 0, cos(beyond[a] * deg));
            size_t n = hits_on(gb, fx_v3(0, ys[k], 0), d, 60, &h);
            assert_true(n >= 2 && h[0].entering);
            worst_ext = fmax(worst_ext, fabs(h[0].t_mm - R));
            free(h);
        }
    print_message("# extensions within %.4f mm of the bone (largest gap %.4f mm)\n", worst_ext,
                  info.extension_gap_mm);
    assert_true(worst_ext < 0.05 && info.extension_gap_mm < 0.05);
    /* k-wires perpendicular to the bone: along the radius at their point */
    for (int e = 0; e < 2; e++) {
        fx_vec3 radial = fx_v3_unit(fx_v3(info.kwire_point[e].x, 0, info.kwire_point[e].z));
        double off = fx_v3_angle(info.kwire_dir[e], radial) / deg;
        print_message("# k-wire %d: %.3f deg from the bone's normal\n", e, off);
        assert_true(off < 1);
        assert_true(fabs(fx_v3_norm(fx_v3(info.kwire_point[e].x, 0, info.kwire_point[e].z)) - R) <
                    0.01);
    }
    fx_bvh_free(gb);
    fx_bvh_free(pb);
    fx_guide_release(&g);
    fx_mesh_free(plate);
    fx_plan_free(p);
    fx_bvh_free(b);
    fx_mesh_free(bone);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_guide_on_a_flat_bone_sits_on_the_plate_and_the_bone),
        cmocka_unit_test(k_wire_holes_are_where_asked_and_clear),
        cmocka_unit_test(sleeves_are_coaxial_with_their_screws_and_the_drill_path_is_clear),
        cmocka_unit_test(steeply_tilted_sleeves_leave_no_opening_beside_them),
        cmocka_unit_test(a_perpendicular_sleeve_has_the_volume_of_its_prisms),
        cmocka_unit_test(a_guide_is_refused_what_it_cannot_make),
        cmocka_unit_test(a_guide_wider_than_the_bone_overhangs_it_or_is_refused),
        cmocka_unit_test(a_guide_on_a_curved_bone_follows_plate_and_bone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
