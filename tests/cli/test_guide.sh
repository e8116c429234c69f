#!/bin/sh
# test_guide.sh - `fxaudit guide` on a plan with a plate and two screws over a
# box-shaped bone: the STL is closed and has the volume calculated by hand,
# and the plan records the guide with the file's SHA-256.
. "$FX_SRCDIR/tests/cli/tap.sh"

# A box bone, x -60..60, y -30..30, z -20..0, wound outward; its top is z = 0.
cat > "$TMP/bone.off" <<'END_OFF'
OFF
8 12 0
-60 -30 -20
60 -30 -20
60 30 -20
-60 30 -20
-60 -30 0
60 -30 0
60 30 0
-60 30 0
3 0 2 1
3 0 3 2
3 4 5 6
3 4 6 7
3 0 1 5
3 0 5 4
3 3 7 6
3 3 6 2
3 0 4 7
3 0 7 3
3 1 2 6
3 1 6 5
END_OFF

# A 60 mm plate along x, 10 wide, 2.5 thick, 0.5 above the bone; two screws
# straight down through it at x = 5 and x = -15.
cat > "$TMP/plan.json" <<'JSON'
{"format": "fxaudit-plan", "version": 1, "units": "mm", "coordinate_system": "LPS",
 "software": "hand", "created_utc": "2026-11-24T10:00:00Z", "patient": "P07", "side": "left",
 "fragments": [],
 "screws": [
  {"name": "S1", "entry": [5, 0, 0], "direction": [0, 0, -1], "diameter_mm": 3.5,
   "length_mm": 16, "plate": "anterior"},
  {"name": "S2", "entry": [-15, 0, 0], "direction": [0, 0, -1], "diameter_mm": 3.5,
   "length_mm": 16, "plate": "anterior"}],
 "plates": [{"name": "anterior", "width_mm": 10, "thickness_mm": 2.5, "offset_mm": 0.5,
   "path": [[-30, 0, 0], [30, 0, 0]], "mesh": "", "mesh_sha256": ""}],
 "guides": [], "inputs": []}
JSON

# Cells of the 0.5 mm grid that a disc of radius r centred on a grid corner
# meets (by hand: the nearest point of each square to the centre).
CELLS='function cells(r,   n, i, j, dx, dy) { n = 0
    for (i = -10; i < 10; i++) for (j = -10; j < 10; j++) {
        dx = (i + 0.5) * 0.5; dy = (j + 0.5) * 0.5
        dx = (dx < 0 ? -dx : dx) - 0.25; dy = (dy < 0 ? -dy : dy) - 0.25
        if (dx < 0) dx = 0
        if (dy < 0) dy = 0
        n += dx * dx + dy * dy < r * r }
    return n }'

ok_if "the guide is built" sh -c "$FXAUDIT guide --plan '$TMP/plan.json' --plate anterior \
    --bone '$TMP/bone.off' -o '$TMP/guide.stl' --ascii --json > '$TMP/out.json'"
is "two sleeves" "$(jq .sleeves "$TMP/out.json")" 2
near "a k-wire hole 5 mm beyond the plate's first end" \
    "$(jq '.kwire_holes[0].point[0]' "$TMP/out.json")" -35 1e-9
near "and one beyond its other end" "$(jq '.kwire_holes[1].point[0]' "$TMP/out.json")" 35 1e-9

