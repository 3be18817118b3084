/* SPDX-License-Identifier: Apache-2.0 */
/* server/src/store_sqlite.c: an issue's stored aggregates (equal to what schema 10 computed from its traces, kept
 * exact by reprocessing that moves messages between issues, filled by the migration) and retention (what it keeps,
 * what it drops, in steps), on a real SQLite file. The retention cutoff is a parameter: no test waits. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "api.h"
#include "server_fixture.h"
#include "store.h"

#define DAY 86400

struct fixture {
	struct srv_test_store t; /* first: srv_test_teardown frees the fixture */
	int64_t dev[3];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	srv_test_dir(f->t.dir, sizeof(f->t.dir), "retention");
	*state = f;
	return 0;
}

/* The store opened in the fixture's folder, with devices dev-0..dev-2. */
static void open_store(struct fixture *f)
{
	srv_test_open(&f->t.s, f->t.dir);
	for (int i = 0; i < 3; i++) {
		char serial[16];

		snprintf(serial, sizeof(serial), "dev-%d", i);
		assert_int_equal(f->t.s->ops->device(f->t.s, serial, 100, true, &f->dev[i], NULL), 0);
	}
}

static int setup_open(void **state)
{
	setup(state);
	open_store(*state);
	return 0;
}

/* A new message of device dev (an index into f->dev), received at `received`. */
static int64_t message(struct fixture *f, int dev, const char *bytes, int64_t received)
{
	int64_t id;
	bool fresh;

	assert_int_equal(f->t.s->ops->message_add(f->t.s, f->dev[dev], (const uint8_t *)bytes, strlen(bytes), received,
						&id, &fresh), 0);
	assert_true(fresh);
	return id;
}

/* Message msg of device dev processed into a trace of fingerprint fp (as the worker does: captured is when it was
 * received) and marked done. Returns the trace. */
static int64_t process(struct fixture *f, int64_t msg, int dev, int64_t received, const char *fp, const char *version)
{
	struct srv_trace t = {.message = msg, .device = f->dev[dev], .captured = received, .fingerprint = fp,
			      .kind = "bus_fault", .title = fp, .sw_version = version, .report = "{\"frames\":[]}"};
	int64_t trace, issue;

	assert_int_equal(f->t.s->ops->trace_put(f->t.s, &t, &trace, &issue), 0);
	assert_int_equal(f->t.s->ops->job_finish(f->t.s, msg, SRV_MSG_DONE, NULL), 0);
	return trace;
}

static int64_t sqlf(struct fixture *f, char *out, size_t cap, const char *format, ...)
	__attribute__((format(printf, 4, 5)));

/* A processed message processed again, to fingerprint fp (its device and time as stored). */
static int64_t reprocess(struct fixture *f, int64_t msg, const char *fp, const char *version)
{
	int64_t device = sqlf(f, NULL, 0, "SELECT device_id FROM messages WHERE id = %lld", (long long)msg);
	int dev = 0;

	while (f->dev[dev] != device)
		assert_true(++dev < 3);
	return process(f, msg, dev, sqlf(f, NULL, 0, "SELECT received FROM messages WHERE id = %lld", (long long)msg),
		       fp, version);
}

/* Text of issues as the read API gets them: "id:count:devices:first_seen:last_seen:latest_trace:v1,v2", joined
 * by ";". */
struct listing {
	char text[16384];
	size_t n;
};

static void list_issue(const struct srv_issue *i, void *ctx)
{
	struct listing *l = ctx;

	l->n += (size_t)snprintf(l->text + l->n, sizeof(l->text) - l->n, "%s%lld:%lld:%lld:%lld:%lld:%lld:",
				 l->n > 0 ? ";" : "", (long long)i->id, (long long)i->count, (long long)i->devices,
				 (long long)i->first_seen, (long long)i->last_seen, (long long)i->latest_trace);
	for (size_t k = 0; k < i->nversions; k++)
		l->n += (size_t)snprintf(l->text + l->n, sizeof(l->text) - l->n, "%s%s", k > 0 ? "," : "", i->versions[k]);
	assert_true(l->n < sizeof(l->text));
}

static void issues_now(struct fixture *f, struct listing *out)
{
	bool more = true;

	out->n = 0;
	out->text[0] = '\0';
	assert_int_equal(f->t.s->ops->issues(f->t.s, 0, 500, list_issue, out, &more), 0);
	assert_false(more);
}

