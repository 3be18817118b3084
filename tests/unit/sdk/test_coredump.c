/* SPDX-License-Identifier: Apache-2.0 */
/* sdk/src/coredump.c and sdk/src/storage.c: saving (the capture), the storage states at boot, power loss at every
 * byte, corrupt storage, truncation, asserts. The fake port enforces flash rules; libcbor checks what was
 * written. (One file for both: the capture is only seen through what storage holds.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crc32_private.h"
#include "decode.h"
#include "fake_port.h"
#include "faultline/capture.h"
#include "faultline/faultline.h"

static uint8_t s_events[256];

static int boot(struct fl_boot_info *info)
{
	struct fl_init_params p = {s_events, sizeof(s_events)};

	return fl_init(&p, info);
}

static int setup(void **state)
{
	(void)state;
	fake_port_reset();
	return 0;
}

static cbor_item_t *payload_of(cbor_item_t *msg)
{
	cbor_item_t *p = map_get(msg, 9);

	assert_non_null(p);
	assert_true(cbor_isa_map(p));
	return p;
}

static const uint32_t k_fault[5] = {0x8200, 0x40000000, 0xe000ed34, 0xfffffff0, 0x70000};

static void save_then_send(void **state)
{
	struct fl_boot_info info;
	struct fl_capture c;
	const uint8_t *stored;
	uint8_t *copy;
	size_t len;
	cbor_item_t *msg, *p, *regions, *region, *v;
	struct drained d;

	(void)state;
	assert_int_equal(boot(&info), 0);
	assert_int_equal(info.storage, FL_STORAGE_EMPTY);
	fake_capture(&c, FL_REASON_BUS_FAULT);
	c.fault = k_fault;
	c.nfault = 5;
	g_port.uptime = 4321;
	assert_int_equal(fl_coredump_save(&c), 0);

	stored = stored_message(&len);
	assert_non_null(stored);
	msg = decode_message(stored, len);
	assert_int_equal(map_uint(msg, 0), 1);
	assert_int_equal(map_uint(msg, 1), 1);
	assert_int_equal(map_uint(msg, 7), 1); /* the boot that crashed */
	v = map_get(msg, 4);
	assert_true(cbor_isa_bytestring(v) && cbor_bytestring_length(v) == 20);
	v = map_get(msg, 5);
	assert_true(cbor_isa_string(v) && cbor_string_length(v) == 5);
	assert_memory_equal(cbor_string_handle(v), "1.0.0", 5);
	p = payload_of(msg);
	assert_int_equal(map_uint(p, 1), FL_REASON_BUS_FAULT);
	assert_int_equal(map_uint(p, 2), 0);
	v = map_get(p, 3);
	assert_int_equal(cbor_bytestring_length(v), 18 * sizeof(uintptr_t));
	assert_int_equal(cbor_bytestring_handle(v)[0], 0x00);
	assert_int_equal(cbor_bytestring_handle(v)[1], 0x10); /* r0 = 0x1000, little-endian */
	v = map_get(p, 4);
	assert_int_equal(cbor_bytestring_length(v), 20);
	assert_memory_equal(cbor_bytestring_handle(v) + 12, "\xf0\xff\xff\xff", 4); /* BFAR */
	assert_int_equal(map_uint(p, 10), 4321);
	regions = map_get(p, 6);
	assert_int_equal(cbor_array_size(regions), 1);
	region = cbor_array_get(regions, 0);
	assert_int_equal(cbor_get_int(cbor_array_handle(region)[0]), (uintptr_t)g_fake_stack);
	assert_int_equal(cbor_get_int(cbor_array_handle(region)[1]), 0);
	v = cbor_array_handle(region)[2];
	assert_int_equal(cbor_bytestring_length(v), FL_COREDUMP_STACK_MAX);
	assert_memory_equal(cbor_bytestring_handle(v), g_fake_stack, FL_COREDUMP_STACK_MAX);
	cbor_decref(&region);
	cbor_decref(&msg);
	copy = malloc(len);
	memcpy(copy, stored, len);

	/* Next boot: the dump is unread and queued; the reboot event says why and that a dump exists. */
	assert_int_equal(boot(&info), 0);
	assert_int_equal(info.storage, FL_STORAGE_UNREAD);
	assert_int_equal(info.reason, FL_REASON_BUS_FAULT);
	assert_true(fl_coredump_pending());
	assert_int_equal(drain_all(64, &d), 2);
	assert_int_equal(d.len[0], len); /* the coredump first, exactly as stored */
	assert_memory_equal(d.msg[0], copy, len);
	msg = decode_message(d.msg[1], d.len[1]);
	assert_int_equal(map_uint(msg, 1), 2); /* then the reboot event */
	assert_int_equal(map_uint(msg, 7), 2);
	p = payload_of(msg);
	assert_int_equal(cbor_map_size(p), 3);
	assert_int_equal(map_uint(p, 1), FL_REASON_BUS_FAULT);
	assert_int_equal(map_uint(p, 4), 1);
	assert_int_equal(map_uint(p, 5), 1);
	cbor_decref(&msg);
	drained_free(&d);
	assert_false(fl_coredump_pending());
	assert_false(fl_chunk_has_data());
	for (size_t i = 0; i < g_port.size; i++)
		assert_int_equal(g_port.flash[i], 0xff);
	assert_int_equal(g_port.violations, 0);
	free(copy);
}

