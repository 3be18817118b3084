/* SPDX-License-Identifier: Apache-2.0 */
/* What every store backend shares: the writer thread that owns the one connection, its group commit, and the
 * lock that lends the connection to another thread. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

#define GROUP_MAX 64u /* requests per group transaction: bounds how long the first one waits for its answer */

/* One request for the connection, on its submitter's stack until done is set. */
struct srv_store_item {
	struct srv_store_item *next;
	int (*fn)(struct srv_store *s, void *ctx); /* NULL: srv_store_lock's, the connection lent to the submitter */
	void *ctx;
	/* srv_store_group_submit's: called once it is committed (or failed), instead of waking a waiter */
	void (*then)(void *then_ctx, int rc, const char *error);
	void *then_ctx;
	pthread_cond_t wake; /* its submitter waits on its own: a commit wakes only those it answers */
	bool done;
	int rc;
	char error[256]; /* why, when rc != 0 (the writer's thread-local message, carried back) */
};

/* One per thread: see srv_store_error(). */
static _Thread_local char t_error[256];

const char *srv_store_error(const struct srv_store *s)
{
	(void)s;
	return t_error;
}

int srv_store_fail(struct srv_store *s, const char *fmt, ...)
{
	va_list ap;

	(void)s;
	va_start(ap, fmt);
	vsnprintf(t_error, sizeof(t_error), fmt, ap);
	va_end(ap);
	return -1;
}

/* Fail every item of a batch with the writer's last message. */
static void fail_all(struct srv_store_item **batch, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		batch[i]->rc = -1;
		snprintf(batch[i]->error, sizeof(batch[i]->error), "%s", t_error);
	}
}

/* One group transaction: each item's part marked, run, kept or undone; then one commit for all. */
static void run_batch(struct srv_store *s, struct srv_store_item **batch, size_t n)
{
	if (s->ops->begin(s) != 0) {
		fail_all(batch, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct srv_store_item *it = batch[i];

		t_error[0] = '\0';
		it->rc = s->ops->mark(s) != 0 ? -1 : it->fn(s, it->ctx) != 0 ? -1 : s->ops->unmark(s);
		if (it->rc == 0)
			continue;
		snprintf(it->error, sizeof(it->error), "%s", t_error[0] != '\0' ? t_error : "the request failed");
		if (s->ops->undo(s) != 0) { /* the request's writes cannot be told apart: none of the group's are kept */
			s->ops->rollback(s);
			fprintf(stderr, "faultline-server: undoing a request: %s\n", t_error);
			fail_all(batch, n);
			return;
		}
	}
	if (s->ops->commit(s) != 0) {
		char why[sizeof(t_error)];

		fprintf(stderr, "faultline-server: committing %zu requests: %s\n", n, t_error);
		snprintf(why, sizeof(why), "%s", t_error); /* the commit's reason, whatever the rollback says */
		s->ops->rollback(s);
		snprintf(t_error, sizeof(t_error), "%s", why);
		fail_all(batch, n);
	}
}

static void *writer(void *arg)
{
	struct srv_store *s = arg;
	struct srv_store_item *batch[GROUP_MAX];

	pthread_mutex_lock(&s->lock);
	for (;;) {
		size_t n = 0;

		while (s->head == NULL && !s->stop) {
			s->idle = true;
			pthread_cond_wait(&s->work, &s->lock);
			s->idle = false;
		}
		if (s->head == NULL)
			break;
		if (s->head->fn == NULL) { /* lend the connection: everything before it is committed already */
			struct srv_store_item *it = s->head;

			s->head = it->next;
			it->done = true;
			s->unlocked = false;
			pthread_cond_signal(&it->wake);
			while (!s->unlocked)
				pthread_cond_wait(&s->released, &s->lock);
			continue;
		}
		while (s->head != NULL && s->head->fn != NULL && n < GROUP_MAX) {
			batch[n++] = s->head;
			s->head = s->head->next;
		}
		pthread_mutex_unlock(&s->lock);
		run_batch(s, batch, n);
		for (size_t i = 0; i < n; i++) /* submitted ones: told without the lock (their callback may take others) */
			if (batch[i]->then != NULL) {
				batch[i]->then(batch[i]->then_ctx, batch[i]->rc, batch[i]->error);
				free(batch[i]);
				batch[i] = NULL;
			}
		pthread_mutex_lock(&s->lock);
		for (size_t i = 0; i < n; i++) {
			if (batch[i] == NULL)
				continue;
			batch[i]->done = true;
			pthread_cond_signal(&batch[i]->wake);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* Queue it for the writer (lock held). */
static void enqueue(struct srv_store *s, struct srv_store_item *it)
{
	if (s->head == NULL)
		s->head = it;
	else
		s->tail->next = it;
	s->tail = it;
	if (s->idle) /* a busy writer takes it with its next batch */
		pthread_cond_signal(&s->work);
}

/* Queue it and wait until the writer is done with it (lock held on return). */
static void submit(struct srv_store *s, struct srv_store_item *it)
{
	pthread_mutex_lock(&s->lock);
	enqueue(s, it);
	while (!it->done)
		pthread_cond_wait(&it->wake, &s->lock);
}

void srv_store_group_submit(struct srv_store *s, int (*fn)(struct srv_store *s, void *ctx), void *ctx,
			    void (*then)(void *then_ctx, int rc, const char *error), void *then_ctx)
{
	struct srv_store_item *it = calloc(1, sizeof(*it));

	if (it == NULL)
		abort(); /* out of memory: as srv_malloc does */
	it->fn = fn;
	it->ctx = ctx;
	it->then = then;
	it->then_ctx = then_ctx;
	pthread_mutex_lock(&s->lock);
	enqueue(s, it);
	pthread_mutex_unlock(&s->lock);
}

int srv_store_group_run(struct srv_store *s, int (*fn)(struct srv_store *s, void *ctx), void *ctx)
{
	struct srv_store_item it = {.fn = fn, .ctx = ctx};

	pthread_cond_init(&it.wake, NULL);
	submit(s, &it);
	pthread_mutex_unlock(&s->lock);
	pthread_cond_destroy(&it.wake);
	if (it.rc != 0)
		srv_store_fail(s, "%s", it.error);
	return it.rc;
}

void srv_store_lock(struct srv_store *s)
{
	struct srv_store_item it = {0};

	pthread_cond_init(&it.wake, NULL);
	submit(s, &it);
	pthread_mutex_unlock(&s->lock);
	pthread_cond_destroy(&it.wake);
}

void srv_store_unlock(struct srv_store *s)
{
	pthread_mutex_lock(&s->lock);
	s->unlocked = true;
	pthread_cond_signal(&s->released);
	pthread_mutex_unlock(&s->lock);
}

void srv_store_init(struct srv_store *s)
{
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->work, NULL);
	pthread_cond_init(&s->released, NULL);
	s->head = s->tail = NULL;
	s->stop = false;
	s->started = pthread_create(&s->writer, NULL, writer, s) == 0;
	if (!s->started) /* nothing works without it; there is nothing sensible to go on with */
		abort();
}

void srv_store_fini(struct srv_store *s)
{
	if (s->started) {
		pthread_mutex_lock(&s->lock);
		s->stop = true;
		pthread_cond_signal(&s->work);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->writer, NULL);
		s->started = false;
	}
	pthread_cond_destroy(&s->released);
	pthread_cond_destroy(&s->work);
	pthread_mutex_destroy(&s->lock);
}