/* The same text from schema 10's query, which computed everything from the trace rows (on a second connection). */
#define OLD_QUERY                                                                                                  \
	"SELECT COALESCE(group_concat(line, ';'), '') FROM (SELECT i.id || ':' || COUNT(t.id) || ':' || "             \
	"COUNT(DISTINCT t.device_id) || ':' || MIN(t.captured) || ':' || MAX(t.captured) || ':' || MAX(t.id) || ':' "  \
	"|| (SELECT group_concat(v, ',') FROM (SELECT DISTINCT sw_version AS v FROM traces WHERE issue_id = i.id "     \
	"ORDER BY v)) AS line FROM issues i JOIN traces t ON t.issue_id = i.id GROUP BY i.id ORDER BY i.id)"

static void issues_old_query(struct fixture *f, struct listing *out)
{
	srv_test_sql(f->t.dir, OLD_QUERY, out->text, sizeof(out->text));
	out->n = strlen(out->text);
}

static void assert_aggregates_as_computed(struct fixture *f)
{
	struct listing now, old;

	issues_now(f, &now);
	issues_old_query(f, &old);
	assert_string_equal(now.text, old.text);
	srv_test_version_devices_agree(f->t.dir);
}

static int64_t sql(struct fixture *f, const char *query, char *out, size_t cap)
{
	return srv_test_sql(f->t.dir, query, out, cap);
}

/* sql() of a query formatted printf-style. */
static int64_t sqlf(struct fixture *f, char *out, size_t cap, const char *format, ...)
{
	char q[400];
	va_list ap;

	va_start(ap, format);
	vsnprintf(q, sizeof(q), format, ap);
	va_end(ap);
	return sql(f, q, out, cap);
}

/* A fixed sequence of pseudo-random numbers, so that the test does the same each run. */
static unsigned next(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) & 0x7fff;
}

/* Messages from three devices, in four fingerprints and five versions, received out of order; then reprocessed
 * over and over, mostly moving between issues (a new fingerprint) or changing version: after every step the stored
 * aggregates are what the old query computes from the traces, and an issue whose messages all left is not shown. */
static void aggregates_match_the_old_query(void **state)
{
	static const char *const k_fp[] = {"fp-a", "fp-b", "fp-c", "fp-d"};
	static const char *const k_version[] = {"1.0", "1.1", "1.10", "1.2", "2.0"};
	struct fixture *f = *state;
	int64_t msg[60], received[60], solo, trace, shown;
	int dev[60];
	unsigned seed = 7;
	struct listing now;
	char bytes[32];

	for (int i = 0; i < 60; i++) {
		snprintf(bytes, sizeof(bytes), "message %d", i);
		dev[i] = (int)(next(&seed) % 3);
		received[i] = 1000 + (int64_t)(next(&seed) % 500); /* not in the order of the messages */
		msg[i] = message(f, dev[i], bytes, received[i]);
		process(f, msg[i], dev[i], received[i], k_fp[next(&seed) % 4], k_version[next(&seed) % 5]);
		assert_aggregates_as_computed(f);
	}
	for (int i = 0; i < 120; i++) {
		int k = (int)(next(&seed) % 60);

		process(f, msg[k], dev[k], received[k], k_fp[next(&seed) % 4], k_version[next(&seed) % 5]);
		assert_aggregates_as_computed(f);
	}
	assert_int_equal(sql(f, "SELECT SUM(count) FROM issues", NULL, 0), 60); /* each message once, wherever it is */
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM traces", NULL, 0), 60);
	/* an issue of one message, which then moves: the issue is gone from the listing, and has nothing to show */
	shown = sql(f, "SELECT COUNT(*) FROM issues WHERE count > 0", NULL, 0);
	solo = message(f, 0, "solo", 2000);
	trace = process(f, solo, 0, 2000, "fp-solo", "9.9");
	assert_aggregates_as_computed(f);
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM issues WHERE count > 0", NULL, 0), shown + 1);
	assert_int_equal(process(f, solo, 0, 2000, "fp-a", "9.9"), trace); /* its trace moves, the same row */
	assert_aggregates_as_computed(f);
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM issues WHERE count > 0", NULL, 0), shown);
	assert_int_equal(f->t.s->ops->issue(f->t.s, sql(f, "SELECT id FROM issues WHERE fingerprint = 'fp-solo'", NULL, 0),
					  list_issue, &now), SRV_NONE);
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM issue_devices d JOIN issues i ON i.id = d.issue_id "
			     "WHERE i.fingerprint = 'fp-solo'", NULL, 0), 0);
}

