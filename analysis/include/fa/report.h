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
#include "fa/threads.h"
#include "fa/unwind.h"
#include "ff/error.h"
#include "ff/message.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FA_REPORT_FRAMES 128u
#define FA_FINGERPRINT_VERSION 2
/* The analysis as a whole, for the server (docs/ANALYSIS.md, When fingerprints change): one more whenever a change
 * can give a stored coredump another fingerprint, a new FA_FINGERPRINT_VERSION or not (an unwinder fix that finds
 * more frames changes the top three without changing the rules). A server that starts with a newer one reprocesses
 * every stored trace and carries each issue over to its new fingerprint. */
#define FA_ANALYSIS_VERSION 2
#define FA_FINGERPRINT_FRAMES 3u
#define FA_REPORT_NAME_MAX 192u     /* room for a name of report.targets, NUL included */
#define FA_REPORT_NAME_FLOOR 0x400u /* values below are not named: the vector table, counts, NULL + offset */

struct fa_report_frame {
	uint64_t pc;          /* the physical frame's pc */
	struct fa_sym sym;    /* function, file:line */
	int phys;             /* index into unwind.frames of the physical frame this belongs to */
	bool exception;       /* an exception separates this frame from the one before it */
	bool null_call;       /* recovered from lr after a jump to no code */
	bool tail_call;       /* a caller elided by a tail call, rebuilt from DWARF call-site records */
	enum fa_found found;  /* how the physical frame was found, on its first report frame (else FA_FOUND_CFI) */
	bool application;     /* counts for the fingerprint (docs/ANALYSIS.md) */
};

/* Variables: the arguments and locals of the report's frames (docs/ANALYSIS.md, Variables), all frames' in one
 * bounded pool: FA_REPORT_VARS of them, their strings in FA_REPORT_VAR_TEXT bytes. */
#define FA_REPORT_VARS 384u
#define FA_REPORT_VAR_TEXT 24576u
#define FA_VAR_NAME_MAX 128u  /* a variable's name, its NUL included */
#define FA_VAR_TYPE_MAX 256u  /* its type's C spelling */
#define FA_VAR_VALUE_MAX 1024u /* its value's text: a longer one is cut, ending in "..." */

/* What is known of a variable's value. */
enum fa_var_state {
	FA_VAR_VALUE,         /* the value is known, or parts of it: the parts that are not say why in its text
			       * ("{head = 3, buf = <not captured>}") */
	FA_VAR_OPTIMIZED_OUT, /* the compiler kept no location for it at this pc */
	FA_VAR_NOT_CAPTURED,  /* it is in memory the dump did not capture */
	FA_VAR_NOT_RECOVERED, /* it is in a register (or relative to one, or to the CFA) the unwinder could not
			       * recover in this frame */
	FA_VAR_UNSUPPORTED,   /* DWARF this version does not evaluate or print (its text names what) */
};

struct fa_report_var {
	uint16_t frame;             /* index into fa_report.frames */
	uint8_t state;              /* enum fa_var_state */
	bool arg;                   /* an argument (GDB's `info args`), else a local (`info locals`) */
	uint32_t name, type, value; /* offsets into fa_report.var_text of NUL-terminated strings: the name, the
				     * type's C spelling, the value as GDB prints it (or its state: "<optimized out>") */
};

/* The coredump's own facts, copied from its message: a report stands alone, so one read back from its JSON
 * (fa_report_from_json) is the same model as the one built from the dump. */
struct fa_report_dump {
	uint8_t build_id[64];
	size_t build_id_len;
	char sw_version[65];
	char hw_version[65];              /* "" when the dump names none */
	uint16_t arch;                    /* ELF e_machine */
	unsigned os;                      /* 0 bare metal, 1 POSIX */
	uint32_t boot_id;
	uint16_t reason;
	char reason_name[32];             /* docs/FORMAT.md §8.3's name; "" for a code faultline does not define */
	uint32_t flags;                   /* FF_FLAG_* */
	uint64_t regs[FF_REGS_MAX];       /* the interrupted context, in the order of its layout (ff_reg_name) */
	size_t nregs;
	unsigned word;                    /* register size in bytes, 4 or 8 */
	uint32_t fault[FF_FAULT_WORDS];   /* CFSR, HFSR, MMFAR, BFAR, SHCSR, when has_fault */
	bool has_fault;
	uint64_t code;                    /* a fatal error's code, when has_code */
	bool has_code;
	uint64_t signal[3];               /* POSIX: signo, si_code, si_addr, when has_signal */
	bool has_signal;
	struct fa_report_region {
		uint64_t addr;
		size_t len;
	} regions[FF_REGIONS_MAX];        /* the captured memory; regions[0] is the stack */
	size_t nregions;
	char notes[FF_NOTES_MAX];         /* what decoding the message dropped */
};

/* All threads' frames, in one pool (a report of 32 tasks of typical depth). */
#define FA_REPORT_THREAD_FRAMES 256u

/* A thread's backtrace in the report: thread_frames[first .. first + n). */
struct fa_report_thread_frames {
	size_t first, n;
	char stop[200]; /* why its unwind stopped; "" when it has none of its own (the running thread: the report's) */
};

