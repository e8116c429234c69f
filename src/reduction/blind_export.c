/*
 * blind_export.c - an observer's reading folder: a copy of each case's CT
 * named by the blinded case code, and the reading list beside it, so that an
 * observer can measure without ever seeing the study's file names (which hold
 * the study code). A volume whose header names its patient (an NRRD "content"
 * line, a NIfTI description or extension) would unblind the reader, so every
 * header is searched for the study code first and the export is refused when
 * it is found. A failed export leaves nothing behind.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "fxaudit/observers.h"

#define HEADER_MAX (1 << 20) /* bytes of header searched at most */

static bool contains(const unsigned char *buf, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; k && i + k <= n; i++)
        if (!memcmp(buf + i, needle, k))
            return true;
    return false;
}

/* The header of an NRRD (text up to the first blank line) or a NIfTI-1/2 file
 * (plain or gzip: bytes before vox_offset), read into *buf. */
static int read_header(const char *path, unsigned char **buf, size_t *n, fx_error *err)
{
    gzFile f = gzopen(path, "rb");
    if (!f)
        return fx_fail(err, FX_EIO, "cannot open a case image: %s", strerror(errno));
    unsigned char *b = malloc(HEADER_MAX);
    int got = b ? gzread(f, b, HEADER_MAX) : -1;
    gzclose(f);
    if (got < 0) {
        free(b);
        return fx_fail(err, FX_EIO, "cannot read a case image header");
    }
    size_t len = (size_t)got, end = len;
    if (len >= 8 && !memcmp(b, "NRRD", 4)) {
        for (size_t i = 0; i + 1 < len; i++)
            if (b[i] == '\n' && (b[i + 1] == '\n' || (b[i + 1] == '\r' && i + 2 < len)))
                end = i, i = len;
    } else if (len >= 348) {
        int32_t h;
        memcpy(&h, b, 4);
        float off1;
        int64_t off2;
        memcpy(&off1, b + 108, 4);
        memcpy(&off2, b + 168, 8);
        /* Same-endian files only: a byte-swapped header is searched whole. */
        if (h == 348 && off1 >= 348 && off1 < HEADER_MAX)
            end = (size_t)off1;
        else if (h == 540 && off2 >= 540 && off2 < HEADER_MAX)
            end = (size_t)off2;
    }
    *buf = b;
    *n = end < len ? end : len;
    return FX_OK;
}

