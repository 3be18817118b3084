/* SPDX-License-Identifier: Apache-2.0 */
/* The read API (api.h): rows from the store, and the rate limits' counts, as JSON. A trace's stored report goes
 * into the answer as it is stored, not parsed and written again. */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "api.h"
#include "clock.h"
#include "fa/core.h"
#include "ff/bytes.h"
#include "ff/device.h"
#include "ff/message.h"

#define PAGE_MAX 500

/* A JSON value made (jansson says NULL only when out of memory, given valid UTF-8): never a silent hole. */
json_t *srv_json_made(json_t *j)
{
	if (j == NULL)
		abort(); /* out of memory: as srv_malloc does */
	return j;
}

/* A string from the store as JSON: stored text is not trusted to be UTF-8 (rows written before the format
 * library checked it, or by hand): bytes that are not are shown as '?', never dropping the member or the row. */
json_t *srv_json_text(const char *s)
{
	json_t *j = json_string(s != NULL ? s : "");
	char *copy;

	if (j != NULL)
		return j;
	copy = srv_strdup(s);
	ff_text_printable(copy);
	j = srv_json_made(json_string(copy));
	free(copy);
	return j;
}

void srv_api_json(struct srv_answer *out, unsigned status, json_t *body)
{
	char *text = json_dumps(srv_json_made(body), JSON_COMPACT);

	json_decref(body);
	if (text == NULL)
		abort(); /* out of memory: as srv_malloc does */
	*out = (struct srv_answer){status, text, strlen(text), "application/json"};
}

void srv_api_error(struct srv_answer *out, unsigned status, const char *code, const char *message)
{
	srv_api_json(out, status, json_pack("{s:{s:s, s:o}}", "error", "code", code, "message", srv_json_text(message)));
}

void srv_api_store_error(struct srv_answer *out, struct srv_store *st)
{
	fprintf(stderr, "faultline-server: %s\n", srv_store_error(st));
	srv_api_error(out, 500, "store_error", "the database failed");
}

static const char *under(const char *path, const char *prefix);

/* A decimal id >= 1 that is the whole of text up to end (or the string's end when end is NULL); 0 when not. */
static int64_t parse_id(const char *text, const char *end)
{
	int64_t id = 0;

	if (end == NULL)
		end = text + strlen(text);
	if (text == end || end - text > 18)
		return 0;
	for (; text < end; text++) {
		if (*text < '0' || *text > '9')
			return 0;
		id = id * 10 + (*text - '0');
	}
	return id;
}

/* A listing's ?limit=N: 100 when absent, at most PAGE_MAX; 0 when it is not a positive number. */
static int page_limit(const char *text)
{
	int64_t limit = text != NULL ? parse_id(text, NULL) : 100;

	return limit > PAGE_MAX ? PAGE_MAX : (int)limit;
}

static const char *const k_states[] = {[SRV_ISSUE_OPEN] = "open", [SRV_ISSUE_RESOLVED] = "resolved",
				       [SRV_ISSUE_MUTED] = "muted"};

const char *srv_api_state_name(enum srv_issue_state state)
{
	return (unsigned)state < sizeof(k_states) / sizeof(k_states[0]) ? k_states[state] : "open";
}

/* text, or JSON null for NULL */
static json_t *text_or_null(const char *text)
{
	return text != NULL ? srv_json_text(text) : json_null();
}

static json_t *issue_object(const struct srv_issue *i)
{
	json_t *versions = json_array(), *merged = json_array(), *o;

	for (size_t k = 0; k < i->nversions; k++)
		json_array_append_new(versions, srv_json_text(i->versions[k]));
	for (size_t k = 0; k < i->nmerged; k++)
		json_array_append_new(merged, srv_json_made(json_integer((json_int_t)i->merged[k])));
	o = srv_json_made(json_pack("{s:I, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:o, s:I, s:o, s:o}", "id",
			      (json_int_t)i->id, "fingerprint", srv_json_text(i->fingerprint), "kind", srv_json_text(i->kind),
			      "title", srv_json_text(i->title), "count", (json_int_t)i->count, "devices",
			      (json_int_t)i->devices, "first_seen", (json_int_t)i->first_seen, "last_seen",
			      (json_int_t)i->last_seen, "versions", versions, "latest_trace", (json_int_t)i->latest_trace,
			      "merged", merged, "split_from",
			      i->split_from != 0 ? srv_json_made(json_integer((json_int_t)i->split_from)) : json_null()));
	json_object_set_new(o, "state", json_string(srv_api_state_name(i->state)));
	json_object_set_new(o, "resolved_in", text_or_null(i->resolved_in));
	json_object_set_new(o, "state_why", text_or_null(i->state_why));
	json_object_set_new(o, "state_at", i->state_at != 0 ? json_integer((json_int_t)i->state_at) : json_null());
	return o;
}

