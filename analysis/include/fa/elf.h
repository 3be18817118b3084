/* SPDX-License-Identifier: Apache-2.0 */
/* The firmware ELF: opened once (elfutils), checked against a dump's build-id, and asked for symbols, source lines,
 * inline chains, CFI and code bytes.
 * Thread model: an fa_elf is not thread-safe (libdw handles are not): use one per thread, or serialize the calls
 * on one handle. Opening is cheap, the first lookups are not (libdw builds its DWARF indexes lazily, on first use;
 * lookups are cached by address after that): keep handles open and reuse them for every dump of that build. */
#ifndef FA_ELF_H
#define FA_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ff/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct fa_elf;

/* One function a code address belongs to; a lookup gives them innermost first when inlining nests them. */
struct fa_sym {
	char function[128]; /* "?" when unknown */
	char file[256];     /* source file as the line table names it, "" when unknown */
	int line;           /* 0 when unknown */
	bool inlined;       /* this frame was inlined into the next one */
	uint64_t pc;        /* fa_elf_tail_calls(): the return address of the tail call (the frame's pc, as GDB shows
			     * it), 0 when several call sites make the chain (then file and line are unknown too) */
};

/*
 * Open an ELF with DWARF.
 * out: (out) the handle, closed with fa_elf_close(); NULL when this fails.
 * path: (in) the ELF file; read while the handle is open.
 * err: (out, optional) why it failed.
 * Returns 0; FF_ERR_IO (cannot open or read it: err has the system's reason); FF_ERR_MALFORMED (not an ELF file,
 * or its header is unreadable; cut short; DWARF this library cannot read as libdw would: a unit cut short, an
 * attribute form or abbreviation code it does not know, a DW_AT_sibling that is not the next sibling, units
 * importing each other in a cycle; err names the unit); FF_ERR_TOO_LARGE (DIEs nested more than 256 deep, counting
 * the units a unit imports: libdw's recursive walks would overflow the stack; or compressed sections that would
 * inflate past reason); FF_ERR_UNSUPPORTED with a message that says how to build a usable one: no GNU build-id
 * (-Wl,--build-id), no DWARF (-g), no call frame information (.debug_frame, also -g), DWARF in a supplementary
 * file, a DWARF version other than 2 to 5; FF_ERR_NOMEM.
 */
int fa_elf_open(struct fa_elf **out, const char *path, struct ff_error *err);

/*
 * Close a handle and free everything it owns (names, build-id and CFI it handed out included).
 * e: (in) an open handle, or NULL (nothing happens).
 */
void fa_elf_close(struct fa_elf *e);

/*
 * The ELF's GNU build-id.
 * e: (in) an open handle.
 * out: (out) set to the build-id's bytes, owned by the handle: valid until fa_elf_close().
 * Returns its length in bytes (8..64: fa_elf_open() refuses other ELFs).
 */
size_t fa_elf_build_id(const struct fa_elf *e, const uint8_t **out);

/*
 * The ELF's machine.
 * e: (in) an open handle.
 * Returns e_machine: 40 (EM_ARM) for Cortex-M firmware.
 */
uint16_t fa_elf_machine(const struct fa_elf *e);

/*
 * Check that a dump comes from this ELF.
 * e: (in) an open handle.
 * id, len: (in) the dump's build-id.
 * err: (out, optional) both ids in hex when they differ.
 * Returns 0 when id is this ELF's build-id; FF_ERR_UNSUPPORTED when it is not.
 */
int fa_elf_check_build_id(const struct fa_elf *e, const uint8_t *id, size_t len, struct ff_error *err);

