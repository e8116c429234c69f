# slices: CT slices through the acetabular dome to measure on (fxaudit
# slices), and the automatic estimate of the gap and step-off at the dome
# (fxaudit validate --stage reduction).
libfxaudit_a_SOURCES += src/reduction/slices.c src/reduction/domeest.c src/reduction/domefind.c \
	src/reduction/domestore.c src/reduction/domefrag.c src/reduction/domefrag.h
noinst_HEADERS += include/fxaudit/slices.h include/fxaudit/domeest.h include/fxaudit/domefind.h \
	include/fxaudit/domestore.h
fxaudit_SOURCES += src/cli/cmd_slices.c src/cli/slices_points.c src/cli/slices_cli.h \
	src/cli/validate_reduction.c

check_PROGRAMS += tests/unit/test_slices tests/unit/test_domeest
TESTS += tests/unit/test_slices tests/unit/test_domeest tests/cli/test_slices.sh \
	tests/cli/test_dome_estimate.sh
tests_unit_test_slices_SOURCES = tests/unit/test_slices.c
tests_unit_test_slices_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_slices_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
tests_unit_test_domeest_SOURCES = tests/unit/test_domeest.c
tests_unit_test_domeest_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_domeest_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
EXTRA_DIST += tests/cli/test_slices.sh docs/slices.md docs/reduction-estimate.md \
	tests/cli/test_dome_estimate.sh
CLEANFILES += tests/unit/dome_slice_axial.png tests/unit/dome_slice_coronal.png \
	tests/unit/dome_slice_sagittal.png

# The dome estimate from the plan's fragments and the audit's poses.
libfxaudit_a_SOURCES += src/reduction/domeplan.c src/reduction/domeplan_plan.c \
	src/reduction/domeplan_face.c src/reduction/domeplan_int.h \
	src/reduction/domestore_plan.c src/reduction/domestore_int.h
noinst_HEADERS += include/fxaudit/domeplan.h
check_PROGRAMS += tests/unit/test_domeplan tests/unit/test_domeplan_face
TESTS += tests/unit/test_domeplan tests/unit/test_domeplan_face tests/cli/test_dome_plan.sh
EXTRA_DIST += tests/cli/test_dome_plan.sh
tests_unit_test_domeplan_SOURCES = tests/unit/test_domeplan.c
tests_unit_test_domeplan_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_domeplan_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
tests_unit_test_domeplan_face_SOURCES = tests/unit/test_domeplan_face.c
tests_unit_test_domeplan_face_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_domeplan_face_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
