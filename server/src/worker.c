/* SPDX-License-Identifier: Apache-2.0 */
/* Worker threads: the store's queue of delivered messages in, traces, issues and reboot events out. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "alloc.h"
#include "clock.h"
#include "analyst.h"
#include "ff/bytes.h"
#include "ff/message.h"
#include "fa/report.h"
#include "ingest.h"
#include "worker.h"

#define WORKERS_MAX 64u
/* Seconds a delivered (or failed) message's slot is kept, to recognize late retransmissions of its chunks
 * (docs/FORMAT.md §4); a device resends within minutes, not days. */
#define SRV_DELIVERED_KEEP (24 * 3600)
/* What one retention step may do, in one transaction under the store's lock: look at 10,000 messages, and drop at
 * most 16 MiB of their bytes (freeing those pages is what takes the time: a step of 16 KiB dumps took 0.2-0.7 s on
 * a busy 2-core machine, one of small messages less). Ingestion waits for a step, never for a whole backlog. */
#define SRV_RETENTION_BATCH 10000
#define SRV_RETENTION_BYTES (16 << 20)
/* Heartbeats one backfill step names the metrics of (a few milliseconds of the writer's time). */
#define SRV_BACKFILL_BATCH 500
/* Traces one reprocessing step queues again (an indexed update of that many messages), or old issues it carries
 * over (each a few statements; a merge moves the merged issue's traces). */
#define SRV_REPROCESS_BATCH 500

struct srv_workers {
	struct srv_store *store;
	const struct srv_analyst_config *analysis;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	unsigned generation; /* bumped by each wake, so a wake between two claims is not lost */
	int64_t expiry;      /* partial messages not added to for this many seconds are abandoned */
	time_t expired;      /* when they were last looked for */
	int64_t retention;   /* what was received this many seconds ago goes (docs/API.md, Retention) */
	time_t retained;     /* when retention last ran */
	time_t backfilled;   /* when heartbeats waiting for their build's metric keys were last looked for */
	time_t stepped;      /* when reprocessing last took its steps */
	bool reprocessing;   /* until its last step */
	int64_t reprocess_gap_ms;  /* between two messages queued for reprocessing (0: none) */
	int64_t reprocess_next_ms; /* when the next may be taken (CLOCK_MONOTONIC) */
	bool stop;
	unsigned n;
	pthread_t threads[WORKERS_MAX];
};

/* A job's writes, run by the store's writer in a group transaction (srv_store_group_run). */
struct write {
	struct srv_job *claimed;        /* claim: filled */
	const struct srv_job *job;
	const struct srv_trace *trace;  /* write_result: kept first, when set */
	const struct ff_message *reboot; /* write_result: its event kept first (and counted in fleet health), when set */
	const struct ff_message *message; /* wait_for_symbols: the coredump (fleet health counts it) */
	const struct ff_message *heartbeat; /* write_result: a heartbeat ingest did not count, counted first */
	char *why;                     /* with it: when it cannot be counted, why (the message then fails) */
	enum srv_msg_state state;      /* the message's new state */
	const char *detail;            /* with it: the build-id waited for, or why it failed */
	const char *build;             /* write_failure: the build whose symbol file the analysis died on */
	int found;                     /* claim, wait_for_symbols: 0 found, SRV_NONE not */
	bool reprocess;                /* claim: a message queued for reprocessing may be claimed */
};

/* The oldest queued message, marked processing; found SRV_NONE when there is none. */
static int claim(struct srv_store *s, void *ctx)
{
	struct write *w = ctx;

	w->found = s->ops->job_claim(s, w->reprocess, w->claimed);
	return w->found < 0 ? -1 : 0;
}

/* What a message tells fleet health (docs/HEALTH.md): its boot's identity, and a crash: a coredump, or the
 * unexpected end of the boot before a reboot event's. Each counted once, however often the message is processed. */
