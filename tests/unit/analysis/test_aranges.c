/* SPDX-License-Identifier: Apache-2.0 */
/* analysis/src/aranges.c, on ELFs whose .debug_aranges is written here byte by byte: lookups that find a unit,
 * the addresses it leaves to libdwfl (gaps, ties between units, empty ranges), and sections it refuses whole. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "aranges.h" /* analysis/src: private to the library */
#include "elfwriter.h"

/* One unit of .debug_aranges: its unit's offset in .debug_info and its ranges (start, length). */
struct unit {
	uint32_t cu;
	uint32_t ranges[8][2];
	size_t n;
};

/* A unit as producers write it: 32-bit DWARF, version 2, 4-byte addresses, padding to 8, then the tuples and the
 * (0, 0) that ends them. */
static void put_unit(struct fl_buf *b, const struct unit *u)
{
	size_t at = b->n;

	fl_buf_le(b, 0, 4); /* the length, patched below */
	fl_buf_le(b, 2, 2);
	fl_buf_le(b, u->cu, 4);
	fl_buf_le(b, 4, 1);
	fl_buf_le(b, 0, 1);
	fl_buf_fill(b, 0, 4); /* 12 bytes of header: to 16 */
	for (size_t i = 0; i < u->n; i++) {
		fl_buf_le(b, u->ranges[i][0], 4);
		fl_buf_le(b, u->ranges[i][1], 4);
	}
	fl_buf_le(b, 0, 8);
	for (unsigned i = 0; i < 4; i++)
		b->p[at + i] = (uint8_t)((b->n - at - 4) >> (8 * i));
}

/* The index of an ELF with these bytes as its .debug_aranges (none: no such section). */
static struct fa_aranges *index_of(const struct fl_buf *aranges)
{
	struct fl_elf_section sec = {".debug_aranges", SHT_PROGBITS, 0, 0, 0, 0, 0, aranges, false};
	char *path = fl_elf_write(&sec, aranges != NULL ? 1 : 0, NULL, 0);
	int fd = open(path, O_RDONLY);
	Elf *elf;
	struct fa_aranges *a;

	assert_true(fd >= 0);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(elf);
	a = fa_aranges_read(elf);
	elf_end(elf);
	close(fd);
	unlink(path);
	free(path);
	return a;
}

static struct fa_aranges *index_of_units(const struct unit *units, size_t n)
{
	struct fl_buf b = {0};
	struct fa_aranges *a;

	for (size_t i = 0; i < n; i++)
		put_unit(&b, &units[i]);
	a = index_of(&b);
	free(b.p);
	return a;
}

static void assert_cu(const struct fa_aranges *a, uint64_t addr, uint64_t want)
{
	uint64_t cu = ~0ull;

	assert_true(fa_aranges_find(a, addr, &cu));
	assert_int_equal(cu, want);
}

static void assert_none(const struct fa_aranges *a, uint64_t addr)
{
	uint64_t cu;

	assert_false(fa_aranges_find(a, addr, &cu));
}

static void units_are_found_by_address(void **state)
{
	/* the second unit's code comes first, and one of its ranges is out of order */
	const struct unit units[] = {
		{0x0, {{0x2000, 0x100}, {0x2200, 0x10}}, 2},
		{0x80, {{0x1100, 0x80}, {0x1000, 0x100}}, 2},
	};
	struct fa_aranges *a = index_of_units(units, 2);

	(void)state;
	assert_non_null(a);
	assert_cu(a, 0x1000, 0x80);
	assert_cu(a, 0x10ff, 0x80);
	assert_cu(a, 0x1100, 0x80);
	assert_cu(a, 0x117f, 0x80);
	assert_cu(a, 0x2000, 0x0);
	assert_cu(a, 0x20ff, 0x0);
	assert_cu(a, 0x220f, 0x0);
	fa_aranges_free(a);
}

static void gaps_and_outside_are_left_to_libdwfl(void **state)
{
	const struct unit units[] = {{0x0, {{0x1000, 0x100}, {0x2000, 0x100}}, 2}};
	struct fa_aranges *a = index_of_units(units, 1);

	(void)state;
	assert_non_null(a);
	assert_none(a, 0xfff);  /* before every range */
	assert_none(a, 0x1100); /* the gap */
	assert_none(a, 0x1fff);
	assert_none(a, 0x2100); /* past the last */
	assert_none(a, ~0ull);
	assert_none(NULL, 0x1000); /* no index */
	fa_aranges_free(a);
}

