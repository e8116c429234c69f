# stats: the statistics library (R- and SPSS-compatible tests), SMFA scoring,
# the CSV reader they share, the `stats` and `smfa` commands, and the R
# cross-check suite.
libfxaudit_a_SOURCES += src/stats/ranks.c src/stats/signrank.c src/stats/ranksum.c \
	src/stats/zeroin.c src/stats/wilcoxon.c src/stats/wilcoxon_ci.c \
	src/stats/mannwhitney.c src/stats/spearman.c src/stats/friedman.c \
	src/stats/describe.c src/io/csv.c
noinst_HEADERS += include/fxaudit/stats.h include/fxaudit/csv.h

check_PROGRAMS += tests/unit/test_stats_r
TESTS += tests/unit/test_stats_r
tests_unit_test_stats_r_SOURCES = tests/unit/test_stats_r.c
tests_unit_test_stats_r_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_stats_r_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
EXTRA_DIST += tests/fixtures/r/make_reference.R tests/fixtures/r/reference.txt
