/*
 * pdf.c - the document, its pages and its text: the one place (with
 * pdf_blocks.c) that talks to libharu. libharu reports errors through a
 * handler; ours only records the first one, and every public call turns a
 * recorded error into an fx_error, so no error longjmps or aborts.
 *
 * Text is converted from UTF-8 to WinAnsi once, and measured and wrapped in
 * that single-byte form, so that widths are exactly what the font prints.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fxaudit/file.h"
#include "pdf_internal.h"

static void HPDF_STDCALL on_hpdf_error(HPDF_STATUS status, HPDF_STATUS detail, void *user)
{
    fx_pdf *d = user;
    if (!d->hpdf_status) {
        d->hpdf_status = status;
        d->hpdf_detail = detail;
    }
}

/* A few libharu codes that a user can act on; the rest are reported by number. */
static const char *hpdf_reason(HPDF_STATUS s)
{
    switch (s) {
    case HPDF_FAILD_TO_ALLOC_MEM:
        return "out of memory";
    case HPDF_FILE_IO_ERROR:
        return "file write error";
    case HPDF_FILE_OPEN_ERROR:
        return "cannot open file";
    case HPDF_INVALID_PNG_IMAGE:
        return "not a PNG image libharu can read";
    case HPDF_UNSUPPORTED_FUNC:
        return "unsupported by this libharu";
    case HPDF_INVALID_IMAGE:
        return "invalid image";
    case HPDF_PAGE_OUT_OF_RANGE:
        return "text outside the page";
    default:
        return "internal error";
    }
}

int pdf_check(fx_pdf *d, const char *what, fx_error *err)
{
    if (!d->hpdf_status)
        return FX_OK;
    int rc =
        fx_fail(err, d->hpdf_status == HPDF_FAILD_TO_ALLOC_MEM ? FX_ENOMEM : FX_EIO,
                "pdf writer failed %s: %s (libharu 0x%04x, detail %u)", what,
                hpdf_reason(d->hpdf_status), (unsigned)d->hpdf_status, (unsigned)d->hpdf_detail);
    d->hpdf_status = 0;
    d->hpdf_detail = 0;
    HPDF_ResetError(d->doc);
    return rc;
}

/* --- UTF-8 to WinAnsi ------------------------------------------------------ */

/* Code points of bytes 0x80..0x9f in Windows-1252 (0 where undefined). */
static const unsigned short cp1252_high[32] = {
    0x20ac, 0,      0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017d, 0,      0,      0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
    0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0,      0x017e, 0x0178,
};

/* Decode one UTF-8 character at *p (advancing it); -1 when malformed. */
static long utf8_next(const unsigned char **p)
{
    const unsigned char *s = *p;
    int extra = s[0] < 0x80             ? 0
                : (s[0] & 0xe0) == 0xc0 ? 1
                : (s[0] & 0xf0) == 0xe0 ? 2
                : (s[0] & 0xf8) == 0xf0 ? 3
                                        : -1;
    long cp = extra == 0   ? s[0]
              : extra == 1 ? (s[0] & 0x1f)
              : extra == 2 ? (s[0] & 0x0f)
                           : (s[0] & 0x07);
    if (extra < 0) {
        *p = s + 1;
        return -1;
    }
    for (int i = 1; i <= extra; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            *p = s + i;
            return -1;
        }
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    *p = s + 1 + extra;
    return cp;
}

/* The WinAnsi byte(s) for code point `cp` into out[0..1]; returns how many. */
static int winansi_of(long cp, char out[2])
{
    if (cp == '\n' || (cp >= 0x20 && cp < 0x7f) || (cp >= 0xa0 && cp <= 0xff)) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp == '\t' || cp == '\r') {
        out[0] = ' ';
        return 1;
    }
    for (int i = 0; i < 32; i++)
        if (cp1252_high[i] && cp1252_high[i] == cp) {
            out[0] = (char)(0x80 + i);
            return 1;
        }
    if (cp == 0x2264 || cp == 0x2265) { /* ≤ ≥ */
        out[0] = cp == 0x2264 ? '<' : '>';
        out[1] = '=';
        return 2;
    }
    if (cp == 0x2212) { /* minus sign */
        out[0] = '-';
        return 1;
    }
    out[0] = '?';
    return 1;
}

