/* SPDX-License-Identifier: Apache-2.0 */
/* analysis/src/dwtype.c and data.c on this test's own executable (a fixed-address host ELF with DWARF, as
 * firmware is): the types of the globals below spelled as GDB spells them, their sizes, array bounds and members
 * (bitfields included). */
#define _GNU_SOURCE
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dwtype.h"
#include "elf_private.h"
#include "fa/elf.h"

/* The globals whose DWARF the tests read; `used` keeps the compiler from dropping them. */
struct ring {
	uint32_t head, tail;
	uint8_t buf[64];
};

struct gain_channel {
	int16_t offset;
	float gain;
};

struct config {
	char name[16];
	struct gain_channel channels[4];
	unsigned count;
};

struct flags {
	unsigned a : 3;
	unsigned b : 5;
	int c : 12;
	uint8_t after;
};

enum mode { MODE_OFF, MODE_ON };

typedef void handler_fn(int);

__attribute__((used)) struct ring g_ring;
__attribute__((used)) struct config g_cfg;
__attribute__((used)) struct flags g_flags;
__attribute__((used)) enum mode g_mode;
__attribute__((used)) const char *g_str = "x";
__attribute__((used)) char *const g_const_ptr = NULL;
__attribute__((used)) int g_grid[3][4];
__attribute__((used)) char *g_strs[3];
__attribute__((used)) int (*g_grid_row)[4];
__attribute__((used)) void (*g_handler)(int);
__attribute__((used)) handler_fn *g_handlers[2];
__attribute__((used)) int (*g_printf)(const char *, ...);
__attribute__((used)) int (*g_noargs)(void);
__attribute__((used)) struct {
	int x;
} g_anon;
__attribute__((used)) uint32_t g_u32;
__attribute__((used)) const volatile uint32_t g_reg;
__attribute__((used)) struct ring *g_ring_ptr;

static Dwarf *s_dwarf;
static struct fa_elf *s_elf;

static int setup(void **state)
{
	struct ff_error err = {0};

	(void)state;
	if (fa_elf_open(&s_elf, "/proc/self/exe", &err) != 0)
		fail_msg("fa_elf_open(this test): %s", err.msg);
	s_dwarf = fa_elf_dwarf(s_elf);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fa_elf_close(s_elf);
	return 0;
}

/* The DIE of a global variable of this file, by name. */
static Dwarf_Die variable(const char *name)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	while (dwarf_nextcu(s_dwarf, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, d;

		if (dwarf_offdie(s_dwarf, off + hsize, &cu) != NULL && dwarf_child(&cu, &d) == 0) {
			do {
				const char *n = dwarf_diename(&d);

				if (dwarf_tag(&d) == DW_TAG_variable && n != NULL && strcmp(n, name) == 0)
					return d;
			} while (dwarf_siblingof(&d, &d) == 0);
		}
		off = next;
	}
	fail_msg("no variable %s in this test's DWARF", name);
	return (Dwarf_Die){0};
}

static Dwarf_Die type_of(const char *name)
{
	Dwarf_Die v = variable(name), t;

	assert_int_equal(fa_dwtype_of(&t, &v), 0);
	return t;
}

