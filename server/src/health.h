/* SPDX-License-Identifier: Apache-2.0 */
/* Fleet health's rules (docs/HEALTH.md), apart from any storage: what one heartbeat adds to its device's exposure
 * and counts, given the heartbeat before it in its boot; how an interval spreads over hourly buckets; and a
 * device's per-key aggregates, kept as one blob. The store's backends call these, so every backend counts alike. */
#ifndef SRV_HEALTH_H
#define SRV_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ff/message.h"
#include "ff/metrics.h"

#define SRV_HOUR 3600
/* One interval counts at most this much exposure (a device silent longer than that was probably not running all
 * along, and a hostile uptime must not claim years): the rest is not counted. */
#define SRV_HEALTH_GAP_MAX (30 * 24 * 3600)
/* A counter step of at least 2^31 is not a wrap but a counter that restarted (docs/HEALTH.md). */
#define SRV_HEALTH_RESET_STEP 0x80000000u

/* A heartbeat as the rules see it: its uptime, where it was placed on the server's clock, its built-in values and
 * the application's values as sent. */
struct srv_hb_point {
	uint32_t uptime_s;
	int64_t at; /* server seconds: its boot's anchor + uptime_s */
	uint64_t builtin[FF_HB_BUILTINS];
	const uint64_t *values; /* application values, nvalues of them */
	size_t nvalues;
};

/* What a heartbeat adds, against the heartbeat before it in its boot (or the boot's start). */
struct srv_hb_step {
	uint32_t seconds;                   /* exposure: its uptime's growth (capped at SRV_HEALTH_GAP_MAX) */
	uint64_t delta[FF_HB_BUILTINS];     /* built-in counters' growth (uptime and storage: 0) */
	unsigned resets;                    /* counters (built-in) that went backwards: restarted, counted as such */
	bool capped;                        /* the interval was longer than SRV_HEALTH_GAP_MAX */
};

/* The growth of one counter from prev to cur, as unsigned 32-bit counts that wrap: a step below 2^31 is growth
 * (across a wrap too), a larger one is the counter restarting from 0 (cur is then the growth; *reset set). */
uint64_t srv_health_counter_step(uint64_t prev, uint64_t cur, bool *reset);

/*
 * The step from prev (NULL: the boot's start: uptime 0, every counter 0) to cur, which must be later (a larger
 * uptime; the caller orders a boot's heartbeats).  out: (out) the step.
 */
void srv_health_step(struct srv_hb_step *out, const struct srv_hb_point *prev, const struct srv_hb_point *cur);

/*
 * Spread an interval of `seconds` that ended at server second `end` over the hours it covers: add(hour, seconds,
 * ctx) once per hour touched, oldest first, hour = the hour's first second / 3600. The interval is cut at
 * SRV_HEALTH_GAP_MAX. Returns the number of hours touched.
 */
unsigned srv_health_spread(int64_t end, uint32_t seconds, void (*add)(int64_t hour, uint32_t seconds, void *ctx),
			   void *ctx);

/* Per key, what a device's heartbeats on one firmware add up to: for a counter or timer the growth (sum of
 * steps), for a gauge (and the storage state) the sum and count of its samples, and the least and largest value. */
struct srv_metric_acc {
	uint64_t growth;
	double sum;
	uint32_t samples;
	int64_t min, max;
};

/* A device's aggregates on one firmware: the built-ins' (FF_HB_BUILTINS, by position) and the application keys'
 * (by the build's table; none until it is known). Kept by the store as a blob (srv_metrics_pack). */
struct srv_metrics {
	struct srv_metric_acc builtin[FF_HB_BUILTINS];
	struct srv_metric_acc app[FF_METRIC_KEYS_MAX];
	size_t napp;
};

/* Make room for napp application keys in m (the new ones zero): entries past m->napp are never read. */
void srv_metrics_widen(struct srv_metrics *m, size_t napp);

/* The blob of m (little-endian, versioned): out (caller's, at least SRV_METRICS_BLOB_MAX bytes). Returns its
 * length. */
#define SRV_METRICS_BLOB_MAX (4 + (FF_HB_BUILTINS + FF_METRIC_KEYS_MAX) * 36)
size_t srv_metrics_pack(uint8_t *out, const struct srv_metrics *m);

/* Read a blob of srv_metrics_pack back (bytes from the store: checked). Returns 0, or -1 when it is not one (out
 * then empty). A NULL or empty blob is an empty m. Only out's built-ins and its first napp application entries are
 * written (and meaningful). */
int srv_metrics_unpack(struct srv_metrics *out, const uint8_t *blob, size_t len);

/* Add a step's built-in counts and cur's built-in samples (storage state) to m. */
void srv_metrics_add_builtins(struct srv_metrics *m, const struct srv_hb_step *step, const struct srv_hb_point *cur);

/*
 * Add the application values of cur (against prev, NULL at the boot's start) to m by the build's table t:
 * counters and timers their growth (none when prev's values do not read by t: that step's growth is lost, never
 * counted twice), gauges their last value as a sample and their min and max. Returns 0; 1 when cur's values do
 * not read by t (fewer than it needs, or out of range: nothing added); the values past t's are ignored and
 * counted in *extra.
 */
int srv_metrics_add_app(struct srv_metrics *m, const struct ff_metric_table *t, const struct srv_hb_point *prev,
			const struct srv_hb_point *cur, size_t *extra);

#endif