size_t fx_pdf_winansi(const char *utf8, char *out, size_t n)
{
    const unsigned char *p = (const unsigned char *)(utf8 ? utf8 : "");
    size_t k = 0;

    if (n == 0)
        return 0;
    while (*p) {
        char b[2];
        int m = winansi_of(utf8_next(&p), b);
        if (k + (size_t)m >= n)
            break;
        memcpy(out + k, b, (size_t)m);
        k += (size_t)m;
    }
    out[k] = '\0';
    return k;
}

int pdf_to_winansi(const char *utf8, char **out, fx_error *err)
{
    size_t n = 2 * strlen(utf8 ? utf8 : "") + 1; /* ≤ and ≥ take two bytes */
    *out = malloc(n);
    if (!*out)
        return fx_fail(err, FX_ENOMEM, "cannot allocate %zu bytes of report text", n);
    fx_pdf_winansi(utf8, *out, n);
    return FX_OK;
}

/* --- measuring, wrapping, drawing text ---------------------------------------- */

double pdf_text_width(fx_pdf *d, font_face face, double size, const char *s, size_t len)
{
    if (len == 0)
        return 0.0;
    HPDF_TextWidth tw = HPDF_Font_TextWidth(d->font[face], (const HPDF_BYTE *)s, (HPDF_UINT)len);
    return tw.width * size / 1000.0;
}

static int push_line(pdf_line **lines, size_t *n, size_t *cap, const char *s, size_t len, bool last,
                     fx_error *err)
{
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 16;
        pdf_line *nl = realloc(*lines, nc * sizeof(*nl));
        if (!nl)
            return fx_fail(err, FX_ENOMEM, "cannot allocate %zu wrapped lines", nc);
        *lines = nl;
        *cap = nc;
    }
    (*lines)[(*n)++] = (pdf_line){s, len, last};
    return FX_OK;
}

/* Longest prefix of s[0..len) that fits `width_pt`, breaking after a space
 * when there is one and inside a word only when a single word is too long. */
static size_t fit_prefix(fx_pdf *d, font_face face, double size, const char *s, size_t len,
                         double width_pt)
{
    size_t best_space = 0, k = 0;

    while (k < len) {
        size_t next = k + 1;
        if (pdf_text_width(d, face, size, s, next) > width_pt)
            break;
        if (s[k] == ' ')
            best_space = k;
        k = next;
    }
    if (k == len)
        return len;
    if (best_space > 0)
        return best_space;
    return k > 0 ? k : 1;
}

int pdf_wrap(fx_pdf *d, font_face face, double size, const char *text, double width_pt,
             pdf_line **lines, size_t *n, fx_error *err)
{
    size_t cap = 0;
    const char *p = text;

    *lines = NULL;
    *n = 0;
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t plen = nl ? (size_t)(nl - p) : strlen(p);
        do {
            while (plen > 0 && *p == ' ' && *n > 0 && !(*lines)[*n - 1].last) {
                p++; /* a wrapped line's leading space belongs to the break */
                plen--;
            }
            size_t k = fit_prefix(d, face, size, p, plen, width_pt);
            size_t shown = k;
            while (shown > 0 && p[shown - 1] == ' ')
                shown--;
            if (push_line(lines, n, &cap, p, shown, k == plen, err)) {
                free(*lines);
                *lines = NULL;
                return FX_ENOMEM;
            }
            p += k;
            plen -= k;
        } while (plen > 0);
        if (!nl)
            break;
        p = nl + 1;
    }
    return FX_OK;
}

void pdf_draw_line(fx_pdf *d, font_face face, double size, const pdf_line *ln, double x, double y,
                   double width_pt, fx_pdf_align align)
{
    char buf[1024];
    size_t len = ln->len < sizeof(buf) - 1 ? ln->len : sizeof(buf) - 1;
    double w;
    int spaces = 0;

    memcpy(buf, ln->s, len);
    buf[len] = '\0';
    w = pdf_text_width(d, face, size, buf, len);
    for (size_t i = 0; i < len; i++)
        spaces += buf[i] == ' ';
    HPDF_Page_BeginText(d->page);
    HPDF_Page_SetFontAndSize(d->page, d->font[face], (HPDF_REAL)size);
    if (align == FX_PDF_JUSTIFY && !ln->last && spaces > 0)
        HPDF_Page_SetWordSpace(d->page, (HPDF_REAL)((width_pt - w) / spaces));
    else if (align == FX_PDF_RIGHT)
        x += width_pt - w;
    else if (align == FX_PDF_CENTER)
        x += (width_pt - w) / 2;
    HPDF_Page_TextOut(d->page, (HPDF_REAL)x, (HPDF_REAL)y, buf);
    HPDF_Page_SetWordSpace(d->page, 0);
    HPDF_Page_EndText(d->page);
}

