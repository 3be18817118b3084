/* SPDX-License-Identifier: Apache-2.0 */
/* analysis/src/elf.c (and dwarf_scan.c, which it calls at open) on this test's own executable (a host ELF with
 * DWARF, a build-id and .eh_frame; linked as a fixed-address executable, as firmware is: libdwfl places a
 * position-independent one at a base of its own): the
 * inline chain at an address, whatever room earlier calls on the same handle asked for; on a corrupt copy of it,
 * lookups that keep no memory while the handle stays open. And on firmware ELFs written here byte by byte, whose
 * DWARF is hostile: nested past the depth limit, directly or through imported units, cut short, of unknown forms
 * and codes. And the metric key table, a section no segment loads, copied out of both kinds of ELF. */
#define _GNU_SOURCE /* dl_iterate_phdr(), mallinfo2() */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <gelf.h>
#include <link.h>
#include <malloc.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fa/elf.h"
#include "ff/metrics.h"
#include "elfwriter.h"

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

/* A metric key table, emitted as the SDK does: a section with no flags (not SHF_ALLOC), which no segment loads. */
__asm__(".pushsection .faultline.metrics,\"\",%progbits\n"
	"\t.ascii \"FLMT\\001\\001tx_packets\\000\"\n"
	"\t.popsection");
#define SELF_TABLE "FLMT\x01\x01tx_packets"
#define SELF_TABLE_LEN 17u

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

/* ---- Hostile DWARF in firmware ELFs written here ---- */

#define DEPTH_MAX 256 /* analysis/src/dwarf_scan.c's DIE_DEPTH_MAX */
#define HIGH 0xfffffff0u /* the range every DIE, the function and its FDE cover */

/* DWARF constants, named as in <dwarf.h> (which this test does not include: its values are the point) */
enum {
	TAG_CU = 0x11, TAG_BLOCK = 0x0b, TAG_PARTIAL = 0x3c, TAG_IMPORTED_UNIT = 0x3d, TAG_VARIABLE = 0x34,
	AT_SIBLING = 0x01, AT_NAME = 0x03, AT_LOW_PC = 0x11, AT_HIGH_PC = 0x12, AT_IMPORT = 0x18,
	FORM_ADDR = 0x01, FORM_DATA4 = 0x06, FORM_STRING = 0x08, FORM_REF4 = 0x13, FORM_REF_ADDR = 0x10,
};

/* Abbreviation codes of k_abbrevs: */
enum { A_CU = 1, A_BLOCK, A_PARTIAL, A_IMPORT, A_EVERY_FORM, A_SIBLING };

/* Every attribute form the scanner knows, in one DIE: (form, bytes of its value when they are fixed; 0 for the
 * forms whose length is in the value, written by every_form_value()). */
static const struct {
	unsigned form, size;
} k_every_form[] = {
	{0x01, 4}, {0x03, 0}, {0x04, 0}, {0x05, 2}, {0x06, 4}, {0x07, 8}, {0x08, 0}, {0x09, 0}, {0x0a, 0},
	{0x0b, 1}, {0x0c, 1}, {0x0d, 0}, {0x0e, 8}, {0x0f, 0}, {0x10, 8}, {0x11, 1}, {0x12, 2}, {0x13, 4},
	{0x14, 8}, {0x15, 0}, {0x16, 0}, {0x17, 8}, {0x18, 0}, {0x19, 0}, {0x1a, 0}, {0x1b, 0}, {0x1c, 4},
	{0x1d, 8}, {0x1e, 16}, {0x1f, 8}, {0x20, 8}, {0x21, 0}, {0x22, 0}, {0x23, 0}, {0x24, 8}, {0x25, 1},
	{0x26, 2}, {0x27, 3}, {0x28, 4}, {0x29, 1}, {0x2a, 2}, {0x2b, 3}, {0x2c, 4}, {0x1f01, 0}, {0x1f02, 0},
	{0x1f20, 8}, {0x1f21, 8},
};
#define NFORMS (sizeof(k_every_form) / sizeof(k_every_form[0]))

/* The abbreviations every test unit uses: a unit, a lexical block covering the range, a partial unit, an import,
 * a DIE of every form, a block with a DW_AT_sibling. */
static void put_abbrevs(struct fl_buf *b)
{
	fl_buf_uleb(b, A_CU), fl_buf_uleb(b, TAG_CU), fl_buf_le(b, 1, 1);
	fl_buf_uleb(b, AT_NAME), fl_buf_uleb(b, FORM_STRING), fl_buf_uleb(b, AT_LOW_PC), fl_buf_uleb(b, FORM_ADDR);
	fl_buf_uleb(b, AT_HIGH_PC), fl_buf_uleb(b, FORM_DATA4), fl_buf_le(b, 0, 2);
	fl_buf_uleb(b, A_BLOCK), fl_buf_uleb(b, TAG_BLOCK), fl_buf_le(b, 1, 1);
	fl_buf_uleb(b, AT_LOW_PC), fl_buf_uleb(b, FORM_ADDR), fl_buf_uleb(b, AT_HIGH_PC);
	fl_buf_uleb(b, FORM_DATA4), fl_buf_le(b, 0, 2);
	fl_buf_uleb(b, A_PARTIAL), fl_buf_uleb(b, TAG_PARTIAL), fl_buf_le(b, 1, 1), fl_buf_le(b, 0, 2);
	fl_buf_uleb(b, A_IMPORT), fl_buf_uleb(b, TAG_IMPORTED_UNIT), fl_buf_le(b, 0, 1);
	fl_buf_uleb(b, AT_IMPORT), fl_buf_uleb(b, FORM_REF_ADDR), fl_buf_le(b, 0, 2);
	fl_buf_uleb(b, A_EVERY_FORM), fl_buf_uleb(b, TAG_VARIABLE), fl_buf_le(b, 0, 1);
	for (size_t i = 0; i < NFORMS; i++) {
		fl_buf_uleb(b, 0x2000 + i); /* DW_AT_lo_user and on: attributes of no meaning */
		fl_buf_uleb(b, k_every_form[i].form);
		if (k_every_form[i].form == 0x21) /* implicit_const: its value */
			fl_buf_uleb(b, 12345);
	}
	fl_buf_le(b, 0, 2);
	fl_buf_uleb(b, A_SIBLING), fl_buf_uleb(b, TAG_BLOCK), fl_buf_le(b, 1, 1);
	fl_buf_uleb(b, AT_SIBLING), fl_buf_uleb(b, FORM_REF4), fl_buf_le(b, 0, 2);
	fl_buf_le(b, 0, 1);
}

/* The values of an A_EVERY_FORM DIE, in a DWARF 5 unit with 64-bit offsets and 4-byte addresses. The bytes are
 * 0xff wherever they can be: skipped one byte wrong, they would read as abbreviation codes no table has. */
