/* SPDX-License-Identifier: Apache-2.0 */
/* The fault in words, from the coredump's reason, Cortex-M fault status registers (CFSR, HFSR, MMFAR, BFAR) and the
 * active stack's limits: "precise bus fault writing address 0xFFFFFFF0", "divide by zero", "stack overflow:
 * exception stacking failed". */
#ifndef FA_FAULT_H
#define FA_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fa/elf.h"
#include "ff/message.h"

#ifdef __cplusplus
extern "C" {
#endif

struct fa_fault {
	char kind[32];     /* a stable identifier: "bus_fault", "undefined_instruction", ... (docs/ANALYSIS.md) */
	char text[256];    /* for people */
};

/* How far below the active stack's low limit (the dump's `stack`) the address of a data access violation (MMFAR)
 * still counts as a hit on an MPU stack guard, in bytes: a guard is one small MPU region right below the stack.
 * Farther below, the violation is taken for what CFSR says (memory_access). */
#define FA_FAULT_GUARD_SPAN 1024u

/*
 * Explain a coredump's fault: an assert or fatal error by its reason, a POSIX signal, a Cortex-M fault by its
 * fault status registers and the stack's limits; kind "unknown" for anything else. On Cortex-M: exception
 * stacking that failed (MSTKERR, STKERR), a data access violation within FA_FAULT_GUARD_SPAN bytes below the
 * stack's low limit, and a MemManage or bus fault with sp below that limit are a "stack_overflow"; a dump whose
 * stacked frame was not captured for another reason (its frame_unreliable flag without MSTKERR or STKERR) is
 * explained by its fault status, and the text says the frame was not captured (docs/ANALYSIS.md).
 * out: (out) filled, kind and text always set.
 * m: (in) a coredump message.
 * e: (in, optional) the dump's ELF, or NULL: with it, the instruction at pc tells a read from a write ("writing",
 *    "reading"; "accessing" without).
 */
void fa_fault_explain(struct fa_fault *out, const struct ff_message *m, struct fa_elf *e);

/* One bit of a Cortex-M fault status register, named as the ARMv7-M Architecture Reference Manual names it. */
struct fa_fault_bit {
	const char *reg;     /* the register's name in a report's fault_registers: "cfsr", "hfsr", "shcsr" */
	uint32_t mask;
	const char *name;    /* "PRECISERR" */
	const char *meaning; /* for people */
};

/* Every bit the dashboard decodes (CFSR, HFSR, SHCSR), in register and bit order: a static table; out_n: its
 * length. */
const struct fa_fault_bit *fa_fault_bits(size_t *out_n);

/*
 * Classify the ARM Thumb instruction at an address as a memory write or read.
 * e: (in, optional) the ELF the instruction is read from; NULL gives -1.
 * addr: (in) its address (the Thumb bit is ignored).
 * Returns 1 for a store (STR*, STM, PUSH), 0 for a load (LDR*, LDM, POP), -1 for anything else or when the
 * instruction is not in the ELF.
 */
int fa_thumb_access(struct fa_elf *e, uint64_t addr);

/*
 * Why a Cortex-M coredump has no stacked frame (its frame_unreliable flag), in the words the fault, the unwinder's
 * stop and the report's registers say it.
 * flags: (in) the dump's flags (FF_FLAG_*).
 * has_fault, cfsr: (in) whether the dump has fault status registers, and its CFSR.
 * Returns a static string: "exception stacking failed" when CFSR has MSTKERR or STKERR, else "the stacked frame
 * was not captured, as it lies outside the memory the port declared readable" (the SDK's other reason for the
 * flag, and its only one on ARMv6-M, which has no CFSR); NULL when the flag is clear.
 */
const char *fa_fault_frame_lost(uint32_t flags, bool has_fault, uint32_t cfsr);

#ifdef __cplusplus
}
#endif
#endif
