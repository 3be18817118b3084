/* SPDX-License-Identifier: Apache-2.0 */
/* sdk/src/metrics.c with the keys of docs/FORMAT.md §8.4's worked example (metrics_test.def: a counter, a gauge, a
 * timer): the example byte for byte, the interval, cumulative counters, gauges per interval, timers, the compact
 * and the full envelope, the built-in values, and the key table in the ELF (§8.5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "chunk_private.h"
#include "decode.h"
#include "event_private.h"
#include "fake_port.h"
#include "faultline/capture.h"
#include "faultline/faultline.h"
#include "ff/metrics.h"
#include "testdata.h"

#define HOUR_MS 3600000u
#define TYPE_TEST 5u /* "trace event": a reserved type, fine for the queue */

/* Positions in heartbeat_values(): B, the 7 built-ins, then metrics_test.def's keys. */
enum {
	V_B,
	V_UPTIME,
	V_UNEXPECTED,
	V_COREDUMPS,
	V_CHUNKS,
	V_BYTES,
	V_DROPPED,
	V_STORAGE,
	V_REQUESTS,
	V_LEVEL,
	V_LEVEL_MIN,
	V_LEVEL_MAX,
	V_BUSY,
	V_COUNT
};

static uint8_t s_events[256];

/* fl_init() as boot `id`, with a ring of size bytes of s_events. */
static void boot_with(uint32_t id, size_t size)
{
	struct fl_init_params p = {s_events, size};

	g_port.next_boot_id = id;
	assert_int_equal(fl_init(&p, NULL), 0);
}

static void boot(uint32_t id)
{
	boot_with(id, sizeof(s_events));
}

/* A fresh port, and a first boot that consumes the reboot record earlier tests left; then boot 2, its reboot
 * event sent. */
static int setup(void **state)
{
	(void)state;
	fake_port_reset();
	boot(1);
	boot(2);
	assert_int_equal(drain_messages(64, NULL, NULL), 1);
	return 0;
}

/* Send what is queued at MTU 64: exactly one message, a heartbeat; its values into v (V_COUNT of them). Returns its
 * decoded envelope (the caller decrefs it). */
static cbor_item_t *send_heartbeat(uint64_t v[V_COUNT])
{
	struct drained d;
	cbor_item_t *msg;

	assert_int_equal(drain_all(64, &d), 1);
	assert_int_equal(heartbeat_values(d.msg[0], d.len[0], v, V_COUNT), V_COUNT);
	assert_int_equal(v[V_B], 7);
	msg = decode_message(d.msg[0], d.len[0]);
	drained_free(&d);
	return msg;
}

/* send_heartbeat() for its values only. */
static void send_values(uint64_t v[V_COUNT])
{
	cbor_item_t *msg = send_heartbeat(v);

	cbor_decref(&msg);
}

/* fl_metrics_heartbeat(), then its values into v. */
static void heartbeat(uint64_t v[V_COUNT])
{
	assert_int_equal(fl_metrics_heartbeat(), 0);
	send_values(v);
}

/* docs/FORMAT.md §8.4's example, 32 bytes: boot 300, after an hour, 12 chunks of 436 bytes sent before, counter 5,
 * gauge 1660 (min 1658, max 1666), timer 200 ms. */
static const uint8_t k_example[32] = {0xa4, 0x00, 0x01, 0x01, 0x03, 0x07, 0x19, 0x01, 0x2c, 0x09, 0xa1,
				      0x01, 0x53, 0x07, 0x90, 0x1c, 0x00, 0x00, 0x0c, 0xb4, 0x03, 0x00,
				      0x00, 0x05, 0xfc, 0x0c, 0xfa, 0x0c, 0x82, 0x0d, 0xc8, 0x01};

/* The messages sent, and what each cost on the link, from the SDK's own counts at its last chunk. */
struct sent {
	struct drained d;
	uint32_t chunks[4], bytes[4], at_chunks, at_bytes;
};