/* Where reprocessing stands (docs/ANALYSIS.md, When fingerprints change), for GET issues: null when it does not
 * run. */
static json_t *reprocessing_object(const struct srv_reprocessing *r)
{
	static const char *const k_phases[] = {"", "analysing", "regrouping", "regrouping"};

	if (r->phase == SRV_REPROCESS_NONE)
		return json_null();
	return srv_json_made(json_pack("{s:i, s:i, s:s, s:I, s:I, s:I}", "from", r->from, "to", r->to, "phase",
				       k_phases[r->phase], "done", (json_int_t)r->done, "total", (json_int_t)r->total,
				       "started", (json_int_t)r->started));
}

static void add_issue(const struct srv_issue *i, void *ctx)
{
	json_array_append_new(ctx, issue_object(i));
}

static void keep_issue(const struct srv_issue *i, void *ctx)
{
	*(json_t **)ctx = issue_object(i);
}

/* A trace as JSON text around its stored report, which goes in as it is. Nothing else needs escaping: the other
 * members are integers and the device's serial, checked to be of the serial characters only. NULL (and a message
 * on stderr) when what is stored is damaged. */
static void trace_text(const struct srv_trace_row *t, void *ctx)
{
	static const char k_format[] = "{\"id\":%lld,\"issue\":%lld,\"device\":\"%s\",\"message\":%lld,"
				       "\"received\":%lld,\"report\":%s}";
	char **out = ctx;
	int len;

	if (t->device == NULL || !ff_device_serial_valid(t->device, strlen(t->device)) || t->report == NULL ||
	    t->report[0] != '{') {
		fprintf(stderr, "faultline-server: trace %lld: its stored device serial or report is damaged\n",
			(long long)t->id);
		return;
	}
	len = snprintf(NULL, 0, k_format, (long long)t->id, (long long)t->issue, t->device, (long long)t->message,
		       (long long)t->received, t->report);
	*out = srv_malloc((size_t)len + 1);
	snprintf(*out, (size_t)len + 1, k_format, (long long)t->id, (long long)t->issue, t->device,
		 (long long)t->message, (long long)t->received, t->report);
}

/* A listing in pages by id, GET NAME[?after=ID&limit=N]: list(st, after, limit, array, out_more) fills the page;
 * the answer is {NAME: [...], "next": the last id when more follow, else null}, and for issues "reprocessing". */
static void id_pages(struct srv_answer *out, struct srv_store *st, const char *name, const char *after,
		     const char *limit_text, int (*list)(struct srv_store *st, int64_t after, int limit, json_t *array,
							 bool *out_more))
{
	int limit = page_limit(limit_text), rc;
	struct srv_reprocessing r = {0};
	bool more = false, issues = strcmp(name, "issues") == 0;
	json_t *array, *last, *answer;

	if (limit == 0) {
		srv_api_error(out, 400, "bad_request", "limit is a number from 1 to 500");
		return;
	}
	if (after != NULL && parse_id(after, NULL) == 0 && strcmp(after, "0") != 0) {
		srv_api_error(out, 400, "bad_request", "after is an id of the listing, or 0");
		return;
	}
	array = json_array();
	srv_store_lock(st);
	rc = list(st, after != NULL ? parse_id(after, NULL) : 0, limit, array, &more);
	if (rc == 0 && issues)
		rc = st->ops->reprocess_status(st, &r);
	srv_store_unlock(st);
	if (rc != 0) {
		json_decref(array);
		srv_api_store_error(out, st);
		return;
	}
	last = more ? json_object_get(json_array_get(array, json_array_size(array) - 1), "id") : NULL;
	answer = srv_json_made(json_pack("{s:o, s:O?}", name, array, "next", last));
	if (issues)
		json_object_set_new(answer, "reprocessing", reprocessing_object(&r));
	srv_api_json(out, 200, answer);
}

