/*
 * mcfixed.c - a fixed triangulation of every loop of the case table, chosen
 * so that fxaudit's surface has the same enclosed volume as VTK's
 * vtkFlyingEdges3D (the reference the issue measures against).
 *
 * Why: the loops (which crossings are joined, mctable.c) are the same in both
 * programs; only the cutting of a loop of four or more crossings into
 * triangles differs, and on walls one voxel thick that moves the volume by
 * up to 2 % (docs/isosurface.md). These rules were found by watching VTK cut
 * single cubes (bench/isosurface/vtk_single_cubes.py) and are written here as
 * rules, not as a table. Every rule is a fan: all triangles share one apex.
 *
 * - Four crossings on parallel edges (one face of the cube on each side): the
 *   diagonal joins the crossings on the edges whose two other grid coordinates
 *   are equal ((0,0) and (1,1)) when the edges run along y or z, unequal when
 *   they run along x.
 * - Four crossings around an edge whose two corners are alike (a "pair"): the
 *   loop has two sides along which the crossings lie on parallel edges; the
 *   diagonal joins their starts when the pair is inside, their ends when it
 *   is outside (the same cut as the complementary case, walked backwards).
 * - Five crossings around three corners in an L (the only pentagons): the
 *   apex is the crossing on the edge leaving an end corner of the L, next to
 *   the elbow's crossing: the one before it when the L is all that is inside,
 *   the one after it otherwise.
 * - Seven crossings (a pair and a lone corner of the outside, meeting through
 *   an ambiguous face): the apex is the middle of the three crossings around
 *   the lone outside corner.
 * - Six crossings: VTK's cuts follow no rule we could state (they change with
 *   the orientation of the cube), so hexagons stay cut along the interpolant.
 */
#include "config.h"

#include "mctable.h"

static int corner_in(int cs, int c) { return (cs >> c) & 1; }

static int inside_corner(int cs, int e)
{
    int a = fx_mc_edge_corner[e][0], b = fx_mc_edge_corner[e][1];
    return corner_in(cs, a) ? a : b;
}

static int outside_corner(int cs, int e)
{
    int a = fx_mc_edge_corner[e][0], b = fx_mc_edge_corner[e][1];
    return corner_in(cs, a) ? b : a;
}

static int edge_axis(int e) { return e / 4; }

static int quad_apex(int cs, const uint8_t *loop)
{
    int ax = edge_axis(loop[0]), all = 1;
    for (int i = 1; i < 4; i++)
        all &= edge_axis(loop[i]) == ax;
    if (all) {
        /* Edge e along axis ax: its lower corner's other two bits. */
        for (int i = 0; i < 4; i++) {
            int c = fx_mc_edge_corner[loop[i]][0], uv[2], m = 0;
            for (int b = 0; b < 3; b++)
                if (b != ax)
                    uv[m++] = (c >> b) & 1;
            if ((uv[0] == uv[1]) == (ax != 0))
                return i;
        }
        return -1;
    }
    /* The pair is inside when the crossings have only two inside corners. */
    int seen[8] = {0}, distinct = 0;
    for (int i = 0; i < 4; i++)
        distinct += !seen[inside_corner(cs, loop[i])]++;
    int pair_inside = distinct == 2;
    for (int i = 0; i < 4; i++)
        if (edge_axis(loop[i]) == edge_axis(loop[(i + 1) & 3]))
            return pair_inside ? i : (i + 1) & 3;
    return -1;
}

/* The L's corners are the side (inside or outside) with three distinct
 * corners among the crossings; its elbow is the one met once. */
static int pentagon_apex(int cs, const uint8_t *loop)
{
    int cnt_in[8] = {0}, cnt_out[8] = {0}, n_in = 0, n_out = 0;
    for (int i = 0; i < 5; i++) {
        n_in += !cnt_in[inside_corner(cs, loop[i])]++;
        n_out += !cnt_out[outside_corner(cs, loop[i])]++;
    }
    int l_inside = n_in == 3;
    if (!l_inside && n_out != 3)
        return -1;
    int ninside = 0;
    for (int c = 0; c < 8; c++)
        ninside += corner_in(cs, c);
    for (int i = 0; i < 5; i++) {
        int c = l_inside ? inside_corner(cs, loop[i]) : outside_corner(cs, loop[i]);
        if ((l_inside ? cnt_in[c] : cnt_out[c]) != 1)
            continue;
        int before = l_inside && ninside == 3;
        return before ? (i + 4) % 5 : (i + 1) % 5;
    }
    return -1;
}

static int heptagon_apex(int cs, const uint8_t *loop)
{
    for (int i = 0; i < 7; i++) {
        int o = outside_corner(cs, loop[i]);
        if (outside_corner(cs, loop[(i + 6) % 7]) == o && outside_corner(cs, loop[(i + 1) % 7]) == o)
            return i;
    }
    return -1;
}

int fx_mc_fixed_apex(int cs, const uint8_t *loop, int n)
{
    switch (n) {
    case 4: return quad_apex(cs, loop);
    case 5: return pentagon_apex(cs, loop);
    case 7: return heptagon_apex(cs, loop);
    }
    return -1;
}
