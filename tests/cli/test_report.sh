#!/bin/sh
# test_report.sh - `fxaudit demo` on 2 small phantom patients, then the PDF
# reports read back through poppler: the numbers printed are those in the
# store (sqlite3) and in the phantom's truth (jq), the footer names the
# database's SHA-256 (sha256sum), no hospital ID appears without --identity,
# page counts agree with the footers, and without gnuplot the reports are still
# written with notes and one warning. Pages are kept as PNG in
# build/tests/artefacts/ for people to look at.
. "$FX_SRCDIR/tests/cli/tap.sh"

for t in pdftotext pdfinfo pdftoppm sqlite3 sha256sum; do
    command -v $t >/dev/null 2>&1 || skip_all "$t is not installed"
done
ART="$FX_BUILDDIR/tests/artefacts"
mkdir -p "$ART"
D="$TMP/demo"
S="$D/study"
R="$S/reports"

ok_if "fxaudit demo runs the whole job on 2 small patients" \
    "$FXAUDIT" demo --out "$D" --patients 2
is "it writes the study report and one report per patient" \
    "$(ls "$R" | grep -c '\.pdf$')" 3
is "the study has the two patients of the phantom" \
    "$(sqlite3 "$S/study.db" 'SELECT group_concat(code) FROM patients')" \
    "$(jq -r .patient.code "$D"/cohort/P*/truth.json | paste -sd, -)"

pdftotext -layout "$R/study.pdf" "$TMP/study.txt"
pdftotext -layout "$R/P01.pdf" "$TMP/p01.txt"

# cohort table: each patient's line holds the truth's fracture type and approach
for t in "$D"/cohort/P*/truth.json; do
    code=$(jq -r .patient.code "$t")
    line=$(grep "^ *$code " "$TMP/study.txt" | head -1)
    for k in fracture_type approach age_band trauma_mechanism; do
        v=$(jq -r ".patient.$k" "$t")
        is "study report: $code $k is the truth's ($v)" \
            "$(printf '%s\n' "$line" | grep -c -- " $v ")" 1
    done
done

# SMFA function index medians: n = 2, so the median is the mean of the two
# truth values (docs/phantom.md: the truth's indices are (sum - k)/(4k) x 100)
for occ in pre_injury 3_months 1_year; do
    med=$(jq -s "[.[].smfa.function_index[\"$occ\"]] | add / 2" "$D"/cohort/P*/truth.json)
    want=$(printf '%.1f' "$med")
    is "study report: SMFA function median at $occ is the truth's ($want)" \
        "$(grep '^ *function ' "$TMP/study.txt" | head -1 | grep -c " $want ")" 1
done

# reduction: Table 2's pre-op and post-op gap medians are those of the
# consensus 'max' rows (n = 2: the mean of the two), printed to 0.1 mm
col=3
for tp in preop postop; do
    want=$(sqlite3 "$S/study.db" "SELECT avg(gap_mm) FROM consensus WHERE \
        plane = 'max' AND timepoint = '$tp'")
    near "study report: median $tp gap is the store's consensus ($want mm)" \
        "$(grep '^ *Gap (mm)  ' "$TMP/study.txt" | head -1 | awk -v c=$col '{print $c}')" "$want" 0.0501
    col=6
done
for tp in preop postop; do
    want=$(sqlite3 "$S/study.db" "SELECT c.gap_mm FROM consensus c JOIN \
        patients p ON p.id = c.patient_id WHERE p.code = 'P01' AND c.plane = 'max' AND \
        c.timepoint = '$tp'")
    near "patient report: P01 $tp consensus gap is the store's ($want mm)" \
        "$(grep "^ *$tp  *max " "$TMP/p01.txt" | awk '{print $3}')" "$want" 0.0501
