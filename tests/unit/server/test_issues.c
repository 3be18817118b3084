/* SPDX-License-Identifier: Apache-2.0 */
/* The issue workflow (server/src/store_sqlite_issues.c, srv_api_issue_change and srv_api_post in api.c): resolve in
 * a version, mute, reopen; a resolved issue reopens by itself on a new trace of a later version, saying why, never
 * on an older or equal one, never when muted, never when a trace is processed again; bad requests are refused and
 * change nothing. On a real SQLite file, through the store's writer. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "api.h"
#include "server_fixture.h"
#include "store.h"

struct fixture {
	struct srv_test_store t; /* first: srv_test_teardown frees the fixture */
	int64_t dev;
	int messages;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	srv_test_store_open(&f->t, "issues");
	assert_int_equal(f->t.s->ops->device(f->t.s, "dev-1", 100, true, &f->dev, NULL), 0);
	*state = f;
	return 0;
}

/* A crash as the worker keeps it: its fingerprint, versions, device, when it was received; again: the message of
 * a trace processed again (0: a new message). */
struct crash {
	const char *fingerprint, *version, *hw;
	int64_t device, captured, again;
};

/* Keep c's trace. Returns its message; out_issue: its issue. */
static int64_t crash_is(struct fixture *f, const struct crash *c, int64_t *out_issue)
{
	struct srv_trace t = {.device = c->device != 0 ? c->device : f->dev,
			      .captured = c->captured != 0 ? c->captured : 1000 + f->messages,
			      .fingerprint = c->fingerprint != NULL ? c->fingerprint : "fp-a", .kind = "hardfault",
			      .title = "HardFault in main", .sw_version = c->version, .hw_version = c->hw,
			      .report = "{\"frames\":[]}", .analysis = 1};
	char bytes[32];
	int64_t trace;
	bool fresh;

	t.message = c->again;
	if (c->again == 0) {
		snprintf(bytes, sizeof(bytes), "message %d", f->messages++);
		assert_int_equal(f->t.s->ops->message_add(f->t.s, t.device, (const uint8_t *)bytes, strlen(bytes), 100,
							&t.message, &fresh), 0);
	}
	assert_int_equal(f->t.s->ops->trace_put(f->t.s, &t, &trace, out_issue), 0);
	return t.message;
}

/* A new message's trace of fingerprint "fp-a" from version (or the trace of message `again` processed again when
 * not 0). Returns its message. */
static int64_t crash(struct fixture *f, const char *version, int64_t again, int64_t *out_issue)
{
	return crash_is(f, &(struct crash){.version = version, .again = again}, out_issue);
}

/* POST issues/ID/ACTION with body through the API: the answer's status checked; its JSON (decref it). */
static json_t *post(struct fixture *f, int64_t id, const char *action, const char *body, unsigned want)
{
	struct srv_answer a;
	char path[64];
	json_t *j;

	snprintf(path, sizeof(path), "issues/%lld/%s", (long long)id, action);
	assert_true(srv_api_post(&a, f->t.s, path, body, strlen(body)));
	if (a.status != want)
		fail_msg("POST %s %s: %u %.*s", path, body, a.status, (int)a.len, a.body);
	j = json_loadb(a.body, a.len, 0, NULL);
	free(a.body);
	assert_non_null(j);
	return j;
}

/* The issue as GET issues/ID gives it. */
static json_t *get_issue(struct fixture *f, int64_t id)
{
	char path[64];

	snprintf(path, sizeof(path), "issues/%lld", (long long)id);
	return srv_test_get(f->t.s, path, 200);
}

static const char *member(json_t *j, const char *name)
{
	return json_string_value(json_object_get(j, name));
}

static void expect_state(struct fixture *f, int64_t id, const char *state, const char *resolved_in)
{
	json_t *j = get_issue(f, id);

	assert_string_equal(member(j, "state"), state);
	if (resolved_in != NULL)
		assert_string_equal(member(j, "resolved_in"), resolved_in);
	else
		assert_true(json_is_null(json_object_get(j, "resolved_in")));
	json_decref(j);
}

/* Resolved in 1.4.3: traces of 1.4.3, 1.4.3+build, v1.4 and 1.2 keep it resolved; processing an old trace of
 * 2.0 again (it was there before the resolve) keeps it resolved; a new one of 1.4.10 reopens it, saying why. */
