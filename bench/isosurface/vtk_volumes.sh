#!/bin/sh
# vtk_volumes.sh - fxaudit's enclosed volume on the example CT, with both
# cuts of the loops, against VTK 9.1 vtkFlyingEdges3D's (stored by
# vtk_reference.py in tests/fixtures/vtk/example_ct_flying_edges.json), at
# every stored iso-value. Needs jq; not VTK.
# usage: bench/isosurface/vtk_volumes.sh BUILD/fxaudit CT.nii.gz > bench/isosurface/vtk_volumes.txt
set -e
fx=${1:?usage: vtk_volumes.sh FXAUDIT CT.nii.gz}
ct=${2:?usage: vtk_volumes.sh FXAUDIT CT.nii.gz}
ref=$(dirname "$0")/../../tests/fixtures/vtk/example_ct_flying_edges.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '| iso (HU) | VTK volume mm3 | --cut interpolant | diff | --cut vtk | diff | triangles (both = VTK) |\n'
printf '|---|---|---|---|---|---|---|\n'
for iso in $(jq '.surfaces[].iso' "$ref"); do
    want=$(jq ".surfaces[] | select(.iso == $iso) | .volume_mm3" "$ref")
    wt=$(jq ".surfaces[] | select(.iso == $iso) | .triangles" "$ref")
    row="| $iso | $(printf '%.0f' "$want")"
    same=yes
    for cut in interpolant vtk; do
        "$fx" mesh "$ct" --threshold "$iso" --cut $cut -o "$tmp/m.ply" --json >"$tmp/m.json"
        got=$(jq .volume_mm3 "$tmp/m.json")
        [ "$(jq .triangles "$tmp/m.json")" = "$wt" ] || same=no
        row="$row | $(printf '%.0f' "$got") | $(awk -v a="$got" -v b="$want" 'BEGIN { printf "%+.3f %%", 100 * (a / b - 1) }')"
    done
    echo "$row | $same |"
done
