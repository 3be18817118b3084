#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# gdb-rtos-oracle.sh MACHINE ELF SCENARIO FAULTLINE WORKDIR [overflow]: one QEMU run of a FreeRTOS image's crash
# scenario with live GDB stopped where the crash is caught (the fault handler's entry; with "overflow", the SDK's
# fl_rtos_stack_overflow(), which the kernel's hook calls), where gdb-rtos-oracle.py (none of faultline's code)
# unwinds the crash and every switched-out task from its saved context; the run then goes on, saves its dump and
# sends it. faultline's report of that same dump must match: its backtrace the script's crash, each thread the
# script's task, frame by frame (the same pc), up to each task's entry function, where faultline stops (GDB 13 goes
# on past the exit trap).
set -eu
machine=$1 elf=$2 scenario=$3 faultline=$4 work=$5 mode=${6:-fault}
stop=fl_cm_fault_entry
[ "$mode" = overflow ] && stop=fl_rtos_stack_overflow
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
out="$work/$scenario-$(basename "$elf" .elf)"
sock="$out.sock"
rm -f "$sock" "$out.log"
timeout 60 qemu-system-arm -M "$machine" -display none -monitor none -serial "file:$out.log" -semihosting-config \
	enable=on,target=native -kernel "$elf" -append "$scenario" -S -gdb "unix:$sock,server=on,wait=off" &
qemu=$!
i=0
while [ ! -S "$sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
timeout 60 gdb-multiarch -q -nx -batch "$elf" -ex "target remote $sock" -ex "break $stop" \
	-ex continue -ex "python MODE = '$mode'" -ex "source $here/gdb-rtos-oracle.py" -ex 'delete' -ex continue \
	> "$out.gdb" 2>&1 || true
wait "$qemu" 2>/dev/null || true
rm -f "$sock"
grep -q '^==restored$' "$out.gdb" || { echo "gdb-rtos-oracle: the GDB script did not finish:"; cat "$out.gdb"; exit 1; }
"$faultline" decode --elf "$elf" "$out.log" > "$out.txt" 2> "$out.err" || { cat "$out.err"; exit 1; }
. "$here/frames-lib.sh"
status=0 checked=0
if grep -q '^==crash$' "$out.gdb"; then
	theirs=$(awk '$0 == "==crash" { on = 1; next } /^==/ { on = 0 } on && /^#[0-9]+ /' "$out.gdb" | frames)
	check_task gdb-rtos-oracle "(the crash)" "$(sed '/^threads/q' "$out.txt" | grep '^  #[0-9]* ' | frames)" \
		"$theirs"
fi
for name in $(sed -n 's/^==task \(.*\)$/\1/p' "$out.gdb" | tr ' ' '~'); do
	name=$(echo "$name" | tr '~' ' ')
	theirs=$(awk -v n="==task $name" '$0 == n { on = 1; next } /^==/ { on = 0 } on && /^#[0-9]+ /' "$out.gdb" | frames)
	check_task gdb-rtos-oracle "$name" "$(task_frames "$name" "$out.txt")" "$theirs"
done
[ "$checked" -gt 1 ] || { echo "gdb-rtos-oracle: no task compared"; cat "$out.gdb"; exit 1; }
[ $status = 0 ] && echo "$scenario ($(basename "$elf")): $checked backtraces agree with the live GDB script"
exit $status
