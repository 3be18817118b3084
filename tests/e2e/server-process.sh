#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# server-process.sh SERVER SERIAL2BATCH M3_ELF M3_BUS_LOG M4F_ELF M4F_BUS_LOG M3_NULL_LOG CLI: processing on a real
# server. Crash logs from real on-target runs are sent as chunks; without symbols the coredumps wait, named by
# build-id; the ELF upload processes them. The same crash on more devices and in another build (the Cortex-M4F
# image, all addresses moved) joins the same issue; another crash makes another issue. Sending everything again
# and restarting the server count nothing twice. Unknown ids answer 404. The CLI shows the same (`faultline issues`
# page by page), resolves, mutes and reopens (a new crash of a later version reopens): `faultline trace` prints, byte for byte, the report `faultline decode` prints from the log,
# `faultline core` a core GDB opens.
set -u
server=$1 batch=$2 m3=$3 m3log=$4 m4f=$5 m4flog=$6 nulllog=$7 cli=$8
dir=$(mktemp -d)
fail() { echo "server-process: $*"; kill "$pid" 2>/dev/null; cat "$dir/out"; rm -rf "$dir"; exit 1; }
. "$(dirname "$0")/server-lib.sh"
start
key=$(sed -n 's/^project key.*: *//p' "$dir/out")
admin=$(sed -n 's/^admin token.*: *//p' "$dir/out")
# field JSONPATH: the value there in the last answer
field() { json "$1" "$dir/body"; }
m3id=$(arm-none-eabi-readelf -n "$m3" | awk '/Build ID:/ { print $3 }')

# Without symbols: the coredump waits for its build; no issue yet. The reboot event is stored at once.
send dev-a "$m3log"
until_is devices/dev-a .waiting_for_symbols "[\"$m3id\"]"
[ "$(field .reboots#)" -ge 1 ] || fail "no reboot event for dev-a: $(cat "$dir/body")"
get issues > /dev/null
[ "$(field .issues#)" = 0 ] || fail "an issue before the symbols arrived: $(cat "$dir/body")"

# The upload processes what waited for it.
upload "$m3"
[ "$(field .requeued)" = 1 ] || fail "the upload did not requeue the waiting coredump: $(cat "$dir/body")"
until_is issues '.issues[0].count' 1
[ "$(field '.issues[0].title')" = "bus_fault in bus_fault_write" ] || fail "issue title: $(cat "$dir/body")"
issue=$(field '.issues[0].id')
get devices/dev-a > /dev/null
[ "$(field .waiting_for_symbols#)" = 0 ] || fail "still waiting after the upload: $(cat "$dir/body")"

# The same crash on another device, and in the Cortex-M4F build: one issue, three devices.
"$cli" symbols upload "$m4f" --server "http://127.0.0.1:$port" --token "$admin" > "$dir/cli" 2>&1 ||
	fail "faultline symbols upload: $(cat "$dir/cli")"
grep -q "build-id [0-9a-f]* stored" "$dir/cli" || fail "faultline symbols upload: $(cat "$dir/cli")"
send dev-b "$m3log"
send dev-c "$m4flog"
until_is "issues/$issue" .count 3
[ "$(field .devices)" = 3 ] || fail "devices affected: $(cat "$dir/body")"
trace=$(field .trace.id)
[ -n "$trace" ] || fail "no latest trace in the issue: $(cat "$dir/body")"

# Another crash: another issue.
send dev-d "$nulllog" # another QEMU run: another device (its message tags start again)
until_has issues '"title":"null_call'

# Everything again (retransmissions), and a restart: nothing counted twice.
send dev-a "$m3log"
send dev-b "$m3log"
kill -TERM "$pid"
wait "$pid"
start
send dev-c "$m4flog"
sleep 0.5
[ "$(get "issues/$issue")" = 200 ] || fail "GET issues/$issue after the restart"
[ "$(field .count)" = 3 ] || fail "counted twice: $(cat "$dir/body")"
get issues > /dev/null
[ "$(field .issues#)" = 2 ] || fail "expected 2 issues: $(cat "$dir/body")"

# A trace: the report of `faultline decode --json`; its ELF core (the CLI's, below: the same bytes) opens in GDB.
[ "$(get "traces/$trace")" = 200 ] || fail "GET traces/$trace"
field .report.fingerprint.id | grep -q '^fl[0-9][0-9]*:[0-9a-f]\{16\}$' || fail "the trace has no report: $(cat "$dir/body")"
curl -s -o "$dir/core.elf" -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/api/v1/traces/$trace/core"
elf=$m3
[ "$(field .device)" = dev-c ] && elf=$m4f

