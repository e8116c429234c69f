/*
 * test_pdf.c - the PDF document model, checked through poppler's own tools
 * (pdfinfo, pdftotext, pdftoppm), which read what a reader of the report
 * would see: page counts, the extracted text (numbers, units, footers, the
 * repeated table header, flag marks) and the rendered pixels (flag colour).
 * The sample document and its page images are kept in
 * $FX_BUILDDIR/tests/artefacts for a person to look at.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fxaudit/pdf.h"

static char artefacts[1024];

/* Run a shell command and return its stdout (malloc'd), or NULL. */
static char *run(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    if (pclose(p) != 0) {
        free(buf);
        return NULL;
    }
    if (buf)
        buf[n] = '\0';
    return buf;
}

static int have_poppler(void)
{
    return system("pdftotext -v >/dev/null 2>&1") == 0 && system("pdfinfo -v >/dev/null 2>&1") == 0;
}

static int count_of(const char *hay, const char *needle)
{
    int k = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        k++;
    return k;
}

static int pages_of(const char *pdf)
{
    char *info = run("pdfinfo '%s'", pdf);
    int pages = -1;
    char *p = info ? strstr(info, "Pages:") : NULL;
    if (p)
        pages = (int)strtol(p + 6, NULL, 10);
    free(info);
    return pages;
}

/* Whether pdfinfo's line "<field>   <want>" holds exactly `want`. */
static int info_field_is(const char *info, const char *field, const char *want)
{
    const char *p = strstr(info, field);
    if (!p)
        return 0;
    p += strlen(field);
    while (*p == ' ')
        p++;
    return !strncmp(p, want, strlen(want)) && p[strlen(want)] == '\n';
}

static void sample_path(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", artefacts, name);
}

static const fx_pdf_input inputs[2] = {
    {"pre-op.nrrd", "3f7a9c0e11d2b4a6c8e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6"},
    {"post-op.nrrd", "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e"},
};

/* Three pages by explicit breaks, an audit footer, units in text. */
static int write_three_pages(const char *path)
{
    fx_pdf *d;
    fx_pdf_meta meta = {"Audit of patient P07", "screw accuracy", NULL};
    fx_pdf_audit audit = {"fxaudit 0.1.0",
                          "c0ffee00d15ea5e5badc0ffee0ddf00dc0ffee00d15ea5e5badc0ffee0ddf00d",
                          inputs, 2, 1795000000};
    fx_error err;
    int rc = fx_pdf_new(&meta, &d, &err);
    if (rc)
        return rc;
    rc = fx_pdf_set_audit(d, &audit, &err);
    if (!rc)
        rc = fx_pdf_title(d, "Audit of patient P07", "Acetabular fracture, both-column", &err);
    if (!rc)
        rc = fx_pdf_paragraph(d,
                              "Screw direction deviated by 7.1\xc2\xb0 \xc2\xb1 0.4\xc2\xb0; "
                              "the residual gap was 2.5 mm (range 1\xe2\x80\x93"
                              "3 mm), voxel "
                              "0.6 \xc3\x97 0.6 \xc3\x97 1.0 mm, dose 40 \xc2\xb5Sv.",
                              FX_PDF_JUSTIFY, &err);
    if (!rc)
        rc = fx_pdf_page_break(d, &err);
    if (!rc)
        rc = fx_pdf_paragraph(d, "Second page.", FX_PDF_LEFT, &err);
    if (!rc)
        rc = fx_pdf_page_break(d, &err);
    if (!rc)
        rc = fx_pdf_paragraph(d, "Third page.", FX_PDF_LEFT, &err);
    if (!rc)
        rc = fx_pdf_save(d, path, &err);
    if (rc)
        print_message("# %s\n", err.msg);
    fx_pdf_free(d);
    return rc;
}

