/*
 * mesh_stl.c - STL, ASCII and binary. STL is a triangle soup: every facet
 * repeats its corners, so the reader welds equal coordinates into shared
 * vertices. The stored facet normals are ignored (they are often wrong) and
 * recomputed from the corners when writing.
 *
 * A file is binary when its size is exactly 84 + 50 * (the count at byte 80),
 * even if it starts with "solid" (several exporters write that), and ASCII when
 * it starts with "solid" otherwise.
 */
#include "config.h"

#include <string.h>

#include "meshio_int.h"

static bool binary_size_ok(const mio_buf *b)
{
    return b->len >= 84 &&
           84 + 50 * (uint64_t)mio_u32((const unsigned char *)b->data + 80, false) == b->len;
}

static int read_binary(const mio_buf *b, fx_mesh *m, fx_error *err)
{
    const unsigned char *d = (const unsigned char *)b->data;
    uint32_t n = mio_u32(d + 80, false);
    mio_weld *w = NULL;
    int rc = mio_weld_new(n / 2 + 3, &w, err);
    for (uint32_t f = 0; !rc && f < n; f++) {
        const unsigned char *r = d + 84 + 50 * (size_t)f + 12;
        uint32_t idx[3];
        for (int k = 0; !rc && k < 3; k++) {
            fx_vec3 p = fx_v3(mio_f32(r + 12 * k, false), mio_f32(r + 12 * k + 4, false),
                              mio_f32(r + 12 * k + 8, false));
            if (!isfinite(p.x) || !isfinite(p.y) || !isfinite(p.z))
                rc = fx_fail(err, FX_EFORMAT, "'%s': facet %u corner %d has a coordinate "
                             "that is not a finite number", b->path, f, k + 1);
            else
                rc = mio_weld_add(w, m, p, &idx[k], err);
        }
        if (!rc)
            rc = fx_mesh_add_triangle(m, idx[0], idx[1], idx[2], err);
    }
    mio_weld_free(w);
    return rc;
}

static bool word_is(const char *w, size_t n, const char *s)
{
    return n == strlen(s) && !memcmp(w, s, n);
}

/* One "facet ... endfacet" has arrived: its corners become triangles. */
static int end_facet(mio_text *t, fx_mesh *m, const uint32_t *idx, size_t n, fx_error *err)
{
    if (n < 3)
        return fx_fail(err, FX_EFORMAT, "'%s' line %zu: a facet has %zu vertices, not 3",
                       t->path, t->line, n);
    return mio_add_polygon(m, idx, n, err);
}

static int read_ascii(const mio_buf *b, fx_mesh *m, fx_error *err)
{
    mio_text t = {b->path, b->data, b->data + b->len, 1};
    mio_weld *w = NULL;
    uint32_t idx[16];
    size_t n = 0;
    bool in_facet = false, ended = false;
    int rc = mio_weld_new(b->len / 200 + 3, &w, err);

    while (!rc && mio_skip_blank_lines(&t, false)) {
        const char *word;
        size_t len;
        mio_word(&t, &word, &len);
        if (word_is(word, len, "facet")) {
            in_facet = true, n = 0;
        } else if (word_is(word, len, "vertex")) {
            fx_vec3 p;
            if (!in_facet || n == 16)
                rc = fx_fail(err, FX_EFORMAT, "'%s' line %zu: a vertex outside a facet",
                             t.path, t.line);
            if (!rc)
                rc = mio_double(&t, "vertex x", &p.x, err);
            if (!rc)
                rc = mio_double(&t, "vertex y", &p.y, err);
            if (!rc)
                rc = mio_double(&t, "vertex z", &p.z, err);
            if (!rc)
                rc = mio_weld_add(w, m, p, &idx[n++], err);
        } else if (word_is(word, len, "endfacet")) {
            rc = end_facet(&t, m, idx, n, err);
            in_facet = false;
        } else if (word_is(word, len, "endsolid")) {
            ended = true;
        } else if (word_is(word, len, "solid")) {
            ended = false;
        } else if (!word_is(word, len, "outer") && !word_is(word, len, "endloop")) {
            rc = fx_fail(err, FX_EFORMAT, "'%s' line %zu: unexpected '%.*s' in an ASCII STL",
                         t.path, t.line, (int)(len > 40 ? 40 : len), word);
        }
        mio_next_line(&t);
    }
    if (!rc && (in_facet || !ended))
        rc = fx_fail(err, FX_EFORMAT, "'%s' is truncated: it ends at line %zu inside a %s",
                     b->path, t.line, in_facet ? "facet" : "solid (no 'endsolid')");
    mio_weld_free(w);
    return rc;
}

