/*
 * screwcheck.c - ray casting a planned screw through the reduced bone model
 * (corridor, suggested length) and sampling along it (clearance to the cortex,
 * distance to the joint).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/screwcheck.h"

#define ENTRY_BACKOFF_MM 2.0 /* start the ray this far before the entry point */

void fx_screw_check_opts_default(fx_screw_check_opts *o)
{
    o->bridge_mm = 3;
    o->entry_skip_mm = 5;
    o->joint_margin_mm = 2;
    o->set_min_mm = 10;
    o->set_step_mm = 2;
    o->set_max_mm = 110;
    o->sample_mm = 0.25;
    o->max_length_mm = 300;
}

struct interval {
    double a, b;
};

/* Turn sorted crossings into the stretches of the ray inside bone. Crossings
 * repeated at shared edges (same t, same sense) count once; a ray that starts
 * inside (first crossing leaves) is inside from t = 0. */
static size_t inside_intervals(const fx_ray_hit *h, size_t n, struct interval *out)
{
    int depth = 0, lowest = 0;
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        if (i && fabs(h[i].t_mm - h[i - 1].t_mm) < 1e-9 && h[i].entering == h[i - 1].entering)
            continue;
        depth += h[i].entering ? 1 : -1;
        if (depth < lowest)
            lowest = depth;
    }
    depth = -lowest; /* started inside this many solids */
    if (depth > 0)
        out[k].a = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && fabs(h[i].t_mm - h[i - 1].t_mm) < 1e-9 && h[i].entering == h[i - 1].entering)
            continue;
        if (h[i].entering) {
            if (depth++ == 0)
                out[k].a = h[i].t_mm;
        } else if (--depth == 0) {
            out[k++].b = h[i].t_mm;
        }
    }
    return k;
}

/* Corridor from the entry (at t = ENTRY_BACKOFF_MM on the ray): the inside
 * stretch that starts near the entry, extended over clefts < bridge. */
static double corridor(const struct interval *iv, size_t n, double bridge, double *end_t)
{
    const double entry_t = ENTRY_BACKOFF_MM;
    size_t i = 0;

    while (i < n && iv[i].b < entry_t)
        i++;
    if (i == n || iv[i].a > entry_t + ENTRY_BACKOFF_MM)
        return *end_t = entry_t, 0;
    double end = iv[i].b;
    while (i + 1 < n && iv[i + 1].a - end < bridge)
        end = iv[++i].b;
    *end_t = end;
    return end - entry_t;
}

static int cast(const fx_plan_screw *s, const fx_bvh *bone, const fx_screw_check_opts *o,
                struct interval **iv, size_t *niv, fx_error *err)
{
    fx_ray_hit *hits = NULL;
    size_t nh = 0;
    fx_vec3 origin = fx_v3_sub(s->entry, fx_v3_scale(s->dir, ENTRY_BACKOFF_MM));
    int rc = fx_bvh_raycast(bone, origin, s->dir, o->max_length_mm, &hits, &nh, err);

    if (rc)
        return rc;
    *iv = malloc((nh / 2 + 2) * sizeof(**iv));
    if (!*iv) {
        free(hits);
        return fx_fail(err, FX_ENOMEM, "cannot check screw '%s'", s->name);
    }
    *niv = inside_intervals(hits, nh, *iv);
    free(hits);
    return FX_OK;
}

static int inside(const struct interval *iv, size_t n, double t)
{
    for (size_t i = 0; i < n; i++)
        if (t >= iv[i].a && t <= iv[i].b)
            return 1;
    return 0;
}

/* How far a ray from p, inside bone, runs before it leaves the bone for good
 * (over clefts narrower than `bridge`, also one that p itself lies in); 0
 * when p is not inside. */
static double exit_distance(const fx_bvh *bone, fx_vec3 p, fx_vec3 dir, double bridge)
{
    fx_ray_hit *h = NULL;
    size_t n = 0, k, i = 0;
    double end = 0;

    if (fx_bvh_raycast(bone, p, dir, 300, &h, &n, NULL))
        return 0;
    /* a face through p itself (p on a fracture face) says nothing of leaving */
    size_t skip = 0;
    while (skip < n && h[skip].t_mm < 1e-6)
        skip++;
    struct interval *iv = malloc((n / 2 + 2) * sizeof(*iv));
    if (iv && (k = inside_intervals(h + skip, n - skip, iv)) && iv[0].a <= bridge) {
        end = iv[0].b;
        while (i + 1 < k && iv[i + 1].a - end < bridge)
            end = iv[++i].b;
    }
    free(iv);
    free(h);
    return end;
}

