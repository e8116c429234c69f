# io/png: PNG output, shared by slices, rendered views and test artefacts.
libfxaudit_a_SOURCES += src/io/png.c
noinst_HEADERS += include/fxaudit/png.h include/fxaudit/volio.h include/fxaudit/dicom.h

check_PROGRAMS += tests/unit/test_png
TESTS += tests/unit/test_png
tests_unit_test_png_SOURCES = tests/unit/test_png.c
tests_unit_test_png_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_png_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
