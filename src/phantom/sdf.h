/*
 * sdf.h - signed distance primitives for the phantom (internal to
 * src/phantom). Negative inside, positive outside, in millimetres. Every
 * primitive is exact or a lower bound of the Euclidean distance with a
 * gradient of length about 1 near its surface, so that coverage ramps and the
 * adaptive integrators can trust |d| as "no surface closer than this".
 */
#ifndef FX_PHANTOM_SDF_H
#define FX_PHANTOM_SDF_H

#include <math.h>

#include "fxaudit/vec3.h"

static inline double sdf_clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static inline double sdf_sphere(fx_vec3 p, fx_vec3 c, double r)
{
    return fx_v3_dist(p, c) - r;
}

/* Round cone: a capsule from a (radius ra) to b (radius rb); the radius is
 * interpolated along the axis, which keeps the Lipschitz constant near 1 for
 * the gentle tapers used here. */
static inline double sdf_capsule(fx_vec3 p, fx_vec3 a, fx_vec3 b, double ra, double rb)
{
    fx_vec3 ab = fx_v3_sub(b, a), ap = fx_v3_sub(p, a);
    double L2 = fx_v3_dot(ab, ab);
    double t = L2 > 0 ? sdf_clamp(fx_v3_dot(ap, ab) / L2, 0, 1) : 0;
    fx_vec3 q = fx_v3_add(a, fx_v3_scale(ab, t));
    return fx_v3_dist(p, q) - (ra + (rb - ra) * t);
}

/* Axis-aligned ellipsoid, the usual bound (|p/r| - 1) * min(r). */
static inline double sdf_ellipsoid(fx_vec3 p, fx_vec3 c, fx_vec3 r)
{
    fx_vec3 q = fx_v3((p.x - c.x) / r.x, (p.y - c.y) / r.y, (p.z - c.z) / r.z);
    double m = fmin(r.x, fmin(r.y, r.z));
    return (fx_v3_norm(q) - 1.0) * m;
}

/* Box centred at c with half sizes h along the orthonormal axes u, v, w. */
static inline double sdf_obox(fx_vec3 p, fx_vec3 c, fx_vec3 u, fx_vec3 v, fx_vec3 w, fx_vec3 h)
{
    fx_vec3 d = fx_v3_sub(p, c);
    double qx = fabs(fx_v3_dot(d, u)) - h.x, qy = fabs(fx_v3_dot(d, v)) - h.y,
           qz = fabs(fx_v3_dot(d, w)) - h.z;
    fx_vec3 o = fx_v3(fmax(qx, 0), fmax(qy, 0), fmax(qz, 0));
    return fx_v3_norm(o) + fmin(fmax(qx, fmax(qy, qz)), 0.0);
}

/* Finite cylinder along the segment a-b, radius r, flat ends. */
static inline double sdf_cylinder(fx_vec3 p, fx_vec3 a, fx_vec3 b, double r)
{
    fx_vec3 ab = fx_v3_sub(b, a), ap = fx_v3_sub(p, a);
    double L = fx_v3_norm(ab);
    fx_vec3 u = fx_v3_scale(ab, 1.0 / L);
    double t = fx_v3_dot(ap, u);
    double radial = fx_v3_norm(fx_v3_sub(ap, fx_v3_scale(u, t))) - r;
    double axial = fabs(t - 0.5 * L) - 0.5 * L;
    double ox = fmax(radial, 0), oy = fmax(axial, 0);
    return sqrt(ox * ox + oy * oy) + fmin(fmax(radial, axial), 0.0);
}

/* Signed distance to the plane through q with unit normal n (positive on the
 * side n points to). */
static inline double sdf_plane(fx_vec3 p, fx_vec3 q, fx_vec3 n)
{
    return fx_v3_dot(fx_v3_sub(p, q), n);
}

/* Polynomial smooth minimum (blend radius k mm); equals min() when the two
 * distances differ by more than k. */
static inline double sdf_smin(double a, double b, double k)
{
    double h = fmax(k - fabs(a - b), 0.0) / k;
    return fmin(a, b) - h * h * k * 0.25;
}

#endif
