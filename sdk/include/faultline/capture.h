/* SPDX-License-Identifier: Apache-2.0 */
/* For port authors: hand a captured crash to the SDK, which writes it into coredump storage. Application code
 * does not call this; the fault handlers in sdk/ports/ do. */
#ifndef FAULTLINE_CAPTURE_H
#define FAULTLINE_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Flags of a capture: bits of the coredump's `flags` field (docs/FORMAT.md §8.1). */
#define FL_CAPTURE_FRAME_UNRELIABLE 0x2u /* the stacked registers are unknown: exception stacking failed, or
					  * the frame is outside fl_port_memory_readable() */
#define FL_CAPTURE_FP_CONTEXT 0x4u       /* fpregs holds the interrupted context's FPU registers */

/* One crash, as a port's fault handler saw it. The architecture and OS (envelope keys `arch` and `os`) are the
 * compiler's target: the register layout must be the one docs/FORMAT.md §8.1 gives for them. */
struct fl_capture {
	uint16_t reason;         /* FL_REASON_* of the fault; the SDK substitutes a pending assert's reason */
	uint32_t flags;          /* FL_CAPTURE_* */
	const uintptr_t *regs;   /* register words in the layout of (arch, os) */
	size_t nregs;
	const uint32_t *fault;   /* fault status words (Cortex-M: CFSR, HFSR, MMFAR, BFAR, SHCSR), or NULL */
	size_t nfault;
	const uint32_t *fpregs;  /* FPU state (Cortex-M: s0-s31, FPSCR), or NULL */
	size_t nfpregs;
	uintptr_t sp;            /* the interrupted stack pointer: stack capture starts here (at stack_lo when sp
				  * is below it: an overflow) */
	uintptr_t stack_lo;      /* the active stack's limits [lo, hi), 0/0 when unknown */
	uintptr_t stack_hi;
	const uintptr_t *signal; /* POSIX: signo, si_code, si_addr; NULL elsewhere */
};

/*
 * Write a coredump of c into storage if it is known to be empty (an unread dump is never overwritten: the first
 * crash of a crash loop is kept), and mark the reboot reason (the reason, or the pending assert's). Memory
 * regions: the stack from c->sp (at most FL_COREDUMP_STACK_MAX bytes, up to stack_hi), then the application's
 * and the port's regions, each clipped to readable memory and, when storage runs short, to what fits (flagged
 * truncated). Runs on the caller's stack with bounded use and no locks; only reads and writes storage.
 * Returns 0 when saved; FL_ERR_STATE when storage is not empty or unusable; FL_ERR_IO when a write failed.
 */
int fl_coredump_save(const struct fl_capture *c);

/* The reason FL_ASSERT / FL_FATAL_ERROR set before fl_port_capture_now(), or 0 when the fault is a real one
 * (a port's NMI handler uses it to tell a requested capture from a real NMI). */
uint16_t fl_capture_pending_reason(void);

#ifdef __cplusplus
}
#endif
#endif
