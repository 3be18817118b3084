#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# run-qemu.sh [--machine M] [--timeout S] ELF [ARGS...]: run one on-target test image headless in QEMU.
# UART0 goes to stdout; the exit status is the firmware's (semihosting SYS_EXIT_EXTENDED), 124 on timeout.
# ARGS reach the firmware through semihosting's command line (board_cmdline()).
set -eu
machine=mps2-an385
limit=20
while [ $# -gt 0 ]; do
	case $1 in
	--machine) machine=$2; shift 2 ;;
	--timeout) limit=$2; shift 2 ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || { echo "usage: run-qemu.sh [--machine M] [--timeout S] ELF [ARGS...]" >&2; exit 2; }
elf=$1
shift
exec timeout "$limit" qemu-system-arm -M "$machine" -display none -monitor none -serial stdio \
	-semihosting-config enable=on,target=native -kernel "$elf" -append "$*" </dev/null
