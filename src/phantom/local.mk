# phantom: synthetic pelvic fracture phantoms with exact ground truth
# (docs/phantom.md), and the `fxaudit phantom` command.
libfxaudit_a_SOURCES += src/phantom/anatomy.c src/phantom/fracture.c src/phantom/implants.c \
	src/phantom/scene.c src/phantom/voxelise.c src/phantom/streaks.c src/phantom/measure.c \
	src/phantom/cohort.c
noinst_HEADERS += include/fxaudit/phantom.h src/phantom/model.h src/phantom/sdf.h
libfxaudit_a_SOURCES += src/phantom/truth.c src/phantom/write.c src/phantom/labelmap.c \
	src/phantom/corridor.c src/phantom/planinputs.c
fxaudit_SOURCES += src/cli/cmd_phantom.c

check_PROGRAMS += tests/unit/test_phantom
TESTS += tests/unit/test_phantom tests/cli/test_phantom.sh
tests_unit_test_phantom_SOURCES = tests/unit/test_phantom.c
tests_unit_test_phantom_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_phantom_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/phantom
tests_unit_test_phantom_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
EXTRA_DIST += tests/cli/test_phantom.sh docs/phantom.md
CLEANFILES += tests/artefacts/phantom_axial.png
