# reduction: grading of reduction quality (schemes as data) and observer
# agreement (ICC, Bland-Altman; the module lives in src/stats but belongs to
# this area's work).
libfxaudit_a_SOURCES += src/reduction/grade.c
noinst_HEADERS += include/fxaudit/grade.h
fxaudit_SOURCES += src/cli/cmd_grade.c src/cli/cmd_stats_agreement.c src/cli/agr_table.c \
	src/cli/agr_table.h

schemesdir = $(pkgdatadir)/schemes
dist_schemes_DATA = data/schemes/matta.json data/schemes/ct.json

check_PROGRAMS += tests/unit/test_grade
TESTS += tests/unit/test_grade tests/cli/test_grade.sh
tests_unit_test_grade_SOURCES = tests/unit/test_grade.c
tests_unit_test_grade_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_grade_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)

EXTRA_DIST += tests/cli/test_grade.sh docs/grading.md docs/examples/scheme-example.json

libfxaudit_a_SOURCES += src/stats/agreement.c
noinst_HEADERS += include/fxaudit/agreement.h
check_PROGRAMS += tests/unit/test_agreement
TESTS += tests/unit/test_agreement tests/cli/test_agreement.sh
tests_unit_test_agreement_SOURCES = tests/unit/test_agreement.c
tests_unit_test_agreement_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_agreement_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
EXTRA_DIST += tests/cli/test_agreement.sh docs/agreement.md \
	tests/fixtures/r-psych/make_reference.R tests/fixtures/r-psych/reference.txt \
	tests/fixtures/r-psych/sf1979.csv tests/fixtures/r-psych/hand.csv \
	tests/fixtures/r-psych/two_raters.csv tests/fixtures/r-psych/three_raters.csv \
	tests/fixtures/r-psych/missing.csv tests/fixtures/r-psych/repeats.csv \
	tests/fixtures/r-psych/disagree.csv tests/fixtures/r-psych/five_raters.csv

# The blinded observer workflow on the study store (above the store layer).
libfxaudit_a_SOURCES += src/reduction/observers.c src/reduction/readings.c \
	src/reduction/consensus.c src/reduction/consensus_export.c src/reduction/blind_export.c \
	src/reduction/readings_table.c src/reduction/readings_table.h src/reduction/study_agreement.c
noinst_HEADERS += include/fxaudit/observers.h include/fxaudit/consensus.h
fxaudit_SOURCES += src/cli/cmd_observer.c src/cli/cmd_measure.c src/cli/cmd_consensus.c
TESTS += tests/cli/test_observers.sh
EXTRA_DIST += tests/cli/test_observers.sh docs/observers.md
check_PROGRAMS += tests/unit/test_observers
TESTS += tests/unit/test_observers
tests_unit_test_observers_SOURCES = tests/unit/test_observers.c
tests_unit_test_observers_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_observers_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
