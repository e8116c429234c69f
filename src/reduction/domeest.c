/*
 * domeest.c - gap and step-off at the acetabular dome estimated from the CT
 * (domeest.h; method and accuracy in docs/reduction-estimate.md).
 *
 * The articular surface of the roof is found along rays from the joint space
 * outward: the first rise into bone, kept as articular when the bone it
 * rises into is cortex (a fracture face exposes cancellous bone), located at
 * half the local peak. The cleft between fragments is read on a path that
 * follows that surface depth_mm below it, inside the subchondral cortex,
 * where bone is bright and uniform: metal streaks and the cancellous
 * interior barely change it. Along a slice's trace the deficit summed across
 * a cleft is its width (gap, sub-voxel through partial volume); the two
 * sides' surfaces, each fitted by a line and read at its own edge, give the
 * offset across it (step). Fragments displaced by more than FRAG_OFFSET_MM
 * (pre-op) are measured by their own spheres instead (domefrag.c).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/domeest.h"

#include "domefrag.h"

#define RAY_DT_MM 0.2
#define PEAK_MM 4.0 /* the cortex peak looked for this far past the first rise */
#define LO_ABOVE_SOFT 150.0
#define LINE_SMOOTH_MM 4.0 /* values along a line: median within this */
#define FRAG_OFFSET_MM 7.0 /* fragments this far apart: measured by their spheres */

enum { RAY_NONE = 0, RAY_FACE = 1, RAY_CORTEX = 2 };

void fx_domeest_opts_default(fx_domeest_opts *o)
{
    o->trace_step_mm = 0.25;
    o->slice_step_mm = 0.5;
    o->jump_mm = 1.0;
    o->fit_mm = 4.0;
    o->soft_hu = 40.0;
    o->depth_mm = 1.5;
    o->search_mm = 20.0;
}

