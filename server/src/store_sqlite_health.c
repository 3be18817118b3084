/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite backend's fleet health (store.h, docs/HEALTH.md): heartbeats kept and counted as they arrive into
 * hourly buckets per firmware and into each device's aggregates, crashes counted once, and the reads. The rules
 * themselves are health.c's. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "ff/bytes.h"
#include "ff/version.h"
#include "health.h"
#include "store_sqlite.h"

#define CRASH_HOURS 16 /* a device's most recent crashed hours per firmware, to count each device-hour once */

/* Heartbeat states (heartbeats.state). */
enum {
	HB_WAITING = 0,     /* its boot's identity is not known yet */
	HB_COUNTED = 1,
	HB_APP_WAITING = 2, /* built-ins counted; its build's key table unknown */
	HB_JUMP = 3,        /* its uptime jumped more than SRV_HEALTH_GAP_MAX past the boot's latest: not counted */
};

/* A boot as health keeps it: its firmware (0 while unknown), anchor (the server second it started at, by its
 * least delayed heartbeat), and its latest counted heartbeat (read from heartbeats), which the next one is a step
 * from. Its row is written only when what it keeps changes (dirty), not for every heartbeat. */
struct boot {
	bool found, dirty;
	int64_t firmware, anchor, start_at;
	int64_t updated; /* when a heartbeat of it last came, to the day (retention deletes boots gone quiet) */
	int64_t reboot_message; /* the reboot event that gave its identity, 0 when another message did */
	bool has_anchor, has_latest;
	struct srv_hb_point latest;
	uint64_t latest_values[FF_HB_VALUES_MAX];
};

static void put_u32s(uint8_t *out, const uint64_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ff_put_le(out + 4 * i, v[i], 4);
}

static void get_u32s(uint64_t *out, const void *blob, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = ff_le((const uint8_t *)blob + 4 * i, 4);
}

static size_t get_values(uint64_t *out, const void *blob, int bytes)
{
	size_t n = bytes > 0 ? (size_t)bytes / 8 : 0;

	if (n > FF_HB_VALUES_MAX)
		n = FF_HB_VALUES_MAX;
	for (size_t i = 0; i < n; i++)
		out[i] = ff_le((const uint8_t *)blob + 8 * i, 8);
	return n;
}

static uint8_t *values_blob(const uint64_t *v, size_t n)
{
	uint8_t *b = srv_malloc(n * 8 + 1);

	for (size_t i = 0; i < n; i++)
		ff_put_le(b + 8 * i, v[i], 8);
	return b;
}

/* The firmware's id, made when new. */
static int firmware_id(struct sqlite_store *s, const struct srv_identity *id, int64_t *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(s, &st, "INSERT INTO firmwares (build_id, sw_version, hw_version) VALUES (?, ?, ?) "
			       "ON CONFLICT DO UPDATE SET build_id = build_id RETURNING id", "firmware") != 0)
		return -1;
	sqlite3_bind_text(st, 1, id->build_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id->sw_version, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, id->hw_version != NULL ? id->hw_version : "", -1, SQLITE_STATIC);
	rc = sq_step_row(s, st, out, "firmware");
	return rc == 0 ? 0 : rc < 0 ? -1 : srv_store_fail(&s->base, "firmware: no id");
}

static int neighbour(struct sqlite_store *s, int64_t device, uint32_t boot_id, int64_t uptime, bool after,
		     struct srv_hb_point *out, uint64_t *values, int *out_state);

/* A boot not seen yet (its values' room left as it is). */
static void boot_clear(struct boot *b)
{
	memset(b, 0, offsetof(struct boot, latest_values));
	b->latest.values = b->latest_values;
}

static int boot_load(struct sqlite_store *s, int64_t device, uint32_t boot_id, struct boot *b)
{
	sqlite3_stmt *st;
	int rc;

	boot_clear(b);
	if (sq_prepare(s, &st, "SELECT firmware_id, anchor, start_at, updated, reboot_message FROM boots WHERE "
		       "device_id = ? AND boot_id = ?", "boot") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, device);
	sqlite3_bind_int64(st, 2, boot_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		b->found = true;
		b->firmware = sqlite3_column_int64(st, 0);
		b->has_anchor = sqlite3_column_type(st, 1) != SQLITE_NULL;
		b->anchor = sqlite3_column_int64(st, 1);
		b->start_at = sqlite3_column_int64(st, 2);
		b->updated = sqlite3_column_int64(st, 3);
		b->reboot_message = sqlite3_column_int64(st, 4);
	}
	sq_release(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return srv_store_fail(&s->base, "boot: %s", sqlite3_errmsg(s->db));
	if (b->firmware == 0) /* no heartbeat of it is counted yet */
		return 0;
	rc = neighbour(s, device, boot_id, (int64_t)UINT32_MAX + 1, false, &b->latest, b->latest_values, NULL);
	b->has_latest = rc == 0;
	return rc < 0 ? -1 : 0;
}

/* The boot's row, when what it keeps changed or a day after it was last written (its time for retention). */
static int boot_save(struct sqlite_store *s, int64_t device, uint32_t boot_id, struct boot *b, int64_t now)
{
	sqlite3_stmt *st;

	if (b->found && !b->dirty && now - b->updated < 86400)
		return 0;
	if (sq_prepare(s, &st, "INSERT INTO boots (device_id, boot_id, firmware_id, anchor, start_at, updated, "
		       "reboot_message) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET firmware_id = "
		       "excluded.firmware_id, anchor = excluded.anchor, start_at = excluded.start_at, updated = "
		       "excluded.updated, reboot_message = excluded.reboot_message", "boot_save") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, device);
	sqlite3_bind_int64(st, 2, boot_id);
	if (b->firmware != 0)
		sqlite3_bind_int64(st, 3, b->firmware);
	if (b->has_anchor) {
		sqlite3_bind_int64(st, 4, b->anchor);
		sqlite3_bind_int64(st, 5, b->start_at);
	}
	sqlite3_bind_int64(st, 6, now);
	if (b->reboot_message != 0)
		sqlite3_bind_int64(st, 7, b->reboot_message);
	b->found = true;
	b->dirty = false;
	b->updated = now;
	return sq_step_done(s, st, "boot_save");
}

/* A build's metric key table: 0 known (out filled; an ELF without one has 0 keys), SRV_NONE not known yet. */
static int table_read(struct sqlite_store *s, int64_t firmware, struct ff_metric_table *out)
{
	sqlite3_stmt *st;
	int rc, found;

	memset(out, 0, sizeof(*out));
	if (sq_prepare(s, &st, "SELECT t.keys FROM metric_tables t JOIN firmwares f ON f.build_id = t.build_id "
			       "WHERE f.id = ?", "table_get") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, firmware);
	rc = sqlite3_step(st);
	/* an ELF without a usable table (keys NULL) names nothing: its heartbeats' values stay unnamed, waiting */
	found = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL &&
		ff_metric_table_parse(out, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), NULL) == 0;
	sq_release(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return srv_store_fail(&s->base, "table_get: %s", sqlite3_errmsg(s->db));
	return found ? 0 : SRV_NONE;
}

/* Generations of what table_get() keeps: unique across stores and processes' lifetimes of them, so that a cache
 * never mistakes one store's firmware for another's. */
static _Atomic uint64_t s_generation;

/* table_read() of the last firmware asked, kept until a table is stored: a fleet's heartbeats come from few
 * firmwares, so most need no query. (The writer thread's, like the connection.) */
static int table_get(struct sqlite_store *s, int64_t firmware, const struct ff_metric_table **out)
{
	static _Thread_local struct {
		int64_t firmware;
		uint64_t generation;
		int found;
		struct ff_metric_table table;
	} cache;

	if (cache.firmware != firmware || cache.generation != s->tables_stored) {
		cache.found = table_read(s, firmware, &cache.table);
		if (cache.found < 0)
			return -1;
		cache.firmware = firmware;
		cache.generation = s->tables_stored;
	}
	*out = &cache.table; /* valid until the next call */
	return cache.found;
}

/* A device's aggregates on a firmware, and the crashed hours it already counted. */
struct device_health {
	bool found;
	int64_t seconds, last_at, last_crash, heartbeats;
	bool has_last_crash;
	int64_t crash_hours[CRASH_HOURS];
	size_t ncrash;
	struct srv_metrics metrics;
};

static int dh_load(struct sqlite_store *s, int64_t device, int64_t firmware, struct device_health *d)
{
	sqlite3_stmt *st;
	int rc;

	memset(d, 0, offsetof(struct device_health, metrics));
	srv_metrics_unpack(&d->metrics, NULL, 0);
	if (sq_prepare(s, &st, "SELECT seconds, last_at, last_crash, crash_hours, metrics, heartbeats "
			       "FROM device_health WHERE device_id = ? AND firmware_id = ?", "device_health") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, device);
	sqlite3_bind_int64(st, 2, firmware);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const uint8_t *hours = sqlite3_column_blob(st, 3);
		size_t n = (size_t)sqlite3_column_bytes(st, 3) / 8;

		d->found = true;
		d->seconds = sqlite3_column_int64(st, 0);
		d->last_at = sqlite3_column_int64(st, 1);
		d->has_last_crash = sqlite3_column_type(st, 2) != SQLITE_NULL;
		d->last_crash = sqlite3_column_int64(st, 2);
		d->ncrash = n < CRASH_HOURS ? n : CRASH_HOURS;
		for (size_t i = 0; i < d->ncrash; i++)
			d->crash_hours[i] = (int64_t)ff_le(hours + 8 * i, 8);
		if (srv_metrics_unpack(&d->metrics, sqlite3_column_blob(st, 4), (size_t)sqlite3_column_bytes(st, 4)) != 0)
			rc = SQLITE_CORRUPT; /* never written over with zeros */
		d->heartbeats = sqlite3_column_int64(st, 5);
	}
	sq_release(s, st);
	if (rc == SQLITE_CORRUPT)
		return srv_store_fail(&s->base, "device_health: the aggregates of device %lld do not read (a newer server's?)",
				      (long long)device);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
						      srv_store_fail(&s->base, "device_health: %s", sqlite3_errmsg(s->db));
}