/* The cutoff of the retention tests: what was received before it is old. */
#define CUTOFF 2000
#define NOW (CUTOFF + 90 * DAY)

/* The retention scenario's messages and traces. */
struct scene {
	int64_t m[18], t[10];
};

/* Issue fp-a: m1 (the first received, version 1.0), m2, m3 (the first of 1.1), m4, m5 old; m6 young and its
 * latest. Issue fp-b: m7 (first), m8, m9 (its latest), all old. Around them: an old reboot (m10) and a young one
 * (m11), an old message that failed (m12), an old one waiting for symbols (m13) and a young one (m15), an old
 * quarantined one (m14), an old queued one (m16) and an old one being processed (m17). m1 is dev-0's only message. */
static void scene(struct fixture *f, struct scene *sc)
{
	static const struct {
		const char *fp, *version;
		int64_t received;
		int dev;
	} k_traces[] = {{NULL, NULL, 0, 0},
			{"fp-a", "1.0", 1000, 0}, {"fp-a", "1.0", 1100, 1}, {"fp-a", "1.1", 1200, 1},
			{"fp-a", "1.1", 1300, 2}, {"fp-a", "1.0", 1400, 1}, {"fp-a", "1.1", 5000, 2},
			{"fp-b", "2.0", 1500, 1}, {"fp-b", "2.0", 1600, 2}, {"fp-b", "2.0", 1700, 1}};
	char bytes[32];

	for (int i = 1; i <= 9; i++) {
		snprintf(bytes, sizeof(bytes), "coredump %d", i);
		sc->m[i] = message(f, k_traces[i].dev, bytes, k_traces[i].received);
		sc->t[i] = process(f, sc->m[i], k_traces[i].dev, k_traces[i].received, k_traces[i].fp,
				   k_traces[i].version);
	}
	sc->m[10] = message(f, 1, "old reboot", 1050);
	assert_int_equal(f->t.s->ops->reboot_put(f->t.s, sc->m[10], f->dev[1], 4, 3, 1050), 0);
	assert_int_equal(f->t.s->ops->job_finish(f->t.s, sc->m[10], SRV_MSG_DONE, NULL), 0);
	sc->m[11] = message(f, 1, "young reboot", 4000);
	assert_int_equal(f->t.s->ops->reboot_put(f->t.s, sc->m[11], f->dev[1], 5, 3, 4000), 0);
	assert_int_equal(f->t.s->ops->job_finish(f->t.s, sc->m[11], SRV_MSG_DONE, NULL), 0);
	sc->m[12] = message(f, 1, "undecodable", 1000);
	assert_int_equal(f->t.s->ops->job_finish(f->t.s, sc->m[12], SRV_MSG_FAILED, "not CBOR"), 0);
	sc->m[13] = message(f, 2, "waits", 1000);
	assert_int_equal(f->t.s->ops->job_finish(f->t.s, sc->m[13], SRV_MSG_SYMBOLS_MISSING, "aabb"), 0);
	sc->m[14] = message(f, 2, "kills its analysis", 1000);
	assert_int_equal(f->t.s->ops->job_failed(f->t.s, sc->m[14], SRV_MSG_QUARANTINED, "ccdd", "quarantined: ..."), 0);
	sc->m[15] = message(f, 2, "waits, young", 4500);
	assert_int_equal(f->t.s->ops->job_finish(f->t.s, sc->m[15], SRV_MSG_SYMBOLS_MISSING, "aabb"), 0);
	sc->m[16] = message(f, 2, "queued", 1000);
	sc->m[17] = message(f, 2, "processing", 1000);
	assert_int_equal(f->t.s->ops->job_finish(f->t.s, sc->m[17], SRV_MSG_PROCESSING, NULL), 0);
}

/* A run at the cutoff, from io's cursor to the end, in steps of limit messages (no limit on bytes); returns how many
 * steps it took. io: what the run did, added to it. */
