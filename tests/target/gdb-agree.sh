#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# gdb-agree.sh MACHINE ELF SCENARIO ENTRY FAULTLINE WORKDIR TABLE [at_pc]: the backtrace of one crash scenario of
# test_faults.c three ways, compared frame by frame (function, file:line) from the faulting frame up to ENTRY
# (main, or a thread's entry function):
#   live:      GDB attached to QEMU's gdbstub, stopped in the fault handler (frames above the handler's
#              "<signal handler called>"); with at_pc, stopped at the faulting instruction (the pc of faultline's
#              frame 0) before it runs: QEMU's gdbstub does not expose PSP, so GDB cannot unwind the exception
#              frame of a process-stack task, but in thread mode sp is PSP
#   core:      GDB on the ELF core that `faultline decode --core` exported (with `set stack-cache off`, as decode
#              says: GDB 13's stack cache reads a core's stack from the ELF's NOBITS .stack section instead)
#   faultline: `faultline decode`
# faultline and GDB-on-core must match the live backtrace, except where TABLE lists the difference with its
# reason ("SCENARIO OPT WHICH reason", WHICH being faultline or core, OPT the ELF's -O level or *); the live
# backtrace must reach ENTRY, except where TABLE lists why not (WHICH being live).
set -eu
machine=$1 elf=$2 scenario=$3 entry=$4 faultline=$5 work=$6 table=$7 mode=${8:-handler}
here=$(cd "$(dirname "$0")" && pwd)
opt=$(basename "$elf" .elf | sed -n 's/.*-\(O[0-3s]\)$/\1/p')
case $(basename "$elf" .elf) in *-lto-O?) opt=lto-$opt ;; esac
opt=${opt:-Os}
mkdir -p "$work"
out="$work/$scenario-$(basename "$elf" .elf)"
sock="$out.sock"
rm -f "$sock"

# 1. the crash for real, decoded; 2. GDB on the exported core
"$here/run-qemu.sh" --machine "$machine" "$elf" "$scenario" > "$out.log" 2>&1
"$faultline" decode --elf "$elf" "$out.log" --core "$out.core" > "$out.faultline" 2> "$out.decode.err"
timeout 30 gdb-multiarch -q -nx -batch -ex 'set stack-cache off' "$elf" -ex "core-file $out.core" \
	-ex 'echo ==bt==\n' -ex 'bt 64' \
	> "$out.core.gdb" 2>&1 || true

# 3. live GDB at the fault handler, or at the faulting instruction
stop='break fl_cm_fault_entry'
if [ "$mode" = at_pc ]; then
	pc=$(sed -n 's/^  #0  *\(\[inlined\] \)\{0,1\}\(0x[0-9a-f]*\) in .*/\2/p' "$out.faultline" | head -n 1)
	[ -n "$pc" ] || { echo "gdb-agree: faultline decoded no frame 0 for $scenario:"; cat "$out.faultline"; exit 1; }
	stop="break *$pc"
fi
timeout 30 qemu-system-arm -M "$machine" -display none -monitor none -serial null -semihosting-config \
	enable=on,target=native -kernel "$elf" -append "$scenario" -S -gdb "unix:$sock,server=on,wait=off" &
qemu=$!
i=0
while [ ! -S "$sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
timeout 30 gdb-multiarch -q -nx -batch "$elf" -ex "target remote $sock" -ex "$stop" \
	-ex continue -ex 'echo ==bt==\n' -ex 'bt 64' > "$out.live.gdb" 2>&1 || true
kill "$qemu" 2>/dev/null || true
wait "$qemu" 2>/dev/null || true
rm -f "$sock"

# "function file:line" per frame, "<exception>" between an exception and the code it interrupted
normalize() {
	awk -v entry="$entry" -v skip="$2" -v gdb="$3" '
		/^==bt==$/ { started = 1; next }
		gdb && !started { next }
		/^#[0-9]+ / || /^  #[0-9]+ / {
			line = $0
			sub(/^ *#[0-9]+ +/, "", line)
			sub(/^\[(inlined|tail call)\] /, "", line)
			if (line ~ /^<signal handler called>/) { frame = "<exception>" }
			else {
				sub(/^0x[0-9a-f]+ in /, "", line)
				fn = line; sub(/ \(.*$/, "", fn)
				if (fn == "??") fn = "?"
				loc = "?"
				if (match(line, / at [^ ]+:[0-9]+ *(\(.*\))?$/)) {
					loc = substr(line, RSTART + 4); sub(/ .*$/, "", loc); sub(/.*\//, "", loc)
				}
				frame = fn " " loc
			}
			if (skip) { if (frame == "<exception>") skip = 0; next }
			print frame
			if (frame ~ ("^" entry " ")) exit
		}
		/^ +<exception>$/ { if (!skip) print "<exception>" }
	' "$1"
}
skip=1
[ "$mode" = at_pc ] && skip=0
normalize "$out.live.gdb" $skip 1 > "$out.live"
normalize "$out.core.gdb" 0 1 > "$out.core.frames"
normalize "$out.faultline" 0 0 > "$out.faultline.frames"

allowed() { # which
	awk -v s="$scenario" -v o="$opt" -v w="$1" '$1 == s && ($2 == o || $2 == "*") && $3 == w { found = 1 }
		END { exit !found }' "$table"
}
status=0
if ! grep -q '^==bt==$' "$out.live.gdb"; then
	echo "gdb-agree: live GDB never stopped at the fault handler for $scenario ($opt):"; cat "$out.live.gdb"; exit 1
fi
# both sides stopping short of ENTRY the same way would agree on nothing that matters
if ! tail -n 1 "$out.live" | grep -q "^$entry " && ! allowed live; then
	echo "$scenario $opt: live GDB's backtrace does not reach $entry (not in $table):"; sed 's/^/    /' "$out.live"
	status=1
fi
for which in faultline core; do
	frames="$out.$which.frames"
	[ "$which" = core ] && frames="$out.core.frames"
	if cmp -s "$out.live" "$frames"; then
		echo "$scenario $opt: $which agrees with live GDB ($(wc -l < "$out.live") frames)"
	elif allowed "$which"; then
		echo "$scenario $opt: $which differs from live GDB, as the table allows:"
		diff "$out.live" "$frames" | sed 's/^/    /' || true
	else
		echo "$scenario $opt: $which DIFFERS from live GDB (not in $table):"
		echo "  live GDB:"; sed 's/^/    /' "$out.live"
		echo "  $which:"; sed 's/^/    /' "$frames"
		status=1
	fi
done
exit $status
