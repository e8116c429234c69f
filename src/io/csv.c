/*
 * csv.c - reading a CSV table into memory: one pass splits the file into
 * cells (RFC 4180 quoting), remembering the line each row starts on so that
 * every later complaint can name it.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/csv.h"

struct fx_csv {
    char *path;
    size_t rows, cols; /* data rows; columns from the header */
    char **cell;       /* (rows + 1) x cols, row 0 the header; each owned */
    size_t *line;      /* starting line of each row, header included */
};

/* A growing list of cells of the row being read. */
struct rowbuf {
    char **v;
    size_t n, cap;
};

static char *slurp(const char *path, size_t *len, fx_error *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;
    if (!f) {
        fx_fail(err, FX_EIO, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if (n + 4096 + 1 > cap) {
            char *nb = realloc(buf, cap = 2 * cap + 8192);
            if (!nb) {
                free(buf);
                fclose(f);
                fx_fail(err, FX_ENOMEM, "cannot read '%s': out of memory", path);
                return NULL;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, 4096, f);
        n += got;
        if (got < 4096)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        fx_fail(err, FX_EIO, "cannot read '%s'", path);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static char *trimmed_copy(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    char *c = malloc(n + 1);
    if (c) {
        memcpy(c, s, n);
        c[n] = '\0';
    }
    return c;
}

static int push(struct rowbuf *r, char *cell)
{
    if (!cell)
        return FX_ENOMEM;
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        char **nv = realloc(r->v, cap * sizeof(*nv));
        if (!nv) {
            free(cell);
            return FX_ENOMEM;
        }
        r->v = nv, r->cap = cap;
    }
    r->v[r->n++] = cell;
    return FX_OK;
}

/* Parse one field starting at *p; advance past it (not past the separator). */
static char *field(const char **p, size_t *line, int *unterminated)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s != '"') {
        const char *e = s;
        while (*e && *e != ',' && *e != '\n' && *e != '\r')
            e++;
        *p = e;
        return trimmed_copy(s, (size_t)(e - s));
    }
    size_t cap = strlen(s) + 1, n = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    for (s++;; s++) {
        if (!*s) {
            *unterminated = 1;
            break;
        }
        if (*s == '"' && s[1] == '"')
            out[n++] = '"', s++;
        else if (*s == '"') {
            s++;
            break;
        } else {
            if (*s == '\n')
                (*line)++;
            out[n++] = *s;
        }
    }
    while (*s == ' ' || *s == '\t')
        s++;
    out[n] = '\0';
    *p = s;
    return out;
}

static int add_row(fx_csv *t, struct rowbuf *r, size_t line, fx_error *err)
{
    if (t->rows == 0 && !t->cell) {
        t->cols = r->n;
    } else if (r->n != t->cols) {
        return fx_fail(err, FX_EFORMAT, "'%s' line %zu: %zu fields where the header has %zu",
                       t->path, line, r->n, t->cols);
    }
    size_t have = t->cell ? t->rows + 1 : 0;
    char **nc = realloc(t->cell, (have + 1) * t->cols * sizeof(*nc));
    size_t *nl = realloc(t->line, (have + 1) * sizeof(*nl));
    if (nc)
        t->cell = nc;
    if (nl)
        t->line = nl;
    if (!nc || !nl)
        return fx_fail(err, FX_ENOMEM, "cannot read '%s': out of memory", t->path);
    memcpy(t->cell + have * t->cols, r->v, t->cols * sizeof(*nc));
    t->line[have] = line;
    if (have)
        t->rows++;
    r->n = 0;
    return FX_OK;
}

static bool blank_row(const struct rowbuf *r)
{
    return r->n == 1 && !r->v[0][0];
}

static int parse(fx_csv *t, const char *s, fx_error *err)
{
    struct rowbuf r = {0};
    size_t line = 1, start = 1;
    int rc = FX_OK, unterminated = 0;
    if (!strncmp(s, "\xEF\xBB\xBF", 3))
        s += 3;
    while (*s && !rc) {
        rc = push(&r, field(&s, &line, &unterminated));
        if (rc) {
            rc = fx_fail(err, FX_ENOMEM, "cannot read '%s': out of memory", t->path);
            break;
        }
        if (unterminated) {
            rc = fx_fail(err, FX_EFORMAT, "'%s' line %zu: a quoted field is not closed", t->path,
                         start);
            break;
        }
        if (*s == ',') {
            s++;
            continue;
        }
        if (*s == '\r')
            s++;
        if (*s == '\n')
            s++;
        else if (*s)
            rc = fx_fail(err, FX_EFORMAT, "'%s' line %zu: text after a closing quote", t->path,
                         line);
        if (!rc && blank_row(&r)) {
            free(r.v[0]);
            r.n = 0;
        } else if (!rc) {
            rc = add_row(t, &r, start, err);
        }
        start = ++line;
    }
    for (size_t i = 0; i < r.n; i++)
        free(r.v[i]);
    free(r.v);
    if (!rc && !t->cell)
        rc = fx_fail(err, FX_EFORMAT, "'%s' is empty: a header row is needed", t->path);
    return rc;
}

static int check_header(const fx_csv *t, fx_error *err)
{
    for (size_t j = 0; j < t->cols; j++) {
        if (!t->cell[j][0])
            return fx_fail(err, FX_EFORMAT, "'%s': column %zu of the header has no name", t->path,
                           j + 1);
        for (size_t k = 0; k < j; k++)
            if (!strcmp(t->cell[j], t->cell[k]))
                return fx_fail(err, FX_EFORMAT, "'%s': the header names column '%s' twice", t->path,
                               t->cell[j]);
    }
    return FX_OK;
}

int fx_csv_read(const char *path, fx_csv **out, fx_error *err)
{
    size_t len;
    *out = NULL;
    fx_csv *t = calloc(1, sizeof(*t));
    if (!t || !(t->path = strdup(path))) {
        free(t);
        return fx_fail(err, FX_ENOMEM, "cannot read '%s': out of memory", path);
    }
    char *text = slurp(path, &len, err);
    if (!text) {
        fx_csv_free(t);
        return err ? err->code : FX_EIO;
    }
    int rc = parse(t, text, err);
    free(text);
    if (!rc)
        rc = check_header(t, err);
    if (rc) {
        fx_csv_free(t);
        return rc;
    }
    *out = t;
    return FX_OK;
}

void fx_csv_free(fx_csv *t)
{
    if (!t)
        return;
    if (t->cell)
        for (size_t i = 0; i < (t->rows + 1) * t->cols; i++)
            free(t->cell[i]);
    free(t->cell);
    free(t->line);
    free(t->path);
    free(t);
}

size_t fx_csv_rows(const fx_csv *t)
{
    return t->rows;
}
size_t fx_csv_cols(const fx_csv *t)
{
    return t->cols;
}
const char *fx_csv_path(const fx_csv *t)
{
    return t->path;
}
const char *fx_csv_name(const fx_csv *t, size_t col)
{
    return t->cell[col];
}
size_t fx_csv_line(const fx_csv *t, size_t row)
{
    return t->line[row + 1];
}

const char *fx_csv_cell(const fx_csv *t, size_t row, size_t col)
{
    return t->cell[(row + 1) * t->cols + col];
}

int fx_csv_find(const fx_csv *t, const char *name, size_t *col, fx_error *err)
{
    char have[512] = "";
    size_t used = 0;
    for (size_t j = 0; j < t->cols; j++) {
        if (!strcmp(t->cell[j], name)) {
            *col = j;
            return FX_OK;
        }
        int w = snprintf(have + used, sizeof(have) - used, "%s'%s'", j ? ", " : "", t->cell[j]);
        if (w > 0 && (size_t)w < sizeof(have) - used)
            used += (size_t)w;
    }
    return fx_fail(err, FX_ENOTFOUND, "'%s' has no column '%s' (it has %s)", t->path, name, have);
}

int fx_csv_numbers(const fx_csv *t, const char *name, double **out, fx_error *err)
{
    size_t col;
    int rc = fx_csv_find(t, name, &col, err);
    if (rc)
        return rc;
    double *v = malloc((t->rows ? t->rows : 1) * sizeof(*v));
    if (!v)
        return fx_fail(err, FX_ENOMEM, "cannot allocate column '%s'", name);
    for (size_t i = 0; i < t->rows; i++) {
        const char *s = fx_csv_cell(t, i, col);
        char *end;
        if (!*s || !strcmp(s, "NA")) { /* R's write.csv writes NA */
            v[i] = NAN;
            continue;
        }
        errno = 0;
        v[i] = strtod(s, &end);
        /* plain decimal notation only: strtod would also take hex and "inf" */
        if (*end || errno == ERANGE || !isfinite(v[i]) ||
            strspn(s, "0123456789+-.eE") != strlen(s)) {
            free(v);
            return fx_fail(err, FX_EFORMAT, "'%s' line %zu, column '%s': '%s' is not a number",
                           t->path, fx_csv_line(t, i), name, s);
        }
    }
    *out = v;
    return FX_OK;
}