static int retention_from(struct fixture *f, int limit, struct srv_retention *io)
{
	bool more = true;
	int steps = 0;

	while (more) {
		assert_int_equal(f->t.s->ops->retention(f->t.s, CUTOFF, NOW, limit, INT64_MAX, io, &more), 0);
		steps++;
		assert_true(steps < 1000);
	}
	return steps;
}

/* A whole run. out: what it did. */
static int retention_run(struct fixture *f, int limit, struct srv_retention *out)
{
	*out = (struct srv_retention){0};
	return retention_from(f, limit, out);
}

static void assert_meta(struct fixture *f, const char *key, const char *want)
{
	char value[32];

	assert_int_equal(f->t.s->ops->meta_get(f->t.s, key, value, sizeof(value)), 0);
	assert_string_equal(value, want);
}

/* The bytes a message holds: their length, or -1 when they were dropped (and then the row says when). */
static int64_t held(struct fixture *f, int64_t msg)
{
	if (sqlf(f, NULL, 0, "SELECT dropped IS NULL FROM messages WHERE id = %lld", (long long)msg) == 1)
		return sqlf(f, NULL, 0, "SELECT length(bytes) FROM messages WHERE id = %lld", (long long)msg);
	assert_int_equal(sqlf(f, NULL, 0, "SELECT dropped FROM messages WHERE id = %lld", (long long)msg), NOW);
	assert_int_equal(sqlf(f, NULL, 0, "SELECT length(bytes) FROM messages WHERE id = %lld", (long long)msg), 0);
	return -1;
}

static const char *arg_none(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return NULL;
}

/* GET traces/{trace}/core's status. */
static unsigned core_status(struct fixture *f, int64_t trace)
{
	struct srv_answer a;
	char path[64];

	snprintf(path, sizeof(path), "traces/%lld/core", (long long)trace);
	srv_api_get(&a, f->t.s, path, arg_none, NULL);
	free(a.body);
	return a.status;
}

/* Retention keeps each issue's first, latest and per-version first traces with their bytes, deletes the other old
 * traces and drops their messages' bytes (a message sent again is still known), expires old messages that wait,
 * leaves the queue alone, deletes old reboot events, counts all that, and changes no issue's aggregates. */