static void note_sent(const uint8_t *msg, size_t len, void *ctx)
{
	struct sent *s = ctx;
	const uint32_t *given = fl_chunk_counts();

	assert_true(s->d.n < 4);
	s->chunks[s->d.n] = given[0] - s->at_chunks;
	s->bytes[s->d.n] = given[1] - s->at_bytes;
	s->at_chunks = given[0];
	s->at_bytes = given[1];
	s->d.msg[s->d.n] = malloc(len);
	assert_non_null(s->d.msg[s->d.n]);
	memcpy(s->d.msg[s->d.n], msg, len);
	s->d.len[s->d.n++] = len;
}

static void worked_example_byte_for_byte(void **state)
{
	uint8_t chunk[64], *example;
	size_t len;
	struct sent s;

	(void)state;
	boot(300);
	/* 12 chunks of 436 bytes went out before the heartbeat: the reboot event's first chunk, 12 times (a link that
	 * kept dropping), 4 of 37 bytes and 8 of 36 */
	for (int i = 0; i < 12; i++) {
		assert_int_equal(fl_chunk_next(chunk, i < 4 ? 37 : 36, &len), 0);
		assert_int_equal(len, i < 4 ? 37 : 36);
		fl_chunk_restart();
	}
	assert_int_equal(fl_metric_add(FL_METRIC_requests, 5), 0);
	assert_int_equal(fl_metric_set(FL_METRIC_level, 1658), 0);
	assert_int_equal(fl_metric_set(FL_METRIC_level, 1666), 0);
	assert_int_equal(fl_metric_set(FL_METRIC_level, 1660), 0);
	g_port.uptime = 1000;
	assert_int_equal(fl_metric_timer_start(FL_METRIC_busy), 0);
	g_port.uptime = 1200;
	assert_int_equal(fl_metric_timer_stop(FL_METRIC_busy), 0);
	g_port.uptime = HOUR_MS;
	assert_int_equal(fl_metrics_poll(), 1);

	/* the reboot event (from its first chunk again), then the heartbeat, reassembled from chunks at MTU 20 */
	memset(&s, 0, sizeof(s));
	s.at_chunks = fl_chunk_counts()[0];
	s.at_bytes = fl_chunk_counts()[1];
	assert_int_equal(drain_messages(20, note_sent, &s), 2);
	assert_int_equal(s.d.len[1], sizeof(k_example));
	assert_memory_equal(s.d.msg[1], k_example, sizeof(k_example));
	example = fl_test_read("format-v1/heartbeat.bin", &len); /* the test vector the decoders read */
	assert_int_equal(len, sizeof(k_example));
	assert_memory_equal(example, k_example, sizeof(k_example));
	free(example);
	/* §8.4: three chunks, 6 + 2 + 2 bytes of headers and the 4-byte CRC: 46 bytes on the wire */
	assert_int_equal(s.chunks[1], 3);
	assert_int_equal(s.bytes[1], 46);
	drained_free(&s.d);
}

/* §8.5: "FLMT", version 1, then kind and name of each key; in a section without SHF_ALLOC (flags 0). The format
 * library reads it, and names the values of the example's heartbeat by it. */
static void key_table_in_the_elf(void **state)
{
	static const char want[] = "FLMT\001\001requests\000\002level\000\004busy";
	static struct ff_metric_table table;
	static struct ff_message msg;
	struct ff_metric_value v[3];
	struct ff_error err;
	uint8_t got[64];
	uint64_t flags = ~0ull;

	(void)state;
	assert_int_equal(self_section(".faultline.metrics", got, sizeof(got), &flags), sizeof(want));
	assert_memory_equal(got, want, sizeof(want));
	assert_int_equal(flags, 0);
	assert_int_equal(ff_metric_table_parse(&table, got, sizeof(want), &err), 0);
	assert_int_equal(table.nkeys, 3);
	assert_string_equal(table.keys[0].name, "requests");
	assert_int_equal(table.keys[0].kind, FF_METRIC_COUNTER);
	assert_string_equal(table.keys[1].name, "level");
	assert_int_equal(table.keys[1].kind, FF_METRIC_GAUGE);
	assert_string_equal(table.keys[2].name, "busy");
	assert_int_equal(table.keys[2].kind, FF_METRIC_TIMER);
	assert_int_equal(ff_message_parse(&msg, k_example, sizeof(k_example), &err), 0);
	assert_true(msg.compact);
	assert_int_equal(ff_metric_values(v, &table, &msg.heartbeat, NULL, &err), 0);
	ff_message_free(&msg);
	assert_int_equal(v[0].value, 5);
	assert_int_equal(v[1].value, 1660);
	assert_int_equal(v[1].min, 1658);
	assert_int_equal(v[1].max, 1666);
	assert_int_equal(v[2].value, 200);
}

