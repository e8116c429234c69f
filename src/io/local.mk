# io: sources and tests of this area (see Makefile.am).
# io/volumes: NRRD, NIfTI-1 and the by-content reader.
libfxaudit_a_SOURCES += src/io/nrrd.c src/io/nifti.c src/io/volio.c
# io/dicom: GDCM only in dicom_gdcm.cc; scanning, grouping, sorting and
# resampling in C.
libfxaudit_a_SOURCES += src/io/dicom_gdcm.cc src/io/dicom_gdcm.h src/io/dicom_write.c \
	src/io/dicom_internal.h src/io/dicom_scan.c src/io/dicom_load.c \
	src/io/dicom_check.c src/io/dicom_check.h

check_PROGRAMS += tests/unit/test_volio tests/unit/test_dicom_write tests/unit/test_dicom_load \
	tests/unit/test_dicom_real
TESTS += tests/unit/test_volio tests/unit/test_dicom_write tests/unit/test_dicom_load \
	tests/unit/test_dicom_real tests/cli/test_dicom.sh
EXTRA_DIST += tests/cli/test_dicom.sh tests/fixtures/ge_tilt_dcm2niix.csv \
	tests/fixtures/ge_tilt_dcm2niix.sh
tests_unit_test_volio_SOURCES = tests/unit/test_volio.c
tests_unit_test_volio_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_volio_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
tests_unit_test_dicom_write_SOURCES = tests/unit/test_dicom_write.c
tests_unit_test_dicom_write_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/io
tests_unit_test_dicom_write_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_dicom_write_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
tests_unit_test_dicom_load_SOURCES = tests/unit/test_dicom_load.c
tests_unit_test_dicom_load_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_dicom_load_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)
tests_unit_test_dicom_real_SOURCES = tests/unit/test_dicom_real.c
tests_unit_test_dicom_real_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_dicom_real_LDADD = $(FX_LIBS) $(CMOCKA_LIBS)

# the dicom command
fxaudit_SOURCES += src/cli/cmd_dicom.c

# method note and the benchmark (run by hand: bench/dicom/run.sh)
EXTRA_DIST += docs/dicom-import.md bench/dicom/run.sh bench/dicom/RESULTS.md