static int dh_save(struct sqlite_store *s, int64_t device, int64_t firmware, const struct device_health *d)
{
	static _Thread_local uint8_t blob[SRV_METRICS_BLOB_MAX];
	uint8_t hours[8 * CRASH_HOURS];
	size_t len = srv_metrics_pack(blob, &d->metrics);
	sqlite3_stmt *st;

	for (size_t i = 0; i < d->ncrash; i++)
		ff_put_le(hours + 8 * i, (uint64_t)d->crash_hours[i], 8);
	if (sq_prepare(s, &st, "INSERT INTO device_health (device_id, firmware_id, seconds, last_at, last_crash, "
			       "crash_hours, metrics, heartbeats) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE "
			       "SET seconds = excluded.seconds, last_at = excluded.last_at, last_crash = "
			       "excluded.last_crash, crash_hours = excluded.crash_hours, metrics = excluded.metrics, "
			       "heartbeats = excluded.heartbeats", "device_health_save") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, device);
	sqlite3_bind_int64(st, 2, firmware);
	sqlite3_bind_int64(st, 3, d->seconds);
	sqlite3_bind_int64(st, 4, d->last_at);
	if (d->has_last_crash)
		sqlite3_bind_int64(st, 5, d->last_crash);
	sqlite3_bind_blob(st, 6, hours, (int)(8 * d->ncrash), SQLITE_STATIC);
	sqlite3_bind_blob(st, 7, blob, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, d->heartbeats);
	return sq_step_done(s, st, "device_health_save");
}

/* What a heartbeat or a crash adds to the hours of one firmware: exposure, reboots, coredumps, crashed device-hours,
 * and the moves of three histograms by hour: of its devices' latest heartbeat (last), of those for which it is
 * the current firmware (current), and of its devices' latest crash (crashed_devices). Gathered so that each hour
 * row is written once. */
#define HOURS_BATCH 8
struct hour_delta {
	int64_t hour, seconds;
	int reboots, coredumps, crashed, last, current, crashed_devices;
};
struct hours {
	struct sqlite_store *s;
	int64_t firmware;
	struct hour_delta d[HOURS_BATCH];
	unsigned n;
	int rc;
};

static void hours_flush(struct hours *h)
{
	for (unsigned i = 0; i < h->n && h->rc == 0; i++) {
		const struct hour_delta *d = &h->d[i];
		sqlite3_stmt *st;

		if (sq_prepare(h->s, &st, "INSERT INTO health_hours (firmware_id, hour, seconds, reboots, coredumps, "
				       "crashed_hours, last_devices, current_devices, crashed_devices) VALUES "
				       "(?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET seconds = seconds + "
				       "excluded.seconds, reboots = reboots + excluded.reboots, coredumps = coredumps + "
				       "excluded.coredumps, crashed_hours = crashed_hours + excluded.crashed_hours, "
				       "last_devices = last_devices + excluded.last_devices, current_devices = "
				       "current_devices + excluded.current_devices, crashed_devices = crashed_devices + "
				       "excluded.crashed_devices", "hour_add") != 0) {
			h->rc = -1;
			break;
		}
		sqlite3_bind_int64(st, 1, h->firmware);
		sqlite3_bind_int64(st, 2, d->hour);
		sqlite3_bind_int64(st, 3, d->seconds);
		sqlite3_bind_int(st, 4, d->reboots);
		sqlite3_bind_int(st, 5, d->coredumps);
		sqlite3_bind_int(st, 6, d->crashed);
		sqlite3_bind_int(st, 7, d->last);
		sqlite3_bind_int(st, 8, d->current);
		sqlite3_bind_int(st, 9, d->crashed_devices);
		h->rc = sq_step_done(h->s, st, "hour_add");
	}
	h->n = 0;
}

/* The delta of hour in the batch (made, zero, when new; the batch written first when full). */
static struct hour_delta *hour_of(struct hours *h, int64_t hour)
{
	for (unsigned i = 0; i < h->n; i++)
		if (h->d[i].hour == hour)
			return &h->d[i];
	if (h->n == HOURS_BATCH)
		hours_flush(h);
	h->d[h->n] = (struct hour_delta){.hour = hour};
	return &h->d[h->n++];
}

static int64_t hour_at(int64_t t)
{
	return t >= 0 ? t / SRV_HOUR : (t - SRV_HOUR + 1) / SRV_HOUR;
}

static void spread_add(int64_t hour, uint32_t seconds, void *ctx)
{
	if (seconds > 0)
		hour_of(ctx, hour)->seconds += seconds;
}

/* A histogram's entry moved from the hour of `from` (has_from: there was one) to the hour of `to`. */
static void histogram_move(struct hours *h, size_t field, bool has_from, int64_t from, int64_t to)
{
	if (has_from && hour_at(from) == hour_at(to))
		return;
	if (has_from)
		(*(int *)((char *)hour_of(h, hour_at(from)) + field))--;
	(*(int *)((char *)hour_of(h, hour_at(to)) + field))++;
}

/* What health keeps of a device itself: its current firmware (the one of its latest placed heartbeat, and since
 * when: a late heartbeat of the firmware before does not switch back), and how far its exposure reaches (until: no
 * two of its boots count the same second, so a device never counts more device-hours than time passes). */
struct device_row {
	int64_t current, since, until;
	int64_t until_boot; /* the boot whose heartbeat set until: a boot is never cut against itself */
	bool dirty;
};

static int device_load(struct sqlite_store *s, int64_t device, struct device_row *out)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (sq_prepare(s, &st, "SELECT firmware_id, firmware_at, health_until, health_boot FROM devices WHERE id = ?",
		       "device_firmware") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, device);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->current = sqlite3_column_int64(st, 0);
		out->since = sqlite3_column_int64(st, 1);
		out->until = sqlite3_column_type(st, 2) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(st, 2);
		out->until_boot = sqlite3_column_int64(st, 3);
	}
	sq_release(s, st);
	return rc == SQLITE_ROW ? 0 : srv_store_fail(&s->base, "device_firmware: %s", sqlite3_errmsg(s->db));
}

