/*
 * mesh_ply.c - PLY (Turk's polygon file format): ASCII, binary little- and
 * big-endian. The header declares elements in file order, each with a count
 * and typed properties; the reader keeps vertex x/y/z, the normals nx/ny/nz,
 * one chosen scalar property, and the face list "vertex_indices" (or
 * "vertex_index"), and steps over every other property and element.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "meshio_int.h"

enum { T_I8, T_U8, T_I16, T_U16, T_I32, T_U32, T_F32, T_F64, T_BAD };
static const char *type_names[][2] = {{"char", "int8"},     {"uchar", "uint8"},
                                      {"short", "int16"},   {"ushort", "uint16"},
                                      {"int", "int32"},     {"uint", "uint32"},
                                      {"float", "float32"}, {"double", "float64"}};
static const int type_size[] = {1, 1, 2, 2, 4, 4, 4, 8};

#define MAX_PROPS 64
#define MAX_ELEMS 16
#define NAME_MAX_ 64

/* What a vertex property is for. */
enum { R_SKIP, R_X, R_Y, R_Z, R_NX, R_NY, R_NZ, R_SCALAR, R_INDICES };

typedef struct prop {
    char name[NAME_MAX_];
    int type, count_type; /* count_type >= 0 for a list */
    int role;
} prop;

typedef struct elem {
    char name[NAME_MAX_];
    size_t count;
    prop p[MAX_PROPS];
    int np;
} elem;

typedef struct ply {
    const mio_buf *b;
    int format; /* 0 ascii, 1 little, 2 big */
    elem e[MAX_ELEMS];
    int ne;
    size_t nv; /* vertex count from the header */
    size_t data_off;
} ply;

static int parse_type(const char *w, size_t n)
{
    for (int t = 0; t < T_BAD; t++)
        for (int k = 0; k < 2; k++)
            if (strlen(type_names[t][k]) == n && !memcmp(w, type_names[t][k], n))
                return t;
    return T_BAD;
}

static bool is(const char *w, size_t n, const char *s)
{
    return n == strlen(s) && !memcmp(w, s, n);
}

static int hdr_fail(ply *h, mio_text *t, const char *what, fx_error *err)
{
    (void)h;
    return fx_fail(err, FX_EFORMAT, "'%s' line %zu: bad PLY header: %s", t->path, t->line, what);
}

static int header_property(ply *h, mio_text *t, fx_error *err)
{
    const char *w;
    size_t n;
    if (!h->ne)
        return hdr_fail(h, t, "a property before any element", err);
    elem *e = &h->e[h->ne - 1];
    if (e->np == MAX_PROPS)
        return hdr_fail(h, t, "too many properties", err);
    prop *p = &e->p[e->np];
    p->count_type = -1;
    if (!mio_word(t, &w, &n))
        return hdr_fail(h, t, "a property without a type", err);
    if (is(w, n, "list")) {
        if (!mio_word(t, &w, &n) || (p->count_type = parse_type(w, n)) == T_BAD ||
            p->count_type >= T_F32)
            return hdr_fail(h, t, "a list without an integer count type", err);
        if (!mio_word(t, &w, &n))
            return hdr_fail(h, t, "a list without an item type", err);
    }
    if ((p->type = parse_type(w, n)) == T_BAD)
        return hdr_fail(h, t, "an unknown property type", err);
    if (!mio_word(t, &w, &n) || n >= NAME_MAX_)
        return hdr_fail(h, t, "a property without a (short) name", err);
    memcpy(p->name, w, n);
    p->name[n] = '\0';
    e->np++;
    return FX_OK;
}

static int header_element(ply *h, mio_text *t, fx_error *err)
{
    const char *w;
    size_t n;
    long count;
    if (h->ne == MAX_ELEMS)
        return hdr_fail(h, t, "too many elements", err);
    elem *e = &h->e[h->ne];
    if (!mio_word(t, &w, &n) || n >= NAME_MAX_)
        return hdr_fail(h, t, "an element without a (short) name", err);
    memcpy(e->name, w, n);
    e->name[n] = '\0';
    int rc = mio_long(t, "element count", 0, 0x7fffffffL, &count, err);
    if (rc)
        return rc;
    e->count = (size_t)count;
    h->ne++;
    return FX_OK;
}

