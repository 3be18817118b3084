/* SPDX-License-Identifier: Apache-2.0 */
/* Metric keys: a build's metric key table (docs/FORMAT.md §8.5, the `.faultline.metrics` section of its ELF), read
 * from untrusted bytes, and a heartbeat's application values interpreted by it (§8.4). */
#ifndef FF_METRICS_H
#define FF_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ff/error.h"
#include "ff/message.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FF_METRICS_SECTION ".faultline.metrics"
#define FF_METRIC_KEYS_MAX 256u
#define FF_METRIC_NAME_MAX 48u
#define FF_METRICS_TABLE_MAX 16384u /* bytes of a table section a reader takes */

enum ff_metric_kind {
	FF_METRIC_COUNTER = 1,
	FF_METRIC_GAUGE = 2,
	FF_METRIC_GAUGE_SIGNED = 3,
	FF_METRIC_TIMER = 4,
};

struct ff_metric_key {
	char name[FF_METRIC_NAME_MAX + 1];
	enum ff_metric_kind kind;
};

/* A build's key table: its keys in heartbeat order, and how many application values a heartbeat of it carries
 * (a gauge takes three). */
struct ff_metric_table {
	struct ff_metric_key keys[FF_METRIC_KEYS_MAX];
	size_t nkeys;
	size_t nvalues;
};

/*
 * Read a metric key table section.
 * out: (out) the table.  bytes, len: (in) the section's contents, read during the call only.
 * err: (out, optional) names the entry and the problem.
 * Returns 0; FF_ERR_MALFORMED (bad magic, an unknown kind, a bad or repeated name, more than FF_METRIC_KEYS_MAX
 * keys); FF_ERR_UNSUPPORTED (a table version this reader does not know); FF_ERR_TOO_LARGE (above
 * FF_METRICS_TABLE_MAX).
 */
int ff_metric_table_parse(struct ff_metric_table *out, const uint8_t *bytes, size_t len, struct ff_error *err);

/* One application key's value in one heartbeat. */
struct ff_metric_value {
	/* counter, timer: value (cumulative since boot, mod 2^32). gauge: last, min, max, as signed numbers for a
	 * signed gauge (zigzag undone) and as unsigned ones otherwise (cast: read them as uint64_t). */
	int64_t value, min, max;
	bool has_value; /* false for a gauge never set since boot (min > max on the wire) */
};

/*
 * Interpret a heartbeat's application values by its build's table.
 * out: (out) t->nkeys values, in table order.  t: (in) the table.  hb: (in) the heartbeat.
 * out_extra: (out, optional) values past what the table needs (ignored).
 * Returns 0; FF_ERR_MALFORMED when the heartbeat has fewer values than the table needs, or a value out of its
 * kind's range (a counter, timer or gauge above 2^32-1): out is then not usable.
 */
int ff_metric_values(struct ff_metric_value *out, const struct ff_metric_table *t, const struct ff_heartbeat *hb,
		     size_t *out_extra, struct ff_error *err);

/* The name of built-in value i (enum ff_hb_builtin): "uptime_s", "unexpected_reboots"...; NULL past them. */
const char *ff_hb_builtin_name(unsigned i);

#ifdef __cplusplus
}
#endif
#endif
