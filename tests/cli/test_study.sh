#!/bin/sh
# test_study.sh - the study store from the command line: init, patients, and
# `study verify` catching tampering done with the sqlite3 program, a newer
# schema refused, a kill -9 inside a write, and no room for a patient's name.
. "$FX_SRCDIR/tests/cli/tap.sh"

command -v sqlite3 >/dev/null 2>&1 || skip_all "the sqlite3 program is not installed"
S=$TMP/study

ok_if "study init creates a study" $FXAUDIT study init "$S" --title "pilot"
for d in volumes meshes plans reports; do
    ok_if "study init creates $d/" test -d "$S/$d"
done
is "study init refuses an existing study (exit 1)" "$(status_of $FXAUDIT study init "$S")" 1
$FXAUDIT study init "$S" 2>"$TMP/err"
ok_if "and says so" grep -q "already a study: refusing to overwrite" "$TMP/err"

ok_if "patient add with every field" $FXAUDIT patient add --study "$S" --code P01 --sex female \
    --age-band 40-49 --side left --fracture-type both-column --approach stoppa \
    --mechanism traffic --plates anterior-posterior --injury-to-surgery-days 5
ok_if "patient add with the code only" $FXAUDIT patient add --study "$S" --code P02
is "a second P01 is refused (exit 1)" "$(status_of $FXAUDIT patient add --study "$S" --code P01)" 1
is "an unknown fracture type is a usage error" \
    "$(status_of $FXAUDIT patient add --study "$S" --code P03 --fracture-type femur)" 2
is "a code with a space is a usage error" \
    "$(status_of $FXAUDIT patient add --study "$S" --code 'P 3')" 2
is "patient show --json gives the fields back" \
    "$($FXAUDIT patient show --study "$S" P01 --json | jq -c '[.code,.sex,.age_band,.side,.fracture_type,.approach,.mechanism,.plates,.injury_to_surgery_days]')" \
    '["P01","female","40-49","left","both-column","stoppa","traffic","anterior-posterior",5]'
is "patient list --json lists both, by code" \
    "$($FXAUDIT patient list --study "$S" --json | jq -c '[.patients[].code]')" '["P01","P02"]'
is "an unknown patient is a failure (exit 1)" "$(status_of $FXAUDIT patient show --study "$S" P99)" 1

# Privacy: there is no option and no column for a name.
is "patient add --name is refused (exit 2)" \
    "$(status_of $FXAUDIT patient add --study "$S" --code P03 --name 'Jan Jansen')" 2
is "patient add --birth-date is refused (exit 2)" \
    "$(status_of $FXAUDIT patient add --study "$S" --code P03 --birth-date=1970-01-01)" 2
sqlite3 "$S/study.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
is "the name given to the commands is nowhere in the study folder" \
    "$(grep -rl 'Jansen' "$S" | wc -l)" 0
is "no column of the schema is for a name, birth date, hospital ID or UID" \
    "$(sqlite3 "$S/study.db" "SELECT count(*) FROM sqlite_schema s, pragma_table_info(s.name) c WHERE s.type = 'table' AND (c.name LIKE '%name%' AND c.name <> 'key_name' OR c.name LIKE '%birth%' OR c.name LIKE '%uid%' OR c.name LIKE '%hospital%' OR c.name LIKE '%mrn%')")" 0

is "every log entry names the OS user" \
    "$(sqlite3 "$S/study.db" 'SELECT DISTINCT who FROM audit_log')" "$(id -un)"
is "and a UTC time to the millisecond" \
    "$(sqlite3 "$S/study.db" "SELECT count(*) FROM audit_log WHERE at_utc NOT GLOB '20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'")" 0
is "the log says what was done" \
    "$(sqlite3 "$S/study.db" "SELECT what FROM audit_log WHERE tbl = 'patients' ORDER BY seq" | tr '\n' ' ')" \
    "patient add P01 patient add P02 "

# A clean study verifies.
ok_if "study verify passes on an untouched study" $FXAUDIT study verify --study "$S"
$FXAUDIT study verify --study "$S" --json >"$TMP/v.json"
is "verify --json: ok, 6 log rows (3 migrations, init, 2 patients), 3 rows, no problems" \
    "$(jq -c '[.ok, .log_rows, .rows_checked, (.problems|length)]' "$TMP/v.json")" '[true,6,3,0]'
