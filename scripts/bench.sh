#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench.sh BUILD_DIR: run every benchmark and print its numbers (never a pass/fail).
set -eu
build=$1
here=$(cd "$(dirname "$0")/.." && pwd)
echo "host: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d)"
for b in "$build"/bench/bench_crc32 "$build"/bench/bench_release; do
	echo "== $(basename "$b")"
	"$b"
done
# OTA over a console: image bytes through faultline bridge on a line paced as a 115200-baud UART (docs/OTA.md)
echo "== downlink"
/usr/bin/python3 "$here/tests/e2e/bridge_downlink.py" "$build/server/faultline-server" "$build/cli/faultline" \
	"$build/firmware/examples/qemu-mps2/qemu-mps2-demo-1.0.1.elf" --paced

# Median wall time of a command over N runs, in milliseconds.
median_ms() {
	n=$1
	shift
	i=0
	while [ $i -lt "$n" ]; do
		t0=$(date +%s%N)
		"$@" > /dev/null 2>&1 || true
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000))
		i=$((i + 1))
	done | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] / 1000 }'
}

# decode as a whole process against GDB on the exported core, same crash, same machine: the backtrace against
# `bt`, then with every frame's variables against `bt full` (the like work), and the backtrace against
# eu-addr2line -f -i on the same pcs (it only symbolizes; decode also parses, unwinds and fingerprints). bench_pair
# alternates the two commands run by run and takes the ratio pair by pair (a machine that changes speed meanwhile
# moves both); each run is a fork of sh -c, a millisecond or so on both sides.
pair() { # LABEL_A LABEL_B TARGET COMMAND_A COMMAND_B: "A: x ms  B: y ms  A is n.nx faster", TARGET the x it must reach
	"$build/bench/bench_pair" 15 "$4" -- "$5" |
		awk -v la="$1" -v lb="$2" -v t="$3" '{ printf "  %s: %s ms   %s: %s ms   (medians of %s alternating runs)\n", la,
			$2, lb, $5, $11; printf "  faultline is %.1fx faster", $8;
			if (t != "") printf " (target: at least %sx: %s)", t, ($8 >= t) ? "met" : "missed"; print "" }'
}
work=$(mktemp -d)
for case in "small:$build/firmware/tests/target/faults-m3.elf:deep_chain" \
	    "variables:$build/firmware/tests/target/vars-m3-O2.elf:structs" \
	    "large:$build/firmware/bench/large/bench-large.elf:"; do
	name=${case%%:*}
	rest=${case#*:}
	elf=${rest%%:*}
	scenario=${rest#*:}
	"$here/tests/target/run-qemu.sh" "$elf" $scenario > "$work/$name.log" 2>&1 || true
	"$build/cli/faultline" decode --elf "$elf" "$work/$name.log" --core "$work/$name.core" > /dev/null 2>&1
	frames=$("$build/cli/faultline" decode --elf "$elf" "$work/$name.log" 2>/dev/null | grep -c '^  #')
	vars=$("$build/cli/faultline" decode --elf "$elf" "$work/$name.log" 2>/dev/null | grep -c '^        ' || true)
	pcs=$("$build/cli/faultline" decode --json --no-variables --elf "$elf" "$work/$name.log" 2>/dev/null |
		sed -n 's/^ *"pc": "\(0x[0-9a-f]*\)",*$/\1/p' | uniq | tr '\n' ' ')
	dwarf=$(arm-none-eabi-size -A "$elf" | awk '$1 ~ /^\.debug/ { s += $2 } END { print s }')
	echo "== decode vs gdb, $name ELF: $(($(stat -c %s "$elf") / 1024)) KiB, $((dwarf / 1024)) KiB of DWARF, $frames frames," \
	     "$vars variables"
	gdb="gdb-multiarch -q -nx -batch -ex 'set stack-cache off' $elf -ex 'core-file $work/$name.core'"
	decode="$build/cli/faultline decode --elf $elf $work/$name.log"
	target=
	[ "$name" = large ] && target=10
	pair "faultline decode --no-variables" "gdb-multiarch -batch core bt" "" "$decode --no-variables" "$gdb -ex bt"
	pair "faultline decode (variables)" "gdb-multiarch -batch core bt full" "$target" "$decode" "$gdb -ex 'bt full'"
	if command -v eu-addr2line > /dev/null; then
		pair "faultline decode --no-variables" "eu-addr2line -f -i (the same pcs)" "" "$decode --no-variables" \
			"eu-addr2line -f -i -e $elf $pcs"
	fi
	"$build/bench/bench_report" "$elf" "$work/$name.log" |
		awk -v name="$name" '{ printf "  %s", $0; if (name == "large" && match($0, /: [0-9.]+x \(/)) {
			r = substr($0, RSTART + 2, RLENGTH - 5); printf " (target: at most 3x: %s)", (r <= 3) ? "met" : "missed" }
			print "" }'
