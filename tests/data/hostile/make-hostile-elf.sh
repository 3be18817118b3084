#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Hostile firmware ELFs: valid enough for fa_elf_open() to read, shaped to break a DWARF reader. Made with the
# cross toolchain alone (arm-none-eabi-as, -ld, -objcopy, -readelf: scripts/deps.txt), from assembly with .rept.
#
#   make-hostile-elf.sh deep OUT.elf SOURCE.elf [N]
#       One DWARF 4 compile unit covering the address space (low_pc 0, high_pc 0xfffffff0) whose DIEs nest N
#       DW_TAG_lexical_block DIEs (default 300000), each covering the same range: the tree is N + 1 DIEs deep,
#       the unit's own DIE included. libdw's dwarf_getscopes() recurses once per level.
#   make-hostile-elf.sh imports OUT.elf SOURCE.elf [UNITS [DEPTH]]
#       A compile unit that imports (DW_TAG_imported_unit, as dwz writes) the first of UNITS partial units
#       (default 2000); each nests DEPTH lexical blocks (default 200) and imports the next one from its innermost
#       block. No unit is deep, but dwarf_getscopes() follows the imports: it descends UNITS x (DEPTH + 1) levels.
#   make-hostile-elf.sh heavy OUT.elf SOURCE.elf [MIB]
#       SOURCE.elf itself, its .debug_str grown by MIB MiB (default 160) of bytes that deflate about 38 times (a
#       random KiB, then 40 KiB of zeros, again and again: a repeat lies past deflate's 32 KiB window) and its
#       debug sections compressed: a few MiB that libdw inflates to MIB MiB in memory at every open, under the
#       64-times limit on compression bombs: a file whose analysis takes memory, not a bomb.
#
# deep and imports have what fa_elf_open() asks besides DWARF: a symbol table whose function deep_scopes covers the range,
# a .debug_frame CIE and FDE for it, a .debug_aranges entry for the unit, and the .note.gnu.build-id of
# SOURCE.elf copied byte for byte, so a crash message of that firmware is analyzed against OUT.elf.
set -eu

usage() {
	echo "usage: $0 deep OUT.elf SOURCE.elf [N] | imports OUT.elf SOURCE.elf [UNITS [DEPTH]] |" \
		"heavy OUT.elf SOURCE.elf [MIB]" >&2
	exit 2
}
[ $# -ge 3 ] || usage
mode=$1 out=$2 source=$3
case $mode in
deep) n=${4:-300000} ;;
imports) units=${4:-2000} depth=${5:-200} ;;
heavy) mib=${4:-160} ;;
*) usage ;;
esac

if [ "$mode" = heavy ]; then
	trap 'rm -f "$out.str" "$out.block" "$out.big" "$out.grown"' EXIT
	arm-none-eabi-objcopy --dump-section .debug_str="$out.str" "$source" /dev/null
	{ head -c 1024 /dev/urandom; head -c 40960 /dev/zero; } > "$out.block"
	for i in 1 2 3 4 5 6; do cat "$out.block" "$out.block" > "$out.big" && mv "$out.big" "$out.block"; done
	blocks=$((mib * 1024 / (41 * 64))) # of 64 times 41 KiB: as many as make MIB MiB
	cp "$out.str" "$out.big"
	while [ "$blocks" -gt 0 ]; do
		cat "$out.block" >> "$out.big"
		blocks=$((blocks - 1))
	done
	arm-none-eabi-objcopy --update-section .debug_str="$out.big" "$source" "$out.grown"
	arm-none-eabi-objcopy --compress-debug-sections=zlib "$out.grown" "$out"
	exit 0
fi

# The range every DIE, the symbol and the FDE cover: all but the EXC_RETURN values a Cortex-M unwinder meets.
high=0xfffffff0
id=$(arm-none-eabi-readelf -n "$source" | sed -n 's/^ *Build ID: *\([0-9a-f]*\)$/\1/p')
if [ -z "$id" ]; then
	echo "$0: $source has no GNU build-id to copy" >&2
	exit 1
fi

asm=$out.s obj=$out.o linked=$out.linked
trap 'rm -f "$asm" "$obj" "$linked"' EXIT

# A lexical block DIE (abbrev 2): its code, low_pc, high_pc as a length.
block='	.uleb128 2
	.4byte 0, '$high

