/* SPDX-License-Identifier: Apache-2.0 */
/* analysis/src/dwtype.c and data.c on this test's own executable (a fixed-address host ELF with DWARF, as
 * firmware is): the types of the globals below spelled as GDB spells them, their sizes, array bounds and members
 * (bitfields included); addresses named by the object, member and element they fall into, with every spelling of
 * docs/ANALYSIS.md ("Addresses in words"); data symbols DWARF does not describe (written in assembly below); and
 * a unit of hostile DWARF (also written below) whose types loop. And the report's "targets" (what MMFAR, BFAR and
 * the registers name) read back from JSON, bounded, and absent from reports written before them. */
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
#include <jansson.h>

#include "data.h"
#include "dwtype.h"
#include "elf_private.h"
#include "fa/elf.h"
#include "fa/report.h"
#include "reporttext.h"
#include "testdata.h"

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
__attribute__((used)) volatile uint8_t g_vol[3]; /* GCC may qualify the array and its elements both */
__attribute__((used)) char *volatile g_vptrs[2];
typedef int vec3[3];
__attribute__((used)) const vec3 g_vec = {1, 2, 3};
__attribute__((used)) struct ring *g_ring_ptr;
__attribute__((used)) union word {
	uint32_t word;
	uint8_t bytes[4];
} g_word;
__attribute__((used)) char g_end_test[8];

/* A function with a static of its own, and a function symbol to point at. */
__attribute__((noinline, used)) static int *tick(void)
{
	static int counter;

	counter++;
	return &counter;
}

/* A static in a block of a function, and one of a function inlined into another. */
__attribute__((noinline, used)) static int *tock(int which)
{
	if (which > 0) {
		static int in_block;

		in_block++;
		return &in_block;
	}
	return NULL;
}

static inline __attribute__((always_inline)) int *inlined_counter(void)
{
	static int inlined;

	inlined++;
	return &inlined;
}

__attribute__((noinline, used)) static int *calls_inlined(void)
{
	return inlined_counter();
}

/* Data symbols with no DWARF (as assembly or a library without -g has them): a 12-byte table, an object of size 0
 * right after it, then 4 bytes no symbol names. */
__asm__(".pushsection .data.asm_objects,\"aw\"\n"
	"\t.balign 16\n"
	"\t.globl asm_table\n\t.type asm_table, %object\n\t.size asm_table, 12\n"
	"asm_table:\n\t.fill 12, 1, 0\n"
	"\t.globl asm_empty\n\t.type asm_empty, %object\n\t.size asm_empty, 0\n"
	"asm_empty:\n\t.fill 4, 1, 0\n"
	"\t.popsection");
extern char asm_table[12], asm_empty[];

/* A unit of hostile DWARF 4 (its own abbreviations): a typedef that names itself, a variable of that type at
 * hostile_loop; a struct of 8 bytes whose member is an array of 1 of that struct, a variable of it at
 * hostile_nest; their symbols (local: only variables the symbol table has are named), of 16 and 8 bytes. */
