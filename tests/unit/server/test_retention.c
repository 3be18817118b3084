/* SPDX-License-Identifier: Apache-2.0 */
/* server/src/store_sqlite.c: an issue's stored aggregates (equal to what schema 10 computed from its traces, kept
 * exact by reprocessing that moves messages between issues, filled by the migration), on a real SQLite file. */
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

#include "server_fixture.h"
#include "store.h"

struct fixture {
	char dir[64];
	struct srv_store *s;
	int64_t dev[3];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	srv_test_dir(f->dir, sizeof(f->dir), "retention");
	*state = f;
	return 0;
}

/* The store opened in the fixture's folder, with devices dev-0..dev-2. */
static void open_store(struct fixture *f)
{
	srv_test_open(&f->s, f->dir);
	for (int i = 0; i < 3; i++) {
		char serial[16];

		snprintf(serial, sizeof(serial), "dev-%d", i);
		assert_int_equal(f->s->ops->device(f->s, serial, 100, &f->dev[i]), 0);
	}
}

static int setup_open(void **state)
{
	setup(state);
	open_store(*state);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	srv_test_remove(f->s, f->dir);
	free(f);
	return 0;
}

/* A new message of device dev (an index into f->dev), received at `received`. */
static int64_t message(struct fixture *f, int dev, const char *bytes, int64_t received)
{
	int64_t id;
	bool fresh;

	assert_int_equal(f->s->ops->message_add(f->s, f->dev[dev], (const uint8_t *)bytes, strlen(bytes), received,
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

	assert_int_equal(f->s->ops->trace_put(f->s, &t, &trace, &issue), 0);
	assert_int_equal(f->s->ops->job_finish(f->s, msg, SRV_MSG_DONE, NULL), 0);
	return trace;
}

/* Text of issues as the read API gets them: "id:count:devices:first_seen:last_seen:latest_trace:v1,v2" joined by ';'. */
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
	assert_int_equal(f->s->ops->issues(f->s, 0, 500, list_issue, out, &more), 0);
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
	srv_test_sql(f->dir, OLD_QUERY, out->text, sizeof(out->text));
	out->n = strlen(out->text);
}

static void assert_aggregates_as_computed(struct fixture *f)
{
	struct listing now, old;

	issues_now(f, &now);
	issues_old_query(f, &old);
	assert_string_equal(now.text, old.text);
}

static int64_t sql(struct fixture *f, const char *query, char *out, size_t cap)
{
	return srv_test_sql(f->dir, query, out, cap);
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
	assert_int_equal(f->s->ops->issue(f->s, sql(f, "SELECT id FROM issues WHERE fingerprint = 'fp-solo'", NULL, 0),
					  list_issue, &now), SRV_NONE);
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM issue_devices d JOIN issues i ON i.id = d.issue_id "
			     "WHERE i.fingerprint = 'fp-solo'", NULL, 0), 0);
}

/* A database as schema 10 left it (its tables as they were), with traces of two issues: the migration to 11 fills
 * the stored aggregates with what schema 10 computed, and trace_put goes on from there. */
static void schema_10_aggregates_filled(void **state)
{
	struct fixture *f = *state;
	char path[128], *sqlerr = NULL;
	struct listing old, now;
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/faultline.db", f->dir);
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
	assert_int_equal(sql(f, "PRAGMA user_version", NULL, 0), 11);
	issues_now(f, &now);
	assert_string_equal(now.text, old.text);
	/* and on from there: a new message of issue 1 from a new device and version; one of issue 2 moves to 1 */
	process(f, message(f, 2, "new", 1200), 2, 1200, "fp-a", "1.2");
	assert_aggregates_as_computed(f);
	process(f, 4, 2, 990, "fp-a", "2.0");
	assert_aggregates_as_computed(f);
	issues_now(f, &now);
	assert_string_equal(now.text, "1:5:3:900:1200:5:1.0,1.1,1.2,2.0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(aggregates_match_the_old_query, setup_open, teardown),
		cmocka_unit_test_setup_teardown(schema_10_aggregates_filled, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
