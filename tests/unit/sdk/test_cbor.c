/* SPDX-License-Identifier: Apache-2.0 */
/* sdk/src/cbor.c: shortest heads at every size boundary, strings, words, and the chunker's window sink. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cbor_private.h"

static size_t encode_uint(uint64_t v, uint8_t *out)
{
	struct fl_window_sink w;

	fl_window_init(&w, 0, out, 16);
	fl_cbor_uint(&w.base, v);
	return w.base.pos;
}

static void heads(void **state)
{
	static const struct {
		uint64_t v;
		size_t len;
		uint8_t bytes[9];
	} cases[] = {
		{0, 1, {0x00}},
		{23, 1, {0x17}},
		{24, 2, {0x18, 0x18}},
		{255, 2, {0x18, 0xff}},
		{256, 3, {0x19, 0x01, 0x00}},
		{65535, 3, {0x19, 0xff, 0xff}},
		{65536, 5, {0x1a, 0x00, 0x01, 0x00, 0x00}},
		{0xffffffffu, 5, {0x1a, 0xff, 0xff, 0xff, 0xff}},
		{0x100000000u, 9, {0x1b, 0, 0, 0, 1, 0, 0, 0, 0}},
	};
	uint8_t out[16];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(encode_uint(cases[i].v, out), cases[i].len);
		assert_memory_equal(out, cases[i].bytes, cases[i].len);
		assert_int_equal(fl_cbor_head_size(cases[i].v), cases[i].len);
	}
}

static void items(void **state)
{
	static const uint8_t want[] = {0xa2, 0x01, 0x63, 'a', 'b', 'c', 0x02, 0x82, 0x42, 0x01, 0x02,
				       0x44, 0x78, 0x56, 0x34, 0x12};
	static const uint32_t word = 0x12345678u;
	uint8_t out[32];
	struct fl_window_sink w;

	(void)state;
	fl_window_init(&w, 0, out, sizeof(out));
	fl_cbor_map(&w.base, 2);
	fl_cbor_uint(&w.base, 1);
	fl_cbor_text(&w.base, "abc");
	fl_cbor_uint(&w.base, 2);
	fl_cbor_array(&w.base, 2);
	fl_cbor_bytes(&w.base, "\x01\x02", 2);
	fl_cbor_words32(&w.base, &word, 1);
	assert_int_equal(w.base.pos, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
}

/* Every window onto a stream sees exactly its slice, whatever the item boundaries. */
static void windows(void **state)
{
	uint8_t whole[64], part[64];
	struct fl_window_sink w;
	struct fl_sink count = {NULL, 0};

	(void)state;
	fl_window_init(&w, 0, whole, sizeof(whole));
	fl_cbor_bytes(&w.base, "0123456789abcdefghij", 20);
	fl_cbor_uint(&w.base, 0x10000);
	fl_cbor_bytes(&count, "0123456789abcdefghij", 20);
	fl_cbor_uint(&count, 0x10000);
	assert_int_equal(count.pos, w.base.pos);
	for (uint32_t start = 0; start < w.base.pos; start++) {
		for (size_t cap = 1; start + cap <= w.base.pos; cap++) {
			struct fl_window_sink v;

			memset(part, 0xee, sizeof(part));
			fl_window_init(&v, start, part, cap);
			fl_cbor_bytes(&v.base, "0123456789abcdefghij", 20);
			fl_cbor_uint(&v.base, 0x10000);
			assert_memory_equal(part, whole + start, cap);
			assert_int_equal(part[cap], 0xee);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(heads),
		cmocka_unit_test(items),
		cmocka_unit_test(windows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
