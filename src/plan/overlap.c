/*
 * overlap.c - interpenetration of two posed bone models: inside tests by ray
 * parity, depths by exact closest points, the common volume by columns.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "fxaudit/overlap.h"

void fx_posed_update(fx_posed *p, const fx_rigid *pose)
{
    fx_vec3 lo, hi;
    p->pose = *pose;
    fx_mesh_bounds(p->mesh, &lo, &hi);
    p->lo = fx_v3(INFINITY, INFINITY, INFINITY);
    p->hi = fx_v3(-INFINITY, -INFINITY, -INFINITY);
    for (int c = 0; c < 8; c++) { /* the box's corners, moved: a box around the model */
        fx_vec3 q = fx_rigid_apply(pose, fx_v3(c & 1 ? hi.x : lo.x, c & 2 ? hi.y : lo.y,
                                               c & 4 ? hi.z : lo.z));
        p->lo = fx_v3(fmin(p->lo.x, q.x), fmin(p->lo.y, q.y), fmin(p->lo.z, q.z));
        p->hi = fx_v3(fmax(p->hi.x, q.x), fmax(p->hi.y, q.y), fmax(p->hi.z, q.z));
    }
}

static bool in_box(const fx_posed *p, fx_vec3 x)
{
    return x.x >= p->lo.x && x.x <= p->hi.x && x.y >= p->lo.y && x.y <= p->hi.y &&
           x.z >= p->lo.z && x.z <= p->hi.z;
}

/* Model-frame inside test: the first crossing of a ray leaves the solid.
 * Directions are oblique so that rays rarely run through edges; when the
 * first two crossings coincide and disagree (an edge or corner), the next
 * direction decides. */
static int inside_local(const fx_posed *p, fx_vec3 q, bool *inside, fx_error *err)
{
    static const fx_vec3 dirs[3] = {{0.5773, 0.5774, 0.5775}, {-0.6, 0.48, 0.64},
                                    {0.28, -0.96, 0.0}};
    double reach = fx_v3_dist(p->lo, p->hi) + 1;
    for (int k = 0; k < 3; k++) {
        fx_ray_hit *h = NULL;
        size_t n = 0;
        int rc = fx_bvh_raycast(p->bvh, q, dirs[k], reach, &h, &n, err);
        if (rc)
            return rc;
        bool clear = n < 2 || h[1].t_mm - h[0].t_mm > 1e-9 || h[1].entering == h[0].entering;
        *inside = n > 0 && !h[0].entering;
        free(h);
        if (clear)
            return FX_OK;
    }
    return FX_OK;
}

int fx_posed_inside(const fx_posed *p, fx_vec3 x, bool *inside, double *depth_mm,
                    fx_vec3 *surface, fx_vec3 *normal, fx_error *err)
{
    fx_rigid inv = fx_rigid_inverse(&p->pose);
    fx_vec3 q = fx_rigid_apply(&inv, x);
    fx_closest c;
    bool in = false;
    int rc;

    if (in_box(p, x) && (rc = inside_local(p, q, &in, err)))
        return rc;
    *inside = in;
    if (!in || (!depth_mm && !surface && !normal))
        return FX_OK;
    fx_bvh_closest(p->bvh, q, INFINITY, &c);
    fx_vec3 s = fx_rigid_apply(&p->pose, c.point), out = fx_v3_sub(s, x);
    double d = sqrt(c.d2_mm2);
    if (depth_mm)
        *depth_mm = d;
    if (surface)
        *surface = s;
    if (normal) {
        if (d > 1e-9) { /* from a point inside, the way to the closest point is out */
            *normal = fx_v3_scale(out, 1 / d);
        } else {
            const uint32_t *t = &p->mesh->t[3 * c.tri];
            fx_vec3 a = p->mesh->v[t[0]], b = p->mesh->v[t[1]], e = p->mesh->v[t[2]];
            *normal = fx_rigid_rotate(&p->pose,
                                      fx_v3_unit(fx_v3_cross(fx_v3_sub(b, a), fx_v3_sub(e, a))));
        }
    }
    return FX_OK;
}

