#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# gdb-threads.sh MACHINE ELF SCENARIO FAULTLINE WORKDIR: each RTOS task's backtrace, faultline's against GDB's on
# the exported ELF core (one thread per task: `thread apply all bt`), function by function up to the task's entry
# function (GDB 13 goes on past a task's exit trap into the function before it, which faultline stops at: its
# frames after the entry are not compared). The core's threads are matched to tasks by the map decode prints.
set -eu
machine=$1 elf=$2 scenario=$3 faultline=$4 work=$5
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
out="$work/$scenario-$(basename "$elf" .elf)"
"$here/run-qemu.sh" --machine "$machine" "$elf" "$scenario" > "$out.log" 2>&1
"$faultline" decode --elf "$elf" "$out.log" --core "$out.core" > "$out.txt" 2> "$out.err"
timeout 60 gdb-multiarch -q -nx -batch -ex 'set stack-cache off' "$elf" -ex "core-file $out.core" \
	-ex 'thread apply all bt' > "$out.gdb" 2>&1 || true
# each frame as PC/FUNCTION (PC empty where GDB prints none: frame 0 at the start of a line)
# faultline: "NAME<TAB>frame frame ..." per switched-out task, from the threads section
awk '/^threads \(/ { on = 1; next } !on { next }
	/^  thread [0-9]+ "/ { if (name != "" && fns != "") print name "\t" fns; split($0, q, "\""); name = q[2]; fns = ""; next }
	/^    #[0-9]+ / { l = $0; sub(/^ *#[0-9]+ +(\[inlined\] |\[tail call\] )?/, "", l); pc = ""
		if (l ~ /^0x[0-9a-f]+ in /) { pc = l; sub(/ .*/, "", pc); sub(/^0x[0-9a-f]+ in /, "", l) }
		sub(/ .*/, "", l); fns = fns (fns == "" ? "" : " ") pc "/" l }
	END { if (name != "" && fns != "") print name "\t" fns }' "$out.txt" > "$out.ours"
# GDB: "N<TAB>frame frame ..." per thread of the core
awk '/^Thread [0-9]+ / { if (n != "") print n "\t" fns; n = $2; fns = ""; next }
	/^#[0-9]+ / { l = $0; sub(/^#[0-9]+ +/, "", l); pc = ""
		if (l ~ /^0x[0-9a-f]+ in /) { pc = l; sub(/ .*/, "", pc); sub(/^0x[0-9a-f]+ in /, "", l) }
		sub(/ .*/, "", l); fns = fns (fns == "" ? "" : " ") pc "/" l }
	END { if (n != "") print n "\t" fns }' "$out.gdb" > "$out.theirs"
map=$(sed -n 's/.*the core.s threads (GDB: thread apply all bt): //p' "$out.err")
[ -n "$map" ] || { echo "gdb-threads: decode printed no thread map"; cat "$out.err"; exit 1; }
status=0 checked=0
tab=$(printf '\t')
while IFS="$tab" read -r name ours; do
	n=$(printf '%s\n' "$map" | tr ',' '\n' | sed -n "s/^ *\([0-9]*\) = \"$name\"\$/\1/p")
	[ -n "$n" ] || { echo "gdb-threads: task $name is not in the core's map: $map"; status=1; continue; }
	theirs=$(awk -F"$tab" -v n="$n" '$1 == n { print $2 }' "$out.theirs")
	# frame by frame: the same pc where GDB prints one (it names low addresses after DWARF --gc-sections left
	# at 0, tests/target/gdb-differences.txt null_call), else the same function; GDB's frames past ours not
	if printf '%s\n%s\n' "$ours" "$theirs" | awk 'NR == 1 { n = split($0, a, " ") } NR == 2 { m = split($0, b, " ") }
		END { if (m < n) exit 1
		      for (i = 1; i <= n; i++) { split(a[i], x, "/"); split(b[i], y, "/")
			if (y[1] != "" ? x[1] != y[1] : x[2] != y[2]) exit 1 } }'; then
		checked=$((checked + 1))
	else
		echo "gdb-threads: task $name (GDB thread $n): faultline: $ours; GDB: $theirs"
		status=1
	fi
done < "$out.ours"
[ "$checked" -gt 0 ] || { echo "gdb-threads: no task compared"; cat "$out.txt"; exit 1; }
[ $status = 0 ] && echo "$scenario ($(basename "$elf")): $checked tasks agree with GDB on the core"
exit $status
