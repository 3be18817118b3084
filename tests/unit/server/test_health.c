/* SPDX-License-Identifier: Apache-2.0 */
/* server/src/health.c and store_sqlite_health.c: heartbeats to exposure, counts and each device's aggregates, with
 * every edge case docs/HEALTH.md defines (a heartbeat before its boot's identity, duplicates, late ones, counters
 * that wrap or go backwards, an uptime that claims years, a build's key table that comes late or not at all), and
 * crashes counted once per message and device-hour; on a real SQLite file. Server time is a parameter: no test
 * waits. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ff/metrics.h"
#include "health.h"
#include "server_fixture.h"
#include "store.h"

#define T0 1700000000 /* a server time on an hour: 2023-11-14 22:13:20 is not, so T0 is rounded below */
#define HOUR0 ((T0 / 3600) * 3600)

static const struct srv_identity k_v1 = {"00112233445566778899aabbccddeeff00112233", "1.4.2", "evt2"};
static const struct srv_identity k_v2 = {"ffeeddccbbaa99887766554433221100ffeeddcc", "1.4.3", "evt2"};

struct fixture {
	struct srv_test_store t; /* first: srv_test_teardown frees the fixture */
	int64_t dev;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	srv_test_store_open(&f->t, "health");
	assert_int_equal(f->t.s->ops->device(f->t.s, "dev-1", HOUR0, true, &f->dev, NULL), 0);
	*state = f;
	return 0;
}

/* A heartbeat of dev-1's boot at uptime u (seconds), received at server second at, with the chunks counter and the
 * application values given. */
static enum srv_hb_outcome beat(struct fixture *f, uint32_t boot, uint32_t uptime, int64_t at, uint32_t chunks,
				const uint64_t *values, size_t n, const struct srv_identity *full)
{
	struct srv_heartbeat hb = {.device = f->dev, .received = at, .boot_id = boot, .identity = full,
				   .values = values, .nvalues = n};
	enum srv_hb_outcome out;

	hb.builtin[FF_HB_UPTIME_S] = uptime;
	hb.builtin[FF_HB_CHUNKS] = chunks;
	assert_int_equal(f->t.s->ops->heartbeat_put(f->t.s, &hb, &out), 0);
	return out;
}

static void boot(struct fixture *f, uint32_t boot_id, const struct srv_identity *id, int64_t at)
{
	assert_int_equal(f->t.s->ops->boot_put(f->t.s, f->dev, boot_id, id, at, 0, NULL), 0);
}

/* What a version adds up to in [from, now). */
struct found {
	const char *want;
	struct srv_version_health v;
	int seen;
};

static void pick(const struct srv_version_health *v, void *ctx)
{
	struct found *x = ctx;

	if (strcmp(v->sw_version, x->want) == 0) {
		x->v = *v;
		x->seen++;
	}
}

static struct srv_version_health version(struct fixture *f, const char *sw, int64_t now)
{
	struct found x = {sw, {0}, 0};

	assert_int_equal(f->t.s->ops->versions(f->t.s, now, 0, false, pick, &x), 0);
	assert_int_equal(x.seen, 1);
	return x.v;
}

static int64_t sql(struct fixture *f, const char *q)
{
	return srv_test_sql(f->t.dir, q, NULL, 0);
}

/* ---- the rules ---- */

static void counters_wrap_and_restart(void **state)
{
	bool reset = false;

	(void)state;
	assert_int_equal(srv_health_counter_step(10, 25, &reset), 15);
	assert_false(reset);
	assert_int_equal(srv_health_counter_step(0xfffffff0u, 0x10, &reset), 0x20); /* across the wrap */
	assert_false(reset);
	assert_int_equal(srv_health_counter_step(500, 7, &reset), 7); /* backwards: restarted from 0 */
	assert_true(reset);
}

struct hours {
	int64_t hour[8];
	uint32_t seconds[8];
	unsigned n;
};

static void add(int64_t hour, uint32_t seconds, void *ctx)
{
	struct hours *h = ctx;

	h->hour[h->n] = hour;
	h->seconds[h->n++] = seconds;
}

static void an_interval_spreads_over_its_hours(void **state)
{
	struct hours h = {0};

	(void)state;
	/* 5400 s ending 600 s into an hour: 3600 - 1200 of the hour before... */
	assert_int_equal(srv_health_spread(HOUR0 + 2 * 3600 + 600, 5400, add, &h), 3);
	assert_int_equal(h.hour[0], HOUR0 / 3600);
	assert_int_equal(h.seconds[0], 1200);
	assert_int_equal(h.seconds[1], 3600);
	assert_int_equal(h.seconds[2], 600);
	memset(&h, 0, sizeof(h));
	assert_int_equal(srv_health_spread(HOUR0 + 3600, 3600, add, &h), 1); /* exactly one hour */
	assert_int_equal(h.seconds[0], 3600);
}