static int list_issues(struct srv_store *st, int64_t after, int limit, json_t *array, bool *out_more)
{
	return st->ops->issues(st, after, limit, add_issue, array, out_more);
}

/* The daily counts of a listing's issues (GET issues?days=N): each issue's last N days (today included, UTC), oldest
 * first, one number a day. */
struct daily {
	json_t *counts;
	int64_t first_day;
};

static void add_day(int64_t day, int64_t messages, void *ctx)
{
	struct daily *d = ctx;

	json_array_set_new(d->counts, (size_t)(day - d->first_day), json_integer((json_int_t)messages));
}

static int issue_daily(struct srv_store *st, json_t *issue, int days, int64_t today)
{
	struct daily d = {json_array(), today - days + 1};

	for (int k = 0; k < days; k++)
		json_array_append_new(d.counts, json_integer(0));
	json_object_set_new(issue, "daily", d.counts);
	return st->ops->issue_days(st, json_integer_value(json_object_get(issue, "id")), d.first_day, add_day, &d);
}

/* A number argument: absent gives dflt; below lo or above hi (or not a number) -1. */
static int64_t number_arg(const char *text, int64_t dflt, int64_t lo, int64_t hi)
{
	int64_t n;

	if (text == NULL)
		return dflt;
	n = strcmp(text, "0") == 0 ? 0 : parse_id(text, NULL);
	if ((n == 0 && strcmp(text, "0") != 0) || n < lo || n > hi)
		return -1;
	return n;
}

/* GET issues?state=S&version=V&hw=H&sort=K&offset=N&limit=N&days=D: the issues a filter selects, sorted, a page
 * at an offset, with the total (docs/API.md). */
static void issue_list(struct srv_answer *out, struct srv_store *st,
		       const char *(*arg)(void *actx, const char *name), void *actx)
{
	static const char *const k_sorts[] = {[SRV_SORT_ID] = "id", [SRV_SORT_DEVICES] = "devices",
					      [SRV_SORT_COUNT] = "count", [SRV_SORT_LAST_SEEN] = "last_seen"};
	struct srv_issue_filter f = {.state = -1, .sw_version = arg(actx, "version"), .hw_version = arg(actx, "hw")};
	const char *state = arg(actx, "state"), *sort = arg(actx, "sort");
	int64_t days = number_arg(arg(actx, "days"), 0, 1, 90), total = 0;
	int sorted = sort == NULL ? SRV_SORT_ID : -1;
	json_t *list, *answer;
	size_t n;
	int rc;

	f.limit = page_limit(arg(actx, "limit"));
	f.offset = number_arg(arg(actx, "offset"), 0, 0, INT64_MAX / 2);
	for (int k = 0; state != NULL && k < 3; k++)
		if (strcmp(state, srv_api_state_name((enum srv_issue_state)k)) == 0)
			f.state = k;
	for (int k = 0; sort != NULL && k < (int)(sizeof(k_sorts) / sizeof(k_sorts[0])); k++)
		if (strcmp(sort, k_sorts[k]) == 0)
			sorted = k;
	if (f.limit == 0 || f.offset < 0 || days < 0 || (state != NULL && f.state < 0 && strcmp(state, "any") != 0) ||
	    sorted < 0) {
		srv_api_error(out, 400, "bad_request", "state is open, resolved, muted or any; sort is id, devices, count "
			      "or last_seen; offset a number from 0; limit from 1 to 500; days from 1 to 90");
		return;
	}
	f.sort = (enum srv_issue_sort)sorted;
	list = json_array();
	srv_store_lock(st);
	rc = st->ops->issue_list(st, &f, add_issue, list, &total);
	for (n = 0; rc == 0 && days > 0 && n < json_array_size(list); n++)
		rc = issue_daily(st, json_array_get(list, n), (int)days, srv_now() / 86400);
	srv_store_unlock(st);
	if (rc != 0) {
		json_decref(list);
		srv_api_store_error(out, st);
		return;
	}
	answer = json_pack("{s:o, s:I, s:I}", "issues", list, "total", (json_int_t)total, "offset", (json_int_t)f.offset);
	json_object_set_new(answer, "next_offset", f.offset + (int64_t)json_array_size(list) < total
							   ? json_integer((json_int_t)(f.offset + json_array_size(list)))
							   : json_null());
	srv_api_json(out, 200, answer);
}

