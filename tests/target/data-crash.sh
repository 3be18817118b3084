#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# data-crash.sh MACHINE ELF FAULTLINE JSONQ LOGDIR: the mpu_global scenario of tests/target/test_data.c in QEMU (a
# write into g_guarded, which an MPU region protects, with r1 pointing at g_cfg.channels[2].gain), decoded by
# `faultline decode`: the text report and the JSON must name MMFAR and the registers by the objects GDB puts at
# those addresses. The log is kept in LOGDIR.
set -eu
machine=$1 elf=$2 faultline=$3 jsonq=$4 logdir=$5
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$logdir"
base="$logdir/mpu_global-$(basename "$elf" .elf)"
fail() {
	echo "data-crash: $*" >&2
	exit 1
}

"$here/run-qemu.sh" --machine "$machine" "$elf" mpu_global > "$base.log" 2>&1 || { cat "$base.log"; fail "QEMU run failed"; }
"$faultline" decode --elf "$elf" "$base.log" > "$base.txt"
"$faultline" decode --elf "$elf" --json "$base.log" > "$base.json"
# GDB's addresses of the two objects
addr() {
	gdb-multiarch -q -nx -batch "$elf" -ex "printf \"%08lx\\n\", (unsigned long)&$1"
}
guarded=$(addr 'g_guarded.buf[52]')
gain=$(addr 'g_cfg.channels[2].gain')
for line in "MMFAR 0x$guarded = g_guarded.buf[52]" "r0    0x$guarded = &g_guarded.buf[52]" \
	"r1    0x$gain = &g_cfg.channels[2].gain" "fault:    memory protection violation writing address 0x$guarded"; do
	grep -qxF "  $line" "$base.txt" || grep -qxF "$line" "$base.txt" || { cat "$base.txt"; fail "no line '$line'"; }
done
for pair in ".[0].targets.mmfar g_guarded.buf[52]" ".[0].targets.r0 &g_guarded.buf[52]" \
	".[0].targets.r1 &g_cfg.channels[2].gain" ".[0].fault_registers.mmfar 0x$guarded"; do
	path=${pair%% *} want=${pair#* }
	got=$("$jsonq" "$path" "$base.json") || fail "no $path in the JSON"
	[ "$got" = "$want" ] || fail "$path is '$got', not '$want'"
done
if "$jsonq" '.[0].targets.bfar' "$base.json" > /dev/null 2>&1; then
	fail "BFAR is named, but CFSR.BFARVALID is not set"
fi
echo "data-crash: MMFAR 0x$guarded = g_guarded.buf[52], r1 0x$gain = &g_cfg.channels[2].gain"
