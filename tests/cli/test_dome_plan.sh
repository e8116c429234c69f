#!/bin/sh
# The dome estimate from the plan and the audit's fragment poses: validate
# --stage reduction on a fresh small phantom cohort with a both-column (P01)
# and a T-shaped patient (P04), against truth.json's gap and step-off (the
# phantom's kinematic truth, docs/phantom.md, independent of the estimate);
# then in a study: plan create and audit, consensus estimate stores both
# methods, withheld until the case is unblinded, and consensus show labels them.
. "$FX_SRCDIR/tests/cli/tap.sh"

$FXAUDIT phantom --out "$TMP/c" --patients 4 --seed 12 >/dev/null 2>&1 ||
    skip_all "fxaudit phantom failed"
# two of the four patients keep the test short: P01 both-column, P04 T-shaped
jq '.patients |= map(select(.code == "P01" or .code == "P04"))' "$TMP/c/cohort.json" \
    >"$TMP/cohort.json" && mv "$TMP/cohort.json" "$TMP/c/cohort.json"
is "the cohort holds a T-shaped patient" \
    "$(jq -r .patient.fracture_type "$TMP/c/P04/truth.json")" t-shaped
$FXAUDIT validate --cohort "$TMP/c" --stage reduction --json >"$TMP/v.json"
is "both patients have the plan-based estimate, and the contract's keys report it" \
    "$(jq -c '.summary | [.reduction_plan_patients, .reduction_estimate]' "$TMP/v.json")" '[2,"plan"]'
ok_if "the contract's keys equal the plan-based maxima" \
    jq -e '.summary | .max_gap_err_mm == .max_gap_err_plan_mm and .max_step_err_mm == .max_step_err_plan_mm' "$TMP/v.json"
ok_if "the CT-only errors stay beside them" \
    jq -e '.summary | [.max_gap_err_ct_mm, .max_step_err_ct_mm, .max_gap_err_preop_ct_mm, .max_step_err_preop_ct_mm] | map(type == "number") | all' "$TMP/v.json"
# issue 7's target; measured on this cohort (docs/reduction-estimate.md, the truth
# without junction samples): post-op 0.14 / 0.15 mm, pre-op 0.34 / 0.29 mm (P01 and
# P04 of seed 12). Seed 12's T-shaped P04 was 4.09 mm off post-op (21.9 mm pre-op)
# before its lines were put on the fragments' fracture faces (domeplan_face.c).
ok_if "post-op gap and step-off from the plan within 1 mm of the truth on every visible plane" \
    jq -e '.summary.max_gap_err_plan_mm <= 1.0 and .summary.max_step_err_plan_mm <= 1.0' "$TMP/v.json"
ok_if "pre-op gap and step-off from the plan within 1 mm of the truth on every visible plane" \
    jq -e '.summary.max_gap_err_preop_plan_mm <= 1.0 and .summary.max_step_err_preop_plan_mm <= 1.0' "$TMP/v.json"
ok_if "the plan-based estimate sees a line in exactly the planes where the truth does" \
    jq -e '[.patients[].reduction[] | objects | select(has("plan_estimate")) | .plan_estimate | (.estimate.gap_mm | map_values(. == null)) == (.truth.gap_mm | del(.max) | map_values(. == null))] | all and length == 4' "$TMP/v.json"
ok_if "3-D gap within 1 mm of the truth's, pre-op and post-op" \
    jq -e '[.patients[].reduction[] | objects | select(has("plan_estimate")) | .plan_estimate | (.estimate.gap_3d_mm - .truth.gap_3d_mm) | fabs < 1] | all' "$TMP/v.json"
ok_if "the dome found with the plan's symmetry plane lies within 0.5 mm of the joint centre" \
    jq -e '.summary.max_plan_dome_centre_err_mm < 0.5' "$TMP/v.json"

