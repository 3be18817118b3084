/* SPDX-License-Identifier: Apache-2.0 */
/* server/src/store_sqlite_reprocess.c on a real SQLite file: when the analysis changes, stored traces are queued
 * again behind fresh messages and analysed again, then every old issue is carried over to its new fingerprint as
 * docs/ANALYSIS.md (When fingerprints change) says: it keeps its id, counts, devices, versions and seen times; an
 * issue whose traces split keeps the id for the fingerprint most of them have; of two issues that merge the older
 * survives and the other's id leads to it; a trace that cannot be analysed again keeps its old fingerprint, and its
 * issue is carried over when it can be. Steps can stop anywhere (a restart) and go on; nothing is counted twice.
 * The analysis itself is the test's: each message's new fingerprint is given (test_worker.c runs the real one). */
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
#include <sqlite3.h>

#include "server_fixture.h"
#include "store.h"

#define DEVICES 8
#define MESSAGES 16

struct fixture {
	struct srv_test_store t; /* first: srv_test_teardown frees the fixture */
	int64_t dev[DEVICES];
	const char *next[MESSAGES]; /* what the new analysis makes of message i: its fingerprint; NULL: no symbols */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	srv_test_store_open(&f->t, "reprocess");
	for (int i = 0; i < DEVICES; i++) {
		char serial[16];

		snprintf(serial, sizeof(serial), "dev-%d", i);
		assert_int_equal(f->t.s->ops->device(f->t.s, serial, 100, true, &f->dev[i], NULL), 0);
	}
	*state = f;
	return 0;
}

/* A server stopped and started again (kill -9 alike: nothing of it is told). */
static void restart(struct fixture *f)
{
	f->t.s->ops->close(f->t.s);
	srv_test_open(&f->t.s, f->t.dir);
}

static int64_t sql(struct fixture *f, const char *query)
{
	return srv_test_sql(f->t.dir, query, NULL, 0);
}

/* Message msg (of device dev) processed by analysis into fingerprint fp: its trace kept, the message done, as the
 * worker does. Returns the issue it is in. */
static int64_t put(struct fixture *f, int64_t msg, int dev, int64_t received, const char *fp, const char *version,
		   int analysis)
{
	char report[64];
	struct srv_trace t = {.message = msg, .device = f->dev[dev], .captured = received, .fingerprint = fp,
			      .kind = "bus_fault", .title = fp, .sw_version = version, .report = report,
			      .analysis = analysis};
	int64_t trace, issue;

	snprintf(report, sizeof(report), "{\"fingerprint\":{\"id\":\"%s\"}}", fp);
	assert_int_equal(f->t.s->ops->trace_put(f->t.s, &t, &trace, &issue), 0);
	assert_int_equal(f->t.s->ops->job_finish(f->t.s, msg, SRV_MSG_DONE, NULL), 0);
	return issue;
}

/* A crash from device dev received at `received`, new to the server: its message id. */
static int64_t arrive(struct fixture *f, int dev, const char *bytes, int64_t received)
{
	int64_t id;
	bool fresh;

	assert_int_equal(f->t.s->ops->message_add(f->t.s, f->dev[dev], (const uint8_t *)bytes, strlen(bytes), received, &id,
						&fresh), 0);
	assert_true(fresh);
	assert_true(id < MESSAGES);
	return id;
}

/* A crash processed by the old analysis (1); next: what analysis 2 will make of it. Returns its issue. */
static int64_t old(struct fixture *f, int dev, const char *bytes, int64_t received, const char *fp,
		   const char *version, const char *next)
{
	int64_t msg = arrive(f, dev, bytes, received);

	f->next[msg] = next;
	return put(f, msg, dev, received, fp, version, 1);
}

/* Reprocessing's steps, at most limit each, until one has nothing to do now. Returns where it stands. */
static struct srv_reprocessing steps(struct fixture *f, int limit)
{
	struct srv_reprocessing r;
	bool more = true;

	while (more)
		assert_int_equal(f->t.s->ops->reprocess_step(f->t.s, limit, &r, &more), 0);
	return r;
}

