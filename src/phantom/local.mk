# phantom: synthetic pelvic fracture phantoms with exact ground truth
# (docs/phantom.md), and the `fxaudit phantom` command.
libfxaudit_a_SOURCES += src/phantom/anatomy.c src/phantom/fracture.c src/phantom/implants.c \
	src/phantom/scene.c src/phantom/voxelise.c src/phantom/streaks.c src/phantom/measure.c \
	src/phantom/cohort.c
noinst_HEADERS += include/fxaudit/phantom.h src/phantom/model.h src/phantom/sdf.h
