/*
 * fracture.c - associated acetabular fracture patterns (both-column,
 * T-shaped) as planar cuts of the injured hemipelvis, the fragments' rigid
 * displacements before and after surgery, and the exact gap and step-off at
 * the acetabular dome that those displacements produce (docs/phantom.md,
 * "Gap and step-off").
 */
#include "config.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <string.h>

#include "model.h"
#include "sdf.h"

double ph_region_sdf(const ph_region *r, fx_vec3 a)
{
    double d = -INFINITY;
    for (int i = 0; i < r->nh; i++)
        d = fmax(d, -sdf_plane(a, r->h[i].q, r->h[i].n));
    return d;
}

int ph_label(const fx_phantom *p, fx_vec3 a)
{
    for (int f = 1; f < p->nfrag; f++)
        if (ph_region_sdf(&p->region[f], a) <= 0)
            return f;
    return 0;
}

fx_vec3 ph_random_unit(gsl_rng *rng)
{
    double x, y, z;
    gsl_ran_dir_3d(rng, &x, &y, &z);
    return fx_v3(x, y, z);
}

fx_rigid ph_rot_about(fx_vec3 axis, double angle_rad, fx_vec3 centre, fx_vec3 shift)
{
    fx_rigid R = fx_rigid_from_axis_angle(axis, angle_rad, fx_v3(0, 0, 0));
    fx_vec3 t = fx_v3_add(fx_v3_sub(centre, fx_rigid_rotate(&R, centre)), shift);
    R.t[0] = t.x;
    R.t[1] = t.y;
    R.t[2] = t.z;
    return R;
}

/* A half-space given in template millimetres relative to the hip centre. */
static ph_half half(const fx_phantom *p, fx_vec3 q_rel, fx_vec3 n)
{
    fx_vec3 c = ph_hip_centre(p, p->side);
    ph_half h = {fx_v3_add(c, fx_v3_scale(ph_mirror(p->side, q_rel), p->scale)),
                 fx_v3_unit(ph_mirror(p->side, n))};
    return h;
}

static ph_half flip(ph_half h)
{
    h.n = fx_v3_scale(h.n, -1);
    return h;
}

static fx_vec3 tilt(gsl_rng *rng, fx_vec3 n, double max_deg)
{
    fx_vec3 ax = ph_random_unit(rng);
    double ang = gsl_ran_flat(rng, -max_deg, max_deg) * M_PI / 180;
    fx_rigid R = fx_rigid_from_axis_angle(ax, ang, fx_v3(0, 0, 0));
    return fx_rigid_rotate(&R, n);
}

static void add_cut(fx_phantom *p, const char *name, ph_half h)
{
    ph_cut *c = &p->cut[p->ncuts++];
    snprintf(c->name, sizeof(c->name), "%s", name);
    c->plane = h;
}

static void both_column(fx_phantom *p, gsl_rng *rng)
{
    ph_half A_ant = half(p, fx_v3(0, 0, 30 + gsl_ran_flat(rng, -3, 3)),
                         tilt(rng, fx_v3(0, -0.55, -0.83), 6));
    ph_half A_post = half(p, fx_v3(0, 0, 33 + gsl_ran_flat(rng, -2, 3)),
                          tilt(rng, fx_v3(0, 0.35, -0.94), 6));
    ph_half B = half(p, fx_v3(0, gsl_ran_flat(rng, -6, 6), 0), tilt(rng, fx_v3(0, 1, 0.1), 15));
    ph_half Y = half(p, fx_v3(0, 45, 0), fx_v3(0, -1, 0));
    int four = gsl_rng_uniform(rng) < 0.5;

    p->nfrag = four ? 4 : 3;
    snprintf(p->frag_name[0], 32, "intact pelvis");
    snprintf(p->frag_name[1], 32, "anterior column");
    snprintf(p->frag_name[2], 32, "posterior column");
    p->region[1] = (ph_region){2, {A_ant, flip(B)}};
    p->region[2] = (ph_region){3, {A_post, B, Y}};
    add_cut(p, "column split", B);
    add_cut(p, "iliac wing (anterior)", A_ant);
    add_cut(p, "iliac (posterior)", A_post);
    if (four) {
        /* a superior and inferior pubic ramus fracture frees the pubis */
        fx_vec3 a = fx_v3(68, -25, -6), b = fx_v3(22, -66, -26);
        fx_vec3 mid = fx_v3_scale(fx_v3_add(a, b), 0.5);
        fx_vec3 rel = fx_v3_sub(mid, fx_v3(PH_HIP_X, PH_HIP_Y, PH_HIP_Z));
        rel = fx_v3_add(rel, fx_v3(0, 0, gsl_ran_flat(rng, -3, 3)));
        ph_half P4 = half(p, rel, tilt(rng, fx_v3_unit(fx_v3_sub(b, a)), 10));
        snprintf(p->frag_name[3], 32, "pubis");
        p->region[1].h[p->region[1].nh++] = flip(P4);
        p->region[3] = (ph_region){3, {A_ant, flip(B), P4}};
        add_cut(p, "pubic rami", P4);
    }
}

