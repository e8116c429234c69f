/*
 * screws.c - one actual screw from the post-op CT's metal, found with the
 * plan as a prior.
 *
 * The planned screw, mapped into the post-op scan, says where to look. The
 * axis is fitted to the metal by weighted principal axes: each voxel weighs
 * its metal coverage, (HU - bone) / (metal - bone) clamped to [0, 1], so that
 * partial-volume voxels on either side of the screw balance and the fitted
 * line runs through the screw's centre, not through the voxel grid. The fit
 * starts in a short wide cylinder near the entry (the entry moves little,
 * the direction up to ~12 degrees), then follows the screw outwards in a
 * narrower one, and ends with a narrow cylinder that excludes the plate and
 * the head (they lie before the entry) and the last millimetres before the tip.
 * Only voxels inside a cylinder around the current axis count, which trims
 * neighbouring screws and the plate away (a trimmed, re-weighted fit).
 *
 * The ends come from the HU profile along the fitted axis: the tip where it
 * falls half-way from the screw's plateau to the bone beyond (a flat end blurred
 * by the partial-volume ramp crosses half-way at the true end), the head's top
 * the same way backwards into the soft tissue over the plate. The entry, where
 * the shaft enters bone under the plate, is the head's top moved along the
 * axis by the head's height and the plate's thickness.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/audit.h"

typedef struct grid {
    fx_vec3 o, a, b, c; /* world = o + i a + j b + k c */
    double vox_mm3;
} grid;

static grid grid_of(const fx_volume *v)
{
    grid g;
    g.o = fx_v3(v->origin[0], v->origin[1], v->origin[2]);
    g.a = fx_v3_scale(fx_v3(v->dir[0], v->dir[3], v->dir[6]), v->spacing[0]);
    g.b = fx_v3_scale(fx_v3(v->dir[1], v->dir[4], v->dir[7]), v->spacing[1]);
    g.c = fx_v3_scale(fx_v3(v->dir[2], v->dir[5], v->dir[8]), v->spacing[2]);
    g.vox_mm3 = v->spacing[0] * v->spacing[1] * v->spacing[2];
    return g;
}

/* The segment of the axis p + t u, t in [t0, t1], and a radius around it. */
typedef struct cyl {
    fx_vec3 p, u;
    double t0, t1, r;
    double r_bg; /* local background radius for the weights; 0: the global level */
} cyl;

/* Index box of the voxels that may lie within the cylinder. */
static int cyl_box(const fx_volume *v, const cyl *c, int lo[3], int hi[3])
{
    fx_vec3 e[2] = {fx_v3_add(c->p, fx_v3_scale(c->u, c->t0)),
                    fx_v3_add(c->p, fx_v3_scale(c->u, c->t1))};
    for (int d = 0; d < 3; d++)
        lo[d] = v->dims[d], hi[d] = -1;
    for (int q = 0; q < 16; q++) {
        fx_vec3 w = fx_v3_add(e[q & 1], fx_v3((q & 2) ? c->r : -c->r, (q & 4) ? c->r : -c->r,
                                              (q & 8) ? c->r : -c->r));
        fx_vec3 ijk = fx_volume_world_to_index(v, w);
        double x[3] = {ijk.x, ijk.y, ijk.z};
        for (int d = 0; d < 3; d++) {
            int f = (int)floor(x[d]), g = (int)ceil(x[d]);
            lo[d] = f < lo[d] ? f : lo[d];
            hi[d] = g > hi[d] ? g : hi[d];
        }
    }
    for (int d = 0; d < 3; d++) {
        lo[d] = lo[d] < 0 ? 0 : lo[d];
        hi[d] = hi[d] >= v->dims[d] ? v->dims[d] - 1 : hi[d];
        if (lo[d] > hi[d])
            return 0;
    }
    return 1;
}

/* Weighted moments of the voxels in a cylinder: coverage weights between the
 * bone level `bg` and the metal level `metal`. */
typedef struct moments {
    double w, m[3], s[6]; /* sum of weights, weighted sums of x and x x^T (centred on p) */
} moments;

typedef void (*voxel_fn)(void *ctx, fx_vec3 rel, double t, double rho, double hu);

static void cyl_visit(const fx_volume *v, const grid *g, const cyl *c, voxel_fn fn, void *ctx)
{
    int lo[3], hi[3];
    const int16_t *d = v->data;
    if (!cyl_box(v, c, lo, hi))
        return;
    for (int k = lo[2]; k <= hi[2]; k++)
        for (int j = lo[1]; j <= hi[1]; j++)
            for (int i = lo[0]; i <= hi[0]; i++) {
                fx_vec3 x = fx_v3_add(
                    g->o, fx_v3_add(fx_v3_scale(g->a, i),
                                    fx_v3_add(fx_v3_scale(g->b, j), fx_v3_scale(g->c, k))));
                fx_vec3 rel = fx_v3_sub(x, c->p);
                double t = fx_v3_dot(rel, c->u);
                if (t < c->t0 || t > c->t1)
                    continue;
                double rho = fx_v3_norm(fx_v3_sub(rel, fx_v3_scale(c->u, t)));
                if (rho > c->r)
                    continue;
                size_t idx = (size_t)i + (size_t)v->dims[0] * ((size_t)j + (size_t)v->dims[1] * k);
                fn(ctx, rel, t, rho, d[idx]);
            }
}

struct wctx {
    moments mo;
    double bg, metal, rho2;
    const fx_volume *v;
    fx_vec3 p, u;
    double r_bg; /* where the local background is sampled; 0: use bg */
};

