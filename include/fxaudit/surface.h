/*
 * surface.h - what a surface model is made of and what can be done to it
 * after extraction: a topology check (watertight, manifold, consistently
 * oriented; Euler characteristic), connected parts, smoothing that does not
 * shrink the model, and decimation.
 */
#ifndef FXAUDIT_SURFACE_H
#define FXAUDIT_SURFACE_H

#include <stddef.h>
#include <stdint.h>

#include "fxaudit/error.h"
#include "fxaudit/mesh.h"

typedef struct fx_surface_topology {
    size_t vertices;            /* referenced by at least one triangle */
    size_t edges;               /* distinct undirected edges */
    size_t triangles;
    size_t boundary_edges;      /* used by one triangle */
    size_t nonmanifold_edges;   /* used by more than two */
    size_t misoriented_edges;   /* two triangles walk it the same way */
    size_t degenerate_triangles; /* a vertex index repeated */
    size_t components;          /* connected through shared vertices */
    long euler;                 /* V - E + F; 2 per sphere, 0 per torus */
    int closed; /* no boundary, non-manifold or misoriented edge: watertight */
} fx_surface_topology;

/* Count the above for `m`. */
int fx_surface_check(const fx_mesh *m, fx_surface_topology *out, fx_error *err);

/* Connected parts (through shared vertices). On success *comp owns nt part
 * numbers, one per triangle, numbered 0 .. *ncomp-1 by decreasing triangle
 * count (free with free()). */
int fx_surface_components(const fx_mesh *m, uint32_t **comp, size_t *ncomp, fx_error *err);

/* Keep only part `which` (0 is the largest) of `m`, in place. */
int fx_surface_keep_component(fx_mesh *m, size_t which, fx_error *err);

/* Taubin's lambda|mu smoothing with the umbrella operator: `iterations` pairs
 * of steps, lambda > 0 then mu < -lambda (the pass band cut-off
 * k_pb = 1/lambda + 1/mu is usually 0.1). It smooths without the shrinkage of
 * plain Laplacian smoothing. Normals, when present, are recomputed. */
int fx_surface_smooth_taubin(fx_mesh *m, int iterations, double lambda, double mu,
                             int threads, fx_error *err);

/* Quadric edge-collapse decimation (Garland and Heckbert) to about
 * keep_fraction of the triangles (0 < keep_fraction <= 1). Collapses that
 * would make the surface non-manifold, fold a triangle over, or open a closed
 * surface are refused, so a closed manifold input stays closed and manifold. */
int fx_surface_decimate(fx_mesh *m, double keep_fraction, fx_error *err);

#endif
