/*
 * domeest.c - gap and step-off at the acetabular dome estimated from the CT
 * (domeest.h; method and accuracy in docs/reduction-estimate.md).
 *
 * The articular surface is found along rays: from the joint centre (the cap
 * map) or, in a slice, from the centre of the joint sphere's trace in that
 * slice (the profiles). Along a ray the first rise from the joint space to
 * the articular cortex is located at half height; a ray whose peak stays
 * below half the cortex level crosses the cleft. Each slice's profile of
 * surface radius along the trace gives the clefts (gap: their width along the
 * trace) and the surface offset across them (step: the two sides' surfaces,
 * each fitted by a line, compared at the cleft's middle).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/domeest.h"

#define OUTER_MAX_MM 25.0 /* outer surface searched this far beyond the joint */
#define OUTER_DT_MM 0.2

void fx_domeest_opts_default(fx_domeest_opts *o)
{
    o->trace_step_mm = 0.25;
    o->slice_step_mm = 0.5;
    o->jump_mm = 0.6;
    o->fit_mm = 3.0;
    o->soft_hu = 40.0;
}

static double hu_at(const fx_volume *ct, fx_vec3 x)
{
    return fx_volume_sample(ct, fx_volume_world_to_index(ct, x), -1000.0);
}

/* Missing bone at x as a fraction of the bone-to-soft-tissue contrast: 0 in
 * bone, 1 in soft tissue, linear in a partial-volume voxel (not clamped, so
 * that noise averages out in the sums). */
static double deficit(const fx_volume *ct, fx_vec3 x, double bone_hu, double soft_hu)
{
    return (bone_hu - hu_at(ct, x)) / (bone_hu - soft_hu);
}

/* The outer bone surface along o + t dir beyond t0: the first fall from bone
 * to soft tissue, at half height; NAN when the ray stays in bone. */
static double outer_surface(const fx_volume *ct, fx_vec3 o, fx_vec3 dir, double t0, double bone_hu,
                            double soft_hu)
{
    double half = 0.5 * (bone_hu + soft_hu), prev = hu_at(ct, fx_v3_add(o, fx_v3_scale(dir, t0)));
    if (prev < half)
        return NAN;
    for (double t = t0 + OUTER_DT_MM; t <= t0 + OUTER_MAX_MM; t += OUTER_DT_MM) {
        double v = hu_at(ct, fx_v3_add(o, fx_v3_scale(dir, t)));
        if (v < half)
            return t - OUTER_DT_MM + OUTER_DT_MM * (prev - half) / (prev - v);
        prev = v;
    }
    return NAN;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The cap map: the dome on a 0.5 mm grid in (L, P) from the centre, sampled
 * on the joint sphere. */
typedef struct capmap {
    int n;        /* cells per side */
    double g;     /* grid step, mm */
    fx_vec3 *pts; /* points in the cleft */
    size_t n_pts;
} capmap;

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

/* Bone level (median HU on the dome), cleft area (sum of deficits x cell
 * area) and the cleft points (deficit >= 0.2) for the line directions. */
static int cap_build(const fx_volume *ct, const fx_dome *d, double soft_hu, capmap *m,
                     fx_dome_estimate *e)
{
    double R = d->radius_mm, zc = R - d->height_mm, rho = sqrt(R * R - zc * zc);
    m->g = 0.5;
    m->n = 2 * (int)ceil(rho / m->g) + 1;
    int n = m->n, h = n / 2;
    size_t nc = (size_t)n * n, k = 0;
    double *hu = malloc(nc * sizeof(*hu)), *sorted = malloc(nc * sizeof(*sorted));
    m->pts = malloc(nc * sizeof(*m->pts));
    if (!hu || !sorted || !m->pts) {
        free(hu), free(sorted);
        return -1;
    }
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            double x = (i - h) * m->g, y = (j - h) * m->g, r2 = R * R - x * x - y * y;
            hu[j * n + i] = NAN;
            if (r2 >= zc * zc && in_cup(d, dome_point(d, x, y, sqrt(r2))))
                sorted[k++] = hu[j * n + i] = hu_at(ct, dome_point(d, x, y, sqrt(r2)));
        }
    qsort(sorted, k, sizeof(*sorted), cmp_double);
    e->bone_hu = k ? sorted[k / 2] : NAN;
    free(sorted);
    m->n_pts = 0;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            if (isnan(hu[j * n + i]))
                continue;
            double x = (i - h) * m->g, y = (j - h) * m->g, z = sqrt(R * R - x * x - y * y);
            double cell = m->g * m->g * R / z; /* projected cell -> sphere area */
            double f = (e->bone_hu - hu[j * n + i]) / (e->bone_hu - soft_hu);
            e->cap_area_mm2 += cell;
            e->gap_area_mm2 += cell * fmin(1, fmax(0, f));
            if (f >= 0.2)
                m->pts[m->n_pts++] = dome_point(d, x, y, z);
        }
    free(hu);
    return 0;
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
    double darc;   /* mm between samples */
    double *f;     /* deficit on the joint trace */
    double *outer; /* outer surface distance from the trace centre (NAN: none) */
    fx_vec3 *x;    /* the trace points */
    double *phi;   /* their angles on the trace circle */
    fx_vec3 ch, a, b;
    double rho; /* the trace circle: centre, in-plane axes, radius */
} profile;

