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
 * offset across it (step).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/domeest.h"

#define RAY_DT_MM 0.2
#define PEAK_MM 4.0 /* the cortex peak looked for this far past the first rise */
#define LO_ABOVE_SOFT 150.0

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
    fx_vec3 *pts;   /* edge points of the cleft on the joint sphere */
    size_t n_pts;
} capmap;

static void cap_free(capmap *m)
{
    free(m->dir), free(m->area), free(m->hit), free(m->pts), free(m->g), free(m->idx);
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
    m->pts = malloc(nc * sizeof(*m->pts));
    m->g = malloc(nc * sizeof(*m->g));
    m->idx = malloc(nc * sizeof(*m->idx));
    m->gn = n;
    if (!m->dir || !m->area || !m->hit || !m->pts || !m->g || !m->idx)
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
 * a narrow cleft, whole where a ray finds no articular surface). Cells of
 * the cleft (g >= 0.5) next to intact ones are the edge points, whose
 * directions give the fracture lines' directions. */
static void cap_area(const fx_dome *d, capmap *m, const levels *lv, fx_dome_estimate *e)
{
    for (size_t i = 0; i < m->n; i++) {
        const ray_hit *h = &m->hit[i];
        m->g[i] = !h->found ? 1.0 : fmin(1, fmax(0, (lv->peak - h->peak_hu) / (lv->peak - lv->soft)));
        e->cap_area_mm2 += m->area[i];
        e->gap_area_mm2 += m->area[i] * m->g[i];
    }
    m->n_pts = 0;
    int n = m->gn;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            int k = m->idx[j * n + i], edge = 0;
            if (k < 0 || m->g[k] < 0.5)
                continue;
            for (int q = 0; q < 4; q++) {
                int ii = i + (q == 0) - (q == 1), jj = j + (q == 2) - (q == 3);
                if (ii >= 0 && jj >= 0 && ii < n && jj < n && m->idx[jj * n + ii] >= 0 &&
                    m->g[m->idx[jj * n + ii]] < 0.5)
                    edge = 1;
            }
            if (edge)
                m->pts[m->n_pts++] =
                    fx_v3_add(d->centre_mm, fx_v3_scale(m->dir[k], d->radius_mm));
        }
}

/* Is the fracture line near x within 30 degrees of the plane with normal
 * `e`? The line's direction is the principal axis of the line points within
 * `radius` of x; too few points: taken as visible. */
static int line_hidden(const capmap *m, fx_vec3 x, double radius, fx_vec3 e)
{
    fx_vec3 mean = fx_v3(0, 0, 0);
    size_t k = 0;
    for (size_t i = 0; i < m->n_pts; i++)
        if (fx_v3_dist(m->pts[i], x) <= radius) {
            mean = fx_v3_add(mean, m->pts[i]);
            k++;
        }
    if (k < 6)
        return 0;
    mean = fx_v3_scale(mean, 1.0 / k);
    double c[9] = {0};
    for (size_t i = 0; i < m->n_pts; i++)
        if (fx_v3_dist(m->pts[i], x) <= radius) {
            fx_vec3 q = fx_v3_sub(m->pts[i], mean);
            double v[3] = {q.x, q.y, q.z};
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++)
                    c[3 * a + b] += v[a] * v[b];
        }
    double l[3] = {1, 0.7, 0.4}; /* power iteration for the principal axis */
    for (int it = 0; it < 100; it++) {
        double y[3];
        for (int a = 0; a < 3; a++)
            y[a] = c[3 * a] * l[0] + c[3 * a + 1] * l[1] + c[3 * a + 2] * l[2];
        double nn = sqrt(y[0] * y[0] + y[1] * y[1] + y[2] * y[2]);
        if (!(nn > 0))
            return 0;
        for (int a = 0; a < 3; a++)
            l[a] = y[a] / nn;
    }
    return fabs(l[0] * e.x + l[1] * e.y + l[2] * e.z) < 0.5;
}

/* One slice's samples along the joint trace, in order. */
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

