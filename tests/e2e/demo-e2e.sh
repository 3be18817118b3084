#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# demo-e2e.sh SERVER CLI FIRMWARE_DIR EXAMPLE_DIR: the demo's whole flow, asserted. Every scenario of
# EXAMPLE_DIR/scenarios runs in QEMU (crash, reboot, chunks on the console) through `faultline bridge` into a real
# server: one issue each, of the right fault kind, whose report's top frames are the firmware's real call chain
# (the source lines marked "@frame"), and whose `faultline trace` is byte for byte what `faultline decode` prints from
# the run's console log. Then: a scenario run twice counts twice in one issue; release 1.0.1, whose
# addresses moved, joins the same issue, from a dump that arrived before its ELF; the server killed and restarted
# while the bridge forwards a dump loses nothing and counts nothing twice.
set -u
server=$1 cli=$2 fw=$3 example=$4
dir=$(mktemp -d)
pid= bridge=
fail() {
	echo "demo-e2e: $*" >&2
	[ -z "$pid" ] || kill -9 "$pid" 2>/dev/null
	[ -z "$bridge" ] || kill "$bridge" 2>/dev/null
	tail -20 "$dir/out"
	rm -rf "$dir"
	exit 1
}
. "$(dirname "$0")/server-lib.sh"
elf0=$fw/qemu-mps2-demo-1.0.0.elf elf1=$fw/qemu-mps2-demo-1.0.1.elf
get() { curl -s -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/api/v1/$1"; }
# run SERIAL ELF COMMAND: one QEMU run of the demo firmware on device SERIAL, through the bridge
run() {
	"$example/run.sh" --timeout 30 --psram "$dir/$1.img" "$2" "serial=$1 $3" > "$dir/$1.log" 2>&1 ||
		fail "$1: QEMU ended with status $?: $(tail -5 "$dir/$1.log")"
	FAULTLINE_KEY=$key "$cli" bridge "$dir/$1.log" > "$dir/$1.bridged" 2> "$dir/$1.bridge-err" ||
		fail "$1: the bridge failed: $(cat "$dir/$1.bridge-err")"
	grep -q ' 0 refused, 0 damaged' "$dir/$1.bridge-err" || fail "$1: $(cat "$dir/$1.bridge-err")"
}
issue_of() { get "traces/$1" | json .issue; }
field() { get "issues/$1" | json ".$2"; }
# frames TRACE: its application frames as "function file:line", "<exception>" between an exception's sides
frames() {
	"$cli" trace "$1" | awk '/^  #[0-9]/ { fn = ""; loc = "-"
		for (i = 1; i <= NF; i++) { if ($i == "in") fn = $(i + 1); if ($i == "at") loc = $(i + 1) }
		if (loc ~ /\/sdk\//) next
		n = split(loc, p, "/"); print fn, p[n] }
		/^ *<exception>$/ { print "<exception>" }'
}
# expected FRAMES: the scenarios file's FUNCTION@MARKER list as frames() prints them
expected() {
	for f in $1; do
		case $f in
		"<exception>") echo "$f" ;;
		*@-) echo "${f%@*} -" ;;
		*)
			at=$(grep -n "@frame ${f#*@} " "$example"/src/*.c) || fail "no @frame ${f#*@} marker in $example/src"
			[ "$(echo "$at" | wc -l)" = 1 ] || fail "marker ${f#*@} is not unique"
			echo "${f%@*} $(basename "${at%%:*}"):$(echo "$at" | cut -d: -f2)" ;;
		esac
	done
}

start
key=$(sed -n 's/^project key.*: *//p' "$dir/out")
admin=$(sed -n 's/^admin token.*: *//p' "$dir/out")
export FAULTLINE_SERVER="http://127.0.0.1:$port" FAULTLINE_TOKEN="$admin"
"$cli" symbols upload "$elf0" > /dev/null || fail "upload 1.0.0"

# every scenario: one issue of its kind, with the real call chain
grep -v '^#' "$example/scenarios" > "$dir/scenarios"
while IFS='|' read -r name command kind want; do
	run "e2e-$name" "$elf0" "$command"
done < "$dir/scenarios"
while IFS='|' read -r name command kind want; do
	wait_traces "e2e-$name" 1
	trace=$(traces "e2e-$name")
	issue=$(issue_of "$trace")
	echo "$issue" >> "$dir/issues"
	[ "$(field "$issue" kind)" = "$kind" ] || fail "$name: issue $issue is of kind $(field "$issue" kind), not $kind"
	[ "$(field "$issue" count)" = 1 ] || fail "$name: issue $issue counts $(field "$issue" count)"
	same_as_decode "$trace" "$elf0" "$dir/e2e-$name.log"
	case $want in
	recursing:*)
		"$cli" trace "$trace" > "$dir/$name.trace"
		grep -q '^fault: *stack overflow' "$dir/$name.trace" || fail "$name: not a stack overflow: $(cat "$dir/$name.trace")"
		grep -q "^stack: *${want#recursing:}() recursing" "$dir/$name.trace" ||
			fail "$name: the recursing function is not ${want#recursing:}: $(cat "$dir/$name.trace")"
		[ "$(field "$issue" title)" = "stack_overflow in ${want#recursing:}() recursing" ] ||
			fail "$name: the issue's title is '$(field "$issue" title)'"
		;;
	*)
		expected "$want" > "$dir/$name.want"
		frames "$trace" | head -n "$(wc -l < "$dir/$name.want")" > "$dir/$name.got"
		cmp -s "$dir/$name.want" "$dir/$name.got" ||
			fail "$name: frames differ from the firmware's call chain:
