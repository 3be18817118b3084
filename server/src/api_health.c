/* SPDX-License-Identifier: Apache-2.0 */
/* The read API of fleet health (api.h, docs/API.md, docs/HEALTH.md): versions, one version's hours, the comparison
 * of two versions, a metric's distribution across devices, a device's heartbeats. The store gives counts and
 * exposure; the rates, intervals and verdicts are computed here, by stats.c. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "api.h"
#include "clock.h"
#include "ff/device.h"
#include "ff/metrics.h"
#include "ff/version.h"
#include "health.h"
#include "stats.h"

#define DAYS_DEFAULT 30
#define DAYS_MAX 3650
#define METRIC_DEVICES_MAX 200000 /* devices one metric's distribution is taken over */
#define HEARTBEATS_SHOWN 100
#define TOP_ISSUES_LISTED 3 /* per version in GET versions */
#define TOP_ISSUES_SHOWN 10 /* in GET versions/{v} */

/* The window argument: days=N, 1..DAYS_MAX (default DAYS_DEFAULT); 0 when invalid. */
static int window_days(const char *text)
{
	long v = DAYS_DEFAULT;
	char *end;

	if (text != NULL) {
		v = strtol(text, &end, 10);
		if (end == text || *end != '\0' || v < 1 || v > DAYS_MAX)
			return 0;
	}
	return (int)v;
}

static const struct srv_stats_options k_stats = SRV_STATS_OPTIONS_DEFAULT;

/* An estimate with its interval as JSON: {"value": v, "ci": [lo, hi]} (a bound that is infinite: null), scaled. */
static json_t *estimate(const struct srv_stats_interval *e, double scale)
{
	return srv_json_made(json_pack("{s:o, s:[o, o]}", "value", isfinite(e->value) ? srv_json_made(json_real(scale * e->value)) :
			      json_null(), "ci", srv_json_made(json_real(scale * e->lo)),
			      isfinite(e->hi) ? srv_json_made(json_real(scale * e->hi)) : json_null()));
}

/* A rate per 1,000 device-hours with its exact interval (docs/HEALTH.md, Statistics), or null without exposure. */
static json_t *rate(int64_t count, int64_t seconds)
{
	struct srv_stats_interval ci;

	if (srv_stats_rate_ci(&ci, (uint64_t)count, (double)seconds / SRV_HOUR, k_stats.conf) != 0)
		return json_null();
	return estimate(&ci, 1.0);
}

/* A share in percent with its interval, or null when there is nothing to share. */
static json_t *percent(int64_t part, int64_t whole)
{
	struct srv_stats_interval ci;

	if (whole <= 0 || part < 0 || srv_stats_proportion_ci(&ci, (uint64_t)part, (uint64_t)whole, k_stats.conf) != 0)
		return json_null();
	return estimate(&ci, 100.0);
}

/* All versions of a window, gathered: JSON objects, and the devices currently on any version (for adoption). */
struct version_list {
	json_t *array;
	int64_t current_total;
};

static json_t *version_object(const struct srv_version_health *v)
{
	json_t *o = srv_json_made(json_pack("{s:o, s:f, s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:o, s:I, s:o, s:o}", "sw_version",
				   srv_json_text(v->sw_version), "device_hours", (double)v->seconds / SRV_HOUR,
				   "devices", (json_int_t)v->devices, "active_24h", (json_int_t)v->active_24h, "active_7d",
				   (json_int_t)v->active_7d, "current_devices", (json_int_t)v->current,
				   "unexpected_reboots", (json_int_t)v->reboots, "unexpected_reboot_rate",
				   rate(v->reboots, v->seconds), "coredumps", (json_int_t)v->coredumps, "coredump_rate",
				   rate(v->coredumps, v->seconds), "crashed_hours", (json_int_t)v->crashed_hours,
				   "crash_free_hours", percent(v->seconds / SRV_HOUR - v->crashed_hours > 0 ?
							       v->seconds / SRV_HOUR - v->crashed_hours : 0,
							       v->seconds / SRV_HOUR),
				   "crash_free_devices", percent(v->devices - v->crashed_devices, v->devices)));

	if (v->hw_version != NULL)
		json_object_set_new(o, "hw_version", srv_json_text(v->hw_version));
	json_object_set_new(o, "first_seen", v->first_seen > 0 ? json_integer((json_int_t)v->first_seen) : json_null());
	return o;
}

