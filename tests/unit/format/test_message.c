/* SPDX-License-Identifier: Apache-2.0 */
/* analysis/src/message.c: the FORMAT.md example, coredumps built with libcbor's own encoder, and every way a
 * message can be wrong — each rejected with the field named, or (inside one region) dropped with a note. */
#include <cbor.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ff/message.h"
#include "testdata.h"

static void format_example(void **state)
{
	static const uint8_t id[4] = {0xb5, 0x97, 0x17, 0x77};
	struct ff_message m;
	struct ff_error err = {0};
	size_t len;
	uint8_t *bytes = fl_test_read("format-v1/message.bin", &len);

	(void)state;
	assert_int_equal(ff_message_parse(&m, bytes, len, &err), 0);
	assert_int_equal(m.type, FF_MSG_REBOOT);
	assert_int_equal(m.arch, 40);
	assert_int_equal(m.os, 0);
	assert_int_equal(m.build_id_len, 20);
	assert_memory_equal(m.build_id, id, 4);
	assert_string_equal(m.sw_version, "1.4.2");
	assert_string_equal(m.hw_version, "evt2");
	assert_int_equal(m.boot_id, 7);
	assert_int_equal(m.reboot.reason, 0x8002);
	assert_true(m.reboot.has_reset_cause);
	assert_int_equal(m.reboot.reset_cause, 0x24000000);
	assert_int_equal(m.reboot.ended_boot_id, 6);
	assert_false(m.reboot.coredump);
	assert_false(m.reboot.has_site);
	ff_message_free(&m);
	free(bytes);
}

/* ---- coredumps built with libcbor's encoder ---- */

static void add(cbor_item_t *map, uint64_t key, cbor_item_t *value)
{
	assert_true(cbor_map_add(map, (struct cbor_pair){cbor_move(cbor_build_uint64(key)), cbor_move(value)}));
}

static cbor_item_t *words32(const uint32_t *w, size_t n)
{
	uint8_t b[256];

	for (size_t i = 0; i < n; i++)
		for (int j = 0; j < 4; j++)
			b[4 * i + j] = (uint8_t)(w[i] >> (8 * j));
	return cbor_build_bytestring(b, 4 * n);
}

static cbor_item_t *region(uint64_t addr, uint64_t enc, const uint8_t *data, size_t len)
{
	cbor_item_t *r = cbor_new_definite_array(3);

	assert_true(cbor_array_push(r, cbor_move(cbor_build_uint64(addr))));
	assert_true(cbor_array_push(r, cbor_move(cbor_build_uint64(enc))));
	assert_true(cbor_array_push(r, cbor_move(cbor_build_bytestring(data, len))));
	return r;
}