{
	cat <<EOF
	.syntax unified
	.thumb
	.text
	.global deep_scopes
	.type deep_scopes, %function
	.4byte 0		@ a function at 0 is taken for none: start after a word, as a vector table would
	.thumb_func
deep_scopes:
	b deep_scopes
	.size deep_scopes, $high - 4

	.section .note.copied, "a", %note	@ renamed once linked: ld drops an input .note.gnu.build-id
	.balign 4
	.4byte 4, $(( ${#id} / 2 )), 3	@ namesz, descsz, NT_GNU_BUILD_ID
	.asciz "GNU"
	.byte $(printf '%s\n' "$id" | sed 's/../0x&,/g; s/,$//')

	.section .debug_abbrev, "", %progbits
	.uleb128 1, 0x11	@ 1: DW_TAG_compile_unit
	.byte 1		@ DW_CHILDREN_yes
	.uleb128 0x03, 0x08	@ DW_AT_name, DW_FORM_string
	.uleb128 0x11, 0x01	@ DW_AT_low_pc, DW_FORM_addr
	.uleb128 0x12, 0x06	@ DW_AT_high_pc, DW_FORM_data4 (a length)
	.byte 0, 0
	.uleb128 2, 0x0b	@ 2: DW_TAG_lexical_block
	.byte 1
	.uleb128 0x11, 0x01
	.uleb128 0x12, 0x06
	.byte 0, 0
	.uleb128 3, 0x3c	@ 3: DW_TAG_partial_unit
	.byte 1
	.byte 0, 0
	.uleb128 4, 0x3d	@ 4: DW_TAG_imported_unit
	.byte 0		@ DW_CHILDREN_no
	.uleb128 0x18, 0x10	@ DW_AT_import, DW_FORM_ref_addr
	.byte 0, 0
	.byte 0

	.section .debug_aranges, "", %progbits
	.4byte .Laranges_end - .Laranges
.Laranges:
	.2byte 2
	.4byte 0		@ the compile unit: the first in .debug_info
	.byte 4, 0
	.4byte 0		@ padding: tuples are 8-aligned
	.4byte 0, $high
	.4byte 0, 0
.Laranges_end:

	.section .debug_frame, "", %progbits
.Lcie:
	.4byte .Lcie_end - .Lcie_id
.Lcie_id:
	.4byte 0xffffffff
	.byte 1		@ version
	.asciz ""		@ augmentation
	.uleb128 2		@ code alignment
	.sleb128 -4		@ data alignment
	.byte 14		@ return address: lr
	.byte 0x0c, 13, 0	@ DW_CFA_def_cfa: sp + 0
	.balign 4, 0
.Lcie_end:
	.4byte .Lfde_end - .Lfde_cie
.Lfde_cie:
	.4byte .Lcie - .Lcie	@ the CIE: at offset 0
	.4byte 0, $high		@ initial location, address range
.Lfde_end:

	.section .debug_info, "", %progbits
.Linfo:
	.4byte .Lcu_end - .Lcu_version
.Lcu_version:
	.2byte 4
	.4byte 0		@ abbreviations at offset 0
	.byte 4		@ address size
	.uleb128 1
	.asciz "deep.c"
	.4byte 0, $high
EOF
	case $mode in
	deep)
		printf '\t.rept %s\n%s\n\t.endr\n' "$n" "$block"
		printf '\t.fill %s, 1, 0\n' "$((n + 1))" # the blocks' and the unit's ends of children
		printf '.Lcu_end:\n'
		;;
	imports)
		printf '\t.uleb128 4\n\t.4byte .Lpu1 - .Linfo\n\t.byte 0\n.Lcu_end:\n'
		i=1
		while [ "$i" -le "$units" ]; do
			printf '\t.4byte .Lpu%s_end - .Lpu%s_version\n.Lpu%s_version:\n' "$i" "$i" "$i"
			printf '\t.2byte 4\n\t.4byte 0\n\t.byte 4\n.Lpu%s:\n\t.uleb128 3\n' "$i"
			printf '\t.rept %s\n%s\n\t.endr\n' "$depth" "$block"
			[ "$i" -lt "$units" ] && printf '\t.uleb128 4\n\t.4byte .Lpu%s - .Linfo\n' "$((i + 1))"
			printf '\t.fill %s, 1, 0\n.Lpu%s_end:\n' "$((depth + 1))" "$i"
			i=$((i + 1))
		done
		;;
	esac
} > "$asm"

arm-none-eabi-as -mcpu=cortex-m3 -o "$obj" "$asm"
arm-none-eabi-ld --no-warn-rwx-segments -Ttext=0 -e deep_scopes -o "$linked" "$obj"
arm-none-eabi-objcopy --rename-section .note.copied=.note.gnu.build-id "$linked" "$out"
