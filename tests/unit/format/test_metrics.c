/* SPDX-License-Identifier: Apache-2.0 */
/* format/src/metrics.c: metric key tables (FORMAT.md §8.5) written here byte by byte, every way one can be wrong,
 * and the FORMAT.md heartbeat's values read by its table: zigzag, gauges without a value, too few or extra values,
 * values out of range. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ff/metrics.h"
#include "testdata.h"

/* A table being written: "FLMT", version 1, then entries. */
struct table {
	uint8_t b[FF_METRICS_TABLE_MAX + 16];
	size_t n;
};

static void table_start(struct table *t)
{
	memcpy(t->b, "FLMT\x01", 5);
	t->n = 5;
}

static void table_key(struct table *t, uint8_t kind, const char *name)
{
	size_t len = strlen(name) + 1;

	assert_true(t->n + 1 + len <= sizeof(t->b));
	t->b[t->n++] = kind;
	memcpy(t->b + t->n, name, len);
	t->n += len;
}

/* The FORMAT.md example's table: a counter, a gauge, a timer. */
static void example_table(struct table *t)
{
	table_start(t);
	table_key(t, FF_METRIC_COUNTER, "tx_packets");
	table_key(t, FF_METRIC_GAUGE, "battery_mv");
	table_key(t, FF_METRIC_TIMER, "radio.on_ms");
}

static void parse_table_ok(struct ff_metric_table *out, const struct table *t)
{
	struct ff_error err = {0};

	if (ff_metric_table_parse(out, t->b, t->n, &err) != 0)
		fail_msg("%s", err.msg);
}

static void expect_table_rejected(const struct table *t, int code, const char *needle, const char *what)
{
	struct ff_metric_table out;
	struct ff_error err = {0};
	int rc = ff_metric_table_parse(&out, t->b, t->n, &err);

	if (rc != code || strstr(err.msg, needle) == NULL)
		fail_msg("%s: got %d '%s', want %d with '%s'", what, rc, err.msg, code, needle);
}

