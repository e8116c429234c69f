# plan: the surgical plan (model and file), fragments, mirrored template,
# virtual reduction, screws, plates and guides.
libfxaudit_a_SOURCES += src/plan/plan.c src/plan/planfile.c src/plan/planread.c \
	src/plan/screwio.c src/plan/mirror.c \
	src/plan/shapes.c src/plan/screwcheck.c src/plan/symmetry.c \
	src/plan/reduce.c src/plan/plate.c src/plan/fragments.c \
	src/plan/roles.c src/plan/pipeline.c src/plan/planmesh.c \
	src/plan/overlap.c src/plan/joint.c src/image/splitmerge.c
noinst_HEADERS += include/fxaudit/plan.h include/fxaudit/screwio.h include/fxaudit/mirror.h \
	include/fxaudit/shapes.h include/fxaudit/screwcheck.h include/fxaudit/symmetry.h \
	include/fxaudit/reduce.h include/fxaudit/plate.h include/fxaudit/fragments.h \
	include/fxaudit/planbuild.h include/fxaudit/planmesh.h \
	include/fxaudit/overlap.h include/fxaudit/joint.h include/fxaudit/splitmerge.h

check_PROGRAMS += tests/unit/test_plan
TESTS += tests/unit/test_plan
tests_unit_test_plan_SOURCES = tests/unit/test_plan.c
tests_unit_test_plan_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_plan_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/test_screwio
TESTS += tests/unit/test_screwio
tests_unit_test_screwio_SOURCES = tests/unit/test_screwio.c
tests_unit_test_screwio_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_screwio_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)

fxaudit_SOURCES += src/cli/cmd_plan.c src/cli/cmd_plan_edit.c src/cli/plan_cli.h src/cli/plan_store.c \
	src/cli/validate_overlap.c src/cli/validate_parts.c
EXTRA_DIST += docs/planning.md
TESTS += tests/cli/test_plan.sh
EXTRA_DIST += tests/cli/test_plan.sh

check_PROGRAMS += tests/unit/test_screwcheck
TESTS += tests/unit/test_screwcheck
tests_unit_test_screwcheck_SOURCES = tests/unit/test_screwcheck.c
tests_unit_test_screwcheck_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_screwcheck_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/test_symmetry
TESTS += tests/unit/test_symmetry
tests_unit_test_symmetry_SOURCES = tests/unit/test_symmetry.c
tests_unit_test_symmetry_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_symmetry_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/test_reduce
TESTS += tests/unit/test_reduce
tests_unit_test_reduce_SOURCES = tests/unit/test_reduce.c
tests_unit_test_reduce_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_reduce_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/test_plate
TESTS += tests/unit/test_plate
tests_unit_test_plate_SOURCES = tests/unit/test_plate.c
tests_unit_test_plate_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_plate_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/test_fragments
TESTS += tests/unit/test_fragments
tests_unit_test_fragments_SOURCES = tests/unit/test_fragments.c
tests_unit_test_fragments_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_fragments_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/test_planbuild
TESTS += tests/unit/test_planbuild
tests_unit_test_planbuild_SOURCES = tests/unit/test_planbuild.c
tests_unit_test_planbuild_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_planbuild_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/test_overlap
TESTS += tests/unit/test_overlap
tests_unit_test_overlap_SOURCES = tests/unit/test_overlap.c
tests_unit_test_overlap_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_overlap_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/test_splitmerge
TESTS += tests/unit/test_splitmerge
tests_unit_test_splitmerge_SOURCES = tests/unit/test_splitmerge.c
tests_unit_test_splitmerge_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_splitmerge_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)

# bench/planning/corridor_probe (docs/planning.md, the short corridor at a fracture
# line): reads the phantom's internal model, built on demand only
# (make bench/planning/corridor_probe), never by make or make check.
EXTRA_PROGRAMS += bench/planning/corridor_probe
bench_planning_corridor_probe_SOURCES = bench/planning/corridor_probe.c
bench_planning_corridor_probe_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/src/phantom
bench_planning_corridor_probe_LDADD = $(FX_LIBS)
EXTRA_DIST += bench/planning/README.md