/*
 * The function chain at a code address: out[0] is the innermost function (an inlined one, when the address is
 * inside one), with the file:line of the address; then each caller it was inlined into, with the file:line of
 * the call site; the last is the out-of-line function. A chain longer than max is cut to its first max entries
 * (the last of them then still has inlined set). Answers are cached per address: a call gets what a call on a
 * fresh handle with the same max would, whatever earlier calls asked.
 * e: (in) an open handle.
 * addr: (in) the address (for a return address, one less: inside the call).
 * out: (out) max entries of room.
 * max: (in) at least 1.
 * Returns the number of entries written, 1..max: 1 with function "?" when the address is in no function of the
 * symbol table; 1 with the symbol's name when DWARF describes no function there (file:line then only when the
 * line table has the address).
 */
size_t fa_elf_symbolize(struct fa_elf *e, uint64_t addr, struct fa_sym *out, size_t max);

/*
 * Callers elided by tail calls, rebuilt from DWARF call-site records as GDB does. A caller's call that returns to
 * ra called function T; when T is not the function at callee_pc, the frames between them are the one chain of
 * tail calls (DW_AT_call_tail_call) that leads from T to that function. Cached like fa_elf_symbolize().
 * e: (in) an open handle.
 * callee_pc: (in) an address in the called frame's function.
 * ra: (in) the return address of the call in the caller's frame.
 * out: (out) max entries of room: the chain innermost first (the order of a backtrace: the function that made
 *      the last tail call first, T last), each with the file:line and pc of its tail call; a tail call made from
 *      an inlined function comes as that function (inlined set) before the one it is inlined into, as
 *      fa_elf_symbolize() gives them. When several call sites of one function make the same chain, that function
 *      comes alone, without file, line or pc. A chain longer than max is cut to its first max entries.
 * max: (in) room in out.
 * Returns the number of entries written: 0 when there is no such chain (T is the callee itself, or either address
 * is in no known function), or more than one through different functions (ambiguous: nothing is better than a
 * guess).
 */
size_t fa_elf_tail_calls(struct fa_elf *e, uint64_t callee_pc, uint64_t ra, struct fa_sym *out, size_t max);

/*
 * The function symbol containing an address. ARM mapping symbols ($t, $a, $d) are never returned.
 * e: (in) an open handle.
 * addr: (in) the address (without the Thumb bit).
 * name: (out) when found, the symbol's name, owned by the handle: valid until fa_elf_close(); else untouched.
 * Returns the function's start address; 0 when no function symbol contains addr.
 */
uint64_t fa_elf_function_at(struct fa_elf *e, uint64_t addr, const char **name);

/*
 * Whether the symbol table has a function of exactly this name (a port's telltale function: FreeRTOS's ARM_CM4F
 * port has vPortEnableVFP, its ARM_CM3 port not).
 * e: (in) an open handle.  name: (in) the symbol's name.
 */
bool fa_elf_has_function(const struct fa_elf *e, const char *name);

/*
 * The length of a function name without the suffixes GCC gives IPA clones and split parts: ".constprop.N",
 * ".isra.N", ".part.N", ".cold", ".lto_priv.N", ".localalias" (N: decimal digits; ".cold" and ".localalias" may
 * have one too), any number of them, up to the name's end ("set_level.constprop.0" -> 9: "set_level";
 * "f.part.0.cold" -> 1; "a.constprop" and "a.constprops.0" have none). The symbol table names clones so; DWARF,
 * GDB and fingerprints use the function's own name.
 * name: (in) a NUL-terminated name.
 * Returns the length of its base name: strlen(name) when it has no such suffix.
 */
size_t fa_elf_clone_base(const char *name);

/*
 * Copy ELF contents (code, read-only data: the file bytes of PT_LOAD segments) at an address.
 * e: (in) an open handle.
 * addr: (in) the first address.
 * buf: (out) len bytes of room.
 * len: (in) the number of bytes.
 * Returns 0; -1 when not all of them are in the file (outside every segment, or in its zero-filled part like
 * .bss), and buf may then be untouched.
 */
int fa_elf_read(const struct fa_elf *e, uint64_t addr, void *buf, size_t len);

/* What fa_elf_section() returns when the ELF has no section of that name: not an error of the ELF. */
#define FA_ELF_NO_SECTION 1