static void t_shaped(fx_phantom *p, gsl_rng *rng)
{
    ph_half T = half(p, fx_v3(0, 0, PH_R_JOINT - 8 + gsl_ran_flat(rng, -1.5, 1.5)),
                     tilt(rng, fx_v3(0, 0, -1), 22));
    ph_half S = half(p, fx_v3(0, gsl_ran_flat(rng, -5, 5), -10), tilt(rng, fx_v3(0, 1, 0), 12));
    p->nfrag = 3;
    snprintf(p->frag_name[0], 32, "intact pelvis");
    snprintf(p->frag_name[1], 32, "anterior inferior");
    snprintf(p->frag_name[2], 32, "posterior inferior");
    p->region[1] = (ph_region){2, {T, flip(S)}};
    p->region[2] = (ph_region){2, {T, S}};
    add_cut(p, "transverse", T);
    add_cut(p, "stem", S);
}

/* The topmost point of the cut's circle on the joint sphere and the local
 * directions there: n radial (into bone), u across the line, away from the
 * reference fragment `ref`. */
static fx_vec3 dome_frame(const fx_phantom *p, const ph_half *cut, int ref, fx_vec3 *n, fx_vec3 *u)
{
    fx_vec3 C = ph_hip_centre(p, p->side);
    double R = PH_R_JOINT * p->scale;
    double dc = sdf_plane(C, cut->q, cut->n);
    fx_vec3 cc = fx_v3_sub(C, fx_v3_scale(cut->n, dc));
    double rc = sqrt(fmax(R * R - dc * dc, 1.0));
    fx_vec3 up = fx_v3_unit(fx_v3_sub(fx_v3(0, 0, 1), fx_v3_scale(cut->n, cut->n.z)));
    fx_vec3 p0 = fx_v3_add(cc, fx_v3_scale(up, rc));
    fx_vec3 l;
    *n = fx_v3_unit(fx_v3_sub(p0, C));
    l = fx_v3_unit(fx_v3_cross(*n, cut->n));
    *u = fx_v3_unit(fx_v3_cross(*n, l));
    int plus_moves = ph_label(p, fx_v3_add(p0, fx_v3_scale(cut->n, 0.5))) != ref ? 1 : -1;
    if (fx_v3_dot(*u, cut->n) * plus_moves < 0)
        *u = fx_v3_scale(*u, -1);
    return p0;
}

/* The displacement, relative to the reference fragment `ref`, of the
 * fragments across `cut` that opens a gap of about gap_mm and a step of about
 * step_mm at the dome. */
static fx_rigid relative(const fx_phantom *p, gsl_rng *rng, const ph_half *cut, int ref,
                         double gap_mm, double step_mm, double rot_deg)
{
    fx_vec3 n, u;
    fx_vec3 p0 = dome_frame(p, cut, ref, &n, &u);
    double sgn = gsl_rng_uniform(rng) < 0.5 ? -1 : 1;
    fx_vec3 shift = fx_v3_add(fx_v3_scale(u, gap_mm), fx_v3_scale(n, sgn * step_mm));
    return ph_rot_about(ph_random_unit(rng), rot_deg * M_PI / 180, p0, shift);
}

/* Displacements of one series: `pre` chooses the pre-op ranges. */
static void displace(fx_phantom *p, gsl_rng *rng, int series, double gap_mm, double step_mm)
{
    int pre = series == FX_PHANTOM_PREOP;
    fx_vec3 C = ph_hip_centre(p, p->side);
    fx_vec3 medial = fx_v3(-p->side, 0, 0);
    fx_rigid *D = p->disp[series];
    double rot = pre ? gsl_ran_flat(rng, 1.5, 4.0) : gsl_ran_flat(rng, 0.0, 0.8);

    for (int f = 0; f < PH_MAX_FRAG; f++)
        D[f] = fx_rigid_identity();
    if (p->pattern == PH_BOTH_COLUMN) {
        double m = pre ? gsl_ran_flat(rng, 3, 7) : gsl_ran_flat(rng, 0, 0.8);
        D[2] = ph_rot_about(ph_random_unit(rng), (pre ? gsl_ran_flat(rng, 1, 3) : 0.3) * M_PI / 180,
                            C, fx_v3_scale(medial, m));
        fx_rigid rel = relative(p, rng, &p->cut[0].plane, 2, gap_mm, step_mm, rot);
        D[1] = fx_rigid_compose(&D[2], &rel);
        if (p->nfrag == 4) {
            fx_rigid extra = ph_rot_about(ph_random_unit(rng),
                                          (pre ? 3.0 : 0.5) * M_PI / 180, C,
                                          fx_v3_scale(ph_random_unit(rng), pre ? 3.0 : 0.5));
            D[3] = fx_rigid_compose(&D[1], &extra);
        }
    } else {
        D[1] = relative(p, rng, &p->cut[0].plane, 0, gap_mm, step_mm, rot);
        fx_rigid stem = ph_rot_about(ph_random_unit(rng), (pre ? 2.0 : 0.3) * M_PI / 180, C,
                                     fx_v3_scale(ph_random_unit(rng), pre ? 3.0 : 0.5));
        D[2] = fx_rigid_compose(&D[1], &stem);
    }
    /* the femoral head follows the dome fragments medially (protrusion) */
    double protrusion = pre ? gsl_ran_flat(rng, 4, 9) : 0.0;
    p->head[series] = ph_rot_about(fx_v3(0, 0, 1), 0, C, fx_v3_scale(medial, protrusion));
}

