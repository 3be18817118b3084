/* SPDX-License-Identifier: Apache-2.0 */
/* server/src/store_sqlite.c and store.c: the processing queue, what the read API answers (stored reports as they are
 * stored), and the group commit, on a real SQLite file. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <jansson.h>

#include "api.h"
#include "server_fixture.h"
#include "store.h"

struct fixture {
	struct srv_test_store t; /* first: srv_test_teardown frees the fixture */
	int64_t dev;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	srv_test_store_open(&f->t, "store");
	assert_int_equal(f->t.s->ops->device(f->t.s, "dev-1", 100, true, &f->dev, NULL), 0);
	*state = f;
	return 0;
}

static int64_t add_message(struct fixture *f, const char *bytes)
{
	int64_t id;
	bool fresh;

	assert_int_equal(f->t.s->ops->message_add(f->t.s, f->dev, (const uint8_t *)bytes, strlen(bytes), 100, &id, &fresh),
			 0);
	assert_true(fresh);
	return id;
}

/* GET path of the read API, its status checked, parsed (server_fixture.h). */
static json_t *get(struct fixture *f, const char *path, unsigned want_status)
{
	return srv_test_get(f->t.s, path, want_status);
}

/* Jobs come out oldest first, once; a stopped server's claimed jobs are queued again. */
static void queue_order_and_recovery(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_message(f, "first"), b = add_message(f, "second");
	struct srv_job job;

	assert_int_equal(f->t.s->ops->job_claim(f->t.s, true, &job), 0);
	assert_int_equal(job.id, a);
	assert_int_equal(job.device, f->dev);
	assert_memory_equal(job.bytes, "first", 5);
	assert_int_equal(job.len, 5);
	free(job.bytes);
	assert_int_equal(f->t.s->ops->job_claim(f->t.s, true, &job), 0);
	assert_int_equal(job.id, b);
	free(job.bytes);
	assert_int_equal(f->t.s->ops->job_claim(f->t.s, true, &job), SRV_NONE);
	assert_int_equal(f->t.s->ops->job_finish(f->t.s, a, SRV_MSG_DONE, NULL), 0);
	assert_int_equal(f->t.s->ops->jobs_recover(f->t.s), 0); /* b was left "processing" */
	assert_int_equal(f->t.s->ops->job_claim(f->t.s, true, &job), 0);
	assert_int_equal(job.id, b);
	free(job.bytes);
	assert_int_equal(f->t.s->ops->job_claim(f->t.s, true, &job), SRV_NONE);
}

/* A message waiting for symbols is queued again when exactly its build's symbols arrive. */
static void symbols_missing_then_arrived(void **state)
{
	struct fixture *f = *state;
	int64_t a = add_message(f, "crash"), count = -1;
	struct srv_job job;
	json_t *j, *w;

	assert_int_equal(f->t.s->ops->job_claim(f->t.s, true, &job), 0);
	free(job.bytes);
	assert_int_equal(f->t.s->ops->symbols_known(f->t.s, "aabb"), SRV_NONE);
	assert_int_equal(f->t.s->ops->job_finish(f->t.s, a, SRV_MSG_SYMBOLS_MISSING, "aabb"), 0);
	assert_int_equal(f->t.s->ops->symbols_arrived(f->t.s, "ccdd", &count), 0);
	assert_int_equal(count, 0);
	assert_int_equal(f->t.s->ops->job_claim(f->t.s, true, &job), SRV_NONE);
	j = get(f, "symbols", 200); /* the symbols page's: it waits for aabb */
	assert_int_equal(json_array_size(json_object_get(j, "symbols")), 0);
	w = json_array_get(json_object_get(j, "waiting"), 0);
	assert_string_equal(json_string_value(json_object_get(w, "build_id")), "aabb");
	assert_int_equal(json_integer_value(json_object_get(w, "messages")), 1);
	assert_int_equal(json_integer_value(json_object_get(w, "devices")), 1);
	assert_int_equal(json_integer_value(json_object_get(w, "since")), 100);
	json_decref(j);
	assert_int_equal(f->t.s->ops->symbols_add(f->t.s, "aabb", 10, 200), 0);
	assert_int_equal(f->t.s->ops->symbols_known(f->t.s, "aabb"), 0);
	assert_int_equal(f->t.s->ops->symbols_arrived(f->t.s, "aabb", &count), 0);
	assert_int_equal(count, 1);
	assert_int_equal(f->t.s->ops->job_claim(f->t.s, true, &job), 0);
	assert_int_equal(job.id, a);
	free(job.bytes);
	j = get(f, "symbols", 200);
	assert_int_equal(json_array_size(json_object_get(j, "waiting")), 0);
	w = json_array_get(json_object_get(j, "symbols"), 0);
	assert_string_equal(json_string_value(json_object_get(w, "build_id")), "aabb");
	assert_int_equal(json_integer_value(json_object_get(w, "size")), 10);
	assert_int_equal(json_integer_value(json_object_get(w, "uploaded")), 200);
	json_decref(j);
}

