#!/bin/sh
# test_observers.sh - a two-observer session on a study: blinded reading
# lists, validated readings, repeats and amendments, then consensus and grades.
# The blinding check: everything observer O1's commands print (stdout and
# stderr) is searched for the study codes and for O2's values, which all end in
# a distinctive ".?37". Expected consensus values are computed here from what
# each observer recorded and the case-to-patient key read with sqlite3, not from
# fxaudit's own output.
. "$FX_SRCDIR/tests/cli/tap.sh"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed (needed to read the blinding key)"

S=$TMP/study
O1LOG=$TMP/o1.log
: >"$O1LOG"
o1() { # run an O1 command, keeping all it prints
    "$@" >"$TMP/o1.out" 2>"$TMP/o1.err"
    st=$?
    cat "$TMP/o1.out" "$TMP/o1.err" >>"$O1LOG"
    cat "$TMP/o1.out"
    return $st
}

$FXAUDIT study init "$S" --title "observer session" >/dev/null
for p in P01 P02 P03; do $FXAUDIT patient add --study "$S" --code $p >/dev/null; done

is "observer add gives O1 six blinded cases" \
    "$(o1 $FXAUDIT observer add --study "$S" --code O1 --role surgeon --json | jq -r .cases)" 6
is "observer add gives O2 six blinded cases" \
    "$($FXAUDIT observer add --study "$S" --code O2 --role surgeon --json | jq -r .cases)" 6
o1 $FXAUDIT observer worklist --study "$S" --observer O1 --json >"$TMP/w1.json"
$FXAUDIT observer worklist --study "$S" --observer O2 --json >"$TMP/w2.json"
is "the worklist lists cases in order 1..6" "$(jq -c '[.cases[].order]' "$TMP/w1.json")" "[1,2,3,4,5,6]"
is "each case is pre-op or post-op, three planes to measure" \
    "$(jq -c '[.cases[].timepoint] | sort | unique' "$TMP/w1.json") $(jq -c '.cases[0].planes' "$TMP/w1.json")" \
    '["postop","preop"] ["axial","coronal","sagittal"]'
is "each patient's pre-op and post-op CT is on the list once" \
    "$(sqlite3 "$S/study.db" "SELECT count(DISTINCT patient_id || timepoint) FROM blinded_cases c JOIN observers o ON o.id = c.observer_id WHERE o.code = 'O1'")" 6
is "case codes are not study codes and differ between observers" \
    "$(jq -r '.cases[].case' "$TMP/w1.json" "$TMP/w2.json" | grep -v '^P0' | sort -u | wc -l)" 12

# Record: value = order + plane/10 (O1), order + plane/10 + 0.037 (O2).
record_all() { # OBSERVER WORKLIST OFFSET
    jq -r '.cases[] | "\(.order) \(.case) \(.timepoint)"' "$2" | while read -r ord c tp; do
        k=0
        for plane in axial coronal sagittal; do
            k=$((k + 1))
            gap=$(awk -v i=$ord -v k=$k -v o=$3 'BEGIN { printf "%.3f", i + k / 10 + o }')
            step=$(awk -v k=$k -v o=$3 'BEGIN { printf "%.3f", k / 10 + o }')
            echo "$c $plane $gap $step" >>"$TMP/recorded.$1"
            if [ "$1" = O1 ]; then
                o1 $FXAUDIT measure record --study "$S" --observer $1 --case $c --timepoint $tp \
                    --plane $plane --gap $gap --step $step --points '[[1.5, 2.5], [3, 4]]' >/dev/null
            else
                $FXAUDIT measure record --study "$S" --observer $1 --case $c --timepoint $tp \
                    --plane $plane --gap $gap --step $step >/dev/null
            fi || echo "record failed" >>"$TMP/failures"
        done
    done
}
record_all O1 "$TMP/w1.json" 0
is "O1 records 18 readings" "$(wc -l <"$TMP/recorded.O1")$(cat "$TMP/failures" 2>/dev/null)" 18

c1=$(jq -r '.cases[0].case' "$TMP/w1.json")
tp1=$(jq -r '.cases[0].timepoint' "$TMP/w1.json")
other=postop; [ "$tp1" = postop ] && other=preop
c2=$(jq -r '.cases[0].case' "$TMP/w2.json")
is "a second reading of a plane without --repeat is refused (exit 1)" \
    "$(o1 $FXAUDIT measure record --study "$S" --observer O1 --case $c1 --timepoint $tp1 --plane axial --gap 1 --step 0 >/dev/null; echo $?)" 1