static int device_save(struct sqlite_store *s, int64_t device, struct device_row *d)
{
	sqlite3_stmt *st;

	if (!d->dirty)
		return 0;
	if (sq_prepare(s, &st, "UPDATE devices SET firmware_id = ?, firmware_at = ?, health_until = ?, health_boot = ? "
		       "WHERE id = ?", "device_health_state") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, d->current);
	sqlite3_bind_int64(st, 2, d->since);
	sqlite3_bind_int64(st, 3, d->until);
	sqlite3_bind_int64(st, 4, d->until_boot);
	sqlite3_bind_int64(st, 5, device);
	d->dirty = false;
	return sq_step_done(s, st, "device_health_state");
}

/* Keep the current-devices histograms for a heartbeat placed at `at` of the firmware of h, whose pair's latest
 * heartbeat moved from last_before (known when has_before) to last_now: a firmware still current moves with it; a
 * switch takes the device out of the firmware before's histogram. */
static int device_current(struct sqlite_store *s, struct hours *h, struct device_row *d, int64_t device, int64_t at,
			  bool has_before, int64_t last_before, int64_t last_now)
{
	static _Thread_local struct device_health old;

	if (d->current == h->firmware) {
		histogram_move(h, offsetof(struct hour_delta, current), has_before, last_before, last_now);
		return 0;
	}
	if (d->current != 0 && at <= d->since) /* a late heartbeat of a firmware the device left */
		return 0;
	if (d->current != 0) { /* the device moved on from the firmware before: out of its histogram */
		struct hours was = {s, d->current, .n = 0};

		if (dh_load(s, device, d->current, &old) != 0)
			return -1;
		if (old.heartbeats > 0)
			hour_of(&was, hour_at(old.last_at))->current--;
		hours_flush(&was);
		if (was.rc != 0)
			return -1;
	}
	histogram_move(h, offsetof(struct hour_delta, current), false, 0, last_now);
	d->current = h->firmware;
	d->since = at;
	d->dirty = true;
	return 0;
}

/* A heartbeat row's point (for the neighbours of a late heartbeat). found: SRV_NONE when there is none. */
static int neighbour(struct sqlite_store *s, int64_t device, uint32_t boot_id, int64_t uptime, bool after,
		     struct srv_hb_point *out, uint64_t *values, int *out_state)
{
	static const char k_before[] = "SELECT uptime, at, builtin, vals, state FROM heartbeats WHERE device_id = ? "
				       "AND boot_id = ? AND uptime < ? AND state IN (1, 2) ORDER BY uptime DESC LIMIT 1";
	static const char k_after[] = "SELECT uptime, at, builtin, vals, state FROM heartbeats WHERE device_id = ? "
				      "AND boot_id = ? AND uptime > ? AND state IN (1, 2) ORDER BY uptime LIMIT 1";
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(s, &st, after ? k_after : k_before, "heartbeat_neighbour") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, device);
	sqlite3_bind_int64(st, 2, boot_id);
	sqlite3_bind_int64(st, 3, uptime);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 2) == 4 * FF_HB_BUILTINS) {
		out->uptime_s = (uint32_t)sqlite3_column_int64(st, 0);
		out->at = sqlite3_column_int64(st, 1);
		get_u32s(out->builtin, sqlite3_column_blob(st, 2), FF_HB_BUILTINS);
		out->values = values;
		out->nvalues = get_values(values, sqlite3_column_blob(st, 3), sqlite3_column_bytes(st, 3));
		if (out_state != NULL)
			*out_state = sqlite3_column_int(st, 4);
	} else if (rc == SQLITE_ROW) {
		rc = SQLITE_DONE;
	}
	sq_release(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return srv_store_fail(&s->base, "heartbeat_neighbour: %s", sqlite3_errmsg(s->db));
	return rc == SQLITE_ROW ? 0 : SRV_NONE;
}

/* A heartbeat's new state, and where it was placed (at NULL: where it was). */
static int hb_state(struct sqlite_store *s, int64_t device, uint32_t boot_id, uint32_t uptime, int state,
		    const int64_t *at, int64_t firmware)
{
	sqlite3_stmt *st;

	if (sq_prepare(s, &st, "UPDATE heartbeats SET state = ?, at = COALESCE(?, at), firmware_id = ? WHERE "
			       "device_id = ? AND boot_id = ? AND uptime = ?", "heartbeat_state") != 0)
		return -1;
	sqlite3_bind_int(st, 1, state);
	if (at != NULL)
		sqlite3_bind_int64(st, 2, *at);
	sqlite3_bind_int64(st, 3, firmware);
	sqlite3_bind_int64(st, 4, device);
	sqlite3_bind_int64(st, 5, boot_id);
	sqlite3_bind_int64(st, 6, uptime);
	return sq_step_done(s, st, "heartbeat_state");
}

/* What a late heartbeat b between a and c changes of the application's aggregates m: its counters' growth from a
 * to b plus b to c, minus the a to c that was counted (0 unless a counter restarted in between); its gauges'
 * values as new samples. */
static void late_app(struct srv_metrics *m, const struct ff_metric_table *t, const struct srv_hb_point *a,
		     const struct srv_hb_point *b, const struct srv_hb_point *c)
{
	static _Thread_local struct srv_metrics split, whole;
	size_t extra;

	memset(&split, 0, sizeof(split));
	memset(&whole, 0, sizeof(whole));
	if (srv_metrics_add_app(&split, t, a, b, &extra) != 0)
		return;
	srv_metrics_widen(m, t->nkeys);
	if (c != NULL) {
		srv_metrics_add_app(&whole, t, a, c, &extra);
		srv_metrics_add_app(&split, t, b, c, &extra);
	}
	for (size_t k = 0; k < t->nkeys && k < split.napp; k++) {
		struct srv_metric_acc *acc = &m->app[k];
		bool gauge = t->keys[k].kind == FF_METRIC_GAUGE || t->keys[k].kind == FF_METRIC_GAUGE_SIGNED;

		if (!gauge) {
			acc->growth += split.app[k].growth - whole.app[k].growth;
			continue;
		}
		/* b's own sample is split's first one: split counted b (a to b), and c again (b to c), which whole
		 * counted already */
		if (split.app[k].samples == 0)
			continue;
		if (acc->samples == 0 || split.app[k].min < acc->min)
			acc->min = split.app[k].min;
		if (acc->samples == 0 || split.app[k].max > acc->max)
			acc->max = split.app[k].max;
		acc->sum += split.app[k].sum - whole.app[k].sum;
		acc->samples += split.app[k].samples - whole.app[k].samples;
	}
}

/* Keep a new heartbeat, placed, in its state. out_fresh: false when the boot has one at that uptime already. */
static int hb_insert(struct sqlite_store *s, int64_t device, uint32_t boot_id, const struct srv_hb_point *cur,
		     int64_t received, int state, const int64_t *at, int64_t firmware, bool *out_fresh)
{
	uint8_t builtin[4 * FF_HB_BUILTINS], *values = values_blob(cur->values, cur->nvalues);
	sqlite3_stmt *st;
	int rc;

	put_u32s(builtin, cur->builtin, FF_HB_BUILTINS);
	if (sq_prepare(s, &st, "INSERT INTO heartbeats (device_id, boot_id, uptime, received, at, builtin, vals, state, "
			       "firmware_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
		       "heartbeat_put") != 0) {
		free(values);
		return -1;
	}
	sqlite3_bind_int64(st, 1, device);
	sqlite3_bind_int64(st, 2, boot_id);
	sqlite3_bind_int64(st, 3, cur->uptime_s);
	sqlite3_bind_int64(st, 4, received);
	if (at != NULL)
		sqlite3_bind_int64(st, 5, *at);
	sqlite3_bind_blob(st, 6, builtin, sizeof(builtin), SQLITE_STATIC);
	sqlite3_bind_blob(st, 7, values, (int)(cur->nvalues * 8), SQLITE_STATIC);
	sqlite3_bind_int(st, 8, state);
	if (firmware != 0)
		sqlite3_bind_int64(st, 9, firmware);
	rc = sq_step_done(s, st, "heartbeat_put");
	free(values);
	*out_fresh = rc == 0 && sqlite3_changes(s->db) > 0;
	return rc;
}

