/* SPDX-License-Identifier: Apache-2.0 */
/* The fault in words, from the coredump's reason and Cortex-M fault status registers (CFSR, HFSR, MMFAR, BFAR):
 * "precise bus fault writing address 0xFFFFFFF0", "divide by zero", "stack overflow: exception stacking failed". */
#ifndef FA_FAULT_H
#define FA_FAULT_H

#include "fa/elf.h"
#include "ff/message.h"

struct fa_fault {
	char kind[32];     /* a stable identifier: "bus_fault", "undefined_instruction", ... (docs/ANALYSIS.md) */
	char text[200];    /* for people */
};

/* Explain m's fault. e: optional; with it, the instruction at pc tells a read from a write. */
void fa_fault_explain(struct fa_fault *out, const struct ff_message *m, struct fa_elf *e);

/* For ARM Thumb code: is the instruction at addr a store (1), a load (0), or neither/unknown (-1)? */
int fa_thumb_access(struct fa_elf *e, uint64_t addr);

#endif
