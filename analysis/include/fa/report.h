/* SPDX-License-Identifier: Apache-2.0 */
/* The report: what a coredump says once unwound and symbolized — fault, frames (inlined ones expanded), registers,
 * why unwinding stopped, which memory was captured, and the fingerprint that groups crashes into issues.
 * One model, printed as text for people and as JSON for programs (docs/ANALYSIS.md). */
#ifndef FA_REPORT_H
#define FA_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fa/elf.h"
#include "fa/fault.h"
#include "fa/unwind.h"
#include "ff/error.h"
#include "ff/message.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FA_REPORT_FRAMES 128u
#define FA_FINGERPRINT_VERSION 1
#define FA_FINGERPRINT_FRAMES 3u

struct fa_report_frame {
	uint64_t pc;          /* the physical frame's pc */
	struct fa_sym sym;    /* function, file:line */
	int phys;             /* index into unwind.frames of the physical frame this belongs to */
	bool exception;       /* an exception separates this frame from the one before it */
	bool null_call;       /* recovered from lr after a jump to no code */
	bool tail_call;       /* a caller elided by a tail call, rebuilt from DWARF call-site records */
	bool application;     /* counts for the fingerprint (docs/ANALYSIS.md) */
};

struct fa_report {
	const struct ff_message *m;
	struct fa_fault fault;
	struct fa_unwind unwind;
	struct fa_report_frame frames[FA_REPORT_FRAMES];
	size_t n;
	struct fa_sym site;    /* FL_ASSERT / fatal error call site, when the dump has one */
	bool has_site;
	char recursion[200];   /* stack overflows: the functions found recursing in the captured stack */
	char fingerprint[32];  /* "fl1:" and 16 hex digits */
	char fingerprint_input[600];
};

/*
 * Build the report of a coredump: explain the fault, unwind, symbolize every frame (inlined and tail-called ones
 * expanded), find recursion in a stack overflow, fingerprint. A dump that cannot be unwound (not a Cortex-M one,
 * no CFI...) still gives a report, whose unwind.stop says why.
 * out: (out) caller-allocated and filled (it is large: allocate it, do not put it on a small stack).
 * e: (in) the dump's ELF, already checked against the dump's build-id (fa_elf_check_build_id()).
 * m: (in) the message; out keeps a pointer to it, so it must outlive every use of out.
 * err: (out, optional) why it failed.
 * Returns 0; FF_ERR_UNSUPPORTED when m is not a coredump.
 */
int fa_report_build(struct fa_report *out, struct fa_elf *e, const struct ff_message *m, struct ff_error *err);

/*
 * Print the report as text for the engineer at the desk.
 * r: (in) a report of fa_report_build(), its message still alive.
 * f: (in) the stream written to.
 */
void fa_report_print(const struct fa_report *r, FILE *f);

/*
 * The report as JSON (docs/ANALYSIS.md).
 * r: (in) a report of fa_report_build(), its message still alive.
 * Returns the JSON text, NUL-terminated and malloc'd: the caller frees it with free(); NULL when out of memory.
 */
char *fa_report_json(const struct fa_report *r);

#ifdef __cplusplus
}
#endif
#endif