/* Median of the outer surface over [lo, hi]; at least 3 samples. */
static int side_median(const profile *pr, int lo, int hi, double *s)
{
    if (lo < 0)
        lo = 0;
    double v[512];
    int n = 0;
    for (int i = lo < 0 ? 0 : lo; i <= hi && i < pr->n && n < 512; i++)
        if (isfinite(pr->outer[i]))
            v[n++] = pr->outer[i];
    if (n < 3)
        return -1;
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    *s = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    return 0;
}

/* The outer surface of one side extrapolated to its edge at `at`: a line
 * fitted over [lo, hi], or the median when the line strays more than 1.5 mm
 * from it (the window caught another structure). */
static int side_value(const profile *pr, int lo, int hi, int at, double *s)
{
    double med, n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    if (side_median(pr, lo, hi, &med))
        return -1;
    *s = med;
    for (int i = lo < 0 ? 0 : lo; i <= hi && i < pr->n; i++)
        if (isfinite(pr->outer[i]))
            n++, sx += i, sy += pr->outer[i], sxx += (double)i * i, sxy += i * pr->outer[i];
    double den = n * sxx - sx * sx;
    if (fabs(den) < 1e-9)
        return 0;
    double b = (n * sxy - sx * sy) / den, v = (sy - b * sx) / n + b * at;
    if (fabs(v - med) <= 1.5)
        *s = v;
    return 0;
}

typedef struct plane_ctx {
    const fx_volume *ct;
    const fx_dome *dome;
    double bone_hu, soft_hu;
    const capmap *cap;
    fx_vec3 e;
    double fit_mm, skip_mm;
    double gap, step;
    int seen, hidden;
} plane_ctx;

/* A fracture cleft runs through the bone: 2 and 4 mm further out along the
 * radius its deficit is still at least half what it is on the joint sphere.
 * Soft tissue that stops before (a pocket of joint space, a cleft running
 * over the dome rather than across it) is not a fracture line at the dome. */
static int radial_slit(const plane_ctx *c, const profile *pr, int i0, int i1, double peak)
{
    int im = i0;
    for (int i = i0; i <= i1; i++)
        if (pr->f[i] > pr->f[im])
            im = i;
    fx_vec3 r = fx_v3_sub(pr->x[im], c->dome->centre_mm);
    double least = INFINITY;
    for (double dr = 2.0; dr <= 4.0; dr += 2.0) {
        fx_vec3 q = fx_v3_add(c->dome->centre_mm,
                              fx_v3_scale(r, (c->dome->radius_mm + dr) / c->dome->radius_mm));
        least = fmin(least, deficit(c->ct, q, c->bone_hu, c->soft_hu));
    }
    return least >= 0.5 * peak;
}

/* A cleft between fragments keeps its width further out; soft tissue that
 * opens outward (a notch between two bony prominences over the dome) widens.
 * The deficit summed 4 mm further out over the cleft's angles widened by
 * 3 mm each side, against the gap on the trace. */
static int widens(const plane_ctx *c, const profile *pr, int a, int b, double gap)
{
    double r = pr->rho + 4.0, pad = 3.0 / r, step = pr->darc / r, sum = 0;
    for (double phi = pr->phi[a] - pad; phi <= pr->phi[b] + pad; phi += step) {
        fx_vec3 x = fx_v3_add(
            pr->ch, fx_v3_add(fx_v3_scale(pr->a, r * cos(phi)), fx_v3_scale(pr->b, r * sin(phi))));
        sum += fmin(1.0, deficit(c->ct, x, c->bone_hu, c->soft_hu)) * step * r;
    }
    return sum > gap + 3.0;
}

