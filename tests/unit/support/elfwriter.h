/* SPDX-License-Identifier: Apache-2.0 */
/* Firmware ELFs written byte by byte for the analysis tests: little-endian 32-bit ARM executables made of the
 * sections, function symbols and PT_LOAD segments a test asks for, and the parts fa_elf_open() requires of a
 * firmware ELF (a GNU build-id, DWARF, call frame information). */
#ifndef FL_ELFWRITER_H
#define FL_ELFWRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytebuf.h"

/* A section of an ELF fl_elf_write() writes. */
struct fl_elf_section {
	const char *name;
	uint32_t type, flags, addr, link, info, entsize; /* the section header's (SHT_*, SHF_*) */
	const struct fl_buf *data;                      /* its bytes; NULL: none */
	bool load;                                      /* a PT_LOAD segment (read, execute) maps its bytes at addr */
};

/* A function symbol: STT_FUNC, global, defined in section 1. */
struct fl_elf_func {
	const char *name;
	uint32_t value, size; /* value: the address (| 1 for Thumb code, if wanted) */
};

/*
 * Write a little-endian 32-bit ARM executable (EABI version 5, entry 0): the null section, secs[0..nsecs) as
 * sections 1..nsecs, then .symtab (a null symbol, then funcs in order), .strtab and .shstrtab; one PT_LOAD for
 * each section with load set. Sections' bytes are 4-aligned in the file.
 * secs, nsecs: (in) the sections.  funcs, nfuncs: (in) the function symbols.
 * Returns the path of a new temporary file, malloc'd: the caller unlinks and frees it. Fails the running cmocka
 * test when the file cannot be written.
 */
char *fl_elf_write(const struct fl_elf_section *secs, size_t nsecs, const struct fl_elf_func *funcs, size_t nfuncs);

/* What fl_elf_firmware() writes. */
struct fl_firmware {
	uint32_t text_addr;              /* .text: section 1, loaded at text_addr */
	const struct fl_buf *text;       /* its bytes */
	const struct fl_elf_func *funcs; /* function symbols (in .text) */
	size_t nfuncs;
	const struct fl_buf *abbrev, *info; /* .debug_abbrev, .debug_info; NULL: one compile unit without attributes */
	const struct fl_buf *line;          /* .debug_line; NULL: none */
	uint32_t code_lo, code_len;         /* the range .debug_frame's one FDE (CFA = sp) and .debug_aranges cover */
	const struct fl_elf_section *extra; /* more sections, after those (.ARM.exidx, ...) */
	size_t nextra;
};

/*
 * Write a firmware ELF (fl_elf_write()): .text, a GNU build-id note (20 bytes of 0xa5, allocated at 0x100, not
 * loaded), .debug_abbrev, .debug_info, .debug_line when given, .debug_aranges and .debug_frame over
 * [code_lo, code_lo + code_len) for the first unit, then fw->extra.
 * fw: (in) what to write.
 * Returns the path of a new temporary file, malloc'd: the caller unlinks and frees it.
 */
char *fl_elf_firmware(const struct fl_firmware *fw);

/* Append a DWARF 4 unit header with 4-byte addresses and abbreviations at 0, of a length fl_dwarf_unit_end()
 * patches. Returns the unit's offset in b. */
size_t fl_dwarf_unit_begin(struct fl_buf *b);

/* Patch the length of the unit at offset at (fl_dwarf_unit_begin()) to end at b's end. */
void fl_dwarf_unit_end(struct fl_buf *b, size_t at);

#endif
