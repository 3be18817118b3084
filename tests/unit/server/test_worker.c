/* SPDX-License-Identifier: Apache-2.0 */
/* server/src/worker.c on a real store, a real QEMU crash (bus_write on mps2-an385) and its firmware ELF: a
 * coredump waits for its symbols and is processed when they arrive, into one issue titled by the fault and the
 * function; processing it again counts nothing twice; its reboot event is kept; a message that does not decode
 * fails with the reason, one of a type this server does not process is done with a note, and the ELF of another
 * build fails the dump with both build-ids; an analysis that dies (memory, a hang, a kill) ends only that attempt,
 * and the third death quarantines the message until a new symbol file of its build arrives; a trace of an older
 * analysis is reprocessed when the worker takes such messages. */
#define _DEFAULT_SOURCE /* mkdtemp, usleep */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fa/elf.h"
#include "ff/bytes.h"
#include "ff/input.h"
#include "ff/message.h"
#include "server_fixture.h"
#include "symbols.h"
#include "testdata.h"
#include "worker.h"

struct fixture {
	struct srv_test_store t; /* first: srv_test_teardown frees the fixture */
	struct srv_analyst_config analysis;
	struct srv_worker_state cache;
	int64_t dev;
	struct ff_input in; /* the crash log's messages: a reboot event and the coredump */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	size_t len;
	uint8_t *log = fl_test_read_path(FL_TEST_LOG, &len);

	srv_test_store_open(&f->t, "worker");
	srv_test_analysis(&f->analysis, f->t.dir);
	assert_int_equal(f->t.s->ops->device(f->t.s, "dev-1", 100, true, &f->dev, NULL), 0);
	assert_int_equal(ff_input_read(&f->in, log, len, NULL), 0);
	assert_int_equal(f->in.n, 2);
	free(log);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	srv_analyst_stop(f->cache.analyst);
	ff_input_free(&f->in);
	srv_test_remove(f->t.s, f->t.dir);
	free(f);
	return 0;
}

/* One value from the store's file (a second connection: what is committed); text into out when given. */
static int64_t sql(struct fixture *f, const char *query, char *out, size_t cap)
{
	return srv_test_sql(f->t.dir, query, out, cap);
}

static int64_t add(struct fixture *f, const uint8_t *bytes, size_t len)
{
	int64_t id;
	bool fresh;

	assert_int_equal(f->t.s->ops->message_add(f->t.s, f->dev, bytes, len, 100, &id, &fresh), 0);
	return id;
}

/* Process until the queue is empty; returns how many were processed. */
static int drain(struct fixture *f)
{
	int n = 0, rc;

	while ((rc = srv_process_one(f->t.s, &f->analysis, &f->cache)) == 1)
		n++;
	assert_int_equal(rc, 0);
	return n;
}