/* The background at a voxel: the HU just outside the screw's partial-volume
 * zone, at the voxel's own azimuth and depth (cortex on one side and
 * cancellous bone on the other then weigh alike). */
static double local_bg(const struct wctx *c, fx_vec3 rel, double t, double rho)
{
    if (c->r_bg <= 0 || rho < 1e-3)
        return c->bg;
    fx_vec3 radial = fx_v3_scale(fx_v3_sub(rel, fx_v3_scale(c->u, t)), 1.0 / rho);
    fx_vec3 x = fx_v3_add(c->p, fx_v3_add(fx_v3_scale(c->u, t), fx_v3_scale(radial, c->r_bg)));
    double b = fx_volume_sample(c->v, fx_volume_world_to_index(c->v, x), c->bg);
    return b < c->metal - 200 ? b : c->bg;
}

static void add_moment(void *ctx, fx_vec3 rel, double t, double rho, double hu)
{
    struct wctx *c = ctx;
    double lb = local_bg(c, rel, t, rho);
    double w = (hu - lb) / (c->metal - lb);
    if (w <= 0)
        return;
    w = w > 1 ? 1 : w;
    double x[3] = {rel.x, rel.y, rel.z};
    c->mo.w += w;
    c->rho2 += w * rho * rho;
    for (int a = 0, q = 0; a < 3; a++) {
        c->mo.m[a] += w * x[a];
        for (int b = a; b < 3; b++)
            c->mo.s[q++] += w * x[a] * x[b];
    }
}

/* Principal eigenvector of a symmetric 3x3 matrix (power iteration from a
 * start close to it: the screw is long, so the gap to the next is large). */
static fx_vec3 principal(const double s[6], fx_vec3 start)
{
    fx_vec3 e = start;
    for (int it = 0; it < 200; it++) {
        fx_vec3 n =
            fx_v3(s[0] * e.x + s[1] * e.y + s[2] * e.z, s[1] * e.x + s[3] * e.y + s[4] * e.z,
                  s[2] * e.x + s[4] * e.y + s[5] * e.z);
        n = fx_v3_unit(n);
        if (fx_v3_norm(n) == 0)
            return start;
        if (fx_v3_dot(n, e) < 0)
            n = fx_v3_scale(n, -1);
        double moved = fx_v3_dist(n, e);
        e = n;
        if (moved < 1e-13)
            break;
    }
    return e;
}

/* One weighted fit in cylinder *c; the axis moves to the fitted line (its t
 * origin projected onto it). Returns the sum of weights in mm^3. */
static double fit_once(const fx_volume *v, const grid *g, cyl *c, double bg, double metal,
                       double *rms)
{
    struct wctx w;
    memset(&w, 0, sizeof(w));
    w.bg = bg;
    w.metal = metal;
    w.v = v;
    w.p = c->p;
    w.u = c->u;
    w.r_bg = c->r_bg;
    cyl_visit(v, g, c, add_moment, &w);
    if (w.mo.w <= 0)
        return 0;
    double m[3], s[6];
    for (int a = 0; a < 3; a++)
        m[a] = w.mo.m[a] / w.mo.w;
    for (int a = 0, q = 0; a < 3; a++)
        for (int b = a; b < 3; b++, q++)
            s[q] = w.mo.s[q] / w.mo.w - m[a] * m[b];
    fx_vec3 cen = fx_v3_add(c->p, fx_v3(m[0], m[1], m[2]));
    fx_vec3 u = principal(s, c->u);
    /* keep the t origin: the old origin projected onto the new line */
    c->p = fx_v3_add(cen, fx_v3_scale(u, fx_v3_dot(fx_v3_sub(c->p, cen), u)));
    c->u = u;
    if (rms)
        *rms = sqrt(w.rho2 / w.mo.w);
    return w.mo.w * g->vox_mm3;
}

/* Fit until the axis moves less than 0.005 mm over the cylinder's length. */
static double fit_converge(const fx_volume *v, const grid *g, cyl *c, double bg, double metal,
                           int max_it, double *rms)
{
    double sum = 0;
    for (int it = 0; it < max_it; it++) {
        fx_vec3 p0 = c->p, u0 = c->u;
        sum = fit_once(v, g, c, bg, metal, rms);
        if (sum <= 0)
            break;
        double moved = fx_v3_dist(p0, c->p) + fx_v3_dist(u0, c->u) * (c->t1 - c->t0);
        if (moved < 0.005)
            break;
    }
    return sum;
}

/* ---- levels -------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Quantile q in [0, 1] of x[0..n) (sorted in place); NAN for n = 0. */
static double quantile(double *x, size_t n, double q)
{
    if (!n)
        return NAN;
    qsort(x, n, sizeof(*x), cmp_double);
    return x[(size_t)(q * (double)(n - 1) + 0.5)];
}

struct collect {
    double *x;
    size_t n, cap;
    double rmin, below; /* keep voxels with rho >= rmin and HU < below */
};

static void collect_hu(void *ctx, fx_vec3 rel, double t, double rho, double hu)
{
    struct collect *c = ctx;
    (void)rel;
    (void)t;
    if (rho < c->rmin || hu >= c->below || c->n == c->cap)
        return;
    c->x[c->n++] = hu;
}