done
# the software's estimates (Table 3a) are the store's, each labelled by its method
for m in CT plan; do
    like=$([ "$m" = plan ] && echo "LIKE 'fxaudit domeplan%'" || echo "NOT LIKE 'fxaudit domeplan%'")
    want=$(sqlite3 "$S/study.db" "SELECT d.gap_mm FROM dome_estimates d JOIN patients p ON \
        p.id = d.patient_id WHERE p.code = 'P01' AND d.plane = 'max' AND \
        d.timepoint = 'postop' AND d.method $like")
    near "patient report: P01 post-op $m estimate gap is the store's ($want mm)" \
        "$(grep -E "^ *postop  +$m  +max " "$TMP/p01.txt" | awk '{print $4}')" "$want" 0.0501
done
n_meas=$(sqlite3 "$S/study.db" "SELECT count(*) FROM measurement_view WHERE patient = 'P01'")
is "patient report: every reading of P01 is listed ($n_meas)" \
    "$(grep -cE '^ *(preop|postop)  +(axial|coronal|sagittal)  +OBS[12] ' "$TMP/p01.txt")" "$n_meas"
is "the two simulated observers read blinded cases, not patients" \
    "$(sqlite3 "$S/study.db" "SELECT count(*) FROM blinded_cases c JOIN patients p ON \
        p.id = c.patient_id WHERE c.case_code = p.code")" 0

# the plan: each planned screw's length is the truth's planned length
jq -r '.planned_screws.screws[] | "S\(.id) \(.length_mm)"' "$D/cohort/P01/truth.json" |
    while read -r name len; do
        printf '%s %s\n' "$name" "$(grep "^ *$name  " "$TMP/p01.txt" | head -1 | awk '{print $3}')"
        printf '%s %s\n' "$name" "$(printf '%.0f' "$len")" >&3
    done 3>"$TMP/want_len" >"$TMP/got_len"
is "patient report: planned screw lengths are the truth's" \
    "$(cat "$TMP/got_len")" "$(cat "$TMP/want_len")"

# screws: no audit rows yet, and the reports say so
if [ "$(sqlite3 "$S/study.db" 'SELECT count(*) FROM screw_deviations')" = 0 ]; then
    ok_if "study report: screw deviations 'not recorded yet'" grep -q "not recorded yet" "$TMP/study.txt"
    ok_if "patient report: the audit has not been run" \
        grep -q "audit has not been run" "$TMP/p01.txt"
else
    # the post-op CT's voxels, as the store's series row has them, under Table 5
    v=$(sqlite3 "$S/study.db" "SELECT printf('%.2f × %.2f × %.2f', spacing_x_mm, spacing_y_mm, \
        spacing_z_mm) FROM series s JOIN patients p ON p.id = s.patient_id WHERE p.code = 'P01' \
        AND s.timepoint = 'postop'")
    ok_if "patient report: the post-op CT's voxels ($v mm) and that they are coarser than 1 mm" \
        sh -c "tr '\n' ' ' <'$TMP/p01.txt' | tr -s ' ' |
               grep -q 'Post-operative CT voxels $v mm: coarser than the 1 mm slices'"
fi

# the footer: database hash, input checksums, page X of Y on every page
db=$(sha256sum "$S/study.db" | cut -c1-16)
for f in study P01 P02; do
    pages=$(pdfinfo "$R/$f.pdf" | awk '/^Pages:/ {print $2}')
    is "$f.pdf: the footer on each of its $pages pages names the database SHA-256 $db" \
        "$(pdftotext "$R/$f.pdf" - | grep -c "database SHA-256 $db")" "$pages"
    is "$f.pdf: the last page says page $pages of $pages" \
        "$(pdftotext "$R/$f.pdf" - | grep -c "page $pages of $pages")" 1
    pdftoppm -r 60 -png "$R/$f.pdf" "$ART/demo_$f"
done
ok_if "study report: at least 5 pages" test "$(pdfinfo "$R/study.pdf" | awk '/^Pages:/ {print $2}')" -ge 5
sha=$(sqlite3 "$S/study.db" "SELECT s.sha256 FROM series s JOIN patients p ON \
    p.id = s.patient_id WHERE p.code = 'P01' AND s.timepoint = 'postop'")
