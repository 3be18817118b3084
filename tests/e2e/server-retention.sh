#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# server-retention.sh SERVER SERIAL2BATCH ELF LOG: retention on a real server. Three devices send the same crash
# (one issue of 3); the database is then made two days older than --retention-days 1 (with the server stopped)
# and at its next start retention keeps the issue's first and latest traces (their ELF cores too), deletes the
# one between and the reboot events, and leaves the issue's count, devices and versions as they were; the same
# crash sent again is recognized and counted nothing.
set -u
server=$1 batch=$2 elf=$3 log=$4
dir=$(mktemp -d)
fail() { echo "server-retention: $*"; kill "$pid" 2>/dev/null; cat "$dir/out"; rm -rf "$dir"; exit 1; }
. "$(dirname "$0")/server-lib.sh"
start --retention-days 1
key=$(sed -n 's/^project key.*: *//p' "$dir/out")
admin=$(sed -n 's/^admin token.*: *//p' "$dir/out")
upload "$elf"
for d in dev-a dev-b dev-c; do
	send $d "$log"
	until_is devices/$d '.traces#' 1
done
until_is issues '.issues[0].count' 3
get issues > /dev/null
cp "$dir/body" "$dir/issue-before"
trace_of() { get devices/$1 > /dev/null; json '.traces[0].id' "$dir/body"; }
first=$(trace_of dev-a) middle=$(trace_of dev-b) latest=$(trace_of dev-c)
get devices/dev-b > /dev/null
[ "$(json '.reboots#' "$dir/body")" -ge 1 ] || fail "no reboot event for dev-b: $(cat "$dir/body")"

# Two days pass (the server stopped: its clock is the database's).
kill -TERM "$pid"
wait "$pid" || fail "the server did not stop cleanly"
sqlite3 "$dir/data/faultline.db" "UPDATE messages SET received = received - 2 * 86400;
	UPDATE reboots SET received = received - 2 * 86400; UPDATE traces SET captured = captured - 2 * 86400;" ||
	fail "cannot age the database"
start --retention-days 1
i=0
while ! grep -q "retention (1 days)" "$dir/out" && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
grep -q "retention (1 days): .*deleted 1 trace(s)" "$dir/out" || fail "retention did not run, or not as expected"
[ "$(get traces/$first)" = 200 ] || fail "the issue's first trace $first was deleted"
[ "$(get traces/$latest)" = 200 ] || fail "the issue's latest trace $latest was deleted"
[ "$(get traces/$middle)" = 404 ] || fail "trace $middle, neither first nor latest, was kept"
[ "$(get traces/$latest/core)" = 200 ] || fail "the latest trace's ELF core is gone"
[ "$(get traces/$middle/core)" = 404 ] || fail "the deleted trace's core still answers"
get issues > /dev/null
for f in count devices versions first_seen last_seen; do
	[ "$(json ".issues[0].$f" "$dir/body")" = "$(json ".issues[0].$f" "$dir/issue-before")" ] ||
		fail "retention changed the issue's $f: $(cat "$dir/issue-before") then $(cat "$dir/body")"
done
get devices/dev-b > /dev/null
[ "$(json '.reboots#' "$dir/body")" = 0 ] && [ "$(json '.traces#' "$dir/body")" = 0 ] ||
	fail "dev-b still lists old events: $(cat "$dir/body")"
# The same crash again from dev-b: recognized by its digest, counted nothing.
send dev-b "$log"
sleep 0.5
until_is issues '.issues[0].count' 3
kill -TERM "$pid"
wait "$pid" || fail "the server did not stop cleanly"
echo "server-retention: ok"
rm -rf "$dir"