ok_if "and the message says how to repeat or amend" grep -q -- "--repeat for a repeated reading" "$TMP/o1.err"
is "a repeat is numbered 2" \
    "$(o1 $FXAUDIT measure record --study "$S" --observer O1 --case $c1 --timepoint $tp1 --plane axial --gap 1.2 --step 0.1 --repeat --json | jq -c '[.repeat_no, .repeat]')" "[2,true]"
c1b=$(jq -r '.cases[1].case' "$TMP/w1.json")
tp1b=$(jq -r '.cases[1].timepoint' "$TMP/w1.json")
o1 $FXAUDIT measure record --study "$S" --observer O1 --case $c1b --timepoint $tp1b --plane axial --gap 2.3 --step 0.2 --repeat >/dev/null
is "the wrong time point for a case is refused (exit 1)" \
    "$(o1 $FXAUDIT measure record --study "$S" --observer O1 --case $c1 --timepoint $other --plane coronal --gap 1 --step 0 >/dev/null; echo $?)" 1
is "another observer's case code is refused as unknown (exit 1)" \
    "$(o1 $FXAUDIT measure record --study "$S" --observer O1 --case $c2 --timepoint preop --plane coronal --gap 1 --step 0 >/dev/null; echo $?)" 1
ok_if "with the same message as a code that does not exist" grep -q "observer 'O1' has no case '$c2'" "$TMP/o1.err"
is "a negative gap is a usage error" \
    "$(o1 $FXAUDIT measure record --study "$S" --observer O1 --case $c1 --timepoint $tp1 --plane coronal --gap -1 --step 0 >/dev/null; echo $?)" 2
is "an unknown plane is a usage error" \
    "$(o1 $FXAUDIT measure record --study "$S" --observer O1 --case $c1 --timepoint $tp1 --plane oblique --gap 1 --step 0 >/dev/null; echo $?)" 2
is "malformed landmark points are refused" \
    "$(o1 $FXAUDIT measure record --study "$S" --observer O1 --case $c1 --timepoint $tp1 --plane coronal --gap 1 --step 0 --repeat --points '[[1]]' >/dev/null; echo $?)" 1
is "an amendment without a reason is a usage error" \
    "$(o1 $FXAUDIT measure record --study "$S" --observer O1 --case $c1 --timepoint $tp1 --plane sagittal --gap 1 --step 0 --amend 3 >/dev/null; echo $?)" 2

# Amend O1's sagittal reading of the first case: 1.3 -> 0.9 mm.
mid=$(o1 $FXAUDIT measure list --study "$S" --observer O1 --json | jq -r --arg c $c1 '.measurements[] | select(.case == $c and .plane == "sagittal") | .id')
ok_if "an amendment with a reason is recorded" \
    o1 $FXAUDIT measure record --study "$S" --observer O1 --case $c1 --timepoint $tp1 --plane sagittal --gap 0.9 --step 0.3 --amend $mid --reason "misread the scale bar"
sed -i "s/^$c1 sagittal 1.300 0.300\$/$c1 sagittal 0.900 0.300/" "$TMP/recorded.O1"
is "amending the same reading twice is refused" \
    "$(o1 $FXAUDIT measure record --study "$S" --observer O1 --case $c1 --timepoint $tp1 --plane sagittal --gap 0.8 --step 0.3 --amend $mid --reason again >/dev/null; echo $?)" 1
is "the audit trail keeps both values" \
    "$(sqlite3 "$S/study.db" "SELECT group_concat(gap_mm, ' ') FROM (SELECT gap_mm FROM measurements WHERE id = $mid OR amends_id = $mid ORDER BY id)")" "1.3 0.9"
is "measure list shows the old reading as amended" \
    "$(o1 $FXAUDIT measure list --study "$S" --observer O1 --json | jq -c --argjson id $mid '[.measurements[] | select(.id == $id or .amends_id == $id) | .current]')" "[0,1]"

# Before O2 has read anything, nothing is unblinded.
is "consensus status: nothing ready while O2 reads" \
    "$($FXAUDIT consensus status --study "$S" --json | jq -c '[(.ready | length), .waiting]')" "[0,6]"
is "consensus show is refused before every observer has recorded (exit 1)" \
    "$(status_of $FXAUDIT consensus show --study "$S" --patient P01 --timepoint preop)" 1

