/* SPDX-License-Identifier: Apache-2.0 */
/* The arguments and locals of a report's frames (docs/ANALYSIS.md, Variables), private to the analysis library:
 * the DWARF scopes at each frame's pc, their location expressions evaluated against the frame's registers and the
 * dump's memory, and their values printed as GDB prints them. */
#ifndef FA_VARS_H
#define FA_VARS_H

#include <stddef.h>
#include <stdint.h>

#include <elfutils/libdw.h>

#include "fa/elf.h"
#include "fa/report.h"
#include "fa/unwind.h"
#include "ff/message.h"

/*
 * Fill a report's variables: for each frame that is a physical frame of its unwind or inlined into one (tail-call
 * frames have none: no registers of theirs survive), the arguments of its function and the locals of the blocks in
 * scope at the frame's lookup pc, innermost block first, as GDB's `info args` and `info locals` list them. Values
 * come from the frame's known registers (fa_frame.known), its CFA, the FPU registers in frame 0, the dump's
 * captured memory and the ELF's read-only segments (never RAM the dump did not capture); DW_OP_entry_value from the
 * caller's call-site records. Cached per ELF (its FA_ELF_INDEX_VARS slot): a warm trace reads no DIE twice.
 * r: (in/out) a report whose unwind and frames are built (fa_report_build()); vars, var_text, nvars,
 *    var_text_len and vars_cut are set (vars_cut when the pool was full: later frames then lack theirs).
 * e: (in) the dump's ELF.
 * c: (in) the dump.
 * Returns 0; FF_ERR_NOMEM (the report then has the variables found until then).
 */
int fa_vars_build(struct fa_report *r, struct fa_elf *e, const struct ff_coredump *c);

#define FA_VARS_EVAL_MAX 64u /* bytes fa_vars_eval() reads at most */

/*
 * Evaluate a DWARF location expression in a physical frame and read the bytes it locates: the evaluator
 * fa_vars_build() uses, open to tests. The operations that need the attribute they come from (DW_OP_entry_value,
 * DW_OP_implicit_value, DW_OP_addrx, DW_OP_convert...) and DW_OP_fbreg (the frame base is a function's) are
 * unsupported here.
 * out: (out) size bytes: the value's, 0 where not known.
 * state: (out) size bytes: FA_VAR_VALUE for a known byte, else why it is not (enum fa_var_state; a synthetic
 *        pointer's, DW_OP_implicit_pointer, are FA_VAR_OPTIMIZED_OUT).
 * e: (in) the ELF (its read-only segments are memory too).
 * c: (in) the dump: captured memory, FPU registers.
 * u: (in) the unwind: the frames' registers and CFAs.
 * phys: (in) the frame, an index into u->frames (below u->n).
 * ops, nops: (in) the expression.
 * size: (in) bytes to read, 1..FA_VARS_EVAL_MAX.
 * Returns 0; FF_ERR_NOMEM.
 */
int fa_vars_eval(uint8_t *out, uint8_t *state, struct fa_elf *e, const struct ff_coredump *c,
		 const struct fa_unwind *u, size_t phys, const Dwarf_Op *ops, size_t nops, size_t size);

#endif