static int copy_file(const char *src, const char *dst, fx_error *err)
{
    int in = open(src, O_RDONLY), out = -1, rc = FX_OK;
    char buf[1 << 16];
    ssize_t got = 0;
    if (in < 0)
        return fx_fail(err, FX_EIO, "cannot open a case image: %s", strerror(errno));
    out = open(dst, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (out < 0)
        rc = fx_fail(err, FX_EIO, "cannot create '%s': %s", dst, strerror(errno));
    while (!rc && (got = read(in, buf, sizeof(buf))) > 0)
        if (write(out, buf, (size_t)got) != got)
            rc = fx_fail(err, FX_EIO, "cannot write '%s': %s", dst, strerror(errno));
    if (!rc && got < 0)
        rc = fx_fail(err, FX_EIO, "cannot read a case image: %s", strerror(errno));
    if (out >= 0 && close(out) && !rc)
        rc = fx_fail(err, FX_EIO, "cannot write '%s': %s", dst, strerror(errno));
    close(in);
    return rc;
}

/* Export one case's image as dir/<case><ext>; *name gets the file name. */
static int export_one(fx_store *s, json_t *row, const char *dir, char *name, size_t n,
                      fx_error *err)
{
    const char *rel = json_string_value(json_object_get(row, "path"));
    const char *code = json_string_value(json_object_get(row, "case_code"));
    const char *slash = strrchr(rel, '/'), *ext = strchr(slash ? slash : rel, '.');
    char src[4096], dst[4096];
    unsigned char *hdr = NULL;
    size_t len = 0;
    if (!ext || (strcmp(ext, ".nrrd") && strcmp(ext, ".nii") && strcmp(ext, ".nii.gz")))
        return fx_fail(err, FX_EUNSUPPORTED,
                       "the CT of case '%s' is not a single-file NRRD or NIfTI volume", code);
    snprintf(src, sizeof(src), "%s/%s", fx_store_dir(s), rel);
    snprintf(name, n, "%s%s", code, ext);
    snprintf(dst, sizeof(dst), "%s/%s", dir, name);
    int rc = read_header(src, &hdr, &len, err);
    if (!rc && contains(hdr, len, json_string_value(json_object_get(row, "patient"))))
        rc = fx_fail(err, FX_ECONFLICT,
                     "the CT of case '%s' names its patient in its file header, so it cannot "
                     "be given to an observer as it is",
                     code);
    free(hdr);
    return rc ? rc : copy_file(src, dst, err);
}

/* The newest CT series of each of the observer's cases (path may be null). */
static const char images_sql[] =
    "SELECT c.case_code, p.code AS patient, (SELECT s.path FROM series s WHERE "
    "s.patient_id = c.patient_id AND s.timepoint = c.timepoint AND s.kind = 'ct' "
    "ORDER BY s.id DESC LIMIT 1) AS path FROM blinded_cases c JOIN observers o "
    "ON o.id = c.observer_id JOIN patients p ON p.id = c.patient_id WHERE o.code = ?1";

static void set_image(json_t *worklist, const char *code, const char *name)
{
    size_t i;
    json_t *c;
    for (i = 0; i < json_array_size(worklist); i++) {
        c = json_array_get(worklist, i);
        if (!strcmp(json_string_value(json_object_get(c, "case")), code))
            json_object_set_new(c, "image", name ? json_string(name) : json_null());
    }
}

static int export_all(fx_store *s, json_t *rows, const char *dir, json_t *list, json_t *made,
                      fx_error *err)
{
    size_t i;
    json_t *r;
    for (i = 0; i < json_array_size(rows); i++) {
        r = json_array_get(rows, i);
        char name[128];
        const char *code = json_string_value(json_object_get(r, "case_code"));
        if (!json_is_string(json_object_get(r, "path"))) {
            set_image(list, code, NULL);
            continue;
        }
        int rc = export_one(s, r, dir, name, sizeof(name), err);
        if (rc)
            return rc;
        json_array_append_new(made, json_string(name));
        set_image(list, code, name);
    }
    return FX_OK;
}

static int write_list(const char *dir, const char *observer, json_t *list, json_t *made,
                      fx_error *err)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/worklist.json", dir);
    json_t *j = json_pack("{s:s, s:O}", "observer", observer, "cases", list);
    int rc = json_dump_file(j, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(j);
    json_array_append_new(made, json_string("worklist.json"));
    return rc ? fx_fail(err, FX_EIO, "cannot write '%s'", path) : FX_OK;
}

static void remove_made(const char *dir, json_t *made)
{
    size_t i;
    json_t *f;
    char path[4096];
    for (i = 0; i < json_array_size(made); i++) {
        f = json_array_get(made, i);
        snprintf(path, sizeof(path), "%s/%s", dir, json_string_value(f));
        unlink(path);
    }
}

int fx_observers_export(fx_store *s, const char *observer, const char *dir, json_t **worklist,
                        fx_error *err)
{
    json_t *rows = NULL, *list = NULL, *made = json_array();
    fx_store_field p[] = {fx_sf_text("observer", observer)};
    bool created = mkdir(dir, 0755) == 0;
    *worklist = NULL;
    int rc = created || errno == EEXIST
                 ? FX_OK
                 : fx_fail(err, FX_EIO, "cannot create '%s': %s", dir, strerror(errno));
    if (!rc)
        rc = fx_observers_worklist(s, observer, &list, err);
    if (!rc)
        rc = fx_store_query(s, images_sql, p, 1, &rows, err);
    if (!rc)
        rc = export_all(s, rows, dir, list, made, err);
    if (!rc)
        rc = write_list(dir, observer, list, made, err);
    if (rc) {
        remove_made(dir, made);
        if (created)
            rmdir(dir);
        json_decref(list);
    } else {
        *worklist = list;
    }
    json_decref(rows);
    json_decref(made);
    return rc;
}