static void due_not_before_exactly_at(void **state)
{
	uint64_t v[V_COUNT];

	(void)state;
	g_port.uptime = HOUR_MS - 1;
	assert_int_equal(fl_metrics_poll(), 0);
	assert_false(fl_chunk_has_data());
	g_port.uptime = HOUR_MS;
	assert_int_equal(fl_metrics_poll(), 1);
	assert_int_equal(fl_metrics_poll(), 0); /* one per interval */
	send_values(v);
	assert_int_equal(v[V_UPTIME], 3600);
	g_port.uptime = 2 * HOUR_MS - 1;
	assert_int_equal(fl_metrics_poll(), 0);
	g_port.uptime = 2 * HOUR_MS;
	assert_int_equal(fl_metrics_poll(), 1);
	send_values(v);
	assert_int_equal(v[V_UPTIME], 7200);
}

/* A main loop that did not poll for ten hours gets one heartbeat, not ten; the next is an interval later. */
static void long_gap_one_heartbeat(void **state)
{
	uint64_t v[V_COUNT];

	(void)state;
	g_port.uptime = 10 * (uint64_t)HOUR_MS + 5000;
	assert_int_equal(fl_metrics_poll(), 1);
	assert_int_equal(fl_metrics_poll(), 0);
	send_values(v);
	assert_int_equal(v[V_UPTIME], 36005);
	g_port.uptime += HOUR_MS - 1;
	assert_int_equal(fl_metrics_poll(), 0);
	g_port.uptime += 1;
	assert_int_equal(fl_metrics_poll(), 1);
	send_values(v);
	assert_int_equal(v[V_UPTIME], 39605);
}

static void heartbeat_now_restarts_the_interval(void **state)
{
	uint64_t v[V_COUNT];

	(void)state;
	g_port.uptime = 1000000;
	heartbeat(v);
	assert_int_equal(v[V_UPTIME], 1000);
	g_port.uptime = 1000000 + HOUR_MS - 1;
	assert_int_equal(fl_metrics_poll(), 0);
	g_port.uptime = 1000000 + HOUR_MS;
	assert_int_equal(fl_metrics_poll(), 1);
}

/* uptime_s is fl_port_uptime_ms() / 1000, exact above 2^32 ms too, saturating past 2^32 s. */
static void uptime_in_seconds(void **state)
{
	uint64_t v[V_COUNT];

	(void)state;
	g_port.uptime = 123456789012ull;
	heartbeat(v);
	assert_int_equal(v[V_UPTIME], 123456789);
	g_port.uptime = 0x100000000ull * 999 + 999999;
	heartbeat(v);
	assert_int_equal(v[V_UPTIME], (0x100000000ull * 999 + 999999) / 1000);
	g_port.uptime = 0x100000000ull * 1000;
	heartbeat(v);
	assert_int_equal(v[V_UPTIME], UINT32_MAX);
}

static void counters_cumulative_and_wrapping(void **state)
{
	uint64_t v[V_COUNT];

	(void)state;
	heartbeat(v);
	assert_int_equal(v[V_REQUESTS], 0);
	fl_metric_add(FL_METRIC_requests, 3);
	heartbeat(v);
	assert_int_equal(v[V_REQUESTS], 3);
	fl_metric_add(FL_METRIC_requests, 4);
	heartbeat(v);
	assert_int_equal(v[V_REQUESTS], 7); /* since boot, not since the last heartbeat */
	fl_metric_add(FL_METRIC_requests, UINT32_MAX);
	heartbeat(v);
	assert_int_equal(v[V_REQUESTS], 6); /* 7 + 2^32 - 1, mod 2^32 */
}

