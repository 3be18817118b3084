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

static void oldest_dropped_and_reported(void **state)
{
	uint8_t p[32];
	struct drained d;
	uint64_t dropped;

	(void)state;
	/* 120 bytes hold three 33-byte entries; pushing six drops the three oldest. */
	for (uint8_t n = 1; n <= 6; n++)
		assert_int_equal(fl_event_push(TYPE_TEST, p, payload(p, n, 30)), 0);
	assert_int_equal(fl_event_dropped(), 3);
	assert_int_equal(drain_all(20, &d), 3);
	assert_int_equal(payload_id(d.msg[0], d.len[0], &dropped), 4);
	assert_int_equal(dropped, 3); /* reported once, in the next message */
	assert_int_equal(payload_id(d.msg[1], d.len[1], &dropped), 5);
	assert_int_equal(dropped, 0);
	assert_int_equal(payload_id(d.msg[2], d.len[2], &dropped), 6);
	assert_int_equal(fl_event_dropped(), 0);
	drained_free(&d);
}

static void in_flight_entry_is_kept(void **state)
{
	uint8_t p[32], chunk[16];
	size_t len;
	struct drained d;
	uint64_t dropped;

	(void)state;
	for (uint8_t n = 1; n <= 3; n++)
		assert_int_equal(fl_event_push(TYPE_TEST, p, payload(p, n, 30)), 0);
	assert_int_equal(fl_chunk_next(chunk, sizeof(chunk), &len), 0); /* entry 1 is now being sent */
	fl_chunk_restart();
	for (uint8_t n = 4; n <= 7; n++)
		assert_int_equal(fl_event_push(TYPE_TEST, p, payload(p, n, 30)), 0);
	assert_int_equal(drain_all(20, &d), 3);
	assert_int_equal(payload_id(d.msg[0], d.len[0], &dropped), 1); /* survived, byte for byte */
	assert_int_equal(dropped, 0); /* its envelope was fixed when its first chunk went out */
	assert_int_equal(payload_id(d.msg[1], d.len[1], &dropped), 6);
	assert_int_equal(dropped, 4); /* 2, 3, 4, 5 */
	assert_int_equal(payload_id(d.msg[2], d.len[2], &dropped), 7);
	drained_free(&d);
}

/* Asking whether there is data starts nothing: with no chunk taken, a full ring still drops its oldest entry. */
static void has_data_marks_nothing_in_flight(void **state)
{
	uint8_t p[32];
	struct drained d;
	uint64_t dropped;

	(void)state;
	for (uint8_t n = 1; n <= 3; n++)
		assert_int_equal(fl_event_push(TYPE_TEST, p, payload(p, n, 30)), 0);
	assert_true(fl_chunk_has_data());
	assert_true(fl_chunk_has_data());
	assert_int_equal(fl_event_push(TYPE_TEST, p, payload(p, 4, 30)), 0); /* the ring is full: 1 goes */
	assert_int_equal(fl_event_dropped(), 1);
	assert_int_equal(drain_all(20, &d), 3);
	assert_int_equal(payload_id(d.msg[0], d.len[0], &dropped), 2);
	assert_int_equal(dropped, 1);
	assert_int_equal(payload_id(d.msg[1], d.len[1], &dropped), 3);
	assert_int_equal(payload_id(d.msg[2], d.len[2], &dropped), 4);
	drained_free(&d);
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