static void table_fields(void **state)
{
	static struct ff_metric_table out;
	struct table t;

	(void)state;
	example_table(&t);
	parse_table_ok(&out, &t);
	assert_int_equal(out.nkeys, 3);
	assert_int_equal(out.nvalues, 5);
	assert_string_equal(out.keys[0].name, "tx_packets");
	assert_int_equal(out.keys[0].kind, FF_METRIC_COUNTER);
	assert_string_equal(out.keys[1].name, "battery_mv");
	assert_int_equal(out.keys[1].kind, FF_METRIC_GAUGE);
	assert_string_equal(out.keys[2].name, "radio.on_ms");
	assert_int_equal(out.keys[2].kind, FF_METRIC_TIMER);
	/* a signed gauge takes three values too; every name character */
	table_key(&t, FF_METRIC_GAUGE_SIGNED, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstu");
	table_key(&t, FF_METRIC_COUNTER, "vwxyz.0123456789");
	parse_table_ok(&out, &t);
	assert_int_equal(out.nkeys, 5);
	assert_int_equal(out.nvalues, 9);
	assert_int_equal(strlen(out.keys[3].name), FF_METRIC_NAME_MAX);
	assert_int_equal(out.keys[3].kind, FF_METRIC_GAUGE_SIGNED);
	/* no keys */
	table_start(&t);
	parse_table_ok(&out, &t);
	assert_int_equal(out.nkeys, 0);
	assert_int_equal(out.nvalues, 0);
}

static void padding_is_ignored(void **state)
{
	static struct ff_metric_table out;
	struct table t;

	(void)state;
	example_table(&t);
	memset(t.b + t.n, 0, 3); /* a linker aligned the section to 4 */
	t.n += 3;
	parse_table_ok(&out, &t);
	assert_int_equal(out.nkeys, 3);
	assert_int_equal(out.nvalues, 5);
	/* padding is zero bytes to the end: not a gap between entries */
	t.b[t.n - 1] = FF_METRIC_COUNTER;
	expect_table_rejected(&t, FF_ERR_MALFORMED, "byte 44: 0x01 after the zero padding at byte 42", "a gap");
	/* padding after the header alone */
	table_start(&t);
	t.b[t.n++] = 0;
	parse_table_ok(&out, &t);
	assert_int_equal(out.nkeys, 0);
}

static void keys_limit(void **state)
{
	static struct ff_metric_table out;
	struct table t;
	char name[8];

	(void)state;
	table_start(&t);
	for (unsigned i = 0; i < FF_METRIC_KEYS_MAX; i++) {
		snprintf(name, sizeof(name), "k%03u", i);
		table_key(&t, FF_METRIC_COUNTER, name);
	}
	parse_table_ok(&out, &t);
	assert_int_equal(out.nkeys, FF_METRIC_KEYS_MAX);
	assert_int_equal(out.nvalues, FF_METRIC_KEYS_MAX);
	assert_string_equal(out.keys[FF_METRIC_KEYS_MAX - 1].name, "k255");
	table_key(&t, FF_METRIC_COUNTER, "k256");
	expect_table_rejected(&t, FF_ERR_MALFORMED, "more than 256 keys", "257 keys");
	/* gauges take 3 values each: 85 fill 255 of a heartbeat's 256, an 86th cannot be carried */
	table_start(&t);
	for (unsigned i = 0; i < 85; i++) {
		snprintf(name, sizeof(name), "g%03u", i);
		table_key(&t, FF_METRIC_GAUGE, name);
	}
	parse_table_ok(&out, &t);
	assert_int_equal(out.nvalues, 255);
	table_key(&t, FF_METRIC_GAUGE, "g085");
	expect_table_rejected(&t, FF_ERR_MALFORMED, "more than the 256 values", "86 gauges");
}

static void hostile_tables(void **state)
{
	static const struct {
		const char *bytes; /* after "FLMT\x01"; its NUL is not part of the table */
		size_t n;
		const char *needle;
	} k_bad[] = {
		{"\x05" "a", 3, "key 0 at byte 5: unknown kind 5"},
		{"\x01" "a\0" "\xff" "b", 5, "key 1 at byte 8: unknown kind 255"},
		{"\x01", 2, "key 0 at byte 5: the name is empty"},
		{"\x01" "abc", 4, "key 0 at byte 5: the name is not NUL-terminated"},
		{"\x01", 1, "key 0 at byte 5: the name is not NUL-terminated"},
		{"\x01" "a-b", 5, "key 0 at byte 5: the name has byte 0x2d"},
		{"\x01" "a b", 5, "the name has byte 0x20"},
		{"\x01" "caf\xc3\xa9", 7, "the name has byte 0xc3"},
		{"\x01" "a\0" "\x02" "b\0" "\x04" "a", 9, "key 2: the name a repeats key 0"},
		{"\x01" "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvw", 51,
		 "key 0 at byte 5: the name is 49 characters (at most 48)"},
	};
	struct table t;

	(void)state;
	for (size_t i = 0; i < sizeof(k_bad) / sizeof(k_bad[0]); i++) {
		table_start(&t);
		memcpy(t.b + t.n, k_bad[i].bytes, k_bad[i].n);
		t.n += k_bad[i].n;
		expect_table_rejected(&t, FF_ERR_MALFORMED, k_bad[i].needle, k_bad[i].needle);
	}
	example_table(&t);
	t.b[4] = 2;
	expect_table_rejected(&t, FF_ERR_UNSUPPORTED, "table version 2 (this reader knows 1)", "version 2");
	t.b[4] = 0;
	expect_table_rejected(&t, FF_ERR_UNSUPPORTED, "table version 0", "version 0");
	t.b[4] = 1;
	t.b[0] = 'f';
	expect_table_rejected(&t, FF_ERR_MALFORMED, "no FLMT magic", "lowercase magic");
	t.b[0] = 'F';
	t.n = 4;
	expect_table_rejected(&t, FF_ERR_MALFORMED, "ends before its version", "no version");
	t.n = 3;
	expect_table_rejected(&t, FF_ERR_MALFORMED, "no FLMT magic", "3 bytes");
	t.n = 0;
	expect_table_rejected(&t, FF_ERR_MALFORMED, "no FLMT magic", "empty");
	/* a section larger than a reader takes, even when it is padding */
	table_start(&t);
	memset(t.b + t.n, 0, FF_METRICS_TABLE_MAX + 1 - t.n);
	t.n = FF_METRICS_TABLE_MAX;
	{
		static struct ff_metric_table out;

		parse_table_ok(&out, &t);
	}
	t.n = FF_METRICS_TABLE_MAX + 1;
	expect_table_rejected(&t, FF_ERR_TOO_LARGE, "16385 bytes (at most 16384)", "16 KiB + 1");
}

/* ---- values ---- */

static void example_values(void **state)
{
	static struct ff_metric_table table;
	struct ff_metric_value v[3];
	struct ff_message m;
	struct ff_error err = {0};
	struct table t;
	size_t len, extra = 99;
	uint8_t *bytes = fl_test_read("format-v1/heartbeat.bin", &len);

	(void)state;
	example_table(&t);
	parse_table_ok(&table, &t);
	if (ff_message_parse(&m, bytes, len, &err) != 0)
		fail_msg("%s", err.msg);
	if (ff_metric_values(v, &table, &m.heartbeat, &extra, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(extra, 0);
	assert_true(v[0].has_value);
	assert_int_equal(v[0].value, 5);
	assert_int_equal(v[0].min, 0);
	assert_int_equal(v[0].max, 0);
	assert_true(v[1].has_value);
	assert_int_equal(v[1].value, 1660);
	assert_int_equal(v[1].min, 1658);
	assert_int_equal(v[1].max, 1666);
	assert_true(v[2].has_value);
	assert_int_equal(v[2].value, 200);
	ff_message_free(&m);
	free(bytes);
}

/* A table of these kinds (names k0, k1...). */
static void table_of(struct ff_metric_table *out, const uint8_t *kinds, size_t n)
{
	struct table t;
	char name[8];

	table_start(&t);
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "k%zu", i);
		table_key(&t, kinds[i], name);
	}
	parse_table_ok(out, &t);
}

static void heartbeat_of(struct ff_heartbeat *out, const uint64_t *values, size_t n)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->values, values, n * sizeof(*values));
	out->nvalues = n;
}