is "study info --json counts the patients" \
    "$($FXAUDIT study info --study "$S" --json | jq -c '[.schema_version, .tables.patients, .title]')" \
    '[3,2,"pilot"]'

is "study log --json lists the entries in order" \
    "$($FXAUDIT study log --study "$S" --json | jq -c '[.entries[].seq]')" '[1,2,3,4,5,6]'

# An anchor: a head hash written down, later checked (docs/study-store.md).
anchor=$($FXAUDIT study info --study "$S" --json | jq -r .log_head_hash)
rm -rf "$TMP/twin"
$FXAUDIT study init "$TMP/twin" --title pilot >/dev/null
$FXAUDIT patient add --study "$TMP/twin" --code P01 >/dev/null
$FXAUDIT patient add --study "$TMP/twin" --code P02 >/dev/null
ok_if "verify --anchor finds the written-down head" $FXAUDIT study verify --study "$S" --anchor "$anchor"
is "a study with a valid but different chain (rebuilt) fails the anchor" \
    "$($FXAUDIT study verify --study "$TMP/twin" --anchor "$anchor" --json | jq -c '[.ok, .anchor.found, (.problems|length)]')" \
    '[false,false,0]'

# Tampering with the audit log, done with the sqlite3 program.
tampered() { # name, SQL -> a copy of the study with the SQL applied
    rm -rf "$TMP/$1"
    cp -r "$S" "$TMP/$1"
    sqlite3 "$TMP/$1/study.db" "$2"
}
tampered upd "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET who = 'mallory' WHERE seq = 3;"
is "an edited log row: verify fails (exit 1)" "$(status_of $FXAUDIT study verify --study "$TMP/upd")" 1
ok_if "and names audit log row 3" sh -c "$FXAUDIT study verify --study '$TMP/upd' | grep -q 'audit log row 3 was altered'"

tampered del "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 3;"
is "a deleted log row: verify fails (exit 1)" "$(status_of $FXAUDIT study verify --study "$TMP/del")" 1
ok_if "and names audit log row 3 as missing" sh -c "$FXAUDIT study verify --study '$TMP/del' | grep -q 'audit log row 3 is missing'"

tampered ins "INSERT INTO audit_log (seq, at_utc, who, action, what, content_hash, prev_hash, hash) SELECT seq + 1, at_utc, 'mallory', 'event', 'forged', hash, hash, lower(hex(randomblob(32))) FROM audit_log ORDER BY seq DESC LIMIT 1;"
is "a forged log row: verify fails (exit 1)" "$(status_of $FXAUDIT study verify --study "$TMP/ins")" 1
is "and names audit log row 7 in the JSON" \
    "$($FXAUDIT study verify --study "$TMP/ins" --json | jq -c '[.ok, .problems[0].table, .problems[0].row]')" \
    '[false,"audit_log",7]'

tampered row "UPDATE patients SET sex = 'male' WHERE code = 'P01';"
is "a data row edited behind the log: verify fails" "$(status_of $FXAUDIT study verify --study "$TMP/row")" 1
ok_if "and names patients row 1" sh -c "$FXAUDIT study verify --study '$TMP/row' | grep -q 'patients row 1 differs'"

tampered trig "UPDATE audit_log SET who = 'mallory' WHERE seq = 3;" 2>"$TMP/err"
ok_if "with its triggers in place the log refuses an UPDATE" grep -q "append-only" "$TMP/err"

# A database written by a newer fxaudit.
tampered newer "PRAGMA user_version = 4;"
is "a newer schema version is refused (exit 1)" "$(status_of $FXAUDIT patient list --study "$TMP/newer")" 1
$FXAUDIT patient list --study "$TMP/newer" 2>"$TMP/err"
ok_if "naming the file and both versions" \
    grep -q "newer/study.db' has schema version 4, written by a newer fxaudit.*up to 3" "$TMP/err"
is "and left at version 4" "$(sqlite3 "$TMP/newer/study.db" 'PRAGMA user_version')" 4

mkdir "$TMP/foreign"
sqlite3 "$TMP/foreign/study.db" "CREATE TABLE t (x); INSERT INTO t VALUES (1);"
$FXAUDIT study info --study "$TMP/foreign" 2>"$TMP/err"
ok_if "another program's SQLite file is not a study" grep -q "is not an fxaudit study database" "$TMP/err"

