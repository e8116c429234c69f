#!/bin/sh
# test_audit.sh - `fxaudit validate --stage audit` on a fresh one-patient phantom
# cohort (its truth.json is the independent truth), `fxaudit audit` in study mode
# with the phantom's own actual screws as the plan (deviations near zero, rows in
# the study that `stats study` reads), and on a real CT with a hip implant and
# an empty plan (the implant reported as unplanned metal, no screw).
. "$FX_SRCDIR/tests/cli/tap.sh"

below() { awk -v g="$2" -v m="$3" 'BEGIN { exit !(g ~ /^[-+0-9.eE]+$/ && g < m) }'; }

is "audit without options is a usage error" "$(status_of "$FXAUDIT" audit)" 2
is "validate of a stage not written yet fails" \
    "$(status_of "$FXAUDIT" validate --cohort "$TMP" --stage plan)" 1

"$FXAUDIT" phantom --out "$TMP/c" --patients 1 --seed 5 --size small >/dev/null 2>&1 ||
    echo "not ok - phantom failed"
"$FXAUDIT" validate --cohort "$TMP/c" --stage audit --json > "$TMP/v.json"
is "validate lists the patient" "$(json_get '.patients[0].code' < "$TMP/v.json")" P01
# measured on this cohort (2026-11-24 evening): angle 0.67 deg, entry 0.58 mm,
# tip 0.57 mm, length 0.82 mm; positions: entry 0.70 mm, tip 0.79 mm (2 mm
# voxels: docs/audit.md); the bounds add a margin
for k in max_registration_rot_deg:0.05 max_registration_trans_mm:0.05 \
    max_screw_angle_err_deg:1.0 max_screw_entry_err_mm:1.3 max_screw_tip_err_mm:2.0 \
    max_screw_length_err_mm:5.0 max_screw_entry_pos_err_mm:1.3 max_screw_tip_pos_err_mm:2.0; do
    v=$(json_get ".summary.${k%%:*}" < "$TMP/v.json")
    ok_if "${k%%:*} = $v below ${k#*:}" below "$k" "$v" "${k#*:}"
done
is "every placed screw found" "$(json_get .summary.screws_missed < "$TMP/v.json")" 0
# The positional errors: each found screw's entry and tip against the truth's
# actual screw (post-op scan), recomputed here with jq from truth.json.
for e in entry tip; do
    v=$(jq --slurpfile t "$TMP/c/P01/truth.json" '[.patients[0].audit.screws[]
           | select(.found and .placed) as $s | $t[0].actual_screws.screws[] | select(.id == $s.id)
           | . as $a | [range(3) | ($a.'$e'[.] - $s.postop_'$e'[.]) | . * .] | add | sqrt] | max' \
           "$TMP/v.json")
    k=$(json_get ".summary.max_screw_${e}_pos_err_mm" < "$TMP/v.json")
    ok_if "max_screw_${e}_pos_err_mm = $k is the largest distance to the true $e ($v)" \
        awk -v a="$k" -v b="$v" 'BEGIN { d = a - b; exit !(a != "" && d < 1e-9 && d > -1e-9) }'
done
is "no screw invented" "$(json_get .summary.screws_invented < "$TMP/v.json")" 0
is "no joint flag wrong" "$(json_get .summary.joint_flags_wrong < "$TMP/v.json")" 0

# A tip whose profile had dimmed below half-way a millimetre before its last
# metal sample (small seed 127 P05 screw 6, the other plate beside its end):
# the half-way crossing extrapolated from there and put the tip 5.2 mm short.
# Only P05 of the cohort is validated; the truth is the phantom's.
"$FXAUDIT" phantom --out "$TMP/c127" --patients 5 --seed 127 --size small >/dev/null 2>&1 ||
    echo "not ok - phantom failed"
jq '.count = 1 | .patients = [.patients[] | select(.code == "P05")]' "$TMP/c127/cohort.json" \
    > "$TMP/c127/one.json" && mv "$TMP/c127/one.json" "$TMP/c127/cohort.json"
"$FXAUDIT" validate --cohort "$TMP/c127" --stage audit --json > "$TMP/v127.json" \
    2> "$TMP/v127.err"
