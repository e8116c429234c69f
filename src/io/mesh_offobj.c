/*
 * mesh_offobj.c - two line-oriented text formats: OFF (Geomview; a header
 * with counts, then vertices and polygon faces) and Wavefront OBJ ("v" and "f"
 * records; 1-based indices, negative ones counting back from the last vertex).
 * Colours, texture coordinates, groups and materials are skipped.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "meshio_int.h"

static int read_polygon(mio_text *t, fx_mesh *m, uint32_t **poly, size_t *cap, size_t nv,
                        size_t face, fx_error *err)
{
    long n;
    int rc = mio_long(t, "face vertex count", 3, 1 << 20, &n, err);
    if (rc)
        return rc;
    if ((size_t)n > *cap) {
        uint32_t *q = realloc(*poly, (size_t)n * sizeof(*q));
        if (!q)
            return fx_fail(err, FX_ENOMEM, "cannot hold a face of %ld vertices", n);
        *poly = q, *cap = (size_t)n;
    }
    for (long k = 0; k < n; k++) {
        long i;
        if ((rc = mio_long(t, "face vertex index", -(1L << 40), 1L << 40, &i, err)))
            return rc;
        if (i < 0 || (size_t)i >= nv)
            return fx_fail(err, FX_EFORMAT, "'%s' line %zu: face %zu refers to vertex %ld, but "
                           "there are only %zu vertices", t->path, t->line, face, i, nv);
        (*poly)[k] = (uint32_t)i;
    }
    return mio_add_polygon(m, *poly, (size_t)n, err);
}

static int off_need_line(mio_text *t, const char *what, size_t i, size_t n, fx_error *err)
{
    if (mio_skip_blank_lines(t, true))
        return FX_OK;
    return fx_fail(err, FX_EFORMAT, "'%s' is truncated: it ends at line %zu, before %s %zu "
                   "of the %zu its header announces", t->path, t->line, what, i, n);
}

int mio_read_off(const mio_buf *b, fx_mesh *m, fx_error *err)
{
    mio_text t = {b->path, b->data, b->data + b->len, 1};
    const char *w;
    size_t wn;
    long nv, nf, ne;
    uint32_t *poly = NULL;
    size_t cap = 0;
    int rc;

    mio_skip_blank_lines(&t, true);
    mio_word(&t, &w, &wn); /* OFF, COFF, NOFF... */
    if (mio_at_eol(&t, true))
        mio_next_line(&t), mio_skip_blank_lines(&t, true);
    if ((rc = mio_long(&t, "vertex count", 0, 0xfffffffeL, &nv, err)) ||
        (rc = mio_long(&t, "face count", 0, 0x7fffffffL, &nf, err)))
        return rc;
    if (!mio_at_eol(&t, true) && (rc = mio_long(&t, "edge count", 0, 0x7fffffffL, &ne, err)))
        return rc;
    mio_next_line(&t);
    for (long i = 0; !rc && i < nv; i++) {
        fx_vec3 p;
        char what[48];
        snprintf(what, sizeof(what), "vertex %ld", i);
        if (!(rc = off_need_line(&t, "vertex", (size_t)i, (size_t)nv, err)) &&
            !(rc = mio_double(&t, what, &p.x, err)) && !(rc = mio_double(&t, what, &p.y, err)) &&
            !(rc = mio_double(&t, what, &p.z, err)))
            rc = fx_mesh_add_vertex(m, p, NULL, err);
        mio_next_line(&t);
    }
    for (long f = 0; !rc && f < nf; f++) {
        if (!(rc = off_need_line(&t, "face", (size_t)f, (size_t)nf, err)))
            rc = read_polygon(&t, m, &poly, &cap, (size_t)nv, (size_t)f, err);
        mio_next_line(&t);
    }
    free(poly);
    if (!rc && mio_skip_blank_lines(&t, true))
        rc = fx_fail(err, FX_EFORMAT, "'%s' line %zu: more data than the header's counts "
                     "(%ld vertices, %ld faces)", b->path, t.line, nv, nf);
    return rc;
}

/* One OBJ face corner "i", "i/j", "i//k" or "i/j/k": the vertex index. */
static int obj_corner(mio_text *t, size_t nv, uint32_t *idx, fx_error *err)
{
    const char *w;
    size_t n;
    mio_word(t, &w, &n);
    char *e;
    long i = strtol(w, &e, 10);
    if (e == w || (e < w + n && *e != '/'))
        return fx_fail(err, FX_EFORMAT, "'%s' line %zu: '%.*s' is not a face corner", t->path,
                       t->line, (int)(n > 40 ? 40 : n), w);
    if (i < 0)
        i += (long)nv + 1; /* relative: -1 is the last vertex so far */
    if (i < 1 || (size_t)i > nv)
        return fx_fail(err, FX_EFORMAT, "'%s' line %zu: a face refers to vertex %.*s, but "
                       "only %zu vertices are defined so far", t->path, t->line,
                       (int)(e - w), w, nv);
    *idx = (uint32_t)(i - 1);
    return FX_OK;
}

