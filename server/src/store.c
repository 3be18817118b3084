/* SPDX-License-Identifier: Apache-2.0 */
/* What every store backend shares: the lock that serializes its one connection, and ingestion's group commit. */
#include <stdarg.h>
#include <stdio.h>

#include "store.h"

#define GROUP_MAX 64u /* requests per group transaction: bounds how long the first one waits for its answer */

/* A request in the open group transaction, on its own stack until the commit tells it how it went. */
struct srv_group_member {
	struct srv_group_member *next;
	bool done;
	int rc;
};

void srv_store_init(struct srv_store *s)
{
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->committed, NULL);
}

void srv_store_fini(struct srv_store *s)
{
	pthread_cond_destroy(&s->committed);
	pthread_mutex_destroy(&s->lock);
}

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

static void take(struct srv_store *s)
{
	__atomic_add_fetch(&s->waiting, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_lock(&s->lock);
	__atomic_sub_fetch(&s->waiting, 1, __ATOMIC_SEQ_CST);
}

/* Commit the open group (lock held), or roll it back when abandon, and wake its members with the outcome. */
static int flush(struct srv_store *s, bool abandon)
{
	int rc = abandon ? -1 : s->ops->commit(s);

	if (rc != 0 && !abandon) {
		fprintf(stderr, "faultline-server: committing %u requests: %s\n", s->members, t_error);
		s->ops->rollback(s);
	}
	for (struct srv_group_member *m = s->first, *next; m != NULL; m = next) {
		next = m->next; /* m lives on a stack that may be gone once done is seen */
		m->rc = rc;
		m->done = true;
	}
	s->first = NULL;
	s->members = 0;
	s->open = false;
	pthread_cond_broadcast(&s->committed);
	return rc;
}

void srv_store_lock(struct srv_store *s)
{
	take(s);
	if (s->open)
		flush(s, false);
}

void srv_store_unlock(struct srv_store *s)
{
	pthread_mutex_unlock(&s->lock);
}

int srv_store_group_enter(struct srv_store *s)
{
	take(s);
	if (!s->open && s->ops->begin(s) != 0)
		goto fail;
	s->open = true;
	if (s->ops->mark(s) != 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "faultline-server: %s\n", t_error);
	if (s->open)
		flush(s, false); /* whatever the group holds is answered now, not left to a member that will not come */
	pthread_mutex_unlock(&s->lock);
	return -1;
}

int srv_store_group_leave(struct srv_store *s, bool ok)
{
	struct srv_group_member me = {.next = s->first};
	bool abandon = false;

	if (!ok || s->ops->unmark(s) != 0) {
		fprintf(stderr, "faultline-server: %s\n", t_error);
		if (s->ops->undo(s) != 0) { /* the request's writes cannot be told apart: none of the group's are kept */
			fprintf(stderr, "faultline-server: %s\n", t_error);
			s->ops->rollback(s);
			abandon = true;
		}
		ok = false;
	}
	s->first = &me;
	s->members++;
	/* After a failure, commit at once: if SQLite rolled the whole transaction back, the members learn it now. */
	if (ok && __atomic_load_n(&s->waiting, __ATOMIC_SEQ_CST) > 0 && s->members < GROUP_MAX) {
		while (!me.done)
			pthread_cond_wait(&s->committed, &s->lock);
	} else {
		flush(s, abandon);
	}
	pthread_mutex_unlock(&s->lock);
	return ok ? me.rc : -1;
}
