/*
 * nrrd.c - NRRD volumes (http://teem.sourceforge.net/nrrd/format.html), the
 * format 3D Slicer opens directly. We read attached-header files with raw or
 * gzip encoding in either byte order, and write little-endian raw or gzip with
 * space "left-posterior-superior", so our LPS geometry is written as it is.
 * A RAS file is read by negating the first two world axes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "fxaudit/file.h"
#include "fxaudit/volio.h"

#define LINE_MAX_NRRD 4096

/* What the header said, before it becomes a volume. */
struct nrrd_header {
    fx_voxel_type type;
    int dims[3];
    double dirs[3][3]; /* space directions: column vectors, mm */
    double origin[3];
    double spacings[3];
    int has_dirs, has_spacings, gzip, big_endian, ras, have_type, have_sizes, have_encoding;
};

static char *trim(char *s)
{
    char *e;
    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

static int parse_type(const char *v, fx_voxel_type *t)
{
    static const struct {
        const char *name;
        fx_voxel_type type;
    } names[] = {
        {"short", FX_VOX_I16},          {"int16", FX_VOX_I16},   {"int16_t", FX_VOX_I16},
        {"signed short", FX_VOX_I16},   {"short int", FX_VOX_I16}, {"signed short int", FX_VOX_I16},
        {"uchar", FX_VOX_U8},           {"unsigned char", FX_VOX_U8}, {"uint8", FX_VOX_U8},
        {"uint8_t", FX_VOX_U8},         {"ushort", FX_VOX_U16},  {"unsigned short", FX_VOX_U16},
        {"uint16", FX_VOX_U16},         {"uint16_t", FX_VOX_U16}, {"unsigned short int", FX_VOX_U16},
        {"float", FX_VOX_F32},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(v, names[i].name)) {
            *t = names[i].type;
            return 0;
        }
    return -1;
}

/* "(a,b,c)" -> three numbers; returns the count parsed (3 on success). */
static int parse_vector(const char **p, double out[3])
{
    const char *s = *p;
    char *end;
    while (*s == ' ')
        s++;
    if (*s != '(')
        return 0;
    s++;
    for (int c = 0; c < 3; c++) {
        errno = 0;
        out[c] = strtod(s, &end);
        if (end == s || errno)
            return c;
        s = end;
        while (*s == ' ')
            s++;
        if (*s != (c < 2 ? ',' : ')'))
            return c;
        s++;
    }
    *p = s;
    return 3;
}

static int parse_numbers(const char *s, double *out, int n)
{
    char *end;
    for (int i = 0; i < n; i++) {
        errno = 0;
        out[i] = strtod(s, &end);
        if (end == s || errno)
            return -1;
        s = end;
    }
    return 0;
}

static int header_field(const char *path, struct nrrd_header *h, const char *key, char *val,
                        fx_error *err)
{
    if (!strcmp(key, "type")) {
        if (parse_type(val, &h->type))
            return fx_fail(err, FX_EUNSUPPORTED, "'%s': field 'type': '%s' is not supported "
                           "(short, ushort, uchar or float)", path, val);
        h->have_type = 1;
    } else if (!strcmp(key, "dimension")) {
        if (strcmp(val, "3"))
            return fx_fail(err, FX_EUNSUPPORTED, "'%s': field 'dimension' is %s, not 3", path,
                           val);
    } else if (!strcmp(key, "sizes")) {
        double d[3];
        if (parse_numbers(val, d, 3))
            return fx_fail(err, FX_EFORMAT, "'%s': field 'sizes': cannot read '%s'", path, val);
        for (int c = 0; c < 3; c++) {
            if (!(d[c] >= 1 && d[c] <= 1 << 20) || d[c] != (int)d[c])
                return fx_fail(err, FX_EFORMAT, "'%s': field 'sizes': bad size '%s'", path, val);
            h->dims[c] = (int)d[c];
        }
        h->have_sizes = 1;
    } else if (!strcmp(key, "space") || !strcmp(key, "space dimension")) {
        if (!strcmp(val, "right-anterior-superior") || !strcmp(val, "RAS"))
            h->ras = 1;
        else if (strcmp(val, "left-posterior-superior") && strcmp(val, "LPS") && strcmp(val, "3"))
            return fx_fail(err, FX_EUNSUPPORTED, "'%s': field 'space': '%s' is not supported",
                           path, val);
    } else if (!strcmp(key, "space directions")) {
        const char *p = val;
        for (int c = 0; c < 3; c++)
            if (parse_vector(&p, h->dirs[c]) != 3)
                return fx_fail(err, FX_EFORMAT, "'%s': field 'space directions': cannot read "
                               "three vectors in '%s'", path, val);
        h->has_dirs = 1;
    } else if (!strcmp(key, "space origin")) {
        const char *p = val;
        if (parse_vector(&p, h->origin) != 3)
            return fx_fail(err, FX_EFORMAT, "'%s': field 'space origin': cannot read '%s'", path,
                           val);
    } else if (!strcmp(key, "spacings")) {
        if (parse_numbers(val, h->spacings, 3))
            return fx_fail(err, FX_EFORMAT, "'%s': field 'spacings': cannot read '%s'", path, val);
        h->has_spacings = 1;
    } else if (!strcmp(key, "encoding")) {
        if (!strcmp(val, "gzip") || !strcmp(val, "gz"))
            h->gzip = 1;
        else if (strcmp(val, "raw"))
            return fx_fail(err, FX_EUNSUPPORTED, "'%s': field 'encoding': '%s' is not supported "
                           "(raw or gzip)", path, val);
        h->have_encoding = 1;
    } else if (!strcmp(key, "endian")) {
        h->big_endian = !strcmp(val, "big");
    } else if (!strcmp(key, "data file") || !strcmp(key, "datafile")) {
        return fx_fail(err, FX_EUNSUPPORTED, "'%s': field 'data file': detached data is not "
                       "supported", path);
    } else if (!strcmp(key, "line skip") || !strcmp(key, "byte skip")) {
        if (strcmp(val, "0"))
            return fx_fail(err, FX_EUNSUPPORTED, "'%s': field '%s' is not supported", path, key);
    }
    return FX_OK;
}

/* Read header lines up to the blank line; *data_off gets the data's offset. */
static int read_header(FILE *f, const char *path, struct nrrd_header *h, long *data_off,
                       fx_error *err)
{
    char line[LINE_MAX_NRRD];

    if (!fgets(line, sizeof(line), f) || strncmp(line, "NRRD000", 7))
        return fx_fail(err, FX_EFORMAT, "'%s' is not a NRRD file (no NRRD000x magic)", path);
    while (fgets(line, sizeof(line), f)) {
        char *s = trim(line), *colon;
        if (!*s)
            break;
        if (*s == '#' || strstr(s, ":=")) /* comments and key/value pairs */
            continue;
        colon = strchr(s, ':');
        if (!colon)
            return fx_fail(err, FX_EFORMAT, "'%s': header line '%s' has no ':'", path, s);
        *colon = '\0';
        int rc = header_field(path, h, trim(s), trim(colon + 1), err);
        if (rc)
            return rc;
    }
    if (!h->have_type || !h->have_sizes || !h->have_encoding)
        return fx_fail(err, FX_EFORMAT, "'%s': header lacks the field '%s'", path,
                       !h->have_type ? "type" : !h->have_sizes ? "sizes" : "encoding");
    *data_off = ftell(f);
    return FX_OK;
}

static int geometry_from_header(const char *path, const struct nrrd_header *h, fx_volume *v,
                                fx_error *err)
{
    for (int c = 0; c < 3; c++) {
        double s;
        if (h->has_dirs) {
            s = sqrt(h->dirs[c][0] * h->dirs[c][0] + h->dirs[c][1] * h->dirs[c][1] +
                     h->dirs[c][2] * h->dirs[c][2]);
            if (!(s > 0))
                return fx_fail(err, FX_EFORMAT, "'%s': field 'space directions': axis %d has "
                               "zero length", path, c);
            for (int r = 0; r < 3; r++)
                v->dir[3 * r + c] = h->dirs[c][r] / s;
        } else {
            s = h->has_spacings ? h->spacings[c] : 1.0;
        }
        v->spacing[c] = s;
        v->origin[c] = h->origin[c];
    }
    if (h->ras) /* RAS -> LPS: negate the first two world coordinates */
        for (int r = 0; r < 2; r++) {
            v->origin[r] = -v->origin[r];
            for (int c = 0; c < 3; c++)
                v->dir[3 * r + c] = -v->dir[3 * r + c];
        }
    int rc = fx_volume_check_geometry(v, err);
    return rc ? fx_error_prefix(err, "'%s'", path) : FX_OK;
}

static void swap_bytes(void *data, size_t n, size_t size)
{
    uint8_t *p = data;
    for (size_t i = 0; i < n; i++, p += size)
        for (size_t a = 0, b = size - 1; a < b; a++, b--) {
            uint8_t t = p[a];
            p[a] = p[b];
            p[b] = t;
        }
}

static int read_payload(FILE *f, const char *path, const struct nrrd_header *h, long off,
                        fx_volume *v, fx_error *err)
{
    size_t bytes = fx_volume_count(v) * fx_voxel_size(v->type);

    if (!h->gzip) {
        if (fseek(f, off, SEEK_SET) || fread(v->data, 1, bytes, f) != bytes)
            return fx_fail(err, FX_EFORMAT, "'%s': data are shorter than the %zu bytes the "
                           "header promises", path, bytes);
        return FX_OK;
    }
    int fd = dup(fileno(f));
    if (fd < 0 || lseek(fd, off, SEEK_SET) < 0) {
        if (fd >= 0)
            close(fd);
        return fx_fail(err, FX_EIO, "cannot read '%s': %s", path, strerror(errno));
    }
    gzFile gz = gzdopen(fd, "rb");
    if (!gz) {
        close(fd);
        return fx_fail(err, FX_ENOMEM, "cannot start gzip decoding of '%s'", path);
    }
    gzbuffer(gz, 1 << 18);
    size_t done = 0;
    while (done < bytes) {
        unsigned chunk = bytes - done > (1u << 30) ? 1u << 30 : (unsigned)(bytes - done);
        int got = gzread(gz, (char *)v->data + done, chunk);
        if (got <= 0)
            break;
        done += (size_t)got;
    }
    gzclose(gz);
    if (done != bytes)
        return fx_fail(err, FX_EFORMAT, "'%s': gzip data end after %zu of %zu bytes", path, done,
                       bytes);
    return FX_OK;
}

int fx_nrrd_read(const char *path, fx_volume **out, fx_error *err)
{
    struct nrrd_header h = {0};
    fx_volume *v = NULL;
    long off = 0;
    int rc;
    FILE *f = fopen(path, "rb");

    *out = NULL;
    if (!f)
        return fx_fail(err, FX_EIO, "cannot open '%s': %s", path, strerror(errno));
    rc = read_header(f, path, &h, &off, err);
    if (!rc)
        rc = fx_volume_new(h.dims, h.type, &v, err);
    if (!rc)
        rc = geometry_from_header(path, &h, v, err);
    if (!rc)
        rc = read_payload(f, path, &h, off, v, err);
    fclose(f);
    if (rc) {
        fx_volume_free(v);
        return rc;
    }
    if (h.big_endian && fx_voxel_size(v->type) > 1)
        swap_bytes(v->data, fx_volume_count(v), fx_voxel_size(v->type));
    *out = v;
    return FX_OK;
}

static const char *nrrd_type_name(fx_voxel_type t)
{
    switch (t) {
    case FX_VOX_I16: return "short";
    case FX_VOX_U8: return "uchar";
    case FX_VOX_U16: return "ushort";
    case FX_VOX_F32: return "float";
    }
    return NULL;
}

static int write_header(FILE *f, const fx_volume *v, int gzip)
{
    /* %.17g keeps every double exact, so geometry survives a round trip. */
    fprintf(f, "NRRD0004\n# written by fxaudit\ntype: %s\ndimension: 3\n"
               "space: left-posterior-superior\nsizes: %d %d %d\nspace directions:",
            nrrd_type_name(v->type), v->dims[0], v->dims[1], v->dims[2]);
    for (int c = 0; c < 3; c++)
        fprintf(f, " (%.17g,%.17g,%.17g)", v->dir[c] * v->spacing[c],
                v->dir[3 + c] * v->spacing[c], v->dir[6 + c] * v->spacing[c]);
    fprintf(f, "\nkinds: domain domain domain\nendian: little\nencoding: %s\n"
               "space origin: (%.17g,%.17g,%.17g)\n\n",
            gzip ? "gzip" : "raw", v->origin[0], v->origin[1], v->origin[2]);
    return ferror(f) ? -1 : 0;
}

static int write_payload(FILE *f, const fx_volume *v, int gzip)
{
    size_t bytes = fx_volume_count(v) * fx_voxel_size(v->type);

    if (!gzip)
        return fwrite(v->data, 1, bytes, f) == bytes ? 0 : -1;
    if (fflush(f))
        return -1;
    int fd = dup(fileno(f));
    if (fd < 0)
        return -1;
    /* Level 1: CT compresses nearly as well as at level 6, three times faster. */
    gzFile gz = gzdopen(fd, "wb1");
    if (!gz) {
        close(fd);
        return -1;
    }
    gzbuffer(gz, 1 << 18);
    size_t done = 0;
    while (done < bytes) {
        unsigned chunk = bytes - done > (1u << 30) ? 1u << 30 : (unsigned)(bytes - done);
        if (gzwrite(gz, (const char *)v->data + done, chunk) != (int)chunk) {
            gzclose(gz);
            return -1;
        }
        done += chunk;
    }
    return gzclose(gz) == Z_OK ? 0 : -1;
}

int fx_nrrd_write(const char *path, const fx_volume *v, int gzip, fx_error *err)
{
    fx_outfile out;
    int rc;

    if (!nrrd_type_name(v->type))
        return fx_fail(err, FX_EINVAL, "cannot write '%s': unknown voxel type", path);
    rc = fx_volume_check_geometry(v, err);
    if (rc)
        return fx_error_prefix(err, "cannot write '%s'", path);
    rc = fx_outfile_open(&out, path, err);
    if (rc)
        return rc;
    if (write_header(out.fp, v, gzip) || write_payload(out.fp, v, gzip)) {
        fx_outfile_abort(&out);
        return fx_fail(err, FX_EIO, "cannot write '%s' (disk full?)", path);
    }
    return fx_outfile_commit(&out, err);
}