static void three_pages_number_themselves_page_x_of_3(void **state)
{
    char path[1200];
    (void)state;
    if (!have_poppler())
        skip();
    sample_path(path, sizeof(path), "three_pages.pdf");
    assert_int_equal(write_three_pages(path), 0);
    assert_int_equal(pages_of(path), 3);
    char *text = run("pdftotext -enc UTF-8 '%s' -", path);
    assert_non_null(text);
    assert_non_null(strstr(text, "page 1 of 3"));
    assert_non_null(strstr(text, "page 2 of 3"));
    assert_non_null(strstr(text, "page 3 of 3"));
    free(text);
}

static void units_survive_the_winansi_round_trip_through_pdftotext(void **state)
{
    char path[1200];
    (void)state;
    if (!have_poppler())
        skip();
    sample_path(path, sizeof(path), "three_pages.pdf");
    assert_int_equal(write_three_pages(path), 0);
    char *text = run("pdftotext -enc UTF-8 -f 1 -l 1 '%s' -", path);
    assert_non_null(text);
    assert_non_null(strstr(text, "7.1\xc2\xb0"));  /* ° */
    assert_non_null(strstr(text, "\xc2\xb1 0.4")); /* ± */
    assert_non_null(strstr(text, "2.5 mm"));
    assert_non_null(strstr(text, "1\xe2\x80\x93"
                                 "3 mm"));             /* – */
    assert_non_null(strstr(text, "0.6 \xc3\x97 0.6")); /* × */
    assert_non_null(strstr(text, "40 \xc2\xb5Sv"));    /* µ */
    free(text);
}

static void the_footer_carries_the_audit_trail_on_every_page(void **state)
{
    char path[1200];
    (void)state;
    if (!have_poppler())
        skip();
    sample_path(path, sizeof(path), "three_pages.pdf");
    assert_int_equal(write_three_pages(path), 0);
    char *text = run("pdftotext -enc UTF-8 '%s' -", path);
    assert_non_null(text);
    assert_int_equal(count_of(text, "fxaudit 0.1.0"), 3);
    /* 1795000000 s after the epoch is 2026-11-18 11:06:40 UTC (date -u -d @1795000000) */
    assert_int_equal(count_of(text, "generated 2026-11-18 11:06:40 UTC"), 3);
    assert_int_equal(count_of(text, "c0ffee00d15ea5e5"), 3);
    assert_int_equal(count_of(text, "pre-op.nrrd 3f7a9c0e11d2"), 3);
    assert_int_equal(count_of(text, "post-op.nrrd 0b1c2d3e4f5a"), 3);
    free(text);
    char *info = run("pdfinfo '%s'", path);
    assert_non_null(info);
    assert_true(info_field_is(info, "Title:", "Audit of patient P07"));
    assert_true(info_field_is(info, "Creator:", "fxaudit 0.1.0"));
    free(info);
}

/* A 70-row screw table: it must run over a page break and repeat its header. */
static int write_long_table(const char *path, int *flagged_row)
{
    static const fx_pdf_column cols[] = {
        {"Screw", NULL, 1.2, FX_PDF_LEFT},
        {"Planned length", "mm", 1.0, FX_PDF_RIGHT},
        {"Actual length", "mm", 1.0, FX_PDF_RIGHT},
        {"Direction deviation", "\xc2\xb0", 1.0, FX_PDF_RIGHT},
        {"Entry deviation", "mm", 1.0, FX_PDF_RIGHT},
    };
    enum { ROWS = 70, COLS = 5 };
    static char text[ROWS][COLS][32];
    fx_pdf_cell cells[ROWS * COLS];
    fx_pdf *d;
    fx_error err;
    int rc;

    *flagged_row = 41;
    for (int i = 0; i < ROWS; i++) {
        snprintf(text[i][0], 32, "S%02d", i + 1);
        snprintf(text[i][1], 32, "%.1f", 30.0 + i);
        snprintf(text[i][2], 32, "%.1f", 30.5 + i);
        snprintf(text[i][3], 32, "%.1f\xc2\xb0", i == *flagged_row ? 9.7 : 2.0 + 0.01 * i);
        snprintf(text[i][4], 32, "%.2f", 1.25);
        for (int j = 0; j < COLS; j++)
            cells[i * COLS + j] = (fx_pdf_cell){text[i][j], i == *flagged_row && j == 3};
    }
    if ((rc = fx_pdf_new(&(fx_pdf_meta){"Screw table", NULL, NULL}, &d, &err)))
        return rc;
    rc = fx_pdf_heading(d, 1, "3. Planned against actual screws", &err);
    if (!rc)
        rc = fx_pdf_table(d, "Table 2. Screw deviations (tolerance 5\xc2\xb0)", cols, COLS, cells,
                          ROWS, &err);
    if (!rc)
        rc = fx_pdf_paragraph(d, "* beyond tolerance.", FX_PDF_LEFT, &err);
    if (!rc)
        rc = fx_pdf_save(d, path, &err);
    if (rc)
        print_message("# %s\n", err.msg);
    fx_pdf_free(d);
    return rc;
}

