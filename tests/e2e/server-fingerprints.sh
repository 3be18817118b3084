#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# server-fingerprints.sh SERVER SERIAL2BATCH CLI M3_ELF M3_BUS_LOG M4F_ELF M4F_BUS_LOG M3_NULL_LOG SCHEMA_12:
# existing issues survive a change of fingerprints (docs/ANALYSIS.md, When fingerprints change), on a real server.
# Real crashes from QEMU runs are processed by this server; then, with it stopped, its database is rewritten as a
# server of the previous analysis stored it (schema 12, analysis 1, "fl1:" fingerprints in the issues and the
# reports): one issue of the bus faults that also holds a NULL call (a split now), the NULL calls in two issues of
# two old fingerprints (a merge now), a trace retention deleted (its count stays), and the symbol file of one build
# gone. Started again, the server reprocesses every trace behind fresh crashes (one arrives meanwhile and opens an
# issue, which merges into the older one), is killed (-9) half way, and finishes once at the next start: issue ids,
# counts, devices, first and last seen are kept, the merged ids lead to the survivor (API and CLI), the trace
# without symbols keeps its fl1 report and its issue, and joins the new fingerprint when its symbols come back;
# nothing is counted twice.
set -u
server=$1 batch=$2 cli=$3 m3=$4 m3log=$5 m4f=$6 m4flog=$7 nulllog=$8 schema12=$9
dir=$(mktemp -d)
fail() { echo "server-fingerprints: $*"; kill -9 "$pid" 2>/dev/null; cat "$dir/out"; rm -rf "$dir"; exit 1; }
. "$(dirname "$0")/server-lib.sh"
field() { json "$1" "$dir/body"; }
db() { sqlite3 "$dir/data/faultline.db" "$@"; }
# is ISSUE FIELD VALUE: GET issues/ISSUE holds VALUE at .FIELD, or fail
is() {
	[ "$(get "issues/$1")" = 200 ] && [ "$(field ".$2")" = "$3" ] ||
		fail "issue $1: $2 is not $3: $(cat "$dir/body")"
}
command -v sqlite3 > /dev/null || fail "the sqlite3 command is needed"

# Processed by this server: the bus fault on three devices (two builds), then the NULL call on five.
start
key=$(sed -n 's/^project key.*: *//p' "$dir/out")
admin=$(sed -n 's/^admin token.*: *//p' "$dir/out")
upload "$m3"
upload "$m4f"
m4fid=$(arm-none-eabi-readelf -n "$m4f" | awk '/Build ID:/ { print $3 }')
send dev-a "$m3log"
send dev-b "$m3log"
send dev-c "$m4flog"
until_is issues/1 .count 3
for d in dev-d dev-e dev-f dev-g dev-h; do send $d "$nulllog"; done
until_is issues/2 .count 5
null=$(field .fingerprint)
null_title=$(field .title)
get issues/1 > /dev/null
bus=$(field .fingerprint)
[ "$(field .title)" = "bus_fault in bus_fault_write" ] || fail "issue 1: $(cat "$dir/body")"
case "$bus $null" in fl2:*" "fl2:*) ;; *) fail "fingerprints of version 2 expected: $bus $null" ;; esac
for d in a b c d e f g h; do eval "t$d=\$(traces dev-$d)"; done
kill -TERM "$pid"
wait "$pid" || fail "the server did not stop cleanly"

# As a server of analysis 1 stored them. Each device's crash arrived at its own time (a first, h last, 100 s apart).
t0=$(($(date +%s) - 86400))
issues12=$(grep '^CREATE TABLE issues ' "$schema12")
db <<EOF || fail "cannot rewrite the database as version 1"
PRAGMA foreign_keys = OFF;
BEGIN;
-- the tables of schemas 18 and 19 (updates), then schema 17's triggers and issue_versions' devices go first: the
-- rewrite below is schema 12's own
DROP TABLE update_steps;
DROP TABLE updates;
DROP TABLE deployments;
DROP TABLE checkins;
DROP TABLE cohort_serials;
DROP TABLE cohorts;
DROP TABLE releases;
DROP TABLE signing_keys;
DROP TRIGGER traces_version_device_in;
DROP TRIGGER traces_version_device_moved;
DROP TRIGGER traces_version_device_out;
DROP INDEX issue_versions_top;
ALTER TABLE issue_versions DROP COLUMN devices;
CREATE TEMP TABLE v1 (serial TEXT, at INTEGER, issue INTEGER, fingerprint TEXT);
INSERT INTO v1 VALUES ('dev-a', $t0 + 100, 1, 'fl1:${bus#fl2:}'), ('dev-b', $t0 + 200, 1, 'fl1:${bus#fl2:}'),
  ('dev-c', $t0 + 300, 1, 'fl1:${bus#fl2:}'), ('dev-d', $t0 + 400, 1, 'fl1:${bus#fl2:}'),
  ('dev-e', $t0 + 500, 2, 'fl1:${null#fl2:}'), ('dev-f', $t0 + 600, 3, 'fl1:0123456789abcdef'),
  ('dev-g', $t0 + 700, 3, 'fl1:0123456789abcdef'), ('dev-h', $t0 + 800, 3, 'fl1:0123456789abcdef');
