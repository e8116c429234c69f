/*
 * domeplan_face.c - a line placed on its fragments' common fracture face
 * (domeplan_int.h; method: docs/reduction-estimate.md, "From the plan and
 * the audit", step 4b).
 *
 * The grid's line is where the nearest articular surface changes part. Each
 * part's articular surface ends short of its edge by the rounding of the
 * edge in the 2 mm label map and surface model, more on the part with the
 * acute wedge (an oblique cut: T-shaped transverse cuts), and where a
 * fragment's edge was labelled as another bone (pre-op overlap with the
 * femoral head), not at all for a few millimetres. Then the line lies 1-3 mm
 * towards that part and bends with the model's edge. The fracture faces of
 * the two parts, 1-8 mm under the articular surface, lie on the cut itself
 * (both are the same voxel boundary, moved back by their reduction poses). So
 * where both parts' faces near the line fit one plane (weighted least
 * squares, trimmed), the line is that plane's circle on the joint sphere
 * wherever the parts on its two sides are the pair's.
 */
#include "config.h"

#include <gsl/gsl_eigen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "domeplan_int.h"

#define FACE_MIN_DEPTH_MM 1.0 /* under the articular surface: below the edge's rounding */
#define FACE_MAX_DEPTH_MM 8.0
#define FACE_MAX_COS 0.8      /* a face's normal at least 37 deg from the radial (a
                               * transverse cut 8 mm below the top: 47 deg) */
#define FACE_REACH_MM 10.0    /* face points this near a line sample of the pair */
#define FACE_BAND_MM 4.0      /* first inlier band about the line samples' plane */
#define FACE_MAX_RMS_MM 0.75  /* the faces fit one plane */
#define FACE_MIN_AREA_MM2 15.0 /* each part's face area among the inliers */
#define FACE_MAX_SPLIT_MM 1.0 /* the two parts' faces on the same plane */
#define FACE_REPLACE_MM 5.0   /* grid samples of the pair this near the plane go */
#define FACE_PROBE_MM 6.0     /* how far across the circle the parts are looked for */
#define MIN_PAIR_SAMPLES 8

typedef struct face_pt {
    fx_vec3 c;
    double w; /* triangle area, mm^2 */
    int side; /* 0: part a, 1: part b */
} face_pt;

typedef struct plane {
    fx_vec3 q, m;
    double rms;
} plane;

/* Weighted least-squares plane (least principal axis) of points p (weights
 * w, use[i] set); 0 when fewer than 3 points. */
static int fit_plane(const fx_vec3 *p, const double *w, const int *use, size_t n, plane *out)
{
    double W = 0, c[9] = {0};
    fx_vec3 q = fx_v3(0, 0, 0);
    for (size_t i = 0; i < n; i++)
        if (use[i])
            q = fx_v3_add(q, fx_v3_scale(p[i], w[i])), W += w[i];
    if (!(W > 0))
        return 0;
    q = fx_v3_scale(q, 1.0 / W);
    for (size_t i = 0; i < n; i++) {
        if (!use[i])
            continue;
        fx_vec3 r = fx_v3_sub(p[i], q);
        double v[3] = {r.x, r.y, r.z};
        for (int k = 0; k < 9; k++)
            c[k] += w[i] * v[k / 3] * v[k % 3];
    }
    gsl_matrix_view A = gsl_matrix_view_array(c, 3, 3);
    gsl_vector *ev = gsl_vector_alloc(3);
    gsl_matrix *V = gsl_matrix_alloc(3, 3);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(3);
    int ok = ev && V && ws && !gsl_eigen_symmv(&A.matrix, ev, V, ws);
    if (ok) {
        gsl_eigen_symmv_sort(ev, V, GSL_EIGEN_SORT_VAL_ASC);
        out->q = q;
        out->m = fx_v3_unit(fx_v3(gsl_matrix_get(V, 0, 0), gsl_matrix_get(V, 1, 0),
                                  gsl_matrix_get(V, 2, 0)));
        out->rms = sqrt(fmax(0, gsl_vector_get(ev, 0)) / W);
    }
    gsl_vector_free(ev);
    gsl_matrix_free(V);
    gsl_eigen_symmv_free(ws);
    return ok;
}

/* Whether s is a line sample between parts a and b. */
static int of_pair(const line_sample *s, int a, int b)
{
    return s->a == a && s->b == b;
}

/* The faces of parts a and b under the articular surface near the pair's
 * line samples (all of them, margin included). */
