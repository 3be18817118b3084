/* SPDX-License-Identifier: Apache-2.0 */
/* Which compile unit's code holds an address, from .debug_aranges read by our own bounds-checked parser: libdw's
 * dwarf_getaranges() allocates every range apart and sorts them, a millisecond on a large firmware, paid by the
 * first lookup of every decode (analysis/ only: elf.c asks it, and asks libdwfl when it has no answer). */
#ifndef FA_ARANGES_H
#define FA_ARANGES_H

#include <gelf.h>
#include <stdbool.h>
#include <stdint.h>

struct fa_aranges;

/*
 * Read an ELF's .debug_aranges (as libdw left the section: inflated). Every unit must be well formed (version 2,
 * addresses of 4 or 8 bytes, no segment selectors, tuples within the unit, ending with the (0, 0) tuple): one that
 * is not leaves the ELF without an index, so that lookups go to libdwfl as before, which reads the section its own
 * way.
 * elf: (in) the ELF.
 * Returns the index, which the caller frees with fa_aranges_free(); NULL when the ELF has no such section, when
 * the section is malformed, or when memory is short.
 */
struct fa_aranges *fa_aranges_read(Elf *elf);

/*
 * The compile unit whose range holds addr: of the ranges, the one starting nearest at or before addr, when it
 * holds addr and no range of another unit starts at the same address. An address in no range, in a gap, or in
 * such a tie has no answer here (libdwfl then decides: it gives gaps to the unit before them).
 * a: (in) an index, or NULL (no answer).
 * addr: (in) the address.
 * cu: (out) the offset of the unit's header in .debug_info, when found.
 * Returns true when found.
 */
bool fa_aranges_find(const struct fa_aranges *a, uint64_t addr, uint64_t *cu);

/* Free an index from fa_aranges_read(); NULL is ignored. */
void fa_aranges_free(struct fa_aranges *a);

#endif