static void resolved_reopens_on_a_later_version(void **state)
{
	struct fixture *f = *state;
	int64_t issue, again, same;
	json_t *j;

	again = crash(f, "2.0.0", 0, &issue);
	j = post(f, issue, "resolve", "{\"in\": \"1.4.3\"}", 200);
	assert_string_equal(member(j, "state"), "resolved");
	assert_string_equal(member(j, "resolved_in"), "1.4.3");
	assert_true(json_integer_value(json_object_get(j, "state_at")) > 0);
	assert_true(json_is_null(json_object_get(j, "state_why")));
	json_decref(j);
	crash(f, "1.4.3", 0, &same);
	crash(f, "1.4.3+b7", 0, &same);
	crash(f, "v1.4", 0, &same);
	crash(f, "1.2", 0, &same);
	crash(f, "nightly", 0, &same); /* not a version: before every version */
	crash(f, "2.0.0", again, &same); /* processed again */
	assert_int_equal(same, issue);
	expect_state(f, issue, "resolved", "1.4.3");
	crash(f, "1.4.10", 0, &same);
	j = get_issue(f, issue);
	assert_string_equal(member(j, "state"), "open");
	assert_true(json_is_null(json_object_get(j, "resolved_in")));
	assert_non_null(strstr(member(j, "state_why"), "from 1.4.10, later than 1.4.3, where it was resolved"));
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 7);
	json_decref(j);
	/* a person resolving it again clears why */
	json_decref(post(f, issue, "resolve", "{\"in\": \"1.5.0\"}", 200));
	j = get_issue(f, issue);
	assert_true(json_is_null(json_object_get(j, "state_why")));
	json_decref(j);
}

/* Muted: never reopens, whatever comes; reopen by hand makes it open again. */
static void muted_never_reopens(void **state)
{
	struct fixture *f = *state;
	int64_t issue, same;

	crash(f, "1.0.0", 0, &issue);
	json_decref(post(f, issue, "mute", "", 200));
	crash(f, "9.9.9", 0, &same);
	expect_state(f, issue, "muted", NULL);
	json_decref(post(f, issue, "reopen", "{}", 200));
	expect_state(f, issue, "open", NULL);
	json_decref(post(f, issue, "mute", "{\"in\": \"ignored\"}", 200));
	expect_state(f, issue, "muted", NULL);
}

/* Bad requests: answered with what is wrong, and the issue as it was. */
static void bad_requests_change_nothing(void **state)
{
	struct fixture *f = *state;
	char long_version[80], body[128];
	int64_t issue;
	struct srv_answer a;
	json_t *j;

	crash(f, "1.0.0", 0, &issue);
	json_decref(post(f, issue, "resolve", "{\"in\": \"1.0.0\"}", 200));
	memset(long_version, 'v', 65);
	long_version[65] = '\0';
	snprintf(body, sizeof(body), "{\"in\": \"%s\"}", long_version);
	static const char *const k_bad_versions[] = {"", "{}", "{\"in\": \"\"}", "{\"in\": 143}", "{\"in\": \"1.4\\n3\"}",
						     "{\"in\": null}"};
	for (size_t k = 0; k < sizeof(k_bad_versions) / sizeof(k_bad_versions[0]); k++) {
		j = post(f, issue, "resolve", k_bad_versions[k], 400);
		assert_string_equal(member(json_object_get(j, "error"), "code"), "bad_version");
		json_decref(j);
	}
	j = post(f, issue, "resolve", body, 400);
	assert_string_equal(member(json_object_get(j, "error"), "code"), "bad_version");
	json_decref(j);
	j = post(f, issue, "resolve", "not json", 400);
	assert_string_equal(member(json_object_get(j, "error"), "code"), "bad_request");
	json_decref(j);
	j = post(f, issue, "resolve", "[\"1.4.3\"]", 400);
	assert_string_equal(member(json_object_get(j, "error"), "code"), "bad_request");
	json_decref(j);
	j = post(f, issue, "resolve", "{\"in\": \"\\u00ff\xff\"}", 400); /* a byte that is not UTF-8 */
	json_decref(j);
	j = post(f, issue, "close", "{}", 404);
	assert_string_equal(member(json_object_get(j, "error"), "code"), "not_found");
	json_decref(j);
	j = post(f, issue + 1000, "mute", "{}", 404);
	assert_string_equal(member(json_object_get(j, "error"), "message"), "no such issue");
	json_decref(j);
	expect_state(f, issue, "resolved", "1.0.0");
	/* paths that are not an issue's action are not srv_api_post's */
	assert_false(srv_api_post(&a, f->t.s, "issues/x/mute", "", 0));
	assert_false(srv_api_post(&a, f->t.s, "issues/1", "", 0));
	assert_false(srv_api_post(&a, f->t.s, "devices/1/mute", "", 0));
}

