/*
 * mirror.h - planes and reflections, for the mirrored template: the healthy
 * hemipelvis reflected across the mid-sagittal plane onto the fractured side.
 *
 * A plane is {x : n.x = d} with |n| = 1, in mm (LPS). A reflection is not a
 * rigid transform (its determinant is -1), so it has its own functions; a
 * reflected mesh has its triangles re-wound so that normals still point out.
 */
#ifndef FXAUDIT_MIRROR_H
#define FXAUDIT_MIRROR_H

#include "fxaudit/error.h"
#include "fxaudit/mesh.h"
#include "fxaudit/vec3.h"

typedef struct fx_plane {
    fx_vec3 n;   /* unit normal */
    double d_mm; /* n.x = d */
} fx_plane;

/* The plane through `p` with normal `n` (normalised here). */
fx_plane fx_plane_make(fx_vec3 p, fx_vec3 n);
/* Signed distance of `p` from the plane (mm, positive on the normal's side). */
double fx_plane_distance(fx_plane pl, fx_vec3 p);
/* Mirror image of `p` across the plane. */
fx_vec3 fx_plane_reflect(fx_plane pl, fx_vec3 p);
/* Angle between two planes' normals, ignoring their sign (radians, [0, pi/2]). */
double fx_plane_angle(fx_plane a, fx_plane b);
/* The plane moved by a rigid transform. */
fx_plane fx_plane_transform(fx_plane pl, const fx_rigid *T);

/* A new mesh, the mirror image of `m` across `pl`, with triangles re-wound so
 * that it stays outward-oriented (its enclosed volume keeps its sign). *out
 * owns it (free with fx_mesh_free). */
int fx_mesh_mirror(const fx_mesh *m, fx_plane pl, fx_mesh **out, fx_error *err);

/* The reflection S across the plane composed with rigid transforms: for a
 * rigid T, the map x -> T(S(x)) written as a 3x3 matrix and translation
 * (det -1), row-major, for export. */
void fx_plane_reflection_matrix(fx_plane pl, double m[16]);

#endif