static void put_trace(struct fixture *f, int64_t msg, const char *fp, const char *version, int64_t captured,
		      int64_t *out_trace, int64_t *out_issue)
{
	struct srv_trace t = {.message = msg, .device = f->dev, .captured = captured, .fingerprint = fp,
			      .kind = "hardfault", .title = "HardFault in main", .sw_version = version,
			      .report = "{\"frames\":[]}"};

	assert_int_equal(f->t.s->ops->trace_put(f->t.s, &t, out_trace, out_issue), 0);
}

/* Issues group traces by fingerprint; counts, devices, versions and seen times come from the traces, so
 * processing a message again changes nothing. */
static void issues_count_each_message_once(void **state)
{
	struct fixture *f = *state;
	int64_t m1 = add_message(f, "one"), m2 = add_message(f, "two"), m3 = add_message(f, "three");
	int64_t t1, t1b, t2, t3, i1, i1b, i2, i3, dev2;
	char path[64];
	json_t *j, *issue;

	put_trace(f, m1, "fp-a", "1.0.0", 300, &t1, &i1);
	put_trace(f, m1, "fp-a", "1.0.0", 300, &t1b, &i1b); /* reprocessed */
	assert_int_equal(t1, t1b);
	assert_int_equal(i1, i1b);
	assert_int_equal(f->t.s->ops->device(f->t.s, "dev-2", 100, true, &dev2, NULL), 0);
	f->dev = dev2;
	put_trace(f, m2, "fp-a", "1.1.0", 500, &t2, &i2);
	put_trace(f, m3, "fp-b", "1.1.0", 400, &t3, &i3);
	assert_int_equal(i2, i1);
	assert_int_not_equal(i3, i1);

	j = get(f, "issues?limit=1", 200);
	assert_int_equal(json_array_size(json_object_get(j, "issues")), 1);
	issue = json_array_get(json_object_get(j, "issues"), 0);
	assert_int_equal(json_integer_value(json_object_get(issue, "count")), 2);
	assert_int_equal(json_integer_value(json_object_get(issue, "devices")), 2);
	assert_int_equal(json_integer_value(json_object_get(issue, "first_seen")), 300);
	assert_int_equal(json_integer_value(json_object_get(issue, "last_seen")), 500);
	assert_int_equal(json_array_size(json_object_get(issue, "versions")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(issue, "versions"), 1)), "1.1.0");
	assert_int_equal(json_integer_value(json_object_get(j, "next")), i1); /* a full page, and there are more */
	json_decref(j);

	j = get(f, "issues?limit=2", 200); /* a full page, and the last */
	assert_int_equal(json_array_size(json_object_get(j, "issues")), 2);
	assert_true(json_is_null(json_object_get(j, "next")));
	json_decref(j);

	snprintf(path, sizeof(path), "issues?after=%lld&limit=10", (long long)i1);
	j = get(f, path, 200);
	assert_int_equal(json_array_size(json_object_get(j, "issues")), 1);
	assert_true(json_is_null(json_object_get(j, "next")));
	json_decref(j);

	snprintf(path, sizeof(path), "issues/%lld", (long long)i1);
	j = get(f, path, 200);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "trace"), "id")), t2);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "trace"), "device")), "dev-2");
	assert_non_null(json_object_get(json_object_get(json_object_get(j, "trace"), "report"), "frames"));
	assert_null(json_object_get(json_object_get(j, "trace"), "text")); /* the CLI prints the text from the report */
	json_decref(j);
	json_decref(get(f, "issues/999", 404));
	json_decref(get(f, "traces/999", 404));
}