/* The listing shows each issue's state and the version with its fix. */
static void listing_shows_states(void **state)
{
	struct fixture *f = *state;
	int64_t issue;
	json_t *j;

	crash(f, "1.0.0", 0, &issue);
	json_decref(post(f, issue, "resolve", "{\"in\": \"v1.0.1\"}", 200));
	j = srv_test_get(f->t.s, "issues", 200);
	assert_string_equal(member(json_array_get(json_object_get(j, "issues"), 0), "state"), "resolved");
	assert_string_equal(member(json_array_get(json_object_get(j, "issues"), 0), "resolved_in"), "v1.0.1");
	json_decref(j);
}

/* GET path's answer's member name (an array) as "A,B,C" of each element's member `field` (numbers or strings). */
static void listed(struct fixture *f, const char *path, const char *name, const char *field, const char *want)
{
	json_t *j = srv_test_get(f->t.s, path, 200), *e;
	char got[512] = "";
	size_t n, len = 0;

	json_array_foreach(json_object_get(j, name), n, e) {
		json_t *v = json_object_get(e, field);

		if (json_is_integer(v))
			len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%lld", n ? "," : "",
						(long long)json_integer_value(v));
		else
			len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s", n ? "," : "", json_string_value(v));
	}
	json_decref(j);
	if (strcmp(got, want) != 0)
		fail_msg("GET %s: %s is %s, expected %s", path, field, got, want);
}

/* The dashboard's listing: filtered by state, software and hardware version, sorted, in pages with the total;
 * each issue's daily counts; an issue's traces and devices, paged. */
