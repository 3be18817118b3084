/* SPDX-License-Identifier: Apache-2.0 */
/* sdk/src/reboot.c: merging the marked reason, a crash and the hardware's reset cause into the reboot event. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "decode.h"
#include "fake_port.h"
#include "faultline/capture.h"
#include "faultline/faultline.h"

static uint8_t s_events[256];

static int setup(void **state)
{
	(void)state;
	fake_port_reset();
	return 0;
}

/* Boot, check fl_init's answer, and return the reboot event's payload (caller decrefs the message). */
static cbor_item_t *boot_event(uint16_t want_reason, cbor_item_t **out_msg)
{
	struct fl_init_params p = {s_events, sizeof(s_events)};
	struct fl_boot_info info;
	struct drained d;
	cbor_item_t *msg;

	assert_int_equal(fl_init(&p, &info), 0);
	assert_int_equal(info.reason, want_reason);
	assert_int_equal(drain_all(32, &d), fl_coredump_pending() ? 2 : 1);
	msg = decode_message(d.msg[d.n - 1], d.len[d.n - 1]);
	drained_free(&d);
	assert_int_equal(map_uint(msg, 1), 2);
	*out_msg = msg;
	return map_get(msg, 9);
}

static void hardware_cause_without_a_mark(void **state)
{
	cbor_item_t *msg, *p;

	(void)state;
	g_port.reset_reason = FL_REASON_POWER_ON;
	g_port.reset_raw = 0x0c000000;
	p = boot_event(FL_REASON_POWER_ON, &msg); /* first boot: no record from before */
	assert_int_equal(cbor_map_size(p), 2);
	assert_int_equal(map_uint(p, 1), FL_REASON_POWER_ON);
	assert_int_equal(map_uint(p, 2), 0x0c000000);
	cbor_decref(&msg);
	g_port.reset_reason = FL_REASON_WATCHDOG;
	g_port.reset_raw = 0;
	p = boot_event(FL_REASON_WATCHDOG, &msg);
	assert_int_equal(cbor_map_size(p), 2);
	assert_int_equal(map_uint(p, 5), 1); /* ended boot 1 */
	cbor_decref(&msg);
}

static void mark_wins_and_first_mark_stays(void **state)
{
	cbor_item_t *msg, *p, *site;

	(void)state;
	boot_event(FL_REASON_UNKNOWN, &msg);
	cbor_decref(&msg);
	fl_reboot_mark(FL_REASON_FIRMWARE_UPDATE);
	fl_reboot_mark(FL_REASON_USER_REQUEST);
	g_port.reset_reason = FL_REASON_SOFTWARE_RESET;
	p = boot_event(FL_REASON_FIRMWARE_UPDATE, &msg);
	site = map_get(p, 3);
	assert_non_null(site);
	assert_true(cbor_get_int(cbor_array_handle(site)[0]) != 0); /* where it was marked */
	assert_null(map_get(p, 4));
	cbor_decref(&msg);
	p = boot_event(FL_REASON_SOFTWARE_RESET, &msg); /* the mark is consumed by one boot */
	cbor_decref(&msg);
}

static void crash_replaces_an_expected_mark(void **state)
{
	struct fl_capture c;
	cbor_item_t *msg, *p;

	(void)state;
	boot_event(FL_REASON_UNKNOWN, &msg);
	cbor_decref(&msg);
	fl_reboot_mark(FL_REASON_FIRMWARE_UPDATE);
	fake_capture(&c, FL_REASON_USAGE_FAULT);
	assert_int_equal(fl_coredump_save(&c), 0);
	fl_reboot_mark(FL_REASON_USER_REQUEST); /* later expected marks do not hide the crash */
	p = boot_event(FL_REASON_USAGE_FAULT, &msg);
	assert_int_equal(map_uint(p, 1), FL_REASON_USAGE_FAULT);
	assert_int_equal(map_uint(p, 4), 1);
	assert_int_equal(map_uint(p, 5), 1);
	cbor_decref(&msg);
}

static void first_unexpected_reason_stays(void **state)
{
	struct fl_capture c;
	cbor_item_t *msg;

	(void)state;
	boot_event(FL_REASON_UNKNOWN, &msg);
	cbor_decref(&msg);
	fl_reboot_mark(FL_REASON_SOFTWARE_WATCHDOG);
	fake_capture(&c, FL_REASON_HARD_FAULT); /* the watchdog handler then faulted on its way out */
	fl_coredump_save(&c);
	boot_event(FL_REASON_SOFTWARE_WATCHDOG, &msg);
	cbor_decref(&msg);
}

static void reboot_marks_and_resets(void **state)
{
	jmp_buf reboot;
	cbor_item_t *msg;

	(void)state;
	boot_event(FL_REASON_UNKNOWN, &msg);
	cbor_decref(&msg);
	g_port.reboot_jmp = &reboot;
	if (setjmp(reboot) == 0)
		fl_reboot(0x1001); /* an application-defined expected reason */
	assert_int_equal(g_port.reboots, 1);
	boot_event(0x1001, &msg);
	cbor_decref(&msg);
	assert_true(fl_reason_is_expected(0x1001));
	assert_false(fl_reason_is_expected(FL_REASON_BROWNOUT));
	assert_false(fl_reason_is_expected(0x9001));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(hardware_cause_without_a_mark, setup),
		cmocka_unit_test_setup(mark_wins_and_first_mark_stays, setup),
		cmocka_unit_test_setup(crash_replaces_an_expected_mark, setup),
		cmocka_unit_test_setup(first_unexpected_reason_stays, setup),
		cmocka_unit_test_setup(reboot_marks_and_resets, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
