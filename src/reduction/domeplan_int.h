/*
 * domeplan_int.h - what domeplan.c and domeplan_face.c share: the line
 * samples, the opaque fx_domeplan and the labelled dome grid. Not installed.
 */
#ifndef FXAUDIT_DOMEPLAN_INT_H
#define FXAUDIT_DOMEPLAN_INT_H

#include <stddef.h>

#include "fxaudit/bvh.h"
#include "fxaudit/domeplan.h"

typedef struct line_sample {
    fx_vec3 x;       /* on the joint sphere */
    fx_vec3 across;  /* from the lower-label part's grid point to the other's */
    fx_vec3 n0, l0, u0; /* radial, tangent, across towards a (the higher label) */
    int a, b;        /* part indices: a the higher label, b the lower */
    double len_mm;   /* the line length this sample stands for */
    int in_dome, ok; /* ok: a tangent was found */
    int edge;        /* 0: between grid neighbours along L, 1: along P */
    int on_face;     /* 1: on the circle of the pair's fracture-face plane
                      * (domeplan_face.c): tangent, place and length are set */
} line_sample;

struct fx_domeplan {
    int *label; /* per part */
    line_sample *s;
    size_t n, cap;
    fx_vec3 axis[3];
    size_t inside;   /* samples in the dome with a tangent */
    double line_mm;
    int face_pairs;  /* pairs whose line was put on their fracture-face plane */
};

/* The grid: half width N cells, spacing h (mm) in the plane normal to S,
 * lifted onto the sphere of radius R; the BVH of all parts' articular
 * triangles (first[i]: part i's first) labels a point; max_d2 (mm^2): a
 * point farther from every part is no bone. */
typedef struct dplan_grid {
    const fx_dome *d;
    double h, R;
    int N;
    const fx_bvh *bvh;
    const size_t *first;
    size_t nparts;
    double max_d2;
} dplan_grid;

fx_vec3 dplan_grid_point(const dplan_grid *g, double a, double b);
/* The part whose articular surface is nearest x (-1: none within max_d2). */
int dplan_label_point(const dplan_grid *g, fx_vec3 x);
int dplan_in_dome(const fx_dome *d, fx_vec3 x);
int dplan_push(fx_domeplan *p, const line_sample *s, fx_error *err);

/* Where the two parts of a line both show a planar fracture face near it,
 * replace the line's samples by the circle of that plane on the sphere
 * (domeplan_face.c). */
int dplan_face_lines(fx_domeplan *p, const dplan_grid *g, const fx_domeplan_part *parts,
                     size_t n, fx_error *err);

#endif
