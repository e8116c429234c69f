#!/bin/sh
# test_audit_poses.sh - the audit's fragment and plate poses and its residual
# histogram: `fxaudit validate --stage audit` on a fresh one-patient phantom
# (truth.json's post-op fragment poses and plate placements are the
# independent truth), and `fxaudit audit` in study mode on a plan made by
# `plan create` (rows stored, histogram complete, the reference fragment
# found where it was planned).
. "$FX_SRCDIR/tests/cli/tap.sh"

below() { awk -v g="$2" -v m="$3" 'BEGIN { exit !(g ~ /^[-+0-9.eE]+$/ && g < m) }'; }

"$FXAUDIT" phantom --out "$TMP/c" --patients 1 --seed 5 --size small >/dev/null 2>&1 ||
    echo "# phantom failed"
"$FXAUDIT" validate --cohort "$TMP/c" --stage audit --json > "$TMP/v.json"
# measured on this cohort (docs/audit-poses.md): fragments 0.041 mm, 0.060 deg;
# plates 0.54 mm, 0.88 deg (2 mm voxels); the bounds add a margin
for k in max_fragment_trans_err_mm:0.2 max_fragment_rot_err_deg:0.2 \
    max_plate_trans_err_mm:1.0 max_plate_rot_err_deg:1.5; do
    v=$(json_get ".summary.${k%%:*}" < "$TMP/v.json")
    ok_if "${k%%:*} = $v below ${k#*:}" below "$k" "$v" "${k#*:}"
done
is "every fragment found" "$(json_get .summary.fragments_missed < "$TMP/v.json")" 0
is "every plate found" "$(json_get .summary.plates_missed < "$TMP/v.json")" 0
is "validate gives each plate's rotation bound as a positive number" \
    "$(jq '[.patients[0].audit.plates[].rotation_bound_deg | numbers | select(. > 0)] | length' \
        "$TMP/v.json")" "$(jq '.patients[0].audit.plates | length' "$TMP/v.json")"
is "three fragments compared (intact pelvis and two)" \
    "$(json_get '.patients[0].audit.fragments | length' < "$TMP/v.json")" 3
v=$(json_get '[.patients[0].audit.fragments[].true_translation_mm] | max' < "$TMP/v.json")
ok_if "a fragment that truly moved ($v mm)" below x 1 "$v"
v=$(json_get '[.patients[0].audit.plates[].true_rotation_deg] | min' < "$TMP/v.json")
ok_if "every plate truly turned ($v deg)" below x 1 "$v"

# Study mode on the surgeon's plan: the true label map, planned screws, plate
# paths on the bone.
t="$TMP/c/P01/truth.json"
s="$TMP/s"
"$FXAUDIT" study init "$s" --title poses >/dev/null
"$FXAUDIT" patient add --study "$s" --code P01 >/dev/null
for tp in preop postop; do
    "$FXAUDIT" import --study "$s" --patient P01 --timepoint $tp "$TMP/c/P01/$tp" >/dev/null
done
jq '{screws: [.planned_screws.screws[] | {name: ("S" + (.id | tostring)), entry,
              target: .tip, diameter_mm, length_mm}]}' "$t" > "$TMP/screws.json"
jq '{plates: [.plates[] | {name, width_mm, thickness_mm, offset_mm: 0, path: .planned.path}]}' \
    "$t" > "$TMP/plates.json"
roles=$(jq -r '[.fragments[] | "\(.label):" + (if .kind == "intact" then "reference"
               elif .kind == "fragment" then "fragment"
               elif (.name | test("injured")) then "femur-injured" else "femur-intact" end)]
               | join(",")' "$t")
ok_if "plan create" "$FXAUDIT" plan create --study "$s" --patient P01 \
    --side "$(jq -r .patient.injured_side "$t")" --labels "$TMP/c/P01/preop_labels.nrrd" \
    --roles "$roles" --screws "$TMP/screws.json" --plates "$TMP/plates.json"
ok_if "audit in study mode" sh -c "'$FXAUDIT' audit --study '$s' --patient P01 --json > '$TMP/a.json'"
is "the histogram counts every point" \
    "$(json_get '[.registration.residual_histogram[].count] | add' < "$TMP/a.json")" \
    "$(json_get .registration.residuals.points < "$TMP/a.json")"
is "the bins below the cut are inliers" \
    "$(json_get '[.registration.residual_histogram[] | select(.inlier) | .hi_mm] | max' \
        < "$TMP/a.json")" "$(json_get .registration.residuals.cut_mm < "$TMP/a.json")"