static double plane_max(const double *v)
{
    return fmax(v[0], fmax(v[1], v[2]));
}

/* Draw displacements for series s until the patient's gap and step-off (the
 * largest over the three planes) fall in the ranges; later draws aim nearer
 * the middle of the ranges. */
static void displace_within(fx_phantom *p, gsl_rng *rng, int s, const double gap[2],
                            const double step[2])
{
    for (int attempt = 0; attempt < 40; attempt++) {
        double shrink = attempt < 10 ? 1.0 : 0.6;
        double gm = 0.5 * (gap[0] + gap[1]), sm = 0.5 * (step[0] + step[1]);
        double g = gm + shrink * gsl_ran_flat(rng, gap[0] - gm, gap[1] - gm) * 0.9;
        double st = sm + shrink * gsl_ran_flat(rng, step[0] - sm, step[1] - sm) * 0.8;
        if (s == FX_PHANTOM_PREOP)
            st *= 0.35; /* in-plane step-offs run above the 3-D design */
        if (s == FX_PHANTOM_POSTOP && gsl_rng_uniform(rng) < 0.3)
            st = 0.0; /* some reductions are anatomical at the step */
        displace(p, rng, s, g, st);
        ph_reduction res[PH_MAX_CUTS], all;
        ph_reduction_measure(p, s, res, &all);
        double G = plane_max(all.gap_mm), S = plane_max(all.step_mm);
        if (all.samples > 0 && G >= gap[0] && G <= gap[1] && S >= step[0] && S <= step[1])
            return;
    }
}

int ph_fracture_make(fx_phantom *p, gsl_rng *rng)
{
    /* seed study: gap 20 (15-22), step 5 (3-11) pre-op; gap 3 (2-5), step 0
     * (0-2) post-op; the ranges bound every patient */
    static const double pre_gap[2] = {10, 30}, pre_step[2] = {2, 15};
    static const double post_gap[2] = {0, 6}, post_step[2] = {0, 3};
    p->ncuts = 0;
    if (p->pattern == PH_BOTH_COLUMN)
        both_column(p, rng);
    else
        t_shaped(p, rng);
    displace_within(p, rng, FX_PHANTOM_PREOP, pre_gap, pre_step);
    displace_within(p, rng, FX_PHANTOM_POSTOP, post_gap, post_step);
    return FX_OK;
}

/* Where the line sample `x` lands with fragment f in series s. */
static fx_vec3 moved(const fx_phantom *p, int s, int f, fx_vec3 x)
{
    return fx_rigid_apply(&p->disp[s][f], x);
}

