#!/bin/sh
# test_mesh_cut.sh - fxaudit mesh --cut: a bad rule is a usage error, and on
# the real CT example the VTK-compatible cut gives the enclosed volume of
# VTK's vtkFlyingEdges3D within 0.5 % at every stored iso-value (numbers
# stored by bench/isosurface/vtk_reference.py; docs/isosurface.md).
. "$FX_SRCDIR/tests/cli/tap.sh"

$FXAUDIT mesh nothing.nrrd --threshold 0 --cut diagonal -o "$TMP/x.ply" 2>"$TMP/err"
is "an unknown --cut is a usage error" "$?" 2
ok_if "the message names the option" grep -q -- "--cut" "$TMP/err"

ct=$FXAUDIT_SHARED_DATA/volumes/example_ct.nii.gz
ref=$FX_SRCDIR/tests/fixtures/vtk/example_ct_flying_edges.json
if [ ! -r "$ct" ]; then
    echo "# SKIP real-CT comparison with VTK: $ct is absent"
    done_testing
fi
for iso in -500 226 700 2000; do
    $FXAUDIT mesh "$ct" --threshold "$iso" --cut vtk -o "$TMP/ct.ply" --json >"$TMP/ct.json"
    want_v=$(jq ".surfaces[] | select(.iso == $iso) | .points" "$ref")
    want_t=$(jq ".surfaces[] | select(.iso == $iso) | .triangles" "$ref")
    want_vol=$(jq ".surfaces[] | select(.iso == $iso) | .volume_mm3" "$ref")
    is "iso $iso HU, vtk cut: the vertices are VTK's" "$(json_get .vertices <"$TMP/ct.json")" "$want_v"
    is "iso $iso HU, vtk cut: the triangles are as many as VTK's" \
        "$(json_get .triangles <"$TMP/ct.json")" "$want_t"
    is "iso $iso HU, vtk cut: the surface is closed" "$(json_get .closed <"$TMP/ct.json")" true
    ok_if "iso $iso HU, vtk cut: the volume is VTK's within 0.5 %" \
        awk -v a="$(json_get .volume_mm3 <"$TMP/ct.json")" -v b="$want_vol" \
        'BEGIN { d = a / b - 1; print "# rel diff " d; exit !(d < 0.005 && d > -0.005) }'
done
done_testing
