#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# decode-expect.sh MACHINE ELF SCENARIO FAULTLINE WORKDIR PATTERN...: run one crash scenario in QEMU, decode it,
# and check that the text report matches every extended regular expression PATTERN (a line that starts with '!'
# must match none). For what GDB cannot be the oracle of: frames past code GDB does not unwind, stops it misses.
set -eu
machine=$1 elf=$2 scenario=$3 faultline=$4 work=$5
shift 5
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
out="$work/$scenario-$(basename "$elf" .elf)"
"$here/run-qemu.sh" --machine "$machine" "$elf" "$scenario" > "$out.log" 2>&1
"$faultline" decode --elf "$elf" "$out.log" > "$out.txt"
status=0
for p in "$@"; do
	case $p in
	!*) if grep -Eq -- "${p#!}" "$out.txt"; then echo "decode-expect: $scenario: matches '${p#!}'"; status=1; fi ;;
	*) if ! grep -Eq -- "$p" "$out.txt"; then echo "decode-expect: $scenario: no line matches '$p'"; status=1; fi ;;
	esac
done
[ $status = 0 ] && echo "$scenario ($(basename "$elf")): as expected" || cat "$out.txt"
exit $status
