/*
 * grade.c - reduction grading schemes: reading and checking a scheme file,
 * then grading a gap and step-off by its first matching grade.
 *
 * The schemes are data, not code, because the definitions differ between
 * papers and one of them (the seed study's "perfect/good") is unpublished: the
 * program must be able to grade by a definition it does not know, and say which
 * one it used. A scheme file is checked strictly (unknown keys, a grade that can
 * never apply, a missing "otherwise") so that a typing mistake cannot silently
 * change a grade.
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/datapath.h"
#include "fxaudit/grade.h"

#define SCHEME_FORMAT 1
#define SCHEME_MAX_BYTES (1 << 20)

enum quantity { Q_GAP, Q_STEP, Q_DISPLACEMENT };
enum relation { R_LT, R_LE, R_GT, R_GE };

static const char *const quantity_names[] = {"gap_mm", "step_mm", "displacement_mm"};
static const char *const relation_names[] = {"<", "<=", ">", ">="};
static const char *const reserved_names[] = {"matta", "ct"};

struct condition {
    enum quantity q;
    enum relation r;
    double value_mm;
};

struct grade_def {
    char *name;
    char *rule;
    struct condition *when;
    size_t n_when;
};

struct fx_scheme {
    char *name, *title, *source, *note, *path;
    bool builtin;
    struct grade_def *grades;
    size_t n_grades;
};

void fx_scheme_free(fx_scheme *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_grades; i++) {
        free(s->grades[i].name);
        free(s->grades[i].rule);
        free(s->grades[i].when);
    }
    free(s->grades);
    free(s->name);
    free(s->title);
    free(s->source);
    free(s->note);
    free(s->path);
    free(s);
}

/* Names are lower-case words so that they print the same everywhere (the
 * command-line contract wants lower-case grades). */
static bool is_lower_name(const char *s)
{
    if (!*s || strlen(s) > 64)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
            return false;
    return *s >= 'a' && *s <= 'z';
}

static int check_keys(json_t *obj, const char *const *allowed, const char *origin,
                      const char *where, fx_error *err)
{
    for (void *it = json_object_iter(obj); it; it = json_object_iter_next(obj, it)) {
        const char *key = json_object_iter_key(it);
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = !strcmp(key, *a);
        if (!ok)
            return fx_fail(err, FX_EFORMAT, "scheme '%s': %sunknown key '%s'", origin, where, key);
    }
    return FX_OK;
}

/* A string member: required or optional ("" when absent). */
static int get_string(json_t *obj, const char *key, bool required, const char *origin,
                      const char *where, char **out, fx_error *err)
{
    json_t *v = json_object_get(obj, key);
    if (!v && !required)
        v = json_string("");
    else if (!v)
        return fx_fail(err, FX_EFORMAT, "scheme '%s': %smissing \"%s\"", origin, where, key);
    else
        json_incref(v);
    if (!json_is_string(v)) {
        json_decref(v);
        return fx_fail(err, FX_EFORMAT, "scheme '%s': %s\"%s\" must be a string", origin, where,
                       key);
    }
    *out = strdup(json_string_value(v));
    json_decref(v);
    return *out ? FX_OK : fx_fail(err, FX_ENOMEM, "out of memory reading scheme '%s'", origin);
}

static int lookup(const char *s, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(s, names[i]))
            return i;
    return -1;
}