/* The read API puts a trace's stored report into its answers as it is stored (spacing, escapes), not parsed and
 * written again; the answers stay JSON. A damaged serial is an error, not an answer that is not JSON. */
static void trace_answers_keep_the_stored_report(void **state)
{
	static const char k_report[] = "{ \"frames\" : [ ],\n  \"notes\": \"caf\\u00e9 \\\"x\\\"\" }";
	struct fixture *f = *state;
	struct srv_trace t = {.message = add_message(f, "one"), .device = f->dev, .captured = 7, .fingerprint = "fp",
			      .kind = "hardfault", .title = "HardFault in main", .sw_version = "1.0.0",
			      .report = k_report};
	char want[256], path[64], *text;
	int64_t trace, issue, bad;
	json_t *j;

	assert_int_equal(f->t.s->ops->trace_put(f->t.s, &t, &trace, &issue), 0);
	snprintf(want, sizeof(want), "{\"id\":%lld,\"issue\":%lld,\"device\":\"dev-1\",\"message\":%lld,"
		 "\"received\":7,\"report\":%s}", (long long)trace, (long long)issue, (long long)t.message, k_report);
	snprintf(path, sizeof(path), "traces/%lld", (long long)trace);
	text = srv_test_get_text(f->t.s, path, 200);
	assert_string_equal(text, want);
	free(text);
	j = get(f, path, 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "report"), "notes")),
			    "caf\xc3\xa9 \"x\"");
	json_decref(j);
	snprintf(path, sizeof(path), "issues/%lld", (long long)issue);
	text = srv_test_get_text(f->t.s, path, 200);
	assert_non_null(strstr(text, ",\"trace\":"));
	assert_string_equal(strstr(text, ",\"trace\":") + strlen(",\"trace\":"), strcat(want, "}"));
	free(text);
	j = get(f, path, 200);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "trace"), "id")), trace);
	json_decref(j);

	assert_int_equal(f->t.s->ops->device(f->t.s, "bad\"serial", 100, true, &bad, NULL), 0);
	t.device = bad;
	t.message = add_message(f, "two");
	assert_int_equal(f->t.s->ops->trace_put(f->t.s, &t, &trace, &issue), 0);
	snprintf(path, sizeof(path), "traces/%lld", (long long)trace);
	j = get(f, path, 500); /* and "damaged" on stderr */
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "code")), "store_error");
	json_decref(j);
}

/* Text stored before it was checked (an issue titled after a Latin-1 function name, a version of the same) is
 * shown with '?' for what is not UTF-8: the issue stays in the list and can be read, nothing is dropped. */
static void stored_text_that_is_not_utf8(void **state)
{
	struct fixture *f = *state;
	struct srv_trace t = {.message = add_message(f, "one"), .device = f->dev, .captured = 7, .fingerprint = "fp",
			      .kind = "bus_fault", .title = "bus_fault in caf\xe9", .sw_version = "1.\xff",
			      .report = "{\"frames\":[]}"};
	char path[64];
	int64_t trace, issue;
	json_t *j;

	assert_int_equal(f->t.s->ops->trace_put(f->t.s, &t, &trace, &issue), 0);
	j = get(f, "issues", 200);
	assert_int_equal(json_array_size(json_object_get(j, "issues")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "issues"), 0), "title")),
			    "bus_fault in caf?");
	json_decref(j);
	snprintf(path, sizeof(path), "issues/%lld", (long long)issue);
	j = get(f, path, 200);
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "versions"), 0)), "1.?");
	json_decref(j);
	j = get(f, "devices/dev-1", 200);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "traces"), 0),
							  "sw_version")), "1.?");
	json_decref(j);
}