/* Distance along `dir` from p to where a ray first enters bone (INFINITY when
 * it never does within 300 mm). */
static double entry_distance(const fx_bvh *bone, fx_vec3 p, fx_vec3 dir)
{
    fx_ray_hit *h = NULL;
    size_t n = 0;
    double t = INFINITY;
    if (fx_bvh_raycast(bone, p, dir, 300, &h, &n, NULL))
        return t;
    for (size_t i = 0; i < n; i++)
        if (h[i].entering) {
            t = h[i].t_mm;
            break;
        }
    free(h);
    return t;
}

/* Distance from p (inside bone) to the outside across the axis `w`: rays in
 * 32 directions perpendicular to it, the best refined by golden-section
 * search over the angle. Used where the nearest surface is a fracture face
 * between two reduced fragments, which is inside the bone, not its surface. */
static double across_distance(const fx_bvh *bone, fx_vec3 p, fx_vec3 w, double bridge)
{
    fx_vec3 u = fx_v3_unit(fx_v3_cross(fabs(w.x) < 0.9 ? fx_v3(1, 0, 0) : fx_v3(0, 1, 0), w));
    fx_vec3 v = fx_v3_cross(w, u);
    const int N = 32;
    double best = INFINITY, at = 0;
#define RAY(th) exit_distance(bone, p, fx_v3_add(fx_v3_scale(u, cos(th)), fx_v3_scale(v, sin(th))), \
                              bridge)
    for (int k = 0; k < N; k++) {
        double th = 2 * M_PI * k / N, d = RAY(th);
        if (d < best)
            best = d, at = th;
    }
    double a = at - 2 * M_PI / N, b = at + 2 * M_PI / N, g = 0.5 * (sqrt(5.0) - 1);
    for (int it = 0; it < 30; it++) {
        double c = b - g * (b - a), d = a + g * (b - a);
        if (RAY(c) < RAY(d))
            b = d;
        else
            a = c;
    }
#undef RAY
    return fmin(best, exit_distance(bone, p, fx_v3_add(fx_v3_scale(u, cos(0.5 * (a + b))),
                                                       fx_v3_scale(v, sin(0.5 * (a + b)))),
                                    bridge));
}

/* Whether t lies within `bridge` of a fracture cleft the corridor bridges:
 * an end of a stretch of bone that is not an end of the bridged stretch. */
static int near_cleft(const struct interval *raw, size_t nraw, const struct interval *iv,
                      size_t n, double t, double bridge)
{
    for (size_t i = 0; i < nraw; i++) {
        double ends[2] = {raw[i].a, raw[i].b};
        for (int e = 0; e < 2; e++) {
            int outer = 0;
            for (size_t k = 0; k < n; k++)
                outer |= ends[e] == iv[k].a || ends[e] == iv[k].b;
            if (!outer && fabs(t - ends[e]) < bridge)
                return 1;
        }
    }
    return 0;
}

/* Smallest signed distance from the screw's surface to the bone's surface. */
static double clearance(const fx_plan_screw *s, const fx_bvh *bone, const struct interval *raw,
                        size_t nraw, const struct interval *iv, size_t n,
                        const fx_screw_check_opts *o)
{
    double best = INFINITY, r = s->diameter_mm / 2;
    for (double u = o->entry_skip_mm; u <= s->length_mm + 1e-9; u += o->sample_mm) {
        fx_closest c;
        fx_vec3 p = fx_v3_add(s->entry, fx_v3_scale(s->dir, u));
        if (!fx_bvh_closest(bone, p, INFINITY, &c))
            continue;
        double d = sqrt(c.d2_mm2), signed_d;
        if (!inside(iv, n, u + ENTRY_BACKOFF_MM)) {
            signed_d = -d - r;
        } else if (near_cleft(raw, nraw, iv, n, u + ENTRY_BACKOFF_MM, o->bridge_mm)) {
            continue; /* at a fracture line the corridor bridges: measured away from it */
        } else {
            /* the nearest face is the bone's surface only if beyond it (away
             * from p) no bone follows within the bridge: else it is a face of
             * a fracture cleft, inside the reduced bone */
            fx_vec3 away = d > 0 ? fx_v3_scale(fx_v3_sub(c.point, p), 1.0 / d) : s->dir;
            fx_vec3 beyond = fx_v3_add(c.point, fx_v3_scale(away, 0.05));
            if (exit_distance(bone, beyond, away, 0) > 0 ||
                entry_distance(bone, beyond, away) < o->bridge_mm)
                d = across_distance(bone, p, s->dir, o->bridge_mm);
            signed_d = d - r;
        }
        if (signed_d < best)
            best = signed_d;
    }
    return isfinite(best) ? best : NAN;
}