/* One cleft: deficit above the detection level from i0 to i1. The gap is
 * the deficit summed over the run widened by a voxel each side (the
 * partial-volume tails); the step compares the outer surface on each side. */
static void event(plane_ctx *c, const profile *pr, int i0, int i1)
{
    int w = (int)ceil(c->skip_mm / pr->darc);
    int a = i0 - w < 0 ? 0 : i0 - w, b = i1 + w >= pr->n ? pr->n - 1 : i1 + w;
    double sum = 0;
    for (int i = a; i <= b; i++)
        sum += fmin(1.0, pr->f[i]);
    double gap = fmax(0, sum * pr->darc), mid = 0.5 * (i0 + i1), sa, sb, step = 0, peak = 0;
    for (int i = i0; i <= i1; i++)
        peak = fmax(peak, pr->f[i]);
    if (peak < 0.35)
        return; /* noise or a shallow streak, not a cleft */
    if (!radial_slit(c, pr, i0, i1, peak) || widens(c, pr, a, b, gap))
        return;
    /* the outer surface beside the cleft is blurred by it for another voxel */
    int k = (int)lround(c->fit_mm / pr->darc), a2 = a - w, b2 = b + w;
    if (side_value(pr, a2 - k, a2, i0, &sa) == 0 && side_value(pr, b2, b2 + k, i1, &sb) == 0 &&
        fabs(sa - sb) < c->fit_mm * 3)
        step = fabs(sa - sb);
    fx_vec3 x = pr->x[(int)lround(mid)];
    if (line_hidden(c->cap, x, fmax(6.0, 0.5 * gap + 4.0), c->e)) {
        c->hidden++;
        return;
    }
    c->seen++;
    c->gap = fmax(c->gap, gap);
    c->step = fmax(c->step, step);
}

/* Clefts: runs with deficit >= 0.2 bounded by bone on both sides. */
static void profile_events(plane_ctx *c, const profile *pr)
{
    for (int i = 0; i < pr->n;) {
        if (pr->f[i] < 0.2) {
            i++;
            continue;
        }
        int j = i;
        while (j + 1 < pr->n && pr->f[j + 1] >= 0.2)
            j++;
        if (i > 0 && j + 1 < pr->n)
            event(c, pr, i, j);
        i = j + 1;
    }
}

/* Rotate a closed (axial) trace so that it starts in bone. */
static void profile_close(profile *pr)
{
    int s = 0;
    while (s < pr->n && pr->f[s] >= 0.2)
        s++;
    if (s == 0 || s == pr->n)
        return;
    for (int r = 0; r < s; r++) { /* rotate left by one, s times */
        double f0 = pr->f[0], o0 = pr->outer[0], p0 = pr->phi[0] + 2 * M_PI;
        fx_vec3 x0 = pr->x[0];
        memmove(pr->f, pr->f + 1, (size_t)(pr->n - 1) * sizeof(*pr->f));
        memmove(pr->outer, pr->outer + 1, (size_t)(pr->n - 1) * sizeof(*pr->outer));
        memmove(pr->x, pr->x + 1, (size_t)(pr->n - 1) * sizeof(*pr->x));
        memmove(pr->phi, pr->phi + 1, (size_t)(pr->n - 1) * sizeof(*pr->phi));
        pr->f[pr->n - 1] = f0, pr->outer[pr->n - 1] = o0, pr->x[pr->n - 1] = x0;
        pr->phi[pr->n - 1] = p0;
    }
}

/* Is the trace sample at angle phi in the dome (and inside the cup)? */
static int trace_ok(const fx_dome *d, fx_vec3 ch, fx_vec3 a, fx_vec3 b, double rho, double phi,
                    double zc)
{
    fx_vec3 x =
        fx_v3_add(ch, fx_v3_add(fx_v3_scale(a, rho * cos(phi)), fx_v3_scale(b, rho * sin(phi))));
    return fx_v3_dot(fx_v3_sub(x, d->centre_mm), d->axis[2]) >= zc - 1e-9 && in_cup(d, x);
}

/* Plane 0 axial (normal S; trace in L, P), 1 coronal (P; L, S), 2 sagittal
 * (L; P, S): every slice through the dome, every trace sample in the dome. */
