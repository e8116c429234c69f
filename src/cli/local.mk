# cli: the only layer that knows argv, stdout and exit codes.
fxaudit_SOURCES += src/cli/main.c src/cli/cli.c src/cli/cli.h src/cli/progress.c \
	src/cli/commands.h src/cli/cmd_import.c src/cli/cmd_validate.c src/cli/validate.h \
	src/cli/validate_plan.c

TESTS += tests/cli/test_frame.sh tests/cli/test_import.sh \
	tests/cli/test_validate_plan.sh
EXTRA_DIST += tests/cli/test_frame.sh tests/cli/test_import.sh \
	tests/cli/test_validate_plan.sh