static int obj_face(mio_text *t, fx_mesh *m, uint32_t **poly, size_t *cap, fx_error *err)
{
    size_t n = 0;
    int rc = FX_OK;
    while (!rc && !mio_at_eol(t, true)) {
        if (n == *cap) {
            uint32_t *q = realloc(*poly, (*cap * 2 + 8) * sizeof(*q));
            if (!q)
                return fx_fail(err, FX_ENOMEM, "cannot hold an OBJ face");
            *poly = q, *cap = *cap * 2 + 8;
        }
        rc = obj_corner(t, m->nv, &(*poly)[n++], err);
    }
    if (!rc && n < 3)
        rc = fx_fail(err, FX_EFORMAT, "'%s' line %zu: a face with %zu corners, fewer than 3",
                     t->path, t->line, n);
    return rc ? rc : mio_add_polygon(m, *poly, n, err);
}

static int obj_vec(mio_text *t, const char *what, fx_vec3 *p, fx_error *err)
{
    int rc = mio_double(t, what, &p->x, err);
    if (!rc)
        rc = mio_double(t, what, &p->y, err);
    return rc ? rc : mio_double(t, what, &p->z, err);
}

int mio_read_obj(const mio_buf *b, fx_mesh *m, fx_error *err)
{
    mio_text t = {b->path, b->data, b->data + b->len, 1};
    uint32_t *poly = NULL;
    fx_vec3 *vn = NULL;
    size_t cap = 0, nvn = 0, vncap = 0;
    int rc = FX_OK;
    while (!rc && mio_skip_blank_lines(&t, true)) {
        const char *w;
        size_t n;
        fx_vec3 p;
        mio_word(&t, &w, &n);
        if (n == 1 && *w == 'v') {
            if (!(rc = obj_vec(&t, "vertex", &p, err)))
                rc = fx_mesh_add_vertex(m, p, NULL, err);
        } else if (n == 2 && !memcmp(w, "vn", 2)) {
            if (nvn == vncap) {
                fx_vec3 *q = realloc(vn, (vncap * 2 + 64) * sizeof(*q));
                if (!q)
                    rc = fx_fail(err, FX_ENOMEM, "cannot hold OBJ normals");
                else
                    vn = q, vncap = vncap * 2 + 64;
            }
            if (!rc && !(rc = obj_vec(&t, "normal", &p, err)))
                vn[nvn++] = p;
        } else if (n == 1 && *w == 'f') {
            rc = obj_face(&t, m, &poly, &cap, err);
        }
        mio_next_line(&t);
    }
    if (!rc && nvn == m->nv && nvn > 0) {
        fx_vec3 *q = realloc(vn, m->cap_v * sizeof(*q));
        if (q)
            m->n = q, vn = NULL;
    }
    free(vn);
    free(poly);
    return rc;
}

int mio_write_off(FILE *fp, const fx_mesh *m, fx_error *err)
{
    (void)err;
    fprintf(fp, "OFF\n# fxaudit, millimetres\n%zu %zu 0\n", m->nv, m->nt);
    for (size_t i = 0; i < m->nv; i++)
        fprintf(fp, "%.17g %.17g %.17g\n", m->v[i].x, m->v[i].y, m->v[i].z);
    for (size_t f = 0; f < m->nt; f++)
        fprintf(fp, "3 %u %u %u\n", m->t[3 * f], m->t[3 * f + 1], m->t[3 * f + 2]);
    return FX_OK;
}

int mio_write_obj(FILE *fp, const fx_mesh *m, fx_error *err)
{
    (void)err;
    fprintf(fp, "# fxaudit, millimetres\n");
    for (size_t i = 0; i < m->nv; i++)
        fprintf(fp, "v %.17g %.17g %.17g\n", m->v[i].x, m->v[i].y, m->v[i].z);
    for (size_t i = 0; m->n && i < m->nv; i++)
        fprintf(fp, "vn %.9g %.9g %.9g\n", m->n[i].x, m->n[i].y, m->n[i].z);
    for (size_t f = 0; f < m->nt; f++) {
        const uint32_t *t = m->t + 3 * f;
        if (m->n)
            fprintf(fp, "f %u//%u %u//%u %u//%u\n", t[0] + 1, t[0] + 1, t[1] + 1, t[1] + 1,
                    t[2] + 1, t[2] + 1);
        else
            fprintf(fp, "f %u %u %u\n", t[0] + 1, t[1] + 1, t[2] + 1);
    }
    return FX_OK;
}
