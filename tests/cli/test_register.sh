#!/bin/sh
# test_register.sh - register, register-points and distance from the command
# line: known transforms built here with awk (independent of fxaudit), the
# .tfm direction, exit codes and messages for bad input.
. "$FX_SRCDIR/tests/cli/tap.sh"

# |a - b| <= tol for two numbers
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'; }

# --- register-points: a quarter turn about z and 10 mm along x ----------------
cat >"$TMP/lm.csv" <<'CSV'
name,moving_x,moving_y,moving_z,fixed_x,fixed_y,fixed_z
origin,0,0,0,10,0,0
x1,1,0,0,10,1,0
y2,0,2,0,8,0,0
z3,0,0,3,10,0,3
CSV
$FXAUDIT register-points "$TMP/lm.csv" -o "$TMP/lm.tfm" --json >"$TMP/lm.json"
is "register-points succeeds on four exact pairs" "$?" 0
m=$(jq -r '.matrix | map(. * 1e9 | round / 1e9 + 0) | map(tostring) | join(" ")' "$TMP/lm.json")
is "the matrix is the quarter turn and the shift, row-major" "$m" "0 -1 0 10 1 0 0 0 0 0 1 0 0 0 0 1"
ok_if "the FRE of exact pairs is zero" near "$(jq .fre_max_mm "$TMP/lm.json")" 0 1e-9
is "every pair has its FRE" "$(jq '.points | length' "$TMP/lm.json")" 4
# ITK stores fixed -> moving: R^T and -R^T t
p=$(awk '/^Parameters:/ { for (i = 2; i <= NF; i++) printf "%s%d", (i > 2 ? " " : ""), ($i < 0 ? $i - 0.5 : $i + 0.5) }' "$TMP/lm.tfm")
is "the .tfm holds the inverse (fixed to moving), as ITK and Slicer expect" "$p" "0 1 0 -1 0 0 0 0 1 0 10 0"
cat >"$TMP/pairs.json" <<'JSON'
{"pairs": [{"name": "origin", "moving": [0, 0, 0], "fixed": [10, 0, 0]},
           {"moving": [1, 0, 0], "fixed": [10, 1, 0], "weight": 2},
           {"moving": [0, 2, 0], "fixed": [8, 0, 0]},
           {"moving": [0, 0, 3], "fixed": [10, 0, 3]}]}
JSON
mj=$($FXAUDIT register-points "$TMP/pairs.json" --json | jq -r '.matrix | map(. * 1e9 | round / 1e9 + 0) | map(tostring) | join(" ")')
is "the same pairs as JSON (one weighted) give the same matrix" "$mj" "0 -1 0 10 1 0 0 0 0 0 1 0 0 0 0 1"
printf 'name,moving_x,moving_y,moving_z,fixed_x,fixed_y,fixed_z\na,0,0,0,0,0,0\nb,1,1,1,1,1,1\nc,2,2,2,2,2,2\n' >"$TMP/line.csv"
is "landmarks on one line are refused (exit 1)" "$(status_of $FXAUDIT register-points "$TMP/line.csv")" 1
printf 'moving_x,moving_y,moving_z,fixed_x,fixed_y\n' >"$TMP/nocol.csv"
$FXAUDIT register-points "$TMP/nocol.csv" 2>"$TMP/err" >/dev/null
ok_if "a missing column is named in the message" grep -q "fixed_z" "$TMP/err"

# --- distance: the unit cube and the same cube shifted 0.3 mm -----------------
cube() { # $1: x offset
    awk -v dx="$1" 'BEGIN {
        print "OFF"; print "8 12 0"
        for (i = 0; i < 8; i++) print (i % 2) + dx, int(i / 2) % 2, int(i / 4)
        print "3 0 2 3"; print "3 0 3 1"; print "3 4 5 7"; print "3 4 7 6"
        print "3 0 1 5"; print "3 0 5 4"; print "3 2 6 7"; print "3 2 7 3"
        print "3 0 4 6"; print "3 0 6 2"; print "3 1 3 7"; print "3 1 7 5" }'
}
cube 0 >"$TMP/a.off"
cube 0.3 >"$TMP/b.off"
$FXAUDIT distance "$TMP/a.off" "$TMP/b.off" -o "$TMP/d.ply" --json >"$TMP/d.json"
is "distance succeeds" "$?" 0
ok_if "the Hausdorff distance of a 0.3 mm shift is 0.3 mm" near "$(jq .hausdorff_mm "$TMP/d.json")" 0.3 1e-12
# B's vertices: four at x = 0.3 (on A: distance 0) and four at x = 1.3 (0.3 outside)
ok_if "the mean signed distance is +0.15 mm" near "$(jq .mean_mm "$TMP/d.json")" 0.15 1e-12
ok_if "the distance PLY carries a 'distance' property" grep -aq "property float distance" "$TMP/d.ply"
is "a missing file is a failure (exit 1)" "$(status_of $FXAUDIT distance "$TMP/a.off" "$TMP/nope.off")" 1
$FXAUDIT distance "$TMP/a.off" "$TMP/nope.off" 2>"$TMP/err"
ok_if "the message names the missing file" grep -q "nope.off" "$TMP/err"
head -c 60 "$TMP/b.off" >"$TMP/cut.off"
is "a truncated mesh is a failure (exit 1)" "$(status_of $FXAUDIT distance "$TMP/a.off" "$TMP/cut.off")" 1

