/* SPDX-License-Identifier: Apache-2.0 */
/* format/src/chunk.c and leb128.c: the FORMAT.md worked example, and every way a header can be wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ff/chunk.h"
#include "leb128.h"
#include "testdata.h"

/* docs/FORMAT.md §11: four chunks whose data, in order, is the message followed by its CRC trailer. */
static void format_example(void **state)
{
	static const uint32_t offsets[] = {0, 14, 32, 50};
	static const uint8_t trailer[] = {0xcc, 0x17, 0x49, 0x29};
	struct ff_error err = {0};
	struct ff_chunk c;
	size_t file_len, msg_len, pos, rec_len, n = 0;
	uint8_t *file = fl_test_read("format-v1/chunks-mtu20.flc", &file_len);
	uint8_t *msg = fl_test_read("format-v1/message.bin", &msg_len);
	uint8_t stream[63];
	const uint8_t *rec;
	int rc;

	(void)state;
	assert_int_equal(file_len, 84);
	rc = ff_chunkfile_batch_offset(file, file_len, &err);
	assert_int_equal(rc, 5);
	pos = (size_t)rc;
	while ((rc = ff_batch_next(&rec, &rec_len, file, file_len, &pos, &err)) == 1) {
		assert_true(n < 4);
		assert_int_equal(ff_chunk_parse(&c, rec, rec_len, &err), 0);
		assert_int_equal(c.kind, n == 0 ? FF_CHUNK_FIRST : FF_CHUNK_CONTINUATION);
		assert_int_equal(c.tag, 3);
		assert_int_equal(c.offset, offsets[n]);
		assert_int_equal(rec_len, n < 3 ? 20 : 15);
		if (n == 0) {
			assert_int_equal(c.boot, 7);
			assert_int_equal(c.seq, 3);
			assert_int_equal(c.total, 59);
		}
		assert_true(c.offset + c.len <= sizeof(stream));
		memcpy(stream + c.offset, c.data, c.len);
		n++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(n, 4);
	assert_int_equal(msg_len, 59);
	assert_memory_equal(stream, msg, msg_len);
	assert_memory_equal(stream + 59, trailer, 4);
	free(file);
	free(msg);
}

/* Each case: bytes, the expected code, and a word the message must contain (it names the field). */
struct bad_chunk {
	const char *what;
	uint8_t bytes[12];
	size_t len;
	int code;
	const char *needle;
};

static const struct bad_chunk k_bad[] = {
	{"empty", {0}, 0, FF_ERR_MALFORMED, "empty"},
	{"reserved bits", {0xc1, 7, 0, 3, 0, 1, 0xaa}, 7, FF_ERR_MALFORMED, "reserved"},
	{"version 2", {0x82, 7, 0, 3, 0, 1, 0xaa}, 7, FF_ERR_UNSUPPORTED, "version 2"},
	{"version 0", {0x80, 7, 0, 3, 0, 1, 0xaa}, 7, FF_ERR_UNSUPPORTED, "version 0"},
	{"cut in seq", {0x81, 7, 0, 3}, 4, FF_ERR_MALFORMED, "boot/seq"},
	{"no total", {0x81, 7, 0, 3, 0}, 5, FF_ERR_MALFORMED, "total"},
	{"total unterminated", {0x81, 7, 0, 3, 0, 0x80, 0x80}, 7, FF_ERR_MALFORMED, "total"},
	{"total 5 bytes", {0x81, 7, 0, 3, 0, 0x80, 0x80, 0x80, 0x80, 0x01, 0xaa}, 11, FF_ERR_MALFORMED, "total"},
	{"total not minimal", {0x81, 7, 0, 3, 0, 0xbb, 0x00, 0xaa}, 8, FF_ERR_MALFORMED, "total"},
	{"total 0", {0x81, 7, 0, 3, 0, 0x00, 0xaa}, 7, FF_ERR_MALFORMED, "total length 0"},
	{"total 8 MiB + 1", {0x81, 7, 0, 3, 0, 0x81, 0x80, 0x80, 0x04, 0xaa}, 10, FF_ERR_MALFORMED, "8388609"},
	{"first without data", {0x81, 7, 0, 3, 0, 0x05}, 6, FF_ERR_MALFORMED, "no data"},
	{"first longer than stream", {0x81, 7, 0, 3, 0, 0x01, 1, 2, 3, 4, 5, 6}, 12, FF_ERR_MALFORMED, "stream"},
	{"continuation at 0", {0x30, 0xaa}, 2, FF_ERR_MALFORMED, "offset 0"},
	{"offset_hi 0", {0x38, 0x00, 0xaa}, 3, FF_ERR_MALFORMED, "not minimal"},
	{"offset unterminated", {0x38, 0x80}, 2, FF_ERR_MALFORMED, "offset"},
	{"offset 4 bytes", {0x38, 0x80, 0x80, 0x80, 0x01, 0xaa}, 6, FF_ERR_MALFORMED, "offset"},
	{"offset beyond 8 MiB", {0x38, 0x81, 0x80, 0x40, 0xaa}, 5, FF_ERR_MALFORMED, "beyond"},
	{"continuation without data", {0x3e, 0x01}, 2, FF_ERR_MALFORMED, "no data"},
};

static void bad_chunks(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(k_bad) / sizeof(k_bad[0]); i++) {
		struct ff_error err = {0};
		struct ff_chunk c;
		int rc = ff_chunk_parse(&c, k_bad[i].bytes, k_bad[i].len, &err);

		if (rc != k_bad[i].code || strstr(err.msg, k_bad[i].needle) == NULL)
			fail_msg("%s: got %d '%s', want %d with '%s'", k_bad[i].what, rc, err.msg, k_bad[i].code,
				 k_bad[i].needle);
	}
}