static void a_step_from_the_boot_start(void **state)
{
	struct srv_hb_point cur = {.uptime_s = 3600}, prev = {.uptime_s = 3600};
	struct srv_hb_step step;

	(void)state;
	cur.builtin[FF_HB_CHUNKS] = 12;
	srv_health_step(&step, NULL, &cur);
	assert_int_equal(step.seconds, 3600);
	assert_int_equal(step.delta[FF_HB_CHUNKS], 12);
	cur.uptime_s = 3600 + SRV_HEALTH_GAP_MAX + 5; /* an uptime that claims more than 30 days at once */
	srv_health_step(&step, &prev, &cur);
	assert_true(step.capped);
	assert_int_equal(step.seconds, SRV_HEALTH_GAP_MAX);
}

static void the_blob_reads_back(void **state)
{
	static struct srv_metrics m, back;
	static uint8_t blob[SRV_METRICS_BLOB_MAX];
	size_t n;

	(void)state;
	m.builtin[FF_HB_CHUNKS].growth = 77;
	m.napp = 2;
	m.app[1] = (struct srv_metric_acc){5, 3.5, 2, -4, 9};
	n = srv_metrics_pack(blob, &m);
	assert_int_equal(srv_metrics_unpack(&back, blob, n), 0);
	assert_int_equal(back.builtin[FF_HB_CHUNKS].growth, 77);
	assert_int_equal(back.napp, 2);
	assert_int_equal(back.app[1].min, -4);
	assert_true(back.app[1].sum == 3.5);
	assert_int_equal(srv_metrics_unpack(&back, blob, n - 1), -1); /* a blob cut short is not one */
	blob[0] = 9;
	assert_int_equal(srv_metrics_unpack(&back, blob, n), -1);
}

/* ---- the store ---- */

static void heartbeats_add_their_hours(void **state)
{
	struct fixture *f = *state;
	struct srv_version_health v;

	boot(f, 7, &k_v1, HOUR0);
	/* a boot that started at HOUR0: heartbeats at 1 h, 2 h, 3 h of uptime, each received 5 s late */
	for (uint32_t k = 1; k <= 3; k++)
		assert_int_equal(beat(f, 7, k * 3600, HOUR0 + k * 3600 + 5, 10 * k, NULL, 0, NULL), SRV_HB_COUNTED);
	v = version(f, "1.4.2", HOUR0 + 4 * 3600);
	assert_int_equal(v.seconds, 3 * 3600);
	assert_int_equal(v.devices, 1);
	assert_int_equal(v.active_24h, 1);
	assert_int_equal(v.current, 1);
	/* placed by the least delayed heartbeat: anchor HOUR0 + 5, so each interval crosses an hour by 5 s */
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM health_hours"), 4);
	assert_int_equal(sql(f, "SELECT seconds FROM health_hours ORDER BY hour LIMIT 1"), 3595);
	/* the device's latest heartbeat is in the last hour: the histograms say so there, and only there */
	assert_int_equal(sql(f, "SELECT SUM(last_devices) FROM health_hours"), 1);
	assert_int_equal(sql(f, "SELECT SUM(current_devices) FROM health_hours"), 1);
	assert_int_equal(sql(f, "SELECT hour FROM health_hours WHERE last_devices = 1 AND current_devices = 1"),
			 (HOUR0 + 3 * 3600 + 5) / 3600);
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM health_hours WHERE last_devices <> 0 OR current_devices <> 0"), 1);
	assert_int_equal(sql(f, "SELECT SUM(seconds) FROM health_hours"), 3 * 3600);
}

static void an_update_moves_the_device_to_its_new_version(void **state)
{
	struct fixture *f = *state;
	struct srv_version_health a, b;

	boot(f, 7, &k_v1, HOUR0);
	assert_int_equal(beat(f, 7, 3600, HOUR0 + 3600, 1, NULL, 0, NULL), SRV_HB_COUNTED);
	boot(f, 8, &k_v2, HOUR0 + 7200); /* updated: boot 8 runs 1.4.3 */
	assert_int_equal(beat(f, 8, 3600, HOUR0 + 3 * 3600, 1, NULL, 0, NULL), SRV_HB_COUNTED);
	a = version(f, "1.4.2", HOUR0 + 4 * 3600);
	b = version(f, "1.4.3", HOUR0 + 4 * 3600);
	assert_int_equal(a.active_24h, 1); /* active on both in the window */
	assert_int_equal(b.active_24h, 1);
	assert_int_equal(a.current, 0); /* but it runs 1.4.3 now */
	assert_int_equal(b.current, 1);
	/* a late heartbeat of the version it left does not take it back */
	assert_int_equal(beat(f, 7, 5400, HOUR0 + 5 * 3600, 1, NULL, 0, NULL), SRV_HB_COUNTED);
	assert_int_equal(version(f, "1.4.2", HOUR0 + 6 * 3600).current, 0);
	assert_int_equal(version(f, "1.4.3", HOUR0 + 6 * 3600).current, 1);
}

