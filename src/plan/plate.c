/*
 * plate.c - sweeping a plate of constant thickness along a path on the bone,
 * conforming across its width, with walled screw holes.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/plate.h"

void fx_plate_opts_default(fx_plate_opts *o)
{
    o->step_mm = 0.5;
    o->columns = 21;
    o->hole_clearance_mm = 0.5;
    o->normal_window = 5;
}

/* Catmull-Rom point between p1 and p2 at u in [0, 1]. */
static fx_vec3 catmull(fx_vec3 p0, fx_vec3 p1, fx_vec3 p2, fx_vec3 p3, double u)
{
    double u2 = u * u, u3 = u2 * u;
    fx_vec3 r = fx_v3_scale(p1, 2);
    r = fx_v3_add(r, fx_v3_scale(fx_v3_sub(p2, p0), u));
    r = fx_v3_add(r, fx_v3_scale(fx_v3_add(fx_v3_sub(fx_v3_scale(p0, 2), fx_v3_scale(p1, 5)),
                                           fx_v3_sub(fx_v3_scale(p2, 4), p3)), u2));
    r = fx_v3_add(r, fx_v3_scale(fx_v3_add(fx_v3_sub(fx_v3_scale(p1, 3), p0),
                                           fx_v3_sub(p3, fx_v3_scale(p2, 3))), u3));
    return fx_v3_scale(r, 0.5);
}

/* The path as a dense polyline, then samples every `step` along it. */
static int resample(const fx_vec3 *p, size_t n, double step, fx_vec3 **out, int *nout,
                    double *length, fx_error *err)
{
    const int sub = 32;
    size_t nd = (n - 1) * sub + 1, k = 0;
    fx_vec3 *d = malloc(nd * sizeof(*d));
    double *s = malloc(nd * sizeof(*s));
    int rc = FX_OK;

    if (!d || !s) {
        rc = fx_fail(err, FX_ENOMEM, "cannot resample a plate path");
        goto out;
    }
    for (size_t i = 0; i + 1 < n; i++)
        for (int u = 0; u < sub; u++)
            d[k++] = catmull(p[i ? i - 1 : 0], p[i], p[i + 1], p[i + 2 < n ? i + 2 : n - 1],
                             (double)u / sub);
    d[k++] = p[n - 1];
    s[0] = 0;
    for (size_t i = 1; i < nd; i++)
        s[i] = s[i - 1] + fx_v3_dist(d[i - 1], d[i]);
    *length = s[nd - 1];
    *nout = (int)ceil(*length / step - 1e-9) + 1;
    *out = malloc((size_t)*nout * sizeof(**out));
    if (!*out) {
        rc = fx_fail(err, FX_ENOMEM, "cannot resample a plate path");
        goto out;
    }
    for (int i = 0, j = 0; i < *nout; i++) {
        double target = *length * i / (*nout - 1);
        while (j + 2 < (int)nd && s[j + 1] < target)
            j++;
        double seg = s[j + 1] - s[j], u = seg > 0 ? (target - s[j]) / seg : 0;
        (*out)[i] = fx_v3_add(d[j], fx_v3_scale(fx_v3_sub(d[j + 1], d[j]), fmin(fmax(u, 0), 1)));
    }
out:
    free(d);
    free(s);
    return rc;
}

static fx_vec3 tri_normal(const fx_mesh *m, size_t t)
{
    fx_vec3 a = m->v[m->t[3 * t]], b = m->v[m->t[3 * t + 1]], c = m->v[m->t[3 * t + 2]];
    return fx_v3_unit(fx_v3_cross(fx_v3_sub(b, a), fx_v3_sub(c, a)));
}

/* Project the centre line onto the bone; smoothed normals N, tangents T and
 * binormals B = N x T (so that T x B = N). */
