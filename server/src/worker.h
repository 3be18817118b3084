/* SPDX-License-Identifier: Apache-2.0 */
/* Processing: worker threads take delivered messages from the store's queue and turn them into what the read API
 * shows — a coredump into a trace (unwound and symbolized with the uploaded ELF of its build) attached to the issue
 * of its fingerprint, a reboot into a device event. A coredump whose symbols were not uploaded waits, named by its
 * build-id, and is processed when they arrive. The HTTP threads only store; nothing slow runs on them. */
#ifndef SRV_WORKER_H
#define SRV_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include "analyst.h"
#include "store.h"

struct srv_workers;

/*
 * Begin (or go on with) reprocessing when stored traces are of an older analysis than FA_ANALYSIS_VERSION
 * (docs/ANALYSIS.md, When fingerprints change), queue again what a stopped server left half done, then start n
 * (>= 1) threads processing from s, each with its analyst (analyst.h) that reads the symbol files. At start and
 * then hourly, one of them also abandons partial messages not added to for partial_expiry (> 0) seconds, and
 * applies retention to what was received more than retention (> 0) seconds ago (srv_store_ops.retention, in steps
 * that each hold the store briefly); while reprocessing, one of them takes its steps every second, and the
 * threads take messages queued for reprocessing when no other is queued, at most reprocess_per_second of them a
 * second (0: as many as they can). The store and analysis must outlive the workers. Returns 0 or -1 (s's error
 * says why: a database processed by a newer analysis is refused, untouched).
 */
int srv_workers_start(struct srv_workers **out, struct srv_store *s, const struct srv_analyst_config *analysis,
		      unsigned n, int64_t partial_expiry, int64_t retention, unsigned reprocess_per_second);

/* New work was queued (a message delivered, symbols arrived): wake the workers now. w may be NULL. */
void srv_workers_wake(struct srv_workers *w);

/* Finish the messages in progress, stop the threads and free. */
void srv_workers_stop(struct srv_workers *w);

/* A worker's own state, zeroed at first; the owner srv_analyst_stop()s analyst at the end.
 * analyst: its analyst process (started by the first call when NULL), which keeps the last build's ELF open.
 * unfinished: a message it claimed but could not store the outcome of, nor hand back (the disk was full): handed
 * back to the queue before anything else, as soon as the store takes writes again.
 * hold_reprocess: (in) the next call takes no message queued for reprocessing (their pace is the caller's).
 * reprocessed: (out) the message the last call processed was one queued for reprocessing. */
struct srv_worker_state {
	struct srv_analyst *analyst;
	int64_t unfinished;
	bool hold_reprocess, reprocessed;
};

/*
 * Process one queued message on the calling thread (the threads' own step); when none is queued, one queued for
 * reprocessing (unless w->hold_reprocess). A message whose outcome cannot be
 * stored (a full disk), or that could not be tried (no analyst could be started), goes back to the queue as it was.
 * One whose analysis died (the analyst crashed, hung or used too much memory: it is ended, the next job starts a
 * new one) goes back behind the fresh messages, counted, and is quarantined at analysis->failures_max deaths.
 * s: the store.  analysis: how analysts run.  w: (in/out) the calling worker's state.
 * Returns 1 when a message was processed (whatever its outcome), 0 when none is queued, -1 on a store error or when
 * no analyst could be started (s's error says why).
 */
int srv_process_one(struct srv_store *s, const struct srv_analyst_config *analysis, struct srv_worker_state *w);

#endif