static void put_every_form_value(struct fl_buf *b)
{
	fl_buf_uleb(b, A_EVERY_FORM);
	for (size_t i = 0; i < NFORMS; i++) {
		switch (k_every_form[i].form) {
		case 0x03: fl_buf_le(b, 3, 2), fl_buf_fill(b, 0xff, 3); break;      /* block2 */
		case 0x04: fl_buf_le(b, 2, 4), fl_buf_fill(b, 0xff, 2); break;      /* block4 */
		case 0x08: fl_buf_put(b, "every", 6); break;                        /* string */
		case 0x09: case 0x18: fl_buf_uleb(b, 300), fl_buf_fill(b, 0xff, 300); break; /* block, exprloc */
		case 0x0a: fl_buf_le(b, 1, 1), fl_buf_fill(b, 0xff, 1); break;      /* block1 */
		case 0x16: fl_buf_uleb(b, 0x05), fl_buf_fill(b, 0xff, 2); break;    /* indirect: data2 */
		case 0x19: case 0x21: break;                                  /* flag_present, implicit_const */
		case 0x0d: case 0x0f: case 0x15: case 0x1a: case 0x1b: case 0x22: case 0x23: case 0x1f01: case 0x1f02:
			fl_buf_uleb(b, UINT64_MAX); /* a LEB128 of 10 bytes */
			break;
		default: fl_buf_fill(b, 0xff, k_every_form[i].size); break;
		}
	}
}


static void put_cu_die(struct fl_buf *b)
{
	fl_buf_uleb(b, A_CU), fl_buf_put(b, "deep.c", 7), fl_buf_le(b, 0, 4), fl_buf_le(b, HIGH, 4);
}

/* n nested lexical blocks and the end of their children (not of the unit DIE's). */
static void put_blocks(struct fl_buf *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		fl_buf_uleb(b, A_BLOCK), fl_buf_le(b, 0, 4), fl_buf_le(b, HIGH, 4);
	fl_buf_fill(b, 0, n);
}

/* One compile unit nesting DIEs `depth` deep (the unit's DIE is 1). */
static void put_deep_unit(struct fl_buf *b, unsigned depth)
{
	size_t at = fl_dwarf_unit_begin(b);

	put_cu_die(b);
	put_blocks(b, depth - 1);
	fl_buf_le(b, 0, 1);
	fl_dwarf_unit_end(b, at);
}

/* What an ELF of write_elf() may have besides: a section of this name (non-allocated, of section_type, 0 for
 * SHT_PROGBITS, holding section_data or else 4 bytes of 0; twice when twice is set), and functions of these
 * names, function i at FUNC_AT(i), FUNC_SIZE bytes. */
struct elf_extra {
	const char *section;
	const char *const *funcs;
	size_t nfuncs;
	uint32_t section_type;
	const struct fl_buf *section_data;
	bool twice;
};

#define FUNC_AT(i) (0x1000u + 0x100u * (uint32_t)(i))
#define FUNC_SIZE 0x100u

/*
 * Write a little-endian ARM executable with .debug_info and .debug_abbrev as given and what fa_elf_open() asks
 * besides (fl_elf_firmware()): a build-id, a function deep_scopes over the range (after a word at 0: a function at
 * 0 is taken for none), .debug_frame and .debug_aranges for it; and what x (optional) adds. Returns the path of a
 * temporary file the caller unlinks and frees.
 */
static char *write_elf(const struct fl_buf *abbrev, const struct fl_buf *info, const struct elf_extra *x)
{
	static const uint8_t code[8] = {0, 0, 0, 0, 0xfe, 0xe7, 0, 0}; /* a word, then `b .` */
	struct fl_buf text = {0}, extra = {0};
	size_t nfuncs = x != NULL ? x->nfuncs : 0;
	struct fl_elf_func *funcs = calloc(1 + nfuncs, sizeof(*funcs));
	const struct fl_elf_section sec = {
		.name = x != NULL ? x->section : NULL, .type = x != NULL && x->section_type != 0 ? x->section_type : 1,
		.data = &extra,
	};
	const struct fl_elf_section secs[2] = {sec, sec};
	const struct fl_firmware fw = {
		.text = &text, .funcs = funcs, .nfuncs = 1 + nfuncs, .abbrev = abbrev, .info = info, .code_len = HIGH,
		.extra = secs, .nextra = x != NULL && x->section != NULL ? 1u + x->twice : 0u,
	};
	char *path;

	assert_non_null(funcs);
	fl_buf_put(&text, code, sizeof(code));
	funcs[0] = (struct fl_elf_func){"deep_scopes", 5, HIGH - 4};
	for (size_t i = 0; i < nfuncs; i++)
		funcs[1 + i] = (struct fl_elf_func){x->funcs[i], FUNC_AT(i), FUNC_SIZE};
	if (x != NULL && x->section_data != NULL)
		fl_buf_put(&extra, x->section_data->p, x->section_data->n);
	else
		fl_buf_le(&extra, 0, 4);
	path = fl_elf_firmware(&fw);
	free(text.p), free(extra.p), free(funcs);
	return path;
}

/* fa_elf_open() of an ELF with this .debug_abbrev (NULL: put_abbrevs()) and .debug_info; err filled. Returns its
 * result. */
static int open_elf(const struct fl_buf *abbrev, const struct fl_buf *info, const struct elf_extra *x,
		    struct ff_error *err, struct fa_elf **out)
{
	struct fl_buf own = {0};
	char *path;
	int rc;

	if (abbrev == NULL)
		put_abbrevs(&own);
	path = write_elf(abbrev != NULL ? abbrev : &own, info, x);
	memset(err, 0, sizeof(*err));
	rc = fa_elf_open(out, path, err);
	unlink(path);
	free(path);
	free(own.p);
	return rc;
}

static int open_with(const struct fl_buf *abbrev, const struct fl_buf *info, struct ff_error *err, struct fa_elf **out)
{
	return open_elf(abbrev, info, NULL, err, out);
}

static int open_info(const struct fl_buf *info, struct ff_error *err, struct fa_elf **out)
{
	return open_with(NULL, info, err, out);
}

/* fa_elf_open() with this .debug_abbrev (NULL: put_abbrevs()) fails with code and a message that holds want. */
static void assert_refused_with(const struct fl_buf *abbrev, const struct fl_buf *info, int code, const char *want)
{
	struct ff_error err;
	struct fa_elf *e = NULL;

	assert_int_equal(open_with(abbrev, info, &err, &e), code);
	assert_null(e);
	if (strstr(err.msg, want) == NULL)
		fail_msg("message \"%s\" does not say \"%s\"", err.msg, want);
}

/* fa_elf_open() fails with code and a message that holds want. */
static void assert_refused(const struct fl_buf *info, int code, const char *want)
{
	assert_refused_with(NULL, info, code, want);
}

/* fa_elf_open() in a thread with an 8 MiB stack of our own, then the function at an address: dwarf_getscopes()
 * walks the unit down to its deepest DIE. */
struct in_thread {
	const struct fl_buf *info;
	int rc;
	struct fa_sym sym;
	size_t nsyms;
};

static void *open_and_symbolize(void *arg)
{
	struct in_thread *t = arg;
	struct ff_error err;
	struct fa_elf *e = NULL;

	t->rc = open_info(t->info, &err, &e);
	if (t->rc == 0)
		t->nsyms = fa_elf_symbolize(e, 0x1000, &t->sym, 1);
	fa_elf_close(e);
	return NULL;
}

#define THREAD_STACK (8u << 20)