done
# Eight FreeRTOS tasks (tests/target/rtos, the stack overflow scenario: the kernel's and the test's tasks): decode,
# every task found through DWARF and unwound from its saved context, against GDB's `thread apply all bt` on the core
# decode exports (a thread per task). Only with a FreeRTOS kernel configured (FREERTOS_KERNEL_PATH).
rtos=$build/firmware/tests/target/freertos-m3.elf
if [ -f "$rtos" ]; then
	"$here/tests/target/run-qemu.sh" "$rtos" overflow_hook > "$work/rtos.log" 2>&1 || true
	"$build/cli/faultline" decode --elf "$rtos" "$work/rtos.log" --core "$work/rtos.core" > "$work/rtos.txt" 2>&1
	echo "== decode vs gdb, FreeRTOS: $(sed -n 's/^threads (FreeRTOS, \([0-9]*\) found.*/\1/p' "$work/rtos.txt") tasks," \
	     "each unwound ($(grep -c '^    #' "$work/rtos.txt") frames in all)"
	pair "faultline decode" "gdb-multiarch -batch core thread apply all bt" "" \
		"$build/cli/faultline decode --elf $rtos $work/rtos.log" \
		"gdb-multiarch -q -nx -batch -ex 'set stack-cache off' $rtos -ex 'core-file $work/rtos.core' -ex 'thread apply all bt'"
else
	echo "== decode of FreeRTOS tasks: no FreeRTOS kernel configured (FREERTOS_KERNEL_PATH): not measured"
fi
rm -rf "$work"

# faultline-server on this machine: the client on the same host, the database (WAL, synchronous=NORMAL) in a
# temporary directory. bench_ingest measures the raw limits of the parts in the same run.
work=$(mktemp -d)
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
server=$build/server/faultline-server
fail() { echo "bench: $*"; exit 1; }
. "$here/tests/e2e/server-lib.sh"
start_server() { # NAME: a server with its data in $work/NAME/data, 2 workers, its rate limits raised as far as
	dir=$work/$1 # they go (a simulated fleet sends more than a real one); sets dir, pid, port, key, admin
	mkdir -p "$dir"
	start --workers 2 --new-devices-per-hour 1073741824 --device-messages-per-hour 1073741824 \
		--device-heartbeats-per-hour 1073741824 --key-mb-per-day 1073741824
	key=$(sed -n 's/^project key.*: *//p' "$dir/out")
	admin=$(sed -n 's/^admin token.*: *//p' "$dir/out")
}
# until_eq N CMD...: wait (60 s at most) for CMD to print N
until_eq() {
	want=$1
	shift
	i=0
	while [ "$("$@")" != "$want" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done
}
disk="$(df --output=fstype "$work" | tail -1) on $(df --output=source "$work" | tail -1)"
start_server ingest
echo "== ingest: 64-byte chunks (8-chunk messages), 16 client threads with a keep-alive connection each," \
     "32 devices, on this $(nproc)-core host; SQLite WAL, synchronous=NORMAL, $disk; 2 s per figure"
"$build/bench/bench_ingest" "$port" "$key" "$work"
kill "$pid"
wait "$pid" || true

# The fleet's size must not slow ingest: every device holds an unfinished message (normal for slow links), and the
# rate of the same 32 devices is measured with 1,000 and then 100,000 such devices. And a message's size must not:
# one 16 KiB message at 20-byte chunks against 512-byte messages, each figure measured twice, alternating.
start_server fleet
bench=$build/bench/bench_ingest
echo "== ingest with the fleet mid-message: 1 chunk a request (64-byte chunks, 8-chunk messages), 32 devices"
"$bench" --partial "$port" "$key" m- 1000
r1k=$("$bench" --rate "$port" "$key" 64 487)
"$bench" --partial "$port" "$key" n- 99000
r100k=$("$bench" --rate "$port" "$key" 64 487)
awk -v a="$r1k" -v b="$r100k" 'BEGIN { printf "  1,000 devices mid-message %7.0f chunks/s; 100,000 devices mid-message %7.0f" \
	" chunks/s = %.2fx (target: within 20%%: %s)\n", a, b, b / a, (b >= 0.8 * a) ? "met" : "missed" }'
echo "== ingest of long messages: 20-byte chunks, 1 a request, 32 devices"
s1=$("$bench" --rate "$port" "$key" 20 512)
l1=$("$bench" --rate "$port" "$key" 20 16384)
s2=$("$bench" --rate "$port" "$key" 20 512)
l2=$("$bench" --rate "$port" "$key" 20 16384)
awk -v s1="$s1" -v s2="$s2" -v l1="$l1" -v l2="$l2" 'BEGIN { s = (s1 + s2) / 2; l = (l1 + l2) / 2
	printf "  512-byte messages %7.0f and %7.0f chunks/s; 16 KiB messages %7.0f and %7.0f chunks/s = %.2fx" \
	" (target: within 20%%: %s)\n", s1, s2, l1, l2, l / s, (l >= 0.8 * s) ? "met" : "missed" }'
