#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# decode-expect.sh MACHINE ELF SCENARIO FAULTLINE WORKDIR PATTERN...: run one crash scenario in QEMU, decode it,
# and check that the text report matches every extended regular expression PATTERN (one that starts with '!' must
# match no line). A PATTERN @PATH~ERE checks the JSON report instead: the value at PATH (jsonq's, tests/e2e/jsonq.c,
# given by $JSONQ) must match ERE, or for !@PATH~ERE must not. For what GDB cannot be the oracle of: frames past
# code GDB does not unwind, stops it misses, registers it shows that are not known.
set -eu
machine=$1 elf=$2 scenario=$3 faultline=$4 work=$5
shift 5
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
out="$work/$scenario-$(basename "$elf" .elf)"
"$here/run-qemu.sh" --machine "$machine" "$elf" "$scenario" > "$out.log" 2>&1
"$faultline" decode --elf "$elf" "$out.log" > "$out.txt"
"$faultline" decode --json --elf "$elf" "$out.log" > "$out.json"
status=0
for p in "$@"; do
	case $p in
	@* | !@*)
		q=${p#!}
		q=${q#@}
		v=$("$JSONQ" "${q%%~*}" "$out.json" 2>&1 || true)
		if printf '%s\n' "$v" | grep -Eq -- "${q#*~}"; then hit=1; else hit=0; fi
		case $p in !*) hit=$((1 - hit)) ;; esac
		[ $hit = 1 ] || { echo "decode-expect: $scenario: ${q%%~*} is '$v': '$p' fails"; status=1; }
		;;
	!*) if grep -Eq -- "${p#!}" "$out.txt"; then echo "decode-expect: $scenario: matches '${p#!}'"; status=1; fi ;;
	*) if ! grep -Eq -- "$p" "$out.txt"; then echo "decode-expect: $scenario: no line matches '$p'"; status=1; fi ;;
	esac
done
[ $status = 0 ] && echo "$scenario ($(basename "$elf")): as expected" || cat "$out.txt"
exit $status
