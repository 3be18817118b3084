#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# size-report.sh BUILD: what the SDK adds to the minimal Cortex-M3 application of bench/size: the totals of
# size_with_sdk.elf minus size_baseline.elf, then where the bytes come from (from the linker map, after
# --gc-sections): the SDK library, the Cortex-M port, the application's own port file, libc/libgcc. Then the
# bytes on the wire for a real bus-fault dump (QEMU, Cortex-M3) at MTU 20.
set -eu
build=$1
dir=$build/firmware/bench/size
here=$(cd "$(dirname "$0")/.." && pwd)
sizes() { arm-none-eabi-size -A "$1" | awk '
	$1 ~ /^\.(text|rodata|vectors|ARM)/ { text += $2 }
	$1 == ".data" { data += $2 }
	$1 == ".bss" || $1 == ".noinit" { bss += $2 }
	END { print text + 0, data + 0, bss + 0 }'; }
set -- $(sizes "$dir/size_baseline.elf")
bt=$1 bd=$2 bb=$3
set -- $(sizes "$dir/size_with_sdk.elf")
echo "faultline SDK on Cortex-M3 (arm-none-eabi-gcc $(arm-none-eabi-gcc -dumpversion), -Os, --gc-sections, newlib-nano),"
echo "reference configuration: coredumps + reboot reasons + asserts + event queue + chunker (bench/size/app.c)"
printf '  %-36s %7s %7s %7s\n' "bytes" text data bss
printf '  %-36s %7d %7d %7d\n' "minimal application" "$bt" "$bd" "$bb"
printf '  %-36s %7d %7d %7d\n' "the same with the SDK" "$1" "$2" "$3"
printf '  %-36s %7d %7d %7d\n' "difference" $(($1 - bt)) $(($2 - bd)) $(($3 - bb))
echo "  where the difference comes from:"
awk '
	function hex(s,   i, v) {
		v = 0; s = tolower(s); sub(/^0x/, "", s)
		for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	function kind(f) {
		if (f ~ /libfaultline_sdk/) return "1 SDK (sdk/src)"
		if (f ~ /faultline_cortex_m/) return "2 Cortex-M port (sdk/ports/cortex-m)"
		if (f ~ /size_with_sdk.dir\/port\.c/) return "4 the application'"'"'s port file"
		if (f ~ /lib(c|c_nano|gcc|nosys)\.a/) return "3 libc and libgcc pulled in"
		return ""
	}
	function name(f) {
		if (f ~ /\(/) { sub(/.*\(/, "", f); sub(/\)$/, "", f) } else sub(/.*\//, "", f)
		sub(/\.(c\.)?obj$/, "", f); sub(/^lib_a-/, "", f); sub(/\.o$/, "", f)
		return f
	}
	/^Linker script and memory map/ { on = 1; next }
	!on { next }
	/^ [.A-Za-z_]/ && NF == 1 { sec = $1; next }
	/^ [.A-Za-z_]/ && NF >= 4 && $2 ~ /^0x/ { sec = $1; size = $3; file = $4 }
	/^                0x/ && NF >= 3 && $2 ~ /^0x/ && sec != "" { size = $2; file = $3 }
	{
		k = file == "" ? "" : kind(file)
		if (k == "") { file = ""; next }
		n = hex(size); o = k "|" name(file)
		if (sec ~ /^\.(text|rodata)/) { t[k] += n; ot[o] += n }
		else if (sec ~ /^\.data/) { d[k] += n; od[o] += n }
		else if (sec ~ /^\.(bss|noinit)/ || sec == "COMMON") { b[k] += n; ob[o] += n }
		seen[k] = 1; oseen[o] = 1; file = ""; sec = ""
	}
	END {
		for (k in seen) {
			printf "%s\t    %-34s %7d %7d %7d\n", k, substr(k, 3), t[k], d[k], b[k]
			for (o in oseen) if (index(o, k "|") == 1 && (k ~ /^[12]/))
				printf "%s\t      %-32s %7d %7d %7d\n", o, substr(o, length(k) + 2), ot[o], od[o], ob[o]
		}
	}
' "$dir/size_with_sdk.map" | sort | cut -f2-
stack=$(arm-none-eabi-nm -S -t d "$dir/size_with_sdk.elf" | awk '$4 == "fl_cm_fault_stack" { print $2 + 0 }')
echo "  of the port's bss, the fault handler's stack: ${stack:-0} bytes (FL_CM_FAULT_STACK_SIZE)"
set -- $(sizes "$dir/size_with_sdk_m0.elf")
echo "  the same application with the SDK on Cortex-M0 (ARMv6-M, HardFault capture only): $1 bytes of text"
echo
echo "a bus-fault coredump on Cortex-M3 in QEMU (tests/target/test_faults.c, scenario bus_write), sent at MTU 20:"
log=$(mktemp)
"$here/tests/target/run-qemu.sh" "$build/firmware/tests/target/faults-m3.elf" bus_write > "$log" 2>&1 || true
"$build/check_crash" bus_write "$log" | head -1 | sed 's/^/  /'
rm -f "$log"