# validate says the scan was coarser than the targets' 1 mm, as audit does
is "validate reports the post-op voxels of the truth's series" \
    "$(jq -c '.patients[0].audit.scan.voxel_mm' "$TMP/v127.json")" \
    "$(jq -c '.series[] | select(.folder == "postop") | .spacing' "$TMP/c127/P05/truth.json")"
is "validate's summary: coarser than 1 mm" \
    "$(jq -c '.summary | [.max_voxel_mm, .coarser_than_1mm]' "$TMP/v127.json")" "[2,true]"
ok_if "validate notes the coarse cohort on stderr" grep -q "coarser than the 1 mm slices" \
    "$TMP/v127.err"
for k in length_err_mm:1.0 tip_err_mm:0.5; do
    v=$(json_get ".patients[0].audit.screws[] | select(.id == 6) | .${k%%:*}" < "$TMP/v127.json")
    ok_if "seed 127 P05 screw 6: ${k%%:*} = $v below ${k#*:}" below "$k" "$v" "${k#*:}"
done

# A planned screw not placed whose search strung a line through other metal
# and bone 19 degrees off its plan (fresh small seed 137 P01 screw 8, ray fill
# 0.48): "found" and matched to it, an invented screw, under the old fill gate
# of 0.4 (docs/audit.md). The truth says which screws were placed.
"$FXAUDIT" phantom --out "$TMP/c137" --patients 1 --seed 137 --size small >/dev/null 2>&1 ||
    echo "not ok - phantom failed"
"$FXAUDIT" validate --cohort "$TMP/c137" --stage audit --json > "$TMP/v137.json" 2>/dev/null
is "seed 137 P01: no screw invented" "$(json_get .summary.screws_invented < "$TMP/v137.json")" 0
is "seed 137 P01: none missed" "$(json_get .summary.screws_missed < "$TMP/v137.json")" 0
is "seed 137 P01: a ray fill in (0, 1] for each screw found, none for the others" \
    "$(jq -c '[.patients[0].audit.screws[] | if .found then (.fill > 0 and .fill <= 1)
               else (has("fill") | not) end] | all' "$TMP/v137.json")" true
is "seed 137 P01: screw 8 was not placed and is not found" \
    "$(jq -c '.patients[0].audit.screws[] | select(.id == 8) | [.placed, .found]' \
        "$TMP/v137.json")" \
    "[false,false]"

# Study mode: the plan is the truth's actual screws (post-op coordinates), so
# with --no-register every deviation is the audit's own error.
t="$TMP/c/P01/truth.json"
"$FXAUDIT" study init "$TMP/s" --title audit >/dev/null
"$FXAUDIT" patient add --study "$TMP/s" --code P01 >/dev/null
"$FXAUDIT" import --study "$TMP/s" --patient P01 --timepoint postop "$TMP/c/P01/postop" >/dev/null
mkdir -p "$TMP/s/plans/P01"
jq '{format: "fxaudit-plan", version: 1, units: "mm", coordinate_system: "LPS",
     frame: "post-op series", software: "test", created_utc: "2026-01-01T00:00:00Z",
     patient: "P01", side: .patient.injured_side, fragments: [], guides: [], inputs: [],
     plates: [.plates[] | {name: ("plate-" + (.id | tostring)), width_mm, thickness_mm,
              offset_mm: 0, mesh: "", mesh_sha256: "", path: .postop.path}],
     screws: [.actual_screws.screws[] | select(.placed) | {name: ("S" + (.id | tostring)), entry, tip,
              direction: ([.tip, .entry] as [$a, $b] | [range(3) | $a[.] - $b[.]] as $d
                          | ($d | map(. * .) | add | sqrt) as $n | $d | map(. / $n)),
              diameter_mm, length_mm, plate: ("plate-" + (.plate | tostring))}]}' "$t" \
    > "$TMP/s/plans/P01/plan.json"
ok_if "audit in study mode" sh -c "'$FXAUDIT' audit --study '$TMP/s' --patient P01 --no-register --json > '$TMP/a.json' 2>'$TMP/a.err'"
# The scan's voxels as the truth's post-op series has them (2 mm: coarser than
# the 1 mm slices the accuracy targets were measured on, so a warning).
is "the scan's voxels are reported" "$(jq -c '.scan.voxel_mm' "$TMP/a.json")" \
    "$(jq -c '.series[] | select(.folder == "postop") | .spacing' "$t")"
