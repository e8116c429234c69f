/*
 * icp_init.c - preparing an ICP: cutting the chosen region out of each mesh,
 * the fixed surface's search structures and normals, the shuffled moving
 * samples, and the principal-axes start poses of the global alignment.
 */
#include "config.h"

#include <gsl/gsl_eigen.h>
#include <stdlib.h>
#include <string.h>

#include "icp_int.h"

static bool selected(const fx_mesh *m, const uint8_t *mask, const fx_icp_opts *o, size_t i)
{
    if (mask && !mask[i])
        return false;
    if (o->use_label && m->scalar && lrintf(m->scalar[i]) != o->label)
        return false;
    return true;
}

int icp_region(const fx_mesh *src, const uint8_t *mask, const fx_icp_opts *o, const char *what,
               fx_mesh **out, fx_error *err)
{
    uint32_t *map = malloc((src->nv ? src->nv : 1) * sizeof(*map));
    fx_mesh *m = NULL;
    int rc = map ? fx_mesh_new(&m, err) : fx_fail(err, FX_ENOMEM, "cannot map a region");
    for (size_t i = 0; !rc && i < src->nv; i++) {
        map[i] = UINT32_MAX;
        if (selected(src, mask, o, i))
            rc = fx_mesh_add_vertex(m, src->v[i], &map[i], err);
    }
    for (size_t t = 0; !rc && t < src->nt; t++) {
        const uint32_t *c = src->t + 3 * t;
        if (map[c[0]] != UINT32_MAX && map[c[1]] != UINT32_MAX && map[c[2]] != UINT32_MAX)
            rc = fx_mesh_add_triangle(m, map[c[0]], map[c[1]], map[c[2]], err);
    }
    if (!rc && m->nv < 3)
        rc = fx_fail(err, FX_EINVAL, "the %s mesh has %zu vertices in the chosen region; "
                     "registration needs more", what, m->nv);
    free(map);
    if (rc) {
        fx_mesh_free(m);
        m = NULL;
    }
    *out = m;
    return rc;
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_edge(const fx_mesh *m)
{
    size_t n = m->nt < 20000 ? m->nt : 20000, step = m->nt / (n ? n : 1);
    double *e = malloc((n ? n : 1) * sizeof(*e)), med = 1.0;
    if (!e || !n) {
        free(e);
        return med;
    }
    for (size_t k = 0; k < n; k++) {
        const uint32_t *t = m->t + 3 * (k * step);
        e[k] = fx_v3_dist(m->v[t[0]], m->v[t[1]]);
    }
    qsort(e, n, sizeof(*e), by_double);
    med = e[n / 2];
    free(e);
    return med;
}

int icp_fixed_prepare(const fx_mesh *fixed, const fx_icp_opts *o, icp_fixed *f, fx_error *err)
{
    memset(f, 0, sizeof(*f));
    int rc = icp_region(fixed, o->fixed_mask, o, "fixed", &f->m, err);
    if (!rc && f->m->nt == 0)
        rc = fx_fail(err, FX_EINVAL, "the fixed mesh has no triangles in the chosen region");
    if (!rc)
        rc = fx_mesh_compute_normals(f->m, err);
    if (!rc && !(f->tn = malloc(f->m->nt * sizeof(fx_vec3))))
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate triangle normals");
    for (size_t t = 0; !rc && t < f->m->nt; t++) {
        const uint32_t *c = f->m->t + 3 * t;
        fx_vec3 a = f->m->v[c[0]];
        f->tn[t] = fx_v3_unit(fx_v3_cross(fx_v3_sub(f->m->v[c[1]], a),
                                          fx_v3_sub(f->m->v[c[2]], a)));
    }
    if (!rc)
        rc = fx_kdtree_build(f->m->v, f->m->nv, &f->kd, err);
    if (!rc)
        rc = fx_bvh_build(f->m, &f->bvh, err);
    if (!rc)
        f->spacing_mm = median_edge(f->m);
    if (rc)
        icp_fixed_release(f);
    return rc;
}

void icp_fixed_release(icp_fixed *f)
{
    fx_mesh_free(f->m);
    free(f->tn);
    fx_kdtree_free(f->kd);
    fx_bvh_free(f->bvh);
    memset(f, 0, sizeof(*f));
}

int icp_moving_prepare(const fx_mesh *moving, const fx_icp_opts *o, icp_moving *mv,
                       fx_error *err)
{
    memset(mv, 0, sizeof(*mv));
    int rc = icp_region(moving, o->moving_mask, o, "moving", &mv->m, err);
    if (rc)
        return rc;
    mv->n = mv->m->nv;
    mv->p = malloc(mv->n * sizeof(fx_vec3));
    if (!mv->p) {
        icp_moving_release(mv);
        return fx_fail(err, FX_ENOMEM, "cannot allocate %zu samples", mv->n);
    }
    memcpy(mv->p, mv->m->v, mv->n * sizeof(fx_vec3));
    uint64_t s = o->seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
    for (size_t i = mv->n - 1; i > 0; i--) { /* Fisher-Yates with an xorshift generator */
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        size_t j = (size_t)(s % (i + 1));
        fx_vec3 tmp = mv->p[i];
        mv->p[i] = mv->p[j];
        mv->p[j] = tmp;
    }
    return FX_OK;
}

void icp_moving_release(icp_moving *mv)
{
    free(mv->p);
    fx_mesh_free(mv->m);
    memset(mv, 0, sizeof(*mv));
}

/* Centroid and second moments of the surface (area-weighted, exact for each
 * triangle: E[xx^T] = (aa^T + bb^T + cc^T + ss^T) / 12 with s = a + b + c), or
 * of the vertices when there are no triangles. */
static void moments(const fx_mesh *m, fx_vec3 *c, double cov[9])
{
    double w = 0, s1[3] = {0}, s2[9] = {0};
    for (size_t t = 0; t < m->nt; t++) {
        fx_vec3 v[3] = {m->v[m->t[3 * t]], m->v[m->t[3 * t + 1]], m->v[m->t[3 * t + 2]]};
        double a = 0.5 * fx_v3_norm(fx_v3_cross(fx_v3_sub(v[1], v[0]), fx_v3_sub(v[2], v[0])));
        fx_vec3 s = fx_v3_add(fx_v3_add(v[0], v[1]), v[2]);
        double sv[3] = {s.x, s.y, s.z};
        for (int i = 0; i < 3; i++)
            s1[i] += a * sv[i] / 3;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                double acc = sv[i] * sv[j];
                for (int k = 0; k < 3; k++) {
                    double p[3] = {v[k].x, v[k].y, v[k].z};
                    acc += p[i] * p[j];
                }
                s2[3 * i + j] += a * acc / 12;
            }
        w += a;
    }
    if (!(w > 0)) { /* a point set: every vertex counts once */
        memset(s1, 0, sizeof(s1));
        memset(s2, 0, sizeof(s2));
        for (size_t k = 0; k < m->nv; k++) {
            double p[3] = {m->v[k].x, m->v[k].y, m->v[k].z};
            for (int i = 0; i < 3; i++) {
                s1[i] += p[i];
                for (int j = 0; j < 3; j++)
                    s2[3 * i + j] += p[i] * p[j];
            }
        }
        w = (double)m->nv;
    }
    *c = fx_v3(s1[0] / w, s1[1] / w, s1[2] / w);
    double cv[3] = {c->x, c->y, c->z};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            cov[3 * i + j] = s2[3 * i + j] / w - cv[i] * cv[j];
}

