/*
 * anatomy.c - the intact pelvis of the phantom as signed distance functions:
 * a left hemipelvis template (ilium with a curved wing, acetabulum with a
 * hemispherical joint surface, anterior and posterior columns, pubic and
 * ischial rami), mirrored exactly for the right side through x = 0; a sacrum
 * and coccyx on the midline; proximal femora; and the soft tissues around.
 * Template millimetres are scaled by the patient's scale factor.
 */
#include "config.h"

#include <math.h>

#include "model.h"
#include "sdf.h"

/* Acetabular opening (unit vector, template): lateral, anterior, inferior. */
static fx_vec3 opening(void)
{
    return fx_v3_unit(fx_v3(0.72, -0.28, -0.62));
}

static fx_vec3 hip(void)
{
    return fx_v3(PH_HIP_X, PH_HIP_Y, PH_HIP_Z);
}

/* The acetabular cup: a thick hemispherical shell around the joint surface. */
static double cup(fx_vec3 p)
{
    fx_vec3 c = hip();
    double outer = sdf_sphere(p, c, 37.0);
    double cavity = sdf_sphere(p, c, PH_R_JOINT);
    double rim = sdf_plane(p, c, opening()) - 3.0;
    return fmax(fmax(outer, -cavity), rim);
}

/* The iliac wing: a thin curved plate on a flaring cylinder around a
 * vertical axis, bounded by an arched crest. */
static double wing(fx_vec3 p)
{
    const double ax = 22.0, ay = -12.0;
    double dx = p.x - ax, dy = p.y - ay;
    double r = sqrt(dx * dx + dy * dy);
    double rho = 80.0 + 0.30 * p.z;
    double th = atan2(dy, dx);
    const double th_a = -0.30, th_p = 1.25; /* radians: ASIS ... PSIS */
    double u = sdf_clamp((th - th_a) / (th_p - th_a), 0, 1);
    double crest = 88.0 + 20.0 * sin(M_PI * u);
    double half = 4.2 + 3.0 * exp(-(crest - p.z) / 12.0) + 3.0 * exp(-(p.z - 15.0) / 12.0);
    double shell = fabs(r - rho) - half;
    double ang = fmax(th_a - th, th - th_p) * rho;
    double zb = fmax(p.z - crest, 15.0 - p.z);
    return fmax(fmax(shell, ang), zb);
}

static double hemi_template(fx_vec3 p)
{
    fx_vec3 c = hip();
    double d = cup(p);
    double k = 6.0;
    /* supra-acetabular pillar, thick posterior ilium, sciatic buttress */
    d = sdf_smin(d, sdf_capsule(p, fx_v3_add(c, fx_v3(2, 6, 22)), fx_v3(80, 22, 58), 17, 10), k);
    d = sdf_smin(d, wing(p), k);
    d = sdf_smin(d, sdf_capsule(p, fx_v3(52, 58, 38), fx_v3(56, 74, 86), 13, 9), k);
    d = sdf_smin(d, sdf_capsule(p, fx_v3_add(c, fx_v3(-12, 20, 18)), fx_v3(50, 60, 40), 13, 12),
                 k);
    /* retroacetabular surface of the posterior column */
    d = sdf_smin(d, sdf_capsule(p, fx_v3_add(c, fx_v3(-6, 24, 22)), fx_v3_add(c, fx_v3(-12, 28, -26)),
                                12, 11), k);
    /* anterior border of the ilium: AIIS to ASIS */
    d = sdf_smin(d, sdf_capsule(p, fx_v3_add(c, fx_v3(6, -24, 24)), fx_v3(112, -44, 92), 8, 6), k);
    /* pelvic brim (iliopectineal line): SI joint to pubic tubercle */
    d = sdf_smin(d, sdf_capsule(p, fx_v3(48, 58, 36), fx_v3(58, 6, 12), 7, 7), k);
    d = sdf_smin(d, sdf_capsule(p, fx_v3(58, 6, 12), fx_v3(26, -62, -22), 7, 7), k);
    /* superior pubic ramus and pubic body (symphysis face at x = 2) */
    d = sdf_smin(d, sdf_capsule(p, fx_v3_add(c, fx_v3(-18, -20, -6)), fx_v3(22, -66, -26), 11, 9),
                 k);
    double pubis = sdf_ellipsoid(p, fx_v3(13, -68, -38), fx_v3(11, 12, 20));
    d = sdf_smin(d, fmax(pubis, 2.0 - p.x), k);
    /* inferior pubic and ischial rami, ischium and tuberosity */
    d = sdf_smin(d, sdf_capsule(p, fx_v3(14, -64, -52), fx_v3(50, -6, -68), 7, 7), k);
    d = sdf_smin(d, sdf_capsule(p, fx_v3_add(c, fx_v3(-6, 22, -16)), fx_v3(60, 18, -62), 14, 12),
                 k);
    d = sdf_smin(d, sdf_ellipsoid(p, fx_v3(60, 16, -66), fx_v3(12, 16, 12)), k);
    /* ischial spine */
    d = sdf_smin(d, sdf_capsule(p, fx_v3_add(c, fx_v3(-14, 26, -8)), fx_v3(44, 48, -18), 6, 3),
                 4.0);
    /* The socket: the pillar and column capsules above start close to the hip
     * centre and would otherwise fill the joint and fuse with the femoral head. */
    return fmax(d, -sdf_sphere(p, c, PH_R_JOINT));
}

