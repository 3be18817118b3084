/* SPDX-License-Identifier: Apache-2.0 */
/* analysis/src/fault.c: each fault status bit to its kind and words, in the order docs/ANALYSIS.md gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fa/fault.h"

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
		{0x8003, 0, 0, 0x2, 0, "stack_overflow", "stacking failed"},
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
