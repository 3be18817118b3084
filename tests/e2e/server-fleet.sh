#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# server-fleet.sh SERVER FLEETSIM CLI: 1,000 simulated devices on the real SDK (sim/fleetsim) for 7 simulated days
# through a lossy link into a real server on its test clock: two versions of 500 devices, the second crashing twice
# as often. The server's health per version (GET /api/v1/versions at the final simulated clock) equals the ground
# truth of what got through, exactly; every result agrees with what the simulator sent; the metric names came with
# the uploaded ELF; and `faultline compare` finds the second version worse. Prints the time it took.
set -u
server=$1 sim=$2 cli=$3
dir=$(mktemp -d)
t0=$(date +%s)
fail() {
	echo "server-fleet: $*"
	kill "$pid" 2>/dev/null
	tail -20 "$dir/out"
	cat "$dir/sim.log" 2>/dev/null
	rm -rf "$dir"
	exit 1
}
. "$(dirname "$0")/server-lib.sh"
start --test-clock --new-devices-per-hour 0 --device-messages-per-hour 0 --device-heartbeats-per-hour 0 \
	--key-mb-per-day 0
key=$(sed -n 's/^project key.*: *//p' "$dir/out")
admin=$(sed -n 's/^admin token.*: *//p' "$dir/out")
a=1.4.2 b=1.4.3

# Crashes: 1 and 2 per 1,000 device-hours (some 80 and 160 in the week); a planned reboot every other day; 2 % of
# the chunks lost, a heartbeat before each planned reboot; chunks of 40 bytes (a heartbeat takes two, a coredump a
# dozen).
"$sim" --server "http://127.0.0.1:$port" --key "$key" --token "$admin" --upload-elf --seed 20251202 --days 7 \
	--group $a:500:1:0.5 --group $b:500:2:0.5 --loss 0.02 --mtu 40 --last-heartbeat \
	--summary "$dir/summary.json" 2> "$dir/sim.log" ||
	fail "fleetsim failed"
grep -q '^fleetsim: day 7 of 7 .*: 1000 devices; [0-9]* messages sent' "$dir/sim.log" || fail "no progress lines"
sum() { json "$1" "$dir/summary.json"; }
[ "$(sum .link.disagreements)" = 0 ] || fail "$(sum .link.disagreements) results disagree with what got through"
[ "$(sum .link.messages_lost)" -gt 0 ] || fail "the link lost no message"

# The server's numbers at the final simulated clock against the ground truth, version by version.
[ "$(get "versions?days=30")" = 200 ] || fail "GET versions: $(cat "$dir/body")"
cp "$dir/body" "$dir/versions.json"
[ "$(json '.versions#' "$dir/versions.json")" = 2 ] || fail "versions: $(cat "$dir/versions.json")"
for i in 0 1; do
	srv() { json ".versions[$i].$1" "$dir/versions.json"; }
	v=$(sum ".versions[$i].sw_version")
	[ "$(srv sw_version)" = "$v" ] || fail "version $i is $(srv sw_version), expected $v"
	seconds=$(awk -v h="$(srv device_hours)" 'BEGIN { printf "%.0f", h * 3600 }')
	[ "$seconds" = "$(sum ".versions[$i].device_seconds")" ] ||
		fail "$v: $(srv device_hours) device-hours on the server, $(sum ".versions[$i].device_hours") got through"
	for n in devices unexpected_reboots coredumps; do
		[ "$(srv $n)" = "$(sum ".versions[$i].$n")" ] ||
			fail "$v: $n $(srv $n) on the server, $(sum ".versions[$i].$n") got through"
	done
	[ "$(srv unexpected_reboots)" -gt 50 ] && [ "$(srv coredumps)" -gt 10 ] ||
		fail "$v: too few crashes to mean anything: $(srv unexpected_reboots), $(srv coredumps) coredumps"
	echo "server-fleet: $v: $(srv devices) devices, $(srv device_hours) device-hours, $(srv unexpected_reboots)" \
	     "unexpected reboots, $(srv coredumps) coredumps: as got through"
done

# The ELF's key table named the metrics of both versions' heartbeats.
[ "$(get "metrics?key=battery_mv")" = 200 ] && [ "$(json '.versions#' "$dir/body")" = 2 ] ||
	fail "metrics?key=battery_mv: $(cat "$dir/body")"

# And the CLI's verdict on unexpected reboots (the first rate it prints).
FAULTLINE_SERVER="http://127.0.0.1:$port" FAULTLINE_TOKEN=$admin "$cli" compare $a $b > "$dir/compare.txt" ||
	fail "faultline compare: $(cat "$dir/compare.txt")"
sed -n '/^unexpected reboots/{n;p;}' "$dir/compare.txt" | grep -q '^  -> worse: ' ||
	fail "faultline compare does not find $b worse: $(cat "$dir/compare.txt")"
kill -TERM "$pid"
wait "$pid" || fail "the server did not stop cleanly"
grep '^fleetsim: 1000 devices x' "$dir/sim.log"
echo "server-fleet: ok in $(($(date +%s) - t0)) s"
rm -rf "$dir"
