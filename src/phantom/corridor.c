/*
 * corridor.c - the true bone corridor along a planned screw, from the
 * phantom's model (signed distances) rather than from voxels, to validate the
 * corridors the planning computes on its reduced model (docs/planning.md
 * defines a corridor; the same definition is used here).
 */
#include "config.h"

#include <math.h>

#include "fxaudit/phantom.h"
#include "model.h"

/* Bone of the intact (anatomical) pelvis at a point of the pre-op series, femora
 * left out: a plan's reduced model holds the pelvis only. */
static double bone(const fx_phantom *p, fx_vec3 x)
{
    fx_vec3 a = fx_rigid_apply(&p->pinv[0], x);
    return fmin(fmin(ph_hemi(p, p->side, a), ph_hemi(p, -p->side, a)), ph_sacrum(p, a));
}

/* Where between t0 (value f0) and t1 the sign of the bone distance changes. */
static double crossing(const fx_phantom *p, fx_vec3 e, fx_vec3 d, double t0, double t1, double f0)
{
    for (int it = 0; it < 40; it++) {
        double tm = 0.5 * (t0 + t1), fm = bone(p, fx_v3_add(e, fx_v3_scale(d, tm)));
        if ((fm < 0) == (f0 < 0))
            t0 = tm, f0 = fm;
        else
            t1 = tm;
    }
    return 0.5 * (t0 + t1);
}

int fx_phantom_corridor(const fx_phantom *p, fx_vec3 entry, fx_vec3 dir, double bridge_mm,
                        double *corridor_mm, fx_error *err)
{
    const double step = 0.05, back = 2.0, far = 300.0;
    fx_vec3 d = fx_v3_unit(dir);
    double a[256], b[256], prev = bone(p, fx_v3_sub(entry, fx_v3_scale(d, back)));
    int n = 0, in = prev < 0;

    if (!(fx_v3_norm(dir) > 0))
        return fx_fail(err, FX_EINVAL, "a corridor needs a direction");
    if (in)
        a[0] = -back;
    for (double t = -back + step; t <= far && n < 255; t += step) {
        double f = bone(p, fx_v3_add(entry, fx_v3_scale(d, t)));
        if ((f < 0) != in) {
            double tc = crossing(p, entry, d, t - step, t, prev);
            if (in)
                b[n++] = tc;
            else
                a[n] = tc;
            in = !in;
        }
        prev = f;
    }
    if (in)
        b[n++] = far;
    /* the stretch that starts within 2 mm of the entry, over narrow clefts */
    int i = 0;
    while (i < n && b[i] < 0)
        i++;
    if (i == n || a[i] > back) {
        *corridor_mm = 0;
        return FX_OK;
    }
    double end = b[i];
    while (i + 1 < n && a[i + 1] - end < bridge_mm)
        end = b[++i];
    *corridor_mm = end;
    return FX_OK;
}
