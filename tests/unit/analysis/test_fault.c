/* SPDX-License-Identifier: Apache-2.0 */
/* analysis/src/fault.c: each fault status bit to its kind and words, in the order docs/ANALYSIS.md gives; stack
 * overflows told by the stack's limits; dumps whose stacked frame was not captured. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fa/fault.h"
#include "fa/report.h"
#include "fa/unwind.h"

static void explain(struct fa_fault *out, uint16_t reason, uint32_t cfsr, uint32_t hfsr, uint32_t flags, uint64_t pc)
{
	struct ff_message m;

	memset(&m, 0, sizeof(m));
	m.type = FF_MSG_COREDUMP;
	m.arch = 40;
	m.core.reason = reason;
	m.core.flags = flags;
	m.core.has_fault = true;
	m.core.fault[0] = cfsr;
	m.core.fault[1] = hfsr;
	m.core.fault[2] = 0x20001234;
	m.core.fault[3] = 0xfffffff0;
	m.core.nregs = FF_CM_NREGS;
	m.core.regs[FF_CM_PC] = pc;
	fa_fault_explain(out, &m, NULL);
}

static void kinds(void **state)
{
	static const struct {
		uint16_t reason;
		uint32_t cfsr, hfsr, flags;
		uint64_t pc;
		const char *kind, *needle;
	} cases[] = {
		{0x8008, 0, 0, 0, 0x100, "assert", "assert failed"},
		{0x8005, 0x00008200, 0, 0, 0x100, "bus_fault", "address 0xfffffff0"},
		{0x8003, 0x00008200, 0x40000000, 0, 0x100, "bus_fault", "escalated to HardFault"},
		{0x8005, 0x00000400, 0, 0, 0x100, "bus_fault_imprecise", "imprecise"},
		{0x8005, 0x00000100, 0, 0, 0x100, "bus_fault_fetch", "fetching an instruction at 0x00000100"},
		{0x8004, 0x00000082, 0, 0, 0x100, "memory_access", "0x20001234"},
		{0x8004, 0x00000001, 0, 0, 0xe0000000, "execute_violation", "0xe0000000"},
		{0x8004, 0x00000092, 0, 0, 0x100, "stack_overflow", "MSTKERR"},
		{0x8005, 0x00001000, 0, 0, 0x100, "stack_overflow", "STKERR"},
		{0x8003, 0, 0, 0x2, 0, "hard_fault", "no fault status bits set); the stacked frame was not captured"},
		{0x8006, 0x02000000, 0, 0, 0x100, "divide_by_zero", "divide by zero"},
		{0x8006, 0x01000000, 0, 0, 0x100, "unaligned_access", "unaligned"},
		{0x8006, 0x00010000, 0, 0, 0x100, "undefined_instruction", "at 0x00000100"},
		{0x8006, 0x00020000, 0, 0, 0, "null_call", "NULL function pointer"},
		{0x8006, 0x00020000, 0, 0, 0x100, "invalid_state", "Thumb bit"},
		{0x8006, 0x00080000, 0, 0, 0x100, "no_coprocessor", "FPU"},
		{0x8003, 0, 0x00000002, 0, 0x100, "vector_table", "vector table"},
		{0x8003, 0, 0, 0, 0x100, "hard_fault", "no fault status"},
		{0x8007, 0, 0, 0, 0x100, "nmi", "non-maskable"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fa_fault f;

		explain(&f, cases[i].reason, cases[i].cfsr, cases[i].hfsr, cases[i].flags, cases[i].pc);
		if (strcmp(f.kind, cases[i].kind) != 0 || strstr(f.text, cases[i].needle) == NULL)
			fail_msg("case %zu: got %s '%s', want %s with '%s'", i, f.kind, f.text, cases[i].kind,
				 cases[i].needle);
	}
}

/* A dump on the stack [0x20004000, 0x20008000) (when stack), sp and MMFAR as given, BFAR 0xfffffff0. */
struct dump {
	uint32_t cfsr, hfsr, flags, mmfar;
	bool has_fault, has_stack;
	uint64_t sp, pc;
};

