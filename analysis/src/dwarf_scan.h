/* SPDX-License-Identifier: Apache-2.0 */
/* How deep an ELF's DIE trees nest, found by our own linear scan of their bytes before libdw walks them
 * recursively, and where its variables at fixed addresses are (analysis/ only: elf.c asks it at open). */
#ifndef FA_DWARF_SCAN_H
#define FA_DWARF_SCAN_H

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ff/error.h"

/* A variable at a fixed address, as fa_dwarf_scan() found it. */
struct fa_dwarf_fixed {
	uint64_t die;      /* the DW_TAG_variable's offset in .debug_info (dwarf_offdie()) */
	uint64_t function; /* the innermost DW_TAG_subprogram it is in (a function's static), by offset; 0 none */
	uint64_t addr;     /* its address, when has_addr */
	bool has_addr;     /* the location is one DW_OP_addr; else it starts with DW_OP_addrx (libdw resolves it) */
};

/*
 * Scan every unit of .debug_info and .debug_types (and their .dwo forms) and refuse DWARF that libdw could not
 * walk within a thread's stack: DIEs nested more than 256 deep, in a unit or through the units it imports, and
 * DWARF this scan cannot read the way libdw would (unknown forms or abbreviation codes, codes, tags, attribute
 * names or forms past 32 bits, units or tables cut short, a DW_AT_sibling that is not the next sibling or two in
 * one abbreviation, an import cycle; DWARF versions other than 2-5, addresses other than 4 or 8 bytes, package
 * files with .debug_cu_index or .debug_tu_index).
 * On the way it notes every DW_TAG_variable of .debug_info whose DW_AT_location is an expression (a block form)
 * that is one DW_OP_addr, or starts with DW_OP_addrx or DW_OP_GNU_addr_index: the candidates for data.c's index
 * of globals and statics, found without libdw walking a DIE.
 * elf: (in) the ELF (its sections are read, decompressed by libelf).  path: (in) its name, for messages.
 * fixed: (out) on success, those variables in the order the scan read them, malloc'd (the caller free()s it; NULL
 * when there are none).  nfixed: (out) on success, how many.
 * err: (out, optional) why it is refused, naming the unit.
 * Returns 0; FF_ERR_TOO_LARGE (nested too deep); FF_ERR_MALFORMED (unreadable as said); FF_ERR_UNSUPPORTED (a
 * version, address size or package file faultline does not read); FF_ERR_NOMEM.
 */
int fa_dwarf_scan(Elf *elf, const char *path, struct fa_dwarf_fixed **fixed, size_t *nfixed, struct ff_error *err);

/*
 * Whether a section's name is want (a ".debug_" name) as libdw reads it: also ".zdebug_..." (compressed the GNU
 * way) and ".gnu.debuglto_.debug_..." (an LTO object's).
 * name: (in) the section's name.  want: (in) the ".debug_" name.
 * Returns true when it is.
 */
bool fa_dwarf_name_is(const char *name, const char *want);

#endif