static void spelled_as_gdb_spells(void **state)
{
	static const struct {
		const char *var, *type;
	} k_cases[] = {
		{"g_ring", "struct ring"},
		{"g_ring_ptr", "struct ring *"},
		{"g_str", "const char *"},
		{"g_const_ptr", "char * const"},
		{"g_u32", "uint32_t"},
		{"g_reg", "const volatile uint32_t"},
		{"g_grid", "int [3][4]"},
		{"g_strs", "char *[3]"},
		{"g_grid_row", "int (*)[4]"},
		{"g_handler", "void (*)(int)"},
		{"g_handlers", "handler_fn *[2]"},
		{"g_printf", "int (*)(const char *, ...)"},
		{"g_noargs", "int (*)(void)"},
		{"g_mode", "enum mode"},
		{"g_anon", "struct {...}"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(k_cases) / sizeof(k_cases[0]); i++) {
		Dwarf_Die t = type_of(k_cases[i].var);
		char name[64];

		assert_int_equal(fa_dwtype_name(name, sizeof(name), &t), 0);
		assert_string_equal(name, k_cases[i].type);
	}
}

static void spelling_that_does_not_fit_is_refused(void **state)
{
	Dwarf_Die t = type_of("g_printf");
	char name[8];

	(void)state;
	assert_int_equal(fa_dwtype_name(name, sizeof(name), &t), FF_ERR_TOO_LARGE);
	assert_string_equal(name, "?");
	assert_int_equal(fa_dwtype_name(name, sizeof(name), NULL), 0);
	assert_string_equal(name, "void");
}

static void sizes(void **state)
{
	static const struct {
		const char *var;
		uint64_t size;
	} k_cases[] = {
		{"g_ring", sizeof(g_ring)}, {"g_cfg", sizeof(g_cfg)},   {"g_grid", sizeof(g_grid)},
		{"g_strs", sizeof(g_strs)}, {"g_reg", sizeof(g_reg)},   {"g_ring_ptr", sizeof(g_ring_ptr)},
		{"g_mode", sizeof(g_mode)}, {"g_flags", sizeof(g_flags)},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(k_cases) / sizeof(k_cases[0]); i++) {
		Dwarf_Die t = type_of(k_cases[i].var);
		uint64_t size = 0;

		assert_int_equal(fa_dwtype_size(&size, &t), 0);
		assert_int_equal(size, k_cases[i].size);
	}
}

static void array_bounds(void **state)
{
	Dwarf_Die t = type_of("g_grid"), cfg = type_of("g_ring");
	struct fa_dwtype_array a;
	char name[32];

	(void)state;
	assert_int_equal(fa_dwtype_array(&a, &t), 0);
	assert_int_equal(a.ndims, 2);
	assert_int_equal(a.count[0], 3);
	assert_int_equal(a.count[1], 4);
	assert_int_equal(a.lower[0], 0);
	assert_int_equal(a.stride[0], 4 * sizeof(int));
	assert_int_equal(a.stride[1], sizeof(int));
	assert_int_equal(a.element_size, sizeof(int));
	assert_int_equal(fa_dwtype_name(name, sizeof(name), &a.element), 0);
	assert_string_equal(name, "int");
	assert_int_equal(fa_dwtype_array(&a, &cfg), FF_ERR_UNSUPPORTED);
}

struct seen {
	size_t n;
	struct fa_dwtype_member m[8];
};

static int collect(const struct fa_dwtype_member *m, void *ctx)
{
	struct seen *s = ctx;

	if (s->n == 8)
		return -100;
	s->m[s->n++] = *m;
	return 0;
}

static void members_with_offsets_and_bitfields(void **state)
{
	Dwarf_Die cfg = type_of("g_cfg"), fl = type_of("g_flags"), grid = type_of("g_grid");
	struct seen s = {0};

	(void)state;
	assert_int_equal(fa_dwtype_members(&cfg, collect, &s), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.m[1].name, "channels");
	assert_int_equal(s.m[1].offset, offsetof(struct config, channels));
	assert_int_equal(s.m[2].offset, offsetof(struct config, count));
	assert_int_equal(s.m[2].bit_size, 0);

	/* a:3 at bit 0, b:5 at bit 3, c:12 at bit 8 (byte 1, bit 0), after at byte 3 (x86-64 and ARM lay them so) */
	memset(&s, 0, sizeof(s));
	assert_int_equal(fa_dwtype_members(&fl, collect, &s), 0);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.m[0].offset, 0);
	assert_int_equal(s.m[0].bit_offset, 0);
	assert_int_equal(s.m[0].bit_size, 3);
	assert_int_equal(s.m[1].offset, 0);
	assert_int_equal(s.m[1].bit_offset, 3);
	assert_int_equal(s.m[1].bit_size, 5);
	assert_int_equal(s.m[2].offset, 1);
	assert_int_equal(s.m[2].bit_offset, 0);
	assert_int_equal(s.m[2].bit_size, 12);
	assert_int_equal(s.m[3].offset, offsetof(struct flags, after));

	/* the callback's stop is passed up; an array has no members */
	memset(&s, 0, sizeof(s));
	s.n = 8;
	assert_int_equal(fa_dwtype_members(&cfg, collect, &s), -100);
	assert_int_equal(fa_dwtype_members(&grid, collect, &s), FF_ERR_UNSUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spelled_as_gdb_spells),
		cmocka_unit_test(spelling_that_does_not_fit_is_refused),
		cmocka_unit_test(sizes),
		cmocka_unit_test(array_bounds),
		cmocka_unit_test(members_with_offsets_and_bitfields),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