v=$(json_get '.fragments[] | select(.reference) | .translation_mm' < "$TMP/a.json")
ok_if "the reference fragment stays where it was planned ($v mm)" below x "$v" 0.05
is "the plan's plates are listed" "$(json_get '.plates | length' < "$TMP/a.json")" \
    "$(jq '.plates | length' "$t")"
db="$s/study.db"
is "one residual row per bin" "$(sqlite3 "$db" 'SELECT count(*) FROM registration_residuals')" \
    "$(json_get '.registration.residual_histogram | length' < "$TMP/a.json")"
is "one fragment row per planned fragment" \
    "$(sqlite3 "$db" 'SELECT count(*) FROM fragment_deviations')" \
    "$(json_get '.fragments | length' < "$TMP/a.json")"
is "one plate row per planned plate" "$(sqlite3 "$db" 'SELECT count(*) FROM plate_deviations')" \
    "$(json_get '.plates | length' < "$TMP/a.json")"
ok_if "the study verifies" "$FXAUDIT" study verify --study "$s"

# A fragment whose model file is gone and a plate whose model file is not a
# mesh: each is reported not located with a warning, the rest of the audit
# (screws, the other fragments and plates) as before.
pd="$s/plans/P01"
printf 'not a mesh\n' > "$pd/broken-plate.ply"
fname=$(jq -r '[.fragments[] | select(.fixed | not)][0].name' "$pd/plan.json")
pname=$(jq -r '.plates[0].name' "$pd/plan.json")
jq --arg f "$fname" '(.fragments[] | select(.name == $f) | .mesh) = "gone.ply"
    | .plates[0].mesh = "broken-plate.ply"' "$pd/plan.json" > "$pd/broken.json"
ok_if "audit with a fragment model gone and a plate model broken" sh -c "'$FXAUDIT' audit \
    --plan '$pd/broken.json' --postop '$TMP/c/P01/postop' --json > '$TMP/b.json' 2> '$TMP/b.err'"
is "that fragment is not located" \
    "$(jq --arg f "$fname" '.fragments[] | select(.name == $f) | .found' "$TMP/b.json")" false
v=$(jq -r --arg f "$fname" '.fragments[] | select(.name == $f) | .warning' "$TMP/b.json")
ok_if "its warning names the missing file ($v)" sh -c "echo '$v' | grep -q gone.ply"
is "that plate is not located" "$(jq '.plates[0].found' "$TMP/b.json")" false
v=$(jq -r '.plates[0].warning' "$TMP/b.json")
ok_if "its warning names the broken file ($v)" sh -c "echo '$v' | grep -q broken-plate.ply"
ok_if "both warnings on stderr" sh -c "grep -q \"fragment '$fname' not located\" '$TMP/b.err' &&
    grep -q \"plate '$pname' not located\" '$TMP/b.err'"
is "the other fragments as in the full audit" \
    "$(jq -c --arg f "$fname" '[.fragments[] | select(.name != $f) | .found]' "$TMP/b.json")" \
    "$(jq -c --arg f "$fname" '[.fragments[] | select(.name != $f) | .found]' "$TMP/a.json")"
is "the screws as in the full audit" "$(jq -c '[.screws[].placed]' "$TMP/b.json")" \
    "$(jq -c '[.screws[].placed]' "$TMP/a.json")"
is "audit --json: a rotation bound for each plate fitted, none for fragments" \
    "$(jq -c '[([.plates[] | select(.rms_mm != null) | .rotation_bound_deg | numbers] | length)
               == ([.plates[] | select(.rms_mm != null)] | length),
               ([.fragments[].rotation_bound_deg] | unique)]' "$TMP/a.json")" "[true,[null]]"
is "no warning where nothing failed" "$(jq '[.fragments[], .plates[] | .warning] | unique' \
    "$TMP/a.json" | tr -d ' \n')" "[null]"

# --no-register locates nothing and says why.
ok_if "audit --no-register" sh -c "'$FXAUDIT' audit --plan '$pd/plan.json' \
    --postop '$TMP/c/P01/postop' --no-register --json > '$TMP/n.json'"
is "no fragments without the registration" "$(jq '.fragments | length' "$TMP/n.json")" 0
is "no plates without the registration" "$(jq '.plates | length' "$TMP/n.json")" 0
ok_if "poses_note says why" sh -c "jq -r .poses_note '$TMP/n.json' | grep -q -- --no-register"
ok_if "no poses_note after a registration" sh -c "jq -e 'has(\"poses_note\") | not' '$TMP/a.json'"
done_testing