static void add_version(const struct srv_version_health *v, void *ctx)
{
	struct version_list *l = ctx;

	json_array_append_new(l->array, version_object(v));
	l->current_total += v->current;
}

static void add_issue(const struct srv_version_issue *i, void *ctx)
{
	json_array_append_new(ctx, srv_json_made(json_pack("{s:I, s:o, s:I, s:I}", "id", (json_int_t)i->id, "title",
						  srv_json_text(i->title), "devices", (json_int_t)i->devices,
						  "occurrences", (json_int_t)i->messages)));
}

/* A version object's top issues by devices affected (the store held). Returns 0 or the store's -1. */
static int top_issues(struct srv_store *st, json_t *version, int limit)
{
	json_t *list = json_array();
	int rc = st->ops->version_issues(st, json_string_value(json_object_get(version, "sw_version")), limit,
					 add_issue, list);

	json_object_set_new(version, "top_issues", list);
	return rc;
}

/* Adoption: each version's share of the devices active in the last 7 days, by the version they run now. */
static void set_adoption(struct version_list *l)
{
	size_t i;
	json_t *v;

	json_array_foreach(l->array, i, v) {
		json_int_t cur = json_integer_value(json_object_get(v, "current_devices"));

		json_object_set_new(v, "adoption_pct", l->current_total > 0 ?
			srv_json_made(json_real(100.0 * (double)cur / (double)l->current_total)) : json_null());
	}
}

static json_t *window(int64_t now, int days)
{
	return srv_json_made(json_pack("{s:I, s:I, s:i}", "from", (json_int_t)(now - (int64_t)days * 86400), "to",
			      (json_int_t)now, "days", days));
}

/* GET versions?days=N&by=hw */
static void versions(struct srv_answer *out, struct srv_store *st, const char *days_text, const char *by,
		     const char *issues)
{
	int days = window_days(days_text), rc;
	int64_t now = srv_now();
	struct version_list l = {json_array(), 0};

	if (days == 0 || (by != NULL && strcmp(by, "hw") != 0)) {
		json_decref(l.array);
		srv_api_error(out, 400, "bad_request", days == 0 ? "days is a number from 1 to 3650" : "by is hw or absent");
		return;
	}
	srv_store_lock(st);
	rc = st->ops->versions(st, now, now - (int64_t)days * 86400, by != NULL, add_version, &l);
	for (size_t i = 0; rc == 0 && (issues == NULL || strcmp(issues, "0") != 0) && i < json_array_size(l.array); i++) {
		json_t *v = json_array_get(l.array, i), *before = i > 0 ? json_array_get(l.array, i - 1) : NULL;

		/* (by hardware version, a version's rows follow each other and share its top issues) */
		if (before != NULL && strcmp(json_string_value(json_object_get(v, "sw_version")),
					     json_string_value(json_object_get(before, "sw_version"))) == 0)
			json_object_set(v, "top_issues", json_object_get(before, "top_issues"));
		else
			rc = top_issues(st, v, TOP_ISSUES_LISTED);
	}
	srv_store_unlock(st);
	if (rc != 0) {
		json_decref(l.array);
		srv_api_store_error(out, st);
		return;
	}
	set_adoption(&l);
	srv_api_json(out, 200, json_pack("{s:o, s:o}", "window", window(now, days), "versions", l.array));
}

/* One version out of the versions of a window (its own object, or NULL when it has nothing in it); hw: of that
 * hardware version only (NULL: all). */
struct one_version {
	const char *want, *hw;
	json_t *found;
	struct version_list all;
};

static void pick_version(const struct srv_version_health *v, void *ctx)
{
	struct one_version *o = ctx;

	o->all.current_total += v->current;
	if (o->found == NULL && strcmp(v->sw_version, o->want) == 0 &&
	    (o->hw == NULL || (v->hw_version != NULL && strcmp(v->hw_version, o->hw) == 0)))
		o->found = version_object(v);
}