sqlite3 -readonly "$dir/data/faultline.db" "SELECT '  stored for partial messages: ' || COUNT(*) || ' slots, ' ||
	(SELECT COUNT(*) FROM slot_bytes) || ' byte runs, ' || (SELECT pending FROM receiver) || ' bytes pending' FROM slots"
kill "$pid"
wait "$pid" || true

# Coredumps fully processed (parsed, unwound against the ELF, grouped into an issue): the same crash from n devices
# is stored and waits for symbols; the clock runs from the ELF upload (which requeues them all) to the issue's count.
n=4000
elf=$build/firmware/tests/target/faults-m3.elf
"$here/tests/target/run-qemu.sh" "$elf" bus_write > "$work/bus_write.log" 2>&1 || true
"$build/tests/e2e/serial2batch" "$work/bus_write.log" > "$work/batch"
start_server process
"$build/bench/bench_ingest" --post "$port" "$key" "$work/batch" $n
until_eq $n sqlite3 -readonly "$work/process/data/faultline.db" "SELECT count(*) FROM messages WHERE state = 3"
issues() { curl -s -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/api/v1/issues" |
	grep -o '"count":[0-9]*' | head -1 | cut -d: -f2; }
t0=$(date +%s%N)
requeued=$(curl -s -H "Authorization: Bearer $admin" --data-binary "@$elf" "http://127.0.0.1:$port/api/v1/symbols" |
	   grep -o '"requeued":[0-9]*' | cut -d: -f2)
until_eq $n issues
t1=$(date +%s%N)
echo "== process: $requeued coredumps from as many devices (bus_write on mps2-an385: $(wc -c < "$work/batch") B" \
     "of chunks with its reboot event), warm symbols, --workers 2, $disk"
awk -v n="$(issues)" -v ns=$((t1 - t0)) 'BEGIN { r = n / (ns / 1e9)
	printf "  %d processed in %.0f ms: %.0f coredumps/s (target 1000: %s)\n", n, ns / 1e6, r,
	       (r >= 1000) ? "met" : "missed" }'
kill "$pid"
wait "$pid" || true
pid=

# Heartbeats (docs/FORMAT.md §8.4) are counted into health as they arrive: each request one heartbeat of one of
# 16,384 devices (its first in full form, then compact ones), against each request one 40-byte message of another
# kind (stored and queued for the workers), alternating.
start_server heartbeats
build_id=$(readelf -n "$elf" | sed -n 's/.*Build ID: //p')
curl -s -H "Authorization: Bearer $admin" --data-binary "@$elf" "http://127.0.0.1:$port/api/v1/symbols" > /dev/null
echo "== heartbeats: 1 a request (counted into hourly buckets and device aggregates) against 1 other message a" \
     "request (stored, queued for the workers), 16 client threads, $disk; 2 s per figure, alternating"
h1=$("$bench" --heartbeats "$port" "$key" "$build_id")
m1=$("$bench" --rate "$port" "$key" 64 40)
h2=$("$bench" --heartbeats "$port" "$key" "$build_id")
m2=$("$bench" --rate "$port" "$key" 64 40)
awk -v h1="$h1" -v h2="$h2" -v m1="$m1" -v m2="$m2" 'BEGIN { h = (h1 + h2) / 2; m = (m1 + m2) / 2
	printf "  heartbeats %7.0f and %7.0f /s; other messages %7.0f and %7.0f /s = %.2fx (target: at least 1.0x: %s)\n",
	       h1, h2, m1, m2, h / m, (h >= m) ? "met" : "missed" }'
