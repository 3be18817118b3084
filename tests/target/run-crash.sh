#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# run-crash.sh MACHINE ELF SCENARIO CHECKER LOGDIR: run one crash scenario of test_faults.c in QEMU (crash,
# system reset, the next boot sends the dump as serial lines), keep the output in LOGDIR/SCENARIO-MACHINE.log,
# and check it with check_crash.
set -eu
machine=$1 elf=$2 scenario=$3 checker=$4 logdir=$5
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$logdir"
log="$logdir/$scenario-$machine.log"
status=0
"$here/run-qemu.sh" --machine "$machine" "$elf" "$scenario" > "$log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
	cat "$log"
	echo "run-crash: QEMU run of '$scenario' exited with $status" >&2
	exit 1
fi
build_id=$(arm-none-eabi-readelf -n "$elf" | awk '/Build ID:/ { print $3 }')
exec "$checker" "$scenario" "$log" "$build_id"
