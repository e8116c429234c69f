/*
 * overlap.h - how far two closed bone models, each at its own pose, run into
 * each other: the deepest vertex of either inside the other (by its distance
 * to the other's surface) and the volume inside both.
 *
 * Reduced fragments must not interpenetrate: bone cannot occupy one place
 * twice, and a plan that puts it there hides a wrong reduction. A model is
 * given in its own frame (the pre-op position) with a BVH over it and the
 * pose that moves it to where it is judged (x_world = R x_model + t), so the
 * BVH is built once however often the pose changes. Lengths in mm.
 */
#ifndef FXAUDIT_OVERLAP_H
#define FXAUDIT_OVERLAP_H

#include <stdbool.h>
#include <stddef.h>

#include "fxaudit/bvh.h"
#include "fxaudit/error.h"
#include "fxaudit/mesh.h"

typedef struct fx_posed {
    const fx_mesh *mesh;   /* closed, outward-oriented; in its own frame; borrowed */
    const fx_bvh *bvh;     /* over mesh, same frame; borrowed */
    fx_rigid pose;         /* model frame -> world */
    fx_vec3 lo, hi;        /* world bounding box (fx_posed_update fills it) */
} fx_posed;

typedef struct fx_overlap {
    double depth_mm;       /* deepest vertex of either model inside the other; 0: none */
    double volume_mm3;     /* inside both (columns every step_mm, exact along them) */
    size_t vertices;       /* vertices of either model inside the other */
} fx_overlap;

/* Set p->pose and the world bounding box that goes with it. */
void fx_posed_update(fx_posed *p, const fx_rigid *pose);

/* Whether world point x is inside p; when it is, its depth (distance to p's
 * surface) and the closest surface point and outward unit normal, both in
 * world coordinates (any output may be NULL). */
int fx_posed_inside(const fx_posed *p, fx_vec3 x, bool *inside, double *depth_mm,
                    fx_vec3 *surface, fx_vec3 *normal, fx_error *err);

/* The overlap of a and b at their poses; step_mm is the column spacing of the
 * volume estimate (0.5 for millimetre models; 0: depth only, volume 0). */
int fx_overlap_measure(const fx_posed *a, const fx_posed *b, double step_mm, fx_overlap *out,
                       fx_error *err);

#endif