/* Count heartbeat cur of boot b (its firmware known): in order (after the latest) it adds its step's exposure to
 * the hours it covers and its counts to the device's aggregates; late (before the latest) it adds only what its
 * values tell between its neighbours (exposure was counted by the step across it). received: when it came.
 * insert: cur is new (heartbeat_put): it is kept here, placed, before anything is counted, and SRV_NONE says it
 * was a duplicate (nothing counted, b unchanged). Otherwise it was kept waiting for its boot (boot_put). */
/* A device's day on a firmware (device_days): with exposure, or a crash; day_health counts the device once that day
 * and, once it crashed, once among the crashed. */
static int day_mark(struct sqlite_store *s, int64_t firmware, int64_t device, int64_t day, bool crashed)
{
	sqlite3_stmt *st;
	int devices = 0, crashes = 0;

	if (sq_prepare(s, &st, "INSERT OR IGNORE INTO device_days (firmware_id, day, device_id, crashed) VALUES (?, ?, ?, "
			       "?)", "day_mark") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, firmware);
	sqlite3_bind_int64(st, 2, day);
	sqlite3_bind_int64(st, 3, device);
	sqlite3_bind_int(st, 4, crashed);
	if (sq_step_done(s, st, "day_mark") != 0)
		return -1;
	devices = sqlite3_changes(s->db);
	crashes = devices && crashed;
	if (!devices && crashed) {
		if (sq_prepare(s, &st, "UPDATE device_days SET crashed = 1 WHERE firmware_id = ? AND day = ? AND device_id = "
				       "? AND crashed = 0", "day_crashed") != 0)
			return -1;
		sqlite3_bind_int64(st, 1, firmware);
		sqlite3_bind_int64(st, 2, day);
		sqlite3_bind_int64(st, 3, device);
		if (sq_step_done(s, st, "day_crashed") != 0)
			return -1;
		crashes = sqlite3_changes(s->db);
	}
	if (devices == 0 && crashes == 0)
		return 0;
	if (sq_prepare(s, &st, "INSERT INTO day_health (firmware_id, day, devices, crashed_devices) VALUES (?, ?, ?, ?) "
			       "ON CONFLICT DO UPDATE SET devices = devices + excluded.devices, crashed_devices = "
			       "crashed_devices + excluded.crashed_devices", "day_add") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, firmware);
	sqlite3_bind_int64(st, 2, day);
	sqlite3_bind_int(st, 3, devices);
	sqlite3_bind_int(st, 4, crashes);
	return sq_step_done(s, st, "day_add");
}

static int64_t day_at(int64_t t)
{
	return t >= 0 ? t / 86400 : (t - 86400 + 1) / 86400;
}

static int count(struct sqlite_store *s, int64_t device, uint32_t boot_id, struct boot *b, struct srv_hb_point *cur,
		 int64_t received, bool insert)
{
	const struct ff_metric_table *table = NULL;
	static _Thread_local uint64_t before_values[FF_HB_VALUES_MAX], after_values[FF_HB_VALUES_MAX];
	static _Thread_local struct device_health dh;
	struct srv_hb_point a = {0}, c = {0};
	struct srv_hb_step step;
	struct hours h = {s, b->firmware, .n = 0};
	struct device_row dev;
	int64_t start = received - cur->uptime_s, anchor = b->anchor, last_before;
	int known = table_get(s, b->firmware, &table), ra = SRV_NONE, rc2 = SRV_NONE, sa = 0, sc = 0, state;
	bool late = b->has_latest && cur->uptime_s < b->latest.uptime_s, had, fresh;
	bool jump = b->has_latest && !late && cur->uptime_s - b->latest.uptime_s > SRV_HEALTH_GAP_MAX;
	size_t extra = 0;

	if (known < 0)
		return -1;
	if (jump) { /* kept, not counted: the boot goes on from the heartbeat before it */
		cur->at = b->latest.at;
		if (insert) {
			if (hb_insert(s, device, boot_id, cur, received, HB_JUMP, &cur->at, b->firmware, &fresh) != 0)
				return -1;
			if (!fresh)
				return SRV_NONE;
		} else if (hb_state(s, device, boot_id, cur->uptime_s, HB_JUMP, &cur->at, b->firmware) != 0) {
			return -1;
		}
		return sq_meta_add(s, "health_uptime_jumps", 1);
	}
	if (!b->has_anchor || start < anchor) /* the least delayed heartbeat places the boot */
		anchor = start;
	cur->at = anchor + cur->uptime_s;
	if (!late && b->has_latest && cur->at < b->latest.at)
		cur->at = b->latest.at;
	if (late) { /* between its neighbours */
		ra = neighbour(s, device, boot_id, cur->uptime_s, false, &a, before_values, &sa);
		rc2 = neighbour(s, device, boot_id, cur->uptime_s, true, &c, after_values, &sc);
		if (ra < 0 || rc2 < 0)
			return -1;
		if (ra == 0 && cur->at < a.at)
			cur->at = a.at;
		if (rc2 == 0 && cur->at > c.at)
			cur->at = c.at;
	}
	/* its application values wait when its build's table does, or (late) when a neighbour's still do: the
	 * backfill then steps through them all in uptime order */
	state = known == 0 && !(late && (sa == HB_APP_WAITING || sc == HB_APP_WAITING)) ? HB_COUNTED : HB_APP_WAITING;
	if (insert) {
		if (hb_insert(s, device, boot_id, cur, received, state, &cur->at, b->firmware, &fresh) != 0)
			return -1;
		if (!fresh)
			return SRV_NONE;
	}
	if (!b->has_anchor)
		b->start_at = start;
	b->dirty |= !b->has_anchor || b->anchor != anchor;
	b->anchor = anchor;
	b->has_anchor = true;
	if (dh_load(s, device, b->firmware, &dh) != 0 || device_load(s, device, &dev) != 0)
		return -1;
	if (!late) {
		const struct srv_hb_point *prev = b->has_latest ? &b->latest : NULL;

		srv_health_step(&step, prev, cur);
		if (dev.until > cur->at - (int64_t)step.seconds && dev.until_boot != (int64_t)boot_id) {
			/* another boot of the device counted these seconds (its own earlier heartbeats never cut it: an
			 * anchor that moved earlier may place an interval before the boot's previous one) */
			uint32_t cut = dev.until >= cur->at ? step.seconds : (uint32_t)(dev.until - (cur->at - step.seconds));

			step.seconds -= cut;
			if (sq_meta_add(s, "health_overlap_seconds", cut) != 0)
				return -1;
		}
		if (cur->at > dev.until) {
			dev.until = cur->at;
			dev.until_boot = boot_id;
			dev.dirty = true;
		}
		srv_health_spread(cur->at, step.seconds, spread_add, &h);
		/* the days its seconds fell on (those up to the boot's previous heartbeat's day are marked already) */
		for (int64_t day = day_at(cur->at - (int64_t)step.seconds); step.seconds > 0 && day <= day_at(cur->at);
		     day++)
			if ((prev == NULL || day > day_at(prev->at)) && day_mark(s, b->firmware, device, day, false) != 0)
				return -1;
		srv_metrics_add_builtins(&dh.metrics, &step, cur);
		if (state == HB_COUNTED && srv_metrics_add_app(&dh.metrics, table, prev, cur, &extra) != 0)
			extra = cur->nvalues;
		dh.seconds += step.seconds;
		if (step.resets > 0 && sq_meta_add(s, "health_counter_resets", step.resets) != 0)
			return -1;
		if (step.capped && sq_meta_add(s, "health_gaps_capped", 1) != 0)
			return -1;
		b->latest.uptime_s = cur->uptime_s;
		b->latest.at = cur->at;
		memcpy(b->latest.builtin, cur->builtin, sizeof(cur->builtin));
		b->latest.nvalues = cur->nvalues;
		if (cur->nvalues > 0)
			memcpy(b->latest_values, cur->values, cur->nvalues * sizeof(*cur->values));
		b->has_latest = true;
	} else {
		/* built-in counters: the samples of its storage state; their growth across it is unchanged by it */
		srv_health_step(&step, ra == 0 ? &a : NULL, cur);
		memset(step.delta, 0, sizeof(step.delta));
		step.seconds = 0;
		srv_metrics_add_builtins(&dh.metrics, &step, cur);
		if (state == HB_COUNTED)
			late_app(&dh.metrics, table, ra == 0 ? &a : NULL, cur, rc2 == 0 ? &c : NULL);
		if (sq_meta_add(s, "health_heartbeats_late", 1) != 0)
			return -1;
	}
	if (extra > 0 && sq_meta_add(s, "health_values_ignored", (int64_t)extra) != 0)
		return -1;
	had = dh.heartbeats > 0;
	last_before = dh.last_at;
	dh.heartbeats++;
	if (!had || cur->at > dh.last_at)
		dh.last_at = cur->at;
	histogram_move(&h, offsetof(struct hour_delta, last), had, last_before, dh.last_at);
	if (dh_save(s, device, b->firmware, &dh) != 0 ||
	    device_current(s, &h, &dev, device, cur->at, had, last_before, dh.last_at) != 0 ||
	    device_save(s, device, &dev) != 0)
		return -1;
	hours_flush(&h);
	if (h.rc != 0)
		return -1;
	return insert ? 0 : hb_state(s, device, boot_id, cur->uptime_s, state, &cur->at, b->firmware);
}

