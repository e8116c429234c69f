/*
 * test_domeplan_face.c - a line placed on its fragments' fracture face
 * (domeplan_face.c) against an analytic truth.
 *
 * A T-shaped transverse cut: the plane Pi through q = C + (0, 0, 17) with
 * normal m = (0, sin 12 deg, -cos 12 deg) (pointing down, into the lower
 * part a, label 2; the roof b, label 1, above) on the joint sphere (R = 25
 * mm, centre C). Pi meets the sphere on a circle of radius
 * sqrt(R^2 - s^2) (s = 17 cos 12 deg, the distance of C from Pi) that runs
 * out of the dome (z >= C_z + 15) where it dips (+y). Each part is its
 * articular surface (the sphere, facing C) on its side of Pi and its fracture
 * face (Pi, from 0.5 to 7 mm under the sphere). The truth, by
 * docs/phantom.md on the exact circle (2880 samples in the dome): a moved by
 * t, b fixed: d = t, n and u unrotated, per plane e the offset
 * d' = d - (d.e)/(l.e) l, seen where |l.e| >= 0.5.
 *
 * The models of the two failure modes seen on phantoms (T-shaped patients):
 * - recessed: a's articular surface ends 3 mm short of Pi (an acute edge
 *   rounded, a corner labelled as another bone), b's runs 1 mm past it: the
 *   nearest surface changes 2 mm below the cut;
 * - bent: over the azimuth where the circle leaves the dome, b's articular
 *   surface runs up to 4 mm past Pi (5.5 mm along the sphere), tapering off
 *   over 20 degrees, and a's surface starts there.
 * Without the faces the line follows the articular ends (asserted: the
 * failure is real); with them it is on Pi.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "fxaudit/domeplan.h"

#define R_MM 25.0
#define TILT (12.0 * M_PI / 180)

static const fx_vec3 C = {40, 30, 20};

static fx_vec3 plane_m(void)
{
    return fx_v3(0, sin(TILT), -cos(TILT));
}

static fx_vec3 plane_q(void)
{
    return fx_v3(C.x, C.y, C.z + 17);
}

/* Signed distance from Pi (positive on a's side). */
static double sd(fx_vec3 x)
{
    return fx_v3_dot(fx_v3_sub(x, plane_q()), plane_m());
}

/* A triangle whose normal points along `want` (fresh vertices). */
static void tri(fx_mesh *m, fx_vec3 p0, fx_vec3 p1, fx_vec3 p2, fx_vec3 want)
{
    uint32_t i0, i1, i2;
    fx_vec3 n = fx_v3_cross(fx_v3_sub(p1, p0), fx_v3_sub(p2, p0));
    assert_int_equal(fx_mesh_add_vertex(m, p0, &i0, NULL), FX_OK);
    assert_int_equal(fx_mesh_add_vertex(m, p1, &i1, NULL), FX_OK);
    assert_int_equal(fx_mesh_add_vertex(m, p2, &i2, NULL), FX_OK);
    if (fx_v3_dot(n, want) >= 0)
        assert_int_equal(fx_mesh_add_triangle(m, i0, i1, i2, NULL), FX_OK);
    else
        assert_int_equal(fx_mesh_add_triangle(m, i0, i2, i1, NULL), FX_OK);
}

static fx_vec3 sphere_pt(double t, double ph)
{
    return fx_v3(C.x + R_MM * sin(t) * cos(ph), C.y + R_MM * sin(t) * sin(ph),
                 C.z + R_MM * cos(t));
}

/* How far past Pi b's articular surface runs at azimuth ph (mm, on a's side). */
typedef double (*reach_fn)(double ph);

static double reach_recessed(double ph)
{
    (void)ph;
    return 1.0;
}

static double reach_bent(double ph)
{
    double a = fabs(remainder(ph - M_PI / 2, 2 * M_PI)); /* 0 where the circle dips most */
    return a < 20 * M_PI / 180 ? 4.0 * (1 - a / (20 * M_PI / 180)) : 0.0;
}

/* Part `lower` (1: a, below Pi) of the socket: its articular surface
 * (polar angle up to 80 deg) and its fracture face on Pi. b keeps sd <=
 * reach(ph), a sd >= max(gap_a, reach(ph)). */