static void explain_dump(struct fa_fault *out, const struct dump *d)
{
	struct ff_message m;

	memset(&m, 0, sizeof(m));
	m.type = FF_MSG_COREDUMP;
	m.arch = 40;
	m.core.reason = 0x8004;
	m.core.flags = d->flags;
	m.core.has_fault = d->has_fault;
	if (d->has_fault) {
		m.core.fault[0] = d->cfsr;
		m.core.fault[1] = d->hfsr;
		m.core.fault[2] = d->mmfar;
		m.core.fault[3] = 0xfffffff0;
	}
	m.core.has_stack = d->has_stack;
	m.core.stack_lo = 0x20004000;
	m.core.stack_hi = 0x20008000;
	m.core.nregs = FF_CM_NREGS;
	m.core.regs[FF_CM_SP] = d->sp;
	m.core.regs[FF_CM_PC] = d->pc;
	fa_fault_explain(out, &m, NULL);
}

#define IN_STACK 0x20004100u
#define NOT_CAPTURED "the stacked frame was not captured, as it lies outside the memory the port declared readable"
#define GUARD_TEXT "stack overflow: an access at 0x20003ef8, 264 bytes below the stack's limit (stack " \
		   "0x20004000-0x20008000), hit the MPU stack guard"

/* Every branch of the stack overflow and frame-not-captured rules, with the whole text. */
static void stack_overflows(void **state)
{
	static const struct {
		const char *what;
		struct dump d;
		const char *kind, *text;
	} cases[] = {
		{"guard hit by MMFAR", {0x82, 0, 0, 0x20003ef8, true, true, IN_STACK, 0x100}, "stack_overflow", GUARD_TEXT},
		{"guard hit at the bound", {0x82, 0, 0, 0x20003c00, true, true, IN_STACK, 0x100},
		 "stack_overflow", "stack overflow: an access at 0x20003c00, 1024 bytes below the stack's limit (stack "
		 "0x20004000-0x20008000), hit the MPU stack guard"},
		{"a byte past the bound", {0x82, 0, 0, 0x20003bff, true, true, IN_STACK, 0x100}, "memory_access",
		 "memory protection violation accessing address 0x20003bff"},
		{"MMFAR far below", {0x82, 0, 0, 0x20000100, true, true, IN_STACK, 0x100}, "memory_access",
		 "memory protection violation accessing address 0x20000100"},
		{"MMFAR at the limit: inside the stack", {0x82, 0, 0, 0x20004000, true, true, IN_STACK, 0x100},
		 "memory_access", "memory protection violation accessing address 0x20004000"},
		{"MMFAR not valid", {0x02, 0, 0, 0x20003ef8, true, true, IN_STACK, 0x100}, "memory_access",
		 "memory protection violation accessing address 0x00000000"},
		{"no stack limits in the dump", {0x82, 0, 0, 0x20003ef8, true, false, 0x20003e00, 0x100}, "memory_access",
		 "memory protection violation accessing address 0x20003ef8"},
		{"bus fault with sp below the limit", {0x8200, 0, 0, 0, true, true, 0x20003f00, 0x100}, "stack_overflow",
		 "stack overflow: sp 0x20003f00 is 256 bytes below the stack's limit (stack 0x20004000-0x20008000): "
		 "precise bus fault accessing address 0xfffffff0"},
		{"MemManage fault far away with sp below the limit", {0x82, 0, 0, 0x10000000, true, true, 0x20003000, 0x100},
		 "stack_overflow", "stack overflow: sp 0x20003000 is 4096 bytes below the stack's limit (stack "
		 "0x20004000-0x20008000): memory protection violation accessing address 0x10000000"},
		{"usage fault with sp below the limit", {0x10000, 0, 0, 0, true, true, 0x20003f00, 0x100},
		 "undefined_instruction", "undefined instruction at 0x00000100"},
		{"bus fault, sp at the limit", {0x8200, 0, 0, 0, true, true, 0x20004000, 0x100}, "bus_fault",
		 "precise bus fault accessing address 0xfffffff0"},
		{"escalated guard hit", {0x82, 0x40000000, 0, 0x20003ef8, true, true, IN_STACK, 0x100}, "stack_overflow",
		 GUARD_TEXT ", escalated to HardFault"},
		{"frame not captured, no stacking bit", {0x82, 0, 2, 0x20001234, true, true, IN_STACK, 0}, "memory_access",
		 "memory protection violation accessing address 0x20001234; " NOT_CAPTURED},
		{"frame not captured, guard hit, escalated", {0x82, 0x40000000, 2, 0x20003ef8, true, true, IN_STACK, 0},
		 "stack_overflow", GUARD_TEXT "; " NOT_CAPTURED ", escalated to HardFault"},
		{"MSTKERR", {0x92, 0, 2, 0x20003ef8, true, true, 0x20003f00, 0}, "stack_overflow",
		 "stack overflow: exception stacking failed (MemManage fault on the push, MSTKERR)"},
		{"STKERR", {0x1000, 0x40000000, 2, 0, true, true, IN_STACK, 0}, "stack_overflow",
		 "stack overflow: exception stacking failed (bus fault on the push, STKERR), escalated to HardFault"},
		{"frame not captured: pc 0 is unknown, not a NULL call", {0x20000, 0, 2, 0, true, true, IN_STACK, 0},
		 "invalid_state", "invalid execution state: a jump to an address without the Thumb bit (a corrupt function "
		 "pointer?); " NOT_CAPTURED},
		{"frame not captured: no pc in the words", {0x10000, 0, 2, 0, true, true, IN_STACK, 0},
		 "undefined_instruction", "undefined instruction; " NOT_CAPTURED},
		{"ARMv6-M, sp below the limit", {0, 0, 2, 0, false, true, 0x20003fe0, 0}, "stack_overflow",
		 "stack overflow: sp 0x20003fe0 is 32 bytes below the stack's limit (stack 0x20004000-0x20008000): "
		 "hard fault (no fault status bits set); " NOT_CAPTURED},
		{"ARMv6-M, sp in the stack", {0, 0, 2, 0, false, true, IN_STACK, 0}, "hard_fault",
		 "hard fault (no fault status bits set); " NOT_CAPTURED},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fa_fault f;

		explain_dump(&f, &cases[i].d);
		if (strcmp(f.kind, cases[i].kind) != 0 || strcmp(f.text, cases[i].text) != 0)
			fail_msg("%s: got %s '%s', want %s '%s'", cases[i].what, f.kind, f.text, cases[i].kind,
				 cases[i].text);
	}
}