static void a_heartbeat_waits_for_its_boot(void **state)
{
	struct fixture *f = *state;
	int64_t counted = 0;

	/* the compact heartbeats of boot 9 arrive before its reboot event, and out of order */
	assert_int_equal(beat(f, 9, 7200, HOUR0 + 7200, 20, NULL, 0, NULL), SRV_HB_WAITING);
	assert_int_equal(beat(f, 9, 3600, HOUR0 + 3600, 10, NULL, 0, NULL), SRV_HB_WAITING);
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM health_hours"), 0);
	assert_int_equal(f->t.s->ops->boot_put(f->t.s, f->dev, 9, &k_v1, HOUR0 + 7300, 0, &counted), 0);
	assert_int_equal(counted, 2);
	assert_int_equal(version(f, "1.4.2", HOUR0 + 8000).seconds, 7200);
	/* growth counted in uptime order: 10 then 10 more, not a reset */
	assert_int_equal(sql(f, "SELECT value FROM meta WHERE key = 'health_counter_resets'"), -1);
	/* a boot's identity, once known, stays */
	boot(f, 9, &k_v2, HOUR0 + 7400);
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM firmwares"), 1);
}

static void a_full_heartbeat_brings_its_identity(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(beat(f, 3, 3600, HOUR0 + 3600, 1, NULL, 0, &k_v2), SRV_HB_COUNTED);
	assert_int_equal(version(f, "1.4.3", HOUR0 + 3700).seconds, 3600);
}

static void duplicates_count_once(void **state)
{
	struct fixture *f = *state;

	boot(f, 7, &k_v1, HOUR0);
	assert_int_equal(beat(f, 7, 3600, HOUR0 + 3600, 10, NULL, 0, NULL), SRV_HB_COUNTED);
	assert_int_equal(beat(f, 7, 3600, HOUR0 + 3700, 10, NULL, 0, NULL), SRV_HB_DUPLICATE);
	assert_int_equal(beat(f, 7, 3600, HOUR0 + 3800, 99, NULL, 0, NULL), SRV_HB_DUPLICATE); /* other values: first stands */
	assert_int_equal(version(f, "1.4.2", HOUR0 + 4000).seconds, 3600);
	assert_int_equal(sql(f, "SELECT value FROM meta WHERE key = 'health_heartbeats_duplicate'"), 2);
}

static void a_late_heartbeat_adds_resolution_only(void **state)
{
	struct fixture *f = *state;

	boot(f, 7, &k_v1, HOUR0);
	assert_int_equal(beat(f, 7, 3600, HOUR0 + 3600, 10, NULL, 0, NULL), SRV_HB_COUNTED);
	assert_int_equal(beat(f, 7, 3 * 3600, HOUR0 + 3 * 3600, 30, NULL, 0, NULL), SRV_HB_COUNTED); /* 2 h was lost */
	assert_int_equal(version(f, "1.4.2", HOUR0 + 4 * 3600).seconds, 3 * 3600);
	assert_int_equal(beat(f, 7, 2 * 3600, HOUR0 + 5 * 3600, 20, NULL, 0, NULL), SRV_HB_COUNTED); /* it comes late */
	assert_int_equal(version(f, "1.4.2", HOUR0 + 6 * 3600).seconds, 3 * 3600);
	assert_int_equal(sql(f, "SELECT value FROM meta WHERE key = 'health_heartbeats_late'"), 1);
	/* placed between its neighbours, not at its late arrival */
	assert_int_equal(sql(f, "SELECT at FROM heartbeats WHERE uptime = 7200"), HOUR0 + 7200);
}

static void a_counter_that_goes_backwards_restarted(void **state)
{
	struct fixture *f = *state;

	boot(f, 7, &k_v1, HOUR0);
	assert_int_equal(beat(f, 7, 3600, HOUR0 + 3600, 500, NULL, 0, NULL), SRV_HB_COUNTED);
	assert_int_equal(beat(f, 7, 7200, HOUR0 + 7200, 40, NULL, 0, NULL), SRV_HB_COUNTED);
	assert_int_equal(sql(f, "SELECT value FROM meta WHERE key = 'health_counter_resets'"), 1);
}

static void an_uptime_of_years_counts_30_days(void **state)
{
	struct fixture *f = *state;

	boot(f, 7, &k_v1, HOUR0);
	assert_int_equal(beat(f, 7, 4000000000u, HOUR0, 1, NULL, 0, NULL), SRV_HB_COUNTED);
	assert_int_equal(version(f, "1.4.2", HOUR0 + 10).seconds, SRV_HEALTH_GAP_MAX);
	assert_int_equal(sql(f, "SELECT value FROM meta WHERE key = 'health_gaps_capped'"), 1);
	/* the hours it touched: at most 30 days' worth, all of them before the heartbeat came */
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM health_hours WHERE seconds > 0"), 720);
	assert_int_equal(sql(f, "SELECT MAX(hour) FROM health_hours WHERE seconds > 0"), HOUR0 / 3600 - 1);
}

