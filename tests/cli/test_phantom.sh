#!/bin/sh
# test_phantom.sh - `fxaudit phantom`: the series load through `fxaudit dicom
# load` with exactly the geometry truth.json records, the same seed gives the
# same pixels and truth, and bad input is refused without output.
. "$FX_SRCDIR/tests/cli/tap.sh"

out=$TMP/a
ok_if "a one-patient cohort is written" $FXAUDIT phantom --out "$out" --patients 1 --seed 7
is "cohort.json lists the patient" "$(json_get '.patients[0].code' <"$out/cohort.json")" P01
for s in preop postop; do
    is "$s has one file per slice" "$(ls "$out/P01/$s" | wc -l | tr -d ' ')" \
        "$(json_get ".series.$s.dims[2]" <"$out/P01/truth.json")"
    $FXAUDIT dicom load "$out/P01/$s" -o "$TMP/$s.nrrd" --no-gzip --json >"$TMP/$s.json"
    for key in dims spacing origin direction; do
        got=$(jq -c "[.${key}[] | . * 1000000 | round]" "$TMP/$s.json")
        want=$(jq -c "[.series.$s.${key}[] | . * 1000000 | round]" "$out/P01/truth.json")
        is "$s loads with the truth's $key" "$got" "$want"
    done
    is "$s is not resampled" "$(json_get .resampled <"$TMP/$s.json")" false
done
is "the post-op series holds metal (>= 3000 HU)" \
    "$(jq '.hu_max >= 3000' "$TMP/postop.json")" true
is "the pre-op series holds none" "$(jq '.hu_max < 3000' "$TMP/preop.json")" true
$FXAUDIT dicom info "$out/P01" --show-identity --json >"$TMP/info.json"
is "two series, in two distinct studies" \
    "$(jq '[.series[].study_uid] | unique | length' "$TMP/info.json")" 2
is "with distinct series UIDs" "$(jq '[.series[].series_uid] | unique | length' "$TMP/info.json")" 2
is "and a pseudonymous patient name" \
    "$(jq -r '[.series[].patient_name] | unique | join(",")' "$TMP/info.json")" PHANTOM^P01

t=$out/P01/truth.json
is "every pose is 16 numbers with a last row 0 0 0 1" \
    "$(jq '[.fragments[].poses[].matrix | (length == 16 and .[12:] == [0,0,0,1])] | all' "$t")" true
is "every fragment's planned pose is the pre-op scanner pose" \
    "$(jq '.series.preop.anatomical_to_series.matrix as $p | [.fragments[].poses.anatomical.matrix == $p] | all' "$t")" true
is "the intact pelvis is not displaced pre-op" \
    "$(jq '.fragments[0].poses.preop.matrix == .series.preop.anatomical_to_series.matrix' "$t")" true
is "the pre-op gap lies in 10-30 mm and the post-op gap in 0-6 mm" \
    "$(jq '.reduction | (.preop.gap_mm.max >= 10 and .preop.gap_mm.max <= 30 and .postop.gap_mm.max <= 6)' "$t")" true
is "46 SMFA answers of 1-5 at each of three times" \
    "$(jq '[.smfa.answers[] | (length == 46 and all(. >= 1 and . <= 5))] | (length == 3 and all)' "$t")" true
is "every planned screw has an actual one" \
    "$(jq '(.planned_screws.screws | length) == (.actual_screws.screws | length)' "$t")" true

# The pose chain end to end: each fragment's interior point, taken into a
# series by its pose matrix, lands on cancellous bone (or a screw) in the
# loaded pixels.
hu_at() { # hu_at SERIES: one HU per fragment, from the raw NRRD
    s=$1
    jq -r --arg s "$s" '.series[$s] as $g | .fragments[] | .interior_point_local as $p
        | .poses[$s].matrix as $m
        | [range(0;3) as $r | $m[4*$r]*$p[0] + $m[4*$r+1]*$p[1] + $m[4*$r+2]*$p[2] + $m[4*$r+3]]
        | [range(0;3) as $a | ((.[$a] - $g.origin[$a]) / $g.spacing[$a] + 0.5 | floor)]
        | .[0] + $g.dims[0] * (.[1] + $g.dims[1] * .[2])' "$t" |
    while read -r idx; do
        n=$(jq '.series.'"$s"'.dims | .[0] * .[1] * .[2]' "$t")
        size=$(wc -c <"$TMP/$s.nrrd")
        od -An -t d2 --endian=little -j $((size - 2 * n + 2 * idx)) -N 2 "$TMP/$s.nrrd" | tr -d ' '
    done
}
canc=$(jq '.tissue_hu.cancellous' "$t")
for s in preop postop; do
    is "every fragment's interior point is cancellous bone in $s" \
        "$(hu_at $s | awk -v c="$canc" '($1 - c)^2 > 100^2 && $1 < 3000 { bad++ } END { print bad + 0 }')" 0
done

ok_if "the same seed again" $FXAUDIT phantom --out "$TMP/b" --patients 1 --seed 7
$FXAUDIT dicom load "$TMP/b/P01/postop" -o "$TMP/b.nrrd" --no-gzip >/dev/null
ok_if "the same seed gives byte-identical pixel data" cmp "$TMP/postop.nrrd" "$TMP/b.nrrd"
ok_if "the same seed gives the same truth" cmp "$out/P01/truth.json" "$TMP/b/P01/truth.json"

is "an unknown size is a usage error" "$(status_of $FXAUDIT phantom --out "$TMP/c" --size huge)" 2
is "a missing --out is a usage error" "$(status_of $FXAUDIT phantom --patients 2)" 2
is "--patients 0 is a usage error" "$(status_of $FXAUDIT phantom --out "$TMP/c" --patients 0)" 2
ok_if "nothing is written on a usage error" test ! -e "$TMP/c"
touch "$TMP/file"
is "an output path under a file fails (exit 1)" \
    "$(status_of $FXAUDIT phantom --out "$TMP/file/x" --patients 1)" 1
done_testing
