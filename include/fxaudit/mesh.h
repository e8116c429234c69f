/*
 * mesh.h - a triangle surface in millimetres (LPS world coordinates).
 *
 * Triangles index vertices counter-clockwise seen from outside, so that the
 * right-hand normal points out of the enclosed solid. Optional per-vertex
 * normals and one optional per-vertex scalar (e.g. a signed distance, or a
 * label) travel with the mesh.
 */
#ifndef FXAUDIT_MESH_H
#define FXAUDIT_MESH_H

#include <stddef.h>
#include <stdint.h>

#include "fxaudit/error.h"
#include "fxaudit/vec3.h"

typedef struct fx_mesh {
    size_t nv, nt;
    fx_vec3 *v;       /* nv vertices, owned */
    uint32_t *t;      /* 3*nt vertex indices, owned */
    fx_vec3 *n;       /* nv unit normals, owned, or NULL */
    float *scalar;    /* nv values, owned, or NULL */
    size_t cap_v, cap_t; /* allocated capacity, for fx_mesh_add_* */
} fx_mesh;

/* An empty mesh; *out owns it (free with fx_mesh_free). */
int fx_mesh_new(fx_mesh **out, fx_error *err);
/* A mesh with room for nv vertices and nt triangles, counts set to them and
 * contents zeroed. */
int fx_mesh_alloc(size_t nv, size_t nt, fx_mesh **out, fx_error *err);
void fx_mesh_free(fx_mesh *m); /* NULL is a no-op */
/* A deep copy. */
int fx_mesh_clone(const fx_mesh *m, fx_mesh **out, fx_error *err);

/* Append a vertex (its index in *idx) or a triangle; the arrays grow. */
int fx_mesh_add_vertex(fx_mesh *m, fx_vec3 p, uint32_t *idx, fx_error *err);
int fx_mesh_add_triangle(fx_mesh *m, uint32_t a, uint32_t b, uint32_t c, fx_error *err);
/* Append all of `src` to `dst` (indices shifted). */
int fx_mesh_append(fx_mesh *dst, const fx_mesh *src, fx_error *err);

/* Apply a rigid transform to vertices and normals in place. */
void fx_mesh_transform(fx_mesh *m, const fx_rigid *T);
/* Area-weighted unit vertex normals (allocates m->n if needed). */
int fx_mesh_compute_normals(fx_mesh *m, fx_error *err);
/* Total area in mm^2. */
double fx_mesh_area(const fx_mesh *m);
/* Signed enclosed volume in mm^3 by the divergence theorem; positive for a
 * closed, outward-oriented surface. */
double fx_mesh_volume(const fx_mesh *m);
/* Axis-aligned bounds. */
void fx_mesh_bounds(const fx_mesh *m, fx_vec3 *lo, fx_vec3 *hi);
/* Area-weighted centroid of the surface. */
fx_vec3 fx_mesh_centroid(const fx_mesh *m);
/* Check every coordinate is finite and every index < nv. */
int fx_mesh_validate(const fx_mesh *m, const char *name, fx_error *err);

#endif
