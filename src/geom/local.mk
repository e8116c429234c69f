# geom: mesh files (src/io/mesh*.c, listed here because this area owns them),
# spatial search, registration and surface distances, with their commands and tests.
libfxaudit_a_SOURCES += src/io/meshio.c src/io/mesh_stl.c src/io/mesh_ply.c \
	src/io/mesh_offobj.c src/io/meshio_int.h
noinst_HEADERS += include/fxaudit/meshio.h

check_PROGRAMS += tests/unit/test_meshio
TESTS += tests/unit/test_meshio
tests_unit_test_meshio_SOURCES = tests/unit/test_meshio.c
tests_unit_test_meshio_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_meshio_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)

libfxaudit_a_SOURCES += src/geom/kdtree.c src/geom/bvh.c src/geom/mcfixed.c
noinst_HEADERS += include/fxaudit/kdtree.h include/fxaudit/bvh.h

check_PROGRAMS += tests/unit/test_spatial
TESTS += tests/unit/test_spatial
EXTRA_DIST += tests/unit/geom_fixtures.h
tests_unit_test_spatial_SOURCES = tests/unit/test_spatial.c
tests_unit_test_spatial_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_spatial_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)

libfxaudit_a_SOURCES += src/geom/paired.c src/geom/icp.c src/geom/icp_init.c src/geom/icp_int.h
noinst_HEADERS += include/fxaudit/paired.h include/fxaudit/icp.h

check_PROGRAMS += tests/unit/test_icp
TESTS += tests/unit/test_icp
tests_unit_test_icp_SOURCES = tests/unit/test_icp.c
tests_unit_test_icp_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_icp_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)

libfxaudit_a_SOURCES += src/io/tfm.c src/io/landmarks.c
noinst_HEADERS += include/fxaudit/tfm.h include/fxaudit/landmarks.h

libfxaudit_a_SOURCES += src/geom/surfdist.c
noinst_HEADERS += include/fxaudit/surfdist.h

check_PROGRAMS += tests/unit/test_surfdist
TESTS += tests/unit/test_surfdist
tests_unit_test_surfdist_SOURCES = tests/unit/test_surfdist.c
tests_unit_test_surfdist_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_surfdist_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)

fxaudit_SOURCES += src/cli/cmd_register.c src/cli/cmd_register_points.c src/cli/cmd_distance.c

TESTS += tests/cli/test_register.sh
EXTRA_DIST += tests/cli/test_register.sh

# Benchmarks (bench/icp/run.sh): built on demand only, never by make or make check.
EXTRA_PROGRAMS += bench/icp/bench_icp bench/icp/bench_kdtree
bench_icp_bench_icp_SOURCES = bench/icp/bench_icp.c
bench_icp_bench_icp_LDADD = $(FX_LIBS)
bench_icp_bench_kdtree_SOURCES = bench/icp/bench_kdtree.c
bench_icp_bench_kdtree_LDADD = $(FX_LIBS)
CLEANFILES += $(EXTRA_PROGRAMS)
EXTRA_DIST += bench/icp/run.sh bench/icp/make_cases.py bench/icp/open3d_icp.py bench/icp/interleave.sh \
	bench/icp/RESULTS.md

EXTRA_DIST += docs/registration.md docs/spatial-search.md docs/surface-distance.md \
	docs/mesh-files.md

# The case table against every neighbour, and the VTK-compatible cut.
check_PROGRAMS += tests/unit/test_mctable
TESTS += tests/unit/test_mctable
tests_unit_test_mctable_SOURCES = tests/unit/test_mctable.c tests/unit/phantoms.c \
	tests/unit/phantoms.h tests/unit/shells.h
tests_unit_test_mctable_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_mctable_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
TESTS += tests/cli/test_mesh_cut.sh
EXTRA_DIST += tests/cli/test_mesh_cut.sh

# bench/isosurface/mc_cases prints the case table for vtk_single_cubes.py
# (built on demand: make bench/isosurface/mc_cases).
EXTRA_PROGRAMS += bench/isosurface/mc_cases
bench_isosurface_mc_cases_SOURCES = bench/isosurface/mc_cases.c
bench_isosurface_mc_cases_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/geom
bench_isosurface_mc_cases_LDADD = $(FX_LIBS)
EXTRA_DIST += bench/isosurface/vtk_single_cubes.py bench/isosurface/vtk_single_cubes.txt \
	bench/isosurface/vtk_compare.py bench/isosurface/vtk_compare.txt \
	bench/isosurface/vtk_volumes.sh bench/isosurface/vtk_volumes.txt
