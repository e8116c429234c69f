/*
 * joint.c - does an actual screw enter the hip joint? The acetabular joint
 * (cartilage) surface is taken as a sphere around the hip centre (plan mm);
 * the bone lies outside it, the joint space and the femoral head inside. A
 * screw penetrates when its surface comes closer to the sphere than a
 * safety margin (2 mm, the plan's screw check) or reaches into it: the
 * clinical failure the seed study names (docs/domain.md).
 */
#include <math.h>

#include "fxaudit/audit.h"

double fx_audit_joint_clearance(fx_vec3 entry, fx_vec3 tip, double radius_mm, fx_vec3 centre,
                                double joint_radius_mm)
{
    fx_vec3 u = fx_v3_sub(tip, entry);
    double L2 = fx_v3_dot(u, u), t = L2 > 0 ? fx_v3_dot(fx_v3_sub(centre, entry), u) / L2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    /* the point of the axis nearest the centre is nearest the sphere too */
    fx_vec3 x = fx_v3_add(entry, fx_v3_scale(u, t));
    return fx_v3_dist(x, centre) - joint_radius_mm - radius_mm;
}

void fx_audit_joint_check(fx_audit_dev *d, double diameter_mm, const fx_audit_opts *o)
{
    d->joint_mm = NAN;
    d->joint_penetration = -1;
    if (d->actual < 0 || !(o->joint_radius_mm > 0))
        return;
    d->joint_mm = fx_audit_joint_clearance(d->entry, d->tip, 0.5 * diameter_mm, o->joint_centre,
                                           o->joint_radius_mm);
    d->joint_penetration = d->joint_mm < o->joint_margin_mm;
}
