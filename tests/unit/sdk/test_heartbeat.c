/* SPDX-License-Identifier: Apache-2.0 */
/* The SDK's defaults: heartbeats with the built-in values only (no FL_METRICS_DEF), every hour. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "decode.h"
#include "fake_port.h"
#include "faultline/faultline.h"

#if !FL_HEARTBEAT_ENABLED || FL_HEARTBEAT_INTERVAL_S != 3600 || defined(FL_METRICS_DEF)
#error "build this test with the SDK's default configuration"
#endif

static uint8_t s_events[256];

static void builtins_only(void **state)
{
	struct fl_init_params p = {s_events, sizeof(s_events)};
	struct drained d;
	uint64_t v[16];
	uint8_t section[16];
	uint64_t flags;

	(void)state;
	fake_port_reset();
	assert_int_equal(FL_METRIC_KEYS, 0);
	assert_int_equal(FL_HEARTBEAT_PAYLOAD_MAX, 28);
	assert_int_equal(fl_init(&p, NULL), 0);
	assert_int_equal(fl_metric_add((enum fl_metric_key)0, 1), FL_ERR_INVALID_ARG); /* there is no key */
	assert_int_equal(drain_messages(20, NULL, NULL), 1);
	g_port.uptime = 3600000 - 1;
	assert_int_equal(fl_metrics_poll(), 0);
	g_port.uptime = 3600000;
	assert_int_equal(fl_metrics_poll(), 1);
	assert_int_equal(drain_all(20, &d), 1);
	/* B = 7, then the 7 built-ins, and nothing after them */
	assert_int_equal(heartbeat_values(d.msg[0], d.len[0], v, 16), 8);
	assert_int_equal(v[0], 7);
	assert_int_equal(v[1], 3600);
	drained_free(&d);
	/* the key table of a build without keys: its header alone */
	assert_int_equal(self_section(".faultline.metrics", section, sizeof(section), &flags), 5);
	assert_memory_equal(section, "FLMT\001", 5);
	assert_int_equal(flags, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(builtins_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
