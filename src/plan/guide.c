/*
 * guide.c - a drilling guide laid over a plate: a grid body read off the
 * plate's own grid, widened by a margin, continued beyond the plate's ends
 * down onto the bone, with walled holes for sleeves and k-wires, and a hollow
 * sleeve along each screw of the plate.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/guide.h"

void fx_guide_opts_default(fx_guide_opts *o)
{
    o->thickness_mm = 3;
    o->margin_mm = 2;
    o->extension_mm = 10;
    o->sleeve_outer_mm = 7;
    o->sleeve_inner_mm = 4.5;
    o->sleeve_length_mm = 10;
    o->sleeve_segments = 48;
    o->kwire_mm = 2;
    o->kwire_inset_mm = 5;
    o->normal_window = 5;
}

/* The body's grid: rows along the path (K extension rows, the plate's rows,
 * K more), columns across it (M overhang columns, the plate's, M more). */
struct body {
    int n, J, K, M;
    int pn, pJ; /* the plate's grid */
    double width_mm, margin_mm, ds_ext_mm;
    fx_vec3 *bot, *top;  /* n*J, row-major */
    fx_vec3 *C, *N, *B;  /* per row: centre on the bone, normal, across the width */
    unsigned char *gone; /* (n-1)*(J-1) cells removed for holes */
    int flip;            /* 1 when rows x columns runs against N (winding reversed) */
};

static fx_vec3 perp(fx_vec3 d, fx_vec3 u)
{
    return fx_v3_sub(d, fx_v3_scale(u, fx_v3_dot(d, u)));
}

static fx_vec3 face_normal(const fx_mesh *m, size_t t)
{
    fx_vec3 a = m->v[m->t[3 * t]], b = m->v[m->t[3 * t + 1]], c = m->v[m->t[3 * t + 2]];
    return fx_v3_unit(fx_v3_cross(fx_v3_sub(b, a), fx_v3_sub(c, a)));
}

static fx_vec3 on_bone(const fx_bvh *bone, fx_vec3 p, fx_closest *cl)
{
    fx_closest tmp;
    if (!cl)
        cl = &tmp;
    fx_bvh_closest(bone, p, INFINITY, cl);
    return cl->point;
}

/* Across-width position of column j (0 on the plate's centre line). */
static double col_u(const struct body *g, int j)
{
    if (j < g->M)
        return -g->width_mm / 2 - g->margin_mm * (g->M - j) / g->M;
    if (j >= g->M + g->pJ)
        return g->width_mm / 2 + g->margin_mm * (j - g->M - g->pJ + 1) / g->M;
    return -g->width_mm / 2 + g->width_mm * (j - g->M) / (g->pJ - 1);
}

/* Frames of the plate's rows from its grid: N along its thickness, B along
 * its columns, C its centre line brought back down to the bone. */
static void plate_frames(struct body *g, const fx_mesh *pm, double offset_mm)
{
    for (int i = 0; i < g->pn; i++) {
        const fx_vec3 *bot = pm->v + (size_t)i * g->pJ;
        const fx_vec3 *top = pm->v + (size_t)g->pn * g->pJ + (size_t)i * g->pJ;
        int r = g->K + i, h = g->pJ / 2;
        fx_vec3 n = fx_v3_unit(fx_v3_sub(top[h], bot[h]));
        fx_vec3 mid = g->pJ % 2 ? bot[h] : fx_v3_scale(fx_v3_add(bot[h - 1], bot[h]), 0.5);
        g->N[r] = n;
        g->C[r] = fx_v3_sub(mid, fx_v3_scale(n, offset_mm));
        g->B[r] = fx_v3_unit(perp(fx_v3_sub(bot[g->pJ - 1], bot[0]), n));
    }
}

/* An overhang column's underside: the bone under it lifted by the plate's
 * offset and thickness where that is higher (the bone rises beside the
 * plate), else the plate's top continued straight across from its edge (the
 * bone falls away, or ends: projecting onto its edge would stack columns). */
