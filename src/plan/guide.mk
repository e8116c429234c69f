# plan, drilling guides: a guide body over a plate with sleeves, k-wire holes
# and bone-supporting extensions; the `fxaudit guide` command and its tests.
libfxaudit_a_SOURCES += src/plan/guide.c
noinst_HEADERS += include/fxaudit/guide.h

check_PROGRAMS += tests/unit/test_guide
TESTS += tests/unit/test_guide
tests_unit_test_guide_SOURCES = tests/unit/test_guide.c
tests_unit_test_guide_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_guide_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)

fxaudit_SOURCES += src/cli/cmd_guide.c
TESTS += tests/cli/test_guide.sh
EXTRA_DIST += tests/cli/test_guide.sh
CLEANFILES += tests/guide-anterior.png tests/guide-superior.png tests/guide-lateral.png
