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
 "plates": [], "guides": [], "inputs": [],
 "overlaps": [{"a": "reference-0", "b": "posterior-column", "depth_before_mm": 2.5,
   "volume_before_mm3": 120, "depth_mm": 0.4, "volume_mm3": null}]}
JSON

out=$($FXAUDIT plan inspect "$TMP/plan.json" --json)
is "inspect reports the patient code" "$(echo "$out" | json_get .patient)" "P07"
# a quarter turn about z and a (3, 4, 0) mm shift: 90 degrees and 5 mm by hand
near "inspect reports the fragment's rotation" "$(echo "$out" | json_get '.fragments[0].rotation_deg')" 90 1e-9
near "inspect reports the fragment's translation" "$(echo "$out" | json_get '.fragments[0].translation_mm')" 5 1e-12
near "inspect reports the planned screw length" "$(echo "$out" | json_get '.screws[0].length_mm')" 44 0
is "inspect reports a pair's overlap before the joint refinement" \
    "$(echo "$out" | jq -c '.overlaps[0] | [.a, .b, .depth_before_mm, .volume_before_mm3]')" \
    '["reference-0","posterior-column",2.5,120]'
is "and after it, an unknown volume as null" \
    "$(echo "$out" | jq -c '.overlaps[0] | [.depth_mm, .volume_mm3]')" '[0.4,null]'
ok_if "the text summary names the pair" sh -c "$FXAUDIT plan inspect '$TMP/plan.json' |
    grep -q 'overlap reference-0 / posterior-column: 0.40 mm deep'"
is "a plan whose overlap lacks its pair is refused (exit 1)" "$(jq '.overlaps[0].a = 3' \
    "$TMP/plan.json" > "$TMP/bad-ov.json"; status_of $FXAUDIT plan inspect "$TMP/bad-ov.json")" 1
is "plan create --overlap-tol needs a length (exit 2)" \
    "$(status_of $FXAUDIT plan create "$TMP/none.nrrd" --out "$TMP/p" --overlap-tol abc)" 2
ok_if "export writes Slicer markups" $FXAUDIT plan export "$TMP/plan.json" --markups "$TMP/s.mrk.json"
near "the markup's tip is entry + 44 mm along z" \
    "$(jq '.markups[0].controlPoints[1].position[2]' "$TMP/s.mrk.json")" 44 1e-12
sed 's/"version": 1/"version": 7/' "$TMP/plan.json" > "$TMP/newer.json"
is "a plan from a newer version fails with exit 1" "$(status_of $FXAUDIT plan inspect "$TMP/newer.json")" 1
$FXAUDIT plan inspect "$TMP/newer.json" 2> "$TMP/err" || true
ok_if "the message names the file and says newer" grep -q "newer.json.*newer" "$TMP/err"
is "export without a target is a usage error" "$(status_of $FXAUDIT plan export "$TMP/plan.json")" 2

# the fragment's model: one triangle with a corner at (1, 0, 0)
printf 'ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n1 0 0\n0 0 1\n0 1 0\n3 0 1 2\n' > "$TMP/f3.ply"
ok_if "export writes the reduced model and the screws" \
    $FXAUDIT plan export "$TMP/plan.json" --reduced "$TMP/red.off" --screws-mesh "$TMP/s.stl"
# the quarter turn about z then (3, 4, 0) takes (1, 0, 0) to (3, 5, 0)
is "the reduced model is the part moved by its pose" "$(grep -v '^#' "$TMP/red.off" | sed -n 3p | awk '{printf "%g %g %g", $1, $2, $3}')" "3 5 0"
# one 24-sided closed cylinder: 24 x 4 triangles in binary STL, 84 + 50 bytes each
is "the screw is a 96-triangle cylinder" "$(wc -c < "$TMP/s.stl" | tr -d ' ')" 4884
ok_if "pose sets a fragment's pose from a matrix" $FXAUDIT plan pose "$TMP/plan.json" \
    --fragment posterior-column --matrix "1 0 0 2, 0 1 0 0, 0 0 1 0, 0 0 0 1"
out=$($FXAUDIT plan inspect "$TMP/plan.json" --json)
near "the new pose moves it 2 mm" "$(echo "$out" | json_get '.fragments[0].translation_mm')" 2 1e-12
is "and its residual is unknown until checked again" "$(echo "$out" | json_get '.fragments[0].residual_rms_mm')" null
is "so is its overlap as planned; the one before stays" \
    "$(echo "$out" | jq -c '.overlaps[0] | [.depth_mm, .depth_before_mm]')" '[null,2.5]'
is "a pose that is not rigid is a usage error" "$(status_of $FXAUDIT plan pose "$TMP/plan.json" \
    --fragment posterior-column --matrix "2 0 0 0 0 2 0 0 0 0 2 0 0 0 0 1")" 2
is "an unknown fragment fails (exit 1)" "$(status_of $FXAUDIT plan pose "$TMP/plan.json" \
    --fragment nothing --identity)" 1
done_testing
