# image: segmentation and filters (engineer seg); the isosurface files of
# src/geom are listed here too, so that src/geom/local.mk stays with geom.
libfxaudit_a_SOURCES += src/image/filter.c src/image/runs.c src/image/runs.h \
	src/image/components.c src/image/edt.c src/image/morph.c src/image/watershed.c \
	src/geom/mctable.c src/geom/mctable.h src/geom/isosurface.c src/geom/surfcheck.c \
	src/geom/smooth.c src/geom/decimate.c
fxaudit_SOURCES += src/cli/cmd_mesh.c src/cli/cmd_segment.c
noinst_HEADERS += include/fxaudit/filter.h include/fxaudit/segment.h include/fxaudit/isosurface.h \
	include/fxaudit/surface.h

check_PROGRAMS += tests/unit/test_isosurface
TESTS += tests/unit/test_isosurface
tests_unit_test_isosurface_SOURCES = tests/unit/test_isosurface.c tests/unit/phantoms.c \
	tests/unit/phantoms.h tests/unit/shells.h
tests_unit_test_isosurface_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_isosurface_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/test_segment
TESTS += tests/unit/test_segment tests/cli/test_mesh.sh tests/cli/test_segment.sh
EXTRA_DIST += tests/cli/test_mesh.sh tests/cli/test_segment.sh docs/segmentation.md \
	docs/isosurface.md
tests_unit_test_segment_SOURCES = tests/unit/test_segment.c
tests_unit_test_segment_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_segment_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)

# The isosurface benchmark (bench/isosurface/run_bench.sh builds and runs it).
# shell_phantoms writes the thin shells for vtk_shells.py (tests/fixtures/vtk).
EXTRA_PROGRAMS += bench/isosurface/bench_iso bench/isosurface/shell_phantoms
bench_isosurface_bench_iso_SOURCES = bench/isosurface/bench_iso.c
bench_isosurface_bench_iso_LDADD = $(FX_LIBS)
bench_isosurface_shell_phantoms_SOURCES = bench/isosurface/shell_phantoms.c \
	tests/unit/phantoms.c
bench_isosurface_shell_phantoms_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
bench_isosurface_shell_phantoms_LDADD = $(FX_LIBS)
CLEANFILES += bench/isosurface/bench_iso bench/isosurface/shell_phantoms
EXTRA_DIST += bench/isosurface/run_bench.sh bench/isosurface/vtk_bench.py \
	bench/isosurface/vtk_reference.py bench/isosurface/nrrd_vtk.py \
	bench/isosurface/vtk_shells.py bench/isosurface/RESULTS.md \
	tests/fixtures/vtk/example_ct_flying_edges.json tests/fixtures/vtk/thin_shells.json
# The throwaway patch that measured other loop triangulations against VTK
# (docs/isosurface.md); kept as the record of that measurement, never applied.
EXTRA_DIST += bench/isosurface/triangulation_experiment.patch