int mio_read_stl(const mio_buf *b, fx_mesh *m, fx_error *err)
{
    if (binary_size_ok(b))
        return read_binary(b, m, err);
    bool solid = b->len >= 5 && !memcmp(b->data, "solid", 5);
    if (solid && strstr(b->data, "facet"))
        return read_ascii(b, m, err);
    if (b->len < 84)
        return fx_fail(err, FX_EFORMAT, "'%s' is truncated: %zu bytes is shorter than a "
                       "binary STL header (84 bytes)", b->path, b->len);
    uint32_t n = mio_u32((const unsigned char *)b->data + 80, false);
    return fx_fail(err, FX_EFORMAT, "'%s' is a truncated or damaged binary STL: its header "
                   "announces %u triangles (%llu bytes), but the file has %zu bytes", b->path,
                   n, 84 + 50 * (unsigned long long)n, b->len);
}

static fx_vec3 facet_normal(const fx_mesh *m, size_t f)
{
    fx_vec3 a = m->v[m->t[3 * f]], b = m->v[m->t[3 * f + 1]], c = m->v[m->t[3 * f + 2]];
    return fx_v3_unit(fx_v3_cross(fx_v3_sub(b, a), fx_v3_sub(c, a)));
}

int mio_write_stl(FILE *fp, const fx_mesh *m, const fx_meshio_opts *o, fx_error *err)
{
    if (m->nt > UINT32_MAX)
        return fx_fail(err, FX_EUNSUPPORTED, "binary STL holds at most 2^32-1 triangles");
    if (o->ascii) {
        fprintf(fp, "solid fxaudit\n");
        for (size_t f = 0; f < m->nt; f++) {
            fx_vec3 n = facet_normal(m, f);
            fprintf(fp, "  facet normal %.9g %.9g %.9g\n    outer loop\n", n.x, n.y, n.z);
            for (int k = 0; k < 3; k++) {
                fx_vec3 p = m->v[m->t[3 * f + k]];
                fprintf(fp, "      vertex %.17g %.17g %.17g\n", p.x, p.y, p.z);
            }
            fprintf(fp, "    endloop\n  endfacet\n");
        }
        fprintf(fp, "endsolid fxaudit\n");
        return FX_OK;
    }
    unsigned char head[84] = "fxaudit binary STL, millimetres";
    mio_put_u32(head + 80, (uint32_t)m->nt, false);
    fwrite(head, 1, sizeof(head), fp);
    for (size_t f = 0; f < m->nt; f++) {
        unsigned char r[50] = {0};
        fx_vec3 n = facet_normal(m, f), p[4] = {n};
        for (int k = 0; k < 3; k++)
            p[k + 1] = m->v[m->t[3 * f + k]];
        for (int k = 0; k < 4; k++) {
            mio_put_f32(r + 12 * k, (float)p[k].x, false);
            mio_put_f32(r + 12 * k + 4, (float)p[k].y, false);
            mio_put_f32(r + 12 * k + 8, (float)p[k].z, false);
        }
        fwrite(r, 1, sizeof(r), fp);
    }
    return FX_OK;
}
