/*
 * domefrag.h - gap and step-off at the dome from the fragments' own spheres
 * (private to the reduction module; method in docs/reduction-estimate.md): for widely
 * displaced fragments (pre-op), where a cleft section about the intact
 * joint centre no longer sees both sides of one line.
 */
#ifndef FXAUDIT_DOMEFRAG_H
#define FXAUDIT_DOMEFRAG_H

#include "fxaudit/domeest.h"

/* docs/phantom.md's per-plane values (0 axial, 1 coronal, 2 sagittal; NAN
 * where the line runs within 30 degrees of the plane) from the 3-D offset dv
 * at a line point: surface normal n, u across, tangent l; axis[3] the dome's
 * L, P, S axes. Shared by the CT-only (domeest.c, domefrag.c) and the
 * plan-based (domeplan.c) estimates. */
void dfrag_plane_values(const fx_vec3 axis[3], fx_vec3 dv, fx_vec3 n, fx_vec3 u, fx_vec3 l,
                        double gap_out[3], double step_out[3]);

/* The 3-D offset gap u + step n. */
static inline fx_vec3 dfrag_offset(fx_vec3 u, fx_vec3 n, double gap, double step)
{
    return fx_v3_add(fx_v3_scale(u, gap), fx_v3_scale(n, step));
}

/* The per-plane values of `e` (gap_mm, step_mm, lines_seen, lines_hidden)
 * from the fragments' own joint spheres, found on `ct` (HU) by a Hough
 * transform for concave spheres of the dome's radius, when two fragments
 * sharing a fracture line lie more than min_offset_mm apart: returns 1
 * (filled), 0 (not applicable: e untouched), -1 (out of memory). */
int dfrag_estimate(const fx_volume *ct, const fx_dome *d, double min_offset_mm,
                   fx_dome_estimate *e);

#endif