#define STR(x) #x
#define XSTR(x) STR(x)
__asm__(".pushsection .bss.hostile,\"aw\",@nobits\n"
	"\t.balign 16\n"
	"\t.type g_loop, %object\n\t.size g_loop, 16\ng_loop:\nhostile_loop:\n\t.zero 16\n"
	"\t.type g_nest, %object\n\t.size g_nest, 8\ng_nest:\nhostile_nest:\n\t.zero 16\n"
	"\t.popsection\n"
	".pushsection .debug_abbrev,\"\",@progbits\n"
	".Lhab:\n"
	"\t.uleb128 1, 0x11, 1, 0x03, 0x08, 0, 0\n"                   /* CU: name string */
	"\t.uleb128 2, 0x16, 0, 0x03, 0x08, 0x49, 0x13, 0, 0\n"       /* typedef: name, type ref4 */
	"\t.uleb128 3, 0x34, 0, 0x03, 0x08, 0x49, 0x13, 0x02, 0x18, 0, 0\n" /* variable: name, type, exprloc */
	"\t.uleb128 4, 0x13, 1, 0x03, 0x08, 0x0b, 0x0b, 0, 0\n"       /* struct: name, byte_size data1 */
	"\t.uleb128 5, 0x0d, 0, 0x03, 0x08, 0x49, 0x13, 0x38, 0x0b, 0, 0\n" /* member: name, type, location */
	"\t.uleb128 6, 0x01, 1, 0x49, 0x13, 0, 0\n"                   /* array: type */
	"\t.uleb128 7, 0x21, 0, 0x37, 0x0b, 0, 0\n"                   /* subrange: count data1 */
	"\t.byte 0\n"
	"\t.popsection\n"
	".pushsection .debug_info,\"\",@progbits\n"
	".Lhcu:\n"
	"\t.long .Lhend - .Lhcu - 4\n\t.short 4\n\t.long .Lhab\n\t.byte 8\n"
	"\t.uleb128 1\n\t.asciz \"hostile.c\"\n"
	".Lhloop:\n\t.uleb128 2\n\t.asciz \"loop_t\"\n\t.long .Lhloop - .Lhcu\n"
	"\t.uleb128 3\n\t.asciz \"g_loop\"\n\t.long .Lhloop - .Lhcu\n\t.uleb128 9\n\t.byte 3\n"
	"\t.quad hostile_loop\n"
	".Lhnest:\n\t.uleb128 4\n\t.asciz \"nest\"\n\t.byte 8\n"
	"\t.uleb128 5\n\t.asciz \"self\"\n\t.long .Lharr - .Lhcu\n\t.byte 0\n"
	"\t.byte 0\n"
	".Lharr:\n\t.uleb128 6\n\t.long .Lhnest - .Lhcu\n"
	"\t.uleb128 7\n\t.byte 1\n"
	"\t.byte 0\n"
	"\t.uleb128 3\n\t.asciz \"g_nest\"\n\t.long .Lhnest - .Lhcu\n\t.uleb128 9\n\t.byte 3\n"
	"\t.quad hostile_nest\n"
	"\t.byte 0\n"
	".Lhend:\n"
	"\t.popsection");
extern char hostile_loop[], hostile_nest[];

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
		{"g_vol", "volatile uint8_t [3]"},
		{"g_vptrs", "char * volatile[2]"},
		{"g_vec", "const int [3]"}, /* GCC qualifies the elements of the typedef's array */
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

/* fa_data_name() of an address, which must give want. */
static void assert_named(const void *addr, Dwarf_Die *type, const char *want)
{
	char name[FA_DATA_NAME_MAX];
	int rc = fa_data_name(s_elf, (uint64_t)(uintptr_t)addr, type, name, sizeof(name));

	if (rc != 0)
		fail_msg("%p (for %s): fa_data_name() returned %d", addr, want, rc);
	assert_string_equal(name, want);
}

static void assert_unnamed(const void *addr)
{
	char name[FA_DATA_NAME_MAX] = "x";

	assert_int_equal(fa_data_name(s_elf, (uint64_t)(uintptr_t)addr, NULL, name, sizeof(name)), FA_DATA_NO_OBJECT);
	assert_string_equal(name, "");
}

static void members_and_elements_are_named(void **state)
{
	(void)state;
	assert_named(&g_ring.buf[52], NULL, "g_ring.buf[52]");
	assert_named(&g_ring, NULL, "g_ring.head"); /* the first byte of a struct is its first member's */
	assert_named(&g_ring.tail, NULL, "g_ring.tail");
	assert_named(&g_cfg.channels[2].gain, NULL, "g_cfg.channels[2].gain");
	assert_named(&g_cfg.name[15], NULL, "g_cfg.name[15]");
	assert_named(&g_grid[1][2], NULL, "g_grid[1][2]");
	assert_named(&g_grid[2][3], NULL, "g_grid[2][3]");
	assert_named(&g_strs[1], NULL, "g_strs[1]");
	assert_named(&g_u32, NULL, "g_u32");
	assert_named(&g_anon.x, NULL, "g_anon.x");
}

static void inside_scalars_and_padding(void **state)
{
	(void)state;
	assert_named((const char *)&g_cfg.count + 2, NULL, "g_cfg.count + 2");
	assert_named((const char *)&g_grid[1][2] + 3, NULL, "g_grid[1][2] + 3");
	assert_named((const char *)&g_ring_ptr + 7, NULL, "g_ring_ptr + 7");
	/* struct gain_channel: int16_t offset, 2 bytes of padding, float gain */
	assert_named((const char *)&g_cfg.channels[2] + 2, NULL, "g_cfg.channels[2] + 2 (padding)");
	assert_named((const char *)&g_cfg.channels[2] + 3, NULL, "g_cfg.channels[2] + 3 (padding)");
}

