/* SPDX-License-Identifier: Apache-2.0 */
/* The firmware ELF: opened once (elfutils), checked against a dump's build-id, and asked for symbols, source lines,
 * inline chains, CFI and code bytes.
 * Thread model: an fa_elf is not thread-safe (libdw handles are not): use one per thread, or serialize the calls
 * on one handle. Opening is the slow part (DWARF indexes are built lazily on first use); keep handles open and
 * reuse them for every dump of that build. */
#ifndef FA_ELF_H
#define FA_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ff/error.h"

struct fa_elf;

/* One function a code address belongs to, innermost first when inlining nests them. */
struct fa_sym {
	char function[128]; /* "?" when unknown */
	char file[256];     /* source file as the line table names it, "" when unknown */
	int line;           /* 0 when unknown */
	bool inlined;       /* this frame was inlined into the next one */
};

/*
 * Open an ELF with DWARF. out: the handle, closed with fa_elf_close().
 * Returns 0; FF_ERR_IO (cannot open or read: err has the system's reason); FF_ERR_MALFORMED (not an ELF file);
 * FF_ERR_UNSUPPORTED with a message that says how to build a usable one: no GNU build-id (-Wl,--build-id), no
 * DWARF (-g), no call frame information (.debug_frame, also -g).
 */
int fa_elf_open(struct fa_elf **out, const char *path, struct ff_error *err);

void fa_elf_close(struct fa_elf *e);

/* The ELF's build-id; out set to bytes owned by the handle. Returns the length (8..64). */
size_t fa_elf_build_id(const struct fa_elf *e, const uint8_t **out);

/* The ELF's e_machine (40 for ARM). */
uint16_t fa_elf_machine(const struct fa_elf *e);

/* 0 when the dump's build-id is this ELF's; else FF_ERR_UNSUPPORTED, with both ids in hex in err. */
int fa_elf_check_build_id(const struct fa_elf *e, const uint8_t *id, size_t len, struct ff_error *err);

/*
 * The function chain at a code address: out[0] is the innermost (an inlined function, when the address is inside
 * one), then each caller it was inlined into, ending with the real (out-of-line) function. For the inlined frames'
 * callers, file:line is the call site. Returns the number of entries written (1..max); 1 with function "?" when
 * the address is in no known function.
 */
size_t fa_elf_symbolize(struct fa_elf *e, uint64_t addr, struct fa_sym *out, size_t max);

/*
 * Callers elided by tail calls, rebuilt from DWARF call-site records as GDB does: the caller's call at return
 * address ra called function T; if T is not the function at callee_pc, find the one chain of tail calls
 * (DW_AT_call_tail_call) that leads from T to it. out: the chain's functions, outermost first would be T...;
 * here innermost first (the order of a backtrace), each with the file:line of its tail call.
 * Returns the number of frames written: 0 when there is no chain or it is ambiguous.
 */
size_t fa_elf_tail_calls(struct fa_elf *e, uint64_t callee_pc, uint64_t ra, struct fa_sym *out, size_t max);

/* The start address and name of the ELF symbol (function) containing addr; 0 when none. ARM mapping symbols
 * ($t, $a, $d) are never returned. */
uint64_t fa_elf_function_at(struct fa_elf *e, uint64_t addr, const char **name);

/* Copy len bytes of the ELF's loadable contents at addr (code, read-only data) into buf. Returns 0, or -1 when
 * not all of them are in the file. */
int fa_elf_read(const struct fa_elf *e, uint64_t addr, void *buf, size_t len);

/* The libdw call frame information of the ELF (.debug_frame), for the unwinder. */
struct Dwarf_CFI_s;
struct Dwarf_CFI_s *fa_elf_cfi(struct fa_elf *e);

#endif