/* Eigenvectors of a symmetric 3x3 matrix as the columns of e, largest first. */
static int axes(const double cov[9], double e[9])
{
    double a[9];
    memcpy(a, cov, sizeof(a));
    gsl_matrix_view A = gsl_matrix_view_array(a, 3, 3);
    gsl_matrix_view E = gsl_matrix_view_array(e, 3, 3);
    gsl_vector *val = gsl_vector_alloc(3);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(3);
    int rc = val && ws ? gsl_eigen_symmv(&A.matrix, val, &E.matrix, ws) : -1;
    if (!rc)
        gsl_eigen_symmv_sort(val, &E.matrix, GSL_EIGEN_SORT_VAL_DESC);
    gsl_vector_free(val);
    gsl_eigen_symmv_free(ws);
    return rc;
}

static double det3(const double m[9])
{
    return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
           m[2] * (m[3] * m[7] - m[4] * m[6]);
}

int icp_pca_candidates(const fx_mesh *moving, const fx_mesh *fixed, fx_rigid cand[4])
{
    fx_vec3 cm, cf;
    double covm[9], covf[9], em[9], ef[9];
    moments(moving, &cm, covm);
    moments(fixed, &cf, covf);
    if (moving->nv < 4 || axes(covm, em) || axes(covf, ef))
        return 0;
    int n = 0;
    for (int s = 0; s < 8; s++) {
        double sg[3] = {s & 1 ? -1 : 1, s & 2 ? -1 : 1, s & 4 ? -1 : 1}, r[9];
        /* R = Ef * S * Em^T maps moving axis k onto +-fixed axis k */
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                r[3 * i + j] = 0;
                for (int k = 0; k < 3; k++)
                    r[3 * i + j] += ef[3 * i + k] * sg[k] * em[3 * j + k];
            }
        if (det3(r) < 0)
            continue;
        memcpy(cand[n].r, r, sizeof(r));
        fx_vec3 t = fx_v3_sub(cf, fx_rigid_rotate(&cand[n], cm));
        cand[n].t[0] = t.x, cand[n].t[1] = t.y, cand[n].t[2] = t.z;
        n++;
    }
    return n;
}
