#!/bin/sh
# run.sh - the ICP benchmark: fxaudit against Open3D 0.16 side by side, on the
# same inputs, in one run; then the k-d tree's queries per second.
#
# usage: bench/icp/run.sh BUILD_DIR [NCASES] [REPEATS]
# Needs python3-open3d and numpy (Debian), and the Stanford bunny in
# $FXAUDIT_SHARED_DATA/meshes. Prints a Markdown table (medians over the cases
# of the per-case medians over the repeats).
set -eu
build=$(cd "${1:?usage: run.sh BUILD_DIR [NCASES] [REPEATS]}" && pwd)
n=${2:-10}
reps=${3:-5}
here=$(cd "$(dirname "$0")" && pwd)
data=${FXAUDIT_SHARED_DATA:-$here/../../../shared/data}
py=/usr/bin/python3 # Debian's python, where python3-open3d lives
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fxbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Both tools use OpenMP; passive waiting keeps idle threads from spinning,
# which on a shared, oversubscribed machine only steals time from the others.
OMP_WAIT_POLICY=passive
export OMP_WAIT_POLICY
make -C "$build" bench/icp/bench_icp bench/icp/bench_kdtree >/dev/null
$py "$here/make_cases.py" "$data/meshes/stanford_bunny_vtkdata.ply" "$tmp" "$n"
for th in 1 2; do
    OMP_NUM_THREADS=$th "$build/bench/icp/bench_icp" "$tmp" "$n" "$reps" $th auto >"$tmp/fxaudit-auto-$th"
    OMP_NUM_THREADS=$th "$build/bench/icp/bench_icp" "$tmp" "$n" "$reps" $th none >"$tmp/fxaudit-none-$th"
    OMP_NUM_THREADS=$th $py "$here/open3d_icp.py" "$tmp" "$n" "$reps" >"$tmp/open3d-$th"
done

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
row() { # file label threads
    f=$1
    w=$(awk '{ print $2 }' "$f" | median)
    c=$(awk '{ print $3 }' "$f" | median)
    awk -v label="$2" -v th="$3" -v w="$w" -v c="$c" '
        { if ($4 > r) r = $4; if ($5 > t) t = $5; if ($4 > 0.05 || $5 > 0.05) bad++ }
        END { printf "| %s | %d | %.4f | %.4f | %.4f | %.4f | %d of %d |\n", label, th, w, c, r, t, bad, NR }' "$f"
}
echo "| tool | threads | wall s (median) | CPU s (median) | max rotation error deg | max translation error mm | cases off by > 0.05 |"
echo "|---|---|---|---|---|---|---|"
for th in 1 2; do
    row "$tmp/fxaudit-auto-$th" "fxaudit (default: start-pose search)" $th
    row "$tmp/fxaudit-none-$th" "fxaudit --init none (ICP only)" $th
    row "$tmp/open3d-$th" "Open3D 0.16 point-to-plane, 3 levels" $th
done
echo
for th in 1 2; do
    for v in auto none; do
        for col in 2 3; do
            a=$(awk -v c=$col '{ print $c }' "$tmp/open3d-$th" | median)
            b=$(awk -v c=$col '{ print $c }' "$tmp/fxaudit-$v-$th" | median)
            awk -v a="$a" -v b="$b" -v th=$th -v v=$v -v col=$col 'BEGIN {
                printf "Open3D / fxaudit (%s), %d thread(s), %s: %.2f\n", v, th, col == 2 ? "wall" : "CPU", a / b }'
        done
    done
done
echo
# one core: bench_kdtree times its own thread, and the batch query is parallel
OMP_NUM_THREADS=1 "$build/bench/icp/bench_kdtree"