int sq_heartbeat_put(struct srv_store *base, const struct srv_heartbeat *hb, enum srv_hb_outcome *out)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	static _Thread_local struct boot b;
	struct srv_hb_point cur = {.uptime_s = hb->builtin[FF_HB_UPTIME_S], .values = hb->values,
				   .nvalues = hb->nvalues};
	bool fresh;
	int rc;

	if (hb->identity != NULL &&
	    sq_boot_put(base, hb->device, hb->boot_id, hb->identity, hb->received, 0, NULL) != 0)
		return -1;
	for (unsigned i = 0; i < FF_HB_BUILTINS; i++)
		cur.builtin[i] = hb->builtin[i];
	if (boot_load(s, hb->device, hb->boot_id, &b) != 0)
		return -1;
	if (b.firmware == 0) { /* kept; boot_put counts it */
		if (hb_insert(s, hb->device, hb->boot_id, &cur, hb->received, HB_WAITING, NULL, 0, &fresh) != 0)
			return -1;
		*out = fresh ? SRV_HB_WAITING : SRV_HB_DUPLICATE;
		if (!fresh)
			return sq_meta_add(s, "health_heartbeats_duplicate", 1);
		return b.found ? 0 : boot_save(s, hb->device, hb->boot_id, &b, hb->received);
	}
	rc = count(s, hb->device, hb->boot_id, &b, &cur, hb->received, true);
	if (rc == SRV_NONE) {
		*out = SRV_HB_DUPLICATE;
		return sq_meta_add(s, "health_heartbeats_duplicate", 1);
	}
	*out = SRV_HB_COUNTED;
	return rc != 0 ? -1 : boot_save(s, hb->device, hb->boot_id, &b, hb->received);
}

/* A boot id that came again: the boot that had it, and its heartbeats, move aside to a key of their own (the id
 * plus a generation above bit 32), and the id is free for the new boot. */
static int boot_retire(struct sqlite_store *s, int64_t device, uint32_t boot_id)
{
	static const char *const k_moves[] = {
		"UPDATE heartbeats SET boot_id = ?3 WHERE device_id = ?1 AND boot_id = ?2",
		"UPDATE boots SET boot_id = ?3 WHERE device_id = ?1 AND boot_id = ?2",
	};
	sqlite3_stmt *st;
	int64_t generation = 0;

	if (sq_prepare(s, &st, "SELECT COALESCE(MAX(boot_id >> 32), 0) + 1 FROM boots WHERE device_id = ? AND "
		       "(boot_id & 4294967295) = ?", "boot_generation") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, device);
	sqlite3_bind_int64(st, 2, boot_id);
	if (sq_step_row(s, st, &generation, "boot_generation") != 0)
		return -1;
	for (size_t i = 0; i < 2; i++) {
		if (sq_prepare(s, &st, k_moves[i], "boot_retire") != 0)
			return -1;
		sqlite3_bind_int64(st, 1, device);
		sqlite3_bind_int64(st, 2, boot_id);
		sqlite3_bind_int64(st, 3, (int64_t)boot_id | generation << 32);
		if (sq_step_done(s, st, "boot_retire") != 0)
			return -1;
	}
	return sq_meta_add(s, "health_boot_ids_reused", 1);
}

int sq_boot_put(struct srv_store *base, int64_t device, uint32_t boot_id, const struct srv_identity *id,
		int64_t received, int64_t reboot_message, int64_t *out_counted)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	struct boot *b = srv_malloc(sizeof(*b));
	uint64_t *values = srv_malloc(FF_HB_VALUES_MAX * sizeof(*values));
	sqlite3_stmt *st;
	int64_t counted = 0;
	int rc = -1;

	if (boot_load(s, device, boot_id, b) != 0)
		goto done;
	if (b->firmware != 0 && reboot_message != 0 && b->reboot_message != 0 && b->reboot_message != reboot_message) {
		if (boot_retire(s, device, boot_id) != 0) /* another boot's reboot event: the id came again */
			goto done;
		boot_clear(b);
	} else if (b->firmware != 0) { /* known: it stays */
		rc = 0;
		if (reboot_message != 0 && b->reboot_message == 0) {
			b->reboot_message = reboot_message;
			b->dirty = true;
			rc = boot_save(s, device, boot_id, b, received);
		}
		goto done;
	}
	b->reboot_message = reboot_message;
	if (firmware_id(s, id, &b->firmware) != 0)
		goto done;
	b->dirty = true;
	/* the heartbeats that waited, in uptime order: each a step from the one before */
	for (;;) {
		struct srv_hb_point cur = {.values = values};
		int64_t got;

		if (sq_prepare(s, &st, "SELECT uptime, received, builtin, vals FROM heartbeats WHERE device_id = ? AND "
				       "boot_id = ? AND state = 0 ORDER BY uptime LIMIT 1", "boot_waiting") != 0)
			goto done;
		sqlite3_bind_int64(st, 1, device);
		sqlite3_bind_int64(st, 2, boot_id);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			cur.uptime_s = (uint32_t)sqlite3_column_int64(st, 0);
			got = sqlite3_column_int64(st, 1);
			if (sqlite3_column_bytes(st, 2) == 4 * FF_HB_BUILTINS)
				get_u32s(cur.builtin, sqlite3_column_blob(st, 2), FF_HB_BUILTINS);
			cur.nvalues = get_values(values, sqlite3_column_blob(st, 3), sqlite3_column_bytes(st, 3));
		}
		sq_release(s, st);
		if (rc == SQLITE_DONE)
			break;
		if (rc != SQLITE_ROW) {
			rc = srv_store_fail(base, "boot_waiting: %s", sqlite3_errmsg(s->db));
			goto done;
		}
		if (count(s, device, boot_id, b, &cur, got, false) != 0) {
			rc = -1;
			goto done;
		}
		counted++;
	}
	rc = boot_save(s, device, boot_id, b, received);
done:
	if (out_counted != NULL)
		*out_counted = counted;
	free(values);
	free(b);
	return rc;
}

