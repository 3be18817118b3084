/* SPDX-License-Identifier: Apache-2.0 */
/* A build's metric key table (docs/FORMAT.md §8.5) from untrusted bytes, and a heartbeat's application values read
 * by it (§8.4). */
#include <assert.h>
#include <string.h>

#include "ff/metrics.h"

#define TABLE_HEAD 5u /* magic, version */
#define TABLE_VERSION 1u

static const char *const k_builtin_names[FF_HB_BUILTINS] = {
	[FF_HB_UPTIME_S] = "uptime_s",
	[FF_HB_UNEXPECTED_REBOOTS] = "unexpected_reboots",
	[FF_HB_COREDUMPS] = "coredumps",
	[FF_HB_CHUNKS] = "chunks",
	[FF_HB_CHUNK_BYTES] = "chunk_bytes",
	[FF_HB_EVENTS_DROPPED] = "events_dropped",
	[FF_HB_STORAGE] = "storage",
};

const char *ff_hb_builtin_name(unsigned i)
{
	return i < FF_HB_BUILTINS ? k_builtin_names[i] : NULL;
}

static bool name_char(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

/* One entry's name at bytes[at], checked and copied into k; *out_end is the offset past its NUL. */
static int parse_name(struct ff_metric_key *k, size_t *out_end, const uint8_t *bytes, size_t len, size_t at,
		      size_t index, struct ff_error *err)
{
	const uint8_t *nul = memchr(bytes + at, 0, len - at);
	size_t n;

	if (nul == NULL)
		return ff_error_set(err, FF_ERR_MALFORMED, "metrics: key %zu at byte %zu: the name is not NUL-terminated",
				    index, at - 1);
	n = (size_t)(nul - (bytes + at));
	if (n == 0)
		return ff_error_set(err, FF_ERR_MALFORMED, "metrics: key %zu at byte %zu: the name is empty", index,
				    at - 1);
	if (n > FF_METRIC_NAME_MAX)
		return ff_error_set(err, FF_ERR_MALFORMED, "metrics: key %zu at byte %zu: the name is %zu characters "
				    "(at most %u)", index, at - 1, n, FF_METRIC_NAME_MAX);
	for (size_t i = 0; i < n; i++)
		if (!name_char(bytes[at + i]))
			return ff_error_set(err, FF_ERR_MALFORMED, "metrics: key %zu at byte %zu: the name has byte 0x%02x "
					    "(only A-Z a-z 0-9 _ .)", index, at - 1, bytes[at + i]);
	memcpy(k->name, bytes + at, n);
	k->name[n] = '\0';
	*out_end = at + n + 1;
	return 0;
}

int ff_metric_table_parse(struct ff_metric_table *out, const uint8_t *bytes, size_t len, struct ff_error *err)
{
	size_t at = TABLE_HEAD;

	memset(out, 0, sizeof(*out));
	if (len > FF_METRICS_TABLE_MAX)
		return ff_error_set(err, FF_ERR_TOO_LARGE, "metrics: the table is %zu bytes (at most %u)", len,
				    FF_METRICS_TABLE_MAX);
	if (len < 4 || memcmp(bytes, "FLMT", 4) != 0)
		return ff_error_set(err, FF_ERR_MALFORMED, "metrics: no FLMT magic: not a metric key table");
	if (len < TABLE_HEAD)
		return ff_error_set(err, FF_ERR_MALFORMED, "metrics: the table ends before its version");
	if (bytes[4] != TABLE_VERSION)
		return ff_error_set(err, FF_ERR_UNSUPPORTED, "metrics: table version %u (this reader knows %u)", bytes[4],
				    TABLE_VERSION);
	while (at < len) {
		struct ff_metric_key *k;
		uint8_t kind = bytes[at];
		int rc;

		if (kind == 0) { /* a linker's alignment padding: zero bytes to the end */
			for (size_t i = at; i < len; i++)
				if (bytes[i] != 0)
					return ff_error_set(err, FF_ERR_MALFORMED, "metrics: byte %zu: 0x%02x after the "
							    "zero padding at byte %zu (kind 0 is not a kind)", i, bytes[i], at);
			break;
		}
		if (kind < FF_METRIC_COUNTER || kind > FF_METRIC_TIMER)
			return ff_error_set(err, FF_ERR_MALFORMED, "metrics: key %zu at byte %zu: unknown kind %u",
					    out->nkeys, at, kind);
		if (out->nkeys == FF_METRIC_KEYS_MAX)
			return ff_error_set(err, FF_ERR_MALFORMED, "metrics: more than %u keys (byte %zu)",
					    FF_METRIC_KEYS_MAX, at);
		k = &out->keys[out->nkeys];
		if ((rc = parse_name(k, &at, bytes, len, at + 1, out->nkeys, err)) != 0)
			return rc;
		for (size_t j = 0; j < out->nkeys; j++)
			if (strcmp(out->keys[j].name, k->name) == 0)
				return ff_error_set(err, FF_ERR_MALFORMED, "metrics: key %zu: the name %s repeats key %zu",
						    out->nkeys, k->name, j);
		k->kind = (enum ff_metric_kind)kind;
		out->nvalues += kind == FF_METRIC_GAUGE || kind == FF_METRIC_GAUGE_SIGNED ? 3 : 1;
		if (out->nvalues > FF_HB_VALUES_MAX) /* no heartbeat could carry them */
			return ff_error_set(err, FF_ERR_MALFORMED, "metrics: key %zu (%s) needs more than the %u values a "
					    "heartbeat carries (a gauge takes 3)", out->nkeys, k->name, FF_HB_VALUES_MAX);
		out->nkeys++;
	}
	return 0;
}

/* A wire value of a 32-bit quantity: counters, timers, gauges (signed ones zigzag-encoded) all fit 32 bits. */
static int value32(uint32_t *out, const struct ff_heartbeat *hb, size_t i, size_t key, const char *name,
		   const char *what, struct ff_error *err)
{
	if (hb->values[i] > UINT32_MAX)
		return ff_error_set(err, FF_ERR_MALFORMED, "metrics: key %zu (%s): %s %llu (application value %zu) is "
				    "above 2^32-1", key, name, what, (unsigned long long)hb->values[i], i);
	*out = (uint32_t)hb->values[i];
	return 0;
}

/* Zigzag undone (§8.4): 0, 1, 2, 3 are 0, -1, 1, -2. */
static int64_t unzigzag(uint32_t e)
{
	return (int64_t)(int32_t)((e >> 1) ^ (0u - (e & 1u)));
}

int ff_metric_values(struct ff_metric_value *out, const struct ff_metric_table *t, const struct ff_heartbeat *hb,
		     size_t *out_extra, struct ff_error *err)
{
	static const char *const k_counter[1] = {"value"}, *const k_gauge[3] = {"last", "min", "max"};
	size_t at = 0;

	assert(t->nkeys <= FF_METRIC_KEYS_MAX && hb->nvalues <= FF_HB_VALUES_MAX);
	if (hb->nvalues < t->nvalues)
		return ff_error_set(err, FF_ERR_MALFORMED, "metrics: the heartbeat has %zu application values, fewer "
				    "than the %zu of its key table", hb->nvalues, t->nvalues);
	for (size_t i = 0; i < t->nkeys; i++) {
		const struct ff_metric_key *k = &t->keys[i];
		bool gauge = k->kind == FF_METRIC_GAUGE || k->kind == FF_METRIC_GAUGE_SIGNED;
		size_t width = gauge ? 3 : 1;
		uint32_t w[3] = {0};

		assert(at + width <= hb->nvalues); /* t->nvalues counts them */
		for (size_t j = 0; j < width; j++) {
			int rc = value32(&w[j], hb, at++, i, k->name, gauge ? k_gauge[j] : k_counter[j], err);

			if (rc != 0)
				return rc;
		}
		memset(&out[i], 0, sizeof(out[i]));
		if (k->kind == FF_METRIC_GAUGE_SIGNED) {
			out[i].value = unzigzag(w[0]);
			out[i].min = unzigzag(w[1]);
			out[i].max = unzigzag(w[2]);
		} else if (gauge) {
			out[i].value = w[0];
			out[i].min = w[1];
			out[i].max = w[2];
		} else {
			out[i].value = w[0];
		}
		out[i].has_value = !gauge || out[i].min <= out[i].max;
	}
	if (out_extra != NULL)
		*out_extra = hb->nvalues - at;
	return 0;
}