kill "$pid"
wait "$pid" || true

# GET /api/v1/versions over the aggregates of 100,000 devices x 30 days, seeded straight into the database (the
# issue allows it: 72 million heartbeats would take hours to send): 10 versions, each device on two of them, every
# hour of 30 days in the buckets (with the histograms of the devices' latest heartbeats: each device's latest in the
# last day), a tenth of the devices with a crash in the window.
start_server versions
kill "$pid"
wait "$pid" || true
now=$(date +%s)
sqlite3 "$dir/data/faultline.db" <<SQL
PRAGMA foreign_keys = OFF;
BEGIN;
WITH RECURSIVE v(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM v WHERE n < 9)
INSERT INTO firmwares (id, build_id, sw_version, hw_version)
	SELECT n + 1, printf('%040x', n + 1), printf('1.%d.0', n), 'evt2' FROM v;
WITH RECURSIVE d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < 100000)
INSERT INTO devices (id, serial, first_seen, last_seen, firmware_id, firmware_at)
	SELECT n, printf('sim-%06d', n), $now - 30 * 86400, $now - (n % 86400), n % 10 + 1, $now - 15 * 86400 FROM d;
INSERT INTO device_health (device_id, firmware_id, seconds, last_at, last_crash, crash_hours, metrics, heartbeats)
	SELECT id, firmware_id, 15 * 86400, $now - (id % 86400), CASE WHEN id % 10 = 0 THEN $now - id % 600000 END,
	       NULL, X'01070000' || randomblob(252), 360 FROM devices;
INSERT INTO device_health (device_id, firmware_id, seconds, last_at, last_crash, crash_hours, metrics, heartbeats)
	SELECT id, (firmware_id + 8) % 10 + 1, 15 * 86400, $now - 15 * 86400 - (id % 86400), NULL, NULL,
	       X'01070000' || randomblob(252), 360 FROM devices;
WITH RECURSIVE h(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM h WHERE n < 719)
INSERT INTO health_hours (firmware_id, hour, seconds, reboots, coredumps, crashed_hours, last_devices,
			  current_devices, crashed_devices)
	SELECT f.id, $now / 3600 - h.n, 10000 * 3600, 40 + f.id, 10, 38 + f.id, CASE WHEN h.n < 24 THEN 417 ELSE 0 END,
	       CASE WHEN h.n < 24 THEN 417 ELSE 0 END, CASE WHEN h.n < 168 THEN 6 ELSE 0 END FROM h, firmwares f;
COMMIT;
SQL
start --workers 2
get_ms() { median_ms 15 curl -sf -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/api/v1/$1"; }
echo "== health reads over 100,000 devices x 30 days of aggregates (10 versions, 200,000 device-version rows," \
     "7,200 hourly buckets), median of 15 requests each (curl included)"
for q in versions "versions?by=hw" versions/1.4.0 "compare?a=1.3.0&b=1.4.0" "metrics?key=chunks&version=1.4.0"; do
	t=$(get_ms "$q")
	awk -v q="$q" -v t="$t" 'BEGIN { printf "  GET /api/v1/%-34s %7.1f ms", q, t
		if (q == "versions") printf " (target: at most 100 ms: %s)", (t <= 100) ? "met" : "missed"
		printf "\n" }'
done
kill "$pid"
wait "$pid" || true
pid=

# The fleet simulator (sim/fleetsim; docs/HEALTH.md, The fleet simulator): the state it swaps per device, its own
# rate, 100,000 devices through a server, and `faultline compare` checked by simulation.
sim=$build/sim/fleetsim
start_sim_server() { # NAME: a server on its test clock, rate limits off; sets dir, pid, port, key, admin
	dir=$work/$1
	mkdir -p "$dir"
	start --test-clock --new-devices-per-hour 0 --device-messages-per-hour 0 --device-heartbeats-per-hour 0 \
		--key-mb-per-day 0
	key=$(sed -n 's/^project key.*: *//p' "$dir/out")
	admin=$(sed -n 's/^admin token.*: *//p' "$dir/out")
}
simrun() { "$sim" --server "http://127.0.0.1:$port" --key "$key" --token "$admin" "$@"; }
echo "== fleetsim alone (--offline): 100,000 devices x 7 days, 1-hour heartbeats, 15-minute sensor readings"
"$sim" --offline --group 5.0.0:50000:2:1 --group 5.0.1:50000:4:1 --days 7 2>&1 |
	sed -n 's/^fleetsim: \(100000 devices in .*\)$/  \1/p; s/^fleetsim: \(.*device-days\/s.*\)$/  \1/p'
