/* SPDX-License-Identifier: Apache-2.0 */
/* Addresses in words: the global or static object an address falls into, named down to the member or element
 * from the DWARF types of the ELF's variables (`g_ring.buf[52]`, `g_cfg.channels[2].gain`), where GDB's `info
 * symbol` stops at `g_ring + 52`. For the report (fault addresses, registers) and vars.c (pointer values). */
#ifndef FA_DATA_H
#define FA_DATA_H

#include <stddef.h>
#include <stdint.h>

#include <elfutils/libdw.h>

#include "fa/elf.h"
#include "ff/error.h"

/* What fa_data_name() returns for an address in no object: not an error (a peripheral register, the stack, the
 * heap, unused RAM, code): the caller prints the plain address. */
#define FA_DATA_NO_OBJECT 1

/* Room for a name: longer ones are FF_ERR_TOO_LARGE. */
#define FA_DATA_NAME_MAX 192

/*
 * Name the object an address falls into (docs/ANALYSIS.md, "Addresses in words", has every spelling):
 *   - the objects are the variables DWARF places at a fixed address (DW_OP_addr): globals, file statics, and
 *     statics of functions, spelled `function::name` as GDB reads them; wherever their DIE is (an LTO build's
 *     concrete variables are in other units than their declarations: DW_AT_specification, DW_AT_abstract_origin)
 *     and the symbol table has at that address, by their name or GCC's renaming of a static (`counter.0`): the
 *     DWARF of a variable --gc-sections removed stays, at address 0 (with no symbol table, all but those at 0);
 *   - inside one, its type names the member and element: `g_ring.buf[52]`, `g_grid[1][2]`,
 *     `g_cfg.channels[2].gain` (an anonymous struct or union adds no name); the first byte of a struct is its
 *     first member's;
 *   - inside a scalar (past its first byte), the byte offset: `g_cfg.count + 2`;
 *   - struct padding: the struct and the offset, marked: `g_cfg.channels[2] + 2 (padding)`;
 *   - a union: the first member (declaration order) whose naming lands on the start of a scalar, else the first
 *     member holding the byte;
 *   - a byte of bitfields: the first bitfield with bits in it;
 *   - one past an object's end is not that object (it is the next one's start, or nothing);
 *   - an object of size 0 is named only at its own address, and only when no other object holds it;
 *   - a variable with no type DWARF can size, and an object DWARF does not describe but the ELF symbol table
 *     does (STT_OBJECT: assembly, libraries built without -g): its name and the offset, `g_buf + 12`.
 * The index of the ELF's objects is built on the handle's first call (one walk of every unit's DIEs, outside
 * types) and kept in the handle; each call is then a binary search and a walk of one type.
 * e: (in) an open handle (not thread-safe: see fa/elf.h).
 * addr: (in) the address.
 * type: (in, optional) the type the caller knows the address has, e.g. a pointer's target type: the naming stops at
 *       the outermost member or element of that type (`struct gain_channel *` gives `g_cfg.channels[2]`, `float *`
 *       gives `g_cfg.channels[2].gain`); NULL (or void): down to the innermost.
 * out: (out) cap bytes of room: the name, NUL-terminated, when this returns 0; "" otherwise.
 * cap: (in) at least 1.
 * Returns 0; FA_DATA_NO_OBJECT; FF_ERR_TOO_LARGE (the name does not fit in cap or FA_DATA_NAME_MAX);
 * FF_ERR_NOMEM (building the index). Malformed DWARF is never an error here: a variable whose DIE or type cannot be
 * read is left out or named no deeper than the readable part.
 */
int fa_data_name(struct fa_elf *e, uint64_t addr, Dwarf_Die *type, char *out, size_t cap);

/*
 * A global or static variable by name: its address (from the symbol table, GCC's renaming of a static included)
 * and DWARF type. The first of that name the symbol table has.
 * e: (in) an open handle.  name: (in) the variable's name.
 * addr, type: (out) when found.
 * Returns 0; FA_DATA_NO_OBJECT (none, or none with a type); FF_ERR_NOMEM.
 */
int fa_data_variable(struct fa_elf *e, const char *name, uint64_t *addr, Dwarf_Die *type);

/*
 * Name a code address by the function symbol holding it, as GDB does inside `<...>`: `handler`, `handler+4` (the
 * offset in decimal; the Thumb bit cleared on ARM).
 * e: (in) an open handle.
 * value: (in) the address.
 * out: (out) cap bytes of room: the name, NUL-terminated, when this returns 0; "" otherwise.
 * cap: (in) at least 1.
 * Returns 0; FA_DATA_NO_OBJECT when no function symbol holds it; FF_ERR_TOO_LARGE (it does not fit in cap).
 */
int fa_data_code_name(struct fa_elf *e, uint64_t value, char *out, size_t cap);

/*
 * A pointer value as GDB prints one, with what it points at: `0x20001234 <g_ring.buf[52]>` (fa_data_name()), a
 * code address as `0x000001a5 <handler+4>` (fa_data_code_name()), else the plain `0x40004000`. The value has at
 * least 8 hex digits.
 * e: (in) an open handle.
 * value: (in) the pointer's value.
 * pointee: (in, optional) the type it points to, as for fa_data_name(); NULL when unknown or void.
 * out: (out) cap bytes of room, NUL-terminated; cut to fit when too small.
 * cap: (in) at least 1.
 * Returns 0; FF_ERR_TOO_LARGE (cut); FF_ERR_NOMEM.
 */
int fa_data_format_pointer(struct fa_elf *e, uint64_t value, Dwarf_Die *pointee, char *out, size_t cap);

#endif
