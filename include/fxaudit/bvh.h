/*
 * bvh.h - a bounding-volume hierarchy over the triangles of a mesh, for exact
 * closest-point queries (surface distances, registration) and ray casting
 * (screw corridors through bone).
 *
 * The tree copies the triangle corners it needs, so the mesh may change or be
 * freed after the build. Built once, it is only read: any number of threads
 * may query it at the same time. Lengths are in the mesh's unit (mm).
 */
#ifndef FXAUDIT_BVH_H
#define FXAUDIT_BVH_H

#include <stdbool.h>
#include <stddef.h>

#include "fxaudit/error.h"
#include "fxaudit/mesh.h"

typedef struct fx_bvh fx_bvh;

/* The closest point of the surface to a query point. */
typedef struct fx_closest {
    double d2_mm2;   /* squared distance */
    fx_vec3 point;   /* the closest point on the surface */
    size_t tri;      /* its triangle (index into the mesh) */
    double bary[3];  /* point = bary[0]*a + bary[1]*b + bary[2]*c of that triangle;
                        one zero: on an edge, two zeros: at a corner */
} fx_closest;

/* One crossing of a ray with the surface. */
typedef struct fx_ray_hit {
    double t_mm;    /* distance along the (unit) ray direction from its origin */
    fx_vec3 point;
    size_t tri;
    double bary[3];
    bool entering;  /* the ray runs against the triangle's outward normal: it
                       enters the solid here (false: it leaves) */
} fx_ray_hit;

/* Build over the triangles of `m` (which must have at least one). On success
 * *out owns a new tree (free with fx_bvh_free). */
int fx_bvh_build(const fx_mesh *m, fx_bvh **out, fx_error *err);
void fx_bvh_free(fx_bvh *b); /* NULL is a no-op */

/* The closest surface point to q, searching only within sqrt(max_d2_mm2)
 * (INFINITY for no limit). Returns false, leaving *out unchanged, when no
 * triangle is that close. */
bool fx_bvh_closest(const fx_bvh *b, fx_vec3 q, double max_d2_mm2, fx_closest *out);

/* Every crossing of the ray origin + t*dir, 0 <= t <= tmax_mm, sorted by t.
 * `dir` need not be unit length (it is normalised). *hits is a new array the
 * caller frees with free() (NULL when *n is 0). A ray through a shared edge or
 * corner may report the crossing once per triangle there. */
int fx_bvh_raycast(const fx_bvh *b, fx_vec3 origin, fx_vec3 dir, double tmax_mm,
                   fx_ray_hit **hits, size_t *n, fx_error *err);

/* The closest point of triangle (a, b, c) to p, with barycentric weights. */
fx_vec3 fx_closest_on_triangle(fx_vec3 p, fx_vec3 a, fx_vec3 b, fx_vec3 c, double bary[3]);

#endif