struct fa_report {
	struct fa_report_dump dump;
	struct fa_fault fault;
	struct fa_unwind unwind;
	struct fa_report_frame frames[FA_REPORT_FRAMES];
	struct fa_report_frame thread_frames[FA_REPORT_THREAD_FRAMES]; /* (like frames: set whole when added) */
	struct fa_report_var vars[FA_REPORT_VARS]; /* by frame, innermost first; in a frame its arguments first */
	char var_text[FA_REPORT_VAR_TEXT];
	size_t n;
	struct fa_sym site;    /* FL_ASSERT / fatal error call site, when the dump has one */
	bool has_site;
	struct {
		char function[128]; /* stack overflows: the function found recursing in the captured stack */
		unsigned count;     /* return addresses into it found there (3 or more); 0: none found */
	} recursion;
	/* Addresses in words (docs/ANALYSIS.md): what the fault addresses and the interrupted context's registers
	 * name, as the text report prints it after "="; "" for nothing (not valid, in no object or function, below
	 * FA_REPORT_NAME_FLOOR, not an address register, not a bare-metal ARM dump). */
	struct {
		char mmfar[FA_REPORT_NAME_MAX]; /* the object at MMFAR, when MMARVALID: "g_ring.buf[52]", "<fn+4>" */
		char bfar[FA_REPORT_NAME_MAX];  /* the object at BFAR, when BFARVALID */
		char regs[FF_REGS_MAX][FA_REPORT_NAME_MAX]; /* per dump.regs: "&g_cfg.channels[2].gain", "<main+12>" */
	} targets;
	char title[200];       /* the title: "<kind> in <function>" (docs/API.md) */
	char fingerprint[32];  /* "fl2:" and 16 hex digits */
	char fingerprint_input[600];
	size_t nvars;          /* vars[0..nvars) */
	size_t var_text_len;   /* bytes of var_text in use */
	bool vars_cut;         /* the pool was full: frames after the last variable's may have more */
	/* An RTOS's threads (docs/ANALYSIS.md, Threads): threads.rtos NULL when the dump has none; each thread's
	 * frames by threads.v's index. The fingerprint and title are the crashing thread's when it is not the
	 * interrupted context (a stack overflow an RTOS's hook reported). */
	struct fa_threads threads;
	struct fa_report_thread_frames thread_of[FA_THREADS_MAX];
	size_t nthread_frames;
	char rtos_name[16];    /* threads.rtos, kept here: a report read from JSON owns its strings */
};

/*
 * Build the report of a coredump: explain the fault, unwind, symbolize every frame (inlined and tail-called ones
 * expanded), read each frame's arguments and locals (vars), find an RTOS's threads and unwind each (threads,
 * thread_frames), find recursion in a stack overflow, fingerprint and title it (by the crashing thread's frames
 * when an RTOS's hook named the task). A dump that cannot be unwound (not a Cortex-M one, no CFI...) still gives a
 * report, whose unwind.stop says why.
 * out: (out) caller-allocated and filled (it is large: allocate it, do not put it on a small stack); it keeps no
 *      pointer to m.
 * e: (in) the dump's ELF, already checked against the dump's build-id (fa_elf_check_build_id()).
 * m: (in) the message, read during the call only.
 * err: (out, optional) why it failed.
 * Returns 0; FF_ERR_UNSUPPORTED when m is not a coredump.
 */
int fa_report_build(struct fa_report *out, struct fa_elf *e, const struct ff_message *m, struct ff_error *err);

#define FA_REPORT_NO_VARIABLES 0x1u /* fa_report_build_options(): leave the frames' variables out (nvars 0) */

/*
 * fa_report_build() with options.
 * out, e, m, err: as for fa_report_build().
 * options: (in) FA_REPORT_* flags: FA_REPORT_NO_VARIABLES; 0 builds what fa_report_build() does.
 * Returns what fa_report_build() returns.
 */
int fa_report_build_options(struct fa_report *out, struct fa_elf *e, const struct ff_message *m, unsigned options,
			    struct ff_error *err);

/*
 * Print the report as text for the engineer at the desk (the one text renderer: `faultline decode` and
 * `faultline trace` both print through it).
 * r: (in) a report of fa_report_build() or fa_report_from_json().
 * f: (in) the stream written to.
 */
void fa_report_print(const struct fa_report *r, FILE *f);



/* How fa_report_json() lays the JSON out: indented for people, compact (no whitespace) for storage. */
enum fa_json_layout { FA_JSON_INDENTED, FA_JSON_COMPACT };

/*
 * The report as JSON (docs/ANALYSIS.md).
 * r: (in) a report of fa_report_build() or fa_report_from_json().
 * layout: (in) indented or compact.
 * Returns the JSON text, NUL-terminated and malloc'd: the caller frees it with free(); NULL when a member cannot be
 * made (out of memory): never a JSON with a member missing.
 */
char *fa_report_json(const struct fa_report *r, enum fa_json_layout layout);

#define FA_REPORT_JSON_MAX (1u << 20) /* the longest report JSON fa_report_from_json() reads, in bytes */

/*
 * Read a report back from its JSON (fa_report_json()'s, as the server stores it) into the same model, so that
 * fa_report_print() prints the text the report built from the dump printed. The JSON is untrusted (it comes from a
 * database or a network): every field is checked, every string and array bounded, and unknown members ignored.
 * The JSON does not carry the unwinder's lookup addresses and EXC_RETURN values: they are left 0.
 * out: (out) caller-allocated (it is large, as for fa_report_build()); filled on success, unspecified on failure.
 * json, len: (in) the JSON text (no NUL needed), read during the call only.
 * err: (out, optional) on failure, the member and the problem ("report JSON: frames[2].line is not an integer").
 * Returns 0; FF_ERR_MALFORMED (not JSON, or a member missing, of the wrong type or out of its range);
 * FF_ERR_UNSUPPORTED (a report version, register layout or stop reason this version does not know);
 * FF_ERR_TOO_LARGE (over FA_REPORT_JSON_MAX bytes); FF_ERR_NOMEM.
 */
int fa_report_from_json(struct fa_report *out, const char *json, size_t len, struct ff_error *err);

#ifdef __cplusplus
}
#endif
#endif
