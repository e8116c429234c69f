/*
 * pdf_internal.h - what the two halves of the PDF writer share: the document
 * record, page geometry, fonts and the text primitives (pdf.c) that the block
 * layouts (pdf_blocks.c) are built from. Only src/report/pdf*.c include it.
 *
 * Internally lengths are PDF points (1/72 inch); y grows upwards from the page
 * foot, and d->y is the top of the free space on the current page.
 */
#ifndef FXAUDIT_PDF_INTERNAL_H
#define FXAUDIT_PDF_INTERNAL_H

#include <hpdf.h>
#include <stdbool.h>

#include "fxaudit/pdf.h"

#define PT_PER_MM (72.0 / 25.4)
#define PAGE_W_PT 595.276
#define PAGE_H_PT 841.89
#define MARGIN_LEFT_PT (22.0 * PT_PER_MM)
#define MARGIN_RIGHT_PT (20.0 * PT_PER_MM)
#define MARGIN_TOP_PT (20.0 * PT_PER_MM)
#define MARGIN_BOTTOM_PT (27.0 * PT_PER_MM) /* the footer lives below this */
#define TEXT_W_PT (PAGE_W_PT - MARGIN_LEFT_PT - MARGIN_RIGHT_PT)

/* Body text. */
#define BODY_PT 10.0
#define BODY_LEAD_PT 13.5
/* Tables, captions, notes. */
#define SMALL_PT 8.8
#define SMALL_LEAD_PT 11.0

typedef enum { FONT_REGULAR, FONT_BOLD, FONT_ITALIC, FONT_COUNT } font_face;

struct fx_pdf {
    HPDF_Doc doc;
    HPDF_Font font[FONT_COUNT];
    HPDF_Page *pages;
    int npages, cap_pages;
    HPDF_Page page;          /* current page, or NULL before the first block */
    double y;                /* top of the free space on `page`, pt */
    HPDF_STATUS hpdf_status; /* first libharu error since the last check */
    HPDF_STATUS hpdf_detail;
    bool footers_drawn;
    /* audit trail, owned copies */
    char *software;
    char *database_sha256;
    fx_pdf_input *inputs;
    size_t n_inputs;
    time_t generated;
    bool have_audit;
    HPDF_Outline last_level1; /* the bookmark level-2 headings hang under */
};

/* One wrapped line: `len` WinAnsi bytes from `s`; `last` when it ends a
 * paragraph (a forced break or the end of the text). */
typedef struct pdf_line {
    const char *s;
    size_t len;
    bool last;
} pdf_line;

/* Width in pt of `len` WinAnsi bytes of `s` in `face` at `size` pt. */
double pdf_text_width(fx_pdf *d, font_face face, double size, const char *s, size_t len);
/* Wrap WinAnsi `text` to `width_pt`. On success *lines owns an array of *n
 * lines pointing into `text` (free with free()). */
int pdf_wrap(fx_pdf *d, font_face face, double size, const char *text, double width_pt,
             pdf_line **lines, size_t *n, fx_error *err);
/* Draw one line with its left edge at x (pt) and baseline at y, aligned
 * within `width_pt`; JUSTIFY stretches the spaces unless the line is last. */
void pdf_draw_line(fx_pdf *d, font_face face, double size, const pdf_line *ln, double x, double y,
                   double width_pt, fx_pdf_align align);
/* Convert UTF-8 to a fresh WinAnsi string (NULL text gives ""). */
int pdf_to_winansi(const char *utf8, char **out, fx_error *err);

/* Make sure a page exists and at least `h_pt` of space is left on it, starting
 * a new page otherwise. */
int pdf_need(fx_pdf *d, double h_pt, fx_error *err);
int pdf_new_page(fx_pdf *d, fx_error *err);
/* Turn a libharu error recorded by the handler into an fx_error about `what`
 * and clear it; FX_OK when none was recorded. */
int pdf_check(fx_pdf *d, const char *what, fx_error *err);
/* Colours. */
void pdf_fill_gray(fx_pdf *d, double g);
void pdf_fill_rgb(fx_pdf *d, double r, double g, double b);
void pdf_rule(fx_pdf *d, double x0, double x1, double y, double width_pt, double gray);

#endif
