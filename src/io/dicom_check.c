/*
 * dicom_check.c - walk a file's DICOM element structure before GDCM sees it.
 *
 * Debian builds GDCM with assertions on, and a truncated or garbled file
 * makes its parser abort the whole program instead of failing. So every file
 * is first walked here: preamble (optional), file meta group (explicit VR
 * little endian), then the data set in the transfer syntax the meta group
 * names (implicit or explicit VR, little or big endian; a deflated data set is
 * inflated first), descending into sequences and items of undefined length,
 * until the end of the file. Every element's length must fit in what is left.
 * Only the structure is checked, not the values.
 */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "dicom_check.h"

struct walker {
    const uint8_t *p;
    size_t n;
    int explicit_vr, big_endian;
    const char *why;
};

static uint16_t u16(const struct walker *w, size_t at)
{
    const uint8_t *b = w->p + at;
    return w->big_endian ? (uint16_t)(b[0] << 8 | b[1]) : (uint16_t)(b[1] << 8 | b[0]);
}

static uint32_t u32(const struct walker *w, size_t at)
{
    const uint8_t *b = w->p + at;
    return w->big_endian ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]
                         : (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
}

static int long_vr(const uint8_t *vr)
{
    static const char *const longs[] = {"OB", "OW", "OF", "SQ", "UT", "UN", "OD", "OL", "OV",
                                        "SV", "UV", "UC", "UR"};
    for (size_t i = 0; i < sizeof(longs) / sizeof(longs[0]); i++)
        if (vr[0] == longs[i][0] && vr[1] == longs[i][1])
            return 1;
    return 0;
}

static int walk_items(struct walker *w, size_t *pos, size_t end, int undefined, int depth);

/* A VR must be one the standard defines; GDCM asserts on any other. */
static int valid_vr(const uint8_t *vr)
{
    static const char known[] = "AE AS AT CS DA DS DT FL FD IS LO LT OB OD OF OL OV OW PN SH "
                                "SL SQ SS ST SV TM UC UI UL UN UR US UT UV";
    for (size_t k = 0; k + 2 <= sizeof(known) - 1; k += 3) /* "XX " triples, the last without */
        if (vr[0] == (uint8_t)known[k] && vr[1] == (uint8_t)known[k + 1])
            return 1;
    return 0;
}

/* Walk elements from *pos until `end`, or until the delimiter tag `stop`
 * (0 none). Returns 0 when the structure holds. */
static int walk_elements(struct walker *w, size_t *pos, size_t end, uint32_t stop, int depth)
{
    if (depth > 16)
        return w->why = "sequences nest too deep", -1;
    while (*pos < end) {
        if (end - *pos < 8)
            return w->why = "the file ends inside an element header", -1;
        uint32_t tag = (uint32_t)u16(w, *pos) << 16 | u16(w, *pos + 2);
        uint32_t len;
        int sq = 0;
        size_t head = 8;
        if (tag == 0xfffee00dU || tag == 0xfffee0ddU) { /* item / sequence delimiter */
            *pos += 8;
            return tag == stop ? 0 : (w->why = "a delimiter where none belongs", -1);
        }
        if (w->explicit_vr && (tag >> 16) != 0xfffe) {
            const uint8_t *vr = w->p + *pos + 4;
            if (!valid_vr(vr))
                return w->why = "an element has no valid VR", -1;
            if (long_vr(vr)) {
                if (end - *pos < 12)
                    return w->why = "the file ends inside an element header", -1;
                len = u32(w, *pos + 8);
                head = 12;
                sq = vr[0] == 'S' && vr[1] == 'Q';
            } else {
                len = u16(w, *pos + 6);
            }
        } else {
            len = u32(w, *pos + 4);
            sq = len == 0xffffffffU; /* implicit VR: undefined length means a sequence */
        }
        *pos += head;
        if (len == 0xffffffffU || (sq && len)) {
            int undefined = len == 0xffffffffU;
            if (!undefined && len > end - *pos)
                return w->why = "a sequence is longer than the file", -1;
            /* UN of undefined length is a sequence in implicit VR */
            int saved = w->explicit_vr;
            if (saved && !memcmp(w->p + *pos - head + 4, "UN", 2))
                w->explicit_vr = 0;
            int rc = walk_items(w, pos, undefined ? end : *pos + len, undefined, depth + 1);
            w->explicit_vr = saved;
            if (rc)
                return -1;
            continue;
        }
        if (len > end - *pos)
            return w->why = "an element is longer than the rest of the file", -1;
        *pos += len;
    }
    return stop ? (w->why = "the file ends inside a sequence", -1) : 0;
}

/* Items of a sequence (or fragments of encapsulated pixel data) up to `end`;
 * a sequence of undefined length must end with its delimiter. */
