/*
 * mctable.h - the marching-cubes case table (internal to src/geom).
 *
 * Case index bit c is set when cube corner c, at (c & 1, (c >> 1) & 1,
 * (c >> 2) & 1), is inside (value >= iso). Edges 0-3 run along x, 4-7 along
 * y, 8-11 along z (fx_mc_edge_corners gives their end corners). Triangles are
 * counter-clockwise seen from outside, so right-hand normals point from inside
 * to outside.
 */
#ifndef FXAUDIT_MCTABLE_H
#define FXAUDIT_MCTABLE_H

#include <stdint.h>

typedef struct fx_mc_case {
    int ntri;
    uint8_t tri[12][3]; /* cube edge numbers */
} fx_mc_case;

extern fx_mc_case fx_mc_cases[256];

/* Build the table once (thread-safe); call before reading fx_mc_cases. */
void fx_mc_table_init(void);
void fx_mc_edge_corners(int e, int *a, int *b);

#endif