typedef struct plane_ctx {
    const fx_volume *ct;
    const fx_dome *dome;
    const fx_domeest_opts *o;
    const levels *lv;
    const capmap *cap;
    fx_vec3 e;
    double voxel_mm;
    double gap, step;
    int seen, hidden;
    int slice, nslices;      /* the current slice; slices in the plane */
    double *sgap, *sstep;    /* per slice the largest, NAN: no cleft seen */
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

/* The articular surface radius of one side, a line fitted to its cortex
 * samples' radii in [lo, hi] read at `at`; -1 with fewer than 3 samples. */
static int side_surface(const profile *pr, int lo, int hi, int at, double *s)
{
    double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int i = lo < 0 ? 0 : lo; i <= hi && i < pr->n; i++)
        if (pr->cls[i] == RAY_CORTEX)
            n++, sx += i, sy += pr->s[i], sxx += (double)i * i, sxy += i * pr->s[i];
    if (n < 3)
        return -1;
    double den = n * sxx - sx * sx;
    double b = fabs(den) < 1e-9 ? 0 : (n * sxy - sx * sy) / den;
    *s = (sy - b * sx) / n + b * at;
    return 0;
}

/* A side's articular surface in the slice: a line through its cortex
 * samples in [lo, hi] (in-plane coordinates about the trace centre, principal
 * axis), oriented along increasing angle. -1 with fewer than 3 samples. */
typedef struct line2 {
    double cx, cy, dx, dy;
} line2;

static int side_line(const profile *pr, int lo, int hi, line2 *L)
{
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    int n = 0, first = -1, last = -1;
    for (int i = lo < 0 ? 0 : lo; i <= hi && i < pr->n; i++) {
        if (pr->cls[i] != RAY_CORTEX)
            continue;
        double x = pr->s[i] * cos(pr->phi[i]), y = pr->s[i] * sin(pr->phi[i]);
        sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y, n++;
        if (first < 0)
            first = i;
        last = i;
    }
    if (n < 3)
        return -1;
    L->cx = sx / n, L->cy = sy / n;
    double cxx = sxx / n - L->cx * L->cx, cyy = syy / n - L->cy * L->cy,
           cxy = sxy / n - L->cx * L->cy;
    double th = 0.5 * atan2(2 * cxy, cxx - cyy);
    L->dx = cos(th), L->dy = sin(th);
    /* along increasing angle: the tangent of a circle about the centre */
    double tx = -sin(pr->phi[(first + last) / 2]), ty = cos(pr->phi[(first + last) / 2]);
    if (L->dx * tx + L->dy * ty < 0)
        L->dx = -L->dx, L->dy = -L->dy;
    return 0;
}