static uint16_t stored_reason(void)
{
	size_t len;
	const uint8_t *m = stored_message(&len);
	cbor_item_t *msg;
	uint16_t reason;

	assert_non_null(m);
	msg = decode_message(m, len);
	reason = (uint16_t)map_uint(payload_of(msg), 1);
	cbor_decref(&msg);
	return reason;
}

static void never_overwrites_unread(void **state)
{
	struct fl_boot_info info;
	struct fl_capture c;

	(void)state;
	boot(NULL);
	fake_capture(&c, FL_REASON_BUS_FAULT);
	assert_int_equal(fl_coredump_save(&c), 0);
	c.reason = FL_REASON_USAGE_FAULT;
	assert_int_equal(fl_coredump_save(&c), FL_ERR_STATE); /* same boot, second fault */
	boot(&info);
	assert_int_equal(info.storage, FL_STORAGE_UNREAD);
	assert_int_equal(fl_coredump_save(&c), FL_ERR_STATE); /* crash loop: the first crash is kept */
	boot(&info);
	assert_int_equal(info.storage, FL_STORAGE_UNREAD);
	assert_int_equal(stored_reason(), FL_REASON_BUS_FAULT);
	assert_int_equal(info.reason, FL_REASON_USAGE_FAULT); /* the reboot itself still says what happened */
	assert_int_equal(g_port.violations, 0);
}

/* Fresh storage of this granule, booted, and a hard fault captured; the power fails after budget programmed bytes
 * (-1: never). The save is the caller's. */
static void save_with_budget(uint32_t granule, long budget, struct fl_capture *c)
{
	fake_port_reset();
	g_port.granule = granule;
	g_port.readable_limit = 200; /* a small dump keeps the loop short */
	boot(NULL);
	fake_capture(c, FL_REASON_HARD_FAULT);
	g_port.power_budget = budget;
}

/* Reset after every possible number of programmed bytes: the next boot never finds a valid dump, erases what
 * was half written, and a new save then works. The one exception: when the bytes the reset kept from being
 * written already hold their values (erased flash reads 0xff, and the dump's stack address, so its CRC, changes
 * with the address layout of each run), the storage is the whole dump, and it is found. */