static void a_table_spanning_pages_repeats_its_header_on_each(void **state)
{
    char path[1200];
    int flagged;
    (void)state;
    if (!have_poppler())
        skip();
    sample_path(path, sizeof(path), "long_table.pdf");
    assert_int_equal(write_long_table(path, &flagged), 0);
    int pages = pages_of(path);
    /* 70 rows of ~5.5 mm do not fit the ~250 mm text height of one A4 page */
    assert_true(pages >= 2);
    for (int p = 1; p <= pages; p++) {
        char *text = run("pdftotext -enc UTF-8 -f %d -l %d '%s' -", p, p, path);
        assert_non_null(text);
        assert_int_equal(count_of(text, "Direction deviation"), 1);
        free(text);
    }
    char *all = run("pdftotext -enc UTF-8 '%s' -", path);
    assert_non_null(all);
    /* every row appears once: S01..S70 */
    assert_non_null(strstr(all, "S01"));
    assert_non_null(strstr(all, "S70"));
    assert_non_null(strstr(all, "(mm)"));
    assert_non_null(strstr(all, "(\xc2\xb0)"));
    free(all);
}

/* Pixels of page `page` at 40 dpi whose colour is the flag tint (1, .87, .84). */
static long tinted_pixels(const char *pdf, int page)
{
    char ppm[1200];
    long n = 0;
    snprintf(ppm, sizeof(ppm), "%s/flagcheck", artefacts);
    char *out =
        run("pdftoppm -r 40 -f %d -l %d -singlefile '%s' '%s' && echo ok", page, page, pdf, ppm);
    free(out);
    strncat(ppm, ".ppm", sizeof(ppm) - strlen(ppm) - 1);
    FILE *f = fopen(ppm, "rb");
    int w, h, maxv;
    if (!f || fscanf(f, "P6 %d %d %d", &w, &h, &maxv) != 3 || fgetc(f) == EOF) {
        if (f)
            fclose(f);
        return -1;
    }
    for (long i = 0; i < (long)w * h; i++) {
        int r = fgetc(f), g = fgetc(f), b = fgetc(f);
        if (r >= 250 && g >= 215 && g <= 230 && b >= 206 && b <= 222)
            n++;
    }
    fclose(f);
    unlink(ppm);
    return n;
}

static void headings_become_bookmarks_that_a_reader_lists(void **state)
{
    char path[1200];
    int flagged;
    (void)state;
    sample_path(path, sizeof(path), "long_table.pdf");
    assert_int_equal(write_long_table(path, &flagged), 0);
    /* outline dictionaries are objects, not compressed streams: the title is
     * in the file as a UTF-16BE hex string */
    const char *want_title = "3. Planned against actual screws";
    char hex[256] = "<FEFF";
    for (const char *c = want_title; *c; c++)
        snprintf(hex + strlen(hex), sizeof(hex) - strlen(hex), "00%02X", (unsigned char)*c);
    strncat(hex, ">", sizeof(hex) - strlen(hex) - 1);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    assert_true(n > 0);
    int mode = 0, title = 0;
    for (size_t i = 0; i + strlen(hex) < n; i++) {
        mode += !memcmp(buf + i, "/PageMode /UseOutlines", 22);
        title += !memcmp(buf + i, hex, strlen(hex));
    }
    assert_int_equal(mode, 1);
    assert_int_equal(title, 1);
    free(buf);
}

