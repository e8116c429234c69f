/*
 * pdf_blocks.c - the blocks a report is made of, laid out on the pages that
 * pdf.c manages: title block, headings, paragraphs, key-value blocks, tables
 * (header repeated after a page break, flagged cells), figures and notes.
 *
 * The look follows printed clinical and scientific documents: one sans-serif
 * family, few rules (booktabs-like tables), grey only for secondary text, and
 * colour never as the only carrier of meaning.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdf_internal.h"

#define FLAG_TEXT_R 0.70
#define FLAG_TEXT_G 0.05
#define FLAG_TEXT_B 0.05
#define CELL_PAD_X 3.0
#define CELL_PAD_Y 2.6

/* Wrapped WinAnsi text flowing down the page from d->y, onto new pages as
 * needed; `x` and `width` in pt. */
static int flow_text(fx_pdf *d, const char *utf8, font_face face, double size, double lead,
                     double x, double width, fx_pdf_align align, fx_error *err)
{
    char *text = NULL;
    pdf_line *lines = NULL;
    size_t n = 0;
    int rc = pdf_to_winansi(utf8, &text, err);

    if (!rc)
        rc = pdf_wrap(d, face, size, text, width, &lines, &n, err);
    for (size_t i = 0; !rc && i < n; i++) {
        if ((rc = pdf_need(d, lead, err)))
            break;
        pdf_draw_line(d, face, size, &lines[i], x, d->y - size, width, align);
        d->y -= lead;
    }
    free(lines);
    free(text);
    return rc ? rc : pdf_check(d, "drawing text", err);
}

/* Height in pt that `utf8` takes wrapped to `width`. */
static int text_height(fx_pdf *d, const char *utf8, font_face face, double size, double lead,
                       double width, double *h, fx_error *err)
{
    char *text = NULL;
    pdf_line *lines = NULL;
    size_t n = 0;
    int rc = pdf_to_winansi(utf8, &text, err);

    if (!rc)
        rc = pdf_wrap(d, face, size, text, width, &lines, &n, err);
    *h = (double)n * lead;
    free(lines);
    free(text);
    return rc;
}

int fx_pdf_title(fx_pdf *d, const char *title, const char *subtitle, fx_error *err)
{
    int rc = pdf_need(d, 30 * PT_PER_MM, err);

    if (!rc)
        rc =
            flow_text(d, title, FONT_BOLD, 19.0, 23.0, MARGIN_LEFT_PT, TEXT_W_PT, FX_PDF_LEFT, err);
    if (!rc && subtitle) {
        d->y -= 2.0;
        pdf_fill_gray(d, 0.35);
        rc = flow_text(d, subtitle, FONT_REGULAR, 11.0, 14.0, MARGIN_LEFT_PT, TEXT_W_PT,
                       FX_PDF_LEFT, err);
        pdf_fill_gray(d, 0.0);
    }
    if (rc)
        return rc;
    d->y -= 3.0;
    pdf_rule(d, MARGIN_LEFT_PT, PAGE_W_PT - MARGIN_RIGHT_PT, d->y, 1.2, 0.0);
    d->y -= 7.0 * PT_PER_MM;
    return pdf_check(d, "drawing the title", err);
}

/* A bookmark (PDF outline entry) for a heading at the top of the free space:
 * level 1 at the root, level 2 under the last level 1. */
static int bookmark(fx_pdf *d, int level, const char *utf8, fx_error *err)
{
    char *t;
    int rc = pdf_to_winansi(utf8, &t, err);
    if (rc)
        return rc;
    HPDF_Outline parent = level <= 1 || !d->last_level1 ? NULL : d->last_level1;
    HPDF_Outline o =
        HPDF_CreateOutline(d->doc, parent, t, HPDF_GetEncoder(d->doc, "WinAnsiEncoding"));
    free(t);
    if (o) {
        HPDF_Destination dst = HPDF_Page_CreateDestination(d->page);
        HPDF_Destination_SetFitH(dst, (HPDF_REAL)(d->y + 6)); /* page width, at the heading */
        HPDF_Outline_SetDestination(o, dst);
        HPDF_Outline_SetOpened(o, HPDF_TRUE);
        if (level <= 1)
            d->last_level1 = o;
        HPDF_SetPageMode(d->doc, HPDF_PAGE_MODE_USE_OUTLINE);
    }
    return pdf_check(d, "adding a bookmark", err);
}