static int walk_items(struct walker *w, size_t *pos, size_t end, int undefined, int depth)
{
    while (*pos < end) {
        if (end - *pos < 8)
            return w->why = "the file ends inside a sequence item", -1;
        uint32_t tag = (uint32_t)u16(w, *pos) << 16 | u16(w, *pos + 2);
        uint32_t len = u32(w, *pos + 4);
        *pos += 8;
        if (tag == 0xfffee0ddU) /* sequence delimiter */
            return 0;
        if (tag != 0xfffee000U)
            return w->why = "a sequence holds something that is not an item", -1;
        if (len == 0xffffffffU) {
            if (walk_elements(w, pos, end, 0xfffee00dU, depth))
                return -1;
        } else {
            if (len > end - *pos)
                return w->why = "an item is longer than the rest of the file", -1;
            *pos += len; /* a defined-length item (or a pixel fragment) */
        }
    }
    return undefined ? (w->why = "the file ends inside a sequence", -1) : 0;
}

/* The data set after the meta group; inflated first when deflated. */
static int walk_dataset(struct walker *w, size_t pos, int deflated)
{
    if (!deflated)
        return walk_elements(w, &pos, w->n, 0, 0);
    z_stream z = {0};
    size_t cap = (w->n - pos) * 4 + 4096, got = 0;
    uint8_t *out = NULL;
    int zrc = Z_OK;
    if (inflateInit2(&z, -15) != Z_OK)
        return w->why = "cannot start inflating the data set", -1;
    z.next_in = (uint8_t *)w->p + pos;
    z.avail_in = (uInt)(w->n - pos);
    while (zrc == Z_OK) {
        uint8_t *grown = realloc(out, cap);
        if (!grown)
            break;
        out = grown;
        z.next_out = out + got;
        z.avail_out = (uInt)(cap - got);
        zrc = inflate(&z, Z_NO_FLUSH);
        got = cap - z.avail_out;
        cap *= 2;
    }
    inflateEnd(&z);
    int rc = -1;
    if (zrc != Z_STREAM_END) {
        w->why = "the deflated data set is cut short or corrupt";
    } else {
        struct walker inner = {out, got, 1, 0, NULL};
        size_t at = 0;
        rc = walk_elements(&inner, &at, got, 0, 0);
        w->why = inner.why;
    }
    free(out);
    return rc;
}

int dicom_check_file(const char *path, char *why, size_t nwhy)
{
    struct stat st;
    int fd = open(path, O_RDONLY), rc = -1;
    snprintf(why, nwhy, "cannot open it");
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) || st.st_size < 8) {
        close(fd);
        snprintf(why, nwhy, "it is too short for DICOM");
        return -1;
    }
    size_t n = (size_t)st.st_size;
    const uint8_t *p = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return -1;
    rc = dicom_check_buffer(p, n, why, nwhy);
    munmap((void *)p, n);
    return rc;
}

/* The meta group (explicit VR little endian, group 0002) from *pos; copies
 * the transfer syntax UID into `ts` ("" when there is none). */
static int walk_meta(struct walker *w, size_t *pos, char ts[65], char *why, size_t nwhy)
{
    ts[0] = '\0';
    while (*pos + 8 <= w->n && u16(w, *pos) == 0x0002) {
        uint16_t elem = u16(w, *pos + 2);
        size_t len;
        if (*pos + 12 > w->n)
            return snprintf(why, nwhy, "the file ends inside its meta header"), -1;
        if (!valid_vr(w->p + *pos + 4))
            return snprintf(why, nwhy, "its meta header has an element without a valid VR"), -1;
        if (long_vr(w->p + *pos + 4)) {
            len = u32(w, *pos + 8);
            *pos += 12;
        } else {
            len = u16(w, *pos + 6);
            *pos += 8;
        }
        if (len > w->n - *pos)
            return snprintf(why, nwhy, "the file ends inside its meta header"), -1;
        if (elem == 0x0010)
            snprintf(ts, 65, "%.*s", (int)(len < 64 ? len : 64), (const char *)w->p + *pos);
        *pos += len;
    }
    return 0;
}

int dicom_check_buffer(const uint8_t *p, size_t n, char *why, size_t nwhy)
{
    struct walker w = {p, n, 1, 0, NULL};
    size_t pos = n >= 132 && !memcmp(p + 128, "DICM", 4) ? 132 : 0;
    char ts[65];

    if (walk_meta(&w, &pos, ts, why, nwhy))
        return -1;
    /* The data set's encoding: from the meta group, or guessed from the first
     * element when there is none (a VR's two capital letters at byte 4). */
    if (ts[0]) {
        w.explicit_vr = strcmp(ts, "1.2.840.10008.1.2") != 0;
        w.big_endian = !strcmp(ts, "1.2.840.10008.1.2.2");
    } else {
        w.explicit_vr = pos + 6 <= n && p[pos + 4] >= 'A' && p[pos + 4] <= 'Z' &&
                        p[pos + 5] >= 'A' && p[pos + 5] <= 'Z';
    }
    if (pos >= n)
        return snprintf(why, nwhy, "it holds no data set"), -1;
    int rc = walk_dataset(&w, pos, !strcmp(ts, "1.2.840.10008.1.2.1.99"));
    if (rc)
        snprintf(why, nwhy, "%s", w.why ? w.why : "its structure is broken");
    return rc;
}
