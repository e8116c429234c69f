#!/bin/sh
# test_segment.sh - fxaudit segment: parts, sizes and exit codes on a small
# NRRD written here; on the real CT, the metal count the data's README gives.
. "$FX_SRCDIR/tests/cli/tap.sh"

# 8x6x5 uint8, 1 mm voxels: a 3x3x3 block (27 voxels) and a 2x2x1 plate (4).
two_parts() {
    printf 'NRRD0004\ntype: uchar\ndimension: 3\nspace: left-posterior-superior\n'
    printf 'sizes: 8 6 5\nspace directions: (1,0,0) (0,1,0) (0,0,1)\n'
    printf 'kinds: domain domain domain\nencoding: raw\nspace origin: (0,0,0)\n\n'
    awk 'BEGIN { for (k = 0; k < 5; k++) for (j = 0; j < 6; j++) for (i = 0; i < 8; i++) {
                   a = i <= 2 && j <= 2 && k <= 2; b = i >= 5 && i <= 6 && j >= 4 && k == 4
                   printf "%s", (a || b) ? "1" : "0" } }' | tr '01' '\000\001'
}
two_parts >"$TMP/two.nrrd"

$FXAUDIT segment "$TMP/two.nrrd" --threshold 1:1 -o "$TMP/lab.nrrd" --json >"$TMP/seg.json"
is "two parts are found" "$(jq '.labels | length' <"$TMP/seg.json")" 2
is "label 1 is the larger, 27 voxels" "$(jq -c '.labels[0] | [.label, .voxels]' <"$TMP/seg.json")" "[1,27]"
is "label 2 has 4 voxels of 1 mm^3" "$(jq -c '.labels[1] | [.label, .voxels, .volume_mm3]' <"$TMP/seg.json")" "[2,4,4]"
ok_if "the label volume was written" test -s "$TMP/lab.nrrd"
ok_if "the label volume is uint16 NRRD" grep -aq "type: u\?int16\|type: ushort\|type: unsigned short" "$TMP/lab.nrrd"
$FXAUDIT segment "$TMP/two.nrrd" --threshold 1:1 --min-size 5 -o "$TMP/lab2.nrrd" --json >"$TMP/seg2.json"
is "a 5 mm^3 floor keeps only the block" "$(jq '.labels | length' <"$TMP/seg2.json")" 1
$FXAUDIT mesh "$TMP/lab.nrrd" --label 2 -o "$TMP/plate.ply" --json >"$TMP/plate.json"
is "the mesh of label 2 is closed" "$(json_get .closed <"$TMP/plate.json")" true
printf '# seeds\n1 1 1\n5.2 4.9 4\n' >"$TMP/seeds.txt"
$FXAUDIT segment "$TMP/two.nrrd" --threshold 1:1 --seeds "$TMP/seeds.txt" -o "$TMP/lab3.nrrd" --json \
    >"$TMP/seg3.json"
is "each seed grows its own part" "$(jq -c '[.labels[] | .voxels]' <"$TMP/seg3.json")" "[27,4]"
printf '7 5 0\n' >"$TMP/bad.txt"
is "a seed outside the mask is a failure (exit 1)" \
    "$(status_of $FXAUDIT segment "$TMP/two.nrrd" --threshold 1:1 --seeds "$TMP/bad.txt" -o "$TMP/x.nrrd")" 1
ok_if "nothing is written on failure" test ! -e "$TMP/x.nrrd"
is "connectivity 8 is a usage error (exit 2)" \
    "$(status_of $FXAUDIT segment "$TMP/two.nrrd" --connectivity 8 -o "$TMP/x.nrrd")" 2
is "a one-sided range is a usage error (exit 2)" \
    "$(status_of $FXAUDIT segment "$TMP/two.nrrd" --threshold 5 -o "$TMP/x.nrrd")" 2
ok_if "--help exits 0" $FXAUDIT segment --help

ct=$FXAUDIT_SHARED_DATA/volumes/example_ct.nii.gz
if [ ! -r "$ct" ]; then
    echo "# SKIP real-CT metal count: $ct is absent"
    done_testing
fi
# shared/data/README.md: 529 voxels >= 2000 HU (the hip implant).
$FXAUDIT segment "$ct" --threshold 2000:32767 -o "$TMP/metal.nrrd" --json >"$TMP/metal.json"
is "the real CT has 529 voxels at or above 2000 HU" "$(jq .total_voxels <"$TMP/metal.json")" 529
is "and 529 x 27 mm^3 of them" "$(jq .total_volume_mm3 <"$TMP/metal.json")" 14283
done_testing
