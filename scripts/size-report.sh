#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# size-report.sh BUILD: what the SDK adds to the minimal Cortex-M3 application of bench/size: the totals of
# size_with_sdk.elf minus size_baseline.elf, then where the bytes come from (from the linker map, after
# --gc-sections): the SDK library, the Cortex-M port, the application's own port file, libc/libgcc. Then what
# heartbeats and metrics cost (the same application in other configurations), a heartbeat's bytes on the wire at
# MTU 20 (QEMU, Cortex-M3), and the bytes on the wire for a real bus-fault dump (QEMU, Cortex-M3) at MTU 20.
set -eu
build=$1
dir=$build/firmware/bench/size
here=$(cd "$(dirname "$0")/.." && pwd)
sizes() { arm-none-eabi-size -A "$1" | awk '
	$1 ~ /^\.(text|rodata|vectors|ARM)/ { text += $2 }
	$1 == ".data" { data += $2 }
	$1 == ".bss" || $1 == ".noinit" { bss += $2 }
	END { print text + 0, data + 0, bss + 0 }'; }
# objects MAP: "kind<TAB>object<TAB>text<TAB>data<TAB>bss" per object file the linker kept (after --gc-sections), for
# the SDK library, the Cortex-M port, libc/libgcc, the application's port file and app.c; kinds sort in that order.
objects() { awk '
	function hex(s,   i, v) {
		v = 0; s = tolower(s); sub(/^0x/, "", s)
		for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	function kind(f) {
		if (f ~ /libfaultline_sdk/) return "1 SDK (sdk/src)"
		if (f ~ /faultline_sdk[^/]*_cortex_m|faultline_cortex_m/) return "2 Cortex-M port (sdk/ports/cortex-m)"
		if (f ~ /size_[a-z0-9_]*\.dir\/port\.c/) return "4 the application'"'"'s port file"
		if (f ~ /lib(c|c_nano|gcc|nosys)\.a/) return "3 libc and libgcc pulled in"
		if (f ~ /size_[a-z0-9_]*\.dir\/app\.c/) return "5 the application (app.c)"
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
		n = hex(size); o = k "\t" name(file); seen[o] = 1
		if (sec ~ /^\.(text|rodata)/) t[o] += n
		else if (sec ~ /^\.data/) d[o] += n
		else if (sec ~ /^\.(bss|noinit)/ || sec == "COMMON") b[o] += n
		file = ""; sec = ""
	}
	END { for (o in seen) printf "%s\t%d\t%d\t%d\n", o, t[o], d[o], b[o] }
' "$1"; }
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
objects "$dir/size_with_sdk.map" | awk -F'\t' '
	$1 ~ /^5/ { next }
	{ t[$1] += $3; d[$1] += $4; b[$1] += $5; seen[$1] = 1
	  if ($1 ~ /^[12]/) { o = $1 "|" $2; ot[o] = $3; od[o] = $4; ob[o] = $5; oseen[o] = 1 } }
	END {
		for (k in seen) {
			printf "%s\t    %-34s %7d %7d %7d\n", k, substr(k, 3), t[k], d[k], b[k]
			for (o in oseen) if (index(o, k "|") == 1)
				printf "%s\t      %-32s %7d %7d %7d\n", o, substr(o, length(k) + 2), ot[o], od[o], ob[o]
		}
	}' | sort | cut -f2-
stack=$(arm-none-eabi-nm -S -t d "$dir/size_with_sdk.elf" | awk '$4 == "fl_cm_fault_stack" { print $2 + 0 }')
echo "  of the port's bss, the fault handler's stack: ${stack:-0} bytes (FL_CM_FAULT_STACK_SIZE)"
set -- $(sizes "$dir/size_with_sdk_m0.elf")
echo "  the same application with the SDK on Cortex-M0 (ARMv6-M, HardFault capture only): $1 bytes of text"

# Heartbeats and metrics: the same application in five configurations (bench/size/CMakeLists.txt).
flash() { set -- $(sizes "$1"); echo $(($1 + $2)); }
sdk_text() { objects "$1" | awk -F'\t' '$1 ~ /^1/ { t += $3 + $4 } END { print t + 0 }'; }
off=$(flash "$dir/size_without_heartbeat.elf")
off_sdk=$(sdk_text "$dir/size_without_heartbeat.map")
echo
echo "heartbeats and metrics (faultline/metrics.h, docs/FORMAT.md §8.4), the same application; flash = text + data:"
printf '  %-58s %6s %6s %12s %6s\n' "" flash "SDK" "beyond off" target
row() { # ELF LABEL TARGET
	f=$(flash "$dir/$1.elf") k=$(sdk_text "$dir/$1.map")
	if [ "$1" = size_without_heartbeat ]; then
		printf '  %-58s %6d %6d %12s\n' "$2" "$f" "$k" "-"
	else
		verdict=""
		[ -z "$3" ] || verdict=$([ $((f - off)) -le "$3" ] && echo "$3: met" || echo "$3: over by $((f - off - $3))")
		printf '  %-58s %6d %6d %5s (SDK %s) %s\n' "$2" "$f" "$k" "+$((f - off))" "+$((k - off_sdk))" "$verdict"
	fi
}
row size_without_heartbeat "heartbeats off (FL_HEARTBEAT_ENABLED 0)" ""
row size_with_sdk "defaults: heartbeats compiled in, not polled" ""
row size_with_heartbeat "built-in heartbeat: the 7 built-in keys, polled" ""
row size_with_metrics "metrics: 3 application keys + the 7 built-ins = 10 keys" "600"
row size_with_metrics10 "metrics: 10 application keys + the 7 built-ins = 17 keys" ""
echo "  (\"beyond off\": the whole application's growth, its own calls included; \"SDK\": sdk/src's alone)"
echo "  where the 10 keys' bytes are, against heartbeats off (per object file; text + data, bss):"
{
	objects "$dir/size_without_heartbeat.map" | sed 's/^/off\t/'
	objects "$dir/size_with_metrics.map" | sed 's/^/on\t/'
} |
	awk -F'\t' '$2 ~ /^[15]/ { o = $3; f[$1 "|" o] = $4 + $5; b[$1 "|" o] = $6; seen[o] = 1 }
	END { for (o in seen) { df = f["on|" o] - f["off|" o]; db = b["on|" o] - b["off|" o]
		if (df != 0 || db != 0) printf "%d\t    %-36s %+7d %+7d\n", df, o, df, db } }' | sort -n -r | cut -f2-
metrics_bss=$(arm-none-eabi-nm -S -t d "$dir/size_with_metrics.elf" | awk '$4 == "s_metrics" { print $2 + 0 }')
echo "  RAM: the metrics state is ${metrics_bss:-?} bytes of bss here (8 + 12 per application key); a heartbeat's"
echo "  entry in the event buffer takes its payload + 3 bytes (FL_HEARTBEAT_PAYLOAD_MAX + 3 at most)"
# The key table: present after --gc-sections, without the A flag, and nothing of it in the image that is flashed
# (the .bin of the ELF with and without the section are the same bytes).
for elf in "$dir/size_with_metrics.elf" "$dir/size_with_metrics10.elf" "$dir/size_with_sdk.elf" \
	"$build/firmware/examples/qemu-mps2/qemu-mps2-demo-1.0.0.elf"; do
	tmp=$(mktemp -d)
	arm-none-eabi-objcopy -O binary "$elf" "$tmp/with.bin"
	arm-none-eabi-objcopy -O binary -R .faultline.metrics "$elf" "$tmp/without.bin"
	cmp -s "$tmp/with.bin" "$tmp/without.bin" && flashed=0 || flashed="SOME (the .bin differs)"
	rm -rf "$tmp"
	arm-none-eabi-readelf -S -W "$elf" | awk -v e="${elf##*/}" -v flashed="$flashed" '
		function hex(s,   i, v) {
			for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(tolower(s), i, 1)) - 1
			return v
		}
		{ sub(/^ *\[ *[0-9]+\] */, "") } # then: name type addr off size es flags-or-link ...
		$1 == ".faultline.metrics" { found = 1
			printf "  key table in %s: %d bytes in the ELF, flags %s, %s bytes of flash\n", e,
				hex($5), $7 ~ /^[0-9]+$/ ? "none" : $7, flashed }
		END { if (!found) printf "  key table in %s: MISSING\n", e }'
done
set -- $(sizes "$dir/size_with_sdk_metrics_m0.elf")
echo "  the metrics application on Cortex-M0 (ARMv6-M): $1 bytes of text"
echo
echo "a heartbeat on the wire, measured on the Cortex-M3 in QEMU (bench/size/heartbeat.c: the SDK with metrics3.def,"
echo "3 application keys + 7 built-ins; compact envelope, boot id 300; chunks at MTU 20, headers and CRC included):"
run=$("$here/tests/target/run-qemu.sh" "$dir/size_heartbeat.elf" 2>&1) || run="$run
  (the QEMU run failed: status $?)"
echo "$run"
echo "$run" | awk '/^  heartbeat after/ { w = $0; sub(/ bytes on the wire.*/, "", w); sub(/.* /, "", w)
	when = $0; sub(/^  heartbeat after /, "", when); sub(/:.*/, "", when)
	printf "  target 48 bytes on the wire for 10 keys: after %s %s (%d); Memfault documents 68 for its heartbeat\n",
		when, w <= 48 ? "met" : "over by " w - 48, w }'
echo
echo "a bus-fault coredump on Cortex-M3 in QEMU (tests/target/test_faults.c, scenario bus_write), sent at MTU 20:"
log=$(mktemp)
"$here/tests/target/run-qemu.sh" "$build/firmware/tests/target/faults-m3.elf" bus_write > "$log" 2>&1 || true
"$build/check_crash" bus_write "$log" | head -1 | sed 's/^/  /'
rm -f "$log"

# The FreeRTOS port, in the RTOS test image (tests/target/rtos, ARM_CM3, heap_4), when a kernel is configured.
rtos=$build/firmware/tests/target/freertos-m3
if [ -f "$rtos.map" ]; then
	echo
	echo "the FreeRTOS port (sdk/ports/freertos) in the RTOS test image (Cortex-M3, heap_4), after --gc-sections:"
	awk 'function hex(s,   i, v) {
			v = 0; s = tolower(s); sub(/^0x/, "", s)
			for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
			return v
		}
		/^Linker script and memory map/ { on = 1; next } !on { next }
		/^ [.A-Za-z_]/ && NF == 1 { sec = $1; next }
		/^ [.A-Za-z_]/ && NF >= 4 && $2 ~ /^0x/ { sec = $1; size = $3; file = $4 }
		/^                0x/ && NF >= 3 && $2 ~ /^0x/ && sec != "" { size = $2; file = $3 }
		file ~ /fl_freertos\.c/ { n = hex(size); if (sec ~ /^\.(text|rodata)/) t += n; else if (sec ~ /^\.data/) d += n; else if (sec ~ /^\.(bss|noinit)/ || sec == "COMMON") b += n }
		{ file = ""; sec = "" }
		END { printf "  fl_freertos.c: %d bytes of text, %d data, %d bss\n", t, d, b }' "$rtos.map" 2>/dev/null ||
		echo "  fl_freertos.c: (the map could not be read)"
	arm-none-eabi-nm -S -t d "$rtos.elf" | awk '$3 == "T" && $4 ~ /^fl_freertos_guard/ { t += $2 }
		END { printf "  of which the optional per-task MPU stack guard (fl_freertos_guard*): %d bytes of text\n", t }'
	arm-none-eabi-nm -S -t d "$rtos.elf" | awk '$4 == "fl_freertos_kernel" || $4 ~ /^kernel\.[0-9]+$/ { s += $2 }
		END { printf "  the kernel table freertos_tasks_c_additions.h adds to tasks.c: %d bytes of flash\n", s }'
	plain=$(find "$build/firmware/tests/target" -path '*faultline_sdk_mps2-an385.dir*' -name coredump.c.obj | head -n 1)
	rtossdk=$(find "$build/firmware/tests/target" -path '*faultline_sdk_rtos_mps2-an385.dir*' -name coredump.c.obj | head -n 1)
	if [ -n "$plain" ] && [ -n "$rtossdk" ]; then
		set -- $(arm-none-eabi-size "$plain" | awk 'NR == 2 { print $1, $3 }') \
		       $(arm-none-eabi-size "$rtossdk" | awk 'NR == 2 { print $1, $3 }')
		echo "  the SDK's capture with FL_PORT_HAS_RTOS=1 (coredump.c, before --gc-sections): text +$(($3 - $1))," \
		     "bss +$(($4 - $2)) (the plan and task table, out of the fault handler's stack)"
	fi
	log=$(mktemp)
	for scenario in four_tasks task_fault; do
		"$here/tests/target/run-qemu.sh" "$rtos.elf" "$scenario" > "$log" 2>&1 || true
		wire=$(sed -n 's/.*#FL:C:\([^:]*\):.*/\1/p' "$log" | while read -r c; do printf '%s' "$c" | base64 -d | wc -c; done |
			awk '{ s += $1 } END { print s + 0 }')
		"$build/cli/faultline" decode --elf "$rtos.elf" "$log" 2>/dev/null | awk -v scenario="$scenario" -v wire="$wire" '
			/^  0x[0-9a-f]+-0x[0-9a-f]+ +[0-9]+ bytes/ { captured += $2 }
			/^  thread [0-9]+ "/ && match($0, /\(([0-9]+) bytes, ([0-9]+) used/) {
				s = substr($0, RSTART + 1, RLENGTH - 1); split(s, v, /[ ,]+/); full += v[1]; used += v[3]; tasks++ }
			END { printf "  %s: the dump holds %d bytes of memory for %d tasks (%d of the application, the idle and timer tasks; their stacks'"'"' used parts: %d bytes), %d bytes on the wire in chunks at MTU 20; with every stack in full it would hold about %d\n",
				scenario, captured, tasks, tasks - 2, used, wire, captured - used + full }'
	done
	rm -f "$log"
fi