/* The claimed message analysed by analysis 2 as f->next says (no symbols: it waits for build aabb). */
static void analyse(struct fixture *f, const struct srv_job *job)
{
	char version[16], q[128];
	int dev = 0;

	snprintf(q, sizeof(q), "SELECT sw_version FROM traces WHERE message_id = %lld", (long long)job->id);
	srv_test_sql(f->t.dir, q, version, sizeof(version));
	while (f->dev[dev] != job->device)
		dev++;
	if (f->next[job->id] == NULL)
		assert_int_equal(f->t.s->ops->job_finish(f->t.s, job->id, SRV_MSG_SYMBOLS_MISSING, "aabb"), 0);
	else
		put(f, job->id, dev, job->received, f->next[job->id], version, 2);
}

/* Claim and analyse everything queued, reprocessing's too. Returns how many. */
static int analyse_all(struct fixture *f)
{
	struct srv_job job;
	int n = 0;

	while (f->t.s->ops->job_claim(f->t.s, true, &job) == 0) {
		analyse(f, &job);
		free(job.bytes);
		n++;
	}
	return n;
}

/* GET issues as "id:fingerprint:count:devices:first:last:versions" joined by ';' (into out, 1024 bytes). */
static void listing(struct fixture *f, char *out)
{
	json_t *j = srv_test_get(f->t.s, "issues?limit=500", 200), *i;
	size_t n, used = 0;

	out[0] = '\0';
	json_array_foreach(json_object_get(j, "issues"), n, i) {
		json_t *v;
		size_t k;

		used += (size_t)snprintf(out + used, 1024 - used, "%s%lld:%s:%lld:%lld:%lld:%lld:", n > 0 ? ";" : "",
					 (long long)json_integer_value(json_object_get(i, "id")),
					 json_string_value(json_object_get(i, "fingerprint")),
					 (long long)json_integer_value(json_object_get(i, "count")),
					 (long long)json_integer_value(json_object_get(i, "devices")),
					 (long long)json_integer_value(json_object_get(i, "first_seen")),
					 (long long)json_integer_value(json_object_get(i, "last_seen")));
		json_array_foreach(json_object_get(i, "versions"), k, v)
			used += (size_t)snprintf(out + used, 1024 - used, "%s%s", k > 0 ? "," : "", json_string_value(v));
	}
	json_decref(j);
}

/* GET issues/{id}: answered with issue want_id (another one when id was merged into it, saying so). */
static json_t *issue_is(struct fixture *f, int64_t id, int64_t want_id)
{
	char path[64];
	json_t *j;

	snprintf(path, sizeof(path), "issues/%lld", (long long)id);
	j = srv_test_get(f->t.s, path, 200);
	assert_int_equal(json_integer_value(json_object_get(j, "id")), want_id);
	if (id != want_id)
		assert_int_equal(json_integer_value(json_object_get(j, "redirected_from")), id);
	else
		assert_null(json_object_get(j, "redirected_from"));
	return j;
}

/* The old data of the split and merge tests, processed by analysis 1:
 *   issue 1 (fl1:a): messages 1, 2 (now fl2:p) and 3 (now fl2:q): a split, most of it p;
 *   issue 2 (fl1:b): message 4 (now fl2:q);
 *   issue 3 (fl1:c): message 5 (now fl2:q) and 6, whose trace retention deleted: 2 and 3 merge, 2 is older;
 *   issue 4 (fl1:e): message 7, whose build's symbols are gone: it cannot be analysed again. */
static void old_data(struct fixture *f)
{
	assert_int_equal(old(f, 0, "m1", 1000, "fl1:a", "1.0", "fl2:p"), 1);
	assert_int_equal(old(f, 1, "m2", 1100, "fl1:a", "1.0", "fl2:p"), 1);
	assert_int_equal(old(f, 2, "m3", 1200, "fl1:a", "1.1", "fl2:q"), 1);
	assert_int_equal(old(f, 3, "m4", 1300, "fl1:b", "1.1", "fl2:q"), 2);
	assert_int_equal(old(f, 4, "m5", 1400, "fl1:c", "1.2", "fl2:q"), 3);
	assert_int_equal(old(f, 5, "m6", 1500, "fl1:c", "1.3", "fl2:q"), 3);
	assert_int_equal(old(f, 6, "m7", 1600, "fl1:e", "1.0", NULL), 4);
	/* as retention does: the trace deleted, the message's bytes dropped, the issue's aggregates unchanged */
	assert_int_equal(sql(f, "DELETE FROM traces WHERE message_id = 6 RETURNING id"), 6);
	assert_int_equal(sql(f, "UPDATE messages SET bytes = X'', dropped = 2000 WHERE id = 6 RETURNING id"), 6);
}

