/*
 * test_sample_report.c - a sample audit report using every block of the
 * layout (title, key-value block, justified text, a table with flagged cells,
 * rendered 3-D views, gnuplot figures or notes in their place), so that a
 * person can judge the look: the PDF and its pages as PNG (pdftoppm) are kept
 * in $FX_BUILDDIR/tests/artefacts. The numbers are illustrative, typed in
 * here; the real reports take theirs from the study store.
 *
 * Checked: the page count poppler reads equals the layer's, every page says
 * "page X of N", the figures' captions and the table's flagged value are in
 * the text, and the rendered view is on page 2.
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
#include <time.h>

#include "fxaudit/figure.h"
#include "fxaudit/pdf.h"
#include "fxaudit/plot.h"
#include "fxaudit/raster.h"

static char artefacts[1024];

#define OK(call)                                                                                   \
    do {                                                                                           \
        fx_error e_;                                                                               \
        if ((call) != 0)                                                                           \
            fail_msg("%s: %s", #call, e_.msg);                                                     \
    } while (0)

static fx_mesh *ellipsoid(fx_vec3 c, fx_vec3 r, int rings)
{
    fx_mesh *m;
    int segs = 2 * rings;
    assert_int_equal(fx_mesh_new(&m, NULL), 0);
    for (int i = 0; i <= rings; i++)
        for (int j = 0; j < segs; j++) {
            double th = M_PI * i / rings, ph = 2 * M_PI * j / segs;
            uint32_t idx;
            assert_int_equal(
                fx_mesh_add_vertex(m,
                                   fx_v3(c.x + r.x * sin(th) * cos(ph),
                                         c.y + r.y * sin(th) * sin(ph), c.z + r.z * cos(th)),
                                   &idx, NULL),
                0);
        }
    for (int i = 0; i < rings; i++)
        for (int j = 0; j < segs; j++) {
            uint32_t a = (uint32_t)(i * segs + j), b = (uint32_t)(i * segs + (j + 1) % segs);
            assert_int_equal(
                fx_mesh_add_triangle(m, a, a + (uint32_t)segs, b + (uint32_t)segs, NULL), 0);
            assert_int_equal(fx_mesh_add_triangle(m, a, b + (uint32_t)segs, b, NULL), 0);
        }
    return m;
}

static void add_render(fx_pdf *d, fx_view v, const char *caption)
{
    fx_mesh *bone = ellipsoid(fx_v3(60, 0, 0), fx_v3(45, 30, 60), 40);
    fx_mesh *frag = ellipsoid(fx_v3(70, -5, -30), fx_v3(25, 20, 22), 24);
    fx_render_mesh rm[2] = {{bone, {227, 218, 201}, 0.35}, {frag, {86, 180, 233}, 0.6}};
    fx_render_screw sw[4] = {
        {fx_v3(40, -28, 10), fx_v3(75, 10, -20), 3.5, {0, 114, 178}, FX_SCREW_LINE},
        {fx_v3(55, -28, 25), fx_v3(85, 12, 5), 3.5, {0, 114, 178}, FX_SCREW_LINE},
        {fx_v3(40, -28, 10), fx_v3(78, 8, -14), 3.5, {213, 94, 0}, FX_SCREW_CYLINDER},
        {fx_v3(55, -28, 25), fx_v3(86, 14, 9), 3.5, {213, 94, 0}, FX_SCREW_CYLINDER},
    };
    fx_render_legend lg[4] = {{"hemipelvis", {227, 218, 201}},
                              {"fragment 1", {86, 180, 233}},
                              {"planned screw", {0, 114, 178}},
                              {"actual screw", {213, 94, 0}}};
    fx_render_scene sc = {rm, 2, sw, 4, lg, 4};
    fx_raster_opts o;
    fx_image *im;
    fx_raster_opts_default(&o);
    o.width = 1100;
    o.height = 800;
    o.view = v;
    OK(fx_raster_render(&sc, &o, &im, &e_));
    OK(fx_pdf_image_rgb(d, im->rgb, im->w, im->h, 95, caption, &e_));
    fx_image_free(im);
    fx_mesh_free(bone);
    fx_mesh_free(frag);
}

static void add_screw_table(fx_pdf *d)
{
    static const fx_pdf_column cols[] = {
        {"Screw", NULL, 0.8, FX_PDF_LEFT},
        {"Position", NULL, 1.7, FX_PDF_LEFT},
        {"Planned length", "mm", 1.0, FX_PDF_RIGHT},
        {"Actual length", "mm", 1.0, FX_PDF_RIGHT},
        {"Direction", "\xc2\xb0", 0.9, FX_PDF_RIGHT},
        {"Entry", "mm", 0.8, FX_PDF_RIGHT},
        {"Tip", "mm", 0.8, FX_PDF_RIGHT},
    };
    static const char *rows[5][7] = {
        {"S1", "anterior column, in plate", "34.0", "35.5", "3.2\xc2\xb0", "1.1", "2.0"},
        {"S2", "anterior column, in plate", "40.0", "40.5", "7.4\xc2\xb0", "2.3", "4.9"},
        {"S3", "quadrilateral plate", "28.0", "26.0", "2.1\xc2\xb0", "0.8", "1.4"},
        {"S4", "posterior column (lag)", "90.0", "92.5", "4.6\xc2\xb0", "1.9", "3.1"},
        {"S5", "supra-acetabular", "70.0", "70.0", "1.2\xc2\xb0", "0.6", "0.9"},
    };
    fx_pdf_cell cells[35];
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 7; j++)
            cells[i * 7 + j] =
                (fx_pdf_cell){rows[i][j], (j == 4 && strtod(rows[i][j], NULL) > 5.0) ||
                                              (j == 6 && strtod(rows[i][j], NULL) > 4.0)};
    OK(fx_pdf_table(d, "Table 1. Planned against actual screws", cols, 7, cells, 5, &e_));
    OK(fx_pdf_caption(d,
                      "* beyond tolerance (direction 5\xc2\xb0, entry and tip 4 mm). "
                      "Lengths as measured along the screw axis; deviations after "
                      "matching on the intact hemipelvis.",
                      &e_));
}

static int write_sample(const char *path, int *missing, int *pages)
{
    static const fx_pdf_input in[3] = {
        {"pre-op CT", "9a3e5c1f0b7d2e4a6c8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a0c2e4b6d8f0a"},
        {"post-op CT", "4c6e8a0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a6c"},
        {"plan.json", "e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2"},
    };
    fx_pdf_audit audit = {"fxaudit 0.1.0",
                          "d41d8cd98f00b204e9800998ecf8427e0123456789abcdef0123456789abcdef", in, 3,
                          time(NULL)};
    static const char *keys[] = {"Study",    "Patient", "Fracture",
                                 "Approach", "Plates",  "Registration"};
    static const char *vals[] = {
        "PSI-ACE (sample)",
        "P07 (pseudonymised)",
        "both-column (AO/OTA 62C1), left",
        "pararectus",
        "anterior intrapelvic plate, posterior column plate",
        "RMS 0.41 mm over 18,204 points, 96.2 % inliers, on the intact right hemipelvis"};
    char png[1200];
    fx_plot_opts po;
    fx_error perr;
    fx_pdf *d;
    const double dev[12] = {3.2, 7.4, 2.1, 4.6, 1.2, 6.1, 2.8, 3.9, 5.2, 2.4, 4.1, 3.3};

    OK(fx_pdf_new(&(fx_pdf_meta){"Audit report P07", "screw placement and reduction", NULL}, &d,
                  &e_));
    OK(fx_pdf_set_audit(d, &audit, &e_));
    OK(fx_pdf_title(d, "Audit report \xe2\x80\x93 patient P07",
                    "Acetabular fracture fixation: plan against post-operative result", &e_));
    OK(fx_pdf_keyvalues(d, keys, vals, 6, &e_));
    OK(fx_pdf_heading(d, 1, "1. Summary", &e_));
    OK(fx_pdf_paragraph(d,
                        "Five screws were planned and placed. Median direction deviation "
                        "3.2\xc2\xb0 (IQR 2.1\xc2\xb0\xe2\x80\x93"
                        "4.6\xc2\xb0), median length "
                        "difference +0.5 mm. One screw deviated beyond the direction "
                        "tolerance of 5\xc2\xb0 and its tip by 4.9 mm; no screw entered the "
                        "hip joint. The residual gap at the acetabular dome was 2.5 \xc2\xb1 "
                        "0.3 mm (consensus of two observers), graded imperfect by Matta's "
                        "criteria and adequate by the CT-based criteria.",
                        FX_PDF_JUSTIFY, &e_));
    OK(fx_pdf_heading(d, 1, "2. Screws", &e_));
    add_screw_table(d);
    OK(fx_pdf_keep_together(d, 90, &e_)); /* the heading stays with its figure */
    OK(fx_pdf_heading(d, 2, "Distribution of direction deviations", &e_));
    fx_plot_opts_default(&po);
    po.ylabel = "direction deviation (\xc2\xb0)";
    snprintf(png, sizeof(png), "%s/sample_strip.png", artefacts);
    int prc = fx_plot_strip(&po, &(fx_plot_group){"all screws", dev, 12}, 1, 5.0, png, &perr);
    OK(fx_figure_place(d, prc, &perr, png, 68,
                       "Figure 1. Direction deviation of every screw; "
                       "box from first to third quartile, dashed line at the tolerance.",
                       missing, &e_));
    OK(fx_pdf_keep_together(d, 110, &e_));
    OK(fx_pdf_heading(d, 1, "3. Plan against result", &e_));
    add_render(d, FX_VIEW_ANTERIOR,
               "Figure 2. Anterior view: planned screws (blue lines) and "
               "actual screws (orange), bone translucent.");
    add_render(d, FX_VIEW_LATERAL, "Figure 3. Lateral view from the fractured (left) side.");
    OK(fx_pdf_keep_together(d, 100, &e_));
    OK(fx_pdf_heading(d, 1, "4. Observers", &e_));
    double a[10] = {2.5, 3.1, 1.8, 4.2, 2.2, 3.6, 2.9, 1.4, 5.1, 2.0}, b[10];
    for (int i = 0; i < 10; i++)
        b[i] = a[i] + 0.25 * sin(1.3 * i);
    po.xlabel = "mean of the two observers (mm)";
    po.ylabel = "observer A \xe2\x88\x92 observer B (mm)";
    snprintf(png, sizeof(png), "%s/sample_bland_altman.png", artefacts);
    prc = fx_plot_bland_altman(&po, a, b, 10, "mm", png, &perr);
    OK(fx_figure_place(d, prc, &perr, png, 75,
                       "Figure 4. Agreement of the observers' gap "
                       "measurements (Bland\xe2\x80\x93"
                       "Altman).",
                       missing, &e_));
    *pages = fx_pdf_page_count(d);
    OK(fx_pdf_save(d, path, &e_));
    fx_pdf_free(d);
    return 0;
}