#define assert_gauge(v, last, min, max)                                                                    \
	do {                                                                                               \
		assert_int_equal((v)[V_LEVEL], (last));                                                    \
		assert_int_equal((v)[V_LEVEL_MIN], (min));                                                 \
		assert_int_equal((v)[V_LEVEL_MAX], (max));                                                 \
	} while (0)

static void gauge_min_max_per_interval(void **state)
{
	uint64_t v[V_COUNT];

	(void)state;
	heartbeat(v);
	assert_gauge(v, 0, 1, 0); /* never set: min 1 > max 0 */
	heartbeat(v);
	assert_gauge(v, 0, 1, 0);
	fl_metric_set(FL_METRIC_level, 10);
	fl_metric_set(FL_METRIC_level, 5);
	fl_metric_set(FL_METRIC_level, 20);
	heartbeat(v);
	assert_gauge(v, 20, 5, 20);
	heartbeat(v);
	assert_gauge(v, 20, 20, 20); /* not set in the interval: it kept its last value */
	fl_metric_set(FL_METRIC_level, 7);
	heartbeat(v);
	assert_gauge(v, 7, 7, 20); /* the interval started at 20 */
	fl_metric_set(FL_METRIC_level, UINT32_MAX);
	heartbeat(v);
	assert_gauge(v, UINT32_MAX, 7, UINT32_MAX);
	fl_metric_set(FL_METRIC_level, 0);
	heartbeat(v);
	assert_gauge(v, 0, 0, UINT32_MAX);
	heartbeat(v);
	assert_gauge(v, 0, 0, 0); /* the max of the interval before is forgotten too */
}

/* The first value after boot is min and max both, whatever it is: 0 and 0xFFFFFFFF are values, not "unset". */
static void gauge_extreme_first_values(void **state)
{
	uint64_t v[V_COUNT];

	(void)state;
	fl_metric_set(FL_METRIC_level, UINT32_MAX);
	heartbeat(v);
	assert_gauge(v, UINT32_MAX, UINT32_MAX, UINT32_MAX);
	boot(3);
	fl_metric_set(FL_METRIC_level, 0);
	assert_int_equal(drain_messages(64, NULL, NULL), 1);
	heartbeat(v);
	assert_gauge(v, 0, 0, 0);
}

static void timer_runs_across_heartbeats(void **state)
{
	uint64_t v[V_COUNT];

	(void)state;
	g_port.uptime = 1000;
	fl_metric_timer_start(FL_METRIC_busy);
	g_port.uptime = HOUR_MS;
	assert_int_equal(fl_metrics_poll(), 1);
	send_values(v);
	assert_int_equal(v[V_BUSY], HOUR_MS - 1000); /* the running period, up to the heartbeat */
	g_port.uptime = HOUR_MS + 500;
	fl_metric_timer_stop(FL_METRIC_busy);
	g_port.uptime = HOUR_MS + 900;
	fl_metric_timer_stop(FL_METRIC_busy); /* stopped already: nothing */
	heartbeat(v);
	assert_int_equal(v[V_BUSY], HOUR_MS - 500);
	fl_metric_timer_start(FL_METRIC_busy);
	g_port.uptime += 100;
	fl_metric_timer_start(FL_METRIC_busy); /* running already: it goes on */
	g_port.uptime += 200;
	fl_metric_timer_stop(FL_METRIC_busy);
	heartbeat(v);
	assert_int_equal(v[V_BUSY], HOUR_MS - 500 + 300);
}

/* A timer wraps as a counter does: milliseconds since boot, mod 2^32. */
static void timer_wraps(void **state)
{
	uint64_t v[V_COUNT];

	(void)state;
	g_port.uptime = 10;
	fl_metric_timer_start(FL_METRIC_busy);
	for (int i = 1; i <= 3; i++) { /* heartbeats every 25 days: 3 x 2.16e9 ms passes 2^32 */
		g_port.uptime = 10 + (uint64_t)i * 2160000000u;
		heartbeat(v);
	}
	assert_int_equal(v[V_BUSY], (uint32_t)(3 * 2160000000ull));
}

