/*
 * smfa.c - SMFA scoring: the function and bother indices, user-keyed
 * subscales, the missing-item rule, and validation of the answers read from
 * a CSV file.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/smfa.h"

const fx_smfa_scale fx_smfa_function_index = {"function_index",
                                              {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12,
                                               13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
                                               25, 26, 27, 28, 29, 30, 31, 32, 33, 34},
                                              34};
const fx_smfa_scale fx_smfa_bother_index = {
    "bother_index", {35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46}, 12};

int fx_smfa_required(int n_items, double min_percent)
{
    /* the smallest whole count reaching the percentage; the epsilon keeps
     * 50 % of 34 at 17 despite rounding in the division */
    int r = (int)ceil(n_items * min_percent / 100 - 1e-9);
    return r < 1 ? 1 : r;
}

void fx_smfa_score_scale(const fx_smfa_form *f, const fx_smfa_scale *scale, double min_percent,
                         fx_smfa_score *out)
{
    int sum = 0, k = 0;
    for (int i = 0; i < scale->n_items; i++) {
        int a = f->answer[scale->items[i] - 1];
        if (a)
            sum += a, k++;
    }
    out->answered = k;
    out->items = scale->n_items;
    out->required = fx_smfa_required(scale->n_items, min_percent);
    out->score = k >= out->required ? (double)(sum - k) / (4.0 * k) * 100 : NAN;
}

/* ---- key files ----------------------------------------------------------- */

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static int parse_item(const char *s, char **end, long *v)
{
    errno = 0;
    *v = strtol(s, end, 10);
    return *end == s || errno || *v < 1 || *v > FX_SMFA_ITEMS;
}

/* "1-5, 8, 10-12" into sc->items. */
static int parse_items(const char *path, size_t line, char *list, fx_smfa_scale *sc, fx_error *err)
{
    char *p = list, *end;
    long a, b;
    while (*(p = trim(p))) {
        if (parse_item(p, &end, &a))
            return fx_fail(err, FX_EFORMAT, "'%s' line %zu: '%s' is not an item number 1-%d", path,
                           line, p, FX_SMFA_ITEMS);
        b = a;
        p = trim(end);
        if (*p == '-' && parse_item(trim(p + 1), &end, &b))
            return fx_fail(err, FX_EFORMAT,
                           "'%s' line %zu: a range needs two item numbers "
                           "1-%d",
                           path, line, FX_SMFA_ITEMS);
        if (*p == '-')
            p = trim(end);
        if (b < a)
            return fx_fail(err, FX_EFORMAT, "'%s' line %zu: range %ld-%ld runs backwards", path,
                           line, a, b);
        for (long i = a; i <= b; i++) {
            for (int j = 0; j < sc->n_items; j++)
                if (sc->items[j] == i)
                    return fx_fail(err, FX_EFORMAT,
                                   "'%s' line %zu: item %ld is listed twice "
                                   "in '%s'",
                                   path, line, i, sc->name);
            sc->items[sc->n_items++] = (int)i;
        }
        if (*p == ',')
            p++;
        else if (*p)
            return fx_fail(err, FX_EFORMAT, "'%s' line %zu: unexpected '%s' in the item list", path,
                           line, p);
    }
    if (!sc->n_items)
        return fx_fail(err, FX_EFORMAT, "'%s' line %zu: scale '%s' lists no items", path, line,
                       sc->name);
    return FX_OK;
}

static int valid_name(const char *s)
{
    if (!*s || strlen(s) >= FX_SMFA_NAME_MAX)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
            return 0;
    return 1;
}

