#!/bin/sh
# interleave.sh - before/after timing of fxaudit's ICP on a shared machine:
# two bench_icp binaries (e.g. the previous commit's and this one's), one and
# two threads, ICP alone (--init none) and the default start-pose search
# (auto), each configuration run once per round in a rotating order, ROUNDS
# rounds, the load average recorded with every run. Per run: the sum over the
# cases of each case's median wall and CPU time (bench_icp's columns 2 and 3).
#
# usage: bench/icp/interleave.sh BEFORE_BIN AFTER_BIN CASEDIR NCASES REPEATS ROUNDS
# CASEDIR from make_cases.py (see run.sh). Prints every run, then the medians.
set -eu
before=$1 after=$2 cases=$3 n=$4 reps=$5 rounds=$6
OMP_WAIT_POLICY=passive
export OMP_WAIT_POLICY
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fxinter.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
configs="before:1:none after:1:none before:2:none after:2:none before:1:auto after:1:auto before:2:auto after:2:auto"
echo "| round | binary | threads | init | wall s (sum of $n cases) | CPU s | load average (1 min) |"
echo "|---|---|---|---|---|---|---|"
r=1
while [ "$r" -le "$rounds" ]; do
    # rotate the order each round, so no configuration always runs first
    order=$(echo "$configs" | awk -v k=$(( (r - 1) % 8 )) '{
        for (i = 0; i < NF; i++) printf "%s ", $(((i + k) % NF) + 1) }')
    for c in $order; do
        bin=$(echo "$c" | cut -d: -f1) th=$(echo "$c" | cut -d: -f2) init=$(echo "$c" | cut -d: -f3)
        exe=$before
        [ "$bin" = after ] && exe=$after
        OMP_NUM_THREADS=$th "$exe" "$cases" "$n" "$reps" "$th" "$init" >"$tmp/out"
        load=$(cut -d' ' -f1 /proc/loadavg)
        w=$(awk '{ s += $2 } END { printf "%.4f", s }' "$tmp/out")
        cpu=$(awk '{ s += $3 } END { printf "%.4f", s }' "$tmp/out")
        echo "$c $w $cpu $load" >>"$tmp/all"
        echo "| $r | $bin | $th | $init | $w | $cpu | $load |"
    done
    r=$((r + 1))
done
echo
echo "| binary | threads | init | runs | median wall s | median CPU s | load averages |"
echo "|---|---|---|---|---|---|---|"
for c in $configs; do
    grep "^$c " "$tmp/all" | awk -v c="$c" '
        { w[NR] = $2; u[NR] = $3; l = (NR == 1 ? $4 : l ", " $4) }
        function med(a, n,   i, j, t) {
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
            return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        }
        END { split(c, k, ":"); printf "| %s | %s | %s | %d | %.4f | %.4f | %s |\n", k[1], k[2], k[3], NR, med(w, NR), med(u, NR), l }'
done
