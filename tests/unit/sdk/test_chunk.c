/* SPDX-License-Identifier: Apache-2.0 */
/* sdk/src/chunk.c: round trips at every MTU from the minimum to 1 KiB with random message sizes, restarts, MTU
 * changes mid-message, and queueing until the last chunk. Chunks are parsed by the analysis library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"
#include "ff/chunk.h"
#include "fake_port.h"
#include "faultline/capture.h"
#include "faultline/faultline.h"

static uint8_t s_events[256];
static uint8_t s_region[12000];

static void boot(void)
{
	struct fl_init_params p = {s_events, sizeof(s_events)};

	assert_int_equal(fl_init(&p, NULL), 0);
}

static int setup(void **state)
{
	(void)state;
	fake_port_reset();
	g_port.size = 16384;
	return 0;
}

/* Save a dump with a region of region_len bytes, reboot, and return a copy of the stored message. */
static uint8_t *dump_of(size_t region_len, size_t *out_len)
{
	struct fl_capture c;
	const uint8_t *m;
	uint8_t *copy;

	boot();
	if (region_len > 0)
		assert_int_equal(fl_coredump_add_region(s_region, region_len), 0);
	fake_capture(&c, FL_REASON_HARD_FAULT);
	assert_int_equal(fl_coredump_save(&c), 0);
	boot();
	m = stored_message(out_len);
	assert_non_null(m);
	copy = malloc(*out_len);
	memcpy(copy, m, *out_len);
	return copy;
}

static void every_mtu(void **state)
{
	(void)state;
	srand(7);
	for (size_t i = 0; i < sizeof(s_region); i++)
		s_region[i] = (uint8_t)rand();
	for (size_t mtu = FL_CHUNK_MIN; mtu <= 1024; mtu++) {
		struct drained d;
		size_t len;
		uint8_t *want;

		fake_port_reset();
		g_port.size = 16384;
		want = dump_of((size_t)rand() % sizeof(s_region), &len);
		if (drain_all(mtu, &d) != 2)
			fail_msg("mtu %zu: %zu messages", mtu, d.n);
		if (d.len[0] != len || memcmp(d.msg[0], want, len) != 0)
			fail_msg("mtu %zu: the coredump of %zu bytes did not survive the trip", mtu, len);
		drained_free(&d);
		free(want);
	}
	assert_int_equal(g_port.violations, 0);
}

/* Take chunks of random sizes, restart at random points: whatever was sent before a restart comes again byte for
 * byte; the message completes once. */
static void restart_and_changing_mtu(void **state)
{
	uint8_t first[3][2048], chunk[2048], stream[16384];
	size_t first_len[3], len, want_len, have = 0, taken = 0;
	uint8_t *want;
	struct ff_chunk c;

	(void)state;
	srand(11);
	want = dump_of(5000, &want_len);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(fl_chunk_next(first[i], 10 + (size_t)i * 100, &first_len[i]), 0);
		taken++;
	}
	fl_chunk_restart();
	for (int i = 0; i < 3; i++) {
		assert_int_equal(fl_chunk_next(chunk, 10 + (size_t)i * 100, &len), 0);
		assert_int_equal(len, first_len[i]);
		assert_memory_equal(chunk, first[i], len);
	}
	fl_chunk_restart();
	for (;;) {
		size_t mtu = FL_CHUNK_MIN + (size_t)rand() % 600;

		assert_true(fl_coredump_pending()); /* queued until the last chunk is taken */
		assert_int_equal(fl_chunk_next(chunk, mtu, &len), 0);
		assert_true(len <= mtu);
		assert_int_equal(ff_chunk_parse(&c, chunk, len, NULL), 0);
		if (c.kind == FF_CHUNK_FIRST)
			have = 0;
		assert_int_equal(c.offset, have);
		memcpy(stream + c.offset, c.data, c.len);
		have += c.len;
		if (have == want_len + 4)
			break;
		if (rand() % 50 == 0) {
			fl_chunk_restart();
			have = 0;
		}
	}
	assert_memory_equal(stream, want, want_len);
	assert_false(fl_coredump_pending());
	assert_int_equal(drain_messages(40, NULL, NULL), 1); /* the reboot event is next */
	assert_false(fl_chunk_has_data());
	free(want);
}

static void arguments_and_empty_queue(void **state)
{
	uint8_t buf[16];
	size_t len = 99;

	(void)state;
	boot();
	assert_true(fl_chunk_has_data());
	assert_int_equal(fl_chunk_next(buf, FL_CHUNK_MIN - 1, &len), FL_ERR_INVALID_ARG);
	assert_int_equal(fl_chunk_next(NULL, sizeof(buf), &len), FL_ERR_INVALID_ARG);
	assert_int_equal(fl_chunk_next(buf, sizeof(buf), NULL), FL_ERR_INVALID_ARG);
	assert_int_equal(drain_messages(FL_CHUNK_MIN, NULL, NULL), 1);
	assert_false(fl_chunk_has_data());
	assert_int_equal(fl_chunk_next(buf, sizeof(buf), &len), FL_ERR_NO_DATA);
	assert_int_equal(len, 99);
	fl_chunk_restart(); /* nothing in progress: no effect */
	assert_int_equal(fl_chunk_next(buf, sizeof(buf), &len), FL_ERR_NO_DATA);
}

