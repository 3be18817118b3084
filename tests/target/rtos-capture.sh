#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# rtos-capture.sh MACHINE ELF SCENARIO TASKS CHECKER WORKDIR [OVERFLOW_SYMBOL]: run a FreeRTOS image's crash
# scenario in QEMU and check the RTOS part of its dump with check_rtos (TASKS tasks; pxCurrentTCB's address from
# the ELF's symbols; with OVERFLOW_SYMBOL, the TCB of the task whose stack overflow the dump must name).
set -eu
machine=$1 elf=$2 scenario=$3 tasks=$4 checker=$5 work=$6 overflow_symbol=${7:-}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
log="$work/$scenario-$(basename "$elf" .elf).log"
"$here/run-qemu.sh" --machine "$machine" "$elf" "$scenario" > "$log" 2>&1
symbol() { # NAME: its address, in hex
	a=$(arm-none-eabi-nm "$elf" | awk -v n="$1" '$3 == n { print $1 }')
	[ -n "$a" ] || { echo "rtos-capture: no $1 in $elf" >&2; exit 1; }
	echo "$a"
}
current=$(symbol pxCurrentTCB)
if [ -n "$overflow_symbol" ]; then
	exec "$checker" "$log" "$tasks" "$current" "$(symbol "$overflow_symbol")"
fi
exec "$checker" "$log" "$tasks" "$current"