/* Where the ray at angle phi from the trace centre meets the line. */
static void line_at(const line2 *L, double phi, double *x, double *y)
{
    double wx = cos(phi), wy = sin(phi), det = wx * -L->dy - wy * -L->dx;
    double t = fabs(det) < 1e-9 ? hypot(L->cx, L->cy) : (L->cx * -L->dy - L->cy * -L->dx) / det;
    *x = t * wx, *y = t * wy;
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

/* The two fragments' edges across the cleft [i0, i1]: their offset d' in
 * the slice, along the mean surface tangent (gap) and normal (step), the
 * definitions of docs/phantom.md. -1 when a side has no surface. */
static int edge_offsets(const plane_ctx *c, const profile *pr, int i0, int i1, int ws, int k,
                        double *gap, double *step)
{
    line2 lb, la;
    if (side_line(pr, i0 - ws - k, i0 - ws - 1, &lb) || side_line(pr, i1 + ws + 1, i1 + ws + k, &la))
        return -1;
    int jb = i0, ja = i1;
    while (jb < i1 && pr->g[jb] < 0.5)
        jb++;
    while (ja > i0 && pr->g[ja] < 0.5)
        ja--;
    double pb = jb > 0 ? edge_phi(pr, jb - 1, jb) : pr->phi[jb];
    double pa = ja + 1 < pr->n ? edge_phi(pr, ja + 1, ja) : pr->phi[ja];
    double bx, by, ax, ay;
    line_at(&lb, pb, &bx, &by);
    line_at(&la, pa, &ax, &ay);
    double tx = lb.dx + la.dx, ty = lb.dy + la.dy, tn = hypot(tx, ty);
    if (!(tn > 0))
        return -1;
    tx /= tn, ty /= tn;
    (void)c;
    *gap = (ax - bx) * tx + (ay - by) * ty;
    *step = fabs(-(ax - bx) * ty + (ay - by) * tx);
    return 0;
}

/* One cleft: deficit above the detection level from i0 to i1. */
static void event(plane_ctx *c, const profile *pr, int i0, int i1)
{
    double peak = 0;
    for (int i = i0; i <= i1; i++)
        peak = fmax(peak, pr->g[i]);
    if (peak < 0.5)
        return; /* noise or a streak across the cortex, not a cleft */
    double darc = pr->dphi * (pr->rho + c->o->depth_mm);
    int w = (int)ceil(c->voxel_mm / darc), k = (int)lround(c->o->fit_mm / darc);
    int ws = (int)ceil(1.5 * c->voxel_mm / darc); /* the surface beside a cleft is blurred */
    int a = i0 - w, b = i1 + w;
    double sa = NAN, sb = NAN, step = 0, eg, es;
    if (side_surface(pr, i0 - ws - k, i0 - ws - 1, i0, &sa) == 0 &&
        side_surface(pr, i1 + ws + 1, i1 + ws + k, i1, &sb) == 0)
        step = fabs(sa - sb);
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
    /* a wide cleft: the two edges' offset in the slice (the fragments may
     * have moved along the surface and apart); a narrow one: the deficit
     * summed across it, finer than the voxel through partial volume, and
     * the radial offset of the two surfaces */
    if (sum > 2.5 * c->voxel_mm && edge_offsets(c, pr, i0, i1, ws, k, &eg, &es) == 0)
        sum = eg, step = es;
    /* visibility: the line's direction at either edge of the cleft */
    int ea = i0 > 0 ? i0 - 1 : i0, eb = i1 + 1 < pr->n ? i1 + 1 : i1;
    fx_vec3 xa = fx_v3_add(pr->ch, fx_v3_scale(pr_dir(pr, pr->phi[ea]), pr->rho));
    fx_vec3 xb = fx_v3_add(pr->ch, fx_v3_scale(pr_dir(pr, pr->phi[eb]), pr->rho));
    int ha = line_hidden(c->cap, xa, 5.0, c->e), hb = line_hidden(c->cap, xb, 5.0, c->e);
    if (ha && hb) {
        c->hidden++;
        return;
    }
    c->seen++;
    int sl = c->slice;
    c->sgap[sl] = isnan(c->sgap[sl]) ? sum : fmax(c->sgap[sl], sum);
    c->sstep[sl] = isnan(c->sstep[sl]) ? step : fmax(c->sstep[sl], step);
}

/* Clefts: runs of rays whose articular cortex is missing (g >= 0.3: a line
 * crossing the articular surface; a cleft that only runs above the roof's
 * cortex leaves it whole), bounded by samples on both sides. */
static void profile_events(plane_ctx *c, const profile *pr)
{
    for (int i = 0; i < pr->n;) {
        if (pr->g[i] < 0.3) {
            i++;
            continue;
        }
        int j = i;
        /* an island of cortex within a voxel is the fragment's face seen
         * under the articular surface by a ray oblique to the cleft */
        int island = (int)ceil(c->voxel_mm / (pr->dphi * pr->rho));
        for (;;) {
            while (j + 1 < pr->n && pr->g[j + 1] >= 0.3)
                j++;
            int q = j + 1;
            while (q < pr->n && q - j <= island && pr->g[q] < 0.3)
                q++;
            if (q >= pr->n || q - j > island)
                break;
            j = q;
        }
        if (i > 0 && j + 1 < pr->n)
            event(c, pr, i, j);
        i = j + 1;
    }
}

/* Rotate a closed (axial) trace so that it starts on articular cortex. */
static void profile_close(profile *pr)
{
    int s = 0;
    while (s < pr->n && pr->cls[s] != RAY_CORTEX)
        s++;
    if (s == 0 || s == pr->n)
        return;
    for (int r = 0; r < s; r++) { /* rotate left by one, s times */
        double f0 = pr->s[0], p0 = pr->phi[0] + 2 * M_PI, g0 = pr->g[0];
        int c0 = pr->cls[0];
        memmove(pr->g, pr->g + 1, (size_t)(pr->n - 1) * sizeof(*pr->g));
        pr->g[pr->n - 1] = g0;
        memmove(pr->s, pr->s + 1, (size_t)(pr->n - 1) * sizeof(*pr->s));
        memmove(pr->phi, pr->phi + 1, (size_t)(pr->n - 1) * sizeof(*pr->phi));
        memmove(pr->cls, pr->cls + 1, (size_t)(pr->n - 1) * sizeof(*pr->cls));
        pr->s[pr->n - 1] = f0, pr->phi[pr->n - 1] = p0, pr->cls[pr->n - 1] = c0;
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

/* Is the trace sample at angle phi in the dome (and inside the cup)? */
static int trace_ok(const fx_dome *d, const profile *pr, double phi, double zc)
{
    fx_vec3 x = fx_v3_add(pr->ch, fx_v3_scale(pr_dir(pr, phi), pr->rho));
    return fx_v3_dot(fx_v3_sub(x, d->centre_mm), d->axis[2]) >= zc - 1e-9 && in_cup(d, x);
}

/* One slice at height h along the plane's normal. */
static void slice_run(plane_ctx *c, profile *pr, double h, int closed_plane)
{
    const fx_dome *d = c->dome;
    const fx_domeest_opts *o = c->o;
    double R = d->radius_mm, zc = R - d->height_mm, rm = 0.5 * (R + head_radius(d));
    pr->rho = sqrt(fmax(0, R * R - h * h));
    pr->ch = fx_v3_add(d->centre_mm, fx_v3_scale(c->e, h));
    double r0 = sqrt(fmax(0, rm * rm - h * h));
    int n = (int)ceil(2 * M_PI * pr->rho / o->trace_step_mm);
    if (n < 8)
        return;
    pr->n = 0;
    pr->dphi = 2 * M_PI / n;
    /* a closed (axial) trace cut by the cup's rim starts after the rim */
    int start = 0, closed = closed_plane;
    for (int i = 0; i < n && closed_plane; i++)
        if (!trace_ok(d, pr, pr->dphi * i, zc) && trace_ok(d, pr, pr->dphi * (i + 1), zc)) {
            start = i + 1, closed = 0;
            break;
        }
    for (int t = start; t < start + n; t++) {
        double phi = pr->dphi * t;
        if (!trace_ok(d, pr, phi, zc))
            continue;
        ray_hit hit = ray_cast(c->ct, pr->ch, pr_dir(pr, phi), r0, pr->rho + o->search_mm,
                               o->soft_hu);
        pr->phi[pr->n] = phi;
        pr->s[pr->n] = hit.s_mm;
        pr->g[pr->n] = !hit.found ? 1.0
                                  : fmin(1, fmax(0, (c->lv->peak - hit.peak_hu) /
                                                        (c->lv->peak - c->lv->soft)));
        pr->cls[pr->n++] = ray_class(&hit, c->lv->cortex_thr);
    }
    if (closed && pr->n > 2)
        profile_close(pr);
    if (pr->n > 2 && profile_path(c, pr))
        profile_events(c, pr);
}

/* The plane's value: the largest over slices of the median of the slices
 * within +-2 (1 mm at the default step) that saw a cleft. A line runs
 * smoothly from slice to slice; one slice's outlier (noise, a streak) does
 * not make the maximum. */
static double slice_max(const double *v, int n)
{
    double best = NAN;
    for (int i = 0; i < n; i++) {
        if (isnan(v[i]))
            continue;
        double w[5];
        int m = 0;
        for (int j = i - 2; j <= i + 2; j++)
            if (j >= 0 && j < n && !isnan(v[j]))
                w[m++] = v[j];
        qsort(w, (size_t)m, sizeof(*w), cmp_double);
        double med = m % 2 ? w[m / 2] : 0.5 * (w[m / 2 - 1] + w[m / 2]);
        best = isnan(best) ? med : fmax(best, med);
    }
    return best;
}

/* Plane 0 axial (normal S; trace in L, P), 1 coronal (P; L, S), 2 sagittal
 * (L; P, S): every slice through the dome. */
static int plane_run(plane_ctx *c, int plane)
{
    const fx_dome *d = c->dome;
    const fx_vec3 *A = d->axis;
    double R = d->radius_mm, zc = R - d->height_mm, rmax = sqrt(R * R - zc * zc);
    size_t cap = (size_t)ceil(2 * M_PI * R / c->o->trace_step_mm) + 2;
    profile pr = {0};
    pr.a = plane == 2 ? A[1] : A[0];
    pr.b = plane == 0 ? A[1] : A[2];
    pr.phi = malloc(cap * sizeof(double)), pr.s = malloc(cap * sizeof(double));
    pr.p = malloc(cap * sizeof(double)), pr.f = malloc(cap * sizeof(double));
    pr.cls = malloc(cap * sizeof(int)), pr.g = malloc(cap * sizeof(double));
    double h0 = plane == 0 ? zc : -rmax, h1 = plane == 0 ? R - c->o->slice_step_mm : rmax;
    c->nslices = (int)floor((h1 - h0) / c->o->slice_step_mm + 1e-9) + 1;
    c->sgap = malloc((size_t)c->nslices * sizeof(double));
    c->sstep = malloc((size_t)c->nslices * sizeof(double));
    int rc = 0;
    if (!pr.phi || !pr.s || !pr.p || !pr.f || !pr.cls || !pr.g || !c->sgap || !c->sstep) {
        rc = -1;
    } else {
        c->e = plane == 0 ? A[2] : plane == 1 ? A[1] : A[0];
        for (int k = 0; k < c->nslices; k++)
            c->sgap[k] = c->sstep[k] = NAN;
        /* a slice beyond 0.866 R meets the joint surface within 30 degrees of
         * its own plane, where any line on it runs within 30 degrees of the
         * plane too: not visible there, and the trace grazes the surface */
        for (c->slice = 0; c->slice < c->nslices; c->slice++) {
            double h = h0 + c->slice * c->o->slice_step_mm;
            if (fabs(h) <= 0.866 * R)
                slice_run(c, &pr, h, plane == 0);
        }
        c->gap = slice_max(c->sgap, c->nslices);
        c->step = slice_max(c->sstep, c->nslices);
    }
    free(c->sgap), free(c->sstep);
    free(pr.phi), free(pr.s), free(pr.p), free(pr.f), free(pr.cls), free(pr.g);
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
    cap_area(d, &m, &lv, e);
    double vox = (ct->spacing[0] + ct->spacing[1] + ct->spacing[2]) / 3;
    for (int p = 0; p < 3 && rc == 0; p++) {
        plane_ctx c = {ct, d, o, &lv, &m, fx_v3(0, 0, 0), vox, 0, 0, 0, 0, 0, 0, NULL, NULL};
        rc = plane_run(&c, p);
        e->lines_seen[p] = c.seen;
        e->lines_hidden[p] = c.hidden;
        /* a cleft in the dome that no slice of this plane crosses: not visible */
        int unseen = c.seen == 0 && (c.hidden > 0 || m.n_pts >= 6);
        e->gap_mm[p] = unseen ? NAN : isnan(c.gap) ? 0 : c.gap;
        e->step_mm[p] = unseen ? NAN : isnan(c.step) ? 0 : c.step;
    }
    cap_free(&m);
    return rc ? fx_fail(err, FX_ENOMEM, "dome estimate: out of memory") : 0;
}