static void add_day(const struct srv_health_day *d, void *ctx)
{
	json_array_append_new(ctx, srv_json_made(json_pack("{s:I, s:I, s:I, s:o}", "day", (json_int_t)(d->day * 86400),
							   "devices", (json_int_t)d->devices, "crashed_devices",
							   (json_int_t)d->crashed_devices, "crash_free_devices",
							   percent(d->devices - d->crashed_devices, d->devices))));
}

static void add_hour(const struct srv_health_hour *h, void *ctx)
{
	json_array_append_new(ctx, srv_json_made(json_pack("{s:I, s:f, s:I, s:I, s:I}", "hour", (json_int_t)(h->hour * SRV_HOUR),
						  "device_hours", (double)h->seconds / SRV_HOUR, "unexpected_reboots",
						  (json_int_t)h->reboots, "coredumps", (json_int_t)h->coredumps,
						  "crashed_hours", (json_int_t)h->crashed_hours)));
}

/* GET versions/{v}?days=N&hw=H: the version's health in the window, its hours and its days; with series (the
 * dashboard's plots: ?series=1) only the hours and days, none of the window's sums or top issues. */
static void version(struct srv_answer *out, struct srv_store *st, const char *v, const char *days_text,
		    const char *hw, bool series)
{
	int days = window_days(days_text), rc;
	int64_t now = srv_now();
	struct one_version o = {v, hw, NULL, {NULL, 0}};
	json_t *hours = json_array(), *day_list = json_array();

	if (days == 0) {
		json_decref(hours);
		json_decref(day_list);
		srv_api_error(out, 400, "bad_request", "days is a number from 1 to 3650");
		return;
	}
	srv_store_lock(st);
	rc = st->ops->version_hours(st, v, hw, now - (int64_t)days * 86400, now, add_hour, hours);
	if (rc == 0)
		rc = st->ops->version_days(st, v, hw, (now - (int64_t)days * 86400) / 86400, now / 86400, add_day, day_list);
	if (rc == 0 && !series)
		rc = st->ops->versions(st, now, now - (int64_t)days * 86400, hw != NULL, pick_version, &o);
	if (rc == 0 && o.found != NULL)
		rc = top_issues(st, o.found, TOP_ISSUES_SHOWN);
	srv_store_unlock(st);
	if (rc != 0) {
		json_decref(hours);
		json_decref(day_list);
		json_decref(o.found);
		if (rc == SRV_NONE)
			srv_api_error(out, 404, "not_found", "no device has reported this version");
		else
			srv_api_store_error(out, st);
		return;
	}
	if (series) {
		srv_api_json(out, 200, json_pack("{s:o, s:o, s:o, s:o}", "window", window(now, days), "sw_version",
						 srv_json_text(v), "hours", hours, "days", day_list));
		return;
	}
	if (o.found == NULL) { /* known, but nothing in the window: its numbers are zero */
		const struct srv_version_health zero = {.sw_version = v, .hw_version = hw};

		o.found = version_object(&zero);
		json_object_set_new(o.found, "top_issues", json_array());
	}
	json_object_set_new(o.found, "adoption_pct", o.all.current_total > 0 && json_object_get(o.found, "current_devices") ?
		srv_json_made(json_real(100.0 * (double)json_integer_value(json_object_get(o.found, "current_devices")) /
			       (double)o.all.current_total)) : json_null());
	json_object_set_new(o.found, "hours", hours);
	json_object_set_new(o.found, "days", day_list);
	srv_api_json(out, 200, json_pack("{s:o, s:o}", "window", window(now, days), "version", o.found));
}

/* The two versions of a comparison, picked out of the window's versions: their numbers, and their objects made
 * during the callback (the rows' strings are valid only then). */
struct pair {
	const char *a, *b;
	struct srv_version_health va, vb;
	json_t *ja, *jb;
};

static void pick_pair(const struct srv_version_health *v, void *ctx)
{
	struct pair *p = ctx;

	if (p->ja == NULL && strcmp(v->sw_version, p->a) == 0) {
		p->va = *v;
		p->ja = version_object(v);
	} else if (p->jb == NULL && strcmp(v->sw_version, p->b) == 0) {
		p->vb = *v;
		p->jb = version_object(v);
	}
	p->va.sw_version = p->va.hw_version = p->vb.sw_version = p->vb.hw_version = NULL;
}