#define OLD_LISTING                                                                                                \
	"1:fl1:a:3:3:1000:1200:1.0,1.1;2:fl1:b:1:1:1300:1300:1.1;3:fl1:c:2:2:1400:1500:1.2,1.3;"                   \
	"4:fl1:e:1:1:1600:1600:1.0"
/* 1 keeps its id with p, without message 3; 2 takes q and 3's messages (6's too, whose trace is gone) and 3 from 1;
 * 4 could not be analysed again: it keeps fl1:e */
#define NEW_LISTING                                                                                                \
	"1:fl2:p:2:2:1000:1100:1.0;2:fl2:q:4:4:1200:1500:1.1,1.2,1.3;4:fl1:e:1:1:1600:1600:1.0"

/* What the split and merge tests end with, and then the late symbols of issue 4: its trace (now fl2:p) carries it
 * over, into issue 1 (older). */
static void check_new_data_then_late(struct fixture *f, const struct srv_reprocessing *r)
{
	char text[1024];
	int64_t requeued = 0;
	json_t *j;

	listing(f, text);
	assert_string_equal(text, NEW_LISTING);
	assert_int_equal(r->phase, SRV_REPROCESS_NONE);
	assert_int_equal(r->from, 2);
	assert_int_equal(r->total, 6); /* the traces when it started: message 6 had none */
	assert_int_equal(r->done, 5);
	assert_int_equal(r->stale, 1);
	assert_int_equal(r->kept, 2);
	assert_int_equal(r->merged, 1);
	assert_int_equal(r->split, 0); /* q had an issue when 1 split */
	j = issue_is(f, 3, 2);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(j, "merged"), 0)), 3);
	assert_int_equal(json_integer_value(json_object_get(j, "latest_trace")), 5);
	json_decref(j);
	json_decref(issue_is(f, 1, 1));
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM issue_fingerprints WHERE issue_id = 2"), 3); /* fl1:b, fl1:c, fl2:q */
	assert_int_equal(sql(f, "SELECT state FROM messages WHERE id = 7"), SRV_MSG_SYMBOLS_MISSING);
	srv_test_version_devices_agree(f->t.dir); /* through the merge */

	f->next[7] = "fl2:p";
	assert_int_equal(f->t.s->ops->symbols_add(f->t.s, "aabb", 1, 3000), 0);
	assert_int_equal(f->t.s->ops->symbols_arrived(f->t.s, "aabb", &requeued), 0);
	assert_int_equal(requeued, 1);
	assert_int_equal(analyse_all(f), 1);
	listing(f, text);
	assert_string_equal(text, "1:fl2:p:3:3:1000:1600:1.0;2:fl2:q:4:4:1200:1500:1.1,1.2,1.3");
	json_decref(issue_is(f, 4, 1));
	/* processed again: counted nothing twice */
	assert_int_equal(put(f, 7, 6, 1600, "fl2:p", "1.0", 2), 1);
	listing(f, text);
	assert_string_equal(text, "1:fl2:p:3:3:1000:1600:1.0;2:fl2:q:4:4:1200:1500:1.1,1.2,1.3");
	srv_test_version_devices_agree(f->t.dir);
}