static void retention_keeps_what_issues_need(void **state)
{
	struct fixture *f = *state;
	struct scene sc;
	struct srv_retention did;
	struct listing before, after;
	char text[400], want[64];
	uint8_t *bytes;
	size_t len;
	int64_t id, count;
	bool fresh;

	scene(f, &sc);
	issues_now(f, &before);
	assert_int_equal(retention_run(f, 10000, &did), 1);
	issues_now(f, &after);
	assert_string_equal(after.text, before.text);
	/* fp-a: m1 (first, and 1.0's first), m3 (1.1's first), m6 (latest); fp-b: m7 (first, 2.0's first), m9 (latest) */
	sql(f, "SELECT group_concat(id) FROM (SELECT id FROM traces ORDER BY id)", text, sizeof(text));
	snprintf(want, sizeof(want), "%lld,%lld,%lld,%lld,%lld", (long long)sc.t[1], (long long)sc.t[3],
		 (long long)sc.t[6], (long long)sc.t[7], (long long)sc.t[9]);
	assert_string_equal(text, want);
	for (int i = 1; i <= 9; i++) {
		bool kept = i == 1 || i == 3 || i == 6 || i == 7 || i == 9;

		assert_int_equal(held(f, sc.m[i]) > 0, kept);
		assert_int_equal(core_status(f, sc.t[i]) == 404, !kept); /* kept: not 404 (these bytes are no dump) */
		if (kept) {
			assert_int_equal(f->t.s->ops->trace_message(f->t.s, sc.t[i], &bytes, &len), 0);
			snprintf(text, sizeof(text), "coredump %d", i);
			assert_int_equal(len, strlen(text));
			assert_memory_equal(bytes, text, len);
			free(bytes);
		} else {
			assert_int_equal(f->t.s->ops->trace_message(f->t.s, sc.t[i], &bytes, &len), SRV_NONE);
		}
	}
	/* a message sent again after its bytes were dropped is the same message, not a new one */
	assert_int_equal(f->t.s->ops->message_add(f->t.s, f->dev[1], (const uint8_t *)"coredump 2", 10, NOW, &id, &fresh), 0);
	assert_false(fresh);
	assert_int_equal(id, sc.m[2]);
	/* reboots: the old event went, the young one stays; their messages likewise */
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM reboots", NULL, 0), 1);
	assert_int_equal(sql(f, "SELECT boot_id FROM reboots", NULL, 0), 5);
	assert_int_equal(held(f, sc.m[10]), -1);
	assert_true(held(f, sc.m[11]) > 0);
	/* failed: bytes dropped, still failed */
	assert_int_equal(held(f, sc.m[12]), -1);
	assert_int_equal(sqlf(f, NULL, 0, "SELECT state FROM messages WHERE id = %lld", (long long)sc.m[12]),
			 SRV_MSG_FAILED);
	/* waiting and quarantined: expired, saying why, no longer queued by an upload of their build */
	assert_int_equal(held(f, sc.m[13]), -1);
	assert_int_equal(sqlf(f, NULL, 0, "SELECT state FROM messages WHERE id = %lld", (long long)sc.m[13]),
			 SRV_MSG_EXPIRED);
	sqlf(f, text, sizeof(text), "SELECT detail FROM messages WHERE id = %lld", (long long)sc.m[13]);
	assert_string_equal(text, "expired: the symbols of build aabb were not uploaded within 90 days of its arrival "
			    "(--retention-days): its bytes were dropped");
	sqlf(f, text, sizeof(text), "SELECT build FROM messages WHERE id = %lld", (long long)sc.m[13]);
	assert_string_equal(text, "aabb");
	assert_int_equal(held(f, sc.m[14]), -1);
	assert_int_equal(sqlf(f, NULL, 0, "SELECT state FROM messages WHERE id = %lld", (long long)sc.m[14]),
			 SRV_MSG_EXPIRED);
	sqlf(f, text, sizeof(text), "SELECT detail FROM messages WHERE id = %lld", (long long)sc.m[14]);
	assert_string_equal(text, "expired: still quarantined on the symbol file of build ccdd 90 days after its "
			    "arrival (--retention-days): its bytes were dropped");
	assert_int_equal(f->t.s->ops->symbols_arrived(f->t.s, "ccdd", &count), 0);
	assert_int_equal(count, 0);
	assert_int_equal(f->t.s->ops->symbols_arrived(f->t.s, "aabb", &count), 0);
	assert_int_equal(count, 1); /* the young one, m15, which holds its bytes */
	assert_true(held(f, sc.m[15]) > 0);
	/* the queue's messages keep their bytes whatever their age */
	assert_true(held(f, sc.m[16]) > 0);
	assert_true(held(f, sc.m[17]) > 0);
	assert_int_equal(sqlf(f, NULL, 0, "SELECT state FROM messages WHERE id = %lld", (long long)sc.m[17]),
			 SRV_MSG_PROCESSING);
	/* what it did, counted */
	assert_int_equal(did.messages, 8); /* m2, m4, m5, m8, m10, m12, m13, m14 */
	assert_int_equal(did.expired, 2);
	assert_int_equal(did.traces, 4);
	assert_int_equal(did.reboots, 1);
	assert_meta(f, "retention_messages", "8");
	assert_meta(f, "retention_expired", "2");
	assert_meta(f, "retention_traces", "4");
	assert_meta(f, "retention_reboots", "1");
	/* a second run at the same cutoff finds nothing more to do */
	assert_int_equal(retention_run(f, 10000, &did), 1);
	assert_int_equal(did.messages + did.traces + did.reboots, 0);
	assert_meta(f, "retention_messages", "8");
	issues_now(f, &after);
	assert_string_equal(after.text, before.text);
	srv_test_version_devices_agree(f->t.dir); /* the traces deleted counted out */
}

/* Nothing can queue a message whose bytes were dropped, so nothing claims one: the claim finds only those that
 * hold their bytes (the ones with kept traces among them, which stay reprocessable), and processing them again
 * counts nothing twice: the same fingerprint changes nothing, a new one moves the message, counted once. */
