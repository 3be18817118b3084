#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bridge.sh SERVER CLI PTYFEED FIRMWARE_DIR EXAMPLE_DIR: `faultline bridge` on each kind of input (a TCP serial
# port that QEMU serves, a terminal, a file) and on a console full of garbage: damaged and cut chunk lines, binary
# noise, an endless line, CRLF, log text before a marker, no last newline. Every dump still arrives, log lines pass
# through; a console with no serial, a wrong key and a bad argument get clear errors.
set -u
server=$1 cli=$2 ptyfeed=$3 fw=$4 example=$5
dir=$(mktemp -d)
pid= feeder= bridge=
fail() {
	echo "bridge: $*" >&2
	for p in $pid $feeder $bridge; do kill "$p" 2>/dev/null; done
	tail -5 "$dir/out"
	rm -rf "$dir"
	exit 1
}
. "$(dirname "$0")/server-lib.sh"
elf=$fw/qemu-mps2-demo-1.0.0.elf
start
export FAULTLINE_SERVER="http://127.0.0.1:$port" FAULTLINE_KEY FAULTLINE_TOKEN
FAULTLINE_KEY=$(sed -n 's/^project key.*: *//p' "$dir/out")
FAULTLINE_TOKEN=$(sed -n 's/^admin token.*: *//p' "$dir/out")
admin=$FAULTLINE_TOKEN
"$cli" symbols upload "$elf" > /dev/null || fail "symbols upload"
# A TCP serial port: QEMU serves the console and waits for the bridge to connect; its exit ends the input.
"$example/run.sh" --timeout 30 --psram "$dir/tcp.img" --tcp 0 "$elf" "serial=br-tcp dma" > /dev/null 2> "$dir/qemu.err" &
feeder=$!
i=0
until grep -q 'waiting for connection' "$dir/qemu.err" || [ $i -ge 200 ]; do sleep 0.05; i=$((i + 1)); done
qport=$(sed -n 's/.*tcp:127.0.0.1:\([0-9]*\).*/\1/p' "$dir/qemu.err")
[ -n "$qport" ] || fail "QEMU did not say its port: $(cat "$dir/qemu.err")"
"$cli" bridge "tcp:127.0.0.1:$qport" > "$dir/tcp.out" 2> "$dir/tcp.err" || fail "tcp: $(cat "$dir/tcp.err")"
wait "$feeder"
feeder=
grep -q '^\[ *[0-9]* ms\] > dma$' "$dir/tcp.out" || fail "tcp: the log lines did not pass through: $(cat "$dir/tcp.out")"
wait_traces br-tcp 1

# A terminal (a serial port's kind of file): put in raw mode at the baud given, read until stopped.
"$example/run.sh" --timeout 30 --psram "$dir/tty.img" "$elf" "serial=br-tty dma" > "$dir/tty.log" 2>&1 ||
	fail "tty: QEMU failed"
"$ptyfeed" "$dir/tty.log" 30 > "$dir/pty" &
feeder=$!
i=0
until [ -s "$dir/pty" ] || [ $i -ge 200 ]; do sleep 0.05; i=$((i + 1)); done
"$cli" bridge "$(cat "$dir/pty")" --baud 921600 > "$dir/tty.out" 2> "$dir/tty.err" &
bridge=$!
wait_traces br-tty 1
kill "$bridge" "$feeder"
wait "$bridge" "$feeder" 2>/dev/null
bridge= feeder=
grep -q 'restarted after BUS_FAULT' "$dir/tty.out" || fail "tty: the log lines did not pass through: $(cat "$dir/tty.out")"

# A console full of garbage around a real dump: the dump still arrives whole, each bad line is said and dropped.
"$example/run.sh" --timeout 30 --psram "$dir/g.img" "$elf" "serial=br-garbage dma" > "$dir/clean.log" 2>&1 ||
	fail "garbage: QEMU failed"
first=$(grep -n '^#FL:C:' "$dir/clean.log" | head -1 | cut -d: -f1)
{
	head -n $((first - 1)) "$dir/clean.log"
	head -c 3000 /dev/urandom | tr -d '\n'; echo                       # binary noise
	grep '^#FL:C:' "$dir/clean.log" | head -1 | cut -c1-40; echo        # a chunk line cut short
	grep '^#FL:C:' "$dir/clean.log" | sed -n 2p | sed 's/:[0-9a-f]*$/:00000000/' # a chunk with a wrong CRC
	head -c 20000 /dev/zero | tr '\0' 'x'; echo                          # an endless line
	printf 'boot log> '; grep '^#FL:C:' "$dir/clean.log" | head -1       # log text before the marker
	tail -n +"$first" "$dir/clean.log" | sed 's/$/\r/' | head -n -1      # CRLF line ends
	tail -n 1 "$dir/clean.log" | tr -d '\n'                              # no newline at the end
} > "$dir/garbage.log"
"$cli" bridge "$dir/garbage.log" > "$dir/g.out" 2> "$dir/g.err" || fail "garbage: $(cat "$dir/g.err")"
grep -q '2 message(s) completed' "$dir/g.err" || fail "garbage: the messages did not complete: $(cat "$dir/g.err")"
[ "$(grep -c 'a damaged line was dropped' "$dir/g.err")" -ge 2 ] || fail "garbage: damaged lines not said: $(cat "$dir/g.err")"
grep -q '^boot log> $' "$dir/g.out" || fail "garbage: log text before a marker was lost"
grep -q 'everything sent' "$dir/g.out" || fail "garbage: the last line (no newline) was lost"
wait_traces br-garbage 1

# No serial announced: refused without --serial, forwarded with it.
grep -v '^#FL:S:' "$dir/clean.log" > "$dir/anonymous.log"
"$cli" bridge "$dir/anonymous.log" > /dev/null 2> "$dir/anon.err" && fail "chunks without a serial were accepted"
grep -q 'came before any #FL:S: line; pass --serial' "$dir/anon.err" || fail "no serial: $(cat "$dir/anon.err")"
"$cli" bridge "$dir/anonymous.log" --serial br-anonymous > /dev/null 2> "$dir/anon.err" ||
	fail "--serial: $(cat "$dir/anon.err")"
wait_traces br-anonymous 1

# Mistakes: a wrong key, a bad baud rate, a missing file, no key at all.
"$cli" bridge "$dir/clean.log" --key flp_wrong > /dev/null 2> "$dir/err" && fail "a wrong key was accepted"
grep -q 'HTTP 401: check the project key' "$dir/err" || fail "wrong key: $(cat "$dir/err")"
"$cli" bridge "$dir/clean.log" --baud 12345 2> "$dir/err" && fail "a bad baud rate was accepted"
grep -q 'usage: faultline bridge' "$dir/err" || fail "bad baud: $(cat "$dir/err")"
"$cli" bridge "$dir/no-such.log" 2> "$dir/err" && fail "a missing file was accepted"
grep -q 'cannot open' "$dir/err" || fail "missing file: $(cat "$dir/err")"
FAULTLINE_KEY= "$cli" bridge "$dir/clean.log" 2> "$dir/err" && fail "no key was accepted"
grep -q 'no project key' "$dir/err" || fail "no key: $(cat "$dir/err")"

kill -TERM "$pid"
wait "$pid" || fail "the server did not stop cleanly"
rm -rf "$dir"
echo "bridge: ok"