/* Quantile of the HU of the voxels in a cylinder (rho >= rmin, HU < below). */
static int cyl_quantile(const fx_volume *v, const grid *g, const cyl *c, double rmin, double below,
                        double q, double *out, fx_error *err)
{
    struct collect col = {NULL, 0, 200000, rmin, below};
    col.x = malloc(col.cap * sizeof(double));
    if (!col.x)
        return fx_fail(err, FX_ENOMEM, "cannot allocate a screw's voxel sample");
    cyl_visit(v, g, c, collect_hu, &col);
    *out = quantile(col.x, col.n, q);
    free(col.x);
    return FX_OK;
}

/* ---- ends ---------------------------------------------------------------- */

#define PROF_STEP 0.05

typedef struct profile {
    double *hu;
    double t0; /* t of hu[0] */
    size_t n;
} profile;

static double prof_t(const profile *p, size_t i)
{
    return p->t0 + PROF_STEP * (double)i;
}

static size_t prof_i(const profile *p, double t)
{
    double x = (t - p->t0) / PROF_STEP;
    if (x < 0)
        return 0;
    return x > (double)(p->n - 1) ? p->n - 1 : (size_t)(x + 0.5);
}

static double prof_median(const profile *p, double ta, double tb)
{
    size_t a = prof_i(p, ta), b = prof_i(p, tb), n = b >= a ? b - a + 1 : 0;
    double buf[4096];
    if (n > 4096)
        n = 4096;
    memcpy(buf, p->hu + a, n * sizeof(double));
    return quantile(buf, n, 0.5);
}

/* Where the profile, from index `from` (or the last sample at or above `half`
 * before it), first falls below `half` going in direction `step` (+1 or -1);
 * linear interpolation between samples. */
static double crossing(const profile *p, size_t from, int step, double half)
{
    size_t i = from;
    /* a start already below half (a plateau dimmed before the tip): back to
     * the last sample at or above it, or the interpolation below runs off
     * (small seed 127 P05 screw 6: the start 1 HU below the next sample and
     * 245 HU below half put the tip 12 mm back, 5.2 mm short in the end) */
    while (p->hu[i] < half && !((step > 0 && i == 0) || (step < 0 && i + 1 >= p->n)))
        i = step > 0 ? i - 1 : i + 1;
    if (p->hu[i] < half)
        return prof_t(p, from);
    while (1) {
        size_t j = step > 0 ? i + 1 : i - 1;
        if ((step > 0 && i + 1 >= p->n) || (step < 0 && i == 0))
            return prof_t(p, i);
        if (p->hu[j] < half) {
            double f = (p->hu[i] - half) / (p->hu[i] - p->hu[j]);
            return prof_t(p, i) + step * f * PROF_STEP;
        }
        i = j;
    }
}

/* Last index reached from `from` in direction `step` over samples >= thr,
 * bridging dips shorter than `gap_mm` (streaks). */
static size_t run_end(const profile *p, size_t from, int step, double thr, double gap_mm)
{
    size_t last = from, i = from;
    while ((step > 0 && i + 1 < p->n) || (step < 0 && i > 0)) {
        i = step > 0 ? i + 1 : i - 1;
        if (p->hu[i] >= thr)
            last = i;
        else if (fabs(prof_t(p, i) - prof_t(p, last)) > gap_mm)
            break;
    }
    return last;
}

/* HU at point k of 12 on the ring of radius r_mm about x, in the plane that
 * a and b (unit, normal to the axis and to each other) span. */
static double ring_hu(const fx_volume *v, fx_vec3 x, fx_vec3 a, fx_vec3 b, double r_mm, int k)
{
    fx_vec3 y = fx_v3_add(x, fx_v3_add(fx_v3_scale(a, r_mm * cos(k * M_PI / 6)),
                                       fx_v3_scale(b, r_mm * sin(k * M_PI / 6))));
    return fx_volume_sample(v, fx_volume_world_to_index(v, y), -1000);
}

/* Metal on a ring of radius r_mm about the axis at depth t: a quarter of 12
 * points at or above thr (a plate or another screw across the line; around
 * a shaft lies tissue). */
static int ring_has_metal(const fx_volume *v, const cyl *c, fx_vec3 a, fx_vec3 b, double t,
                          double r_mm, double thr)
{
    fx_vec3 x = fx_v3_add(c->p, fx_v3_scale(c->u, t));
    int m = 0;
    for (int k = 0; k < 12; k++)
        m += ring_hu(v, x, a, b, r_mm, k) >= thr;
    return m >= 3;
}

/* The run to the tip: as run_end, but the metal after a dip must be the
 * shaft's: where it is wider than the shaft (metal on the ring r_mm out), it
 * is another implant beyond the tip, and the run ends before the dip (small
 * seed 7 P01 screw 8: the other plate 3.3 mm past the tip, across the axis;
 * a 1 mm dip of cortex between, bridged as a streak, put the tip 5.7 mm out). */
static size_t run_to_tip(const fx_volume *v, const cyl *c, fx_vec3 a, fx_vec3 b, const profile *p,
                         size_t from, double thr, double gap_mm, double r_mm, size_t *other)
{
    size_t last = from, i = from;
    *other = 0;
    while (i + 1 < p->n) {
        i++;
        if (p->hu[i] >= thr) {
            if (i > last + 1 && ring_has_metal(v, c, a, b, prof_t(p, i), r_mm, thr)) {
                *other = i;
                break;
            }
            last = i;
        } else if (prof_t(p, i) - prof_t(p, last) > gap_mm)
            break;
    }
    return last;
}

/* Metal on the ring r_mm out within a voxel after sample i, while the axis
 * stays at or above `level`: the ring meets a plate across the line up to the
 * ramp's width after the axis does. */