static void reprocessing_after_retention(void **state)
{
	struct fixture *f = *state;
	struct scene sc;
	struct srv_retention did;
	struct listing before, after;
	struct srv_job job;
	int64_t count, a, c;
	char want[200];

	scene(f, &sc);
	retention_run(f, 10000, &did);
	issues_now(f, &before);
	for (int i = 1; i <= 14; i++) /* every message that lost its bytes refuses the queue */
		if (held(f, sc.m[i]) < 0)
			assert_int_equal(f->t.s->ops->job_finish(f->t.s, sc.m[i], SRV_MSG_QUEUED, NULL), -1);
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM messages WHERE state = 0 AND dropped IS NOT NULL", NULL, 0), 0);
	/* every message, as a whole reprocessing would queue them (the dropped ones refuse, unchanged) */
	sql(f, "UPDATE messages SET state = 0 WHERE dropped IS NULL; SELECT 1", NULL, 0);
	count = 0;
	while (f->t.s->ops->job_claim(f->t.s, true, &job) == 0) {
		assert_true(job.len > 0);
		assert_true(held(f, job.id) > 0);
		free(job.bytes);
		count++;
	}
	assert_int_equal(count, 9); /* the kept traces' m1, m3, m6, m7, m9; the young m11 and m15; m16, m17 */
	/* the kept traces' messages processed again to the same fingerprints: nothing changes */
	reprocess(f, sc.m[1], "fp-a", "1.0");
	reprocess(f, sc.m[3], "fp-a", "1.1");
	reprocess(f, sc.m[6], "fp-a", "1.1");
	reprocess(f, sc.m[7], "fp-b", "2.0");
	reprocess(f, sc.m[9], "fp-b", "2.0");
	issues_now(f, &after);
	assert_string_equal(after.text, before.text);
	/* m1 (fp-a's first, dev-0's only message there) now fingerprints as fp-c: it moves, counted once */
	a = sql(f, "SELECT id FROM issues WHERE fingerprint = 'fp-a'", NULL, 0);
	reprocess(f, sc.m[1], "fp-c", "1.0");
	c = sql(f, "SELECT id FROM issues WHERE fingerprint = 'fp-c'", NULL, 0);
	issues_now(f, &after);
	/* fp-a: 5 messages, 2 devices; first seen now that of the first it kept (m3, 1200; m2's 1100 went with its
	 * trace), versions 1.0 (m2 and m5 still count) and 1.1 */
	snprintf(want, sizeof(want), "%lld:5:2:1200:5000:%lld:1.0,1.1", (long long)a, (long long)sc.t[6]);
	assert_non_null(strstr(after.text, want));
	snprintf(want, sizeof(want), "%lld:1:1:1000:1000:%lld:1.0", (long long)c, (long long)sc.t[1]);
	assert_non_null(strstr(after.text, want));
	assert_int_equal(sql(f, "SELECT SUM(count) FROM issues", NULL, 0), 9);
}

/* More versions than the sample holds: the first traces of the 32 newest versions are kept, with the issue's first
 * and latest, in a run of many small steps; a step stops once it dropped its bytes, its cursor there. */