record_all O2 "$TMP/w2.json" 0.037
is "O2 records 18 readings" "$(wc -l <"$TMP/recorded.O2")" 18
o1 $FXAUDIT observer worklist --study "$S" --observer O1 >/dev/null
o1 $FXAUDIT measure list --study "$S" --observer O1 >/dev/null
o1 $FXAUDIT observer worklist --study "$S" --observer O1 --export "$TMP/reading-O1" >/dev/null
is "the reading folder's list says no case has a CT image yet" \
    "$(jq -c '[.cases[].image] | unique' "$TMP/reading-O1/worklist.json")" "[null]"
is "O1's worklist shows all six cases done" \
    "$(o1 $FXAUDIT observer worklist --study "$S" --observer O1 --json | jq '[.cases[] | select(.done)] | length')" 6

is "blinding: nothing O1's commands printed contains a study code" "$(grep -c 'P0[123]' "$O1LOG")" 0
# (time stamps are taken out first: their milliseconds could end in .x37)
sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z//g' "$O1LOG" >"$TMP/o1.values"
is "blinding: nothing O1's commands printed contains an O2 value" \
    "$(grep -Ec '[0-9]\.[0-9]37' "$TMP/o1.values")" 0
grep -E 'P0[123]|[0-9]\.[0-9]37' "$TMP/o1.values" | sed 's/^/# leaked: /' 
is "blinding: O1's commands printed something to search" "$(test -s "$O1LOG" && echo yes)" yes
is "blinding: the audit log names cases, not patients, for readings" \
    "$(sqlite3 "$S/study.db" "SELECT count(*) FROM audit_log WHERE what LIKE 'measurement%P0%' OR what LIKE 'case add%P0%'")" 0

# What each observer recorded for a patient's time point, by the blinding key.
key() { # OBSERVER PATIENT TIMEPOINT -> case code
    sqlite3 "$S/study.db" "SELECT c.case_code FROM blinded_cases c JOIN observers o ON o.id = c.observer_id JOIN patients p ON p.id = c.patient_id WHERE o.code = '$1' AND p.code = '$2' AND c.timepoint = '$3'"
}
expected() { # PATIENT TIMEPOINT COLUMN(3=gap,4=step) AGG(max|mean) PLANE|all
    a=$(key O1 $1 $2)
    b=$(key O2 $1 $2)
    { awk -v c=$a '$1 == c' "$TMP/recorded.O1"; awk -v c=$b '$1 == c' "$TMP/recorded.O2"; } |
        awk -v col=$3 -v agg=$4 -v pl=$5 '
            { v[$2] = ($2 in v) ? (agg == "max" ? ($col > v[$2] ? $col : v[$2]) : v[$2] + $col / 2) \
                                : (agg == "max" ? $col : $col / 2) }
            END { if (pl != "all") { printf "%.6f", v[pl]; exit }
                  m = -1; for (p in v) if (v[p] > m) m = v[p]; printf "%.6f", m }'
}
r6() { awk -v x="$1" 'BEGIN { printf "%.6f", x }'; }

is "consensus status: all six cases ready" \
    "$($FXAUDIT consensus status --study "$S" --json | jq -c '[(.ready | length), .waiting]')" "[6,0]"
$FXAUDIT consensus show --study "$S" --patient P01 --timepoint preop --json >"$TMP/show.json"
is "consensus show: O1's and O2's axial values side by side" \
    "$(r6 "$(jq '.planes.axial.observers.O1.gap_mm' "$TMP/show.json")") $(r6 "$(jq '.planes.axial.observers.O2.gap_mm' "$TMP/show.json")")" \
    "$(awk -v c="$(key O1 P01 preop)" '$1 == c && $2 == "axial" { printf "%.6f", $3 }' "$TMP/recorded.O1") $(awk -v c="$(key O2 P01 preop)" '$1 == c && $2 == "axial" { printf "%.6f", $3 }' "$TMP/recorded.O2")"
is "consensus show: the mean of the coronal step-offs" \
    "$(r6 "$(jq '.planes.coronal.mean.step_mm' "$TMP/show.json")")" "$(expected P01 preop 4 mean coronal)"

$FXAUDIT consensus record --study "$S" --patient P01 --timepoint postop --rule max --json >"$TMP/rec.json"
is "rule max: the patient gap is the largest over planes and observers" \
    "$(r6 "$(jq .gap_mm "$TMP/rec.json")")" "$(expected P01 postop 3 max all)"