static void split_merge_and_a_trace_left_behind(void **state)
{
	struct fixture *f = *state;
	struct srv_reprocessing r;
	char text[1024];
	json_t *j;

	old_data(f);
	listing(f, text);
	assert_string_equal(text, OLD_LISTING);
	assert_int_equal(f->t.s->ops->reprocess_begin(f->t.s, 2, 5000, &r), 0);
	assert_int_equal(r.phase, SRV_REPROCESS_ANALYSING);
	assert_int_equal(r.from, 1);
	assert_int_equal(r.to, 2);
	assert_int_equal(r.total, 6);
	r = steps(f, 500);
	assert_int_equal(r.phase, SRV_REPROCESS_ANALYSING); /* waiting for the analyses */
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM messages WHERE state = 7"), 6);
	j = srv_test_get(f->t.s, "issues", 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "reprocessing"), "phase")), "analysing");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "reprocessing"), "total")), 6);
	json_decref(j);
	assert_int_equal(analyse_all(f), 6);
	listing(f, text);
	assert_string_equal(text, OLD_LISTING); /* analysed, not regrouped yet: each trace where it was */
	r = steps(f, 500);
	j = srv_test_get(f->t.s, "issues", 200);
	assert_true(json_is_null(json_object_get(j, "reprocessing")));
	json_decref(j);
	check_new_data_then_late(f, &r);
}

/* The same with steps of one, a restart after each step and each analysis, a claimed message left half done by
 * a restart, and every message analysed twice: the same outcome. */
static void restarts_anywhere_change_nothing(void **state)
{
	struct fixture *f = *state;
	struct srv_reprocessing r;
	struct srv_job job;
	bool more;

	old_data(f);
	assert_int_equal(f->t.s->ops->reprocess_begin(f->t.s, 2, 5000, &r), 0);
	assert_int_equal(f->t.s->ops->job_claim(f->t.s, true, &job), SRV_NONE); /* nothing queued until a step */
	for (int n = 0;; n++) {
		assert_true(n < 100);
		assert_int_equal(f->t.s->ops->reprocess_step(f->t.s, 1, &r, &more), 0);
		restart(f);
		assert_int_equal(f->t.s->ops->reprocess_begin(f->t.s, 2, 9999, &r), 0); /* goes on, not again */
		assert_int_equal(r.total, 6);
		assert_int_equal(r.started, 5000);
		assert_int_equal(f->t.s->ops->jobs_recover(f->t.s), 0);
		if (r.phase == SRV_REPROCESS_NONE)
			break;
		if (f->t.s->ops->job_claim(f->t.s, true, &job) != 0)
			continue;
		if (n % 3 == 0) { /* claimed, then the server stopped: queued for reprocessing again, not as fresh */
			free(job.bytes);
			restart(f);
			assert_int_equal(f->t.s->ops->jobs_recover(f->t.s), 0);
			assert_int_equal(sql(f, "SELECT COUNT(*) FROM messages WHERE state = 1"), 0);
			assert_int_equal(f->t.s->ops->job_claim(f->t.s, false, &job), SRV_NONE);
			assert_int_equal(f->t.s->ops->job_claim(f->t.s, true, &job), 0);
			assert_true(job.reprocess);
		}
		analyse(f, &job);
		analyse(f, &job); /* again: the same trace, counted once */
		free(job.bytes);
	}
	check_new_data_then_late(f, &r);
}

/* Crashes that arrive while reprocessing runs: one of a fingerprint an old issue's trace already has joins that
 * issue; one of a fingerprint no trace has yet opens an issue, merged into the old issue that turns out to have it
 * (the older survives); one of a crash never seen before stays an issue of its own. */