static fx_vec3 overhang(const struct body *g, int r, int j, fx_vec3 edge, const fx_bvh *bone,
                        double lift_mm)
{
    double u = col_u(g, j), du = u < 0 ? u + g->width_mm / 2 : u - g->width_mm / 2;
    fx_vec3 straight = fx_v3_add(edge, fx_v3_scale(g->B[r], du));
    fx_vec3 lifted = fx_v3_add(on_bone(bone, fx_v3_add(g->C[r], fx_v3_scale(g->B[r], u)), NULL),
                               fx_v3_scale(g->N[r], lift_mm));
    return fx_v3_dot(fx_v3_sub(lifted, straight), g->N[r]) > 1e-9 ? lifted : straight;
}

/* Over the plate: underside on the plate's top, and the overhang. */
static void fill_plate_rows(struct body *g, const fx_mesh *pm, const fx_plan_plate *spec,
                            const fx_bvh *bone, double thickness_mm)
{
    const fx_vec3 *ptop = pm->v + (size_t)g->pn * g->pJ;
    double lift = spec->offset_mm + spec->thickness_mm;
    for (int i = 0; i < g->pn; i++) {
        int r = g->K + i;
        for (int j = 0; j < g->J; j++) {
            fx_vec3 *b = &g->bot[r * g->J + j];
            if (j >= g->M && j < g->M + g->pJ)
                *b = ptop[i * g->pJ + j - g->M];
            else
                *b = overhang(g, r, j, ptop[i * g->pJ + (j < g->M ? 0 : g->pJ - 1)], bone, lift);
            g->top[r * g->J + j] = fx_v3_add(*b, fx_v3_scale(g->N[r], thickness_mm));
        }
    }
}

/* Extension rows beyond plate end `e` (0: before the first row, 1: after the
 * last): centres stepped along the end tangent and projected onto the bone,
 * normals averaged over each row's bone triangles and then along the rows,
 * underside on the bone, top at the body's height. */
static int fill_extension(struct body *g, int e, const fx_mesh *bm, const fx_bvh *bone,
                          double height_mm, int win, fx_error *err)
{
    int r0 = e ? g->K + g->pn - 1 : g->K, step = e ? 1 : -1;
    fx_vec3 T = fx_v3_unit(perp(fx_v3_sub(g->C[r0], g->C[r0 - step]), g->N[r0]));
    fx_vec3 *raw = malloc((size_t)(g->K + 1) * sizeof(*raw));

    if (!raw)
        return fx_fail(err, FX_ENOMEM, "cannot allocate the guide's extensions");
    raw[0] = g->N[r0];
    for (int k = 1; k <= g->K; k++) {
        int r = r0 + step * k;
        fx_vec3 acc = fx_v3(0, 0, 0);
        g->C[r] = on_bone(bone, fx_v3_add(g->C[r0], fx_v3_scale(T, k * g->ds_ext_mm)), NULL);
        for (int j = 0; j < g->J; j++) {
            fx_closest cl;
            on_bone(bone, fx_v3_add(g->C[r], fx_v3_scale(g->B[r0], col_u(g, j))), &cl);
            acc = fx_v3_add(acc, face_normal(bm, cl.tri));
        }
        raw[k] = fx_v3_unit(acc);
    }
    for (int k = 1; k <= g->K; k++) {
        int r = r0 + step * k;
        fx_vec3 acc = fx_v3(0, 0, 0);
        for (int m = k - win; m <= k + win; m++)
            acc = fx_v3_add(acc, raw[m < 0 ? 0 : m > g->K ? g->K : m]);
        g->N[r] = fx_v3_unit(acc);
        g->B[r] = fx_v3_unit(fx_v3_cross(g->N[r], perp(T, g->N[r])));
        if (fx_v3_dot(g->B[r], g->B[r0]) < 0)
            g->B[r] = fx_v3_scale(g->B[r], -1);
        for (int j = 0; j < g->J; j++) {
            fx_vec3 b = on_bone(bone, fx_v3_add(g->C[r], fx_v3_scale(g->B[r], col_u(g, j))), NULL);
            g->bot[r * g->J + j] = b;
            g->top[r * g->J + j] = fx_v3_add(b, fx_v3_scale(g->N[r], height_mm));
        }
    }
    free(raw);
    return FX_OK;
}

/* Frame (u, v) perpendicular to unit w, with (u, v, w) right-handed. */
static void axis_frame(fx_vec3 w, fx_vec3 *u, fx_vec3 *v)
{
    fx_vec3 helper = fabs(w.x) < 0.9 ? fx_v3(1, 0, 0) : fx_v3(0, 1, 0);
    *u = fx_v3_unit(fx_v3_cross(helper, w));
    *v = fx_v3_cross(w, *u);
}

