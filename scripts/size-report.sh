#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# size-report.sh DIR: print what the SDK adds to the minimal Cortex-M3 application in DIR (bench/size):
# text, data and bss of size_with_sdk.elf minus size_baseline.elf, and the SDK's own objects by section.
set -eu
dir=$1
sizes() { arm-none-eabi-size -A "$1" | awk '
	$1 ~ /^\.(text|rodata|vectors|ARM)/ { text += $2 }
	$1 == ".data" { data += $2 }
	$1 == ".bss" || $1 == ".noinit" { bss += $2 }
	END { print text + 0, data + 0, bss + 0 }'; }
set -- $(sizes "$dir/size_baseline.elf")
bt=$1 bd=$2 bb=$3
set -- $(sizes "$dir/size_with_sdk.elf")
echo "faultline SDK on Cortex-M3 (arm-none-eabi-gcc $(arm-none-eabi-gcc -dumpversion), -Os, --gc-sections):"
printf '  %-28s %8s %8s %8s\n' "" text data bss
printf '  %-28s %8d %8d %8d\n' "minimal application" "$bt" "$bd" "$bb"
printf '  %-28s %8d %8d %8d\n' "with the SDK" "$1" "$2" "$3"
printf '  %-28s %8d %8d %8d\n' "SDK cost (flash = text+data)" $(($1 - bt)) $(($2 - bd)) $(($3 - bb))
echo "  per object linked from faultline libraries (text data bss, after --gc-sections):"
awk '
	function hex(s,   i, v) {
		v = 0; s = tolower(s); sub(/^0x/, "", s)
		for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	/^Linker script and memory map/ { on = 1; next }
	!on { next }
	/^ [.A-Za-z_]/ && NF == 1 { sec = $1; next }                  # a long section name; its line follows
	/^ [.A-Za-z_]/ && NF >= 4 && $2 ~ /^0x/ { sec = $1; addr = $2; size = $3; file = $4 }
	/^                0x/ && NF >= 3 && $2 ~ /^0x/ && sec != "" { addr = $1; size = $2; file = $3 }
	{
		if (file == "" || file !~ /libfaultline/) { file = ""; next }
		sub(/.*\(/, "", file); sub(/\.(c\.)?obj\)$/, "", file); sub(/\)$/, "", file)
		n = hex(size)
		if (sec ~ /^\.(text|rodata)/) text[file] += n
		else if (sec ~ /^\.data/) data[file] += n
		else if (sec ~ /^\.(bss|noinit)/ || sec == "COMMON") bss[file] += n
		seen[file] = 1; file = ""; sec = ""
	}
	END { for (f in seen) printf "    %-26s %8d %8d %8d\n", f, text[f], data[f], bss[f] }
' "$dir/size_with_sdk.map" | sort