static void power_loss_at_every_byte(void **state)
{
	static const uint32_t granules[] = {1, 8, 16};
	static uint8_t whole[sizeof(g_port.flash)];
	struct fl_boot_info info;
	struct fl_capture c;

	(void)state;
	for (size_t gi = 0; gi < sizeof(granules) / sizeof(granules[0]); gi++) {
		long full = 0;

		save_with_budget(granules[gi], -1, &c);
		assert_int_equal(fl_coredump_save(&c), 0);
		memcpy(whole, g_port.flash, sizeof(whole));
		for (long budget = 0;; budget++) {
			save_with_budget(granules[gi], budget, &c);
			if (fl_coredump_save(&c) == 0) {
				full = budget;
				break;
			}
			fake_port_power_on();
			if (memcmp(g_port.flash, whole, sizeof(whole)) == 0)
				continue;
			assert_int_equal(boot(&info), 0);
			if (info.storage != FL_STORAGE_EMPTY && info.storage != FL_STORAGE_INVALID)
				fail_msg("granule %u, power lost after %ld bytes: storage state %d", granules[gi], budget,
					 info.storage);
			assert_false(fl_coredump_pending());
			assert_int_equal(fl_coredump_save(&c), 0); /* storage works again */
			boot(&info);
			assert_int_equal(info.storage, FL_STORAGE_UNREAD);
			assert_int_equal(g_port.violations, 0);
		}
		assert_true(full > 200); /* the loop really went through a whole save */
	}
}

