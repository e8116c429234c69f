# report: the PDF document model (libharu), figures (gnuplot, templates in
# reports/), the software rasteriser for 3-D views, and the `render` command.
libfxaudit_a_SOURCES += src/report/pdf.c src/report/pdf_blocks.c src/report/pdf_internal.h \
	src/report/raster.c src/report/raster_text.c src/report/raster_internal.h \
	src/report/plot.c src/report/plot_kinds.c src/report/plot_internal.h \
	src/report/figure.c \
	src/report/report_common.c src/report/report_study.c src/report/report_results.c \
	src/report/report_patient.c src/report/report_plan.c src/report/report_views.c \
	src/report/report_slices.c src/report/report_agreement.c src/report/report_residuals.c src/report/report_internal.h src/report/report_dbhash.c \
	src/report/demo.c
noinst_HEADERS += include/fxaudit/pdf.h include/fxaudit/raster.h include/fxaudit/plot.h \
	include/fxaudit/figure.h include/fxaudit/report.h include/fxaudit/demo.h

# gnuplot templates, found at run time with fx_data_path("reports/<kind>.gp")
reportsdir = $(pkgdatadir)/reports
dist_reports_DATA = reports/common.gp reports/box.gp reports/strip.gp reports/histogram.gp \
	reports/scatter.gp reports/lines.gp reports/bland_altman.gp \
	reports/bins.gp

check_PROGRAMS += tests/unit/test_pdf tests/unit/test_raster tests/unit/test_plot
TESTS += tests/unit/test_pdf tests/unit/test_raster tests/unit/test_plot
tests_unit_test_pdf_SOURCES = tests/unit/test_pdf.c
tests_unit_test_pdf_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_pdf_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
tests_unit_test_raster_SOURCES = tests/unit/test_raster.c
tests_unit_test_raster_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_raster_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
tests_unit_test_plot_SOURCES = tests/unit/test_plot.c
tests_unit_test_plot_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_plot_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)

# `fxaudit render`: the rasteriser on mesh files
fxaudit_SOURCES += src/cli/cmd_render.c
TESTS += tests/cli/test_render.sh
EXTRA_DIST += tests/cli/test_render.sh

check_PROGRAMS += tests/unit/test_sample_report
TESTS += tests/unit/test_sample_report
tests_unit_test_sample_report_SOURCES = tests/unit/test_sample_report.c
tests_unit_test_sample_report_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_sample_report_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
EXTRA_DIST += docs/reports.md
# artefacts kept by the tests for people to look at (build/tests/artefacts)
CLEANFILES += tests/artefacts/*.png tests/artefacts/*.pdf tests/artefacts/*.ppm

# `fxaudit report` and `fxaudit demo`: the reports' content and the main job
fxaudit_SOURCES += src/cli/cmd_report.c src/cli/cmd_demo.c
TESTS += tests/cli/test_report.sh
EXTRA_DIST += tests/cli/test_report.sh
