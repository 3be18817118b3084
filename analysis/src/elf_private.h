/* SPDX-License-Identifier: Apache-2.0 */
/* What the analysis library's own DWARF readers (data.c, vars.c) take from an fa_elf handle: its libdw handles,
 * and room for the indexes they build lazily and keep as long as the handle (a warm trace reuses them). */
#ifndef FA_ELF_PRIVATE_H
#define FA_ELF_PRIVATE_H

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>

#include "dwarf_scan.h"
#include "fa/elf.h"

/*
 * The ELF's DWARF (libdw), owned by the handle: valid until fa_elf_close(); never NULL (fa_elf_open() refuses ELFs
 * without DWARF). Not thread-safe, like the handle.
 */
Dwarf *fa_elf_dwarf(struct fa_elf *e);

/*
 * The compile unit whose code contains a code address (libdwfl's lookup; the bias is 0 for firmware).
 * e: (in) an open handle.
 * addr: (in) the address.
 * out: (out) the CU's DIE, when found.
 * Returns true when a CU covers addr.
 */
bool fa_elf_cu_at(struct fa_elf *e, uint64_t addr, Dwarf_Die *out);

/*
 * The DIEs whose code contains a code address, innermost first, up to (not including) its CU: lexical blocks,
 * inlined subroutines and the function, as fa_elf_symbolize() walks them (the function chain it reports is this
 * chain's DW_TAG_inlined_subroutine and DW_TAG_subprogram entries).
 * e: (in) an open handle.
 * addr: (in) the address.
 * out: (out) the chain, malloc'd (the caller free()s it); NULL when it is empty.
 * Returns its length; 0 when no CU or no DIE covers addr (or out of memory).
 */
int fa_elf_scopes(struct fa_elf *e, uint64_t addr, Dwarf_Die **out);

/*
 * The variables of .debug_info whose location is a fixed address, as the scan at open found them
 * (fa_dwarf_scan()).
 * e: (in) an open handle.  n: (out) how many.
 * Returns them, in the order the scan read them, owned by the handle; NULL when there are none.
 */
const struct fa_dwarf_fixed *fa_elf_fixed_variables(const struct fa_elf *e, size_t *n);

/* The lazily built indexes other modules keep in the handle, one slot each. */
enum fa_elf_index {
	FA_ELF_INDEX_DATA, /* data.c: the globals and statics by address */
	FA_ELF_INDEX_VARS, /* vars.c */
	FA_ELF_INDEX_THREADS, /* threads.c: the RTOS kernel's layout */
	FA_ELF_INDEX_COUNT
};

/*
 * A module's index kept in the handle.
 * e: (in) an open handle.
 * which: (in) the slot.
 * Returns what fa_elf_set_index() put there; NULL before.
 */
void *fa_elf_index(struct fa_elf *e, enum fa_elf_index which);

/*
 * Put a module's index into the handle, which owns it from then on: fa_elf_close() calls destroy(index) (and so
 * does a later fa_elf_set_index() of the same slot, for the index it replaces).
 * e: (in) an open handle.
 * which: (in) the slot.
 * index: (in) the index, or NULL.
 * destroy: (in) frees the index; NULL when nothing is to be freed.
 */
void fa_elf_set_index(struct fa_elf *e, enum fa_elf_index which, void *index, void (*destroy)(void *));

#endif
