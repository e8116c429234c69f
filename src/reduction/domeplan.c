/*
 * domeplan.c - gap and step-off at the dome from the plan's fragments and
 * their displacements (domeplan.h; method: docs/reduction-estimate.md,
 * "From the plan and the audit").
 *
 * The dome of the joint sphere is sampled on a square grid (grid_mm) in the
 * plane normal to S, lifted onto the sphere; each sample takes the part whose
 * articular surface (triangles facing the joint centre) is nearest (one BVH
 * over all parts). Where two 4-neighbours carry different parts, the place
 * where the nearest part changes (bisection along the edge), lifted onto the
 * sphere, is a line sample. Its tangent is the principal axis of the samples
 * of the same pair within window_mm, made tangent to the sphere, and its place
 * and direction are smoothed by a quadratic along the line (a fracture need not
 * be planar: only the local shape is used; a voxel model's faces are
 * terraced). Samples in a margin of window_mm around the dome only help those
 * inside. Where the two parts of a line show one planar fracture face under
 * the surface, the line is put on that plane instead (domeplan_face.c).
 */
#include "config.h"

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/bvh.h"
#include "fxaudit/domeplan.h"
#include "domefrag.h"
#include "domeplan_int.h"

void fx_domeplan_opts_default(fx_domeplan_opts *o)
{
    o->grid_mm = 0.25;
    o->window_mm = 12.0;
    o->max_dist_mm = 3.0;
    o->articular_deg = 30.0;
    o->face_planes = 1;
}

void fx_domeplan_free(fx_domeplan *p)
{
    if (!p)
        return;
    free(p->label);
    free(p->s);
    free(p);
}

int fx_domeplan_face_lines(const fx_domeplan *p)
{
    return p->face_pairs;
}

size_t fx_domeplan_samples(const fx_domeplan *p)
{
    return p->inside;
}

double fx_domeplan_line_mm(const fx_domeplan *p)
{
    return p->line_mm;
}

/* Part m's triangles that face the joint centre c (the bone's outward normal
 * within acos(min_cos) of the direction to c: articular surface, not a
 * fracture face or an outer cortex), appended to `all`. */
static int append_articular(fx_mesh *all, const fx_mesh *m, fx_vec3 c, double min_cos,
                            fx_error *err)
{
    int rc = FX_OK;
    for (size_t t = 0; t < m->nt && !rc; t++) {
        fx_vec3 a = m->v[m->t[3 * t]], b = m->v[m->t[3 * t + 1]], d = m->v[m->t[3 * t + 2]];
        fx_vec3 nrm = fx_v3_cross(fx_v3_sub(b, a), fx_v3_sub(d, a));
        fx_vec3 mid = fx_v3_scale(fx_v3_add(a, fx_v3_add(b, d)), 1.0 / 3.0);
        double len = fx_v3_norm(nrm) * fx_v3_dist(c, mid);
        if (!(len > 0) || fx_v3_dot(nrm, fx_v3_sub(c, mid)) < min_cos * len)
            continue;
        uint32_t i0, i1, i2;
        if (!(rc = fx_mesh_add_vertex(all, a, &i0, err)) &&
            !(rc = fx_mesh_add_vertex(all, b, &i1, err)) &&
            !(rc = fx_mesh_add_vertex(all, d, &i2, err)))
            rc = fx_mesh_add_triangle(all, i0, i1, i2, err);
    }
    return rc;
}

/* The parts' articular triangles in one BVH; first[i] is part i's first. */
static int all_parts(const fx_domeplan_part *parts, size_t n, fx_vec3 c, double min_cos,
                     size_t *first, fx_bvh **bvh, fx_error *err)
{
    fx_mesh *m = NULL;
    int rc = fx_mesh_new(&m, err);
    for (size_t i = 0; !rc && i < n; i++) {
        first[i] = m->nt;
        rc = append_articular(m, parts[i].model, c, min_cos, err);
    }
    first[n] = m ? m->nt : 0;
    if (!rc && m->nt == 0)
        rc = fx_fail(err, FX_ENOTFOUND, "no part has a surface facing the joint centre");
    if (!rc)
        rc = fx_bvh_build(m, bvh, err);
    fx_mesh_free(m);
    return rc;
}

static int part_of_triangle(const size_t *first, size_t n, size_t tri)
{
    for (size_t i = 0; i < n; i++)
        if (tri >= first[i] && tri < first[i + 1])
            return (int)i;
    return -1;
}

