/* SPDX-License-Identifier: Apache-2.0 */
/* The Cortex-M unwinder: CFI rules per pc from libdw (dwarf_cfi_addrframe), evaluated here against the dump's
 * registers and memory, with exception frames stepped by hand. */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ff/bytes.h"
#include "fa/fault.h"
#include "fa/unwind.h"
#include "nocfi.h"

#define SP 13
#define LR 14
#define PC 15
#define XPSR_ALIGN_PAD (1u << 9)
#define EXC_RETURN_PSP (1u << 2)
#define EXC_RETURN_BASIC_FRAME (1u << 4)

static const char *const k_stops[] = {"outermost", "no_cfi", "memory", "loop", "bad_cfi", "depth", "no_frame",
				      "unsupported"};

const char *fa_stop_name(enum fa_stop stop)
{
	return (unsigned)stop < sizeof(k_stops) / sizeof(k_stops[0]) ? k_stops[stop] : "unknown";
}

/* The six EXC_RETURN values of ARMv7-M (0xFFFFFFFF, lr's reset value, is not one of them). */
static bool is_exc_return(uint64_t v)
{
	return v == 0xfffffff1u || v == 0xfffffff9u || v == 0xfffffffdu || v == 0xffffffe1u || v == 0xffffffe9u ||
	       v == 0xffffffedu;
}

static bool read32(const void *ctx, uint64_t addr, uint32_t *out)
{
	const struct ff_message *m = ctx;
	const uint8_t *p = ff_coredump_memory(&m->core, addr, 4);

	if (p == NULL)
		return false;
	*out = ff_le32(p);
	return true;
}

__attribute__((format(printf, 3, 4))) static int stop(struct fa_unwind *out, enum fa_stop why, const char *fmt, ...)
{
	va_list ap;

	out->stop = why;
	va_start(ap, fmt);
	vsnprintf(out->why, sizeof(out->why), fmt, ap);
	va_end(ap);
	return 0;
}

/* Evaluate a CFI expression. cfa: the frame's CFA for DW_OP_call_frame_cfa. *is_value: the result is a value
 * (DW_OP_stack_value) rather than an address. Returns false for what this evaluator does not do, or unknown
 * registers. */
static bool eval(const Dwarf_Op *ops, size_t nops, const struct fa_frame *f, uint64_t cfa, uint64_t *out,
		 bool *is_value)
{
	uint64_t stack[8];
	size_t sp = 0;

	*is_value = false;
	for (size_t i = 0; i < nops; i++) {
		uint8_t op = ops[i].atom;

		if (sp >= 7)
			return false;
		if ((op >= DW_OP_breg0 && op <= DW_OP_breg15) || op == DW_OP_bregx) {
			uint64_t r = op == DW_OP_bregx ? ops[i].number : (uint64_t)(op - DW_OP_breg0);
			int64_t off = op == DW_OP_bregx ? (int64_t)ops[i].number2 : (int64_t)ops[i].number;

			if (r > 15 || !(f->known >> r & 1))
				return false;
			stack[sp++] = (uint32_t)(f->regs[r] + off);
		} else if (((op >= DW_OP_reg0 && op <= DW_OP_reg15) || op == DW_OP_regx) && nops == 1) {
			/* the register rule "in register R": its value in this frame */
			uint64_t r = op == DW_OP_regx ? ops[i].number : (uint64_t)(op - DW_OP_reg0);

			if (r > 15 || !(f->known >> r & 1))
				return false;
			stack[sp++] = f->regs[r];
			*is_value = true;
		} else if (op >= DW_OP_lit0 && op <= DW_OP_lit31) {
			stack[sp++] = op - DW_OP_lit0;
		} else if (op == DW_OP_call_frame_cfa) {
			stack[sp++] = cfa;
		} else if (op == DW_OP_plus_uconst && sp >= 1) {
			stack[sp - 1] = (uint32_t)(stack[sp - 1] + ops[i].number);
		} else if ((op == DW_OP_constu || op == DW_OP_consts || op == DW_OP_const1u || op == DW_OP_const2u ||
			    op == DW_OP_const4u || op == DW_OP_const1s || op == DW_OP_const2s || op == DW_OP_const4s)) {
			stack[sp++] = ops[i].number;
		} else if ((op == DW_OP_plus || op == DW_OP_minus) && sp >= 2) {
			stack[sp - 2] = (uint32_t)(op == DW_OP_plus ? stack[sp - 2] + stack[sp - 1] : stack[sp - 2] - stack[sp - 1]);
			sp--;
		} else if (op == DW_OP_stack_value && i == nops - 1) {
			*is_value = true;
		} else {
			return false;
		}
	}
	if (sp != 1)
		return false;
	*out = stack[0];
	return true;
}

/* The frame that was interrupted by the exception whose handler frame `f` returns into with EXC_RETURN er. */
static int exception_step(const struct ff_message *m, const struct fa_frame *f, uint32_t er, uint64_t handler_sp,
			  struct fa_frame *next, struct fa_unwind *out)
{
	uint64_t at = (er & EXC_RETURN_PSP) ? m->core.regs[FF_CM_PSP] : handler_sp;
	uint32_t w[8], size = (er & EXC_RETURN_BASIC_FRAME) ? 0x20u : 0x68u;

