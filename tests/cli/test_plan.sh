#!/bin/sh
# test_plan.sh - `fxaudit plan inspect` and `export` on a plan written by hand.
. "$FX_SRCDIR/tests/cli/tap.sh"

cat > "$TMP/plan.json" <<'JSON'
{"format": "fxaudit-plan", "version": 1, "units": "mm", "coordinate_system": "LPS",
 "software": "hand", "created_utc": "2026-11-24T10:00:00Z", "patient": "P07", "side": "left",
 "fragments": [{"name": "posterior-column", "label": 3, "color": [200, 80, 80],
   "mesh": "f3.ply", "mesh_sha256": "", "fixed": false,
   "pose": {"matrix": [0, -1, 0, 3, 1, 0, 0, 4, 0, 0, 1, 0, 0, 0, 0, 1]},
   "residual_rms_mm": 0.5, "residual_max_mm": null}],
 "screws": [{"name": "S1", "entry": [0, 0, 0], "direction": [0, 0, 1], "diameter_mm": 3.5,
   "length_mm": 44, "plate": "anterior"}],
 "plates": [], "guides": [], "inputs": []}
JSON

out=$($FXAUDIT plan inspect "$TMP/plan.json" --json)
is "inspect reports the patient code" "$(echo "$out" | json_get .patient)" "P07"
# a quarter turn about z and a (3, 4, 0) mm shift: 90 degrees and 5 mm by hand
near "inspect reports the fragment's rotation" "$(echo "$out" | json_get '.fragments[0].rotation_deg')" 90 1e-9
near "inspect reports the fragment's translation" "$(echo "$out" | json_get '.fragments[0].translation_mm')" 5 1e-12
near "inspect reports the planned screw length" "$(echo "$out" | json_get '.screws[0].length_mm')" 44 0
ok_if "export writes Slicer markups" $FXAUDIT plan export "$TMP/plan.json" --markups "$TMP/s.mrk.json"
near "the markup's tip is entry + 44 mm along z" \
    "$(jq '.markups[0].controlPoints[1].position[2]' "$TMP/s.mrk.json")" 44 1e-12
sed 's/"version": 1/"version": 7/' "$TMP/plan.json" > "$TMP/newer.json"
is "a plan from a newer version fails with exit 1" "$(status_of $FXAUDIT plan inspect "$TMP/newer.json")" 1
$FXAUDIT plan inspect "$TMP/newer.json" 2> "$TMP/err" || true
ok_if "the message names the file and says newer" grep -q "newer.json.*newer" "$TMP/err"
is "export without a target is a usage error" "$(status_of $FXAUDIT plan export "$TMP/plan.json")" 2
done_testing
