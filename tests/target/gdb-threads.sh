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
. "$here/frames-lib.sh"
map=$(sed -n 's/.*the core.s threads (GDB: thread apply all bt): //p' "$out.err")
[ -n "$map" ] || { echo "gdb-threads: decode printed no thread map"; cat "$out.err"; exit 1; }
status=0 checked=0
for name in $(printf '%s\n' "$map" | tr ',' '\n' | sed -n 's/^ *[0-9]* = "\(.*\)"$/\1/p' | tr ' ' '~'); do
	name=$(echo "$name" | tr '~' ' ')
	n=$(printf '%s\n' "$map" | tr ',' '\n' | sed -n "s/^ *\([0-9]*\) = \"$name\"\$/\1/p")
	theirs=$(awk -v n="$n" '/^Thread [0-9]+ / { on = $2 == n; next } on && /^#[0-9]+ /' "$out.gdb" | frames)
	check_task "gdb-threads (GDB thread $n)" "$name" "$(task_frames "$name" "$out.txt")" "$theirs"
done
[ "$checked" -gt 0 ] || { echo "gdb-threads: no task compared"; cat "$out.txt"; exit 1; }
[ $status = 0 ] && echo "$scenario ($(basename "$elf")): $checked tasks agree with GDB on the core"
exit $status