static char *run(const char *cmd)
{
    FILE *f = popen(cmd, "r");
    char *buf = calloc(1, 1 << 17);
    if (!f || !buf) {
        if (f)
            pclose(f);
        free(buf);
        return NULL;
    }
    size_t n = fread(buf, 1, (1 << 17) - 1, f);
    (void)n;
    pclose(f);
    return buf;
}

static void a_sample_report_reads_right_and_is_kept_as_page_images(void **state)
{
    char pdf[1200], cmd[4000], want[64];
    int missing = 0, pages = 0;
    (void)state;
    if (system("pdftotext -v >/dev/null 2>&1") != 0 || system("pdftoppm -v >/dev/null 2>&1"))
        skip();
    snprintf(pdf, sizeof(pdf), "%s/sample_report.pdf", artefacts);
    assert_int_equal(write_sample(pdf, &missing, &pages), 0);
    snprintf(cmd, sizeof(cmd), "pdfinfo '%s' | sed -n 's/^Pages: *//p'", pdf);
    char *info = run(cmd);
    assert_non_null(info);
    assert_int_equal((int)strtol(info, NULL, 10), pages);
    free(info);
    snprintf(cmd, sizeof(cmd), "pdftotext -enc UTF-8 '%s' -", pdf);
    char *text = run(cmd);
    assert_non_null(text);
    for (int p = 1; p <= pages; p++) {
        snprintf(want, sizeof(want), "page %d of %d", p, pages);
        assert_non_null(strstr(text, want));
    }
    assert_non_null(strstr(text, "Figure 1. Direction deviation"));
    assert_non_null(strstr(text, "Figure 4. Agreement"));
    assert_non_null(strstr(text, "7.4\xc2\xb0 *"));
    assert_non_null(strstr(text, "4.9 *"));
    assert_non_null(strstr(text, "2.5 \xc2\xb1 0.3 mm"));
    free(text);
    /* the views follow their heading on the same page */
    int together = 0;
    for (int p = 1; p <= pages; p++) {
        snprintf(cmd, sizeof(cmd), "pdftotext -f %d -l %d '%s' -", p, p, pdf);
        text = run(cmd);
        assert_non_null(text);
        together += strstr(text, "3. Plan against result") && strstr(text, "Figure 2. Anterior");
        free(text);
    }
    assert_int_equal(together, 1);
    snprintf(cmd, sizeof(cmd), "pdftoppm -r 70 -png '%s' '%s/sample_report'", pdf, artefacts);
    assert_int_equal(system(cmd), 0);
    print_message("# %d pages, %d figure(s) replaced by notes\n", pages, missing);
}

static int setup(void **state)
{
    (void)state;
    const char *b = getenv("FX_BUILDDIR");
    snprintf(artefacts, sizeof(artefacts), "%s/tests", b && *b ? b : "/tmp");
    mkdir(artefacts, 0777);
    strncat(artefacts, "/artefacts", sizeof(artefacts) - strlen(artefacts) - 1);
    mkdir(artefacts, 0777);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_sample_report_reads_right_and_is_kept_as_page_images),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
