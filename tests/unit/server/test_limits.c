/* SPDX-License-Identifier: Apache-2.0 */
/* server/src/limits.c: each limit's window (calendar hours and days, moving forward only), the seconds a refusal
 * gives until it ends, refunds, and the per-device table as it grows past its first size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "limits.h"

#define HOUR0 (int64_t)1796169600 /* 2026-12-02 00:00 UTC: the start of a day and of an hour */

static void new_devices_per_hour(void **state)
{
	const struct srv_limits_config cfg = {.new_devices_per_hour = 3};
	struct srv_limits_config got;
	struct srv_limits_counts n;
	struct srv_limits *l;

	(void)state;
	srv_limits_new(&l, &cfg);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(srv_limits_new_device(l, HOUR0 + 10), 0);
		srv_limits_device_made(l, HOUR0 + 10);
	}
	assert_int_equal(srv_limits_new_device(l, HOUR0 + 10), 3590); /* until the hour ends */
	srv_limits_device_refused(l);
	srv_limits_refund(l, 0, 0, 0, true); /* a made device whose request was undone */
	assert_int_equal(srv_limits_new_device(l, HOUR0 + 20), 0);
	srv_limits_device_made(l, HOUR0 + 20);
	assert_int_equal(srv_limits_new_device(l, HOUR0 + 3599), 1);
	/* a new hour; a request stamped in the hour before, applied after, does not start the window again */
	assert_int_equal(srv_limits_new_device(l, HOUR0 + 3600), 0);
	srv_limits_device_made(l, HOUR0 + 3600);
	srv_limits_device_made(l, HOUR0 + 3599);
	srv_limits_device_made(l, HOUR0 + 3601);
	assert_int_equal(srv_limits_new_device(l, HOUR0 + 3602), 3598);
	srv_limits_get(l, &got, &n);
	assert_int_equal(got.new_devices_per_hour, 3);
	assert_int_equal(n.new_devices, 1);
	srv_limits_free(l);
}

static void messages_per_device(void **state)
{
	const struct srv_limits_config cfg = {.messages_per_device_hour = 2};
	struct srv_limits_config got;
	struct srv_limits_counts n;
	struct srv_limits *l;

	(void)state;
	srv_limits_new(&l, &cfg);
	/* 5,000 devices: the table grows from 1,024 places several times, and each keeps its count */
	for (int64_t d = 1; d <= 5000; d++)
		assert_int_equal(srv_limits_message(l, d, HOUR0), 0);
	for (int64_t d = 1; d <= 5000; d++)
		assert_int_equal(srv_limits_message(l, d, HOUR0 + 1), 0);
	for (int64_t d = 1; d <= 5000; d += 999)
		assert_int_equal(srv_limits_message(l, d, HOUR0 + 2), 3598);
	srv_limits_refund(l, 1, 1, 0, false); /* one of device 1's was undone */
	assert_int_equal(srv_limits_message(l, 1, HOUR0 + 3), 0);
	assert_int_equal(srv_limits_message(l, 1, HOUR0 + 3), 3597);
	assert_int_equal(srv_limits_message(l, 1, HOUR0 + 3600), 0); /* the next hour */
	srv_limits_get(l, &got, &n);
	assert_int_equal(n.messages, 7); /* six devices at their third, then device 1 */
	srv_limits_free(l);
}

static void bytes_per_key_and_day(void **state)
{
	const struct srv_limits_config cfg = {.bytes_per_key_day = 1000};
	struct srv_limits_config got;
	struct srv_limits_counts n;
	struct srv_limits *l;
	char key[16];

	(void)state;
	srv_limits_new(&l, &cfg);
	assert_int_equal(srv_limits_bytes(l, "project key", 600, HOUR0 + 5), 0);
	assert_int_equal(srv_limits_bytes(l, "project key", 600, HOUR0 + 5), 86395); /* until the day ends */
	assert_int_equal(srv_limits_bytes(l, "admin token", 600, HOUR0 + 5), 0); /* a budget of its own */
	srv_limits_bytes_refund(l, "project key", 600, HOUR0 + 6);
	assert_int_equal(srv_limits_bytes(l, "project key", 1000, HOUR0 + 7), 0);
	assert_int_equal(srv_limits_bytes(l, "project key", 1, HOUR0 + 7), 86393);
	assert_int_equal(srv_limits_bytes(l, "project key", 1000, HOUR0 + 86400), 0); /* the next day */
	/* more keys than places: the one counted longest ago gives its place up */
	for (int i = 0; i < 12; i++) {
		snprintf(key, sizeof(key), "key %d", i);
		assert_int_equal(srv_limits_bytes(l, key, 1000, HOUR0 + 86400 + i), 0);
	}
	srv_limits_get(l, &got, &n);
	assert_int_equal(got.bytes_per_key_day, 1000);
	assert_int_equal(n.bytes, 2);
	srv_limits_free(l);
}

static void off_when_zero(void **state)
{
	const struct srv_limits_config cfg = {0};
	struct srv_limits *l;

	(void)state;
	srv_limits_new(&l, &cfg);
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(srv_limits_new_device(l, HOUR0), 0);
		srv_limits_device_made(l, HOUR0);
		assert_int_equal(srv_limits_message(l, 7, HOUR0), 0);
		assert_int_equal(srv_limits_bytes(l, "project key", 1u << 30, HOUR0), 0);
	}
	srv_limits_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(new_devices_per_hour),
		cmocka_unit_test(messages_per_device),
		cmocka_unit_test(bytes_per_key_and_day),
		cmocka_unit_test(off_when_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