	for (int i = 0; i < 8; i++)
		if (!read32(m, at + 4u * (unsigned)i, &w[i]))
			return stop(out, FA_STOP_MEMORY, "the exception frame at 0x%08llx was not captured",
				    (unsigned long long)at);
	memset(next, 0, sizeof(*next));
	for (int r = 4; r <= 11; r++) { /* callee-saved: what the handler's CFI restored */
		next->regs[r] = f->regs[r];
		next->known |= f->known & (1u << r);
	}
	for (int r = 0; r < 4; r++)
		next->regs[r] = w[r];
	next->regs[12] = w[4];
	next->regs[LR] = w[5];
	next->regs[PC] = w[6] & ~1u;
	next->regs[SP] = (uint32_t)(at + size + ((w[7] & XPSR_ALIGN_PAD) ? 4u : 0u));
	next->known |= 0xf | 1u << 12 | 1u << LR | 1u << PC | 1u << SP;
	next->pc = next->regs[PC];
	next->lookup = next->pc; /* an exact pc: the interrupted instruction */
	next->exception = true;
	next->exc_return = er;
	return 1;
}

/* Exit traps of the RTOSes whose tasks start with one as their initial lr. */
static bool exit_trap(const char *name)
{
	return strcmp(name, "prvTaskExitError") == 0;
}

/* The caller's registers from the CFI rules fr at f: 1, or 0 after setting out's stop. */
static int cfi_step(struct fa_elf *e, Dwarf_Frame *fr, const struct ff_message *m, struct fa_frame *f,
		    struct fa_frame *next, struct fa_unwind *out)
{
	Dwarf_Op *ops, mem[3];
	size_t nops;
	uint64_t cfa, v;
	bool is_value, noreturn = fa_elf_noreturn(e, f->lookup);
	int ra = dwarf_frame_info(fr, NULL, NULL, NULL);

	if (dwarf_frame_cfa(fr, &ops, &nops) != 0 || nops == 0 || !eval(ops, nops, f, 0, &cfa, &is_value))
		return stop(out, FA_STOP_BAD_CFI, "the CFA rule at pc 0x%08llx cannot be evaluated",
			    (unsigned long long)f->pc);
	f->cfa = cfa; /* (also for the outermost frame: its step stops below) */
	f->cfa_known = true;
	memset(next, 0, sizeof(*next));
	for (int r = 0; r < 16; r++) {
		if (r == SP || dwarf_frame_register(fr, r, mem, &ops, &nops) != 0)
			continue;
		if (nops == 0 && ops == NULL) { /* same value, unless a noreturn function may have clobbered it */
			if (noreturn && r >= 4 && r <= 11)
				continue;
			next->regs[r] = f->regs[r];
			next->known |= f->known & (1u << r);
		} else if (nops > 0 && eval(ops, nops, f, cfa, &v, &is_value)) {
			uint32_t word = (uint32_t)v;

			if (is_value || read32(m, v, &word)) {
				next->regs[r] = word;
				next->known |= 1u << r;
			}
		}
	}
	next->regs[SP] = (uint32_t)cfa;
	next->known |= 1u << SP;
	if (ra < 0 || ra > 15 || !(next->known >> ra & 1)) {
		if (ra >= 0 && ra <= 15 && dwarf_frame_register(fr, ra, mem, &ops, &nops) == 0 && nops == 0 && ops == mem)
			return stop(out, FA_STOP_OUTERMOST, "the return address is undefined at pc 0x%08llx: the outermost "
				    "frame", (unsigned long long)f->pc);
		return stop(out, FA_STOP_MEMORY, "the return address of the frame at pc 0x%08llx was not captured",
			    (unsigned long long)f->pc);
	}
	next->regs[PC] = next->regs[ra];
	next->known |= 1u << PC;
	return 1;
}

/* One step outward. Returns 1 with next filled, or 0 after setting out's stop. */
static int step(struct fa_elf *e, const struct ff_message *m, struct fa_frame *f, bool first,
		struct fa_frame *next, struct fa_unwind *out)
{
	Dwarf_Frame *fr = NULL;
	const char *name;
	uint64_t v;
	int rc;