int dplan_push(fx_domeplan *p, const line_sample *s, fx_error *err)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 1024;
        line_sample *t = realloc(p->s, cap * sizeof(*t));
        if (!t)
            return fx_fail(err, FX_ENOMEM, "cannot allocate %zu dome line samples", cap);
        p->s = t;
        p->cap = cap;
    }
    p->s[p->n++] = *s;
    return FX_OK;
}

fx_vec3 dplan_grid_point(const dplan_grid *g, double a, double b)
{
    double z = sqrt(fmax(0, g->R * g->R - a * a - b * b));
    const fx_vec3 *ax = g->d->axis;
    return fx_v3_add(g->d->centre_mm, fx_v3_add(fx_v3_add(fx_v3_scale(ax[0], a),
                                                          fx_v3_scale(ax[1], b)),
                                                fx_v3_scale(ax[2], z)));
}

int dplan_label_point(const dplan_grid *g, fx_vec3 x)
{
    fx_closest c;
    return fx_bvh_closest(g->bvh, x, g->max_d2, &c) ? part_of_triangle(g->first, g->nparts, c.tri)
                                                    : -1;
}

static int label_at(const dplan_grid *g, double a, double b)
{
    return dplan_label_point(g, dplan_grid_point(g, a, b));
}

/* Label every grid cell with the nearest part (-1: none within max_dist,
 * -2: off the cap). */
static void label_grid(const dplan_grid *g, double rho2, int *lab)
{
    int W = 2 * g->N + 1;
    for (int j = 0; j < W; j++)
        for (int i = 0; i < W; i++) {
            double a = (i - g->N) * g->h, b = (j - g->N) * g->h;
            int *l = &lab[i + W * j];
            *l = a * a + b * b > rho2 ? -2 : label_at(g, a, b);
        }
}

int dplan_in_dome(const fx_dome *d, fx_vec3 x)
{
    fx_vec3 r = fx_v3_sub(x, d->centre_mm);
    if (fx_v3_dot(r, d->axis[2]) < d->radius_mm - d->height_mm)
        return 0;
    return fx_v3_norm(d->opening) == 0 || fx_v3_dot(r, d->opening) <= 0;
}

/* A line sample between cells (i0, j0) and (i1, j1) of parts p0 != p1. */
static int add_sample(fx_domeplan *p, const dplan_grid *g, const fx_domeplan_part *parts, int i0,
                      int j0, int p0, int i1, int j1, int p1, int edge, fx_error *err)
{
    line_sample s;
    memset(&s, 0, sizeof(s));
    double a0 = (i0 - g->N) * g->h, b0 = (j0 - g->N) * g->h;
    double a1 = (i1 - g->N) * g->h, b1 = (j1 - g->N) * g->h;
    fx_vec3 q0 = dplan_grid_point(g, a0, b0), q1 = dplan_grid_point(g, a1, b1);
    /* where along the edge the nearest part changes, to h / 256 */
    double lo = 0, hi = 1;
    for (int it = 0; it < 8; it++) {
        double t = 0.5 * (lo + hi);
        if (label_at(g, a0 + t * (a1 - a0), b0 + t * (b1 - b0)) == p0)
            lo = t;
        else
            hi = t;
    }
    double t = 0.5 * (lo + hi);
    fx_vec3 mid = dplan_grid_point(g, a0 + t * (a1 - a0), b0 + t * (b1 - b0));
    int lo0 = parts[p0].label < parts[p1].label;
    s.x = mid;
    s.a = lo0 ? p1 : p0;
    s.b = lo0 ? p0 : p1;
    s.across = lo0 ? fx_v3_sub(q1, q0) : fx_v3_sub(q0, q1);
    s.edge = edge;
    s.in_dome = dplan_in_dome(g->d, mid);
    return dplan_push(p, &s, err);
}

static int find_samples(fx_domeplan *p, const dplan_grid *g, const fx_domeplan_part *parts,
                        const int *lab, fx_error *err)
{
    int W = 2 * g->N + 1, rc = FX_OK;
    for (int j = 0; j < W && !rc; j++)
        for (int i = 0; i < W && !rc; i++) {
            int l = lab[i + W * j];
            if (l < 0)
                continue;
            if (i + 1 < W && lab[i + 1 + W * j] >= 0 && lab[i + 1 + W * j] != l)
                rc = add_sample(p, g, parts, i, j, l, i + 1, j, lab[i + 1 + W * j], 0, err);
            if (!rc && j + 1 < W && lab[i + W * (j + 1)] >= 0 && lab[i + W * (j + 1)] != l)
                rc = add_sample(p, g, parts, i, j, l, i, j + 1, lab[i + W * (j + 1)], 1, err);
        }
    return rc;
}