int sq_crash_put(struct srv_store *base, int64_t message, int64_t device, enum srv_crash_kind kind, uint32_t boot_id,
		 uint32_t report_boot, const struct srv_identity *fallback, bool has_uptime, uint32_t uptime_s,
		 int64_t received)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	static _Thread_local struct boot b;
	static _Thread_local struct device_health dh;
	int64_t firmware, at = received;
	struct hours h = {s, 0, .n = 0};
	struct hour_delta *d;
	sqlite3_stmt *st;

	if (boot_load(s, device, boot_id, &b) != 0)
		return -1;
	firmware = b.firmware;
	if (has_uptime) { /* when in its boot it crashed */
		if (b.has_anchor)
			at = b.anchor + uptime_s;
	} else { /* about when the boot that reported it started */
		if (report_boot != boot_id && boot_load(s, device, report_boot, &b) != 0)
			return -1;
		if (b.has_anchor)
			at = b.anchor;
	}
	if (at > received)
		at = received;
	if (at < received - SRV_HEALTH_GAP_MAX) /* a boot placed by a device's glitched uptime: not before that */
		at = received - SRV_HEALTH_GAP_MAX;
	if (firmware == 0 && firmware_id(s, fallback, &firmware) != 0)
		return -1;
	if (sq_prepare(s, &st, "INSERT INTO crashes (message_id, kind, firmware_id, at) VALUES (?, ?, ?, ?) "
			       "ON CONFLICT DO NOTHING", "crash_put") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, message);
	sqlite3_bind_int(st, 2, kind);
	sqlite3_bind_int64(st, 3, firmware);
	sqlite3_bind_int64(st, 4, at);
	if (sq_step_done(s, st, "crash_put") != 0)
		return -1;
	if (sqlite3_changes(s->db) == 0)
		return 0; /* counted before */
	h.firmware = firmware;
	d = hour_of(&h, hour_at(at));
	d->reboots = kind == SRV_CRASH_REBOOT;
	d->coredumps = kind == SRV_CRASH_COREDUMP;
	if (kind == SRV_CRASH_REBOOT) { /* its device-hour crashed, once; its device's latest crash moved */
		bool had, counted_hour = true;
		int64_t was;

		if (dh_load(s, device, firmware, &dh) != 0)
			return -1;
		had = dh.has_last_crash;
		was = dh.last_crash;
		for (size_t i = 0; i < dh.ncrash; i++)
			counted_hour &= dh.crash_hours[i] != d->hour;
		if (counted_hour) {
			if (dh.ncrash == CRASH_HOURS)
				memmove(dh.crash_hours, dh.crash_hours + 1, (CRASH_HOURS - 1) * sizeof(dh.crash_hours[0]));
			dh.crash_hours[dh.ncrash < CRASH_HOURS ? dh.ncrash++ : CRASH_HOURS - 1] = d->hour;
		}
		if (!had || at > dh.last_crash)
			dh.last_crash = at;
		dh.has_last_crash = true;
		d->crashed = counted_hour;
		histogram_move(&h, offsetof(struct hour_delta, crashed_devices), had, was, dh.last_crash);
		if (dh_save(s, device, firmware, &dh) != 0 || day_mark(s, firmware, device, day_at(at), true) != 0)
			return -1;
	}
	hours_flush(&h);
	return h.rc;
}

int sq_metric_table_put(struct srv_store *base, const char *build_hex, const struct ff_metric_table *t,
			const char *problem)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	uint8_t *blob = NULL;
	size_t len = 5;
	sqlite3_stmt *st;
	int rc;

	if (t != NULL) { /* kept in its section's own form (docs/FORMAT.md §8.5), read back with its reader */
		blob = srv_malloc(5 + t->nkeys * (FF_METRIC_NAME_MAX + 2));
		memcpy(blob, "FLMT\1", 5);
		for (size_t k = 0; k < t->nkeys; k++) {
			size_t n = strlen(t->keys[k].name) + 1;

			blob[len++] = (uint8_t)t->keys[k].kind;
			memcpy(blob + len, t->keys[k].name, n);
			len += n;
		}
	}
	if (sq_prepare(s, &st, "INSERT OR REPLACE INTO metric_tables (build_id, keys, problem) VALUES (?, ?, ?)",
		       "metric_table_put") != 0) {
		free(blob);
		return -1;
	}
	sqlite3_bind_text(st, 1, build_hex, -1, SQLITE_STATIC);
	if (blob != NULL)
		sqlite3_bind_blob(st, 2, blob, (int)len, SQLITE_STATIC);
	if (problem != NULL)
		sqlite3_bind_text(st, 3, problem, -1, SQLITE_STATIC);
	rc = sq_step_done(s, st, "metric_table_put");
	free(blob);
	s->tables_stored = atomic_fetch_add(&s_generation, 1) + 1;
	return rc;
}

int sq_metrics_backfill(struct srv_store *base, int limit, int64_t *out_done, bool *out_more)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	const struct ff_metric_table *table = NULL;
	static _Thread_local struct device_health dh;
	static _Thread_local uint64_t before[FF_HB_VALUES_MAX];
	struct waiting {
		int64_t device;
		uint32_t boot_id;
		struct srv_hb_point point;
		uint64_t values[FF_HB_VALUES_MAX];
	} *w = NULL;
	int64_t firmware = 0, n = 0, done = 0;
	sqlite3_stmt *st;
	int rc;

	*out_done = 0;
	*out_more = false;
	/* a firmware whose table is known and that has heartbeats waiting for it (the partial index finds them: no
	 * scan of the waiting heartbeats of builds whose ELF never came) */
	if (sq_prepare(s, &st, "SELECT f.id FROM firmwares f JOIN metric_tables t ON t.build_id = f.build_id WHERE "
		       "t.keys IS NOT NULL AND EXISTS (SELECT 1 FROM heartbeats h WHERE h.state = 2 AND "
		       "h.firmware_id = f.id) LIMIT 1", "backfill_firmware") != 0 ||
	    (rc = sq_step_row(s, st, &firmware, "backfill_firmware")) < 0)
		return -1;
	if (rc == SRV_NONE || table_get(s, firmware, &table) != 0)
		return rc == SRV_NONE ? 0 : -1;
	/* its heartbeats in (device, boot, uptime) order, read first (their rows change below) */
	w = srv_malloc((size_t)limit * sizeof(*w));
	if (sq_prepare(s, &st, "SELECT device_id, boot_id, uptime, builtin, vals FROM heartbeats WHERE state = 2 AND "
		       "firmware_id = ? ORDER BY device_id, boot_id, uptime LIMIT ?", "backfill_heartbeats") != 0) {
		free(w);
		return -1;
	}
	sqlite3_bind_int64(st, 1, firmware);
	sqlite3_bind_int(st, 2, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < limit) {
		struct waiting *x = &w[n++];

		x->device = sqlite3_column_int64(st, 0);
		x->boot_id = (uint32_t)sqlite3_column_int64(st, 1);
		memset(&x->point, 0, sizeof(x->point));
		x->point.uptime_s = (uint32_t)sqlite3_column_int64(st, 2);
		if (sqlite3_column_bytes(st, 3) == 4 * FF_HB_BUILTINS)
			get_u32s(x->point.builtin, sqlite3_column_blob(st, 3), FF_HB_BUILTINS);
		x->point.values = x->values;
		x->point.nvalues = get_values(x->values, sqlite3_column_blob(st, 4), sqlite3_column_bytes(st, 4));
	}
	sq_release(s, st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		free(w);
		return srv_store_fail(base, "backfill_heartbeats: %s", sqlite3_errmsg(s->db));
	}
	/* each a step from the heartbeat before it in its boot, counted or not (growth adds up either way) */
	for (rc = 0; done < n && rc == 0; done++) {
		struct srv_hb_point prev = {0};
		size_t extra;
		int found = neighbour(s, w[done].device, w[done].boot_id, w[done].point.uptime_s, false, &prev, before,
				      NULL);

		if (found < 0 || dh_load(s, w[done].device, firmware, &dh) != 0) {
			rc = -1;
			break;
		}
		if (srv_metrics_add_app(&dh.metrics, table, found == 0 ? &prev : NULL, &w[done].point, &extra) != 0)
			extra = w[done].point.nvalues;
		rc = dh_save(s, w[done].device, firmware, &dh);
		if (rc == 0 && extra > 0)
			rc = sq_meta_add(s, "health_values_ignored", (int64_t)extra);
		if (rc == 0)
			rc = hb_state(s, w[done].device, w[done].boot_id, w[done].point.uptime_s, HB_COUNTED, NULL,
				      firmware);
	}
	free(w);
	*out_done = done;
	*out_more = rc == 0 && n > 0; /* (this firmware done: the next call looks for another) */
	return rc < 0 ? -1 : 0;
}