static void limits_accepted(void **state)
{
	/* total exactly 8 MiB; the last continuation offset of such a message (8 MiB + 3). */
	static const uint8_t first[] = {0x81, 0xff, 0xff, 0xff, 0xff, 0x80, 0x80, 0x80, 0x04, 0xaa};
	static const uint8_t last[] = {0x7b, 0x80, 0x80, 0x40, 0xaa};
	struct ff_chunk c;

	(void)state;
	assert_int_equal(ff_chunk_parse(&c, first, sizeof(first), NULL), 0);
	assert_int_equal(c.total, FF_MESSAGE_MAX);
	assert_int_equal(c.boot, 0xffff);
	assert_int_equal(c.seq, 0xffff);
	assert_int_equal(c.tag, 7);
	assert_int_equal(c.len, 1);
	assert_int_equal(ff_chunk_parse(&c, last, sizeof(last), NULL), 0);
	assert_int_equal(c.offset, FF_MESSAGE_MAX + 3);
	assert_int_equal(c.tag, 7);
}

static void leb128(void **state)
{
	static const uint8_t two[] = {0xe5, 0x8e, 0x26};
	uint32_t v = 0;

	(void)state;
	assert_int_equal(ff_leb128_read(&v, two, 3, 3), 3);
	assert_int_equal(v, 624485);
	assert_int_equal(ff_leb128_read(&v, two, 3, 2), 0); /* too long for the field */
	assert_int_equal(ff_leb128_read(&v, two, 2, 3), 0); /* truncated */
	assert_int_equal(ff_leb128_read(&v, (const uint8_t[]){0x00}, 1, 1), 1);
	assert_int_equal(v, 0);
	assert_int_equal(ff_leb128_read(&v, (const uint8_t[]){0x80, 0x00}, 2, 2), 0); /* not minimal */
}