/* A unit nested right to the limit is read, and the stack it takes libdw to walk it is a small part of 8 MiB. */
static void depth_at_the_limit_fits_a_thread_stack(void **state)
{
	struct fl_buf info = {0};
	struct in_thread t = {.info = &info, .rc = -1};
	uint8_t *stack = mmap(NULL, THREAD_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_attr_t attr;
	pthread_t thread;
	size_t untouched = 0;

	(void)state;
	assert_true(stack != MAP_FAILED);
	memset(stack, 0x5a, THREAD_STACK);
	put_deep_unit(&info, DEPTH_MAX);
	assert_int_equal(pthread_attr_init(&attr), 0);
	assert_int_equal(pthread_attr_setstack(&attr, stack, THREAD_STACK), 0);
	assert_int_equal(pthread_create(&thread, &attr, open_and_symbolize, &t), 0);
	assert_int_equal(pthread_join(thread, NULL), 0);
	while (untouched < THREAD_STACK && stack[untouched] == 0x5a) /* the stack grows down */
		untouched++;
	print_message("stack used opening and symbolizing a unit %d deep: %zu KiB of %u\n", DEPTH_MAX,
		      (THREAD_STACK - untouched) >> 10, THREAD_STACK >> 10);
	assert_int_equal(t.rc, 0);
	assert_int_equal(t.nsyms, 1);
	assert_string_equal(t.sym.function, "deep_scopes");
	assert_true(THREAD_STACK - untouched < THREAD_STACK / 8);
	pthread_attr_destroy(&attr);
	munmap(stack, THREAD_STACK);
	free(info.p);
}

static void depth_past_the_limit_is_refused(void **state)
{
	struct fl_buf info = {0};

	(void)state;
	put_deep_unit(&info, DEPTH_MAX + 1);
	assert_refused(&info, FF_ERR_TOO_LARGE, "its DWARF nests DIEs 257 deep (unit at 0x0 in .debug_info), more "
			"than the 256 faultline reads: refused");
	free(info.p);
}

/* Units of every header kind (DWARF 2 with 8-byte addresses, 4, 5 skeleton and type units with 64-bit offsets)
 * and a DIE of every form are skipped exactly: the last unit, 257 deep, is found and named. One byte wrong
 * anywhere would fail otherwise. With it 256 deep, the ELF opens. */
static void put_every_kind(struct fl_buf *b, unsigned last_depth, size_t *last)
{
	size_t at, len_at;

	at = b->n; /* DWARF 2, 8-byte addresses: ref_addr is address-sized */
	fl_buf_le(b, 0, 4), fl_buf_le(b, 2, 2), fl_buf_le(b, 0, 4), fl_buf_le(b, 8, 1);
	fl_buf_uleb(b, A_IMPORT), fl_buf_le(b, 0xffffffffffffffffull, 8); /* no unit: libdw follows no import there */
	fl_dwarf_unit_end(b, at);
	at = b->n; /* DWARF 5 skeleton unit, 64-bit: dwo_id; every form */
	fl_buf_le(b, 0xffffffff, 4), len_at = b->n, fl_buf_le(b, 0, 8);
	fl_buf_le(b, 5, 2), fl_buf_le(b, 4 /* skeleton */, 1);
	fl_buf_le(b, 4, 1), fl_buf_le(b, 0, 8), fl_buf_fill(b, 0xff, 8);
	put_cu_die(b);
	put_every_form_value(b);
	/* a DIE whose sibling is after its child block, the block's 0 and its own */
	fl_buf_uleb(b, A_SIBLING), fl_buf_le(b, b->n + 4 + 9 + 1 + 1 - at, 4);
	put_blocks(b, 1), fl_buf_le(b, 0, 1);
	fl_buf_uleb(b, A_BLOCK), fl_buf_le(b, 0, 4), fl_buf_le(b, HIGH, 4), fl_buf_le(b, 0, 1);
	fl_buf_le(b, 0, 1);
	for (unsigned i = 0; i < 8; i++)
		b->p[len_at + i] = (uint8_t)((b->n - len_at - 8) >> (8 * i));
	at = b->n; /* DWARF 5 type unit, 32-bit: signature, type offset */
	fl_buf_le(b, 0, 4), fl_buf_le(b, 5, 2), fl_buf_le(b, 2 /* type */, 1), fl_buf_le(b, 4, 1), fl_buf_le(b, 0, 4);
	fl_buf_fill(b, 0xff, 12);
	put_cu_die(b), put_blocks(b, 3), fl_buf_le(b, 0, 1);
	fl_dwarf_unit_end(b, at);
	*last = b->n;
	put_deep_unit(b, last_depth);
}

static void every_form_and_header_is_skipped(void **state)
{
	struct fl_buf info = {0};
	struct ff_error err;
	struct fa_elf *e = NULL;
	char want[128];
	size_t last;

	(void)state;
	put_every_kind(&info, DEPTH_MAX + 1, &last);
	snprintf(want, sizeof(want), "nests DIEs 257 deep (unit at 0x%zx in .debug_info)", last);
	assert_refused(&info, FF_ERR_TOO_LARGE, want);
	info.n = 0;
	put_every_kind(&info, DEPTH_MAX, &last);
	if (open_info(&info, &err, &e) != 0)
		fail_msg("%s", err.msg);
	fa_elf_close(e);
	free(info.p);
}

static void unknown_form_is_refused(void **state)
{
	struct fl_buf abbrev = {0}, info = {0};
	struct ff_error err = {0};
	struct fa_elf *e = NULL;
	size_t at;
	char *path;

	(void)state;
	fl_buf_uleb(&abbrev, 1), fl_buf_uleb(&abbrev, TAG_CU), fl_buf_le(&abbrev, 0, 1);
	fl_buf_uleb(&abbrev, AT_NAME), fl_buf_uleb(&abbrev, 0x99), fl_buf_le(&abbrev, 0, 3);
	at = fl_dwarf_unit_begin(&info);
	fl_buf_uleb(&info, 1), fl_buf_le(&info, 0, 4);
	fl_dwarf_unit_end(&info, at);
	path = write_elf(&abbrev, &info, NULL);
	assert_int_equal(fa_elf_open(&e, path, &err), FF_ERR_MALFORMED);
	assert_non_null(strstr(err.msg, "the DWARF unit at 0x0 in .debug_info has a DIE (at 0xb) with attribute form "
				   "0x99, which faultline does not know"));
	unlink(path);
	free(path), free(abbrev.p), free(info.p);
}

static void missing_abbreviation_is_refused(void **state)
{
	struct fl_buf info = {0};
	size_t at;

	(void)state;
	put_deep_unit(&info, 3);
	at = fl_dwarf_unit_begin(&info);
	put_cu_die(&info);
	fl_buf_uleb(&info, 9), fl_buf_le(&info, 0, 1);
	fl_dwarf_unit_end(&info, at);
	assert_refused(&info, FF_ERR_MALFORMED, "the DWARF unit at 0x30 in .debug_info has a DIE (at 0x4b) of "
		       "abbreviation code 9, which its table at 0x0 does not define");
	free(info.p);
}

/* A unit whose last DIE runs past its end (the section ends with the unit), and one whose length runs past the
 * section's end. */
static void cut_unit_is_refused(void **state)
{
	struct fl_buf info = {0};

	(void)state;
	put_deep_unit(&info, 3);
	info.n -= 3 + 2; /* the 0s, and 2 bytes of the innermost block's high_pc */
	fl_dwarf_unit_end(&info, 0);
	assert_refused(&info, FF_ERR_MALFORMED, "the DWARF unit at 0x0 in .debug_info is cut short: its DIE at 0x24 "
		       "runs past its end");
	info.n = 0;
	put_deep_unit(&info, 3);
	info.n -= 1;
	assert_refused(&info, FF_ERR_MALFORMED, "the DWARF unit at 0x0 in .debug_info is cut short: its header or its "
		       "length runs past the section's end");
	free(info.p);
}

/* A DW_AT_sibling that points back: libdw would walk the same DIEs again, deeper each time. */
static void sibling_elsewhere_is_refused(void **state)
{
	struct fl_buf info = {0};
	size_t at = fl_dwarf_unit_begin(&info);

	(void)state;
	put_cu_die(&info);
	fl_buf_uleb(&info, A_SIBLING), fl_buf_le(&info, 0x1b, 4); /* itself */
	put_blocks(&info, 1), fl_buf_le(&info, 0, 1);
	fl_buf_uleb(&info, A_BLOCK), fl_buf_le(&info, 0, 4), fl_buf_le(&info, HIGH, 4), fl_buf_le(&info, 0, 2);
	fl_dwarf_unit_end(&info, at);
	assert_refused(&info, FF_ERR_MALFORMED, "has a DW_AT_sibling pointing to 0x1b, which is not the next sibling "
		       "(at 0x2b)");
	free(info.p);
}

/* libdw keeps abbreviation codes, tags, attribute names and forms in 32 bits: code 0x100000001 would be code 1 to
 * it, and a deep tree of them would pass a scan that read 64. Each is refused past 32 bits. */
static void values_past_32_bits_are_refused(void **state)
{
	static const struct {
		uint64_t code, tag, name, form;
		const char *want;
	} k_cases[] = {
		{0x100000001, TAG_CU, AT_NAME, FORM_STRING, "has an abbreviation code or tag of 0x100000001, past 32"},
		{1, 0x100000000 | TAG_CU, AT_NAME, FORM_STRING, "has an abbreviation code or tag of 0x100000011, past"},
		{1, TAG_CU, 0x100000000 | AT_NAME, FORM_STRING, "has an attribute name or form of 0x100000003, past"},
		{1, TAG_CU, AT_NAME, 0x100000000 | FORM_STRING, "has an attribute name or form of 0x100000008, past"},
	};
	struct fl_buf abbrev = {0}, info = {0};
	size_t at;

	(void)state;
	at = fl_dwarf_unit_begin(&info);
	fl_buf_uleb(&info, 1), fl_buf_put(&info, "u.c", 4), fl_buf_le(&info, 0, 1);
	fl_dwarf_unit_end(&info, at);
	for (size_t i = 0; i < sizeof(k_cases) / sizeof(k_cases[0]); i++) {
		abbrev.n = 0;
		fl_buf_uleb(&abbrev, k_cases[i].code), fl_buf_uleb(&abbrev, k_cases[i].tag), fl_buf_le(&abbrev, 0, 1);
		fl_buf_uleb(&abbrev, k_cases[i].name), fl_buf_uleb(&abbrev, k_cases[i].form), fl_buf_le(&abbrev, 0, 3);
		assert_refused_with(&abbrev, &info, FF_ERR_MALFORMED, k_cases[i].want);
	}
	/* a DIE's code: 1 to libdw, which would find A_CU */
	info.n = 0;
	at = fl_dwarf_unit_begin(&info);
	put_cu_die(&info);
	fl_buf_uleb(&info, 0x100000000 | A_BLOCK), fl_buf_le(&info, 0, 4);
	fl_buf_le(&info, HIGH, 4), fl_buf_le(&info, 0, 2);
	fl_dwarf_unit_end(&info, at);
	assert_refused(&info, FF_ERR_MALFORMED, "the DWARF unit at 0x0 in .debug_info has a DIE abbreviation code of "
		       "0x100000002, past 32 bits");
	free(abbrev.p), free(info.p);
}

/* An abbreviation with two DW_AT_sibling: libdw follows the first (here pointing at the DIE itself, so
 * dwarf_siblingof() would loop), a scan checking only the last would pass it. */
static void two_siblings_are_refused(void **state)
{
	struct fl_buf abbrev = {0}, info = {0};
	size_t at;

	(void)state;
	put_abbrevs(&abbrev);
	abbrev.n--; /* the table's end */
	fl_buf_uleb(&abbrev, 7), fl_buf_uleb(&abbrev, TAG_BLOCK), fl_buf_le(&abbrev, 0, 1);
	fl_buf_uleb(&abbrev, AT_SIBLING), fl_buf_uleb(&abbrev, FORM_REF4);
	fl_buf_uleb(&abbrev, AT_SIBLING), fl_buf_uleb(&abbrev, FORM_REF4), fl_buf_le(&abbrev, 0, 3);
	at = fl_dwarf_unit_begin(&info);
	put_cu_die(&info);
	fl_buf_uleb(&info, 7), fl_buf_le(&info, 0x1b, 4), fl_buf_le(&info, 0x24, 4); /* itself, then the next DIE */
	fl_buf_uleb(&info, A_BLOCK), fl_buf_le(&info, 0, 4), fl_buf_le(&info, HIGH, 4), fl_buf_le(&info, 0, 2);
	fl_dwarf_unit_end(&info, at);
	assert_refused_with(&abbrev, &info, FF_ERR_MALFORMED, "the DWARF unit at 0x0 in .debug_info has abbreviation 7 "
			    "with two DW_AT_sibling");
	free(abbrev.p), free(info.p);
}

/* Addresses of 2 bytes: libdw would read them as 8, so the scan's DIEs would not be libdw's. */
static void odd_address_size_is_refused(void **state)
{
	struct fl_buf info = {0};

	(void)state;
	put_deep_unit(&info, 3);
	info.p[10] = 2; /* the header's address size */
	assert_refused(&info, FF_ERR_UNSUPPORTED, "the DWARF unit at 0x0 in .debug_info has addresses of 2 bytes: "
		       "faultline reads 4 or 8");
	free(info.p);
}

/* Units sharing one table of many attributes, alternately DWARF 4 and 2 (DW_FORM_ref_addr sizes differ): the
 * table is sized once for each, not once a unit (40,000 units x 50,000 attributes took seconds). */
static void shared_table_is_sized_once_per_kind(void **state)
{
	struct fl_buf abbrev = {0}, info = {0};
	struct ff_error err;
	struct fa_elf *e = NULL;
	struct timespec t0, t1;
	double ms;

	(void)state;
	put_abbrevs(&abbrev);
	abbrev.n--; /* the table's end */
	fl_buf_uleb(&abbrev, 7), fl_buf_uleb(&abbrev, TAG_VARIABLE), fl_buf_le(&abbrev, 0, 1);
	for (unsigned i = 0; i < 50000; i++)
		fl_buf_uleb(&abbrev, 0x2000), fl_buf_uleb(&abbrev, FORM_REF_ADDR);
	fl_buf_le(&abbrev, 0, 3);
	put_deep_unit(&info, 3);
	for (unsigned i = 0; i < 40000; i++) {
		size_t at = fl_dwarf_unit_begin(&info);

		info.p[at + 4] = i % 2 != 0 ? 4 : 2; /* the version */
		fl_buf_uleb(&info, A_PARTIAL), fl_buf_le(&info, 0, 1);
		fl_dwarf_unit_end(&info, at);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (open_with(&abbrev, &info, &err, &e) != 0)
		fail_msg("%s", err.msg);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fa_elf_close(e);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	print_message("opened 40,000 units sharing a table of 50,000 attributes in %.1f ms\n", ms);
	assert_true(ms < 1000);
	free(abbrev.p), free(info.p);
}

/* A unit that ends inside a DIE whose DW_AT_sibling points to the unit's end (libdw reads no 0s there), then a
 * unit with a DIE at that depth and no sibling: what the scan expects of one unit's siblings (cleared only as
 * deep as each unit goes) says nothing of the next's. */
static void sibling_at_a_unit_end_is_read(void **state)
{
	struct fl_buf info = {0};
	struct ff_error err;
	struct fa_elf *e = NULL;
	size_t at = fl_dwarf_unit_begin(&info);

	(void)state;
	put_cu_die(&info);
	fl_buf_uleb(&info, A_SIBLING), fl_buf_le(&info, 0x1b + 5, 4); /* the unit's end, right after it */
	fl_dwarf_unit_end(&info, at);
	at = fl_dwarf_unit_begin(&info);
	put_cu_die(&info);
	put_blocks(&info, 2), fl_buf_le(&info, 0, 1);
	fl_dwarf_unit_end(&info, at);
	if (open_info(&info, &err, &e) != 0)
		fail_msg("%s", err.msg);
	fa_elf_close(e);
	free(info.p);
}

/* A DWARF package file (.dwp): libdw finds a unit's abbreviations through its .debug_cu_index, which the scan does
 * not read. */
static void package_file_is_refused(void **state)
{
	static const char *const k_index[] = {".debug_cu_index", ".debug_tu_index"};
	struct fl_buf info = {0};

	(void)state;
	put_deep_unit(&info, 3);
	for (size_t i = 0; i < 2; i++) {
		struct elf_extra x = {.section = k_index[i]};
		struct ff_error err;
		struct fa_elf *e = NULL;
		char want[96];

		assert_int_equal(open_elf(NULL, &info, &x, &err, &e), FF_ERR_UNSUPPORTED);
		assert_null(e);
		snprintf(want, sizeof(want), "is a DWARF package file (%s)", k_index[i]);
		if (strstr(err.msg, want) == NULL)
			fail_msg("message \"%s\" does not say \"%s\"", err.msg, want);
	}
	free(info.p);
}

/* An object file or a core instead of the linked firmware: their addresses are not the code's. */
static void other_elf_types_are_refused(void **state)
{
	static const struct {
		uint16_t type;
		const char *want;
	} k_cases[] = {{1, "is an object file (ET_REL), not a linked executable"},
		       {4, "is a core file (ET_CORE), not a linked executable"},
		       {0x42, "is of an unknown ELF type, not a linked executable"}};
	struct fl_buf abbrev = {0}, info = {0};

	(void)state;
	put_abbrevs(&abbrev);
	put_deep_unit(&info, 3);
	for (size_t i = 0; i < sizeof(k_cases) / sizeof(k_cases[0]); i++) {
		char *path = write_elf(&abbrev, &info, NULL);
		uint8_t type[2] = {(uint8_t)k_cases[i].type, (uint8_t)(k_cases[i].type >> 8)};
		FILE *f = fopen(path, "r+b");
		struct ff_error err;
		struct fa_elf *e = NULL;

		assert_non_null(f);
		assert_int_equal(fseek(f, 16, SEEK_SET), 0); /* e_type */
		assert_int_equal(fwrite(type, 1, 2, f), 2);
		assert_int_equal(fclose(f), 0);
		assert_int_equal(fa_elf_open(&e, path, &err), FF_ERR_UNSUPPORTED);
		assert_null(e);
		if (strstr(err.msg, k_cases[i].want) == NULL)
			fail_msg("message \"%s\" does not say \"%s\"", err.msg, k_cases[i].want);
		unlink(path);
		free(path);
	}
	free(abbrev.p);
	free(info.p);
}

/* A function in a namespace, after a structure holding another (as C++ puts them): found inside both containers,
 * which have no code range of their own, by its DWARF name rather than the symbol's. */
static void function_in_a_namespace_is_found(void **state)
{
	enum { A_NAMESPACE = 7, A_STRUCT, A_SUBPROGRAM };
	struct fl_buf abbrev = {0}, info = {0};
	struct ff_error err;
	struct fa_elf *e = NULL;
	struct fa_sym sym[2];
	size_t at;

	(void)state;
	put_abbrevs(&abbrev);
	abbrev.n--; /* the table's end */
	fl_buf_uleb(&abbrev, A_NAMESPACE), fl_buf_uleb(&abbrev, 0x39);
	fl_buf_le(&abbrev, 1, 1), fl_buf_le(&abbrev, 0, 2);
	fl_buf_uleb(&abbrev, A_STRUCT), fl_buf_uleb(&abbrev, 0x13), fl_buf_le(&abbrev, 1, 1), fl_buf_le(&abbrev, 0, 2);
	fl_buf_uleb(&abbrev, A_SUBPROGRAM), fl_buf_uleb(&abbrev, 0x2e), fl_buf_le(&abbrev, 0, 1);
	fl_buf_uleb(&abbrev, AT_NAME), fl_buf_uleb(&abbrev, FORM_STRING), fl_buf_uleb(&abbrev, AT_LOW_PC);
	fl_buf_uleb(&abbrev, FORM_ADDR), fl_buf_uleb(&abbrev, AT_HIGH_PC), fl_buf_uleb(&abbrev, FORM_DATA4);
	fl_buf_le(&abbrev, 0, 3);
	at = fl_dwarf_unit_begin(&info);
	put_cu_die(&info);
	fl_buf_uleb(&info, A_NAMESPACE);
	fl_buf_uleb(&info, A_STRUCT);
	fl_buf_uleb(&info, A_SUBPROGRAM), fl_buf_put(&info, "other", 6), fl_buf_le(&info, 0, 4), fl_buf_le(&info, 4, 4);
	fl_buf_le(&info, 0, 1); /* the structure's end */
	fl_buf_uleb(&info, A_SUBPROGRAM), fl_buf_put(&info, "ns_function", 12);
	fl_buf_le(&info, 0, 4), fl_buf_le(&info, HIGH, 4);
	fl_buf_le(&info, 0, 2); /* the namespace's, the unit DIE's */
	fl_dwarf_unit_end(&info, at);
	if (open_with(&abbrev, &info, &err, &e) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(fa_elf_symbolize(e, 0x1000, sym, 2), 1);
	assert_string_equal(sym[0].function, "ns_function");
	assert_false(sym[0].inlined);
	fa_elf_close(e);
	free(abbrev.p), free(info.p);
}

/* Functions for tail_call_search_is_bounded(): f00-f29 tail-call each other; f30 calls f00 and f32; f32 tail-calls
 * f33, which tail-calls f31. */
#define CLIQUE 30
#define TAIL_FUNCS (CLIQUE + 4)

static size_t tail_call_count(unsigned i)
{
	return i < CLIQUE ? CLIQUE - 1 : i == CLIQUE ? 2 : i == CLIQUE + 1 ? 0 : 1;
}

/* Call site k of function i: its target, return pc, whether a tail call. */
static void tail_call_of(unsigned i, unsigned k, unsigned *to, uint32_t *ret, bool *tail)
{
	*tail = i != CLIQUE;
	*ret = FUNC_AT(i) + 0x10 * (k + 1);
	if (i < CLIQUE)
		*to = k < i ? k : k + 1;
	else if (i == CLIQUE)
		*to = k == 0 ? 0 : CLIQUE + 2;
	else
		*to = i == CLIQUE + 2 ? CLIQUE + 3 : CLIQUE + 1;
}

/* The search over tail calls gives up after so many call sites: 30 functions tail-calling each other (29^7 paths)
 * take no time and give nothing, while a chain a -> b -> goal elsewhere in the file is still found. */
static void tail_call_search_is_bounded(void **state)
{
	enum { A_FUNC = 7, A_TAIL, A_CALL };
	static char names[TAIL_FUNCS][4];
	const char *funcs[TAIL_FUNCS];
	struct fl_buf abbrev = {0}, info = {0};
	struct elf_extra x = {.funcs = funcs, .nfuncs = TAIL_FUNCS};
	size_t off[TAIL_FUNCS], at;
	struct ff_error err;
	struct fa_elf *e = NULL;
	struct fa_sym out[8];
	struct timespec t0, t1;
	double ms;

	(void)state;
	put_abbrevs(&abbrev);
	abbrev.n--; /* the table's end */
	fl_buf_uleb(&abbrev, A_FUNC), fl_buf_uleb(&abbrev, 0x2e /* subprogram */), fl_buf_le(&abbrev, 1, 1);
	fl_buf_uleb(&abbrev, AT_NAME), fl_buf_uleb(&abbrev, FORM_STRING), fl_buf_uleb(&abbrev, AT_LOW_PC);
	fl_buf_uleb(&abbrev, FORM_ADDR), fl_buf_uleb(&abbrev, AT_HIGH_PC), fl_buf_uleb(&abbrev, FORM_DATA4);
	fl_buf_le(&abbrev, 0, 2);
	for (unsigned tail = 1; tail <= 2; tail++) { /* call_site: call_origin, [call_tail_call,] call_return_pc */
		fl_buf_uleb(&abbrev, tail == 1 ? A_TAIL : A_CALL), fl_buf_uleb(&abbrev, 0x48), fl_buf_le(&abbrev, 0, 1);
		fl_buf_uleb(&abbrev, 0x7f), fl_buf_uleb(&abbrev, FORM_REF4);
		if (tail == 1)
			fl_buf_uleb(&abbrev, 0x82), fl_buf_uleb(&abbrev, 0x19 /* flag_present */);
		fl_buf_uleb(&abbrev, 0x7d), fl_buf_uleb(&abbrev, FORM_ADDR), fl_buf_le(&abbrev, 0, 2);
	}
	fl_buf_le(&abbrev, 0, 1);
	at = fl_dwarf_unit_begin(&info);
	put_cu_die(&info);
	for (unsigned i = 0, o = (unsigned)info.n; i < TAIL_FUNCS; i++) { /* where each function's DIE will be */
		snprintf(names[i], sizeof(names[i]), "f%02u", i);
		funcs[i] = names[i];
		off[i] = o;
		o += 13 + 9 * (unsigned)tail_call_count(i) + 1;
	}
	for (unsigned i = 0; i < TAIL_FUNCS; i++) {
		assert_int_equal(info.n, off[i]);
		fl_buf_uleb(&info, A_FUNC), fl_buf_put(&info, names[i], 4), fl_buf_le(&info, FUNC_AT(i), 4);
		fl_buf_le(&info, FUNC_SIZE, 4);
		for (unsigned k = 0; k < tail_call_count(i); k++) {
			unsigned to;
			uint32_t ret;
			bool tail;

			tail_call_of(i, k, &to, &ret, &tail);
			fl_buf_uleb(&info, tail ? A_TAIL : A_CALL), fl_buf_le(&info, off[to] - at, 4);
			fl_buf_le(&info, ret, 4);
		}
		fl_buf_le(&info, 0, 1);
	}
	fl_buf_le(&info, 0, 1);
	fl_dwarf_unit_end(&info, at);
	if (open_elf(&abbrev, &info, &x, &err, &e) != 0)
		fail_msg("%s", err.msg);
	/* f31 called from f30's second call site (to f32): f32 then f33 tail-called on the way, innermost first */
	assert_int_equal(fa_elf_tail_calls(e, FUNC_AT(CLIQUE + 1) + 4, FUNC_AT(CLIQUE) + 0x20, out, 8), 2);
	assert_string_equal(out[0].function, "f33");
	assert_string_equal(out[1].function, "f32");
	/* f31 called from f30's first (to f00): no chain, among more paths than the search walks */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(fa_elf_tail_calls(e, FUNC_AT(CLIQUE + 1) + 4, FUNC_AT(CLIQUE) + 0x10, out, 8), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	print_message("tail-call search among 30 functions calling each other: %.1f ms\n", ms);
	assert_true(ms < 2000);
	fa_elf_close(e);
	free(abbrev.p), free(info.p);
}

/* A compile unit importing a chain of n partial units, each 100 blocks deep and importing the next from its
 * innermost block; with cycle, the last imports the first. */
static void put_imports(struct fl_buf *b, unsigned n, bool cycle)
{
	size_t at = fl_dwarf_unit_begin(b), first = at + 11 + 16 + 1 + 4 + 1 + 11; /* the first partial unit's DIE */

	put_cu_die(b);
	fl_buf_uleb(b, A_IMPORT), fl_buf_le(b, first, 4), fl_buf_le(b, 0, 1);
	fl_dwarf_unit_end(b, at);
	for (unsigned i = 0; i < n; i++) {
		at = fl_dwarf_unit_begin(b);
		fl_buf_uleb(b, A_PARTIAL);
		for (unsigned k = 0; k < 100; k++)
			fl_buf_uleb(b, A_BLOCK), fl_buf_le(b, 0, 4), fl_buf_le(b, HIGH, 4);
		if (i + 1 < n || cycle) /* the next unit's DIE: after this unit's 0s and the next header */
			fl_buf_uleb(b, A_IMPORT), fl_buf_le(b, i + 1 < n ? b->n + 4 + 101 + 11 : first, 4);
		fl_buf_fill(b, 0, 101);
		fl_dwarf_unit_end(b, at);
	}
}

/* DIEs imported count where they are imported: two partial units under a compile unit are read, three are not. */
static void imports_add_their_depth(void **state)
{
	struct fl_buf info = {0};
	struct ff_error err;
	struct fa_elf *e = NULL;

	(void)state;
	put_imports(&info, 2, false); /* 2 (the import) + 102 (the next import) + 101 */
	if (open_info(&info, &err, &e) != 0)
		fail_msg("%s", err.msg);
	fa_elf_close(e);
	info.n = 0;
	put_imports(&info, 3, false);
	assert_refused(&info, FF_ERR_TOO_LARGE, "its DWARF nests DIEs 307 deep (unit at 0x0 in .debug_info, through "
		       "the units it imports), more than the 256 faultline reads: refused");
	info.n = 0;
	put_imports(&info, 2, true);
	assert_refused(&info, FF_ERR_MALFORMED, "imports units in a cycle (DW_TAG_imported_unit)");
	free(info.p);
}

/* ---- a corrupt ELF held open, as a worker holds one: failed lookups must not cost memory each ---- */

#if defined(__SANITIZE_ADDRESS__)
size_t __sanitizer_get_current_allocated_bytes(void); /* the ASan runtime's (sanitizer/allocator_interface.h) */

static size_t heap_in_use(void)
{
	return __sanitizer_get_current_allocated_bytes();
}
#else
static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}
#endif

#define INLINED_MAX 512u  /* code ranges kept: the lookups below walk them all */
#define ORIGINS_MAX 2048u /* every inlined subroutine of this test (about 700) */

/* This executable's inlined subroutines: their code ranges, and the file offsets of their DW_AT_abstract_origin. */
struct inlined {
	uint64_t lo[INLINED_MAX], hi[INLINED_MAX];
	size_t nranges;
	off_t origin[ORIGINS_MAX];
	size_t norigins;
};

static void find_inlined(Dwarf_Die *die, const Elf_Data *info, off_t info_offset, struct inlined *in)
{
	Dwarf_Die child;

	if (dwarf_child(die, &child) != 0)
		return;
	do {
		Dwarf_Attribute attr;
		Dwarf_Addr base, lo, hi;
		ptrdiff_t next = 0;

		if (dwarf_tag(&child) == DW_TAG_inlined_subroutine &&
		    dwarf_attr(&child, DW_AT_abstract_origin, &attr) != NULL && attr.form == DW_FORM_ref4) {
			assert_true(attr.valp >= (unsigned char *)info->d_buf &&
				    attr.valp + 4 <= (unsigned char *)info->d_buf + info->d_size);
			assert_true(in->norigins < ORIGINS_MAX);
			in->origin[in->norigins++] = info_offset + (attr.valp - (unsigned char *)info->d_buf);
			while ((next = dwarf_ranges(&child, next, &base, &lo, &hi)) > 0 && in->nranges < INLINED_MAX) {
				in->lo[in->nranges] = lo;
				in->hi[in->nranges++] = hi;
			}
		}
		find_inlined(&child, info, info_offset, in);
	} while (dwarf_siblingof(&child, &child) == 0);
}

static void scan_self(struct inlined *in)
{
	int fd = open("/proc/self/exe", O_RDONLY);
	Dwarf *dw = fd >= 0 ? dwarf_begin(fd, DWARF_C_READ) : NULL;
	Elf *elf = dw != NULL ? dwarf_getelf(dw) : NULL;
	Elf_Scn *scn = NULL;
	const Elf_Data *info = NULL;
	off_t info_offset = 0;
	size_t strndx;
	Dwarf_Off off = 0, next;
	size_t hsize;

	assert_non_null(elf);
	assert_int_equal(elf_getshdrstrndx(elf, &strndx), 0);
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		const char *name;

		if (gelf_getshdr(scn, &sh) != NULL && (name = elf_strptr(elf, strndx, sh.sh_name)) != NULL &&
		    strcmp(name, ".debug_info") == 0) {
			assert_false(sh.sh_flags & SHF_COMPRESSED); /* its file bytes are libdw's */
			info = elf_getdata(scn, NULL);
			info_offset = (off_t)sh.sh_offset;
		}
	}
	assert_non_null(info);
	memset(in, 0, sizeof(*in));
	for (; dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0; off = next) {
		Dwarf_Die cu;

		if (dwarf_offdie(dw, off + hsize, &cu) != NULL)
			find_inlined(&cu, info, info_offset, in);
	}
	dwarf_end(dw);
	close(fd);
}

/* A copy of this executable whose inlined subroutines all name an abstract origin past the end of their CU. */
static void write_broken_origins(char *path, const struct inlined *in)
{
	static const uint8_t past_the_end[4] = {0xf0, 0xff, 0xff, 0xff}; /* a DW_FORM_ref4, little-endian */
	FILE *f = fopen("/proc/self/exe", "rb");
	uint8_t *bytes = malloc(16u << 20);
	size_t len;
	int fd;

	assert_non_null(f);
	assert_non_null(bytes);
	len = fread(bytes, 1, 16u << 20, f);
	fclose(f);
	assert_true(len > 0 && len < 16u << 20);
	for (size_t i = 0; i < in->norigins; i++)
		memcpy(bytes + in->origin[i], past_the_end, sizeof(past_the_end));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, len), (ssize_t)len);
	close(fd);
	free(bytes);
}