static void add_issue_trace(const struct srv_issue_trace *t, void *ctx)
{
	json_array_append_new(ctx, srv_json_made(json_pack("{s:I, s:I, s:o, s:o, s:o}", "id", (json_int_t)t->id,
							   "received", (json_int_t)t->received, "device",
							   srv_json_text(t->device), "sw_version",
							   srv_json_text(t->sw_version), "hw_version",
							   srv_json_text(t->hw_version))));
}

static void add_issue_device(const struct srv_issue_device *d, void *ctx)
{
	json_array_append_new(ctx, srv_json_made(json_pack("{s:o, s:I}", "serial", srv_json_text(d->serial), "messages",
							   (json_int_t)d->messages)));
}

/* GET issues/{id}/traces?before=ID&offset=N&limit=N or issues/{id}/devices?offset=N&limit=N: a page of an issue's
 * traces (newest first; below trace ID, with the next page's before) or devices (most messages first), with the
 * total. */
static void issue_part(struct srv_answer *out, struct srv_store *st, int64_t id, const char *part,
		       const char *(*arg)(void *actx, const char *name), void *actx)
{
	int64_t offset = number_arg(arg(actx, "offset"), 0, 0, INT64_MAX / 2), total = 0;
	int64_t before = number_arg(arg(actx, "before"), 0, 0, INT64_MAX / 2); /* (0: from the newest) */
	int limit = page_limit(arg(actx, "limit")), rc;
	bool traces = strcmp(part, "traces") == 0;
	json_t *issue = NULL, *list, *answer, *last;

	if (!traces && strcmp(part, "devices") != 0) {
		srv_api_error(out, 404, "not_found", "no such endpoint");
		return;
	}
	if (limit == 0 || offset < 0 || before < 0) {
		srv_api_error(out, 400, "bad_request", "offset is a number from 0; before a trace id; limit from 1 to 500");
		return;
	}
	list = json_array();
	srv_store_lock(st);
	rc = id > 0 ? st->ops->issue(st, id, keep_issue, &issue) : SRV_NONE;
	if (rc == 0 && issue != NULL)
		id = json_integer_value(json_object_get(issue, "id")); /* a merged issue's id: the one it leads to */
	if (rc == 0 && traces)
		rc = st->ops->issue_traces(st, id, before, offset, limit + 1, add_issue_trace, list, &total);
	else if (rc == 0)
		rc = st->ops->issue_devices(st, id, offset, limit, add_issue_device, list, &total);
	srv_store_unlock(st);
	json_decref(issue);
	if (rc != 0) {
		json_decref(list);
		if (rc == SRV_NONE)
			srv_api_error(out, 404, "not_found", "no such issue");
		else
			srv_api_store_error(out, st);
		return;
	}
	/* traces: one more than the page was read, to say whether a next one follows (and from where) */
	last = NULL;
	if (traces && json_array_size(list) > (size_t)limit) {
		json_array_remove(list, (size_t)limit);
		last = json_object_get(json_array_get(list, (size_t)limit - 1), "id");
	}
	answer = srv_json_made(json_pack("{s:I, s:o, s:I, s:I}", "issue", (json_int_t)id, part, list, "total",
					 (json_int_t)total, "offset", (json_int_t)offset));
	if (traces)
		json_object_set_new(answer, "next_before", last != NULL ? json_integer(json_integer_value(last)) : json_null());
	srv_api_json(out, 200, answer);
}

