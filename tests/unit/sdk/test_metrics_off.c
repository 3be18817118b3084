/* SPDX-License-Identifier: Apache-2.0 */
/* FL_HEARTBEAT_ENABLED 0 (metrics_off_config.h), keys defined all the same: the application's calls compile and
 * do nothing, no heartbeat is ever queued, every envelope is the full one, and no key table is emitted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "decode.h"
#include "fake_port.h"
#include "faultline/faultline.h"

#if FL_HEARTBEAT_ENABLED
#error "build this test with metrics_off_config.h"
#endif

static uint8_t s_events[256];

static void calls_do_nothing(void **state)
{
	struct fl_init_params p = {s_events, sizeof(s_events)};
	struct drained d;
	uint8_t section[16];
	uint64_t flags;

	(void)state;
	fake_port_reset();
	assert_int_equal(fl_init(&p, NULL), 0);
	assert_int_equal(fl_metric_add(FL_METRIC_requests, 1), 0);
	assert_int_equal(fl_metric_set(FL_METRIC_level, 7), 0);
	assert_int_equal(fl_metric_timer_start(FL_METRIC_busy), 0);
	assert_int_equal(fl_metric_timer_stop(FL_METRIC_busy), 0);
	assert_int_equal(fl_metric_add(FL_METRIC_level, 1), FL_ERR_INVALID_ARG); /* the kind is still checked */
	g_port.uptime = 100 * 3600000ull;
	assert_int_equal(fl_metrics_poll(), 0);
	assert_int_equal(fl_metrics_heartbeat(), FL_ERR_STATE);
	assert_int_equal(drain_all(20, &d), 1); /* the reboot event, and nothing else */
	cbor_item_t *msg = decode_message(d.msg[0], d.len[0]);
	assert_int_equal(map_uint(msg, 1), 2);
	assert_non_null(map_get(msg, 4)); /* its identity */
	cbor_decref(&msg);
	drained_free(&d);
	assert_int_equal(self_section(".faultline.metrics", section, sizeof(section), &flags), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(calls_do_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
