/*
 * screwtissue.c - the tissue under a voxel that a screw's metal partly covers.
 *
 * The screw refinement (screwfit.c) predicts each voxel near a screw as
 * tissue + (metal - tissue) x coverage; at 2 mm voxels most of the voxels
 * that place the axis are partly metal, and their tissue cannot be read
 * where they are. It was the nearest voxel 1.5 voxels radially outside the
 * shaft (4.75 mm from the axis of a 3.5 mm screw). Along a thin cortex (3 mm)
 * that a screw runs beside, or where the cortex ends, that voxel lies in
 * other tissue than the voxel it stands for (cortex at 2 mm from the axis,
 * soft tissue at 4.75 mm: ~1300 HU), and the fit moved the axis to explain
 * the difference with metal. Metal streaks do the same: they are bands in the
 * scan's slices through the metal's cross-section, darkest next to it, so a
 * voxel one or more slices away (3D radial reading) sees another band.
 * Measured on small seed 1 P10 screw 8 with the phantom's own tissue and
 * streaks at each voxel (an oracle, for the diagnosis only): 0.60 degree with
 * the radial voxel, 0.17 with the oracle; streaks and tissue about half each.
 *
 * So the tissue at x is taken from the voxels nearest to it that are clear
 * of the shaft's partial volume and of other screws' metal (a neighbour's
 * partial volume across a tip is not tissue: it made a tip 1.1 mm long in
 * tests/unit/test_audit_screwfit.c), in x's own slice (the streaks' plane):
 * weighted by a Gaussian of their distance from x along the axis and around
 * it (the arc at x's radius), a straight line in their distance from the
 * axis is fitted and read at x's distance: a cortex ending across the radius
 * is followed inwards, not averaged with what lies further out. The line's
 * value is kept within the range of the nearer voxels (no extrapolation
 * beyond the tissue seen). Docs: docs/audit.md.
 */
#include "config.h"

#include <math.h>

#include "screwtissue.h"

#define NEAR_VOX 2     /* the neighbours looked at: within this many voxels in the slice */
#define CLEAR_MM 0.2   /* clear of the shaft's ramp by this much (the axis is not exact) */
#define NEAR_WEIGHT 0.1 /* the neighbours whose levels bound the line's value */
/* The Gaussian's sigma along the axis and around it, in voxels: narrower
 * around it, since a streak is a narrow band out from the metal's centre
 * (one voxel both ways: seed 59 P01 S4 0.55 degree, seed 1 P05 S8's tip
 * 0.52 mm; with these 0.39 degree and 0.49 mm, docs/audit.md) */
#define SIGMA_ALONG_VOX 0.75
#define SIGMA_AROUND_VOX 0.5

/* Weighted sums for the line hu = a + b x (x: distance from the axis beyond
 * the voxel's own) and the range of the near levels. */
typedef struct st_sums {
    double s0, s1, s2, sy, sxy, lo, hi;
} st_sums;

static void st_add(st_sums *a, double x, double y, double wt)
{
    a->s0 += wt, a->s1 += wt * x, a->s2 += wt * x * x;
    a->sy += wt * y, a->sxy += wt * x * y;
    if (wt > NEAR_WEIGHT)
        a->lo = fmin(a->lo, y), a->hi = fmax(a->hi, y);
}

/* The line's value at x = 0, within the near levels; the mean where the
 * distances do not spread. */
static double st_value(const st_sums *a)
{
    double det = a->s0 * a->s2 - a->s1 * a->s1;
    double v = det > 1e-6 * a->s0 * a->s0 ? (a->s2 * a->sy - a->s1 * a->sxy) / det : a->sy / a->s0;
    return a->lo <= a->hi ? fmin(a->hi, fmax(a->lo, v)) : v;
}

/* Depth along the axis and the radial vector of x. */
static double st_axial(const fx_screwtissue *g, fx_vec3 x, fx_vec3 *rad)
{
    fx_vec3 rel = fx_v3_sub(x, g->p);
    double t = fx_v3_dot(rel, g->u);
    *rad = fx_v3_sub(rel, fx_v3_scale(g->u, t));
    return t;
}

double fx_screwtissue_at(const fx_screwtissue *g, const fx_volume *hu, fx_vec3 x, double fallback)
{
    fx_vec3 ijk = fx_volume_world_to_index(hu, x), rx, ry;
    int i0 = (int)floor(ijk.x + 0.5), j0 = (int)floor(ijk.y + 0.5), k = (int)floor(ijk.z + 0.5);
    if (k < 0 || k >= hu->dims[2])
        return fallback;
    double tx = st_axial(g, x, &rx), rho_x = fx_v3_norm(rx);
    double clear = g->r_mm + 0.5 * g->w_mm + CLEAR_MM;
    double st = SIGMA_ALONG_VOX * g->w_mm, sa = SIGMA_AROUND_VOX * g->w_mm;
    st_sums a = {0, 0, 0, 0, 0, INFINITY, -INFINITY};
    for (int j = j0 - NEAR_VOX; j <= j0 + NEAR_VOX; j++)
        for (int i = i0 - NEAR_VOX; i <= i0 + NEAR_VOX; i++) {
            if (i < 0 || j < 0 || i >= hu->dims[0] || j >= hu->dims[1])
                continue;
            double h = fx_volume_get(hu, i, j, k);
            double ty = st_axial(g, fx_volume_index_to_world(hu, fx_v3(i, j, k)), &ry);
            double rho_y = fx_v3_norm(ry);
            if (rho_y < clear || h >= g->metal_hu)
                continue;
            if (g->covered && g->covered(g->ctx, fx_volume_index_to_world(hu, fx_v3(i, j, k))))
                continue;
            double cosang = rho_x > 1e-6 ? fx_v3_dot(rx, ry) / (rho_x * rho_y) : 1.0;
            double arc = acos(fmax(-1.0, fmin(1.0, cosang))) * rho_x;
            double d2 = (ty - tx) * (ty - tx) / (st * st) + arc * arc / (sa * sa);
            st_add(&a, rho_y - rho_x, h, exp(-0.5 * d2));
        }
    return a.s0 > 1e-3 ? st_value(&a) : fallback;
}
