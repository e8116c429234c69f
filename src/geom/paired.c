/*
 * paired.c - Horn's closed-form absolute orientation (J Opt Soc Am A 4:629,
 * 1987): the rotation is the unit quaternion that is the eigenvector of the
 * largest eigenvalue of a symmetric 4x4 matrix built from the cross-covariance
 * of the centred point sets; the translation then maps one centroid onto the
 * other. A unit quaternion is always a proper rotation, so no reflection guard
 * is needed (unlike SVD methods).
 */
#include "config.h"

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>

#include "fxaudit/paired.h"

static void quat_to_rotation(const double q[4], double r[9])
{
    double w = q[0], x = q[1], y = q[2], z = q[3];
    double R[9] = {w * w + x * x - y * y - z * z, 2 * (x * y - w * z), 2 * (x * z + w * y),
                   2 * (y * x + w * z), w * w - x * x + y * y - z * z, 2 * (y * z - w * x),
                   2 * (z * x - w * y), 2 * (z * y + w * x), w * w - x * x - y * y + z * z};
    for (int i = 0; i < 9; i++)
        r[i] = R[i];
}

static int check_input(const fx_vec3 *m, const fx_vec3 *f, const double *w, size_t n,
                       fx_error *err)
{
    if (n < 3)
        return fx_fail(err, FX_EINVAL, "paired registration needs at least 3 point pairs, not %zu",
                       n);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(m[i].x + m[i].y + m[i].z + f[i].x + f[i].y + f[i].z))
            return fx_fail(err, FX_EINVAL, "point pair %zu is not finite", i + 1);
        if (w && !(w[i] >= 0 && isfinite(w[i])))
            return fx_fail(err, FX_EINVAL, "the weight of point pair %zu is not >= 0", i + 1);
    }
    return FX_OK;
}

int fx_paired_register(const fx_vec3 *moving, const fx_vec3 *fixed, const double *w, size_t n,
                       fx_rigid *out, fx_error *err)
{
    int rc = check_input(moving, fixed, w, n, err);
    if (rc)
        return rc;
    double sw = 0;
    fx_vec3 cm = {0, 0, 0}, cf = {0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1;
        sw += wi;
        cm = fx_v3_add(cm, fx_v3_scale(moving[i], wi));
        cf = fx_v3_add(cf, fx_v3_scale(fixed[i], wi));
    }
    if (!(sw > 0))
        return fx_fail(err, FX_EINVAL, "paired registration: every weight is zero");
    cm = fx_v3_scale(cm, 1 / sw), cf = fx_v3_scale(cf, 1 / sw);
    double S[3][3] = {{0}}, scale = 0;
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1;
        fx_vec3 a = fx_v3_sub(moving[i], cm), b = fx_v3_sub(fixed[i], cf);
        double av[3] = {a.x, a.y, a.z}, bv[3] = {b.x, b.y, b.z};
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
                S[r][c] += wi * av[r] * bv[c];
        scale += wi * 0.5 * (fx_v3_dot(a, a) + fx_v3_dot(b, b));
    }
    double N[16] = {
        S[0][0] + S[1][1] + S[2][2], S[1][2] - S[2][1], S[2][0] - S[0][2], S[0][1] - S[1][0],
        S[1][2] - S[2][1], S[0][0] - S[1][1] - S[2][2], S[0][1] + S[1][0], S[2][0] + S[0][2],
        S[2][0] - S[0][2], S[0][1] + S[1][0], -S[0][0] + S[1][1] - S[2][2], S[1][2] + S[2][1],
        S[0][1] - S[1][0], S[2][0] + S[0][2], S[1][2] + S[2][1], -S[0][0] - S[1][1] + S[2][2]};
    gsl_matrix_view Nv = gsl_matrix_view_array(N, 4, 4);
    gsl_vector *eval = gsl_vector_alloc(4);
    gsl_matrix *evec = gsl_matrix_alloc(4, 4);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(4);
    if (!eval || !evec || !ws) {
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate an eigen solver");
        goto out;
    }
    gsl_eigen_symmv(&Nv.matrix, eval, evec, ws);
    gsl_eigen_symmv_sort(eval, evec, GSL_EIGEN_SORT_VAL_DESC);
    /* Collinear (or coincident) points leave a rotation about their line free:
     * the two largest eigenvalues then coincide. */
    if (!(gsl_vector_get(eval, 0) - gsl_vector_get(eval, 1) > 1e-9 * scale)) {
        rc = fx_fail(err, FX_ENUMERIC, "the %zu points lie on one line (or on one point): the "
                     "rotation about it is undetermined", n);
        goto out;
    }
    double q[4];
    for (int i = 0; i < 4; i++)
        q[i] = gsl_matrix_get(evec, i, 0);
    quat_to_rotation(q, out->r);
    fx_vec3 t = fx_v3_sub(cf, fx_rigid_rotate(out, cm));
    out->t[0] = t.x, out->t[1] = t.y, out->t[2] = t.z;
out:
    gsl_vector_free(eval);
    gsl_matrix_free(evec);
    gsl_eigen_symmv_free(ws);
    return rc;
}
