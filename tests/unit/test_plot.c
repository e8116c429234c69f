/*
 * test_plot.c - figures through gnuplot, and reports without it.
 *
 * Every figure kind must come out as a PNG of the asked size; the numbers
 * fxaudit computes for the figures follow published definitions (quantile
 * type 6 on the example in domain.md); without gnuplot each call says so
 * with FX_ENOGNUPLOT, writes nothing, and a report still gets written with a
 * note in the figure's place. A sample report with every figure kind, a table
 * and a rendered view is kept in $FX_BUILDDIR/tests/artefacts with its pages
 * as PNG (pdftoppm) for a person to look at.
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

#include "fxaudit/figure.h"
#include "fxaudit/pdf.h"
#include "fxaudit/plot.h"

static char artefacts[1024];

/* Seed-study-like numbers for the figures (not results: just shapes). */
static const double gap_pre[10] = {20, 15, 22, 18, 25, 14, 21, 16, 30, 19};
static const double gap_post[10] = {3, 2, 5, 2.5, 4, 1, 6, 3, 2, 3.5};
static const double angle_dev[12] = {7.1, 6.5, 8.2, 7.7, 3.1, 9.8, 5.4, 7.0, 7.4, 2.2, 6.9, 12.3};

static void artefact(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", artefacts, name);
}

/* Width and height from a PNG's IHDR chunk; 0 when not a PNG. */
static int png_size(const char *path, unsigned *w, unsigned *h)
{
    unsigned char b[24];
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t got = fread(b, 1, sizeof(b), f);
    fclose(f);
    if (got != sizeof(b) || memcmp(b, "\x89PNG\r\n\x1a\n", 8) || memcmp(b + 12, "IHDR", 4))
        return 0;
    *w = (unsigned)b[16] << 24 | (unsigned)b[17] << 16 | (unsigned)b[18] << 8 | b[19];
    *h = (unsigned)b[20] << 24 | (unsigned)b[21] << 16 | (unsigned)b[22] << 8 | b[23];
    return 1;
}

/* gnuplot with the pngcairo terminal (Debian's gnuplot-nox has it). */
static int have_gnuplot(void)
{
    char p[4096], cmd[4200];
    if (fx_plot_find_gnuplot(p, sizeof(p), NULL) != FX_OK)
        return 0;
    snprintf(cmd, sizeof(cmd), "'%s' -e 'set terminal' 2>&1 | grep -q pngcairo", p);
    return system(cmd) == 0;
}

static void assert_png_of_size(const char *path, unsigned w, unsigned h)
{
    unsigned gw = 0, gh = 0;
    assert_true(png_size(path, &gw, &gh));
    assert_int_equal(gw, w);
    assert_int_equal(gh, h);
}

static void quantile_type_6_matches_the_spss_example_in_domain_md(void **state)
{
    (void)state;
    const double x[10] = {1, 2, 3, 4, 7, 8, 9, 10, 12, 15};
    assert_float_equal(fx_plot_quantile6(x, 10, 0.25), 2.75, 1e-12);
    assert_float_equal(fx_plot_quantile6(x, 10, 0.50), 7.5, 1e-12);
    assert_float_equal(fx_plot_quantile6(x, 10, 0.75), 10.5, 1e-12);
    assert_float_equal(fx_plot_quantile6(x, 10, 0.01), 1.0, 1e-12); /* clamped */
}

/* Draw one of each kind into the artefacts folder; return FX_OK or the
 * first failure. */
static int draw_all(int *rcs, fx_error *err)
{
    char p[1200];
    fx_plot_opts o;
    fx_plot_group pp[2] = {{"pre-op", gap_pre, 10}, {"post-op", gap_post, 10}};
    fx_plot_group dev[1] = {{"direction", angle_dev, 12}};
    double t[3] = {0, 3, 12}, s1[3] = {7, 29, 9}, s2[3] = {2, 35, 27}, s3[3] = {9, 22, 5};
    fx_plot_series sr[3] = {{"P01", t, s1, 3}, {"P02", t, s2, 3}, {"P03", t, s3, 3}};
    double obs_b[10];
    for (int i = 0; i < 10; i++)
        obs_b[i] = gap_post[i] + 0.3 * sin(i * 1.7);

    fx_plot_opts_default(&o);
    o.ylabel = "gap (mm)";
    artefact(p, sizeof(p), "plot_box.png");
    rcs[0] = fx_plot_box(&o, pp, 2, 1, p, err);
    o.ylabel = "direction deviation (\xc2\xb0)";
    artefact(p, sizeof(p), "plot_strip.png");
    rcs[1] = fx_plot_strip(&o, dev, 1, 5.0, p, err);
    o.xlabel = "direction deviation (\xc2\xb0)";
    o.ylabel = "screws";
    artefact(p, sizeof(p), "plot_histogram.png");
    rcs[2] = fx_plot_histogram(&o, angle_dev, 12, 0, p, err);
    o.xlabel = "post-op gap (mm)";
    o.ylabel = "SMFA function index at 1 year";
    o.note = "Spearman \xcf\x81 = 0.62";
    artefact(p, sizeof(p), "plot_scatter.png");
    rcs[3] = fx_plot_scatter(&o, gap_post, gap_pre, 10, p, err);
    o.note = NULL;
    o.xlabel = "time after surgery (months)";
    o.ylabel = "SMFA function index";
    artefact(p, sizeof(p), "plot_lines.png");
    rcs[4] = fx_plot_lines(&o, sr, 3, p, err);
    o.xlabel = "mean of observers (mm)";
    o.ylabel = "observer A \xe2\x88\x92 observer B (mm)";
    artefact(p, sizeof(p), "plot_bland_altman.png");
    rcs[5] = fx_plot_bland_altman(&o, gap_post, obs_b, 10, "mm", p, err);
    for (int i = 0; i < 6; i++)
        if (rcs[i])
            return rcs[i];
    return FX_OK;
}