/* Tangent of sample k from the samples of its pair within the window: the
 * principal axis of their positions; u0 turned towards part a. */
static void tangent(fx_domeplan *p, size_t k, double window_mm, const fx_dome *d,
                    gsl_eigen_symmv_workspace *ws, gsl_matrix *A, gsl_matrix *V, gsl_vector *ev)
{
    line_sample *s = &p->s[k];
    double w2 = window_mm * window_mm, c[9] = {0};
    fx_vec3 mean = fx_v3(0, 0, 0), across = fx_v3(0, 0, 0);
    size_t m = 0;
    for (size_t j = 0; j < p->n; j++) {
        const line_sample *t = &p->s[j];
        if (t->a != s->a || t->b != s->b || fx_v3_dot(fx_v3_sub(t->x, s->x),
                                                      fx_v3_sub(t->x, s->x)) > w2)
            continue;
        mean = fx_v3_add(mean, t->x);
        across = fx_v3_add(across, t->across);
        m++;
    }
    if (m < 4)
        return;
    mean = fx_v3_scale(mean, 1.0 / (double)m);
    for (size_t j = 0; j < p->n; j++) {
        const line_sample *t = &p->s[j];
        fx_vec3 r = fx_v3_sub(t->x, mean);
        if (t->a != s->a || t->b != s->b || fx_v3_dist(t->x, s->x) > window_mm)
            continue;
        double v[3] = {r.x, r.y, r.z};
        for (int q = 0; q < 9; q++)
            c[q] += v[q / 3] * v[q % 3];
    }
    for (int q = 0; q < 9; q++)
        gsl_matrix_set(A, (size_t)(q / 3), (size_t)(q % 3), c[q]);
    gsl_eigen_symmv(A, ev, V, ws);
    gsl_eigen_symmv_sort(ev, V, GSL_EIGEN_SORT_VAL_DESC);
    fx_vec3 l = fx_v3(gsl_matrix_get(V, 0, 0), gsl_matrix_get(V, 1, 0), gsl_matrix_get(V, 2, 0));
    s->n0 = fx_v3_unit(fx_v3_sub(s->x, d->centre_mm));
    l = fx_v3_sub(l, fx_v3_scale(s->n0, fx_v3_dot(l, s->n0)));
    if (fx_v3_norm(l) < 1e-9)
        return;
    s->l0 = fx_v3_unit(l);
    s->u0 = fx_v3_unit(fx_v3_cross(s->n0, s->l0));
    if (fx_v3_dot(s->u0, across) < 0) /* towards the higher label, a */
        s->u0 = fx_v3_scale(s->u0, -1);
    s->ok = 1;
}

/* Smooth sample k's place: across-line offsets w of its pair's samples within
 * the window, fitted as w = c0 + c1 s + c2 s^2 along the tangent s (a curved
 * line), give the line's place c0 and direction l0 + c1 u0 at the sample;
 * the place is lifted onto the sphere. The model's surfaces are voxel-rough:
 * one sample's boundary point is not. */