is "patient report: the post-op CT's full SHA-256 from the series table" \
    "$(pdftotext "$R/P01.pdf" - | tr -d ' \n' | grep -c "$sha")" 1

# identity only with --identity
printf 'HOSP-4417-2209\n' | "$FXAUDIT" keyfile add --keyfile "$TMP/key.csv" --code P01 >/dev/null
ok_if "report patient without --identity" "$FXAUDIT" report patient --study "$S" \
    --patient P01 -o "$TMP/p01-plain.pdf"
is "no hospital ID in any report written without --identity" \
    "$(for f in "$R"/*.pdf "$TMP/p01-plain.pdf"; do pdftotext "$f" -; done | grep -c 'HOSP-4417')" 0
ok_if "report patient --identity KEYFILE" "$FXAUDIT" report patient --study "$S" \
    --patient P01 --identity "$TMP/key.csv" -o "$TMP/p01-id.pdf"
is "with --identity the hospital ID from the key file is printed" \
    "$(pdftotext "$TMP/p01-id.pdf" - | grep -c 'HOSP-4417-2209')" 1

# without gnuplot: written, with notes, one warning
FXAUDIT_GNUPLOT=/nonexistent "$FXAUDIT" report study --study "$S" -o "$TMP/nognu.pdf" \
    >/dev/null 2>"$TMP/nognu.err"
is "without gnuplot the study report is written" "$(test -s "$TMP/nognu.pdf" && echo yes)" yes
is "and warns once on stderr" "$(grep -c warning "$TMP/nognu.err")" 1
ok_if "with a note where each figure would be" grep -q "Figure not drawn" \
    "$(pdftotext "$TMP/nognu.pdf" - >"$TMP/nognu.txt"; echo "$TMP/nognu.txt")"
pdftoppm -r 60 -png -f 2 -l 2 "$TMP/nognu.pdf" "$ART/demo_study_without_gnuplot"

# bad input
is "an unknown patient fails with exit 1" \
    "$(status_of "$FXAUDIT" report patient --study "$S" --patient P77 -o "$TMP/x.pdf")" 1
is "and writes nothing" "$(test -e "$TMP/x.pdf" && echo written || echo none)" none
is "demo refuses a folder that is not empty" "$(status_of "$FXAUDIT" demo --out "$D")" 1

# ---- CT slices at the dome (the demo gives the truth's dome point) ----------
# The phantom's dome: the hip centre (+-86, -5, 0) x scale of the anatomical
# frame plus the joint radius up its z axis, carried into a series by that
# series' anatomical_to_series (docs/phantom.md; as tests/cli/test_slices.sh).
dome_of() {
    jq -r --arg s "$2" '.series[$s].anatomical_to_series.matrix as $m | .model.scale as $k
        | .model.joint_radius_mm as $r
        | [(if .patient.injured_side == "left" then 86 else -86 end) * $k, -5 * $k, $r] as $a
        | [range(0;3) as $i | $m[4*$i]*$a[0] + $m[4*$i+1]*$a[1] + $m[4*$i+2]*$a[2] + $m[4*$i+3]]
        | map(tostring) | join(" ")' "$1"
}
pdftotext "$R/P01.pdf" - | tr '\n' ' ' >"$TMP/p01.flat"
domes=$(grep -o 'Dome point ([^)]*) mm in the pre-op CT; ([^)]*)' "$TMP/p01.flat" | tr -d '(),;' |
    awk '{print $3, $4, $5, $11, $12, $13}')
set -- $(dome_of "$D/cohort/P01/truth.json" preop)
for i in 1 2 3; do
    near "patient report: the pre-op slices go through the truth's dome (coordinate $i)" \
        "$(echo "$domes" | awk -v i=$i '{print $i}')" "$(eval echo \${$i})" 0.051
done
# the post-op point is the pre-op one under the inverse registration
# (x_plan = R x_post + t, so x_post = R^T (x_plan - t)), and so the truth's
# post-op dome within the registration's error
m=$(sqlite3 "$S/study.db" "SELECT r.matrix FROM registrations r JOIN patients p ON \
    p.id = r.patient_id WHERE p.code = 'P01' ORDER BY r.id DESC LIMIT 1")