static bool is_inlined(const struct inlined *in, uint64_t addr)
{
	for (size_t i = 0; i < in->nranges; i++)
		if (addr >= in->lo[i] && addr < in->hi[i])
			return true;
	return false;
}

/* Every address inside inlined code, each asked once (so never from the cache), for its inline chain and for tail
 * calls: the heap grows by less than 4 bytes an address. libdw's dwarf_getscopes() lost 32 bytes a scope at each
 * (the array it allocates, when the inlined subroutine's abstract origin cannot be found). Odd addresses first, to
 * let libdw build what it builds once per CU; then the even ones are measured. */
static void corrupt_elf_lookups_keep_no_memory(void **state)
{
	static struct inlined in;
	char path[] = "/tmp/test_elf-XXXXXX";
	struct ff_error err = {0};
	struct fa_elf *e = NULL;
	struct fa_sym out[8];
	uint64_t lo = UINT64_MAX, hi = 0;
	size_t asked = 0, before = 0;

	(void)state;
	scan_self(&in);
	assert_true(in.norigins >= CHAIN_LEN - 1 && in.nranges > 0);
	write_broken_origins(path, &in);
	if (fa_elf_open(&e, path, &err) != 0)
		fail_msg("fa_elf_open(%s): %s", path, err.msg);
	unlink(path);
	/* the corruption took */
	assert_true(fa_elf_symbolize(e, call_address(), out, 8) >= 1);
	assert_string_not_equal(out[0].function, k_chain[0]);
	for (size_t i = 0; i < in.nranges; i++) {
		lo = in.lo[i] < lo ? in.lo[i] : lo;
		hi = in.hi[i] > hi ? in.hi[i] : hi;
	}
	for (int odd = 1; odd >= 0; odd--) {
		if (!odd)
			before = heap_in_use();
		for (uint64_t a = (lo & ~(uint64_t)1) + (uint64_t)odd; a < hi; a += 2) {
			if (!is_inlined(&in, a))
				continue;
			fa_elf_symbolize(e, a, out, 8);
			fa_elf_tail_calls(e, a, a, out, 8);
			asked += !odd;
		}
	}
	assert_true(asked >= 256);
	if (heap_in_use() > before + 4 * asked)
		fail_msg("%zu bytes kept over %zu lookups", heap_in_use() - before, asked);
	/* the chain is still there: the functions inlined at the call are unknown, the one they are in is not */
	assert_int_equal(fa_elf_symbolize(e, call_address(), out, 8), CHAIN_LEN);
	assert_string_equal(out[0].function, "?");
	assert_true(out[0].inlined);
	assert_true(out[1].line > 0); /* its call site */
	assert_string_equal(out[CHAIN_LEN - 1].function, "inline_outer");
	fa_elf_close(e);
}

