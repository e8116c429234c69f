/*
 * agr_table.c - reading the chosen numeric columns of a CSV file for the
 * agreement commands: a header row of names, comma-separated fields (RFC 4180
 * quoting, CRLF or LF), empty cells as missing values (NaN). Strict: a cell
 * that is not a number, or a row with the wrong number of fields, is an error
 * naming the file, the row and the column, so that nothing is silently lost.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agr_table.h"
#include "cli.h"

#define MAX_FILE_BYTES (64u << 20)

struct agr_table {
    size_t rows, cols, cap;
    double *x;
    char **names;
};

void agr_table_free(agr_table *t)
{
    if (!t)
        return;
    for (size_t j = 0; j < t->cols; j++)
        free(t->names[j]);
    free(t->names);
    free(t->x);
    free(t);
}

size_t agr_table_rows(const agr_table *t) { return t->rows; }
size_t agr_table_cols(const agr_table *t) { return t->cols; }
const double *agr_table_values(const agr_table *t) { return t->x; }
const char *agr_table_name(const agr_table *t, size_t j) { return t->names[j]; }

json_t *agr_table_names_json(const agr_table *t)
{
    json_t *a = json_array();
    for (size_t j = 0; a && j < t->cols; j++)
        json_array_append_new(a, json_string(t->names[j]));
    return a;
}

/* One parsed record: fields point into a scratch copy. */
struct record {
    char **f;
    size_t n, cap;
};

static int push_field(struct record *r, char *s)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        char **f = realloc(r->f, cap * sizeof(*f));
        if (!f)
            return -1;
        r->f = f, r->cap = cap;
    }
    r->f[r->n++] = s;
    return 0;
}

static char *trim(char *s, char *end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    *end = '\0';
    return s;
}

/* Split the record starting at *p in place (quotes removed, "" unescaped);
 * advance *p past its line end. Returns 0, or -1 for an unterminated quote,
 * -2 out of memory. */
static int next_record(char **p, struct record *r)
{
    char *s = *p;
    r->n = 0;
    for (;;) {
        char *start = s, *w = s;
        bool quoted = false;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '"') {
            quoted = true;
            start = w = ++s;
            while (*s && !(*s == '"' && s[1] != '"'))
                *w++ = *s == '"' ? (s += 2, '"') : *s++;
            if (*s != '"')
                return -1;
            s++;
            while (*s == ' ' || *s == '\t')
                s++;
            if (*s && *s != ',' && *s != '\n' && !(*s == '\r' && s[1] == '\n'))
                return -1; /* text after the closing quote */
        } else {
            while (*s && *s != ',' && *s != '\n')
                s++;
            w = s;
            if (w > start && w[-1] == '\r' && *s != ',')
                w--;
        }
        char sep = *s;
        char *field = quoted ? (*w = '\0', start) : trim(start, w);
        if (push_field(r, field))
            return -2;
        if (sep == ',') {
            s++;
            continue;
        }
        if (sep == '\r') /* only after a quoted field: CR LF */
            s++;
        /* The separator itself may have been overwritten by the field's end. */
        *p = sep == '\n' || sep == '\r' ? s + 1 : s;
        return 0;
    }
}

static int read_file(const char *file, char **out)
{
    FILE *f = fopen(file, "rb");
    if (!f)
        return cli_failf("cannot open '%s': %s", file, strerror(errno));
    char *buf = malloc(MAX_FILE_BYTES + 1);
    size_t n = buf ? fread(buf, 1, MAX_FILE_BYTES + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad || n > MAX_FILE_BYTES) {
        free(buf);
        return cli_failf("cannot read '%s': %s", file,
                         !buf ? "out of memory" : bad ? "read error" : "larger than 64 MiB");
    }
    buf[n] = '\0';
    if (strlen(buf) != n) {
        free(buf);
        return cli_failf("'%s' is not a CSV text file (it holds a NUL byte)", file);
    }
    *out = buf;
    return EXIT_OK;
}