int fx_pdf_heading(fx_pdf *d, int level, const char *text, fx_error *err)
{
    double size = level <= 1 ? 13.5 : 11.0, lead = size * 1.25, h;
    double before = (level <= 1 ? 5.0 : 3.5) * PT_PER_MM;
    int rc = text_height(d, text, FONT_BOLD, size, lead, TEXT_W_PT, &h, err);

    if (rc || (rc = pdf_need(d, before + h + 25 * PT_PER_MM, err)))
        return rc;
    if (d->y < PAGE_H_PT - MARGIN_TOP_PT - 0.5)
        d->y -= before; /* no space above a heading that opens a page */
    if ((rc = bookmark(d, level, text, err)))
        return rc;
    rc = flow_text(d, text, FONT_BOLD, size, lead, MARGIN_LEFT_PT, TEXT_W_PT, FX_PDF_LEFT, err);
    d->y -= 1.5 * PT_PER_MM;
    return rc;
}

int fx_pdf_paragraph(fx_pdf *d, const char *text, fx_pdf_align align, fx_error *err)
{
    int rc = flow_text(d, text, FONT_REGULAR, BODY_PT, BODY_LEAD_PT, MARGIN_LEFT_PT, TEXT_W_PT,
                       align, err);
    d->y -= 2.5 * PT_PER_MM;
    return rc;
}

/* --- key-value blocks -------------------------------------------------------- */

static double key_column_width(fx_pdf *d, const char *const *keys, size_t n)
{
    char buf[512];
    double w = 0;

    for (size_t i = 0; i < n; i++) {
        size_t len = fx_pdf_winansi(keys[i], buf, sizeof(buf));
        double kw = pdf_text_width(d, FONT_BOLD, BODY_PT, buf, len);
        w = kw > w ? kw : w;
    }
    w += 14.0;
    return w < 0.4 * TEXT_W_PT ? w : 0.4 * TEXT_W_PT;
}

int fx_pdf_keyvalues(fx_pdf *d, const char *const *keys, const char *const *values, size_t n,
                     fx_error *err)
{
    double kw = key_column_width(d, keys, n);
    int rc = FX_OK;

    for (size_t i = 0; !rc && i < n; i++) {
        double hk, hv, top;
        rc = text_height(d, keys[i], FONT_BOLD, BODY_PT, BODY_LEAD_PT, kw - 8.0, &hk, err);
        if (!rc)
            rc = text_height(d, values[i] ? values[i] : "", FONT_REGULAR, BODY_PT, BODY_LEAD_PT,
                             TEXT_W_PT - kw, &hv, err);
        if (rc || (rc = pdf_need(d, hk > hv ? hk : hv, err)))
            break;
        top = d->y;
        rc = flow_text(d, keys[i], FONT_BOLD, BODY_PT, BODY_LEAD_PT, MARGIN_LEFT_PT, kw - 8.0,
                       FX_PDF_LEFT, err);
        double after_key = d->y;
        d->y = top;
        if (!rc)
            rc = flow_text(d, values[i] ? values[i] : "", FONT_REGULAR, BODY_PT, BODY_LEAD_PT,
                           MARGIN_LEFT_PT + kw, TEXT_W_PT - kw, FX_PDF_LEFT, err);
        d->y = d->y < after_key ? d->y : after_key;
        d->y -= 1.0;
    }
    d->y -= 2.5 * PT_PER_MM;
    return rc;
}

/* --- tables ------------------------------------------------------------------ */

/* The laid-out text of one cell. */
typedef struct cell_text {
    char *text; /* WinAnsi, owned */
    pdf_line *lines;
    size_t n;
} cell_text;

typedef struct table_layout {
    size_t ncols;
    double x[64], w[64]; /* column left edges and widths, pt */
    double mark_w[64];   /* room kept for the flag mark in right-aligned columns */
    cell_text head[64];
} table_layout;

static int layout_cell(fx_pdf *d, const char *utf8, const char *suffix, font_face face,
                       double width, cell_text *c, fx_error *err)
{
    char joined[2048];
    int rc;

    snprintf(joined, sizeof(joined), "%s%s", utf8 ? utf8 : "", suffix ? suffix : "");
    if ((rc = pdf_to_winansi(joined, &c->text, err)))
        return rc;
    return pdf_wrap(d, face, SMALL_PT, c->text, width - 2 * CELL_PAD_X, &c->lines, &c->n, err);
}

static void free_cell(cell_text *c)
{
    free(c->text);
    free(c->lines);
    memset(c, 0, sizeof(*c));
}

static double cells_height(const cell_text *c, size_t n)
{
    size_t most = 1;
    for (size_t i = 0; i < n; i++)
        most = c[i].n > most ? c[i].n : most;
    return (double)most * SMALL_LEAD_PT + 2 * CELL_PAD_Y;
}