$(diff "$dir/$name.want" "$dir/$name.got")"
		;;
	esac
done < "$dir/scenarios"
[ "$(sort -u "$dir/issues" | wc -l)" = "$(wc -l < "$dir/scenarios")" ] || fail "scenarios share issues: $(cat "$dir/issues")"
bus_issue=$(issue_of "$(traces e2e-bus_write)")

# the same crash again on the same device: the same issue, counted twice
run e2e-bus_write "$elf0" dma
wait_traces e2e-bus_write 2
[ "$(issue_of "$(traces e2e-bus_write | head -1)")" = "$bus_issue" ] || fail "bus_write again made another issue"
[ "$(field "$bus_issue" count)" = 2 ] || fail "bus_write twice counts $(field "$bus_issue" count)"

# release 1.0.1 moved the crash site's address; its dump arrives before its ELF, waits, then joins the issue
a0=$(arm-none-eabi-nm "$elf0" | awk '$3 == "dma_copy" { print $1 }')
a1=$(arm-none-eabi-nm "$elf1" | awk '$3 == "dma_copy" { print $1 }')
[ -n "$a0" ] && [ "$a0" != "$a1" ] || fail "dma_copy did not move in 1.0.1 ($a0, $a1)"
run e2e-shifted "$elf1" dma
id1=$(arm-none-eabi-readelf -n "$elf1" | sed -n 's/.*Build ID: *//p')
i=0
until [ "$(get devices/e2e-shifted | json .waiting_for_symbols)" = "[\"$id1\"]" ] || [ $i -ge 400 ]; do
	sleep 0.05
	i=$((i + 1))
done
[ "$(get devices/e2e-shifted | json .waiting_for_symbols)" = "[\"$id1\"]" ] ||
	fail "1.0.1's dump does not wait for its symbols: $(get devices/e2e-shifted)"
"$cli" symbols upload "$elf1" > /dev/null || fail "upload 1.0.1"
wait_traces e2e-shifted 1
[ "$(issue_of "$(traces e2e-shifted)")" = "$bus_issue" ] || fail "1.0.1's bus_write made another issue"
[ "$(field "$bus_issue" count)" = 3 ] || fail "with 1.0.1, bus_write counts $(field "$bus_issue" count)"
[ "$(get "issues/$bus_issue" | json .versions)" = '["1.0.0","1.0.1"]' ] || fail "versions: $(get "issues/$bus_issue")"
expected "$(grep '^bus_write|' "$dir/scenarios" | cut -d'|' -f4)" > "$dir/shifted.want"
frames "$(traces e2e-shifted)" | head -n "$(wc -l < "$dir/shifted.want")" > "$dir/shifted.got"
cmp -s "$dir/shifted.want" "$dir/shifted.got" || fail "1.0.1's frames: $(diff "$dir/shifted.want" "$dir/shifted.got")"