static void device_history(void **state)
{
	struct fixture *f = *state;
	int64_t m1 = add_message(f, "reboot"), m2 = add_message(f, "crash"), t, i;
	uint8_t *bytes;
	size_t len;
	json_t *j;

	assert_int_equal(f->t.s->ops->reboot_put(f->t.s, m1, f->dev, 7, 3, 150), 0);
	assert_int_equal(f->t.s->ops->reboot_put(f->t.s, m1, f->dev, 7, 3, 150), 0); /* once per message */
	put_trace(f, m2, "fp-a", "1.0.0", 160, &t, &i);
	j = get(f, "devices/dev-1", 200);
	assert_int_equal(json_array_size(json_object_get(j, "reboots")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(j, "reboots"), 0), "reason")),
			 3);
	assert_int_equal(json_array_size(json_object_get(j, "traces")), 1);
	json_decref(j);
	json_decref(get(f, "devices/nobody", 404));
	assert_int_equal(f->t.s->ops->trace_message(f->t.s, t, &bytes, &len), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(bytes, "crash", 5);
	free(bytes);
	assert_int_equal(f->t.s->ops->trace_message(f->t.s, t + 1, &bytes, &len), SRV_NONE);
}

/* A slot as the receiver leaves it: a partial one counts its stream in the running totals. */
static void save_slot(struct fixture *f, unsigned tag, enum ff_slot_state state, int64_t now)
{
	struct ff_slot slot = {.boot = 1, .seq = (uint16_t)tag, .total = 4, .have = 2, .state = state};

	assert_int_equal(f->t.s->ops->slot_put(f->t.s, f->dev, tag, 0, (const uint8_t *)"ab", 2), 0);
	assert_int_equal(f->t.s->ops->slot_save(f->t.s, f->dev, tag, &slot, state == FF_SLOT_PARTIAL ? 8 : 0, now), 0);
}

static void assert_pending(struct fixture *f, uint64_t want)
{
	uint64_t dev = 99, all = 99;

	assert_int_equal(f->t.s->ops->pending(f->t.s, f->dev, &dev, &all), 0);
	assert_int_equal(dev, want);
	assert_int_equal(all, want);
}

/* Partial messages not added to since the cutoff are abandoned, counted, and leave the running totals; newer ones
 * stay; delivered slots (kept to recognize late duplicates) stay until the pruning cutoff, then go with their
 * bytes. */
static void partial_messages_expire(void **state)
{
	struct fixture *f = *state;
	struct ff_slot slot;
	int64_t count = -1, pruned = -1;
	uint8_t buf[2], held[2];
	char value[32];

	save_slot(f, 0, FF_SLOT_PARTIAL, 1000);
	save_slot(f, 1, FF_SLOT_PARTIAL, 5000);
	save_slot(f, 2, FF_SLOT_DELIVERED, 1000);
	assert_pending(f, 16);
	assert_int_equal(f->t.s->ops->slots_expire(f->t.s, 2000, 0, &count, &pruned), 0);
	assert_int_equal(count, 1);
	assert_int_equal(pruned, 0);
	assert_pending(f, 8);
	assert_int_equal(f->t.s->ops->slot_load(f->t.s, f->dev, 0, &slot), SRV_NONE);
	assert_int_equal(f->t.s->ops->slot_held(f->t.s, f->dev, 0, 0, 2, buf, held), 0);
	assert_int_equal(held[0] | held[1], 0); /* its bytes went too */
	assert_int_equal(f->t.s->ops->slot_load(f->t.s, f->dev, 1, &slot), 0);
	assert_int_equal(slot.total, 4);
	assert_int_equal(f->t.s->ops->slot_load(f->t.s, f->dev, 2, &slot), 0);
	assert_int_equal(slot.state, FF_SLOT_DELIVERED);
	assert_int_equal(f->t.s->ops->slot_held(f->t.s, f->dev, 2, 0, 2, buf, held), 0);
	assert_memory_equal(buf, "ab", 2);
	assert_int_equal(f->t.s->ops->slots_expire(f->t.s, 6000, 2000, &count, &pruned), 0);
	assert_int_equal(count, 1);
	assert_int_equal(pruned, 1);
	assert_pending(f, 0);
	assert_int_equal(f->t.s->ops->slot_load(f->t.s, f->dev, 2, &slot), SRV_NONE);
	assert_int_equal(f->t.s->ops->slot_held(f->t.s, f->dev, 2, 0, 2, buf, held), 0);
	assert_int_equal(held[0] | held[1], 0);
	assert_int_equal(f->t.s->ops->meta_get(f->t.s, "partials_abandoned", value, sizeof(value)), 0);
	assert_string_equal(value, "2");
}