static void cell_corners(const struct body *g, int i, int j, fx_vec3 b[4], fx_vec3 t[4])
{
    int idx[4] = {i * g->J + j, (i + 1) * g->J + j, (i + 1) * g->J + j + 1, i * g->J + j + 1};
    for (int k = 0; k < 4; k++)
        b[k] = g->bot[idx[k]], t[k] = g->top[idx[k]];
}

static double cross2(const double o[2], const double a[2], const double b[2])
{
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

static int by_xy(const void *pa, const void *pb)
{
    const double *a = pa, *b = pb;
    return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : (a[1] > b[1]) - (a[1] < b[1]);
}

/* Distance from the origin to the convex hull of n <= 8 points of the plane
 * (0 inside): Andrew's monotone chain, then the nearest hull edge. */
static double hull_distance(double p[][2], int n)
{
    double h[17][2], best = INFINITY;
    int k = 0, inside = 1;

    qsort(p, (size_t)n, sizeof(p[0]), by_xy);
    for (int i = 0; i < n; i++) {
        while (k >= 2 && cross2(h[k - 2], h[k - 1], p[i]) <= 0)
            k--;
        h[k][0] = p[i][0], h[k][1] = p[i][1], k++;
    }
    for (int i = n - 2, lo = k + 1; i >= 0; i--) {
        while (k >= lo && cross2(h[k - 2], h[k - 1], p[i]) <= 0)
            k--;
        h[k][0] = p[i][0], h[k][1] = p[i][1], k++;
    }
    for (int i = 0; i + 1 < k; i++) { /* h[k-1] repeats h[0]; counter-clockwise */
        const double *a = h[i], *b = h[i + 1], o[2] = {0, 0};
        double ex = b[0] - a[0], ey = b[1] - a[1], ee = ex * ex + ey * ey;
        double s = ee > 0 ? fmin(fmax(-(a[0] * ex + a[1] * ey) / ee, 0), 1) : 0;
        best = fmin(best, hypot(a[0] + s * ex, a[1] + s * ey));
        inside &= cross2(a, b, o) >= 0;
    }
    return inside && k >= 4 ? 0 : best;
}

/* Remove the cells that the cylinder of radius r_mm about the axis a + t u
 * meets: a cell lies within the convex hull of its 8 corners, so it is cut
 * when that hull, seen along the axis, comes within r_mm of it. Returns the
 * number removed; *reach_mm gets the farthest corner of a removed cell from
 * the axis. */
static int cut_hole(struct body *g, fx_vec3 a, fx_vec3 u, double r_mm, double *reach_mm)
{
    fx_vec3 e1, e2;
    int cut = 0;

    axis_frame(u, &e1, &e2);
    *reach_mm = 0;
    for (int i = 0; i + 1 < g->n; i++)
        for (int j = 0; j + 1 < g->J; j++) {
            fx_vec3 c[8];
            double q[8][2];
            cell_corners(g, i, j, c, c + 4);
            for (int k = 0; k < 8; k++) {
                fx_vec3 d = fx_v3_sub(c[k], a);
                q[k][0] = fx_v3_dot(d, e1), q[k][1] = fx_v3_dot(d, e2);
            }
            if (hull_distance(q, 8) >= r_mm)
                continue;
            cut += !g->gone[i * (g->J - 1) + j];
            g->gone[i * (g->J - 1) + j] = 1;
            for (int k = 0; k < 8; k++)
                *reach_mm = fmax(*reach_mm, fx_v3_norm(perp(fx_v3_sub(c[k], a), u)));
        }
    return cut;
}

/* K-wire holes in the extensions, `inset` beyond the plate's ends, along
 * the bone's normal there. */
static int kwires(struct body *g, const fx_bvh *bone, const fx_guide_opts *o, fx_guide_info *info,
                  fx_error *err)
{
    double r = o->kwire_mm / 2, reach;
    if (!(o->kwire_mm > 0))
        return FX_OK;
    if (o->kwire_inset_mm < r + 1 || o->kwire_inset_mm > o->extension_mm - r - 1)
        return fx_fail(err, FX_EINVAL,
                       "a %.1f mm k-wire hole %.1f mm beyond the plate's end "
                       "needs an extension of at least %.1f mm (it is %.1f mm)",
                       o->kwire_mm, o->kwire_inset_mm, o->kwire_inset_mm + r + 1, o->extension_mm);
    for (int e = 0; e < 2; e++) {
        int r0 = e ? g->K + g->pn - 1 : g->K, step = e ? 1 : -1;
        int k = (int)lround(o->kwire_inset_mm / g->ds_ext_mm);
        fx_vec3 T = fx_v3_unit(perp(fx_v3_sub(g->C[r0], g->C[r0 - step]), g->N[r0]));
        k = k < 1 ? 1 : k > g->K ? g->K : k;
        info->kwire_dir[e] = g->N[r0 + step * k];
        info->kwire_point[e] =
            on_bone(bone, fx_v3_add(g->C[r0], fx_v3_scale(T, o->kwire_inset_mm)), NULL);
        info->cells_removed += cut_hole(g, info->kwire_point[e], info->kwire_dir[e], r, &reach);
        info->kwires++;
    }
    return FX_OK;
}

/* An end of a hollow prism: the plane through the axis point a + t w with
 * normal n (n = w: a square end). */
struct cap {
    double t;
    fx_vec3 n;
};

/* A hollow prism about the axis a + t w between two end planes: rings outer
 * bottom, outer top, inner bottom, inner top (each ring vertex moved along
 * the axis onto its end's plane, so the radii stay exact), then the faces. */
static int tube(fx_mesh *m, fx_vec3 a, fx_vec3 w, struct cap c0, struct cap c1, double ri,
                double ro, int S, fx_error *err)
{
    const double rad[4] = {ro, ro, ri, ri};
    const struct cap *end[4] = {&c0, &c1, &c0, &c1};
    uint32_t base = (uint32_t)m->nv;
    fx_vec3 u, v;
    int rc = FX_OK;

    axis_frame(w, &u, &v);
    for (int ring = 0; ring < 4 && !rc; ring++)
        for (int k = 0; k < S && !rc; k++) {
            double th = 2 * M_PI * k / S;
            fx_vec3 off =
                fx_v3_add(fx_v3_scale(u, rad[ring] * cos(th)), fx_v3_scale(v, rad[ring] * sin(th)));
            double t = end[ring]->t - fx_v3_dot(off, end[ring]->n) / fx_v3_dot(w, end[ring]->n);
            rc = fx_mesh_add_vertex(m, fx_v3_add(fx_v3_add(a, fx_v3_scale(w, t)), off), NULL, err);
        }
    for (int k = 0; k < S && !rc; k++) {
        uint32_t k1 = (uint32_t)((k + 1) % S);
        uint32_t ob = base + k, ob1 = base + k1, ot = ob + S, ot1 = ob1 + S;
        uint32_t ib = ob + 2 * S, ib1 = ob1 + 2 * S, it = ob + 3 * S, it1 = ob1 + 3 * S;
        const uint32_t tri[8][3] = {{ob, ob1, ot1}, {ob, ot1, ot}, {ib, it1, ib1}, {ib, it, it1},
                                    {ot, ot1, it1}, {ot, it1, it}, {ob, ib1, ob1}, {ob, ib, ib1}};
        for (int f = 0; f < 8 && !rc; f++)
            rc = fx_mesh_add_triangle(m, tri[f][0], tri[f][1], tri[f][2], err);
    }
    return rc;
}

/* One screw's sleeve: where its axis crosses the body over the plate, the
 * bore cut out of the body and the hollow prism added, its bottom on the
 * plate's top (the tangent plane where the axis meets it). The cut is made of
 * whole cell columns, so for an oblique screw it reaches farther from the axis
 * (by up to the body's thickness times the sine of the tilt); where the
 * sleeve's wall does not cover it, a collar as wide as the cut fills the body
 * between its underside and top planes. */
static int sleeve(struct body *g, const fx_plan_screw *s, const char *plate, const fx_guide_opts *o,
                  fx_mesh *out, fx_guide_info *info, fx_error *err)
{
    fx_vec3 w = fx_v3_scale(s->dir, -1);
    double best = INFINITY, ro = o->sleeve_outer_mm / 2, ri = o->sleeve_inner_mm / 2, reach;
    int rb = 0, jb = 0, rc;

    for (int r = g->K; r < g->K + g->pn; r++)
        for (int j = g->M; j < g->M + g->pJ; j++) {
            double d = fx_v3_norm(perp(fx_v3_sub(g->bot[r * g->J + j], s->entry), w));
            if (d < best)
                best = d, rb = r, jb = j;
        }
    fx_vec3 N = g->N[rb], p = g->bot[rb * g->J + jb];
    double c = fx_v3_dot(w, N);
    if (best > 2 * fmax(g->ds_ext_mm, g->width_mm / (g->pJ - 1)))
        return fx_fail(err, FX_EINVAL,
                       "screw '%s' does not pass through plate '%s' "
                       "(its axis misses it by %.1f mm)",
                       s->name, plate, best);
    if (c < cos(60 * M_PI / 180))
        return fx_fail(err, FX_EINVAL,
                       "screw '%s' meets plate '%s' at %.0f deg to its "
                       "normal; a sleeve can seat at up to 60 deg",
                       s->name, plate, acos(fmax(-1, fmin(1, c))) * 180 / M_PI);
    double t_under = fx_v3_dot(fx_v3_sub(p, s->entry), N) / c;
    double t_top = t_under + o->thickness_mm / c;
    struct cap under = {t_under, N}, top = {t_top, N}, end = {t_top + o->sleeve_length_mm, w};
    info->cells_removed += cut_hole(g, s->entry, w, ri, &reach);
    rc = tube(out, s->entry, w, under, end, ri, ro, o->sleeve_segments, err);
    if (!rc && reach > ro) {
        double rcol = reach / cos(M_PI / o->sleeve_segments) + 1e-6; /* the prism's flats too */
        /* its bore lies inside the sleeve's wall, so the two share no point
         * (an STL, welded by coordinates, keeps them two closed surfaces) */
        rc = tube(out, s->entry, w, under, top, (ri + ro) / 2, rcol, o->sleeve_segments, err);
        info->collars++;
    }
    info->sleeves++;
    return rc;
}

/* Neighbour across each edge of a cell, for the corner order used. */
static const int nbr_ccw[4][2] = {{0, -1}, {1, 0}, {0, 1}, {-1, 0}};
static const int nbr_flip[4][2] = {{-1, 0}, {0, 1}, {1, 0}, {0, -1}};

static int kept(const struct body *g, int i, int j)
{
    return i >= 0 && j >= 0 && i + 1 < g->n && j + 1 < g->J && !g->gone[i * (g->J - 1) + j];
}

/* Top, underside and the walls on edges with no kept neighbour. Corners go
 * counter-clockwise seen from above (along N), so the winding is outward by
 * construction, whatever the shape. */
static int cell_faces(fx_mesh *m, const struct body *g, int i, int j, fx_error *err)
{
    const uint32_t nb = (uint32_t)(g->n * g->J);
    uint32_t c[4] = {(uint32_t)(i * g->J + j), (uint32_t)((i + 1) * g->J + j),
                     (uint32_t)((i + 1) * g->J + j + 1), (uint32_t)(i * g->J + j + 1)};
    const int(*nbr)[2] = g->flip ? nbr_flip : nbr_ccw;
    int rc;

    if (g->flip) {
        uint32_t t = c[1];
        c[1] = c[3];
        c[3] = t;
    }
    if ((rc = fx_mesh_add_triangle(m, nb + c[0], nb + c[1], nb + c[2], err)) ||
        (rc = fx_mesh_add_triangle(m, nb + c[0], nb + c[2], nb + c[3], err)) ||
        (rc = fx_mesh_add_triangle(m, c[0], c[2], c[1], err)) ||
        (rc = fx_mesh_add_triangle(m, c[0], c[3], c[2], err)))
        return rc;
    for (int k = 0; k < 4; k++) {
        uint32_t a = c[k], b = c[(k + 1) % 4];
        if (kept(g, i + nbr[k][0], j + nbr[k][1]))
            continue;
        if ((rc = fx_mesh_add_triangle(m, a, b, nb + b, err)) ||
            (rc = fx_mesh_add_triangle(m, a, nb + b, nb + a, err)))
            return rc;
    }
    return FX_OK;
}

static int assemble(const struct body *g, fx_mesh **out, fx_error *err)
{
    int rc = fx_mesh_new(out, err);
    for (int k = 0; !rc && k < g->n * g->J; k++)
        rc = fx_mesh_add_vertex(*out, g->bot[k], NULL, err);
    for (int k = 0; !rc && k < g->n * g->J; k++)
        rc = fx_mesh_add_vertex(*out, g->top[k], NULL, err);
    for (int i = 0; !rc && i + 1 < g->n; i++)
        for (int j = 0; !rc && j + 1 < g->J; j++)
            if (kept(g, i, j))
                rc = cell_faces(*out, g, i, j, err);
    return rc;
}

/* Largest distance from the bone of the extensions' underside, at the
 * centroids of its triangles. */
static double extension_gap(const struct body *g, const fx_bvh *bone)
{
    double gap = 0;
    for (int i = 0; i + 1 < g->n; i++) {
        if (i >= g->K - 1 && i < g->K + g->pn)
            continue; /* the plate's rows and the ramps */
        for (int j = 0; j + 1 < g->J; j++) {
            fx_vec3 b[4], t[4];
            fx_closest cl;
            if (!kept(g, i, j))
                continue;
            cell_corners(g, i, j, b, t);
            for (int h = 0; h < 2; h++) {
                fx_vec3 cen = fx_v3_scale(fx_v3_add(fx_v3_add(b[0], b[2]), b[h ? 3 : 1]), 1.0 / 3);
                fx_bvh_closest(bone, cen, INFINITY, &cl);
                gap = fmax(gap, sqrt(cl.d2_mm2));
            }
        }
    }
    return gap;
}

/* Neighbouring grid vertices at one point (the bone ends under an extension,
 * and its columns or rows were projected onto the bone's edge) would give a
 * surface that is not closed once written and read back. */
static int check_folds(const struct body *g, const char *plate, fx_error *err)
{
    for (int i = 0; i < g->n; i++)
        for (int j = 0; j < g->J; j++) {
            fx_vec3 p = g->bot[i * g->J + j];
            if ((j + 1 < g->J && fx_v3_dist(p, g->bot[i * g->J + j + 1]) < 1e-3) ||
                (i + 1 < g->n && fx_v3_dist(p, g->bot[(i + 1) * g->J + j]) < 1e-3))
                return fx_fail(err, FX_EINVAL,
                               "the guide of plate '%s' folds where the bone ends under %s "
                               "(grid row %d of %d, column %d of %d); use a shorter extension "
                               "or a smaller margin",
                               plate,
                               i < g->K || i >= g->K + g->pn ? "an extension" : "its overhang",
                               i + 1, g->n, j + 1, g->J);
        }
    return FX_OK;
}

static int check(const fx_plan_plate *spec, const fx_mesh *plate, const fx_plate_info *pi,
                 const fx_guide_opts *o, fx_error *err)
{
    if (pi->rows < 3 || pi->columns < 2 || plate->nv != 2 * (size_t)pi->rows * (size_t)pi->columns)
        return fx_fail(err, FX_EINVAL,
                       "the mesh of plate '%s' is not the grid of %d x %d "
                       "its build reported",
                       spec->name, pi->rows, pi->columns);
    if (!(o->thickness_mm > 0) || o->margin_mm < 0 || o->extension_mm < 0 ||
        !(o->sleeve_inner_mm > 0) || !(o->sleeve_outer_mm > o->sleeve_inner_mm) ||
        o->sleeve_length_mm < 0 || o->sleeve_segments < 3 || o->kwire_mm < 0 ||
        o->normal_window < 0)
        return fx_fail(err, FX_EINVAL,
                       "guide of plate '%s': thickness and sleeve diameters "
                       "must be positive, the outer larger than the inner, lengths >= 0",
                       spec->name);
    return FX_OK;
}

static int setup(struct body *g, const fx_plan_plate *spec, const fx_plate_info *pi,
                 const fx_guide_opts *o, fx_error *err)
{
    double ds = pi->length_mm / (pi->rows - 1), dw = spec->width_mm / (pi->columns - 1);
    size_t nrows;

    g->pn = pi->rows, g->pJ = pi->columns;
    g->K = o->extension_mm > 0 ? (int)ceil(o->extension_mm / ds - 1e-9) : 0;
    g->M = o->margin_mm > 0 ? (int)ceil(o->margin_mm / dw - 1e-9) : 0;
    g->ds_ext_mm = g->K ? o->extension_mm / g->K : ds;
    g->width_mm = spec->width_mm, g->margin_mm = o->margin_mm;
    g->n = g->pn + 2 * g->K, g->J = g->pJ + 2 * g->M;
    nrows = (size_t)g->n;
    g->bot = malloc(nrows * g->J * sizeof(*g->bot));
    g->top = malloc(nrows * g->J * sizeof(*g->top));
    g->C = malloc(nrows * sizeof(*g->C));
    g->N = malloc(nrows * sizeof(*g->N));
    g->B = malloc(nrows * sizeof(*g->B));
    g->gone = calloc((nrows - 1) * (g->J - 1), 1);
    if (!g->bot || !g->top || !g->C || !g->N || !g->B || !g->gone)
        return fx_fail(err, FX_ENOMEM, "cannot allocate the guide of plate '%s'", spec->name);
    return FX_OK;
}

static int holes_and_sleeves(struct body *g, const fx_plan_plate *spec, const fx_plan *p,
                             const fx_bvh *bone, const fx_guide_opts *o, fx_mesh *sleeves,
                             fx_guide_info *info, fx_error *err)
{
    int rc = kwires(g, bone, o, info, err);
    for (size_t s = 0; !rc && s < p->nscrews; s++) {
        if (!strcmp(p->screws[s].plate, spec->name))
            rc = sleeve(g, &p->screws[s], spec->name, o, sleeves, info, err);
    }
    return rc;
}

int fx_guide_build(const fx_plan_plate *spec, const fx_plan *p, const fx_mesh *plate,
                   const fx_plate_info *pinfo, const fx_mesh *bone_mesh, const fx_bvh *bone,
                   const fx_guide_opts *opts, fx_guide *out, fx_guide_info *info_out, fx_error *err)
{
    fx_guide_opts def;
    fx_guide_info info;
    struct body g;
    int rc;

    if (!opts)
        fx_guide_opts_default(&def), opts = &def;
    memset(&info, 0, sizeof(info));
    memset(&g, 0, sizeof(g));
    out->body = out->sleeves = NULL;
    if ((rc = check(spec, plate, pinfo, opts, err)) || (rc = setup(&g, spec, pinfo, opts, err)))
        goto out;
    plate_frames(&g, plate, spec->offset_mm);
    fill_plate_rows(&g, plate, spec, bone, opts->thickness_mm);
    {
        int r = g.K + g.pn / 2;
        g.flip = fx_v3_dot(fx_v3_cross(fx_v3_sub(g.C[r + 1], g.C[r]), g.B[r]), g.N[r]) < 0;
    }
    for (int e = 0; !rc && g.K && e < 2; e++)
        rc = fill_extension(&g, e, bone_mesh, bone,
                            spec->offset_mm + spec->thickness_mm + opts->thickness_mm,
                            opts->normal_window, err);
    if (rc || (rc = fx_mesh_new(&out->sleeves, err)) || (rc = check_folds(&g, spec->name, err)) ||
        (rc = holes_and_sleeves(&g, spec, p, bone, opts, out->sleeves, &info, err)) ||
        (rc = assemble(&g, &out->body, err)))
        goto out;
    info.rows = g.n, info.columns = g.J, info.extension_rows = g.K;
    info.extension_gap_mm = extension_gap(&g, bone);
    if (info_out)
        *info_out = info;
out:
    if (rc)
        fx_guide_release(out);
    free(g.bot), free(g.top), free(g.C), free(g.N), free(g.B), free(g.gone);
    return rc;
}

int fx_guide_merge(const fx_guide *g, fx_mesh **out, fx_error *err)
{
    int rc = fx_mesh_clone(g->body, out, err);
    if (!rc && (rc = fx_mesh_append(*out, g->sleeves, err))) {
        fx_mesh_free(*out);
        *out = NULL;
    }
    return rc;
}

void fx_guide_release(fx_guide *g)
{
    if (!g)
        return;
    fx_mesh_free(g->body);
    fx_mesh_free(g->sleeves);
    g->body = g->sleeves = NULL;
}