static int layout_header(fx_pdf *d, table_layout *t, const fx_pdf_column *cols, fx_error *err)
{
    double total = 0, x = MARGIN_LEFT_PT;
    int rc = FX_OK;

    for (size_t j = 0; j < t->ncols; j++)
        total += cols[j].width > 0 ? cols[j].width : 1.0;
    for (size_t j = 0; j < t->ncols && !rc; j++) {
        char title[512];
        t->w[j] = TEXT_W_PT * (cols[j].width > 0 ? cols[j].width : 1.0) / total;
        t->x[j] = x;
        x += t->w[j];
        if (cols[j].unit && *cols[j].unit)
            snprintf(title, sizeof(title), "%s\n(%s)", cols[j].title ? cols[j].title : "",
                     cols[j].unit);
        else
            snprintf(title, sizeof(title), "%s", cols[j].title ? cols[j].title : "");
        rc = layout_cell(d, title, NULL, FONT_BOLD, t->w[j], &t->head[j], err);
    }
    return rc;
}

/* Draw one row's cells with its top at d->y; header rows are bold and
 * bottom-aligned so that units line up. */
static void draw_cells(fx_pdf *d, const table_layout *t, const cell_text *c,
                       const fx_pdf_column *cols, const fx_pdf_cell *cells, bool header)
{
    double h = cells_height(c, t->ncols);

    for (size_t j = 0; j < t->ncols; j++) {
        bool flag = !header && cells && cells[j].flagged;
        double y = d->y - CELL_PAD_Y - SMALL_PT;
        fx_pdf_align al = cols[j].align == FX_PDF_JUSTIFY ? FX_PDF_LEFT : cols[j].align;
        if (header)
            y -= (double)(cells_height(c, t->ncols) - cells_height(&c[j], 1));
        if (flag) {
            pdf_fill_rgb(d, 1.0, 0.87, 0.84);
            HPDF_Page_Rectangle(d->page, (HPDF_REAL)t->x[j], (HPDF_REAL)(d->y - h),
                                (HPDF_REAL)t->w[j], (HPDF_REAL)h);
            HPDF_Page_Fill(d->page);
            pdf_fill_rgb(d, FLAG_TEXT_R, FLAG_TEXT_G, FLAG_TEXT_B);
        }
        double tw = t->w[j] - 2 * CELL_PAD_X - t->mark_w[j];
        for (size_t k = 0; k < c[j].n; k++) {
            pdf_draw_line(d, header || flag ? FONT_BOLD : FONT_REGULAR, SMALL_PT, &c[j].lines[k],
                          t->x[j] + CELL_PAD_X, y, tw, al);
            y -= SMALL_LEAD_PT;
        }
        if (flag && t->mark_w[j] > 0) { /* the mark hangs right of the aligned numbers */
            pdf_line mark = {" " FX_PDF_FLAG_MARK, 2, true};
            pdf_draw_line(d, FONT_BOLD, SMALL_PT, &mark, t->x[j] + CELL_PAD_X + tw,
                          y + SMALL_LEAD_PT, t->mark_w[j], FX_PDF_LEFT);
        }
        pdf_fill_gray(d, 0.0);
    }
    d->y -= h;
}

static void draw_header(fx_pdf *d, const table_layout *t, const fx_pdf_column *cols)
{
    double x1 = t->x[t->ncols - 1] + t->w[t->ncols - 1];
    pdf_rule(d, MARGIN_LEFT_PT, x1, d->y, 0.9, 0.0);
    draw_cells(d, t, t->head, cols, NULL, true);
    pdf_rule(d, MARGIN_LEFT_PT, x1, d->y, 0.5, 0.0);
}

