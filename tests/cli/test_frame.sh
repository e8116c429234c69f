#!/bin/sh
# test_frame.sh - the command-line frame: version, help, exit codes.
. "$FX_SRCDIR/tests/cli/tap.sh"

is "--version prints the package name and version" "$($FXAUDIT --version)" "fxaudit 0.1.0"
ok_if "--help exits 0" $FXAUDIT --help
is "an unknown command is a usage error (exit 2)" "$(status_of $FXAUDIT frobnicate)" 2
is "no command at all is a usage error (exit 2)" "$(status_of $FXAUDIT)" 2
done_testing
