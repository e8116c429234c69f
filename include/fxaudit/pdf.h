/*
 * pdf.h - a small document model for fxaudit's reports, written as PDF.
 *
 * A document is a flow of blocks (title block, headings, paragraphs, key-value
 * blocks, tables, figures, notes) laid out top to bottom on A4 pages with
 * fixed margins; a block that does not fit starts a new page, and a table that
 * spans pages repeats its header row. Every page carries a running footer with
 * the audit trail and "page X of Y", drawn when the document is saved (so the
 * page count is known). libharu is used only behind this header, in
 * src/report/pdf*.c; its errors become fx_error records and nothing aborts.
 *
 * Text is UTF-8. It is printed with the PDF base-14 fonts (Helvetica family)
 * in WinAnsi encoding, which covers Latin-1 and the typographic characters a
 * report needs: ° ± µ – — × · ² ³ ½ and the quotes; not ≤ or ≥, which print
 * as "<=" and ">="). Any other character outside WinAnsi prints as '?'.
 *
 * Lengths in this interface are millimetres unless a name says otherwise.
 */
#ifndef FXAUDIT_PDF_H
#define FXAUDIT_PDF_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "fxaudit/error.h"
#include "fxaudit/hash.h"

typedef struct fx_pdf fx_pdf;

typedef enum fx_pdf_align {
    FX_PDF_LEFT = 0,
    FX_PDF_RIGHT = 1,
    FX_PDF_CENTER = 2,
    FX_PDF_JUSTIFY = 3, /* paragraphs only; the last line of a paragraph is left-aligned */
} fx_pdf_align;

/* The marker appended to a flagged table cell, so that the flag survives
 * black-and-white printing as well as the colour and shading do. */
#define FX_PDF_FLAG_MARK "*"

/* One input file named in the audit trail. */
typedef struct fx_pdf_input {
    const char *name;           /* a short label or file name */
    char sha256[FX_SHA256_HEX]; /* lower-case hex */
} fx_pdf_input;

/* What the running footer says. Strings are copied by fx_pdf_set_audit. */
typedef struct fx_pdf_audit {
    const char *software;        /* e.g. "fxaudit 0.1.0" */
    const char *database_sha256; /* hex, or NULL when there is no database */
    const fx_pdf_input *inputs;  /* n_inputs entries, or NULL */
    size_t n_inputs;
    time_t generated; /* printed in UTC */
} fx_pdf_audit;

/* Document metadata; the creator is always "fxaudit <version>". */
typedef struct fx_pdf_meta {
    const char *title;
    const char *subject; /* or NULL */
    const char *author;  /* or NULL */
} fx_pdf_meta;

/* A table column. `width` is a relative weight (the columns share the text
 * width in proportion); `unit`, when not NULL, is printed under the title in
 * the header row, in parentheses. Numbers should be right-aligned. */
typedef struct fx_pdf_column {
    const char *title;
    const char *unit;
    double width;
    fx_pdf_align align;
} fx_pdf_column;

/* A table cell. A flagged cell is printed bold, in the flag colour, on a
 * tinted background, followed by FX_PDF_FLAG_MARK. `text` may be NULL (empty). */
typedef struct fx_pdf_cell {
    const char *text;
    int flagged;
} fx_pdf_cell;

/* A new empty document (no page yet; the first block makes one); `meta` may
 * be NULL (no title). On success *out owns it (free with fx_pdf_free). */
int fx_pdf_new(const fx_pdf_meta *meta, fx_pdf **out, fx_error *err);
void fx_pdf_free(fx_pdf *d); /* NULL is a no-op */

/* Set the audit trail printed in every page's footer (copied). Without it the
 * footer holds only the software name and the page number. */
int fx_pdf_set_audit(fx_pdf *d, const fx_pdf_audit *audit, fx_error *err);

/* The title block at the top of the current page: a large title, an optional
 * subtitle, and a rule. */
int fx_pdf_title(fx_pdf *d, const char *title, const char *subtitle, fx_error *err);
/* A numbered-by-caller heading; level 1 or 2. Never left alone at a page's
 * foot: it moves to the next page unless some 25 mm of room follow it. Each
 * heading is also a bookmark (PDF outline entry; level 2 under level 1), and
 * a document with headings opens with the bookmarks shown. */
int fx_pdf_heading(fx_pdf *d, int level, const char *text, fx_error *err);
/* A paragraph, word-wrapped to the text width. Blank lines are not special;
 * a '\n' forces a line break. */
int fx_pdf_paragraph(fx_pdf *d, const char *text, fx_pdf_align align, fx_error *err);
/* A key-value block: keys bold in a left column, values (wrapped) beside. */
int fx_pdf_keyvalues(fx_pdf *d, const char *const *keys, const char *const *values, size_t n,
                     fx_error *err);
/* A table of `nrows` rows of `ncols` cells (row-major in `cells`), with a bold
 * header row built from `cols`, repeated at the top of every page the table
 * runs onto. Cells wrap within their column. `caption` (or NULL) is printed
 * above the table. */
int fx_pdf_table(fx_pdf *d, const char *caption, const fx_pdf_column *cols, size_t ncols,
                 const fx_pdf_cell *cells, size_t nrows, fx_error *err);
/* A figure from a PNG file, scaled to fit the text width and `max_height_mm`
 * (0: 120 mm) keeping its aspect ratio, centred, with `caption` (or NULL)
 * below. Starts a new page when it does not fit on this one. */
int fx_pdf_image_png(fx_pdf *d, const char *path, double max_height_mm, const char *caption,
                     fx_error *err);
/* The same from an 8-bit RGB buffer of w x h pixels, rows top to bottom. */
int fx_pdf_image_rgb(fx_pdf *d, const uint8_t *rgb, int w, int h, double max_height_mm,
                     const char *caption, fx_error *err);
/* The same from an 8-bit grey buffer (e.g. a CT slice already windowed). */
int fx_pdf_image_gray(fx_pdf *d, const uint8_t *gray, int w, int h, double max_height_mm,
                      const char *caption, fx_error *err);
/* A framed note (e.g. where a figure could not be drawn), `height_mm` tall
 * (0: just the text), with the text centred inside. */
int fx_pdf_note(fx_pdf *d, const char *text, double height_mm, fx_error *err);
/* A figure or table caption on its own: small italic text, left-aligned. */
int fx_pdf_caption(fx_pdf *d, const char *text, fx_error *err);
/* Start a new page unless `height_mm` of space remain on this one: call it
 * before blocks that belong together (a heading and its figure). */
int fx_pdf_keep_together(fx_pdf *d, double height_mm, fx_error *err);
/* Vertical space, and an explicit page break. */
int fx_pdf_space(fx_pdf *d, double mm, fx_error *err);
int fx_pdf_page_break(fx_pdf *d, fx_error *err);

/* Number of pages so far. */
int fx_pdf_page_count(const fx_pdf *d);

/* Draw every page's footer ("page X of Y" and the audit trail) and write the
 * document to `path`; the file appears complete or not at all. A document is
 * saved once; afterwards it only may be freed. */
int fx_pdf_save(fx_pdf *d, const char *path, fx_error *err);

/* UTF-8 to WinAnsi (Windows-1252) bytes for the base-14 fonts: writes at most
 * n - 1 bytes and a NUL into `out`; characters outside WinAnsi (and malformed
 * UTF-8) become '?'. Returns the number of bytes written. Exposed for tests. */
size_t fx_pdf_winansi(const char *utf8, char *out, size_t n);

#endif