/* The ELF at elf_path as the symbols of build as_hex, as an upload leaves them; out_requeued: the messages queued. */
static void install_symbols(struct fixture *f, const char *elf_path, const char *as_hex, int64_t *out_requeued)
{
	char path[256], cmd[1400];

	snprintf(cmd, sizeof(cmd), "mkdir -p %s/symbols", f->t.dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(srv_symbols_path(path, sizeof(path), f->t.dir, as_hex), 0);
	/* as an upload does: a new file renamed over the old one */
	snprintf(cmd, sizeof(cmd), "cp %s %s.new && mv %s.new %s", elf_path, path, path, path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(f->t.s->ops->symbols_add(f->t.s, as_hex, 1, 100), 0);
	assert_int_equal(f->t.s->ops->symbols_arrived(f->t.s, as_hex, out_requeued), 0);
}

static const struct ff_input_message *coredump(struct fixture *f, char *hex, size_t cap)
{
	for (size_t i = 0; i < f->in.n; i++) {
		struct ff_message m = {0};
		bool core = ff_message_parse(&m, f->in.msgs[i].bytes, f->in.msgs[i].len, NULL) == 0 &&
			    m.type == FF_MSG_COREDUMP;

		if (core)
			ff_hex(hex, cap, m.build_id, m.build_id_len);
		ff_message_free(&m);
		if (core)
			return &f->in.msgs[i];
	}
	fail_msg("no coredump in the log");
	return NULL;
}

static void coredump_waits_then_one_issue(void **state)
{
	struct fixture *f = *state;
	char hex[130], text[300];
	const struct ff_input_message *core = coredump(f, hex, sizeof(hex));
	int64_t requeued = 0, msg;

	for (size_t i = 0; i < f->in.n; i++)
		add(f, f->in.msgs[i].bytes, f->in.msgs[i].len);
	msg = add(f, core->bytes, core->len); /* the same message again: the same row */
	assert_int_equal(drain(f), 2);
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM reboots", NULL, 0), 1);
	snprintf(text, sizeof(text), "SELECT detail FROM messages WHERE id = %lld AND state = %d", (long long)msg,
		 SRV_MSG_SYMBOLS_MISSING);
	sql(f, text, text, sizeof(text));
	assert_string_equal(text, hex); /* it waits, named by its build-id */
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM issues", NULL, 0), 0);
	install_symbols(f, FL_TEST_ELF, hex, &requeued);
	assert_int_equal(requeued, 1);
	assert_int_equal(drain(f), 1);
	sql(f, "SELECT title FROM issues", text, sizeof(text));
	assert_string_equal(text, "bus_fault in bus_fault_write");
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM traces", NULL, 0), 1);
	/* processed again (the unwinder improved, say): its result replaced, nothing counted twice */
	snprintf(text, sizeof(text), "UPDATE messages SET state = %d; SELECT 1", SRV_MSG_QUEUED);
	sql(f, text, NULL, 0);
	assert_int_equal(drain(f), 2);
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM traces", NULL, 0), 1);
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM issues", NULL, 0), 1);
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM reboots", NULL, 0), 1);
	/* symbols uploaded again for this build replace the file: the worker, which holds the old one open, opens
	 * the new one for the next dump (here another firmware's, so the dump now fails and says so) */
	install_symbols(f, FL_TEST_OTHER_ELF, hex, &requeued);
	snprintf(text, sizeof(text), "UPDATE messages SET state = %d WHERE id = %lld; SELECT 1", SRV_MSG_QUEUED,
		 (long long)msg);
	sql(f, text, NULL, 0);
	assert_int_equal(drain(f), 1);
	snprintf(text, sizeof(text), "SELECT state FROM messages WHERE id = %lld", (long long)msg);
	assert_int_equal(sql(f, text, NULL, 0), SRV_MSG_FAILED);
}

/* A trace as a server of the previous analysis stored it (fl1, analysis 1) is analysed again by the real analysis,
 * as a message queued for reprocessing: only when the worker takes those; its issue keeps its id and count and
 * takes the new fingerprint. */
static void older_analysis_reprocessed(void **state)
{
	struct fixture *f = *state;
	char hex[130], fp[64], now[64];
	const struct ff_input_message *core = coredump(f, hex, sizeof(hex));
	struct srv_reprocessing r;
	int64_t requeued;
	bool more = true;

	install_symbols(f, FL_TEST_ELF, hex, &requeued);
	add(f, core->bytes, core->len);
	assert_int_equal(drain(f), 1);
	sql(f, "SELECT fingerprint FROM issues", fp, sizeof(fp));
	assert_int_equal(strncmp(fp, "fl2:", 4), 0);
	sql(f, "UPDATE issues SET fingerprint = 'fl1:' || substr(fingerprint, 5)", NULL, 0);
	sql(f, "UPDATE issue_fingerprints SET fingerprint = 'fl1:' || substr(fingerprint, 5), analysis = 1", NULL, 0);
	sql(f, "UPDATE traces SET fingerprint = 'fl1:' || substr(fingerprint, 5), analysis = 1, report = "
	       "json_set(report, '$.fingerprint.id', 'fl1:' || substr(fingerprint, 5))", NULL, 0);
	sql(f, "UPDATE reprocessing SET current = 1, target = 1", NULL, 0);
	assert_int_equal(f->t.s->ops->reprocess_begin(f->t.s, FA_ANALYSIS_VERSION, 5000, &r), 0);
	assert_int_equal(r.total, 1);
	while (more)
		assert_int_equal(f->t.s->ops->reprocess_step(f->t.s, 100, &r, &more), 0);
	assert_int_equal(sql(f, "SELECT state FROM messages WHERE id IN (SELECT message_id FROM traces)", NULL, 0),
			 SRV_MSG_REPROCESS);
	f->cache.hold_reprocess = true;
	assert_int_equal(srv_process_one(f->t.s, &f->analysis, &f->cache), 0);
	f->cache.hold_reprocess = false;
	assert_int_equal(srv_process_one(f->t.s, &f->analysis, &f->cache), 1);
	assert_true(f->cache.reprocessed);
	assert_int_equal(sql(f, "SELECT analysis FROM traces", NULL, 0), FA_ANALYSIS_VERSION);
	sql(f, "SELECT json_extract(report, '$.fingerprint.id') FROM traces", now, sizeof(now));
	assert_string_equal(now, fp);
	more = true;
	while (more)
		assert_int_equal(f->t.s->ops->reprocess_step(f->t.s, 100, &r, &more), 0);
	assert_int_equal(r.phase, SRV_REPROCESS_NONE);
	assert_int_equal(r.done, 1);
	assert_int_equal(r.kept, 1);
	sql(f, "SELECT fingerprint FROM issues WHERE id = 1 AND count = 1", now, sizeof(now));
	assert_string_equal(now, fp);
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM issues", NULL, 0), 1);
}

static void bad_messages_and_another_build(void **state)
{
	struct fixture *f = *state;
	char hex[130], text[400];
	const struct ff_input_message *core = coredump(f, hex, sizeof(hex));
	const uint8_t broken[] = {0xa1, 0x00, 0x05};                 /* {0: 5}: a version this server does not know */
	/* a whole envelope (version, type 9, arch, an 8-byte build-id, version "1", boot 0, an empty payload) */
	const uint8_t other_type[] = {0xa7, 0x00, 0x01, 0x01, 0x09, 0x02, 0x18, 0x28, 0x04, 0x48, 1, 2, 3, 4, 5, 6,
				      7, 8, 0x05, 0x61, '1', 0x07, 0x00, 0x09, 0xa0};
	int64_t requeued, a = add(f, broken, sizeof(broken)), b = add(f, other_type, sizeof(other_type)), c;

	assert_int_equal(drain(f), 2);
	snprintf(text, sizeof(text), "SELECT state FROM messages WHERE id = %lld", (long long)a);
	assert_int_equal(sql(f, text, NULL, 0), SRV_MSG_FAILED);
	snprintf(text, sizeof(text), "SELECT detail FROM messages WHERE id = %lld", (long long)a);
	sql(f, text, text, sizeof(text));
	assert_non_null(strstr(text, "version"));
	snprintf(text, sizeof(text), "SELECT state FROM messages WHERE id = %lld", (long long)b);
	assert_int_equal(sql(f, text, NULL, 0), SRV_MSG_DONE); /* a type this server does not know is not an error */
	snprintf(text, sizeof(text), "SELECT detail FROM messages WHERE id = %lld", (long long)b);
	sql(f, text, text, sizeof(text));
	assert_string_equal(text, "message type 9 is not processed by this server version");
	/* the symbols under this build's id are another firmware's: the dump fails, saying so */
	install_symbols(f, FL_TEST_OTHER_ELF, hex, &requeued);
	c = add(f, core->bytes, core->len);
	assert_int_equal(drain(f), 1);
	snprintf(text, sizeof(text), "SELECT state FROM messages WHERE id = %lld", (long long)c);
	assert_int_equal(sql(f, text, NULL, 0), SRV_MSG_FAILED);
	snprintf(text, sizeof(text), "SELECT detail FROM messages WHERE id = %lld", (long long)c);
	sql(f, text, text, sizeof(text));
	assert_non_null(strstr(text, hex));
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM issues", NULL, 0), 0);
}

/* The store's commit: the next s_commits_ok succeed (-1: all), then s_commits_failing fail (a full disk), then
 * they succeed again. */
static int (*s_real_commit)(struct srv_store *);
static int s_commits_ok = -1, s_commits_failing;

static int commit_until_full(struct srv_store *s)
{
	if (s_commits_ok == 0 && s_commits_failing > 0) {
		s_commits_failing--;
		return srv_store_fail(s, "database or disk is full");
	}
	if (s_commits_ok > 0)
		s_commits_ok--;
	return s_real_commit(s);
}

/* Commits that fail in the middle of processing (a full disk) leave no message "processing" with no one on it:
 * it goes back to the queue at once, or, when even that cannot be written, as soon as the store takes writes; then
 * it is processed, once. */
static void full_disk_while_processing(void **state)
{
	struct fixture *f = *state;
	const struct srv_store_ops *real = f->t.s->ops;
	struct srv_store_ops failing = *real;
	char hex[130], text[200];
	const struct ff_input_message *core = coredump(f, hex, sizeof(hex));
	int64_t requeued, msg;

	install_symbols(f, FL_TEST_ELF, hex, &requeued);
	msg = add(f, core->bytes, core->len);
	snprintf(text, sizeof(text), "SELECT state FROM messages WHERE id = %lld", (long long)msg);
	s_real_commit = real->commit;
	failing.commit = commit_until_full;
	f->t.s->ops = &failing;
	/* claimed and its symbols checked (2 commits), then the disk is full: the trace cannot be stored, nor the
	 * message handed back */
	s_commits_ok = 2;
	s_commits_failing = 1000;
	assert_int_equal(srv_process_one(f->t.s, &f->analysis, &f->cache), -1);
	assert_int_equal(f->cache.unfinished, msg);
	assert_int_equal(sql(f, text, NULL, 0), SRV_MSG_PROCESSING);
	assert_int_equal(srv_process_one(f->t.s, &f->analysis, &f->cache), -1); /* still full: nothing else is claimed */
	/* space again: handed back first, then processed */
	s_commits_ok = -1;
	assert_int_equal(srv_process_one(f->t.s, &f->analysis, &f->cache), 1);
	assert_int_equal(f->cache.unfinished, 0);
	assert_int_equal(sql(f, text, NULL, 0), SRV_MSG_DONE);
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM traces", NULL, 0), 1);
	/* processed again, and only the trace's commit fails: the message is back in the queue at once */
	snprintf(text, sizeof(text), "UPDATE messages SET state = %d WHERE id = %lld; SELECT 1", SRV_MSG_QUEUED,
		 (long long)msg);
	sql(f, text, NULL, 0);
	s_commits_ok = 2;
	s_commits_failing = 1;
	assert_int_equal(srv_process_one(f->t.s, &f->analysis, &f->cache), -1);
	assert_int_equal(f->cache.unfinished, 0);
	snprintf(text, sizeof(text), "SELECT state FROM messages WHERE id = %lld", (long long)msg);
	assert_int_equal(sql(f, text, NULL, 0), SRV_MSG_QUEUED);
	assert_int_equal(srv_process_one(f->t.s, &f->analysis, &f->cache), 1);
	assert_int_equal(sql(f, text, NULL, 0), SRV_MSG_DONE);
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM traces", NULL, 0), 1); /* replaced, not doubled */
	f->t.s->ops = real;
}

/* The message's state and detail. */
static int state_of(struct fixture *f, int64_t msg, char *detail, size_t cap)
{
	char q[200];

	snprintf(q, sizeof(q), "SELECT detail FROM messages WHERE id = %lld", (long long)msg);
	sql(f, q, detail, cap);
	snprintf(q, sizeof(q), "SELECT state FROM messages WHERE id = %lld", (long long)msg);
	return (int)sql(f, q, NULL, 0);
}

static void count_quarantined(const struct srv_quarantined *q, void *ctx)
{
	(void)q;
	++*(int *)ctx;
}

/* An analysis that dies every time (here: every analyst is over a memory limit of 1 MiB) ends only that attempt:
 * the message goes back to the queue behind a fresh one, is quarantined at the third death with the reason, listed
 * as such, and tried again when a new symbol file of its build arrives. */
static void dying_analysis_is_quarantined(void **state)
{
	struct fixture *f = *state;
	char hex[130], detail[1000];
	const struct ff_input_message *core = coredump(f, hex, sizeof(hex));
	int64_t requeued, msg, fresh = 0;
	int listed = 0;
	bool more;

	install_symbols(f, FL_TEST_ELF, hex, &requeued);
	f->analysis.memory_max = 1u << 20;
	msg = add(f, core->bytes, core->len);
	assert_int_equal(srv_process_one(f->t.s, &f->analysis, &f->cache), 1);
	assert_int_equal(state_of(f, msg, detail, sizeof(detail)), SRV_MSG_QUEUED);
	assert_non_null(strstr(detail, "analysis used more than 1 MiB of memory"));
	/* a message that never failed goes first: the failing one does not block the queue */
	for (size_t i = 0; i < f->in.n; i++)
		if (f->in.msgs[i].bytes != core->bytes)
			fresh = add(f, f->in.msgs[i].bytes, f->in.msgs[i].len);
	assert_int_equal(srv_process_one(f->t.s, &f->analysis, &f->cache), 1);
	assert_int_equal(state_of(f, fresh, detail, sizeof(detail)), SRV_MSG_DONE);
	assert_int_equal(drain(f), 2);
	assert_int_equal(state_of(f, msg, detail, sizeof(detail)), SRV_MSG_QUARANTINED);
	assert_non_null(strstr(detail, "quarantined: the analysis failed 3 times on the symbol file of build"));
	assert_non_null(strstr(detail, hex));
	assert_int_equal(sql(f, "SELECT failures FROM messages WHERE state = 5", NULL, 0), 3);
	assert_int_equal(f->t.s->ops->quarantined(f->t.s, 0, 10, count_quarantined, &listed, &more), 0);
	assert_int_equal(listed, 1);
	assert_false(more);
	assert_int_equal(drain(f), 0); /* quarantined: not tried again by itself */
	/* a new symbol file for the build (and a limit it fits in): tried again, from a clean count */
	f->analysis.memory_max = (uint64_t)SRV_ANALYST_MEMORY_MB << 20;
	install_symbols(f, FL_TEST_ELF, hex, &requeued);
	assert_int_equal(requeued, 1);
	assert_int_equal(drain(f), 1);
	assert_int_equal(state_of(f, msg, detail, sizeof(detail)), SRV_MSG_DONE);
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM traces", NULL, 0), 1);
}

/* An analyst that hangs (stopped) is ended at the deadline; one killed in the middle of a job is seen as such; one
 * that died between jobs costs the next job nothing. Each time the next job gets a new analyst and succeeds. */
static void hung_and_killed_analysts(void **state)
{
	struct fixture *f = *state;
	char hex[130], detail[1000], why[200];
	const struct ff_input_message *core = coredump(f, hex, sizeof(hex));
	int64_t requeued, msg;
	pid_t pid, killer;

	install_symbols(f, FL_TEST_ELF, hex, &requeued);
	f->analysis.seconds = 1;
	assert_int_equal(srv_analyst_start(&f->cache.analyst, &f->analysis, why, sizeof(why)), 0);
	pid = srv_analyst_pid(f->cache.analyst);
	assert_int_equal(kill(pid, SIGSTOP), 0);
	msg = add(f, core->bytes, core->len);
	assert_int_equal(srv_process_one(f->t.s, &f->analysis, &f->cache), 1);
	assert_int_equal(state_of(f, msg, detail, sizeof(detail)), SRV_MSG_QUEUED);
	assert_string_equal(detail, "analysis took longer than 1 s (faultline-server --analysis-seconds)");
	assert_int_equal(srv_analyst_pid(f->cache.analyst), 0);
	assert_int_equal(srv_process_one(f->t.s, &f->analysis, &f->cache), 1);
	assert_int_equal(state_of(f, msg, detail, sizeof(detail)), SRV_MSG_DONE);
	/* killed while the job waits for it (stopped, then killed by another process 200 ms into the job) */
	f->analysis.seconds = 30;
	pid = srv_analyst_pid(f->cache.analyst);
	assert_true(pid > 0);
	assert_int_equal(kill(pid, SIGSTOP), 0);
	killer = fork();
	assert_true(killer >= 0);
	if (killer == 0) {
		usleep(200 * 1000);
		kill(pid, SIGKILL);
		_exit(0);
	}
	snprintf(why, sizeof(why), "UPDATE messages SET state = %d; SELECT 1", SRV_MSG_QUEUED);
	sql(f, why, NULL, 0);
	assert_int_equal(srv_process_one(f->t.s, &f->analysis, &f->cache), 1);
	waitpid(killer, NULL, 0);
	assert_int_equal(state_of(f, msg, detail, sizeof(detail)), SRV_MSG_QUEUED);
	assert_string_equal(detail, "analysis crashed (signal 9, Killed)");
	assert_int_equal(sql(f, "SELECT failures FROM messages", NULL, 0), 2);
	/* died while idle: the next job is not charged */
	assert_int_equal(drain(f), 1);
	pid = srv_analyst_pid(f->cache.analyst);
	assert_int_equal(kill(pid, SIGKILL), 0);
	usleep(100 * 1000);
	sql(f, why, NULL, 0);
	assert_int_equal(drain(f), 1);
	assert_int_equal(state_of(f, msg, detail, sizeof(detail)), SRV_MSG_DONE);
	assert_int_equal(sql(f, "SELECT failures FROM messages", NULL, 0), 2); /* the idle death counted nothing */
	assert_int_equal(sql(f, "SELECT COUNT(*) FROM traces", NULL, 0), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(coredump_waits_then_one_issue, setup, teardown),
		cmocka_unit_test_setup_teardown(older_analysis_reprocessed, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_messages_and_another_build, setup, teardown),
		cmocka_unit_test_setup_teardown(full_disk_while_processing, setup, teardown),
		cmocka_unit_test_setup_teardown(dying_analysis_is_quarantined, setup, teardown),
		cmocka_unit_test_setup_teardown(hung_and_killed_analysts, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