static void retention_samples_the_newest_versions(void **state)
{
	struct fixture *f = *state;
	struct srv_retention did = {0};
	struct listing before, after;
	int64_t first = 0, latest = 0, sample[40], second = 0;
	bool more = false;
	char bytes[32], version[16], q[100];
	int steps;

	for (int v = 0; v < 40; v++)
		for (int k = 0; k < 2; k++) { /* two traces per version, all old */
			int64_t received = 100 + v * 10 + k, m;

			snprintf(bytes, sizeof(bytes), "dump %d.%d", v, k);
			snprintf(version, sizeof(version), "1.%02d", v);
			m = message(f, v % 3, bytes, received);
			latest = process(f, m, v % 3, received, "fp-x", version);
			if (k == 0)
				sample[v] = latest;
			if (first == 0)
				first = latest;
			else if (second == 0)
				second = m;
		}
	issues_now(f, &before);
	/* a step that may drop 1 byte: the issue's first is kept, the second message is dropped, the step ends */
	assert_int_equal(f->t.s->ops->retention(f->t.s, CUTOFF, NOW, 10000, 1, &did, &more), 0);
	assert_true(more);
	assert_int_equal(did.messages, 1);
	assert_int_equal(did.traces, 1);
	assert_int_equal(did.after_id, second);
	assert_int_equal(held(f, second), -1);
	steps = retention_from(f, 7, &did);
	assert_int_equal(steps, 12); /* the 78 after the cursor, 7 a step: the 12th sees the last one */
	assert_int_equal(did.traces, 80 - 34);
	assert_int_equal(did.messages, 80 - 34);
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM traces", NULL, 0), 34);
	assert_int_equal(sqlf(f, NULL, 0, "SELECT COUNT(*) FROM traces WHERE id = %lld", (long long)first), 1);
	assert_int_equal(sqlf(f, NULL, 0, "SELECT COUNT(*) FROM traces WHERE id = %lld", (long long)latest), 1);
	for (int v = 0; v < 40; v++) /* versions 1.08..1.39 keep their first trace; 1.00's is the issue's first */
		assert_int_equal(sqlf(f, NULL, 0, "SELECT COUNT(*) FROM traces WHERE id = %lld", (long long)sample[v]),
				 v >= 40 - SRV_RETENTION_VERSIONS || v == 0);
	for (int v = 1; v < 40 - SRV_RETENTION_VERSIONS; v++) {
		snprintf(q, sizeof(q), "SELECT COUNT(*) FROM traces WHERE sw_version = '1.%02d'", v);
		assert_int_equal(sql(f, q, NULL, 0), 0);
	}
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM messages WHERE dropped IS NULL", NULL, 0), 34);
	issues_now(f, &after);
	assert_string_equal(after.text, before.text); /* count 80, 3 devices, the 40 versions */
	assert_non_null(strstr(after.text, ":80:3:100:491:"));
}

/* A database as schema 10 left it (its tables as they were), with traces of two issues: the migration to 11 fills
 * the stored aggregates with what schema 10 computed, and trace_put goes on from there. */