static int wide_after(const fx_volume *v, const cyl *c, fx_vec3 a, fx_vec3 b, const profile *p,
                      size_t i, size_t last, double level, double r_mm, double thr)
{
    double vox = fmax(v->spacing[0], fmax(v->spacing[1], v->spacing[2]));
    for (size_t j = i; j <= last && p->hu[j] >= level && prof_t(p, j) - prof_t(p, i) <= vox; j++)
        if (ring_has_metal(v, c, a, b, prof_t(p, j), r_mm, thr))
            return 1;
    return 0;
}

/* A shallow dip before wider metal: where the tip ends in a far cortex with
 * another plate on the bone just beyond it, the cortex between is too thin
 * at 2 mm voxels to fall below thr, and the run went on through the plate
 * (small seed 89 P05 screw 8: 4.7 mm long; on its axis the cortex between
 * dipped to 1566 HU, with the shaft at 2450 and thr about 1500). A stretch
 * below `shallow` followed by metal that is wider than the shaft is such a
 * dip; a streak's dip is followed by the shaft itself (no metal on the
 * ring). Returns the last sample before the dip and sets *other to the first
 * sample of the metal after it; `last` and *other = 0 where there is none. */
static size_t shallow_dip(const fx_volume *v, const cyl *c, fx_vec3 a, fx_vec3 b, const profile *p,
                          size_t from, size_t last, double shallow, double r_mm, double thr,
                          size_t *other)
{
    size_t high = from;
    *other = 0;
    for (size_t i = from + 1; i <= last; i++) {
        if (p->hu[i] < shallow)
            continue;
        if (i > high + 1 && wide_after(v, c, a, b, p, i, last, shallow, r_mm, thr)) {
            *other = i;
            return high;
        }
        high = i;
    }
    return last;
}

/* Tip and head's top along the axis c (t values), from the HU profile. */
/* Where the run back to the head's top starts: at the metal sample nearest
 * to t_mid within 2 mm (on the axis the middle of the plate and head, on the
 * head's ring the head's middle); the shaft's own start when there is none
 * (the shaft where it crosses the cortex and the plate's hole can look dim). */
static size_t head_start(const profile *p, size_t start, double thr, double t_mid)
{
    size_t mid = prof_i(p, t_mid), best = start;
    double bd = INFINITY;
    for (size_t i = prof_i(p, t_mid - 2); i <= prof_i(p, t_mid + 2); i++)
        if (p->hu[i] >= thr && fabs((double)i - (double)mid) < bd) {
            bd = fabs((double)i - (double)mid);
            best = i;
        }
    return best;
}

#define HEAD_WINDOW_MM 2.5
#define TIP_WINDOW_MM 12.0
#define BEYOND_VOX 1.0 /* the level beyond a tip: from this many voxels past its metal */
#define SHALLOW_FRAC 0.35 /* a shallow dip: below thr + this share of the shaft's level over thr */

/* The screw's cross-section for the head: the radii of its shaft and head. */
typedef struct ends_geom {
    double length_mm, head_mm; /* planned length; head height + plate thickness */
    double head_h_mm;          /* the head's height */
    double shaft_r_mm, head_r_mm;
} ends_geom;

/* The head's profile: per sample before the entry, the HU a quarter of the
 * way up the ring half-way between the shaft's and the head's radius (12
 * points). On the head the whole ring is metal; past its top a plate beside
 * it (bent up along the screw, or the head sunk into it on one side) covers
 * only part of the ring, while it carries the on-axis profile on (clinical
 * seed 19 P01 screw 12: a head's top 1.5-2.5 mm too far). A plate all round
 * keeps the ring metal: the window below then keeps the plan's depth. The
 * ring stays clear of both partial-volume zones only when the head is a voxel
 * wider than the shaft; otherwise, and where the ring sees no head at all, 0
 * is returned and the on-axis profile is used. */
static int head_ring(const fx_volume *v, const cyl *c, fx_vec3 a, fx_vec3 b, const ends_geom *eg,
                     const profile *axis, double thr, profile *ring)
{
    double vox = fmax(v->spacing[0], fmax(v->spacing[1], v->spacing[2]));
    double r = 0.5 * (eg->shaft_r_mm + eg->head_r_mm), s[12];
    if (eg->head_r_mm - eg->shaft_r_mm < vox)
        return 0;
    ring->t0 = axis->t0;
    ring->n = axis->n;
    memcpy(ring->hu, axis->hu, axis->n * sizeof(double));
    for (size_t i = 0; i < axis->n && prof_t(axis, i) <= 0; i++) {
        fx_vec3 x = fx_v3_add(c->p, fx_v3_scale(c->u, prof_t(axis, i)));
        for (int k = 0; k < 12; k++)
            s[k] = ring_hu(v, x, a, b, r, k);
        ring->hu[i] = quantile(s, 12, 0.25);
    }
    return ring->hu[prof_i(ring, 0.5 * eg->head_h_mm - eg->head_mm)] >= thr;
}

/* The on-axis profile: the brightest of the axis and six points half a voxel
 * around it (a, b span the plane normal to the axis): an axis a fraction of
 * a voxel off the screw's centre still sees its plateau. */
