/*
 * implants.c - the fixation: plates that follow the bone surface of the
 * anatomically reduced hemipelvis (an anterior intrapelvic plate along the
 * pelvic brim; for some patients a posterior plate along the posterior
 * column), screws planned through their holes along the longest bony
 * corridor, and the actual screws, which deviate from the plan by known
 * angles, entry offsets and lengths (or were not placed).
 */
#include "config.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <string.h>

#include "model.h"
#include "sdf.h"

enum { HOLE_EVERY = 3 };
static const double SCREW_D_MM = 3.5, HEAD_H_MM = 2.5, HEAD_R_MM = 3.0, STEP_MM = 4.0;

/* Resample the template polyline `ctl` (n points, left side) at STEP_MM and
 * project every sample onto the bone surface from the side `from` points to. */
static void plate_path(fx_phantom *p, ph_plate *pl, const fx_vec3 *ctl, int n, fx_vec3 from)
{
    double len[16] = {0}, total = 0;
    for (int i = 1; i < n; i++)
        total = len[i] = len[i - 1] + fx_v3_dist(ctl[i - 1], ctl[i]);
    int m = (int)(total * p->scale / STEP_MM) + 1;
    if (m > PH_MAX_PTS)
        m = PH_MAX_PTS;
    pl->npts = m;
    for (int k = 0; k < m; k++) {
        double s = total * k / (m - 1);
        int i = 1;
        while (i < n - 1 && len[i] < s)
            i++;
        double t = (s - len[i - 1]) / (len[i] - len[i - 1]);
        fx_vec3 q = fx_v3_add(ctl[i - 1], fx_v3_scale(fx_v3_sub(ctl[i], ctl[i - 1]), t));
        q = fx_v3_add(q, fx_v3_scale(fx_v3_unit(from), 12.0));
        fx_vec3 a = fx_v3_scale(ph_mirror(p->side, q), p->scale);
        pl->pt[k] = ph_hemi_project(p, p->side, a);
        pl->nrm[k] = ph_hemi_normal(p, p->side, pl->pt[k]);
    }
    pl->nholes = 0;
    for (int k = 1; k < m - 1; k += HOLE_EVERY)
        pl->hole[pl->nholes++] = k;
}

/* Length (mm) that the axis from `entry` along `dir` stays at least a screw
 * radius deep in the intact hemipelvis, checked from 4 mm on; the least
 * depth met on the way in *clear. */
static double corridor(const fx_phantom *p, fx_vec3 entry, fx_vec3 dir, double *clear)
{
    double least = INFINITY;
    for (double t = 4.0; t < 140.0; t += 0.5) {
        double d = ph_hemi(p, p->side, fx_v3_add(entry, fx_v3_scale(dir, t)));
        if (d > -0.5 * SCREW_D_MM)
            return *clear = least, t;
        least = fmin(least, -d);
    }
    return *clear = least, 140.0;
}

/* The planned screw at a hole: the longest corridor within 42 degrees of the
 * inward normal, its length rounded down to the 2 mm sizes, 2 mm short of
 * the far cortex. Returns 0 when no corridor of 16 mm exists. */
static int plan_screw(const fx_phantom *p, const ph_plate *pl, int hole, ph_screw *s)
{
    fx_vec3 e = pl->pt[pl->hole[hole]], n = pl->nrm[pl->hole[hole]];
    fx_vec3 in = fx_v3_scale(n, -1);
    fx_vec3 a = fx_v3_unit(fx_v3_cross(in, fabs(in.x) < 0.9 ? fx_v3(1, 0, 0) : fx_v3(0, 1, 0)));
    fx_vec3 b = fx_v3_cross(in, a);
    double best = 0, best_clear = 0;
    fx_vec3 best_dir = in;
    for (int ia = 0; ia <= 7; ia++) {
        double al = ia * 6.0 * M_PI / 180;
        for (int iz = 0; iz < (ia ? 16 : 1); iz++) {
            double az = 2 * M_PI * iz / 16;
            fx_vec3 d = fx_v3_unit(fx_v3_add(fx_v3_scale(in, cos(al)),
                                             fx_v3_scale(fx_v3_add(fx_v3_scale(a, cos(az)),
                                                                   fx_v3_scale(b, sin(az))),
                                                         sin(al))));
            double clear, L = corridor(p, e, d, &clear);
            if (L > best + 1.0) {
                best = L;
                best_dir = d;
                best_clear = clear;
            }
        }
    }
    double len = 2.0 * floor((best - 2.0) / 2.0);
    if (len > 110)
        len = 110;
    if (len < 16)
        return 0;
    s->entry = e;
    s->tip = fx_v3_add(e, fx_v3_scale(best_dir, len));
    s->diameter_mm = SCREW_D_MM;
    s->length_mm = len;
    s->hole = hole;
    s->placed = 1;
    s->clearance_mm = best_clear;
    return 1;
}