start_sim_server fleet100k
echo "== fleetsim through faultline-server: 100,000 devices x 1 day, 6-hour heartbeats, 8 connections"
simrun --group 5.0.0:50000:2 --group 5.0.1:50000:2 --days 1 --interval 21600 --connections 8 --check 2>&1 |
	sed -n 's/^fleetsim: \(the server .*\)$/  \1/p; s/^fleetsim: \(.*device-days\/s.*\)$/  \1/p'
kill "$pid"
wait "$pid" || true

# 100 seeded runs a ratio: two versions of 40 devices for 7 days, 4-hour heartbeats, 1 % of chunks lost, version A
# at 4 crashes per 1,000 device-hours (some 25 in a run), B at 1x, 1.5x and 2x that. With equal rates the share of
# "worse" must stay near or below the stated false-alarm rate; at 1.5x and 2x it is the test's power, which the
# server states as power_2x (in the 1x runs its baseline is A's rate: its estimate of the 2x share).
runs=100
echo "== faultline compare by simulation: $runs seeded runs a ratio, 2 x 40 devices x 7 days, A at 4 crashes/1,000 h"
t0=$(date +%s%N)
for ratio in 1 1.5 2; do
	start_sim_server "compare-$ratio"
	k=$(echo "$ratio" | tr -d .)
	b=$(awk -v r="$ratio" 'BEGIN { print 4 * r }')
	i=0
	while [ $i -lt $runs ]; do
		simrun --quiet --check --seed $((1000 * k + i)) --days 7 --interval 14400 --loss 0.01 --prefix "r$k-$i-" \
			--group "$k.$i.0:40:4" --group "$k.$i.1:40:$b" || echo "compare failed: run $i of ${ratio}x"
		i=$((i + 1))
	done > "$dir/verdicts" 2>&1
	kill "$pid"
	wait "$pid" || true
	awk -v ratio="$ratio" -v runs=$runs '
		/^compare / { n++; v = $0; sub(/^.*: /, "", v); sub(/ \(false-alarm.*$/, "", v); count[v]++
			      p = $0; sub(/^.*power_2x /, "", p); sub(/:.*$/, "", p); power += p
			      a = $0; sub(/^.*false-alarm rate /, "", a); sub(/\)$/, "", a); alpha = a }
		/^compare failed/ || /DIFFERENT/ { bad++ }
		END { printf "  %sx: worse in %d of %d runs (%.0f%%)", ratio, count["worse"], n, 100 * count["worse"] / n
		      if (ratio == 1) printf " -- stated false-alarm rate %.0f%%", 100 * alpha
		      else if (ratio == 2) printf " -- the power to find 2x (the 1x runs: stated power_2x %s)", p1x
		      else printf " -- the power to find 1.5x"
		      printf "; better %d, no difference %d, not enough data %d; server against truth: %s\n",
			     count["better"], count["no difference found"], count["not enough data yet"],
			     bad ? bad " runs differ" : "equal in every run" }' p1x="${p1x:-?}" "$dir/verdicts"
	if [ "$ratio" = 1 ]; then
		p1x=$(awk '/^compare / { p = $0; sub(/^.*power_2x /, "", p); sub(/:.*$/, "", p); s += p; n++ }
			END { printf "mean %.0f%%", 100 * s / n }' "$dir/verdicts")
	fi
done
t1=$(date +%s%N)
echo "  $((3 * runs)) runs in $(((t1 - t0) / 1000000000)) s"
pid=

# The dashboard (docs/DASHBOARD.md): each page's server time over the fleet simulator's 10,000 devices x 30 days and
# 100,000 traces in 10,000 issues, against the API answers it is made of (bench/dash.py; its data is made once).
echo "== dashboard pages: 10,000 devices x 30 days (fleetsim), 100,000 traces in 10,000 issues (50,000 in one)"
# The trace copied: the FreeRTOS stack overflow (eight tasks) when a kernel is configured, else a crash with variables.
crash="$build/firmware/tests/target/freertos-m3.elf overflow_hook"
[ -f "$build/firmware/tests/target/freertos-m3.elf" ] || crash="$build/firmware/tests/target/vars-m3-O2.elf structs"
/usr/bin/python3 "$here/bench/dash.py" "$build/server/faultline-server" "$sim" "$build/bench/bench_dash_fill" \
	"$build/cli/faultline" "$here/tests/target/run-qemu.sh" $crash "$build/bench-dash"