static void wrong_kind_changes_nothing(void **state)
{
	volatile int out_of_range = FL_METRIC_KEYS;
	uint64_t v[V_COUNT];

	(void)state;
	assert_int_equal(fl_metric_add(FL_METRIC_level, 1), FL_ERR_INVALID_ARG);
	assert_int_equal(fl_metric_add(FL_METRIC_busy, 1), FL_ERR_INVALID_ARG);
	assert_int_equal(fl_metric_set(FL_METRIC_requests, 3), FL_ERR_INVALID_ARG);
	assert_int_equal(fl_metric_set_signed(FL_METRIC_level, -1), FL_ERR_INVALID_ARG);
	assert_int_equal(fl_metric_timer_start(FL_METRIC_requests), FL_ERR_INVALID_ARG);
	assert_int_equal(fl_metric_timer_stop(FL_METRIC_level), FL_ERR_INVALID_ARG);
	assert_int_equal(fl_metric_add((enum fl_metric_key)out_of_range, 1), FL_ERR_INVALID_ARG);
	assert_int_equal(fl_metric_set((enum fl_metric_key)(out_of_range + 40), 1), FL_ERR_INVALID_ARG);
	assert_int_equal(fl_metric_add((enum fl_metric_key)-1, 1), FL_ERR_INVALID_ARG);
	heartbeat(v);
	assert_int_equal(v[V_REQUESTS], 0);
	assert_gauge(v, 0, 1, 0);
	assert_int_equal(v[V_BUSY], 0);
}

/* fl_init() is a new boot: every key starts again. */
static void boot_resets_every_key(void **state)
{
	uint64_t v[V_COUNT];

	(void)state;
	fl_metric_add(FL_METRIC_requests, 9);
	fl_metric_set(FL_METRIC_level, 4);
	fl_metric_timer_start(FL_METRIC_busy);
	g_port.uptime = 5000;
	boot(3);
	assert_int_equal(drain_messages(64, NULL, NULL), 1);
	g_port.uptime = 9000;
	heartbeat(v);
	assert_int_equal(v[V_REQUESTS], 0);
	assert_gauge(v, 0, 1, 0);
	assert_int_equal(v[V_BUSY], 0);
}

/* The envelope's keys, in order, into keys[]; returns how many. */
static size_t envelope_keys(cbor_item_t *msg, uint64_t *keys, size_t max)
{
	struct cbor_pair *pairs = cbor_map_handle(msg);
	size_t n = cbor_map_size(msg);

	assert_true(n <= max);
	for (size_t i = 0; i < n; i++)
		keys[i] = cbor_get_int(pairs[i].key);
	return n;
}

static void compact_once_the_reboot_event_is_sent(void **state)
{
	uint64_t v[V_COUNT], keys[12];
	cbor_item_t *msg;

	(void)state;
	boot(42);
	assert_int_equal(drain_messages(64, NULL, NULL), 1);
	assert_int_equal(fl_metrics_heartbeat(), 0);
	msg = send_heartbeat(v);
	assert_int_equal(envelope_keys(msg, keys, 12), 4);
	assert_memory_equal(keys, ((uint64_t[]){0, 1, 7, 9}), 4 * sizeof(uint64_t));
	assert_int_equal(map_uint(msg, 0), 1);
	assert_int_equal(map_uint(msg, 7), 42);
	cbor_decref(&msg);
}

/* A compact envelope still reports the events dropped before it. */
static void compact_reports_drops(void **state)
{
	uint8_t big[FL_EVENT_PAYLOAD_MAX + 1] = {0};
	uint64_t v[V_COUNT], keys[12];
	cbor_item_t *msg;

	(void)state;
	assert_int_equal(fl_metrics_heartbeat(), 0);
	assert_int_equal(fl_event_push(TYPE_TEST, big, sizeof(big)), FL_ERR_NO_SPACE);
	msg = send_heartbeat(v);
	assert_int_equal(envelope_keys(msg, keys, 12), 5);
	assert_memory_equal(keys, ((uint64_t[]){0, 1, 7, 8, 9}), 5 * sizeof(uint64_t));
	assert_int_equal(map_uint(msg, 8), 1);
	assert_int_equal(v[V_DROPPED], 0); /* its values were read before the drop */
	cbor_decref(&msg);
}