int sq_versions(struct srv_store *base, int64_t now, int64_t from, bool by_hw,
		void (*each)(const struct srv_version_health *v, void *ctx), void *ctx)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	/* All from the hourly buckets: exposure and crashes of the window's hours, devices from the histograms of
	 * their latest heartbeat and crash (an hour's count says how many devices' latest one fell in it): no scan of
	 * devices or heartbeats */
	if (sq_prepare(s, &st,
		       "SELECT f.sw_version AS sw, CASE WHEN ?3 THEN f.hw_version ELSE '' END AS hw, "
		       "SUM(CASE WHEN h.hour >= ?1 / 3600 THEN h.seconds ELSE 0 END), "
		       "SUM(CASE WHEN h.hour >= ?1 / 3600 THEN h.reboots ELSE 0 END), "
		       "SUM(CASE WHEN h.hour >= ?1 / 3600 THEN h.coredumps ELSE 0 END), "
		       "SUM(CASE WHEN h.hour >= ?1 / 3600 THEN h.crashed_hours ELSE 0 END), "
		       "SUM(CASE WHEN h.hour >= ?1 / 3600 THEN h.last_devices ELSE 0 END), "
		       "SUM(CASE WHEN h.hour >= ?1 / 3600 THEN h.crashed_devices ELSE 0 END), "
		       "SUM(CASE WHEN h.hour >= (?2 - 86400) / 3600 THEN h.last_devices ELSE 0 END), "
		       "SUM(CASE WHEN h.hour >= (?2 - 604800) / 3600 THEN h.last_devices ELSE 0 END), "
		       "SUM(CASE WHEN h.hour >= (?2 - 604800) / 3600 THEN h.current_devices ELSE 0 END), "
		       "(SELECT MIN(e.hour) * 3600 FROM health_hours e JOIN firmwares g ON g.id = e.firmware_id WHERE "
		       "g.sw_version = f.sw_version AND (NOT ?3 OR g.hw_version = f.hw_version) AND e.seconds > 0) "
		       "FROM health_hours h JOIN firmwares f ON f.id = h.firmware_id "
		       "WHERE h.hour >= min(?1, ?2 - 604800) / 3600 AND h.hour <= ?2 / 3600 GROUP BY 1, 2 "
		       "HAVING SUM(CASE WHEN h.hour >= ?1 / 3600 THEN h.seconds + h.reboots + h.coredumps + h.last_devices "
		       "ELSE 0 END) > 0 ORDER BY sw COLLATE FLVERSION, hw", "versions") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int(st, 3, by_hw);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct srv_version_health v = {
			(const char *)sqlite3_column_text(st, 0), by_hw ? (const char *)sqlite3_column_text(st, 1) : NULL,
			sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4),
			sqlite3_column_int64(st, 5), sqlite3_column_int64(st, 6), sqlite3_column_int64(st, 7),
			sqlite3_column_int64(st, 8), sqlite3_column_int64(st, 9), sqlite3_column_int64(st, 10),
			sqlite3_column_int64(st, 11)};

		each(&v, ctx);
	}
	sq_release(s, st);
	return rc == SQLITE_DONE ? 0 : srv_store_fail(base, "versions: %s", sqlite3_errmsg(s->db));
}

int sq_version_days(struct srv_store *base, const char *sw_version, const char *hw_version, int64_t from_day,
		    int64_t to_day, void (*each)(const struct srv_health_day *d, void *ctx), void *ctx)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(s, &st, "SELECT d.day, SUM(d.devices), SUM(d.crashed_devices) FROM day_health d JOIN firmwares f "
			       "ON f.id = d.firmware_id WHERE f.sw_version = ?1 AND (?2 IS NULL OR f.hw_version = ?2) AND "
			       "d.day >= ?3 AND d.day <= ?4 GROUP BY d.day ORDER BY d.day", "version_days") != 0)
		return -1;
	sqlite3_bind_text(st, 1, sw_version, -1, SQLITE_STATIC);
	if (hw_version != NULL)
		sqlite3_bind_text(st, 2, hw_version, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, from_day);
	sqlite3_bind_int64(st, 4, to_day);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct srv_health_day d = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
					   sqlite3_column_int64(st, 2)};

		each(&d, ctx);
	}
	sq_release(s, st);
	return rc == SQLITE_DONE ? 0 : srv_store_fail(base, "version_days: %s", sqlite3_errmsg(s->db));
}

int sq_version_hours(struct srv_store *base, const char *sw_version, const char *hw_version, int64_t from, int64_t to,
		     void (*each)(const struct srv_health_hour *h, void *ctx), void *ctx)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int64_t known = 0;
	int rc;

	if (sq_prepare(s, &st, "SELECT COUNT(*) FROM firmwares WHERE sw_version = ?1 AND (?2 IS NULL OR hw_version = ?2)",
		       "version_known") != 0)
		return -1;
	sqlite3_bind_text(st, 1, sw_version, -1, SQLITE_STATIC);
	if (hw_version != NULL)
		sqlite3_bind_text(st, 2, hw_version, -1, SQLITE_STATIC);
	if (sq_step_row(s, st, &known, "version_known") < 0)
		return -1;
	if (known == 0)
		return SRV_NONE;
	if (sq_prepare(s, &st, "SELECT h.hour, SUM(h.seconds), SUM(h.reboots), SUM(h.coredumps), SUM(h.crashed_hours) "
			       "FROM health_hours h JOIN firmwares f ON f.id = h.firmware_id WHERE f.sw_version = ?1 AND "
			       "(?2 IS NULL OR f.hw_version = ?2) AND h.hour >= ?3 / 3600 AND h.hour < (?4 + 3599) / 3600 "
			       "GROUP BY h.hour ORDER BY h.hour", "version_hours") != 0)
		return -1;
	sqlite3_bind_text(st, 1, sw_version, -1, SQLITE_STATIC);
	if (hw_version != NULL)
		sqlite3_bind_text(st, 2, hw_version, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, from);
	sqlite3_bind_int64(st, 4, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct srv_health_hour h = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
					    sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
					    sqlite3_column_int64(st, 4)};

		each(&h, ctx);
	}
	sq_release(s, st);
	return rc == SQLITE_DONE ? 0 : srv_store_fail(base, "version_hours: %s", sqlite3_errmsg(s->db));
}

/* Where key is in a build's aggregates: a built-in's position, or an application key's index in its table. */
static bool key_find(const char *key, const struct ff_metric_table *t, bool *builtin, size_t *index,
		     enum ff_metric_kind *kind)
{
	for (unsigned i = 0; ff_hb_builtin_name(i) != NULL; i++)
		if (strcmp(key, ff_hb_builtin_name(i)) == 0) {
			*builtin = true;
			*index = i;
			*kind = i == FF_HB_STORAGE ? FF_METRIC_GAUGE : FF_METRIC_COUNTER;
			return true;
		}
	for (size_t k = 0; t != NULL && k < t->nkeys; k++)
		if (strcmp(key, t->keys[k].name) == 0) {
			*builtin = false;
			*index = k;
			*kind = t->keys[k].kind;
			return true;
		}
	return false;
}

/* One device's value of a key from its aggregates (over seconds of exposure). */
static void metric_value(struct srv_metric_device *out, const struct srv_metric_acc *a, enum ff_metric_kind kind,
			 double seconds)
{
	out->kind = kind;
	out->seconds = seconds;
	if (kind == FF_METRIC_COUNTER || kind == FF_METRIC_TIMER) {
		out->value = seconds > 0 ? (double)a->growth * SRV_HOUR / seconds : 0;
	} else {
		out->value = a->samples > 0 ? a->sum / a->samples : 0;
		out->min = a->min;
		out->max = a->max;
	}
}

