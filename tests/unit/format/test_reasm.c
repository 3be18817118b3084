/* SPDX-License-Identifier: Apache-2.0 */
/* analysis/src/reasm.c: each receiver rule of docs/FORMAT.md §4, on the worked example's chunks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ff/chunk.h"
#include "ff/reasm.h"
#include "testdata.h"

static uint8_t s_chunk[4][32];
static size_t s_len[4];
static uint8_t *s_msg;
static size_t s_msg_len;

static int setup(void **state)
{
	size_t file_len, pos = 5, len;
	uint8_t *file = fl_test_read("format-v1/chunks-mtu20.flc", &file_len);
	const uint8_t *rec;

	(void)state;
	for (int i = 0; i < 4; i++) {
		assert_int_equal(ff_batch_next(&rec, &len, file, file_len, &pos, NULL), 1);
		memcpy(s_chunk[i], rec, len);
		s_len[i] = len;
	}
	free(file);
	s_msg = fl_test_read("format-v1/message.bin", &s_msg_len);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(s_msg);
	return 0;
}

/* Push chunk i (or a modified copy) and check the result. */
static void push(struct ff_reasm *r, const uint8_t *c, size_t len, enum ff_chunk_result want)
{
	const uint8_t *msg = NULL;
	size_t msg_len = 0;
	struct ff_error err = {0};
	enum ff_chunk_result got = ff_reasm_push(r, c, len, &msg, &msg_len, &err);

	if (got != want)
		fail_msg("got %s (%s), want %s", ff_chunk_result_name(got), err.msg, ff_chunk_result_name(want));
	if (got == FF_CHUNK_COMPLETE) {
		assert_int_equal(msg_len, s_msg_len);
		assert_memory_equal(msg, s_msg, s_msg_len);
	}
}

#define PUSH(r, i, want) push((r), s_chunk[i], s_len[i], (want))

static void in_order_then_duplicates(void **state)
{
	struct ff_reasm r;

	(void)state;
	ff_reasm_init(&r, 0, 0);
	PUSH(&r, 0, FF_CHUNK_ACCEPTED);
	PUSH(&r, 1, FF_CHUNK_ACCEPTED);
	PUSH(&r, 2, FF_CHUNK_ACCEPTED);
	PUSH(&r, 3, FF_CHUNK_COMPLETE);
	for (int i = 0; i < 4; i++) /* late retransmissions of a delivered message */
		PUSH(&r, i, FF_CHUNK_DUPLICATE);
	assert_int_equal(r.pending, 0);
	ff_reasm_free(&r);
}

static void out_of_order_and_restarts(void **state)
{
	struct ff_reasm r;

	(void)state;
	ff_reasm_init(&r, 0, 0);
	PUSH(&r, 3, FF_CHUNK_NO_MESSAGE); /* before its first chunk */
	PUSH(&r, 0, FF_CHUNK_ACCEPTED);
	PUSH(&r, 2, FF_CHUNK_ACCEPTED);
	PUSH(&r, 2, FF_CHUNK_DUPLICATE);
	PUSH(&r, 0, FF_CHUNK_DUPLICATE); /* the device restarted the message from its first chunk */
	PUSH(&r, 3, FF_CHUNK_ACCEPTED);
	PUSH(&r, 1, FF_CHUNK_COMPLETE);
	ff_reasm_free(&r);
}

static void conflict_keeps_what_was_held(void **state)
{
	struct ff_reasm r;
	uint8_t bad[32];

	(void)state;
	ff_reasm_init(&r, 0, 0);
	PUSH(&r, 0, FF_CHUNK_ACCEPTED);
	PUSH(&r, 1, FF_CHUNK_ACCEPTED);
	memcpy(bad, s_chunk[1], s_len[1]);
	bad[5] ^= 0xff;
	push(&r, bad, s_len[1], FF_CHUNK_CONFLICT);
	PUSH(&r, 2, FF_CHUNK_ACCEPTED);
	PUSH(&r, 3, FF_CHUNK_COMPLETE);
	ff_reasm_free(&r);
}

