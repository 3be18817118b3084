/* SPDX-License-Identifier: Apache-2.0 */
/* Fleet health's rules (health.h): steps between heartbeats, hours, and a device's aggregates as a blob. */
#include <string.h>

#include "ff/bytes.h"
#include "health.h"

#define BLOB_VERSION 1u
#define ACC_BYTES 36u /* growth u64, sum f64, samples u32, min i64, max i64 */

/* The built-ins that are counters (the others: uptime, which is the step itself, and the storage state). */
static bool builtin_is_counter(unsigned i)
{
	return i != FF_HB_UPTIME_S && i != FF_HB_STORAGE;
}

uint64_t srv_health_counter_step(uint64_t prev, uint64_t cur, bool *reset)
{
	uint32_t step = (uint32_t)cur - (uint32_t)prev;

	if (step < SRV_HEALTH_RESET_STEP)
		return step;
	*reset = true;
	return (uint32_t)cur;
}

void srv_health_step(struct srv_hb_step *out, const struct srv_hb_point *prev, const struct srv_hb_point *cur)
{
	uint32_t from = prev != NULL ? prev->uptime_s : 0;

	memset(out, 0, sizeof(*out));
	out->seconds = cur->uptime_s - from;
	if (out->seconds > SRV_HEALTH_GAP_MAX) {
		out->seconds = SRV_HEALTH_GAP_MAX;
		out->capped = true;
	}
	for (unsigned i = 0; i < FF_HB_BUILTINS; i++) {
		bool reset = false;

		if (!builtin_is_counter(i))
			continue;
		out->delta[i] = srv_health_counter_step(prev != NULL ? prev->builtin[i] : 0, cur->builtin[i], &reset);
		out->resets += reset;
	}
}

unsigned srv_health_spread(int64_t end, uint32_t seconds, void (*add)(int64_t hour, uint32_t seconds, void *ctx),
			   void *ctx)
{
	int64_t start, t;
	unsigned n = 0;

	if (seconds > SRV_HEALTH_GAP_MAX)
		seconds = SRV_HEALTH_GAP_MAX;
	start = end - seconds;
	for (t = start; t < end || (n == 0 && t == end);) {
		int64_t hour = t >= 0 ? t / SRV_HOUR : -((-t + SRV_HOUR - 1) / SRV_HOUR);
		int64_t stop = (hour + 1) * SRV_HOUR < end ? (hour + 1) * SRV_HOUR : end;

		add(hour, (uint32_t)(stop - t), ctx);
		n++;
		if (stop == t)
			break; /* a zero-length interval: its hour, once */
		t = stop;
	}
	return n;
}

static void acc_sample(struct srv_metric_acc *a, int64_t v)
{
	if (a->samples == 0 || v < a->min)
		a->min = v;
	if (a->samples == 0 || v > a->max)
		a->max = v;
	a->sum += (double)v;
	a->samples++;
}

void srv_metrics_add_builtins(struct srv_metrics *m, const struct srv_hb_step *step, const struct srv_hb_point *cur)
{
	for (unsigned i = 0; i < FF_HB_BUILTINS; i++) {
		if (builtin_is_counter(i))
			m->builtin[i].growth += step->delta[i];
		else if (i == FF_HB_STORAGE)
			acc_sample(&m->builtin[i], (int64_t)(cur->builtin[i] > INT64_MAX ? INT64_MAX : cur->builtin[i]));
	}
	m->builtin[FF_HB_UPTIME_S].growth += step->seconds;
}

/* A point's application values as the heartbeat ff_metric_values reads. */
static void as_heartbeat(struct ff_heartbeat *hb, const struct srv_hb_point *p)
{
	size_t n = p->nvalues < FF_HB_VALUES_MAX ? p->nvalues : FF_HB_VALUES_MAX;

	memcpy(hb->builtin, p->builtin, sizeof(hb->builtin));
	if (n > 0)
		memcpy(hb->values, p->values, n * sizeof(*p->values));
	hb->nvalues = n;
}

