#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# rtos-capture.sh MACHINE ELF SCENARIO TASKS CHECKER WORKDIR: run a FreeRTOS image's crash scenario in QEMU and
# check the RTOS part of its dump with check_rtos (TASKS tasks; pxCurrentTCB's address from the ELF's symbols).
set -eu
machine=$1 elf=$2 scenario=$3 tasks=$4 checker=$5 work=$6
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
log="$work/$scenario-$(basename "$elf" .elf).log"
"$here/run-qemu.sh" --machine "$machine" "$elf" "$scenario" > "$log" 2>&1
current=$(arm-none-eabi-nm "$elf" | awk '$3 == "pxCurrentTCB" { print $1 }')
[ -n "$current" ] || { echo "rtos-capture: no pxCurrentTCB in $elf"; exit 1; }
exec "$checker" "$log" "$tasks" "$current"
