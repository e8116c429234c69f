#!/bin/sh
# test_grade.sh - `fxaudit grade`: the contract's JSON keys, both built-in
# schemes at their cut-offs (1, 3 and 5 mm displacement; gap 5 and step 1 for
# ct), a user scheme file, and usage errors. The expected grades are the
# definitions in docs/domain.md ("Reduction quality"), not earlier output.
. "$FX_SRCDIR/tests/cli/tap.sh"

g() { # g SCHEME GAP STEP -> grade
    $FXAUDIT grade --scheme "$1" --gap "$2" --step "$3" --json | json_get .grade
}

out=$($FXAUDIT grade --gap 0.4 --step 1 --json)
is "json has the contract keys" "$(echo "$out" | jq -c '[.scheme, .grade, .displacement_mm]')" \
    '["matta","anatomical",1]'
is "matta is the default and says it reads the integer bins continuously" \
    "$(echo "$out" | jq -r '.note | test("continuous reading")')" true
is "every grade names its source" "$(echo "$out" | jq -r '.source | test("Matta JM")')" true

is "matta: displacement exactly 1 mm is anatomical" "$(g matta 1 0)" anatomical
is "matta: 0.999 mm is anatomical" "$(g matta 0.999 0)" anatomical
is "matta: 1.001 mm is imperfect" "$(g matta 0 1.001)" imperfect
is "matta: exactly 3 mm is imperfect" "$(g matta 3 2)" imperfect
is "matta: 2.999 mm is imperfect" "$(g matta 2.999 0)" imperfect
is "matta: 3.001 mm is poor" "$(g matta 3.001 0)" poor
is "matta: exactly 5 mm is poor" "$(g matta 5 0)" poor
is "matta: displacement is the larger of gap and step" \
    "$($FXAUDIT grade --gap 0.5 --step 3.5 --json | jq -c '[.grade, .displacement_mm]')" \
    '["poor",3.5]'

is "ct: gap exactly 5 mm is inadequate" "$(g ct 5 0)" inadequate
is "ct: gap 4.999 mm, step 0.999 mm is adequate" "$(g ct 4.999 0.999)" adequate
is "ct: gap 5.001 mm is inadequate" "$(g ct 5.001 0)" inadequate
is "ct: step exactly 1 mm is inadequate" "$(g ct 0 1)" inadequate
is "ct: step 1.001 mm is inadequate" "$(g ct 0 1.001)" inadequate
is "ct: gap 3 mm with step 0.5 mm is adequate (matta would say imperfect)" "$(g ct 3 0.5)" adequate
is "ct: scheme key says ct" "$($FXAUDIT grade --scheme ct --gap 1 --step 0 --json | json_get .scheme)" ct

ex="$FX_SRCDIR/docs/examples/scheme-example.json"
is "a user scheme file grades by its own cut-offs" "$(g "$ex" 2 0.5)" perfect
is "a user scheme file: next grade" "$(g "$ex" 2 0.6)" good
is "a user scheme says its name and that it is not built in" \
    "$($FXAUDIT grade --scheme "$ex" --gap 9 --step 0 --json | jq -c '[.scheme, .grade, .builtin]')" \
    '["example-perfect-good","fair",false]'

is "text output names the grade and scheme" \
    "$($FXAUDIT grade --scheme ct --gap 5 --step 0 | head -1)" \
    "grade: inadequate (scheme ct: otherwise)"

is "negative gap is a usage error" "$(status_of $FXAUDIT grade --gap -1 --step 0)" 2
is "non-numeric step is a usage error" "$(status_of $FXAUDIT grade --gap 1 --step abc)" 2
is "a trailing unit is a usage error" "$(status_of $FXAUDIT grade --gap 1mm --step 0)" 2
is "missing --step is a usage error" "$(status_of $FXAUDIT grade --gap 1)" 2
is "an unknown scheme name is a usage error" "$(status_of $FXAUDIT grade --gap 1 --step 0 --scheme perfect)" 2

printf '{"fxaudit_scheme": 1, "name": "x", "source": "s", "grades": [{"grade": "a"}, {"grade": "b"}]}' \
    >"$TMP/bad.json"
$FXAUDIT grade --gap 1 --step 0 --scheme "$TMP/bad.json" >"$TMP/out" 2>"$TMP/err"
is "a malformed scheme file fails with exit 1" "$?" 1
is "the message names the file and the problem" \
    "$(grep -c "scheme '$TMP/bad.json': grade 'a' has no conditions" "$TMP/err")" 1
is "nothing is printed on stdout for a malformed scheme" "$(wc -c <"$TMP/out")" 0
is "a missing scheme file fails with exit 1" \
    "$(status_of $FXAUDIT grade --gap 1 --step 0 --scheme "$TMP/none.json")" 1
ok_if "--help exits 0" $FXAUDIT grade --help
done_testing