static void add_quarantined(const struct srv_quarantined *q, void *ctx)
{
	json_array_append_new(ctx, srv_json_made(json_pack("{s:I, s:o, s:I, s:o, s:i, s:o}", "id", (json_int_t)q->id, "device",
						  srv_json_text(q->device), "received", (json_int_t)q->received,
						  "build_id", srv_json_text(q->build_id), "failures", q->failures,
						  "reason", srv_json_text(q->reason))));
}

static int list_quarantined(struct srv_store *st, int64_t after, int limit, json_t *array, bool *out_more)
{
	return st->ops->quarantined(st, after, limit, add_quarantined, array, out_more);
}

/* GET issues/{id}: the issue and its latest trace (the trace as its text goes in before the closing brace); for the
 * id of an issue merged into another, that one, saying so */
static void issue(struct srv_answer *out, struct srv_store *st, int64_t id, const char *days_text)
{
	int64_t days = number_arg(days_text, 0, 1, 90);
	json_t *issue = NULL;
	char *head, *trace = NULL;
	size_t len;
	int rc;

	if (days < 0) {
		srv_api_error(out, 400, "bad_request", "days is a number from 1 to 90");
		return;
	}
	srv_store_lock(st);
	rc = id > 0 ? st->ops->issue(st, id, keep_issue, &issue) : SRV_NONE;
	if (rc == 0 && days > 0)
		rc = issue_daily(st, issue, (int)days, srv_now() / 86400);
	if (rc == 0)
		rc = st->ops->trace(st, json_integer_value(json_object_get(issue, "latest_trace")), trace_text, &trace);
	srv_store_unlock(st);
	if (rc < 0 || (issue != NULL && rc == 0 && trace == NULL)) {
		json_decref(issue);
		srv_api_store_error(out, st);
		return;
	}
	if (issue == NULL) {
		srv_api_error(out, 404, "not_found", "no such issue");
		return;
	}
	if (json_integer_value(json_object_get(issue, "id")) != id)
		json_object_set_new(issue, "redirected_from", srv_json_made(json_integer((json_int_t)id)));
	head = json_dumps(issue, JSON_COMPACT);
	json_decref(issue);
	if (head == NULL)
		abort();
	len = strlen(head) + strlen(",\"trace\":}") + (trace != NULL ? strlen(trace) : 4) + 1;
	out->body = srv_malloc(len);
	snprintf(out->body, len, "%.*s,\"trace\":%s}", (int)strlen(head) - 1, head, trace != NULL ? trace : "null");
	out->len = strlen(out->body);
	out->status = 200;
	out->type = "application/json";
	free(head);
	free(trace);
}

/* One change of the issue workflow, run by the store's writer. */
struct state_change {
	int64_t id, now;
	enum srv_issue_state state;
	const char *version;
	int rc;
};

static int change_state(struct srv_store *st, void *ctx)
{
	struct state_change *c = ctx;

	c->rc = st->ops->issue_state(st, c->id, c->state, c->version, c->now);
	return c->rc < 0 ? -1 : 0;
}

void srv_api_issue_change(struct srv_answer *out, struct srv_store *st, int64_t id, const char *action,
			  const char *version)
{
	struct state_change c = {.id = id, .now = srv_now(), .version = version};
	json_t *issue = NULL;
	int rc;

	if (strcmp(action, "resolve") == 0)
		c.state = SRV_ISSUE_RESOLVED;
	else if (strcmp(action, "mute") == 0)
		c.state = SRV_ISSUE_MUTED;
	else if (strcmp(action, "reopen") == 0)
		c.state = SRV_ISSUE_OPEN;
	else {
		srv_api_error(out, 404, "not_found", "no such endpoint: an issue's actions are resolve, mute and reopen");
		return;
	}
	if (c.state != SRV_ISSUE_RESOLVED) {
		c.version = NULL;
	} else if (version == NULL || !srv_api_version_valid(version)) {
		srv_api_error(out, 400, "bad_version", "resolving names the version with the fix: 1 to 64 bytes of "
			      "UTF-8 text without control characters (\"in\": \"1.4.3\")");
		return;
	}
	if (id > 0 && srv_store_group_run(st, change_state, &c) != 0) {
		srv_api_store_error(out, st);
		return;
	}
	if (id <= 0 || c.rc == SRV_NONE) {
		srv_api_error(out, 404, "not_found", "no such issue");
		return;
	}
	srv_store_lock(st);
	rc = st->ops->issue(st, id, keep_issue, &issue);
	srv_store_unlock(st);
	if (rc != 0 || issue == NULL) {
		json_decref(issue);
		srv_api_store_error(out, st);
		return;
	}
	srv_api_json(out, 200, issue);
}

