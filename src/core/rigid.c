/*
 * rigid.c - rigid transforms: composition, inversion, axis-angle, and the
 * 4x4 matrix form used in JSON and .tfm files.
 */
#include "config.h"

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <string.h>

#include "fxaudit/error.h"
#include "fxaudit/vec3.h"

fx_vec3 fx_v3_unit(fx_vec3 a)
{
    double n = fx_v3_norm(a);
    return n > 0 ? fx_v3_scale(a, 1.0 / n) : a;
}

double fx_v3_angle(fx_vec3 a, fx_vec3 b)
{
    /* atan2 of |a x b| and a.b stays accurate for tiny angles, where acos does not. */
    return atan2(fx_v3_norm(fx_v3_cross(a, b)), fx_v3_dot(a, b));
}

double fx_v3_axis_angle(fx_vec3 a, fx_vec3 b)
{
    double ang = fx_v3_angle(a, b);
    return ang > M_PI / 2 ? M_PI - ang : ang;
}

fx_rigid fx_rigid_identity(void)
{
    fx_rigid T = {{1, 0, 0, 0, 1, 0, 0, 0, 1}, {0, 0, 0}};
    return T;
}

fx_vec3 fx_rigid_rotate(const fx_rigid *T, fx_vec3 v)
{
    const double *r = T->r;
    return fx_v3(r[0] * v.x + r[1] * v.y + r[2] * v.z,
                 r[3] * v.x + r[4] * v.y + r[5] * v.z,
                 r[6] * v.x + r[7] * v.y + r[8] * v.z);
}

fx_vec3 fx_rigid_apply(const fx_rigid *T, fx_vec3 p)
{
    return fx_v3_add(fx_rigid_rotate(T, p), fx_v3(T->t[0], T->t[1], T->t[2]));
}

fx_rigid fx_rigid_compose(const fx_rigid *a, const fx_rigid *b)
{
    fx_rigid c;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            c.r[3 * i + j] = a->r[3 * i] * b->r[j] + a->r[3 * i + 1] * b->r[3 + j] +
                             a->r[3 * i + 2] * b->r[6 + j];
    fx_vec3 t = fx_rigid_apply(a, fx_v3(b->t[0], b->t[1], b->t[2]));
    c.t[0] = t.x;
    c.t[1] = t.y;
    c.t[2] = t.z;
    return c;
}

fx_rigid fx_rigid_inverse(const fx_rigid *T)
{
    fx_rigid inv;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            inv.r[3 * i + j] = T->r[3 * j + i];
    fx_vec3 t = fx_rigid_rotate(&inv, fx_v3(T->t[0], T->t[1], T->t[2]));
    inv.t[0] = -t.x;
    inv.t[1] = -t.y;
    inv.t[2] = -t.z;
    return inv;
}

fx_rigid fx_rigid_from_axis_angle(fx_vec3 axis, double angle_rad, fx_vec3 t)
{
    fx_vec3 u = fx_v3_unit(axis);
    double c = cos(angle_rad), s = sin(angle_rad), C = 1 - c;
    fx_rigid T = {{c + u.x * u.x * C, u.x * u.y * C - u.z * s, u.x * u.z * C + u.y * s,
                   u.y * u.x * C + u.z * s, c + u.y * u.y * C, u.y * u.z * C - u.x * s,
                   u.z * u.x * C - u.y * s, u.z * u.y * C + u.x * s, c + u.z * u.z * C},
                  {t.x, t.y, t.z}};
    return T;
}

double fx_rigid_rotation_angle(const fx_rigid *T)
{
    const double *r = T->r;
    /* sin from the skew part and cos from the trace: accurate at 0 and near pi. */
    double s = 0.5 * sqrt((r[7] - r[5]) * (r[7] - r[5]) + (r[2] - r[6]) * (r[2] - r[6]) +
                          (r[3] - r[1]) * (r[3] - r[1]));
    double c = 0.5 * (r[0] + r[4] + r[8] - 1.0);
    return atan2(s, c);
}

double fx_rigid_rotation_distance(const fx_rigid *a, const fx_rigid *b)
{
    fx_rigid ai = fx_rigid_inverse(a);
    fx_rigid d = fx_rigid_compose(&ai, b);
    return fx_rigid_rotation_angle(&d);
}

void fx_rigid_to_matrix(const fx_rigid *T, double m[16])
{
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++)
            m[4 * i + j] = T->r[3 * i + j];
        m[4 * i + 3] = T->t[i];
    }
    m[12] = m[13] = m[14] = 0;
    m[15] = 1;
}

int fx_rigid_from_matrix(const double m[16], fx_rigid *T)
{
    gsl_matrix *U = gsl_matrix_alloc(3, 3), *V = gsl_matrix_alloc(3, 3);
    gsl_vector *S = gsl_vector_alloc(3), *w = gsl_vector_alloc(3);
    int rc = FX_OK;

    if (!U || !V || !S || !w) {
        rc = FX_ENOMEM;
        goto out;
    }
    if (fabs(m[12]) > 1e-9 || fabs(m[13]) > 1e-9 || fabs(m[14]) > 1e-9 ||
        fabs(m[15] - 1) > 1e-9) {
        rc = FX_EINVAL;
        goto out;
    }
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            gsl_matrix_set(U, i, j, m[4 * i + j]);
    gsl_linalg_SV_decomp(U, V, S, w);
    /* Nearest rotation is U V^T; reject reflections and far-from-rigid input. */
    for (int i = 0; i < 3; i++) {
        if (fabs(gsl_vector_get(S, i) - 1.0) > 1e-3)
            rc = FX_EINVAL;
        for (int j = 0; j < 3; j++) {
            double s = 0;
            for (int k = 0; k < 3; k++)
                s += gsl_matrix_get(U, i, k) * gsl_matrix_get(V, j, k);
            T->r[3 * i + j] = s;
        }
        T->t[i] = m[4 * i + 3];
    }
    {
        const double *r = T->r;
        double det = r[0] * (r[4] * r[8] - r[5] * r[7]) - r[1] * (r[3] * r[8] - r[5] * r[6]) +
                     r[2] * (r[3] * r[7] - r[4] * r[6]);
        if (det < 0)
            rc = FX_EINVAL;
    }
out:
    gsl_matrix_free(U);
    gsl_matrix_free(V);
    gsl_vector_free(S);
    gsl_vector_free(w);
    return rc;
}