static int parse_header(ply *h, fx_error *err)
{
    mio_text t = {h->b->path, h->b->data, h->b->data + h->b->len, 1};
    const char *w;
    size_t n;
    h->format = -1;
    mio_next_line(&t); /* "ply" */
    for (;;) {
        if (t.p >= t.end)
            return fx_fail(err, FX_EFORMAT, "'%s' is truncated: the PLY header has no "
                           "'end_header'", t.path);
        int rc = FX_OK;
        if (!mio_word(&t, &w, &n)) {
            mio_next_line(&t);
            continue;
        }
        if (is(w, n, "end_header")) {
            mio_next_line(&t);
            h->data_off = (size_t)(t.p - h->b->data);
            break;
        } else if (is(w, n, "format")) {
            mio_word(&t, &w, &n);
            h->format = is(w, n, "ascii") ? 0 : is(w, n, "binary_little_endian") ? 1
                        : is(w, n, "binary_big_endian") ? 2 : -1;
            if (h->format < 0)
                return hdr_fail(h, &t, "an unknown format", err);
        } else if (is(w, n, "element")) {
            rc = header_element(h, &t, err);
        } else if (is(w, n, "property")) {
            rc = header_property(h, &t, err);
        } else if (!is(w, n, "comment") && !is(w, n, "obj_info")) {
            rc = hdr_fail(h, &t, "an unknown keyword", err);
        }
        if (rc)
            return rc;
        mio_next_line(&t);
    }
    if (h->format < 0)
        return fx_fail(err, FX_EFORMAT, "'%s': the PLY header has no 'format' line", t.path);
    return FX_OK;
}

/* Give the properties of "vertex" and "face" their roles; check the shape. */
static int assign_roles(ply *h, const char *scalar, fx_error *err)
{
    static const char *xyz[] = {"x", "y", "z", "nx", "ny", "nz"};
    bool have_v = false;
    for (int i = 0; i < h->ne; i++) {
        elem *e = &h->e[i];
        for (int k = 0; k < e->np; k++) {
            prop *p = &e->p[k];
            p->role = R_SKIP;
            if (!strcmp(e->name, "vertex") && p->count_type < 0) {
                for (int r = 0; r < 6; r++)
                    if (!strcmp(p->name, xyz[r]))
                        p->role = R_X + r;
                if (!strcmp(p->name, scalar))
                    p->role = R_SCALAR;
            } else if (!strcmp(e->name, "face") && p->count_type >= 0 &&
                       (!strcmp(p->name, "vertex_indices") || !strcmp(p->name, "vertex_index"))) {
                p->role = R_INDICES;
            }
        }
        if (!strcmp(e->name, "vertex"))
            have_v = true, h->nv = e->count;
    }
    if (!have_v)
        return fx_fail(err, FX_EFORMAT, "'%s': the PLY file has no vertex element",
                       h->b->path);
    return FX_OK;
}

/* ---- values ------------------------------------------------------------- */

typedef struct cursor {
    ply *h;
    mio_text t;              /* ascii */
    const unsigned char *p;  /* binary */
    const unsigned char *end;
    const char *elem;
    size_t item;
} cursor;

static double bin_value(const unsigned char *p, int type, bool big)
{
    unsigned char b[8];
    int n = type_size[type];
    for (int i = 0; i < n; i++)
        b[i] = big ? p[n - 1 - i] : p[i];
    int8_t i8; uint8_t u8; int16_t i16; uint16_t u16; int32_t i32; uint32_t u32;
    float f; double d;
    switch (type) {
    case T_I8: memcpy(&i8, b, 1); return i8;
    case T_U8: memcpy(&u8, b, 1); return u8;
    case T_I16: memcpy(&i16, b, 2); return i16;
    case T_U16: memcpy(&u16, b, 2); return u16;
    case T_I32: memcpy(&i32, b, 4); return i32;
    case T_U32: memcpy(&u32, b, 4); return u32;
    case T_F32: memcpy(&f, b, 4); return f;
    default: memcpy(&d, b, 8); return d;
    }
}

static int next_value(cursor *c, int type, const char *what, double *x, fx_error *err)
{
    if (c->h->format == 0) {
        char label[160];
        snprintf(label, sizeof(label), "%s %zu %s", c->elem, c->item, what);
        int rc = mio_double(&c->t, label, x, err);
        if (!rc && type < T_F32 && *x != floor(*x))
            rc = fx_fail(err, FX_EFORMAT, "'%s' line %zu: %s: %g is not a whole number",
                         c->t.path, c->t.line, label, *x);
        return rc;
    }
    if (c->end - c->p < type_size[type])
        return fx_fail(err, FX_EFORMAT, "'%s' is truncated: it ends inside %s %zu", c->h->b->path,
                       c->elem, c->item);
    *x = bin_value(c->p, type, c->h->format == 2);
    c->p += type_size[type];
    if (!isfinite(*x))
        return fx_fail(err, FX_EFORMAT, "'%s': %s %zu: %s is not a finite number",
                       c->h->b->path, c->elem, c->item, what);
    return FX_OK;
}

