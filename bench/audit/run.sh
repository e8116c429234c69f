#!/bin/sh
# bench/audit/run.sh - one clinical-size patient through the study pipeline that
# issue 6 times: study init, import of the pre-op and the post-op DICOM series,
# plan, audit (post-op bone model, registration, screws, matching). Each step is
# timed with the wall clock; the whole run is repeated RUNS times (3) and the
# median of each step is printed, with the machine's load from `uptime`.
#
# usage: bench/audit/run.sh [FXAUDIT] [WORKDIR] [PATIENT_DIR]
#   FXAUDIT      the fxaudit binary (default: build/fxaudit)
#   WORKDIR      scratch folder (default: a new mktemp -d; removed at the end)
#   PATIENT_DIR  a phantom patient folder (preop/, postop/, truth.json,
#                preop_labels.nrrd) of `fxaudit phantom --size clinical`; without
#                it one is generated (seed 3, ~1-3 min, not timed)
# Not part of `make check`: it takes minutes and needs ~1 GB of disk.
set -eu
FX=${1:-build/fxaudit}
RUNS=${RUNS:-3}
W=${2:-$(mktemp -d)}
P=${3:-}
command -v jq >/dev/null || { echo "jq is needed" >&2; exit 1; }
if [ -z "$P" ]; then
    "$FX" phantom --out "$W/cohort" --patients 1 --seed 3 --size clinical >/dev/null
    P="$W/cohort/P01"
fi
T="$P/truth.json"
# the surgeon's plan inputs, as the demo makes them from the truth
jq '{screws: [.planned_screws.screws[] | {name: ("S" + (.id | tostring)), entry,
     target: .tip, diameter_mm, length_mm}]}' "$T" > "$W/screws.json"
jq '{plates: [.plates[] | {name, width_mm, thickness_mm, offset_mm: 0.5,
     path: .planned.path}]}' "$T" > "$W/plates.json"
roles=$(jq -r '[.fragments[] | "\(.label):" + (if .kind == "intact" then "reference"
     elif .kind == "fragment" then "fragment" elif (.name | test("injured"))
     then "femur-injured" else "femur-intact" end)] | join(",")' "$T")
side=$(jq -r .patient.injured_side "$T")

now() { date +%s.%N; }
step() { # name command...: runs it, appends "name seconds" to $W/times
    name=$1; shift
    t0=$(now)
    "$@" >"$W/out.$name" 2>"$W/err.$name" || { echo "$name failed:" >&2; cat "$W/err.$name" >&2; exit 1; }
    echo "$name $(echo "$(now) - $t0" | bc)" >> "$W/times"
}
: > "$W/times"
echo "load before: $(uptime)"
for r in $(seq "$RUNS"); do
    S="$W/study$r"
    rm -rf "$S"
    step init "$FX" study init "$S" --title bench
    "$FX" patient add --study "$S" --code P01 --side "$side" >/dev/null
    step import_preop "$FX" import --study "$S" --patient P01 --timepoint preop "$P/preop"
    step import_postop "$FX" import --study "$S" --patient P01 --timepoint postop "$P/postop"
    step plan "$FX" plan create --study "$S" --patient P01 --side "$side" \
        --labels "$P/preop_labels.nrrd" --roles "$roles" --screws "$W/screws.json" \
        --plates "$W/plates.json"
    step audit "$FX" audit --study "$S" --patient P01 --timings --json
    sed -n 's/^timings (s, wall): //p' "$W/err.audit" | sed "s/^/run $r audit stages: /"
    jq -c '{placed, planned, unmatched_candidates, seconds}' "$W/out.audit" | sed "s/^/run $r: /"
    rm -rf "$S"
done
echo "load after: $(uptime)"
echo "median of $RUNS runs (s, wall):"
total=0
for name in init import_preop import_postop plan audit; do
    m=$(awk -v n="$name" '$1 == n { print $2 }' "$W/times" | sort -g |
        awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
    printf "  %-14s %.2f\n" "$name" "$m"
    [ "$name" = init ] || total=$(echo "$total + $m" | bc)
done
printf "  %-14s %.2f (both imports + plan + audit: sum of the medians)\n" patient "$total"
[ -n "${2:-}" ] || rm -rf "$W"