/* Reset during the erase that follows sending: at every sector. */
static void power_loss_during_erase(void **state)
{
	struct fl_boot_info info;
	struct fl_capture c;
	uint8_t chunk[64];
	size_t len;

	(void)state;
	for (long sectors = 0; sectors < 8; sectors++) {
		fake_port_reset();
		boot(NULL);
		fake_capture(&c, FL_REASON_HARD_FAULT);
		assert_int_equal(fl_coredump_save(&c), 0);
		boot(NULL);
		g_port.erase_budget = sectors;
		while (fl_coredump_pending() && fl_chunk_next(chunk, sizeof(chunk), &len) == 0)
			;
		assert_true(g_port.dead);
		fake_port_power_on();
		assert_int_equal(boot(&info), 0);
		if (info.storage == FL_STORAGE_UNREAD)
			fail_msg("erase cut after %ld sectors: the sent dump came back as unread", sectors);
		assert_int_equal(fl_coredump_save(&c), 0);
		assert_int_equal(g_port.violations, 0);
	}
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void reseal_header(void)
{
	put32(g_port.flash + 28, fl_crc32_update(0, g_port.flash, 28));
}

static void expect_invalid_and_erased(const char *what)
{
	struct fl_boot_info info;

	memset(g_port.programmed, 0, sizeof(g_port.programmed));
	if (boot(&info) != 0 || info.storage != FL_STORAGE_INVALID)
		fail_msg("%s: storage state %d, want invalid", what, info.storage);
	for (size_t i = 0; i < g_port.size; i++)
		if (g_port.flash[i] != 0xff)
			fail_msg("%s: byte %zu not erased", what, i);
	assert_false(fl_coredump_pending());
}

static void saved_dump(void)
{
	struct fl_capture c;

	fake_port_reset();
	boot(NULL);
	fake_capture(&c, FL_REASON_HARD_FAULT);
	assert_int_equal(fl_coredump_save(&c), 0);
}

static void corrupt_storage(void **state)
{
	(void)state;
	for (unsigned seed = 1; seed <= 20; seed++) {
		fake_port_reset();
		srand(seed);
		for (size_t i = 0; i < g_port.size; i++)
			g_port.flash[i] = (uint8_t)rand();
		expect_invalid_and_erased("random bytes");
	}
	saved_dump();
	g_port.flash[100] ^= 0x01; /* a flipped bit in the message */
	expect_invalid_and_erased("message CRC");
	saved_dump();
	g_port.flash[0] = 'X';
	expect_invalid_and_erased("magic");
	saved_dump();
	g_port.flash[4] = 2;
	reseal_header();
	expect_invalid_and_erased("layout version 2");
	saved_dump();
	put32(g_port.flash + 12, 0xfffffff0); /* a message length past the end */
	reseal_header();
	expect_invalid_and_erased("length past the end");
	saved_dump();
	put32(g_port.flash + 20, 40); /* the read marker inside the message */
	reseal_header();
	expect_invalid_and_erased("marker overlapping the message");
	saved_dump();
	put32(g_port.flash + 8, 8); /* the message overlapping the header */
	reseal_header();
	expect_invalid_and_erased("message overlapping the header");
	fake_port_reset();
	g_port.flash[200] = 0; /* erased header over a half-written message */
	expect_invalid_and_erased("interrupted save");
}

static void read_marker_means_sent(void **state)
{
	struct fl_boot_info info;

	(void)state;
	saved_dump();
	g_port.flash[32] = 0x00; /* the read marker (granule 8: header slot 32 bytes) */
	assert_int_equal(boot(&info), 0);
	assert_int_equal(info.storage, FL_STORAGE_READ);
	assert_false(fl_coredump_pending());
	assert_int_equal(g_port.flash[0], 0xff);
}

static void truncated_to_fit(void **state)
{
	static uint8_t extra[512];
	struct fl_capture c;
	size_t len;
	const uint8_t *m;
	cbor_item_t *msg, *p, *regions, *region;

	(void)state;
	fake_port_reset();
	g_port.size = 1024;
	g_port.sector = 256;
	boot(NULL);
	assert_int_equal(fl_coredump_add_region(extra, sizeof(extra)), 0);
	fake_capture(&c, FL_REASON_HARD_FAULT);
	assert_int_equal(fl_coredump_save(&c), 0);
	m = stored_message(&len);
	assert_non_null(m);
	assert_true(len <= 1024 - 40);
	msg = decode_message(m, len);
	p = payload_of(msg);
	assert_int_equal(map_uint(p, 2) & 1, 1); /* truncated */
	regions = map_get(p, 6);
	assert_int_equal(cbor_array_size(regions), 1); /* the stack, clipped; the extra region left out */
	region = cbor_array_get(regions, 0);
	assert_true(cbor_bytestring_length(cbor_array_handle(region)[2]) < FL_COREDUMP_STACK_MAX);
	assert_true(cbor_bytestring_length(cbor_array_handle(region)[2]) > 500);
	cbor_decref(&region);
	cbor_decref(&msg);
	assert_int_equal(g_port.violations, 0);
}

static void regions_clipped_to_readable(void **state)
{
	static uint8_t a[300], b[40], one[FL_COREDUMP_REGIONS_MAX]; /* one byte each of one[]: apart */
	struct fl_capture c;
	size_t len;
	const uint8_t *m;
	cbor_item_t *msg, *regions;

	(void)state;
	boot(NULL);
	assert_int_equal(fl_coredump_add_region(a, sizeof(a)), 0);
	assert_int_equal(fl_coredump_add_region(b, sizeof(b)), 0);
	assert_int_equal(fl_coredump_add_region(b, 0), FL_ERR_INVALID_ARG);
	for (int i = 2; i < FL_COREDUMP_REGIONS_MAX; i++)
		assert_int_equal(fl_coredump_add_region(&one[i], 1), 0);
	assert_int_equal(fl_coredump_add_region(b, 1), FL_ERR_NO_SPACE);
	g_port.readable_limit = 100;
	fake_capture(&c, FL_REASON_HARD_FAULT);
	assert_int_equal(fl_coredump_save(&c), 0);
	m = stored_message(&len);
	msg = decode_message(m, len);
	regions = map_get(payload_of(msg), 6);
	assert_int_equal(cbor_array_size(regions), 1 + FL_COREDUMP_REGIONS_MAX);
	for (size_t i = 0; i < 3; i++) {
		cbor_item_t *r = cbor_array_get(regions, i);

		assert_int_equal(cbor_bytestring_length(cbor_array_handle(r)[2]), i < 2 ? 100 : 40);
		cbor_decref(&r);
	}
	assert_int_equal(map_uint(payload_of(msg), 2) & 1, 0); /* clipped to readable memory is not truncation */
	cbor_decref(&msg);
}

static void unusable_storage(void **state)
{
	struct fl_boot_info info;
	struct fl_capture c;

	(void)state;
	g_port.granule = 3;
	assert_int_equal(boot(&info), FL_ERR_INVALID_ARG);
	assert_int_equal(info.storage, FL_STORAGE_FAILED);
	fake_capture(&c, FL_REASON_HARD_FAULT);
	assert_int_equal(fl_coredump_save(&c), FL_ERR_STATE);
	fake_port_reset();
	g_port.fail_reads = true;
	assert_int_equal(boot(&info), FL_ERR_IO);
	assert_int_equal(info.storage, FL_STORAGE_FAILED);
	assert_true(fl_chunk_has_data()); /* the reboot event still goes out */
	g_port.fail_reads = false;
	fake_port_reset();
	g_port.size = 512;
	assert_int_equal(boot(&info), FL_ERR_INVALID_ARG);
	assert_int_equal(fl_init(NULL, NULL), FL_ERR_INVALID_ARG);
	assert_int_equal(fl_init(&(struct fl_init_params){s_events, FL_EVENT_BUF_MIN - 1}, NULL), FL_ERR_INVALID_ARG);
}

static void assert_and_fatal_error(void **state)
{
	jmp_buf reboot;
	struct fl_boot_info info;
	struct drained d;
	cbor_item_t *msg, *p, *site;
	volatile int step = 0;

	(void)state;
	g_port.reboot_jmp = &reboot;
	boot(NULL);
	if (setjmp(reboot) == 0) {
		FL_ASSERT(step == 1);
		fail_msg("FL_ASSERT did not reboot");
	}
	boot(&info);
	assert_int_equal(info.reason, FL_REASON_ASSERT);
	assert_int_equal(drain_all(128, &d), 2);
	msg = decode_message(d.msg[0], d.len[0]);
	p = payload_of(msg);
	assert_int_equal(map_uint(p, 1), FL_REASON_ASSERT);
	site = map_get(p, 7);
	assert_true(site != NULL && cbor_array_size(site) == 2);
	assert_true(cbor_get_int(cbor_array_handle(site)[0]) != 0);
	assert_null(map_get(p, 8));
	cbor_decref(&msg);
	drained_free(&d);

	if (setjmp(reboot) == 0)
		FL_FATAL_ERROR(0x1234);
	boot(&info);
	assert_int_equal(info.reason, FL_REASON_FATAL_ERROR);
	assert_int_equal(drain_all(128, &d), 2);
	msg = decode_message(d.msg[0], d.len[0]);
	assert_int_equal(map_uint(payload_of(msg), 1), FL_REASON_FATAL_ERROR);
	assert_int_equal(map_uint(payload_of(msg), 8), 0x1234);
	cbor_decref(&msg);
	drained_free(&d);
	assert_int_equal(g_port.reboots, 2);
}

static void clear_drops_the_dump(void **state)
{
	struct fl_boot_info info;

	(void)state;
	saved_dump();
	boot(&info);
	assert_true(fl_coredump_pending());
	assert_int_equal(fl_coredump_clear(), 0);
	assert_false(fl_coredump_pending());
	assert_int_equal(fl_coredump_clear(), FL_ERR_NO_DATA);
	assert_int_equal(drain_messages(32, NULL, NULL), 1); /* only the reboot event is left */
	boot(&info);
	assert_int_equal(info.storage, FL_STORAGE_EMPTY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(save_then_send, setup),
		cmocka_unit_test_setup(never_overwrites_unread, setup),
		cmocka_unit_test_setup(power_loss_at_every_byte, setup),
		cmocka_unit_test_setup(power_loss_during_erase, setup),
		cmocka_unit_test_setup(corrupt_storage, setup),
		cmocka_unit_test_setup(read_marker_means_sent, setup),
		cmocka_unit_test_setup(truncated_to_fit, setup),
		cmocka_unit_test_setup(regions_clipped_to_readable, setup),
		cmocka_unit_test_setup(unusable_storage, setup),
		cmocka_unit_test_setup(assert_and_fatal_error, setup),
		cmocka_unit_test_setup(clear_drops_the_dump, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