static void crashes_count_once_per_message_and_hour(void **state)
{
	struct fixture *f = *state;
	struct srv_version_health v;
	int64_t msg[3];
	bool fresh;

	for (int i = 0; i < 3; i++) {
		uint8_t bytes[2] = {(uint8_t)i, 0};

		assert_int_equal(f->t.s->ops->message_add(f->t.s, f->dev, bytes, 2, HOUR0, &msg[i], &fresh), 0);
	}
	boot(f, 7, &k_v1, HOUR0);
	assert_int_equal(beat(f, 7, 3600, HOUR0 + 3600, 1, NULL, 0, NULL), SRV_HB_COUNTED);
	/* boot 7 ended unexpectedly; boot 8 reported it twice (processed again) and crashed in the same hour */
	for (int k = 0; k < 2; k++)
		assert_int_equal(f->t.s->ops->crash_put(f->t.s, msg[0], f->dev, SRV_CRASH_REBOOT, 7, 8, &k_v1, false, 0,
						      HOUR0 + 3700), 0);
	assert_int_equal(f->t.s->ops->crash_put(f->t.s, msg[1], f->dev, SRV_CRASH_REBOOT, 8, 9, &k_v1, false, 0,
					      HOUR0 + 3900), 0);
	assert_int_equal(f->t.s->ops->crash_put(f->t.s, msg[2], f->dev, SRV_CRASH_COREDUMP, 7, 7, &k_v1, true, 3650,
					      HOUR0 + 3950), 0);
	v = version(f, "1.4.2", HOUR0 + 4000);
	assert_int_equal(v.reboots, 2);
	assert_int_equal(v.coredumps, 1);
	assert_int_equal(v.crashed_hours, 1); /* both in the hour after HOUR0 + 3600 */
	assert_int_equal(v.crashed_devices, 1);
	/* the coredump placed by its boot's anchor and its uptime, not its arrival */
	assert_int_equal(sql(f, "SELECT at FROM crashes WHERE kind = 2"), HOUR0 + 3650);
}

/* The key table of a build: a counter "tx" and a gauge "battery_mv". */
static void table(struct ff_metric_table *t)
{
	static const uint8_t k_bytes[] = "FLMT\1\1tx\0\2battery_mv";

	assert_int_equal(ff_metric_table_parse(t, k_bytes, sizeof(k_bytes), NULL), 0);
	assert_int_equal(t->nvalues, 4);
}

struct metric {
	int n;
	double value;
	int64_t min, max;
};

static void got(const struct srv_metric_device *d, void *ctx)
{
	struct metric *m = ctx;

	m->n++;
	m->value = d->value;
	m->min = d->min;
	m->max = d->max;
}

static struct metric metric(struct fixture *f, const char *key)
{
	struct metric m = {0};
	bool cut;

	assert_int_equal(f->t.s->ops->metric_devices(f->t.s, key, "1.4.2", 100, got, &m, &cut), 0);
	assert_false(cut);
	return m;
}

/* Three heartbeats an hour apart: tx 5, 15, 35 (growth 35); battery last 3700, 3650, 3600 (min 3590, max 3710). */
static void three_beats(struct fixture *f)
{
	const uint64_t v[3][4] = {{5, 3700, 3690, 3710}, {15, 3650, 3640, 3700}, {35, 3600, 3590, 3650}};

	for (int k = 0; k < 3; k++)
		assert_int_equal(beat(f, 7, (uint32_t)(k + 1) * 3600, HOUR0 + (k + 1) * 3600, 1, v[k], 4, NULL),
				 SRV_HB_COUNTED);
}

static void application_metrics_by_the_table(void **state)
{
	struct fixture *f = *state;
	static struct ff_metric_table t;
	struct metric m;
	bool cut;

	table(&t);
	assert_int_equal(f->t.s->ops->metric_table_put(f->t.s, k_v1.build_id, &t, NULL), 0);
	boot(f, 7, &k_v1, HOUR0);
	three_beats(f);
	m = metric(f, "tx");
	assert_int_equal(m.n, 1);
	assert_true(m.value > 11.66 && m.value < 11.67); /* 35 over 3 hours */
	m = metric(f, "battery_mv");
	assert_true(m.value == 3650.0);
	assert_int_equal(m.min, 3590);
	assert_int_equal(m.max, 3710);
	m = metric(f, "chunks"); /* a built-in: 1 chunk counted once, over 3 h */
	assert_true(m.value > 0.33 && m.value < 0.34);
	assert_int_equal(f->t.s->ops->metric_devices(f->t.s, "nothing", NULL, 100, got, &m, &cut), SRV_NONE);
}

static void a_late_table_is_backfilled(void **state)
{
	struct fixture *f = *state;
	static struct ff_metric_table t;
	int64_t done = 0;
	bool more = true;
	struct metric m = {0};
	bool cut;

	boot(f, 7, &k_v1, HOUR0);
	three_beats(f); /* the ELF is not uploaded yet: built-ins counted, the rest waits */
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM heartbeats WHERE state = 2"), 3);
	assert_int_equal(f->t.s->ops->metric_devices(f->t.s, "tx", "1.4.2", 100, got, &m, &cut), SRV_NONE);
	table(&t);
	assert_int_equal(f->t.s->ops->metric_table_put(f->t.s, k_v1.build_id, &t, NULL), 0);
	assert_int_equal(f->t.s->ops->metrics_backfill(f->t.s, 2, &done, &more), 0);
	assert_int_equal(done, 2);
	assert_true(more);
	assert_int_equal(f->t.s->ops->metrics_backfill(f->t.s, 2, &done, &more), 0);
	assert_int_equal(done, 1);
	assert_int_equal(f->t.s->ops->metrics_backfill(f->t.s, 2, &done, &more), 0);
	assert_int_equal(done, 0);
	assert_false(more);
	m = metric(f, "tx"); /* the same as if the table had come first */
	assert_true(m.value > 11.66 && m.value < 11.67);
	m = metric(f, "battery_mv");
	assert_true(m.value == 3650.0);
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM heartbeats WHERE state = 2"), 0);
}