bool srv_api_version_valid(const char *v)
{
	return srv_api_text_valid(v, 64);
}

bool srv_api_text_valid(const char *v, size_t max)
{
	size_t n = strlen(v);
	json_t *j;

	if (n == 0 || n > max)
		return false;
	for (size_t k = 0; k < n; k++)
		if ((unsigned char)v[k] < 0x20 || v[k] == 0x7f)
			return false;
	if ((j = json_string(v)) == NULL) /* not UTF-8 */
		return false;
	json_decref(j);
	return true;
}

bool srv_api_post(struct srv_answer *out, struct srv_store *st, const char *path, const char *body, size_t len)
{
	const char *tail = under(path, "issues"), *slash = tail != NULL ? strchr(tail, '/') : NULL;
	json_t *j = NULL;
	json_error_t jerr;

	if (srv_api_ota_post(out, st, path, body, len))
		return true;
	if (slash == NULL || parse_id(tail, slash) == 0)
		return false;
	if (len > 0 && ((j = json_loadb(body, len, 0, &jerr)) == NULL || !json_is_object(j))) {
		json_decref(j);
		srv_api_error(out, 400, "bad_request", "the body is a JSON object: {\"in\": \"VERSION\"} to resolve");
		return true;
	}
	if (j != NULL && json_object_get(j, "in") != NULL && !json_is_string(json_object_get(j, "in"))) {
		json_decref(j);
		srv_api_error(out, 400, "bad_version", "\"in\" is the version with the fix, a string");
		return true;
	}
	srv_api_issue_change(out, st, parse_id(tail, slash), slash + 1, json_string_value(json_object_get(j, "in")));
	json_decref(j);
	return true;
}

/* GET traces/{id} */
static void trace(struct srv_answer *out, struct srv_store *st, int64_t id)
{
	char *text = NULL;
	int rc;

	srv_store_lock(st);
	rc = id > 0 ? st->ops->trace(st, id, trace_text, &text) : SRV_NONE;
	srv_store_unlock(st);
	if (rc == SRV_NONE) {
		srv_api_error(out, 404, "not_found", "no such trace");
		return;
	}
	if (rc != 0 || text == NULL) {
		srv_api_store_error(out, st);
		return;
	}
	*out = (struct srv_answer){200, text, strlen(text), "application/json"};
}

/* GET traces/{id}/core: the ELF core built from the trace's stored message (for GDB) */
static void trace_core(struct srv_answer *out, struct srv_store *st, int64_t id)
{
	struct ff_message m = {0};
	struct ff_error err = {0};
	uint8_t *bytes = NULL, *core = NULL;
	size_t len = 0, core_len = 0;
	int rc;

	srv_store_lock(st);
	rc = st->ops->trace_message(st, id, &bytes, &len);
	srv_store_unlock(st);
	if (rc == SRV_NONE) {
		srv_api_error(out, 404, "not_found", "no such trace");
		return;
	}
	if (rc != 0) {
		srv_api_store_error(out, st);
		return;
	}
	rc = ff_message_parse(&m, bytes, len, &err);
	if (rc == 0)
		rc = fa_core_build(&core, &core_len, &m, &err);
	ff_message_free(&m);
	free(bytes);
	if (rc != 0) {
		srv_api_error(out, 500, "core_error", err.msg);
		return;
	}
	*out = (struct srv_answer){200, (char *)core, core_len, "application/x-elf-core"};
}

static void add_device(const struct srv_device *d, void *ctx)
{
	json_array_append_new(ctx, srv_json_made(json_pack("{s:o, s:I, s:I, s:I}", "serial", srv_json_text(d->serial), "first_seen",
					     (json_int_t)d->first_seen, "last_seen", (json_int_t)d->last_seen, "messages",
					     (json_int_t)d->messages)));
}

