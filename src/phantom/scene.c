/*
 * scene.c - the phantom as one series sees it: every tissue boundary as a
 * signed distance at a point of that series' DICOM patient coordinates. The
 * point is taken back into the anatomical frame through the series' pose,
 * and into each fragment's own anatomical frame through its displacement;
 * a fragment is its region of the intact hemipelvis. Fracture faces expose
 * cancellous bone (the cortex follows only the intact outer surface).
 *
 * The bone is a set of parts (the injured side's fragments, the other
 * hemipelvis, the sacrum, both femora, the metal) that can be evaluated
 * selectively: the voxeliser asks only for the parts near a block.
 */
#include "config.h"

#include <math.h>

#include "model.h"

/* Fragment f of the injured side: outer and cancellous distances. */
static ph_bc fragment(const fx_phantom *p, int s, int f, fx_vec3 a)
{
    fx_vec3 pf = fx_rigid_apply(&p->dinv[s][f], a);
    double r;
    if (f > 0) {
        r = ph_region_sdf(&p->region[f], pf);
    } else { /* the stable part: outside every moving fragment's region */
        double m = INFINITY;
        for (int g = 1; g < p->nfrag; g++)
            m = fmin(m, ph_region_sdf(&p->region[g], pf));
        r = -m;
    }
    double h = ph_hemi(p, p->side, pf);
    ph_bc bc = {fmax(h, r), fmax(h + PH_CORTEX_MM, r)};
    return bc;
}

static ph_bc whole(double d)
{
    ph_bc bc = {d, d + PH_CORTEX_MM};
    return bc;
}

void ph_scene_parts(const fx_phantom *p, int s, fx_vec3 a, unsigned mask, ph_bc part[PH_NPARTS])
{
    for (int i = 0; i < PH_NPARTS; i++) {
        part[i].b = part[i].c = INFINITY;
        if (!(mask & (1u << i)))
            continue;
        if (i < p->nfrag)
            part[i] = fragment(p, s, i, a);
        else if (i == PH_PART_HEMI)
            part[i] = whole(ph_hemi(p, -p->side, a));
        else if (i == PH_PART_SACRUM)
            part[i] = whole(ph_sacrum(p, a));
        else if (i == PH_PART_FEMUR)
            part[i] = whole(ph_femur(p, -p->side, a));
        else if (i == PH_PART_FEMUR_INJ)
            part[i] = whole(ph_femur(p, p->side, fx_rigid_apply(&p->hinv[s], a)));
        else if (i == PH_PART_METAL && s == FX_PHANTOM_POSTOP)
            ph_metal_split(p, a, &part[i].b, &part[i].c);
    }
}

void ph_scene_combine(const ph_bc part[PH_NPARTS], ph_dist *d)
{
    double b = INFINITY, c = INFINITY;
    for (int i = 0; i < PH_PART_METAL; i++) {
        b = fmin(b, part[i].b);
        c = fmin(c, part[i].c);
    }
    /* The bone is left whole under the metal: the voxeliser mixes the metal
     * over the tissue by its coverage, so a voxel half screw and half cortex
     * is half of each. Carving the bone here as well counted the screw's
     * boundary twice: such a voxel was a quarter soft tissue, some 360 HU
     * darker than a CT shows it. ph_scene_bone carves (screws replace the
     * bone they were driven into). */
    d->metal = fmin(part[PH_PART_METAL].b, part[PH_PART_METAL].c);
    d->metal_out = part[PH_PART_METAL].b;
    d->bone = b;
    d->canc = c;
    /* a sleeve of muscle and periosteum keeps fat off the bone (the crest
     * lies under the skin) */
    d->muscle = fmin(d->muscle, b - PH_SLEEVE_MM);
    /* and skin and fat cover it (the greater trochanter bulges the outline) */
    d->body = fmin(d->body, b - PH_SLEEVE_MM - 8.0);
}

void ph_scene(const fx_phantom *p, int series, fx_vec3 world, int with_bone, ph_dist *d)
{
    ph_bc part[PH_NPARTS];
    fx_vec3 a = fx_rigid_apply(&p->pinv[series], world);
    ph_soft(p, a, &d->body, &d->muscle, &d->bladder, &d->gas);
    if (!with_bone) {
        d->bone = d->canc = d->metal = d->metal_out = INFINITY;
        return;
    }
    ph_scene_parts(p, series, a, ~0u, part);
    ph_scene_combine(part, d);
}

double ph_scene_bone(const fx_phantom *p, int series, fx_vec3 world)
{
    ph_bc part[PH_NPARTS];
    ph_dist d = {0, INFINITY, 0, 0, 0, 0, 0, 0};
    ph_scene_parts(p, series, fx_rigid_apply(&p->pinv[series], world), ~0u, part);
    ph_scene_combine(part, &d);
    return fmax(d.bone, -d.metal);
}