/* The actual screw: rotated by a known angle about an axis normal to the
 * plan, entry moved in the tangent plane, length changed by 0 or +-2/4 mm. */
static void actual_screw(gsl_rng *rng, const ph_screw *pl, ph_screw *ac)
{
    fx_vec3 dir = fx_v3_unit(fx_v3_sub(pl->tip, pl->entry));
    fx_vec3 perp = fx_v3_unit(fx_v3_cross(dir, ph_random_unit(rng)));
    double ang = sdf_clamp(gsl_ran_gaussian(rng, 2.2) + 7.0, 0.5, 12.0) * M_PI / 180;
    fx_rigid R = fx_rigid_from_axis_angle(perp, ang, fx_v3(0, 0, 0));
    fx_vec3 d2 = fx_rigid_rotate(&R, dir);
    fx_vec3 off = fx_v3_unit(fx_v3_cross(dir, ph_random_unit(rng)));
    double r = sdf_clamp(fabs(gsl_ran_gaussian(rng, 1.4)), 0.0, 3.0);
    static const double dl[5] = {-4, -2, 0, 2, 4};
    static const double cum[5] = {0.1, 0.4, 0.6, 0.9, 1.0};
    double u = gsl_rng_uniform(rng);
    int k = 0;
    while (k < 4 && u > cum[k])
        k++;
    *ac = *pl;
    ac->entry = fx_v3_add(pl->entry, fx_v3_scale(off, r));
    ac->length_mm = pl->length_mm + dl[k];
    ac->tip = fx_v3_add(ac->entry, fx_v3_scale(d2, ac->length_mm));
    ac->clearance_mm = 0;
}

/* Distance (mm) from point a to the segment p0..p1. */
static double point_seg(fx_vec3 a, fx_vec3 p0, fx_vec3 p1)
{
    fx_vec3 u = fx_v3_sub(p1, p0);
    double L2 = fx_v3_dot(u, u);
    double t = L2 > 0 ? sdf_clamp(fx_v3_dot(fx_v3_sub(a, p0), u) / L2, 0.0, 1.0) : 0.0;
    return fx_v3_dist(a, fx_v3_add(p0, fx_v3_scale(u, t)));
}

/* Least distance (mm) between the segments a0..a1 and b0..b1, sampled along
 * the first every 0.2 mm (within 0.1 mm: enough for a 0.5 mm clearance). */
static double seg_seg(fx_vec3 a0, fx_vec3 a1, fx_vec3 b0, fx_vec3 b1)
{
    double L = fx_v3_dist(a0, a1), d = INFINITY;
    int n = (int)ceil(L / 0.2) + 1;
    for (int i = 0; i <= n; i++)
        d = fmin(d, point_seg(fx_v3_add(a0, fx_v3_scale(fx_v3_sub(a1, a0), (double)i / n)),
                              b0, b1));
    return d;
}

/* Axis of a screw's shaft (bottom of its head .. tip) and of its head (top ..
 * bottom), as screw_sdf draws them. */
static void screw_axes(const fx_phantom *p, const ph_screw *s, fx_vec3 *base, fx_vec3 *top)
{
    fx_vec3 dir = fx_v3_unit(fx_v3_sub(s->tip, s->entry));
    *base = fx_v3_sub(s->entry, fx_v3_scale(dir, p->plate[s->plate].thick_mm));
    *top = fx_v3_sub(*base, fx_v3_scale(dir, HEAD_H_MM));
}

/* 1 when the actual screw `s` keeps a surgeon's clearance from every actual
 * screw drawn before it: shaft to shaft at least both radii + 0.5 mm, shaft
 * to head the shaft's radius + the head's + 0.5 mm. No surgery puts one
 * screw through another, and no image could tell the two apart. */
static int clear_of_others(const fx_phantom *p, const ph_screw *s)
{
    const double gap = 0.5, r = 0.5 * s->diameter_mm;
    fx_vec3 sb, st;
    screw_axes(p, s, &sb, &st);
    for (int i = 0; i < p->nscrews; i++) {
        const ph_screw *o = &p->actual[i];
        if (!o->placed)
            continue;
        fx_vec3 ob, ot;
        screw_axes(p, o, &ob, &ot);
        double ro = 0.5 * o->diameter_mm;
        if (seg_seg(sb, s->tip, ob, o->tip) < r + ro + gap ||
            seg_seg(sb, s->tip, ot, ob) < r + HEAD_R_MM + gap ||
            seg_seg(ob, o->tip, st, sb) < ro + HEAD_R_MM + gap)
            return 0;
    }
    return 1;
}