static void fresh_crashes_meanwhile(void **state)
{
	struct fixture *f = *state;
	struct srv_reprocessing r;
	struct srv_job job;
	char text[1024];
	json_t *j;

	assert_int_equal(old(f, 0, "m1", 1000, "fl1:a", "1.0", "fl2:p"), 1);
	assert_int_equal(old(f, 1, "m2", 1100, "fl1:d", "1.0", "fl2:r"), 2);
	assert_int_equal(f->t.s->ops->reprocess_begin(f->t.s, 2, 5000, &r), 0);
	r = steps(f, 500);
	assert_int_equal(f->t.s->ops->job_claim(f->t.s, true, &job), 0);
	assert_int_equal(job.id, 1);
	analyse(f, &job);
	free(job.bytes);
	assert_int_equal(put(f, arrive(f, 2, "m3", 2000), 2, 2000, "fl2:p", "1.1", 2), 1);
	assert_int_equal(put(f, arrive(f, 3, "m4", 2100), 3, 2100, "fl2:r", "1.1", 2), 3);
	assert_int_equal(put(f, arrive(f, 4, "m5", 2200), 4, 2200, "fl2:z", "1.1", 2), 4);
	j = srv_test_get(f->t.s, "issues", 200);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "reprocessing"), "done")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "reprocessing"), "total")), 2);
	json_decref(j);
	assert_int_equal(analyse_all(f), 1);
	r = steps(f, 500);
	assert_int_equal(r.phase, SRV_REPROCESS_NONE);
	assert_int_equal(r.merged, 1);
	listing(f, text);
	assert_string_equal(text, "1:fl2:p:2:2:1000:2000:1.0,1.1;2:fl2:r:2:2:1100:2100:1.0,1.1;4:fl2:z:1:1:2200:2200:1.1");
	json_decref(issue_is(f, 3, 2));
	/* and from now on, as before: each crash to the issue of its fingerprint */
	assert_int_equal(put(f, arrive(f, 5, "m6", 3000), 5, 3000, "fl2:r", "1.2", 2), 2);
}

/* An issue's workflow state as "state:resolved_in:state_why" (into out, 300 bytes). */
static void workflow(struct fixture *f, int64_t id, char *out)
{
	char path[64];
	json_t *j;

	snprintf(path, sizeof(path), "issues/%lld", (long long)id);
	j = srv_test_get(f->t.s, path, 200);
	snprintf(out, 300, "%s:%s:%s", json_string_value(json_object_get(j, "state")),
		 json_is_string(json_object_get(j, "resolved_in")) ? json_string_value(json_object_get(j, "resolved_in"))
								   : "-",
		 json_is_string(json_object_get(j, "state_why")) ? json_string_value(json_object_get(j, "state_why")) : "-");
	json_decref(j);
}

/* The workflow through a merge: a resolved survivor takes the state of an issue merged into it that was still open
 * (saying so); one that is not resolved keeps its own. */
static void merges_carry_the_workflow(void **state)
{
	struct fixture *f = *state;
	struct srv_reprocessing r;
	char text[300];
	int64_t requeued = 0;

	old_data(f);
	assert_int_equal(f->t.s->ops->issue_state(f->t.s, 2, SRV_ISSUE_RESOLVED, "1.1", 1700), 0);
	assert_int_equal(f->t.s->ops->issue_state(f->t.s, 1, SRV_ISSUE_MUTED, NULL, 1800), 0);
	assert_int_equal(f->t.s->ops->reprocess_begin(f->t.s, 2, 5000, &r), 0);
	steps(f, 500);
	assert_int_equal(analyse_all(f), 6);
	r = steps(f, 500);
	assert_int_equal(r.merged, 1); /* 3 (open) into 2 (resolved in 1.1) */
	workflow(f, 2, text);
	assert_string_equal(text, "open:-:issue 3, merged into it, was open");
	workflow(f, 1, text);
	assert_string_equal(text, "muted:-:-");
	/* the late symbols of issue 4 (open) merge it into 1 (muted): 1 stays muted */
	f->next[7] = "fl2:p";
	assert_int_equal(f->t.s->ops->symbols_add(f->t.s, "aabb", 1, 3000), 0);
	assert_int_equal(f->t.s->ops->symbols_arrived(f->t.s, "aabb", &requeued), 0);
	assert_int_equal(analyse_all(f), 1);
	json_decref(issue_is(f, 4, 1));
	workflow(f, 1, text);
	assert_string_equal(text, "muted:-:-");
}

/* Issues whose traces give fingerprints no issue has: each keeps its id for the one most of its traces have (on a
 * tie, that of its oldest trace); the others make issues split from it (which say so). */