static double hu_at(const fx_volume *ct, fx_vec3 x)
{
    return fx_volume_sample(ct, fx_volume_world_to_index(ct, x), -1000.0);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* What a ray o + t dir meets beyond t0 (in the joint space): the first rise
 * above soft + 150 HU, the peak within PEAK_MM after it, and the surface at
 * half the peak. A ray that starts in bone (the femoral head) first leaves it. */
typedef struct ray_hit {
    double s_mm, peak_hu;
    int found;
} ray_hit;

static ray_hit ray_cast(const fx_volume *ct, fx_vec3 o, fx_vec3 dir, double t0, double t1,
                        double soft_hu)
{
    ray_hit h = {NAN, NAN, 0};
    double lo = soft_hu + LO_ABOVE_SOFT, t = t0;
#define AT(tt) hu_at(ct, fx_v3_add(o, fx_v3_scale(dir, (tt))))
    while (t < t0 + 8.0 && AT(t) >= lo)
        t += RAY_DT_MM;
    double start = t;
    while (t <= t1 && AT(t) < lo)
        t += RAY_DT_MM;
    if (t > t1)
        return h;
    double peak = -INFINITY;
    for (double u = t; u <= t + PEAK_MM; u += RAY_DT_MM)
        peak = fmax(peak, AT(u));
    double half = 0.5 * (peak + soft_hu), u0 = fmax(start, t - 2.0), prev = AT(u0);
    if (prev >= half)
        h.s_mm = u0;
    for (double u = u0 + RAY_DT_MM; isnan(h.s_mm) && u <= t + PEAK_MM; u += RAY_DT_MM) {
        double v = AT(u);
        if (v >= half)
            h.s_mm = u - RAY_DT_MM + RAY_DT_MM * (half - prev) / (v - prev);
        prev = v;
    }
#undef AT
    if (isnan(h.s_mm))
        h.s_mm = t;
    h.peak_hu = peak;
    h.found = 1;
    return h;
}

static int ray_class(const ray_hit *h, double cortex_thr)
{
    return !h->found ? RAY_NONE : h->peak_hu >= cortex_thr ? RAY_CORTEX : RAY_FACE;
}

static fx_vec3 dome_point(const fx_dome *d, double x, double y, double z)
{
    fx_vec3 w = fx_v3_add(fx_v3_scale(d->axis[0], x),
                          fx_v3_add(fx_v3_scale(d->axis[1], y), fx_v3_scale(d->axis[2], z)));
    return fx_v3_add(d->centre_mm, w);
}

/* Inside the cup: on the far side of the plane through the centre normal to
 * the acetabular opening (when one is given). */
static int in_cup(const fx_dome *d, fx_vec3 x)
{
    return fx_v3_dot(fx_v3_sub(x, d->centre_mm), d->opening) <= 0;
}

static double head_radius(const fx_dome *d)
{
    return d->head_radius_mm > 0 && d->head_radius_mm < d->radius_mm ? d->head_radius_mm
                                                                     : d->radius_mm - 3.0;
}

typedef struct levels {
    double soft, cortex_thr, bone, peak; /* HU */
} levels;

static double deficit(const fx_volume *ct, fx_vec3 x, const levels *lv)
{
    double f = (lv->bone - hu_at(ct, x)) / (lv->bone - lv->soft);
    return f < 0 ? 0 : f > 1 ? 1 : f;
}

/* The cap map: the dome on a 0.5 mm grid in (L, P) from the centre, one ray
 * from the centre per cell. */
typedef struct capmap {
    size_t n;
    fx_vec3 *dir;   /* unit ray directions */
    double *area;   /* cell area on the joint sphere, mm2 */
    ray_hit *hit;
    double *g;      /* missing articular cortex, 0-1 */
    int gn, *idx;   /* the grid (gn x gn) -> cell index, -1 outside the dome */
} capmap;

static void cap_free(capmap *m)
{
    free(m->dir), free(m->area), free(m->hit), free(m->g), free(m->idx);
}

static int cap_rays(const fx_volume *ct, const fx_dome *d, const fx_domeest_opts *o, capmap *m)
{
    double R = d->radius_mm, zc = R - d->height_mm, rho = sqrt(R * R - zc * zc), g = 0.5;
    double r0 = 0.5 * (R + head_radius(d));
    int n = 2 * (int)ceil(rho / g) + 1, h = n / 2;
    size_t nc = (size_t)n * n;
    m->dir = malloc(nc * sizeof(*m->dir));
    m->area = malloc(nc * sizeof(*m->area));
    m->hit = malloc(nc * sizeof(*m->hit));
    m->g = malloc(nc * sizeof(*m->g));
    m->idx = malloc(nc * sizeof(*m->idx));
    m->gn = n;
    if (!m->dir || !m->area || !m->hit || !m->g || !m->idx)
        return -1;
    m->n = 0;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            double x = (i - h) * g, y = (j - h) * g, r2 = R * R - x * x - y * y;
            m->idx[j * n + i] = -1;
            if (r2 < zc * zc || !in_cup(d, dome_point(d, x, y, sqrt(r2))))
                continue;
            m->idx[j * n + i] = (int)m->n;
            fx_vec3 u = fx_v3_unit(fx_v3_sub(dome_point(d, x, y, sqrt(r2)), d->centre_mm));
            m->dir[m->n] = u;
            m->area[m->n] = g * g * R / sqrt(r2); /* projected cell -> sphere */
            m->hit[m->n++] = ray_cast(ct, d->centre_mm, u, r0, R + o->search_mm, o->soft_hu);
        }
    return 0;
}

/* Levels from the cap: the articular cortex is the upper quartile of the
 * rays' peaks (clefts lower the rest); the bone level is the median HU
 * depth_mm under the surface of the cortex rays. */
static int cap_levels(const fx_volume *ct, const fx_dome *d, const fx_domeest_opts *o, capmap *m,
                      levels *lv, fx_dome_estimate *e)
{
    double *v = malloc((m->n + 1) * sizeof(*v));
    size_t k = 0;
    if (!v)
        return -1;
    for (size_t i = 0; i < m->n; i++)
        if (m->hit[i].found)
            v[k++] = m->hit[i].peak_hu;
    qsort(v, k, sizeof(*v), cmp_double);
    e->cortex_peak_hu = k ? v[(3 * k) / 4] : NAN;
    lv->soft = o->soft_hu;
    lv->peak = e->cortex_peak_hu;
    lv->cortex_thr = o->soft_hu + 0.5 * (e->cortex_peak_hu - o->soft_hu);
    k = 0;
    for (size_t i = 0; i < m->n; i++)
        if (ray_class(&m->hit[i], lv->cortex_thr) == RAY_CORTEX)
            v[k++] = hu_at(ct, fx_v3_add(d->centre_mm,
                                         fx_v3_scale(m->dir[i], m->hit[i].s_mm + o->depth_mm)));
    qsort(v, k, sizeof(*v), cmp_double);
    e->bone_hu = lv->bone = k ? v[k / 2] : NAN;
    free(v);
    return 0;
}

