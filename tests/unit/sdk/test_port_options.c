/* SPDX-License-Identifier: Apache-2.0 */
/* The optional port functions, with an SDK built with FL_PORT_HAS_LOCK=1 and FL_PORT_HAS_REGIONS=1: the lock
 * is balanced around every shared-state access, and the port's regions land in the dump after the others, without
 * the bytes the others hold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "decode.h"
#include "fake_port.h"
#include "faultline/capture.h"
#include "faultline/faultline.h"

#if !FL_PORT_HAS_LOCK || !FL_PORT_HAS_REGIONS
#error "build this test with -DFL_PORT_HAS_LOCK=1 -DFL_PORT_HAS_REGIONS=1"
#endif

static uint8_t s_events[256];

static void lock_is_balanced(void **state)
{
	struct fl_init_params p = {s_events, sizeof(s_events)};

	(void)state;
	fake_port_reset();
	assert_int_equal(fl_init(&p, NULL), 0);
	fl_reboot_mark(FL_REASON_USER_REQUEST);
	assert_int_equal(drain_messages(16, NULL, NULL), 1);
	assert_true(g_port.locks > 0);
	assert_int_equal(g_port.locks, g_port.unlocks);
	assert_int_equal(g_port.lock_depth_max, 1);
}

static void port_regions_captured(void **state)
{
	static uint8_t app[32], tasks[48], log[64];
	struct fl_init_params p = {s_events, sizeof(s_events)};
	struct fl_capture c;
	const uint8_t *m;
	size_t len;
	cbor_item_t *msg, *regions;
	const uintptr_t want[] = {(uintptr_t)g_fake_stack, (uintptr_t)app, (uintptr_t)tasks, (uintptr_t)log};

	(void)state;
	fake_port_reset();
	g_port.extra[0] = (struct fl_region){(uintptr_t)tasks, sizeof(tasks)};
	g_port.extra[1] = (struct fl_region){(uintptr_t)log, sizeof(log)};
	g_port.nextra = 2;
	assert_int_equal(fl_init(&p, NULL), 0);
	assert_int_equal(fl_coredump_add_region(app, sizeof(app)), 0);
	fake_capture(&c, FL_REASON_HARD_FAULT);
	assert_int_equal(fl_coredump_save(&c), 0);
	m = stored_message(&len);
	msg = decode_message(m, len);
	regions = map_get(map_get(msg, 9), 6);
	assert_int_equal(cbor_array_size(regions), 4); /* stack, the application's, then the port's */
	for (size_t i = 0; i < 4; i++) {
		cbor_item_t *r = cbor_array_get(regions, i);

		assert_int_equal(cbor_get_int(cbor_array_handle(r)[0]), want[i]);
		cbor_decref(&r);
	}
	cbor_decref(&msg);
}

/* Regions never overlap (docs/FORMAT.md §8.1): a region adds only the bytes no earlier one holds, as one piece or
 * several, in order. */
static void overlapping_regions_are_cut(void **state)
{
	static uint8_t app[64], big[256];
	struct fl_init_params p = {s_events, sizeof(s_events)};
	uintptr_t stack = (uintptr_t)g_fake_stack;
	const struct {
		uintptr_t addr;
		size_t len;
	} want[] = {
		{stack, FL_COREDUMP_STACK_MAX},                                   /* the stack, from sp */
		{(uintptr_t)app, sizeof(app)},                                    /* then the application's */
		{(uintptr_t)big + 64, 32},                                        /* (app twice: once) */
		{stack + FL_COREDUMP_STACK_MAX, sizeof(g_fake_stack) - FL_COREDUMP_STACK_MAX}, /* the port's "all RAM" */
		{(uintptr_t)big, 64},                                             /* big around the app's part of it */
		{(uintptr_t)big + 96, sizeof(big) - 96},
	};
	struct fl_capture c;
	const uint8_t *m;
	size_t len;
	cbor_item_t *msg, *regions;

	(void)state;
	fake_port_reset();
	g_port.size = 16384;
	g_port.extra[0] = (struct fl_region){stack, sizeof(g_fake_stack)}; /* over the stack */
	g_port.extra[1] = (struct fl_region){(uintptr_t)app + 16, 32};    /* inside app: nothing left */
	g_port.extra[2] = (struct fl_region){(uintptr_t)big, sizeof(big)}; /* around a part of it */
	g_port.nextra = 3;
	assert_int_equal(fl_init(&p, NULL), 0);
	assert_int_equal(fl_coredump_add_region(app, sizeof(app)), 0);
	assert_int_equal(fl_coredump_add_region(app, sizeof(app)), 0);
	assert_int_equal(fl_coredump_add_region(big + 64, 32), 0);
	fake_capture(&c, FL_REASON_HARD_FAULT);
	assert_int_equal(fl_coredump_save(&c), 0);
	m = stored_message(&len);
	msg = decode_message(m, len);
	regions = map_get(map_get(msg, 9), 6);
	assert_int_equal(cbor_array_size(regions), sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) /* (the list itself holds no overlap) */
		for (size_t k = 0; k < i; k++)
			assert_true(want[i].addr >= want[k].addr + want[k].len || want[k].addr >= want[i].addr + want[i].len);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		cbor_item_t *r = cbor_array_get(regions, i);

		assert_int_equal(cbor_get_int(cbor_array_handle(r)[0]), want[i].addr);
		assert_int_equal(cbor_bytestring_length(cbor_array_handle(r)[2]), want[i].len);
		assert_memory_equal(cbor_bytestring_handle(cbor_array_handle(r)[2]), (const void *)want[i].addr,
				    want[i].len);
		cbor_decref(&r);
	}
	assert_int_equal(map_uint(map_get(msg, 9), 2) & 1, 0); /* nothing was cut for room */
	cbor_decref(&msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lock_is_balanced),
		cmocka_unit_test(port_regions_captured),
		cmocka_unit_test(overlapping_regions_are_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