static void axis_profile(const fx_volume *v, const cyl *c, fx_vec3 a, fx_vec3 b, profile *p)
{
    fx_vec3 off[7] = {{0, 0, 0}};
    double rad = 0.5 * fmax(v->spacing[0], fmax(v->spacing[1], v->spacing[2]));
    for (int k = 1; k < 7; k++)
        off[k] = fx_v3_add(fx_v3_scale(a, rad * cos(k * M_PI / 3)),
                           fx_v3_scale(b, rad * sin(k * M_PI / 3)));
    for (size_t i = 0; i < p->n; i++) {
        fx_vec3 x = fx_v3_add(c->p, fx_v3_scale(c->u, prof_t(p, i)));
        p->hu[i] = -1e9;
        for (int k = 0; k < 7; k++)
            p->hu[i] =
                fmax(p->hu[i],
                     fx_volume_sample(v, fx_volume_world_to_index(v, fx_v3_add(x, off[k])), -1000));
    }
}

/* The head's top on profile hp, from tp, the last metal sample going out:
 * half-way between the head's plateau and the soft tissue beyond. */
static double head_top(const profile *hp, double tp, double head_mm, int *from_plan)
{
    double plat_h = prof_median(hp, tp + 0.5, tp + 2.0);
    double soft = prof_median(hp, tp - 5, tp - 2.5);
    double t = crossing(hp, prof_i(hp, tp + 1.0), -1, 0.5 * (plat_h + soft));
    /* a screw running along the plate sees metal far beyond its head: the
     * head cannot be told from the plate, and the plan's depth is kept */
    if (t < -head_mm - HEAD_WINDOW_MM) {
        t = -head_mm;
        *from_plan |= 1;
    }
    return t;
}

/* The tissue at the tip where it falls off beyond it: a tip in or just
 * under the far cortex's outer surface has cortex about it and soft tissue a
 * millimetre or two out, and at 2 mm voxels the fall overlaps the metal's
 * own ramp. The level a voxel past the tip then lies well below the tissue
 * at the tip, and the half-way crossing went 1-1.5 mm long (small seeds 1
 * P05 screw 8, 53 P02 screw 1, 107 P01 screw 7). Where the profile falls
 * on over the next millimetre, the level is taken back to the tip along
 * that slope, but never above the tissue about the tip: the upper quartile
 * of a ring a voxel out from the shaft, over a millimetre about the last
 * metal sample (a tip out of the bone has soft tissue about it, and the
 * fall beyond it is the tail of its own ramp, not the tissue's). */
static double tissue_at_tip(const fx_volume *v, const cyl *c, fx_vec3 a, fx_vec3 b,
                            const ends_geom *eg, const profile *p, double tt, double b0,
                            double beyond, double thr)
{
    double next = prof_median(p, tt + b0 + 1.0, tt + b0 + 2.0);
    if (!(beyond > next))
        return beyond;
    double vox = fmax(v->spacing[0], fmax(v->spacing[1], v->spacing[2]));
    double r = eg->shaft_r_mm + vox, s[36];
    size_t n = 0;
    for (int q = -1; q <= 1; q++) {
        fx_vec3 x = fx_v3_add(c->p, fx_v3_scale(c->u, tt + 0.5 * q));
        for (int k = 0; k < 12; k++) {
            double h = ring_hu(v, x, a, b, r, k);
            if (h < thr)
                s[n++] = h;
        }
    }
    if (n < 12)
        return beyond;
    double about = quantile(s, n, 0.75);
    double back = beyond + (beyond - next) * (b0 + 0.5);
    return fmax(beyond, fmin(back, about));
}