static void too_few_values_leave_the_application_out(void **state)
{
	struct fixture *f = *state;
	static struct ff_metric_table t;
	const uint64_t short_values[2] = {5, 3700};
	struct metric m = {0};

	table(&t);
	assert_int_equal(f->t.s->ops->metric_table_put(f->t.s, k_v1.build_id, &t, NULL), 0);
	boot(f, 7, &k_v1, HOUR0);
	assert_int_equal(beat(f, 7, 3600, HOUR0 + 3600, 1, short_values, 2, NULL), SRV_HB_COUNTED);
	assert_int_equal(version(f, "1.4.2", HOUR0 + 3700).seconds, 3600); /* its exposure counts */
	assert_int_equal(sql(f, "SELECT value FROM meta WHERE key = 'health_values_ignored'"), 2);
	bool cut;

	/* no device's tx counted: the metric has no values yet */
	assert_int_equal(f->t.s->ops->metric_devices(f->t.s, "tx", "1.4.2", 100, got, &m, &cut), SRV_NONE);
}

static void a_glitched_uptime_counts_nothing(void **state)
{
	struct fixture *f = *state;
	int64_t msg;
	bool fresh;

	boot(f, 7, &k_v1, HOUR0);
	assert_int_equal(beat(f, 7, 3600, HOUR0 + 3600, 1, NULL, 0, NULL), SRV_HB_COUNTED);
	assert_int_equal(beat(f, 7, 7200, HOUR0 + 7200, 2, NULL, 0, NULL), SRV_HB_COUNTED);
	beat(f, 7, 4000000000u, HOUR0 + 9000, 3, NULL, 0, NULL); /* 126 years of uptime, at once */
	assert_int_equal(beat(f, 7, 10800, HOUR0 + 10800, 4, NULL, 0, NULL), SRV_HB_COUNTED);
	assert_int_equal(beat(f, 7, 14400, HOUR0 + 14400, 5, NULL, 0, NULL), SRV_HB_COUNTED);
	assert_int_equal(version(f, "1.4.2", HOUR0 + 15000).seconds, 4 * 3600); /* the jump counted nothing */
	assert_int_equal(sql(f, "SELECT value FROM meta WHERE key = 'health_uptime_jumps'"), 1);
	assert_int_equal(f->t.s->ops->message_add(f->t.s, f->dev, (const uint8_t *)"x", 1, HOUR0, &msg, &fresh), 0);
	assert_int_equal(f->t.s->ops->crash_put(f->t.s, msg, f->dev, SRV_CRASH_COREDUMP, 7, 7, &k_v1, true, 14500,
					      HOUR0 + 15000), 0);
	assert_int_equal(sql(f, "SELECT at FROM crashes"), HOUR0 + 14500); /* the boot's anchor did not move */
}

static void overlapping_boots_never_count_more_than_time(void **state)
{
	struct fixture *f = *state;

	/* ten boots that each claim 30 days of uptime, all within ten seconds */
	for (uint32_t k = 0; k < 10; k++)
		assert_int_equal(beat(f, 100 + k, 30 * 86400, HOUR0 + k, 1, NULL, 0, &k_v1), SRV_HB_COUNTED);
	assert_true(version(f, "1.4.2", HOUR0 + 20).seconds <= 30 * 86400 + 10);
	assert_true(sql(f, "SELECT value FROM meta WHERE key = 'health_overlap_seconds'") >= 9 * (30 * 86400 - 10));
}

static void a_boot_is_never_cut_against_itself(void **state)
{
	struct fixture *f = *state;

	boot(f, 7, &k_v1, HOUR0);
	/* the first heartbeat came 10 minutes late, the next one at once: the anchor moves 600 s earlier, and the
	 * second interval is placed partly before the first's place; the boot still counts its uptime, exactly */
	assert_int_equal(beat(f, 7, 3600, HOUR0 + 3600 + 600, 1, NULL, 0, NULL), SRV_HB_COUNTED);
	assert_int_equal(beat(f, 7, 7200, HOUR0 + 7200, 2, NULL, 0, NULL), SRV_HB_COUNTED);
	assert_int_equal(version(f, "1.4.2", HOUR0 + 8000).seconds, 7200);
	assert_int_equal(sql(f, "SELECT value FROM meta WHERE key = 'health_overlap_seconds'"), -1);
}