static int collect_faces(const fx_domeplan *p, const dplan_grid *g, const fx_domeplan_part *parts,
                         int a, int b, face_pt **out, size_t *nout, fx_error *err)
{
    const fx_vec3 C = g->d->centre_mm;
    size_t cap = 0, n = 0;
    face_pt *f = NULL;
    for (int side = 0; side < 2; side++) {
        const fx_mesh *m = parts[side ? b : a].model;
        for (size_t t = 0; t < m->nt; t++) {
            fx_vec3 v0 = m->v[m->t[3 * t]], v1 = m->v[m->t[3 * t + 1]], v2 = m->v[m->t[3 * t + 2]];
            fx_vec3 nrm = fx_v3_cross(fx_v3_sub(v1, v0), fx_v3_sub(v2, v0));
            fx_vec3 c = fx_v3_scale(fx_v3_add(v0, fx_v3_add(v1, v2)), 1.0 / 3.0);
            fx_vec3 r = fx_v3_sub(c, C);
            double area2 = fx_v3_norm(nrm), depth = fx_v3_norm(r) - g->R;
            if (!(area2 > 0) || depth < FACE_MIN_DEPTH_MM || depth > FACE_MAX_DEPTH_MM ||
                fabs(fx_v3_dot(nrm, r)) > FACE_MAX_COS * area2 * fx_v3_norm(r))
                continue;
            int near = 0;
            for (size_t j = 0; j < p->n && !near; j++)
                near = of_pair(&p->s[j], a, b) &&
                       fx_v3_dist(p->s[j].x, c) <= FACE_REACH_MM;
            if (!near)
                continue;
            if (n == cap) {
                cap = cap ? 2 * cap : 1024;
                face_pt *nf = realloc(f, cap * sizeof(*nf));
                if (!nf) {
                    free(f);
                    return fx_fail(err, FX_ENOMEM, "cannot allocate %zu face points", cap);
                }
                f = nf;
            }
            f[n++] = (face_pt){c, 0.5 * area2, side};
        }
    }
    *out = f;
    *nout = n;
    return FX_OK;
}

/* The plane of the pair's faces, started from the plane of its line samples
 * and trimmed: *ok 0 when the faces do not fit one plane that both parts
 * share. */
static int face_plane(const fx_domeplan *p, const face_pt *f, size_t n, int a, int b, plane *pl,
                      int *ok_out, fx_error *err)
{
    size_t ns = 0;
    for (size_t j = 0; j < p->n; j++)
        ns += of_pair(&p->s[j], a, b);
    size_t cap = n > ns ? n : ns;
    fx_vec3 *x = malloc((cap + 1) * sizeof(*x));
    double *w = malloc((cap + 1) * sizeof(*w));
    int *use = malloc((cap + 1) * sizeof(*use));
    if (!x || !w || !use) {
        free(x), free(w), free(use);
        return fx_fail(err, FX_ENOMEM, "cannot allocate %zu plane points", cap);
    }
    size_t k = 0;
    for (size_t j = 0; j < p->n; j++)
        if (of_pair(&p->s[j], a, b))
            x[k] = p->s[j].x, w[k] = 1, use[k++] = 1;
    int ok = fit_plane(x, w, use, k, pl);
    double band = FACE_BAND_MM;
    for (size_t i = 0; i < n; i++)
        x[i] = f[i].c, w[i] = f[i].w;
    for (int it = 0; ok && it < 5; it++) {
        for (size_t i = 0; i < n; i++)
            use[i] = fabs(fx_v3_dot(fx_v3_sub(x[i], pl->q), pl->m)) <= band;
        ok = fit_plane(x, w, use, n, pl);
        band = fmax(1.0, 2.5 * pl->rms);
    }
    double area[2] = {0, 0}, off[2] = {0, 0};
    for (size_t i = 0; ok && i < n; i++) {
        if (!use[i])
            continue;
        area[f[i].side] += w[i];
        off[f[i].side] += w[i] * fx_v3_dot(fx_v3_sub(x[i], pl->q), pl->m);
    }
    ok = ok && pl->rms <= FACE_MAX_RMS_MM && area[0] >= FACE_MIN_AREA_MM2 &&
         area[1] >= FACE_MIN_AREA_MM2 &&
         fabs(off[0] / area[0] - off[1] / area[1]) <= FACE_MAX_SPLIT_MM;
    free(x), free(w), free(use);
    *ok_out = ok;
    return FX_OK;
}

static fx_vec3 lift(const dplan_grid *g, fx_vec3 y)
{
    return fx_v3_add(g->d->centre_mm,
                     fx_v3_scale(fx_v3_unit(fx_v3_sub(y, g->d->centre_mm)), g->R));
}

/* Whether, going from circle point x across the line (u, on the sphere,
 * sgn: which way), part `want` is met within FACE_PROBE_MM before any part
 * other than it and `other` (the other side's articular surface may reach
 * past the cut). */
