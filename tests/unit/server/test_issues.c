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

#include <cmocka.h>
#include <jansson.h>

#include "api.h"
#include "server_fixture.h"
#include "store.h"

struct fixture {
	char dir[64];
	struct srv_store *s;
	int64_t dev;
	int messages;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	srv_test_dir(f->dir, sizeof(f->dir), "issues");
	srv_test_open(&f->s, f->dir);
	assert_int_equal(f->s->ops->device(f->s, "dev-1", 100, true, &f->dev, NULL), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	srv_test_remove(f->s, f->dir);
	free(f);
	return 0;
}

/* A new message's trace of fingerprint "fp-a" from version (or the trace of message `again` processed again when
 * not 0). Returns its message. */
static int64_t crash(struct fixture *f, const char *version, int64_t again, int64_t *out_issue)
{
	struct srv_trace t = {.device = f->dev, .captured = 1000 + f->messages, .fingerprint = "fp-a",
			      .kind = "hardfault", .title = "HardFault in main", .sw_version = version,
			      .report = "{\"frames\":[]}", .analysis = 1};
	char bytes[32];
	int64_t trace;
	bool fresh;

	t.message = again;
	if (again == 0) {
		snprintf(bytes, sizeof(bytes), "message %d", f->messages++);
		assert_int_equal(f->s->ops->message_add(f->s, f->dev, (const uint8_t *)bytes, strlen(bytes), 100,
							&t.message, &fresh), 0);
	}
	assert_int_equal(f->s->ops->trace_put(f->s, &t, &trace, out_issue), 0);
	return t.message;
}

/* POST issues/ID/ACTION with body through the API: the answer's status checked; its JSON (decref it). */
static json_t *post(struct fixture *f, int64_t id, const char *action, const char *body, unsigned want)
{
	struct srv_answer a;
	char path[64];
	json_t *j;

	snprintf(path, sizeof(path), "issues/%lld/%s", (long long)id, action);
	assert_true(srv_api_post(&a, f->s, path, body, strlen(body)));
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
	return srv_test_get(f->s, path, 200);
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
	assert_false(srv_api_post(&a, f->s, "issues/x/mute", "", 0));
	assert_false(srv_api_post(&a, f->s, "issues/1", "", 0));
	assert_false(srv_api_post(&a, f->s, "devices/1/mute", "", 0));
}

/* The listing shows each issue's state and the version with its fix. */
static void listing_shows_states(void **state)
{
	struct fixture *f = *state;
	int64_t issue;
	json_t *j;

	crash(f, "1.0.0", 0, &issue);
	json_decref(post(f, issue, "resolve", "{\"in\": \"v1.0.1\"}", 200));
	j = srv_test_get(f->s, "issues", 200);
	assert_string_equal(member(json_array_get(json_object_get(j, "issues"), 0), "state"), "resolved");
	assert_string_equal(member(json_array_get(json_object_get(j, "issues"), 0), "resolved_in"), "v1.0.1");
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(resolved_reopens_on_a_later_version, setup, teardown),
		cmocka_unit_test_setup_teardown(muted_never_reopens, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_requests_change_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(listing_shows_states, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