/* The heartbeat's 64-bit numbers of up to 10 bytes, and the reason each invalid one is given. */
static void leb128_64(void **state)
{
	static const struct {
		uint8_t b[11];
		size_t avail;
		size_t n;      /* bytes consumed; 0: invalid */
		uint64_t v;
		const char *why;
	} k_cases[] = {
		{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 10, 10, UINT64_MAX, NULL},
		{{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, 10, 10, (uint64_t)1 << 63, NULL},
		{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}, 10, 0, 0, "above 2^64-1"},
		{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, 10, 0, 0, "above 2^64-1"},
		{{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 11, 0, 0,
		 "longer than its field allows"},
		{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00}, 10, 0, 0, "not minimal"},
		{{0x90, 0x1c, 0x00}, 3, 2, 3600, NULL},
		{{0x90, 0x9c}, 2, 0, 0, "cut short"},
		{{0x00}, 0, 0, 0, "cut short"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(k_cases) / sizeof(k_cases[0]); i++) {
		uint64_t v = 0;
		const char *why = NULL;
		size_t n = ff_leb128_read64(&v, k_cases[i].b, k_cases[i].avail, 10, &why);

		if (n != k_cases[i].n || (n > 0 && v != k_cases[i].v) ||
		    (n == 0 && (why == NULL || strcmp(why, k_cases[i].why) != 0)))
			fail_msg("case %zu: got %zu bytes, %llu, '%s'", i, n, (unsigned long long)v, why ? why : "");
	}
	/* a field's own maximum */
	assert_int_equal(ff_leb128_read64(&(uint64_t){0}, (const uint8_t[]){0x80, 0x01}, 2, 1, NULL), 0);
}

static void bad_batches(void **state)
{
	struct {
		const char *what;
		uint8_t bytes[8];
		size_t len;
		const char *needle;
	} cases[] = {
		{"zero length", {0x00}, 1, "length 0"},
		{"past the end", {0x05, 1, 2}, 3, "only 2 bytes"},
		{"length 3 bytes", {0x80, 0x80, 0x01}, 3, "no valid length"},
		{"second record broken", {0x01, 0xaa, 0x02, 0xbb}, 4, "byte 2"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ff_error err = {0};
		const uint8_t *rec;
		size_t pos = 0, len;
		int rc;

		while ((rc = ff_batch_next(&rec, &len, cases[i].bytes, cases[i].len, &pos, &err)) == 1)
			;
		if (rc != FF_ERR_MALFORMED || strstr(err.msg, cases[i].needle) == NULL)
			fail_msg("%s: got %d '%s'", cases[i].what, rc, err.msg);
	}
}

static void bad_chunk_files(void **state)
{
	struct ff_error err = {0};

	(void)state;
	assert_int_equal(ff_chunkfile_batch_offset((const uint8_t *)"FLC", 3, &err), FF_ERR_MALFORMED);
	assert_int_equal(ff_chunkfile_batch_offset((const uint8_t *)"ELF\x7f\x01", 5, &err), FF_ERR_MALFORMED);
	assert_int_equal(ff_chunkfile_batch_offset((const uint8_t *)"FLCK\x02", 5, &err), FF_ERR_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "version 2"));
	assert_int_equal(ff_chunkfile_batch_offset((const uint8_t *)"FLCK\x01", 5, &err), 5);
}

/* Records written by ff_batch_put read back by ff_batch_next, at both LEB128 lengths and the limits. */
static void batch_writer(void **state)
{
	static uint8_t chunk[FF_RECORD_MAX], batch[3 * FF_RECORD_SIZE(FF_RECORD_MAX)];
	const size_t lens[] = {1, 127, 128, FF_RECORD_MAX};
	const uint8_t *rec;
	size_t pos = 0, len, n = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = (uint8_t)(i * 7);
	for (size_t i = 0; i < 4; i++) {
		size_t put = ff_batch_put(batch + n, sizeof(batch) - n, chunk, lens[i]);

		assert_int_equal(put, FF_RECORD_SIZE(lens[i]));
		assert_int_equal(put, lens[i] + (lens[i] < 128 ? 1 : 2));
		n += put;
	}
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(ff_batch_next(&rec, &len, batch, n, &pos, NULL), 1);
		assert_int_equal(len, lens[i]);
		assert_memory_equal(rec, chunk, len);
	}
	assert_int_equal(ff_batch_next(&rec, &len, batch, n, &pos, NULL), 0);
	/* refused, and nothing written: no room, an empty chunk, one too long for a record */
	memset(batch, 0xee, 4);
	assert_int_equal(ff_batch_put(batch, 127, chunk, 127), 0);
	assert_int_equal(ff_batch_put(batch, 10, chunk, 0), 0);
	assert_int_equal(ff_batch_put(batch, sizeof(batch), chunk, FF_RECORD_MAX + 1), 0);
	assert_int_equal(batch[0], 0xee);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(format_example), cmocka_unit_test(bad_chunks),  cmocka_unit_test(limits_accepted),
		cmocka_unit_test(leb128),         cmocka_unit_test(leb128_64),   cmocka_unit_test(bad_batches),
		cmocka_unit_test(bad_chunk_files), cmocka_unit_test(batch_writer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
