#!/bin/sh
# test_render.sh - `fxaudit render`: a 60 x 40 x 20 mm box (x, y, z in LPS)
# seen in each standard view covers the face the view looks at, at the scale
# the command reports (width x height x px_per_mm^2, within 1 %); bad input
# is refused with a message that names the problem, and nothing is written.
. "$FX_SRCDIR/tests/cli/tap.sh"

ART="$FX_BUILDDIR/tests/artefacts"
mkdir -p "$ART"

# An ASCII PLY box, outward triangles.
cat >"$TMP/box.ply" <<'PLY'
ply
format ascii 1.0
element vertex 8
property float x
property float y
property float z
element face 12
property list uchar int vertex_indices
end_header
0 0 0
60 0 0
0 40 0
60 40 0
0 0 20
60 0 20
0 40 20
60 40 20
3 0 2 3
3 0 3 1
3 4 5 7
3 4 7 6
3 0 1 5
3 0 5 4
3 2 6 7
3 2 7 3
3 0 4 6
3 0 6 2
3 1 3 7
3 1 7 5
PLY

# covered pixels / (face area in mm^2 * px_per_mm^2), printed to 3 decimals
ratio() {
    jq -r --argjson area "$1" '(.coverage_px / ($area * .px_per_mm * .px_per_mm)) * 1000 | round / 1000'
}
within_1pc() {
    awk -v r="$1" 'BEGIN { exit !(r >= 0.99 && r <= 1.01) }'
}

for case in "anterior:left:1200" "lateral:left:800" "lateral:right:800" "superior:left:2400"; do
    view=${case%%:*}; rest=${case#*:}; side=${rest%%:*}; area=${rest#*:}
    out="$ART/render_cli_box_${view}_${side}.png"
    json=$($FXAUDIT render "$TMP/box.ply:fragment1" --view "$view" --side "$side" \
        --size 400x300 -o "$out" --json)
    r=$(printf '%s' "$json" | ratio "$area")
    ok_if "$view view from the $side covers the box's $area mm^2 face at scale (ratio $r)" \
        within_1pc "$r"
done

json=$($FXAUDIT render "$TMP/box.ply:bone@0.4" --size 320x240 -o "$TMP/a.png" \
    --planned 10,-10,10,50,50,10 --actual 10,-10,10,45,50,14 --json)
is "the JSON counts meshes, triangles and screws" \
    "$(printf '%s' "$json" | jq -c '[.meshes, .triangles, .screws, .width, .height]')" \
    "[1,12,2,320,240]"
is "the PNG written starts with the PNG signature" \
    "$(od -An -tx1 -N8 "$TMP/a.png" | tr -d ' \n')" "89504e470d0a1a0a"

is "a missing mesh fails (exit 1)" \
    "$(status_of $FXAUDIT render "$TMP/none.ply" -o "$TMP/none.png")" 1
$FXAUDIT render "$TMP/none.ply" -o "$TMP/none.png" 2>"$TMP/err" || true
ok_if "the message names the missing file" grep -q "none.ply" "$TMP/err"
ok_if "nothing is written for a missing mesh" test ! -e "$TMP/none.png"
is "an unknown view is a usage error (exit 2)" \
    "$(status_of $FXAUDIT render "$TMP/box.ply" --view oblique -o "$TMP/x.png")" 2
is "an unknown colour is a usage error (exit 2)" \
    "$(status_of $FXAUDIT render "$TMP/box.ply:purplish" -o "$TMP/x.png")" 2
is "no output file is a usage error (exit 2)" \
    "$(status_of $FXAUDIT render "$TMP/box.ply")" 2
ok_if "--help exits 0" $FXAUDIT render --help

# A real scanned mesh, kept as an artefact to look at (skipped without the data).
bunny="$FXAUDIT_SHARED_DATA/meshes/stanford_bunny_vtkdata.ply"
if [ -r "$bunny" ]; then
    json=$($FXAUDIT render "$bunny:bone" --view lateral --size 600x480 \
        -o "$ART/render_cli_bunny.png" --json)
    is "the Stanford bunny renders all its 69,451 faces (data README)" \
        "$(printf '%s' "$json" | jq -r .triangles)" 69451
else
    echo "ok $((tap_n + 1)) # SKIP no shared data at '$FXAUDIT_SHARED_DATA'"
    tap_n=$((tap_n + 1))
fi
done_testing