inv=$(jq -rn --argjson m "$m" --arg p "$*" '($p | split(" ") | map(tonumber)) as $x
    | [$x[0] - $m[3], $x[1] - $m[7], $x[2] - $m[11]] as $d
    | [range(0;3) as $j | $m[$j]*$d[0] + $m[4+$j]*$d[1] + $m[8+$j]*$d[2]] | map(tostring) | join(" ")')
set -- $(dome_of "$D/cohort/P01/truth.json" postop)
for i in 1 2 3; do
    near "patient report: post-op dome = inverse registration of the pre-op one ($i)" \
        "$(echo "$domes" | awk -v i=$((i + 3)) '{print $i}')" "$(echo "$inv" | awk -v i=$i '{print $i}')" 0.051
    near "patient report: post-op dome = the truth's post-op dome within 0.5 mm ($i)" \
        "$(echo "$domes" | awk -v i=$((i + 3)) '{print $i}')" "$(eval echo \${$i})" 0.5
done
# one figure of 2 rows x 3 slices of 257 px (128 mm at 0.5 mm/px) with 16 px
# gutters and a 28 px title band per row: 3*257 + 2*16 = 803 by 2*(28+257) + 16 = 586
if command -v pdfimages >/dev/null 2>&1; then
    is "patient report: the dome slices are one 803 x 586 image" \
        "$(pdfimages -list "$R/P01.pdf" | awk '$4 == 803 && $5 == 586' | wc -l)" 1
fi
ok_if "without --dome the report says how to get the slices" sh -c \
    "'$FXAUDIT' report patient --study '$S' --patient P02 -o '$TMP/p02-nodome.pdf' >/dev/null &&
     pdftotext '$TMP/p02-nodome.pdf' - | tr '\n' ' ' | grep -q 'dome point was not given'"
is "report patient --dome with two numbers is a usage error" \
    "$(status_of "$FXAUDIT" report patient --study "$S" --patient P01 --dome 1,2 -o "$TMP/x.pdf")" 2

# ---- actual screws in the 3-D views ------------------------------------------
n_act=$(sqlite3 "$S/study.db" "SELECT count(*) FROM screw_deviations d JOIN plan_screws ps \
    ON ps.id = d.plan_screw_id JOIN plans pl ON pl.id = ps.plan_id JOIN patients p ON \
    p.id = pl.patient_id WHERE p.code = 'P01' AND d.actual_screw_id IS NOT NULL")
if [ "$n_act" -gt 0 ]; then
    is "patient report: three views of the plan against the post-op result ($n_act actual screws)" \
        "$(grep -o 'The plan against the post-op result, [a-z]* view' "$TMP/p01.flat" | sort -u | wc -l)" 3
fi

# Every patient whose audit located a plate draws it in the three views; the
# demo locates at least one (docs/audit-poses.md). Drawn from the reports
# made by demo itself.
n_with=0
for P in P01 P02; do
    n_plates=$(sqlite3 "$S/study.db" "SELECT count(*) FROM plate_deviations d JOIN registrations r \
        ON r.id = d.registration_id JOIN patients p ON p.id = r.patient_id WHERE p.code = '$P' \
        AND d.found = 1 AND r.id = (SELECT max(id) FROM registrations WHERE patient_id = p.id)")
    [ "$n_plates" -gt 0 ] || continue
    n_with=$((n_with + 1))
    is "patient report: the $n_plates plates $P's audit located are drawn in the three views" \
        "$(pdftotext "$R/$P.pdf" - | tr '\n' ' ' |
            grep -o 'and as found post-op (purple)' | wc -l)" 3
done
ok_if "the demo's audits locate a plate in at least one patient ($n_with)" test "$n_with" -gt 0

