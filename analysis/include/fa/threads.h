/* SPDX-License-Identifier: Apache-2.0 */
/* The threads of a coredump: an RTOS's tasks, found through the ELF's DWARF in the dump's memory (no offsets of
 * our own: another kernel version or configuration works unchanged), each unwound from its saved context. The
 * model is RTOS-neutral; FreeRTOS is the RTOS read today (docs/ANALYSIS.md, Threads). */
#ifndef FA_THREADS_H
#define FA_THREADS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fa/elf.h"
#include "ff/message.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FA_THREADS_MAX 32u    /* threads described; more are counted, not described */
#define FA_THREAD_NAME_MAX 32u

enum fa_thread_state {
	FA_THREAD_RUNNING,   /* the CPU's: the crash happened in it, or in an exception over it */
	FA_THREAD_READY,
	FA_THREAD_BLOCKED,   /* waiting for time or an object (a queue, a semaphore, a notification) */
	FA_THREAD_SUSPENDED,
	FA_THREAD_DELETED,   /* deleted, its memory not yet freed */
	FA_THREAD_UNKNOWN,   /* in no list the kernel keeps (a corrupt TCB, a list not captured) */
};

struct fa_thread {
	uint64_t id;                   /* its control block's address */
	char name[FA_THREAD_NAME_MAX]; /* as the kernel keeps it, made printable; "" when not captured */
	enum fa_thread_state state;
	uint32_t priority;
	bool has_priority;
	uint64_t stack_lo, stack_hi;   /* its stack area [lo, hi), when has_stack */
	bool has_stack;
	uint64_t sp;                   /* its stack pointer: saved at its last switch; the interrupted one when
					* running */
	uint64_t high_water;           /* bytes of its stack never used (the device measured it), when known */
	bool has_high_water;
	bool crashed;                  /* the crashing context's thread (its stack overflowed, by the RTOS's hook) */
	bool has_context;              /* regs: its registers, from its saved context (a switched-out thread, or the
					* one an overflow hook named); else the running one's are the dump's own */
	uint32_t regs[16];             /* r0-r15 */
	char note[160];                /* why it has no saved context, when it has none and is not running */
};

struct fa_threads {
	const char *rtos;              /* "FreeRTOS"; NULL: the dump has no threads this version reads */
	struct fa_thread v[FA_THREADS_MAX];
	size_t n;
	uint64_t found;                /* threads found (more than n: the rest are not described) */
	char layout[160];              /* which saved-context layout applies and how that was known */
	char note[200];                /* what kept threads from being read, when n is 0 */
};

/*
 * Find the threads of a Cortex-M coredump (its `rtos` key, or an RTOS's data the memory holds), with each
 * switched-out thread's registers from its saved context (fa_unwind_cortex_m_from() unwinds them; the report does).
 * The kernel's layout is read from the ELF once and kept in the handle.
 * out: (out) filled (large: do not put it on a small stack).
 * e: (in) the dump's ELF.  m: (in) the coredump.
 * Returns 0 (a dump without threads gives n 0, and note says why when an RTOS was expected); FF_ERR_NOMEM.
 */
int fa_threads_find(struct fa_threads *out, struct fa_elf *e, const struct ff_message *m);

/* A thread state's name: "running", "ready", "blocked", "suspended", "deleted", "unknown". */
const char *fa_thread_state_name(enum fa_thread_state s);

#ifdef __cplusplus
}
#endif
#endif