static int parse_condition(json_t *c, const char *origin, const char *where, struct condition *out,
                           fx_error *err)
{
    if (!json_is_array(c) || json_array_size(c) != 3 || !json_is_string(json_array_get(c, 0)) ||
        !json_is_string(json_array_get(c, 1)) || !json_is_number(json_array_get(c, 2)))
        return fx_fail(err, FX_EFORMAT,
                       "scheme '%s': %sa condition must be [quantity, relation, number], "
                       "e.g. [\"gap_mm\", \"<\", 5]",
                       origin, where);
    const char *q = json_string_value(json_array_get(c, 0));
    const char *r = json_string_value(json_array_get(c, 1));
    int qi = lookup(q, quantity_names, 3), ri = lookup(r, relation_names, 4);
    double v = json_number_value(json_array_get(c, 2));
    if (qi < 0)
        return fx_fail(err, FX_EFORMAT,
                       "scheme '%s': %sunknown quantity '%s' (expected gap_mm, step_mm or "
                       "displacement_mm)",
                       origin, where, q);
    if (ri < 0)
        return fx_fail(err, FX_EFORMAT,
                       "scheme '%s': %sunknown relation '%s' (expected <, <=, > or >=)", origin,
                       where, r);
    if (!isfinite(v) || v < 0)
        return fx_fail(err, FX_EFORMAT, "scheme '%s': %sthe limit must be a number >= 0 mm", origin,
                       where);
    *out = (struct condition){(enum quantity)qi, (enum relation)ri, v};
    return FX_OK;
}

/* The conditions in words, for the output: "gap_mm < 5 and step_mm < 1". */
static char *rule_text(const struct condition *c, size_t n)
{
    size_t cap = 32 + 48 * n, len = 0;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    if (n == 0)
        snprintf(s, cap, "otherwise");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s%s %s %.17g", i ? " and " : "",
                                quantity_names[c[i].q], relation_names[c[i].r], c[i].value_mm);
    return s;
}

static int parse_grade(json_t *g, size_t i, bool last, const char *origin, struct grade_def *out,
                       fx_error *err)
{
    static const char *const keys[] = {"grade", "when", "description", NULL};
    char where[64];
    snprintf(where, sizeof(where), "grades[%zu]: ", i);
    if (!json_is_object(g))
        return fx_fail(err, FX_EFORMAT, "scheme '%s': %smust be an object", origin, where);
    int rc = check_keys(g, keys, origin, where, err);
    if (!rc)
        rc = get_string(g, "grade", true, origin, where, &out->name, err);
    if (rc)
        return rc;
    if (!is_lower_name(out->name))
        return fx_fail(err, FX_EFORMAT,
                       "scheme '%s': %sgrade '%s' must be a lower-case word (a-z, 0-9, _ or -)",
                       origin, where, out->name);
    json_t *when = json_object_get(g, "when");
    if (when && !json_is_array(when))
        return fx_fail(err, FX_EFORMAT, "scheme '%s': %s\"when\" must be a list of conditions",
                       origin, where);
    out->n_when = when ? json_array_size(when) : 0;
    if (last && out->n_when)
        return fx_fail(err, FX_EFORMAT,
                       "scheme '%s': the last grade ('%s') must have no conditions: it is the "
                       "grade given otherwise",
                       origin, out->name);
    if (!last && !out->n_when)
        return fx_fail(err, FX_EFORMAT,
                       "scheme '%s': grade '%s' has no conditions but is not the last, so the "
                       "grades after it could never apply",
                       origin, out->name);
    out->when = calloc(out->n_when ? out->n_when : 1, sizeof(*out->when));
    if (!out->when)
        return fx_fail(err, FX_ENOMEM, "out of memory reading scheme '%s'", origin);
    for (size_t j = 0; j < out->n_when && !rc; j++)
        rc = parse_condition(json_array_get(when, j), origin, where, &out->when[j], err);
    if (!rc && !(out->rule = rule_text(out->when, out->n_when)))
        rc = fx_fail(err, FX_ENOMEM, "out of memory reading scheme '%s'", origin);
    return rc;
}

