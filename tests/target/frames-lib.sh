# SPDX-License-Identifier: Apache-2.0
# Sourced by gdb-threads.sh and gdb-rtos-oracle.sh: two backtraces compared frame by frame.
# frames: the "#N ..." lines (GDB's or faultline's) on stdin as one line of PC/FUNCTION words, PC empty where the
# line has none (GDB prints none for frame 0 at the start of a line).
frames() {
	awk '{ l = $0; sub(/^ *#[0-9]+ +(\[inlined\] |\[tail call\] )?/, "", l); pc = ""
		if (l ~ /^0x[0-9a-f]+ in /) { pc = l; sub(/ .*/, "", pc); sub(/^0x[0-9a-f]+ in /, "", l) }
		sub(/ .*/, "", l); printf "%s%s/%s", (NR > 1 ? " " : ""), pc, l } END { print "" }'
}
# frames_agree OURS THEIRS: every frame of OURS as THEIRS has it: the same pc where THEIRS has one (GDB names low
# addresses after the DWARF --gc-sections left at 0: tests/target/gdb-differences.txt, null_call), else the same
# function; THEIRS may go on past OURS (GDB 13 past a task's exit trap).
frames_agree() {
	printf '%s\n%s\n' "$1" "$2" | awk 'NR == 1 { n = split($0, a, " ") } NR == 2 { m = split($0, b, " ") }
		END { if (m < n) exit 1
		      for (i = 1; i <= n; i++) { split(a[i], x, "/"); split(b[i], y, "/")
			if (y[1] != "" ? x[1] != y[1] : x[2] != y[2]) exit 1 } }'
}
# task_frames NAME FILE: the frames of task NAME in faultline's text report FILE (its threads section)
task_frames() {
	awk -v n="\"$1\"" '/^  thread [0-9]+ "/ { on = index($0, n) > 0; next } on && /^    #[0-9]+ /' "$2" | frames
}
# check_task LABEL NAME OURS THEIRS: count task NAME as agreeing (checked), or say how it differs (status 1); the
# caller sets status=0 checked=0 first
check_task() {
	if [ -n "$3" ] && frames_agree "$3" "$4"; then
		checked=$((checked + 1))
	else
		echo "$1: task $2: faultline: ${3:-no frames}; GDB: $4"
		status=1
	fi
}