# The CLI, with the server and token from the environment.
export FAULTLINE_SERVER="http://127.0.0.1:$port" FAULTLINE_TOKEN="$admin"
"$cli" issues > "$dir/cli" || fail "faultline issues"
grep -q "^ *$issue  *3  *3 .*bus_fault in bus_fault_write$" "$dir/cli" || fail "faultline issues: $(cat "$dir/cli")"
[ "$(grep -c '^ *[0-9]' "$dir/cli")" = 2 ] && ! grep -q 'more' "$dir/cli" || fail "faultline issues: $(cat "$dir/cli")"
# a page of one: the first issue, and there are more; --all: every page; --json: the page's issues, the rest said on stderr
"$cli" issues --limit 1 > "$dir/cli" || fail "faultline issues --limit 1"
[ "$(grep -c '^ *[0-9]' "$dir/cli")" = 1 ] && grep -q "^ *$issue  *3  *3 .*bus_fault in bus_fault_write$" "$dir/cli" &&
	[ "$(tail -1 "$dir/cli")" = "... more: faultline issues --all" ] || fail "faultline issues --limit 1: $(cat "$dir/cli")"
"$cli" issues --all --limit 1 > "$dir/cli" || fail "faultline issues --all --limit 1"
[ "$(grep -c '^ *[0-9]' "$dir/cli")" = 2 ] && grep -q ' null_call in ' "$dir/cli" && ! grep -q 'more' "$dir/cli" ||
	fail "faultline issues --all --limit 1: $(cat "$dir/cli")"
"$cli" issues --json --limit 1 > "$dir/cli" 2> "$dir/err" || fail "faultline issues --json --limit 1"
[ "$(json '#' "$dir/cli")" = 1 ] && [ "$(cat "$dir/err")" = "... more: faultline issues --all" ] ||
	fail "faultline issues --json --limit 1: $(cat "$dir/cli" "$dir/err")"
"$cli" issues --json --all > "$dir/cli" 2> "$dir/err" || fail "faultline issues --json --all"
[ "$(json '[].fingerprint' "$dir/cli" | grep -c '^fl[0-9][0-9]*:')" = 2 ] && [ ! -s "$dir/err" ] ||
	fail "faultline issues --json --all: $(cat "$dir/cli")"
for n in 0 501 x ''; do
	"$cli" issues --limit "$n" 2> "$dir/err"
	[ $? -eq 2 ] && grep -q "faultline issues: --limit takes 1..500" "$dir/err" || fail "--limit '$n': $(cat "$dir/err")"
done
"$cli" devices --all 2> "$dir/err"; [ $? -eq 2 ] || fail "faultline devices --all: $(cat "$dir/err")"
"$cli" issue "$issue" > "$dir/cli" || fail "faultline issue"
grep -q "^occurrences: 3 on 3 device(s)" "$dir/cli" || fail "faultline issue: $(cat "$dir/cli")"
log=$m3log
[ "$elf" = "$m4f" ] && log=$m4flog
same_as_decode "$trace" "$elf" "$log"
[ "$(wc -l < "$dir/trace.report")" -gt 5 ] || fail "faultline trace: $(cat "$dir/trace.txt")"
grep -q "^trace $trace of issue $issue, device dev-[abc], received " "$dir/trace.txt" ||
	fail "faultline trace: its heading: $(cat "$dir/trace.txt")"
cp "$dir/decode.txt" "$dir/decode"
same_as_decode "$(traces dev-d)" "$m3" "$nulllog"
cp "$dir/decode.txt" "$dir/null.decode"
"$cli" trace "$trace" --json | json .fingerprint.id | grep -q '^fl[0-9][0-9]*:' || fail "faultline trace --json"
"$cli" core "$trace" -o "$dir/cli.elf" > "$dir/cli.core" && cmp -s "$dir/cli.elf" "$dir/core.elf" || fail "faultline core"
# The GDB command `faultline core` prints, run as printed, gives the whole backtrace: of the bus fault, and of the
# NULL call (GDB 13 without `set stack-cache off` ends that one at a frame `0x00000000 in ?? ()`).
"$(dirname "$0")/gdb-command.sh" check "$dir/cli.core" "$elf" "$dir/decode" || fail "GDB on the core of trace $trace"
null=$(traces dev-d | head -1)
"$cli" core "$null" -o "$dir/null.elf" > "$dir/null.core" || fail "faultline core $null"
"$(dirname "$0")/gdb-command.sh" check "$dir/null.core" "$m3" "$dir/null.decode" || fail "GDB on the core of trace $null"
"$cli" devices > "$dir/cli" && grep -q "^dev-c " "$dir/cli" || fail "faultline devices: $(cat "$dir/cli")"
"$cli" devices --json | json '.[].serial' | grep -qx dev-d || fail "faultline devices --json"
"$cli" issue 999 2> "$dir/cli" && fail "faultline issue 999 succeeded"
grep -q "HTTP 404: no such issue" "$dir/cli" || fail "faultline issue 999: $(cat "$dir/cli")"
"$cli" issues --token fla_wrong 2> "$dir/cli" && fail "a wrong token succeeded"
grep -q "HTTP 401" "$dir/cli" || fail "a wrong token: $(cat "$dir/cli")"
"$cli" symbols upload "$dir/batch" 2> "$dir/cli" && fail "uploading a non-ELF succeeded"
grep -q "HTTP 400: the upload is not an ELF file" "$dir/cli" || fail "a non-ELF upload: $(cat "$dir/cli")"
FAULTLINE_TOKEN= "$cli" issues 2> "$dir/cli"; [ $? -eq 2 ] && grep -q "no admin token" "$dir/cli" || fail "no token"
"$cli" issues --server http://127.0.0.1:1 2> "$dir/cli" && fail "an unreachable server succeeded"
grep -q "cannot reach the server at http://127.0.0.1:1" "$dir/cli" || fail "unreachable: $(cat "$dir/cli")"
# The issue workflow: resolved in a version before the crashes' own (0.0.0-test: tests/target/board), a new crash
# reopens it, saying why; muted, a new crash leaves it muted; the CLI's usage errors and the server's refusals.
version=$(get "issues/$issue" > /dev/null; field '.versions[0]')
[ "$version" = 0.0.0-test ] || fail "the crashes' version: $(cat "$dir/body")"
"$cli" resolve "$issue" --in 0.0.0-alpha > "$dir/cli" && grep -qx "issue $issue resolved in 0.0.0-alpha: it reopens when a trace comes from a later version" "$dir/cli" ||
	fail "faultline resolve: $(cat "$dir/cli")"
