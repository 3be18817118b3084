/* SPDX-License-Identifier: Apache-2.0 */
/* Fault explanation from CFSR/HFSR/MMFAR/BFAR (ARMv7-M Architecture Reference Manual, B3.2.15-B3.2.18). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fa/fault.h"
#include "ff/reason.h"

/* CFSR: MMFSR (bits 0-7), BFSR (8-15), UFSR (16-31). */
#define IACCVIOL (1u << 0)
#define DACCVIOL (1u << 1)
#define MUNSTKERR (1u << 3)
#define MSTKERR (1u << 4)
#define MLSPERR (1u << 5)
#define MMARVALID (1u << 7)
#define IBUSERR (1u << 8)
#define PRECISERR (1u << 9)
#define IMPRECISERR (1u << 10)
#define UNSTKERR (1u << 11)
#define STKERR (1u << 12)
#define LSPERR (1u << 13)
#define BFARVALID (1u << 15)
#define UNDEFINSTR (1u << 16)
#define INVSTATE (1u << 17)
#define INVPC (1u << 18)
#define NOCP (1u << 19)
#define UNALIGNED (1u << 24)
#define DIVBYZERO (1u << 25)
#define MMFSR_BFSR 0xffffu /* all MemManage and bus fault status bits */
#define HFSR_VECTTBL (1u << 1)
#define HFSR_FORCED (1u << 30)

static const struct fa_fault_bit k_bits[] = {
	{"cfsr", IACCVIOL, "IACCVIOL", "MemManage: an instruction fetch from a location the MPU or the memory map forbids"},
	{"cfsr", DACCVIOL, "DACCVIOL", "MemManage: a data access the MPU forbids"},
	{"cfsr", MUNSTKERR, "MUNSTKERR", "MemManage: unstacking on exception return faulted"},
	{"cfsr", MSTKERR, "MSTKERR", "MemManage: stacking on exception entry faulted"},
	{"cfsr", MLSPERR, "MLSPERR", "MemManage: lazy floating-point state preservation faulted"},
	{"cfsr", MMARVALID, "MMARVALID", "MMFAR holds the faulting address"},
	{"cfsr", IBUSERR, "IBUSERR", "bus fault on an instruction fetch"},
	{"cfsr", PRECISERR, "PRECISERR", "precise data bus error: the stacked pc is the faulting instruction"},
	{"cfsr", IMPRECISERR, "IMPRECISERR", "imprecise data bus error: the stacked pc is past the faulting write"},
	{"cfsr", UNSTKERR, "UNSTKERR", "bus fault unstacking on exception return"},
	{"cfsr", STKERR, "STKERR", "bus fault stacking on exception entry"},
	{"cfsr", LSPERR, "LSPERR", "bus fault in lazy floating-point state preservation"},
	{"cfsr", BFARVALID, "BFARVALID", "BFAR holds the faulting address"},
	{"cfsr", UNDEFINSTR, "UNDEFINSTR", "UsageFault: an undefined instruction"},
	{"cfsr", INVSTATE, "INVSTATE", "UsageFault: an invalid state (an ARM-mode branch: the Thumb bit clear)"},
	{"cfsr", INVPC, "INVPC", "UsageFault: an invalid EXC_RETURN on exception return"},
	{"cfsr", NOCP, "NOCP", "UsageFault: a coprocessor (the FPU) that is absent or disabled"},
	{"cfsr", 1u << 20, "STKOF", "UsageFault: a stack limit register (ARMv8-M) was crossed"},
	{"cfsr", UNALIGNED, "UNALIGNED", "UsageFault: an unaligned access that traps"},
	{"cfsr", DIVBYZERO, "DIVBYZERO", "UsageFault: an integer division by zero (with DIV_0_TRP)"},
	{"hfsr", HFSR_VECTTBL, "VECTTBL", "a bus fault reading the vector table"},
	{"hfsr", HFSR_FORCED, "FORCED", "a configurable fault escalated to HardFault (disabled, or of too low a priority)"},
	{"hfsr", 1u << 31, "DEBUGEVT", "a debug event while halting debug is off"},
	{"shcsr", 1u << 0, "MEMFAULTACT", "a MemManage handler was active"},
	{"shcsr", 1u << 1, "BUSFAULTACT", "a bus fault handler was active"},
	{"shcsr", 1u << 3, "USGFAULTACT", "a UsageFault handler was active"},
	{"shcsr", 1u << 7, "SVCALLACT", "an SVCall was active"},
	{"shcsr", 1u << 8, "MONITORACT", "the debug monitor was active"},
	{"shcsr", 1u << 10, "PENDSVACT", "PendSV was active"},
	{"shcsr", 1u << 11, "SYSTICKACT", "SysTick was active"},
	{"shcsr", 1u << 12, "USGFAULTPENDED", "a UsageFault was pending"},
	{"shcsr", 1u << 13, "MEMFAULTPENDED", "a MemManage fault was pending"},
	{"shcsr", 1u << 14, "BUSFAULTPENDED", "a bus fault was pending"},
	{"shcsr", 1u << 15, "SVCALLPENDED", "an SVCall was pending"},
	{"shcsr", 1u << 16, "MEMFAULTENA", "MemManage faults enabled"},
	{"shcsr", 1u << 17, "BUSFAULTENA", "bus faults enabled"},
	{"shcsr", 1u << 18, "USGFAULTENA", "UsageFaults enabled"},
};