# Study mode: the surgeon's plan (the true label map as a 3-D lab draws it)
# and the audit of the post-op CT; then the estimates.
t="$TMP/c/P01/truth.json"
S="$TMP/study"
$FXAUDIT study init "$S" --title "dome from the plan" >/dev/null
$FXAUDIT patient add --study "$S" --code P01 --side "$(jq -r .patient.injured_side "$t")" >/dev/null
for tp in preop postop; do
    $FXAUDIT import --study "$S" --patient P01 --timepoint $tp "$TMP/c/P01/$tp" >/dev/null
done
$FXAUDIT observer add --study "$S" --code O1 --role surgeon >/dev/null
$FXAUDIT consensus estimate --study "$S" --patient P01 --timepoint preop --json >"$TMP/e0.json"
is "without a plan only the CT-only estimate is stored, saying why" \
    "$(jq -c '[.estimates[0].stored, .estimates[0].plan_stored]' "$TMP/e0.json")" '[true,false]'
roles=$(jq -r '[.fragments[] | "\(.label):" + (if .kind == "intact" then "reference"
               elif .kind == "fragment" then "fragment"
               elif (.name | test("injured")) then "femur-injured" else "femur-intact" end)]
               | join(",")' "$t")
$FXAUDIT plan create --study "$S" --patient P01 --side "$(jq -r .patient.injured_side "$t")" \
    --labels "$TMP/c/P01/preop_labels.nrrd" --roles "$roles" >/dev/null 2>&1
$FXAUDIT audit --study "$S" --patient P01 >/dev/null 2>&1
$FXAUDIT consensus estimate --study "$S" --patient P01 --json >"$TMP/e1.json"
ok_if "with a plan and an audit the plan-based estimate is stored too, values withheld" \
    jq -e '[.estimates[] | .stored and .plan_stored and (has("planes") | not)] | all and length == 2' "$TMP/e1.json"
is "the store holds four rows per method and time point" \
    "$(sqlite3 "$S/study.db" "SELECT count(*) FROM dome_estimates WHERE method LIKE 'fxaudit domeplan%'") $(sqlite3 "$S/study.db" "SELECT count(*) FROM dome_estimates")" "8 16"
is "a third estimate of the same time point is refused" \
    "$($FXAUDIT consensus estimate --study "$S" --patient P01 --timepoint postop >/dev/null 2>&1; echo $?)" 1
$FXAUDIT consensus show --study "$S" --patient P01 --timepoint postop >/dev/null 2>&1
is "consensus show refuses before the readings" "$?" 1
$FXAUDIT observer worklist --study "$S" --observer O1 --json >"$TMP/w.json"
for c in $(jq -r '.cases[] | .case' "$TMP/w.json"); do
    tp=$(jq -r --arg c "$c" '.cases[] | select(.case == $c) | .timepoint' "$TMP/w.json")
    for pl in axial coronal sagittal; do
        $FXAUDIT measure record --study "$S" --observer O1 --case "$c" --timepoint "$tp" \
            --plane $pl --gap 2 --step 1 >/dev/null
    done
done
$FXAUDIT consensus show --study "$S" --patient P01 --timepoint postop --json >"$TMP/show.json"
ok_if "after the readings consensus show carries both estimates beside the observers' values" \
    jq -e '(.estimate.planes | has("sagittal")) and (.estimate.plan.planes | has("sagittal")) and (.estimate.plan.method | startswith("fxaudit domeplan")) and (.planes.axial.observers.O1.gap_mm == 2)' "$TMP/show.json"
v=$(jq '.patients[] | select(.code == "P01") | .reduction.postop.plan_estimate.estimate.gap_mm.sagittal' "$TMP/v.json")
ok_if "the study's plan-based post-op estimate agrees with validate's within 0.1 mm ($v)" \
    jq -e --argjson v "$v" '(.estimate.plan.planes.sagittal.gap_mm - $v) | fabs < 0.1' "$TMP/show.json"
$FXAUDIT consensus show --study "$S" --patient P01 --timepoint postop >"$TMP/show.txt"
ok_if "the text view labels each estimate by its method" \
    sh -c "grep -q '(estimate, CT)' '$TMP/show.txt' && grep -q '(estimate, plan)' '$TMP/show.txt'"
done_testing