# the server killed while the bridge forwards a dump, restarted on the same port: nothing lost, nothing twice
"$example/run.sh" --timeout 30 --psram "$dir/restart.img" "$elf0" "serial=e2e-restart dma" > "$dir/restart.log" 2>&1 ||
	fail "restart: QEMU failed"
lines=$(wc -l < "$dir/restart.log")
mkfifo "$dir/console"
"$cli" bridge --key "$key" "$dir/console" > /dev/null 2> "$dir/restart.bridge-err" &
bridge=$!
exec 3> "$dir/console"
head -n $((lines / 2)) "$dir/restart.log" >&3
i=0
until [ "$(get devices/e2e-restart | json .serial 2>/dev/null)" = e2e-restart ] || [ $i -ge 400 ]; do
	sleep 0.05; i=$((i + 1)); done
[ "$(get devices/e2e-restart | json .serial)" = e2e-restart ] || fail "the first half of the dump never reached the server"
kill -9 "$pid"
wait "$pid" 2>/dev/null
pid=
tail -n +$((lines / 2 + 1)) "$dir/restart.log" >&3
exec 3>&-
i=0
until grep -q 'does not take chunks now' "$dir/restart.bridge-err" || [ $i -ge 400 ]; do sleep 0.05; i=$((i + 1)); done
grep -q 'does not take chunks now' "$dir/restart.bridge-err" || fail "the bridge never found the server gone"
old=$port
"$server" --data "$dir/data" --listen "127.0.0.1:$old" >> "$dir/out" 2>&1 &
pid=$!
wait "$bridge" || fail "the bridge failed after the restart: $(cat "$dir/restart.bridge-err")"
bridge=
grep -q ' 0 refused, 0 damaged' "$dir/restart.bridge-err" || fail "restart: $(cat "$dir/restart.bridge-err")"
wait_traces e2e-restart 1
[ "$(issue_of "$(traces e2e-restart)")" = "$bus_issue" ] || fail "the restarted dump made another issue"
[ "$(field "$bus_issue" count)" = 4 ] || fail "after the restart, bus_write counts $(field "$bus_issue" count)"
"$cli" bridge --key "$key" "$dir/restart.log" > /dev/null 2> "$dir/again.bridge-err" || fail "sending it all again"
sleep 0.5
traces e2e-restart > "$dir/restart.traces"
[ "$(wc -l < "$dir/restart.traces")" = 1 ] || fail "the dump sent again made a second trace"
[ "$(field "$bus_issue" count)" = 4 ] || fail "the dump sent again counted: $(field "$bus_issue" count)"

# one device's timeline in the CLI: why its boots ended, its trace
"$cli" device e2e-watchdog > "$dir/device" || fail "faultline device: $(cat "$dir/device")"
grep -q '^ *[0-9]*  [0-9-]* [0-9:]*  fatal_error (0x8009)$' "$dir/device" || fail "device: no fatal_error boot: $(cat "$dir/device")"
grep -q "^ *$(traces e2e-watchdog) *$(issue_of "$(traces e2e-watchdog)") " "$dir/device" || fail "device: no trace: $(cat "$dir/device")"
[ "$("$cli" device e2e-watchdog --json | json .waiting_for_symbols#)" = 0 ] || fail "device --json"
"$cli" device nobody 2> "$dir/err" && fail "an unknown device was found"
grep -q 'HTTP 404: no such device' "$dir/err" || fail "unknown device: $(cat "$dir/err")"
"$cli" device 'a/b' 2> /dev/null; [ $? = 2 ] || fail "a serial with a slash is not a usage error"

kill -TERM "$pid"
wait "$pid" || fail "the server did not stop cleanly"
rm -rf "$dir"
echo "demo-e2e: ok"