/* Cleft area: each cell counts its missing articular cortex (partial beside
 * a narrow cleft, whole where a ray finds no articular surface). */
static void cap_area(capmap *m, const levels *lv, fx_dome_estimate *e)
{
    for (size_t i = 0; i < m->n; i++) {
        const ray_hit *h = &m->hit[i];
        m->g[i] = !h->found ? 1.0
                            : fmin(1, fmax(0, (lv->peak - h->peak_hu) / (lv->peak - lv->soft)));
        e->cap_area_mm2 += m->area[i];
        e->gap_area_mm2 += m->area[i] * m->g[i];
    }
}

/* One section's samples along the joint sphere's trace, in order. */
typedef struct profile {
    int n;
    double dphi;  /* radians between samples */
    fx_vec3 ch, a, b;
    double rho; /* the trace circle: centre, in-plane axes, radius */
    double *phi, *s, *p, *f; /* angle, surface radius, path radius, deficit */
    double *g;               /* the ray's missing articular cortex, 0-1 */
    int *cls;
} profile;

static fx_vec3 pr_dir(const profile *pr, double phi)
{
    return fx_v3_add(fx_v3_scale(pr->a, cos(phi)), fx_v3_scale(pr->b, sin(phi)));
}

/* What measuring a section needs. */
typedef struct plane_ctx {
    const fx_volume *ct;
    const fx_dome *dome;
    const fx_domeest_opts *o;
    const levels *lv;
    double voxel_mm;
} plane_ctx;

/* Median of f - a baseline - over [lo, hi] clipped to the profile. */
static double median_f(const profile *pr, int lo1, int hi1, int lo2, int hi2)
{
    double v[1024];
    int n = 0;
    for (int i = lo1 < 0 ? 0 : lo1; i <= hi1 && i < pr->n && n < 1024; i++)
        v[n++] = pr->f[i];
    for (int i = lo2 < 0 ? 0 : lo2; i <= hi2 && i < pr->n && n < 1024; i++)
        v[n++] = pr->f[i];
    if (n == 0)
        return 0;
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return v[n / 2];
}

/* A side's articular surface in the section: the circle of the joint radius
 * R (a fragment is a rigid piece of the socket) through its cortex samples in
 * [lo, hi], centre by Gauss-Newton from the section's centre (in-plane
 * coordinates about it). -1 with fewer than 4 samples. */
typedef struct circle2 {
    double cx, cy, r;
} circle2;

static int side_circle(const profile *pr, int lo, int hi, double R, circle2 *C)
{
    double px[1024], py[1024];
    int n = 0;
    for (int i = lo < 0 ? 0 : lo; i <= hi && i < pr->n && n < 1024; i++)
        if (pr->cls[i] == RAY_CORTEX)
            px[n] = pr->s[i] * cos(pr->phi[i]), py[n++] = pr->s[i] * sin(pr->phi[i]);
    if (n < 4)
        return -1;
    double cx = 0, cy = 0;
    for (int it = 0; it < 20; it++) {
        double a11 = 0, a12 = 0, a22 = 0, b1 = 0, b2 = 0;
        for (int i = 0; i < n; i++) {
            double dx = px[i] - cx, dy = py[i] - cy, dd = hypot(dx, dy);
            if (!(dd > 1e-9))
                continue;
            double jx = -dx / dd, jy = -dy / dd, r = dd - R;
            a11 += jx * jx, a12 += jx * jy, a22 += jy * jy, b1 -= jx * r, b2 -= jy * r;
        }
        /* damped: a short arc leaves the centre free along its normal */
        a11 += 1e-3 * n, a22 += 1e-3 * n;
        double det = a11 * a22 - a12 * a12;
        if (!(fabs(det) > 1e-12))
            return -1;
        double ux = (a22 * b1 - a12 * b2) / det, uy = (a11 * b2 - a12 * b1) / det;
        cx += ux, cy += uy;
        if (hypot(ux, uy) < 1e-4)
            break;
    }
    C->cx = cx, C->cy = cy, C->r = R;
    return hypot(cx, cy) < R ? 0 : -1;
}

/* Where the ray at angle phi from the section's centre leaves the circle. */
static double circle_at(const circle2 *C, double phi)
{
    double wx = cos(phi), wy = sin(phi), wc = wx * C->cx + wy * C->cy;
    double disc = wc * wc - (C->cx * C->cx + C->cy * C->cy) + C->r * C->r;
    return disc < 0 ? wc : wc + sqrt(disc);
}