UPDATE messages SET received = (SELECT v1.at FROM v1 JOIN devices d ON d.serial = v1.serial
                                WHERE d.id = messages.device_id);
UPDATE traces SET (captured, issue_id, report) = (SELECT v1.at, v1.issue, json_set(report, '\$.fingerprint.id',
                                                  v1.fingerprint) FROM v1 JOIN devices d ON d.serial = v1.serial
                                                  WHERE d.id = traces.device_id);
DELETE FROM issues;
INSERT INTO issues (id, fingerprint, kind, title, created) VALUES
  (1, 'fl1:${bus#fl2:}', 'bus_fault', 'bus_fault in bus_fault_write', $t0 + 100),
  (2, 'fl1:${null#fl2:}', 'null_call', '$null_title', $t0 + 500),
  (3, 'fl1:0123456789abcdef', 'null_call', '$null_title.constprop.0', $t0 + 600);
-- the issues' aggregates, as schema 11 computed them from the traces
DELETE FROM issue_devices;
INSERT INTO issue_devices SELECT issue_id, device_id, COUNT(*) FROM traces GROUP BY issue_id, device_id;
DELETE FROM issue_versions;
INSERT INTO issue_versions SELECT issue_id, sw_version, COUNT(*), MIN(id) FROM traces GROUP BY issue_id, sw_version;
UPDATE issues SET (count, first_seen, last_seen) = (SELECT COUNT(*), MIN(captured), MAX(captured) FROM traces
                  WHERE issue_id = issues.id), devices = (SELECT COUNT(*) FROM issue_devices WHERE issue_id = issues.id);
-- retention, since: dev-g's trace (neither the first, nor the latest, nor its version's first of issue 3) deleted,
-- its message's bytes dropped, the aggregates unchanged
UPDATE messages SET bytes = X'', dropped = $t0 + 900 WHERE id = (SELECT message_id FROM traces WHERE id = $tg);
DELETE FROM traces WHERE id = $tg;
-- the Cortex-M4F build's symbol file is gone
DELETE FROM symbols WHERE build_id = '$m4fid';
-- schema 12: what 13 to 16 added goes, the issues table as 12 made it
DROP TABLE device_days;
DROP TABLE day_health;
DROP TABLE sessions;
DROP TABLE issue_hardware;
DROP TABLE issue_days;
DROP INDEX issue_versions_version;
DROP INDEX traces_device;
ALTER TABLE traces DROP COLUMN hw_version;
DROP TABLE reprocessing;
DROP TABLE issue_fingerprints;
DROP INDEX traces_analysis;
DROP INDEX traces_fingerprint;
ALTER TABLE traces DROP COLUMN analysis;
ALTER TABLE traces DROP COLUMN fingerprint;
ALTER TABLE traces DROP COLUMN kind;
ALTER TABLE traces DROP COLUMN title;
CREATE TEMP TABLE issues_v1 AS SELECT id, fingerprint, kind, title, created, count, devices, first_seen, last_seen
                                FROM issues;
DROP TABLE issues;
$issues12
INSERT INTO issues SELECT * FROM issues_v1;
PRAGMA user_version = 12;
COMMIT;
EOF
rm "$dir/data/symbols/$m4fid.elf"
db .schema | sort > "$dir/schema"
grep -v '^--' "$schema12" | sort | cmp -s - "$dir/schema" ||
	fail "the rewritten database is not of schema 12: $(grep -v '^--' "$schema12" | sort | diff - "$dir/schema")"
[ -z "$(db 'PRAGMA foreign_key_check')" ] || fail "the rewritten database refers to rows it lacks"
[ "$(db 'SELECT group_concat(id || ":" || count || ":" || devices, " ") FROM issues')" = "1:4:4 2:1:1 3:3:3" ] ||
	fail "version-1 issues: $(db 'SELECT * FROM issues')"

# Started again: it reprocesses in the background, slowly here (2 a second, one worker), behind fresh crashes; the
# issues keep their old grouping meanwhile. A NULL call from a new device goes first and opens an issue (no trace of
# its new fingerprint was analysed again yet). Then a kill -9.
start --workers 1 --reprocess-per-second 2
grep -q "grouped by analysis version 1, this server's is 2: reprocessing them in the background" "$dir/out" ||
	fail "the start does not say it reprocesses"
until_is issues .reprocessing.total 7
[ "$(field .reprocessing.from)" = 1 ] && [ "$(field .reprocessing.to)" = 2 ] &&
	[ "$(field '.issues[0].fingerprint')" = "fl1:${bus#fl2:}" ] || fail "while reprocessing: $(cat "$dir/body")"
