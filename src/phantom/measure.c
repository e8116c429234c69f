/*
 * measure.c - volume and surface area of {f < 0} for a signed distance
 * bound f, by adaptive integration over a box.
 *
 * A cell of edge h whose centre value satisfies |f| > h*sqrt(3)/2 (+ the
 * kernel width for the area) lies wholly on one side of the surface and is
 * counted whole; other cells are split in eight down to the leaf size. In a
 * leaf the volume fraction is the linear ramp clamp(1/2 - f/h, 0, 1), exact
 * in the mean for a locally flat surface; the area follows the coarea
 * formula, A = integral of delta(f) |grad f| dV, with a hat kernel of half
 * width 2h for delta and central differences for the gradient. Errors are
 * O(h^2) in the surface curvature: on spheres of radius 10-40 mm with
 * h = 0.25 mm both come within 0.1 % (tests/unit/test_phantom.c).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "model.h"

typedef struct integ {
    ph_field f;
    const void *ctx;
    double leaf, eps; /* leaf edge; half width of the area kernel (0: no area) */
    double vol, area;
} integ;

static double grad_norm(const integ *g, fx_vec3 x, double h)
{
    double dx = g->f(g->ctx, fx_v3(x.x + h, x.y, x.z)) - g->f(g->ctx, fx_v3(x.x - h, x.y, x.z));
    double dy = g->f(g->ctx, fx_v3(x.x, x.y + h, x.z)) - g->f(g->ctx, fx_v3(x.x, x.y - h, x.z));
    double dz = g->f(g->ctx, fx_v3(x.x, x.y, x.z + h)) - g->f(g->ctx, fx_v3(x.x, x.y, x.z - h));
    return sqrt(dx * dx + dy * dy + dz * dz) / (2 * h);
}

static void cell(integ *g, fx_vec3 c, fx_vec3 h)
{
    double v = g->f(g->ctx, c);
    double eps = g->eps;
    double r = 0.5 * sqrt(h.x * h.x + h.y * h.y + h.z * h.z);
    double vol = h.x * h.y * h.z;
    /* the fields' gradients can reach about 1.3: decide "whole" with a margin */
    if (v > 1.5 * (r + eps))
        return;
    if (v < -1.5 * (r + eps)) {
        g->vol += vol;
        return;
    }
    if (fmax(h.x, fmax(h.y, h.z)) <= g->leaf * 1.0001) {
        double hm = cbrt(vol);
        double frac = 0.5 - v / hm;
        g->vol += vol * (frac < 0 ? 0 : frac > 1 ? 1 : frac);
        if (eps > 0 && fabs(v) < eps)
            g->area += vol * (1 - fabs(v) / eps) / eps * grad_norm(g, c, 0.25 * hm);
        return;
    }
    fx_vec3 q = fx_v3(0.5 * h.x, 0.5 * h.y, 0.5 * h.z);
    for (int k = 0; k < 8; k++) {
        fx_vec3 cc = fx_v3(c.x + ((k & 1) ? 0.5 : -0.5) * q.x, c.y + ((k & 2) ? 0.5 : -0.5) * q.y,
                           c.z + ((k & 4) ? 0.5 : -0.5) * q.z);
        cell(g, cc, q);
    }
}

void ph_integrate(ph_field f, const void *ctx, fx_vec3 lo, fx_vec3 hi, double h_leaf,
                  double *volume_mm3, double *area_mm2)
{
    /* top cells: h_leaf * 2^m, about 8 mm, tiling the box (the last cells of a
     * row are cut to the box by scaling the cell edge to fit exactly) */
    double top = h_leaf;
    while (top < 8.0)
        top *= 2;
    int n[3] = {(int)ceil((hi.x - lo.x) / top), (int)ceil((hi.y - lo.y) / top),
                (int)ceil((hi.z - lo.z) / top)};
    fx_vec3 h = fx_v3((hi.x - lo.x) / n[0], (hi.y - lo.y) / n[1], (hi.z - lo.z) / n[2]);
    long total = (long)n[0] * n[1] * n[2];
    double *acc = calloc(2 * (size_t)total, sizeof(*acc));
    if (!acc) {
        *volume_mm3 = NAN;
        if (area_mm2)
            *area_mm2 = NAN;
        return;
    }
    /* per-cell sums added in a fixed order: the same digits on any thread count */
#pragma omp parallel for schedule(dynamic, 8)
    for (long t = 0; t < total; t++) {
        int i = (int)(t % n[0]), j = (int)((t / n[0]) % n[1]), k = (int)(t / ((long)n[0] * n[1]));
        double leaf = h_leaf * fmax(h.x, fmax(h.y, h.z)) / top;
        integ g = {f, ctx, leaf, area_mm2 ? 2 * leaf : 0, 0, 0};
        fx_vec3 c = fx_v3(lo.x + (i + 0.5) * h.x, lo.y + (j + 0.5) * h.y, lo.z + (k + 0.5) * h.z);
        cell(&g, c, h);
        acc[2 * t] = g.vol;
        acc[2 * t + 1] = g.area;
    }
    double vol = 0, area = 0;
    for (long t = 0; t < total; t++) {
        vol += acc[2 * t];
        area += acc[2 * t + 1];
    }
    free(acc);
    *volume_mm3 = vol;
    if (area_mm2)
        *area_mm2 = area;
}