static int table_rows(fx_pdf *d, table_layout *t, const fx_pdf_column *cols,
                      const fx_pdf_cell *cells, size_t nrows, fx_error *err)
{
    double x1 = t->x[t->ncols - 1] + t->w[t->ncols - 1];
    cell_text row[64];
    int rc = FX_OK;

    memset(row, 0, sizeof(row));
    for (size_t i = 0; i < nrows && !rc; i++) {
        const fx_pdf_cell *rc_cells = cells + i * t->ncols;
        for (size_t j = 0; j < t->ncols && !rc; j++) {
            bool inline_mark = rc_cells[j].flagged && t->mark_w[j] == 0;
            rc = layout_cell(d, rc_cells[j].text, inline_mark ? " " FX_PDF_FLAG_MARK : NULL,
                             rc_cells[j].flagged ? FONT_BOLD : FONT_REGULAR, t->w[j] - t->mark_w[j],
                             &row[j], err);
        }
        double h = cells_height(row, t->ncols);
        if (!rc && d->y - h < MARGIN_BOTTOM_PT) {
            pdf_rule(d, MARGIN_LEFT_PT, x1, d->y, 0.9, 0.0);
            if (!(rc = pdf_new_page(d, err)))
                draw_header(d, t, cols);
        } else if (!rc && i > 0) {
            pdf_rule(d, MARGIN_LEFT_PT, x1, d->y, 0.25, 0.75);
        }
        if (!rc)
            draw_cells(d, t, row, cols, rc_cells, false);
        for (size_t j = 0; j < t->ncols; j++)
            free_cell(&row[j]);
    }
    if (!rc)
        pdf_rule(d, MARGIN_LEFT_PT, x1, d->y, 0.9, 0.0);
    return rc;
}

int fx_pdf_table(fx_pdf *d, const char *caption, const fx_pdf_column *cols, size_t ncols,
                 const fx_pdf_cell *cells, size_t nrows, fx_error *err)
{
    table_layout t;
    double cap_h = 0;
    int rc;

    if (ncols == 0 || ncols > 64)
        return fx_fail(err, FX_EINVAL, "a report table needs 1 to 64 columns, not %zu", ncols);
    memset(&t, 0, sizeof(t));
    t.ncols = ncols;
    for (size_t j = 0; j < ncols; j++)
        for (size_t i = 0; i < nrows && cols[j].align == FX_PDF_RIGHT; i++)
            if (cells[i * ncols + j].flagged)
                t.mark_w[j] = pdf_text_width(d, FONT_BOLD, SMALL_PT, " " FX_PDF_FLAG_MARK, 2);
    rc = layout_header(d, &t, cols, err);
    if (!rc && caption)
        rc =
            text_height(d, caption, FONT_BOLD, BODY_PT - 0.5, BODY_LEAD_PT, TEXT_W_PT, &cap_h, err);
    /* caption, header and at least two body rows together */
    if (!rc)
        rc = pdf_need(d, cap_h + 4 + cells_height(t.head, ncols) + 3 * SMALL_LEAD_PT + 4, err);
    if (!rc && caption) {
        rc = flow_text(d, caption, FONT_BOLD, BODY_PT - 0.5, BODY_LEAD_PT, MARGIN_LEFT_PT,
                       TEXT_W_PT, FX_PDF_LEFT, err);
        d->y -= 3.0;
    }
    if (!rc) {
        draw_header(d, &t, cols);
        rc = table_rows(d, &t, cols, cells, nrows, err);
    }
    for (size_t j = 0; j < ncols; j++)
        free_cell(&t.head[j]);
    d->y -= 4.0 * PT_PER_MM;
    return rc ? rc : pdf_check(d, "drawing a table", err);
}

/* --- figures and notes ------------------------------------------------------ */

/* Place `img` (w x h pixels) fitted to the text width and max_h_pt. */
static int place_image(fx_pdf *d, HPDF_Image img, double max_h_pt, const char *caption,
                       fx_error *err)
{
    double iw = HPDF_Image_GetWidth(img), ih = HPDF_Image_GetHeight(img), cap_h = 0;
    double full_h = PAGE_H_PT - MARGIN_TOP_PT - MARGIN_BOTTOM_PT;
    int rc = FX_OK;

    if (iw <= 0 || ih <= 0)
        return pdf_check(d, "reading an image", err);
    if (caption && (rc = text_height(d, caption, FONT_ITALIC, SMALL_PT, SMALL_LEAD_PT, TEXT_W_PT,
                                     &cap_h, err)))
        return rc;
    if (max_h_pt > full_h - cap_h - 12)
        max_h_pt = full_h - cap_h - 12;
    double s = TEXT_W_PT / iw < max_h_pt / ih ? TEXT_W_PT / iw : max_h_pt / ih;
    double w = iw * s, h = ih * s;
    if ((rc = pdf_need(d, h + cap_h + 12, err)))
        return rc;
    HPDF_Page_DrawImage(d->page, img, (HPDF_REAL)(MARGIN_LEFT_PT + (TEXT_W_PT - w) / 2),
                        (HPDF_REAL)(d->y - h), (HPDF_REAL)w, (HPDF_REAL)h);
    d->y -= h + 5.0;
    if (caption)
        rc = flow_text(d, caption, FONT_ITALIC, SMALL_PT, SMALL_LEAD_PT, MARGIN_LEFT_PT, TEXT_W_PT,
                       FX_PDF_LEFT, err);
    d->y -= 4.0 * PT_PER_MM;
    return rc ? rc : pdf_check(d, "drawing an image", err);
}