int sq_metric_devices(struct srv_store *base, const char *key, const char *sw_version, int limit,
		      void (*each)(const struct srv_metric_device *d, void *ctx), void *ctx, bool *out_truncated)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	const struct ff_metric_table *table = NULL;
	static _Thread_local struct srv_metrics m;
	int64_t table_of = 0;
	bool any = false;
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, n = 0;

	if (sq_prepare(s, &st, "SELECT d.firmware_id, v.serial, f.sw_version, d.seconds, d.metrics FROM device_health d "
			       "JOIN firmwares f ON f.id = d.firmware_id JOIN devices v ON v.id = d.device_id "
			       "WHERE (?1 IS NULL OR f.sw_version = ?1) AND d.heartbeats > 0 "
			       "ORDER BY f.sw_version, d.firmware_id", "metric_devices") != 0)
		return -1;
	if (sw_version != NULL)
		sqlite3_bind_text(st, 1, sw_version, -1, SQLITE_STATIC);
	while (n < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t firmware = sqlite3_column_int64(st, 0);
		struct srv_metric_device d = {.serial = (const char *)sqlite3_column_text(st, 1),
					      .sw_version = (const char *)sqlite3_column_text(st, 2)};
		enum ff_metric_kind kind;
		bool builtin;
		size_t index;

		if (firmware != table_of) { /* rows come by firmware: its table once */
			table_of = firmware;
			rc = table_get(s, firmware, &table);
			if (rc < 0)
				break;
			if (rc == SRV_NONE)
				table = NULL;
			rc = SQLITE_ROW;
		}
		if (!key_find(key, table, &builtin, &index, &kind) ||
		    srv_metrics_unpack(&m, sqlite3_column_blob(st, 4), (size_t)sqlite3_column_bytes(st, 4)) != 0 ||
		    (!builtin && index >= m.napp))
			continue;
		any = true;
		metric_value(&d, builtin ? &m.builtin[index] : &m.app[index], kind, (double)sqlite3_column_int64(st, 3));
		if (!builtin && (kind == FF_METRIC_GAUGE || kind == FF_METRIC_GAUGE_SIGNED) && m.app[index].samples == 0)
			continue; /* a gauge this device never set */
		each(&d, ctx);
		n++;
	}
	sq_release(s, st);
	*out_truncated = n == limit && rc == SQLITE_ROW;
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return rc < 0 ? -1 : srv_store_fail(base, "metric_devices: %s", sqlite3_errmsg(s->db));
	return any ? 0 : SRV_NONE;
}

int sq_device_heartbeats(struct srv_store *base, const char *serial, int limit,
			 void (*each)(const struct srv_heartbeat_row *h, void *ctx), void *ctx)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	const struct ff_metric_table *table = NULL;
	static _Thread_local uint64_t values[FF_HB_VALUES_MAX];
	uint64_t wide[FF_HB_BUILTINS];
	uint32_t builtin[FF_HB_BUILTINS];
	sqlite3_stmt *st;
	int64_t device = 0;
	int rc;

	if (sq_prepare(s, &st, "SELECT id FROM devices WHERE serial = ?", "device_id") != 0)
		return -1;
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	if ((rc = sq_step_row(s, st, &device, "device_id")) != 0)
		return rc;
	if (sq_prepare(s, &st, "SELECT h.boot_id, h.uptime, h.received, h.at, h.state, h.builtin, h.vals, f.sw_version, "
			       "b.firmware_id FROM heartbeats h LEFT JOIN boots b ON b.device_id = h.device_id AND "
			       "b.boot_id = h.boot_id LEFT JOIN firmwares f ON f.id = b.firmware_id WHERE h.device_id = ? "
			       "ORDER BY h.received DESC, h.uptime DESC LIMIT ?", "device_heartbeats") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, device);
	sqlite3_bind_int(st, 2, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		bool waiting = sqlite3_column_int(st, 4) == HB_WAITING;
		struct srv_heartbeat_row h = {.boot_id = (uint32_t)sqlite3_column_int64(st, 0),
					      .uptime_s = (uint32_t)sqlite3_column_int64(st, 1),
					      .received = sqlite3_column_int64(st, 2),
					      .at = waiting ? 0 : sqlite3_column_int64(st, 3),
					      .sw_version = waiting ? NULL : (const char *)sqlite3_column_text(st, 7),
					      .builtin = builtin, .values = values};

		memset(wide, 0, sizeof(wide));
		if (sqlite3_column_bytes(st, 5) == 4 * FF_HB_BUILTINS)
			get_u32s(wide, sqlite3_column_blob(st, 5), FF_HB_BUILTINS);
		for (unsigned i = 0; i < FF_HB_BUILTINS; i++)
			builtin[i] = (uint32_t)wide[i];
		h.nvalues = get_values(values, sqlite3_column_blob(st, 6), sqlite3_column_bytes(st, 6));
		if (!waiting) {
			int found = table_get(s, sqlite3_column_int64(st, 8), &table);

			if (found < 0)
				break;
			h.table = found == 0 ? table : NULL;
		}
		each(&h, ctx);
	}
	sq_release(s, st);
	return rc == SQLITE_DONE ? 0 : srv_store_fail(base, "device_heartbeats: %s", sqlite3_errmsg(s->db));
}

int sq_version_issues(struct srv_store *base, const char *sw_version, int limit,
		      void (*each)(const struct srv_version_issue *i, void *ctx), void *ctx)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	/* in the order of issue_versions_top: the first `limit` entries, whatever the version's issues */
	if (sq_prepare(s, &st, "SELECT v.issue_id, i.title, v.devices, v.messages FROM issue_versions v JOIN issues i ON "
		       "i.id = v.issue_id WHERE v.sw_version = ?1 AND v.devices > 0 ORDER BY v.devices DESC, v.messages "
		       "DESC, v.issue_id LIMIT ?2", "version_issues") != 0)
		return -1;
	sqlite3_bind_text(st, 1, sw_version, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct srv_version_issue i = {sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
					      sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3)};

		each(&i, ctx);
	}
	sq_release(s, st);
	return rc == SQLITE_DONE ? 0 : srv_store_fail(base, "version_issues: %s", sqlite3_errmsg(s->db));
}

/* The collation of version strings (docs/HEALTH.md, Version order), for ORDER BY ... COLLATE FLVERSION. */
static int version_collate(void *unused, int alen, const void *a, int blen, const void *b)
{
	char x[128], y[128];

	(void)unused;
	snprintf(x, sizeof(x), "%.*s", alen, (const char *)a);
	snprintf(y, sizeof(y), "%.*s", blen, (const char *)b);
	return ff_version_sort(x, y);
}

int sq_health_open(struct sqlite_store *s)
{
	s->tables_stored = atomic_fetch_add(&s_generation, 1) + 1;
	if (sqlite3_create_collation(s->db, "FLVERSION", SQLITE_UTF8, NULL, version_collate) != SQLITE_OK)
		return srv_store_fail(&s->base, "collation: %s", sqlite3_errmsg(s->db));
	return 0;
}

int sq_health_retention(struct sqlite_store *s, int64_t before, int limit, int64_t *out_heartbeats)
{
	sqlite3_stmt *st, *del;
	int64_t n = 0;
	int rc;

	*out_heartbeats = 0;
	if (sq_prepare(s, &st, "SELECT device_id, boot_id FROM boots WHERE updated < ? ORDER BY updated LIMIT ?",
		       "retention_boots") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int(st, 2, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t device = sqlite3_column_int64(st, 0), boot_id = sqlite3_column_int64(st, 1);

		if (sq_prepare(s, &del, "DELETE FROM heartbeats WHERE device_id = ? AND boot_id = ?",
			       "retention_heartbeats") != 0)
			break;
		sqlite3_bind_int64(del, 1, device);
		sqlite3_bind_int64(del, 2, boot_id);
		if (sq_step_done(s, del, "retention_heartbeats") != 0)
			break;
		n += sqlite3_changes(s->db);
		if (sq_prepare(s, &del, "DELETE FROM boots WHERE device_id = ? AND boot_id = ?", "retention_boot") != 0)
			break;
		sqlite3_bind_int64(del, 1, device);
		sqlite3_bind_int64(del, 2, boot_id);
		if (sq_step_done(s, del, "retention_boot") != 0)
			break;
	}
	sq_release(s, st);
	if (rc != SQLITE_DONE)
		return rc == SQLITE_ROW ? -1 : srv_store_fail(&s->base, "retention_boots: %s", sqlite3_errmsg(s->db));
	*out_heartbeats = n;
	/* the devices' days before the cutoff (their counts in day_health stay) */
	if (sq_prepare(s, &del, "DELETE FROM device_days WHERE (firmware_id, day, device_id) IN (SELECT firmware_id, day, "
				"device_id FROM device_days WHERE day < ? ORDER BY day LIMIT ?)", "retention_days") != 0)
		return -1;
	sqlite3_bind_int64(del, 1, day_at(before));
	sqlite3_bind_int(del, 2, limit);
	if (sq_step_done(s, del, "retention_days") != 0)
		return -1;
	return sq_meta_add(s, "retention_heartbeats", n);
}