static void splits_make_issues(void **state)
{
	struct fixture *f = *state;
	struct srv_reprocessing r;
	char text[1024];
	json_t *j;

	assert_int_equal(old(f, 0, "m1", 1000, "fl1:a", "1.0", "fl2:y"), 1);
	assert_int_equal(old(f, 1, "m2", 1100, "fl1:a", "1.0", "fl2:x"), 1);
	assert_int_equal(old(f, 2, "m3", 1200, "fl1:a", "1.0", "fl2:x"), 1);
	assert_int_equal(old(f, 3, "m4", 1300, "fl1:b", "1.0", "fl2:u"), 2);
	assert_int_equal(old(f, 4, "m5", 1400, "fl1:b", "1.0", "fl2:v"), 2);
	assert_int_equal(f->t.s->ops->issue_state(f->t.s, 1, SRV_ISSUE_MUTED, NULL, 1500), 0);
	assert_int_equal(f->t.s->ops->issue_state(f->t.s, 2, SRV_ISSUE_RESOLVED, "1.0", 1600), 0);
	assert_int_equal(f->t.s->ops->reprocess_begin(f->t.s, 2, 5000, &r), 0);
	steps(f, 500);
	assert_int_equal(analyse_all(f), 5);
	r = steps(f, 500);
	assert_int_equal(r.kept, 2);
	assert_int_equal(r.split, 2);
	assert_int_equal(r.merged, 0);
	listing(f, text);
	assert_string_equal(text, "1:fl2:x:2:2:1100:1200:1.0;2:fl2:u:1:1:1300:1300:1.0;3:fl2:y:1:1:1000:1000:1.0;"
				  "4:fl2:v:1:1:1400:1400:1.0");
	j = issue_is(f, 3, 3);
	assert_int_equal(json_integer_value(json_object_get(j, "split_from")), 1);
	json_decref(j);
	j = issue_is(f, 4, 4);
	assert_int_equal(json_integer_value(json_object_get(j, "split_from")), 2);
	json_decref(j);
	/* a split-off issue starts with its old issue's workflow state */
	workflow(f, 3, text);
	assert_string_equal(text, "muted:-:-");
	workflow(f, 4, text);
	assert_string_equal(text, "resolved:1.0:-");
	workflow(f, 2, text);
	assert_string_equal(text, "resolved:1.0:-");
	j = issue_is(f, 1, 1);
	assert_true(json_is_null(json_object_get(j, "split_from")));
	assert_int_equal(json_array_size(json_object_get(j, "merged")), 0);
	json_decref(j);
}

/* Fresh messages come first: a message queued for reprocessing is claimed only when none is queued, and only by a
 * caller that takes them. Retention that deletes the trace of one leaves it done. */
static void fresh_first_and_retention(void **state)
{
	struct fixture *f = *state;
	struct srv_reprocessing r;
	struct srv_retention did = {0};
	struct srv_job job;
	int64_t fresh;
	bool more;

	old(f, 0, "m1", 1000, "fl1:a", "1.0", "fl2:p");
	old(f, 0, "m2", 1100, "fl1:a", "1.0", "fl2:p");
	old(f, 0, "m3", 1200, "fl1:a", "1.0", "fl2:p");
	assert_int_equal(f->t.s->ops->reprocess_begin(f->t.s, 2, 5000, &r), 0);
	steps(f, 500);
	fresh = arrive(f, 1, "new", 4000);
	assert_int_equal(f->t.s->ops->job_claim(f->t.s, true, &job), 0);
	assert_int_equal(job.id, fresh);
	assert_false(job.reprocess);
	free(job.bytes);
	assert_int_equal(f->t.s->ops->job_claim(f->t.s, false, &job), SRV_NONE);
	/* the issue keeps its first (m1) and latest (m3) traces: m2's goes, and it is no longer to be reprocessed */
	assert_int_equal(f->t.s->ops->retention(f->t.s, 3000, 5000, 100, 1 << 20, &did, &more), 0);
	assert_int_equal(did.traces, 1);
	assert_int_equal(sql(f, "SELECT state FROM messages WHERE id = 2"), SRV_MSG_DONE);
	assert_int_equal(f->t.s->ops->job_claim(f->t.s, true, &job), 0);
	assert_int_equal(job.id, 1);
	assert_true(job.reprocess);
	free(job.bytes);
}

