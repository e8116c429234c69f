/*
 * landmarks.c - paired landmark files, CSV or JSON (see landmarks.h).
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/landmarks.h"
#include "meshio_int.h"

static int grow(fx_landmarks *l, size_t n, fx_error *err)
{
    fx_vec3 *m = realloc(l->moving, n * sizeof(*m));
    if (m)
        l->moving = m;
    fx_vec3 *f = m ? realloc(l->fixed, n * sizeof(*f)) : NULL;
    if (f)
        l->fixed = f;
    double *w = f ? realloc(l->weight, n * sizeof(*w)) : NULL;
    if (w)
        l->weight = w;
    char **s = w ? realloc(l->name, n * sizeof(*s)) : NULL;
    if (s)
        l->name = s;
    return s ? FX_OK : fx_fail(err, FX_ENOMEM, "cannot hold %zu landmarks", n);
}

void fx_landmarks_release(fx_landmarks *l)
{
    for (size_t i = 0; l->name && i < l->n; i++)
        free(l->name[i]);
    free(l->moving);
    free(l->fixed);
    free(l->weight);
    free(l->name);
    memset(l, 0, sizeof(*l));
}

static int add(fx_landmarks *l, const char *name, fx_vec3 m, fx_vec3 f, double w, fx_error *err)
{
    int rc = grow(l, l->n + 1, err);
    if (rc)
        return rc;
    l->name[l->n] = strdup(name ? name : "");
    if (!l->name[l->n])
        return fx_fail(err, FX_ENOMEM, "cannot hold a landmark name");
    l->moving[l->n] = m, l->fixed[l->n] = f, l->weight[l->n] = w;
    l->n++;
    return FX_OK;
}

/* ---- JSON ---------------------------------------------------------------- */

static int json_vec(json_t *a, fx_vec3 *v)
{
    if (!json_is_array(a) || json_array_size(a) != 3)
        return -1;
    double x[3];
    for (int i = 0; i < 3; i++) {
        json_t *e = json_array_get(a, (size_t)i);
        if (!json_is_number(e) || !isfinite(x[i] = json_number_value(e)))
            return -1;
    }
    *v = fx_v3(x[0], x[1], x[2]);
    return 0;
}

static int read_json(const char *path, const char *text, fx_landmarks *l, fx_error *err)
{
    json_error_t je;
    json_t *root = json_loads(text, 0, &je);
    if (!root)
        return fx_fail(err, FX_EFORMAT, "'%s' line %d: %s", path, je.line, je.text);
    json_t *pairs = json_is_array(root) ? root : json_object_get(root, "pairs");
    int rc = FX_OK;
    if (!json_is_array(pairs))
        rc = fx_fail(err, FX_EFORMAT, "'%s' has no \"pairs\" array", path);
    for (size_t i = 0; !rc && i < json_array_size(pairs); i++) {
        json_t *p = json_array_get(pairs, i), *w = json_object_get(p, "weight");
        fx_vec3 m, f;
        if (json_vec(json_object_get(p, "moving"), &m) || json_vec(json_object_get(p, "fixed"), &f))
            rc = fx_fail(err, FX_EFORMAT, "'%s': pair %zu needs \"moving\" and \"fixed\" as "
                         "three finite numbers each", path, i + 1);
        else if (w && (!json_is_number(w) || !(json_number_value(w) >= 0)))
            rc = fx_fail(err, FX_EFORMAT, "'%s': pair %zu has a weight that is not a number "
                         ">= 0", path, i + 1);
        else
            rc = add(l, json_string_value(json_object_get(p, "name")), m, f,
                     w ? json_number_value(w) : 1.0, err);
    }
    json_decref(root);
    return rc;
}

/* ---- CSV ----------------------------------------------------------------- */

enum { C_NAME, C_MX, C_MY, C_MZ, C_FX, C_FY, C_FZ, C_W, C_N };
static const char *col_names[C_N] = {"name", "moving_x", "moving_y", "moving_z",
                                     "fixed_x", "fixed_y", "fixed_z", "weight"};

