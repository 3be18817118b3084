#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The GDB command the CLI prints for an ELF core, run exactly as printed (the ELF's path in place of
# FIRMWARE.elf, which `faultline core` cannot know), with `bt` typed at its prompt:
#   gdb-command.sh decode MACHINE ELF SCENARIO FAULTLINE WORKDIR
#       crash SCENARIO of test_faults.c in QEMU, `faultline decode --core`, and check its command on that core
#   gdb-command.sh check CLI_OUTPUT ELF REPORT
#       check the command in CLI_OUTPUT (what `faultline decode --core` or `faultline core` printed) against
#       REPORT (`faultline decode`'s text report of the same dump)
# The backtrace must be whole: it ends at main, no frame is `0x00000000 in ?? ()`, GDB does not stop early
# ("Backtrace stopped: ..."), and every function of the report down to main is in it, in order.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
fail() {
	echo "gdb-command: $*"
	exit 1
}

check() { # CLI_OUTPUT ELF REPORT
	out=$1 elf=$2 report=$3
	gdb_out=$out.gdb
	cmd=$(sed -n 's/^.*\(gdb-multiarch .*\)$/\1/p' "$out" | head -1)
	[ -n "$cmd" ] || fail "no gdb-multiarch command in what the CLI printed: $(cat "$out")"
	cmd=$(printf '%s\n' "$cmd" | sed "s|FIRMWARE\.elf|$elf|g")
	echo "gdb-command: $cmd"
	printf 'bt\n' | timeout 60 sh -c "$cmd" > "$gdb_out" 2>&1 || fail "the command failed: $(cat "$gdb_out")"
	# the backtrace's functions, from the answer to `bt` (the first frame after a prompt)
	awk '/^\(gdb\) #0 / { bt = 1 } bt && /^(\(gdb\) )?#[0-9]+ / {
		line = $0; sub(/^(\(gdb\) )?#[0-9]+ +/, "", line); sub(/^0x[0-9a-f]+ in /, "", line)
		sub(/ \(.*$/, "", line); print line }' "$gdb_out" > "$out.gdb.frames"
	awk '/^  #[0-9]+ / { line = $0; sub(/^  #[0-9]+ +/, "", line); sub(/^\[(inlined|tail call)\] /, "", line)
		sub(/^0x[0-9a-f]+ in /, "", line); sub(/ \(.*$/, "", line); if (line != "?") print line
		if (line == "main") exit }' "$report" > "$out.report.frames"
	problem=
	grep -q '0x00000000 in ?? ()' "$gdb_out" && problem="a frame 0x00000000 in ?? ()"
	grep -q '^Backtrace stopped' "$gdb_out" && problem="GDB stopped early"
	[ "$(tail -1 "$out.gdb.frames")" = main ] || problem="${problem:-the backtrace does not end at main}"
	grep -qx main "$out.report.frames" || problem="${problem:-the report does not reach main}"
	# the report's functions in order within GDB's
	awk 'BEGIN { n = 0; i = 0 } NR == FNR { want[n++] = $0; next } i < n && $0 == want[i] { i++ }
		END { exit i < n }' "$out.report.frames" "$out.gdb.frames" ||
		problem="${problem:-frames of the report are missing}"
	if [ -n "$problem" ]; then
		echo "gdb-command: $problem"
		echo "  GDB:"; sed 's/^/    /' "$gdb_out"
		echo "  the report's frames:"; sed 's/^/    /' "$out.report.frames"
		exit 1
	fi
	echo "gdb-command: whole backtrace ($(wc -l < "$out.gdb.frames") frames down to main):"
	sed 's/^/    /' "$out.gdb.frames"
}

case ${1:-} in
decode)
	[ $# -eq 6 ] || fail "usage: gdb-command.sh decode MACHINE ELF SCENARIO FAULTLINE WORKDIR"
	machine=$2 elf=$3 scenario=$4 faultline=$5 work=$6
	mkdir -p "$work"
	base="$work/$scenario-$(basename "$elf" .elf)"
	"$here/../target/run-qemu.sh" --machine "$machine" "$elf" "$scenario" > "$base.log" 2>&1 ||
		fail "QEMU run of $scenario: $(cat "$base.log")"
	rm -f "$base.core"
	"$faultline" decode --elf "$elf" "$base.log" --core "$base.core" > "$base.report" 2> "$base.decode" ||
		fail "faultline decode: $(cat "$base.decode")"
	check "$base.decode" "$elf" "$base.report"
	;;
check)
	[ $# -eq 4 ] || fail "usage: gdb-command.sh check CLI_OUTPUT ELF REPORT"
	check "$2" "$3" "$4"
	;;
*)
	fail "usage: gdb-command.sh decode MACHINE ELF SCENARIO FAULTLINE WORKDIR | check CLI_OUTPUT ELF REPORT"
	;;
esac