static int parse_header(json_t *root, const char *origin, bool builtin, fx_scheme *s, fx_error *err)
{
    static const char *const keys[] = {"fxaudit_scheme", "name",   "title", "source",
                                       "note",           "grades", NULL};
    if (!json_is_object(root))
        return fx_fail(err, FX_EFORMAT, "scheme '%s': the top level must be a JSON object", origin);
    int rc = check_keys(root, keys, origin, "", err);
    if (rc)
        return rc;
    json_t *fmt = json_object_get(root, "fxaudit_scheme");
    if (!json_is_integer(fmt))
        return fx_fail(err, FX_EFORMAT,
                       "scheme '%s': missing \"fxaudit_scheme\": %d (the format version)", origin,
                       SCHEME_FORMAT);
    if (json_integer_value(fmt) != SCHEME_FORMAT)
        return fx_fail(err, FX_EVERSION,
                       "scheme '%s': format version %lld is not supported (this fxaudit reads "
                       "version %d)",
                       origin, (long long)json_integer_value(fmt), SCHEME_FORMAT);
    if ((rc = get_string(root, "name", true, origin, "", &s->name, err)) ||
        (rc = get_string(root, "title", false, origin, "", &s->title, err)) ||
        (rc = get_string(root, "source", true, origin, "", &s->source, err)) ||
        (rc = get_string(root, "note", false, origin, "", &s->note, err)))
        return rc;
    if (!is_lower_name(s->name))
        return fx_fail(err, FX_EFORMAT,
                       "scheme '%s': name '%s' must be a lower-case word (a-z, 0-9, _ or -)",
                       origin, s->name);
    if (!builtin && lookup(s->name, reserved_names, 2) >= 0)
        return fx_fail(err, FX_EFORMAT,
                       "scheme '%s': the name '%s' belongs to a built-in scheme; give a "
                       "user-defined scheme its own name",
                       origin, s->name);
    if (!*s->source)
        return fx_fail(err, FX_EFORMAT,
                       "scheme '%s': \"source\" is empty; say where the definition comes from",
                       origin);
    return FX_OK;
}

static int parse_grades(json_t *root, const char *origin, fx_scheme *s, fx_error *err)
{
    json_t *grades = json_object_get(root, "grades");
    if (!json_is_array(grades) || json_array_size(grades) < 2)
        return fx_fail(err, FX_EFORMAT, "scheme '%s': \"grades\" must list at least two grades",
                       origin);
    s->n_grades = json_array_size(grades);
    s->grades = calloc(s->n_grades, sizeof(*s->grades));
    if (!s->grades) {
        s->n_grades = 0;
        return fx_fail(err, FX_ENOMEM, "out of memory reading scheme '%s'", origin);
    }
    for (size_t i = 0; i < s->n_grades; i++) {
        int rc = parse_grade(json_array_get(grades, i), i, i + 1 == s->n_grades, origin,
                             &s->grades[i], err);
        if (rc)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(s->grades[j].name, s->grades[i].name))
                return fx_fail(err, FX_EFORMAT, "scheme '%s': grade '%s' is listed twice", origin,
                               s->grades[i].name);
    }
    return FX_OK;
}

int fx_scheme_parse(const char *text, const char *origin, bool builtin, fx_scheme **out,
                    fx_error *err)
{
    json_error_t jerr;
    *out = NULL;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return fx_fail(err, FX_EFORMAT, "scheme '%s' is not valid JSON: %s (line %d, column %d)",
                       origin, jerr.text, jerr.line, jerr.column);
    fx_scheme *s = calloc(1, sizeof(*s));
    int rc = s ? FX_OK : fx_fail(err, FX_ENOMEM, "out of memory reading scheme '%s'", origin);
    if (!rc) {
        s->builtin = builtin;
        rc = parse_header(root, origin, builtin, s, err);
    }
    if (!rc)
        rc = parse_grades(root, origin, s, err);
    if (!rc && !(s->path = strdup(origin)))
        rc = fx_fail(err, FX_ENOMEM, "out of memory reading scheme '%s'", origin);
    json_decref(root);
    if (rc)
        fx_scheme_free(s);
    else
        *out = s;
    return rc;
}