/* GET devices?after=SERIAL&limit=N */
static void devices(struct srv_answer *out, struct srv_store *st, const char *after, const char *limit_text)
{
	int limit = page_limit(limit_text), rc;
	json_t *list, *last;

	if (limit == 0) {
		srv_api_error(out, 400, "bad_request", "limit is a number from 1 to 500");
		return;
	}
	list = json_array();
	srv_store_lock(st);
	rc = st->ops->devices(st, after, limit, add_device, list);
	srv_store_unlock(st);
	if (rc != 0) {
		json_decref(list);
		srv_api_store_error(out, st);
		return;
	}
	last = json_array_size(list) == (size_t)limit ? json_object_get(json_array_get(list, limit - 1), "serial") : NULL;
	srv_api_json(out, 200, json_pack("{s:o, s:O?}", "devices", list, "next", last));
}

/* A device's history, gathered as JSON. */
struct history {
	json_t *device, *reboots, *traces, *waiting;
};

static void history_device(const struct srv_device *d, void *ctx)
{
	((struct history *)ctx)->device = srv_json_made(json_pack("{s:o, s:I, s:I}", "serial", srv_json_text(d->serial), "first_seen",
							 (json_int_t)d->first_seen, "last_seen", (json_int_t)d->last_seen));
}

static void history_reboot(const struct srv_reboot *r, void *ctx)
{
	json_array_append_new(((struct history *)ctx)->reboots,
			      srv_json_made(json_pack("{s:I, s:i, s:I}", "boot_id", (json_int_t)r->boot_id, "reason", r->reason,
					     "received", (json_int_t)r->received)));
}

static void history_trace(const struct srv_device_trace *t, void *ctx)
{
	json_array_append_new(((struct history *)ctx)->traces,
			      srv_json_made(json_pack("{s:I, s:I, s:o, s:I}", "id", (json_int_t)t->id, "issue", (json_int_t)t->issue,
					     "sw_version", srv_json_text(t->sw_version), "received", (json_int_t)t->received)));
}

static void history_waiting(const char *build_id, void *ctx)
{
	json_array_append_new(((struct history *)ctx)->waiting, srv_json_text(build_id));
}

/* GET devices/{serial} */
static void device(struct srv_answer *out, struct srv_store *st, const char *serial)
{
	struct history h = {NULL, json_array(), json_array(), json_array()};
	const struct srv_device_visit v = {history_device, history_reboot, history_trace, history_waiting, &h};
	int rc;

	if (!ff_device_serial_valid(serial, strlen(serial))) {
		rc = 1;
		srv_api_error(out, 400, "bad_serial", "a device serial is 1..64 characters of A-Z a-z 0-9 . _ : -");
	} else {
		srv_store_lock(st);
		rc = st->ops->device_history(st, serial, &v);
		srv_store_unlock(st);
		if (rc == SRV_NONE)
			srv_api_error(out, 404, "not_found", "no such device");
		else if (rc != 0)
			srv_api_store_error(out, st);
	}
	if (rc != 0) {
		json_decref(h.device);
		json_decref(h.reboots);
		json_decref(h.traces);
		json_decref(h.waiting);
		return;
	}
	json_object_set_new(h.device, "reboots", h.reboots);
	json_object_set_new(h.device, "traces", h.traces);
	json_object_set_new(h.device, "waiting_for_symbols", h.waiting);
	srv_api_json(out, 200, h.device);
}

static void add_symbol_file(const struct srv_symbol_file *f, void *ctx)
{
	json_array_append_new(json_object_get(ctx, "symbols"),
			      srv_json_made(json_pack("{s:o, s:I, s:I}", "build_id", srv_json_text(f->build_id), "size",
						      (json_int_t)f->size, "uploaded", (json_int_t)f->uploaded)));
}

static void add_symbol_wait(const struct srv_symbol_wait *w, void *ctx)
{
	json_array_append_new(json_object_get(ctx, "waiting"),
			      srv_json_made(json_pack("{s:o, s:I, s:I, s:I}", "build_id", srv_json_text(w->build_id),
						      "messages", (json_int_t)w->messages, "devices",
						      (json_int_t)w->devices, "since", (json_int_t)w->since)));
}