is "rule max: the patient step-off likewise" \
    "$(r6 "$(jq .step_mm "$TMP/rec.json")")" "$(expected P01 postop 4 max all)"
g=$(jq .gap_mm "$TMP/rec.json")
st=$(jq .step_mm "$TMP/rec.json")
want_matta=$(awk -v g="$g" -v s="$st" 'BEGIN { d = g > s ? g : s; print d <= 1 ? "anatomical" : d <= 3 ? "imperfect" : "poor" }')
want_ct=$(awk -v g="$g" -v s="$st" 'BEGIN { print g < 5 && s < 1 ? "adequate" : "inadequate" }')
is "the consensus is graded by matta and ct" \
    "$(jq -c '[.grades[] | [.scheme, .grade]]' "$TMP/rec.json")" "[[\"matta\",\"$want_matta\"],[\"ct\",\"$want_ct\"]]"
is "a second consensus of the same case is refused (exit 1)" \
    "$(status_of $FXAUDIT consensus record --study "$S" --patient P01 --timepoint postop --rule mean)" 1
$FXAUDIT consensus record --study "$S" --patient P02 --timepoint postop --axial 1,0.5 --coronal 2,0 --sagittal 0.5,1 --json >"$TMP/meet.json"
is "agreed values: patient value max over planes, graded at the boundary (step 1 mm)" \
    "$(jq -c '[.method, .gap_mm, .step_mm, [.grades[].grade]]' "$TMP/meet.json")" \
    '["consensus-meeting",2,1,["imperfect","inadequate"]]'
is "the grades are stored with the consensus" \
    "$(sqlite3 "$S/study.db" "SELECT group_concat(x, ' ') FROM (SELECT scheme || '=' || grade AS x FROM grades g JOIN patients p ON p.id = g.patient_id WHERE p.code = 'P02' ORDER BY g.id)")" \
    "matta=imperfect ct=inadequate"
is "an incomplete set of agreed planes is a usage error" \
    "$(status_of $FXAUDIT consensus record --study "$S" --patient P02 --timepoint preop --axial 1,0.5)" 2

# Export for agreement statistics.
ok_if "consensus export writes a CSV" $FXAUDIT consensus export --study "$S" -o "$TMP/readings.csv"
is "the export has one row per patient, time point and plane, repeats in their own columns" \
    "$(sed -n 1p "$TMP/readings.csv") $(($(wc -l <"$TMP/readings.csv") - 1))" \
    "patient,timepoint,plane,O1_gap,O1_step,O1_gap_r2,O1_step_r2,O2_gap,O2_step 18"
is "inter-observer ICC from the export uses all 18 rows" \
    "$($FXAUDIT stats icc "$TMP/readings.csv" --cols O1_gap,O2_gap --json | jq -c '[.n, .dropped]')" "[18,0]"
is "intra-observer ICC from the export uses the 2 repeated rows" \
    "$($FXAUDIT stats icc "$TMP/readings.csv" --cols O1_gap,O1_gap_r2 --json | jq -c '[.n, .dropped]')" "[2,16]"
$FXAUDIT consensus agreement --study "$S" --json >"$TMP/agree.json"
is "consensus agreement: inter-observer gap ICC as stats icc gives on the export" \
    "$(jq -c '.inter_observer.gap_mm | [.n, .icc, .conf_int, .p]' "$TMP/agree.json")" \
    "$($FXAUDIT stats icc "$TMP/readings.csv" --cols O1_gap,O2_gap --json | jq -c '[.n, .icc, .conf_int, .p]')"
is "consensus agreement: O1 - O2 step-off bias and limits as stats bland-altman gives" \
    "$(jq -c '.bland_altman[] | select(.quantity == "step_mm") | [.n, .bias, .loa]' "$TMP/agree.json")" \
    "$($FXAUDIT stats bland-altman "$TMP/readings.csv" --cols O1_step,O2_step --json | jq -c '[.n, .bias, .loa]')"
is "consensus agreement: intra-observer for O1 only, on its 2 repeated planes" \
    "$(jq -c '[.intra_observer[] | [.observer, .quantity, .icc.n]]' "$TMP/agree.json")" \
    '[["O1","gap_mm",2],["O1","step_mm",2]]'
ok_if "consensus agreement prints a text summary" $FXAUDIT consensus agreement --study "$S"
ok_if "the study still verifies after the session" $FXAUDIT study verify --study "$S"
done_testing