/* A storage read error leaves the message where it was; the next call continues. */
static void storage_read_error(void **state)
{
	uint8_t chunk[64];
	size_t len, want_len;
	uint8_t *want = NULL;
	struct drained d;

	(void)state;
	want = dump_of(300, &want_len);
	assert_int_equal(fl_chunk_next(chunk, sizeof(chunk), &len), 0);
	g_port.fail_reads = true;
	assert_int_equal(fl_chunk_next(chunk, sizeof(chunk), &len), FL_ERR_IO);
	g_port.fail_reads = false;
	fl_chunk_restart();
	assert_int_equal(drain_all(64, &d), 2);
	assert_int_equal(d.len[0], want_len);
	assert_memory_equal(d.msg[0], want, want_len);
	drained_free(&d);
	free(want);
}

/* Sequence numbers count messages within a boot; chunks carry the boot id's low 16 bits. */
static void identity(void **state)
{
	uint8_t chunk[64];
	size_t len;
	struct ff_chunk c;

	(void)state;
	g_port.next_boot_id = 0x12345;
	free(dump_of(10, &len)); /* boots 0x12345 (crash) and 0x12346 */
	assert_int_equal(fl_chunk_next(chunk, sizeof(chunk), &len), 0);
	assert_int_equal(ff_chunk_parse(&c, chunk, len, NULL), 0);
	assert_int_equal(c.boot, 0x2346);
	assert_int_equal(c.seq, 0);
	while (fl_coredump_pending())
		assert_int_equal(fl_chunk_next(chunk, sizeof(chunk), &len), 0);
	assert_int_equal(fl_chunk_next(chunk, sizeof(chunk), &len), 0);
	assert_int_equal(ff_chunk_parse(&c, chunk, len, NULL), 0);
	assert_int_equal(c.kind, FF_CHUNK_FIRST);
	assert_int_equal(c.seq, 1);
}

/* The first chunk of the next message: its seq. */
static uint16_t next_first_seq(void)
{
	uint8_t chunk[64];
	size_t len;
	struct ff_chunk c;

	assert_int_equal(fl_chunk_next(chunk, sizeof(chunk), &len), 0);
	assert_int_equal(ff_chunk_parse(&c, chunk, len, NULL), 0);
	assert_int_equal(c.kind, FF_CHUNK_FIRST);
	return c.seq;
}

/* A coredump cleared while it is being sent is abandoned by the chunker on its own, and its seq stays used; a
 * dump saved again before the next chunk is a new message, sent from its first chunk. */
static void coredump_cleared_part_way(void **state)
{
	struct fl_capture c;
	uint8_t chunk[64];
	size_t len, want_len;
	const uint8_t *stored;
	uint8_t *want;
	struct drained d;

	(void)state;
	boot();
	assert_int_equal(drain_messages(64, NULL, NULL), 1); /* the reboot event: seq 0 */
	fake_capture(&c, FL_REASON_HARD_FAULT);
	assert_int_equal(fl_coredump_save(&c), 0);
	assert_int_equal(next_first_seq(), 1);
	assert_int_equal(fl_coredump_clear(), 0);
	assert_false(fl_chunk_has_data());
	assert_int_equal(fl_chunk_next(chunk, sizeof(chunk), &len), FL_ERR_NO_DATA);

	assert_int_equal(fl_coredump_save(&c), 0);
	assert_int_equal(next_first_seq(), 2);
	assert_int_equal(fl_coredump_clear(), 0);
	assert_int_equal(fl_coredump_save(&c), 0); /* the same capture again: a dump of the same length */
	assert_true(fl_chunk_has_data());
	assert_int_equal(next_first_seq(), 3);
	fl_chunk_restart();
	stored = stored_message(&want_len);
	assert_non_null(stored);
	want = malloc(want_len);
	memcpy(want, stored, want_len); /* sending erases storage */
	assert_int_equal(drain_all(64, &d), 1);
	assert_int_equal(d.len[0], want_len);
	assert_memory_equal(d.msg[0], want, want_len);
	drained_free(&d);
	free(want);
	assert_false(fl_coredump_pending());
	assert_int_equal(g_port.violations, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(every_mtu, setup),
		cmocka_unit_test_setup(restart_and_changing_mtu, setup),
		cmocka_unit_test_setup(arguments_and_empty_queue, setup),
		cmocka_unit_test_setup(storage_read_error, setup),
		cmocka_unit_test_setup(identity, setup),
		cmocka_unit_test_setup(coredump_cleared_part_way, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
