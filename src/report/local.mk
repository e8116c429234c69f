# report: the PDF document model (libharu), plots (gnuplot), the software
# rasteriser for 3-D views, and the `render` command.
libfxaudit_a_SOURCES += src/report/pdf.c src/report/pdf_blocks.c src/report/pdf_internal.h \
	src/report/raster.c src/report/raster_text.c src/report/raster_internal.h
noinst_HEADERS += include/fxaudit/pdf.h include/fxaudit/raster.h

check_PROGRAMS += tests/unit/test_pdf tests/unit/test_raster
TESTS += tests/unit/test_pdf tests/unit/test_raster
tests_unit_test_pdf_SOURCES = tests/unit/test_pdf.c
tests_unit_test_pdf_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_pdf_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
tests_unit_test_raster_SOURCES = tests/unit/test_raster.c
tests_unit_test_raster_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_raster_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
