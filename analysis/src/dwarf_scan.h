/* SPDX-License-Identifier: Apache-2.0 */
/* How deep an ELF's DIE trees nest, found by our own linear scan of their bytes before libdw walks them
 * recursively (analysis/ only: elf.c asks it at open). */
#ifndef FA_DWARF_SCAN_H
#define FA_DWARF_SCAN_H

#include <gelf.h>

#include "ff/error.h"

/*
 * Scan every unit of .debug_info and .debug_types (and their .dwo forms) and refuse DWARF that libdw could not
 * walk within a thread's stack: DIEs nested more than 256 deep, in a unit or through the units it imports, and
 * DWARF this scan cannot read the way libdw would (unknown forms or abbreviation codes, codes, tags, attribute
 * names or forms past 32 bits, units or tables cut short, a DW_AT_sibling that is not the next sibling or two in
 * one abbreviation, an import cycle; DWARF versions other than 2-5, addresses other than 4 or 8 bytes, package
 * files with .debug_cu_index or .debug_tu_index).
 * elf: (in) the ELF (its sections are read, decompressed by libelf).  path: (in) its name, for messages.
 * err: (out, optional) why it is refused, naming the unit.
 * Returns 0; FF_ERR_TOO_LARGE (nested too deep); FF_ERR_MALFORMED (unreadable as said); FF_ERR_UNSUPPORTED (a
 * version, address size or package file faultline does not read); FF_ERR_NOMEM.
 */
int fa_dwarf_check_depth(Elf *elf, const char *path, struct ff_error *err);

#endif
