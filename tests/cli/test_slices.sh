#!/bin/sh
# test_slices.sh - fxaudit slices on a phantom patient: PNG size from the file's
# own header, pixel -> mm conversions checked by hand against the sidecar's
# mapping, no identity strings in anything written, the blinded study mode,
# and fxaudit validate --stage reduction's contract keys. The three phantom
# dome slices are kept in the build folder (tests/unit/dome_slice_*.png) to
# be looked at.
. "$FX_SRCDIR/tests/cli/tap.sh"

$FXAUDIT phantom --out "$TMP/c" --patients 1 --seed 5 >/dev/null 2>&1 ||
    skip_all "fxaudit phantom failed"
t=$TMP/c/P01/truth.json
# The phantom's dome: the hip centre (+-86, -5, 0) x scale of the anatomical
# frame (docs/phantom.md), through the post-op pose, plus R along its z axis.
dome=$(jq -r '.series.postop.anatomical_to_series.matrix as $m | .model.scale as $s
    | .model.joint_radius_mm as $r
    | [(if .patient.injured_side == "left" then 86 else -86 end) * $s, -5 * $s, 0] as $a
    | [range(0;3) as $i | $m[4*$i]*$a[0] + $m[4*$i+1]*$a[1] + $m[4*$i+2]*$a[2] + $m[4*$i+3]
       + $r * $m[4*$i+2]] | map(tostring) | join(",")' "$t")

ok_if "slices renders the three planes through the dome" \
    $FXAUDIT slices "$TMP/c/P01/postop" --dome "$dome" -o "$TMP/s"
side=$TMP/s/slices.json
png_size() { # width x height from the IHDR chunk (bytes 16-23, big-endian)
    od -An -tu1 -j16 -N8 "$1" | awk '{ print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8 }'
}
for p in axial coronal sagittal; do
    is "the $p PNG is 257 x 257 (128 mm at 0.5 mm/px, odd so the dome is a pixel centre)" \
        "$(png_size "$TMP/s/$p.png")" 257x257
done
is "the sidecar gives the same size" "$(jq -r '.images.axial | "\(.width)x\(.height)"' "$side")" 257x257
is "the scale bar is 20 mm = 40 pixels" "$(jq -r '.images.coronal | "\(.scale_bar_mm) \(.scale_bar_px)"' "$side")" "20 40"

# Pixel (0, 0) is the sidecar's origin; the centre pixel (128, 128) is the dome.
$FXAUDIT slices points --map "$side" --image coronal --px "0,0;128,128" --json >"$TMP/pts.json"
ox=$(jq '.images.coronal.origin_mm[0]' "$side")
near "pixel (0,0) x is origin_mm x" "$(jq '.points[0].mm[0]' "$TMP/pts.json")" "$ox" 1e-9
dz=$(echo "$dome" | cut -d, -f3)
near "the centre pixel is the dome point (z)" "$(jq '.points[1].mm[2]' "$TMP/pts.json")" "$dz" 1e-6
# In the coronal image a row is 0.5 mm down (-z): 64 mm above the dome at row 0.
near "row 0 is 64 mm above the dome" "$(jq '.points[0].mm[2]' "$TMP/pts.json")" "$(echo "$dz" | awk '{ printf "%.9f", $1 + 64 }')" 1e-6
near "40 columns apart is 20 mm" \
    "$($FXAUDIT slices points --map "$side" --image axial --px "10,128;50,128" --json | jq .distance_mm)" 20 1e-9
near "a 3-4-5 triangle in pixels is 2.5 mm" \
    "$($FXAUDIT slices points --map "$side" --image sagittal --px "100,100;103,104" --json | jq .distance_mm)" 2.5 1e-9
is "the points are given as measure record --points wants them (a JSON list of [x,y,z])" \
    "$(jq -r .measure_points "$TMP/pts.json" | jq -c 'map(length)')" "[3,3]"
is "a pixel outside the image is refused (exit 1)" \
    "$(status_of $FXAUDIT slices points --map "$side" --image axial --px "300,1")" 1
is "a malformed pixel list is a usage error" \
    "$(status_of $FXAUDIT slices points --map "$side" --image axial --px "1;2")" 2
is "slices without --dome is a usage error" "$(status_of $FXAUDIT slices "$TMP/c/P01/postop" -o "$TMP/x")" 2
ok_if "nothing is written on a usage error" test ! -e "$TMP/x"

# The DICOM carries PHANTOM^P01, FXPH<seed>-P01 and 2.25.* UIDs: none may leak.
leaks() { grep -l -a -e PHANTOM -e FXPH -e '2\.25\.' -e P01 "$@" | wc -l; }
is "no name, ID, UID or patient code in the PNGs or the sidecar" "$(leaks "$TMP"/s/*)" 0

mkdir -p "$FX_BUILDDIR/tests/unit"
for p in axial coronal sagittal; do cp "$TMP/s/$p.png" "$FX_BUILDDIR/tests/unit/dome_slice_$p.png"; done

# Study mode: the observer's blinded case, labelled with its case code only.
S=$TMP/study
$FXAUDIT study init "$S" >/dev/null && $FXAUDIT patient add --study "$S" --code P01 >/dev/null &&
    $FXAUDIT import --study "$S" --patient P01 --timepoint postop "$TMP/c/P01/postop" >/dev/null &&
    $FXAUDIT observer add --study "$S" --code O1 --role surgeon >/dev/null
case=$($FXAUDIT observer worklist --study "$S" --observer O1 --json |
    jq -r '.cases[] | select(.timepoint == "postop") | .case')
mkdir -p "$TMP/tmp"
ok_if "slices renders an observer's blinded case" \
    env TMPDIR="$TMP/tmp" $FXAUDIT slices --study "$S" --observer O1 --case "$case" --dome "$dome" -o "$TMP/b"
is "the sidecar names the case code" "$(jq -r .case "$TMP/b/slices.json")" "$case"
is "no study code or identity in the blinded images and sidecar" "$(leaks "$TMP"/b/*)" 0
$FXAUDIT slices points --map "$TMP/b/slices.json" --image axial --px "120,128;136,128" --json >"$TMP/bp.json"
ok_if "measure record takes the converted points as they are printed" \
    $FXAUDIT measure record --study "$S" --observer O1 --case "$case" --timepoint postop \
    --plane axial --gap "$(jq .distance_mm "$TMP/bp.json")" --step 0 --points "$(jq -r .measure_points "$TMP/bp.json")"
is "another case code is refused (exit 1)" \
    "$(status_of $FXAUDIT slices --study "$S" --observer O1 --case KZZZZZZ --dome "$dome" -o "$TMP/b2")" 1
is "the temporary blinded export is removed again" "$(ls "$TMP/tmp")" ""

# validate --stage reduction: the contract's keys, and the truth echoed as is.
$FXAUDIT validate --cohort "$TMP/c" --stage reduction --json >"$TMP/v.json"
is "validate gives max_gap_err_mm and max_step_err_mm" \
    "$(jq -c '.summary | [(.max_gap_err_mm | type), (.max_step_err_mm | type)]' "$TMP/v.json")" '["number","number"]'
is "each patient's truth is truth.json's" \
    "$(jq -c '.patients[0].reduction.postop.truth.gap_mm' "$TMP/v.json")" "$(jq -c '.reduction.postop.gap_mm' "$t")"
is "an unknown stage is a usage error" "$(status_of $FXAUDIT validate --cohort "$TMP/c" --stage nope)" 2
done_testing