static void a_boot_id_that_comes_again_is_a_new_boot(void **state)
{
	struct fixture *f = *state;
	int64_t m1, m2;
	bool fresh;

	assert_int_equal(f->t.s->ops->message_add(f->t.s, f->dev, (const uint8_t *)"a", 1, HOUR0, &m1, &fresh), 0);
	assert_int_equal(f->t.s->ops->message_add(f->t.s, f->dev, (const uint8_t *)"b", 1, HOUR0, &m2, &fresh), 0);
	assert_int_equal(f->t.s->ops->boot_put(f->t.s, f->dev, 1, &k_v1, HOUR0, m1, NULL), 0);
	assert_int_equal(beat(f, 1, 3600, HOUR0 + 3600, 1, NULL, 0, NULL), SRV_HB_COUNTED);
	/* ten days later, a reflashed device counts its boots from 1 again, on 1.4.3 */
	assert_int_equal(f->t.s->ops->boot_put(f->t.s, f->dev, 1, &k_v2, HOUR0 + 10 * 86400, m2, NULL), 0);
	assert_int_equal(beat(f, 1, 3600, HOUR0 + 10 * 86400 + 3600, 1, NULL, 0, NULL), SRV_HB_COUNTED);
	assert_int_equal(version(f, "1.4.2", HOUR0 + 11 * 86400).seconds, 3600);
	assert_int_equal(version(f, "1.4.3", HOUR0 + 11 * 86400).seconds, 3600);
	/* the same reboot event again (processed twice) changes nothing */
	assert_int_equal(f->t.s->ops->boot_put(f->t.s, f->dev, 1, &k_v2, HOUR0 + 10 * 86400, m2, NULL), 0);
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM boots"), 2);
}

static void values_that_do_not_read_break_the_chain_not_double(void **state)
{
	struct fixture *f = *state;
	static struct ff_metric_table t;
	const uint64_t v1[4] = {5, 3700, 3690, 3710}, v3[4] = {35, 3600, 3590, 3650}, bad[1] = {20};

	table(&t);
	assert_int_equal(f->t.s->ops->metric_table_put(f->t.s, k_v1.build_id, &t, NULL), 0);
	boot(f, 7, &k_v1, HOUR0);
	assert_int_equal(beat(f, 7, 3600, HOUR0 + 3600, 1, v1, 4, NULL), SRV_HB_COUNTED);
	assert_int_equal(beat(f, 7, 7200, HOUR0 + 7200, 1, bad, 1, NULL), SRV_HB_COUNTED);
	assert_int_equal(beat(f, 7, 10800, HOUR0 + 10800, 1, v3, 4, NULL), SRV_HB_COUNTED);
	/* tx grew 5 before the heartbeat that did not read; what it grew across it is lost, not counted twice */
	assert_true(metric(f, "tx").value * 3 < 5.01 && metric(f, "tx").value * 3 > 4.99);
}

static void a_late_heartbeat_during_backfill_adds_up(void **state)
{
	struct fixture *f = *state;
	static struct ff_metric_table t;
	const uint64_t v[3][4] = {{5, 3700, 3690, 3710}, {15, 3650, 3640, 3700}, {35, 3600, 3590, 3650}};
	int64_t done;
	bool more = true;

	boot(f, 7, &k_v1, HOUR0);
	assert_int_equal(beat(f, 7, 3600, HOUR0 + 3600, 1, v[0], 4, NULL), SRV_HB_COUNTED);
	assert_int_equal(beat(f, 7, 10800, HOUR0 + 10800, 1, v[2], 4, NULL), SRV_HB_COUNTED);
	table(&t);
	assert_int_equal(f->t.s->ops->metric_table_put(f->t.s, k_v1.build_id, &t, NULL), 0);
	/* the 2 h heartbeat arrives late, after the table, before the backfill ran: it waits with its neighbours */
	assert_int_equal(beat(f, 7, 7200, HOUR0 + 11000, 1, v[1], 4, NULL), SRV_HB_COUNTED);
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM heartbeats WHERE state = 2"), 3);
	while (more)
		assert_int_equal(f->t.s->ops->metrics_backfill(f->t.s, 100, &done, &more), 0);
	assert_true(metric(f, "tx").value * 3 > 34.99 && metric(f, "tx").value * 3 < 35.01);
}

static void an_elf_without_a_table_names_nothing(void **state)
{
	struct fixture *f = *state;
	const uint64_t v[2] = {1, 2};

	assert_int_equal(f->t.s->ops->metric_table_put(f->t.s, k_v1.build_id, NULL, "no .faultline.metrics"), 0);
	boot(f, 7, &k_v1, HOUR0);
	assert_int_equal(beat(f, 7, 3600, HOUR0 + 3600, 1, v, 2, NULL), SRV_HB_COUNTED);
	assert_int_equal(sql(f, "SELECT state FROM heartbeats"), 2); /* unnamed, waiting for a table */
	assert_int_equal(sql(f, "SELECT value FROM meta WHERE key = 'health_values_ignored'"), -1);
}

static void retention_deletes_quiet_boots_not_counts(void **state)
{
	struct fixture *f = *state;
	struct srv_retention did = {0};
	bool more = true;

	boot(f, 7, &k_v1, HOUR0);
	boot(f, 8, &k_v1, HOUR0 + 100 * 86400);
	assert_int_equal(beat(f, 7, 3600, HOUR0 + 3600, 1, NULL, 0, NULL), SRV_HB_COUNTED);
	assert_int_equal(beat(f, 8, 3600, HOUR0 + 100 * 86400 + 3600, 1, NULL, 0, NULL), SRV_HB_COUNTED);
	/* 90 days after boot 7's last heartbeat, and before boot 8's */
	while (more)
		assert_int_equal(f->t.s->ops->retention(f->t.s, HOUR0 + 91 * 86400, HOUR0 + 181 * 86400, 100, 1 << 20, &did,
						      &more), 0);
	assert_int_equal(did.heartbeats, 1);
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM heartbeats"), 1);
	assert_int_equal(sql(f, "SELECT boot_id FROM boots"), 8);
	assert_int_equal(version(f, "1.4.2", HOUR0 + 101 * 86400).seconds, 2 * 3600); /* the counts stay */
}

