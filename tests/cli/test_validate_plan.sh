#!/bin/sh
# test_validate_plan.sh - issue 5's accuracy on a fresh two-patient phantom
# cohort: each fragment within 1 mm RMS and 1 degree of its true planned pose,
# the symmetry plane within 1 degree, every corridor within 0.5 mm of the
# model's, reduced fragments overlapping no more than at their true poses
# (fxaudit validate --stage plan).
# Seed 47: two of its screws leave the bone within half a millimetre of where
# a fracture line reaches the surface, where the reduced model of separate
# fragments had a groove (corridor 1.60 mm short), and its oblique exits
# showed the models' outward bias of ~0.1 mm (mean corridor error +0.16 mm).
. "$FX_SRCDIR/tests/cli/tap.sh"

$FXAUDIT phantom --out "$TMP/cohort" --patients 2 --seed 47 --size small >/dev/null
out=$($FXAUDIT validate --cohort "$TMP/cohort" --stage plan --json)
is "validate --stage plan succeeds" "$?" 0
s() { echo "$out" | json_get ".summary.$1"; }
ok_if "every fragment within 1 mm RMS of its true pose ($(s max_reduction_rms_mm) mm)" \
    awk -v x="$(s max_reduction_rms_mm)" 'BEGIN { exit !(x < 1.0) }'
ok_if "every fragment within 1 degree ($(s max_reduction_rot_deg) deg)" \
    awk -v x="$(s max_reduction_rot_deg)" 'BEGIN { exit !(x < 1.0) }'
ok_if "the symmetry plane within 1 degree ($(s max_symmetry_plane_deg) deg)" \
    awk -v x="$(s max_symmetry_plane_deg)" 'BEGIN { exit !(x < 1.0) }'
ok_if "every corridor within 0.5 mm ($(s max_corridor_err_mm) mm)" \
    awk -v x="$(s max_corridor_err_mm)" 'BEGIN { exit !(x < 0.5) }'
bias=$(echo "$out" | jq '[.patients[].plan.screws[] | .corridor_mm - .true_corridor_mm] |
    add / length')
ok_if "corridors neither long nor short on average ($bias mm)" \
    awk -v x="$bias" 'BEGIN { exit !(x > -0.1 && x < 0.1) }'
# Overlap of the reduced parts, against the same models at the truth's planned
# poses (which tile the bone: what overlap there is comes from the models).
ok_if "no reduced pair overlaps more than 2 voxels ($(s max_fragment_overlap_mm) mm)" \
    awk -v x="$(s max_fragment_overlap_mm)" 'BEGIN { exit !(x <= 4.0) }'
is "no pair overlaps 0.25 mm deeper than at its true poses" "$(echo "$out" | jq \
    '[.patients[].plan.overlaps[] | select(.depth_mm > .true_depth_mm + 0.25)] | length')" 0
is "every pair reports before and after" "$(echo "$out" | jq '[.patients[].plan.overlaps[] |
    select(.depth_before_mm == null or .volume_mm3 == null)] | length')" 0
# Automatic parts (no label map) against the true label map: the split of
# touching parts must find at least what connected components find.
ok_if "the automatic split gets more parts right than components ($(s auto_parts_right) vs $(s auto_parts_right_components) of $(s auto_parts))" \
    test "$(s auto_parts_right)" -gt "$(s auto_parts_right_components)"
is "both femurs are separated from the pelvis (Dice >= 0.9)" "$(echo "$out" | jq \
    '[.patients[].plan.auto_parts[] | select((.name | test("femur")) and .dice < 0.9)] | length')" 0
is "both patients were planned" "$(echo "$out" | jq '.patients | length')" 2
is "every moving fragment was compared" "$(s fragments)" \
    "$(jq -s '[.[].fragments[] | select(.kind == "fragment")] | length' "$TMP"/cohort/P0*/truth.json)"
is "every planned screw was compared" "$(s screws)" \
    "$(jq -s '[.[].planned_screws.screws[]] | length' "$TMP"/cohort/P0*/truth.json)"
is "a folder that is no cohort fails (exit 1)" "$(status_of $FXAUDIT validate --cohort "$TMP")" 1

# The same plan made in a study: recorded with its poses, screws and models.
command -v sqlite3 >/dev/null || { done_testing; }
S="$TMP/study"
roles=$(jq -r '[.fragments[] | "\(.label):" + (if .kind == "intact" then "reference"
    elif .kind == "fragment" then "fragment" elif (.name | test("injured")) then "femur-injured"
    else "femur-intact" end)] | join(",")' "$TMP/cohort/P01/truth.json")
$FXAUDIT study init "$S" >/dev/null
$FXAUDIT patient add --study "$S" --code P01 >/dev/null
$FXAUDIT import --study "$S" --patient P01 --timepoint preop "$TMP/cohort/P01/preop" >/dev/null
ok_if "plan create --study plans the patient's pre-op series" $FXAUDIT plan create --study "$S" \
    --patient P01 --labels "$TMP/cohort/P01/preop_labels.nrrd" --roles "$roles" \
    --screws "$TMP/cohort/validate-plan/P01/screws.json"
is "the plan is recorded with its checksum" "$(sqlite3 "$S/study.db" 'select sha256 from plans')" \
    "$(sha256sum "$S/plans/P01/plan.json" | cut -d' ' -f1)"
is "with every planned screw" "$(sqlite3 "$S/study.db" 'select count(*) from plan_screws')" \
    "$(jq '.planned_screws.screws | length' "$TMP/cohort/P01/truth.json")"
is "and every fragment's pose" "$(sqlite3 "$S/study.db" 'select count(*) from plan_fragments')" \
    "$(jq '.fragments | length' "$TMP/cohort/P01/truth.json")"
ok_if "the study verifies, models included" $FXAUDIT study verify --study "$S"
is "no warning about the plan's folder" \
    "$($FXAUDIT study verify --study "$S" --json | jq '.warnings | length')" 0
is "a second plan over the first is refused (exit 1)" \
    "$(status_of $FXAUDIT plan create --study "$S" --patient P01)" 1
ok_if "and leaves the study verified" $FXAUDIT study verify --study "$S"
done_testing
