# store: the study database (SQLite only here), its schema and its commands.
libfxaudit_a_SOURCES += src/store/store.c src/store/migrate.c src/store/auditlog.c \
	src/store/row.c src/store/enums.c src/store/files.c src/store/patient.c \
	src/store/series.c src/store/observe.c src/store/smfa.c src/store/verify.c \
	src/store/info.c src/store/keyfile.c
noinst_HEADERS += include/fxaudit/store.h src/store/store_int.h
fxaudit_SOURCES += src/cli/cmd_study.c src/cli/cmd_patient.c src/cli/cmd_keyfile.c

schemadir = $(pkgdatadir)/schema
dist_schema_DATA = data/schema/001_initial.sql data/schema/002_audit_results.sql \
	data/schema/003_dome_methods.sql

check_PROGRAMS += tests/unit/test_store
TESTS += tests/unit/test_store
tests_unit_test_store_SOURCES = tests/unit/test_store.c
tests_unit_test_store_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_store_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)

TESTS += tests/cli/test_study.sh
EXTRA_DIST += tests/cli/test_study.sh docs/study-store.md

# A benchmark, built with the tests but not run by them (docs/study-store.md).
check_PROGRAMS += bench/bench_store
bench_bench_store_SOURCES = bench/bench_store.c
bench_bench_store_LDADD = $(FX_LIBS)
