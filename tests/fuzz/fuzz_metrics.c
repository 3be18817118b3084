/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: a metric key table and a heartbeat (format/src/metrics.c, message.c) on arbitrary bytes, and the
 * heartbeat's values read by the table. The input is a u16 (little-endian) table length, the table, then the
 * message. Beyond "no crash" and no leak: an accepted table keeps every rule of FORMAT.md §8.5 and counts its
 * values; an accepted heartbeat's envelope is compact exactly when it has no identity; values are interpreted
 * exactly when the heartbeat has enough of them, and each one agrees with the number sent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ff/metrics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t width(enum ff_metric_kind kind)
{
	return kind == FF_METRIC_GAUGE || kind == FF_METRIC_GAUGE_SIGNED ? 3 : 1;
}

static void check_table(const struct ff_metric_table *t)
{
	size_t nvalues = 0;

	if (t->nkeys > FF_METRIC_KEYS_MAX)
		abort();
	for (size_t i = 0; i < t->nkeys; i++) {
		const struct ff_metric_key *k = &t->keys[i];
		size_t n = strlen(k->name);

		if (k->kind < FF_METRIC_COUNTER || k->kind > FF_METRIC_TIMER || n == 0 || n > FF_METRIC_NAME_MAX ||
		    strspn(k->name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.") != n)
			abort();
		for (size_t j = 0; j < i; j++)
			if (strcmp(t->keys[j].name, k->name) == 0)
				abort();
		nvalues += width(k->kind);
	}
	if (nvalues != t->nvalues)
		abort();
}

static void check_envelope(const struct ff_message *m)
{
	bool none = m->arch == 0 && m->os == 0 && m->build_id_len == 0 && m->sw_version[0] == '\0' &&
		    m->hw_version[0] == '\0';

	if (m->compact != (m->type == FF_MSG_HEARTBEAT && none))
		abort();
	if (!m->compact && (m->build_id_len < 8 || m->build_id_len > 64 || m->sw_version[0] == '\0'))
		abort();
	if (m->type == FF_MSG_HEARTBEAT && m->heartbeat.nvalues > FF_HB_VALUES_MAX)
		abort();
}

/* Each interpreted value is the number sent at its place: as is, or zigzag-encoded for a signed gauge. */
static void check_values(const struct ff_metric_table *t, const struct ff_heartbeat *hb)
{
	static struct ff_metric_value v[FF_METRIC_KEYS_MAX];
	size_t extra = SIZE_MAX, at = 0;
	bool in_range = true;
	int rc = ff_metric_values(v, t, hb, &extra, NULL);

	if (hb->nvalues < t->nvalues) {
		if (rc != FF_ERR_MALFORMED || extra != SIZE_MAX)
			abort();
		return;
	}
	for (size_t i = 0; i < t->nvalues; i++)
		in_range &= hb->values[i] <= UINT32_MAX;
	if (rc != (in_range ? 0 : FF_ERR_MALFORMED))
		abort();
	if (rc != 0)
		return;
	if (extra != hb->nvalues - t->nvalues)
		abort();
	for (size_t i = 0; i < t->nkeys; i++) {
		const int64_t got[3] = {v[i].value, v[i].min, v[i].max};
		bool gauge = width(t->keys[i].kind) == 3;

		for (size_t j = 0; j < width(t->keys[i].kind); j++) {
			uint64_t sent = hb->values[at++];
			uint64_t again = t->keys[i].kind == FF_METRIC_GAUGE_SIGNED
						 ? (uint32_t)(((uint32_t)got[j] << 1) ^ (uint32_t)(got[j] < 0 ? -1 : 0))
						 : (uint64_t)got[j];

			if (again != sent || got[j] < INT32_MIN || got[j] > UINT32_MAX)
				abort();
		}
		if (v[i].has_value != (!gauge || v[i].min <= v[i].max) || (!gauge && (v[i].min != 0 || v[i].max != 0)))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ff_metric_table t;
	static struct ff_message m;
	size_t split;
	int table_rc;

	if (size < 2)
		return 0;
	split = (size_t)data[0] | (size_t)data[1] << 8;
	split = split < size - 2 ? split : size - 2;
	table_rc = ff_metric_table_parse(&t, data + 2, split, NULL);
	if (table_rc == 0)
		check_table(&t);
	if (ff_message_parse(&m, data + 2 + split, size - 2 - split, NULL) == 0) {
		check_envelope(&m);
		if (m.type == FF_MSG_HEARTBEAT && table_rc == 0)
			check_values(&t, &m.heartbeat);
	}
	ff_message_free(&m);
	return 0;
}