/* The angle at which the missing cortex g crosses 0.5 between samples i and
 * j = i +- 1 (the edge of a fragment's articular surface). */
static double edge_phi(const profile *pr, int i, int j)
{
    double gi = pr->g[i], gj = pr->g[j];
    double f = fabs(gj - gi) < 1e-9 ? 0.5 : (0.5 - gi) / (gj - gi);
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    return pr->phi[i] + f * (pr->phi[j] - pr->phi[i]);
}

/* The two fragments' edges across the cleft [i0, i1] on their circles: the
 * offset of the after-side's edge from the before-side's, along the section
 * tangent at `at` (gap) and its outward normal (step, signed). */
static void edge_offsets(const profile *pr, const circle2 *cb, const circle2 *ca, int i0, int i1,
                         double at, double *gap, double *step)
{
    int jb = i0, ja = i1;
    while (jb < i1 && pr->g[jb] < 0.5)
        jb++;
    while (ja > i0 && pr->g[ja] < 0.5)
        ja--;
    double pb = jb > 0 ? edge_phi(pr, jb - 1, jb) : pr->phi[jb];
    double pa = ja + 1 < pr->n ? edge_phi(pr, ja + 1, ja) : pr->phi[ja];
    double tb = circle_at(cb, pb), ta = circle_at(ca, pa);
    double dx = ta * cos(pa) - tb * cos(pb), dy = ta * sin(pa) - tb * sin(pb);
    double tx = -sin(at), ty = cos(at); /* increasing angle */
    *gap = dx * tx + dy * ty;
    *step = dx * ty - dy * tx; /* outward normal (ty, -tx) */
}

/* One cleft from i0 to i1: its width along the surface (gap) and the offset
 * of the side after it against the side before, outward positive (step).
 * -1 when it is no cleft (noise, a streak across the cortex). */
static int cleft_measure(const plane_ctx *c, const profile *pr, int i0, int i1, double *gap,
                         double *step)
{
    double peak = 0;
    for (int i = i0; i <= i1; i++)
        peak = fmax(peak, pr->g[i]);
    if (peak < 0.5)
        return -1;
    double darc = pr->dphi * (pr->rho + c->o->depth_mm);
    int w = (int)ceil(c->voxel_mm / darc), k = (int)lround(c->o->fit_mm / darc);
    int ws = (int)ceil(1.5 * c->voxel_mm / darc); /* the surface beside a cleft is blurred */
    int a = i0 - w, b = i1 + w;
    double sa = NAN, sb = NAN, eg, es, mid = 0.5 * (pr->phi[i0] + pr->phi[i1]);
    circle2 cb, ca;
    int kc = (int)lround(1.5 * c->o->fit_mm / darc);
    int circles = side_circle(pr, i0 - ws - kc, i0 - ws - 1, c->dome->radius_mm, &cb) == 0 &&
                  side_circle(pr, i1 + ws + 1, i1 + ws + kc, c->dome->radius_mm, &ca) == 0;
    *step = 0;
    if (circles) {
        /* each side's surface read at the cleft's middle, on its own circle */
        sa = circle_at(&cb, mid), sb = circle_at(&ca, mid);
        *step = sb - sa;
    }
    double base = median_f(pr, a - k, a - 1, b + 1, b + k), sum = 0;
    for (int i = a < 0 ? 0 : a; i <= b && i < pr->n; i++) {
        /* across the cleft the path runs from one side's surface to the
         * other's: rays inside it may meet bone far beyond */
        double r = pr->p[i], f = pr->f[i];
        if (isfinite(sa) && isfinite(sb)) {
            double t = i1 > i0 ? (double)(i - i0) / (i1 - i0) : 0.5;
            r = sa + (sb - sa) * (t < 0 ? 0 : t > 1 ? 1 : t);
            f = deficit(c->ct, fx_v3_add(pr->ch, fx_v3_scale(pr_dir(pr, pr->phi[i]),
                                                             r + c->o->depth_mm)),
                        c->lv);
        }
        sum += fmax(0, f - base) * (r + c->o->depth_mm) * pr->dphi;
    }
    /* a wide cleft: the two edges' offset (the fragments may have moved
     * along the surface and apart); a narrow one: the deficit summed across
     * it, finer than the voxel through partial volume, and the radial offset
     * of the two surfaces */
    if (sum > 2.5 * c->voxel_mm && circles) {
        edge_offsets(pr, &cb, &ca, i0, i1, mid, &eg, &es);
        sum = eg, *step = es;
    }
    *gap = sum;
    return 0;
}

