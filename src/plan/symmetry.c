/*
 * symmetry.c - the symmetry plane from the registration of a model's mirror
 * image onto the model.
 */
#include "config.h"

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>
#include <math.h>
#include <string.h>

#include "fxaudit/icp.h"
#include "fxaudit/symmetry.h"

#define REFINEMENTS 3

/* The plane of the improper isometry x -> T(S(x)), S the reflection across
 * `pl`: the eigenvector of the symmetric part of its linear map with the most
 * negative eigenvalue, and d from the translation (a reflection moves a point
 * by 2(d - n.x) n, so n.b = 2d). `twist` is what is left of a rotation. */
static int plane_of(const fx_rigid *T, fx_plane pl, fx_plane *out, double *twist_deg)
{
    double A[9], b[3], H[9], n0[3] = {pl.n.x, pl.n.y, pl.n.z};
    gsl_matrix *S = gsl_matrix_alloc(3, 3), *V = gsl_matrix_alloc(3, 3);
    gsl_vector *ev = gsl_vector_alloc(3);
    gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc(3);
    int rc = FX_OK;

    if (!S || !V || !ev || !w) {
        rc = FX_ENOMEM;
        goto out;
    }
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            H[3 * i + j] = (i == j) - 2 * n0[i] * n0[j];
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++)
            A[3 * i + j] = T->r[3 * i] * H[j] + T->r[3 * i + 1] * H[3 + j] +
                           T->r[3 * i + 2] * H[6 + j];
        b[i] = T->r[3 * i] * n0[0] + T->r[3 * i + 1] * n0[1] + T->r[3 * i + 2] * n0[2];
        b[i] = 2 * pl.d_mm * b[i] + T->t[i];
    }
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            gsl_matrix_set(S, i, j, 0.5 * (A[3 * i + j] + A[3 * j + i]));
    gsl_eigen_symmv(S, ev, V, w);
    gsl_eigen_symmv_sort(ev, V, GSL_EIGEN_SORT_VAL_ASC);
    fx_vec3 n = fx_v3(gsl_matrix_get(V, 0, 0), gsl_matrix_get(V, 1, 0), gsl_matrix_get(V, 2, 0));
    if (fx_v3_dot(n, pl.n) < 0)
        n = fx_v3_scale(n, -1);
    out->n = n;
    out->d_mm = 0.5 * (n.x * b[0] + n.y * b[1] + n.z * b[2]);
    /* A times the reflection across n is a proper rotation; its angle is the twist. */
    fx_rigid rot;
    double Hn[9], nn[3] = {n.x, n.y, n.z};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            Hn[3 * i + j] = (i == j) - 2 * nn[i] * nn[j];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            rot.r[3 * i + j] = A[3 * i] * Hn[j] + A[3 * i + 1] * Hn[3 + j] +
                               A[3 * i + 2] * Hn[6 + j];
    *twist_deg = fx_rigid_rotation_angle(&rot) * 180 / M_PI;
out:
    gsl_matrix_free(S);
    gsl_matrix_free(V);
    gsl_vector_free(ev);
    if (w)
        gsl_eigen_symmv_free(w);
    return rc;
}

/* Mirror `m` across `pl`, register the mirror onto `m`, and read the plane off. */
static int try_plane(const fx_mesh *m, fx_plane pl, fx_symmetry_result *r, fx_error *err)
{
    fx_mesh *mir = NULL;
    fx_icp_opts o;
    fx_icp_result ir;
    int rc = fx_mesh_mirror(m, pl, &mir, err);

    if (rc)
        return rc;
    fx_icp_opts_default(&o);
    o.init = FX_ICP_INIT_NONE;
    o.min_overlap = 0.5;
    rc = fx_icp_align(mir, m, &o, &ir, err);
    fx_mesh_free(mir);
    if (rc)
        return rc;
    if ((rc = plane_of(&ir.T, pl, &r->plane, &r->twist_deg)))
        return fx_fail(err, rc, "cannot decompose the mirror registration");
    r->rms_mm = ir.rms_mm;
    r->inlier_fraction = ir.inlier_fraction;
    r->icp_warnings = ir.warnings;
    return FX_OK;
}

/* Planes through the centroid normal to the principal axes of the vertices,
 * and to the scanner's left-right axis (patients lie roughly straight). */
static int candidates(const fx_mesh *m, fx_plane out[4], fx_error *err)
{
    fx_vec3 c = fx_v3(0, 0, 0);
    double cov[9] = {0};
    gsl_matrix_view cv = gsl_matrix_view_array(cov, 3, 3);
    gsl_matrix *V = gsl_matrix_alloc(3, 3);
    gsl_vector *ev = gsl_vector_alloc(3);
    gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc(3);

    if (!V || !ev || !w) {
        gsl_matrix_free(V);
        gsl_vector_free(ev);
        if (w)
            gsl_eigen_symmv_free(w);
        return fx_fail(err, FX_ENOMEM, "cannot allocate the principal axes");
    }
    for (size_t i = 0; i < m->nv; i++)
        c = fx_v3_add(c, m->v[i]);
    c = fx_v3_scale(c, 1.0 / (double)m->nv);
    for (size_t i = 0; i < m->nv; i++) {
        double d[3] = {m->v[i].x - c.x, m->v[i].y - c.y, m->v[i].z - c.z};
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++)
                cov[3 * a + b] += d[a] * d[b];
    }
    gsl_eigen_symmv(&cv.matrix, ev, V, w);
    for (int k = 0; k < 3; k++)
        out[k] = fx_plane_make(c, fx_v3(gsl_matrix_get(V, 0, k), gsl_matrix_get(V, 1, k),
                                        gsl_matrix_get(V, 2, k)));
    out[3] = fx_plane_make(c, fx_v3(1, 0, 0));
    gsl_matrix_free(V);
    gsl_vector_free(ev);
    gsl_eigen_symmv_free(w);
    return FX_OK;
}

static double score(const fx_symmetry_result *r)
{
    return r->inlier_fraction >= 0.3 ? r->rms_mm / r->inlier_fraction : INFINITY;
}

int fx_symmetry_plane(const fx_mesh *m, const fx_plane *start, fx_symmetry_result *out,
                      fx_error *err)
{
    fx_plane cand[4];
    int ncand = 1, rc;
    fx_symmetry_result best, r;

    if (m->nv < 10 || m->nt < 4)
        return fx_fail(err, FX_EINVAL, "symmetry: the model has too few vertices (%zu)", m->nv);
    if (start)
        cand[0] = *start;
    else if ((rc = candidates(m, cand, err)))
        return rc;
    else
        ncand = 4;
    best.rms_mm = INFINITY;
    best.inlier_fraction = 0;
    for (int k = 0; k < ncand; k++) {
        if ((rc = try_plane(m, cand[k], &r, err)))
            return rc;
        if (score(&r) < score(&best))
            best = r;
    }
    if (!isfinite(score(&best)))
        return fx_fail(err, FX_ENUMERIC, "symmetry: no plane makes the model match its mirror "
                       "image (best inlier fraction %.2f)", best.inlier_fraction);
    /* Each pass starts closer, so the reflection chosen first matters less. */
    for (int k = 0; k < REFINEMENTS; k++) {
        if ((rc = try_plane(m, best.plane, &r, err)))
            return rc;
        best = r;
    }
    if (best.plane.n.x < 0) { /* the same plane, normal towards the patient's left */
        best.plane.n = fx_v3_scale(best.plane.n, -1);
        best.plane.d_mm = -best.plane.d_mm;
    }
    best.candidates = ncand;
    *out = best;
    return FX_OK;
}
