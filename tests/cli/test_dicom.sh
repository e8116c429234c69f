#!/bin/sh
# test_dicom.sh - `fxaudit dicom info|load|synth` from the command line: exit
# codes, JSON keys of the contract, identity shown only on request, nothing
# written on failure; then the real files under $FXAUDIT_SHARED_DATA/dicom:
# the GE gantry-tilt series (the issue's must-show) and every series there
# either loads or is refused with its reason.
. "$FX_SRCDIR/tests/cli/tap.sh"

F=$FXAUDIT
ok_if "dicom --help exits 0" $F dicom --help
ok_if "dicom info --help exits 0" $F dicom info --help
ok_if "dicom load --help exits 0" $F dicom load --help
is "dicom info without a path is a usage error" "$(status_of $F dicom info)" 2
is "dicom load without -o is a usage error" "$(status_of $F dicom load "$TMP")" 2
is "a --series that is not a number is a usage error" \
    "$(status_of $F dicom load "$TMP" --series x -o "$TMP/x.nrrd")" 2
$F dicom info "$TMP/absent" >/dev/null 2>"$TMP/err"
is "a missing folder fails (exit 1)" "$?" 1
ok_if "and the message names it" grep -q "$TMP/absent" "$TMP/err"

# A series written through GDCM: 40 x 30 x 12 voxels of 0.8 x 0.9 x 2 mm.
$F dicom synth -o "$TMP/syn" --dims 40x30x12 --spacing 0.8x0.9x2 --name 'SYNTH^SECRET' \
    >/dev/null 2>&1
$F dicom info "$TMP/syn" --json >"$TMP/info.json"
is "synth series: one series" "$(json_get '.series | length' <"$TMP/info.json")" 1
is "synth series: size and spacing" \
    "$(json_get '.series[0] | "\(.columns) \(.rows) \(.slices) \(.spacing)"' <"$TMP/info.json" | tr -d ' \n')" \
    "403012[0.8,0.9,2]"
is "series_uid is null without --show-identity" \
    "$(json_get '.series[0].series_uid' <"$TMP/info.json")" null
ok_if "no patient name anywhere without --show-identity" sh -c "! grep -q SECRET '$TMP/info.json'"
$F dicom info "$TMP/syn" --json --show-identity >"$TMP/id.json"
is "--show-identity prints the patient name" \
    "$(json_get '.series[0].patient_name' <"$TMP/id.json")" "SYNTH^SECRET"
ok_if "--show-identity prints the series UID" \
    sh -c "jq -e '.series[0].series_uid | test(\"^[0-9.]+\$\")' '$TMP/id.json'"
$F dicom load "$TMP/syn" -o "$TMP/syn.nrrd" --json >"$TMP/load.json"
is "synth load: dims" "$(json_get '.dims | join(" ")' <"$TMP/load.json")" "40 30 12"
is "synth load: regular, not resampled" "$(json_get '.resampled' <"$TMP/load.json")" false
is "synth load: HU range of air and bone" \
    "$(json_get '"\(.hu_min) \(.hu_max)"' <"$TMP/load.json")" "-1000 700"
is "the NRRD says it is LPS" "$(grep -a -m1 '^space:' "$TMP/syn.nrrd")" \
    "space: left-posterior-superior"
: >"$TMP/syn/DICOMDIR" # stands in for a real one: only its place matters
is "a path to a DICOMDIR scans its folder" \
    "$($F dicom info "$TMP/syn/DICOMDIR" --json | json_get '.series[0].slices')" 12
$F dicom load "$TMP/syn" --series 2 -o "$TMP/no.nrrd" 2>"$TMP/err"
is "a series that does not exist fails (exit 1)" "$?" 1
ok_if "and nothing is written" test ! -e "$TMP/no.nrrd"

D=${FXAUDIT_SHARED_DATA:-}/dicom
if [ ! -r "$D/dcm_qa_ct_GE_tilt/01.dcm" ]; then
    tap_n=$((tap_n + 1))
    echo "ok $tap_n # skip real DICOM tests: $D is absent (set FXAUDIT_SHARED_DATA)"
    done_testing
fi

# Must-show: README of the data says 28 slices, tilt 18.5 deg, uneven gaps.
$F dicom info "$D/dcm_qa_ct_GE_tilt" --json >"$TMP/ge.json"
is "GE tilt: one series" "$(json_get '.series | length' <"$TMP/ge.json")" 1
is "GE tilt: 28 slices" "$(json_get '.series[0].slices' <"$TMP/ge.json")" 28
is "GE tilt: gantry_tilt_deg 18.5" \
    "$(json_get '.series[0].gantry_tilt_deg * 10 | round / 10' <"$TMP/ge.json")" 18.5
is "GE tilt: uniform_spacing false" "$(json_get '.series[0].uniform_spacing' <"$TMP/ge.json")" \
    false
for key in index series_uid modality rows columns slices spacing origin direction \
    gantry_tilt_deg uniform_spacing transfer_syntaxes; do
    is "dicom info has the key $key" \
        "$(json_get ".series[0] | has(\"$key\")" <"$TMP/ge.json")" true
done
$F dicom load "$D/dcm_qa_ct_GE_tilt" -o "$TMP/ge.nrrd" --json >"$TMP/gel.json"
is "GE tilt: dicom load says resampled" "$(json_get '.resampled' <"$TMP/gel.json")" true
for key in dims spacing origin direction hu_min hu_max resampled; do
    is "dicom load has the key $key" "$(json_get "has(\"$key\")" <"$TMP/gel.json")" true
done
# A regular grid: the direction's columns are orthonormal (D^T D = I).
is "GE tilt: the output grid is orthogonal" \
    "$(json_get '.direction as $d | [range(3) as $a | range(3) as $b |
        ([range(3) as $r | $d[3*$r+$a] * $d[3*$r+$b]] | add) - (if $a == $b then 1 else 0 end)
        | fabs] | max < 1e-9' <"$TMP/gel.json")" true
is "GE tilt: the NRRD sizes match the JSON dims" \
    "$(grep -a -m1 '^sizes:' "$TMP/ge.nrrd")" "sizes: $(json_get '.dims | join(" ")' <"$TMP/gel.json")"

# Every series under the shared folder loads, or is refused with its reason.
$F dicom info "$D" --json >"$TMP/all.json"
n=$(json_get '.series | length' <"$TMP/all.json")
i=1
while [ "$i" -le "$n" ]; do
    loadable=$(json_get ".series[$i - 1].loadable" <"$TMP/all.json")
    what="series $i ($(json_get ".series[$i - 1] | \"\(.modality) \(.columns)x\(.rows)x\(.slices)\"" <"$TMP/all.json"))"
    $F dicom load "$D" --series "$i" -o "$TMP/s$i.nrrd" >/dev/null 2>"$TMP/err"
    st=$?
    if [ "$loadable" = true ]; then
        is "$what loads" "$st" 0
    else
        is "$what is refused (exit 1)" "$st" 1
        reason=$(json_get ".series[$i - 1].note" <"$TMP/all.json" | sed 's/.*skipped: //')
        is "$what: the message gives the reason" "$(sed 's/^fxaudit: //' "$TMP/err")" "$reason"
    fi
    i=$((i + 1))
done
is "the shared folder holds 11 image series" "$n" 11
done_testing
