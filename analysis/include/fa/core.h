/* SPDX-License-Identifier: Apache-2.0 */
/* ELF core files of Cortex-M coredumps for GDB: opened with the firmware ELF (FA_CORE_GDB_COMMAND), GDB gives
 * `bt`, `info registers` and `print` of captured globals. */
#ifndef FA_CORE_H
#define FA_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "fa/threads.h"
#include "ff/error.h"
#include "ff/message.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The command that opens an ELF core in GDB, the one every tool and document shows: a printf format taking the
 * firmware ELF's path, then the core's. GDB 13's stack cache reads a core's stack through the ELF's sections,
 * where a NOBITS .stack reads as zeros, and cuts the backtrace short; so `set stack-cache off` comes first and
 * `core-file` after it. (`-ex 'set stack-cache off' ELF CORE` is too late: GDB loads file arguments before any
 * -ex, and what it read while loading the core, such as frame 0's arguments, stays wrong: at -O0 the backtrace
 * then stops at "previous frame inner to this frame".)
 */
#define FA_CORE_GDB_COMMAND "gdb-multiarch -ex 'set stack-cache off' %s -ex 'core-file %s'"

/*
 * Build a 32-bit ARM ET_CORE image of a Cortex-M coredump: an NT_PRSTATUS note with the interrupted context's
 * registers (r0-r15, xPSR); when the dump has fpregs, an NT_ARM_VFP note ("LINUX", d0-d15 = s0-s31, FPSCR) and the
 * VFP feature in the target description; an NT_GDB_TDESC note with GDB's M-profile target description; one
 * PT_LOAD segment per captured region, and one of 8 zero bytes for FPCCR and FPCAR (0xE000EF34, which GDB reads
 * to step over an FPU-extended exception frame) unless a region covers them (docs/ANALYSIS.md, "ELF cores").
 * out: (out) the image, malloc'd: the caller frees it with free(); NULL when this fails.
 * out_len: (out) its length in bytes, set on success.
 * m: (in) the coredump message.
 * err: (out, optional) why it failed.
 * Returns 0; FF_ERR_UNSUPPORTED when m is not a Cortex-M coredump (a coredump of arch 40, os 0, with the whole
 * Cortex-M register layout); FF_ERR_NOMEM.
 */
int fa_core_build(uint8_t **out, size_t *out_len, const struct ff_message *m, struct ff_error *err);

/*
 * Write fa_core_build()'s image to a file.
 * path: (in) the file, created or replaced; after a failed write it may hold part of the image.
 * m: (in) the coredump message.
 * err: (out, optional) why it failed.
 * Returns 0; an error of fa_core_build(); FF_ERR_IO (cannot create or write the file: err has the system's reason).
 */
int fa_core_write(const char *path, const struct ff_message *m, struct ff_error *err);

/*
 * fa_core_build() with an RTOS's threads: after the interrupted context's NT_PRSTATUS (GDB's thread 1, with the
 * dump's VFP registers), one NT_PRSTATUS for each thread with a saved context (t->v[i].has_context), in the order
 * of t, with the registers read from it, xPSR Thumb, pr_pid 2, 3, ...
 * `thread apply all bt` then shows every task; GDB 13 numbers a bare-metal core's threads only, in that order.
 * t: (in) the threads (fa_threads_find()), or NULL for none.  out, out_len, m, err: as for fa_core_build().
 * Returns what fa_core_build() returns.
 */
int fa_core_build_threads(uint8_t **out, size_t *out_len, const struct ff_message *m, const struct fa_threads *t,
			  struct ff_error *err);

/* fa_core_write() with an RTOS's threads (fa_core_build_threads()); t may be NULL. */
int fa_core_write_threads(const char *path, const struct ff_message *m, const struct fa_threads *t,
			  struct ff_error *err);

#ifdef __cplusplus
}
#endif
#endif
