#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# run.sh [--psram FILE] [--timeout S] [--tcp PORT] ELF [COMMAND LINE...]: run the demo firmware on QEMU's
# mps2-an385, its console (UART0) on stdout, or with --tcp served on 127.0.0.1:PORT (0: QEMU picks one and says
# which on stderr) for `faultline bridge tcp:127.0.0.1:PORT`; QEMU waits for that connection before it starts. The PSRAM that holds its coredump storage is backed by FILE (default: psram.img in
# the current directory; made when missing), so a dump survives from one run to the next, as in flash.
# The command line reaches the firmware (src/main.c): [serial=NAME] [COMMAND ARGS...]; with a command the run
# ends when everything is sent, without one the firmware runs until QEMU is stopped.
# Pipe it into the bridge:  run.sh ELF dma | faultline bridge --key KEY
set -eu
psram=psram.img
limit=0
serial=stdio
while [ $# -gt 0 ]; do
	case $1 in
	--psram) psram=$2; shift 2 ;;
	--timeout) limit=$2; shift 2 ;;
	--tcp) serial="tcp:127.0.0.1:$2,server=on,wait=on"; shift 2 ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || { echo "usage: run.sh [--psram FILE] [--timeout S] [--tcp PORT] ELF [COMMAND LINE...]" >&2; exit 2; }
elf=$1
shift
[ -f "$psram" ] || truncate -s 16M "$psram"
exec timeout "$limit" qemu-system-arm -M mps2-an385 -display none -monitor none -serial "$serial" \
	-semihosting-config enable=on,target=native \
	-object "memory-backend-file,id=psram,size=16M,mem-path=$psram,share=on" -machine memory-backend=psram \
	-kernel "$elf" -append "$*" < /dev/null