static int find_ends(const fx_volume *v, const cyl *c, double thr, const ends_geom *eg,
                     double *t_top, double *t_tip, int *from_plan, fx_error *err)
{
    profile p, ring;
    double length_mm = eg->length_mm, head_mm = eg->head_mm;
    *from_plan = 0;
    p.t0 = -20;
    p.n = (size_t)((length_mm + 50) / PROF_STEP);
    p.hu = calloc(p.n, sizeof(double));
    ring.hu = calloc(p.n, sizeof(double));
    if (!p.hu || !ring.hu) {
        free(p.hu);
        free(ring.hu);
        return fx_fail(err, FX_ENOMEM, "cannot allocate a screw's profile");
    }
    fx_vec3 a = fx_v3_unit(fx_v3_cross(c->u, fabs(c->u.x) < 0.9 ? fx_v3(1, 0, 0) : fx_v3(0, 1, 0)));
    fx_vec3 b = fx_v3_cross(c->u, a);
    axis_profile(v, c, a, b, &p);
    size_t start = prof_i(&p, 5);
    if (p.hu[start] < thr) /* the shaft 5 mm in must be metal; search 0..10 mm */
        for (size_t i = prof_i(&p, 0); i <= prof_i(&p, 10); i++)
            if (p.hu[i] >= thr) {
                start = i;
                break;
            }
    /* the tip: streaks can dim a stretch of the shaft, so the run to the tip
     * starts where the plan puts the tip, 12 mm short of it, at the first metal */
    size_t from = prof_i(&p, fmax(prof_t(&p, start), length_mm - 12));
    while (from + 1 < p.n && p.hu[from] < thr && prof_t(&p, from) < length_mm + 12)
        from++;
    if (p.hu[from] < thr)
        from = start;
    /* streaks dim the shaft over about a voxel: bridge dips up to a voxel long */
    double gap_mm = fmax(1.0, fmax(v->spacing[0], fmax(v->spacing[1], v->spacing[2])));
    int on_ring = head_ring(v, c, a, b, eg, &p, thr, &ring);
    const profile *hp = on_ring ? &ring : &p;
    double t_mid = on_ring ? 0.5 * eg->head_h_mm - head_mm : -0.5 * head_mm;
    double vox = fmax(v->spacing[0], fmax(v->spacing[1], v->spacing[2]));
    double ring_r = eg->shaft_r_mm + 1.5 * vox;
    size_t other, tip = run_to_tip(v, c, a, b, &p, from, thr, gap_mm, ring_r, &other),
                  top = run_end(hp, head_start(hp, start, thr, t_mid), -1, thr, 1.0);
    if (!other) {
        /* the shaft's level over 6 mm either side of `from`: past it alone
         * lies the tip's own ramp where the screw is shorter than planned
         * (small seed 101 P10 screw 5, 10 mm short, with the phantom's bone
         * under the metal: a level of 2180 for a shaft of 2800 hid the dip
         * to the other plate, and the tip went 8.7 mm out) */
        double shaft = prof_median(&p, fmax(prof_t(&p, start), prof_t(&p, from) - 6),
                                   prof_t(&p, from) + 6);
        tip = shallow_dip(v, c, a, b, &p, from, tip, thr + SHALLOW_FRAC * (shaft - thr), ring_r,
                          thr, &other);
    }
    double tt = prof_t(&p, tip), tp = prof_t(hp, top);
    double plat = prof_median(&p, fmax(tt - 6, prof_t(&p, from)), tt - 1.0);
    /* what lies beyond the tip, just past its partial-volume zone: a tip in
     * the far cortex has cortex there, and soft tissue only a millimetre or
     * two further out. The zone ends a voxel and a half past the tip (the
     * ramp's half voxel, then a voxel of interpolation), and tt, the last
     * sample above thr, already lies within it: the level is taken from a
     * voxel past tt. From 1.5 voxels past tt it fell past the 3 mm cortex at
     * 2 mm voxels into the soft tissue and made tips long (small seed 1 P09
     * screw 4: 1.05 mm after refinement; docs/audit.md, "The level beyond
     * the tip and metal past a dip"). */
    double b0 = BEYOND_VOX * fmax(v->spacing[0], fmax(v->spacing[1], v->spacing[2]));
    double beyond = prof_median(&p, tt + b0, tt + b0 + 1.0);
    if (!other)
        beyond = tissue_at_tip(v, c, a, b, eg, &p, tt, b0, beyond, thr);
    /* another implant close beyond the tip: its partial volume reaches the
     * window; the tissue between is where the dip is deepest */
    for (size_t i = tip + 1; other && i < other; i++)
        beyond = fmin(beyond, p.hu[i]);
    *t_tip = crossing(&p, prof_i(&p, tt - 1.0), +1, 0.5 * (plat + beyond));
    /* metal running on far past the planned tip is another implant on the
     * same line: the tip cannot be told, and the planned length is kept */
    if (*t_tip > length_mm + TIP_WINDOW_MM) {
        *t_tip = length_mm;
        *from_plan |= 2;
    }
    *t_top = head_top(hp, tp, head_mm, from_plan);
    free(p.hu);
    free(ring.hu);
    return FX_OK;
}

/* ---- the search ------------------------------------------------------------ */

/* Inside a masked screw's metal: its shaft (entry to tip) and its head
 * (head_mm before the entry, the head's radius), each widened by half a voxel
 * of partial volume. */
static int in_mask(const fx_audit_mask *m, fx_vec3 x)
{
    if (!m)
        return 0;
    fx_vec3 rel = fx_v3_sub(x, m->screw->entry);
    double t = fx_v3_dot(rel, m->screw->dir);
    double rho = fx_v3_norm(fx_v3_sub(rel, fx_v3_scale(m->screw->dir, t)));
    if (t >= 0 && t <= m->screw->length_mm + m->pv_mm)
        return rho <= m->shaft_r_mm + m->pv_mm;
    return t < 0 && t >= -m->head_mm - m->pv_mm && rho <= m->head_r_mm + m->pv_mm;
}

/* Mean metal coverage along the ray e + t d, t in [t0, t1], every 1 mm; a
 * masked screw's metal counts as none. */
static double ray_score(const fx_volume *v, fx_vec3 e, fx_vec3 d, double t0, double t1, double bg,
                        double metal, const fx_audit_mask *m)
{
    double s = 0;
    int n = 0;
    for (double t = t0; t <= t1; t += 1.0, n++) {
        fx_vec3 x = fx_v3_add(e, fx_v3_scale(d, t));
        if (in_mask(m, x))
            continue;
        double w = (fx_volume_sample(v, fx_volume_world_to_index(v, x), bg) - bg) / (metal - bg);
        s += w < 0 ? 0 : w > 1 ? 1 : w;
    }
    return n ? s / n : 0;
}

/* The best ray: start points within SEARCH_OFF_MM of the planned entry (in the
 * plane normal to the planned axis), directions within SEARCH_CONE_DEG of it;
 * a coarse grid (1.5 mm, 1 degree), then a fine one around the best (0.25 mm,
 * 0.25 degree). Rays run from 6 mm (past the plate) to t1. c->p and c->u
 * become the best ray; returns its mean coverage (0..1). */