static int health(struct srv_store *s, const struct srv_job *job, const struct ff_message *m)
{
	char hex[SRV_BUILD_HEX_MAX];
	struct srv_identity id;
	const struct ff_reboot *r = &m->reboot;
	uint32_t ended = r->has_ended_boot_id && r->ended_boot_id <= UINT32_MAX ? (uint32_t)r->ended_boot_id : m->boot_id;

	srv_identity_of(&id, hex, m);
	if (s->ops->boot_put(s, job->device, m->boot_id, &id, job->received, m->type == FF_MSG_REBOOT ? job->id : 0,
			     NULL) != 0)
		return -1;
	if (m->type == FF_MSG_COREDUMP)
		return s->ops->crash_put(s, job->id, job->device, SRV_CRASH_COREDUMP, m->boot_id, m->boot_id, &id,
					 m->core.has_uptime, (uint32_t)(m->core.uptime_ms / 1000), job->received);
	if (r->reason < 0x8000u) /* an expected reboot */
		return 0;
	return s->ops->crash_put(s, job->id, job->device, SRV_CRASH_REBOOT, ended, m->boot_id, &id, false, 0,
				 job->received);
}

/* Symbols known (found 0), or the message marked as waiting for them (found SRV_NONE); the coredump counted in
 * fleet health either way (it needs no symbols for that). */
static int wait_for_symbols(struct srv_store *s, void *ctx)
{
	struct write *w = ctx;

	if (health(s, w->job, w->message) != 0)
		return -1;
	w->found = s->ops->symbols_known(s, w->detail);
	if (w->found < 0)
		return -1;
	return w->found == SRV_NONE ? s->ops->job_finish(s, w->job->id, w->state, w->detail) : 0;
}

/* What processing made (a trace, a reboot event), then the message's state: together or not at all. */
static int write_result(struct srv_store *s, void *ctx)
{
	struct write *w = ctx;
	int64_t trace, issue;

	if (w->trace != NULL && s->ops->trace_put(s, w->trace, &trace, &issue) != 0)
		return -1;
	if (w->reboot != NULL && (s->ops->reboot_put(s, w->job->id, w->job->device, w->reboot->boot_id,
						     w->reboot->reboot.reason, w->job->received) != 0 ||
				  health(s, w->job, w->reboot) != 0))
		return -1;
	if (w->heartbeat != NULL) {
		enum srv_hb_outcome hb;
		int rc = srv_ingest_heartbeat(s, w->job->device, w->job->received, w->heartbeat, &hb, w->why, 256);

		if (rc < 0)
			return -1;
		if (rc == SRV_NONE) {
			w->state = SRV_MSG_FAILED;
			w->detail = w->why;
		}
	}
	return s->ops->job_finish(s, w->job->id, w->state, w->detail);
}

/* The analysis died on a message: back to the queue, or quarantined (w->state says which), counted. */
static int write_failure(struct srv_store *s, void *ctx)
{
	struct write *w = ctx;

	return s->ops->job_failed(s, w->job->id, w->state, w->build, w->detail);
}

/* What became of a message: to be marked done or failed, already stored with its state, the store failed, or it
 * could not be tried (no analyst could be started): the last two go back to the queue as they were. */
enum outcome { MARK_DONE, MARK_FAILED, STORED, STORE_ERROR, NOT_TRIED };

/* The analysis died on the message (crashed, hung, blew its memory): queued again behind the fresh messages, or
 * quarantined at its failures_max-th death until a new symbol file of its build arrives. */
static enum outcome analysis_died(struct srv_store *s, const struct srv_analyst_config *cfg, const struct srv_job *job,
				  const char *hex, const char *why)
{
	char detail[900];
	bool quarantine = (unsigned)job->failures + 1 >= cfg->failures_max;
	struct write w = {.job = job, .state = quarantine ? SRV_MSG_QUARANTINED : SRV_MSG_QUEUED, .build = hex,
			  .detail = detail};

	if (quarantine)
		snprintf(detail, sizeof(detail), "quarantined: the analysis failed %u times on the symbol file of build "
			 "%s, the last time: %s; it is tried again when a new symbol file of the build is uploaded",
			 job->failures + 1, hex, why);
	else
		snprintf(detail, sizeof(detail), "%s", why);
	fprintf(stderr, "faultline-server: message %lld: %s (%s)\n", (long long)job->id, why,
		quarantine ? "quarantined" : "queued again");
	return srv_store_group_run(s, write_failure, &w) == 0 ? STORED : STORE_ERROR;
}