static json_t *number(double v)
{
	return isfinite(v) ? srv_json_made(json_real(v)) : json_null();
}

/* Why a comparison has not enough data, in words. */
static json_t *shortfall(unsigned bits)
{
	json_t *why = json_array();

	if (bits & SRV_STATS_NO_EXPOSURE)
		json_array_append_new(why, json_string("a version has no device-hours"));
	if (bits & SRV_STATS_FEW_DEVICES)
		json_array_append_new(why, json_string("a version has fewer devices than the minimum"));
	if (bits & SRV_STATS_LOW_POWER)
		json_array_append_new(why, json_string("too few device-hours to find a doubled rate"));
	return why;
}

/* One compared rate: both sides' rates, the test, its power and the verdict. */
static json_t *compared(const char *what, int64_t ka, const struct srv_version_health *a, int64_t kb,
			const struct srv_version_health *b)
{
	struct srv_stats_comparison c;
	const struct srv_stats_sample sa = {(uint64_t)ka, (double)a->seconds / SRV_HOUR, (uint64_t)a->devices};
	const struct srv_stats_sample sb = {(uint64_t)kb, (double)b->seconds / SRV_HOUR, (uint64_t)b->devices};

	if (ka < 0 || kb < 0 || srv_stats_compare(&c, &sa, &sb, &k_stats) != 0)
		return srv_json_made(json_pack("{s:s, s:s}", "rate", what, "verdict", "not enough data yet"));
	return srv_json_made(json_pack("{s:s, s:I, s:I, s:o, s:o, s:s, s:o, s:o, s:[o, o], s:f, s:f, s:f}", "rate", what,
			      "a_count", (json_int_t)ka, "b_count", (json_int_t)kb, "a", estimate(&c.rate_a, 1.0), "b",
			      estimate(&c.rate_b, 1.0), "verdict", srv_stats_verdict_name(c.verdict), "not_enough",
			      shortfall(c.shortfall), "ratio", number(c.test.ratio), "ratio_ci",
			      number(c.test.ratio_lo), number(c.test.ratio_hi), "p_worse", c.test.p_worse, "p_better",
			      c.test.p_better, "power_2x", c.power));
}

/* GET compare?a=V1&b=V2&days=N */
static void compare(struct srv_answer *out, struct srv_store *st, const char *a, const char *b, const char *days_text)
{
	int days = window_days(days_text), rc;
	int64_t now = srv_now();
	struct pair p = {.a = a, .b = b};
	json_t *rates;

	if (a == NULL || b == NULL || days == 0 || strcmp(a, b) == 0) {
		srv_api_error(out, 400, "bad_request", days == 0 ? "days is a number from 1 to 3650" :
			      "compare needs two different versions: a=V1&b=V2");
		return;
	}
	srv_store_lock(st);
	rc = st->ops->versions(st, now, now - (int64_t)days * 86400, false, pick_pair, &p);
	srv_store_unlock(st);
	if (rc != 0 || p.ja == NULL || p.jb == NULL) {
		if (rc != 0)
			srv_api_store_error(out, st);
		else
			srv_api_error(out, 404, "not_found", p.ja == NULL ? "version a has no data in the window" :
				      "version b has no data in the window");
		json_decref(p.ja);
		json_decref(p.jb);
		return;
	}
	rates = srv_json_made(json_pack("[o, o]", compared("unexpected_reboots", p.va.reboots, &p.va, p.vb.reboots, &p.vb),
			       compared("coredumps", p.va.coredumps, &p.va, p.vb.coredumps, &p.vb)));
	srv_api_json(out, 200, json_pack("{s:o, s:o, s:o, s:o, s:{s:s, s:f, s:f, s:I, s:f, s:f}}", "window",
					 window(now, days), "a", p.ja, "b", p.jb,
					 "rates", rates, "test", "name", "exact conditional test of two Poisson rates, "
					 "one-sided each way", "false_alarm", k_stats.alpha, "confidence", k_stats.conf,
					 "min_devices", (json_int_t)k_stats.min_devices, "min_power", k_stats.min_power,
					 "power_ratio", k_stats.power_ratio));
}

