#!/bin/sh
# test_import.sh - `fxaudit import`: a real tilted scanner series into a study,
# recorded with its geometry and checksum, without identity; refusals leave
# the study as it was; a kill during the write leaves it as it was too.
. "$FX_SRCDIR/tests/cli/tap.sh"

tilt="$FXAUDIT_SHARED_DATA/dicom/dcm_qa_ct_GE_tilt"
[ -d "$tilt" ] || skip_all "shared data not found at $FXAUDIT_SHARED_DATA (dcm_qa_ct_GE_tilt)"
command -v sqlite3 >/dev/null || skip_all "the sqlite3 program is needed to inspect the study"
S="$TMP/study"
$FXAUDIT study init "$S" >/dev/null
$FXAUDIT patient add --study "$S" --code P01 >/dev/null

out=$($FXAUDIT import --study "$S" --patient P01 --timepoint preop "$tilt" --json)
is "the import succeeds" "$?" 0
path=$(echo "$out" | json_get .path)
is "the volume is stored as NRRD under volumes/" "$(echo "$path" | sed 's/.*\.//')" "nrrd"
is "its SHA-256 is the file's" "$(echo "$out" | json_get .sha256)" \
    "$(sha256sum "$S/$path" | cut -d' ' -f1)"
is "the tilted, uneven stack is resampled, and says so" "$(echo "$out" | json_get .resampled)" true
ok_if "the note names the 18.5 degree tilt" sh -c "echo '$(echo "$out" | json_get .notes)' | grep -q '18.50 deg'"
is "the study records one series" "$(sqlite3 "$S/study.db" 'select count(*) from series')" 1
# the geometry in the study is the volume's: dims from the NRRD header itself
hdr_sizes=$(gzip -dc < /dev/null 2>/dev/null; head -c 2000 "$S/$path" | tr -d '\000' | sed -n 's/^sizes: //p')
is "the NRRD header has the dims the import reported" "$hdr_sizes" \
    "$(echo "$out" | jq -r '.dims | map(tostring) | join(" ")')"

# privacy: the DICOM patient name and ID reach neither the database nor the volume
name=$($FXAUDIT dicom info "$tilt" --show-identity --json | jq -r '.series[0].patient_name // empty')
id=$($FXAUDIT dicom info "$tilt" --show-identity --json | jq -r '.series[0].patient_id // empty')
if [ -n "$name$id" ]; then
    found=$(grep -rlaF -e "${name:-@@none@@}" -e "${id:-@@none@@}" "$S" | wc -l)
    is "no DICOM name or ID in the study folder" "$found" 0
fi
ok_if "the study verifies" $FXAUDIT study verify --study "$S"

before=$(sqlite3 "$S/study.db" .dump | sha256sum)
is "an unknown patient is refused (exit 1)" \
    "$(status_of $FXAUDIT import --study "$S" --patient P99 --timepoint preop "$tilt")" 1
is "a bad time point is a usage error (exit 2)" \
    "$(status_of $FXAUDIT import --study "$S" --patient P01 --timepoint later "$tilt")" 2
printf 'not dicom\n' > "$TMP/junk.txt"
is "a folder with no DICOM is refused (exit 1)" \
    "$(status_of $FXAUDIT import --study "$S" --patient P01 --timepoint postop "$TMP/junk.txt")" 1
is "the refusals changed nothing" "$(sqlite3 "$S/study.db" .dump | sha256sum)" "$before"

# a kill during the write: the store's test hook holds the transaction open
FXAUDIT_TEST_SLOW_WRITE=5 $FXAUDIT import --study "$S" --patient P01 --timepoint postop "$tilt" \
    >/dev/null 2>&1 &
pid=$!
sleep 3
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
is "after a kill the database is as it was" "$(sqlite3 "$S/study.db" .dump | sha256sum)" "$before"
ok_if "and the study still verifies" $FXAUDIT study verify --study "$S"
# the store publishes a volume just before its commit: a kill in between can leave
# a complete, unrecorded file, which verify names as a warning
left=$(ls "$S/volumes" | grep -v "^$(basename "$path")\$" | wc -l)
warned=$($FXAUDIT study verify --study "$S" --json | jq '.warnings | length')
ok_if "every file the kill left is named by verify" test "$warned" -ge "$left"
done_testing