# --- register: usage -----------------------------------------------------------
is "register without --moving is a usage error (exit 2)" "$(status_of $FXAUDIT register --fixed "$TMP/a.off")" 2
is "an unknown --init is a usage error (exit 2)" \
    "$(status_of $FXAUDIT register --fixed "$TMP/a.off" --moving "$TMP/b.off" --init magic)" 2
ok_if "register --help exits 0" $FXAUDIT register --help
$FXAUDIT register --fixed "$TMP/a.off" --moving "$TMP/b.off" --region 2 2>"$TMP/err" >/dev/null
is "--region on meshes without labels is a failure (exit 1)" "$?" 1
ok_if "the message names the file and the missing property" grep -q "a.off.*label" "$TMP/err"

# --- register: the bunny moved by a known transform ---------------------------
bunny="$FXAUDIT_SHARED_DATA/meshes/stanford_bunny_vtkdata.ply"
if [ -r "$bunny" ]; then
    # fixed: the bunny in mm; moving: rotated 12 degrees about z, shifted (5, -3, 2) mm,
    # so the registration must return the inverse: Rz(-12) and -Rz(-12) (5, -3, 2).
    to_off() { # $1: angle in degrees
        awk -v deg="$1" '
            /^element vertex/ { nv = $3 } /^element face/ { nf = $3 }
            /^end_header/ { body = 1; print "OFF"; print nv, nf, 0; next }
            body && nv_done < nv { c = cos(deg * 3.14159265358979 / 180); s = sin(deg * 3.14159265358979 / 180)
                x = $1 * 1000; y = $2 * 1000; z = $3 * 1000
                if (deg != 0) { xx = c * x - s * y + 5; yy = s * x + c * y - 3; x = xx; y = yy; z = z + 2 }
                printf "%.9f %.9f %.9f\n", x, y, z; nv_done++; next }
            body { print } ' "$bunny"
    }
    to_off 0 >"$TMP/fixed.off"
    to_off 12 >"$TMP/moving.off"
    $FXAUDIT register --fixed "$TMP/fixed.off" --moving "$TMP/moving.off" -o "$TMP/t.json" --json >"$TMP/r.json"
    is "register succeeds on the moved bunny" "$?" 0
    is "it converged" "$(jq .converged "$TMP/r.json")" true
    is "it raises no warning" "$(jq '.warnings | length' "$TMP/r.json")" 0
    c=$(awk 'BEGIN { print cos(12 * 3.14159265358979 / 180) }'); s=$(awk 'BEGIN { print sin(12 * 3.14159265358979 / 180) }')
    ok_if "R[0][0] is cos 12 degrees" near "$(jq '.matrix[0]' "$TMP/r.json")" "$c" 1e-5
    ok_if "R[0][1] is sin 12 degrees (the inverse rotation)" near "$(jq '.matrix[1]' "$TMP/r.json")" "$s" 1e-5
    tx=$(awk -v c="$c" -v s="$s" 'BEGIN { print -(c * 5 + s * -3) }')
    ty=$(awk -v c="$c" -v s="$s" 'BEGIN { print -(-s * 5 + c * -3) }')
    ok_if "t_x is -(Rz(-12) (5,-3,2))_x within 0.01 mm" near "$(jq '.matrix[3]' "$TMP/r.json")" "$tx" 0.01
    ok_if "t_y within 0.01 mm" near "$(jq '.matrix[7]' "$TMP/r.json")" "$ty" 0.01
    ok_if "t_z is -2 within 0.01 mm" near "$(jq '.matrix[11]' "$TMP/r.json")" -2 0.01
    ok_if "the rms is tiny for identical sampling" near "$(jq .rms_mm "$TMP/r.json")" 0 0.01
    is "the JSON transform file holds the same matrix" "$(jq -c '.matrix | map(. * 1e6 | round)' "$TMP/t.json")" \
        "$(jq -c '.matrix | map(. * 1e6 | round)' "$TMP/r.json")"
    # paired landmarks: four bunny vertices, as they lie in each file
    { echo "name,moving_x,moving_y,moving_z,fixed_x,fixed_y,fixed_z"
      for i in 100 5000 20000 30000; do
          m=$(sed -n "$((i + 3))p" "$TMP/moving.off" | tr ' ' ',')
          f=$(sed -n "$((i + 3))p" "$TMP/fixed.off" | tr ' ' ',')
          echo "v$i,$m,$f"
      done; } >"$TMP/bunny_lm.csv"
    $FXAUDIT register --fixed "$TMP/fixed.off" --moving "$TMP/moving.off" --init landmarks "$TMP/bunny_lm.csv" --json >"$TMP/rl.json"
    is "register --init landmarks succeeds" "$?" 0
    ok_if "and finds the same t_z" near "$(jq '.matrix[11]' "$TMP/rl.json")" -2 0.01
    ok_if "and the same R[0][1]" near "$(jq '.matrix[1]' "$TMP/rl.json")" "$s" 1e-5
else
    echo "# skipped the bunny registration: $bunny is absent (set FXAUDIT_SHARED_DATA)"
fi
done_testing
