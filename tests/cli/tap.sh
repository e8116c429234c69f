# tap.sh - a few lines of TAP for the shell tests, sourced by tests/cli/*.sh.
#   ok_if "description" command...   passes when the command exits 0
#   is "description" got want        passes when the strings are equal
#   near "description" got want tol  passes when the numbers agree within tol
#   skip_all "why"                   skips the whole file
#   done_testing                     prints the plan and exits
# $FXAUDIT is the program under test; $TMP a fresh folder removed at exit.
set -u
tap_n=0
tap_failed=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fxtest.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
: "${FXAUDIT:=fxaudit}"
: "${FXAUDIT_SHARED_DATA:=}"

ok_if() {
    local what=$1
    shift
    tap_n=$((tap_n + 1))
    if "$@" >"$TMP/.out" 2>&1; then
        echo "ok $tap_n - $what"
    else
        echo "not ok $tap_n - $what"
        sed 's/^/# /' "$TMP/.out" | head -20
        tap_failed=$((tap_failed + 1))
    fi
}

is() {
    tap_n=$((tap_n + 1))
    if [ "$2" = "$3" ]; then
        echo "ok $tap_n - $1"
    else
        echo "not ok $tap_n - $1"
        echo "#   got:  '$2'"
        echo "#   want: '$3'"
        tap_failed=$((tap_failed + 1))
    fi
}

# near "description" got want tolerance: passes when |got - want| <= tolerance.
near() {
    tap_n=$((tap_n + 1))
    if awk -v g="$2" -v w="$3" -v t="$4" 'BEGIN { d = g - w; if (d < 0) d = -d;
            exit !(g ~ /^[-+0-9.eE]+$/ && d <= t) }'; then
        echo "ok $tap_n - $1"
    else
        echo "not ok $tap_n - $1"
        echo "#   got:  '$2'"
        echo "#   want: '$3' within $4"
        tap_failed=$((tap_failed + 1))
    fi
}

skip_all() {
    echo "1..0 # SKIP $1"
    exit 0
}

done_testing() {
    echo "1..$tap_n"
    exit 0
}

# Exit status of a command, without stopping the test file.
status_of() {
    "$@" >/dev/null 2>&1
    echo $?
}

# A value from JSON on stdin: json_get '.series[0].slices' (jq, raw output).
json_get() {
    jq -r "$1"
}