static int key_line(const char *path, size_t line, char *s, fx_smfa_key *key, fx_error *err)
{
    char *colon = strchr(s, ':');
    if (!colon)
        return fx_fail(err, FX_EFORMAT, "'%s' line %zu: expected 'name: items'", path, line);
    *colon = '\0';
    char *name = trim(s);
    if (!valid_name(name))
        return fx_fail(err, FX_EFORMAT,
                       "'%s' line %zu: scale name '%s' must be letters, "
                       "digits, '_' or '-'",
                       path, line, name);
    for (size_t i = 0; i < key->n; i++)
        if (!strcmp(key->scales[i].name, name))
            return fx_fail(err, FX_EFORMAT, "'%s' line %zu: scale '%s' is defined twice", path,
                           line, name);
    fx_smfa_scale *ns = realloc(key->scales, (key->n + 1) * sizeof(*ns));
    if (!ns)
        return fx_fail(err, FX_ENOMEM, "cannot read '%s': out of memory", path);
    key->scales = ns;
    fx_smfa_scale *sc = &ns[key->n];
    memset(sc, 0, sizeof(*sc));
    snprintf(sc->name, sizeof(sc->name), "%s", name);
    int rc = parse_items(path, line, colon + 1, sc, err);
    if (!rc)
        key->n++;
    return rc;
}

int fx_smfa_key_read(const char *path, fx_smfa_key *key, fx_error *err)
{
    char buf[1024];
    size_t line = 0;
    int rc = FX_OK, header = 0;
    memset(key, 0, sizeof(*key));
    FILE *f = fopen(path, "r");
    if (!f)
        return fx_fail(err, FX_EIO, "cannot open SMFA key '%s': %s", path, strerror(errno));
    while (!rc && fgets(buf, sizeof(buf), f)) {
        line++;
        char *hash = strchr(buf, '#'), *s;
        if (hash)
            *hash = '\0';
        if (!*(s = trim(buf)))
            continue;
        if (!header) {
            if (strcmp(s, "fxaudit-smfa-key 1"))
                rc = fx_fail(err, FX_EFORMAT,
                             "'%s' line %zu: an SMFA key starts with the line "
                             "'fxaudit-smfa-key 1'",
                             path, line);
            header = 1;
            continue;
        }
        rc = key_line(path, line, s, key, err);
    }
    fclose(f);
    if (!rc && !key->n)
        rc = fx_fail(err, FX_EFORMAT, "SMFA key '%s' defines no scales", path);
    if (rc)
        fx_smfa_key_free(key);
    return rc;
}

void fx_smfa_key_free(fx_smfa_key *key)
{
    if (!key)
        return;
    free(key->scales);
    key->scales = NULL;
    key->n = 0;
}

/* ---- forms from CSV ------------------------------------------------------ */

static int answer_of(const fx_csv *t, size_t row, size_t col, int item, unsigned char *out,
                     fx_error *err)
{
    const char *s = fx_csv_cell(t, row, col);
    char *end;
    if (!*s) {
        *out = 0;
        return FX_OK;
    }
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno || v != floor(v) || v < 1 || v > 5)
        return fx_fail(err, FX_EFORMAT,
                       "'%s' line %zu, item %d: answer '%s' is not one of "
                       "1, 2, 3, 4, 5 (leave the cell empty when unanswered)",
                       fx_csv_path(t), fx_csv_line(t, row), item, s);
    *out = (unsigned char)v;
    return FX_OK;
}

int fx_smfa_forms_read(const fx_csv *t, const char *id_col, fx_smfa_form **forms, size_t *n,
                       fx_error *err)
{
    size_t col[FX_SMFA_ITEMS], idc = 0, rows = fx_csv_rows(t);
    int rc = FX_OK;
    for (int i = 0; i < FX_SMFA_ITEMS && !rc; i++) {
        char name[16];
        snprintf(name, sizeof(name), "item%d", i + 1);
        rc = fx_csv_find(t, name, &col[i], err);
    }
    if (!rc && id_col)
        rc = fx_csv_find(t, id_col, &idc, err);
    if (rc)
        return rc;
    fx_smfa_form *f = calloc(rows ? rows : 1, sizeof(*f));
    if (!f)
        return fx_fail(err, FX_ENOMEM, "cannot allocate %zu SMFA forms", rows);
    for (size_t r = 0; r < rows && !rc; r++) {
        f[r].line = fx_csv_line(t, r);
        if (id_col)
            snprintf(f[r].id, sizeof(f[r].id), "%s", fx_csv_cell(t, r, idc));
        for (int i = 0; i < FX_SMFA_ITEMS && !rc; i++)
            rc = answer_of(t, r, col[i], i + 1, &f[r].answer[i], err);
    }
    if (rc) {
        free(f);
        return rc;
    }
    *forms = f;
    *n = rows;
    return FX_OK;
}
