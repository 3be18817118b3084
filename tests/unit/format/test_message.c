/* SPDX-License-Identifier: Apache-2.0 */
/* format/src/message.c: the FORMAT.md examples, coredumps and heartbeats built with libcbor's own encoder, and
 * every way a message can be wrong — each rejected with the field named, or (inside one region) dropped with a
 * note. */
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

/* top encoded (and released): malloc'd bytes, their count in *out_len. */
static uint8_t *serialized(cbor_item_t *top, size_t *out_len)
{
	unsigned char *buf = NULL;
	size_t size = 0, len = cbor_serialize_alloc(top, &buf, &size);

	assert_true(len > 0);
	cbor_decref(&top);
	*out_len = len;
	return buf;
}

/* A Cortex-M coredump; `extra(payload)` may add or replace payload keys before encoding. */
static uint8_t *cortex_m_dump(size_t *out_len, void (*extra)(cbor_item_t *payload))
{
	static const uint8_t id[20] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
	static const uint8_t stack[16] = {0xaa, 0xbb, 0xcc, 0xdd, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	uint32_t regs[20], fault[5] = {0x8200, 0x40000000, 0, 0xfffffff0, 0};
	cbor_item_t *top = cbor_new_definite_map(8), *p = cbor_new_definite_map(16), *regions;

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
	return serialized(top, out_len);
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

/* ---- the RTOS's tasks (key 12): a bad task entry is a note, a bad key a rejection ---- */

static cbor_item_t *task(uint64_t tcb, const uint64_t *high_water)
{
	cbor_item_t *t = cbor_new_definite_array(high_water != NULL ? 2 : 1);

	assert_true(cbor_array_push(t, cbor_move(cbor_build_uint64(tcb))));
	if (high_water != NULL)
		assert_true(cbor_array_push(t, cbor_move(cbor_build_uint64(*high_water))));
	return t;
}

/* kind FreeRTOS, 7 found, tasks: two good, then a text, an empty array, three elements, one more good; the second
 * overflowed */
static void rtos_tasks(cbor_item_t *p)
{
	static const uint64_t hw = 96;
	cbor_item_t *r = cbor_new_definite_map(4), *tasks = cbor_new_definite_array(6), *three = cbor_new_definite_array(3);

	add(r, 1, cbor_build_uint8(FF_RTOS_FREERTOS));
	add(r, 2, cbor_build_uint8(7));
	assert_true(cbor_array_push(tasks, cbor_move(task(0x20000400, &hw))));
	assert_true(cbor_array_push(tasks, cbor_move(task(0x20000800, NULL))));
	assert_true(cbor_array_push(tasks, cbor_move(cbor_build_string("idle"))));
	assert_true(cbor_array_push(tasks, cbor_move(cbor_new_definite_array(0))));
	for (int i = 0; i < 3; i++)
		assert_true(cbor_array_push(three, cbor_move(cbor_build_uint8(1))));
	assert_true(cbor_array_push(tasks, cbor_move(three)));
	assert_true(cbor_array_push(tasks, cbor_move(task(0x20000c00, NULL))));
	add(r, 3, tasks);
	add(r, 4, cbor_build_uint32(0x20000800));
	add(p, 12, r);
}

static void rtos_tasks_read(void **state)
{
	struct ff_message m;
	struct ff_error err = {0};
	size_t len;
	uint8_t *bytes = cortex_m_dump(&len, rtos_tasks);

	(void)state;
	if (ff_message_parse(&m, bytes, len, &err) != 0)
		fail_msg("%s", err.msg);
	assert_true(m.core.has_rtos);
	assert_int_equal(m.core.rtos_kind, FF_RTOS_FREERTOS);
	assert_int_equal(m.core.rtos_found, 7);
	assert_int_equal(m.core.ntasks, 3);
	assert_int_equal(m.core.tasks[0].tcb, 0x20000400);
	assert_true(m.core.tasks[0].has_high_water);
	assert_int_equal(m.core.tasks[0].high_water, 96);
	assert_int_equal(m.core.tasks[1].tcb, 0x20000800);
	assert_false(m.core.tasks[1].has_high_water);
	assert_int_equal(m.core.tasks[2].tcb, 0x20000c00);
	assert_true(m.core.has_rtos_overflow);
	assert_int_equal(m.core.rtos_overflow, 0x20000800);
	assert_non_null(strstr(m.notes, "rtos task 2 is not [tcb] or [tcb, high_water]: dropped"));
	assert_non_null(strstr(m.notes, "rtos task 3 is not"));
	assert_non_null(strstr(m.notes, "rtos task 4 is not"));
	assert_int_equal(m.core.nregions, 2); /* the rest of the dump stands */
	ff_message_free(&m);
	free(bytes);
	bytes = cortex_m_dump(&len, NULL); /* none: no RTOS */
	assert_int_equal(ff_message_parse(&m, bytes, len, &err), 0);
	assert_false(m.core.has_rtos);
	assert_int_equal(m.core.ntasks, 0);
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

static void rtos_not_a_map(cbor_item_t *p)
{
	add(p, 12, cbor_build_uint8(1));
}

static void rtos_without_kind(cbor_item_t *p)
{
	cbor_item_t *r = cbor_new_definite_map(1);

	add(r, 2, cbor_build_uint8(1));
	add(p, 12, r);
}

static void rtos_tasks_not_an_array(cbor_item_t *p)
{
	cbor_item_t *r = cbor_new_definite_map(2);

	add(r, 1, cbor_build_uint8(1));
	add(r, 3, cbor_build_uint8(1));
	add(p, 12, r);
}

static void rtos_too_many_tasks(cbor_item_t *p)
{
	cbor_item_t *r = cbor_new_definite_map(2), *tasks = cbor_new_definite_array(FF_RTOS_TASKS_MAX + 1);

	add(r, 1, cbor_build_uint8(1));
	for (unsigned i = 0; i <= FF_RTOS_TASKS_MAX; i++)
		assert_true(cbor_array_push(tasks, cbor_move(task(0x20000000u + 0x100u * i, NULL))));
	add(r, 3, tasks);
	add(p, 12, r);
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
		{rtos_not_a_map, "rtos is not a map"},
		{rtos_without_kind, "rtos kind is missing"},
		{rtos_tasks_not_an_array, "rtos tasks is not an array"},
		{rtos_too_many_tasks, "257 rtos tasks (at most 256)"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		uint8_t *bytes = cortex_m_dump(&len, cases[i].patch);

		expect_rejected(bytes, len, FF_ERR_MALFORMED, cases[i].needle, cases[i].needle);
		free(bytes);
	}
}

/* ---- heartbeats (§8.4) ---- */

static void heartbeat_example(void **state)
{
	static const uint64_t builtin[FF_HB_BUILTINS] = {3600, 0, 0, 12, 436, 0, 0};
	static const uint64_t values[] = {5, 1660, 1658, 1666, 200};
	struct ff_message m;
	struct ff_error err = {0};
	size_t len;
	uint8_t *bytes = fl_test_read("format-v1/heartbeat.bin", &len);

	(void)state;
	assert_int_equal(len, 30);
	if (ff_message_parse(&m, bytes, len, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(m.version, 1);
	assert_int_equal(m.type, FF_MSG_HEARTBEAT);
	assert_true(m.compact);
	assert_int_equal(m.arch, 0);
	assert_int_equal(m.os, 0);
	assert_int_equal(m.build_id_len, 0);
	assert_string_equal(m.sw_version, "");
	assert_string_equal(m.hw_version, "");
	assert_int_equal(m.boot_id, 300);
	assert_int_equal(m.dropped, 0);
	assert_int_equal(m.len, 30);
	assert_memory_equal(m.heartbeat.builtin, builtin, sizeof(builtin));
	assert_int_equal(m.heartbeat.nvalues, 5);
	assert_memory_equal(m.heartbeat.values, values, sizeof(values));
	assert_string_equal(m.notes, "");
	ff_message_free(&m);
	free(bytes);
}

/* The coredump test vector with an `rtos` map (docs/FORMAT.md 8.1): a task's stack overflow its RTOS's hook found. */
static void rtos_vector(void **state)
{
	static const uint8_t tcb[16] = {0x60, 0x10, 0x00, 0x20};
	struct ff_message m;
	struct ff_error err = {0};
	size_t len;
	uint8_t *bytes = fl_test_read("format-v1/coredump-rtos.bin", &len);

	(void)state;
	assert_int_equal(len, 210);
	if (ff_message_parse(&m, bytes, len, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(m.type, FF_MSG_COREDUMP);
	assert_int_equal(m.arch, 40);
	assert_string_equal(m.sw_version, "1.0.0");
	assert_int_equal(m.boot_id, 7);
	assert_int_equal(m.core.reason, 0x800b);
	assert_int_equal(m.core.nregs, 20);
	assert_int_equal(m.core.regs[13], 0x20000ff8);
	assert_int_equal(m.core.regs[15], 0x00001302);
	assert_int_equal(m.core.regs[19], 0xfffffff1);
	assert_true(m.core.has_fault);
	assert_true(m.core.has_stack);
	assert_int_equal(m.core.stack_lo, 0x20000f00);
	assert_int_equal(m.core.stack_hi, 0x20001000);
	assert_int_equal(m.core.nregions, 1);
	assert_int_equal(m.core.regions[0].addr, 0x20001110);
	assert_int_equal(m.core.regions[0].len, sizeof(tcb));
	assert_memory_equal(m.core.regions[0].data, tcb, sizeof(tcb));
	assert_true(m.core.has_site);
	assert_int_equal(m.core.site_pc, 0x00001302);
	assert_int_equal(m.core.site_lr, 0);
	assert_true(m.core.has_rtos);
	assert_int_equal(m.core.rtos_kind, FF_RTOS_FREERTOS);
	assert_int_equal(m.core.rtos_found, 6);
	assert_int_equal(m.core.ntasks, 2);
	assert_int_equal(m.core.tasks[0].tcb, 0x20001110);
	assert_true(m.core.tasks[0].has_high_water);
	assert_int_equal(m.core.tasks[0].high_water, 96);
	assert_int_equal(m.core.tasks[1].tcb, 0x200006c4);
	assert_false(m.core.tasks[1].has_high_water);
	assert_true(m.core.has_rtos_overflow);
	assert_int_equal(m.core.rtos_overflow, 0x20001110);
	assert_string_equal(m.notes, "");
	ff_message_free(&m);
	free(bytes);
}

/* Which firmware identity keys a built heartbeat carries. */
enum { ID_ARCH = 1, ID_OS = 2, ID_BUILD_ID = 4, ID_SW = 8, ID_HW = 16, ID_ALL = 31, ID_REQUIRED = 13 };

/* A heartbeat of the given type and identity keys whose payload is the bstr values[n] (NULL: a payload map, with
 * the keys `extra(payload)` adds: not a heartbeat's). Its envelope keys are in increasing order, as a writer's. */
static uint8_t *heartbeat(size_t *out_len, unsigned type, unsigned identity, const uint8_t *values, size_t n,
			  void (*extra)(cbor_item_t *payload))
{
	static const uint8_t id[8] = {0xb5, 0x97, 0x17, 0x77, 1, 2, 3, 4};
	cbor_item_t *top = cbor_new_definite_map(10), *p;

	add(top, 0, cbor_build_uint8(1));
	add(top, 1, cbor_build_uint8((uint8_t)type));
	if (identity & ID_ARCH)
		add(top, 2, cbor_build_uint8(40));
	if (identity & ID_OS)
		add(top, 3, cbor_build_uint8(0));
	if (identity & ID_BUILD_ID)
		add(top, 4, cbor_build_bytestring(id, sizeof(id)));
	if (identity & ID_SW)
		add(top, 5, cbor_build_string("1.4.2"));
	if (identity & ID_HW)
		add(top, 6, cbor_build_string("evt2"));
	add(top, 7, cbor_build_uint32(70000));
	add(top, 8, cbor_build_uint8(2));
	if (values != NULL) {
		p = cbor_build_bytestring(values, n);
	} else {
		p = cbor_new_definite_map(4);
		if (extra != NULL)
			extra(p);
	}
	add(top, 9, p);
	return serialized(top, out_len);
}

/* The 19 bytes of the example's values: B = 7, the built-ins, a counter, a gauge, a timer. */
static const uint8_t k_values[19] = {0x07, 0x90, 0x1c, 0x00, 0x00, 0x0c, 0xb4, 0x03, 0x00, 0x00,
				     0x05, 0xfc, 0x0c, 0xfa, 0x0c, 0x82, 0x0d, 0xc8, 0x01};

/* Decode a built heartbeat into m (freed by the caller), failing the test on an error. */
static void parse_ok(struct ff_message *m, const uint8_t *bytes, size_t len)
{
	struct ff_error err = {0};

	if (ff_message_parse(m, bytes, len, &err) != 0)
		fail_msg("%s", err.msg);
}

static void heartbeat_full_form(void **state)
{
	struct ff_message m;
	size_t len;
	uint8_t *bytes = heartbeat(&len, FF_MSG_HEARTBEAT, ID_ALL, k_values, sizeof(k_values), NULL);

	(void)state;
	parse_ok(&m, bytes, len);
	assert_false(m.compact);
	assert_int_equal(m.arch, 40);
	assert_int_equal(m.build_id_len, 8);
	assert_int_equal(m.build_id[0], 0xb5);
	assert_string_equal(m.sw_version, "1.4.2");
	assert_string_equal(m.hw_version, "evt2");
	assert_int_equal(m.boot_id, 70000);
	assert_int_equal(m.dropped, 2);
	assert_int_equal(m.heartbeat.builtin[FF_HB_UPTIME_S], 3600);
	assert_int_equal(m.heartbeat.builtin[FF_HB_CHUNK_BYTES], 436);
	assert_int_equal(m.heartbeat.nvalues, 5);
	assert_int_equal(m.heartbeat.values[4], 200);
	ff_message_free(&m);
	free(bytes);
	/* os and hw_version are optional in the full form too */
	bytes = heartbeat(&len, FF_MSG_HEARTBEAT, ID_REQUIRED, k_values, sizeof(k_values), NULL);
	parse_ok(&m, bytes, len);
	assert_false(m.compact);
	assert_string_equal(m.hw_version, "");
	ff_message_free(&m);
	free(bytes);
	/* and a compact one may say what its queue dropped */
	bytes = heartbeat(&len, FF_MSG_HEARTBEAT, 0, k_values, sizeof(k_values), NULL);
	parse_ok(&m, bytes, len);
	assert_true(m.compact);
	assert_int_equal(m.dropped, 2);
	assert_int_equal(m.arch, 0);
	ff_message_free(&m);
	free(bytes);
}

/* B = 9: the two built-ins this decoder does not know are skipped, the application's values follow them. */
static void heartbeat_skips_what_it_does_not_know(void **state)
{
	static const uint8_t values[] = {9, 1, 2, 3, 4, 5, 6, 7, 0x7f, 0xff, 0x01, 42};
	struct ff_message m;
	size_t len;
	uint8_t *bytes = heartbeat(&len, FF_MSG_HEARTBEAT, 0, values, sizeof(values), NULL);

	(void)state;
	parse_ok(&m, bytes, len);
	for (unsigned i = 0; i < FF_HB_BUILTINS; i++)
		assert_int_equal(m.heartbeat.builtin[i], i + 1);
	assert_int_equal(m.heartbeat.nvalues, 1);
	assert_int_equal(m.heartbeat.values[0], 42);
	ff_message_free(&m);
	free(bytes);
}

/* values: B, n built-ins of 0, then napp application values of 1-byte value v; *out_len its bytes. */
static size_t put_values(uint8_t *out, uint64_t b, size_t n, size_t napp, uint8_t v)
{
	size_t len = 0;

	do {
		out[len++] = (uint8_t)((b & 0x7f) | (b > 0x7f ? 0x80 : 0));
		b >>= 7;
	} while (b != 0);
	memset(out + len, 0, n);
	len += n;
	memset(out + len, v, napp);
	return len + napp;
}

static void heartbeat_limits(void **state)
{
	static uint8_t values[FF_HB_BYTES_MAX + 1];
	struct ff_message m;
	size_t len, n;
	uint8_t *bytes;

	(void)state;
	/* 256 application values fit */
	n = put_values(values, 7, 7, FF_HB_VALUES_MAX, 0x33);
	bytes = heartbeat(&len, FF_MSG_HEARTBEAT, 0, values, n, NULL);
	parse_ok(&m, bytes, len);
	assert_int_equal(m.heartbeat.nvalues, FF_HB_VALUES_MAX);
	assert_int_equal(m.heartbeat.values[FF_HB_VALUES_MAX - 1], 0x33);
	ff_message_free(&m);
	free(bytes);
	/* 4,096 bytes fit: B = 4094 (2 bytes), then as many built-ins */
	n = put_values(values, 4094, 4094, 0, 0);
	assert_int_equal(n, FF_HB_BYTES_MAX);
	bytes = heartbeat(&len, FF_MSG_HEARTBEAT, 0, values, n, NULL);
	parse_ok(&m, bytes, len);
	assert_int_equal(m.heartbeat.nvalues, 0);
	ff_message_free(&m);
	free(bytes);
	/* the largest LEB128 value, in 10 bytes */
	n = put_values(values, 7, 7, 0, 0);
	memset(values + n, 0xff, 9);
	values[n + 9] = 0x01;
	bytes = heartbeat(&len, FF_MSG_HEARTBEAT, 0, values, n + 10, NULL);
	parse_ok(&m, bytes, len);
	assert_int_equal(m.heartbeat.nvalues, 1);
	assert_true(m.heartbeat.values[0] == UINT64_MAX);
	ff_message_free(&m);
	free(bytes);
}

/* A heartbeat with these values (NULL: none) and identity keys is rejected with code and needle. */
static void expect_heartbeat_rejected(unsigned identity, const uint8_t *values, size_t n, int code,
				      const char *needle)
{
	size_t len;
	uint8_t *bytes = heartbeat(&len, FF_MSG_HEARTBEAT, identity, values, n, NULL);

	expect_rejected(bytes, len, code, needle, needle);
	free(bytes);
}

static void values_not_bytes(cbor_item_t *p)
{
	add(p, 1, cbor_build_uint8(7));
}

static void hostile_heartbeats(void **state)
{
	static uint8_t values[FF_HB_BYTES_MAX + 16];
	static const struct {
		unsigned identity;
		const char *needle;
	} k_partial[] = {
		{ID_BUILD_ID | ID_SW, "heartbeat: arch is missing from its firmware identity"},
		{ID_ARCH | ID_SW | ID_OS | ID_HW, "heartbeat: build_id is missing from its firmware identity"},
		{ID_ARCH | ID_BUILD_ID, "heartbeat: sw_version is missing from its firmware identity"},
		{ID_OS, "heartbeat: arch is missing"}, /* the optional keys alone are part of an identity too */
		{ID_HW, "heartbeat: arch is missing"},
	};
	static const struct {
		uint8_t bytes[20];
		size_t n;
		const char *needle;
	} k_bad[] = {
		{{0x06, 1, 2, 3, 4, 5, 6, 7}, 8, "values: 6 built-in values, fewer than 7"},
		{{0x07, 1, 2, 3, 4, 5}, 6, "values: ends after 5 of its 7 built-in values"},
		{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 10,
		 "values: ends after 0 of its 18446744073709551615 built-in values"},
		{{0x07, 0, 0, 0, 0, 0x80, 0x00, 0, 0}, 9, "values: byte 5: LEB128 not minimal"},
		{{0x87, 0x00, 0, 0, 0, 0, 0, 0, 0}, 9, "values: byte 0: LEB128 not minimal"},
		{{0x07, 0, 0, 0, 0, 0, 0, 0, 0x05, 0x81}, 10, "values: byte 9: LEB128 cut short"},
		{{0x07, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x81}, 18,
		 "values: byte 8: LEB128 longer than its field allows"},
		{{0x07, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}, 18,
		 "values: byte 8: LEB128 above 2^64-1"},
		{{0}, 0, "values is empty"},
	};
	size_t len, n;
	uint8_t *bytes;

	(void)state;
	for (size_t i = 0; i < sizeof(k_partial) / sizeof(k_partial[0]); i++)
		expect_heartbeat_rejected(k_partial[i].identity, k_values, sizeof(k_values), FF_ERR_MALFORMED,
					  k_partial[i].needle);
	for (size_t i = 0; i < sizeof(k_bad) / sizeof(k_bad[0]); i++)
		expect_heartbeat_rejected(0, k_bad[i].bytes, k_bad[i].n, FF_ERR_MALFORMED, k_bad[i].needle);
	/* the same, past the 20 bytes of the table's rows */
	n = put_values(values, 7, 7, FF_HB_VALUES_MAX + 1, 0x01);
	expect_heartbeat_rejected(0, values, n, FF_ERR_MALFORMED, "values: more than 256 application values");
	n = put_values(values, 4095, 4095, 0, 0);
	expect_heartbeat_rejected(0, values, n, FF_ERR_MALFORMED, "values is 4097 bytes (at most 4096)");
	/* a payload map, as other messages have, is not a heartbeat's payload */
	expect_heartbeat_rejected(0, NULL, 0, FF_ERR_MALFORMED, "heartbeat: payload is missing or not a byte string");
	bytes = heartbeat(&len, FF_MSG_HEARTBEAT, 0, NULL, 0, values_not_bytes);
	expect_rejected(bytes, len, FF_ERR_MALFORMED, "heartbeat: payload is missing or not a byte string",
			"a payload map with values a uint");
	free(bytes);
	/* a full heartbeat's identity is checked as any message's */
	bytes = heartbeat(&len, FF_MSG_HEARTBEAT, ID_ALL, k_values, sizeof(k_values), NULL);
	for (size_t i = 0; i + 5 <= len; i++)
		if (memcmp(bytes + i, "1.4.2", 5) == 0)
			bytes[i + 1] = 0x01;
	expect_rejected(bytes, len, FF_ERR_MALFORMED, "sw_version contains a control character", "a full heartbeat");
	free(bytes);
	/* other messages have no compact form: their identity is required as before */
	bytes = heartbeat(&len, FF_MSG_REBOOT, 0, k_values, sizeof(k_values), NULL);
	expect_rejected(bytes, len, FF_ERR_MALFORMED, "message: arch is missing", "a compact reboot event");
	free(bytes);
	bytes = heartbeat(&len, 5, 0, k_values, sizeof(k_values), NULL);
	expect_rejected(bytes, len, FF_ERR_MALFORMED, "message: arch is missing", "a compact type 5");
	free(bytes);
	bytes = heartbeat(&len, FF_MSG_COREDUMP, ID_ARCH | ID_BUILD_ID, k_values, sizeof(k_values), NULL);
	expect_rejected(bytes, len, FF_ERR_MALFORMED, "message: sw_version is missing", "a coredump without sw");
	free(bytes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(format_example),            cmocka_unit_test(coredump_fields),
		cmocka_unit_test(region_problems_are_notes), cmocka_unit_test(rtos_tasks_read), cmocka_unit_test(rtos_vector),
		cmocka_unit_test(hostile_envelopes),         cmocka_unit_test(hostile_coredumps),
		cmocka_unit_test(heartbeat_example),
		cmocka_unit_test(heartbeat_full_form),       cmocka_unit_test(heartbeat_skips_what_it_does_not_know),
		cmocka_unit_test(heartbeat_limits),          cmocka_unit_test(hostile_heartbeats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