	/* Only code the symbol table knows: DWARF of functions --gc-sections removed stays behind at address 0. */
	if (fa_elf_function_at(e, f->lookup, &name) == 0) {
		/* A jump to 0 or to no code (a NULL or corrupt function pointer) pushed nothing: the caller is in lr. */
		if (first && (f->known >> LR & 1) && fa_elf_function_at(e, f->pc, &name) == 0 && f->regs[LR] != 0) {
			*next = *f;
			next->pc = f->regs[LR] & ~1u;
			next->regs[PC] = (uint32_t)next->pc;
			next->lookup = next->pc - 1;
			next->exception = false;
			next->null_call = true;
			next->found = FA_FOUND_CFI;
			if (is_exc_return(f->regs[LR]))
				return exception_step(m, f, f->regs[LR], f->regs[SP], next, out);
			return 1;
		}
		return stop(out, FA_STOP_NO_CFI, "no call frame information for pc 0x%08llx", (unsigned long long)f->pc);
	}
	if (fa_elf_cfi_frame(e, f->lookup, &fr) != NULL) {
		rc = cfi_step(e, fr, m, f, next, out);
		free(fr);
		if (rc != 1)
			return 0;
	} else if ((rc = fa_exidx_step(e, f, f->lookup == f->pc, read32, m, next)) == 1) {
		next->found = FA_FOUND_EXIDX;
	} else if (rc == FA_NOCFI_NONE && (rc = fa_prologue_step(e, f, f->lookup == f->pc, read32, m, next)) == 1) {
		next->found = FA_FOUND_PROLOGUE;
	} else if (rc == FA_NOCFI_MEMORY) {
		return stop(out, FA_STOP_MEMORY, "the registers %s() saved at pc 0x%08llx were not captured", name,
			    (unsigned long long)f->pc);
	} else {
		return stop(out, FA_STOP_NO_CFI, "no call frame information for pc 0x%08llx in %s(), and neither "
			    ".ARM.exidx nor its prologue tells its caller", (unsigned long long)f->pc, name);
	}
	v = next->regs[PC];
	if (is_exc_return(v)) {
		struct fa_frame handler = *next; /* the handler's registers as its CFI restored them */

		return exception_step(m, &handler, (uint32_t)v, next->regs[SP], next, out);
	}
	if (v == 0 || v == 0xffffffffu)
		return stop(out, FA_STOP_OUTERMOST, "return address 0x%08llx: the outermost frame", (unsigned long long)v);
	/* A return address at a function's first instruction after no call (or into a known exit trap): the initial
	 * lr of an RTOS task, not a call. A noreturn call's return address can be the next function's start, but a
	 * BL or BLX comes right before it. */
	if (fa_elf_function_at(e, v & ~1ull, &name) != 0 &&
	    (exit_trap(name) || (fa_elf_function_at(e, v & ~1ull, &name) == (v & ~1ull) && !fa_elf_follows_call(e, v))))
		return stop(out, FA_STOP_OUTERMOST, "return address 0x%08llx is the start of %s(), after no call: a "
			    "task's exit trap, so this is the task's entry function", (unsigned long long)v, name);
	next->pc = v & ~1ull;
	next->regs[PC] = (uint32_t)next->pc;
	next->lookup = next->pc - 1;
	return 1;
}

int fa_unwind_cortex_m(struct fa_elf *e, const struct ff_message *m, struct fa_unwind *out)
{
	const struct ff_coredump *c = &m->core;
	uint32_t regs[16];

	memset(out, 0, sizeof(*out));
	if (m->type != FF_MSG_COREDUMP || m->arch != 40 || m->os != 0)
		return stop(out, FA_STOP_UNSUPPORTED, "not a Cortex-M coredump (arch %u, os %u)", m->arch, m->os);
	if (c->flags & FF_FLAG_FRAME_UNRELIABLE)
		return stop(out, FA_STOP_NO_FRAME, "%s: the interrupted pc is unknown",
			    fa_fault_frame_lost(c->flags, c->has_fault, c->fault[0]));
	for (int r = 0; r < 16; r++)
		regs[r] = (uint32_t)c->regs[r];
	return fa_unwind_cortex_m_from(e, m, regs, 0xffff, out);
}

int fa_unwind_cortex_m_from(struct fa_elf *e, const struct ff_message *m, const uint32_t regs[16], uint32_t known,
			    struct fa_unwind *out)
{
	struct fa_frame *f = &out->frames[0];

	memset(out, 0, sizeof(*out));
	if (m->type != FF_MSG_COREDUMP || m->arch != 40 || m->os != 0)
		return stop(out, FA_STOP_UNSUPPORTED, "not a Cortex-M coredump (arch %u, os %u)", m->arch, m->os);
	memcpy(f->regs, regs, sizeof(f->regs));
	f->regs[PC] &= ~1u;
	f->known = known | 1u << PC | 1u << SP;
	f->pc = f->regs[PC];
	f->lookup = f->pc;
	out->n = 1;
	while (out->n < FA_FRAMES_MAX) {
		struct fa_frame *cur = &out->frames[out->n - 1], *next = &out->frames[out->n];

		if (!step(e, m, cur, out->n == 1, next, out))
			return 0;
		if (!next->exception && !next->null_call && next->regs[SP] <= cur->regs[SP] && next->pc == cur->pc)
			return stop(out, FA_STOP_LOOP, "the frame at pc 0x%08llx repeats itself", (unsigned long long)next->pc);
		if (!next->exception && next->regs[SP] < cur->regs[SP])
			return stop(out, FA_STOP_LOOP, "the stack pointer moved inward at pc 0x%08llx",
				    (unsigned long long)next->pc);
		out->n++;
	}
	return stop(out, FA_STOP_DEPTH, "%u frames: stopped", FA_FRAMES_MAX);
}
