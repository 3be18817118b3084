/* SPDX-License-Identifier: Apache-2.0 */
/* The state swap (state.h) and the simulated device (device.c) on the real SDK: two devices run interleaved, their
 * SDK state swapped at every step, send byte for byte what each sends when it runs alone; and every crash of a
 * device is told by its next boot (the reboot record crosses the simulated reset in the swapped block). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "device.h"
#include "state.h"
#include "truth.h"
#include "uplink.h"

#define HOUR_MS (3600 * 1000LL)
#define START_MS (1800000000 * 1000LL)
#define DAYS 4

/* High rates, so that a few days hold crashes with and without coredumps, and planned reboots. */
static const struct sim_group k_groups[] = {{"1.0.0", 1, 0, 250, 3}, {"2.0.0", 1, 1, 120, 5}};

static const struct sim_params k_params = {k_groups, 42, START_MS, HOUR_MS, true, 0.5, true, "board-a", "test-"};

/* What one device sent: its batches' records, back to back. */
struct sent {
	uint8_t *bytes;
	size_t len;
};

static void append(struct sent *s, const uint8_t *p, size_t n)
{
	s->bytes = realloc(s->bytes, s->len + n + 1);
	assert_non_null(s->bytes);
	memcpy(s->bytes + s->len, p, n);
	s->len += n;
}

/* Run devices d[0..n) together, step by step (an hour a step), each one's SDK state loaded before it runs and
 * saved after; what each sends goes to out[i]. The link loses chunks when loss > 0. */
static void run(struct sim_device *d, size_t n, struct sent *out, struct sim_truth *t, double loss)
{
	struct sim_link l;

	sim_link_init(&l, loss, 40);
	for (int64_t until = START_MS + HOUR_MS; until <= START_MS + DAYS * 24 * HOUR_MS; until += HOUR_MS) {
		sim_link_step(&l, (until + 999) / 1000);
		for (size_t i = 0; i < n; i++) {
			sim_state_load(d[i].sdk);
			sim_port_select(&d[i].hw);
			sim_device_run(&d[i], &k_params, until, &l, t);
			sim_state_save(d[i].sdk);
		}
		for (size_t b = 0; b < l.nbatches; b++)
			for (size_t i = 0; i < n; i++)
				if (l.batches[b].serial == d[i].serial)
					append(&out[i], l.bytes + l.batches[b].at, l.batches[b].len);
		sim_link_deliver_all(&l, t);
	}
	sim_link_free(&l);
}

/* Device index i of group i, fresh. */
static void make(struct sim_device *d, uint32_t i, uint8_t **memory)
{
	*memory = malloc(sim_device_memory());
	assert_non_null(*memory);
	assert_int_equal(sim_device_init(d, i, (uint16_t)i, &k_params, *memory), 0);
}

static void interleaved_is_alone(void **state)
{
	struct sim_device alone[2], both[2];
	uint8_t *mem[2], *sdk[2], *storage[2];
	struct sent a[2] = {{0}}, b[2] = {{0}};
	struct sim_truth ta, tb;

	(void)state;
	assert_int_equal(sim_truth_init(&ta, 2, 2), 0);
	assert_int_equal(sim_truth_init(&tb, 2, 2), 0);
	/* Each alone, then both in the same memory again (the SDK's state holds pointers into it: its event buffer). */
	for (uint32_t i = 0; i < 2; i++) {
		make(&alone[i], i, &mem[i]);
		run(&alone[i], 1, &a[i], &ta, 0.05);
		sdk[i] = malloc(sim_state_size());
		storage[i] = malloc(SIM_STORAGE_SIZE);
		assert_true(sdk[i] != NULL && storage[i] != NULL);
		memcpy(sdk[i], alone[i].sdk, sim_state_size());
		memcpy(storage[i], alone[i].hw.storage, SIM_STORAGE_SIZE);
		assert_int_equal(sim_device_init(&both[i], i, (uint16_t)i, &k_params, mem[i]), 0);
	}
	run(both, 2, b, &tb, 0.05);
	for (uint32_t i = 0; i < 2; i++) {
		const struct sim_version_truth *va = &ta.groups[i], *vb = &tb.groups[i];

		/* it really lived: crashes with a coredump and without, planned reboots, heartbeats */
		assert_true(va->crashes > va->coredumps_saved && va->coredumps_saved > 0 && va->planned_reboots > 0);
		assert_true(a[i].len > 8000); /* a day of its chunks: heartbeats, reboot events, coredumps */
		assert_int_equal(a[i].len, b[i].len);
		assert_memory_equal(a[i].bytes, b[i].bytes, a[i].len);
		assert_memory_equal(sdk[i], both[i].sdk, sim_state_size());
		assert_memory_equal(storage[i], both[i].hw.storage, SIM_STORAGE_SIZE);
		assert_int_equal(va->boots, vb->boots);
		assert_int_equal(va->heartbeats_made, vb->heartbeats_made);
		assert_int_equal(va->unexpected_reboots, vb->unexpected_reboots);
		free(a[i].bytes);
		free(b[i].bytes);
		free(sdk[i]);
		free(storage[i]);
		free(mem[i]);
	}
	/* and the two devices did not live the same life */
	assert_true(a[0].len != a[1].len || ta.groups[0].crashes != ta.groups[1].crashes);
	sim_truth_free(&ta);
	sim_truth_free(&tb);
}

/* Over a link that loses nothing: every crash is an unexpected reboot its next boot reports, every saved
 * coredump is sent, every other boot (power-on, planned reboots) reports an expected reason. */
static void every_crash_is_told(void **state)
{
	struct sim_device d[2];
	uint8_t *mem[2];
	struct sent s[2] = {{0}};
	struct sim_truth t;

	(void)state;
	assert_int_equal(sim_truth_init(&t, 2, 2), 0);
	make(&d[0], 0, &mem[0]);
	make(&d[1], 1, &mem[1]);
	run(d, 2, s, &t, 0);
	sim_truth_finish(&t);
	for (int i = 0; i < 2; i++) {
		const struct sim_version_truth *v = &t.groups[i];

		assert_true(v->crashes > 0);
		assert_int_equal(v->unexpected_reboots, v->crashes);
		assert_int_equal(v->coredumps, v->coredumps_saved);
		assert_int_equal(v->expected_reboots, v->planned_reboots + 1);
		assert_int_equal(v->boots, 1 + v->crashes + v->planned_reboots);
		assert_int_equal(v->devices, 1);
		free(s[i].bytes);
		free(mem[i]);
	}
	sim_truth_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(interleaved_is_alone),
		cmocka_unit_test(every_crash_is_told),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