static void unions_and_bitfields(void **state)
{
	(void)state;
	assert_named(&g_word, NULL, "g_word.word");          /* the first member lands on a scalar's start */
	assert_named(&g_word.bytes[2], NULL, "g_word.bytes[2]"); /* word + 2 would not */
	assert_named(&g_flags, NULL, "g_flags.a");              /* a and b share byte 0: the first bitfield */
	assert_named((const char *)&g_flags + 1, NULL, "g_flags.c");
	assert_named((const char *)&g_flags + 2, NULL, "g_flags.c + 1");
	assert_named(&g_flags.after, NULL, "g_flags.after");
}

static void statics_of_functions(void **state)
{
	(void)state;
	assert_named(tick(), NULL, "tick::counter");
	assert_named(tock(1), NULL, "tock::in_block"); /* a block keeps its function's name */
	assert_named(calls_inlined(), NULL, "inlined_counter::inlined");
}

static void type_of_a_pointer_stops_the_naming(void **state)
{
	Dwarf_Die channels = type_of("g_cfg"), ring_ptr = type_of("g_ring_ptr"), ring, chan, gain;
	struct fa_dwtype_array a;
	struct seen s = {0};

	(void)state;
	/* struct gain_channel from g_cfg.channels' element type, float from its member gain */
	assert_int_equal(fa_dwtype_members(&channels, collect, &s), 0);
	assert_int_equal(fa_dwtype_of(&chan, &s.m[1].die), 0);
	assert_int_equal(fa_dwtype_array(&a, &chan), 0);
	chan = a.element;
	memset(&s, 0, sizeof(s));
	assert_int_equal(fa_dwtype_members(&chan, collect, &s), 0);
	assert_int_equal(fa_dwtype_of(&gain, &s.m[1].die), 0);
	assert_named(&g_cfg.channels[2], &chan, "g_cfg.channels[2]");
	assert_named(&g_cfg.channels[2].gain, &gain, "g_cfg.channels[2].gain");
	assert_named(&g_cfg.channels[2], NULL, "g_cfg.channels[2].offset");
	assert_int_equal(fa_dwtype_of(&ring, &ring_ptr), 0); /* struct ring *: its target */
	assert_named(&g_ring, &ring, "g_ring");
	assert_named(&g_ring.buf[3], &ring, "g_ring.buf[3]"); /* not a struct ring there: down to the innermost */
}

static void objects_without_dwarf_come_from_the_symbol_table(void **state)
{
	(void)state;
	assert_named(asm_table, NULL, "asm_table");
	assert_named(asm_table + 4, NULL, "asm_table + 4");
	assert_named(asm_table + 11, NULL, "asm_table + 11");
	assert_named(asm_table + 12, NULL, "asm_empty"); /* one past the end is not asm_table; asm_empty is there */
	assert_unnamed(asm_empty + 1);                     /* size 0: only its own address */
	assert_unnamed(asm_empty + 3);
}

static void addresses_in_no_object(void **state)
{
	int local = 0;
	char name[FA_DATA_NAME_MAX];

	(void)state;
	assert_unnamed(&local);
	assert_unnamed((void *)(uintptr_t)0x10);
	assert_int_equal(fa_data_name(s_elf, (uint64_t)(uintptr_t)&g_end_test[8], NULL, name, sizeof(name)) == 0 &&
				 strncmp(name, "g_end_test", 10) == 0,
			 false); /* one past the end */
	assert_named(&g_end_test[7], NULL, "g_end_test[7]");
}

static void names_that_do_not_fit_are_refused(void **state)
{
	char name[8] = "x";

	(void)state;
	assert_int_equal(fa_data_name(s_elf, (uint64_t)(uintptr_t)&g_ring.buf[52], NULL, name, sizeof(name)),
			 FF_ERR_TOO_LARGE);
	assert_string_equal(name, "");
}