/* --- colours and rules ----------------------------------------------------- */

void pdf_fill_gray(fx_pdf *d, double g)
{
    HPDF_Page_SetGrayFill(d->page, (HPDF_REAL)g);
}

void pdf_fill_rgb(fx_pdf *d, double r, double g, double b)
{
    HPDF_Page_SetRGBFill(d->page, (HPDF_REAL)r, (HPDF_REAL)g, (HPDF_REAL)b);
}

void pdf_rule(fx_pdf *d, double x0, double x1, double y, double width_pt, double gray)
{
    HPDF_Page_SetGrayStroke(d->page, (HPDF_REAL)gray);
    HPDF_Page_SetLineWidth(d->page, (HPDF_REAL)width_pt);
    HPDF_Page_MoveTo(d->page, (HPDF_REAL)x0, (HPDF_REAL)y);
    HPDF_Page_LineTo(d->page, (HPDF_REAL)x1, (HPDF_REAL)y);
    HPDF_Page_Stroke(d->page);
}

/* --- pages ----------------------------------------------------------------- */

int pdf_new_page(fx_pdf *d, fx_error *err)
{
    if (d->npages == d->cap_pages) {
        int nc = d->cap_pages ? 2 * d->cap_pages : 8;
        HPDF_Page *np = realloc(d->pages, (size_t)nc * sizeof(*np));
        if (!np)
            return fx_fail(err, FX_ENOMEM, "cannot allocate %d report pages", nc);
        d->pages = np;
        d->cap_pages = nc;
    }
    d->page = HPDF_AddPage(d->doc);
    if (!d->page)
        return pdf_check(d, "adding a page", err);
    HPDF_Page_SetSize(d->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    d->pages[d->npages++] = d->page;
    d->y = PAGE_H_PT - MARGIN_TOP_PT;
    return pdf_check(d, "adding a page", err);
}

int pdf_need(fx_pdf *d, double h_pt, fx_error *err)
{
    if (d->footers_drawn)
        return fx_fail(err, FX_EINVAL, "the report was already saved; it cannot grow");
    if (d->page && d->y - h_pt >= MARGIN_BOTTOM_PT)
        return FX_OK;
    /* A block taller than a whole page still gets a fresh page, and is then
     * cut by the caller's own page-break logic (tables) or scaled (images). */
    if (d->page && d->y >= PAGE_H_PT - MARGIN_TOP_PT - 0.5)
        return FX_OK;
    return pdf_new_page(d, err);
}

int fx_pdf_page_count(const fx_pdf *d)
{
    return d ? d->npages : 0;
}

int fx_pdf_page_break(fx_pdf *d, fx_error *err)
{
    if (d->page && d->y >= PAGE_H_PT - MARGIN_TOP_PT - 0.5)
        return FX_OK; /* already at the top of a fresh page */
    return pdf_new_page(d, err);
}

int fx_pdf_keep_together(fx_pdf *d, double height_mm, fx_error *err)
{
    return pdf_need(d, height_mm * PT_PER_MM, err);
}

int fx_pdf_space(fx_pdf *d, double mm, fx_error *err)
{
    int rc = pdf_need(d, 0, err);
    if (rc)
        return rc;
    d->y -= mm * PT_PER_MM;
    if (d->y < MARGIN_BOTTOM_PT)
        d->y = MARGIN_BOTTOM_PT;
    return FX_OK;
}

/* --- the document ---------------------------------------------------------- */

static int set_info(fx_pdf *d, HPDF_InfoType what, const char *utf8, fx_error *err)
{
    char *s;
    int rc;

    if (!utf8)
        return FX_OK;
    if ((rc = pdf_to_winansi(utf8, &s, err)))
        return rc;
    HPDF_SetInfoAttr(d->doc, what, s);
    free(s);
    return pdf_check(d, "setting the document information", err);
}

int fx_pdf_new(const fx_pdf_meta *meta, fx_pdf **out, fx_error *err)
{
    static const char *const faces[FONT_COUNT] = {"Helvetica", "Helvetica-Bold",
                                                  "Helvetica-Oblique"};
    fx_pdf *d = calloc(1, sizeof(*d));
    int rc = FX_OK;

    *out = NULL;
    if (!d)
        return fx_fail(err, FX_ENOMEM, "cannot allocate a report document");
    d->doc = HPDF_New(on_hpdf_error, d);
    if (!d->doc) {
        free(d);
        return fx_fail(err, FX_ENOMEM, "cannot create a pdf document (libharu)");
    }
    HPDF_SetCompressionMode(d->doc, HPDF_COMP_ALL);
    for (int i = 0; i < FONT_COUNT; i++)
        d->font[i] = HPDF_GetFont(d->doc, faces[i], "WinAnsiEncoding");
    rc = pdf_check(d, "loading the base-14 fonts", err);
    if (!rc)
        rc = set_info(d, HPDF_INFO_CREATOR, PACKAGE_NAME " " PACKAGE_VERSION, err);
    if (!rc && meta) {
        rc = set_info(d, HPDF_INFO_TITLE, meta->title, err);
        if (!rc)
            rc = set_info(d, HPDF_INFO_SUBJECT, meta->subject, err);
        if (!rc)
            rc = set_info(d, HPDF_INFO_AUTHOR, meta->author, err);
    }
    d->generated = time(NULL);
    if (rc) {
        fx_pdf_free(d);
        return rc;
    }
    *out = d;
    return FX_OK;
}

static void free_audit(fx_pdf *d)
{
    free(d->software);
    free(d->database_sha256);
    free(d->inputs);
    d->software = d->database_sha256 = NULL;
    d->inputs = NULL;
    d->n_inputs = 0;
    d->have_audit = false;
}

void fx_pdf_free(fx_pdf *d)
{
    if (!d)
        return;
    HPDF_Free(d->doc);
    free(d->pages);
    free_audit(d);
    free(d);
}

int fx_pdf_set_audit(fx_pdf *d, const fx_pdf_audit *a, fx_error *err)
{
    free_audit(d);
    d->software = strdup(a->software ? a->software : PACKAGE_NAME " " PACKAGE_VERSION);
    d->database_sha256 = a->database_sha256 ? strdup(a->database_sha256) : NULL;
    if (a->n_inputs) {
        d->inputs = calloc(a->n_inputs, sizeof(*d->inputs));
        if (d->inputs) {
            memcpy(d->inputs, a->inputs, a->n_inputs * sizeof(*d->inputs));
            d->n_inputs = a->n_inputs;
        }
    }
    if (!d->software || (a->database_sha256 && !d->database_sha256) ||
        (a->n_inputs && !d->inputs)) {
        free_audit(d);
        return fx_fail(err, FX_ENOMEM, "cannot copy the report's audit trail");
    }
    d->generated = a->generated;
    d->have_audit = true;
    return FX_OK;
}

/* --- footers and saving ---------------------------------------------------- */

#define FOOT_PT 6.8

/* Shorten WinAnsi `s` in place with a trailing ellipsis until it fits. */
static void fit_or_ellipsis(fx_pdf *d, char *s, double width_pt)
{
    size_t len = strlen(s);
    if (pdf_text_width(d, FONT_REGULAR, FOOT_PT, s, len) <= width_pt)
        return;
    while (len > 1) {
        s[--len] = '\0';
        s[len - 1] = '\x85'; /* … in WinAnsi */
        if (pdf_text_width(d, FONT_REGULAR, FOOT_PT, s, len) <= width_pt)
            return;
    }
}

/* The two audit lines, UTF-8, into a and b. */
static void footer_text(const fx_pdf *d, char *a, size_t na, char *b, size_t nb)
{
    char when[32] = "";
    struct tm tm;
    size_t k;

    if (gmtime_r(&d->generated, &tm))
        strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
    if (!d->have_audit) {
        snprintf(a, na, "%s %s \xc2\xb7 generated %s", PACKAGE_NAME, PACKAGE_VERSION, when);
        b[0] = '\0';
        return;
    }
    snprintf(a, na, "%s \xc2\xb7 generated %s \xc2\xb7 database SHA-256 %.16s%s", d->software, when,
             d->database_sha256 ? d->database_sha256 : "(none)",
             d->database_sha256 ? "\xe2\x80\xa6" : "");
    k = (size_t)snprintf(b, nb, "inputs (SHA-256):%s", d->n_inputs ? "" : " none");
    for (size_t i = 0; i < d->n_inputs && k < nb; i++)
        k += (size_t)snprintf(b + k, nb - k, "%s %s %.12s\xe2\x80\xa6", i ? "," : "",
                              d->inputs[i].name ? d->inputs[i].name : "?", d->inputs[i].sha256);
}

static void draw_footer(fx_pdf *d, HPDF_Page page, int index, const char *a, const char *b)
{
    char num[48];
    pdf_line ln;
    double y1 = 15.0 * PT_PER_MM, y2 = 11.5 * PT_PER_MM;

    d->page = page;
    snprintf(num, sizeof(num), "page %d of %d", index + 1, d->npages);
    pdf_rule(d, MARGIN_LEFT_PT, PAGE_W_PT - MARGIN_RIGHT_PT, 19.0 * PT_PER_MM, 0.4, 0.55);
    pdf_fill_gray(d, 0.3);
    ln = (pdf_line){a, strlen(a), true};
    pdf_draw_line(d, FONT_REGULAR, FOOT_PT, &ln, MARGIN_LEFT_PT, y1, TEXT_W_PT, FX_PDF_LEFT);
    ln = (pdf_line){b, strlen(b), true};
    pdf_draw_line(d, FONT_REGULAR, FOOT_PT, &ln, MARGIN_LEFT_PT, y2, TEXT_W_PT, FX_PDF_LEFT);
    pdf_fill_gray(d, 0.0);
    ln = (pdf_line){num, strlen(num), true};
    pdf_draw_line(d, FONT_REGULAR, FOOT_PT + 1.2, &ln, MARGIN_LEFT_PT, y1, TEXT_W_PT, FX_PDF_RIGHT);
}

static int draw_footers(fx_pdf *d, fx_error *err)
{
    char ua[512], ub[2048], a[1024], b[4096];
    double numw;

    footer_text(d, ua, sizeof(ua), ub, sizeof(ub));
    fx_pdf_winansi(ua, a, sizeof(a));
    fx_pdf_winansi(ub, b, sizeof(b));
    numw = pdf_text_width(d, FONT_REGULAR, FOOT_PT + 1.2, "page 999 of 999", 15);
    fit_or_ellipsis(d, a, TEXT_W_PT - numw - 12);
    fit_or_ellipsis(d, b, TEXT_W_PT);
    for (int i = 0; i < d->npages; i++)
        draw_footer(d, d->pages[i], i, a, b);
    d->footers_drawn = true;
    return pdf_check(d, "drawing the page footers", err);
}

static int set_creation_date(fx_pdf *d, fx_error *err)
{
    struct tm tm;
    HPDF_Date date = {0};

    if (!gmtime_r(&d->generated, &tm))
        return FX_OK;
    date.year = tm.tm_year + 1900;
    date.month = tm.tm_mon + 1;
    date.day = tm.tm_mday;
    date.hour = tm.tm_hour;
    date.minutes = tm.tm_min;
    date.seconds = tm.tm_sec;
    date.ind = 'Z';
    HPDF_SetInfoDateAttr(d->doc, HPDF_INFO_CREATION_DATE, date);
    return pdf_check(d, "setting the creation date", err);
}

/* The document is rendered into libharu's memory stream and copied into an
 * fx_outfile, so a report appears whole under its name or not at all. */
static int copy_stream(fx_pdf *d, FILE *fp)
{
    HPDF_BYTE buf[65536];
    for (;;) {
        HPDF_UINT32 n = sizeof(buf);
        HPDF_STATUS st = HPDF_ReadFromStream(d->doc, buf, &n);
        if (n > 0 && fwrite(buf, 1, n, fp) != n)
            return -1;
        if (st == HPDF_STREAM_EOF)
            return 0;
        if (st != HPDF_OK)
            return -1;
    }
}

int fx_pdf_save(fx_pdf *d, const char *path, fx_error *err)
{
    fx_outfile out;
    int rc;

    if (!d->page && (rc = pdf_new_page(d, err)))
        return rc;
    if (!d->footers_drawn && ((rc = draw_footers(d, err)) || (rc = set_creation_date(d, err))))
        return rc;
    HPDF_SaveToStream(d->doc);
    if ((rc = pdf_check(d, "rendering the document", err)))
        return fx_error_prefix(err, "writing '%s'", path);
    if ((rc = fx_outfile_open(&out, path, err)))
        return rc;
    if (copy_stream(d, out.fp) != 0) {
        fx_outfile_abort(&out);
        HPDF_ResetError(d->doc);
        return fx_fail(err, FX_EIO, "cannot write '%s': %s", path, strerror(errno));
    }
    return fx_outfile_commit(&out, err);
}
