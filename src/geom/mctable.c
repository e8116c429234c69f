/*
 * mctable.c - the marching-cubes case table, derived at start-up from the
 * cube's faces rather than typed in, so that it is consistent by construction.
 *
 * Method. A cube's surface cut by the iso-surface is a set of closed loops on
 * the cube's six faces. On each face, walking its corners counter-clockwise as
 * seen from outside the cube, a crossing on an edge is "A" (inside to outside)
 * or "B" (outside to inside). A face segment always runs from an A crossing to
 * a B crossing. A cube edge is shared by two faces that walk it in opposite
 * directions, so every crossing is A on one face and B on the other: each
 * crossing starts exactly one segment and ends exactly one, and the segments
 * join into directed loops. A face with four crossings is ambiguous; it is
 * resolved by the face's own corners only (the inside corners are joined
 * across the face diagonal: the segment goes around each outside corner), so
 * the two cubes that share the face agree and no crack can open between them.
 * Each loop is triangulated as a fan; all loops of the table are oriented the
 * same way, and one global flip makes the normals point from inside (value >=
 * iso) to outside.
 */
#include "config.h"

#include <pthread.h>
#include <string.h>

#include "mctable.h"

/* Corner c sits at (c & 1, (c >> 1) & 1, (c >> 2) & 1). */
static const int edge_corner[12][2] = {
    {0, 1}, {2, 3}, {4, 5}, {6, 7}, /* along x */
    {0, 2}, {1, 3}, {4, 6}, {5, 7}, /* along y */
    {0, 4}, {1, 5}, {2, 6}, {3, 7}, /* along z */
};

fx_mc_case fx_mc_cases[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int edge_of(int a, int b)
{
    for (int e = 0; e < 12; e++)
        if ((edge_corner[e][0] == a && edge_corner[e][1] == b) ||
            (edge_corner[e][0] == b && edge_corner[e][1] == a))
            return e;
    return -1;
}

static void corner_pos(int c, double p[3])
{
    p[0] = c & 1, p[1] = (c >> 1) & 1, p[2] = (c >> 2) & 1;
}

/* The four corners of face (axis, side), counter-clockwise seen from outside. */
static void face_corners(int axis, int side, int q[4])
{
    int n = 0;
    for (int c = 0; c < 8; c++)
        if (((c >> axis) & 1) == side)
            q[n++] = c;
    /* q holds the face in the order (u,v) = (0,0),(1,0),(0,1),(1,1); make a cycle. */
    int t = q[2];
    q[2] = q[3], q[3] = t;
    double p0[3], p1[3], p2[3], e1[3], e2[3];
    corner_pos(q[0], p0), corner_pos(q[1], p1), corner_pos(q[2], p2);
    for (int i = 0; i < 3; i++)
        e1[i] = p1[i] - p0[i], e2[i] = p2[i] - p1[i];
    double nx[3] = {e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2],
                    e1[0] * e2[1] - e1[1] * e2[0]};
    double outward = side ? 1.0 : -1.0;
    if (nx[axis] * outward < 0) {
        t = q[1];
        q[1] = q[3], q[3] = t;
    }
}

/* next[e] = the crossing that follows crossing e along its loop, or -1. */
static void face_segments(int cs, int next[12])
{
    for (int e = 0; e < 12; e++)
        next[e] = -1;
    for (int f = 0; f < 6; f++) {
        int q[4], in[4], ed[4];
        face_corners(f / 2, f % 2, q);
        for (int i = 0; i < 4; i++) {
            in[i] = (cs >> q[i]) & 1;
            ed[i] = edge_of(q[i], q[(i + 1) & 3]);
        }
        /* Each outside corner i with inside neighbours: the A crossing on the
         * edge entering it and the B crossing on the edge leaving it. For faces
         * with two crossings the segment is the same whichever corner names it. */
        for (int i = 0; i < 4; i++) {
            int prev = (i + 3) & 3, nxt = (i + 1) & 3;
            if (in[i])
                continue;
            if (in[prev] && in[nxt])
                next[ed[prev]] = ed[i];
            else if (in[prev]) {
                /* A on the entering edge; find the B further on. */
                int j = nxt;
                while (!in[(j + 1) & 3])
                    j = (j + 1) & 3;
                next[ed[prev]] = ed[j];
            }
        }
    }
}

static int share_face(int e1, int e2)
{
    int a0 = edge_corner[e1][0], a1 = edge_corner[e1][1];
    int b0 = edge_corner[e2][0], b1 = edge_corner[e2][1];
    for (int axis = 0; axis < 3; axis++)
        for (int side = 0; side < 2; side++)
            if (((a0 >> axis) & 1) == side && ((a1 >> axis) & 1) == side &&
                ((b0 >> axis) & 1) == side && ((b1 >> axis) & 1) == side)
                return 1;
    return 0;
}

/* Fan-triangulate a loop from a start vertex whose diagonals do not join two
 * crossings on one face (such a diagonal could be made by the neighbouring
 * cube too, and the edge would then belong to four triangles). */
static void add_loop(fx_mc_case *c, const int *loop, int n)
{
    int start = 0;
    for (int s = 0; s < n; s++) {
        int ok = 1;
        for (int i = 2; i < n - 1 && ok; i++)
            if (share_face(loop[s], loop[(s + i) % n]))
                ok = 0;
        if (ok) {
            start = s;
            break;
        }
    }
    for (int i = 1; i + 1 < n; i++) {
        uint8_t *t = c->tri[c->ntri++];
        t[0] = (uint8_t)loop[start];
        t[1] = (uint8_t)loop[(start + i) % n];
        t[2] = (uint8_t)loop[(start + i + 1) % n];
    }
}

static void build_case(int cs, fx_mc_case *c)
{
    int next[12], seen[12] = {0};
    face_segments(cs, next);
    memset(c, 0, sizeof(*c));
    for (int e = 0; e < 12; e++) {
        int loop[12], n = 0;
        if (next[e] < 0 || seen[e])
            continue;
        for (int x = e; !seen[x]; x = next[x]) {
            seen[x] = 1;
            loop[n++] = x;
        }
        add_loop(c, loop, n);
    }
}

/* Does case 1 (only corner 0 inside) point away from corner 0? */
static int needs_flip(void)
{
    const uint8_t *t = fx_mc_cases[1].tri[0];
    double p[3][3];
    for (int k = 0; k < 3; k++) {
        double a[3], b[3];
        corner_pos(edge_corner[t[k]][0], a), corner_pos(edge_corner[t[k]][1], b);
        for (int i = 0; i < 3; i++)
            p[k][i] = 0.5 * (a[i] + b[i]);
    }
    double u[3], v[3];
    for (int i = 0; i < 3; i++)
        u[i] = p[1][i] - p[0][i], v[i] = p[2][i] - p[0][i];
    double n[3] = {u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2],
                   u[0] * v[1] - u[1] * v[0]};
    return n[0] + n[1] + n[2] < 0;
}

static void build_all(void)
{
    for (int cs = 0; cs < 256; cs++)
        build_case(cs, &fx_mc_cases[cs]);
    if (needs_flip())
        for (int cs = 0; cs < 256; cs++)
            for (int k = 0; k < fx_mc_cases[cs].ntri; k++) {
                uint8_t *t = fx_mc_cases[cs].tri[k], s = t[1];
                t[1] = t[2], t[2] = s;
            }
}

void fx_mc_table_init(void)
{
    pthread_once(&once, build_all);
}

void fx_mc_edge_corners(int e, int *a, int *b)
{
    *a = edge_corner[e][0];
    *b = edge_corner[e][1];
}
