# outcomes: SMFA forms kept in the study (smfa add/import/list) and the study's
# results section computed from the store (stats study).
libfxaudit_a_SOURCES += src/outcomes/smfastore.c src/outcomes/studystats.c \
	src/outcomes/studystats_blocks.c src/outcomes/studystats_smfa.c
noinst_HEADERS += include/fxaudit/smfastore.h include/fxaudit/studystats.h \
	src/outcomes/studystats_int.h src/cli/outcomes_cli.h
fxaudit_SOURCES += src/cli/cmd_smfa_store.c src/cli/cmd_stats_study.c

# Tests: the CLI test builds a study with the real commands; fill_study writes
# the observer workflow's rows through the store API (it is a helper, not a test).
check_PROGRAMS += tests/outcomes/fill_study
tests_outcomes_fill_study_SOURCES = tests/outcomes/fill_study.c
tests_outcomes_fill_study_LDADD = $(FX_LIBS)
TESTS += tests/cli/test_outcomes.sh
EXTRA_DIST += tests/cli/test_outcomes.sh tests/fixtures/outcomes/study_rows.csv \
	tests/fixtures/outcomes/smfa_forms.csv tests/fixtures/outcomes/study_reference.R \
	tests/fixtures/outcomes/study_reference.txt docs/outcomes.md

check_PROGRAMS += tests/unit/test_outcomes
TESTS += tests/unit/test_outcomes
tests_unit_test_outcomes_SOURCES = tests/unit/test_outcomes.c
tests_unit_test_outcomes_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_outcomes_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
