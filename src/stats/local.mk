# stats: the statistics library (R- and SPSS-compatible tests), SMFA scoring,
# the CSV reader they share, the `stats` and `smfa` commands, and the R
# cross-check suite.
libfxaudit_a_SOURCES += src/stats/ranks.c src/stats/signrank.c src/stats/ranksum.c \
	src/stats/zeroin.c src/stats/wilcoxon.c src/stats/wilcoxon_ci.c \
	src/stats/mannwhitney.c src/stats/spearman.c src/stats/friedman.c \
	src/stats/describe.c src/stats/smfa.c src/io/csv.c
noinst_HEADERS += include/fxaudit/stats.h include/fxaudit/csv.h include/fxaudit/smfa.h

check_PROGRAMS += tests/unit/test_stats_r
TESTS += tests/unit/test_stats_r
tests_unit_test_stats_r_SOURCES = tests/unit/test_stats_r.c
tests_unit_test_stats_r_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_stats_r_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
EXTRA_DIST += tests/fixtures/r/make_reference.R tests/fixtures/r/reference.txt

fxaudit_SOURCES += src/cli/cmd_stats.c src/cli/cmd_stats_groups.c src/cli/stats_cli.c \
	src/cli/stats_cli.h src/cli/cmd_smfa.c

TESTS += tests/cli/test_stats.sh
EXTRA_DIST += tests/cli/test_stats.sh tests/fixtures/smfa/forms.csv \
	tests/fixtures/smfa/bad_answer.csv tests/fixtures/smfa/test-key-not-clinical.txt

check_PROGRAMS += tests/unit/test_csv
TESTS += tests/unit/test_csv
tests_unit_test_csv_SOURCES = tests/unit/test_csv.c
tests_unit_test_csv_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_csv_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
EXTRA_DIST += docs/statistics.md docs/smfa.md

check_PROGRAMS += tests/unit/test_stats_hand
TESTS += tests/unit/test_stats_hand
tests_unit_test_stats_hand_SOURCES = tests/unit/test_stats_hand.c
tests_unit_test_stats_hand_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_stats_hand_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
