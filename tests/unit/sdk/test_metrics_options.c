/* SPDX-License-Identifier: Apache-2.0 */
/* sdk/src/metrics.c built with FL_PORT_HAS_LOCK=1, a one-minute interval and metrics_options.def (a signed gauge
 * first, then a counter, a timer and an unsigned gauge): zigzag values, the lock around every change and every
 * heartbeat, and the configured interval. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"
#include "fake_port.h"
#include "faultline/faultline.h"
#include "ff/message.h"
#include "ff/metrics.h"

#if !FL_PORT_HAS_LOCK || FL_HEARTBEAT_INTERVAL_S != 60
#error "build this test with metrics_options_config.h"
#endif

/* Positions in heartbeat_values(): B, the 7 built-ins, then metrics_options.def's keys. */
enum { V_TEMP = 8, V_TEMP_MIN, V_TEMP_MAX, V_IRQS, V_DMA, V_DEPTH, V_DEPTH_MIN, V_DEPTH_MAX, V_COUNT };

static uint8_t s_events[256];

static int setup(void **state)
{
	struct fl_init_params p = {s_events, sizeof(s_events)};

	(void)state;
	fake_port_reset();
	assert_int_equal(fl_init(&p, NULL), 0);
	assert_int_equal(drain_messages(64, NULL, NULL), 1);
	return 0;
}

/* fl_metrics_heartbeat() and send it: its values into v. */
static void heartbeat(uint64_t v[V_COUNT])
{
	struct drained d;

	assert_int_equal(fl_metrics_heartbeat(), 0);
	assert_int_equal(drain_all(64, &d), 1);
	assert_int_equal(heartbeat_values(d.msg[0], d.len[0], v, V_COUNT), V_COUNT);
	drained_free(&d);
}

/* (v << 1) ^ (v >> 31), as docs/FORMAT.md §8.4 writes it. */
static uint64_t zigzag(int32_t v)
{
	return (uint32_t)(((uint32_t)v << 1) ^ (uint32_t)(v < 0 ? -1 : 0));
}

static void signed_gauge_zigzag(void **state)
{
	uint64_t v[V_COUNT];

	(void)state;
	heartbeat(v);
	assert_int_equal(v[V_TEMP], 0); /* never set: 0, min 1, max 0, zigzag-encoded: 0, 2, 0 */
	assert_int_equal(v[V_TEMP_MIN], 2);
	assert_int_equal(v[V_TEMP_MAX], 0);
	assert_int_equal(fl_metric_set_signed(FL_METRIC_temperature, -5), 0);
	assert_int_equal(fl_metric_set_signed(FL_METRIC_temperature, 3), 0);
	assert_int_equal(fl_metric_set_signed(FL_METRIC_temperature, -1), 0);
	heartbeat(v);
	assert_int_equal(v[V_TEMP], 1);     /* -1 */
	assert_int_equal(v[V_TEMP_MIN], 9); /* -5: ordered as signed numbers */
	assert_int_equal(v[V_TEMP_MAX], 6); /* 3 */
	fl_metric_set_signed(FL_METRIC_temperature, INT32_MIN);
	fl_metric_set_signed(FL_METRIC_temperature, INT32_MAX);
	fl_metric_set_signed(FL_METRIC_temperature, 0);
	heartbeat(v);
	assert_int_equal(v[V_TEMP], 0);
	assert_int_equal(v[V_TEMP_MIN], zigzag(INT32_MIN));
	assert_int_equal(v[V_TEMP_MAX], zigzag(INT32_MAX));
	assert_int_equal(zigzag(INT32_MIN), 0xffffffffu);
	heartbeat(v);
	assert_int_equal(v[V_TEMP_MIN], 0); /* the next interval starts at the last value */
	assert_int_equal(v[V_TEMP_MAX], 0);
	/* an unsigned gauge is not one: it refuses a signed value, and the other way round */
	assert_int_equal(fl_metric_set_signed(FL_METRIC_depth, 1), FL_ERR_INVALID_ARG);
	assert_int_equal(fl_metric_set(FL_METRIC_temperature, 1), FL_ERR_INVALID_ARG);
	fl_metric_set(FL_METRIC_depth, 0x80000000u); /* unsigned order: above 1 */
	fl_metric_set(FL_METRIC_depth, 1);
	heartbeat(v);
	assert_int_equal(v[V_DEPTH], 1);
	assert_int_equal(v[V_DEPTH_MIN], 1);
	assert_int_equal(v[V_DEPTH_MAX], 0x80000000u);
}