/* The drawn screw `ac`, shortened in 2 mm sizes down to `min_mm` until it is
 * clear of the screws before it; 1 when that clears it. */
static int shorten_clear(const fx_phantom *p, ph_screw *ac, double min_mm)
{
    fx_vec3 dir = fx_v3_unit(fx_v3_sub(ac->tip, ac->entry));
    for (double len = ac->length_mm; len >= fmax(min_mm, 12.0); len -= 2.0) {
        ph_screw t = *ac;
        t.length_mm = len;
        t.tip = fx_v3_add(t.entry, fx_v3_scale(dir, len));
        if (clear_of_others(p, &t)) {
            *ac = t;
            return 1;
        }
    }
    return 0;
}

/* The actual screw at plan `pl`, clear of the actual screws placed before it
 * (the phantom's planned screws converge along their corridors and often
 * cross). The screw drawn from the patient's generator, shortened by up to
 * three 2 mm sizes when that clears it (a surgeon who feels the other screw
 * takes a shorter one); else drawn again from a generator of its own (seeded
 * from the patient's seed and the screw, so that nothing else of the patient
 * changes), again shortened by up to three sizes; a screw that cannot be
 * placed clear after 200 draws is not placed (a surgeon leaves it out rather
 * than take one a fraction of the planned length: the phantom's planned
 * screws cross each other where the corridors converge). */
static void actual_clear_screw(const fx_phantom *p, gsl_rng *rng, const ph_screw *pl,
                               ph_screw *ac)
{
    actual_screw(rng, pl, ac);
    if (shorten_clear(p, ac, ac->length_mm - 6.0))
        return;
    gsl_rng *own = gsl_rng_alloc(gsl_rng_mt19937);
    if (own) {
        uint64_t s = p->pseed * 0x9e3779b97f4a7c15ULL + (uint64_t)p->nscrews * 0x2545f491ULL;
        gsl_rng_set(own, (unsigned long)(s >> 32) ^ 0x5c7e3UL);
        for (int attempt = 0; attempt < 200; attempt++) {
            ph_screw t;
            actual_screw(own, pl, &t);
            if (shorten_clear(p, &t, t.length_mm - 6.0)) {
                *ac = t;
                gsl_rng_free(own);
                return;
            }
        }
        gsl_rng_free(own);
    }
    ac->placed = 0;
}

static void grow(fx_phantom *p, fx_vec3 x, double r)
{
    p->metal_lo = fx_v3(fmin(p->metal_lo.x, x.x - r), fmin(p->metal_lo.y, x.y - r),
                        fmin(p->metal_lo.z, x.z - r));
    p->metal_hi = fx_v3(fmax(p->metal_hi.x, x.x + r), fmax(p->metal_hi.y, x.y + r),
                        fmax(p->metal_hi.z, x.z + r));
}

static void add_screws(fx_phantom *p, gsl_rng *rng, int plate, int max_screws)
{
    ph_plate *pl = &p->plate[plate];
    int added = 0;
    for (int h = 0; h < pl->nholes && added < max_screws && p->nscrews < PH_MAX_SCREWS; h++) {
        ph_screw s;
        if (!plan_screw(p, pl, h, &s))
            continue;
        s.plate = plate;
        p->planned[p->nscrews] = s;
        actual_clear_screw(p, rng, &s, &p->actual[p->nscrews]);
        p->nscrews++;
        added++;
    }
}

/* Where the surgeon actually put each plate: turned 1-3 deg about its mean
 * surface normal through its path's centroid and slid 0.5-1.5 mm along the
 * surface, so that it stays on the bone. Drawn from a generator of its own
 * (seeded from the patient's seed) so that nothing else of the patient
 * changes. The screws stay as they are (their heads are on the plan's holes). */