static void zigzag(void **state)
{
	static const uint8_t kinds[] = {FF_METRIC_GAUGE_SIGNED, FF_METRIC_GAUGE_SIGNED, FF_METRIC_GAUGE_SIGNED};
	static const uint64_t values[] = {0, 1, 2, 3, 0xffffffff, 0xfffffffe, 0x80, 0x7f, 0x81};
	static struct ff_metric_table table;
	static struct ff_heartbeat hb;
	struct ff_metric_value v[3];
	struct ff_error err = {0};

	(void)state;
	table_of(&table, kinds, 3);
	heartbeat_of(&hb, values, 9);
	if (ff_metric_values(v, &table, &hb, NULL, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(v[0].value, 0);
	assert_int_equal(v[0].min, -1);
	assert_int_equal(v[0].max, 1);
	assert_true(v[0].has_value);
	assert_int_equal(v[1].value, -2);
	assert_int_equal(v[1].min, INT32_MIN);
	assert_int_equal(v[1].max, INT32_MAX);
	assert_true(v[1].has_value);
	assert_int_equal(v[2].value, 64);
	assert_int_equal(v[2].min, -64);
	assert_int_equal(v[2].max, -65);
	assert_false(v[2].has_value); /* min > max after decoding */
}

static void gauges_without_a_value(void **state)
{
	static const uint8_t kinds[] = {FF_METRIC_GAUGE, FF_METRIC_GAUGE_SIGNED, FF_METRIC_GAUGE_SIGNED,
					FF_METRIC_GAUGE};
	/* never set: 01 00 unsigned, 02 00 signed; a signed -1..0 (encoded 01 00) has a value; so has 7..7 */
	static const uint64_t values[] = {0, 1, 0, 0, 2, 0, 0, 1, 0, 7, 7, 7};
	static struct ff_metric_table table;
	static struct ff_heartbeat hb;
	struct ff_metric_value v[4];
	struct ff_error err = {0};

	(void)state;
	table_of(&table, kinds, 4);
	heartbeat_of(&hb, values, 12);
	if (ff_metric_values(v, &table, &hb, NULL, &err) != 0)
		fail_msg("%s", err.msg);
	assert_false(v[0].has_value);
	assert_int_equal(v[0].min, 1);
	assert_int_equal(v[0].max, 0);
	assert_false(v[1].has_value);
	assert_int_equal(v[1].min, 1);
	assert_int_equal(v[1].max, 0);
	assert_true(v[2].has_value);
	assert_int_equal(v[2].min, -1);
	assert_int_equal(v[2].max, 0);
	assert_true(v[3].has_value);
	assert_int_equal(v[3].value, 7);
}

static void fewer_and_extra_values(void **state)
{
	static const uint8_t kinds[] = {FF_METRIC_COUNTER, FF_METRIC_GAUGE, FF_METRIC_TIMER};
	static const uint64_t values[] = {1, 2, 3, 4, 5, 6, 7};
	static struct ff_metric_table table;
	static struct ff_heartbeat hb;
	struct ff_metric_value v[3];
	struct ff_error err = {0};
	size_t extra = 99;

	(void)state;
	table_of(&table, kinds, 3);
	heartbeat_of(&hb, values, 7);
	if (ff_metric_values(v, &table, &hb, &extra, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(extra, 2);
	assert_int_equal(v[2].value, 5);
	heartbeat_of(&hb, values, 4);
	extra = 99;
	assert_int_equal(ff_metric_values(v, &table, &hb, &extra, &err), FF_ERR_MALFORMED);
	assert_string_equal(err.msg, "metrics: the heartbeat has 4 application values, fewer than the 5 of its key "
				     "table");
	assert_int_equal(extra, 99);
	/* an empty table takes nothing: every value is extra */
	table_of(&table, kinds, 0);
	assert_int_equal(ff_metric_values(v, &table, &hb, &extra, NULL), 0);
	assert_int_equal(extra, 4);
}

static void values_out_of_range(void **state)
{
	static const struct {
		uint8_t kind;
		uint64_t values[3];
		const char *needle; /* NULL: accepted */
	} k_cases[] = {
		{FF_METRIC_COUNTER, {0xffffffff}, NULL},
		{FF_METRIC_COUNTER, {0x100000000}, "key 0 (k0): value 4294967296 (application value 0) is above 2^32-1"},
		{FF_METRIC_TIMER, {UINT64_MAX}, "key 0 (k0): value 18446744073709551615"},
		{FF_METRIC_GAUGE, {0xffffffff, 0, 0xffffffff}, NULL},
		{FF_METRIC_GAUGE, {1, 0x100000000, 2}, "key 0 (k0): min 4294967296 (application value 1)"},
		{FF_METRIC_GAUGE, {1, 0, 0x100000000}, "key 0 (k0): max 4294967296 (application value 2)"},
		{FF_METRIC_GAUGE_SIGNED, {0x100000000, 0, 0}, "key 0 (k0): last 4294967296"},
		{FF_METRIC_GAUGE_SIGNED, {0, 0, 0x1fffffffe}, "key 0 (k0): max 8589934590"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(k_cases) / sizeof(k_cases[0]); i++) {
		static struct ff_metric_table table;
		static struct ff_heartbeat hb;
		struct ff_metric_value v[1];
		struct ff_error err = {0};
		int rc;

		table_of(&table, &k_cases[i].kind, 1);
		heartbeat_of(&hb, k_cases[i].values, table.nvalues);
		rc = ff_metric_values(v, &table, &hb, NULL, &err);
		if (k_cases[i].needle == NULL ? rc != 0
					      : rc != FF_ERR_MALFORMED || strstr(err.msg, k_cases[i].needle) == NULL)
			fail_msg("case %zu: got %d '%s', want '%s'", i, rc, err.msg,
				 k_cases[i].needle != NULL ? k_cases[i].needle : "");
	}
}

static void builtin_names(void **state)
{
	static const char *const k_names[FF_HB_BUILTINS] = {"uptime_s", "unexpected_reboots", "coredumps", "chunks",
							    "chunk_bytes", "events_dropped", "storage"};

	(void)state;
	for (unsigned i = 0; i < FF_HB_BUILTINS; i++)
		assert_string_equal(ff_hb_builtin_name(i), k_names[i]);
	assert_null(ff_hb_builtin_name(FF_HB_BUILTINS));
	assert_null(ff_hb_builtin_name(~0u));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_fields),      cmocka_unit_test(padding_is_ignored),
		cmocka_unit_test(keys_limit),        cmocka_unit_test(hostile_tables),
		cmocka_unit_test(example_values),    cmocka_unit_test(zigzag),
		cmocka_unit_test(gauges_without_a_value), cmocka_unit_test(fewer_and_extra_values),
		cmocka_unit_test(values_out_of_range), cmocka_unit_test(builtin_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