/* A server whose analysis is older than the one the database was processed by is refused, the data untouched; an
 * empty database needs no reprocessing. */
static void older_analysis_refused(void **state)
{
	struct fixture *f = *state;
	struct srv_reprocessing r;
	char text[1024];

	assert_int_equal(f->t.s->ops->reprocess_begin(f->t.s, 2, 5000, &r), 0);
	assert_int_equal(r.phase, SRV_REPROCESS_NONE); /* no traces: nothing to do */
	assert_int_equal(r.from, 2);
	put(f, arrive(f, 0, "m1", 1000), 0, 1000, "fl2:p", "1.0", 2);
	assert_int_equal(f->t.s->ops->reprocess_begin(f->t.s, 1, 6000, &r), -1);
	assert_non_null(strstr(srv_store_error(f->t.s), "processed by analysis version 2; this server's analysis is "
					      "version 1"));
	listing(f, text);
	assert_string_equal(text, "1:fl2:p:1:1:1000:1000:1.0");
	assert_int_equal(sql(f, "SELECT current FROM reprocessing"), 2);
}

/* A database as schema 12 left it (its tables of issues and traces as they were): schema 13 keeps every issue, its
 * aggregates and its fingerprint (the issue found by it), gives each trace its issue's fingerprint, kind and title,
 * of analysis 1; reprocessing then starts from there. */