static void smooth_place(const line_sample *orig, line_sample *s, const line_sample *all, size_t n,
                         double window_mm, const fx_dome *d)
{
    *s = *orig;
    double A[3][3] = {{0}}, b[3] = {0};
    for (size_t j = 0; j < n; j++) {
        const line_sample *t = &all[j];
        fx_vec3 r = fx_v3_sub(t->x, s->x);
        if (t->a != s->a || t->b != s->b || fx_v3_norm(r) > window_mm)
            continue;
        double q = fx_v3_dot(r, s->l0), w = fx_v3_dot(r, s->u0), f[3] = {1, q, q * q};
        for (int i = 0; i < 3; i++) {
            b[i] += f[i] * w;
            for (int k = 0; k < 3; k++)
                A[i][k] += f[i] * f[k];
        }
    }
    gsl_matrix_view Am = gsl_matrix_view_array(&A[0][0], 3, 3);
    gsl_vector_view bv = gsl_vector_view_array(b, 3);
    gsl_vector *c = gsl_vector_alloc(3);
    gsl_permutation *perm = gsl_permutation_alloc(3);
    int sg;
    if (c && perm && !gsl_linalg_LU_decomp(&Am.matrix, perm, &sg) &&
        fabs(gsl_linalg_LU_det(&Am.matrix, sg)) > 1e-9 &&
        !gsl_linalg_LU_solve(&Am.matrix, perm, &bv.vector, c)) {
        double c0 = gsl_vector_get(c, 0), c1 = gsl_vector_get(c, 1);
        fx_vec3 x = fx_v3_add(s->x, fx_v3_scale(s->u0, c0));
        fx_vec3 l = fx_v3_add(s->l0, fx_v3_scale(s->u0, c1));
        s->x = fx_v3_add(d->centre_mm, fx_v3_scale(fx_v3_unit(fx_v3_sub(x, d->centre_mm)),
                                                   d->radius_mm));
        s->n0 = fx_v3_unit(fx_v3_sub(s->x, d->centre_mm));
        l = fx_v3_sub(l, fx_v3_scale(s->n0, fx_v3_dot(l, s->n0)));
        fx_vec3 u = fx_v3_unit(fx_v3_cross(s->n0, fx_v3_unit(l)));
        s->l0 = fx_v3_unit(l);
        s->u0 = fx_v3_dot(u, s->u0) < 0 ? fx_v3_scale(u, -1) : u;
    }
    gsl_vector_free(c);
    gsl_permutation_free(perm);
}

/* The line length a sample stands for: a grid edge along L is crossed once
 * per row of the grid, so per unit of projected length |t_P| / h times, and
 * weighting it by h t_P^2 (along P: h t_L^2) sums to the projected length;
 * divided by the projected part of the tangent for the length on the sphere. */
static double length_of(const line_sample *s, const fx_vec3 *axis, double h)
{
    double tl = fx_v3_dot(s->l0, axis[0]), tp = fx_v3_dot(s->l0, axis[1]);
    double proj = sqrt(tl * tl + tp * tp);
    if (proj < 1e-6)
        return 0;
    double c = (s->edge == 0 ? tp : tl) / proj;
    return h * c * c / proj;
}

static int tangents(fx_domeplan *p, const fx_dome *d, const fx_domeplan_opts *o, fx_error *err)
{
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(3);
    gsl_matrix *A = gsl_matrix_alloc(3, 3), *V = gsl_matrix_alloc(3, 3);
    gsl_vector *ev = gsl_vector_alloc(3);
    line_sample *sm = malloc((p->n + 1) * sizeof(*sm));
    int rc = ws && A && V && ev && sm ? FX_OK
                                      : fx_fail(err, FX_ENOMEM, "cannot allocate an eigen solver");
    for (size_t k = 0; !rc && k < p->n; k++)
        if (p->s[k].in_dome && !p->s[k].on_face)
            tangent(p, k, o->window_mm, d, ws, A, V, ev);
    for (size_t k = 0; !rc && k < p->n; k++)
        if (p->s[k].ok && !p->s[k].on_face)
            smooth_place(&p->s[k], &sm[k], p->s, p->n, o->window_mm, d);
        else
            sm[k] = p->s[k];
    for (size_t k = 0; !rc && k < p->n; k++) {
        if (!p->s[k].ok)
            continue;
        p->s[k] = sm[k];
        if (!p->s[k].on_face)
            p->s[k].len_mm = length_of(&p->s[k], d->axis, o->grid_mm);
        p->line_mm += p->s[k].len_mm;
        p->inside++;
    }
    free(sm);
    gsl_eigen_symmv_free(ws);
    gsl_matrix_free(A);
    gsl_matrix_free(V);
    gsl_vector_free(ev);
    return rc;
}