static int plane_run(const fx_volume *ct, const fx_dome *d, const fx_domeest_opts *o, plane_ctx *c,
                     int plane, const fx_dome_estimate *e)
{
    const fx_vec3 *A = d->axis;
    fx_vec3 en = plane == 0 ? A[2] : plane == 1 ? A[1] : A[0];
    fx_vec3 a = plane == 2 ? A[1] : A[0], b = plane == 0 ? A[1] : A[2];
    double R = d->radius_mm, zc = R - d->height_mm, rmax = sqrt(R * R - zc * zc);
    double h0 = plane == 0 ? zc : -rmax, h1 = plane == 0 ? R - o->slice_step_mm : rmax;
    size_t cap = (size_t)ceil(2 * M_PI * R / o->trace_step_mm) + 2;
    profile pr = {0,
                  0,
                  malloc(cap * sizeof(double)),
                  malloc(cap * sizeof(double)),
                  malloc(cap * sizeof(fx_vec3)),
                  malloc(cap * sizeof(double)),
                  en,
                  a,
                  b,
                  0};
    if (!pr.f || !pr.outer || !pr.x || !pr.phi) {
        free(pr.f), free(pr.outer), free(pr.x), free(pr.phi);
        return -1;
    }
    c->e = en;
    for (double h = h0; h <= h1 + 1e-9; h += o->slice_step_mm) {
        double rho = sqrt(fmax(0, R * R - h * h));
        fx_vec3 ch = fx_v3_add(d->centre_mm, fx_v3_scale(en, h));
        int n = (int)ceil(2 * M_PI * rho / o->trace_step_mm);
        pr.n = 0;
        pr.darc = 2 * M_PI * rho / n;
        pr.ch = ch, pr.rho = rho;
        /* a closed (axial) trace cut by the cup's rim starts after the rim */
        int start = 0, closed = plane == 0;
        for (int i = 0; i < n && plane == 0; i++)
            if (!trace_ok(d, ch, a, b, rho, 2 * M_PI * i / n, zc) &&
                trace_ok(d, ch, a, b, rho, 2 * M_PI * (i + 1) / n, zc)) {
                start = i + 1, closed = 0;
                break;
            }
        for (int t = start; t < start + n; t++) {
            double phi = 2 * M_PI * t / n;
            if (!trace_ok(d, ch, a, b, rho, phi, zc))
                continue;
            fx_vec3 dir = fx_v3_add(fx_v3_scale(a, cos(phi)), fx_v3_scale(b, sin(phi)));
            fx_vec3 x = fx_v3_add(ch, fx_v3_scale(dir, rho));
            pr.f[pr.n] = deficit(ct, x, e->bone_hu, o->soft_hu);
            pr.outer[pr.n] = outer_surface(ct, ch, dir, rho + 2.0, e->bone_hu, o->soft_hu);
            pr.phi[pr.n] = phi;
            pr.x[pr.n++] = x;
        }
        if (closed && pr.n > 2)
            profile_close(&pr);
        profile_events(c, &pr);
    }
    free(pr.f), free(pr.outer), free(pr.x), free(pr.phi);
    return 0;
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
    if (cap_build(ct, d, o->soft_hu, &m, e)) {
        free(m.pts);
        return fx_fail(err, FX_ENOMEM, "dome estimate: out of memory");
    }
    if (!(e->bone_hu - o->soft_hu > 100)) {
        free(m.pts);
        return fx_fail(err, FX_EINVAL,
                       "dome estimate: no bone at the dome (median %.0f HU): is the "
                       "acetabulum where it was given?",
                       e->bone_hu);
    }
    double skip = (ct->spacing[0] + ct->spacing[1] + ct->spacing[2]) / 3;
    for (int p = 0; p < 3 && rc == 0; p++) {
        plane_ctx c = {ct,        d,    e->bone_hu, o->soft_hu, &m, fx_v3(0, 0, 0),
                       o->fit_mm, skip, 0,          0,          0,  0};
        rc = plane_run(ct, d, o, &c, p, e);
        e->lines_seen[p] = c.seen;
        e->lines_hidden[p] = c.hidden;
        /* a cleft in the dome that no slice of this plane crosses: not visible */
        int unseen = c.seen == 0 && (c.hidden > 0 || m.n_pts >= 6);
        e->gap_mm[p] = unseen ? NAN : c.gap;
        e->step_mm[p] = unseen ? NAN : c.step;
    }
    free(m.pts);
    return rc ? fx_fail(err, FX_ENOMEM, "dome estimate: out of memory") : 0;
}
