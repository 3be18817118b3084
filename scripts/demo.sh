#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# demo.sh BUILD_DIR: what `make demo` shows. A Cortex-M3 firmware (examples/qemu-mps2) crashes in QEMU in each of
# its scenarios; its serial console goes through `faultline bridge` to a faultline-server started here on a free
# port with its data in a temporary folder; then the issues, as `faultline` shows them. The server stops at the end.
set -eu
build=$1
here=$(cd "$(dirname "$0")/.." && pwd)
example=$here/examples/qemu-mps2
fw=$build/firmware/examples/qemu-mps2
cli=$build/cli/faultline
server=$build/server/faultline-server
dir=$(mktemp -d /tmp/faultline-demo.XXXXXX)
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
fail() { echo "demo: $*" >&2; [ ! -f "$dir/out" ] || cat "$dir/out" >&2; exit 1; }
if [ -t 1 ]; then bold='\033[1m' plain='\033[0m'; else bold= plain=; fi
say() { printf "\n$bold== %s$plain\n" "$*"; }
indent() { sed 's/^/    /'; }
. "$here/tests/e2e/server-lib.sh"

cat <<TEXT
faultline demo: the firmware in examples/qemu-mps2 integrates the faultline SDK as any Cortex-M application would.
Each scenario below is one QEMU run of it: the device runs a command with a bug in it, crashes, saves a coredump
in its flash (here QEMU's file-backed PSRAM), reboots, and sends the dump as chunks between its log lines on the
serial console. \`faultline bridge\` forwards the chunks to faultline-server, which unwinds and symbolizes them
against the uploaded ELF and groups them into issues.
TEXT

say "faultline-server --data $dir/data --listen 127.0.0.1:0"
start
key=$(sed -n 's/^project key.*: *//p' "$dir/out")
export FAULTLINE_SERVER="http://127.0.0.1:$port" FAULTLINE_TOKEN
FAULTLINE_TOKEN=$(sed -n 's/^admin token.*: *//p' "$dir/out")
echo "    listening on 127.0.0.1:$port; devices send with the project key, people read with the admin token"

say "faultline symbols upload qemu-mps2-demo-1.0.0.elf"
"$cli" symbols upload "$fw/qemu-mps2-demo-1.0.0.elf" | indent

# scenario NAME COMMAND ELF SERIAL: one QEMU run, its console through the bridge
scenario() {
	"$example/run.sh" --timeout 30 --psram "$dir/$4.img" "$3" "serial=$4 $2" 2>&1 |
		"$cli" bridge --key "$key" 2>&1 | indent
}
grep -v '^#' "$example/scenarios" | while IFS='|' read -r name command kind frames; do
	say "scenario $name: the device runs \`$command\`"
	scenario "$name" "$command" "$fw/qemu-mps2-demo-1.0.0.elf" mps2-demo-0001
done
say "bus_write again, on another device that runs release 1.0.1, where a new function moved every address"
scenario bus_write dma "$fw/qemu-mps2-demo-1.0.1.elf" mps2-demo-0002
"$cli" symbols upload "$fw/qemu-mps2-demo-1.0.1.elf" | indent

# processing is asynchronous: wait (20 s at most) for all 9 coredumps to be in issues
total() { "$cli" issues --json | grep -o '"count": *[0-9]*' | awk -F: '{ s += $2 } END { print s + 0 }'; }
i=0
while [ "$(total)" != 9 ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(total)" = 9 ] || fail "the server processed $(total) of 9 coredumps"

say "faultline issues"
"$cli" issues | indent
for id in $("$cli" issues --json | grep -o '"id": *[0-9]*' | grep -o '[0-9]*$'); do
	say "faultline issue $id"
	"$cli" issue "$id" | indent
done

say "faultline device mps2-demo-0001: each boot says why the one before it ended"
"$cli" device mps2-demo-0001 | indent

say "stopping the server"
kill -TERM "$pid"
wait "$pid" || fail "the server did not stop cleanly"
pid=
cat <<TEXT
    done. To keep a server running and bridge a real board's serial port, see "Run it with your own device" in
    README.md.
TEXT

# Fleet health: a simulated fleet (sim/fleetsim: the real SDK on 200 simulated devices, docs/HEALTH.md) sends three
# days of heartbeats, crashes and reboots to a server of its own, on the server's test clock; then the versions
# and their comparison, as `faultline` shows them.
sim=$build/sim/fleetsim
cat <<TEXT

faultline demo, part 2: fleet health. 200 simulated devices run the real SDK, half of them firmware 1.0.0 and half
1.1.0, which crashes more; three simulated days of their heartbeats, crashes and reboots go through a lossy link
to a new faultline-server in a few seconds. Then: is 1.1.0 worse than 1.0.0?
TEXT
say "faultline-server --test-clock (its clock moved by the simulator), rate limits off"
rm -rf "$dir/data"
: > "$dir/out"
start --test-clock --new-devices-per-hour 0 --device-messages-per-hour 0 --device-heartbeats-per-hour 0 \
	--key-mb-per-day 0
key=$(sed -n 's/^project key.*: *//p' "$dir/out")
export FAULTLINE_SERVER="http://127.0.0.1:$port" FAULTLINE_TOKEN
FAULTLINE_TOKEN=$(sed -n 's/^admin token.*: *//p' "$dir/out")
say "fleetsim --group 1.0.0:100:3:1 --group 1.1.0:100:8:1 --days 3 --loss 0.02 --upload-elf"
"$sim" --key "$key" --group 1.0.0:100:3:1 --group 1.1.0:100:8:1 --days 3 --loss 0.02 --seed 3 --upload-elf \
	--check > "$dir/fleet.log" 2>&1 || { cat "$dir/fleet.log" >&2; fail "fleetsim failed"; }
grep -v '^compare ' "$dir/fleet.log" | sed 's/^fleetsim: //' | indent
say "faultline versions"
"$cli" versions | indent
say "faultline compare 1.0.0 1.1.0"
"$cli" compare 1.0.0 1.1.0 | indent
say "faultline metrics battery_mv (named by the ELF fleetsim uploaded)"
"$cli" metrics battery_mv | indent
kill -TERM "$pid"
wait "$pid" || fail "the server did not stop cleanly"
pid=