/* A Cortex-M coredump; `extra(payload)` may add or replace payload keys before encoding. */
static uint8_t *cortex_m_dump(size_t *out_len, void (*extra)(cbor_item_t *payload))
{
	static const uint8_t id[20] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
	static const uint8_t stack[16] = {0xaa, 0xbb, 0xcc, 0xdd, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	uint32_t regs[20], fault[5] = {0x8200, 0x40000000, 0, 0xfffffff0, 0};
	cbor_item_t *top = cbor_new_definite_map(8), *p = cbor_new_definite_map(16), *regions;
	unsigned char *buf = NULL;
	size_t size = 0, len;

	for (uint32_t i = 0; i < 20; i++)
		regs[i] = 0x100 + i;
	regs[13] = 0x20001000; /* sp */
	add(top, 0, cbor_build_uint8(1));
	add(top, 1, cbor_build_uint8(1));
	add(top, 2, cbor_build_uint8(40));
	add(top, 4, cbor_build_bytestring(id, sizeof(id)));
	add(top, 5, cbor_build_string("2.1.0"));
	add(top, 7, cbor_build_uint32(41));
	add(p, 1, cbor_build_uint16(0x8005));
	add(p, 2, cbor_build_uint8(0));
	add(p, 3, words32(regs, 20));
	add(p, 4, words32(fault, 5));
	add(p, 5, cbor_build_uint32(0x20000000)); /* replaced below: a pair */
	regions = cbor_new_definite_array(8); /* room for the hostile cases' extra regions */
	assert_true(cbor_array_push(regions, cbor_move(region(0x20001000, 0, stack, sizeof(stack)))));
	assert_true(cbor_array_push(regions, cbor_move(region(0x20000100, 0, stack, 4))));
	add(p, 6, regions);
	/* key 5 must be a pair: rebuild it properly */
	{
		cbor_item_t *pair = cbor_new_definite_array(2);

		assert_true(cbor_array_push(pair, cbor_move(cbor_build_uint32(0x20000000))));
		assert_true(cbor_array_push(pair, cbor_move(cbor_build_uint32(0x20004000))));
		cbor_decref(&cbor_map_handle(p)[4].value);
		cbor_map_handle(p)[4].value = pair;
	}
	if (extra != NULL)
		extra(p);
	add(top, 9, p);
	len = cbor_serialize_alloc(top, &buf, &size);
	assert_true(len > 0);
	cbor_decref(&top);
	*out_len = len;
	return buf;
}

static void coredump_fields(void **state)
{
	struct ff_message m;
	struct ff_error err = {0};
	size_t len;
	uint8_t *bytes = cortex_m_dump(&len, NULL);
	const uint8_t *mem;

	(void)state;
	if (ff_message_parse(&m, bytes, len, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(m.type, FF_MSG_COREDUMP);
	assert_int_equal(m.core.reason, 0x8005);
	assert_int_equal(m.core.nregs, 20);
	assert_int_equal(m.core.word, 4);
	assert_int_equal(m.core.regs[FF_CM_SP], 0x20001000);
	assert_int_equal(m.core.regs[FF_CM_EXC_RETURN], 0x113);
	assert_true(m.core.has_fault);
	assert_int_equal(m.core.fault[3], 0xfffffff0);
	assert_true(m.core.has_stack);
	assert_int_equal(m.core.stack_hi, 0x20004000);
	assert_int_equal(m.core.nregions, 2);
	mem = ff_coredump_memory(&m.core, 0x20001004, 4);
	assert_non_null(mem);
	assert_int_equal(mem[0], 1);
	assert_null(ff_coredump_memory(&m.core, 0x2000100e, 4)); /* runs past the region */
	assert_null(ff_coredump_memory(&m.core, 0x30000000, 1));
	assert_string_equal(m.notes, "");
	ff_message_free(&m);
	free(bytes);
}

/* ---- region problems: the rest of the dump stands ---- */

static void odd_regions(cbor_item_t *p)
{
	static const uint8_t b[8] = {0};
	cbor_item_t *regions = cbor_map_handle(p)[5].value;

	assert_true(cbor_array_push(regions, cbor_move(region(0x20001004, 0, b, 8))));         /* overlaps */
	assert_true(cbor_array_push(regions, cbor_move(region(0x30000000, 7, b, 8))));         /* encoding 7 */
	assert_true(cbor_array_push(regions, cbor_move(region(0xfffffffc, 0, b, 8))));         /* past 4 GiB */
	assert_true(cbor_array_push(regions, cbor_move(cbor_build_uint8(3))));                /* not an array */
	assert_true(cbor_array_push(regions, cbor_move(region(0x40000000, 0, b, 8))));         /* fine */
}

static void region_problems_are_notes(void **state)
{
	struct ff_message m;
	struct ff_error err = {0};
	size_t len;
	uint8_t *bytes = cortex_m_dump(&len, odd_regions);

	(void)state;
	if (ff_message_parse(&m, bytes, len, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(m.core.nregions, 3);
	assert_int_equal(m.core.regions[2].addr, 0x40000000);
	assert_non_null(strstr(m.notes, "overlaps"));
	assert_non_null(strstr(m.notes, "encoding 7"));
	assert_non_null(strstr(m.notes, "past the address space"));
	assert_non_null(strstr(m.notes, "not [address, encoding, bytes]"));
	ff_message_free(&m);
	free(bytes);
}

/* ---- hostile bytes: patches of the FORMAT.md example ---- */

static void expect_rejected(const uint8_t *bytes, size_t len, int code, const char *needle, const char *what)
{
	struct ff_message m;
	struct ff_error err = {0};
	int rc = ff_message_parse(&m, bytes, len, &err);

	if (rc != code || strstr(err.msg, needle) == NULL)
		fail_msg("%s: got %d '%s', want %d with '%s'", what, rc, err.msg, code, needle);
	ff_message_free(&m);
}

static void hostile_envelopes(void **state)
{
	size_t len;
	uint8_t *ok = fl_test_read("format-v1/message.bin", &len), b[80];
	struct {
		size_t at;
		uint8_t value;
		int code;
		const char *needle;
	} patches[] = {
		{2, 0x02, FF_ERR_UNSUPPORTED, "version 2"},
		{1, 0x01, FF_ERR_MALFORMED, "first key is not the version"},
		{4, 0x00, FF_ERR_MALFORMED, "type 0"},
		{3, 0x00, FF_ERR_MALFORMED, "appears twice"},          /* key 1 becomes a second key 0 */
		{9, 0x53, FF_ERR_MALFORMED, "not well-formed"},         /* build_id one byte short: the CBOR breaks */
		{32, 0x01, FF_ERR_MALFORMED, "control character"},      /* inside "1.4.2" */
		{32, 0xe9, FF_ERR_MALFORMED, "string at byte 31 is not UTF-8"}, /* "1.\xe9.2": Latin-1 */
		{39, 0xc0, FF_ERR_MALFORMED, "string at byte 38 is not UTF-8"}, /* "e\xc0t2": a lone lead byte */
		{44, 0x27, FF_ERR_MALFORMED, "negative"},               /* boot_id becomes -8 */
		{44, 0xf5, FF_ERR_MALFORMED, "simple value"},           /* boot_id becomes true */
		{45, 0x0a, FF_ERR_MALFORMED, "payload is missing"},     /* key 9 becomes an unknown key 10 */
		{5, 0x0b, FF_ERR_MALFORMED, "arch is missing"},         /* key 2 becomes an unknown key 11 */
		{43, 0x0c, FF_ERR_MALFORMED, "boot_id is missing"},     /* key 7 becomes an unknown key 12 */
	};

	(void)state;
	assert_int_equal(len, 59);
	for (size_t i = 0; i < sizeof(patches) / sizeof(patches[0]); i++) {
		char what[64];

		memcpy(b, ok, len);
		b[patches[i].at] = patches[i].value;
		snprintf(what, sizeof(what), "patch %zu (byte %zu = 0x%02x)", i, patches[i].at, patches[i].value);
		expect_rejected(b, len, patches[i].code, patches[i].needle, what);
	}
	expect_rejected(ok, len - 1, FF_ERR_MALFORMED, "not well-formed", "truncated");
	memcpy(b, ok, len);
	b[0] = 0xbf; /* the same pairs in an indefinite-length map */
	b[len] = 0xff;
	expect_rejected(b, len + 1, FF_ERR_MALFORMED, "indefinite", "indefinite map");
	memcpy(b, ok, len);
	b[len] = 0x00;
	expect_rejected(b, len + 1, FF_ERR_MALFORMED, "follow the CBOR item", "trailing byte");
	expect_rejected((const uint8_t *)"\xa2\x00\x01\x01\xc1\x02", 6, FF_ERR_MALFORMED, "tag", "a tag");
	expect_rejected((const uint8_t *)"\x01", 1, FF_ERR_MALFORMED, "not a CBOR map", "an integer");
	expect_rejected((const uint8_t *)"", 0, FF_ERR_MALFORMED, "not well-formed", "empty");
	/* counts and lengths that lie: rejected before anything is allocated for them */
	expect_rejected((const uint8_t *)"\xba\xff\xff\xff\xff", 5, FF_ERR_MALFORMED, "more than the bytes left",
			"a map of 2^32 pairs");
	expect_rejected((const uint8_t *)"\xa1\x00\x5b\x00\x00\x00\x01\x00\x00\x00\x00", 11, FF_ERR_MALFORMED,
			"runs past the end", "a 4 GiB byte string");
	expect_rejected((const uint8_t *)"\x81\x81\x81\x81\x81\x81\x81\x81\x81\x81\x81\x81\x81\x81\x81\x81\x81"
					 "\x81\x00",
			19, FF_ERR_MALFORMED, "nested deeper", "deep nesting");
	expect_rejected((const uint8_t *)"\xa2\x00\x01\x61\x61\x00", 6, FF_ERR_MALFORMED, "not an unsigned integer",
			"text key");
	free(ok);
}

static void no_reason(cbor_item_t *p)
{
	cbor_decref(&cbor_map_handle(p)[0].key);
	cbor_map_handle(p)[0].key = cbor_build_uint8(99); /* reason's key becomes an unknown key */
}

static void short_regs(cbor_item_t *p)
{
	uint32_t w[19] = {0};

	cbor_decref(&cbor_map_handle(p)[2].value);
	cbor_map_handle(p)[2].value = words32(w, 19);
}

static void odd_regs(cbor_item_t *p)
{
	cbor_decref(&cbor_map_handle(p)[2].value);
	cbor_map_handle(p)[2].value = cbor_build_bytestring((const uint8_t *)"123456789", 9);
}

static void reversed_stack(cbor_item_t *p)
{
	cbor_item_t *pair = cbor_map_handle(p)[4].value;

	cbor_decref(&cbor_array_handle(pair)[0]);
	cbor_array_handle(pair)[0] = cbor_build_uint32(0x30000000);
}

static void hostile_coredumps(void **state)
{
	static const struct {
		void (*patch)(cbor_item_t *);
		const char *needle;
	} cases[] = {
		{no_reason, "coredump reason is missing"},
		{short_regs, "fewer than 20"},
		{odd_regs, "not whole 4-byte words"},
		{reversed_stack, "reversed"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		uint8_t *bytes = cortex_m_dump(&len, cases[i].patch);

		expect_rejected(bytes, len, FF_ERR_MALFORMED, cases[i].needle, cases[i].needle);
		free(bytes);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(format_example),   cmocka_unit_test(coredump_fields),
		cmocka_unit_test(region_problems_are_notes), cmocka_unit_test(hostile_envelopes),
		cmocka_unit_test(hostile_coredumps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