#define GROUP_THREADS 8
#define GROUP_REQUESTS 150

struct group_client {
	struct srv_store *s;
	int id, failed;
};

/* One request's writes: a device; every third request fails after writing. */
static int add_device(struct srv_store *s, void *ctx)
{
	const char *serial = ctx;
	int64_t id;
	int i;

	if (s->ops->device(s, serial, 1, true, &id, NULL) != 0)
		return -1;
	return sscanf(serial, "g%*d-%d", &i) == 1 && i % 3 == 0 ? srv_store_fail(s, "failing on purpose") : 0;
}

/* Requests as ingestion makes them: each adds a device in its part of the shared transaction; every third one
 * fails after writing and is undone, saying why. */
static void *group_client(void *arg)
{
	struct group_client *c = arg;

	for (int i = 0; i < GROUP_REQUESTS; i++) {
		char serial[32];
		int rc;

		snprintf(serial, sizeof(serial), "g%d-%d", c->id, i);
		rc = srv_store_group_run(c->s, add_device, serial);
		if ((rc != 0) != (i % 3 == 0) || (rc != 0 && strcmp(srv_store_error(c->s), "failing on purpose") != 0))
			c->failed++;
	}
	return NULL;
}

static void count_device(const struct srv_device *d, void *ctx)
{
	int thread, i;

	if (sscanf(d->serial, "g%d-%d", &thread, &i) == 2)
		((int *)ctx)[i % 3 == 0]++;
}

/* Threads sharing commits: every request told "stored" is stored, every failed one is gone, and only its own
 * writes went with it; a reader (srv_store_lock) in between commits what is open and goes on. */
static void group_commit_keeps_each_requests_outcome(void **state)
{
	struct fixture *f = *state;
	struct group_client c[GROUP_THREADS];
	pthread_t t[GROUP_THREADS];
	int seen[2] = {0, 0}; /* kept, undone */

	for (int i = 0; i < GROUP_THREADS; i++) {
		c[i] = (struct group_client){.s = f->t.s, .id = i};
		assert_int_equal(pthread_create(&t[i], NULL, group_client, &c[i]), 0);
	}
	for (int i = 0; i < 20; i++) /* a reader among the writers (the read API takes srv_store_lock) */
		free(srv_test_get_text(f->t.s, "devices?limit=10", 200));
	for (int i = 0; i < GROUP_THREADS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(c[i].failed, 0);
	}
	srv_store_lock(f->t.s);
	assert_int_equal(f->t.s->ops->devices(f->t.s, NULL, 100000, count_device, seen), 0);
	srv_store_unlock(f->t.s);
	assert_int_equal(seen[0], GROUP_THREADS * (GROUP_REQUESTS - (GROUP_REQUESTS + 2) / 3));
	assert_int_equal(seen[1], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(queue_order_and_recovery, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(symbols_missing_then_arrived, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(issues_count_each_message_once, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(trace_answers_keep_the_stored_report, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(stored_text_that_is_not_utf8, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(device_history, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(partial_messages_expire, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(group_commit_keeps_each_requests_outcome, setup, srv_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
