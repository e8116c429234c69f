/*
 * meshio.c - mesh files: choosing the format, and the pieces every reader and
 * writer shares (whole-file input, a line-counting text cursor, vertex welding,
 * atomic output, byte order). The formats live in mesh_stl.c, mesh_ply.c and
 * mesh_offobj.c.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fxaudit/file.h"
#include "meshio_int.h"

/* ---- whole files -------------------------------------------------------- */

int mio_slurp(const char *path, mio_buf *b, fx_error *err)
{
    memset(b, 0, sizeof(*b));
    b->path = path;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return fx_fail(err, FX_EIO, "cannot open '%s': %s", path, strerror(errno));
    size_t cap = 1 << 16, len = 0;
    char *data = malloc(cap);
    while (data) {
        if (len + 1 >= cap) {
            char *d = realloc(data, cap * 2);
            if (!d) {
                free(data);
                data = NULL;
                break;
            }
            data = d;
            cap *= 2;
        }
        size_t got = fread(data + len, 1, cap - 1 - len, fp);
        len += got;
        if (got == 0)
            break;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (!data)
        return fx_fail(err, FX_ENOMEM, "cannot hold '%s' in memory", path);
    if (bad) {
        free(data);
        return fx_fail(err, FX_EIO, "cannot read '%s'", path);
    }
    data[len] = '\0';
    b->data = data;
    b->len = len;
    return FX_OK;
}

void mio_buf_release(mio_buf *b)
{
    free(b->data);
    b->data = NULL;
}

/* ---- text cursor -------------------------------------------------------- */

static void skip_blanks(mio_text *t)
{
    while (t->p < t->end && (*t->p == ' ' || *t->p == '\t' || *t->p == '\r'))
        t->p++;
}

bool mio_at_eol(mio_text *t, bool hash_comments)
{
    skip_blanks(t);
    return t->p >= t->end || *t->p == '\n' || (hash_comments && *t->p == '#');
}

void mio_next_line(mio_text *t)
{
    while (t->p < t->end && *t->p != '\n')
        t->p++;
    if (t->p < t->end)
        t->p++;
    t->line++;
}

bool mio_skip_blank_lines(mio_text *t, bool hash_comments)
{
    while (t->p < t->end && mio_at_eol(t, hash_comments))
        mio_next_line(t);
    return t->p < t->end;
}

bool mio_word(mio_text *t, const char **w, size_t *n)
{
    if (mio_at_eol(t, false))
        return false;
    *w = t->p;
    while (t->p < t->end && !strchr(" \t\r\n", *t->p))
        t->p++;
    *n = (size_t)(t->p - *w);
    return true;
}

int mio_double(mio_text *t, const char *what, double *x, fx_error *err)
{
    if (mio_at_eol(t, false))
        return fx_fail(err, FX_EFORMAT, "'%s' line %zu: %s: a number is missing%s", t->path,
                       t->line, what, t->p >= t->end ? " (the file is truncated)" : "");
    char *e;
    double v = strtod(t->p, &e);
    if (e == t->p || (e < t->end && !strchr(" \t\r\n", *e)))
        return fx_fail(err, FX_EFORMAT, "'%s' line %zu: %s: '%.*s' is not a number", t->path,
                       t->line, what, (int)strcspn(t->p, " \t\r\n") > 40 ? 40
                       : (int)strcspn(t->p, " \t\r\n"), t->p);
    if (!isfinite(v))
        return fx_fail(err, FX_EFORMAT, "'%s' line %zu: %s: '%.*s' is not a finite number",
                       t->path, t->line, what, (int)(e - t->p), t->p);
    t->p = e;
    *x = v;
    return FX_OK;
}

int mio_long(mio_text *t, const char *what, long lo, long hi, long *x, fx_error *err)
{
    double v;
    int rc = mio_double(t, what, &v, err);
    if (rc)
        return rc;
    if (v != floor(v) || v < (double)lo || v > (double)hi)
        return fx_fail(err, FX_EFORMAT, "'%s' line %zu: %s: %g is not a whole number from "
                       "%ld to %ld", t->path, t->line, what, v, lo, hi);
    *x = (long)v;
    return FX_OK;
}

/* ---- welding ------------------------------------------------------------ */

struct mio_weld {
    size_t cap;    /* a power of two */
    uint32_t *slot; /* vertex index + 1, 0 = empty */
};

int mio_weld_new(size_t expect, mio_weld **out, fx_error *err)
{
    mio_weld *w = calloc(1, sizeof(*w));
    size_t cap = 1024;
    while (cap < 2 * expect + 16)
        cap *= 2;
    if (w)
        w->slot = calloc(cap, sizeof(*w->slot));
    if (!w || !w->slot) {
        free(w);
        return fx_fail(err, FX_ENOMEM, "cannot allocate a vertex table");
    }
    w->cap = cap;
    *out = w;
    return FX_OK;
}

void mio_weld_free(mio_weld *w)
{
    if (w)
        free(w->slot);
    free(w);
}

static uint64_t hash_vec(fx_vec3 p)
{
    uint64_t h = 1469598103934665603ull, u[3];
    double c[3] = {p.x + 0.0, p.y + 0.0, p.z + 0.0}; /* +0.0 folds -0 into 0 */
    memcpy(u, c, sizeof(u));
    for (int i = 0; i < 3; i++)
        h = (h ^ u[i]) * 1099511628211ull, h ^= h >> 29;
    return h;
}

static int weld_grow(mio_weld *w, const fx_mesh *m, fx_error *err)
{
    uint32_t *s = calloc(w->cap * 2, sizeof(*s));
    if (!s)
        return fx_fail(err, FX_ENOMEM, "cannot grow a vertex table");
    size_t mask = w->cap * 2 - 1;
    for (size_t i = 0; i < w->cap; i++) {
        if (!w->slot[i])
            continue;
        size_t k = hash_vec(m->v[w->slot[i] - 1]) & mask;
        while (s[k])
            k = (k + 1) & mask;
        s[k] = w->slot[i];
    }
    free(w->slot);
    w->slot = s;
    w->cap *= 2;
    return FX_OK;
}

int mio_weld_add(mio_weld *w, fx_mesh *m, fx_vec3 p, uint32_t *idx, fx_error *err)
{
    if (2 * m->nv + 2 > w->cap) {
        int rc = weld_grow(w, m, err);
        if (rc)
            return rc;
    }
    size_t mask = w->cap - 1, k = hash_vec(p) & mask;
    for (; w->slot[k]; k = (k + 1) & mask) {
        fx_vec3 q = m->v[w->slot[k] - 1];
        if (q.x == p.x && q.y == p.y && q.z == p.z) {
            *idx = w->slot[k] - 1;
            return FX_OK;
        }
    }
    int rc = fx_mesh_add_vertex(m, p, idx, err);
    if (!rc)
        w->slot[k] = *idx + 1;
    return rc;
}

int mio_add_polygon(fx_mesh *m, const uint32_t *idx, size_t n, fx_error *err)
{
    for (size_t k = 1; k + 1 < n; k++) {
        int rc = fx_mesh_add_triangle(m, idx[0], idx[k], idx[k + 1], err);
        if (rc)
            return rc;
    }
    return FX_OK;
}

/* ---- byte order --------------------------------------------------------- */

uint32_t mio_u32(const unsigned char *p, bool big)
{
    return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
               : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

float mio_f32(const unsigned char *p, bool big)
{
    uint32_t u = mio_u32(p, big);
    float f;
    memcpy(&f, &u, sizeof(f));
    return f;
}

void mio_put_u32(unsigned char *p, uint32_t x, bool big)
{
    for (int i = 0; i < 4; i++)
        p[big ? 3 - i : i] = (unsigned char)(x >> (8 * i));
}

void mio_put_f32(unsigned char *p, float x, bool big)
{
    uint32_t u;
    memcpy(&u, &x, sizeof(u));
    mio_put_u32(p, u, big);
}

/* ---- choosing the format ------------------------------------------------ */

const char *fx_mesh_format_name(fx_mesh_format f)
{
    static const char *names[] = {"auto", "stl", "ply", "off", "obj"};
    return (unsigned)f < 5 ? names[f] : "auto";
}

fx_mesh_format fx_mesh_format_from_path(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot || strchr(dot, '/'))
        return FX_MESH_AUTO;
    for (int f = FX_MESH_STL; f <= FX_MESH_OBJ; f++)
        if (!strcasecmp(dot + 1, fx_mesh_format_name((fx_mesh_format)f)))
            return (fx_mesh_format)f;
    return FX_MESH_AUTO;
}

static bool starts_word(const char *s, size_t len, const char *w)
{
    size_t n = strlen(w);
    return len >= n && !memcmp(s, w, n) && (len == n || strchr(" \t\r\n", s[n]));
}

/* Content first: magic words and the binary STL size rule; OBJ last, by its
 * records, since it has no header. */
static fx_mesh_format sniff(const mio_buf *b)
{
    const char *s = b->data;
    size_t i = 0;
    if (b->len >= 4 && !memcmp(s, "ply", 3) && (s[3] == '\n' || s[3] == '\r'))
        return FX_MESH_PLY;
    while (i < b->len && strchr(" \t\r\n", s[i]))
        i++;
    if (starts_word(s + i, b->len - i, "OFF") || starts_word(s + i, b->len - i, "COFF") ||
        starts_word(s + i, b->len - i, "NOFF") || starts_word(s + i, b->len - i, "CNOFF"))
        return FX_MESH_OFF;
    if (b->len >= 84 && 84 + 50 * (uint64_t)mio_u32((const unsigned char *)s + 80, false) ==
                            b->len)
        return FX_MESH_STL;
    if (starts_word(s + i, b->len - i, "solid"))
        return FX_MESH_STL;
    for (const char *p = s; p && p < s + b->len; p = strchr(p, '\n'), p = p ? p + 1 : p)
        if ((p[0] == 'v' || p[0] == 'f') && (p[1] == ' ' || p[1] == '\t'))
            return FX_MESH_OBJ;
    return FX_MESH_AUTO;
}

int fx_mesh_read(const char *path, const fx_meshio_opts *opts, fx_mesh **out, fx_error *err)
{
    fx_meshio_opts def = {0};
    const fx_meshio_opts *o = opts ? opts : &def;
    mio_buf b;
    fx_mesh *m = NULL;
    *out = NULL;
    int rc = mio_slurp(path, &b, err);
    if (rc)
        return rc;
    fx_mesh_format f = o->format ? o->format : sniff(&b);
    if (!f)
        f = fx_mesh_format_from_path(path);
    rc = fx_mesh_new(&m, err);
    if (rc)
        goto out;
    switch (f) {
    case FX_MESH_STL: rc = mio_read_stl(&b, m, err); break;
    case FX_MESH_PLY: rc = mio_read_ply(&b, o, m, err); break;
    case FX_MESH_OFF: rc = mio_read_off(&b, m, err); break;
    case FX_MESH_OBJ: rc = mio_read_obj(&b, m, err); break;
    default:
        rc = fx_fail(err, FX_EFORMAT, "'%s' is not a mesh file fxaudit reads (STL, PLY, OFF, "
                     "OBJ)%s", path, b.len ? "" : ": it is empty");
    }
    if (!rc)
        rc = fx_mesh_validate(m, path, err);
    if (!rc && m->nv == 0)
        rc = fx_fail(err, FX_EFORMAT, "'%s' holds no vertices", path);
out:
    mio_buf_release(&b);
    if (rc)
        fx_mesh_free(m);
    else
        *out = m;
    return rc;
}

int fx_mesh_write(const char *path, const fx_mesh *m, const fx_meshio_opts *opts,
                  fx_error *err)
{
    fx_meshio_opts def = {0};
    const fx_meshio_opts *o = opts ? opts : &def;
    fx_mesh_format f = o->format ? o->format : fx_mesh_format_from_path(path);
    fx_outfile out;
    int rc = fx_mesh_validate(m, path, err);
    if (rc)
        return rc;
    if (!f)
        return fx_fail(err, FX_EINVAL, "'%s': cannot tell the mesh format from the name (use "
                       ".stl, .ply, .off or .obj)", path);
    rc = fx_outfile_open(&out, path, err);
    if (rc)
        return rc;
    switch (f) {
    case FX_MESH_STL: rc = mio_write_stl(out.fp, m, o, err); break;
    case FX_MESH_PLY: rc = mio_write_ply(out.fp, m, o, err); break;
    case FX_MESH_OFF: rc = mio_write_off(out.fp, m, err); break;
    default: rc = mio_write_obj(out.fp, m, err); break;
    }
    if (rc) {
        fx_outfile_abort(&out);
        return rc;
    }
    return fx_outfile_commit(&out, err);
}
