#!/bin/sh
# run.sh - fxaudit's DICOM import side by side with dcm2niix on one synthetic
# 512 x 512 x 600 CT series (written by `fxaudit dicom synth` through GDCM).
#
#   bench/dicom/run.sh [FXAUDIT] [WORKDIR]
#
# Times, with hyperfine, medians of 7 interleaved rounds after a warm-up round
# (the files are in the page cache for both tools):
#   scan+sort:  fxaudit dicom info DIR --json     vs  dcm2niix -b o (sidecar only)
#   full load:  fxaudit dicom load DIR --no-gzip  vs  dcm2niix -z n (whole conversion)
# and peak memory (maximum resident set, GNU time -v) against the volume's size.
# Writes bench/dicom/RESULTS.md. Not part of `make check`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
fx=${1:-$here/../../build/fxaudit}
work=${2:-${TMPDIR:-/tmp}/fxbench-dicom}
runs=${RUNS:-7}
dims=512x512x600
vol_bytes=$((512 * 512 * 600 * 2))

for tool in hyperfine dcm2niix jq /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool is needed" >&2; exit 1; }
done
[ -x "$fx" ] || { echo "run.sh: no fxaudit at $fx (build first)" >&2; exit 1; }

mkdir -p "$work/out"
if [ ! -f "$work/series/IM00600.dcm" ]; then
    echo "writing the $dims series to $work/series ..." >&2
    rm -rf "$work/series"
    "$fx" dicom synth -o "$work/series" --dims $dims --spacing 0.7x0.7x0.8
fi

S=$work/series
O=$work/out
# Seven rounds; in each, hyperfine runs every command once, one after the
# other, so that the changing load of a shared machine falls on all of them
# alike (hyperfine's own loop would run one command's runs back to back). The
# order of the two tools alternates from round to round, and before every run
# the outputs are deleted and dirty pages flushed (sync), so that no run pays
# for writing back the previous one's 300 MB. One warm-up round first, not
# counted.
rm -f "$work"/round*.json
prep="rm -f $O/hdr.json $O/vol.nrrd $O/vol.nii $O/vol.json; sync"
r=0
while [ "$r" -le "$runs" ]; do
    fx_scan="-n|fxaudit scan+sort|$fx dicom info $S --json"
    d2_scan="-n|dcm2niix scan+sort|dcm2niix -b o -o $O -f hdr $S"
    fx_load="-n|fxaudit full load|$fx dicom load $S --no-gzip -o $O/vol.nrrd"
    d2_load="-n|dcm2niix conversion|dcm2niix -z n -b n -o $O -f vol $S"
    if [ $((r % 2)) -eq 0 ]; then
        set -- "$fx_scan" "$d2_scan" "$fx_load" "$d2_load"
    else
        set -- "$d2_scan" "$fx_scan" "$d2_load" "$fx_load"
    fi
    args=""
    for c in "$@"; do
        IFS='|' read -r flag name cmd <<EOC
$c
EOC
        args="$args $flag '$name' '$cmd'"
    done
    eval hyperfine -N --runs 1 --export-json "'$work/round$r.json'" --prepare "'$prep'" \
        "$args" >/dev/null 2>&1
    r=$((r + 1))
done
rm -f "$work/round0.json" # the warm-up

# median over rounds of a field (.median is the one run's wall time, .user and
# .system its CPU times)
median() {
    for f in "$work"/round*.json; do
        jq -r ".results[] | select(.command == \"$1\") | $2" "$f"
    done | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
sf=$(median "fxaudit scan+sort" .median)
sd=$(median "dcm2niix scan+sort" .median)
lf=$(median "fxaudit full load" .median)
ld=$(median "dcm2niix conversion" .median)
cf=$(median "fxaudit full load" "(.user + .system)")
cd=$(median "dcm2niix conversion" "(.user + .system)")
load=$(cat /proc/loadavg | cut -d' ' -f1-3)

peak_kb() { # max RSS in kB of a command, fresh output each time
    rm -f "$O"/vol.*
    /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident/ {gsub(/ /, "", $2); print $2}'
}
mf=$(peak_kb "$fx" dicom load "$S" --no-gzip -o "$O/vol.nrrd")
md=$(peak_kb dcm2niix -z n -b n -o "$O" -f vol "$S")

fmt() { awk "BEGIN { printf \"%.3f\", $1 }"; }
cat >"$here/RESULTS.md" <<EOT
# DICOM import benchmark: fxaudit vs dcm2niix

Series: $dims int16 CT written by \`fxaudit dicom synth\` (600 files, explicit VR
little endian, $((vol_bytes / 1048576)) MiB of voxels). Machine: $(nproc) cores,
$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) RAM, shared with other jobs;
dcm2niix $(dcm2niix -v 2>&1 | grep -m1 -o 'v1\.[0-9.]*' || true); fxaudit $("$fx" --version | cut -d' ' -f2).
Command: \`bench/dicom/run.sh\` ($(date -u '+%Y-%m-%d %H:%M') UTC), medians of $runs interleaved
rounds timed by hyperfine after one warm-up round (files in the page cache), outputs
deleted and \`sync\` run before each run, the tools' order alternating between rounds;
load average at the end: $load (the machine is shared).

| step | fxaudit | dcm2niix | ratio fxaudit / dcm2niix | goal |
|---|---|---|---|---|
| header scan + sort | $(fmt "$sf") s (\`dicom info --json\`) | $(fmt "$sd") s (\`-b o\`, sidecar only) | $(fmt "$sf / $sd") | ≤ 1 s |
| full load to HU + write | $(fmt "$lf") s (\`dicom load --no-gzip\`) | $(fmt "$ld") s (\`-z n\`, whole conversion) | $(fmt "$lf / $ld") | ratio ≤ 1 |
| same, CPU time (user + sys) | $(fmt "$cf") s | $(fmt "$cd") s | $(fmt "$cf / $cd") | |
| peak memory (max RSS) | $((mf / 1024)) MiB = $(fmt "$mf * 1024 / $vol_bytes") × volume | $((md / 1024)) MiB = $(fmt "$md * 1024 / $vol_bytes") × volume | $(fmt "$mf / $md") | ≤ 1.3 × volume |

Commands timed:

    $fx dicom info SERIES --json
    dcm2niix -b o -o OUT -f hdr SERIES
    $fx dicom load SERIES --no-gzip -o OUT/vol.nrrd
    dcm2niix -z n -b n -o OUT -f vol SERIES
    /usr/bin/time -v <each load command>   # peak memory
EOT
cat "$here/RESULTS.md"
