/* SPDX-License-Identifier: Apache-2.0 */
/* Worker threads: the store's queue of delivered messages in, traces, issues and reboot events out. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "ff/bytes.h"
#include "fa/elf.h"
#include "ff/message.h"
#include "fa/report.h"
#include "worker.h"

#define WORKERS_MAX 64u

struct srv_workers {
	struct srv_store *store;
	const char *data_dir;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	unsigned generation; /* bumped by each wake, so a wake between two claims is not lost */
	int64_t expiry;      /* partial messages not added to for this many seconds are abandoned */
	time_t expired;      /* when they were last looked for */
	bool stop;
	unsigned n;
	pthread_t threads[WORKERS_MAX];
};

/* The ELF of build hex, from the cache or opened from data_dir/symbols and checked against the dump's build-id. */
static struct fa_elf *elf_for(struct srv_elf_cache *cache, const char *data_dir, const char *hex,
			      const struct ff_message *m, struct ff_error *err)
{
	char path[4200];

	if (cache->elf != NULL && strcmp(cache->build_id, hex) == 0)
		return cache->elf;
	fa_elf_close(cache->elf);
	cache->elf = NULL;
	snprintf(path, sizeof(path), "%s/symbols/%s.elf", data_dir, hex);
	if (fa_elf_open(&cache->elf, path, err) != 0)
		return NULL;
	if (fa_elf_check_build_id(cache->elf, m->build_id, m->build_id_len, err) != 0) {
		fa_elf_close(cache->elf);
		cache->elf = NULL;
		return NULL;
	}
	snprintf(cache->build_id, sizeof(cache->build_id), "%s", hex);
	return cache->elf;
}

/* What became of a message: to be marked done or failed, already stored with its state, or the store failed. */
enum outcome { MARK_DONE, MARK_FAILED, STORED, STORE_ERROR };

/* A coredump with its symbols: the report, kept as a trace of its issue and the message marked done together. The
 * report is kept once, as compact JSON: the CLI prints its text from it. */
static enum outcome process_coredump(struct srv_store *s, const struct srv_job *job, const struct ff_message *m,
				     struct fa_elf *elf, char *detail, size_t size)
{
	struct fa_report *r = srv_malloc(sizeof(*r));
	struct ff_error err = {0};
	int64_t trace, issue;
	char *json;
	bool ok;

	if (fa_report_build(r, elf, m, &err) != 0) {
		snprintf(detail, size, "%s", err.msg);
		free(r);
		return MARK_FAILED;
	}
	json = fa_report_json(r, FA_JSON_COMPACT);
	if (json == NULL)
		abort(); /* out of memory: as srv_malloc does */
	struct srv_trace t = {.message = job->id, .device = job->device, .captured = job->received,
			      .fingerprint = r->fingerprint, .kind = r->fault.kind, .title = r->title,
			      .sw_version = m->sw_version, .report = json};
	ok = srv_store_group_enter(s) == 0;
	ok = ok && srv_store_group_leave(s, s->ops->trace_put(s, &t, &trace, &issue) == 0 &&
					    s->ops->job_finish(s, job->id, SRV_MSG_DONE, NULL) == 0) == 0;
	free(json);
	free(r);
	return ok ? STORED : STORE_ERROR;
}

/* A coredump: processed when its build's symbols were uploaded, else marked as waiting for them. */
static enum outcome coredump(struct srv_store *s, const char *data_dir, struct srv_elf_cache *cache,
			     const struct srv_job *job, const struct ff_message *m, char *detail, size_t size)
{
	struct ff_error err = {0};
	struct fa_elf *elf;
	char hex[130];
	int known;

	ff_hex(hex, sizeof(hex), m->build_id, m->build_id_len);
	/* Checked and marked under one lock: an upload landing in between would otherwise miss this message. */
	if (srv_store_group_enter(s) != 0)
		return STORE_ERROR;
	known = s->ops->symbols_known(s, hex);
	if (known == 0 && s->ops->job_finish(s, job->id, SRV_MSG_SYMBOLS_MISSING, hex) != 0)
		known = -1;
	if (srv_store_group_leave(s, known >= 0) != 0)
		return STORE_ERROR;
	if (known != 1)
		return known == 0 ? STORED : STORE_ERROR;
	elf = elf_for(cache, data_dir, hex, m, &err);
	if (elf == NULL) {
		snprintf(detail, size, "symbols for build %s: %s", hex, err.msg);
		return MARK_FAILED;
	}
	return process_coredump(s, job, m, elf, detail, size);
}