static int side_is(const dplan_grid *g, fx_vec3 x, fx_vec3 u, double sgn, int want, int other)
{
    for (double t = 0.25; t <= FACE_PROBE_MM + 1e-9; t += 0.25) {
        int l = dplan_label_point(g, lift(g, fx_v3_add(x, fx_v3_scale(u, sgn * t))));
        if (l == want)
            return 1;
        if (l >= 0 && l != other)
            return 0;
    }
    return 0;
}

/* Put pair (a, b)'s line on the circle of plane pl: the pair's grid samples
 * near the plane go, circle samples (one per grid_mm of arc, within the
 * dome's height and a margin) come where a lies on the + side and b on the -
 * side. */
static int replace_line(fx_domeplan *p, const dplan_grid *g, int a, int b, plane pl,
                        fx_error *err)
{
    const fx_dome *d = g->d;
    fx_vec3 across = fx_v3(0, 0, 0);
    size_t k = 0;
    for (size_t j = 0; j < p->n; j++) {
        const line_sample *s = &p->s[j];
        if (of_pair(s, a, b))
            across = fx_v3_add(across, s->across);
        if (!of_pair(s, a, b) || fabs(fx_v3_dot(fx_v3_sub(s->x, pl.q), pl.m)) > FACE_REPLACE_MM)
            p->s[k++] = *s;
    }
    p->n = k;
    fx_vec3 m = fx_v3_dot(pl.m, across) < 0 ? fx_v3_scale(pl.m, -1) : pl.m;
    double sd = fx_v3_dot(fx_v3_sub(d->centre_mm, pl.q), m);
    double rad = sqrt(fmax(0, g->R * g->R - sd * sd));
    fx_vec3 cc = fx_v3_sub(d->centre_mm, fx_v3_scale(m, sd));
    fx_vec3 e1 = fx_v3_unit(fx_v3_cross(m, fabs(m.x) < 0.9 ? fx_v3(1, 0, 0) : fx_v3(0, 1, 0)));
    fx_vec3 e2 = fx_v3_cross(m, e1);
    int K = (int)ceil(2 * M_PI * rad / g->h);
    int rc = FX_OK;
    for (int i = 0; i < K && !rc && rad > 1.0; i++) {
        double t = 2 * M_PI * i / K;
        line_sample s;
        memset(&s, 0, sizeof(s));
        s.x = fx_v3_add(cc, fx_v3_add(fx_v3_scale(e1, rad * cos(t)), fx_v3_scale(e2, rad * sin(t))));
        if (fx_v3_dot(fx_v3_sub(s.x, d->centre_mm), d->axis[2]) < g->R - d->height_mm - 2.0)
            continue;
        s.n0 = fx_v3_unit(fx_v3_sub(s.x, d->centre_mm));
        s.l0 = fx_v3_unit(fx_v3_cross(s.n0, m));
        s.u0 = fx_v3_unit(fx_v3_cross(s.n0, s.l0));
        if (fx_v3_dot(s.u0, m) < 0)
            s.u0 = fx_v3_scale(s.u0, -1);
        if (!side_is(g, s.x, s.u0, +1, a, b) || !side_is(g, s.x, s.u0, -1, b, a))
            continue;
        s.across = fx_v3_scale(m, g->h);
        s.a = a;
        s.b = b;
        s.len_mm = 2 * M_PI * rad / K;
        s.in_dome = dplan_in_dome(d, s.x);
        s.ok = s.in_dome;
        s.on_face = 1;
        rc = dplan_push(p, &s, err);
    }
    return rc;
}

int dplan_face_lines(fx_domeplan *p, const dplan_grid *g, const fx_domeplan_part *parts,
                     size_t n, fx_error *err)
{
    int rc = FX_OK;
    for (size_t a = 0; a < n && !rc; a++)
        for (size_t b = 0; b < n && !rc; b++) {
            size_t in = 0;
            for (size_t j = 0; j < p->n; j++)
                in += of_pair(&p->s[j], (int)a, (int)b) && p->s[j].in_dome;
            if (in < MIN_PAIR_SAMPLES)
                continue;
            face_pt *f = NULL;
            size_t nf = 0;
            plane pl;
            if ((rc = collect_faces(p, g, parts, (int)a, (int)b, &f, &nf, err)))
                break;
            int ok = 0;
            rc = face_plane(p, f, nf, (int)a, (int)b, &pl, &ok, err);
            free(f);
            if (!rc && ok && !(rc = replace_line(p, g, (int)a, (int)b, pl, err)))
                p->face_pairs++;
        }
    return rc;
}