static void grid_search(const fx_volume *v, fx_vec3 e, fx_vec3 u, fx_vec3 a, fx_vec3 b,
                        double off_mm, double off_step, double tilt, double tilt_step, double t1,
                        double bg, double metal, const fx_audit_mask *m, fx_vec3 *be, fx_vec3 *bu,
                        double *best)
{
    int no = (int)floor(off_mm / off_step + 1e-9), nt = (int)floor(tilt / tilt_step + 1e-9);
    for (int oi = -no; oi <= no; oi++)
        for (int oj = -no; oj <= no; oj++) {
            if (hypot(oi, oj) * off_step > off_mm + 1e-9)
                continue;
            fx_vec3 s = fx_v3_add(
                e, fx_v3_add(fx_v3_scale(a, oi * off_step), fx_v3_scale(b, oj * off_step)));
            for (int ti = -nt; ti <= nt; ti++)
                for (int tj = -nt; tj <= nt; tj++) {
                    if (hypot(ti, tj) * tilt_step > tilt + 1e-9)
                        continue;
                    fx_vec3 d =
                        fx_v3_unit(fx_v3_add(u, fx_v3_add(fx_v3_scale(a, tan(ti * tilt_step)),
                                                          fx_v3_scale(b, tan(tj * tilt_step)))));
                    double sc = ray_score(v, s, d, 6.0, t1, bg, metal, m);
                    if (sc > *best) {
                        *best = sc;
                        *be = s;
                        *bu = d;
                    }
                }
        }
}

static double search_axis(const fx_volume *v, cyl *c, double t1, double bg, double metal,
                          const fx_audit_opts *o, const fx_audit_mask *m)
{
    fx_vec3 u = c->u,
            a = fx_v3_unit(fx_v3_cross(u, fabs(u.x) < 0.9 ? fx_v3(1, 0, 0) : fx_v3(0, 1, 0)));
    fx_vec3 b = fx_v3_cross(u, a), be = c->p, bu = u;
    double best = -1, deg = M_PI / 180;
    grid_search(v, c->p, u, a, b, o->offset_mm, 1.5, o->cone_deg * deg, 1.0 * deg, t1, bg, metal, m,
                &be, &bu, &best);
    fx_vec3 e0 = be, u0 = bu;
    a = fx_v3_unit(fx_v3_cross(u0, fabs(u0.x) < 0.9 ? fx_v3(1, 0, 0) : fx_v3(0, 1, 0)));
    b = fx_v3_cross(u0, a);
    grid_search(v, e0, u0, a, b, 1.0, 0.25, 1.0 * deg, 0.25 * deg, t1, bg, metal, m, &be, &bu,
                &best);
    c->p = be;
    c->u = bu;
    return best;
}

/* Levels for the weights: bone = median of the cylinder's non-metal voxels
 * (when bg is not NULL), metal = 90th percentile of the voxels within 1.5 mm
 * of the axis. */
static int levels(const fx_volume *v, const grid *g, const cyl *c, const fx_audit_opts *o,
                  double *bg, double *metal, fx_error *err)
{
    cyl in = *c;
    int rc = bg ? cyl_quantile(v, g, c, 0, o->metal_hu, 0.5, bg, err) : FX_OK;
    if (rc)
        return rc;
    in.r = 1.5;
    if ((rc = cyl_quantile(v, g, &in, 0, INFINITY, 0.9, metal, err)))
        return rc;
    if (bg && isnan(*bg))
        *bg = 300;
    if (isnan(*metal) || *metal < o->metal_hu)
        *metal = o->metal_hu + 400;
    return FX_OK;
}

/* Share of the fitted axis, from 6 mm past the entry to the tip every 0.5 mm,
 * where the HU reaches thr. A screw is metal nearly all along (streaks dim
 * a little of it: >= 0.87 on the phantoms at both sizes); a line that a
 * search strung through the plate and pieces of other screws is not (0.32
 * for a planned screw not placed of clinical seed 19 P03, which was
 * "found" with a ray fill of 0.52). */
#define AXIS_METAL_MIN 0.6

/* The level the axis must reach. Half-way between the bone and the metal
 * level, but at voxels of 1 mm or finer the metal itself: there a 3.5 mm
 * shaft's axis is whole metal, while a resolved cortex can pass half-way
 * (clinical seed 131 P03: a planned screw not placed, "found" for 44.6 mm
 * along a cortex wall of ~1750 HU between the plate and another implant,
 * with half-way at 1635 HU). At 2 mm voxels the axis of a real screw falls
 * to 2000-3000 HU with the lattice, and the blurred cortex stays below
 * half-way. */
static double axis_level(double vox_mm, double thr, const fx_audit_opts *o)
{
    return vox_mm <= FX_AUDIT_ACCURACY_VOXEL_MM ? fmax(thr, o->metal_hu) : thr;
}

static double axis_metal(const fx_volume *hu, const fx_audit_screw *a, double thr)
{
    int n = 0, m = 0;
    for (double t = 6; t <= a->length_mm; t += 0.5, n++) {
        fx_vec3 x = fx_v3_add(a->entry, fx_v3_scale(a->dir, t));
        m += fx_volume_sample(hu, fx_volume_world_to_index(hu, x), -1000) >= thr;
    }
    return n ? (double)m / n : 0;
}

/* Share of a ring around the shaft, one voxel (at least 1 mm) beyond its
 * surface, that is metal: from 6 mm past the entry (clear of the head and
 * plate) to 2 mm before the tip, every 1 mm, 12 points each. Around a screw
 * lies bone (another screw crossing or a tip beside another covers a few
 * millimetres of it); along a thick implant the ring is metal all round
 * (the hip implant of the real CT example_ct.nii.gz: two of six screws
 * planned through it were "found" there, four more candidates matched none,
 * and the implant was no longer reported as unplanned metal). */
#define RING_METAL_MAX 0.5

