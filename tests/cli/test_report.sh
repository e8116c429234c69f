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

done_testing