static void frames(const fx_vec3 *c, int n, const fx_mesh *bm, const fx_bvh *bone, int win,
                   fx_vec3 *q, fx_vec3 *N, fx_vec3 *T, fx_vec3 *B)
{
    fx_vec3 *raw = malloc((size_t)n * sizeof(*raw));
    for (int i = 0; i < n; i++) {
        fx_closest cl;
        fx_bvh_closest(bone, c[i], INFINITY, &cl);
        q[i] = cl.point;
        raw[i] = tri_normal(bm, cl.tri);
    }
    for (int i = 0; i < n; i++) {
        fx_vec3 acc = fx_v3(0, 0, 0);
        for (int k = i - win; k <= i + win; k++)
            acc = fx_v3_add(acc, raw[k < 0 ? 0 : k >= n ? n - 1 : k]);
        N[i] = fx_v3_unit(acc);
    }
    for (int i = 0; i < n; i++) {
        fx_vec3 d = fx_v3_sub(q[i + 1 < n ? i + 1 : i], q[i > 0 ? i - 1 : i]);
        T[i] = fx_v3_unit(fx_v3_sub(d, fx_v3_scale(N[i], fx_v3_dot(d, N[i]))));
        B[i] = fx_v3_cross(N[i], T[i]);
    }
    free(raw);
}

struct grid {
    int n, J;
    fx_vec3 *bot, *top; /* n*J each, row-major: i*J + j */
    unsigned char *gone; /* (n-1)*(J-1) cells removed for holes */
};

static fx_vec3 cell_centre(const struct grid *g, int i, int j)
{
    fx_vec3 s = fx_v3(0, 0, 0);
    for (int di = 0; di < 2; di++)
        for (int dj = 0; dj < 2; dj++)
            s = fx_v3_add(s, fx_v3_add(g->bot[(i + di) * g->J + j + dj],
                                       g->top[(i + di) * g->J + j + dj]));
    return fx_v3_scale(s, 1.0 / 8);
}

static double line_distance(fx_vec3 p, fx_vec3 a, fx_vec3 dir)
{
    fx_vec3 d = fx_v3_sub(p, a);
    return fx_v3_norm(fx_v3_sub(d, fx_v3_scale(dir, fx_v3_dot(d, dir))));
}

static int cut_holes(struct grid *g, const fx_plan_plate *spec, const fx_plan *p,
                     const fx_plate_opts *o, fx_plate_info *info)
{
    for (size_t s = 0; s < p->nscrews; s++) {
        const fx_plan_screw *sc = &p->screws[s];
        int cut = 0;
        if (strcmp(sc->plate, spec->name))
            continue;
        for (int i = 0; i + 1 < g->n; i++)
            for (int j = 0; j + 1 < g->J; j++)
                if (line_distance(cell_centre(g, i, j), sc->entry, sc->dir) <=
                    sc->diameter_mm / 2 + o->hole_clearance_mm) {
                    cut += !g->gone[i * (g->J - 1) + j];
                    g->gone[i * (g->J - 1) + j] = 1;
                }
        info->holes += cut > 0;
        info->cells_removed += cut;
    }
    return FX_OK;
}

/* Two triangles a-b-c-d wound so that their normal points along `out`. */
static int quad(fx_mesh *m, uint32_t a, uint32_t b, uint32_t c, uint32_t d, fx_vec3 out,
                fx_error *err)
{
    fx_vec3 nrm = fx_v3_cross(fx_v3_sub(m->v[c], m->v[a]), fx_v3_sub(m->v[d], m->v[b]));
    int rc;
    if (fx_v3_dot(nrm, out) < 0) {
        uint32_t t = b;
        b = d;
        d = t;
    }
    if ((rc = fx_mesh_add_triangle(m, a, b, c, err)))
        return rc;
    return fx_mesh_add_triangle(m, a, c, d, err);
}

static int kept(const struct grid *g, int i, int j)
{
    return i >= 0 && j >= 0 && i + 1 < g->n && j + 1 < g->J && !g->gone[i * (g->J - 1) + j];
}

/* The faces of kept cell (i, j): top, underside, and a wall on every edge that
 * borders no kept cell (the plate's rim or a hole). */
static int cell_faces(fx_mesh *m, const struct grid *g, int i, int j, fx_error *err)
{
    const uint32_t nb = (uint32_t)(g->n * g->J);
    uint32_t c[4] = {(uint32_t)(i * g->J + j), (uint32_t)((i + 1) * g->J + j),
                     (uint32_t)((i + 1) * g->J + j + 1), (uint32_t)(i * g->J + j + 1)};
    static const int nbr[4][2] = {{0, -1}, {1, 0}, {0, 1}, {-1, 0}}; /* across edge k */
    fx_vec3 mid = cell_centre(g, i, j);
    fx_vec3 up = fx_v3_sub(g->top[c[0]], g->bot[c[0]]);
    int rc;

    if ((rc = quad(m, nb + c[0], nb + c[1], nb + c[2], nb + c[3], up, err)) ||
        (rc = quad(m, c[0], c[1], c[2], c[3], fx_v3_scale(up, -1), err)))
        return rc;
    for (int k = 0; k < 4; k++) {
        uint32_t a = c[k], b = c[(k + 1) % 4];
        if (kept(g, i + nbr[k][0], j + nbr[k][1]))
            continue;
        fx_vec3 edge_mid = fx_v3_scale(fx_v3_add(g->bot[a], g->bot[b]), 0.5);
        if ((rc = quad(m, a, b, nb + b, nb + a, fx_v3_sub(edge_mid, fx_v3_sub(mid,
                                                          fx_v3_scale(up, 0.5))), err)))
            return rc;
    }
    return FX_OK;
}