static void a_flagged_cell_is_marked_in_text_and_tinted_in_colour(void **state)
{
    char path[1200];
    int flagged;
    (void)state;
    if (!have_poppler() || system("pdftoppm -v >/dev/null 2>&1") != 0)
        skip();
    sample_path(path, sizeof(path), "long_table.pdf");
    assert_int_equal(write_long_table(path, &flagged), 0);
    char *all = run("pdftotext -enc UTF-8 '%s' -", path);
    assert_non_null(all);
    assert_non_null(strstr(all, "9.7\xc2\xb0 *"));
    assert_int_equal(count_of(all, "\xc2\xb0 *"), 1); /* only the flagged cell */
    free(all);
    /* the flagged row (S42) is on page 1 or 2; its tint is on exactly one page */
    long t1 = tinted_pixels(path, 1), t2 = tinted_pixels(path, 2);
    assert_true(t1 >= 0 && t2 >= 0);
    assert_true((t1 > 10) != (t2 > 10));
}

static void winansi_maps_report_characters_to_their_code_page_bytes(void **state)
{
    char out[32];
    (void)state;
    /* ° ± µ – × · ≤ from Windows-1252's table; ≤ has none and becomes "<=" */
    size_t n = fx_pdf_winansi("\xc2\xb0\xc2\xb1\xc2\xb5\xe2\x80\x93\xc3\x97\xc2\xb7\xe2\x89\xa4",
                              out, sizeof(out));
    assert_int_equal(n, 8);
    assert_memory_equal(out, "\xb0\xb1\xb5\x96\xd7\xb7<=", 8);
    n = fx_pdf_winansi("a\xe4\xb8\xad"
                       "b\xff",
                       out, sizeof(out)); /* CJK, stray byte */
    assert_string_equal(out, "a?b?");
}

static void saving_into_a_missing_folder_fails_naming_it_and_leaves_nothing(void **state)
{
    fx_pdf *d;
    fx_error err;
    (void)state;
    assert_int_equal(fx_pdf_new(NULL, &d, NULL), 0);
    assert_int_equal(fx_pdf_paragraph(d, "x", FX_PDF_LEFT, NULL), 0);
    assert_int_not_equal(fx_pdf_save(d, "/nonexistent-dir/r.pdf", &err), 0);
    assert_non_null(strstr(err.msg, "/nonexistent-dir/r.pdf"));
    fx_pdf_free(d);
    assert_int_not_equal(access("/nonexistent-dir/r.pdf", F_OK), 0);
}

static void a_missing_figure_is_an_error_and_the_document_goes_on(void **state)
{
    char path[1200];
    fx_pdf *d;
    fx_error err;
    (void)state;
    sample_path(path, sizeof(path), "after_bad_figure.pdf");
    assert_int_equal(fx_pdf_new(NULL, &d, NULL), 0);
    assert_int_not_equal(fx_pdf_image_png(d, "/nonexistent.png", 0, NULL, &err), 0);
    assert_non_null(strstr(err.msg, "/nonexistent.png"));
    assert_int_equal(fx_pdf_paragraph(d, "still here", FX_PDF_LEFT, &err), 0);
    assert_int_equal(fx_pdf_save(d, path, &err), 0);
    fx_pdf_free(d);
    if (have_poppler()) {
        char *text = run("pdftotext '%s' -", path);
        assert_non_null(text);
        assert_non_null(strstr(text, "still here"));
        free(text);
    }
}

/* Words (or lines) of page `page` from pdftotext -bbox-layout: x extents and
 * text, at most `max`; returns how many. Footer lines (below y = 700 pt from
 * the top) are left out. */
typedef struct bbox {
    double x0, x1;
    char text[64];
} bbox;

