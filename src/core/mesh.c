/*
 * mesh.c - the triangle surface type: growth, copies, transforms and the
 * integral quantities (area, enclosed volume, centroid).
 */
#include "config.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/mesh.h"

int fx_mesh_new(fx_mesh **out, fx_error *err)
{
    *out = calloc(1, sizeof(**out));
    return *out ? FX_OK : fx_fail(err, FX_ENOMEM, "cannot allocate a mesh");
}

void fx_mesh_free(fx_mesh *m)
{
    if (!m)
        return;
    free(m->v);
    free(m->t);
    free(m->n);
    free(m->scalar);
    free(m);
}

static int reserve(fx_mesh *m, size_t nv, size_t nt, fx_error *err)
{
    if (nv > m->cap_v) {
        size_t cap = m->cap_v ? m->cap_v : 64;
        while (cap < nv)
            cap *= 2;
        fx_vec3 *v = realloc(m->v, cap * sizeof(*v));
        if (!v)
            return fx_fail(err, FX_ENOMEM, "cannot grow a mesh to %zu vertices", cap);
        m->v = v;
        if (m->n) {
            fx_vec3 *n = realloc(m->n, cap * sizeof(*n));
            if (!n)
                return fx_fail(err, FX_ENOMEM, "cannot grow mesh normals");
            m->n = n;
        }
        if (m->scalar) {
            float *s = realloc(m->scalar, cap * sizeof(*s));
            if (!s)
                return fx_fail(err, FX_ENOMEM, "cannot grow mesh scalars");
            m->scalar = s;
        }
        m->cap_v = cap;
    }
    if (nt > m->cap_t) {
        size_t cap = m->cap_t ? m->cap_t : 64;
        while (cap < nt)
            cap *= 2;
        uint32_t *t = realloc(m->t, 3 * cap * sizeof(*t));
        if (!t)
            return fx_fail(err, FX_ENOMEM, "cannot grow a mesh to %zu triangles", cap);
        m->t = t;
        m->cap_t = cap;
    }
    return FX_OK;
}

int fx_mesh_alloc(size_t nv, size_t nt, fx_mesh **out, fx_error *err)
{
    int rc = fx_mesh_new(out, err);
    if (rc)
        return rc;
    rc = reserve(*out, nv, nt, err);
    if (rc) {
        fx_mesh_free(*out);
        *out = NULL;
        return rc;
    }
    if (nv)
        memset((*out)->v, 0, nv * sizeof(fx_vec3));
    if (nt)
        memset((*out)->t, 0, 3 * nt * sizeof(uint32_t));
    (*out)->nv = nv;
    (*out)->nt = nt;
    return FX_OK;
}

int fx_mesh_clone(const fx_mesh *m, fx_mesh **out, fx_error *err)
{
    int rc = fx_mesh_alloc(m->nv, m->nt, out, err);
    if (rc)
        return rc;
    if (m->nv)
        memcpy((*out)->v, m->v, m->nv * sizeof(fx_vec3));
    if (m->nt)
        memcpy((*out)->t, m->t, 3 * m->nt * sizeof(uint32_t));
    if (m->n) {
        (*out)->n = malloc((*out)->cap_v * sizeof(fx_vec3));
        if (!(*out)->n)
            goto nomem;
        memcpy((*out)->n, m->n, m->nv * sizeof(fx_vec3));
    }
    if (m->scalar) {
        (*out)->scalar = malloc((*out)->cap_v * sizeof(float));
        if (!(*out)->scalar)
            goto nomem;
        memcpy((*out)->scalar, m->scalar, m->nv * sizeof(float));
    }
    return FX_OK;
nomem:
    fx_mesh_free(*out);
    *out = NULL;
    return fx_fail(err, FX_ENOMEM, "cannot copy a mesh");
}

int fx_mesh_add_vertex(fx_mesh *m, fx_vec3 p, uint32_t *idx, fx_error *err)
{
    int rc = reserve(m, m->nv + 1, m->nt, err);
    if (rc)
        return rc;
    if (m->n)
        m->n[m->nv] = fx_v3(0, 0, 0);
    if (m->scalar)
        m->scalar[m->nv] = 0;
    m->v[m->nv] = p;
    if (idx)
        *idx = (uint32_t)m->nv;
    m->nv++;
    return FX_OK;
}

int fx_mesh_add_triangle(fx_mesh *m, uint32_t a, uint32_t b, uint32_t c, fx_error *err)
{
    int rc = reserve(m, m->nv, m->nt + 1, err);
    if (rc)
        return rc;
    m->t[3 * m->nt] = a;
    m->t[3 * m->nt + 1] = b;
    m->t[3 * m->nt + 2] = c;
    m->nt++;
    return FX_OK;
}

