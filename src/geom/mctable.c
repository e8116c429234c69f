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
 * resolved by the face's own corners only (the two inside corners are kept
 * apart: a segment goes around each), so the two cubes that share the face
 * agree and no crack can open between them. This is also the choice of VTK's
 * case table, so both give the same surface on the same data.
 * The table keeps the loops (isosurface.c triangulates them per cube from the
 * data) and a fixed triangulation of least area at the edge midpoints. All
 * loops of the table are oriented the same way, and one global flip makes the
 * normals point from inside (value >= iso) to outside.
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

#include "mctable.h"

/* Corner c sits at (c & 1, (c >> 1) & 1, (c >> 2) & 1). */
const int fx_mc_edge_corner[12][2] = {
    {0, 1}, {2, 3}, {4, 5}, {6, 7}, /* along x */
    {0, 2}, {1, 3}, {4, 6}, {5, 7}, /* along y */
    {0, 4}, {1, 5}, {2, 6}, {3, 7}, /* along z */
};

fx_mc_case fx_mc_cases[256];
uint8_t fx_mc_same_face[12][12];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int edge_of(int a, int b)
{
    for (int e = 0; e < 12; e++)
        if ((fx_mc_edge_corner[e][0] == a && fx_mc_edge_corner[e][1] == b) ||
            (fx_mc_edge_corner[e][0] == b && fx_mc_edge_corner[e][1] == a))
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
        /* Each run of inside corners, walked counter-clockwise, is cut off
         * by one segment: from the A crossing leaving its last corner to the
         * B crossing entering its first. On a face with two crossings this
         * is the only segment; on an ambiguous face it keeps the two inside
         * corners apart. */
        for (int i = 0; i < 4; i++) {
            if (!in[i] || in[(i + 1) & 3])
                continue;
            int j = i;
            while (in[(j + 3) & 3])
                j = (j + 3) & 3;
            next[ed[i]] = ed[(j + 3) & 3];
        }
    }
}

static int share_face(int e1, int e2)
{
    int a0 = fx_mc_edge_corner[e1][0], a1 = fx_mc_edge_corner[e1][1];
    int b0 = fx_mc_edge_corner[e2][0], b1 = fx_mc_edge_corner[e2][1];
    for (int axis = 0; axis < 3; axis++)
        for (int side = 0; side < 2; side++)
            if (((a0 >> axis) & 1) == side && ((a1 >> axis) & 1) == side &&
                ((b0 >> axis) & 1) == side && ((b1 >> axis) & 1) == side)
                return 1;
    return 0;
}

static void edge_mid(int e, double p[3])
{
    double a[3], b[3];
    corner_pos(fx_mc_edge_corner[e][0], a), corner_pos(fx_mc_edge_corner[e][1], b);
    for (int i = 0; i < 3; i++)
        p[i] = 0.5 * (a[i] + b[i]);
}

static double tri_area(int e0, int e1, int e2)
{
    double a[3], b[3], c[3], u[3], v[3];
    edge_mid(e0, a), edge_mid(e1, b), edge_mid(e2, c);
    for (int i = 0; i < 3; i++)
        u[i] = b[i] - a[i], v[i] = c[i] - a[i];
    double x = u[1] * v[2] - u[2] * v[1], y = u[2] * v[0] - u[0] * v[2],
           z = u[0] * v[1] - u[1] * v[0];
    return 0.5 * sqrt(x * x + y * y + z * z);
}

/* A diagonal may not join two crossings on one cube face: the neighbouring
 * cube could make it too, and the edge would then belong to four triangles. */
static int diagonal_ok(const int *loop, int n, int i, int j)
{
    return j == i + 1 || (i == 0 && j == n - 1) || !share_face(loop[i], loop[j]);
}

/* Triangulate a loop with the least total area, its crossings taken at the
 * edge midpoints (dynamic programming over sub-polygons i..j). The smallest
 * surface through the loop is the least folded one, and it is what the
 * partial-volume data between the crossings look like on average. */