static void listing_filters_sorts_and_pages(void **state)
{
	struct fixture *f = *state;
	int64_t a, b, c, d2, d3;
	int64_t day = 20000; /* 2024-10-04 */
	json_t *j;
	char path[128];

	assert_int_equal(f->t.s->ops->device(f->t.s, "dev-2", 100, true, &d2, NULL), 0);
	assert_int_equal(f->t.s->ops->device(f->t.s, "dev-3", 100, true, &d3, NULL), 0);
	/* a: 3 messages on 1 device (1.0, board-a); b: 2 on 2 devices (1.1, board-b), the newest; c: 1 (1.0, none) */
	crash_is(f, &(struct crash){"fp-a", "1.0", "board-a", 0, day * 86400 + 10, 0}, &a);
	crash_is(f, &(struct crash){"fp-a", "1.0", "board-a", 0, day * 86400 + 20, 0}, &a);
	crash_is(f, &(struct crash){"fp-a", "1.0", "board-a", 0, (day + 2) * 86400 + 5, 0}, &a);
	crash_is(f, &(struct crash){"fp-c", "1.0", NULL, d3, (day + 1) * 86400, 0}, &c);
	crash_is(f, &(struct crash){"fp-b", "1.1", "board-b", d2, (day + 3) * 86400, 0}, &b);
	crash_is(f, &(struct crash){"fp-b", "1.1", "board-b", d3, (day + 3) * 86400 + 1, 0}, &b);
	json_decref(post(f, c, "mute", "", 200));

	listed(f, "issues?sort=id", "issues", "id", "1,2,3");
	listed(f, "issues?sort=count", "issues", "count", "3,2,1");
	listed(f, "issues?sort=devices", "issues", "devices", "2,1,1");
	snprintf(path, sizeof(path), "issues?sort=devices");
	j = srv_test_get(f->t.s, path, 200);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(j, "issues"), 1), "id")), c);
	json_decref(j); /* a tie of devices: the newest issue first */
	listed(f, "issues?sort=last_seen", "issues", "title", "HardFault in main,HardFault in main,HardFault in main");
	listed(f, "issues?sort=last_seen", "issues", "last_seen", "1728259201,1728172805,1728086400");
	listed(f, "issues?version=1.0", "issues", "id", "1,2");
	listed(f, "issues?version=1.1&sort=count", "issues", "id", "3");
	listed(f, "issues?hw=board-a", "issues", "id", "1");
	listed(f, "issues?hw=", "issues", "id", "2");
	listed(f, "issues?state=open", "issues", "id", "1,3");
	listed(f, "issues?state=muted", "issues", "id", "2");
	listed(f, "issues?state=resolved", "issues", "id", "");
	listed(f, "issues?state=any&version=nope", "issues", "id", "");
	j = srv_test_get(f->t.s, "issues?sort=count&limit=2", 200);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 3);
	assert_int_equal(json_integer_value(json_object_get(j, "next_offset")), 2);
	json_decref(j);
	j = srv_test_get(f->t.s, "issues?sort=count&limit=2&offset=2", 200);
	assert_int_equal(json_array_size(json_object_get(j, "issues")), 1);
	assert_true(json_is_null(json_object_get(j, "next_offset")));
	json_decref(j);
	for (const char *const *bad = (const char *const[]){"issues?state=closed", "issues?sort=title", "issues?offset=-1",
							      "issues?sort=id&limit=0", "issues?days=91", "issues?days=0",
							      "issues/1/traces?offset=x", NULL};
	     *bad != NULL; bad++)
		json_decref(srv_test_get(f->t.s, *bad, 400));
	json_decref(srv_test_get(f->t.s, "issues/99/traces", 404));
	json_decref(srv_test_get(f->t.s, "issues/1/things", 404));

	/* the traces and devices of an issue, paged */
	snprintf(path, sizeof(path), "issues/%lld/traces?limit=2", (long long)a);
	listed(f, path, "traces", "received", "1728172805,1728000020");
	snprintf(path, sizeof(path), "issues/%lld/traces?limit=2&offset=2", (long long)a);
	listed(f, path, "traces", "hw_version", "board-a");
	/* pages by the last id seen: the next page's before, null on the last page */
	snprintf(path, sizeof(path), "issues/%lld/traces?limit=2", (long long)a);
	j = srv_test_get(f->t.s, path, 200);
	snprintf(path, sizeof(path), "issues/%lld/traces?limit=2&before=%lld", (long long)a,
		 (long long)json_integer_value(json_object_get(j, "next_before")));
	assert_int_equal(json_integer_value(json_object_get(j, "next_before")),
			 json_integer_value(json_object_get(json_array_get(json_object_get(j, "traces"), 1), "id")));
	json_decref(j);
	listed(f, path, "traces", "received", "1728000010");
	j = srv_test_get(f->t.s, path, 200);
	assert_true(json_is_null(json_object_get(j, "next_before")));
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 3);
	json_decref(j);
	snprintf(path, sizeof(path), "issues/%lld/traces?before=x", (long long)a);
	json_decref(srv_test_get(f->t.s, path, 400));
	snprintf(path, sizeof(path), "issues/%lld/devices", (long long)b);
	listed(f, path, "devices", "serial", "dev-2,dev-3");
	j = srv_test_get(f->t.s, path, 200);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 2);
	json_decref(j);
}

/* Daily counts: the listing's last N days, today included; days without messages are 0. A trace that moves to
 * another issue (its fingerprint changed) takes its day and hardware version with it. */
