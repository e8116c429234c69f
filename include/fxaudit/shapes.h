/*
 * shapes.h - closed triangle meshes of simple solids, for screws shown as
 * cylinders in exports and rendered views.
 */
#ifndef FXAUDIT_SHAPES_H
#define FXAUDIT_SHAPES_H

#include "fxaudit/error.h"
#include "fxaudit/mesh.h"
#include "fxaudit/vec3.h"

/* Append to `m` a closed, outward-oriented prism with `segments` sides
 * approximating the cylinder of radius `r_mm` from `a` to `b`. Its volume is
 * that of the inscribed polygonal prism: (segments/2) r^2 sin(2 pi/segments) |b-a|. */
int fx_shape_cylinder(fx_mesh *m, fx_vec3 a, fx_vec3 b, double r_mm, int segments,
                      fx_error *err);

/* Append to `m` a closed, outward-oriented UV-sphere mesh of the ellipsoid with
 * semi-axes a, b, c (mm) along the columns of R's rotation, centred at `c0`,
 * with `nu` points around and `nv` bands from pole to pole. */
int fx_shape_ellipsoid(fx_mesh *m, fx_vec3 c0, double a, double b, double c, const fx_rigid *R,
                       int nu, int nv, fx_error *err);

#endif