int srv_metrics_add_app(struct srv_metrics *m, const struct ff_metric_table *t, const struct srv_hb_point *prev,
			const struct srv_hb_point *cur, size_t *extra)
{
	static _Thread_local struct ff_heartbeat hb;
	static _Thread_local struct ff_metric_value now[FF_METRIC_KEYS_MAX], before[FF_METRIC_KEYS_MAX];
	bool have_before = false;

	*extra = 0;
	as_heartbeat(&hb, cur);
	if (ff_metric_values(now, t, &hb, extra, NULL) != 0)
		return 1;
	if (prev != NULL) {
		size_t ignored;

		as_heartbeat(&hb, prev);
		have_before = ff_metric_values(before, t, &hb, &ignored, NULL) == 0;
	}
	srv_metrics_widen(m, t->nkeys);
	for (size_t k = 0; k < t->nkeys; k++) {
		struct srv_metric_acc *a = &m->app[k];
		bool reset = false;

		switch (t->keys[k].kind) {
		case FF_METRIC_COUNTER:
		case FF_METRIC_TIMER:
			/* from the boot's start, or from a previous heartbeat whose values read: one that did not read
			 * breaks the chain, and the growth across it is not counted (never counted twice) */
			if (prev == NULL || have_before)
				a->growth += srv_health_counter_step(have_before ? (uint64_t)before[k].value : 0,
								     (uint64_t)now[k].value, &reset);
			break;
		case FF_METRIC_GAUGE:
		case FF_METRIC_GAUGE_SIGNED:
			if (!now[k].has_value)
				break;
			if (a->samples == 0 || now[k].min < a->min)
				a->min = now[k].min;
			if (a->samples == 0 || now[k].max > a->max)
				a->max = now[k].max;
			a->sum += (double)now[k].value;
			a->samples++;
			break;
		}
	}
	return 0;
}

static void put_acc(uint8_t *p, const struct srv_metric_acc *a)
{
	uint64_t bits;

	memcpy(&bits, &a->sum, sizeof(bits));
	ff_put_le(p, a->growth, 8);
	ff_put_le(p + 8, bits, 8);
	ff_put_le(p + 16, a->samples, 4);
	ff_put_le(p + 20, (uint64_t)a->min, 8);
	ff_put_le(p + 28, (uint64_t)a->max, 8);
}

static void get_acc(struct srv_metric_acc *a, const uint8_t *p)
{
	uint64_t bits = ff_le(p + 8, 8);

	a->growth = ff_le(p, 8);
	memcpy(&a->sum, &bits, sizeof(bits));
	a->samples = (uint32_t)ff_le(p + 16, 4);
	a->min = (int64_t)ff_le(p + 20, 8);
	a->max = (int64_t)ff_le(p + 28, 8);
}

void srv_metrics_widen(struct srv_metrics *m, size_t napp)
{
	if (m->napp >= napp)
		return;
	memset(&m->app[m->napp], 0, (napp - m->napp) * sizeof(m->app[0]));
	m->napp = napp;
}

size_t srv_metrics_pack(uint8_t *out, const struct srv_metrics *m)
{
	size_t pos = 4;

	out[0] = BLOB_VERSION;
	out[1] = FF_HB_BUILTINS;
	ff_put_le(out + 2, m->napp, 2);
	for (unsigned i = 0; i < FF_HB_BUILTINS; i++, pos += ACC_BYTES)
		put_acc(out + pos, &m->builtin[i]);
	for (size_t k = 0; k < m->napp; k++, pos += ACC_BYTES)
		put_acc(out + pos, &m->app[k]);
	return pos;
}

int srv_metrics_unpack(struct srv_metrics *out, const uint8_t *blob, size_t len)
{
	size_t nb, na, pos = 4;

	memset(out->builtin, 0, sizeof(out->builtin)); /* (the application's entries past napp are not read) */
	out->napp = 0;
	if (blob == NULL || len == 0)
		return 0;
	if (len < 4 || blob[0] != BLOB_VERSION)
		return -1;
	nb = blob[1];
	na = (size_t)ff_le(blob + 2, 2);
	/* (a later server's blob may hold more built-ins: the ones this one knows are read, the others skipped) */
	if (nb < FF_HB_BUILTINS || na > FF_METRIC_KEYS_MAX || len != 4 + (nb + na) * ACC_BYTES)
		return -1;
	for (unsigned i = 0; i < nb; i++, pos += ACC_BYTES)
		if (i < FF_HB_BUILTINS)
			get_acc(&out->builtin[i], blob + pos);
	for (size_t k = 0; k < na; k++, pos += ACC_BYTES)
		get_acc(&out->app[k], blob + pos);
	out->napp = na;
	return 0;
}
