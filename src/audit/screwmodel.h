/*
 * screwmodel.h - the image model shared by the screw refinement (screwfit.c)
 * and the head's fit (screwhead.c): the phantom's linear partial-volume ramp
 * and the signed distance to a flat-ended cylinder. Lengths in mm.
 */
#ifndef FX_AUDIT_SCREWMODEL_H
#define FX_AUDIT_SCREWMODEL_H

#include <math.h>

#include "fxaudit/vec3.h"

/* Coverage of a voxel whose centre lies d mm outside a surface, the ramp one
 * voxel (w mm) wide, as src/phantom/voxelise.c renders every surface. */
static inline double fx_sm_ramp(double d, double w)
{
    double c = 0.5 - d / w;
    return c < 0 ? 0 : c > 1 ? 1 : c;
}

/* Signed distance to the cylinder of radius r along u from p, t in [t0, t1]. */
static inline double fx_sm_cyl_sd(fx_vec3 x, fx_vec3 p, fx_vec3 u, double t0, double t1,
                                  double r)
{
    fx_vec3 rel = fx_v3_sub(x, p);
    double t = fx_v3_dot(rel, u);
    double radial = fx_v3_norm(fx_v3_sub(rel, fx_v3_scale(u, t))) - r;
    double axial = fabs(t - 0.5 * (t0 + t1)) - 0.5 * (t1 - t0);
    double ox = fmax(radial, 0), oy = fmax(axial, 0);
    return sqrt(ox * ox + oy * oy) + fmin(fmax(radial, axial), 0.0);
}

#endif