# ---- registration residuals: the histogram's counts are the stored ones ----
reg=$(sqlite3 "$S/study.db" "SELECT max(r.id) FROM registrations r JOIN patients p ON \
    p.id = r.patient_id WHERE p.code = 'P01'")
nbins=$(sqlite3 "$S/study.db" "SELECT count(*) FROM registration_residuals WHERE registration_id = $reg")
if [ "$nbins" -gt 0 ]; then
    got=$(grep -o 'in [0-9]* bins; n = [0-9]* points, of which [0-9]*' "$TMP/p01.flat" | awk '{print $2, $6, $10}')
    is "patient report: histogram bins, points and inliers total the stored counts" "$got" \
        "$(sqlite3 -separator ' ' "$S/study.db" "SELECT count(*), sum(count), sum(count * inlier) \
            FROM registration_residuals WHERE registration_id = $reg")"
else
    echo "# registration_residuals is empty: the audit does not store residuals yet"
fi

# ---- observer agreement: the ICC table against consensus agreement / stats icc
"$FXAUDIT" consensus agreement --study "$S" --json >"$TMP/agr.json"
"$FXAUDIT" consensus export --study "$S" -o "$TMP/all.csv"
icc_line() { # quantity word, time point word, readers pattern -> "icc lo hi"
    grep "^ *$1  *$2  *$3" "$TMP/study.txt" | head -1 | sed 's/.*observers\|.*repeat//' |
        awk '{print $2, $3, $5}'
}
for q in gap step; do
    word=Gap; [ $q = step ] && word=Step-off
    is "study report: $word over both time points = consensus agreement --json" \
        "$(icc_line "$word" both '2 observers')" \
        "$(jq -r ".inter_observer.${q}_mm | [.icc, .conf_int[0], .conf_int[1]] |
            map(tostring) | join(\" \")" "$TMP/agr.json" |
            awk '{printf "%.3f %.3f %.3f", $1, $2, $3}')"
    for tp in preop postop; do
        awk -F, -v t=$tp 'NR == 1 || $2 == t' "$TMP/all.csv" >"$TMP/$tp.csv"
        want=$("$FXAUDIT" stats icc "$TMP/$tp.csv" --cols OBS1_$q,OBS2_$q --json |
            jq -r '[.icc, .conf_int[0], .conf_int[1]] | map(tostring) | join(" ")' |
            awk '{printf "%.3f %.3f %.3f", $1, $2, $3}')
        is "study report: $word $tp ICC(2,1) and 95 % CI = stats icc on the $tp rows" \
            "$(icc_line "$word" "$(echo $tp | sed 's/op$/-op/')" '2 observers')" "$want"
    done
done
ok_if "study report: no repeats yet, so intra-observer agreement is not assessed" \
    grep -q "intra-observer agreement is not assessed" "$TMP/study.txt"

# a second study (a copy) where OBS1 reads every case again, 0.3 mm more on
# the gap of the axial plane: the intra-observer rows appear
S2="$TMP/s2"
cp -r "$S" "$S2"
sqlite3 -separator ' ' "$S2/study.db" "SELECT m.case_code, m.timepoint, m.plane, m.gap_mm, \
    m.step_mm FROM measurement_view m WHERE m.observer = 'OBS1' AND m.repeat_no = 1" |
    while read -r case tp plane gap step; do
        [ "$plane" = axial ] && gap=$(awk -v g="$gap" 'BEGIN { print g + 0.3 }')
        "$FXAUDIT" measure record --study "$S2" --observer OBS1 --case "$case" --timepoint "$tp" \
            --plane "$plane" --gap "$gap" --step "$step" --repeat >/dev/null || echo fail
    done >"$TMP/repeat.err"