static fx_mesh *part(int lower, double gap_a, reach_fn reach)
{
    fx_mesh *m = NULL;
    const int nt = 120, np = 540;
    assert_int_equal(fx_mesh_new(&m, NULL), FX_OK);
    for (int i = 0; i < nt; i++)
        for (int j = 0; j < np; j++) {
            double t0 = (80.0 * M_PI / 180) * i / nt, t1 = (80.0 * M_PI / 180) * (i + 1) / nt;
            double p0 = 2 * M_PI * j / np, p1 = 2 * M_PI * (j + 1) / np;
            fx_vec3 a = sphere_pt(t0, p0), b = sphere_pt(t0, p1), c = sphere_pt(t1, p0),
                    d = sphere_pt(t1, p1);
            fx_vec3 mid = sphere_pt(0.5 * (t0 + t1), 0.5 * (p0 + p1));
            double s = sd(mid);
            double rb = reach(0.5 * (p0 + p1));
            if (lower ? s < fmax(gap_a, rb) : s > rb)
                continue;
            fx_vec3 in = fx_v3_sub(C, mid); /* the bone's outward normal faces C */
            tri(m, a, b, c, in);
            tri(m, b, d, c, in);
        }
    /* the fracture face: Pi between 0.5 and 7 mm outside the sphere */
    fx_vec3 mm = plane_m(), e1 = fx_v3(1, 0, 0), e2 = fx_v3_cross(mm, e1);
    double s = -sd(C); /* C lies on b's side */
    fx_vec3 cc = fx_v3_add(C, fx_v3_scale(mm, s));
    double r0 = sqrt(pow(R_MM + 0.5, 2) - s * s), r1 = sqrt(pow(R_MM + 7, 2) - s * s);
    fx_vec3 out = lower ? fx_v3_scale(mm, -1) : mm; /* towards the other part */
    for (int j = 0; j < 360; j++)
        for (int k = 0; k < 8; k++) {
            double a0 = 2 * M_PI * j / 360, a1 = 2 * M_PI * (j + 1) / 360;
            double q0 = r0 + (r1 - r0) * k / 8, q1 = r0 + (r1 - r0) * (k + 1) / 8;
            fx_vec3 u0 = fx_v3_add(fx_v3_scale(e1, cos(a0)), fx_v3_scale(e2, sin(a0)));
            fx_vec3 u1 = fx_v3_add(fx_v3_scale(e1, cos(a1)), fx_v3_scale(e2, sin(a1)));
            fx_vec3 A = fx_v3_add(cc, fx_v3_scale(u0, q0)), B = fx_v3_add(cc, fx_v3_scale(u1, q0));
            fx_vec3 Cq = fx_v3_add(cc, fx_v3_scale(u0, q1)), D = fx_v3_add(cc, fx_v3_scale(u1, q1));
            tri(m, A, B, Cq, out);
            tri(m, B, D, Cq, out);
        }
    return m;
}

typedef struct truth {
    double gap[3], step[3]; /* NAN: not visible */
    double gap3d, line_mm;
} truth;

/* docs/phantom.md on the exact circle, a moved by t. */
static truth truth_of(fx_vec3 t)
{
    truth r = {{NAN, NAN, NAN}, {NAN, NAN, NAN}, 0, 0};
    fx_vec3 m = plane_m(), e1 = fx_v3(1, 0, 0), e2 = fx_v3_cross(m, e1);
    double s = -sd(C), rc = sqrt(R_MM * R_MM - s * s);
    fx_vec3 cc = fx_v3_add(C, fx_v3_scale(m, s));
    const fx_vec3 axes[3] = {fx_v3(0, 0, 1), fx_v3(0, 1, 0), fx_v3(1, 0, 0)};
    const int N = 2880;
    for (int i = 0; i < N; i++) {
        double w = 2 * M_PI * i / N;
        fx_vec3 x = fx_v3_add(cc, fx_v3_add(fx_v3_scale(e1, rc * cos(w)),
                                            fx_v3_scale(e2, rc * sin(w))));
        if (x.z < C.z + R_MM - 10)
            continue;
        r.line_mm += 2 * M_PI * rc / N;
        fx_vec3 n = fx_v3_unit(fx_v3_sub(x, C)), l = fx_v3_unit(fx_v3_cross(n, m));
        fx_vec3 u = fx_v3_unit(fx_v3_cross(n, l));
        if (fx_v3_dot(u, m) < 0)
            u = fx_v3_scale(u, -1);
        r.gap3d = fmax(r.gap3d, fmax(0, fx_v3_dot(t, u)));
        for (int k = 0; k < 3; k++) {
            fx_vec3 e = axes[k];
            if (fabs(fx_v3_dot(l, e)) < 0.5)
                continue;
            fx_vec3 dp = fx_v3_sub(t, fx_v3_scale(l, fx_v3_dot(t, e) / fx_v3_dot(l, e)));
            fx_vec3 ne = fx_v3_unit(fx_v3_sub(n, fx_v3_scale(e, fx_v3_dot(n, e))));
            fx_vec3 te = fx_v3_unit(fx_v3_cross(e, ne));
            if (fx_v3_dot(te, u) < 0)
                te = fx_v3_scale(te, -1);
            double g = fmax(0, fx_v3_dot(dp, te)), st = fabs(fx_v3_dot(dp, ne));
            r.gap[k] = isnan(r.gap[k]) ? g : fmax(r.gap[k], g);
            r.step[k] = isnan(r.step[k]) ? st : fmax(r.step[k], st);
        }
    }
    return r;
}