static int read_text(const char *path, char **out, fx_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return fx_fail(err, FX_EIO, "cannot open scheme '%s': %s", path, strerror(errno));
    char *buf = malloc(SCHEME_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, SCHEME_MAX_BYTES + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (!buf)
        return fx_fail(err, FX_ENOMEM, "out of memory reading scheme '%s'", path);
    if (bad || n > SCHEME_MAX_BYTES) {
        free(buf);
        return fx_fail(err, bad ? FX_EIO : FX_EFORMAT, "cannot read scheme '%s': %s", path,
                       bad ? "read error" : "larger than 1 MiB");
    }
    buf[n] = '\0';
    if (strlen(buf) != n) {
        free(buf);
        return fx_fail(err, FX_EFORMAT, "scheme '%s' is not a text file (it holds a NUL byte)",
                       path);
    }
    *out = buf;
    return FX_OK;
}

static int load(const char *path, bool builtin, fx_scheme **out, fx_error *err)
{
    char *text = NULL;
    *out = NULL;
    int rc = read_text(path, &text, err);
    if (!rc)
        rc = fx_scheme_parse(text, path, builtin, out, err);
    free(text);
    return rc;
}

int fx_scheme_load(const char *path, fx_scheme **out, fx_error *err)
{
    return load(path, false, out, err);
}

bool fx_scheme_is_builtin_name(const char *name)
{
    return lookup(name, reserved_names, 2) >= 0;
}

int fx_scheme_load_builtin(const char *name, fx_scheme **out, fx_error *err)
{
    char rel[128], path[4096];
    *out = NULL;
    if (lookup(name, reserved_names, 2) < 0)
        return fx_fail(err, FX_ENOTFOUND, "no built-in grading scheme '%s' (there are: matta, ct)",
                       name);
    snprintf(rel, sizeof(rel), "schemes/%s.json", name);
    int rc = fx_data_path(rel, path, sizeof(path), err);
    if (!rc)
        rc = load(path, true, out, err);
    if (!rc && strcmp((*out)->name, name)) {
        rc = fx_fail(err, FX_EFORMAT, "scheme '%s' is named '%s', not '%s'", path, (*out)->name,
                     name);
        fx_scheme_free(*out);
        *out = NULL;
    }
    return rc;
}

const char *fx_scheme_name(const fx_scheme *s)
{
    return s->name;
}
const char *fx_scheme_title(const fx_scheme *s)
{
    return s->title;
}
const char *fx_scheme_source(const fx_scheme *s)
{
    return s->source;
}
const char *fx_scheme_note(const fx_scheme *s)
{
    return s->note;
}
const char *fx_scheme_path(const fx_scheme *s)
{
    return s->path;
}
bool fx_scheme_is_builtin(const fx_scheme *s)
{
    return s->builtin;
}

static bool holds(const struct condition *c, const double *q)
{
    double x = q[c->q];
    switch (c->r) {
    case R_LT:
        return x < c->value_mm;
    case R_LE:
        return x <= c->value_mm;
    case R_GT:
        return x > c->value_mm;
    case R_GE:
        return x >= c->value_mm;
    }
    return false;
}

int fx_grade_apply(const fx_scheme *s, double gap_mm, double step_mm, fx_grade *out, fx_error *err)
{
    if (!isfinite(gap_mm) || gap_mm < 0 || !isfinite(step_mm) || step_mm < 0)
        return fx_fail(err, FX_EINVAL,
                       "gap and step-off must be numbers >= 0 mm (got gap %g, step-off %g)", gap_mm,
                       step_mm);
    double q[3] = {gap_mm, step_mm, fmax(gap_mm, step_mm)};
    for (size_t i = 0; i < s->n_grades; i++) {
        const struct grade_def *g = &s->grades[i];
        size_t j = 0;
        while (j < g->n_when && holds(&g->when[j], q))
            j++;
        if (j == g->n_when) {
            *out = (fx_grade){g->name, g->rule, gap_mm, step_mm, q[Q_DISPLACEMENT]};
            return FX_OK;
        }
    }
    /* Unreachable: parsing guarantees a last grade without conditions. */
    return fx_fail(err, FX_EINVAL, "scheme '%s' gave no grade", s->name);
}