/* The last sample (dir 1) or first (dir -1) of the run of missing cortex
 * (g >= 0.3) from i on. An island of cortex within a voxel is a fragment's
 * face seen under the articular surface by a ray oblique to the cleft. */
static int run_end(const plane_ctx *c, const profile *pr, int i, int dir)
{
    int island = (int)ceil(c->voxel_mm / (pr->dphi * pr->rho)), j = i;
    for (;;) {
        while (j + dir >= 0 && j + dir < pr->n && pr->g[j + dir] >= 0.3)
            j += dir;
        int q = j + dir;
        while (q >= 0 && q < pr->n && abs(q - j) <= island && pr->g[q] < 0.3)
            q += dir;
        if (q < 0 || q >= pr->n || abs(q - j) > island)
            return j;
        j = q;
    }
}

/* The path: the articular surface where a sample has one, else the nearer
 * side's; the deficit depth_mm under it. 0 when the slice has no cortex. */
static int profile_path(const plane_ctx *c, profile *pr)
{
    int last = -1;
    for (int i = 0; i < pr->n; i++) {
        if (pr->cls[i] == RAY_CORTEX) {
            pr->p[i] = pr->s[i];
            last = i;
            continue;
        }
        int nx = i + 1;
        while (nx < pr->n && pr->cls[nx] != RAY_CORTEX)
            nx++;
        if (last < 0 && nx >= pr->n)
            return 0;
        int use = last < 0 ? nx : nx >= pr->n ? last : (i - last <= nx - i ? last : nx);
        pr->p[i] = pr->s[use];
    }
    for (int i = 0; i < pr->n; i++)
        pr->f[i] = deficit(c->ct,
                           fx_v3_add(pr->ch, fx_v3_scale(pr_dir(pr, pr->phi[i]),
                                                         pr->p[i] + c->o->depth_mm)),
                           c->lv);
    return 1;
}

/* ---- per fracture line: the cross-section normal to the line ------------- */

static fx_vec3 cell_point(const capmap *m, const fx_dome *d, size_t i)
{
    return fx_v3_add(d->centre_mm, fx_v3_scale(m->dir[i], d->radius_mm));
}

/* The fracture line's direction at x (unit, tangent to the sphere at x): the
 * principal axis of the cleft cells within max(6 mm, 3 x the distance from x
 * to intact cortex), wide enough to see a wide cleft's length. */
static int line_direction(const capmap *m, const fx_dome *d, fx_vec3 x, fx_vec3 n, fx_vec3 *l)
{
    double near = INFINITY;
    for (size_t i = 0; i < m->n; i++)
        if (m->g[i] < 0.5)
            near = fmin(near, fx_v3_dist(x, cell_point(m, d, i)));
    double r = fmax(6.0, 3.0 * near), c[9] = {0};
    fx_vec3 mean = fx_v3(0, 0, 0);
    size_t k = 0;
    for (size_t i = 0; i < m->n; i++)
        if (m->g[i] >= 0.5 && fx_v3_dist(cell_point(m, d, i), x) <= r)
            mean = fx_v3_add(mean, cell_point(m, d, i)), k++;
    if (k < 6)
        return -1;
    mean = fx_v3_scale(mean, 1.0 / k);
    for (size_t i = 0; i < m->n; i++) {
        fx_vec3 q = cell_point(m, d, i);
        if (m->g[i] < 0.5 || fx_v3_dist(q, x) > r)
            continue;
        fx_vec3 v = fx_v3_sub(q, mean);
        double a[3] = {v.x, v.y, v.z};
        for (int u = 0; u < 3; u++)
            for (int w = 0; w < 3; w++)
                c[3 * u + w] += a[u] * a[w];
    }
    double v[3] = {1, 0.7, 0.4}; /* power iteration for the principal axis */
    for (int it = 0; it < 100; it++) {
        double y[3];
        for (int a = 0; a < 3; a++)
            y[a] = c[3 * a] * v[0] + c[3 * a + 1] * v[1] + c[3 * a + 2] * v[2];
        double nn = sqrt(y[0] * y[0] + y[1] * y[1] + y[2] * y[2]);
        if (!(nn > 0))
            return -1;
        for (int a = 0; a < 3; a++)
            v[a] = y[a] / nn;
    }
    fx_vec3 t = fx_v3(v[0], v[1], v[2]);
    t = fx_v3_sub(t, fx_v3_scale(n, fx_v3_dot(t, n)));
    if (!(fx_v3_norm(t) > 1e-6))
        return -1;
    *l = fx_v3_unit(t);
    return 0;
}

