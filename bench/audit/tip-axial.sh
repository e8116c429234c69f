#!/bin/sh
# bench/audit/tip-axial.sh - per placed and found screw of a phantom cohort, the
# signed errors along the true axis (recovered - true, mm; + = deeper) of the
# entry and the tip found by `fxaudit validate --stage audit`, from truth.json.
# Not part of `make check`; used for docs/audit.md ("The phantom's volume
# mixing and the tips").
#
# usage: bench/audit/tip-axial.sh COHORT_DIR VALIDATE_JSON
set -eu
C=$1
J=$2
for P in $(ls "$C" | grep '^P'); do
    jq -n --slurpfile t "$C/$P/truth.json" --slurpfile v "$J" --arg p "$P" -r '
     ($v[0].patients[] | select(.code == $p) | .audit.screws) as $vs |
     $t[0].actual_screws.screws[] | select(.placed) | . as $ts |
     ($vs[] | select(.id == $ts.id and .found)) as $r |
     ([range(3)] | map($ts.tip[.] - $ts.entry[.])) as $d | ($d | map(. * .) | add | sqrt) as $L |
     ($d | map(. / $L)) as $u |
     ([range(3)] | map(($r.postop_entry[.] - $ts.entry[.]) * $u[.]) | add) as $ea |
     ([range(3)] | map(($r.postop_tip[.] - $ts.tip[.]) * $u[.]) | add) as $ta |
     "\($p) S\($ts.id) entry_ax=\($ea * 100 | round / 100) tip_ax=\($ta * 100 | round / 100) len_err=\($r.length_err_mm * 100 | round / 100)"'
done