/* A coredump: processed by the worker's analyst when its build's symbols were uploaded (its report kept as a trace
 * of its issue and the message marked done, together; the report once, as compact JSON: the CLI prints its text
 * from it), else marked as waiting for them. */
static enum outcome coredump(struct srv_store *s, const struct srv_analyst_config *cfg, struct srv_worker_state *ws,
			     const struct srv_job *job, const struct ff_message *m, char *detail, size_t size)
{
	struct fa_report *r;
	char hex[130], *json;
	enum srv_analysis rc;
	bool ok;

	ff_hex(hex, sizeof(hex), m->build_id, m->build_id_len);
	struct write w = {.job = job, .state = SRV_MSG_SYMBOLS_MISSING, .detail = hex, .message = m};

	/* Checked and marked in one transaction: an upload landing in between would otherwise miss this message. */
	if (srv_store_group_run(s, wait_for_symbols, &w) != 0)
		return STORE_ERROR;
	if (w.found != 0)
		return STORED;
	r = srv_malloc(sizeof(*r));
	rc = srv_analyst_report(ws->analyst, job->bytes, job->len, r, &json, detail, size);
	if (rc != SRV_ANALYSIS_OK) {
		free(r);
		if (rc == SRV_ANALYSIS_DIED)
			return analysis_died(s, cfg, job, hex, detail);
		return rc == SRV_ANALYSIS_REFUSED ? MARK_FAILED : NOT_TRIED;
	}
	struct srv_trace t = {.message = job->id, .device = job->device, .captured = job->received,
			      .fingerprint = r->fingerprint, .kind = r->fault.kind, .title = r->title,
			      .sw_version = m->sw_version, .hw_version = m->hw_version, .report = json,
			      .analysis = FA_ANALYSIS_VERSION};

	w = (struct write){.job = job, .trace = &t, .state = SRV_MSG_DONE};
	ok = srv_store_group_run(s, write_result, &w) == 0;
	free(json);
	free(r);
	return ok ? STORED : STORE_ERROR;
}

/* A claimed message back to the queue. */
static int requeue(struct srv_store *s, void *ctx)
{
	return s->ops->job_finish(s, *(const int64_t *)ctx, SRV_MSG_QUEUED, NULL);
}

int srv_process_one(struct srv_store *s, const struct srv_analyst_config *cfg, struct srv_worker_state *ws)
{
	struct srv_job job = {0};
	struct ff_message m = {0};
	struct ff_error err = {0};
	char detail[512] = "";
	enum outcome out;
	struct write w = {.claimed = &job, .job = &job, .reprocess = !ws->hold_reprocess};

	ws->reprocessed = false;
	if (ws->analyst == NULL && srv_analyst_start(&ws->analyst, cfg, detail, sizeof(detail)) != 0)
		return srv_store_fail(s, "%s", detail);
	if (ws->unfinished != 0) { /* first what a full disk left claimed */
		if (srv_store_group_run(s, requeue, &ws->unfinished) != 0)
			return -1;
		ws->unfinished = 0;
	}
	if (srv_store_group_run(s, claim, &w) != 0) {
		free(job.bytes);
		return -1;
	}
	if (w.found == SRV_NONE)
		return 0;
	ws->reprocessed = job.reprocess;
	if (ff_message_parse(&m, job.bytes, job.len, &err) != 0) {
		snprintf(detail, sizeof(detail), "%s", err.msg);
		out = MARK_FAILED;
	} else if (m.type == FF_MSG_COREDUMP) {
		out = coredump(s, cfg, ws, &job, &m, detail, sizeof(detail));
	} else if (m.type == FF_MSG_REBOOT) { /* the event kept and its message marked done in one transaction */
		w.state = SRV_MSG_DONE;
		w.reboot = &m;
		out = srv_store_group_run(s, write_result, &w) == 0 ? STORED : STORE_ERROR;
	} else if (m.type == FF_MSG_HEARTBEAT) { /* one that ingest left (a long encoding): counted here */
		w.state = SRV_MSG_DONE;
		w.heartbeat = &m;
		w.why = detail;
		out = srv_store_group_run(s, write_result, &w) == 0 ? STORED : STORE_ERROR;
	} else {
		snprintf(detail, sizeof(detail), "message type %u is not processed by this server version", m.type);
		out = MARK_DONE;
	}
	if (out == MARK_DONE || out == MARK_FAILED) {
		w = (struct write){.claimed = &job, .job = &job, .state = out == MARK_DONE ? SRV_MSG_DONE : SRV_MSG_FAILED,
				   .detail = detail[0] != '\0' ? detail : NULL};
		out = srv_store_group_run(s, write_result, &w) == 0 ? STORED : STORE_ERROR;
	}
	if (out == STORE_ERROR || out == NOT_TRIED) { /* its outcome is not stored: it goes back to the queue */
		fprintf(stderr, "faultline-server: message %lld is queued again (%s)\n", (long long)job.id,
			out == STORE_ERROR ? srv_store_error(s) : detail);
		if (srv_store_group_run(s, requeue, &job.id) != 0)
			ws->unfinished = job.id; /* still no room: the next call tries first */
	}
	ff_message_free(&m);
	free(job.bytes);
	if (out == NOT_TRIED)
		return srv_store_fail(s, "%s", detail);
	return out == STORED ? 1 : -1;
}