static void pointers_are_formatted_as_gdb_prints_them(void **state)
{
	char out[FA_DATA_NAME_MAX + 32], want[FA_DATA_NAME_MAX + 32];
	uint64_t fn = (uint64_t)(uintptr_t)tick;

	(void)state;
	assert_int_equal(fa_data_format_pointer(s_elf, (uint64_t)(uintptr_t)&g_ring.buf[52], NULL, out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "0x%08llx <g_ring.buf[52]>", (unsigned long long)(uintptr_t)&g_ring.buf[52]);
	assert_string_equal(out, want);
	assert_int_equal(fa_data_format_pointer(s_elf, fn, NULL, out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "0x%08llx <tick>", (unsigned long long)fn);
	assert_string_equal(out, want);
	assert_int_equal(fa_data_format_pointer(s_elf, fn + 3, NULL, out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "0x%08llx <tick+3>", (unsigned long long)fn + 3); /* not ARM: no Thumb bit */
	assert_string_equal(out, want);
	assert_int_equal(fa_data_format_pointer(s_elf, 0x10, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "0x00000010");
	assert_int_equal(fa_data_format_pointer(s_elf, fn, NULL, out, 6), FF_ERR_TOO_LARGE);
	snprintf(want, sizeof(want), "0x%08llx", (unsigned long long)fn);
	want[5] = '\0';
	assert_string_equal(out, want);
}

/* Hostile types end in bounded walks: the looping typedef has no size (the variable is sized by its symbol, and
 * named by offset), the struct holding itself is named down to the depth limit, no further. */
static void hostile_types_end(void **state)
{
	Dwarf_Die loop = type_of("g_loop"), t;
	char name[FA_DATA_NAME_MAX];
	uint64_t size;
	int rc;

	(void)state;
	assert_int_equal(fa_dwtype_strip(&t, &loop), FF_ERR_MALFORMED);
	assert_int_equal(fa_dwtype_size(&size, &loop), FF_ERR_MALFORMED);
	assert_int_equal(fa_dwtype_name(name, sizeof(name), &loop), 0); /* a typedef is spelled by its name */
	assert_string_equal(name, "loop_t");
	assert_named(hostile_loop, NULL, "g_loop");
	assert_named(hostile_loop + 1, NULL, "g_loop + 1");
	assert_named(hostile_loop + 15, NULL, "g_loop + 15");
	rc = fa_data_name(s_elf, (uint64_t)(uintptr_t)hostile_nest, NULL, name, sizeof(name));
	/* 17 levels (FA_DWTYPE_MAX_DEPTH 16 and the top): a struct and an array each */
	assert_int_equal(rc, 0);
	assert_string_equal(name, "g_nest.self[0].self[0].self[0].self[0].self[0].self[0].self[0].self[0].self");
	assert_unnamed(hostile_nest + 8); /* past its 8 bytes: not in it */
}

static struct fa_report s_report; /* large: not on the stack */

/* tests/data/reports/bus_write.json (a report written before "targets" existed) with targets set to t (owned). */
static char *bus_write_with(json_t *t)
{
	size_t len;
	uint8_t *raw = fl_test_read("reports/bus_write.json", &len);
	json_t *root = json_loadb((const char *)raw, len, 0, NULL);
	char *out;

	assert_non_null(root);
	if (t != NULL)
		assert_int_equal(json_object_set_new(root, "targets", t), 0);
	out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_non_null(out);
	json_decref(root);
	free(raw);
	return out;
}

static void targets_read_back_and_print(void **state)
{
	json_t *t = json_pack("{s:s, s:s, s:s, s:s, s:s}", "r0", "&g_cfg.channels[2].gain", "lr", "<main+10>", "mmfar",
			      "g_ring.buf[52]", "bfar", "g_padded + 1 (padding)", "r99", "a register of a later version");
	char *json = bus_write_with(t), *text, *again, line[128];
	struct ff_error err = {0};
	json_t *back, *want;

	(void)state;
	if (fa_report_from_json(&s_report, json, strlen(json), &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(s_report.targets.regs[0], "&g_cfg.channels[2].gain");
	assert_string_equal(s_report.targets.regs[14], "<main+10>"); /* lr: r0-r12, sp, lr */
	assert_string_equal(s_report.targets.regs[1], "");
	assert_string_equal(s_report.targets.mmfar, "g_ring.buf[52]");
	text = fl_test_report_text(&s_report);
	snprintf(line, sizeof(line), "\n  r0    0x%08llx = &g_cfg.channels[2].gain\n",
		 (unsigned long long)s_report.dump.regs[0]);
	assert_non_null(strstr(text, line));
	snprintf(line, sizeof(line), "\n  lr    0x%08llx = <main+10>\n", (unsigned long long)s_report.dump.regs[14]);
	assert_non_null(strstr(text, line));
	snprintf(line, sizeof(line), "\n  MMFAR 0x%08x = g_ring.buf[52]\n", s_report.dump.fault[2]);
	assert_non_null(strstr(text, line));
	snprintf(line, sizeof(line), "\n  BFAR  0x%08x = g_padded + 1 (padding)\n", s_report.dump.fault[3]);
	assert_non_null(strstr(text, line));
	/* written again: the same targets, but the member this version does not know */
	again = fa_report_json(&s_report, FA_JSON_COMPACT);
	assert_non_null(again);
	back = json_loads(again, 0, NULL);
	want = json_pack("{s:s, s:s, s:s, s:s}", "r0", "&g_cfg.channels[2].gain", "lr", "<main+10>", "mmfar",
			 "g_ring.buf[52]", "bfar", "g_padded + 1 (padding)");
	assert_true(json_equal(json_object_get(back, "targets"), want));
	json_decref(want);
	json_decref(back);
	free(again);
	free(text);
	free(json);
}

static void reports_without_targets_name_nothing(void **state)
{
	char *json = bus_write_with(NULL), *text, *again;
	struct ff_error err = {0};

	(void)state;
	assert_int_equal(fa_report_from_json(&s_report, json, strlen(json), &err), 0);
	assert_string_equal(s_report.targets.mmfar, "");
	assert_string_equal(s_report.targets.bfar, "");
	for (size_t i = 0; i < FF_REGS_MAX; i++)
		assert_string_equal(s_report.targets.regs[i], "");
	text = fl_test_report_text(&s_report);
	assert_null(strstr(text, " = "));
	again = fa_report_json(&s_report, FA_JSON_COMPACT);
	assert_null(strstr(again, "\"targets\""));
	free(again);
	free(text);
	free(json);
}

static void bad_targets_are_refused(void **state)
{
	char longest[FA_REPORT_NAME_MAX + 1];
	struct {
		json_t *targets;
		const char *error;
	} cases[4];

	(void)state;
	memset(longest, 'x', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	cases[0].targets = json_pack("[]"), cases[0].error = "report JSON: targets is not an object";
	cases[1].targets = json_pack("{s:i}", "r0", 5), cases[1].error = "report JSON: targets.r0 is not a string";
	cases[2].targets = json_pack("{s:s}", "mmfar", "g_x\x1b[2J");
	cases[2].error = "report JSON: targets.mmfar contains a control character";
	cases[3].targets = json_pack("{s:s}", "bfar", longest);
	cases[3].error = "report JSON: targets.bfar is longer than 191 bytes";
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *json;
		struct ff_error err = {0};

		assert_non_null(cases[i].targets);
		json = bus_write_with(cases[i].targets);
		assert_int_equal(fa_report_from_json(&s_report, json, strlen(json), &err), FF_ERR_MALFORMED);
		assert_string_equal(err.msg, cases[i].error);
		free(json);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spelled_as_gdb_spells),
		cmocka_unit_test(spelling_that_does_not_fit_is_refused),
		cmocka_unit_test(sizes),
		cmocka_unit_test(array_bounds),
		cmocka_unit_test(members_with_offsets_and_bitfields),
		cmocka_unit_test(members_and_elements_are_named),
		cmocka_unit_test(inside_scalars_and_padding),
		cmocka_unit_test(unions_and_bitfields),
		cmocka_unit_test(statics_of_functions),
		cmocka_unit_test(type_of_a_pointer_stops_the_naming),
		cmocka_unit_test(objects_without_dwarf_come_from_the_symbol_table),
		cmocka_unit_test(addresses_in_no_object),
		cmocka_unit_test(names_that_do_not_fit_are_refused),
		cmocka_unit_test(pointers_are_formatted_as_gdb_prints_them),
		cmocka_unit_test(hostile_types_end),
		cmocka_unit_test(targets_read_back_and_print),
		cmocka_unit_test(reports_without_targets_name_nothing),
		cmocka_unit_test(bad_targets_are_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