/* The estimate with the faces on or off; a (label 2) moved by t. */
static void estimate(double gap_a, reach_fn reach, int faces, fx_vec3 t, fx_domeplan_result *r,
                     int *face_lines)
{
    fx_mesh *lo = part(1, gap_a, reach), *hi = part(0, gap_a, reach);
    fx_domeplan_part parts[2] = {{hi, 1}, {lo, 2}};
    fx_domeplan_opts o;
    fx_domeplan *p = NULL;
    fx_dome d = {0};
    d.centre_mm = C;
    d.radius_mm = R_MM;
    d.height_mm = 10;
    d.axis[0] = fx_v3(1, 0, 0);
    d.axis[1] = fx_v3(0, 1, 0);
    d.axis[2] = fx_v3(0, 0, 1);
    fx_domeplan_opts_default(&o);
    o.face_planes = faces;
    assert_int_equal(fx_domeplan_lines(&d, parts, 2, &o, &p, NULL), FX_OK);
    fx_rigid D[2] = {fx_rigid_identity(), fx_rigid_identity()};
    D[1].t[0] = t.x, D[1].t[1] = t.y, D[1].t[2] = t.z;
    fx_domeplan_measure(p, D, NULL, r);
    *face_lines = fx_domeplan_face_lines(p);
    fx_domeplan_free(p);
    fx_mesh_free(lo);
    fx_mesh_free(hi);
}

static void assert_near_truth(const fx_domeplan_result *r, const truth *T, double tol_mm)
{
    for (int k = 0; k < 3; k++) {
        assert_int_equal(isnan(r->gap_mm[k]), isnan(T->gap[k]));
        if (isnan(T->gap[k]))
            continue;
        assert_float_equal(r->gap_mm[k], T->gap[k], tol_mm);
        assert_float_equal(r->step_mm[k], T->step[k], tol_mm);
    }
    assert_float_equal(r->gap3d_mm, T->gap3d, tol_mm);
}

/* The largest error over the planes both have (99 where visibility differs). */
static double worst(const fx_domeplan_result *r, const truth *T)
{
    double e = fabs(r->gap3d_mm - T->gap3d);
    for (int k = 0; k < 3; k++) {
        if (isnan(r->gap_mm[k]) != isnan(T->gap[k]))
            return 99;
        if (!isnan(T->gap[k]))
            e = fmax(e, fmax(fabs(r->gap_mm[k] - T->gap[k]), fabs(r->step_mm[k] - T->step[k])));
    }
    return e;
}

static void a_line_whose_lower_part_stops_short_of_the_cut_is_read_on_the_fracture_face(void **s)
{
    (void)s;
    fx_vec3 t = fx_v3(1.5, 2.5, -2.0); /* opens the cleft most where the circle dips */
    truth T = truth_of(t);
    fx_domeplan_result r;
    int faces = 0;
    estimate(3.0, reach_recessed, 1, t, &r, &faces);
    assert_int_equal(faces, 1);
    assert_float_equal(r.line_mm, T.line_mm, 0.5);
    assert_near_truth(&r, &T, 0.15);
    estimate(3.0, reach_recessed, 0, t, &r, &faces);
    assert_int_equal(faces, 0);
    assert_true(T.line_mm - r.line_mm > 3.0); /* the grid's line, 2 mm low, leaves the dome */
    assert_true(worst(&r, &T) > 0.2);
}

static void a_boundary_that_bends_off_the_cut_at_the_domes_edge_is_read_on_the_cut(void **s)
{
    (void)s;
    fx_vec3 t = fx_v3(-1.0, 3.0, -1.5);
    truth T = truth_of(t);
    fx_domeplan_result r;
    int faces = 0;
    estimate(0.0, reach_bent, 1, t, &r, &faces);
    assert_int_equal(faces, 1);
    assert_float_equal(r.line_mm, T.line_mm, 0.5);
    assert_near_truth(&r, &T, 0.15);
    estimate(0.0, reach_bent, 0, t, &r, &faces);
    /* the grid's line follows the bend out of the dome: 10 mm short, the
     * coronal gap read 0.26 mm low */
    assert_true(T.line_mm - r.line_mm > 5.0);
    assert_true(worst(&r, &T) > 0.2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_line_whose_lower_part_stops_short_of_the_cut_is_read_on_the_fracture_face),
        cmocka_unit_test(a_boundary_that_bends_off_the_cut_at_the_domes_edge_is_read_on_the_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