static double max_height_pt(double mm)
{
    return (mm > 0 ? mm : 120.0) * PT_PER_MM;
}

int fx_pdf_image_png(fx_pdf *d, const char *path, double max_height_mm, const char *caption,
                     fx_error *err)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char head[8];
    FILE *f = fopen(path, "rb");
    size_t got;
    HPDF_Image img;

    if (!f)
        return fx_fail(err, FX_EIO, "cannot open figure '%s'", path);
    got = fread(head, 1, sizeof(head), f);
    fclose(f);
    if (got != sizeof(head) || memcmp(head, sig, sizeof(sig)))
        return fx_fail(err, FX_EFORMAT, "figure '%s' is not a PNG file", path);
    img = HPDF_LoadPngImageFromFile(d->doc, path);
    if (!img) {
        int rc = pdf_check(d, "loading a figure", err);
        fx_error_prefix(err, "figure '%s'", path);
        return rc;
    }
    return place_image(d, img, max_height_pt(max_height_mm), caption, err);
}

static int image_raw(fx_pdf *d, const uint8_t *px, int w, int h, HPDF_ColorSpace cs,
                     double max_height_mm, const char *caption, fx_error *err)
{
    HPDF_Image img;

    if (w <= 0 || h <= 0 || !px)
        return fx_fail(err, FX_EINVAL, "an image for the report must have pixels (%d x %d)", w, h);
    img = HPDF_LoadRawImageFromMem(d->doc, px, (HPDF_UINT)w, (HPDF_UINT)h, cs, 8);
    if (!img)
        return pdf_check(d, "loading an image", err);
    return place_image(d, img, max_height_pt(max_height_mm), caption, err);
}

int fx_pdf_image_rgb(fx_pdf *d, const uint8_t *rgb, int w, int h, double max_height_mm,
                     const char *caption, fx_error *err)
{
    return image_raw(d, rgb, w, h, HPDF_CS_DEVICE_RGB, max_height_mm, caption, err);
}

int fx_pdf_image_gray(fx_pdf *d, const uint8_t *gray, int w, int h, double max_height_mm,
                      const char *caption, fx_error *err)
{
    return image_raw(d, gray, w, h, HPDF_CS_DEVICE_GRAY, max_height_mm, caption, err);
}

int fx_pdf_note(fx_pdf *d, const char *text, double height_mm, fx_error *err)
{
    double th, box_h;
    int rc =
        text_height(d, text, FONT_ITALIC, BODY_PT - 0.5, BODY_LEAD_PT, TEXT_W_PT - 24, &th, err);

    box_h = th + 16 > height_mm * PT_PER_MM ? th + 16 : height_mm * PT_PER_MM;
    if (rc || (rc = pdf_need(d, box_h + 6, err)))
        return rc;
    pdf_fill_gray(d, 0.95);
    HPDF_Page_SetGrayStroke(d->page, 0.55);
    HPDF_Page_SetLineWidth(d->page, 0.6);
    HPDF_Page_SetDash(d->page, (const HPDF_UINT16[]){3, 2}, 2, 0);
    HPDF_Page_Rectangle(d->page, (HPDF_REAL)MARGIN_LEFT_PT, (HPDF_REAL)(d->y - box_h),
                        (HPDF_REAL)TEXT_W_PT, (HPDF_REAL)box_h);
    HPDF_Page_FillStroke(d->page);
    HPDF_Page_SetDash(d->page, NULL, 0, 0);
    pdf_fill_gray(d, 0.25);
    double bottom = d->y - box_h;
    d->y -= (box_h - th) / 2;
    rc = flow_text(d, text, FONT_ITALIC, BODY_PT - 0.5, BODY_LEAD_PT, MARGIN_LEFT_PT + 12,
                   TEXT_W_PT - 24, FX_PDF_CENTER, err);
    pdf_fill_gray(d, 0.0);
    d->y = bottom - 4.0 * PT_PER_MM;
    return rc ? rc : pdf_check(d, "drawing a note", err);
}

int fx_pdf_caption(fx_pdf *d, const char *text, fx_error *err)
{
    int rc = flow_text(d, text, FONT_ITALIC, SMALL_PT, SMALL_LEAD_PT, MARGIN_LEFT_PT, TEXT_W_PT,
                       FX_PDF_LEFT, err);
    d->y -= 4.0 * PT_PER_MM;
    return rc;
}