/* ---- elements ----------------------------------------------------------- */

typedef struct sink {
    fx_mesh *m;
    fx_vec3 *normals; /* nv, or NULL */
    float *scalar;    /* nv, or NULL */
    uint32_t *poly;   /* scratch for one face */
    size_t poly_cap;
} sink;

static int read_face_list(cursor *c, const prop *p, sink *s, fx_error *err)
{
    double cnt;
    int rc = next_value(c, p->count_type, "vertex count", &cnt, err);
    if (rc)
        return rc;
    if (p->role == R_INDICES && cnt < 3)
        return fx_fail(err, FX_EFORMAT, "'%s': %s %zu has %g vertices, fewer than 3",
                       c->h->b->path, c->elem, c->item, cnt);
    if (p->role == R_INDICES && cnt > (double)s->poly_cap) {
        uint32_t *q = realloc(s->poly, (size_t)cnt * sizeof(*q));
        if (!q)
            return fx_fail(err, FX_ENOMEM, "cannot hold a face of %g vertices", cnt);
        s->poly = q, s->poly_cap = (size_t)cnt;
    }
    for (size_t k = 0; k < (size_t)cnt; k++) {
        double x;
        if ((rc = next_value(c, p->type, "vertex index", &x, err)))
            return rc;
        if (p->role != R_INDICES)
            continue;
        if (x < 0 || x >= (double)c->h->nv)
            return fx_fail(err, FX_EFORMAT, "'%s': %s %zu refers to vertex %.0f, but there "
                           "are only %zu vertices", c->h->b->path, c->elem, c->item, x,
                           c->h->nv);
        s->poly[k] = (uint32_t)x;
    }
    return p->role == R_INDICES ? mio_add_polygon(s->m, s->poly, (size_t)cnt, err) : FX_OK;
}

static int read_item(cursor *c, const elem *e, sink *s, fx_error *err)
{
    fx_vec3 v = {0, 0, 0}, n = {0, 0, 0};
    double *vp[] = {NULL, &v.x, &v.y, &v.z, &n.x, &n.y, &n.z};
    double sc = 0;
    int rc = FX_OK;
    if (c->h->format == 0 && !mio_skip_blank_lines(&c->t, false))
        return fx_fail(err, FX_EFORMAT, "'%s' is truncated: it ends before %s %zu of %zu",
                       c->t.path, e->name, c->item, e->count);
    for (int k = 0; !rc && k < e->np; k++) {
        const prop *p = &e->p[k];
        double x;
        if (p->count_type >= 0)
            rc = read_face_list(c, p, s, err);
        else if (!(rc = next_value(c, p->type, p->name, &x, err))) {
            if (p->role >= R_X && p->role <= R_NZ)
                *vp[p->role] = x;
            else if (p->role == R_SCALAR)
                sc = x;
        }
    }
    if (c->h->format == 0 && !rc && !mio_at_eol(&c->t, false))
        rc = fx_fail(err, FX_EFORMAT, "'%s' line %zu: %s %zu has more values than its %d "
                     "properties", c->t.path, c->t.line, e->name, c->item, e->np);
    if (c->h->format == 0)
        mio_next_line(&c->t);
    if (!rc && !strcmp(e->name, "vertex")) {
        rc = fx_mesh_add_vertex(s->m, v, NULL, err);
        if (s->normals)
            s->normals[c->item] = n;
        if (s->scalar)
            s->scalar[c->item] = (float)sc;
    }
    return rc;
}

static bool elem_has_role(const elem *e, int role)
{
    for (int k = 0; k < e->np; k++)
        if (e->p[k].role == role)
            return true;
    return false;
}

static int prepare_sink(ply *h, fx_mesh *m, sink *s, fx_error *err)
{
    memset(s, 0, sizeof(*s));
    s->m = m;
    for (int i = 0; i < h->ne; i++) {
        const elem *e = &h->e[i];
        if (strcmp(e->name, "vertex"))
            continue;
        if (!elem_has_role(e, R_X) || !elem_has_role(e, R_Y) || !elem_has_role(e, R_Z))
            return fx_fail(err, FX_EFORMAT, "'%s': the PLY vertices lack x, y or z",
                           h->b->path);
        if (elem_has_role(e, R_NX) && elem_has_role(e, R_NY) && elem_has_role(e, R_NZ))
            s->normals = calloc(h->nv + 1, sizeof(fx_vec3));
        if (elem_has_role(e, R_SCALAR))
            s->scalar = calloc(h->nv + 1, sizeof(float));
    }
    return FX_OK;
}