/*
 * Copy a section's contents out of the ELF: a section no segment loads (no SHF_ALLOC, so fa_elf_read() cannot
 * reach it), like the metric key table FF_METRICS_SECTION (ff/metrics.h). The ELF is untrusted: the section's
 * size and place in the file are checked before a byte is copied.
 * e: (in) an open handle.
 * name: (in) the section's name, e.g. ".faultline.metrics".
 * out: (out) cap bytes of room: the section's bytes, when this returns 0 (untouched otherwise).
 * cap: (in) the most bytes the caller takes (FF_METRICS_TABLE_MAX for the key table).
 * out_len: (out) the section's size in bytes (0..cap), when this returns 0.
 * err: (out, optional) names the section and the problem.
 * Returns 0; FA_ELF_NO_SECTION when the ELF has no section of that name (err untouched); FF_ERR_TOO_LARGE (more
 * than cap bytes); FF_ERR_MALFORMED (two sections of that name, SHT_NOBITS (it has no bytes in the file), bytes
 * outside the file, or libelf cannot read them); FF_ERR_UNSUPPORTED (compressed: SHF_COMPRESSED).
 */
int fa_elf_section(const struct fa_elf *e, const char *name, uint8_t *out, size_t cap, size_t *out_len,
		   struct ff_error *err);

/*
 * The CFI rules at a code address, for the unwinder: from .debug_frame (what arm-none-eabi-gcc -g emits; hosted
 * programs such as the POSIX port have .eh_frame only) or, where it has none, from .eh_frame (GNU as puts the CFI
 * of hand-written assembly there unless the file says `.cfi_sections .debug_frame`; GDB reads both too).
 * e: (in) an open handle.
 * addr: (in) the address.
 * out: (out) the rules (libdw's Dwarf_Frame), malloc'd: the caller frees it with free(); untouched on failure.
 * Returns the name of the section the rules came from (".debug_frame", ".eh_frame"; static); NULL when neither
 * covers addr.
 */
struct Dwarf_Frame_s;
const char *fa_elf_cfi_frame(struct fa_elf *e, uint64_t addr, struct Dwarf_Frame_s **out);

/* The most unwind instruction bytes fa_elf_exidx() gives: personality 1/2's two bytes and up to 7 more words. */
#define FA_EXIDX_MAX 30u

/*
 * The ARM EHABI unwind instructions (.ARM.exidx, .ARM.extab: code built with -funwind-tables) of the function
 * containing a code address, for the compact personality routines 0, 1 and 2. The ELF is untrusted: every offset
 * is checked against its section.
 * e: (in) an open handle.
 * addr: (in) the address.
 * out: (out) FA_EXIDX_MAX bytes of room: the instructions, in the order they run (0xb0, "finish", ends them).
 * out_len: (out) how many bytes, on success.
 * Returns 0; -1 when there is no entry for addr, the entry says it cannot be unwound (EXIDX_CANTUNWIND), or it
 * uses a generic personality routine or is malformed.
 */
int fa_elf_exidx(struct fa_elf *e, uint64_t addr, uint8_t *out, size_t *out_len);

/*
 * Whether a return address follows a call: the Thumb instruction before it is a BL or a BLX Rm. The first
 * instruction of a function that an RTOS pushed as a task's initial lr (its exit trap) follows none.
 * e: (in) an open handle.
 * ra: (in) the return address (the Thumb bit is ignored).
 * Returns true when the ELF's code before ra is a BL or BLX.
 */
bool fa_elf_follows_call(const struct fa_elf *e, uint64_t ra);

/*
 * Whether the function containing a code address is declared noreturn (DW_AT_noreturn): it may have clobbered
 * callee-saved registers without saving them, so its caller's values of them are unknown.
 * e: (in) an open handle.
 * addr: (in) an address in the function.
 * Returns true when DWARF says so.
 */
bool fa_elf_noreturn(struct fa_elf *e, uint64_t addr);

#ifdef __cplusplus
}
#endif
#endif