static void measure_sample(const fx_phantom *p, int s, const ph_half *cut, fx_vec3 x, int fa,
                           int fb, ph_reduction *r)
{
    fx_vec3 C = ph_hip_centre(p, p->side);
    fx_vec3 n0 = fx_v3_unit(fx_v3_sub(x, C));
    fx_vec3 l0 = fx_v3_unit(fx_v3_cross(n0, cut->n));
    fx_vec3 u0 = fx_v3_unit(fx_v3_cross(n0, l0));
    if (fx_v3_dot(u0, cut->n) < 0)
        u0 = fx_v3_scale(u0, -1);
    const fx_rigid *Dref = &p->disp[s][fa < fb ? fa : fb];
    fx_vec3 n = fx_rigid_rotate(Dref, n0), u = fx_rigid_rotate(Dref, u0);
    fx_vec3 la = fx_rigid_rotate(&p->disp[s][fa], l0);
    fx_vec3 xa = moved(p, s, fa, x), xb = moved(p, s, fb, x);
    fx_vec3 d = fx_v3_sub(xa, xb);
    r->gap3d_mm = fmax(r->gap3d_mm, fmax(0.0, fx_v3_dot(d, u)));
    r->step3d_mm = fmax(r->step3d_mm, fabs(fx_v3_dot(d, n)));
    r->samples++;
    const fx_vec3 axes[3] = {fx_v3(0, 0, 1), fx_v3(0, 1, 0), fx_v3(1, 0, 0)};
    for (int k = 0; k < 3; k++) {
        fx_vec3 e = axes[k];
        if (fabs(fx_v3_dot(la, e)) < 0.5)
            continue; /* the line runs within 30 degrees of this plane */
        double sstar = -fx_v3_dot(d, e) / fx_v3_dot(la, e);
        fx_vec3 dp = fx_v3_add(d, fx_v3_scale(la, sstar));
        fx_vec3 ne = fx_v3_unit(fx_v3_sub(n, fx_v3_scale(e, fx_v3_dot(n, e))));
        fx_vec3 te = fx_v3_unit(fx_v3_cross(e, ne));
        if (fx_v3_dot(te, u) < 0)
            te = fx_v3_scale(te, -1);
        r->gap_mm[k] = fmax(r->gap_mm[k], fmax(0.0, fx_v3_dot(dp, te)));
        r->step_mm[k] = fmax(r->step_mm[k], fabs(fx_v3_dot(dp, ne)));
    }
}

static void reduction_clear(ph_reduction *r)
{
    memset(r, 0, sizeof(*r));
    for (int k = 0; k < 3; k++)
        r->gap_mm[k] = r->step_mm[k] = -1;
}

/* Whether x lies within 0.6 mm (twice the probe's 0.3 mm) of a cut other than
 * c: there the probe at x +- 0.3 mm n may straddle that cut too, so its two
 * labels need not be the pair that cut c separates (at a T junction a stem
 * sample would read the roof against a lower fragment along the stem's
 * tangent). Such samples are left out of the truth. */
static int near_other_cut(const fx_phantom *p, int c, fx_vec3 x)
{
    for (int k = 0; k < p->ncuts; k++)
        if (k != c && fabs(sdf_plane(x, p->cut[k].plane.q, p->cut[k].plane.n)) < 0.6)
            return 1;
    return 0;
}

void ph_reduction_measure(const fx_phantom *p, int series, ph_reduction res[PH_MAX_CUTS],
                          ph_reduction *overall)
{
    fx_vec3 C = ph_hip_centre(p, p->side);
    double R = PH_R_JOINT * p->scale;
    fx_vec3 o = fx_v3_unit(ph_mirror(p->side, fx_v3(0.72, -0.28, -0.62)));
    double z_dome = C.z + R - PH_DOME_MM;
    const int N = 2880;

    reduction_clear(overall);
    for (int c = 0; c < p->ncuts; c++) {
        const ph_half *cut = &p->cut[c].plane;
        ph_reduction *r = &res[c];
        reduction_clear(r);
        double dc = sdf_plane(C, cut->q, cut->n);
        if (fabs(dc) >= R)
            continue;
        fx_vec3 cc = fx_v3_sub(C, fx_v3_scale(cut->n, dc));
        double rc = sqrt(R * R - dc * dc);
        fx_vec3 e1 = fx_v3_unit(fx_v3_cross(cut->n, fabs(cut->n.x) < 0.9 ? fx_v3(1, 0, 0)
                                                                       : fx_v3(0, 1, 0)));
        fx_vec3 e2 = fx_v3_cross(cut->n, e1);
        for (int i = 0; i < N; i++) {
            double t = 2 * M_PI * i / N;
            fx_vec3 x = fx_v3_add(cc, fx_v3_add(fx_v3_scale(e1, rc * cos(t)),
                                                fx_v3_scale(e2, rc * sin(t))));
            if (x.z < z_dome || fx_v3_dot(fx_v3_sub(x, C), o) > 0 ||
                near_other_cut(p, c, x))
                continue;
            int fa = ph_label(p, fx_v3_add(x, fx_v3_scale(cut->n, 0.3)));
            int fb = ph_label(p, fx_v3_sub(x, fx_v3_scale(cut->n, 0.3)));
            if (fa != fb)
                measure_sample(p, series, cut, x, fa, fb, r);
        }
        overall->samples += r->samples;
        overall->gap3d_mm = fmax(overall->gap3d_mm, r->gap3d_mm);
        overall->step3d_mm = fmax(overall->step3d_mm, r->step3d_mm);
        for (int k = 0; k < 3; k++) {
            overall->gap_mm[k] = fmax(overall->gap_mm[k], r->gap_mm[k]);
            overall->step_mm[k] = fmax(overall->step_mm[k], r->step_mm[k]);
        }
    }
}