/* Find each name of `cols` in the header; fills pick[] and t->names. */
static int pick_columns(const char *cmd, const char *file, const char *cols,
                        const struct record *head, size_t min_cols, size_t max_cols,
                        agr_table *t, size_t *pick)
{
    size_t want = 1;
    for (const char *c = cols; *c; c++)
        want += *c == ',';
    if (want < min_cols || (max_cols && want > max_cols))
        return max_cols == min_cols
                   ? cli_usage(cmd, "--cols needs exactly %zu column names, got %zu", min_cols, want)
                   : cli_usage(cmd, "--cols needs at least %zu column names, got %zu", min_cols,
                               want);
    if (!(t->names = calloc(want, sizeof(*t->names))))
        return cli_failf("out of memory");
    for (const char *c = cols, *e; t->cols < want; c = e + 1) {
        e = c + strcspn(c, ",");
        char *name = strndup(c, (size_t)(e - c));
        if (!name)
            return cli_failf("out of memory");
        t->names[t->cols++] = name;
        if (!*name)
            return cli_usage(cmd, "--cols has an empty column name");
        size_t hits = 0;
        for (size_t j = 0; j < head->n; j++)
            if (!strcmp(head->f[j], name))
                pick[t->cols - 1] = j, hits++;
        for (size_t j = 0; j + 1 < t->cols; j++)
            if (!strcmp(t->names[j], name))
                return cli_usage(cmd, "column '%s' is named twice in --cols", name);
        if (hits != 1)
            return cli_failf(hits ? "'%s': the header names column '%s' more than once"
                                  : "'%s' has no column '%s' in its header row",
                             file, name);
    }
    return EXIT_OK;
}

static int add_row(const char *file, size_t line, const struct record *rec, size_t width,
                   agr_table *t, const size_t *pick)
{
    if (rec->n != width)
        return cli_failf("'%s', line %zu: %zu fields, but the header has %zu", file, line, rec->n,
                         width);
    if (t->rows == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        double *x = realloc(t->x, cap * t->cols * sizeof(*x));
        if (!x)
            return cli_failf("out of memory");
        t->x = x, t->cap = cap;
    }
    for (size_t j = 0; j < t->cols; j++) {
        const char *s = rec->f[pick[j]];
        char *end;
        double v = NAN;
        if (*s) {
            errno = 0;
            v = strtod(s, &end);
            if (*end || errno || !isfinite(v))
                return cli_failf("'%s', line %zu, column '%s': '%s' is not a number (leave a "
                                 "missing value empty)",
                                 file, line, t->names[j], s);
        }
        t->x[t->rows * t->cols + j] = v;
    }
    t->rows++;
    return EXIT_OK;
}

static int parse(const char *cmd, const char *file, char *text, const char *cols,
                 size_t min_cols, size_t max_cols, agr_table *t)
{
    struct record head = {0}, rec = {0};
    size_t *pick = calloc(strlen(cols) + 1, sizeof(*pick)), line = 1;
    char *p = text + (strncmp(text, "\xef\xbb\xbf", 3) ? 0 : 3); /* a UTF-8 BOM */
    int rc = pick ? EXIT_OK : cli_failf("out of memory");

    if (!rc && (!*p || next_record(&p, &head)))
        rc = cli_failf(*text ? "'%s': cannot read the header row" : "'%s' is empty", file);
    if (!rc)
        rc = pick_columns(cmd, file, cols, &head, min_cols, max_cols, t, pick);
    while (!rc && *p) {
        line++;
        int r = next_record(&p, &rec);
        if (r)
            rc = cli_failf(r == -1 ? "'%s', line %zu: a quoted field is not closed properly"
                                   : "'%s', line %zu: out of memory",
                           file, line);
        else if (!(rec.n == 1 && !*rec.f[0])) /* blank lines are skipped */
            rc = add_row(file, line, &rec, head.n, t, pick);
    }
    free(head.f);
    free(rec.f);
    free(pick);
    return rc;
}

int agr_table_read(const char *cmd, const char *file, const char *cols, size_t min_cols,
                   size_t max_cols, agr_table **out)
{
    char *text = NULL;
    agr_table *t = calloc(1, sizeof(*t));
    int rc = t ? read_file(file, &text) : cli_failf("out of memory");
    if (!rc)
        rc = parse(cmd, file, text, cols, min_cols, max_cols, t);
    free(text);
    if (rc) {
        agr_table_free(t);
        t = NULL;
    }
    *out = t;
    return rc;
}