static void schema_12_migrated(void **state)
{
	struct fixture *f = *state;
	char path[128], *sqlerr = NULL, text[1024];
	struct srv_reprocessing r;
	sqlite3 *db;

	f->t.s->ops->close(f->t.s);
	snprintf(path, sizeof(path), "%s/faultline.db", f->t.dir);
	remove(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db,
		"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
		"CREATE TABLE devices (id INTEGER PRIMARY KEY, serial TEXT NOT NULL UNIQUE, first_seen INTEGER NOT NULL,"
		" last_seen INTEGER NOT NULL, pending INTEGER NOT NULL DEFAULT 0, firmware_id INTEGER, firmware_at INTEGER,"
		" health_until INTEGER, health_boot INTEGER);"
		"CREATE TABLE messages (id INTEGER PRIMARY KEY, device_id INTEGER NOT NULL REFERENCES devices(id),"
		" received INTEGER NOT NULL, digest BLOB NOT NULL, bytes BLOB NOT NULL, state INTEGER NOT NULL DEFAULT 0,"
		" detail TEXT, failures INTEGER NOT NULL DEFAULT 0, build TEXT, dropped INTEGER, UNIQUE (device_id, digest));"
		"CREATE INDEX messages_state ON messages (state, failures, id);"
		"CREATE TABLE issues (id INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
		" title TEXT NOT NULL, created INTEGER NOT NULL, count INTEGER NOT NULL DEFAULT 0,"
		" devices INTEGER NOT NULL DEFAULT 0, first_seen INTEGER NOT NULL DEFAULT 0,"
		" last_seen INTEGER NOT NULL DEFAULT 0);"
		"CREATE TABLE traces (id INTEGER PRIMARY KEY, message_id INTEGER NOT NULL UNIQUE REFERENCES messages(id),"
		" device_id INTEGER NOT NULL REFERENCES devices(id), issue_id INTEGER NOT NULL REFERENCES issues(id),"
		" sw_version TEXT NOT NULL, captured INTEGER NOT NULL, report TEXT NOT NULL);"
		"CREATE INDEX traces_issue ON traces (issue_id, id);"
		"CREATE TABLE issue_devices (issue_id INTEGER NOT NULL REFERENCES issues(id), device_id INTEGER NOT NULL"
		" REFERENCES devices(id), messages INTEGER NOT NULL, PRIMARY KEY (issue_id, device_id)) WITHOUT ROWID;"
		"CREATE TABLE issue_versions (issue_id INTEGER NOT NULL REFERENCES issues(id), sw_version TEXT NOT NULL,"
		" messages INTEGER NOT NULL, first_trace INTEGER NOT NULL, PRIMARY KEY (issue_id, sw_version)) WITHOUT ROWID;"
		"CREATE INDEX traces_version ON traces (sw_version, issue_id, device_id);"
		/* (fleet health's tables, empty here, as schema 11 made them: later migrations read them) */
		"CREATE TABLE heartbeats (device_id INTEGER NOT NULL REFERENCES devices(id), boot_id INTEGER NOT NULL,"
		" uptime INTEGER NOT NULL, received INTEGER NOT NULL, at INTEGER, builtin BLOB NOT NULL, vals BLOB NOT NULL,"
		" state INTEGER NOT NULL, firmware_id INTEGER, PRIMARY KEY (device_id, boot_id, uptime)) WITHOUT ROWID;"
		"CREATE TABLE crashes (message_id INTEGER PRIMARY KEY REFERENCES messages(id), kind INTEGER NOT NULL,"
		" firmware_id INTEGER NOT NULL, at INTEGER NOT NULL);"
		"INSERT INTO devices (id, serial, first_seen, last_seen) VALUES (1, 'dev-0', 900, 900), (2, 'dev-1', 900, 900);"
		"INSERT INTO messages (id, device_id, received, digest, bytes, state) VALUES (1, 1, 900, x'01', x'aa', 2),"
		" (2, 2, 950, x'02', x'bb', 2), (3, 1, 990, x'03', x'', 2);"
		"UPDATE messages SET dropped = 2000 WHERE id = 3;"
		"INSERT INTO issues VALUES (1, 'fl1:a', 'bus_fault', 'bus_fault in f', 900, 3, 2, 900, 990),"
		" (2, 'fl1:b', 'hard_fault', 'hard_fault in g', 950, 0, 0, 0, 0);"
		"INSERT INTO traces VALUES (1, 1, 1, 1, '1.0', 900, '{}'), (2, 2, 2, 1, '1.1', 950, '{}');"
		"INSERT INTO issue_devices VALUES (1, 1, 2), (1, 2, 1);"
		"INSERT INTO issue_versions VALUES (1, '1.0', 2, 1), (1, '1.1', 1, 2);"
		"PRAGMA user_version = 12;", NULL, NULL, &sqlerr) != SQLITE_OK)
		fail_msg("%s", sqlerr);
	sqlite3_close(db);
	srv_test_open(&f->t.s, f->t.dir);
	f->dev[0] = 1;
	f->dev[1] = 2;
	assert_int_equal(sql(f, "PRAGMA user_version"), SRV_SQLITE_SCHEMA);
	listing(f, text);
	assert_string_equal(text, "1:fl1:a:3:2:900:990:1.0,1.1");
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM issue_fingerprints WHERE analysis = 1"), 2);
	assert_int_equal(sql(f, "SELECT issue_id FROM issue_fingerprints WHERE fingerprint = 'fl1:b'"), 2);
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM traces WHERE fingerprint = 'fl1:a' AND kind = 'bus_fault' AND "
			     "title = 'bus_fault in f' AND analysis = 1"), 2);
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM pragma_foreign_key_check"), 0);
	srv_test_version_devices_agree(f->t.dir);
	/* a trace of the old analysis processed again by it joins the issue it is found by, as before */
	assert_int_equal(put(f, 2, 1, 950, "fl1:a", "1.1", 1), 1);
	assert_int_equal(f->t.s->ops->reprocess_begin(f->t.s, 2, 5000, &r), 0);
	assert_int_equal(r.total, 2);
	f->next[1] = f->next[2] = "fl2:p";
	steps(f, 500);
	assert_int_equal(analyse_all(f), 2);
	r = steps(f, 500);
	assert_int_equal(r.phase, SRV_REPROCESS_NONE);
	listing(f, text);
	assert_string_equal(text, "1:fl2:p:3:2:900:990:1.0,1.1"); /* message 3's count (its trace gone) stays */
	srv_test_version_devices_agree(f->t.dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(split_merge_and_a_trace_left_behind, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(restarts_anywhere_change_nothing, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(fresh_crashes_meanwhile, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(merges_carry_the_workflow, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(splits_make_issues, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(fresh_first_and_retention, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(older_analysis_refused, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(schema_12_migrated, setup, srv_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