/* The ring dropped this boot's reboot event before it went out: for the rest of the boot, heartbeats carry the
 * identity themselves; the next boot's are compact again. */
static void full_after_the_reboot_event_was_dropped(void **state)
{
	uint8_t p[30] = {0xa1, 0x01, 0x58, 26};
	uint64_t v[V_COUNT], keys[12];
	struct drained d;
	cbor_item_t *msg, *build_id;

	(void)state;
	boot_with(43, 120);
	for (int i = 0; i < 4; i++) /* 4 entries of 33 bytes in 120: the reboot event (the oldest) goes */
		assert_int_equal(fl_event_push(TYPE_TEST, p, sizeof(p)), 0);
	assert_int_equal(fl_metrics_heartbeat(), 0);
	assert_true(drain_all(20, &d) >= 2);
	for (size_t i = 0; i < d.n - 1; i++) {
		msg = decode_message(d.msg[i], d.len[i]);
		assert_int_equal(map_uint(msg, 1), TYPE_TEST); /* no reboot event among them */
		cbor_decref(&msg);
	}
	assert_int_equal(heartbeat_values(d.msg[d.n - 1], d.len[d.n - 1], v, V_COUNT), V_COUNT);
	msg = decode_message(d.msg[d.n - 1], d.len[d.n - 1]);
	drained_free(&d);
	assert_int_equal(envelope_keys(msg, keys, 12), 9);
	assert_memory_equal(keys, ((uint64_t[]){0, 1, 2, 3, 4, 5, 6, 7, 9}), 9 * sizeof(uint64_t));
	assert_int_equal(map_uint(msg, 2), 62); /* x86-64 */
	assert_int_equal(map_uint(msg, 3), 1);  /* POSIX */
	build_id = map_get(msg, 4);
	assert_int_equal(cbor_bytestring_length(build_id), 20);
	assert_memory_equal(cbor_bytestring_handle(build_id), g_port.build_id, 20);
	assert_int_equal(map_uint(msg, 7), 43);
	cbor_decref(&msg);

	assert_int_equal(fl_metrics_heartbeat(), 0); /* still full, later in the boot */
	msg = send_heartbeat(v);
	assert_non_null(map_get(msg, 4));
	cbor_decref(&msg);

	boot(44);
	assert_int_equal(drain_messages(64, NULL, NULL), 1);
	assert_int_equal(fl_metrics_heartbeat(), 0);
	msg = send_heartbeat(v);
	assert_null(map_get(msg, 2));
	assert_null(map_get(msg, 4));
	cbor_decref(&msg);
}

/* chunks and chunk_bytes: every chunk fl_chunk_next() gave, restarted ones too, headers included. */
static void builtin_chunks_counted_exactly(void **state)
{
	uint8_t chunk[64], pl[40] = {0xa1, 0x01, 0x58, 36};
	uint64_t v[V_COUNT];
	size_t len;
	uint32_t chunks = 0, bytes = 0;

	(void)state;
	boot(5);
	assert_int_equal(fl_event_push(TYPE_TEST, pl, sizeof(pl)), 0);
	for (int i = 0; i < 3; i++) { /* a link that drops: the first chunk three times */
		assert_int_equal(fl_chunk_next(chunk, 10 + i, &len), 0);
		chunks++;
		bytes += (uint32_t)len;
		fl_chunk_restart();
	}
	while (fl_chunk_next(chunk, 13, &len) == 0) {
		chunks++;
		bytes += (uint32_t)len;
	}
	assert_int_equal(fl_metrics_heartbeat(), 0);
	while (fl_chunk_next(chunk, 20, &len) == 0) { /* the heartbeat itself: counted in the next one */
		chunks++;
		bytes += (uint32_t)len;
	}
	heartbeat(v);
	assert_int_equal(v[V_CHUNKS], chunks);
	assert_int_equal(v[V_BYTES], bytes);
}