/* One line sample: its place and per plane (axial, coronal, sagittal) the
 * gap and step-off, NAN where the line is hidden in that plane. */
typedef struct lsample {
    fx_vec3 x;
    double gap[3], step[3];
} lsample;

/* The cross-section through x normal to the line: the great circle of the
 * joint sphere in the plane of n and u, sampled within 0.9 rad of x and
 * inside the cup; the cleft at x measured on it. */
static int cross_section(plane_ctx *c, profile *pr, fx_vec3 n, fx_vec3 u, double *gap,
                         double *step)
{
    const fx_dome *d = c->dome;
    double R = d->radius_mm, rm = 0.5 * (R + head_radius(d));
    pr->ch = d->centre_mm, pr->rho = R;
    pr->a = fx_v3_scale(u, -1), pr->b = n; /* increasing angle runs along +u */
    pr->dphi = c->o->trace_step_mm / R;
    int half = (int)floor(0.9 / pr->dphi), lo = -half, hi = half;
    for (int i = -1; i >= -half; i--)
        if (!in_cup(d, fx_v3_add(pr->ch, fx_v3_scale(pr_dir(pr, M_PI / 2 + i * pr->dphi), R)))) {
            lo = i + 1;
            break;
        }
    for (int i = 1; i <= half; i++)
        if (!in_cup(d, fx_v3_add(pr->ch, fx_v3_scale(pr_dir(pr, M_PI / 2 + i * pr->dphi), R)))) {
            hi = i - 1;
            break;
        }
    pr->n = 0;
    for (int i = lo; i <= hi; i++) {
        double phi = M_PI / 2 + i * pr->dphi;
        ray_hit hit = ray_cast(c->ct, pr->ch, pr_dir(pr, phi), rm, R + c->o->search_mm,
                               c->o->soft_hu);
        pr->phi[pr->n] = phi;
        pr->s[pr->n] = hit.s_mm;
        pr->g[pr->n] = !hit.found ? 1.0
                                  : fmin(1, fmax(0, (c->lv->peak - hit.peak_hu) /
                                                        (c->lv->peak - c->lv->soft)));
        pr->cls[pr->n++] = ray_class(&hit, c->lv->cortex_thr);
    }
    int ic = -lo;
    if (pr->n < 8 || ic < 0 || ic >= pr->n || pr->g[ic] < 0.3 || !profile_path(c, pr))
        return -1;
    int i0 = run_end(c, pr, ic, -1), i1 = run_end(c, pr, ic, 1);
    if (i0 == 0 || i1 == pr->n - 1)
        return -1; /* not bounded by cortex on both sides */
    return cleft_measure(c, pr, i0, i1, gap, step);
}

/* The plane's value: the largest over the line samples of the median of the
 * visible samples within 2 mm (a line's values change smoothly along it; a
 * single sample's noise does not make the maximum). */
static double line_max(const lsample *s, size_t n, int k, int want_step)
{
    double best = NAN, w[512];
    for (size_t i = 0; i < n; i++) {
        if (isnan(s[i].gap[k]))
            continue;
        int m = 0;
        for (size_t j = 0; j < n && m < 512; j++)
            if (!isnan(s[j].gap[k]) && fx_v3_dist(s[i].x, s[j].x) <= LINE_SMOOTH_MM)
                w[m++] = want_step ? s[j].step[k] : s[j].gap[k];
        qsort(w, (size_t)m, sizeof(*w), cmp_double);
        double med = m % 2 ? w[m / 2] : 0.5 * (w[m / 2 - 1] + w[m / 2]);
        best = isnan(best) ? med : fmax(best, med);
    }
    return best;
}

