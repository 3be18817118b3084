/* SPDX-License-Identifier: Apache-2.0 */
/* Unwinding a Cortex-M coredump with the ELF's DWARF CFI (.debug_frame, and .eh_frame where it has none), through
 * exception frames (EXC_RETURN in lr; MSP or PSP; basic and FPU-extended frames; the alignment pad), any number of
 * exceptions deep; where no CFI covers a pc, with .ARM.exidx or prologue analysis (docs/ANALYSIS.md). */
#ifndef FA_UNWIND_H
#define FA_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fa/elf.h"
#include "ff/message.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FA_FRAMES_MAX 64u

/* Why the unwind stopped. */
enum fa_stop {
	FA_STOP_OUTERMOST,   /* the return address is undefined (a reset handler, a thread entry) or 0, or a task's
			      * exit trap (the first instruction of a function, after no call) */
	FA_STOP_NO_CFI,      /* no call frame information covers the pc, and neither .ARM.exidx nor prologue analysis
			      * could unwind it */
	FA_STOP_MEMORY,      /* the stack memory holding the return address was not captured */
	FA_STOP_LOOP,        /* the caller's stack pointer did not move outward: corrupt stack or CFI */
	FA_STOP_BAD_CFI,     /* a CFI rule this unwinder cannot evaluate */
	FA_STOP_DEPTH,       /* FA_FRAMES_MAX frames */
	FA_STOP_NO_FRAME,    /* exception stacking failed, or the stacked frame was not captured: no trustworthy
			      * registers to start from */
	FA_STOP_UNSUPPORTED, /* not a Cortex-M dump */
};

/* How a frame's registers were recovered from the frame before it. */
enum fa_found {
	FA_FOUND_CFI,      /* DWARF CFI (.debug_frame or .eh_frame), an exception frame, or lr after a jump to no code */
	FA_FOUND_EXIDX,    /* the ARM EHABI unwind instructions of .ARM.exidx: the frame before had no CFI */
	FA_FOUND_PROLOGUE, /* prologue analysis of the frame before's code: it had neither CFI nor .ARM.exidx */
};

/* A physical frame: one function activation (inlined functions are expanded from it by the report). */
struct fa_frame {
	uint64_t pc;        /* where the frame's code was: exact for frame 0 and after an exception, else a return
			     * address */
	uint64_t lookup;    /* the address to symbolize: pc, or pc - 1 for a return address (GDB's rule: after a call
			     * to a noreturn function the return address may already be the next function's) */
	uint32_t regs[16];  /* r0-r15 of this frame, where known */
	uint32_t known;     /* bit n: regs[n] is known */
	bool exception;     /* an exception interrupted this frame (the frame before it is the handler or the fault) */
	uint32_t exc_return; /* the EXC_RETURN value that led here, when exception */
	bool null_call;     /* the frame before had pc 0 / no code: this frame was recovered from lr */
	enum fa_found found; /* how this frame was found (frame 0: FA_FOUND_CFI, the dump's own registers) */
	uint64_t cfa;       /* the frame's canonical frame address (its CFI's CFA rule: the caller's sp at the call),
			     * when cfa_known: DW_OP_call_frame_cfa of its variables' locations */
	bool cfa_known;
};

struct fa_unwind {
	struct fa_frame frames[FA_FRAMES_MAX];
	size_t n;
	enum fa_stop stop;
	char why[200]; /* the stop, in words: "no call frame information for pc 0x00001234" */
};

/*
 * The short name of a stop reason, as the JSON report spells it.
 * stop: (in) the reason.
 * Returns a static string: "outermost", "no_cfi", "memory", "loop", "bad_cfi", "depth", "no_frame",
 * "unsupported"; "unknown" for a value outside enum fa_stop.
 */
const char *fa_stop_name(enum fa_stop stop);

/*
 * Unwind the interrupted context of a Cortex-M (arch 40, os 0) coredump. Stack memory comes from the dump's
 * regions only; code and constants may come from the ELF.
 * e: (in) the dump's ELF (checked against its build-id).
 * m: (in) the coredump message.
 * out: (out) filled: frames[0..n), innermost first, and why the unwind stopped (stop, why). n is at least 1 unless
 *      stop is FA_STOP_NO_FRAME or FA_STOP_UNSUPPORTED (then 0).
 * Returns 0: every unwind ends somewhere, and out->stop says where and why.
 */
int fa_unwind_cortex_m(struct fa_elf *e, const struct ff_message *m, struct fa_unwind *out);

/*
 * The same from other registers than the dump's interrupted context: an RTOS task's, recovered from its saved
 * context (fa/threads.h). Memory, ELF and stop reasons as for fa_unwind_cortex_m().
 * e, m: (in) as for fa_unwind_cortex_m().
 * regs: (in) r0-r15 of the innermost frame; pc and sp must be among them.
 * known: (in) bit n: regs[n] is known (pc's and sp's bits are taken as set).
 * out: (out) as for fa_unwind_cortex_m().
 * Returns 0.
 */
int fa_unwind_cortex_m_from(struct fa_elf *e, const struct ff_message *m, const uint32_t regs[16], uint32_t known,
			    struct fa_unwind *out);

#ifdef __cplusplus
}
#endif
#endif