/* Two versions of 40 devices, a week of hourly heartbeats each; 1.4.3's devices all crashed once a day. */
static void fleet(struct fixture *f)
{
	static struct ff_metric_table t;
	int64_t msg;
	bool fresh;

	table(&t);
	assert_int_equal(f->t.s->ops->metric_table_put(f->t.s, k_v1.build_id, &t, NULL), 0);
	for (int d = 0; d < 80; d++) {
		const struct srv_identity *id = d < 40 ? &k_v1 : &k_v2;
		char serial[16];
		int64_t dev;

		snprintf(serial, sizeof(serial), "dev-%03d", d);
		assert_int_equal(f->t.s->ops->device(f->t.s, serial, HOUR0, true, &dev, NULL), 0);
		f->dev = dev;
		for (uint32_t day = 0; day < 7; day++) {
			uint32_t boot_id = 10 + day;

			boot(f, boot_id, id, HOUR0 + day * 86400);
			for (uint32_t h = 1; h < 24; h++) {
				const uint64_t v[4] = {h * 3u, 3700 - h, 3690 - h, 3710 - h};

				beat(f, boot_id, h * 3600, HOUR0 + day * 86400 + h * 3600, h, v, d < 40 ? 4 : 0, NULL);
			}
			if (d >= 40) { /* the boot after this one says this one ended in a watchdog reset */
				uint8_t bytes[8] = {(uint8_t)d, (uint8_t)day, 1};

				assert_int_equal(f->t.s->ops->message_add(f->t.s, dev, bytes, sizeof(bytes), HOUR0, &msg, &fresh),
						 0);
				assert_int_equal(f->t.s->ops->crash_put(f->t.s, msg, dev, SRV_CRASH_REBOOT, boot_id, boot_id + 1,
								      id, false, 0, HOUR0 + (day + 1) * 86400), 0);
			}
		}
	}
}

static const json_t *by_name(const json_t *versions, const char *v)
{
	size_t i;
	json_t *x;

	json_array_foreach(versions, i, x)
		if (strcmp(json_string_value(json_object_get(x, "sw_version")), v) == 0)
			return x;
	fail_msg("no version %s", v);
	return NULL;
}