/* Signed gauges in the key table: kind 3 (docs/FORMAT.md §8.5). */
static void key_table_kinds(void **state)
{
	static const char want[] = "FLMT\001\003temperature\000\001irqs\000\004dma\000\002depth";
	uint8_t got[64];
	uint64_t flags;

	(void)state;
	assert_int_equal(self_section(".faultline.metrics", got, sizeof(got), &flags), sizeof(want));
	assert_memory_equal(got, want, sizeof(want));
	assert_int_equal(flags, 0);
}

/* The format library reads the signed gauge back by the build's table: zigzag undone. */
static void signed_values_named(void **state)
{
	static struct ff_metric_table table;
	static struct ff_message msg;
	struct ff_metric_value v[4];
	struct ff_error err;
	struct drained d;
	uint8_t got[64];
	uint64_t flags;
	long n = self_section(".faultline.metrics", got, sizeof(got), &flags);

	(void)state;
	assert_int_equal(ff_metric_table_parse(&table, got, (size_t)n, &err), 0);
	fl_metric_set_signed(FL_METRIC_temperature, -40);
	fl_metric_set_signed(FL_METRIC_temperature, 85);
	fl_metric_set_signed(FL_METRIC_temperature, -7);
	assert_int_equal(fl_metrics_heartbeat(), 0);
	assert_int_equal(drain_all(64, &d), 1);
	assert_int_equal(ff_message_parse(&msg, d.msg[0], d.len[0], &err), 0);
	drained_free(&d);
	assert_int_equal(ff_metric_values(v, &table, &msg.heartbeat, NULL, &err), 0);
	ff_message_free(&msg);
	assert_int_equal(v[0].value, -7);
	assert_int_equal(v[0].min, -40);
	assert_int_equal(v[0].max, 85);
	assert_true(v[0].has_value);
	assert_false(v[3].has_value); /* depth: never set */
}

/* Every change takes the lock once, and a heartbeat reads the keys under it: balanced, never nested. */
static void changes_under_the_lock(void **state)
{
	unsigned before;
	uint64_t v[V_COUNT];

	(void)state;
	before = g_port.locks;
	fl_metric_add(FL_METRIC_irqs, 1);
	fl_metric_set_signed(FL_METRIC_temperature, 21);
	fl_metric_set(FL_METRIC_depth, 2);
	fl_metric_timer_start(FL_METRIC_dma);
	fl_metric_timer_stop(FL_METRIC_dma);
	assert_int_equal(g_port.locks - before, 5);
	assert_int_equal(fl_metric_add(FL_METRIC_depth, 1), FL_ERR_INVALID_ARG); /* refused: no lock taken */
	assert_int_equal(g_port.locks - before, 5);
	before = g_port.locks;
	assert_int_equal(fl_metrics_heartbeat(), 0);
	assert_int_equal(g_port.locks - before, 2); /* the values, then the queue's push */
	assert_int_equal(g_port.locks, g_port.unlocks);
	assert_int_equal(g_port.lock_depth_max, 1);
	assert_int_equal(drain_messages(64, NULL, NULL), 1);
	heartbeat(v);
	assert_int_equal(v[V_IRQS], 1);
}

static void configured_interval(void **state)
{
	(void)state;
	g_port.uptime = 59999;
	assert_int_equal(fl_metrics_poll(), 0);
	g_port.uptime = 60000;
	assert_int_equal(fl_metrics_poll(), 1);
	g_port.uptime = 119999;
	assert_int_equal(fl_metrics_poll(), 0);
	g_port.uptime = 120000;
	assert_int_equal(fl_metrics_poll(), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(signed_gauge_zigzag, setup),
		cmocka_unit_test_setup(key_table_kinds, setup),
		cmocka_unit_test_setup(signed_values_named, setup),
		cmocka_unit_test_setup(changes_under_the_lock, setup),
		cmocka_unit_test_setup(configured_interval, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