static void ties_between_units_are_left_to_libdwfl(void **state)
{
	/* --gc-sections leaves removed functions' ranges at 0; two units start there, the one holding 0x40 unknown */
	const struct unit units[] = {
		{0x0, {{0x0, 0x100}, {0x400, 0x20}, {0x400, 0x40}}, 3},
		{0x80, {{0x0, 0x20}, {0x800, 0x0}}, 2},
	};
	struct fa_aranges *a = index_of_units(units, 2);

	(void)state;
	assert_non_null(a);
	assert_none(a, 0x10);
	assert_none(a, 0x40);
	assert_cu(a, 0x430, 0x0); /* two ranges of one unit start there: that unit */
	assert_none(a, 0x800);    /* an empty range holds nothing, and is the nearest start */
	assert_none(a, 0x810);
	fa_aranges_free(a);
}

static void dwarf64_units_are_read(void **state)
{
	struct fl_buf b = {0};
	struct fa_aranges *a;

	(void)state;
	fl_buf_le(&b, 0xffffffffu, 4);
	fl_buf_le(&b, 2 + 8 + 1 + 1 + 16, 8); /* a header of 24 bytes: the tuples' multiple of 8, no padding */
	fl_buf_le(&b, 2, 2);
	fl_buf_le(&b, 0x1234, 8);
	fl_buf_le(&b, 4, 1);
	fl_buf_le(&b, 0, 1);
	fl_buf_le(&b, 0x3000, 4);
	fl_buf_le(&b, 0x10, 4);
	fl_buf_le(&b, 0, 8);
	a = index_of(&b);
	assert_non_null(a);
	assert_cu(a, 0x3008, 0x1234);
	fa_aranges_free(a);
	free(b.p);
}

/* A good unit followed by a broken one: the whole section is refused (libdwfl reads it its own way). */
static void assert_refused(void (*spoil)(struct fl_buf *b, size_t unit))
{
	const struct unit good = {0x0, {{0x1000, 0x100}}, 1};
	struct fl_buf b = {0};
	size_t at;

	put_unit(&b, &good);
	at = b.n;
	put_unit(&b, &good);
	spoil(&b, at);
	assert_null(index_of(&b));
	free(b.p);
}

static void spoil_version(struct fl_buf *b, size_t u) { b->p[u + 4] = 3; }
static void spoil_address_size(struct fl_buf *b, size_t u) { b->p[u + 10] = 2; }
static void spoil_segment_size(struct fl_buf *b, size_t u) { b->p[u + 11] = 4; }
static void spoil_length(struct fl_buf *b, size_t u) { b->p[u] = (uint8_t)(b->n - u); } /* 4 bytes too many */
static void spoil_reserved_length(struct fl_buf *b, size_t u) /* 0xfffffff0 */
{
	b->p[u] = 0xf0;
	b->p[u + 1] = b->p[u + 2] = b->p[u + 3] = 0xff;
}
static void spoil_cut(struct fl_buf *b, size_t u) { b->n = u + 7; }
static void spoil_no_end(struct fl_buf *b, size_t u) /* the (0, 0) tuple dropped: the unit ends mid-list */
{
	b->n -= 8;
	b->p[u] = (uint8_t)(b->p[u] - 8);
}

static void malformed_sections_are_refused(void **state)
{
	(void)state;
	assert_refused(spoil_version);
	assert_refused(spoil_address_size);
	assert_refused(spoil_segment_size);
	assert_refused(spoil_length);
	assert_refused(spoil_reserved_length);
	assert_refused(spoil_cut);
	assert_refused(spoil_no_end);
}

static void missing_or_empty_sections_give_no_index(void **state)
{
	const struct unit empty = {0x0, {{0}}, 0};
	struct fl_buf b = {0};

	(void)state;
	assert_null(index_of(NULL));
	assert_null(index_of(&b));
	assert_null(index_of_units(&empty, 1)); /* units without ranges: nothing to look up */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(units_are_found_by_address),
		cmocka_unit_test(gaps_and_outside_are_left_to_libdwfl),
		cmocka_unit_test(ties_between_units_are_left_to_libdwfl),
		cmocka_unit_test(dwarf64_units_are_read),
		cmocka_unit_test(malformed_sections_are_refused),
		cmocka_unit_test(missing_or_empty_sections_give_no_index),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
