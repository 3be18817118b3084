/* SPDX-License-Identifier: Apache-2.0 */
/* analysis/src/elf.c on this test's own executable (a host ELF with DWARF, a build-id and .eh_frame; linked as a
 * fixed-address executable, as firmware is: libdwfl places a position-independent one at a base of its own): the
 * inline chain at an address, whatever room earlier calls on the same handle asked for. */
#define _GNU_SOURCE /* dl_iterate_phdr() */
#include <link.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fa/elf.h"

/* A chain of six functions inlined into each other (always, whatever the optimization level) inside inline_outer:
 * the call in inline_6 returns to an address whose inline chain is seven deep, deeper than find_recursion()'s
 * room of 4 in report.c and within fa_report_build()'s 8. */
static volatile uintptr_t s_return_address;
static volatile int s_after_call;

__attribute__((noinline)) static void note_return_address(void)
{
	s_return_address = (uintptr_t)__builtin_return_address(0);
}

/* One link of the chain: calls the next one inward; the increment after the call keeps it from being a tail call,
 * so the return address stays inside inline_6. */
#define INLINE_LINK(name, inner)                                                                                   \
	static inline __attribute__((always_inline)) void name(void)                                               \
	{                                                                                                          \
		inner();                                                                                           \
		s_after_call++;                                                                                    \
	}

INLINE_LINK(inline_6, note_return_address)
INLINE_LINK(inline_5, inline_6)
INLINE_LINK(inline_4, inline_5)
INLINE_LINK(inline_3, inline_4)
INLINE_LINK(inline_2, inline_3)
INLINE_LINK(inline_1, inline_2)

__attribute__((noinline)) static void inline_outer(void)
{
	inline_1();
	s_after_call++;
}

static const char *const k_chain[] = {"inline_6", "inline_5", "inline_4", "inline_3",
				      "inline_2", "inline_1", "inline_outer"};
#define CHAIN_LEN (sizeof(k_chain) / sizeof(k_chain[0]))

static int first_object(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	*(uintptr_t *)data = (uintptr_t)info->dlpi_addr; /* the executable comes first: its load bias */
	return 1;
}

/* The ELF address of the call's return address minus 1: inside the call instruction, as an unwinder looks up a
 * caller's pc. (The load bias subtracted is 0 for the fixed-address executable this test is.) */
static uint64_t call_address(void)
{
	uintptr_t bias = 0;

	inline_outer();
	dl_iterate_phdr(first_object, &bias);
	return (uint64_t)(s_return_address - bias - 1);
}

static struct fa_elf *open_self(void)
{
	struct ff_error err = {0};
	struct fa_elf *e = NULL;

	if (fa_elf_open(&e, "/proc/self/exe", &err) != 0)
		fail_msg("fa_elf_open(this test): %s", err.msg);
	return e;
}

/* n entries of out are the first n functions of the chain, each inlined but the out-of-line one. */
static void assert_chain(const struct fa_sym *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(out[i].function, k_chain[i]);
		assert_int_equal(out[i].inlined, i + 1 < CHAIN_LEN);
	}
}

static void assert_same(const struct fa_sym *got, const struct fa_sym *want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(got[i].function, want[i].function);
		assert_string_equal(got[i].file, want[i].file);
		assert_int_equal(got[i].line, want[i].line);
		assert_int_equal(got[i].inlined, want[i].inlined);
	}
}

static void whole_chain(void **state)
{
	struct fa_elf *e = open_self();
	uint64_t addr = call_address();
	struct fa_sym out[8];

	(void)state;
	assert_int_equal(fa_elf_symbolize(e, addr, out, 8), CHAIN_LEN);
	assert_chain(out, CHAIN_LEN);
	assert_non_null(strstr(out[0].file, "test_elf.c"));
	assert_true(out[0].line > 0 && out[1].line > 0);
	fa_elf_close(e);
}

/* The same address asked with room for 4, then 8, then 1, then 8 again: each answer is what a fresh handle gives
 * with that room (the chain cut to the room), so a report never depends on the order traces came in. */
static void room_does_not_stick(void **state)
{
	struct fa_elf *fresh = open_self(), *e = open_self();
	uint64_t addr = call_address();
	struct fa_sym want[8], out[8];
	size_t n = fa_elf_symbolize(fresh, addr, want, 8);

	(void)state;
	assert_int_equal(fa_elf_symbolize(e, addr, out, 4), 4);
	assert_chain(out, 4);
	assert_int_equal(fa_elf_symbolize(e, addr, out, 8), n);
	assert_same(out, want, n);
	assert_int_equal(fa_elf_symbolize(e, addr, out, 1), 1);
	assert_same(out, want, 1);
	assert_int_equal(fa_elf_symbolize(e, addr, out, 8), n);
	assert_same(out, want, n);
	fa_elf_close(e);
	fa_elf_close(fresh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whole_chain),
		cmocka_unit_test(room_does_not_stick),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