/* events_dropped counts every drop since boot, also those already reported in an envelope. */
static void builtin_events_dropped_since_boot(void **state)
{
	uint8_t p[60] = {0xa1, 0x01, 0x58, 56};
	uint64_t v[V_COUNT];
	uint32_t dropped;

	(void)state;
	for (int i = 0; i < 10; i++)
		fl_event_push(TYPE_TEST, p, sizeof(p));
	dropped = fl_event_dropped();
	assert_true(dropped >= 6);
	assert_true(drain_messages(64, NULL, NULL) > 0); /* the drops are reported */
	assert_int_equal(fl_event_dropped(), 0);
	heartbeat(v);
	assert_int_equal(v[V_DROPPED], dropped);
	heartbeat(v);
	assert_int_equal(v[V_DROPPED], dropped);
}

/* A heartbeat the queue cannot hold (the entry being sent takes the room) is refused, counted, and the interval
 * starts again. */
static void heartbeat_refused_when_no_room(void **state)
{
	uint8_t p[FL_EVENT_PAYLOAD_MAX] = {0xa1, 0x01, 0x58, FL_EVENT_PAYLOAD_MAX - 4}, chunk[16];
	uint64_t v[V_COUNT];
	size_t len;

	(void)state;
	boot_with(6, FL_EVENT_BUF_MIN);
	assert_int_equal(drain_messages(64, NULL, NULL), 1);
	assert_int_equal(fl_event_push(TYPE_TEST, p, sizeof(p)), 0);
	assert_int_equal(fl_chunk_next(chunk, sizeof(chunk), &len), 0); /* in flight: it stays */
	g_port.uptime = HOUR_MS;
	assert_int_equal(fl_metrics_poll(), FL_ERR_NO_SPACE);
	assert_int_equal(fl_metrics_poll(), 0);
	fl_chunk_restart();
	assert_int_equal(drain_messages(64, NULL, NULL), 1);
	heartbeat(v);
	assert_int_equal(v[V_DROPPED], 1);
}

/* unexpected_reboots and coredumps: what the boot's reboot event says of the boot before; storage: now. */
static void builtin_crash_before_this_boot(void **state)
{
	struct fl_capture c;
	uint64_t v[V_COUNT];
	struct drained d;

	(void)state;
	fake_capture(&c, FL_REASON_BUS_FAULT);
	assert_int_equal(fl_coredump_save(&c), 0);
	boot(7);
	assert_int_equal(fl_metrics_heartbeat(), 0);
	assert_int_equal(drain_all(64, &d), 3); /* the coredump, the reboot event, the heartbeat */
	assert_int_equal(heartbeat_values(d.msg[2], d.len[2], v, V_COUNT), V_COUNT);
	drained_free(&d);
	assert_int_equal(v[V_UNEXPECTED], 1);
	assert_int_equal(v[V_COREDUMPS], 1);
	assert_int_equal(v[V_STORAGE], 1); /* made while the dump was not sent yet */
	heartbeat(v);
	assert_int_equal(v[V_UNEXPECTED], 1); /* the same all boot */
	assert_int_equal(v[V_COREDUMPS], 1);
	assert_int_equal(v[V_STORAGE], 0); /* sent and erased: ready */

	boot(8); /* after a boot that ended well (nothing marked, the hardware says unknown) */
	assert_int_equal(drain_messages(64, NULL, NULL), 1);
	heartbeat(v);
	assert_int_equal(v[V_UNEXPECTED], 0);
	assert_int_equal(v[V_COREDUMPS], 0);
}