# Closed and consistently wound: every directed edge once, and its reverse once
# (vertices are the same point when their printed coordinates are equal).
closed=$(awk 'BEGIN { n = 0 } $1 == "vertex" { v[n++ % 3] = $2 " " $3 " " $4 }
    $1 == "endloop" { for (k = 0; k < 3; k++) e[v[k] "|" v[(k + 1) % 3]]++ }
    END { ok = 1; for (k in e) { split(k, ab, "|");
            if (e[k] != 1 || e[ab[2] "|" ab[1]] != 1) ok = 0 }
          print ok ? "closed" : "open" }' "$TMP/guide.stl")
is "the STL is closed and consistently wound" "$closed" closed

# Volume by hand: the body (14 mm wide: 60 mm of 3 mm over the plate, 2 x 9.5 mm
# of 6 mm on the bone, 2 x 0.5 mm ramps of 4.5 mm on average) less the cells the
# k-wire holes (r 1, 6 mm high) and the bores (r 2.25, 3 mm high) meet, each
# centred on a grid corner; plus two 48-sided sleeves from z = 3 to 16.
want=$(awk "$CELLS"'
    BEGIN { pi = atan2(0, -1)
        body = 14 * (60 * 3 + 2 * 9.5 * 6 + 2 * 0.5 * 4.5) - 2 * cells(1) * 0.25 * 6 \
               - 2 * cells(2.25) * 0.25 * 3
        sleeve = 24 * sin(2 * pi / 48) * (3.5 * 3.5 - 2.25 * 2.25) * 13
        printf "%.9f\n", body + 2 * sleeve }')
got=$(awk 'BEGIN { n = 0 } $1 == "vertex" { x[n] = $2; y[n] = $3; z[n] = $4; n++ }
    $1 == "endloop" { vol += (x[0] * (y[1] * z[2] - z[1] * y[2]) - y[0] * (x[1] * z[2] - z[1] * x[2]) \
                              + z[0] * (x[1] * y[2] - y[1] * x[2])) / 6; n = 0 }
    END { printf "%.9f\n", vol }' "$TMP/guide.stl")
near "the STL's volume is the hand calculation's" "$got" "$want" 1e-6

is "the plan records the guide" "$(jq -r '.guides[0].name' "$TMP/plan.json")" anterior-guide
is "for its plate" "$(jq -r '.guides[0].plate' "$TMP/plan.json")" anterior
is "with the mesh relative to the plan" "$(jq -r '.guides[0].mesh' "$TMP/plan.json")" guide.stl
is "and the mesh's SHA-256" "$(jq -r '.guides[0].mesh_sha256' "$TMP/plan.json")" \
    "$(sha256sum "$TMP/guide.stl" | cut -d' ' -f1)"

is "and the bone model among the inputs" \
    "$(jq -r '.inputs[] | select(.role == "guide-bone") | .path + " " + .sha256' "$TMP/plan.json")" \
    "bone.off $(sha256sum "$TMP/bone.off" | cut -d' ' -f1)"

ok_if "a thicker guide in binary STL replaces the entry" sh -c "$FXAUDIT guide \
    --plan '$TMP/plan.json' --plate anterior --bone '$TMP/bone.off' -o '$TMP/guide.stl' \
    --thickness 4 --sleeve-outer 8 --sleeve-inner 4 --sleeve-length 12 --json > '$TMP/out.json'"
is "still one guide and one bone input in the plan" \
    "$(jq -c '[(.guides | length), (.inputs | length)]' "$TMP/plan.json")" "[1,1]"
is "whose SHA-256 is the new file's" "$(jq -r '.guides[0].mesh_sha256' "$TMP/plan.json")" \
    "$(sha256sum "$TMP/guide.stl" | cut -d' ' -f1)"
is "the binary STL has 84 + 50 bytes per triangle" "$(wc -c < "$TMP/guide.stl" | tr -d ' ')" \
    "$((84 + 50 * $(jq .triangles "$TMP/out.json")))"
# the body is now 4 mm thick: 14 x (60 x 4 + 2 x 9.5 x 7 + 2 x 0.5 x 5.5) less the
# same k-wire cells, 7 mm high, and the cells a 2 mm bore meets, 4 mm high
want=$(awk "$CELLS"'
    BEGIN { printf "%.9f\n", 14 * (60 * 4 + 2 * 9.5 * 7 + 2 * 0.5 * 5.5) \
            - 2 * cells(1) * 0.25 * 7 - 2 * cells(2) * 0.25 * 4 }')
near "its body has the hand-calculated volume" "$(jq .body_volume_mm3 "$TMP/out.json")" \
    "$want" 1e-6
near "and its sleeves 2 x 48-sided prisms from z = 3 to 19" \
    "$(jq .sleeves_volume_mm3 "$TMP/out.json")" \
    "$(awk 'BEGIN { printf "%.9f", 2 * 24 * sin(2 * atan2(0, -1) / 48) * (16 - 4) * 16 }')" 1e-6

cp "$TMP/plan.json" "$TMP/before.json"
is "an unknown plate fails with exit 1" "$(status_of $FXAUDIT guide --plan "$TMP/plan.json" \
    --plate posterior --bone "$TMP/bone.off" -o "$TMP/other.stl")" 1
$FXAUDIT guide --plan "$TMP/plan.json" --plate posterior --bone "$TMP/bone.off" \
    -o "$TMP/other.stl" 2> "$TMP/err" || true
ok_if "the message names the plan and the plate" grep -q "plan.json.*posterior" "$TMP/err"
ok_if "and nothing is written" sh -c "[ ! -e '$TMP/other.stl' ] && \
    cmp -s '$TMP/plan.json' '$TMP/before.json'"
jq '.screws[0].direction = [0.9, 0, -0.435889894354]' "$TMP/plan.json" > "$TMP/tilted.json"
is "a screw too oblique for a sleeve (64 deg) fails with exit 1" \
    "$(status_of $FXAUDIT guide --plan "$TMP/tilted.json" --plate anterior \
       --bone "$TMP/bone.off" -o "$TMP/tilted.stl")" 1
ok_if "leaving no mesh" test ! -e "$TMP/tilted.stl"
is "without an output it is a usage error" "$(status_of $FXAUDIT guide --plan "$TMP/plan.json" \
    --plate anterior --bone "$TMP/bone.off")" 2
is "a thickness that is not a number is a usage error" "$(status_of $FXAUDIT guide \
    --plan "$TMP/plan.json" --plate anterior --bone "$TMP/bone.off" -o "$TMP/x.stl" \
    --thickness 3mm)" 2
# An artefact to look at (needs `fxaudit render`, from the report layer): a
# guide over a plate on a bone that is a cylinder of radius 30 along y, with
# screws at -25, 0 (tilted 15 degrees) and 25 degrees round it, drawn end-on
# (anterior), from above (superior) and from the side (lateral) into the build
# folder, as tests/guide-VIEW.png.
if $FXAUDIT render --help > /dev/null 2>&1; then
    awk 'BEGIN { R = 30; S = 256; pi = atan2(0, -1); print "OFF"; print 2 * S + 2, 4 * S, 0
        for (i = 0; i < S; i++) { a = 2 * pi * i / S
            printf "%.9f -50 %.9f\n%.9f 50 %.9f\n", R * sin(a), R * cos(a), R * sin(a), R * cos(a) }
        print "0 -50 0"; print "0 50 0"
        for (i = 0; i < S; i++) { a0 = 2 * i; b0 = a0 + 1; a1 = 2 * ((i + 1) % S); b1 = a1 + 1
            print 3, a0, a1, b1; print 3, a0, b1, b0; print 3, 2 * S, a1, a0; print 3, 2 * S + 1, b0, b1 } }' \
        > "$TMP/cyl.off"
    awk 'function pt(a) { return sprintf("[%.12f, 0, %.12f]", 30 * sin(a * d), 30 * cos(a * d)) }
        function screw(n, a, tilt) { return sprintf("{\"name\": \"%s\", \"entry\": %s, \"direction\": " \
            "[%.12f, 0, %.12f], \"diameter_mm\": 3.5, \"length_mm\": 40, \"plate\": \"anterior\"}", \
            n, pt(a), -sin((a + tilt) * d), -cos((a + tilt) * d)) }
        BEGIN { d = atan2(0, -1) / 180
            printf "{\"format\": \"fxaudit-plan\", \"version\": 1, \"units\": \"mm\", "
            printf "\"coordinate_system\": \"LPS\", \"software\": \"hand\", \"patient\": \"P07\", "
            printf "\"side\": \"left\", \"created_utc\": \"2026-11-24T10:00:00Z\", \"fragments\": [], "
            printf "\"screws\": [%s, %s, %s], ", screw("S1", -25, 0), screw("S2", 0, 15), screw("S3", 25, 0)
            printf "\"plates\": [{\"name\": \"anterior\", \"width_mm\": 10, \"thickness_mm\": 2.5, "
            printf "\"offset_mm\": 0.5, \"path\": [%s, %s, %s, %s, %s], ", pt(-40), pt(-20), pt(0), pt(20), pt(40)
            printf "\"mesh\": \"\", \"mesh_sha256\": \"\"}], \"guides\": [], \"inputs\": []}\n" }' \
        > "$TMP/cplan.json"
    ok_if "a guide on a curved bone is built, with its plate" sh -c "$FXAUDIT guide \
        --plan '$TMP/cplan.json' --plate anterior --bone '$TMP/cyl.off' -o '$TMP/cguide.stl' \
        --plate-mesh '$TMP/cplate.stl' --json > '$TMP/cout.json'"
    is "three sleeves, a collar for the tilted one" \
        "$(jq -c '[.sleeves, .collars]' "$TMP/cout.json")" "[3,1]"
    for view in anterior superior lateral; do
        ok_if "the $view view is drawn (tests/guide-$view.png)" $FXAUDIT render \
            "$TMP/cyl.off:bone" "$TMP/cplate.stl:plate" "$TMP/cguide.stl:#3a9a5b" \
            --view $view --size 900x700 -o "$FX_BUILDDIR/tests/guide-$view.png"
    done
fi
done_testing