static void plate_placement(fx_phantom *p)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    for (int i = 0; i < PH_MAX_PLATES; i++)
        p->plate_dev[i] = p->plate_dinv[i] = fx_rigid_identity();
    if (!rng)
        return;
    gsl_rng_set(rng, (unsigned long)((p->pseed * 0x9e3779b97f4a7c15ULL) >> 32) ^ 0x91a7eUL);
    for (int i = 0; i < p->nplates; i++) {
        const ph_plate *pl = &p->plate[i];
        fx_vec3 c = {0, 0, 0}, n = {0, 0, 0};
        for (int k = 0; k < pl->npts; k++) {
            c = fx_v3_add(c, pl->pt[k]);
            n = fx_v3_add(n, pl->nrm[k]);
        }
        c = fx_v3_scale(c, 1.0 / pl->npts);
        n = fx_v3_unit(n);
        fx_vec3 u = fx_v3_unit(fx_v3_cross(n, fabs(n.x) < 0.9 ? fx_v3(1, 0, 0) : fx_v3(0, 1, 0)));
        fx_vec3 v = fx_v3_cross(n, u);
        double az = gsl_ran_flat(rng, 0, 2 * M_PI), shift = gsl_ran_flat(rng, 0.5, 1.5);
        double ang = gsl_ran_flat(rng, 1.0, 3.0) * (gsl_rng_uniform(rng) < 0.5 ? -1 : 1);
        fx_vec3 t = fx_v3_add(fx_v3_scale(u, shift * cos(az)), fx_v3_scale(v, shift * sin(az)));
        p->plate_dev[i] = ph_rot_about(n, ang * M_PI / 180, c, t);
        p->plate_dinv[i] = fx_rigid_inverse(&p->plate_dev[i]);
    }
    gsl_rng_free(rng);
}

static double plate_sdf(const ph_plate *pl, fx_vec3 a);

/* Least distance (mm) from the shaft of actual screw `s` (head's base to tip,
 * every 0.2 mm) to the surface of plate `i` where it was placed. */
static double shaft_to_plate(const fx_phantom *p, const ph_screw *s, int i)
{
    fx_vec3 base, top;
    screw_axes(p, s, &base, &top);
    double L = fx_v3_dist(base, s->tip), d = INFINITY;
    int n = (int)ceil(L / 0.2) + 1;
    for (int k = 0; k <= n; k++) {
        fx_vec3 x = fx_v3_add(base, fx_v3_scale(fx_v3_sub(s->tip, base), (double)k / n));
        d = fmin(d, plate_sdf(&p->plate[i], fx_rigid_apply(&p->plate_dinv[i], x)));
    }
    return d;
}

/* No surgeon drives a screw into the other plate, and no image can tell
 * where its tip ends inside it: once the plates are placed, an actual screw
 * whose shaft comes within its radius + 0.5 mm of another plate is shortened
 * by up to three 2 mm sizes, or else left out. Draws nothing from a
 * generator, so every other screw, plate and fragment stays as it was. */
static void clear_of_plates(fx_phantom *p)
{
    const double gap = 0.5;
    for (int j = 0; j < p->nscrews; j++) {
        ph_screw *ac = &p->actual[j];
        if (!ac->placed)
            continue;
        fx_vec3 dir = fx_v3_unit(fx_v3_sub(ac->tip, ac->entry));
        double min_len = fmax(ac->length_mm - 6.0, 12.0);
        for (int i = 0; i < p->nplates; i++) {
            if (i == ac->plate)
                continue;
            while (ac->placed && shaft_to_plate(p, ac, i) < 0.5 * ac->diameter_mm + gap) {
                if (ac->length_mm - 2.0 < min_len - 1e-9) {
                    ac->placed = 0;
                    break;
                }
                ac->length_mm -= 2.0;
                ac->tip = fx_v3_add(ac->entry, fx_v3_scale(dir, ac->length_mm));
            }
        }
    }
}

int ph_implants_make(fx_phantom *p, gsl_rng *rng)
{
    static const fx_vec3 ant[] = {{50, 56, 36}, {57, 30, 22}, {58, 6, 12}, {46, -26, -4},
                                  {30, -56, -18}, {18, -64, -26}};
    static const fx_vec3 post[] = {{66, 26, -50}, {72, 32, -26}, {74, 36, -2}, {70, 40, 22},
                                   {62, 48, 40}};
    p->metal_lo = fx_v3(INFINITY, INFINITY, INFINITY);
    p->metal_hi = fx_v3(-INFINITY, -INFINITY, -INFINITY);
    p->nscrews = 0;
    for (int i = 0; i < p->nplates; i++) {
        ph_plate *pl = &p->plate[i];
        pl->width_mm = 10.0;
        pl->thick_mm = gsl_ran_flat(rng, 2.0, 3.0);
        pl->hole_diameter_mm = 4.0;
        if (i == 0) {
            snprintf(pl->name, sizeof(pl->name), "anterior intrapelvic");
            plate_path(p, pl, ant, 6, fx_v3(-0.7, 0, 0.7));
        } else {
            snprintf(pl->name, sizeof(pl->name), "posterior column");
            plate_path(p, pl, post, 5, fx_v3(0.6, 0.8, 0));
        }
        add_screws(p, rng, i, i == 0 ? 7 : 5);
        for (int k = 0; k < pl->npts; k++)
            grow(p, pl->pt[k], 15.0);
    }
    for (int i = 0; i < p->nscrews; i++) {
        grow(p, p->actual[i].entry, 12.0);
        grow(p, p->actual[i].tip, 4.0);
    }
    plate_placement(p);
    clear_of_plates(p);
    return FX_OK;
}