# kill -9 inside a write transaction (FXAUDIT_TEST_SLOW_WRITE, docs/study-store.md).
before=$(sqlite3 "$S/study.db" "SELECT count(*), max(seq) FROM audit_log")
dump_before=$(sqlite3 "$S/study.db" .dump | sha256sum)
FXAUDIT_TEST_SLOW_WRITE=30 FXAUDIT_TEST_SLOW_WRITE_MARK="$TMP/inside" \
    $FXAUDIT patient add --study "$S" --code P03 >/dev/null 2>&1 &
pid=$!
n=0
while [ ! -e "$TMP/inside" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
ok_if "the slow write reached its transaction" test -e "$TMP/inside"
busy=$(status_of sqlite3 -cmd '.timeout 100' "$S/study.db" 'BEGIN IMMEDIATE; ROLLBACK;')
is "meanwhile another writer is kept out (database busy)" \
    "$([ "$busy" -ne 0 ] && echo refused || echo let-in)" refused
kill -9 $pid
wait $pid 2>/dev/null
is "after kill -9 the patient is not there" "$($FXAUDIT patient list --study "$S" --json | jq -c '[.patients[].code]')" '["P01","P02"]'
is "nor any audit-log entry" "$(sqlite3 "$S/study.db" "SELECT count(*), max(seq) FROM audit_log")" "$before"
is "the whole database dumps exactly as before" "$(sqlite3 "$S/study.db" .dump | sha256sum)" "$dump_before"
ok_if "the study still verifies" $FXAUDIT study verify --study "$S"
ok_if "and the next write goes through" $FXAUDIT patient add --study "$S" --code P03
ok_if "and verifies" $FXAUDIT study verify --study "$S"

# The key file: the link to hospital IDs, outside the study.
K=$TMP/keys/key.csv
mkdir "$TMP/keys"
ok_if "keyfile add reads the hospital ID from stdin" sh -c "echo H-0042 | $FXAUDIT keyfile add --keyfile '$K' --code P01"
is "the key file is created readable by its owner only" "$(stat -c %a "$K")" 600
is "its content is the header and the link" "$(cat "$K" | tr '\n' ' ')" "code,hospital_id P01,H-0042 "
is "keyfile lookup --code finds the hospital ID" "$($FXAUDIT keyfile lookup --keyfile "$K" --code P01)" H-0042
is "keyfile lookup on stdin finds the code" "$(echo H-0042 | $FXAUDIT keyfile lookup --keyfile "$K" --json | jq -r .code)" P01
is "the same hospital ID twice is refused" "$(echo H-0042 | status_of $FXAUDIT keyfile add --keyfile "$K" --code P02)" 1
is "a name with a space is not an ID" "$(echo 'Jan Jansen' | status_of $FXAUDIT keyfile add --keyfile "$K" --code P02)" 1
is "a key file inside the study is refused" "$(echo H-1 | status_of $FXAUDIT keyfile add --keyfile "$S/reports/key.csv" --code P02)" 1
ok_if "and not created" test ! -e "$S/reports/key.csv"
chmod 644 "$K"
is "a key file others can read is refused" "$(status_of $FXAUDIT keyfile lookup --keyfile "$K" --code P01)" 1
is "the hospital ID is nowhere in the study" "$(grep -rl 'H-0042' "$S" | wc -l)" 0

# Two writers at once: the busy timeout serialises them and the chain stays whole.
C=$TMP/concurrent
$FXAUDIT study init "$C" >/dev/null
for w in A B; do
    (for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
        $FXAUDIT patient add --study "$C" --code "$w$i" >/dev/null || echo "$w$i failed"
    done) >"$TMP/writer$w" 2>&1 &
done
wait
is "two concurrent writers lose no write" "$(cat "$TMP/writerA" "$TMP/writerB")" ""
is "all 30 patients are there" "$($FXAUDIT patient list --study "$C" --json | jq '.patients | length')" 30
ok_if "and the chain verifies" $FXAUDIT study verify --study "$C"

is "study verify without --study is a usage error" "$(status_of $FXAUDIT study verify)" 2
ok_if "study --help" $FXAUDIT study --help
ok_if "patient add --help" $FXAUDIT patient add --help
done_testing