static int boxes_of(const char *pdf, int page, const char *tag, bbox *out, int max)
{
    char *xml = run("pdftotext -bbox-layout -f %d -l %d '%s' -", page, page, pdf);
    char pat[32];
    int n = 0;
    snprintf(pat, sizeof(pat), "<%s xMin=", tag);
    for (char *p = xml; p && n < max && (p = strstr(p, pat)); p++) {
        double x0, y0, x1, y1;
        if (sscanf(p + strlen(pat), "\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\"", &x0, &y0, &x1,
                   &y1) != 4 ||
            y0 > 700)
            continue;
        out[n].x0 = x0;
        out[n].x1 = x1;
        out[n].text[0] = '\0';
        char *gt = strchr(p, '>');
        if (gt && !strcmp(tag, "word"))
            sscanf(gt + 1, "%63[^<]", out[n].text);
        n++;
    }
    free(xml);
    return n;
}

static void justified_lines_reach_both_margins_and_the_last_does_not(void **state)
{
    char path[1200];
    fx_pdf *d;
    fx_error err;
    bbox lines[64];
    const double left = 22 * 72 / 25.4, right = 595.276 - 20 * 72 / 25.4;
    (void)state;
    if (!have_poppler())
        skip();
    sample_path(path, sizeof(path), "justified.pdf");
    assert_int_equal(fx_pdf_new(NULL, &d, &err), 0);
    assert_int_equal(fx_pdf_paragraph(d,
                                      "The post-operative model was matched to the plan on "
                                      "the intact hemipelvis, and for every planned screw "
                                      "the actual screw was found in the post-operative CT; "
                                      "direction deviation is the angle between the axes, "
                                      "entry and tip deviations are distances in mm, and the "
                                      "length difference is actual minus planned. None of "
                                      "these is a clinical threshold.",
                                      FX_PDF_JUSTIFY, &err),
                     0);
    assert_int_equal(fx_pdf_save(d, path, &err), 0);
    fx_pdf_free(d);
    int n = boxes_of(path, 1, "line", lines, 64);
    assert_true(n >= 3);
    for (int i = 0; i < n; i++) {
        assert_float_equal(lines[i].x0, left, 0.1);
        if (i < n - 1)
            assert_float_equal(lines[i].x1, right, 0.5);
    }
    assert_true(lines[n - 1].x1 < right - 20); /* the last line is not stretched */
}

static void a_word_longer_than_the_line_is_broken_inside_the_margins(void **state)
{
    char path[1200], word[401];
    fx_pdf *d;
    fx_error err;
    bbox lines[64];
    const double left = 22 * 72 / 25.4, right = 595.276 - 20 * 72 / 25.4;
    (void)state;
    if (!have_poppler())
        skip();
    for (int i = 0; i < 400; i++)
        word[i] = (char)('a' + i % 26);
    word[400] = '\0';
    sample_path(path, sizeof(path), "long_word.pdf");
    assert_int_equal(fx_pdf_new(NULL, &d, &err), 0);
    assert_int_equal(fx_pdf_paragraph(d, word, FX_PDF_JUSTIFY, &err), 0);
    assert_int_equal(fx_pdf_save(d, path, &err), 0);
    fx_pdf_free(d);
    int n = boxes_of(path, 1, "line", lines, 64);
    assert_true(n >= 3); /* 400 letters at 10 pt need about 4 lines of 468 pt */
    for (int i = 0; i < n; i++)
        assert_true(lines[i].x0 >= left - 0.1 && lines[i].x1 <= right + 0.1);
    char *text = run("pdftotext '%s' - | tr -d '\\n'", path);
    assert_non_null(text);
    assert_non_null(strstr(text, word)); /* nothing lost at the breaks */
    free(text);
}

/* All words of page `page` ending in `suffix` share their right edge. */
static void assert_right_aligned(const char *pdf, int page, const char *suffix, int min_count)
{
    bbox w[600];
    int n = boxes_of(pdf, page, "word", w, 600), k = 0;
    double edge = -1;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(w[i].text), sl = strlen(suffix);
        if (len < sl + 2 || strcmp(w[i].text + len - sl, suffix) || w[i].text[0] < '0' ||
            w[i].text[0] > '9')
            continue;
        if (edge < 0)
            edge = w[i].x1;
        if (fabs(w[i].x1 - edge) > 0.05)
            fail_msg("'%s' ends at %.2f pt, others at %.2f", w[i].text, w[i].x1, edge);
        k++;
    }
    assert_true(k >= min_count);
}