/* A metric's per-device values, gathered per version. */
struct metric_values {
	json_t *versions;
	const char *version; /* of the values gathered now */
	double *values;
	size_t n, cap;
	enum ff_metric_kind kind;
	double lo, hi;
};

static void flush_version(struct metric_values *m)
{
	if (m->n == 0)
		return;
	static const double k_at[2] = {50, 95};
	double p[2] = {0, 0};

	srv_stats_percentiles(p, m->values, m->n, k_at, 2);
	json_array_append_new(m->versions, srv_json_made(json_pack("{s:o, s:I, s:f, s:f, s:f, s:f}", "sw_version",
							  srv_json_text(m->version), "devices", (json_int_t)m->n,
							  "p50", p[0], "p95", p[1], "min", m->lo, "max", m->hi)));
	m->n = 0;
}

static void add_metric_device(const struct srv_metric_device *d, void *ctx)
{
	struct metric_values *m = ctx;

	if (m->version != NULL && strcmp(m->version, d->sw_version) != 0)
		flush_version(m);
	free((char *)m->version);
	m->version = srv_strdup(d->sw_version);
	if (m->n == m->cap) {
		m->cap = m->cap == 0 ? 256 : 2 * m->cap;
		m->values = srv_realloc(m->values, m->cap * sizeof(*m->values));
	}
	if (m->n == 0 || d->value < m->lo)
		m->lo = d->value;
	if (m->n == 0 || d->value > m->hi)
		m->hi = d->value;
	m->values[m->n++] = d->value;
	m->kind = d->kind;
}

static int by_version(const void *x, const void *y)
{
	return ff_version_sort(json_string_value(json_object_get(*(json_t *const *)x, "sw_version")),
			       json_string_value(json_object_get(*(json_t *const *)y, "sw_version")));
}

static void sort_versions(json_t *array)
{
	size_t n = json_array_size(array);
	json_t **sorted = srv_malloc((n + 1) * sizeof(*sorted));

	for (size_t i = 0; i < n; i++)
		sorted[i] = json_incref(json_array_get(array, i));
	qsort(sorted, n, sizeof(*sorted), by_version);
	json_array_clear(array);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(array, sorted[i]);
	free(sorted);
}

/* GET metrics?key=K&version=V: the key's value per device (a gauge's mean, a counter's or timer's growth per
 * hour), p50 and p95 across devices, per version. */
static void metrics(struct srv_answer *out, struct srv_store *st, const char *key, const char *v)
{
	static const char *const k_kinds[] = {"", "counter", "gauge", "signed_gauge", "timer"};
	struct metric_values m = {.versions = json_array()};
	bool truncated = false;
	int rc;

	if (key == NULL || key[0] == '\0' || strlen(key) > FF_METRIC_NAME_MAX) {
		json_decref(m.versions);
		srv_api_error(out, 400, "bad_request", "key names a metric: key=NAME");
		return;
	}
	srv_store_lock(st);
	rc = st->ops->metric_devices(st, key, v, METRIC_DEVICES_MAX, add_metric_device, &m, &truncated);
	srv_store_unlock(st);
	flush_version(&m);
	free(m.values);
	free((char *)m.version);
	if (rc != 0) {
		json_decref(m.versions);
		if (rc == SRV_NONE)
			srv_api_error(out, 404, "not_found", "no uploaded build names such a metric, or no device sent it");
		else
			srv_api_store_error(out, st);
		return;
	}
	/* rows came by version in string order: in the version order of docs/HEALTH.md now */
	sort_versions(m.versions);
	srv_api_json(out, 200, json_pack("{s:o, s:b, s:s, s:s, s:o}", "key", srv_json_text(key), "truncated",
					 truncated, "kind",
					 k_kinds[m.kind <= FF_METRIC_TIMER ? m.kind : 0], "value",
					 m.kind == FF_METRIC_COUNTER || m.kind == FF_METRIC_TIMER ? "growth per hour" :
												       "mean",
					 "versions", m.versions));
}

