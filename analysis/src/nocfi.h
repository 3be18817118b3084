/* SPDX-License-Identifier: Apache-2.0 */
/* Unwinding a frame that no CFI covers (assembly without directives, code built without -g): the ARM EHABI unwind
 * instructions of .ARM.exidx when the function has them, else prologue analysis of its Thumb code, as GDB does on
 * Cortex-M. Private to the unwinder. */
#ifndef FA_NOCFI_H
#define FA_NOCFI_H

#include <stdbool.h>
#include <stdint.h>

#include "fa/elf.h"
#include "fa/unwind.h"

/* Read a 32-bit word of the dump's memory at addr into *out; false when it was not captured. */
typedef bool fa_read32_fn(const void *ctx, uint64_t addr, uint32_t *out);

/* What fa_exidx_step() and fa_prologue_step() return besides 1 (found: next is filled). */
#define FA_NOCFI_NONE 0     /* the method does not apply here: try another */
#define FA_NOCFI_MEMORY (-1) /* it applies, but a saved register lies in memory the dump did not capture */

/*
 * The caller of frame f from the function's .ARM.exidx unwind instructions (fa_elf_exidx()). They hold once the
 * prologue is done (at calls): a frame with an exact pc inside the prologue (at or before its last PUSH, SUB sp,
 * VPUSH or setting of r7, as fa_prologue_step() reads the code) is not unwound with them.
 * e: (in) the ELF.  f: (in) the frame.  first: (in) f's pc is exact (frame 0, or a frame an exception
 * interrupted): it may be inside the prologue, and its lr is the return address when the instructions pop none
 * (a caller frame's lr is not).  rd, ctx: (in) the dump's memory.
 * next: (out) on 1: the caller's registers (sp, the popped ones, pc from the popped pc or lr), known marks, and
 *       regs[15] the return address as found (Thumb bit, or an EXC_RETURN value: the caller handles it).
 * Returns 1, FA_NOCFI_NONE (no usable entry, an instruction this interpreter does not know, a pc inside the
 * prologue) or FA_NOCFI_MEMORY.
 */
int fa_exidx_step(struct fa_elf *e, const struct fa_frame *f, bool first, fa_read32_fn *rd, const void *ctx,
		  struct fa_frame *next);

/*
 * The caller of frame f from its function's prologue: the Thumb instructions from the function's start (symbol
 * table) up to f's pc that push registers (PUSH, PUSH.W, STR.W Rt, [sp, #-4]!, VPUSH), lower sp (SUB sp, SUB.W,
 * SUBW) and set the frame pointer r7 (ADD r7, sp, #imm; MOV r7, sp); at most 64 instructions, up to the first
 * that can change the pc (a branch, call or return), skipping others. The CFA is r7-based when r7 was set and is
 * known, else sp-based. A function that saved no lr returns to lr, which only a frame with an exact pc has.
 * e, f, first, rd, ctx, next: as for fa_exidx_step().
 * Returns 1, FA_NOCFI_NONE (no function symbol, an instruction that ends the analysis before it found anything
 * useful) or FA_NOCFI_MEMORY.
 */
int fa_prologue_step(struct fa_elf *e, const struct fa_frame *f, bool first, fa_read32_fn *rd, const void *ctx,
		     struct fa_frame *next);

#endif