is "a 2 mm scan is coarser than 1 mm" "$(json_get .scan.coarser_than_1mm < "$TMP/a.json")" true
ok_if "a coarse scan is warned about, naming it" grep -q "postop.*coarser than the 1 mm slices" "$TMP/a.err"
np=$(jq '[.actual_screws.screws[] | select(.placed)] | length' "$t")
is "all $np placed screws placed" "$(json_get .placed < "$TMP/a.json")" "$np"
v=$(json_get '[.screws[].angle_deg] | max' < "$TMP/a.json")
ok_if "largest angle to the true screw $v below 1 deg" below x "$v" 1
v=$(json_get '[.screws[].entry_mm] | max' < "$TMP/a.json")
ok_if "largest entry distance $v below 1.3 mm" below x "$v" 1.3
# The joint: the truth's hip centre (injured side) in the post-op scan and the
# joint radius; each true screw's clearance computed here with jq (nearest
# point of the axis segment to the centre, minus the radius and the screw's).
jq -r '(.fragments[] | select(.name == "femur (injured side)") | .interior_point_local) as $c
       | .series.postop.anatomical_to_series.matrix as $m
       | [range(3) as $r | $m[4*$r]*$c[0] + $m[4*$r+1]*$c[1] + $m[4*$r+2]*$c[2] + $m[4*$r+3]]
       + [.model.joint_radius_mm] | map(tostring) | join(",")' "$t" > "$TMP/joint"
jq --arg j "$(cat "$TMP/joint")" '($j | split(",") | map(tonumber)) as $s | [.actual_screws.screws[]
       | select(.placed) | [.entry, .tip] as [$e, $t] | [range(3) | $t[.] - $e[.]] as $u
       | ([range(3) | ($s[.] - $e[.]) * $u[.]] | add) / ($u | map(. * .) | add)
       | (if . < 0 then 0 elif . > 1 then 1 else . end) as $f
       | ([range(3) | ($e[.] + $f * $u[.] - $s[.]) | . * .] | add | sqrt) - $s[3] - 1.75]' "$t" \
    > "$TMP/jtrue.json"
ok_if "audit with the joint" sh -c "'$FXAUDIT' audit --study '$TMP/s' --patient P01 --no-register --joint '$(cat "$TMP/joint")' --json > '$TMP/aj.json'"
v=$(jq -n --slurpfile t "$TMP/jtrue.json" --slurpfile a "$TMP/aj.json" '[range($t[0] | length)
       | select(($t[0][.] - 2 | fabs) > 0.5)
       | select(($t[0][.] < 2) != $a[0].screws[.].joint_penetration)] | length')
is "joint flags agree with the truth's clearances (beyond 0.5 mm of the margin)" "$v" 0
v=$(jq '[.[] | select(. < 2)] | length' "$TMP/jtrue.json")
ok_if "the cohort has screws that truly penetrate ($v)" below x 0 "$v"
is "a bad --joint is a usage error" "$(status_of "$FXAUDIT" audit --study "$TMP/s" --patient P01 --joint 1,2)" 2
"$FXAUDIT" stats study --study "$TMP/s" --json > "$TMP/st.json"
is "stats study reads the stored deviations" "$(json_get .screws.n_placed < "$TMP/st.json")" "$np"
ok_if "the study verifies" "$FXAUDIT" study verify --study "$TMP/s"

# Without --joint, study mode finds the joint in the pre-op CT (the healthy
# socket mirrored); the truth's hip centre is (+-86, -5, 0) x scale in the
# anatomical frame, mapped into the pre-op series (docs/phantom.md).
"$FXAUDIT" audit --study "$TMP/s" --patient P01 --no-register --json > "$TMP/an.json" 2>"$TMP/an.err"
is "without a pre-op CT or a side the joint check is off" "$(json_get .joint < "$TMP/an.json")" null
ok_if "and a warning says why" grep -q "no joint check" "$TMP/an.err"
"$FXAUDIT" patient add --study "$TMP/s" --code P02 --side "$(jq -r .patient.injured_side "$t")" >/dev/null
"$FXAUDIT" import --study "$TMP/s" --patient P02 --timepoint preop "$TMP/c/P01/preop" >/dev/null
"$FXAUDIT" import --study "$TMP/s" --patient P02 --timepoint postop "$TMP/c/P01/postop" >/dev/null
mkdir -p "$TMP/s/plans/P02"
jq '.patient = "P02"' "$TMP/s/plans/P01/plan.json" > "$TMP/s/plans/P02/plan.json"
ok_if "audit without --joint" sh -c "'$FXAUDIT' audit --study '$TMP/s' --patient P02 --no-register --json > '$TMP/ap.json' 2>'$TMP/ap.err'"
is "the joint came from the pre-op CT" "$(json_get .joint.source < "$TMP/ap.json")" \
    "pre-op CT: healthy socket mirrored"