static void crc_mismatch_then_resend(void **state)
{
	struct ff_reasm r;
	uint8_t bad[32];

	(void)state;
	ff_reasm_init(&r, 0, 0);
	memcpy(bad, s_chunk[2], s_len[2]);
	bad[4] ^= 0x01; /* corrupted on the link, first time seen: only the CRC can tell */
	PUSH(&r, 0, FF_CHUNK_ACCEPTED);
	PUSH(&r, 1, FF_CHUNK_ACCEPTED);
	push(&r, bad, s_len[2], FF_CHUNK_ACCEPTED);
	PUSH(&r, 3, FF_CHUNK_CRC_MISMATCH);
	PUSH(&r, 3, FF_CHUNK_NO_MESSAGE); /* the failed message takes nothing more */
	for (int i = 0; i < 3; i++)       /* sent again from its first chunk */
		PUSH(&r, i, FF_CHUNK_ACCEPTED);
	PUSH(&r, 3, FF_CHUNK_COMPLETE);
	ff_reasm_free(&r);
}

static void same_identity_other_bytes_is_a_new_message(void **state)
{
	struct ff_reasm r;
	uint8_t other[32];

	(void)state;
	ff_reasm_init(&r, 0, 0);
	memcpy(other, s_chunk[0], s_len[0]);
	other[10] ^= 0x55; /* a device that reset and reused boot 7, seq 3 for another message */
	push(&r, other, s_len[0], FF_CHUNK_ACCEPTED);
	PUSH(&r, 1, FF_CHUNK_ACCEPTED);
	PUSH(&r, 0, FF_CHUNK_ACCEPTED); /* differs from what was held: the old partial message is dropped */
	PUSH(&r, 1, FF_CHUNK_ACCEPTED);
	PUSH(&r, 2, FF_CHUNK_ACCEPTED);
	PUSH(&r, 3, FF_CHUNK_COMPLETE);
	assert_int_equal(r.pending, 0);
	ff_reasm_free(&r);
}

static void limits(void **state)
{
	struct ff_reasm r;
	uint8_t beyond[32];

	(void)state;
	ff_reasm_init(&r, 58, 0); /* one byte less than the example */
	PUSH(&r, 0, FF_CHUNK_TOO_LARGE);
	ff_reasm_free(&r);
	ff_reasm_init(&r, 0, 62); /* the stream needs 63 */
	PUSH(&r, 0, FF_CHUNK_OVER_QUOTA);
	ff_reasm_free(&r);
	ff_reasm_init(&r, 0, 0);
	PUSH(&r, 0, FF_CHUNK_ACCEPTED);
	memcpy(beyond, s_chunk[3], s_len[3]);
	beyond[0] = 0x3b; /* offset 51: the last 13 bytes now run one byte past the stream */
	push(&r, beyond, s_len[3], FF_CHUNK_OUT_OF_RANGE);
	push(&r, (const uint8_t *)"\x30\x01", 2, FF_CHUNK_MALFORMED);
	push(&r, (const uint8_t *)"\x82\x07\x00\x03\x00\x3b\x00", 7, FF_CHUNK_UNSUPPORTED_VERSION);
	assert_true(ff_chunk_result_rejected(FF_CHUNK_CONFLICT));
	assert_false(ff_chunk_result_rejected(FF_CHUNK_DUPLICATE));
	assert_string_equal(ff_chunk_result_name(FF_CHUNK_CRC_MISMATCH), "crc_mismatch");
	ff_reasm_free(&r);
}

/* Any order of continuation chunks after the first, with repeats, delivers the message exactly once. */
static void random_orders(void **state)
{
	(void)state;
	srand(3);
	for (int round = 0; round < 500; round++) {
		struct ff_reasm r;
		int completes = 0;
		const uint8_t *msg;
		size_t len;

		ff_reasm_init(&r, 0, 0);
		assert_int_equal(ff_reasm_push(&r, s_chunk[0], s_len[0], &msg, &len, NULL), FF_CHUNK_ACCEPTED);
		for (int k = 0; k < 12; k++) {
			int i = rand() % 4;

			completes += ff_reasm_push(&r, s_chunk[i], s_len[i], &msg, &len, NULL) == FF_CHUNK_COMPLETE;
		}
		for (int i = 1; i < 4; i++)
			completes += ff_reasm_push(&r, s_chunk[i], s_len[i], &msg, &len, NULL) == FF_CHUNK_COMPLETE;
		assert_int_equal(completes, 1);
		ff_reasm_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(in_order_then_duplicates),
		cmocka_unit_test(out_of_order_and_restarts),
		cmocka_unit_test(conflict_keeps_what_was_held),
		cmocka_unit_test(crc_mismatch_then_resend),
		cmocka_unit_test(same_identity_other_bytes_is_a_new_message),
		cmocka_unit_test(limits),
		cmocka_unit_test(random_orders),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