static void numbers_in_a_column_share_their_right_edge_flagged_or_not(void **state)
{
    char path[1200];
    int flagged;
    (void)state;
    if (!have_poppler())
        skip();
    sample_path(path, sizeof(path), "long_table.pdf");
    assert_int_equal(write_long_table(path, &flagged), 0);
    assert_right_aligned(path, 1, ".0", 30);       /* planned lengths 30.0 ... */
    assert_right_aligned(path, 1, ".5", 30);       /* actual lengths 30.5 ... */
    assert_right_aligned(path, 2, "\xc2\xb0", 25); /* directions, 9.7° among them */
}

static void grey_and_rgb_images_are_embedded_at_their_pixel_size(void **state)
{
    char path[1200];
    uint8_t grey[64 * 32], rgb[20 * 10 * 3];
    fx_pdf *d;
    fx_error err;
    (void)state;
    if (system("pdfimages -v >/dev/null 2>&1") != 0)
        skip();
    for (int i = 0; i < 64 * 32; i++)
        grey[i] = (uint8_t)(4 * (i % 64));
    memset(rgb, 200, sizeof(rgb));
    sample_path(path, sizeof(path), "images.pdf");
    assert_int_equal(fx_pdf_new(NULL, &d, &err), 0);
    assert_int_equal(fx_pdf_image_gray(d, grey, 64, 32, 40, "a grey ramp", &err), 0);
    assert_int_equal(fx_pdf_image_rgb(d, rgb, 20, 10, 20, "a flat colour", &err), 0);
    assert_int_equal(fx_pdf_save(d, path, &err), 0);
    fx_pdf_free(d);
    /* pdfimages -list: page num type width height color comp ... */
    char *list = run("pdfimages -list '%s' | awk 'NR > 2 { print $4, $5, $6, $7 }'", path);
    assert_non_null(list);
    assert_string_equal(list, "64 32 gray 1\n20 10 rgb 3\n");
    free(list);
}

static int setup_artefacts(void **state)
{
    (void)state;
    const char *b = getenv("FX_BUILDDIR");
    if (b && *b) {
        snprintf(artefacts, sizeof(artefacts), "%s/tests", b);
        mkdir(artefacts, 0777);
        strncat(artefacts, "/artefacts", sizeof(artefacts) - strlen(artefacts) - 1);
        mkdir(artefacts, 0777);
    } else {
        snprintf(artefacts, sizeof(artefacts), "/tmp/fxaudit-artefacts-%ld", (long)getpid());
        mkdir(artefacts, 0777);
    }
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(three_pages_number_themselves_page_x_of_3),
        cmocka_unit_test(units_survive_the_winansi_round_trip_through_pdftotext),
        cmocka_unit_test(the_footer_carries_the_audit_trail_on_every_page),
        cmocka_unit_test(a_table_spanning_pages_repeats_its_header_on_each),
        cmocka_unit_test(a_flagged_cell_is_marked_in_text_and_tinted_in_colour),
        cmocka_unit_test(headings_become_bookmarks_that_a_reader_lists),
        cmocka_unit_test(winansi_maps_report_characters_to_their_code_page_bytes),
        cmocka_unit_test(saving_into_a_missing_folder_fails_naming_it_and_leaves_nothing),
        cmocka_unit_test(a_missing_figure_is_an_error_and_the_document_goes_on),
        cmocka_unit_test(grey_and_rgb_images_are_embedded_at_their_pixel_size),
        cmocka_unit_test(justified_lines_reach_both_margins_and_the_last_does_not),
        cmocka_unit_test(a_word_longer_than_the_line_is_broken_inside_the_margins),
        cmocka_unit_test(numbers_in_a_column_share_their_right_edge_flagged_or_not),
    };
    return cmocka_run_group_tests(tests, setup_artefacts, NULL);
}
