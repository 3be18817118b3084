/* SPDX-License-Identifier: Apache-2.0 */
/* The fault in words, from the coredump's reason and Cortex-M fault status registers (CFSR, HFSR, MMFAR, BFAR):
 * "precise bus fault writing address 0xFFFFFFF0", "divide by zero", "stack overflow: exception stacking failed". */
#ifndef FA_FAULT_H
#define FA_FAULT_H

#include <stdint.h>

#include "fa/elf.h"
#include "ff/message.h"

#ifdef __cplusplus
extern "C" {
#endif

struct fa_fault {
	char kind[32];     /* a stable identifier: "bus_fault", "undefined_instruction", ... (docs/ANALYSIS.md) */
	char text[200];    /* for people */
};

/*
 * Explain a coredump's fault: an assert or fatal error by its reason, a POSIX signal, a Cortex-M fault by its
 * fault status registers; kind "unknown" for anything else.
 * out: (out) filled, kind and text always set.
 * m: (in) a coredump message.
 * e: (in, optional) the dump's ELF, or NULL: with it, the instruction at pc tells a read from a write ("writing",
 *    "reading"; "accessing" without).
 */
void fa_fault_explain(struct fa_fault *out, const struct ff_message *m, struct fa_elf *e);

/*
 * Classify the ARM Thumb instruction at an address as a memory write or read.
 * e: (in, optional) the ELF the instruction is read from; NULL gives -1.
 * addr: (in) its address (the Thumb bit is ignored).
 * Returns 1 for a store (STR*, STM, PUSH), 0 for a load (LDR*, LDM, POP), -1 for anything else or when the
 * instruction is not in the ELF.
 */
int fa_thumb_access(struct fa_elf *e, uint64_t addr);

#ifdef __cplusplus
}
#endif
#endif