/* GET symbols: the uploaded files (newest first) and the builds coredumps wait for (most first), 500 of each. */
static void symbols(struct srv_answer *out, struct srv_store *st)
{
	json_t *answer = srv_json_made(json_pack("{s:[], s:[]}", "symbols", "waiting"));
	int rc;

	srv_store_lock(st);
	rc = st->ops->symbols_list(st, PAGE_MAX, add_symbol_file, add_symbol_wait, answer);
	srv_store_unlock(st);
	if (rc != 0) {
		json_decref(answer);
		srv_api_store_error(out, st);
		return;
	}
	srv_api_json(out, 200, answer);
}

/* path after "prefix/" when path starts with it, else NULL */
static const char *under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(path, prefix, n) == 0 && path[n] == '/' ? path + n + 1 : NULL;
}

void srv_api_get(struct srv_answer *out, struct srv_store *st, const char *path,
		 const char *(*arg)(void *actx, const char *name), void *actx)
{
	const char *tail, *slash;

	if (srv_api_health(out, st, path, arg, actx) || srv_api_ota_get(out, st, path)) {
		/* answered */
	} else if (strcmp(path, "issues") == 0) {
		if (arg(actx, "state") != NULL || arg(actx, "version") != NULL || arg(actx, "hw") != NULL ||
		    arg(actx, "sort") != NULL || arg(actx, "offset") != NULL || arg(actx, "days") != NULL)
			issue_list(out, st, arg, actx);
		else
			id_pages(out, st, "issues", arg(actx, "after"), arg(actx, "limit"), list_issues);
	} else if (strcmp(path, "quarantine") == 0) {
		id_pages(out, st, "quarantine", arg(actx, "after"), arg(actx, "limit"), list_quarantined);
	} else if ((tail = under(path, "issues")) != NULL) {
		slash = strchr(tail, '/');
		if (slash == NULL)
			issue(out, st, parse_id(tail, NULL), arg(actx, "days"));
		else if (parse_id(tail, slash) > 0)
			issue_part(out, st, parse_id(tail, slash), slash + 1, arg, actx);
		else
			srv_api_error(out, 404, "not_found", "no such issue");
	} else if ((tail = under(path, "traces")) != NULL) {
		slash = strchr(tail, '/');
		if (slash == NULL)
			trace(out, st, parse_id(tail, NULL));
		else if (strcmp(slash, "/core") == 0 && parse_id(tail, slash) > 0)
			trace_core(out, st, parse_id(tail, slash));
		else
			srv_api_error(out, 404, "not_found", "no such trace");
	} else if (strcmp(path, "devices") == 0) {
		devices(out, st, arg(actx, "after"), arg(actx, "limit"));
	} else if (strcmp(path, "symbols") == 0) {
		symbols(out, st);
	} else if ((tail = under(path, "devices")) != NULL) {
		device(out, st, tail);
	} else {
		srv_api_error(out, 404, "not_found", "no such endpoint");
	}
}

void srv_api_limits(struct srv_answer *out, struct srv_limits *l)
{
	struct srv_limits_config cfg = {0};
	struct srv_limits_counts n = {0};

	if (l != NULL)
		srv_limits_get(l, &cfg, &n);
	srv_api_json(out, 200, json_pack("{s:{s:I, s:I, s:I, s:I}, s:{s:I, s:I, s:I, s:I}}", "limits",
					 "new_devices_per_hour", (json_int_t)cfg.new_devices_per_hour,
					 "messages_per_device_hour", (json_int_t)cfg.messages_per_device_hour,
					 "heartbeats_per_device_hour", (json_int_t)cfg.heartbeats_per_device_hour,
					 "bytes_per_key_day", (json_int_t)cfg.bytes_per_key_day, "refused", "new_devices",
					 (json_int_t)n.new_devices, "messages", (json_int_t)n.messages, "heartbeats",
					 (json_int_t)n.heartbeats, "bytes", (json_int_t)n.bytes));
}