static void schema_10_aggregates_filled(void **state)
{
	struct fixture *f = *state;
	char path[128], *sqlerr = NULL;
	struct listing old, now;
	struct srv_retention did;
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/faultline.db", f->t.dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db,
		"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
		"CREATE TABLE devices (id INTEGER PRIMARY KEY, serial TEXT NOT NULL UNIQUE, first_seen INTEGER NOT NULL,"
		" last_seen INTEGER NOT NULL, pending INTEGER NOT NULL DEFAULT 0);"
		"CREATE TABLE slots (device_id INTEGER NOT NULL REFERENCES devices(id), tag INTEGER NOT NULL,"
		" boot INTEGER NOT NULL, seq INTEGER NOT NULL, total INTEGER NOT NULL, state INTEGER NOT NULL,"
		" have INTEGER NOT NULL, updated INTEGER NOT NULL, high INTEGER NOT NULL DEFAULT 0,"
		" PRIMARY KEY (device_id, tag));"
		"CREATE INDEX slots_updated ON slots (state, updated);"
		"CREATE TABLE slot_bytes (device_id INTEGER NOT NULL, tag INTEGER NOT NULL, offset INTEGER NOT NULL,"
		" bytes BLOB NOT NULL, PRIMARY KEY (device_id, tag, offset)) WITHOUT ROWID;"
		"CREATE TABLE receiver (id INTEGER PRIMARY KEY CHECK (id = 1), pending INTEGER NOT NULL);"
		"INSERT INTO receiver VALUES (1, 0);"
		"CREATE TABLE messages (id INTEGER PRIMARY KEY, device_id INTEGER NOT NULL REFERENCES devices(id),"
		" received INTEGER NOT NULL, digest BLOB NOT NULL, bytes BLOB NOT NULL, state INTEGER NOT NULL DEFAULT 0,"
		" detail TEXT, failures INTEGER NOT NULL DEFAULT 0, build TEXT, UNIQUE (device_id, digest));"
		"CREATE INDEX messages_state ON messages (state, failures, id);"
		"CREATE TABLE symbols (build_id TEXT PRIMARY KEY, size INTEGER NOT NULL, uploaded INTEGER NOT NULL);"
		"CREATE TABLE issues (id INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
		" title TEXT NOT NULL, created INTEGER NOT NULL);"
		"CREATE TABLE traces (id INTEGER PRIMARY KEY, message_id INTEGER NOT NULL UNIQUE REFERENCES messages(id),"
		" device_id INTEGER NOT NULL REFERENCES devices(id), issue_id INTEGER NOT NULL REFERENCES issues(id),"
		" sw_version TEXT NOT NULL, captured INTEGER NOT NULL, report TEXT NOT NULL);"
		"CREATE INDEX traces_issue ON traces (issue_id, id);"
		"CREATE TABLE reboots (id INTEGER PRIMARY KEY, message_id INTEGER NOT NULL UNIQUE REFERENCES messages(id),"
		" device_id INTEGER NOT NULL REFERENCES devices(id), boot_id INTEGER NOT NULL, reason INTEGER NOT NULL,"
		" received INTEGER NOT NULL);"
		"INSERT INTO devices (id, serial, first_seen, last_seen) VALUES (1, 'dev-0', 900, 900),"
		" (2, 'dev-1', 900, 900), (3, 'dev-2', 900, 900);"
		"INSERT INTO messages (id, device_id, received, digest, bytes, state) VALUES"
		" (1, 1, 900, x'01', x'aa', 2), (2, 2, 950, x'02', x'bb', 2), (3, 1, 940, x'03', x'cc', 2),"
		" (4, 3, 990, x'04', x'dd', 2);"
		"INSERT INTO messages (id, device_id, received, digest, bytes, state, detail) VALUES"
		" (5, 3, 999, x'05', x'ee', 3, 'eeff');"
		"INSERT INTO issues VALUES (1, 'fp-a', 'bus_fault', 'bus_fault in f', 900),"
		" (2, 'fp-b', 'hard_fault', 'hard_fault in g', 990), (3, 'fp-empty', 'hard_fault', 'moved away', 800);"
		"INSERT INTO traces VALUES (1, 1, 1, 1, '1.1', 900, '{}'), (2, 2, 2, 1, '1.0', 950, '{}'),"
		" (3, 3, 1, 1, '1.1', 940, '{}'), (4, 4, 3, 2, '2.0', 990, '{}');"
		"PRAGMA user_version = 10;", NULL, NULL, &sqlerr) != SQLITE_OK)
		fail_msg("%s", sqlerr);
	sqlite3_close(db);
	issues_old_query(f, &old);
	assert_string_equal(old.text, "1:3:2:900:950:3:1.0,1.1;2:1:1:990:990:4:2.0");
	open_store(f);
	assert_int_equal(sql(f, "PRAGMA user_version", NULL, 0), SRV_SQLITE_SCHEMA);
	issues_now(f, &now);
	assert_string_equal(now.text, old.text);
	/* and on from there: a new message of issue 1 from a new device and version; one of issue 2 moves to 1 */
	process(f, message(f, 2, "new", 1200), 2, 1200, "fp-a", "1.2");
	assert_aggregates_as_computed(f);
	process(f, 4, 2, 990, "fp-a", "2.0");
	assert_aggregates_as_computed(f);
	issues_now(f, &now);
	assert_string_equal(now.text, "1:5:3:900:1200:5:1.0,1.1,1.2,2.0");
	/* retention on the migrated data: issue 1 keeps trace 1 (its first, and 1.1's), 2 (1.0's), 4 (2.0's, moved
	 * in) and 5 (its latest, 1.2's), not 3; schema 10's waiting message expires like any other */
	assert_int_equal(retention_run(f, 10000, &did), 1);
	assert_int_equal(did.traces, 1);
	assert_int_equal(did.messages, 2);
	assert_int_equal(did.expired, 1);
	sql(f, "SELECT group_concat(id) FROM (SELECT id FROM traces ORDER BY id)", now.text, sizeof(now.text));
	assert_string_equal(now.text, "1,2,4,5");
	assert_int_equal(sql(f, "SELECT state FROM messages WHERE id = 5", NULL, 0), SRV_MSG_EXPIRED);
	issues_now(f, &now);
	assert_string_equal(now.text, "1:5:3:900:1200:5:1.0,1.1,1.2,2.0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(aggregates_match_the_old_query, setup_open, srv_test_teardown),
		cmocka_unit_test_setup_teardown(retention_keeps_what_issues_need, setup_open, srv_test_teardown),
		cmocka_unit_test_setup_teardown(reprocessing_after_retention, setup_open, srv_test_teardown),
		cmocka_unit_test_setup_teardown(retention_samples_the_newest_versions, setup_open, srv_test_teardown),
		cmocka_unit_test_setup_teardown(schema_10_aggregates_filled, setup, srv_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
