# audit: sources and tests of this area (see Makefile.am).
# The post-op audit: actual screws from the post-op CT's metal, registration
# onto the plan's reference region, deviations, validation against phantoms.
libfxaudit_a_SOURCES += src/audit/screws.c src/audit/screwshare.c src/audit/match.c src/audit/postop.c \
	src/audit/audit.c
noinst_HEADERS += include/fxaudit/audit.h
libfxaudit_a_SOURCES += src/audit/validate.c
noinst_HEADERS += include/fxaudit/auditval.h
fxaudit_SOURCES += src/cli/validate_audit.c
fxaudit_SOURCES += src/cli/cmd_audit.c
libfxaudit_a_SOURCES += src/audit/auditstore.c
libfxaudit_a_SOURCES += src/audit/tips.c src/audit/joint.c
noinst_HEADERS += include/fxaudit/auditstore.h

check_PROGRAMS += tests/unit/test_audit
TESTS += tests/unit/test_audit
tests_unit_test_audit_SOURCES = tests/unit/test_audit.c tests/unit/phantoms.c \
	tests/unit/phantoms.h
tests_unit_test_audit_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_audit_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)

TESTS += tests/cli/test_audit.sh
EXTRA_DIST += tests/cli/test_audit.sh docs/audit.md

# registration residuals, fragment and plate poses (issue 6)
libfxaudit_a_SOURCES += src/audit/residuals.c src/audit/poses.c \
	src/audit/posestore.c src/audit/fragposes.c src/audit/fragval.c \
	src/audit/plateposes.c
noinst_HEADERS += include/fxaudit/auditposes.h include/fxaudit/posestore.h \
	include/fxaudit/fragval.h
fxaudit_SOURCES += src/cli/audit_poses.c src/cli/audit_joint.c
noinst_HEADERS += src/cli/audit_poses.h src/cli/audit_joint.h
check_PROGRAMS += tests/unit/test_auditposes
TESTS += tests/unit/test_auditposes
tests_unit_test_auditposes_SOURCES = tests/unit/test_auditposes.c
tests_unit_test_auditposes_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_auditposes_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
EXTRA_DIST += docs/audit-poses.md
TESTS += tests/cli/test_audit_poses.sh
EXTRA_DIST += tests/cli/test_audit_poses.sh
check_PROGRAMS += tests/unit/test_audit_tips
TESTS += tests/unit/test_audit_tips
tests_unit_test_audit_tips_SOURCES = tests/unit/test_audit_tips.c tests/unit/phantoms.c \
	tests/unit/phantoms.h
tests_unit_test_audit_tips_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_audit_tips_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
# model-based sub-voxel refinement of the screws found (issue 6, small size)
libfxaudit_a_SOURCES += src/audit/screwfit.c
noinst_HEADERS += include/fxaudit/screwfit.h
# the tissue under the voxels a screw partly covers (its refinement's background)
libfxaudit_a_SOURCES += src/audit/screwtissue.c
noinst_HEADERS += src/audit/screwtissue.h
check_PROGRAMS += tests/unit/test_audit_screwaxis
TESTS += tests/unit/test_audit_screwaxis
tests_unit_test_audit_screwaxis_SOURCES = tests/unit/test_audit_screwaxis.c tests/unit/phantoms.c \
	tests/unit/phantoms.h
tests_unit_test_audit_screwaxis_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) -I$(top_srcdir)/src/audit
tests_unit_test_audit_screwaxis_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
check_PROGRAMS += tests/unit/test_audit_screwfit
TESTS += tests/unit/test_audit_screwfit
tests_unit_test_audit_screwfit_SOURCES = tests/unit/test_audit_screwfit.c tests/unit/phantoms.c \
	tests/unit/phantoms.h
tests_unit_test_audit_screwfit_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_audit_screwfit_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
# the head's depth (the entry) beside its plate, by an image model (issue 6, small size)
libfxaudit_a_SOURCES += src/audit/screwhead.c
noinst_HEADERS += src/audit/screwhead.h src/audit/screwmodel.h
check_PROGRAMS += tests/unit/test_audit_screwhead
TESTS += tests/unit/test_audit_screwhead
tests_unit_test_audit_screwhead_SOURCES = tests/unit/test_audit_screwhead.c tests/unit/phantoms.c \
	tests/unit/phantoms.h
tests_unit_test_audit_screwhead_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) -I$(top_srcdir)/src/audit
tests_unit_test_audit_screwhead_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