static double joint_distance(const fx_plan_screw *s, const fx_bvh *joint,
                             const fx_screw_check_opts *o)
{
    double best = INFINITY;
    for (double u = 0; u <= s->length_mm + 1e-9; u += o->sample_mm) {
        fx_closest c;
        if (fx_bvh_closest(joint, fx_v3_add(s->entry, fx_v3_scale(s->dir, u)), INFINITY, &c) &&
            sqrt(c.d2_mm2) < best)
            best = sqrt(c.d2_mm2);
    }
    return best - s->diameter_mm / 2;
}

/* Which closed surface each triangle of m belongs to (triangles sharing a
 * vertex belong to one): union-find over the vertices. */
int fx_screw_solids(const fx_mesh *m, uint32_t **solid, fx_error *err)
{
    uint32_t *up = malloc((m->nv ? m->nv : 1) * sizeof(*up));
    *solid = malloc((m->nt ? m->nt : 1) * sizeof(**solid));
    if (!up || !*solid) {
        free(up), free(*solid), *solid = NULL;
        return fx_fail(err, FX_ENOMEM, "cannot label the surfaces of a %zu-triangle model", m->nt);
    }
    for (size_t i = 0; i < m->nv; i++)
        up[i] = (uint32_t)i;
    for (size_t t = 0; t < m->nt; t++)
        for (int c = 1; c < 3; c++) {
            uint32_t a = m->t[3 * t], b = m->t[3 * t + c];
            while (up[a] != a)
                a = up[a] = up[up[a]];
            while (up[b] != b)
                b = up[b] = up[up[b]];
            up[a > b ? a : b] = a < b ? a : b;
        }
    for (size_t t = 0; t < m->nt; t++) {
        uint32_t a = m->t[3 * t];
        while (up[a] != a)
            a = up[a];
        (*solid)[t] = a;
    }
    free(up);
    return FX_OK;
}

/* Distance along u from x to where a ray first meets the surface within
 * tmax (its triangle in *tri), or INFINITY. */
static double first_hit(const fx_bvh *bone, fx_vec3 x, fx_vec3 u, double tmax, size_t *tri)
{
    fx_ray_hit *h = NULL;
    size_t n = 0;
    double t = INFINITY;
    if (!fx_bvh_raycast(bone, x, u, tmax, &h, &n, NULL) && n)
        t = h[0].t_mm, *tri = h[0].tri;
    free(h);
    return t;
}

#define CLEFT_DIRS 160 /* directions over a half sphere (the other half is their opposites) */

/* Whether x (outside bone) lies in a cleft between two separate surfaces of
 * the model: on a line through it that meets one of them and another within
 * `bridge` of each other. Where a fracture line reaches the bone's surface,
 * each fragment's model rounds its own edge (a voxel's partial volume), and
 * the union leaves a groove along the line that the intact bone does not
 * have: this is the axis's bridge rule across the screw. */
static int in_cleft(const fx_bvh *bone, const uint32_t *solid, fx_vec3 x, double bridge)
{
    for (int k = 0; k < CLEFT_DIRS; k++) {
        /* Fibonacci points on the half sphere z > 0 */
        double z = 1 - (k + 0.5) / CLEFT_DIRS, r = sqrt(1 - z * z);
        double ph = k * M_PI * (3 - sqrt(5.0));
        fx_vec3 u = fx_v3(r * cos(ph), r * sin(ph), z);
        size_t ta = 0, tb = 0;
        double a = first_hit(bone, x, u, bridge, &ta);
        if (!isfinite(a))
            continue;
        double b = first_hit(bone, x, fx_v3_scale(u, -1), bridge - a, &tb);
        if (isfinite(b) && solid[ta] != solid[tb])
            return 1;
    }
    return 0;
}