/* Sacrum (tapered, tilted slab), S1 vertebral body on top, coccyx below. */
static double sacrum_template(fx_vec3 p)
{
    fx_vec3 A = fx_v3(0, 58, 72), B = fx_v3(0, 96, -28);
    fx_vec3 ab = fx_v3_sub(B, A);
    double L = fx_v3_norm(ab);
    fx_vec3 u = fx_v3_scale(ab, 1.0 / L);
    fx_vec3 nrm = fx_v3(0, u.z, -u.y); /* in the y-z plane, perpendicular to u */
    fx_vec3 ap = fx_v3_sub(p, A);
    double s = fx_v3_dot(ap, u);
    double t = sdf_clamp(s / L, 0, 1);
    double hw = 46.0 * (1 - t) + 14.0 * t, hd = 16.0 * (1 - t) + 7.0 * t;
    double depth = fx_v3_dot(ap, nrm) + 6.0 * sin(M_PI * t); /* sacral kyphosis */
    double rad = 0.9 * fmin(hw, hd);
    double qx = fabs(p.x) - (hw - rad), qd = fabs(depth) - (hd - rad);
    double box = sqrt(fmax(qx, 0) * fmax(qx, 0) + fmax(qd, 0) * fmax(qd, 0)) +
                 fmin(fmax(qx, qd), 0.0) - rad;
    double ends = fmax(-s, s - L);
    double d = fmax(box, ends);
    d = sdf_smin(d, sdf_cylinder(p, fx_v3(0, 50, 78), fx_v3(0, 46, 102), 24.0), 4.0);
    d = fmin(d, sdf_capsule(p, B, fx_v3(0, 88, -44), 6.0, 4.0));
    return d;
}

/* Left femur: head in the acetabulum, neck, greater trochanter, shaft. */
static double femur_template(fx_vec3 p, double r_head)
{
    fx_vec3 c = hip();
    double d = sdf_sphere(p, c, r_head);
    d = sdf_smin(d, sdf_capsule(p, c, fx_v3_add(c, fx_v3(34, 4, -26)), 15, 16), 6.0);
    d = sdf_smin(d, sdf_ellipsoid(p, fx_v3_add(c, fx_v3(46, 10, -20)), fx_v3(13, 17, 20)), 6.0);
    d = sdf_smin(d, sdf_capsule(p, fx_v3_add(c, fx_v3(36, 4, -36)), fx_v3_add(c, fx_v3(18, 0, -240)),
                                16, 14), 8.0);
    return d;
}

fx_vec3 ph_mirror(int side, fx_vec3 t)
{
    return fx_v3(side * t.x, t.y, t.z);
}

/* Anatomical point -> template point of the given side (x mirrored, scaled). */
static fx_vec3 to_template(const fx_phantom *p, int side, fx_vec3 a)
{
    return fx_v3(side * a.x / p->scale, a.y / p->scale, a.z / p->scale);
}

fx_vec3 ph_hip_centre(const fx_phantom *p, int side)
{
    return fx_v3_scale(ph_mirror(side, hip()), p->scale);
}

double ph_hemi(const fx_phantom *p, int side, fx_vec3 a)
{
    return p->scale * hemi_template(to_template(p, side, a));
}

double ph_sacrum(const fx_phantom *p, fx_vec3 a)
{
    return p->scale * sacrum_template(to_template(p, 1, a));
}

double ph_femur(const fx_phantom *p, int side, fx_vec3 a)
{
    return p->scale * femur_template(to_template(p, side, a), p->r_head_mm);
}

void ph_soft(const fx_phantom *p, fx_vec3 a, double *body, double *muscle, double *bladder,
             double *gas)
{
    fx_vec3 t = fx_v3_scale(a, 1.0 / p->scale);
    double s = p->scale;
    /* elliptic body outline with a flatter back, bound as an ellipse */
    double bx = 152.0, by = t.y > 10 ? 98.0 : 118.0;
    double q = sqrt((t.x / bx) * (t.x / bx) + ((t.y - 10) / by) * ((t.y - 10) / by));
    double m = fmin(bx, by);
    *body = s * (q - 1.0) * m;
    /* fat layer: thicker laterally and anteriorly */
    double fat = 16.0 + 8.0 * fabs(t.x) / bx;
    double qm = sqrt((t.x / (bx - fat)) * (t.x / (bx - fat)) +
                     ((t.y - 10) / (by - fat)) * ((t.y - 10) / (by - fat)));
    *muscle = s * (qm - 1.0) * (m - fat);
    *bladder = s * sdf_ellipsoid(t, fx_v3(0, -38, 8), fx_v3(34, 26, 30));
    *gas = s * sdf_ellipsoid(t, fx_v3(0, 70, -22), fx_v3(9, 7, 12));
}

fx_vec3 ph_hemi_normal(const fx_phantom *p, int side, fx_vec3 a)
{
    const double h = 0.05;
    fx_vec3 g = fx_v3(ph_hemi(p, side, fx_v3(a.x + h, a.y, a.z)) -
                          ph_hemi(p, side, fx_v3(a.x - h, a.y, a.z)),
                      ph_hemi(p, side, fx_v3(a.x, a.y + h, a.z)) -
                          ph_hemi(p, side, fx_v3(a.x, a.y - h, a.z)),
                      ph_hemi(p, side, fx_v3(a.x, a.y, a.z + h)) -
                          ph_hemi(p, side, fx_v3(a.x, a.y, a.z - h)));
    return fx_v3_unit(g);
}

fx_vec3 ph_hemi_project(const fx_phantom *p, int side, fx_vec3 a)
{
    for (int it = 0; it < 30; it++) {
        double d = ph_hemi(p, side, a);
        if (fabs(d) < 1e-4)
            break;
        a = fx_v3_sub(a, fx_v3_scale(ph_hemi_normal(p, side, a), d));
    }
    return a;
}
