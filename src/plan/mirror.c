/*
 * mirror.c - reflections across a plane, and mirrored meshes that keep their
 * outward orientation.
 */
#include "config.h"

#include "fxaudit/mirror.h"

fx_plane fx_plane_make(fx_vec3 p, fx_vec3 n)
{
    fx_plane pl;
    pl.n = fx_v3_unit(n);
    pl.d_mm = fx_v3_dot(pl.n, p);
    return pl;
}

double fx_plane_distance(fx_plane pl, fx_vec3 p) { return fx_v3_dot(pl.n, p) - pl.d_mm; }

fx_vec3 fx_plane_reflect(fx_plane pl, fx_vec3 p)
{
    return fx_v3_sub(p, fx_v3_scale(pl.n, 2 * fx_plane_distance(pl, p)));
}

double fx_plane_angle(fx_plane a, fx_plane b) { return fx_v3_axis_angle(a.n, b.n); }

fx_plane fx_plane_transform(fx_plane pl, const fx_rigid *T)
{
    fx_vec3 p = fx_v3_scale(pl.n, pl.d_mm); /* the plane's point nearest the origin */
    return fx_plane_make(fx_rigid_apply(T, p), fx_rigid_rotate(T, pl.n));
}

int fx_mesh_mirror(const fx_mesh *m, fx_plane pl, fx_mesh **out, fx_error *err)
{
    int rc = fx_mesh_clone(m, out, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < m->nv; i++) {
        (*out)->v[i] = fx_plane_reflect(pl, m->v[i]);
        if ((*out)->n) /* a normal reflects as a direction */
            (*out)->n[i] = fx_v3_sub(m->n[i], fx_v3_scale(pl.n, 2 * fx_v3_dot(pl.n, m->n[i])));
    }
    /* A reflection reverses handedness: swap two corners to keep normals out. */
    for (size_t t = 0; t < m->nt; t++) {
        uint32_t tmp = (*out)->t[3 * t + 1];
        (*out)->t[3 * t + 1] = (*out)->t[3 * t + 2];
        (*out)->t[3 * t + 2] = tmp;
    }
    return FX_OK;
}

void fx_plane_reflection_matrix(fx_plane pl, double m[16])
{
    /* S(x) = (I - 2 n n^T) x + 2 d n */
    double n[3] = {pl.n.x, pl.n.y, pl.n.z};
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++)
            m[4 * i + j] = (i == j) - 2 * n[i] * n[j];
        m[4 * i + 3] = 2 * pl.d_mm * n[i];
    }
    m[12] = m[13] = m[14] = 0;
    m[15] = 1;
}