/* Is a periodic job due at now (period seconds after *last)? Then the calling worker takes it: *last = now. */
static bool due(struct srv_workers *w, time_t *last, int64_t period, time_t now)
{
	bool take;

	pthread_mutex_lock(&w->lock);
	take = now - *last >= period;
	if (take)
		*last = now;
	pthread_mutex_unlock(&w->lock);
	return take;
}

/* Once an hour (or each expiry period, when shorter), one worker abandons the partial messages gone quiet. */
static void expire(struct srv_workers *w)
{
	time_t now = (time_t)srv_now();
	int64_t count = 0, pruned = 0;
	int rc;

	if (!due(w, &w->expired, w->expiry < 3600 ? w->expiry : 3600, now))
		return;
	srv_store_lock(w->store);
	rc = w->store->ops->slots_expire(w->store, (int64_t)now - w->expiry, (int64_t)now - SRV_DELIVERED_KEEP, &count,
					 &pruned);
	srv_store_unlock(w->store);
	if (rc != 0)
		fprintf(stderr, "faultline-server: expiring partial messages: %s\n", srv_store_error(w->store));
	else if (count > 0)
		fprintf(stderr, "faultline-server: abandoned %lld partial message(s) not added to for %lld s\n",
			(long long)count, (long long)w->expiry);
}

/* Once an hour (at start first), one worker applies retention: one step at a time, each its own transaction under
 * the store's lock, until nothing is left or the workers stop. */
static void retain(struct srv_workers *w)
{
	time_t now = (time_t)srv_now();
	struct srv_retention did = {0};
	bool more = true, stop = false;
	int rc = 0;

	if (!due(w, &w->retained, 3600, now))
		return;
	while (more && !stop && rc == 0) {
		srv_store_lock(w->store);
		rc = w->store->ops->retention(w->store, (int64_t)now - w->retention, (int64_t)now, SRV_RETENTION_BATCH,
					      SRV_RETENTION_BYTES, &did, &more);
		srv_store_unlock(w->store);
		pthread_mutex_lock(&w->lock);
		stop = w->stop;
		pthread_mutex_unlock(&w->lock);
	}
	if (rc != 0)
		fprintf(stderr, "faultline-server: retention: %s\n", srv_store_error(w->store));
	if (did.messages > 0 || did.reboots > 0 || did.heartbeats > 0)
		fprintf(stderr, "faultline-server: retention (%lld days): dropped the bytes of %lld message(s) (%lld expired "
			"waiting), deleted %lld trace(s), %lld reboot event(s) and %lld heartbeat(s)\n",
			(long long)(w->retention / 86400), (long long)did.messages, (long long)did.expired,
			(long long)did.traces, (long long)did.reboots, (long long)did.heartbeats);
}

/* One step of backfill: heartbeats whose build's key table arrived after they were counted (srv_store_ops). */
struct backfill_step {
	int64_t done;
	bool more;
};

static int backfill_step(struct srv_store *s, void *ctx)
{
	struct backfill_step *b = ctx;

	return s->ops->metrics_backfill(s, SRV_BACKFILL_BATCH, &b->done, &b->more);
}

