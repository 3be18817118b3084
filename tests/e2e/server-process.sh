#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# server-process.sh SERVER SERIAL2BATCH M3_ELF M3_BUS_LOG M4F_ELF M4F_BUS_LOG M3_NULL_LOG CLI: processing on a real
# server. Crash logs from real on-target runs are sent as chunks; without symbols the coredumps wait, named by
# build-id; the ELF upload processes them. The same crash on more devices and in another build (the Cortex-M4F
# image, all addresses moved) joins the same issue; another crash makes another issue. Sending everything again
# and restarting the server count nothing twice. Unknown ids answer 404. The CLI shows the same: `faultline trace`
# prints the report `faultline decode` prints from the log, `faultline core` a core GDB opens.
set -u
server=$1 batch=$2 m3=$3 m3log=$4 m4f=$5 m4flog=$6 nulllog=$7 cli=$8
dir=$(mktemp -d)
fail() { echo "server-process: $*"; kill "$pid" 2>/dev/null; cat "$dir/out"; rm -rf "$dir"; exit 1; }
. "$(dirname "$0")/server-lib.sh"
start
key=$(sed -n 's/^project key.*: *//p' "$dir/out")
admin=$(sed -n 's/^admin token.*: *//p' "$dir/out")
get() { curl -s -o "$dir/body" -w '%{http_code}' -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/api/v1/$1"; }
send() { # SERIAL LOG
	"$batch" "$2" > "$dir/batch" || fail "cannot read $2"
	got=$(curl -s -o "$dir/body" -w '%{http_code}' -H "X-Faultline-Key: $key" \
		-H "Content-Type: application/vnd.faultline.chunk-batch" --data-binary "@$dir/batch" \
		"http://127.0.0.1:$port/api/v1/devices/$1/chunks")
	[ "$got" = 200 ] || fail "chunks of $2 for $1: HTTP $got $(cat "$dir/body")"
}
upload() {
	got=$(curl -s -o "$dir/body" -w '%{http_code}' -H "Authorization: Bearer $admin" --data-binary "@$1" \
		"http://127.0.0.1:$port/api/v1/symbols")
	[ "$got" = 201 ] || fail "upload $1: HTTP $got $(cat "$dir/body")"
}
# until PATH TEXT: wait (20 s at most: a loaded machine) for the answer to PATH to hold TEXT
until_has() {
	i=0
	while [ $i -lt 400 ]; do
		[ "$(get "$1")" = 200 ] && grep -q "$2" "$dir/body" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	fail "GET $1 never held '$2': $(cat "$dir/body")"
}
field() { grep -o "\"$1\":[^,}]*" "$dir/body" | head -1 | cut -d: -f2-; }
m3id=$(arm-none-eabi-readelf -n "$m3" | awk '/Build ID:/ { print $3 }')

# Without symbols: the coredump waits for its build; no issue yet. The reboot event is stored at once.
send dev-a "$m3log"
until_has devices/dev-a "\"waiting_for_symbols\":\[\"$m3id\"\]"
grep -q '"reboots":\[{' "$dir/body" || fail "no reboot event for dev-a: $(cat "$dir/body")"
get issues > /dev/null
grep -q '"issues":\[\]' "$dir/body" || fail "an issue before the symbols arrived: $(cat "$dir/body")"

# The upload processes what waited for it.
upload "$m3"
grep -q '"requeued":1' "$dir/body" || fail "the upload did not requeue the waiting coredump: $(cat "$dir/body")"
until_has issues '"count":1'
grep -q '"title":"bus_fault in bus_fault_write"' "$dir/body" || fail "issue title: $(cat "$dir/body")"
issue=$(field id)
get devices/dev-a > /dev/null
grep -q '"waiting_for_symbols":\[\]' "$dir/body" || fail "still waiting after the upload: $(cat "$dir/body")"

# The same crash on another device, and in the Cortex-M4F build: one issue, three devices.
"$cli" symbols upload "$m4f" --server "http://127.0.0.1:$port" --token "$admin" > "$dir/cli" 2>&1 ||
	fail "faultline symbols upload: $(cat "$dir/cli")"
grep -q "build-id [0-9a-f]* stored" "$dir/cli" || fail "faultline symbols upload: $(cat "$dir/cli")"
send dev-b "$m3log"
send dev-c "$m4flog"
until_has "issues/$issue" '"count":3'
grep -q '"devices":3' "$dir/body" || fail "devices affected: $(cat "$dir/body")"
trace=$(grep -o '"trace":{"id":[0-9]*' "$dir/body" | grep -o '[0-9]*$')
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
grep -q '"count":3' "$dir/body" || fail "counted twice: $(cat "$dir/body")"
get issues > /dev/null
[ "$(grep -o '"fingerprint"' "$dir/body" | wc -l)" = 2 ] || fail "expected 2 issues: $(cat "$dir/body")"

# A trace: the report of `faultline decode --json`; its ELF core (the CLI's, below: the same bytes) opens in GDB.
[ "$(get "traces/$trace")" = 200 ] || fail "GET traces/$trace"
grep -q '"fingerprint":{' "$dir/body" || fail "the trace has no report: $(cat "$dir/body")"
curl -s -o "$dir/core.elf" -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/api/v1/traces/$trace/core"
elf=$m3
grep -q '"device":"dev-c"' "$dir/body" && elf=$m4f

# The CLI, with the server and token from the environment.
export FAULTLINE_SERVER="http://127.0.0.1:$port" FAULTLINE_TOKEN="$admin"
"$cli" issues > "$dir/cli" || fail "faultline issues"
grep -q "^ *$issue  *3  *3 .*bus_fault in bus_fault_write$" "$dir/cli" || fail "faultline issues: $(cat "$dir/cli")"
"$cli" issue "$issue" > "$dir/cli" || fail "faultline issue"
grep -q "^occurrences: 3 on 3 device(s)" "$dir/cli" || fail "faultline issue: $(cat "$dir/cli")"
"$cli" trace "$trace" > "$dir/cli" || fail "faultline trace"
log=$m3log
[ "$elf" = "$m4f" ] && log=$m4flog
"$cli" decode --elf "$elf" "$log" > "$dir/decode" || fail "faultline decode"
tail -n +3 "$dir/cli" > "$dir/report"
grep -qF "$(head -1 "$dir/report")" "$dir/decode" && [ "$(wc -l < "$dir/report")" -gt 5 ] ||
	fail "faultline trace is not the report of decode: $(cat "$dir/cli")"
grep -vxFf "$dir/decode" "$dir/report" > "$dir/extra" && fail "lines of faultline trace not in decode's: $(cat "$dir/extra")"
"$cli" trace "$trace" --json | grep -q '"fingerprint": {' || fail "faultline trace --json"
"$cli" core "$trace" -o "$dir/cli.elf" > "$dir/cli.core" && cmp -s "$dir/cli.elf" "$dir/core.elf" || fail "faultline core"
# The GDB command `faultline core` prints, run as printed, gives the whole backtrace: of the bus fault, and of the
# NULL call (GDB 13 without `set stack-cache off` ends that one at a frame `0x00000000 in ?? ()`).
"$(dirname "$0")/gdb-command.sh" check "$dir/cli.core" "$elf" "$dir/decode" || fail "GDB on the core of trace $trace"
null=$(traces dev-d | head -1)
"$cli" core "$null" -o "$dir/null.elf" > "$dir/null.core" || fail "faultline core $null"
"$cli" decode --elf "$m3" "$nulllog" > "$dir/null.decode" || fail "faultline decode $nulllog"
"$(dirname "$0")/gdb-command.sh" check "$dir/null.core" "$m3" "$dir/null.decode" || fail "GDB on the core of trace $null"
"$cli" devices > "$dir/cli" && grep -q "^dev-c " "$dir/cli" || fail "faultline devices: $(cat "$dir/cli")"
"$cli" devices --json | grep -q '"serial": "dev-d"' || fail "faultline devices --json"
"$cli" issue 999 2> "$dir/cli" && fail "faultline issue 999 succeeded"
grep -q "HTTP 404: no such issue" "$dir/cli" || fail "faultline issue 999: $(cat "$dir/cli")"
"$cli" issues --token fla_wrong 2> "$dir/cli" && fail "a wrong token succeeded"
grep -q "HTTP 401" "$dir/cli" || fail "a wrong token: $(cat "$dir/cli")"
"$cli" symbols upload "$dir/batch" 2> "$dir/cli" && fail "uploading a non-ELF succeeded"
grep -q "HTTP 400: the upload is not an ELF file" "$dir/cli" || fail "a non-ELF upload: $(cat "$dir/cli")"
FAULTLINE_TOKEN= "$cli" issues 2> "$dir/cli"; [ $? -eq 2 ] && grep -q "no admin token" "$dir/cli" || fail "no token"
"$cli" issues --server http://127.0.0.1:1 2> "$dir/cli" && fail "an unreachable server succeeded"
grep -q "cannot reach the server at http://127.0.0.1:1" "$dir/cli" || fail "unreachable: $(cat "$dir/cli")"

# Unknown or malformed ids.
for path in issues/999 issues/abc issues/-1 traces/999 traces/1x traces/999/core devices/nobody; do
	[ "$(get "$path")" = 404 ] || fail "GET $path: $(cat "$dir/body")"
	grep -q '"code":"not_found"' "$dir/body" || fail "GET $path: $(cat "$dir/body")"
done
[ "$(get 'devices/a%2F..')" = 400 ] || fail "a serial with path characters: $(cat "$dir/body")"
[ "$(get 'issues?after=0')" = 200 ] && grep -q '"issues":\[{' "$dir/body" || fail "GET issues?after=0: $(cat "$dir/body")"
for path in 'issues?limit=abc' 'issues?limit=0' 'devices?limit=-5' 'issues?after=x'; do
	[ "$(get "$path")" = 400 ] && grep -q '"code":"bad_request"' "$dir/body" || fail "GET $path: $(cat "$dir/body")"
done
kill -TERM "$pid"
wait "$pid"
echo "server-process: ok"
rm -rf "$dir"
