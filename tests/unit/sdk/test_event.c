/* SPDX-License-Identifier: Apache-2.0 */
/* sdk/src/event.c: the RAM ring drops its oldest entries when full, never the one being sent, and the next
 * message reports how many were dropped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"
#include "event_private.h"
#include "fake_port.h"
#include "faultline/faultline.h"

#define TYPE_TEST 5u /* "trace event": a reserved type, fine for the queue */

static uint8_t s_events[120];

static int setup(void **state)
{
	struct fl_init_params p = {s_events, sizeof(s_events)};

	(void)state;
	fake_port_reset();
	assert_int_equal(fl_init(&p, NULL), 0);
	assert_int_equal(drain_messages(64, NULL, NULL), 1); /* the reboot event */
	return 0;
}

/* A payload: a CBOR map {1: n, 2: bstr} of exactly len (6..260) bytes; n < 24. */
static size_t payload(uint8_t *out, uint8_t n, size_t len)
{
	out[0] = 0xa2;
	out[1] = 0x01;
	out[2] = n;
	out[3] = 0x02;
	if (len - 5 < 24) {
		out[4] = (uint8_t)(0x40 + (len - 5));
		memset(out + 5, n, len - 5);
	} else {
		out[4] = 0x58;
		out[5] = (uint8_t)(len - 6);
		memset(out + 6, n, len - 6);
	}
	return len;
}

static uint64_t payload_id(const uint8_t *msg, size_t len, uint64_t *dropped)
{
	cbor_item_t *m = decode_message(msg, len), *d = map_get(m, 8);
	uint64_t id = map_uint(map_get(m, 9), 1);

	*dropped = d != NULL ? cbor_get_int(d) : 0;
	cbor_decref(&m);
	return id;
}

/* Queue payloads with ids first..last, 30 bytes each (a 33-byte entry). */
static void push_ids(uint8_t first, uint8_t last)
{
	uint8_t p[32];

	for (uint8_t n = first; n <= last; n++)
		assert_int_equal(fl_event_push(TYPE_TEST, p, payload(p, n, 30)), 0);
}

/* Drain the queue at MTU 20: exactly three messages, the payload ids id[], reporting drops[] dropped entries. */
static void expect_sent(const uint64_t id[3], const uint64_t drops[3])
{
	struct drained d;
	uint64_t dropped;

	assert_int_equal(drain_all(20, &d), 3);
	for (size_t i = 0; i < 3; i++) {
		if (payload_id(d.msg[i], d.len[i], &dropped) != id[i] || dropped != drops[i])
			fail_msg("message %zu: id %llu reporting %llu dropped; want %llu and %llu", i,
				 (unsigned long long)payload_id(d.msg[i], d.len[i], &dropped), (unsigned long long)dropped,
				 (unsigned long long)id[i], (unsigned long long)drops[i]);
	}
	drained_free(&d);
}

static void oldest_dropped_and_reported(void **state)
{
	(void)state;
	/* 120 bytes hold three 33-byte entries; pushing six drops the three oldest. */
	push_ids(1, 6);
	assert_int_equal(fl_event_dropped(), 3);
	/* the drops are reported once, in the next message */
	expect_sent((const uint64_t[]){4, 5, 6}, (const uint64_t[]){3, 0, 0});
	assert_int_equal(fl_event_dropped(), 0);
}

static void in_flight_entry_is_kept(void **state)
{
	uint8_t chunk[16];
	size_t len;

	(void)state;
	push_ids(1, 3);
	assert_int_equal(fl_chunk_next(chunk, sizeof(chunk), &len), 0); /* entry 1 is now being sent */
	fl_chunk_restart();
	push_ids(4, 7);
	/* 1 survived, byte for byte: its envelope was fixed when its first chunk went out (0 dropped); 6 reports
	 * 2, 3, 4 and 5 */
	expect_sent((const uint64_t[]){1, 6, 7}, (const uint64_t[]){0, 4, 0});
}

/* Asking whether there is data starts nothing: with no chunk taken, a full ring still drops its oldest entry. */
static void has_data_marks_nothing_in_flight(void **state)
{
	(void)state;
	push_ids(1, 3);
	assert_true(fl_chunk_has_data());
	assert_true(fl_chunk_has_data());
	push_ids(4, 4); /* the ring is full: 1 goes */
	assert_int_equal(fl_event_dropped(), 1);
	expect_sent((const uint64_t[]){2, 3, 4}, (const uint64_t[]){1, 0, 0});
}

static void too_large_is_refused_and_counted(void **state)
{
	uint8_t p[FL_EVENT_PAYLOAD_MAX + 1] = {0};

	(void)state;
	assert_int_equal(fl_event_push(TYPE_TEST, p, sizeof(p)), FL_ERR_NO_SPACE);
	assert_int_equal(fl_event_dropped(), 1);
	assert_false(fl_chunk_has_data());
}

static void wraps_around(void **state)
{
	uint8_t p[40];
	struct drained d;
	uint64_t dropped;

	(void)state;
	for (uint8_t round = 0; round < 20; round++) {
		size_t len = 6 + (size_t)(round * 7) % 30;

		uint8_t id = round % 12; /* ids stay below 24: one-byte CBOR integers */

		assert_int_equal(fl_event_push(TYPE_TEST, p, payload(p, id, len)), 0);
		assert_int_equal(fl_event_push(TYPE_TEST, p, payload(p, id + 12, len)), 0);
		assert_int_equal(drain_all(10 + round, &d), 2);
		assert_int_equal(payload_id(d.msg[0], d.len[0], &dropped), id);
		assert_int_equal(payload_id(d.msg[1], d.len[1], &dropped), id + 12);
		drained_free(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(oldest_dropped_and_reported, setup),
		cmocka_unit_test_setup(in_flight_entry_is_kept, setup),
		cmocka_unit_test_setup(has_data_marks_nothing_in_flight, setup),
		cmocka_unit_test_setup(too_large_is_refused_and_counted, setup),
		cmocka_unit_test_setup(wraps_around, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
