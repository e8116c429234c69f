/*
 * scene.c - the phantom as one series sees it: every tissue boundary as a
 * signed distance at a point of that series' DICOM patient coordinates. The
 * point is taken back into the anatomical frame through the series' pose,
 * and into each fragment's own anatomical frame through its displacement;
 * a fragment is its region of the intact hemipelvis. Fracture faces expose
 * cancellous bone (the cortex follows only the intact outer surface).
 */
#include "config.h"

#include <math.h>

#include "model.h"

/* The injured hemipelvis in series s: outer bone and cancellous distances. */
static void injured(const fx_phantom *p, int s, fx_vec3 a, double *bone, double *canc)
{
    double b = INFINITY, c = INFINITY;
    double reg_min = INFINITY; /* for the stable part: outside every moving region */
    fx_vec3 a0 = fx_rigid_apply(&p->dinv[s][0], a);

    for (int f = 1; f < p->nfrag; f++) {
        fx_vec3 pf = fx_rigid_apply(&p->dinv[s][f], a);
        double r = ph_region_sdf(&p->region[f], pf);
        reg_min = fmin(reg_min, ph_region_sdf(&p->region[f], a0));
        if (r >= b && r >= c)
            continue; /* cannot be nearer than what we have */
        double h = ph_hemi(p, p->side, pf);
        b = fmin(b, fmax(h, r));
        c = fmin(c, fmax(h + PH_CORTEX_MM, r));
    }
    double r0 = -reg_min;
    if (r0 < b || r0 < c) {
        double h = ph_hemi(p, p->side, a0);
        b = fmin(b, fmax(h, r0));
        c = fmin(c, fmax(h + PH_CORTEX_MM, r0));
    }
    *bone = b;
    *canc = c;
}

static void bones(const fx_phantom *p, int s, fx_vec3 a, double *bone, double *canc)
{
    double b, c;
    injured(p, s, a, &b, &c);
    double other = fmin(ph_hemi(p, -p->side, a), ph_sacrum(p, a));
    other = fmin(other, ph_femur(p, -p->side, a));
    other = fmin(other, ph_femur(p, p->side, fx_rigid_apply(&p->hinv[s], a)));
    *bone = fmin(b, other);
    *canc = fmin(c, other + PH_CORTEX_MM);
}

void ph_scene(const fx_phantom *p, int series, fx_vec3 world, int with_bone, ph_dist *d)
{
    fx_vec3 a = fx_rigid_apply(&p->pinv[series], world);
    ph_soft(p, a, &d->body, &d->muscle, &d->bladder, &d->gas);
    d->metal = series == FX_PHANTOM_POSTOP ? ph_metal(p, a) : INFINITY;
    if (!with_bone) {
        d->bone = d->canc = INFINITY;
        return;
    }
    bones(p, series, a, &d->bone, &d->canc);
    /* a sleeve of muscle and periosteum keeps fat off the bone (the crest
     * lies under the skin) */
    d->muscle = fmin(d->muscle, d->bone - PH_SLEEVE_MM);
    if (d->metal < INFINITY) { /* screws replace the bone they were driven into */
        d->bone = fmax(d->bone, -d->metal);
        d->canc = fmax(d->canc, -d->metal);
    }
}

double ph_scene_bone(const fx_phantom *p, int series, fx_vec3 world)
{
    ph_dist d;
    ph_scene(p, series, world, 1, &d);
    return d.bone;
}