/* Move the gathered normals and scalars into the mesh (sized to its capacity). */
static int finish_sink(sink *s, fx_error *err)
{
    fx_mesh *m = s->m;
    size_t cap = m->cap_v ? m->cap_v : 1;
    if (s->normals) {
        fx_vec3 *n = realloc(s->normals, cap * sizeof(*n));
        if (!n)
            return fx_fail(err, FX_ENOMEM, "cannot keep vertex normals");
        m->n = n, s->normals = NULL;
    }
    if (s->scalar) {
        float *f = realloc(s->scalar, cap * sizeof(*f));
        if (!f)
            return fx_fail(err, FX_ENOMEM, "cannot keep vertex scalars");
        m->scalar = f, s->scalar = NULL;
    }
    return FX_OK;
}

int mio_read_ply(const mio_buf *b, const fx_meshio_opts *o, fx_mesh *m, fx_error *err)
{
    ply *h = calloc(1, sizeof(*h));
    sink s = {0};
    if (!h)
        return fx_fail(err, FX_ENOMEM, "cannot read a PLY header");
    h->b = b;
    int rc = parse_header(h, err);
    if (!rc)
        rc = assign_roles(h, o->scalar_name ? o->scalar_name : "scalar", err);
    if (!rc)
        rc = prepare_sink(h, m, &s, err);
    cursor c = {h, {b->path, b->data + h->data_off, b->data + b->len, 0}, NULL, NULL, NULL, 0};
    c.p = (const unsigned char *)b->data + h->data_off;
    c.end = (const unsigned char *)b->data + b->len;
    /* line numbers: count the header's lines */
    for (const char *q = b->data; q < b->data + h->data_off; q++)
        c.t.line += *q == '\n';
    c.t.line++;
    for (int i = 0; !rc && i < h->ne; i++) {
        c.elem = h->e[i].name;
        for (c.item = 0; !rc && c.item < h->e[i].count; c.item++)
            rc = read_item(&c, &h->e[i], &s, err);
    }
    if (!rc)
        rc = finish_sink(&s, err);
    free(s.normals);
    free(s.scalar);
    free(s.poly);
    free(h);
    return rc;
}

int mio_write_ply(FILE *fp, const fx_mesh *m, const fx_meshio_opts *o, fx_error *err)
{
    const char *sname = o->scalar_name ? o->scalar_name : "scalar";
    bool big = o->big_endian;
    fprintf(fp, "ply\nformat %s 1.0\ncomment fxaudit, millimetres\nelement vertex %zu\n"
            "property float x\nproperty float y\nproperty float z\n",
            o->ascii ? "ascii" : big ? "binary_big_endian" : "binary_little_endian", m->nv);
    if (m->n)
        fprintf(fp, "property float nx\nproperty float ny\nproperty float nz\n");
    if (m->scalar)
        fprintf(fp, "property float %s\n", sname);
    fprintf(fp, "element face %zu\nproperty list uchar int vertex_indices\nend_header\n", m->nt);
    for (size_t i = 0; i < m->nv; i++) {
        float x[7] = {(float)m->v[i].x, (float)m->v[i].y, (float)m->v[i].z};
        int n = 3;
        if (m->n)
            x[n] = (float)m->n[i].x, x[n + 1] = (float)m->n[i].y, x[n + 2] = (float)m->n[i].z,
            n += 3;
        if (m->scalar)
            x[n++] = m->scalar[i];
        for (int k = 0; k < n; k++) {
            if (o->ascii) {
                fprintf(fp, k + 1 < n ? "%.9g " : "%.9g\n", x[k]);
            } else {
                unsigned char b[4];
                mio_put_f32(b, x[k], big);
                fwrite(b, 1, 4, fp);
            }
        }
    }
    for (size_t f = 0; f < m->nt; f++) {
        const uint32_t *t = m->t + 3 * f;
        if (o->ascii) {
            fprintf(fp, "3 %u %u %u\n", t[0], t[1], t[2]);
        } else {
            unsigned char b[13] = {3};
            for (int k = 0; k < 3; k++)
                mio_put_u32(b + 1 + 4 * k, t[k], big);
            fwrite(b, 1, sizeof(b), fp);
        }
    }
    (void)err;
    return FX_OK;
}