/* This test's own metric key table (the __asm__ above), as the server reads a firmware's, and sections that are
 * not there. */
static void section_is_copied(void **state)
{
	static struct ff_metric_table table;
	struct fa_elf *e = open_self();
	struct ff_error err = {0};
	uint8_t out[FF_METRICS_TABLE_MAX];
	size_t len = 0;

	(void)state;
	if (fa_elf_section(e, FF_METRICS_SECTION, out, sizeof(out), &len, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(len, SELF_TABLE_LEN);
	assert_memory_equal(out, SELF_TABLE, SELF_TABLE_LEN);
	if (ff_metric_table_parse(&table, out, len, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(table.nkeys, 1);
	assert_string_equal(table.keys[0].name, "tx_packets");
	/* room for exactly its bytes, then one less */
	assert_int_equal(fa_elf_section(e, FF_METRICS_SECTION, out, SELF_TABLE_LEN, &len, &err), 0);
	len = 99;
	memset(out, 0xee, sizeof(out));
	assert_int_equal(fa_elf_section(e, FF_METRICS_SECTION, out, SELF_TABLE_LEN - 1, &len, &err), FF_ERR_TOO_LARGE);
	assert_string_equal(err.msg, "elf: section .faultline.metrics is 17 bytes (at most 16)");
	assert_int_equal(len, 99);
	assert_int_equal(out[0], 0xee);
	/* absent: not an error, and nothing written */
	memset(&err, 0, sizeof(err));
	assert_int_equal(fa_elf_section(e, ".faultline.metric", out, sizeof(out), &len, &err), FA_ELF_NO_SECTION);
	assert_int_equal(fa_elf_section(e, "", out, sizeof(out), &len, &err), FA_ELF_NO_SECTION);
	assert_string_equal(err.msg, "");
	assert_int_equal(len, 99);
	assert_int_equal(out[0], 0xee);
	fa_elf_close(e);
}

/* fa_elf_section(FF_METRICS_SECTION) of a written ELF with x: returns its result; out and *out_len filled. */
static int section_of(const struct elf_extra *x, uint8_t *out, size_t cap, size_t *out_len, struct ff_error *err)
{
	struct fl_buf info = {0};
	struct fa_elf *e = NULL;
	int rc;

	put_deep_unit(&info, 3);
	if (open_elf(NULL, &info, x, err, &e) != 0)
		fail_msg("%s", err->msg);
	memset(err, 0, sizeof(*err));
	rc = fa_elf_section(e, FF_METRICS_SECTION, out, cap, out_len, err);
	fa_elf_close(e);
	free(info.p);
	return rc;
}

static void section_problems(void **state)
{
	struct fl_buf table = {0}, empty = {0};
	struct elf_extra x = {.section = FF_METRICS_SECTION, .section_data = &table};
	struct ff_error err;
	uint8_t out[64];
	size_t len = 0;

	(void)state;
	fl_buf_put(&table, "FLMT\x01\x02gauge", 12);
	/* a firmware ELF without a table */
	assert_int_equal(section_of(NULL, out, sizeof(out), &len, &err), FA_ELF_NO_SECTION);
	/* with one, and with an empty one */
	assert_int_equal(section_of(&x, out, sizeof(out), &len, &err), 0);
	assert_int_equal(len, 12);
	assert_memory_equal(out, "FLMT\x01\x02gauge", 12);
	x.section_data = &empty;
	len = 99;
	assert_int_equal(section_of(&x, out, sizeof(out), &len, &err), 0);
	assert_int_equal(len, 0);
	/* no bytes in the file; two of them */
	x.section_data = &table;
	x.section_type = 8; /* SHT_NOBITS */
	assert_int_equal(section_of(&x, out, sizeof(out), &len, &err), FF_ERR_MALFORMED);
	assert_string_equal(err.msg, "elf: section .faultline.metrics is SHT_NOBITS: it has no bytes in the file");
	x.section_type = 0;
	x.twice = true;
	assert_int_equal(section_of(&x, out, sizeof(out), &len, &err), FF_ERR_MALFORMED);
	assert_string_equal(err.msg, "elf: two sections are named .faultline.metrics");
	free(table.p);
}

/* Return addresses after a BL, after a BLX Rm, after neither (BX Rm; BLX imm, which ARMv7-M does not have), below 4
 * (a BLX at 0 comes before 2), outside the code, inside a BL; the Thumb bit is ignored. */
static void follows_call_at(void **state)
{
	/* 0: blx r3; 2: bl; 6: nop; 8: nop; 10: blx r3; 12: blx (imm); 16: bx r3 */
	static const uint16_t k_code[] = {0x4798, 0xf000, 0xf800, 0xbf00, 0xbf00, 0x4798, 0xf000, 0xe800, 0x4718};
	static const struct {
		uint64_t ra;
		bool follows;
	} k_cases[] = {
		{6 | 1, true}, {6, true}, {12 | 1, true}, {2 | 1, true}, {3, true}, {8 | 1, false}, {10 | 1, false},
		{4 | 1, false}, {16 | 1, false}, {18 | 1, false}, {0, false}, {1, false}, {20 | 1, false},
		{0x1001, false}, {UINT64_MAX, false},
	};
	struct fl_buf text = {0};
	const struct fl_firmware fw = {.text = &text, .code_lo = 0x100, .code_len = 4};
	struct ff_error err = {0};
	struct fa_elf *e = NULL;
	char *path;

	(void)state;
	for (size_t i = 0; i < sizeof(k_code) / sizeof(k_code[0]); i++)
		fl_buf_le(&text, k_code[i], 2);
	path = fl_elf_firmware(&fw);
	if (fa_elf_open(&e, path, &err) != 0)
		fail_msg("%s", err.msg);
	for (size_t i = 0; i < sizeof(k_cases) / sizeof(k_cases[0]); i++)
		if (fa_elf_follows_call(e, k_cases[i].ra) != k_cases[i].follows)
			fail_msg("return address 0x%llx: %s a call", (unsigned long long)k_cases[i].ra,
				 k_cases[i].follows ? "does not follow" : "follows");
	fa_elf_close(e);
	unlink(path);
	free(path), free(text.p);
}

/* The names GCC gives IPA clones and split parts, and names that only look like them. */
static void clone_base_names(void **state)
{
	static const struct {
		const char *name;
		size_t base;
	} k_names[] = {
		{"set_level.constprop.0", 9}, {"a.isra.0.constprop.1", 1}, {"f.part.0.cold", 1}, {"x.lto_priv.0", 1},
		{"g.cold", 1}, {"g.cold.2", 1}, {"h.localalias", 1}, {"tick.part.12.isra.3", 4}, {"main", 4},
		{"weird.name", 10}, {"weird.name.constprop.0", 10}, {"a.constprop", 11}, {"a.constprops.0", 14},
		{"a.constprop.x", 13}, {"a.isra.0x", 9}, {"a.coldx", 7}, {".constprop.0", 0}, {"a.", 2}, {"", 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(k_names) / sizeof(k_names[0]); i++)
		if (fa_elf_clone_base(k_names[i].name) != k_names[i].base)
			fail_msg("\"%s\": %zu, not %zu", k_names[i].name, fa_elf_clone_base(k_names[i].name),
				 k_names[i].base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whole_chain),
		cmocka_unit_test(room_does_not_stick),
		cmocka_unit_test(depth_at_the_limit_fits_a_thread_stack),
		cmocka_unit_test(depth_past_the_limit_is_refused),
		cmocka_unit_test(every_form_and_header_is_skipped),
		cmocka_unit_test(unknown_form_is_refused),
		cmocka_unit_test(missing_abbreviation_is_refused),
		cmocka_unit_test(cut_unit_is_refused),
		cmocka_unit_test(sibling_elsewhere_is_refused),
		cmocka_unit_test(imports_add_their_depth),
		cmocka_unit_test(values_past_32_bits_are_refused),
		cmocka_unit_test(two_siblings_are_refused),
		cmocka_unit_test(odd_address_size_is_refused),
		cmocka_unit_test(shared_table_is_sized_once_per_kind),
		cmocka_unit_test(sibling_at_a_unit_end_is_read),
		cmocka_unit_test(package_file_is_refused),
		cmocka_unit_test(other_elf_types_are_refused),
		cmocka_unit_test(function_in_a_namespace_is_found),
		cmocka_unit_test(tail_call_search_is_bounded),
		cmocka_unit_test(corrupt_elf_lookups_keep_no_memory),
		cmocka_unit_test(section_is_copied),
		cmocka_unit_test(section_problems),
		cmocka_unit_test(clone_base_names),
		cmocka_unit_test(follows_call_at),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
