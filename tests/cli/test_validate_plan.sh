#!/bin/sh
# test_validate_plan.sh - issue 5's accuracy on a fresh two-patient phantom
# cohort: each fragment within 1 mm RMS and 1 degree of its true planned pose,
# the symmetry plane within 1 degree, every corridor within 0.5 mm of the
# model's (fxaudit validate --stage plan).
. "$FX_SRCDIR/tests/cli/tap.sh"

$FXAUDIT phantom --out "$TMP/cohort" --patients 2 --seed 3 --size small >/dev/null
out=$($FXAUDIT validate --cohort "$TMP/cohort" --stage plan --json)
is "validate --stage plan succeeds" "$?" 0
s() { echo "$out" | json_get ".summary.$1"; }
ok_if "every fragment within 1 mm RMS of its true pose ($(s max_reduction_rms_mm) mm)" \
    awk -v x="$(s max_reduction_rms_mm)" 'BEGIN { exit !(x < 1.0) }'
ok_if "every fragment within 1 degree ($(s max_reduction_rot_deg) deg)" \
    awk -v x="$(s max_reduction_rot_deg)" 'BEGIN { exit !(x < 1.0) }'
ok_if "the symmetry plane within 1 degree ($(s max_symmetry_plane_deg) deg)" \
    awk -v x="$(s max_symmetry_plane_deg)" 'BEGIN { exit !(x < 1.0) }'
ok_if "every corridor within 0.5 mm ($(s max_corridor_err_mm) mm)" \
    awk -v x="$(s max_corridor_err_mm)" 'BEGIN { exit !(x < 0.5) }'
is "both patients were planned" "$(echo "$out" | jq '.patients | length')" 2
is "every moving fragment was compared" "$(s fragments)" \
    "$(jq -s '[.[].fragments[] | select(.kind == "fragment")] | length' "$TMP"/cohort/P0*/truth.json)"
is "every planned screw was compared" "$(s screws)" \
    "$(jq -s '[.[].planned_screws.screws[]] | length' "$TMP"/cohort/P0*/truth.json)"
is "a folder that is no cohort fails (exit 1)" "$(status_of $FXAUDIT validate --cohort "$TMP")" 1
done_testing