is "OBS1's repeated readings are recorded" "$(cat "$TMP/repeat.err")" ""
"$FXAUDIT" report study --study "$S2" -o "$TMP/s2.pdf" >/dev/null
pdftotext -layout "$TMP/s2.pdf" "$TMP/s2.txt"
"$FXAUDIT" consensus export --study "$S2" -o "$TMP/all2.csv"
awk -F, 'NR == 1 || $2 == "postop"' "$TMP/all2.csv" >"$TMP/post2.csv"
is "study report: OBS1's intra-observer gap ICC post-op = stats icc on first vs repeat" \
    "$(grep '^ *Gap  *post-op  *OBS1, first vs repeat' "$TMP/s2.txt" | awk '{print $8, $9, $11}')" \
    "$("$FXAUDIT" stats icc "$TMP/post2.csv" --cols OBS1_gap,OBS1_gap_r2 --json |
        jq -r '[.icc, .conf_int[0], .conf_int[1]] | map(tostring) | join(" ")' |
        awk '{printf "%.3f %.3f %.3f", $1, $2, $3}')"
pdftoppm -r 60 -png -f 5 -l 6 "$TMP/s2.pdf" "$ART/demo_study_with_repeats"

# ---- fragment and plate poses: every stored row is printed as stored -------
# (an audit that does not locate fragments yet leaves the table empty: then
# one row is put into the copy with sqlite3)
if [ "$(sqlite3 "$S2/study.db" "SELECT count(*) FROM fragment_deviations WHERE \
        registration_id = $reg")" = 0 ]; then
    sqlite3 "$S2/study.db" "INSERT INTO fragment_deviations (plan_fragment_id, registration_id, \
        found, pose, dx_mm, dy_mm, dz_mm, translation_mm, rotation_deg, rms_mm, inlier_fraction) \
        SELECT f.id, $reg, 1, '[1,0,0,1.25,0,1,0,-0.5,0,0,1,2,0,0,0,1]', 1.25, -0.5, 2, 2.41, \
        3.7, 0.31, 0.9 FROM plan_fragments f JOIN plans pl ON pl.id = f.plan_id JOIN patients p \
        ON p.id = pl.patient_id WHERE p.code = 'P01' AND f.reference = 0 LIMIT 1"
fi
"$FXAUDIT" report patient --study "$S2" --patient P01 -o "$TMP/p01-poses.pdf" >/dev/null
pdftotext -layout "$TMP/p01-poses.pdf" "$TMP/p01-poses.txt"
for kind in fragment plate; do
    sqlite3 -separator '|' "$S2/study.db" "SELECT f.label, d.translation_mm, d.rotation_deg, \
        d.dx_mm, d.dy_mm, d.dz_mm, d.rms_mm FROM ${kind}_deviations d JOIN plan_${kind}s f ON \
        f.id = d.plan_${kind}_id WHERE d.registration_id = $reg AND d.found = 1" >"$TMP/$kind.rows"
    bad=0
    while IFS='|' read -r label tr rot dx dy dz rms; do
        got=$(grep "^ *$label  *yes  " "$TMP/p01-poses.txt" | head -1 |
            awk '{print $(NF-5), $(NF-4), $(NF-3), $(NF-2), $(NF-1), $NF}')
        awk -v g="$got" -v w="$tr $rot $dx $dy $dz $rms" 'BEGIN { n = split(g, a, " ");
            split(w, b, " "); if (n != 6) exit 1; for (i = 1; i <= 6; i++) {
            d = a[i] - b[i]; if (d < 0) d = -d; if (d > (i == 6 ? 0.0051 : 0.051)) exit 1 } }' ||
            { bad=$((bad + 1)); echo "# $kind $label: got '$got', stored $tr $rot $dx $dy $dz $rms"; }
    done <"$TMP/$kind.rows"
    is "patient report: each of the $(wc -l <"$TMP/$kind.rows") stored $kind deviations is printed as stored" \
        "$bad" 0
done

# no identity string of the phantom's DICOM headers in any report
is "no DICOM identity string (name PHANTOM^, ID FXPH, a 2.25. UID, study date) in any report" \
    "$(for f in "$R"/*.pdf "$TMP/s2.pdf" "$TMP/p01-poses.pdf"; do pdftotext "$f" -; done |
        grep -c 'PHANTOM\|FXPH\|2\.25\.[0-9]\{8\}\|20250312\|20250301')" 0

done_testing