static void frame_lost(void **state)
{
	(void)state;
	assert_null(fa_fault_frame_lost(0, true, 0x92));
	assert_string_equal(fa_fault_frame_lost(FF_FLAG_FRAME_UNRELIABLE, true, 0x10), "exception stacking failed");
	assert_string_equal(fa_fault_frame_lost(FF_FLAG_FRAME_UNRELIABLE, true, 0x1000), "exception stacking failed");
	assert_string_equal(fa_fault_frame_lost(FF_FLAG_FRAME_UNRELIABLE, true, 0x82), NOT_CAPTURED);
	assert_string_equal(fa_fault_frame_lost(FF_FLAG_FRAME_UNRELIABLE, false, 0x10), NOT_CAPTURED);
}

/* The unwinder's stop and the report's registers say it in the same words. */
static void frame_lost_words(void **state)
{
	static const struct {
		uint32_t cfsr;
		const char *why, *line;
	} cases[] = {
		{0x92, "exception stacking failed: the interrupted pc is unknown",
		 "  (exception stacking failed: r12, lr, pc and xpsr are unknown)\n"},
		{0x82, NOT_CAPTURED ": the interrupted pc is unknown",
		 "  (" NOT_CAPTURED ": r12, lr, pc and xpsr are unknown)\n"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ff_message m;
		struct fa_unwind *u = calloc(1, sizeof(*u));
		struct fa_report *r = calloc(1, sizeof(*r));
		char *text = NULL;
		size_t len = 0;
		FILE *f;

		assert_non_null(u);
		assert_non_null(r);
		memset(&m, 0, sizeof(m));
		m.type = FF_MSG_COREDUMP;
		m.arch = 40;
		m.core.flags = FF_FLAG_FRAME_UNRELIABLE;
		m.core.has_fault = true;
		m.core.fault[0] = cases[i].cfsr;
		m.core.nregs = FF_CM_NREGS;
		assert_int_equal(fa_unwind_cortex_m(NULL, &m, u), 0); /* stops before it needs the ELF */
		assert_int_equal(u->stop, FA_STOP_NO_FRAME);
		assert_int_equal(u->n, 0);
		assert_string_equal(u->why, cases[i].why);

		r->dump.arch = 40;
		r->dump.nregs = FF_CM_NREGS;
		r->dump.word = 4;
		r->dump.flags = FF_FLAG_FRAME_UNRELIABLE;
		r->dump.has_fault = true;
		r->dump.fault[0] = cases[i].cfsr;
		f = open_memstream(&text, &len);
		assert_non_null(f);
		fa_report_print(r, f);
		assert_int_equal(fclose(f), 0);
		if (strstr(text, cases[i].line) == NULL)
			fail_msg("no '%s' in the report:\n%s", cases[i].line, text);
		free(text);
		free(r);
		free(u);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kinds),
		cmocka_unit_test(stack_overflows),
		cmocka_unit_test(frame_lost),
		cmocka_unit_test(frame_lost_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