/* Vertices of a inside b: count and deepest. */
static int vertices_inside(const fx_posed *a, const fx_posed *b, fx_overlap *o, fx_error *err)
{
    for (size_t i = 0; i < a->mesh->nv; i++) {
        fx_vec3 x = fx_rigid_apply(&a->pose, a->mesh->v[i]);
        bool in;
        double d;
        int rc;
        if (!in_box(b, x))
            continue;
        if ((rc = fx_posed_inside(b, x, &in, &d, NULL, NULL, err)))
            return rc;
        if (in)
            o->vertices++, o->depth_mm = fmax(o->depth_mm, d);
    }
    return FX_OK;
}

/* The stretches of the world ray o + t*z inside p, as [t0, t1] pairs into
 * seg (at most cap pairs); returns how many. Crossings repeated at shared
 * edges (same t, same sense) count once. */
static int stretches(const fx_posed *p, fx_vec3 o, double len, double *seg, int cap, int *n,
                     fx_error *err)
{
    fx_rigid inv = fx_rigid_inverse(&p->pose);
    fx_ray_hit *h = NULL;
    size_t nh = 0;
    int depth = 0, k = 0, rc;
    double t0 = 0, last_t = -INFINITY;
    bool last_in = false;

    rc = fx_bvh_raycast(p->bvh, fx_rigid_apply(&inv, o),
                        fx_rigid_rotate(&inv, fx_v3(0, 0, 1)), len, &h, &nh, err);
    for (size_t i = 0; !rc && i < nh; i++) {
        if (h[i].t_mm - last_t < 1e-7 && h[i].entering == last_in)
            continue;
        last_t = h[i].t_mm, last_in = h[i].entering;
        if (h[i].entering && depth++ == 0)
            t0 = h[i].t_mm;
        else if (!h[i].entering && depth > 0 && --depth == 0 && k < cap)
            seg[2 * k] = t0, seg[2 * k + 1] = h[i].t_mm, k++;
    }
    free(h);
    *n = k;
    return rc;
}

#define MAX_STRETCH 64

static double common_length(const double *a, int na, const double *b, int nb)
{
    double s = 0;
    for (int i = 0; i < na; i++)
        for (int j = 0; j < nb; j++)
            s += fmax(0, fmin(a[2 * i + 1], b[2 * j + 1]) - fmax(a[2 * i], b[2 * j]));
    return s;
}

static int common_volume(const fx_posed *a, const fx_posed *b, double h, double *vol,
                         fx_error *err)
{
    fx_vec3 lo = fx_v3(fmax(a->lo.x, b->lo.x), fmax(a->lo.y, b->lo.y), fmax(a->lo.z, b->lo.z));
    fx_vec3 hi = fx_v3(fmin(a->hi.x, b->hi.x), fmin(a->hi.y, b->hi.y), fmin(a->hi.z, b->hi.z));
    double z0 = fmin(a->lo.z, b->lo.z) - 1, len = fmax(a->hi.z, b->hi.z) - z0 + 1, s = 0;
    double sa[2 * MAX_STRETCH], sb[2 * MAX_STRETCH];

    *vol = 0;
    if (lo.x >= hi.x || lo.y >= hi.y || lo.z >= hi.z)
        return FX_OK;
    for (double x = lo.x + h / 2; x < hi.x; x += h)
        for (double y = lo.y + h / 2; y < hi.y; y += h) {
            int na, nb, rc;
            fx_vec3 o = fx_v3(x, y, z0);
            if ((rc = stretches(a, o, len, sa, MAX_STRETCH, &na, err)))
                return rc;
            if (!na)
                continue;
            if ((rc = stretches(b, o, len, sb, MAX_STRETCH, &nb, err)))
                return rc;
            s += common_length(sa, na, sb, nb);
        }
    *vol = s * h * h;
    return FX_OK;
}

int fx_overlap_measure(const fx_posed *a, const fx_posed *b, double step_mm, fx_overlap *out,
                       fx_error *err)
{
    int rc;
    out->depth_mm = 0, out->volume_mm3 = 0, out->vertices = 0;
    if ((rc = vertices_inside(a, b, out, err)) || (rc = vertices_inside(b, a, out, err)))
        return rc;
    return step_mm > 0 ? common_volume(a, b, step_mm, &out->volume_mm3, err) : FX_OK;
}