static void every_figure_kind_comes_out_as_a_png_of_the_asked_size(void **state)
{
    static const char *names[6] = {"box", "strip", "histogram", "scatter", "lines", "bland_altman"};
    char p[1200];
    int rcs[6];
    fx_error err = {0};
    (void)state;
    if (!have_gnuplot())
        skip();
    if (draw_all(rcs, &err))
        fail_msg("%s", err.msg);
    for (int i = 0; i < 6; i++) {
        char name[64];
        snprintf(name, sizeof(name), "plot_%s.png", names[i]);
        artefact(p, sizeof(p), name);
        assert_png_of_size(p, 1800, 1100);
    }
}

static void a_missing_gnuplot_is_its_own_status_and_writes_nothing(void **state)
{
    char p[1200];
    fx_error err;
    fx_plot_opts o;
    fx_plot_group g = {"g", gap_pre, 10};
    const char *old_path = getenv("PATH");
    char *saved = old_path ? strdup(old_path) : NULL;
    (void)state;
    fx_plot_opts_default(&o);
    artefact(p, sizeof(p), "never.png");
    unlink(p);

    setenv("FXAUDIT_GNUPLOT", "/nonexistent/gnuplot", 1);
    assert_int_equal(fx_plot_box(&o, &g, 1, 0, p, &err), FX_ENOGNUPLOT);
    assert_non_null(strstr(err.msg, "/nonexistent/gnuplot"));
    assert_int_not_equal(access(p, F_OK), 0);

    unsetenv("FXAUDIT_GNUPLOT");
    setenv("PATH", "/nonexistent", 1);
    assert_int_equal(fx_plot_histogram(&o, gap_pre, 10, 0, p, &err), FX_ENOGNUPLOT);
    assert_non_null(strstr(err.msg, "PATH"));
    assert_int_not_equal(access(p, F_OK), 0);
    if (saved)
        setenv("PATH", saved, 1);
    free(saved);
}

static char *pdftotext(const char *pdf)
{
    char cmd[1400];
    snprintf(cmd, sizeof(cmd), "pdftotext -enc UTF-8 '%s' -", pdf);
    FILE *f = popen(cmd, "r");
    if (!f)
        return NULL;
    char *buf = calloc(1, 1 << 16);
    size_t n = buf ? fread(buf, 1, (1 << 16) - 1, f) : 0;
    (void)n;
    if (pclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void without_gnuplot_the_report_is_written_with_a_note_in_place(void **state)
{
    char png[1200], pdf[1200];
    fx_error perr, err;
    fx_plot_opts o;
    fx_plot_group g[2] = {{"pre-op", gap_pre, 10}, {"post-op", gap_post, 10}};
    fx_pdf *d;
    int missing = 0;
    (void)state;
    if (system("pdftotext -v >/dev/null 2>&1") != 0)
        skip();
    fx_plot_opts_default(&o);
    artefact(png, sizeof(png), "never.png");
    artefact(pdf, sizeof(pdf), "report_without_gnuplot.pdf");
    setenv("FXAUDIT_GNUPLOT", "/nonexistent/gnuplot", 1);
    int prc = fx_plot_box(&o, g, 2, 1, png, &perr);
    unsetenv("FXAUDIT_GNUPLOT");
    assert_int_equal(fx_pdf_new(NULL, &d, &err), 0);
    assert_int_equal(fx_pdf_heading(d, 1, "Reduction", &err), 0);
    assert_int_equal(fx_figure_place(d, prc, &perr, png, 0,
                                     "Figure 1. Gap before and after "
                                     "surgery.",
                                     &missing, &err),
                     0);
    assert_int_equal(fx_pdf_save(d, pdf, &err), 0);
    fx_pdf_free(d);
    assert_int_equal(missing, 1);
    char *text = pdftotext(pdf);
    assert_non_null(text);
    assert_non_null(strstr(text, "Figure not drawn: gnuplot not found"));
    assert_non_null(strstr(text, "Figure 1. Gap before and after surgery."));
    free(text);
}

static void a_failure_other_than_a_missing_gnuplot_is_not_hidden_by_a_note(void **state)
{
    fx_error perr, err;
    fx_pdf *d;
    int missing = 0;
    (void)state;
    fx_fail(&perr, FX_EINVAL, "a box plot needs at least one group");
    assert_int_equal(fx_pdf_new(NULL, &d, &err), 0);
    assert_int_equal(fx_figure_place(d, FX_EINVAL, &perr, "x.png", 0, NULL, &missing, &err),
                     FX_EINVAL);
    assert_non_null(strstr(err.msg, "at least one group"));
    assert_int_equal(missing, 0);
    fx_pdf_free(d);
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
        cmocka_unit_test(quantile_type_6_matches_the_spss_example_in_domain_md),
        cmocka_unit_test(every_figure_kind_comes_out_as_a_png_of_the_asked_size),
        cmocka_unit_test(a_missing_gnuplot_is_its_own_status_and_writes_nothing),
        cmocka_unit_test(without_gnuplot_the_report_is_written_with_a_note_in_place),
        cmocka_unit_test(a_failure_other_than_a_missing_gnuplot_is_not_hidden_by_a_note),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