/* Grid rows across the width, projected onto the bone and lifted by the
 * offset (underside) and the thickness (top) along the centre line's normal. */
static void lay_grid(struct grid *g, const fx_vec3 *q, const fx_vec3 *N, const fx_vec3 *B,
                     const fx_plan_plate *spec, const fx_bvh *bone, fx_plate_info *info)
{
    info->max_gap_mm = 0;
    for (int i = 0; i < g->n; i++)
        for (int j = 0; j < g->J; j++) {
            double u = -spec->width_mm / 2 + spec->width_mm * j / (g->J - 1);
            fx_closest cl;
            fx_bvh_closest(bone, fx_v3_add(q[i], fx_v3_scale(B[i], u)), INFINITY, &cl);
            g->bot[i * g->J + j] = fx_v3_add(cl.point, fx_v3_scale(N[i], spec->offset_mm));
            g->top[i * g->J + j] = fx_v3_add(g->bot[i * g->J + j],
                                             fx_v3_scale(N[i], spec->thickness_mm));
            fx_bvh_closest(bone, g->bot[i * g->J + j], INFINITY, &cl);
            info->max_gap_mm = fmax(info->max_gap_mm, fabs(sqrt(cl.d2_mm2) - spec->offset_mm));
        }
}

static int assemble(const struct grid *g, fx_mesh **out, fx_error *err)
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
    if (rc) {
        fx_mesh_free(*out);
        *out = NULL;
    }
    return rc;
}

int fx_plate_build(const fx_plan_plate *spec, const fx_plan *p, const fx_mesh *bone_mesh,
                   const fx_bvh *bone, const fx_plate_opts *opts, fx_mesh **out,
                   fx_plate_info *info_out, fx_error *err)
{
    fx_plate_opts def;
    fx_plate_info info;
    struct grid g = {0};
    fx_vec3 *c = NULL, *q = NULL, *N = NULL, *T = NULL, *B = NULL;
    int n = 0, rc;

    if (!opts)
        fx_plate_opts_default(&def), opts = &def;
    memset(&info, 0, sizeof(info));
    *out = NULL;
    if (spec->npath < 2 || !(spec->width_mm > 0) || !(spec->thickness_mm > 0) ||
        spec->offset_mm < 0 || opts->columns < 2 || !(opts->step_mm > 0))
        return fx_fail(err, FX_EINVAL, "plate '%s' needs a path of at least 2 points, a "
                       "positive width and thickness and an offset >= 0", spec->name);
    if ((rc = resample(spec->path, spec->npath, opts->step_mm, &c, &n, &info.length_mm, err)))
        return rc;
    g.n = n;
    g.J = opts->columns;
    q = malloc((size_t)n * sizeof(*q)), N = malloc((size_t)n * sizeof(*N));
    T = malloc((size_t)n * sizeof(*T)), B = malloc((size_t)n * sizeof(*B));
    g.bot = malloc((size_t)n * g.J * sizeof(*g.bot));
    g.top = malloc((size_t)n * g.J * sizeof(*g.top));
    g.gone = calloc((size_t)(n - 1) * (g.J - 1) + 1, 1);
    if (!q || !N || !T || !B || !g.bot || !g.top || !g.gone) {
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate plate '%s'", spec->name);
        goto out;
    }
    frames(c, n, bone_mesh, bone, opts->normal_window, q, N, T, B);
    lay_grid(&g, q, N, B, spec, bone, &info);
    cut_holes(&g, spec, p, opts, &info);
    rc = assemble(&g, out, err);
    info.rows = n;
    info.columns = g.J;
    if (info_out)
        *info_out = info;
out:
    free(c), free(q), free(N), free(T), free(B);
    free(g.bot), free(g.top), free(g.gone);
    return rc;
}