/* Every few seconds (of the real clock: it is not about when data was received), one worker completes the
 * heartbeats of builds whose key table arrived late, a step at a time, each in the group commit. */
static void backfill(struct srv_workers *w)
{
	struct backfill_step step = {0, true};
	int64_t total = 0;
	bool stop = false;

	if (!due(w, &w->backfilled, 10, time(NULL)))
		return;
	while (step.more && !stop) {
		if (srv_store_group_run(w->store, backfill_step, &step) != 0) {
			fprintf(stderr, "faultline-server: naming heartbeats' metrics: %s\n", srv_store_error(w->store));
			return;
		}
		total += step.done;
		pthread_mutex_lock(&w->lock);
		stop = w->stop;
		pthread_mutex_unlock(&w->lock);
	}
	if (total > 0)
		fprintf(stderr, "faultline-server: named the metrics of %lld heartbeat(s) that came before their build's "
			"symbol file\n", (long long)total);
}

/* Milliseconds of CLOCK_MONOTONIC (the pace of reprocessing; the server's clock may be a test's). */
static int64_t monotonic_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Whether the calling worker may take a message queued for reprocessing now (--reprocess-per-second): it reserves
 * the next slot, given back by reprocess_paced() when what it took was not one. */
static bool reprocess_may(struct srv_workers *w, int64_t *out_reserved)
{
	int64_t now = monotonic_ms();
	bool may;

	pthread_mutex_lock(&w->lock);
	may = w->reprocess_gap_ms == 0 || now >= w->reprocess_next_ms;
	*out_reserved = w->reprocess_next_ms;
	if (may && w->reprocess_gap_ms > 0)
		w->reprocess_next_ms = now + w->reprocess_gap_ms;
	pthread_mutex_unlock(&w->lock);
	return may;
}

static void reprocess_paced(struct srv_workers *w, bool reprocessed, int64_t reserved)
{
	pthread_mutex_lock(&w->lock);
	if (!reprocessed && w->reprocess_gap_ms > 0 && w->reprocess_next_ms > reserved)
		w->reprocess_next_ms = reserved; /* the slot was not used */
	pthread_mutex_unlock(&w->lock);
}

struct reprocess_step {
	struct srv_reprocessing r;
	bool more;
};

static int reprocess_step(struct srv_store *s, void *ctx)
{
	struct reprocess_step *b = ctx;

	return s->ops->reprocess_step(s, SRV_REPROCESS_BATCH, &b->r, &b->more);
}

/* While reprocessing, every second one worker takes its steps (each in the group commit) as long as they have
 * something to do: traces queued again, then, once all of them were analysed, the old issues carried over. The
 * last step says what came of it. */
static void reprocess(struct srv_workers *w)
{
	struct reprocess_step step = {.more = true};
	int64_t queued = 0;
	bool stop = false, on;

	pthread_mutex_lock(&w->lock);
	on = w->reprocessing;
	pthread_mutex_unlock(&w->lock);
	if (!on || !due(w, &w->stepped, 1, time(NULL)))
		return;
	while (step.more && !stop) {
		if (srv_store_group_run(w->store, reprocess_step, &step) != 0) {
			fprintf(stderr, "faultline-server: reprocessing: %s\n", srv_store_error(w->store));
			return;
		}
		queued += step.r.queued;
		pthread_mutex_lock(&w->lock);
		stop = w->stop;
		pthread_mutex_unlock(&w->lock);
	}
	if (queued > 0)
		srv_workers_wake(w);
	if (step.r.phase != SRV_REPROCESS_NONE)
		return;
	pthread_mutex_lock(&w->lock); /* a second worker whose steps ran long may find it done too: one says so */
	on = w->reprocessing;
	w->reprocessing = false;
	pthread_mutex_unlock(&w->lock);
	if (on)
		fprintf(stderr, "faultline-server: reprocessing to analysis version %d done: %lld of %lld trace(s) "
			"analysed again (%lld could not be: they keep their old fingerprint); %lld issue(s) kept their id "
			"under a new fingerprint, %lld merged into an older one, %lld made of traces split from one\n",
			step.r.to, (long long)step.r.done, (long long)step.r.total, (long long)step.r.stale,
			(long long)step.r.kept, (long long)step.r.merged, (long long)step.r.split);
}