const struct fa_fault_bit *fa_fault_bits(size_t *out_n)
{
	*out_n = sizeof(k_bits) / sizeof(k_bits[0]);
	return k_bits;
}

int fa_thumb_access(struct fa_elf *e, uint64_t addr)
{
	uint8_t b[4];
	uint16_t hw1;

	if (e == NULL || fa_elf_read(e, addr & ~1ull, b, 2) != 0)
		return -1;
	hw1 = (uint16_t)(b[0] | b[1] << 8);
	if ((hw1 >> 11) >= 0x1d) { /* a 32-bit instruction: 0b11101, 0b11110, 0b11111 */
		/* load/store single (1111 100x), multiple and dual/exclusive (1110 100x): bit 4 of the first
		 * halfword is L */
		if ((hw1 >> 9) == 0x7c || (hw1 >> 9) == 0x74)
			return (hw1 >> 4 & 1) ? 0 : 1;
		return -1;
	}
	if ((hw1 >> 12) == 0x5) /* register offset: 000 STR, 001 STRH, 010 STRB; the rest load */
		return ((hw1 >> 9) & 7) <= 2 ? 1 : 0;
	if ((hw1 >> 13) == 0x3 || (hw1 >> 12) == 0x8 || (hw1 >> 12) == 0x9 || (hw1 >> 12) == 0xc)
		return (hw1 >> 11 & 1) ? 0 : 1; /* immediate word/byte, halfword, SP-relative, LDM/STM: bit 11 is L */
	if ((hw1 >> 11) == 0x9)
		return 0; /* LDR literal */
	if ((hw1 & 0xfe00) == 0xb400)
		return 1; /* PUSH */
	if ((hw1 & 0xfe00) == 0xbc00)
		return 0; /* POP */
	return -1;
}

