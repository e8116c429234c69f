/*
 * screwcheck.c - ray casting a planned screw through the reduced bone model
 * (corridor, suggested length) and sampling along it (clearance to the cortex,
 * distance to the joint).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>

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

/* Smallest signed distance from the screw's surface to the cortex. */
static double clearance(const fx_plan_screw *s, const fx_bvh *bone, const struct interval *iv,
                        size_t n, const fx_screw_check_opts *o)
{
    double best = INFINITY, r = s->diameter_mm / 2;
    for (double u = o->entry_skip_mm; u <= s->length_mm + 1e-9; u += o->sample_mm) {
        fx_closest c;
        fx_vec3 p = fx_v3_add(s->entry, fx_v3_scale(s->dir, u));
        if (!fx_bvh_closest(bone, p, INFINITY, &c))
            continue;
        double d = sqrt(c.d2_mm2);
        double signed_d = inside(iv, n, u + ENTRY_BACKOFF_MM) ? d - r : -d - r;
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

int fx_screw_check(fx_plan_screw *s, const fx_bvh *bone, const fx_bvh *joint,
                   const fx_screw_check_opts *o, fx_error *err)
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
    s->suggested_mm =
        fx_plan_round_length(s->corridor_mm, o->set_min_mm, o->set_step_mm, o->set_max_mm);
    s->clearance_mm = s->length_mm > o->entry_skip_mm ? clearance(s, bone, iv, n, o) : NAN;
    s->joint_distance_mm = joint ? joint_distance(s, joint, o) : NAN;
    s->joint_warning = joint && s->joint_distance_mm < o->joint_margin_mm;
    free(iv);
    return FX_OK;
}