/* Extend the corridor's end (ray parameter) over a cleft between separate
 * surfaces that the axis leaves into, and over the axis's clefts after it. */
static double across_clefts(const fx_plan_screw *s, const fx_bvh *bone, const uint32_t *solid,
                            const struct interval *iv, size_t n, double end, double bridge)
{
    const double step = 0.1;
    fx_vec3 origin = fx_v3_sub(s->entry, fx_v3_scale(s->dir, ENTRY_BACKOFF_MM));
#define AT(t) fx_v3_add(origin, fx_v3_scale(s->dir, (t)))
    for (;;) {
        double t = end, next = INFINITY;
        for (size_t i = 0; i < n; i++)
            if (iv[i].a > end && iv[i].a < next)
                next = iv[i].a;
        while (t + step < fmin(end + bridge, next) && in_cleft(bone, solid, AT(t + step), bridge))
            t += step;
        if (t == end && !in_cleft(bone, solid, AT(end + 0.01), bridge))
            return end;
        double lo = t, hi = fmin(t + step, next);
        for (int it = 0; it < 12; it++) {
            double m = 0.5 * (lo + hi);
            if (in_cleft(bone, solid, AT(m), bridge))
                lo = m;
            else
                hi = m;
        }
        double grown = lo;
        for (size_t i = 0; i < n; i++) /* the axis's own clefts after it */
            if (iv[i].a >= end && iv[i].a - grown < bridge && iv[i].b > grown)
                grown = iv[i].b;
        if (grown <= end + 1e-6)
            return end;
        end = grown;
    }
#undef AT
}

int fx_screw_check(fx_plan_screw *s, const fx_bvh *bone, const fx_bvh *joint,
                   const fx_screw_check_opts *o, fx_error *err)
{
    return fx_screw_check_solids(s, bone, NULL, joint, o, err);
}

int fx_screw_check_solids(fx_plan_screw *s, const fx_bvh *bone, const uint32_t *solid,
                          const fx_bvh *joint, const fx_screw_check_opts *o, fx_error *err)
{
    struct interval *iv = NULL;
    size_t n = 0;
    double end_t;
    int rc;

    if (!(s->length_mm > 0) || !(s->diameter_mm > 0) || fabs(fx_v3_norm(s->dir) - 1) > 1e-9)
        return fx_fail(err, FX_EINVAL, "screw '%s' needs a positive length and diameter and a "
                       "unit direction", s->name);
    if ((rc = cast(s, bone, o, &iv, &n, err)))
        return rc;
    s->corridor_mm = corridor(iv, n, o->bridge_mm, &end_t);
    if (solid && s->corridor_mm > 0)
        s->corridor_mm = across_clefts(s, bone, solid, iv, n, end_t, o->bridge_mm) -
                         ENTRY_BACKOFF_MM;
    s->suggested_mm =
        fx_plan_round_length(s->corridor_mm, o->set_min_mm, o->set_step_mm, o->set_max_mm);
    /* clefts the corridor bridges are bone for the clearance too */
    struct interval *mv = malloc((n + 1) * sizeof(*mv));
    size_t m = 0;
    if (!mv) {
        free(iv);
        return fx_fail(err, FX_ENOMEM, "cannot check screw '%s'", s->name);
    }
    for (size_t i = 0; i < n; i++) {
        if (m && iv[i].a - mv[m - 1].b < o->bridge_mm)
            mv[m - 1].b = iv[i].b;
        else
            mv[m++] = iv[i];
    }
    s->clearance_mm =
        s->length_mm > o->entry_skip_mm ? clearance(s, bone, iv, n, mv, m, o) : NAN;
    free(mv);
    s->joint_distance_mm = joint ? joint_distance(s, joint, o) : NAN;
    s->joint_warning = joint && s->joint_distance_mm < o->joint_margin_mm;
    free(iv);
    return FX_OK;
}