static double plate_sdf(const ph_plate *pl, fx_vec3 a)
{
    double d = INFINITY;
    for (int k = 0; k + 1 < pl->npts; k++) {
        fx_vec3 u = fx_v3_sub(pl->pt[k + 1], pl->pt[k]);
        double L = fx_v3_norm(u);
        u = fx_v3_scale(u, 1.0 / L);
        fx_vec3 nw = fx_v3_unit(fx_v3_add(pl->nrm[k], pl->nrm[k + 1]));
        fx_vec3 w = fx_v3_unit(fx_v3_sub(nw, fx_v3_scale(u, fx_v3_dot(nw, u))));
        fx_vec3 v = fx_v3_cross(w, u);
        fx_vec3 c = fx_v3_add(fx_v3_scale(fx_v3_add(pl->pt[k], pl->pt[k + 1]), 0.5),
                              fx_v3_scale(w, 0.5 * pl->thick_mm));
        d = fmin(d, sdf_obox(a, c, u, v, w, fx_v3(0.5 * L + 0.6, 0.5 * pl->width_mm,
                                                   0.5 * pl->thick_mm)));
    }
    for (int h = 0; h < pl->nholes; h++) {
        fx_vec3 c = pl->pt[pl->hole[h]], n = pl->nrm[pl->hole[h]];
        double hole = sdf_cylinder(a, fx_v3_sub(c, fx_v3_scale(n, 2)),
                                   fx_v3_add(c, fx_v3_scale(n, pl->thick_mm + 2)),
                                   0.5 * pl->hole_diameter_mm);
        d = fmax(d, -hole);
    }
    return d;
}

/* Distances to a screw's head (on the plate, outside the bone) and to its
 * shaft (from the head's base through the plate's hole into the bone). */
static void screw_sdf(const ph_screw *s, double plate_thick_mm, fx_vec3 a, double *head,
                      double *shaft)
{
    fx_vec3 dir = fx_v3_unit(fx_v3_sub(s->tip, s->entry));
    fx_vec3 base = fx_v3_sub(s->entry, fx_v3_scale(dir, plate_thick_mm));
    fx_vec3 top = fx_v3_sub(base, fx_v3_scale(dir, HEAD_H_MM));
    *shaft = sdf_cylinder(a, base, s->tip, 0.5 * s->diameter_mm);
    *head = sdf_cylinder(a, top, base, HEAD_R_MM);
}

/* Distance to the axis-aligned box lo..hi (0 inside). */
static double box_dist(fx_vec3 a, fx_vec3 lo, fx_vec3 hi)
{
    double dx = fmax(fmax(lo.x - a.x, a.x - hi.x), 0), dy = fmax(fmax(lo.y - a.y, a.y - hi.y), 0),
           dz = fmax(fmax(lo.z - a.z, a.z - hi.z), 0);
    return sqrt(dx * dx + dy * dy + dz * dz);
}

void ph_metal_split(const fx_phantom *p, fx_vec3 a, double *outer, double *shaft)
{
    *outer = *shaft = INFINITY;
    if (p->nplates == 0)
        return;
    double far = box_dist(a, p->metal_lo, p->metal_hi);
    if (far > 1.0) {
        *outer = *shaft = far;
        return;
    }
    for (int i = 0; i < p->nplates; i++)
        *outer = fmin(*outer, plate_sdf(&p->plate[i], fx_rigid_apply(&p->plate_dinv[i], a)));
    for (int i = 0; i < p->nscrews; i++)
        if (p->actual[i].placed) {
            double h, sh;
            screw_sdf(&p->actual[i], p->plate[p->actual[i].plate].thick_mm, a, &h, &sh);
            *outer = fmin(*outer, h);
            *shaft = fmin(*shaft, sh);
        }
}

double ph_metal(const fx_phantom *p, fx_vec3 a)
{
    double outer, shaft;
    ph_metal_split(p, a, &outer, &shaft);
    return fmin(outer, shaft);
}