static void add_heartbeat(const struct srv_heartbeat_row *h, void *ctx)
{
	json_t *builtin = json_object(), *app = json_object();
	struct ff_metric_value vals[FF_METRIC_KEYS_MAX];
	struct ff_heartbeat hb;

	for (unsigned i = 0; i < FF_HB_BUILTINS; i++)
		json_object_set_new(builtin, ff_hb_builtin_name(i), json_integer(h->builtin[i]));
	memset(&hb, 0, sizeof(hb));
	hb.nvalues = h->nvalues < FF_HB_VALUES_MAX ? h->nvalues : FF_HB_VALUES_MAX;
	memcpy(hb.values, h->values, hb.nvalues * sizeof(*hb.values));
	if (h->table != NULL && ff_metric_values(vals, h->table, &hb, NULL, NULL) == 0) {
		for (size_t k = 0; k < h->table->nkeys; k++) {
			const struct ff_metric_value *v = &vals[k];
			bool gauge = h->table->keys[k].kind == FF_METRIC_GAUGE ||
				     h->table->keys[k].kind == FF_METRIC_GAUGE_SIGNED;

			json_object_set_new(app, h->table->keys[k].name,
					    !gauge ? json_integer(v->value) :
					    !v->has_value ? json_null() :
					    srv_json_made(json_pack("{s:I, s:I, s:I}", "last", (json_int_t)v->value, "min",
							   (json_int_t)v->min, "max", (json_int_t)v->max)));
		}
	} else {
		json_t *raw = json_array();

		for (size_t i = 0; i < hb.nvalues; i++)
			json_array_append_new(raw, json_integer((json_int_t)hb.values[i]));
		json_object_set_new(app, "unnamed", raw); /* its build's key table is not known (yet) */
	}
	json_array_append_new(ctx, srv_json_made(json_pack("{s:I, s:I, s:I, s:o, s:o, s:o, s:o}", "boot_id",
						  (json_int_t)h->boot_id, "uptime_s", (json_int_t)h->uptime_s,
						  "received", (json_int_t)h->received, "at",
						  h->at != 0 ? json_integer(h->at) : json_null(), "sw_version",
						  h->sw_version != NULL ? srv_json_text(h->sw_version) : json_null(),
						  "builtin", builtin, "metrics", app)));
}

/* GET devices/{serial}/heartbeats */
static void heartbeats(struct srv_answer *out, struct srv_store *st, const char *serial, size_t len)
{
	char s[65];
	json_t *list = json_array();
	int rc;

	if (!ff_device_serial_valid(serial, len)) {
		json_decref(list);
		srv_api_error(out, 400, "bad_serial", "a device serial is 1..64 characters of A-Z a-z 0-9 . _ : -");
		return;
	}
	memcpy(s, serial, len);
	s[len] = '\0';
	srv_store_lock(st);
	rc = st->ops->device_heartbeats(st, s, HEARTBEATS_SHOWN, add_heartbeat, list);
	srv_store_unlock(st);
	if (rc != 0) {
		json_decref(list);
		if (rc == SRV_NONE)
			srv_api_error(out, 404, "not_found", "no such device");
		else
			srv_api_store_error(out, st);
		return;
	}
	srv_api_json(out, 200, json_pack("{s:o}", "heartbeats", list));
}

bool srv_api_health(struct srv_answer *out, struct srv_store *st, const char *path,
		    const char *(*arg)(void *actx, const char *name), void *actx)
{
	const char *tail;
	size_t n;

	if (strcmp(path, "versions") == 0) {
		versions(out, st, arg(actx, "days"), arg(actx, "by"), arg(actx, "issues"));
	} else if (strncmp(path, "versions/", 9) == 0 && path[9] != '\0') {
		version(out, st, path + 9, arg(actx, "days"), arg(actx, "hw"),
			arg(actx, "series") != NULL && strcmp(arg(actx, "series"), "1") == 0);
	} else if (strcmp(path, "compare") == 0) {
		compare(out, st, arg(actx, "a"), arg(actx, "b"), arg(actx, "days"));
	} else if (strcmp(path, "metrics") == 0) {
		metrics(out, st, arg(actx, "key"), arg(actx, "version"));
	} else if (strncmp(path, "devices/", 8) == 0 && (tail = strchr(path + 8, '/')) != NULL &&
		   strcmp(tail, "/heartbeats") == 0) {
		n = (size_t)(tail - (path + 8));
		heartbeats(out, st, path + 8, n);
	} else {
		return false;
	}
	return true;
}