static void the_api_answers_what_the_buckets_hold(void **state)
{
	struct fixture *f = *state;
	json_t *j;
	const json_t *a, *b, *r;

	fleet(f);
	j = srv_test_get(f->t.s, "versions?days=3650", 200);
	assert_int_equal(json_array_size(json_object_get(j, "versions")), 2);
	a = by_name(json_object_get(j, "versions"), "1.4.2");
	assert_true(json_is_array(json_object_get(a, "top_issues"))); /* (no coredump was analyzed here) */
	b = by_name(json_object_get(j, "versions"), "1.4.3");
	assert_true(json_real_value(json_object_get(a, "device_hours")) == 40 * 7 * 23);
	assert_int_equal(json_integer_value(json_object_get(a, "devices")), 40);
	assert_int_equal(json_integer_value(json_object_get(b, "unexpected_reboots")), 40 * 7);
	assert_int_equal(json_integer_value(json_object_get(a, "unexpected_reboots")), 0);
	/* 1.4.3: 280 crashes over 6,440 device-hours = 43.5 per 1,000 h; every device crashed */
	r = json_object_get(json_object_get(b, "unexpected_reboot_rate"), "value");
	assert_true(json_real_value(r) > 43.47 && json_real_value(r) < 43.48);
	assert_true(json_real_value(json_object_get(json_object_get(b, "crash_free_devices"), "value")) == 0.0);
	assert_true(json_real_value(json_object_get(json_object_get(a, "crash_free_hours"), "value")) == 100.0);
	/* both began at the fleet's first hour (the release marker) */
	assert_int_equal(json_integer_value(json_object_get(a, "first_seen")), HOUR0 / 3600 * 3600);
	assert_int_equal(json_integer_value(json_object_get(b, "first_seen")), HOUR0 / 3600 * 3600);
	json_decref(j);

	j = srv_test_get(f->t.s, "compare?a=1.4.2&b=1.4.3&days=3650", 200);
	r = json_array_get(json_object_get(j, "rates"), 0);
	assert_string_equal(json_string_value(json_object_get(r, "rate")), "unexpected_reboots");
	assert_string_equal(json_string_value(json_object_get(r, "verdict")), "worse");
	assert_true(json_real_value(json_object_get(json_object_get(j, "test"), "false_alarm")) == 0.01);
	json_decref(j);
	j = srv_test_get(f->t.s, "compare?a=1.4.3&b=1.4.2&days=3650", 200);
	r = json_array_get(json_object_get(j, "rates"), 0);
	assert_string_equal(json_string_value(json_object_get(r, "verdict")), "better");
	json_decref(j);

	/* the days (UTC): each boot runs 22:00 to 21:00 (HOUR0 is 22:00), so 7 boots cover 8 days, 40 devices each;
	 * 1.4.3's 40 crash on every day but the first (each boot's crash is placed at the start of the boot after it,
	 * 22:00 the next day) */
	j = srv_test_get(f->t.s, "versions/1.4.2?days=3650", 200);
	{
		const json_t *days = json_object_get(json_object_get(j, "version"), "days"), *d;
		size_t k;

		assert_int_equal(json_array_size(days), 8);
		json_array_foreach(days, k, d) {
			assert_int_equal(json_integer_value(json_object_get(d, "day")), (HOUR0 / 86400 + (int64_t)k) * 86400);
			assert_int_equal(json_integer_value(json_object_get(d, "devices")), 40);
			assert_int_equal(json_integer_value(json_object_get(d, "crashed_devices")), 0);
		}
	}
	json_decref(j);
	j = srv_test_get(f->t.s, "versions/1.4.3?days=3650", 200);
	{
		const json_t *days = json_object_get(json_object_get(j, "version"), "days"), *d;
		size_t k;

		assert_int_equal(json_array_size(days), 8);
		json_array_foreach(days, k, d) {
			assert_int_equal(json_integer_value(json_object_get(d, "devices")), 40);
			assert_int_equal(json_integer_value(json_object_get(d, "crashed_devices")), k == 0 ? 0 : 40);
		}
	}
	json_decref(j);
	j = srv_test_get(f->t.s, "versions/1.4.3?days=3650&series=1", 200); /* the plots' part only */
	assert_int_equal(json_array_size(json_object_get(j, "days")), 8);
	assert_true(json_array_size(json_object_get(j, "hours")) > 0);
	assert_null(json_object_get(j, "version"));
	json_decref(j);
	j = srv_test_get(f->t.s, "versions?days=3650&issues=0", 200);
	assert_null(json_object_get(json_array_get(json_object_get(j, "versions"), 0), "top_issues"));
	json_decref(j);
	j = srv_test_get(f->t.s, "versions/1.4.2?days=3650&hw=evt2", 200);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "version"), "devices")), 40);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "version"), "hw_version")), "evt2");
	assert_true(json_array_size(json_object_get(json_object_get(j, "version"), "hours")) >= 7 * 23);
	json_decref(j);

	j = srv_test_get(f->t.s, "metrics?key=battery_mv", 200);
	assert_string_equal(json_string_value(json_object_get(j, "kind")), "gauge");
	assert_int_equal(json_array_size(json_object_get(j, "versions")), 1); /* 1.4.3 sends no values */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(j, "versions"), 0),
							    "devices")), 40);
	json_decref(j);
	j = srv_test_get(f->t.s, "devices/dev-000/heartbeats", 200);
	assert_int_equal(json_array_size(json_object_get(j, "heartbeats")), 100);
	r = json_array_get(json_object_get(j, "heartbeats"), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "metrics"), "tx")), 69);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(r, "metrics"), "battery_mv"),
							    "last")), 3677);
	json_decref(j);

	/* and what is refused, with a word for it */
	json_decref(srv_test_get(f->t.s, "versions?days=0", 400));
	json_decref(srv_test_get(f->t.s, "versions?by=sw", 400));
	json_decref(srv_test_get(f->t.s, "compare?a=1.4.2&b=1.4.2", 400));
	json_decref(srv_test_get(f->t.s, "compare?a=1.4.2", 400));
	json_decref(srv_test_get(f->t.s, "compare?a=1.4.2&b=9.9&days=3650", 404));
	json_decref(srv_test_get(f->t.s, "versions/9.9", 404));
	json_decref(srv_test_get(f->t.s, "metrics?key=nothing", 404));
	json_decref(srv_test_get(f->t.s, "metrics", 400));
	json_decref(srv_test_get(f->t.s, "devices/no-such/heartbeats", 404));
	json_decref(srv_test_get(f->t.s, "devices/bad%20serial/heartbeats", 400));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counters_wrap_and_restart),
		cmocka_unit_test(an_interval_spreads_over_its_hours),
		cmocka_unit_test(a_step_from_the_boot_start),
		cmocka_unit_test(the_blob_reads_back),
		cmocka_unit_test_setup_teardown(heartbeats_add_their_hours, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(an_update_moves_the_device_to_its_new_version, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(a_heartbeat_waits_for_its_boot, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(a_full_heartbeat_brings_its_identity, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(duplicates_count_once, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(a_late_heartbeat_adds_resolution_only, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(a_counter_that_goes_backwards_restarted, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(an_uptime_of_years_counts_30_days, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(crashes_count_once_per_message_and_hour, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(application_metrics_by_the_table, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(a_late_table_is_backfilled, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(too_few_values_leave_the_application_out, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(a_glitched_uptime_counts_nothing, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(overlapping_boots_never_count_more_than_time, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(a_boot_is_never_cut_against_itself, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(a_boot_id_that_comes_again_is_a_new_boot, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(values_that_do_not_read_break_the_chain_not_double, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(a_late_heartbeat_during_backfill_adds_up, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(an_elf_without_a_table_names_nothing, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(retention_deletes_quiet_boots_not_counts, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(the_api_answers_what_the_buckets_hold, setup, srv_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
