# core: errors, vectors and rigid transforms, the volume and mesh types, hashing.
libfxaudit_a_SOURCES += \
	src/core/error.c src/core/rigid.c src/core/volume.c src/core/mesh.c src/core/hash.c \
	src/core/datapath.c src/core/file.c src/core/jsonfile.c
noinst_HEADERS += include/fxaudit/error.h include/fxaudit/vec3.h \
	include/fxaudit/volume.h include/fxaudit/mesh.h include/fxaudit/hash.h \
	include/fxaudit/progress.h include/fxaudit/datapath.h \
	include/fxaudit/file.h include/fxaudit/jsonfile.h

check_PROGRAMS += tests/unit/test_core
TESTS += tests/unit/test_core
tests_unit_test_core_SOURCES = tests/unit/test_core.c
tests_unit_test_core_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_core_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