static void set(struct fa_fault *out, const char *kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void set(struct fa_fault *out, const char *kind, const char *fmt, ...)
{
	va_list ap;

	snprintf(out->kind, sizeof(out->kind), "%s", kind);
	va_start(ap, fmt);
	vsnprintf(out->text, sizeof(out->text), fmt, ap);
	va_end(ap);
}

static void append(struct fa_fault *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Add to out's text; what does not fit is cut. */
static void append(struct fa_fault *out, const char *fmt, ...)
{
	size_t used = strlen(out->text);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->text + used, sizeof(out->text) - used, fmt, ap);
	va_end(ap);
}

/* The access of the instruction at pc: as a verb ("writing"), or as a noun ("a write"). */
static const char *access_word(struct fa_elf *e, uint64_t pc, bool noun)
{
	static const char *const k_words[2][3] = {{"accessing", "reading", "writing"},
						  {"an access", "a read", "a write"}};

	return k_words[noun][fa_thumb_access(e, pc) + 1];
}

const char *fa_fault_frame_lost(uint32_t flags, bool has_fault, uint32_t cfsr)
{
	if ((flags & FF_FLAG_FRAME_UNRELIABLE) == 0)
		return NULL;
	if (has_fault && (cfsr & (MSTKERR | STKERR)) != 0)
		return "exception stacking failed";
	return "the stacked frame was not captured, as it lies outside the memory the port declared readable";
}

/* A stack overflow the fault status does not name, told by the active stack's limits: a data access violation
 * at most FA_FAULT_GUARD_SPAN bytes below the low limit (an MPU guard), or a MemManage or bus fault (any fault on
 * ARMv6-M, which has no fault status) with sp below it. Rewrites out as a stack_overflow when one applies. */
static void stack_guard(struct fa_fault *out, const struct ff_coredump *c, struct fa_elf *e)
{
	uint32_t cfsr = c->has_fault ? c->fault[0] : 0, mmfar = c->fault[2];
	uint64_t lo = c->stack_lo, hi = c->stack_hi, sp = c->regs[FF_CM_SP];
	char own[sizeof(out->text)];

	if (!c->has_stack)
		return;
	if ((cfsr & (DACCVIOL | MMARVALID)) == (DACCVIOL | MMARVALID) && mmfar < lo &&
	    lo - mmfar <= FA_FAULT_GUARD_SPAN) {
		set(out, "stack_overflow", "stack overflow: %s at 0x%08x, %llu bytes below the stack's limit (stack "
		    "0x%08llx-0x%08llx), hit the MPU stack guard", access_word(e, c->regs[FF_CM_PC], true), mmfar,
		    (unsigned long long)(lo - mmfar), (unsigned long long)lo, (unsigned long long)hi);
	} else if (sp < lo && (!c->has_fault || (cfsr & MMFSR_BFSR) != 0)) {
		memcpy(own, out->text, sizeof(own));
		set(out, "stack_overflow", "stack overflow: sp 0x%08llx is %llu bytes below the stack's limit (stack "
		    "0x%08llx-0x%08llx): %s", (unsigned long long)sp, (unsigned long long)(lo - sp),
		    (unsigned long long)lo, (unsigned long long)hi, own);
	}
}

static void explain_cortex_m(struct fa_fault *out, const struct ff_message *m, struct fa_elf *e)
{
	const struct ff_coredump *c = &m->core;
	uint32_t cfsr = c->has_fault ? c->fault[0] : 0, hfsr = c->has_fault ? c->fault[1] : 0;
	uint64_t pc = c->regs[FF_CM_PC];
	const char *lost = fa_fault_frame_lost(c->flags, c->has_fault, cfsr);
	/* Without the stacked frame pc is unknown (0): no address, no instruction to tell a read from a write. */
	struct fa_elf *code = lost == NULL ? e : NULL;
	const char *at = lost == NULL ? " at" : "";
	char pc_hex[16] = "";

	if (lost == NULL)
		snprintf(pc_hex, sizeof(pc_hex), " 0x%08llx", (unsigned long long)pc);

	if (cfsr & (MSTKERR | STKERR))
		set(out, "stack_overflow", "stack overflow: exception stacking failed (%s)",
		    (cfsr & MSTKERR) ? "MemManage fault on the push, MSTKERR" : "bus fault on the push, STKERR");
	else if (cfsr & PRECISERR)
		set(out, "bus_fault", "precise bus fault %s address 0x%08x", access_word(code, pc, false),
		    (cfsr & BFARVALID) ? c->fault[3] : 0);
	else if (cfsr & IMPRECISERR)
		set(out, "bus_fault_imprecise", "imprecise bus fault: a write that completed later failed; the faulting "
		    "instruction is shortly before pc");
	else if (cfsr & IBUSERR)
		set(out, "bus_fault_fetch", "bus fault fetching an instruction%s%s", at, pc_hex);
	else if (cfsr & (UNSTKERR | MUNSTKERR))
		set(out, "exception_return", "fault while returning from an exception (unstacking)");
	else if (cfsr & (LSPERR | MLSPERR))
		set(out, "fp_lazy_stacking", "fault while saving the FPU state (lazy stacking)");
	else if (cfsr & DACCVIOL)
		set(out, "memory_access", "memory protection violation %s address 0x%08x", access_word(code, pc, false),
		    (cfsr & MMARVALID) ? c->fault[2] : 0);
	else if (cfsr & IACCVIOL)
		set(out, "execute_violation", "instruction fetch from a non-executable address%s", pc_hex);
	else if (cfsr & DIVBYZERO)
		set(out, "divide_by_zero", "divide by zero");
	else if (cfsr & UNALIGNED)
		set(out, "unaligned_access", "unaligned memory access");
	else if (cfsr & UNDEFINSTR)
		set(out, "undefined_instruction", "undefined instruction%s%s", at, pc_hex);
	else if ((cfsr & INVSTATE) && lost == NULL && pc == 0)
		set(out, "null_call", "call through a NULL function pointer (execution at address 0)");
	else if (cfsr & INVSTATE)
		set(out, "invalid_state", "invalid execution state: a jump to an address without the Thumb bit "
		    "(a corrupt function pointer?)");
	else if (cfsr & INVPC)
		set(out, "invalid_exception_return", "invalid EXC_RETURN value on exception return");
	else if (cfsr & NOCP)
		set(out, "no_coprocessor", "FPU instruction with the FPU disabled (CPACR)");
	else if (hfsr & HFSR_VECTTBL)
		set(out, "vector_table", "bus fault reading the vector table");
	else
		set(out, "hard_fault", "hard fault (no fault status bits set)");
	if ((cfsr & (MSTKERR | STKERR)) == 0) {
		stack_guard(out, c, code);
		if (lost != NULL)
			append(out, "; %s", lost);
	}
	if (hfsr & HFSR_FORCED)
		append(out, ", escalated to HardFault");
}

void fa_fault_explain(struct fa_fault *out, const struct ff_message *m, struct fa_elf *e)
{
	const struct ff_coredump *c = &m->core;

	memset(out, 0, sizeof(*out));
	if (c->reason == FF_REASON_ASSERT) {
		set(out, "assert", "assert failed");
		return;
	}
	if (c->reason == FF_REASON_FATAL_ERROR) {
		set(out, "fatal_error", "fatal error, code %llu (0x%llx)", (unsigned long long)c->code,
		    (unsigned long long)c->code);
		return;
	}
	if (m->os == 1 && c->has_signal) {
		/* Linux's numbers, the same on x86-64, ARM and AArch64 */
		static const char *const k_names[] = {[4] = "SIGILL", [6] = "SIGABRT", [7] = "SIGBUS", [8] = "SIGFPE",
						      [11] = "SIGSEGV"};
		const char *name = c->signal[0] < 12 && k_names[c->signal[0]] ? k_names[c->signal[0]] : "signal";

		set(out, "signal", "fatal signal %s (%llu, si_code %llu) at address 0x%llx", name,
		    (unsigned long long)c->signal[0], (unsigned long long)c->signal[1], (unsigned long long)c->signal[2]);
		return;
	}
	if (m->arch == 40 && m->os == 0) {
		if (c->reason == FF_REASON_NMI && !(c->has_fault && c->fault[0] != 0)) {
			set(out, "nmi", "non-maskable interrupt");
			return;
		}
		explain_cortex_m(out, m, e);
		return;
	}
	set(out, "unknown", "reason 0x%04x", c->reason);
}
