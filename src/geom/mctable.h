/*
 * mctable.h - the marching-cubes case table (internal to src/geom).
 *
 * Case index bit c is set when cube corner c, at (c & 1, (c >> 1) & 1,
 * (c >> 2) & 1), is inside (value >= iso). Edges 0-3 run along x, 4-7 along
 * y, 8-11 along z (fx_mc_edge_corner gives their end corners). Triangles are
 * counter-clockwise seen from outside, so right-hand normals point from inside
 * to outside.
 */
#ifndef FXAUDIT_MCTABLE_H
#define FXAUDIT_MCTABLE_H

#include <stdint.h>

typedef struct fx_mc_case {
    int ntri;
    uint8_t tri[12][3]; /* cube edge numbers, for crossings at edge midpoints */
    int nloops;
    uint8_t loop_len[4]; /* the same surface as closed loops of crossings, */
    uint8_t loop[12];    /* oriented like the triangles, one after another */
    int8_t apex[4];      /* per loop: the fan apex (loop position) of the fixed
                          * triangulation that matches VTK (mcfixed.c), -1 if none */
} fx_mc_case;

extern fx_mc_case fx_mc_cases[256];
/* 1 when cube edges a and b lie on a common face: a triangle side joining
 * their crossings would lie in that face. */
extern uint8_t fx_mc_same_face[12][12];

/* Build the table once (thread-safe); call before reading fx_mc_cases. */
void fx_mc_table_init(void);
/* The apex (position in `loop`) of the fixed fan that cuts this loop of n
 * crossings of case cs as VTK does, or -1 when no rule fixes it (mcfixed.c).
 * The loop must be oriented as in fx_mc_cases (normals out). */
int fx_mc_fixed_apex(int cs, const uint8_t *loop, int n);
/* End corners of each cube edge, lower corner first. */
extern const int fx_mc_edge_corner[12][2];

#endif