"$cli" issues > "$dir/cli" && grep -q "^ *$issue  *3  *3  resolved  .*bus_fault in bus_fault_write$" "$dir/cli" ||
	fail "faultline issues after resolve: $(cat "$dir/cli")"
send dev-e "$m3log"
until_is "issues/$issue" .state open
[ "$(field .count)" = 4 ] && field .state_why | grep -q "from $version, later than 0.0.0-alpha, where it was resolved" ||
	fail "the reopen: $(cat "$dir/body")"
"$cli" issue "$issue" > "$dir/cli" && grep -q "^state:       open since .* UTC: reopened, trace [0-9]* came from $version" "$dir/cli" ||
	fail "faultline issue after the reopen: $(cat "$dir/cli")"
"$cli" mute "$issue" > "$dir/cli" && grep -q "^issue $issue muted" "$dir/cli" || fail "faultline mute: $(cat "$dir/cli")"
send dev-f "$m3log"
until_is "issues/$issue" .count 5
[ "$(field .state)" = muted ] || fail "a muted issue reopened: $(cat "$dir/body")"
"$cli" reopen "$issue" --json > "$dir/cli" && [ "$(json .state "$dir/cli")" = open ] || fail "faultline reopen: $(cat "$dir/cli")"
"$cli" resolve "$issue" 2> "$dir/err"; [ $? -eq 2 ] && grep -q "usage: faultline resolve ISSUE_ID --in VERSION" "$dir/err" ||
	fail "faultline resolve without --in: $(cat "$dir/err")"
"$cli" resolve "$issue" --in "" 2> "$dir/err"; [ $? -eq 1 ] && grep -q "HTTP 400: resolving names the version" "$dir/err" ||
	fail "faultline resolve --in '': $(cat "$dir/err")"
"$cli" mute 999 2> "$dir/err"; [ $? -eq 1 ] && grep -q "HTTP 404: no such issue" "$dir/err" || fail "faultline mute 999: $(cat "$dir/err")"
code=$(curl -s -o "$dir/body" -w '%{http_code}' -X POST -H "X-Faultline-Key: $key" "http://127.0.0.1:$port/api/v1/issues/$issue/mute")
[ "$code" = 401 ] || fail "the project key muted an issue: $code $(cat "$dir/body")"
head -c 70000 /dev/zero | curl -s -o "$dir/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $admin" \
	--data-binary @- "http://127.0.0.1:$port/api/v1/issues/$issue/resolve" > "$dir/code"
[ "$(cat "$dir/code")" = 413 ] || fail "a 70 KB resolve: $(cat "$dir/code" "$dir/body")"
get "issues/$issue" > /dev/null
[ "$(field .state)" = open ] || fail "refused requests changed the issue: $(cat "$dir/body")"

# Unknown or malformed ids.
for path in issues/999 issues/abc issues/-1 traces/999 traces/1x traces/999/core devices/nobody; do
	[ "$(get "$path")" = 404 ] || fail "GET $path: $(cat "$dir/body")"
	[ "$(field .error.code)" = not_found ] || fail "GET $path: $(cat "$dir/body")"
done
[ "$(get 'devices/a%2F..')" = 400 ] || fail "a serial with path characters: $(cat "$dir/body")"
[ "$(get 'issues?after=0')" = 200 ] && [ "$(field .issues#)" -ge 1 ] || fail "GET issues?after=0: $(cat "$dir/body")"
for path in 'issues?limit=abc' 'issues?limit=0' 'devices?limit=-5' 'issues?after=x'; do
	[ "$(get "$path")" = 400 ] && [ "$(field .error.code)" = bad_request ] || fail "GET $path: $(cat "$dir/body")"
done
kill -TERM "$pid"
wait "$pid"
echo "server-process: ok"
rm -rf "$dir"