send dev-i "$nulllog"
wait_traces dev-i 1
get issues > /dev/null
[ "$(field .reprocessing.phase)" = analysing ] && [ "$(field .reprocessing.done)" -lt 4 ] ||
	fail "the fresh crash did not go first: $(cat "$dir/body")"
ti=$(traces dev-i)
[ "$(get "traces/$ti")" = 200 ] && [ "$(field .issue)" = 4 ] || fail "the fresh crash: $(cat "$dir/body")"
ati=$(field .received)
until_is issues .reprocessing.done 2
kill -9 "$pid"
wait "$pid" 2> /dev/null
state=$(db 'SELECT phase, done < total FROM reprocessing')
[ "$state" = "1|1" ] || fail "killed after reprocessing ended, not half way: $state"

# The next start goes on and finishes, once.
start
until_is issues .reprocessing null
i=0
while ! grep -q "reprocessing to analysis version 2 done" "$dir/out" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ "$(grep -c "reprocessing them in the background" "$dir/out")" = 2 ] &&
	[ "$(grep -c "reprocessing to analysis version 2 done" "$dir/out")" = 1 ] &&
	grep -q "done: 6 of 7 trace(s) analysed again (1 could not be: they keep their old fingerprint); 2 issue(s) kept \
their id under a new fingerprint, 2 merged into an older one, 0 made of traces split from one" "$dir/out" ||
	fail "reprocessing did not finish once as expected"
get issues > /dev/null
[ "$(field .issues#)" = 2 ] || fail "expected issues 1 and 2: $(cat "$dir/body")"
# 1 keeps its id with the bus fault's new fingerprint, without dev-d's NULL call (split off)
is 1 fingerprint "$bus"
is 1 count 3
is 1 devices 3
is 1 first_seen $((t0 + 100))
is 1 last_seen $((t0 + 300))
is 1 merged '[]'
# 2 keeps its id with the NULL call's; 3 (older than 4) and 4 merged into it; it counts dev-g's, whose trace is gone
is 2 fingerprint "$null"
is 2 count 6
is 2 devices 6
is 2 first_seen $((t0 + 400))
is 2 last_seen "$ati"
is 2 merged '[3,4]'
for old in 3 4; do
	is "$old" id 2
	[ "$(field .redirected_from)" = "$old" ] || fail "issues/$old does not say it leads to 2: $(cat "$dir/body")"
done
[ "$(get "traces/$td")" = 200 ] && [ "$(field .issue)" = 2 ] && [ "$(field .report.fingerprint.id)" = "$null" ] ||
	fail "dev-d's trace: $(cat "$dir/body")"
[ "$(get "traces/$tg")" = 404 ] || fail "dev-g's deleted trace came back"
# dev-c's symbols are gone: its trace keeps its fl1 report in issue 1, and the CLI still prints it
[ "$(get "traces/$tc")" = 200 ] && [ "$(field .issue)" = 1 ] &&
	[ "$(field .report.fingerprint.id)" = "fl1:${bus#fl2:}" ] || fail "dev-c's trace: $(cat "$dir/body")"
[ "$(get devices/dev-c)" = 200 ] && [ "$(field .waiting_for_symbols)" = "[\"$m4fid\"]" ] ||
	fail "dev-c does not wait for its symbols: $(cat "$dir/body")"
export FAULTLINE_SERVER="http://127.0.0.1:$port" FAULTLINE_TOKEN="$admin"
"$cli" trace "$tc" > "$dir/cli" && grep -q "^fingerprint: fl1:${bus#fl2:}  (bus_fault|bus_fault_write@" "$dir/cli" ||
	fail "faultline trace $tc: $(cat "$dir/cli")"
"$cli" issue 3 > "$dir/cli" && grep -q "^issue 3 was merged into issue 2 " "$dir/cli" &&
	grep -q "^issue 2: $null_title$" "$dir/cli" && grep -q "^merged: *3 4$" "$dir/cli" ||
	fail "faultline issue 3: $(cat "$dir/cli")"
"$cli" issues > "$dir/cli" && [ "$(grep -c '^ *[0-9]' "$dir/cli")" = 2 ] && ! grep -q reprocessing "$dir/cli" ||
	fail "faultline issues: $(cat "$dir/cli")"

# dev-c's symbols come back: its trace is analysed again and stays in issue 1, counted once.
upload "$m4f"
[ "$(field .requeued)" = 1 ] || fail "the upload did not queue dev-c's coredump: $(cat "$dir/body")"
until_is "traces/$tc" .report.fingerprint.id "$bus"
is 1 count 3
is 1 devices 3
is 2 count 6
# A restart reprocesses nothing again.
kill -TERM "$pid"
wait "$pid" || fail "the server did not stop cleanly"
start
sleep 0.3
[ "$(grep -c "reprocessing them in the background" "$dir/out")" = 2 ] || fail "reprocessing started again"
is 1 count 3
is 2 count 6
kill -TERM "$pid"
wait "$pid" || fail "the server did not stop cleanly"
echo "server-fingerprints: ok"
rm -rf "$dir"
