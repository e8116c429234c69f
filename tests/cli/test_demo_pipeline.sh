#!/bin/sh
# test_demo_pipeline.sh - scripts/fxdemo, the README's main job until `fxaudit
# demo` exists, runs end to end on one phantom patient and leaves a study that
# verifies, a plan with checked screws, the results section and a picture.
. "$FX_SRCDIR/tests/cli/tap.sh"
command -v jq >/dev/null || skip_all "jq is needed by scripts/fxdemo"

out="$TMP/demo"
ok_if "the pipeline runs end to end" env FXAUDIT="$FXAUDIT" sh "$FX_SRCDIR/scripts/fxdemo" "$out" 1
ok_if "the study verifies" $FXAUDIT study verify --study "$out/study"
truth="$out/cohort/P01/truth.json"
is "the plan carries every planned screw of the truth" \
    "$(jq '.screws | length' "$out/study/plans/P01/plan.json")" \
    "$(jq '.planned_screws.screws | length' "$truth")"
is "every screw has a computed corridor" \
    "$(jq '[.screws[] | select(.corridor_mm == null)] | length' "$out/study/plans/P01/plan.json")" 0
is "the fractured side is the truth's" "$(jq -r .side "$out/study/plans/P01/plan.json")" \
    "$(jq -r .patient.injured_side "$truth")"
ok_if "the results section names the SPSS method" \
    grep -q "normal approximation without continuity correction (SPSS)" "$out/study/reports/results.txt"
ok_if "a plan picture was drawn" test -s "$out/study/reports/plan.png"
is "three SMFA forms were stored" "$($FXAUDIT smfa list --study "$out/study" --json | jq 'if type == "array" then length else (.forms | length) end')" 3
done_testing