static void *run(void *arg)
{
	struct srv_workers *w = arg;
	struct srv_worker_state ws = {0};
	char why[300];

	/* started now rather than at the first coredump, so that a failure to start shows at once */
	if (srv_analyst_start(&ws.analyst, w->analysis, why, sizeof(why)) != 0)
		fprintf(stderr, "faultline-server: %s\n", why);
	for (;;) {
		unsigned seen;
		int rc;

		pthread_mutex_lock(&w->lock);
		seen = w->generation;
		if (w->stop) {
			pthread_mutex_unlock(&w->lock);
			break;
		}
		pthread_mutex_unlock(&w->lock);
		expire(w);
		retain(w);
		backfill(w);
		reprocess(w);
		int64_t reserved = 0;

		ws.hold_reprocess = !reprocess_may(w, &reserved);
		rc = srv_process_one(w->store, w->analysis, &ws);
		reprocess_paced(w, rc == 1 && ws.reprocessed, reserved);
		if (rc < 0)
			fprintf(stderr, "faultline-server: processing: %s\n", srv_store_error(w->store));
		if (rc == 1)
			continue;
		/* Nothing queued (or the store failed): sleep until woken, or a second at most (less when a message
		 * queued for reprocessing may be taken sooner). */
		struct timespec until;
		int64_t wait_ms = 1000;

		pthread_mutex_lock(&w->lock);
		if (ws.hold_reprocess && w->reprocess_next_ms - monotonic_ms() < wait_ms)
			wait_ms = w->reprocess_next_ms - monotonic_ms();
		pthread_mutex_unlock(&w->lock);
		if (wait_ms < 1)
			wait_ms = 1;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += wait_ms / 1000;
		until.tv_nsec += (long)(wait_ms % 1000) * 1000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_mutex_lock(&w->lock);
		while (!w->stop && w->generation == seen)
			if (pthread_cond_timedwait(&w->wake, &w->lock, &until) == ETIMEDOUT)
				break;
		pthread_mutex_unlock(&w->lock);
	}
	srv_analyst_stop(ws.analyst);
	return NULL;
}

int srv_workers_start(struct srv_workers **out, struct srv_store *s, const struct srv_analyst_config *analysis,
		      unsigned n, int64_t partial_expiry, int64_t retention, unsigned reprocess_per_second)
{
	struct srv_reprocessing r;
	struct srv_workers *w;
	int rc;

	*out = NULL;
	srv_store_lock(s);
	rc = s->ops->reprocess_begin(s, FA_ANALYSIS_VERSION, srv_now(), &r);
	if (rc == 0)
		rc = s->ops->jobs_recover(s); /* after: a message being reprocessed is queued for reprocessing again */
	srv_store_unlock(s);
	if (rc != 0)
		return -1;
	if (r.phase != SRV_REPROCESS_NONE)
		fprintf(stderr, "faultline-server: stored traces were grouped by analysis version %d, this server's is %d: "
			"reprocessing them in the background (docs/ANALYSIS.md, When fingerprints change): %lld of %lld "
			"trace(s) analysed again so far\n", r.from, r.to, (long long)r.done, (long long)r.total);
	w = srv_calloc(1, sizeof(*w));
	w->store = s;
	w->analysis = analysis;
	w->expiry = partial_expiry;
	w->retention = retention;
	w->reprocessing = r.phase != SRV_REPROCESS_NONE;
	w->reprocess_gap_ms = reprocess_per_second > 0 ? 1000 / (int64_t)reprocess_per_second : 0;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	for (w->n = 0; w->n < n && w->n < WORKERS_MAX; w->n++)
		if (pthread_create(&w->threads[w->n], NULL, run, w) != 0)
			break;
	if (w->n == 0) {
		srv_workers_stop(w);
		srv_store_fail(s, "cannot start a worker thread");
		return -1;
	}
	*out = w;
	return 0;
}

void srv_workers_wake(struct srv_workers *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->generation++;
	pthread_cond_broadcast(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

void srv_workers_stop(struct srv_workers *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_broadcast(&w->wake);
	pthread_mutex_unlock(&w->lock);
	for (unsigned i = 0; i < w->n; i++)
		pthread_join(w->threads[i], NULL);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