static void add_loop(fx_mc_case *c, const int *loop, int n)
{
    double cost[12][12];
    int split[12][12];
    for (int len = 1; len < n; len++)
        for (int i = 0; i + len < n; i++) {
            int j = i + len;
            cost[i][j] = len == 1 ? 0 : HUGE_VAL;
            split[i][j] = -1;
            if (!diagonal_ok(loop, n, i, j))
                continue;
            for (int k = i + 1; k < j; k++) {
                double w = cost[i][k] + cost[k][j] + tri_area(loop[i], loop[k], loop[j]);
                if (w < cost[i][j] - 1e-12)
                    cost[i][j] = w, split[i][j] = k;
            }
        }
    /* Emit triangles by walking the splits (an explicit stack, n <= 12). */
    int stack[24][2], top = 0;
    stack[top][0] = 0, stack[top][1] = n - 1, top++;
    while (top) {
        top--;
        int i = stack[top][0], j = stack[top][1], k = split[i][j];
        if (j - i < 2 || k < 0)
            continue;
        uint8_t *t = c->tri[c->ntri++];
        t[0] = (uint8_t)loop[i], t[1] = (uint8_t)loop[k], t[2] = (uint8_t)loop[j];
        stack[top][0] = i, stack[top][1] = k, top++;
        stack[top][0] = k, stack[top][1] = j, top++;
    }
}

static void build_case(int cs, fx_mc_case *c)
{
    int next[12], seen[12] = {0}, nl = 0;
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
        c->loop_len[c->nloops++] = (uint8_t)n;
        for (int i = 0; i < n; i++)
            c->loop[nl++] = (uint8_t)loop[i];
    }
}

/* Does case 1 (only corner 0 inside) point away from corner 0? */
static int needs_flip(void)
{
    const uint8_t *t = fx_mc_cases[1].tri[0];
    double p[3][3];
    for (int k = 0; k < 3; k++) {
        double a[3], b[3];
        corner_pos(fx_mc_edge_corner[t[k]][0], a), corner_pos(fx_mc_edge_corner[t[k]][1], b);
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

static void reverse_loops(fx_mc_case *c)
{
    uint8_t *l = c->loop;
    for (int q = 0; q < c->nloops; q++) {
        int n = c->loop_len[q];
        for (int i = 0; i < n / 2; i++) {
            uint8_t t = l[i];
            l[i] = l[n - 1 - i], l[n - 1 - i] = t;
        }
        l += n;
    }
}

/* The fixed fans (mcfixed.c), for the final orientation of the loops. A fan
 * whose chord would lie in a cube face is not used (as in add_loop). */
static void set_apexes(int cs, fx_mc_case *c)
{
    const uint8_t *l = c->loop;
    for (int q = 0; q < c->nloops; l += c->loop_len[q++]) {
        int n = c->loop_len[q], a = n > 3 ? fx_mc_fixed_apex(cs, l, n) : -1;
        for (int i = 2; a >= 0 && i < n - 1; i++)
            if (share_face(l[a], l[(a + i) % n]))
                a = -1;
        c->apex[q] = (int8_t)a;
    }
}

static void build_all(void)
{
    for (int a = 0; a < 12; a++)
        for (int b = 0; b < 12; b++)
            fx_mc_same_face[a][b] = (uint8_t)share_face(a, b);
    for (int cs = 0; cs < 256; cs++)
        build_case(cs, &fx_mc_cases[cs]);
    if (needs_flip())
        for (int cs = 0; cs < 256; cs++) {
            for (int k = 0; k < fx_mc_cases[cs].ntri; k++) {
                uint8_t *t = fx_mc_cases[cs].tri[k], s = t[1];
                t[1] = t[2], t[2] = s;
            }
            reverse_loops(&fx_mc_cases[cs]);
        }
    for (int cs = 0; cs < 256; cs++)
        set_apexes(cs, &fx_mc_cases[cs]);
}

void fx_mc_table_init(void)
{
    pthread_once(&once, build_all);
}
