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
 * Read a metric key table section: the keys in heartbeat order, nvalues counted from their kinds. Zero bytes after
 * the last entry (a linker's alignment padding) are ignored.
 * out: (out) the table; zeroed first, not usable on failure.
 * bytes, len: (in) the section's contents, read during the call only.
 * err: (out, optional) names the entry (by index and byte offset) and the problem.
 * Returns 0; FF_ERR_MALFORMED (bad magic, an unknown kind, a name empty, longer than FF_METRIC_NAME_MAX, not
 * NUL-terminated, of another character than A-Z a-z 0-9 _ . or repeated, more than FF_METRIC_KEYS_MAX keys, a
 * non-zero byte after zero padding); FF_ERR_UNSUPPORTED (a table version this reader does not know);
 * FF_ERR_TOO_LARGE (above FF_METRICS_TABLE_MAX).
 */
int ff_metric_table_parse(struct ff_metric_table *out, const uint8_t *bytes, size_t len, struct ff_error *err);

/* One application key's value in one heartbeat. */
struct ff_metric_value {
	/* counter, timer: value (cumulative since boot, mod 2^32; min and max 0). gauge: last, min, max, as signed
	 * numbers for a signed gauge (zigzag undone: -2^31..2^31-1) and as unsigned ones otherwise (0..2^32-1). */
	int64_t value, min, max;
	bool has_value; /* false for a gauge never set since boot (min > max on the wire; the three are still as
			 * sent, decoded); true for every counter and timer */
};

/*
 * Interpret a heartbeat's application values by its build's table.
 * out: (out) t->nkeys values, in table order (room for FF_METRIC_KEYS_MAX always suffices).
 * t: (in) a table from ff_metric_table_parse().
 * hb: (in) the heartbeat, from ff_message_parse().
 * out_extra: (out, optional) how many values the heartbeat has past what the table needs (ignored); set only on
 *            success.
 * err: (out, optional) names the key and the problem.
 * Returns 0; FF_ERR_MALFORMED when the heartbeat has fewer values than the table needs (hb->nvalues <
 * t->nvalues), or a value out of its kind's range (a counter, timer or gauge, or a signed gauge's zigzag
 * encoding, above 2^32-1): out is then not usable.
 */
int ff_metric_values(struct ff_metric_value *out, const struct ff_metric_table *t, const struct ff_heartbeat *hb,
		     size_t *out_extra, struct ff_error *err);

/* The name of built-in value i (enum ff_hb_builtin): "uptime_s", "unexpected_reboots"...; NULL past them. */
const char *ff_hb_builtin_name(unsigned i);

#ifdef __cplusplus
}
#endif
#endif
