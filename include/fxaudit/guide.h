/*
 * guide.h - a patient-specific drilling guide that sits on a plate: a body of
 * constant thickness covering the plate's top and overhanging its sides,
 * bone-supporting extensions beyond the plate's ends that rest on the bone, a
 * sleeve channel along each planned screw through the plate, and k-wire holes
 * in the extensions. Lengths in mm.
 *
 * The body is a grid laid like the plate's (plate.h), built from the plate's
 * own grid so that its underside over the plate is the plate's top, vertex
 * for vertex:
 *   - over the plate, underside = plate top, top `thickness_mm` further along
 *     the plate's normal;
 *   - `margin_mm` each side, the same surface continued across the width:
 *     the bone under the column lifted by the plate's offset + thickness
 *     where that is higher (the bone rises), else the plate's top continued
 *     straight on from its edge (the bone falls away or ends);
 *   - `extension_mm` beyond each end, along the path's end tangent projected
 *     onto the bone: the underside is on the bone (so the guide seats in one
 *     position) and the top continues at the body's height. Between the
 *     plate's last row and the first extension row the underside ramps down.
 *     Where the bone ends under an extension (its rows or columns would
 *     land on one point of the bone's edge) the guide is refused
 *     (FX_EINVAL): shorten the extension or the margin.
 * Holes (sleeve bores, k-wires) remove the grid cells that the cylinder of
 * the hole's radius about its axis meets (a cell lies within the convex hull
 * of its 8 corners; it is cut when that hull, seen along the axis, comes
 * within the radius), so the bore is clear; the cut is walled, so the body
 * stays one closed, outward-oriented surface. Its hole walls follow the grid
 * (a staircase no deeper than a cell's diagonal).
 *
 * A sleeve is a hollow prism of `sleeve_segments` sides, coaxial with the
 * screw, inner vertices exactly at the inner radius. Its bottom lies on the
 * plate's top (the tangent plane where the axis meets it, so an oblique
 * sleeve's end is cut obliquely), its top is square to the axis,
 * `sleeve_length_mm` above the point where the axis leaves the body's top.
 * The body's cut is made of whole cell columns, so for an oblique screw it
 * reaches farther from the axis (by up to the body's thickness times the sine
 * of the tilt); where the sleeve's wall does not cover it, a collar as wide as
 * the cut fills the body between its underside and top planes (its bore lies
 * inside the sleeve's wall, so the two share no point).
 * Sleeves and collars are separate closed surfaces that overlap the body (the
 * body's cut lies inside their outer walls), so their union, as a slicer or a
 * printer's software takes it, is the guide.
 */
#ifndef FXAUDIT_GUIDE_H
#define FXAUDIT_GUIDE_H

#include "fxaudit/bvh.h"
#include "fxaudit/error.h"
#include "fxaudit/mesh.h"
#include "fxaudit/plan.h"
#include "fxaudit/plate.h"

typedef struct fx_guide_opts {
    double thickness_mm;     /* of the body above the plate (3) */
    double margin_mm;        /* overhang beyond each long side of the plate (2) */
    double extension_mm;     /* bone-supporting extension beyond each end (10) */
    double sleeve_outer_mm;  /* outer diameter of a sleeve (7) */
    double sleeve_inner_mm;  /* inner diameter: the drill sleeve's bore (4.5, for a
                                4.5 mm metal sleeve over a 2.5 mm drill) */
    double sleeve_length_mm; /* above the body's top, along the axis (10) */
    int sleeve_segments;     /* sides of a sleeve's prisms (48) */
    double kwire_mm;         /* k-wire hole diameter; 0 for none (2) */
    double kwire_inset_mm;   /* k-wire axis beyond the plate's end, along the path (5) */
    int normal_window;       /* extension rows averaged into a row's normal (5) */
} fx_guide_opts;

typedef struct fx_guide_info {
    int rows, columns;       /* of the body's grid */
    int extension_rows;      /* at each end */
    int sleeves;             /* screws of the plate that got a sleeve */
    int collars;             /* oblique sleeves that needed a collar */
    int kwires;              /* k-wire holes cut */
    int cells_removed;       /* for sleeve bores and k-wires */
    fx_vec3 kwire_point[2];  /* where each k-wire axis meets the bone (start, end) */
    fx_vec3 kwire_dir[2];    /* unit, away from the bone */
    double extension_gap_mm; /* largest distance from the bone of the extensions'
                                underside (cell centres) */
} fx_guide_info;

/* The parts of a guide, each a closed, outward-oriented surface (or a set of
 * them): the body with its extensions, and the sleeves. Each sleeve adds
 * 4 * sleeve_segments vertices to `sleeves`, in the order of the plan's screws:
 * outer ring at the bottom, outer at the top, inner at the bottom, inner at
 * the top; a collar, when one is needed, follows its sleeve, laid out alike. */
typedef struct fx_guide {
    fx_mesh *body;
    fx_mesh *sleeves;
} fx_guide;

void fx_guide_opts_default(fx_guide_opts *o);

/* Build the guide of plate `spec` of plan `p`. `plate` and `pinfo` are what
 * fx_plate_build returned for it (the guide reads the plate's grid from the
 * mesh: rows x columns underside vertices, then as many on the top, row-major);
 * `bone_mesh` and `bone` (its BVH) are the reduced bone. On success `out` owns
 * two new meshes (release with fx_guide_release); `info` may be NULL. */
int fx_guide_build(const fx_plan_plate *spec, const fx_plan *p, const fx_mesh *plate,
                   const fx_plate_info *pinfo, const fx_mesh *bone_mesh, const fx_bvh *bone,
                   const fx_guide_opts *o, fx_guide *out, fx_guide_info *info, fx_error *err);

/* Body and sleeves in one new mesh (*out, free with fx_mesh_free). */
int fx_guide_merge(const fx_guide *g, fx_mesh **out, fx_error *err);

void fx_guide_release(fx_guide *g); /* frees both meshes; NULL is a no-op */

#endif