/* Every cleft cell of the cap on a 1.5 mm grid is a line sample. */
static int line_run(plane_ctx *c, const capmap *m, fx_dome_estimate *e)
{
    const fx_dome *d = c->dome;
    size_t cap = (size_t)ceil(1.8 / (c->o->trace_step_mm / d->radius_mm)) + 4;
    profile pr = {0};
    pr.phi = malloc(cap * sizeof(double)), pr.s = malloc(cap * sizeof(double));
    pr.p = malloc(cap * sizeof(double)), pr.f = malloc(cap * sizeof(double));
    pr.cls = malloc(cap * sizeof(int)), pr.g = malloc(cap * sizeof(double));
    lsample *ls = malloc((m->n + 1) * sizeof(*ls));
    size_t ns = 0;
    int rc = 0, n = m->gn, cleft = 0;
    if (!pr.phi || !pr.s || !pr.p || !pr.f || !pr.cls || !pr.g || !ls)
        rc = -1;
    for (int j = 0; j < n && !rc; j += 3)
        for (int i = 0; i < n; i += 3) {
            int q = m->idx[j * n + i];
            if (q < 0 || m->g[q] < 0.5)
                continue;
            cleft = 1;
            fx_vec3 nn = m->dir[q], x = cell_point(m, d, (size_t)q), l;
            double gap, step;
            if (line_direction(m, d, x, nn, &l))
                continue;
            fx_vec3 u = fx_v3_unit(fx_v3_cross(nn, l));
            if (cross_section(c, &pr, nn, u, &gap, &step))
                continue;
            ls[ns].x = x;
            dfrag_plane_values(d->axis, dfrag_offset(u, nn, gap, step), nn, u, l, ls[ns].gap,
                               ls[ns].step);
            ns++;
        }
    for (int k = 0; k < 3 && !rc; k++) {
        int visible = 0, hidden = 0;
        for (size_t i = 0; i < ns; i++)
            isnan(ls[i].gap[k]) ? hidden++ : visible++;
        e->lines_seen[k] = visible, e->lines_hidden[k] = hidden;
        e->gap_mm[k] = visible ? line_max(ls, ns, k, 0) : cleft ? NAN : 0;
        e->step_mm[k] = visible ? line_max(ls, ns, k, 1) : cleft ? NAN : 0;
    }
    free(pr.phi), free(pr.s), free(pr.p), free(pr.f), free(pr.cls), free(pr.g), free(ls);
    return rc;
}

int fx_dome_estimate_run(const fx_volume *ct, const fx_dome *d, const fx_domeest_opts *o,
                         fx_dome_estimate *e, fx_error *err)
{
    int rc = fx_volume_check_geometry(ct, err);
    if (rc)
        return rc;
    if (!(d->radius_mm > 2) || !(d->height_mm > 0) || d->height_mm >= d->radius_mm)
        return fx_fail(err, FX_EINVAL, "dome estimate: radius and dome height out of range");
    fx_vec3 top = fx_v3_add(d->centre_mm, fx_v3_scale(d->axis[2], d->radius_mm));
    fx_vec3 ijk = fx_volume_world_to_index(ct, top);
    if (ijk.x < 0 || ijk.y < 0 || ijk.z < 0 || ijk.x > ct->dims[0] - 1 || ijk.y > ct->dims[1] - 1 ||
        ijk.z > ct->dims[2] - 1)
        return fx_fail(err, FX_EINVAL, "dome estimate: the dome lies outside the volume");
    memset(e, 0, sizeof(*e));
    capmap m = {0};
    levels lv;
    if (cap_rays(ct, d, o, &m) || cap_levels(ct, d, o, &m, &lv, e)) {
        cap_free(&m);
        return fx_fail(err, FX_ENOMEM, "dome estimate: out of memory");
    }
    if (!(e->cortex_peak_hu - o->soft_hu > 200) || !(lv.bone - o->soft_hu > 100)) {
        cap_free(&m);
        return fx_fail(err, FX_EINVAL,
                       "dome estimate: no articular cortex at the dome (peak %.0f HU, bone %.0f "
                       "HU under the surface): is the acetabulum where it was given?",
                       e->cortex_peak_hu, lv.bone);
    }
    cap_area(&m, &lv, e);
    double vox = (ct->spacing[0] + ct->spacing[1] + ct->spacing[2]) / 3;
    rc = dfrag_estimate(ct, d, FRAG_OFFSET_MM, e);
    if (rc == 0) {
        plane_ctx c = {ct, d, o, &lv, vox};
        rc = line_run(&c, &m, e);
    }
    rc = rc < 0 ? -1 : 0;
    cap_free(&m);
    return rc ? fx_fail(err, FX_ENOMEM, "dome estimate: out of memory") : 0;
}