int fx_mesh_append(fx_mesh *dst, const fx_mesh *src, fx_error *err)
{
    size_t base = dst->nv;
    int rc = reserve(dst, dst->nv + src->nv, dst->nt + src->nt, err);
    if (rc)
        return rc;
    memcpy(dst->v + base, src->v, src->nv * sizeof(fx_vec3));
    if (dst->n)
        for (size_t i = 0; i < src->nv; i++)
            dst->n[base + i] = src->n ? src->n[i] : fx_v3(0, 0, 0);
    if (dst->scalar)
        for (size_t i = 0; i < src->nv; i++)
            dst->scalar[base + i] = src->scalar ? src->scalar[i] : 0.0f;
    for (size_t i = 0; i < 3 * src->nt; i++)
        dst->t[3 * dst->nt + i] = src->t[i] + (uint32_t)base;
    dst->nv += src->nv;
    dst->nt += src->nt;
    return FX_OK;
}

void fx_mesh_transform(fx_mesh *m, const fx_rigid *T)
{
    for (size_t i = 0; i < m->nv; i++) {
        m->v[i] = fx_rigid_apply(T, m->v[i]);
        if (m->n)
            m->n[i] = fx_rigid_rotate(T, m->n[i]);
    }
}

static fx_vec3 tri_cross(const fx_mesh *m, size_t t)
{
    fx_vec3 a = m->v[m->t[3 * t]], b = m->v[m->t[3 * t + 1]], c = m->v[m->t[3 * t + 2]];
    return fx_v3_cross(fx_v3_sub(b, a), fx_v3_sub(c, a));
}

int fx_mesh_compute_normals(fx_mesh *m, fx_error *err)
{
    if (!m->n) {
        m->n = calloc(m->cap_v ? m->cap_v : 1, sizeof(fx_vec3));
        if (!m->n)
            return fx_fail(err, FX_ENOMEM, "cannot allocate %zu normals", m->nv);
    }
    memset(m->n, 0, m->nv * sizeof(fx_vec3));
    for (size_t t = 0; t < m->nt; t++) {
        fx_vec3 c = tri_cross(m, t); /* length is twice the area: area weighting */
        for (int k = 0; k < 3; k++)
            m->n[m->t[3 * t + k]] = fx_v3_add(m->n[m->t[3 * t + k]], c);
    }
    for (size_t i = 0; i < m->nv; i++)
        m->n[i] = fx_v3_unit(m->n[i]);
    return FX_OK;
}

double fx_mesh_area(const fx_mesh *m)
{
    double a = 0;
    for (size_t t = 0; t < m->nt; t++)
        a += 0.5 * fx_v3_norm(tri_cross(m, t));
    return a;
}

double fx_mesh_volume(const fx_mesh *m)
{
    double vol = 0;
    for (size_t t = 0; t < m->nt; t++) {
        fx_vec3 a = m->v[m->t[3 * t]], b = m->v[m->t[3 * t + 1]], c = m->v[m->t[3 * t + 2]];
        vol += fx_v3_dot(a, fx_v3_cross(b, c));
    }
    return vol / 6.0;
}

void fx_mesh_bounds(const fx_mesh *m, fx_vec3 *lo, fx_vec3 *hi)
{
    *lo = fx_v3(DBL_MAX, DBL_MAX, DBL_MAX);
    *hi = fx_v3(-DBL_MAX, -DBL_MAX, -DBL_MAX);
    for (size_t i = 0; i < m->nv; i++) {
        fx_vec3 p = m->v[i];
        lo->x = fmin(lo->x, p.x), lo->y = fmin(lo->y, p.y), lo->z = fmin(lo->z, p.z);
        hi->x = fmax(hi->x, p.x), hi->y = fmax(hi->y, p.y), hi->z = fmax(hi->z, p.z);
    }
}

fx_vec3 fx_mesh_centroid(const fx_mesh *m)
{
    fx_vec3 acc = fx_v3(0, 0, 0);
    double total = 0;
    for (size_t t = 0; t < m->nt; t++) {
        double a = 0.5 * fx_v3_norm(tri_cross(m, t));
        fx_vec3 c = fx_v3_add(fx_v3_add(m->v[m->t[3 * t]], m->v[m->t[3 * t + 1]]),
                              m->v[m->t[3 * t + 2]]);
        acc = fx_v3_add(acc, fx_v3_scale(c, a / 3.0));
        total += a;
    }
    return total > 0 ? fx_v3_scale(acc, 1.0 / total) : acc;
}

int fx_mesh_validate(const fx_mesh *m, const char *name, fx_error *err)
{
    for (size_t i = 0; i < m->nv; i++)
        if (!isfinite(m->v[i].x) || !isfinite(m->v[i].y) || !isfinite(m->v[i].z))
            return fx_fail(err, FX_EFORMAT, "'%s': vertex %zu has a coordinate that is not a "
                           "finite number", name, i);
    for (size_t i = 0; i < 3 * m->nt; i++)
        if (m->t[i] >= m->nv)
            return fx_fail(err, FX_EFORMAT, "'%s': triangle %zu refers to vertex %u, but there "
                           "are only %zu vertices", name, i / 3, m->t[i], m->nv);
    return FX_OK;
}