/* Split one line in place at commas; cells are trimmed of blanks and quotes. */
static int split(char *line, char **cell, int max)
{
    int n = 0;
    for (char *p = line;; p++) {
        char *start = p;
        while (*p && *p != ',')
            p++;
        char end = *p;
        *p = '\0';
        while (*start == ' ' || *start == '\t' || *start == '"')
            start++;
        for (char *e = p; e > start && strchr(" \t\r\"", e[-1]); e--)
            e[-1] = '\0';
        if (n < max)
            cell[n++] = start;
        if (!end)
            return n;
    }
}

static int csv_number(const char *path, size_t line, const char *cell, const char *col,
                      double *x, fx_error *err)
{
    char *e;
    errno = 0;
    *x = strtod(cell, &e);
    if (!*cell || *e || errno || !isfinite(*x))
        return fx_fail(err, FX_EFORMAT, "'%s' line %zu: %s '%s' is not a number", path, line, col,
                       cell);
    return FX_OK;
}

static int read_csv(const char *path, char *text, fx_landmarks *l, fx_error *err)
{
    int col[C_N], rc = FX_OK, nc = 0;
    char *cell[64], *save = NULL;
    size_t line = 0;
    for (int k = 0; k < C_N; k++)
        col[k] = -1;
    for (char *ln = strtok_r(text, "\n", &save); !rc && ln; ln = strtok_r(NULL, "\n", &save)) {
        line++;
        if (strspn(ln, " \t\r,") == strlen(ln))
            continue;
        int n = split(ln, cell, 64);
        if (col[C_MX] < 0 && nc == 0) { /* the header */
            for (int i = 0; i < n; i++)
                for (int k = 0; k < C_N; k++)
                    if (!strcmp(cell[i], col_names[k]))
                        col[k] = i;
            for (int k = C_MX; k <= C_FZ; k++)
                if (col[k] < 0)
                    return fx_fail(err, FX_EFORMAT, "'%s': the header has no column '%s'", path,
                                   col_names[k]);
            nc = n;
            continue;
        }
        double x[C_N] = {0, 0, 0, 0, 0, 0, 0, 1};
        for (int k = C_MX; !rc && k < C_N; k++) {
            if (col[k] < 0)
                continue;
            if (col[k] >= n)
                rc = fx_fail(err, FX_EFORMAT, "'%s' line %zu: no value for '%s'", path, line,
                             col_names[k]);
            else
                rc = csv_number(path, line, cell[col[k]], col_names[k], &x[k], err);
        }
        if (!rc && !(x[C_W] >= 0))
            rc = fx_fail(err, FX_EFORMAT, "'%s' line %zu: a weight must be >= 0", path, line);
        if (!rc)
            rc = add(l, col[C_NAME] >= 0 && col[C_NAME] < n ? cell[col[C_NAME]] : "",
                     fx_v3(x[C_MX], x[C_MY], x[C_MZ]), fx_v3(x[C_FX], x[C_FY], x[C_FZ]), x[C_W],
                     err);
    }
    if (!rc && nc == 0)
        rc = fx_fail(err, FX_EFORMAT, "'%s' is empty: it needs a header row", path);
    return rc;
}

int fx_landmarks_read(const char *path, fx_landmarks *out, fx_error *err)
{
    memset(out, 0, sizeof(*out));
    mio_buf b;
    int rc = mio_slurp(path, &b, err);
    if (rc)
        return rc;
    size_t i = strspn(b.data, " \t\r\n");
    if (b.data[i] == '{' || b.data[i] == '[')
        rc = read_json(path, b.data, out, err);
    else
        rc = read_csv(path, b.data, out, err);
    mio_buf_release(&b);
    if (rc)
        fx_landmarks_release(out);
    return rc;
}