int srv_process_one(struct srv_store *s, const char *data_dir, struct srv_elf_cache *cache)
{
	struct srv_job job = {0};
	struct ff_message m = {0};
	struct ff_error err = {0};
	char detail[512] = "";
	enum outcome out;
	int rc;

	if (srv_store_group_enter(s) != 0)
		return -1;
	rc = s->ops->job_claim(s, &job);
	if (srv_store_group_leave(s, rc >= 0) != 0) {
		free(job.bytes);
		return -1;
	}
	if (rc == 0)
		return 0;
	if (ff_message_parse(&m, job.bytes, job.len, &err) != 0) {
		snprintf(detail, sizeof(detail), "%s", err.msg);
		out = MARK_FAILED;
	} else if (m.type == FF_MSG_COREDUMP) {
		out = coredump(s, data_dir, cache, &job, &m, detail, sizeof(detail));
	} else if (m.type == FF_MSG_REBOOT) { /* the event kept and its message marked done in one transaction */
		rc = srv_store_group_enter(s);
		if (rc == 0)
			rc = srv_store_group_leave(s, s->ops->reboot_put(s, job.id, job.device, m.boot_id, m.reboot.reason,
									 job.received) == 0 &&
							      s->ops->job_finish(s, job.id, SRV_MSG_DONE, NULL) == 0);
		out = rc == 0 ? STORED : STORE_ERROR;
	} else {
		snprintf(detail, sizeof(detail), "message type %u is not processed by this server version", m.type);
		out = MARK_DONE;
	}
	if (out == MARK_DONE || out == MARK_FAILED) {
		rc = srv_store_group_enter(s);
		if (rc == 0)
			rc = srv_store_group_leave(s, s->ops->job_finish(s, job.id, out == MARK_DONE ? SRV_MSG_DONE :
									 SRV_MSG_FAILED, detail[0] != '\0' ? detail : NULL) == 0);
		out = rc == 0 ? STORED : STORE_ERROR;
	}
	ff_message_free(&m);
	free(job.bytes);
	return out == STORED ? 1 : -1;
}

/* Once an hour (or each expiry period, when shorter), one worker abandons the partial messages gone quiet. */
static void expire(struct srv_workers *w)
{
	time_t now = time(NULL);
	int64_t period = w->expiry < 3600 ? w->expiry : 3600, count = 0;
	int rc;

	pthread_mutex_lock(&w->lock);
	if (now - w->expired < period) {
		pthread_mutex_unlock(&w->lock);
		return;
	}
	w->expired = now;
	pthread_mutex_unlock(&w->lock);
	srv_store_lock(w->store);
	rc = w->store->ops->slots_expire(w->store, (int64_t)now - w->expiry, &count);
	srv_store_unlock(w->store);
	if (rc != 0)
		fprintf(stderr, "faultline-server: expiring partial messages: %s\n", srv_store_error(w->store));
	else if (count > 0)
		fprintf(stderr, "faultline-server: abandoned %lld partial message(s) not added to for %lld s\n",
			(long long)count, (long long)w->expiry);
}

static void *run(void *arg)
{
	struct srv_workers *w = arg;
	struct srv_elf_cache cache = {0};

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
		rc = srv_process_one(w->store, w->data_dir, &cache);
		if (rc < 0)
			fprintf(stderr, "faultline-server: processing: %s\n", srv_store_error(w->store));
		if (rc == 1)
			continue;
		/* Nothing queued (or the store failed): sleep until woken, or a second at most. */
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_mutex_lock(&w->lock);
		while (!w->stop && w->generation == seen)
			if (pthread_cond_timedwait(&w->wake, &w->lock, &until) == ETIMEDOUT)
				break;
		pthread_mutex_unlock(&w->lock);
	}
	fa_elf_close(cache.elf);
	return NULL;
}

int srv_workers_start(struct srv_workers **out, struct srv_store *s, const char *data_dir, unsigned n,
		      int64_t partial_expiry)
{
	struct srv_workers *w;
	int rc;

	*out = NULL;
	srv_store_lock(s);
	rc = s->ops->jobs_recover(s);
	srv_store_unlock(s);
	if (rc != 0)
		return -1;
	w = srv_calloc(1, sizeof(*w));
	w->store = s;
	w->data_dir = data_dir;
	w->expiry = partial_expiry;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	for (w->n = 0; w->n < n && w->n < WORKERS_MAX; w->n++)
		if (pthread_create(&w->threads[w->n], NULL, run, w) != 0)
			break;
	if (w->n == 0) {
		srv_workers_stop(w);
		snprintf(s->error, sizeof(s->error), "cannot start a worker thread");
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
