#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench.sh BUILD_DIR: run every benchmark and print its numbers (never a pass/fail).
set -eu
build=$1
here=$(cd "$(dirname "$0")/.." && pwd)
echo "host: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d)"
for b in "$build"/bench/bench_crc32; do
	echo "== $(basename "$b")"
	"$b"
done

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

# decode as a whole process against GDB on the exported core, same crash, same machine.
work=$(mktemp -d)
for case in "small:$build/firmware/tests/target/faults-m3.elf:deep_chain" \
	    "large:$build/firmware/bench/large/bench-large.elf:"; do
	name=${case%%:*}
	rest=${case#*:}
	elf=${rest%%:*}
	scenario=${rest#*:}
	"$here/tests/target/run-qemu.sh" "$elf" $scenario > "$work/$name.log" 2>&1 || true
	"$build/cli/faultline" decode --elf "$elf" "$work/$name.log" --core "$work/$name.core" > /dev/null 2>&1
	frames=$("$build/cli/faultline" decode --elf "$elf" "$work/$name.log" 2>/dev/null | grep -c '^  #')
	dwarf=$(arm-none-eabi-size -A "$elf" | awk '$1 ~ /^\.debug/ { s += $2 } END { print s }')
	echo "== decode vs gdb, $name ELF: $(($(stat -c %s "$elf") / 1024)) KiB, $((dwarf / 1024)) KiB of DWARF, $frames frames"
	fl=$(median_ms 15 "$build/cli/faultline" decode --elf "$elf" "$work/$name.log")
	gdb=$(median_ms 15 gdb-multiarch -q -nx -batch -ex 'set stack-cache off' "$elf" -ex "core-file $work/$name.core" -ex bt)
	echo "  faultline decode: $fl ms   gdb-multiarch -batch core bt: $gdb ms   (median of 15 runs each)"
	awk -v a="$fl" -v b="$gdb" 'BEGIN { printf "  faultline is %.1fx faster\n", b / a }'
	"$build/bench/bench_report" "$elf" "$work/$name.log" | sed 's/^/  /'
done
rm -rf "$work"