int fx_domeplan_lines(const fx_dome *d, const fx_domeplan_part *parts, size_t n,
                      const fx_domeplan_opts *o, fx_domeplan **out, fx_error *err)
{
    double R = d->radius_mm, H = d->height_mm + o->window_mm + 2 * o->grid_mm;
    if (!(R > 0) || !(d->height_mm > 0) || !(o->grid_mm > 0) || n == 0)
        return fx_fail(err, FX_EINVAL, "dome lines need a joint sphere, a dome height, a grid "
                                       "and parts");
    H = fmin(H, R);
    double rho2 = R * R - (R - H) * (R - H);
    dplan_grid g = {d, o->grid_mm, R, (int)ceil(sqrt(rho2) / o->grid_mm), NULL, NULL, n,
              o->max_dist_mm * o->max_dist_mm};
    size_t W = (size_t)(2 * g.N + 1);
    size_t *first = calloc(n + 1, sizeof(*first));
    int *lab = malloc(W * W * sizeof(*lab));
    fx_domeplan *p = calloc(1, sizeof(*p));
    fx_bvh *bvh = NULL;
    int rc = first && lab && p ? FX_OK
                               : fx_fail(err, FX_ENOMEM, "cannot allocate a %zu x %zu dome grid",
                                         W, W);
    if (!rc)
        rc = all_parts(parts, n, d->centre_mm, cos(o->articular_deg * M_PI / 180), first, &bvh,
                       err);
    if (!rc && !(p->label = calloc(n, sizeof(*p->label))))
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate %zu labels", n);
    for (size_t i = 0; !rc && i < n; i++)
        p->label[i] = parts[i].label;
    if (!rc) {
        memcpy(p->axis, d->axis, sizeof(p->axis));
        g.bvh = bvh;
        g.first = first;
        label_grid(&g, rho2, lab);
        rc = find_samples(p, &g, parts, lab, err);
    }
    if (!rc && o->face_planes)
        rc = dplan_face_lines(p, &g, parts, n, err);
    if (!rc)
        rc = tangents(p, d, o, err);
    fx_bvh_free(bvh);
    free(first);
    free(lab);
    if (rc) {
        fx_domeplan_free(p);
        return rc;
    }
    *out = p;
    return FX_OK;
}

/* The line of the pair (a, b) in r; NULL when there are too many lines. */
static fx_domeplan_line *line_of(fx_domeplan_result *r, int la, int lb)
{
    for (int i = 0; i < r->nlines; i++)
        if (r->lines[i].label_a == la && r->lines[i].label_b == lb)
            return &r->lines[i];
    if (r->nlines == FX_DOMEPLAN_MAX_LINES)
        return NULL;
    fx_domeplan_line *l = &r->lines[r->nlines++];
    l->label_a = la;
    l->label_b = lb;
    return l;
}

/* One sample by docs/phantom.md: d = D_a(x) - D_b(x); n, u turned by the
 * lower label's D (b), the line by a's. */
static void measure_sample(const line_sample *s, const fx_rigid *D, const fx_vec3 *axis,
                           fx_domeplan_line *line, fx_domeplan_result *r)
{
    const fx_rigid *Da = &D[s->a], *Db = &D[s->b];
    fx_vec3 n = fx_rigid_rotate(Db, s->n0), u = fx_rigid_rotate(Db, s->u0);
    fx_vec3 la = fx_rigid_rotate(Da, s->l0);
    fx_vec3 d = fx_v3_sub(fx_rigid_apply(Da, s->x), fx_rigid_apply(Db, s->x));
    double g3 = fmax(0.0, fx_v3_dot(d, u));
    r->gap3d_mm = fmax(r->gap3d_mm, g3);
    r->step3d_mm = fmax(r->step3d_mm, fabs(fx_v3_dot(d, n)));
    r->gap_area_mm2 += g3 * s->len_mm;
    r->line_mm += s->len_mm;
    r->samples++;
    if (line) {
        line->gap3d_mm = fmax(line->gap3d_mm, g3);
        line->step3d_mm = fmax(line->step3d_mm, fabs(fx_v3_dot(d, n)));
        line->line_mm += s->len_mm;
        line->samples++;
    }
    double gk[3], sk[3];
    dfrag_plane_values(axis, d, n, u, la, gk, sk);
    for (int k = 0; k < 3; k++) {
        if (isnan(gk[k]))
            continue; /* the line runs within 30 degrees of this plane */
        r->gap_mm[k] = r->visible[k] ? fmax(r->gap_mm[k], gk[k]) : gk[k];
        r->step_mm[k] = r->visible[k] ? fmax(r->step_mm[k], sk[k]) : sk[k];
        r->visible[k]++;
    }
}

void fx_domeplan_measure(const fx_domeplan *p, const fx_rigid *D, const int *known,
                         fx_domeplan_result *out)
{
    memset(out, 0, sizeof(*out));
    for (int k = 0; k < 3; k++)
        out->gap_mm[k] = out->step_mm[k] = NAN;
    for (size_t i = 0; i < p->n; i++) {
        const line_sample *s = &p->s[i];
        if (!s->in_dome || !s->ok)
            continue;
        if (known && (!known[s->a] || !known[s->b])) {
            out->unknown++;
            continue;
        }
        measure_sample(s, D, p->axis, line_of(out, p->label[s->a], p->label[s->b]), out);
    }
}