static void builtin_marked_reasons(void **state)
{
	uint64_t v[V_COUNT];

	(void)state;
	fl_reboot_mark(FL_REASON_SOFTWARE_WATCHDOG); /* unexpected, without a coredump */
	boot(9);
	assert_int_equal(drain_messages(64, NULL, NULL), 1);
	heartbeat(v);
	assert_int_equal(v[V_UNEXPECTED], 1);
	assert_int_equal(v[V_COREDUMPS], 0);
	fl_reboot_mark(FL_REASON_FIRMWARE_UPDATE); /* expected */
	boot(10);
	assert_int_equal(drain_messages(64, NULL, NULL), 1);
	heartbeat(v);
	assert_int_equal(v[V_UNEXPECTED], 0);
	g_port.reset_reason = FL_REASON_BROWNOUT; /* unexpected, from the hardware */
	boot(11);
	assert_int_equal(drain_messages(64, NULL, NULL), 1);
	heartbeat(v);
	assert_int_equal(v[V_UNEXPECTED], 1);
}

static void builtin_storage_failed(void **state)
{
	struct fl_init_params p = {s_events, sizeof(s_events)};
	uint64_t v[V_COUNT];

	(void)state;
	g_port.fail_reads = true;
	assert_int_equal(fl_init(&p, NULL), FL_ERR_IO);
	g_port.fail_reads = false;
	assert_int_equal(drain_messages(64, NULL, NULL), 1);
	heartbeat(v);
	assert_int_equal(v[V_STORAGE], 2);
}

/* The worst case this build computed holds what the SDK writes with every value at its largest. */
static void largest_heartbeat_within_its_bound(void **state)
{
	struct drained d;

	(void)state;
	assert_int_equal(FL_HEARTBEAT_VALUES_MAX, 24 + 5 + 15 + 5);
	assert_int_equal(FL_HEARTBEAT_PAYLOAD_MAX, 53);
	fl_metric_add(FL_METRIC_requests, UINT32_MAX);
	fl_metric_set(FL_METRIC_level, UINT32_MAX);
	fl_metric_set(FL_METRIC_level, UINT32_MAX - 1);
	g_port.uptime = 100;
	fl_metric_timer_start(FL_METRIC_busy);
	g_port.uptime = 0x100000000ull * 1000; /* uptime_s saturated; the timer ran 2^32 - 100 ms */
	assert_int_equal(fl_metrics_heartbeat(), 0);
	assert_int_equal(drain_all(64, &d), 1);
	/* The payload follows the compact envelope's 8 bytes (a boot id below 24). Every value takes its 5 bytes
	 * but chunks, chunk_bytes and events_dropped, small here: 1 byte each. */
	assert_int_equal(d.len[0] - 8, FL_HEARTBEAT_PAYLOAD_MAX - 3 * 4);
	drained_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(worked_example_byte_for_byte, setup),
		cmocka_unit_test_setup(key_table_in_the_elf, setup),
		cmocka_unit_test_setup(due_not_before_exactly_at, setup),
		cmocka_unit_test_setup(long_gap_one_heartbeat, setup),
		cmocka_unit_test_setup(heartbeat_now_restarts_the_interval, setup),
		cmocka_unit_test_setup(uptime_in_seconds, setup),
		cmocka_unit_test_setup(counters_cumulative_and_wrapping, setup),
		cmocka_unit_test_setup(gauge_min_max_per_interval, setup),
		cmocka_unit_test_setup(gauge_extreme_first_values, setup),
		cmocka_unit_test_setup(timer_runs_across_heartbeats, setup),
		cmocka_unit_test_setup(timer_wraps, setup),
		cmocka_unit_test_setup(wrong_kind_changes_nothing, setup),
		cmocka_unit_test_setup(boot_resets_every_key, setup),
		cmocka_unit_test_setup(compact_once_the_reboot_event_is_sent, setup),
		cmocka_unit_test_setup(compact_reports_drops, setup),
		cmocka_unit_test_setup(full_after_the_reboot_event_was_dropped, setup),
		cmocka_unit_test_setup(builtin_chunks_counted_exactly, setup),
		cmocka_unit_test_setup(builtin_events_dropped_since_boot, setup),
		cmocka_unit_test_setup(heartbeat_refused_when_no_room, setup),
		cmocka_unit_test_setup(builtin_crash_before_this_boot, setup),
		cmocka_unit_test_setup(builtin_marked_reasons, setup),
		cmocka_unit_test_setup(builtin_storage_failed, setup),
		cmocka_unit_test_setup(largest_heartbeat_within_its_bound, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
