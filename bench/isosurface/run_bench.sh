#!/bin/sh
# run_bench.sh - the isosurface benchmark, both tools in one run on the same
# phantom and iso-value: fxaudit (bench_iso) and VTK 9.1 (vtk_bench.py).
#   usage: bench/isosurface/run_bench.sh BUILD_DIR [RUNS] [SMOOTH_ITERATIONS] [ISO]
# Needs python3-vtk9 (/usr/bin/python3). Prints both JSON results and a table.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$1
runs=${2:-5}
iters=${3:-20}
iso=${4:-226}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fxbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
make -C "$build" bench/isosurface/bench_iso >/dev/null
"$build/bench/isosurface/bench_iso" --out "$tmp/phantom.nrrd" --runs "$runs" --smooth "$iters" \
    --iso "$iso" >"$tmp/fx.json"
/usr/bin/python3 "$here/vtk_bench.py" "$tmp/phantom.nrrd" "$iso" "$runs" "$iters" >"$tmp/vtk.json"
echo "# $(uptime)"
cat "$tmp/fx.json" "$tmp/vtk.json"
jq -s -r '.[0] as $f | .[1] as $v |
  ["step", "fxaudit s", "VTK s", "VTK / fxaudit"],
  (["extract_1t_s", "extract_2t_s", "smooth_1t_s", "smooth_2t_s"][] as $k |
   [$k, ($f[$k] * 1000 | round / 1000), ($v[$k] * 1000 | round / 1000),
    ($v[$k] / $f[$k] * 100 | round / 100)]) | @tsv' "$tmp/fx.json" "$tmp/vtk.json"