v=$(jq -n --slurpfile t "$t" --slurpfile a "$TMP/ap.json" '$t[0] as $t
       | $t.series.preop.anatomical_to_series.matrix as $m | $t.model.scale as $k
       | [(if $t.patient.injured_side == "left" then 86 else -86 end) * $k, -5 * $k, 0] as $c
       | [range(3) as $r | $m[4*$r]*$c[0] + $m[4*$r+1]*$c[1] + $m[4*$r+2]*$c[2] + $m[4*$r+3]]
       | [range(3) as $i | (. [$i] - $a[0].joint.centre_mm[$i]) | . * .] | add | sqrt')
ok_if "its centre is $v mm from the truth's hip centre (below 1.5)" below x "$v" 1.5
v=$(jq -n --slurpfile t "$t" --slurpfile a "$TMP/ap.json" \
       '$a[0].joint.radius_mm - $t[0].model.joint_radius_mm | fabs')
ok_if "its radius is $v mm from the truth's joint radius (below 0.5)" below x "$v" 0.5
v=$(jq '[.screws[] | select(.joint_penetration != null)] | length' "$TMP/ap.json")
is "every placed screw has a joint flag" "$v" "$np"

# A real CT with a hip implant and an empty plan.
ct="${FXAUDIT_SHARED_DATA:+$FXAUDIT_SHARED_DATA/volumes/example_ct.nii.gz}"
if [ -n "$ct" ] && [ -f "$ct" ]; then
    jq '.screws = [] | .plates = []' "$TMP/s/plans/P01/plan.json" > "$TMP/empty.json"
    ok_if "audit of the hip implant CT" sh -c "'$FXAUDIT' audit --plan '$TMP/empty.json' --postop '$ct' --json > '$TMP/h.json'"
    is "no screw matched" "$(json_get '.screws | length' < "$TMP/h.json")" 0
    # its NIfTI header's pixdim: 3 mm voxels
    is "the CT's 3 mm voxels are reported" "$(jq -c '.scan.voxel_mm' "$TMP/h.json")" "[3,3,3]"
    v=$(json_get '[.unplanned_metal[].volume_mm3] | max' < "$TMP/h.json")
    ok_if "the implant ($v mm3) is reported as unplanned metal" below x 5000 "$v"
    # Six screws planned through the implant's centre (along x, y, z and three
    # diagonals, 40 mm): the CT has no screw, so none may be found on the stem.
    c=$(jq -c '[.unplanned_metal[] | select(.volume_mm3 > 5000)][0].centroid' "$TMP/h.json")
    jq --argjson c "$c" '.screws = [[[1,0,0],[0,1,0],[0,0,1],[1,1,1],[1,0,1],[0,1,-1]]
        | map(. as $v | map(. / ($v | map(. * .) | add | sqrt)))
        | to_entries[] | .value as $d | {name: ("H\(.key)"), diameter_mm: 3.5, length_mm: 40,
          entry: [range(3) as $i | $c[$i] - 20 * $d[$i]], direction: $d, plate: "",
          tip: [range(3) as $i | $c[$i] + 20 * $d[$i]]}]' "$TMP/empty.json" > "$TMP/stem.json"
    ok_if "audit of the implant CT with screws planned through the implant" sh -c \
        "'$FXAUDIT' audit --plan '$TMP/stem.json' --postop '$ct' --json > '$TMP/h2.json'"
    is "no screw found on the implant" "$(json_get .placed < "$TMP/h2.json")" 0
    is "no candidate left over" "$(json_get .unmatched_candidates < "$TMP/h2.json")" 0
    is "the implant is still unplanned metal" \
        "$(json_get '[.unplanned_metal[].volume_mm3] | max' < "$TMP/h2.json")" "$v"
else
    echo "# skipping the hip implant CT: FXAUDIT_SHARED_DATA/volumes/example_ct.nii.gz absent"
fi
done_testing
