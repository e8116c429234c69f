/*
 * domefind.h - the acetabular dome found in a CT without any ground truth:
 * the joint sphere of the healthy hip fitted to its socket, mirrored across
 * the pelvis's symmetry plane onto the injured side (the seed study's
 * template: the contralateral hemipelvis mirrored). Method and accuracy:
 * docs/reduction-estimate.md. Lengths in mm, LPS world of the volume.
 */
#ifndef FXAUDIT_DOMEFIND_H
#define FXAUDIT_DOMEFIND_H

#include "fxaudit/domeest.h"
#include "fxaudit/error.h"
#include "fxaudit/mirror.h"
#include "fxaudit/volume.h"

typedef struct fx_domefind_result {
    fx_dome dome;              /* the injured side's dome, ready for the estimate */
    fx_vec3 healthy_centre_mm; /* the healthy socket's sphere */
    double healthy_radius_mm;
    double head_radius_mm;     /* the healthy femoral head's sphere */
    double socket_rms_mm;      /* sphere fit residual, socket points kept */
    int socket_points, head_points;
    fx_plane plane;            /* symmetry plane used (normal to the patient's left) */
    int plane_given;           /* 1: from the caller (a plan), 0: found here */
} fx_domefind_result;

/* Find the dome of the injured side (`injured_left` 1: the patient's left,
 * +x in LPS; 0: right). `plane` (may be NULL): the symmetry plane, e.g. a
 * plan's; without it the plane is found from the femoral heads and the
 * mirror overlap of the bone. Fails when no hip joint is found. */
int fx_dome_find(const fx_volume *ct, int injured_left, const fx_plane *plane,
                 fx_domefind_result *out, fx_error *err);

#endif