static double ring_metal(const fx_volume *hu, const fx_audit_screw *a, double r_mm, double thr)
{
    fx_vec3 u = a->dir,
            e1 = fx_v3_unit(fx_v3_cross(u, fabs(u.x) < 0.9 ? fx_v3(1, 0, 0) : fx_v3(0, 1, 0)));
    fx_vec3 e2 = fx_v3_cross(u, e1);
    int n = 0, m = 0;
    for (double t = 6; t <= a->length_mm - 2; t += 1.0) {
        fx_vec3 x = fx_v3_add(a->entry, fx_v3_scale(u, t));
        for (int k = 0; k < 12; k++, n++)
            m += ring_hu(hu, x, e1, e2, r_mm, k) >= thr;
    }
    return n ? (double)m / n : 0;
}

int fx_audit_find_screw(const fx_volume *hu, fx_vec3 entry, fx_vec3 dir, double length_mm,
                        double diameter_mm, double plate_mm, const fx_audit_opts *o,
                        fx_audit_screw *out, int *found, fx_error *err)
{
    return fx_audit_find_screw_masked(hu, entry, dir, length_mm, diameter_mm, plate_mm, NULL, o,
                                      out, found, err);
}

int fx_audit_find_screw_masked(const fx_volume *hu, fx_vec3 entry, fx_vec3 dir, double length_mm,
                               double diameter_mm, double plate_mm, const fx_audit_mask *mask,
                               const fx_audit_opts *o, fx_audit_screw *out, int *found,
                               fx_error *err)
{
    grid g = grid_of(hu);
    cyl c = {entry, fx_v3_unit(dir), 3.0, fmin(20.0, length_mm), o->capture_mm, 0};
    double bg, metal, rms = 0, t_top, t_tip;
    /* the fit reaches fit_mm beyond the partial-volume zone; the background
     * is sampled one voxel further out */
    double vox = fmax(hu->spacing[0], fmax(hu->spacing[1], hu->spacing[2]));
    double fit_r = 0.5 * diameter_mm + 0.5 * vox + o->fit_mm;
    ends_geom eg = {length_mm, o->head_height_mm + plate_mm, o->head_height_mm, 0.5 * diameter_mm,
                    0.5 * o->head_diameter_mm};
    int rc;

    *found = 0;
    if (hu->type != FX_VOX_I16)
        return fx_fail(err, FX_EINVAL, "screw search needs a HU volume (int16)");
    if ((rc = levels(hu, &g, &c, o, &bg, &metal, err)))
        return rc;
    /* the ray along the screw; reject when too little metal lies on it */
    double L1 = length_mm + 4;
    out->fill = search_axis(hu, &c, L1, bg, o->metal_hu + 500, o, mask);
    if (out->fill < o->min_fill)
        return FX_OK;
    c.t0 = 6;
    c.t1 = L1;
    c.r = fit_r;
    c.r_bg = fit_r + vox;
    if ((rc = levels(hu, &g, &c, o, NULL, &metal, err)))
        return rc;
    fit_converge(hu, &g, &c, bg, metal, 30, NULL);
    double thr = fmin(o->metal_hu, 0.5 * (bg + metal));
    /* final: narrow, over the shaft in bone only; twice, the ends refined */
    for (int pass = 0; pass < 2; pass++) {
        if ((rc = find_ends(hu, &c, thr, &eg, &t_top, &t_tip, &out->from_plan, err)))
            return rc;
        double t_entry = t_top + o->head_height_mm + plate_mm;
        if (t_tip - t_entry < 8)
            return FX_OK;
        if (t_tip - t_entry < 0.5 * length_mm)
            break; /* ends doubtful: keep the fit over the planned length */
        c.t0 = t_entry + 4;
        c.t1 = t_tip - 3;
        c.r = fit_r;
        fit_converge(hu, &g, &c, bg, metal, 30, &rms);
    }
    if ((rc = find_ends(hu, &c, thr, &eg, &t_top, &t_tip, &out->from_plan, err)))
        return rc;
    double t_entry = t_top + o->head_height_mm + plate_mm;
    out->entry = fx_v3_add(c.p, fx_v3_scale(c.u, t_entry));
    out->tip = fx_v3_add(c.p, fx_v3_scale(c.u, t_tip));
    out->dir = c.u;
    out->length_mm = t_tip - t_entry;
    out->fit_rms_mm = rms;
    out->bone_hu = bg;
    out->metal_level_hu = metal;
    *found = out->length_mm >= 8 && axis_metal(hu, out, axis_level(vox, thr, o)) >= AXIS_METAL_MIN &&
             ring_metal(hu, out, 0.5 * diameter_mm + fmax(1.0, vox), thr) <= RING_METAL_MAX;
    return FX_OK;
}

int fx_audit_refit_axis(const fx_volume *hu, fx_audit_screw *s, double diameter_mm,
                        const fx_audit_opts *o, fx_error *err)
{
    grid g = grid_of(hu);
    double vox = fmax(hu->spacing[0], fmax(hu->spacing[1], hu->spacing[2]));
    double fit_r = 0.5 * diameter_mm + 0.5 * vox + o->fit_mm;
    cyl c = {s->entry, s->dir, 4.0, s->length_mm - 3.0, fit_r, fit_r + vox};
    if (hu->type != FX_VOX_I16)
        return fx_fail(err, FX_EINVAL, "screw fit needs a HU volume (int16)");
    if (c.t1 - c.t0 < 4)
        return FX_OK;
    if (fit_converge(hu, &g, &c, s->bone_hu, s->metal_level_hu, 30, &s->fit_rms_mm) <= 0)
        return FX_OK;
    /* the same depths on the new axis (c.p is the old entry projected onto it) */
    s->entry = c.p;
    s->dir = c.u;
    s->tip = fx_v3_add(c.p, fx_v3_scale(c.u, s->length_mm));
    return FX_OK;
}