static void daily_counts_follow_the_traces(void **state)
{
	struct fixture *f = *state;
	int64_t today = time(NULL) / 86400, a, b, m;
	json_t *j, *daily;

	crash_is(f, &(struct crash){"fp-a", "1.0", "hw-x", 0, today * 86400 + 1, 0}, &a);
	crash_is(f, &(struct crash){"fp-a", "1.0", "hw-x", 0, today * 86400 + 2, 0}, &a);
	m = crash_is(f, &(struct crash){"fp-a", "1.0", "hw-y", 0, (today - 2) * 86400, 0}, &a);
	crash_is(f, &(struct crash){"fp-a", "1.0", "hw-x", 0, (today - 40) * 86400, 0}, &a);
	j = srv_test_get(f->t.s, "issues?days=3", 200);
	daily = json_object_get(json_array_get(json_object_get(j, "issues"), 0), "daily");
	assert_int_equal(json_array_size(daily), 3);
	assert_int_equal(json_integer_value(json_array_get(daily, 0)), 1);
	assert_int_equal(json_integer_value(json_array_get(daily, 1)), 0);
	assert_int_equal(json_integer_value(json_array_get(daily, 2)), 2);
	json_decref(j);
	listed(f, "issues?hw=hw-y", "issues", "id", "1");
	/* the hw-y message processed again, now of another fingerprint: it leaves issue a with its day and hardware */
	crash_is(f, &(struct crash){"fp-b", "1.0", "hw-y", 0, 0, m}, &b);
	assert_int_not_equal(a, b);
	listed(f, "issues?hw=hw-y", "issues", "id", "2");
	listed(f, "issues?hw=hw-x", "issues", "id", "1");
	j = srv_test_get(f->t.s, "issues?days=3&sort=id", 200);
	daily = json_object_get(json_array_get(json_object_get(j, "issues"), 0), "daily");
	assert_int_equal(json_integer_value(json_array_get(daily, 0)), 0);
	daily = json_object_get(json_array_get(json_object_get(j, "issues"), 1), "daily");
	assert_int_equal(json_integer_value(json_array_get(daily, 0)), 1);
	json_decref(j);
	assert_int_equal(srv_test_sql(f->t.dir, "SELECT COUNT(*) FROM issue_days WHERE messages <= 0", NULL, 0), 0);
	assert_int_equal(srv_test_sql(f->t.dir, "SELECT SUM(messages) FROM issue_hardware", NULL, 0), 4);
	srv_test_version_devices_agree(f->t.dir);
}

static void add_top(const struct srv_version_issue *i, void *ctx)
{
	char *out = ctx;

	snprintf(out + strlen(out), 128 - strlen(out), "%s%lld:%lld:%lld", out[0] != '\0' ? " " : "", (long long)i->id,
		 (long long)i->devices, (long long)i->messages);
}

/* A version's top issues ("id:devices:messages" by devices, then messages, then id): how the store answers. */
static void top_issues_are(struct fixture *f, const char *version, int limit, const char *want)
{
	char text[128] = "";

	assert_int_equal(f->t.s->ops->version_issues(f->t.s, version, limit, add_top, text), 0);
	assert_string_equal(text, want);
	srv_test_version_devices_agree(f->t.dir);
}

/* A version's top issues by devices affected, kept as traces come and move to another issue or version (retention:
 * test_retention.c). */
static void top_issues_by_devices(void **state)
{
	struct fixture *f = *state;
	int64_t dev2, dev3, a, b, c, moved;

	assert_int_equal(f->t.s->ops->device(f->t.s, "dev-2", 100, true, &dev2, NULL), 0);
	assert_int_equal(f->t.s->ops->device(f->t.s, "dev-3", 100, true, &dev3, NULL), 0);
	for (int i = 0; i < 3; i++)
		crash_is(f, &(struct crash){"fp-a", "1.0", "", 0, 0, 0}, &a);
	crash_is(f, &(struct crash){"fp-b", "1.0", "", dev2, 0, 0}, &b);
	moved = crash_is(f, &(struct crash){"fp-b", "1.0", "", dev3, 0, 0}, &b);
	crash_is(f, &(struct crash){"fp-c", "1.0", "", dev2, 0, 0}, &c);
	crash_is(f, &(struct crash){"fp-c", "1.1", "", dev3, 0, 0}, &c);
	assert_true(a == 1 && b == 2 && c == 3);
	top_issues_are(f, "1.0", 5, "2:2:2 1:1:3 3:1:1");
	top_issues_are(f, "1.0", 2, "2:2:2 1:1:3");
	top_issues_are(f, "1.1", 5, "3:1:1");
	top_issues_are(f, "2.0", 5, "");
	/* dev-3's message of fp-b processed again as fp-a: it moves from b to a; then as of another version */
	crash_is(f, &(struct crash){"fp-a", "1.0", "", dev3, 0, moved}, &a);
	top_issues_are(f, "1.0", 5, "1:2:4 2:1:1 3:1:1");
	crash_is(f, &(struct crash){"fp-a", "1.1", "", dev3, 0, moved}, &a);
	top_issues_are(f, "1.0", 5, "1:1:3 2:1:1 3:1:1");
	top_issues_are(f, "1.1", 5, "1:1:1 3:1:1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(resolved_reopens_on_a_later_version, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(top_issues_by_devices, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(muted_never_reopens, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(bad_requests_change_nothing, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(listing_shows_states, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(listing_filters_sorts_and_pages, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(daily_counts_follow_the_traces, setup, srv_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
