/* SPDX-License-Identifier: Apache-2.0 */
/* The server's storage, behind one narrow interface: every SQL statement lives in a backend (store_sqlite.c now,
 * PostgreSQL later); the rest of the server calls these operations only. */
#ifndef SRV_STORE_H
#define SRV_STORE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ff/reasm.h"

struct srv_store;

/* Message states (messages.state). */
enum srv_msg_state {
	SRV_MSG_QUEUED = 0,
	SRV_MSG_PROCESSING = 1,
	SRV_MSG_DONE = 2,
	SRV_MSG_SYMBOLS_MISSING = 3,
	SRV_MSG_FAILED = 4,
};

/* A claimed job: a delivered message to process. bytes are malloc'd; the caller frees them. */
struct srv_job {
	int64_t id, device, received;
	uint8_t *bytes;
	size_t len;
};

/* What processing a coredump produced. */
struct srv_trace {
	int64_t message, device, captured;
	const char *fingerprint, *kind, *title, *sw_version;
	const char *report; /* the report as JSON (fa_report_json), the only form of it kept */
};

/* A device as the read API shows it. */
struct srv_device {
	const char *serial;
	int64_t first_seen, last_seen; /* Unix seconds */
	int64_t messages;
};

/* The operations a backend implements. Each returns 0 or -1 with a message in the store (srv_store_error()). */
struct srv_store_ops {
	void (*close)(struct srv_store *s);
	/* A value of the key-value table (keys' hashes, the schema version): 1 found, 0 absent, -1 error. */
	int (*meta_get)(struct srv_store *s, const char *key, char *out, size_t cap);
	int (*meta_set)(struct srv_store *s, const char *key, const char *value);

	/* A write transaction: begin, then commit, or rollback on any error (used by the group commit of store.c and by
	 * operations that make their own, slots_expire). */
	int (*begin)(struct srv_store *s);
	int (*commit)(struct srv_store *s);
	void (*rollback)(struct srv_store *s);
	/* A request's part of a group transaction (srv_store_group_enter): mark, then unmark (keep its writes) or
	 * undo (forget them, and only them; -1 when that failed and the whole transaction must be rolled back). */
	int (*mark)(struct srv_store *s);
	int (*unmark)(struct srv_store *s);
	int (*undo)(struct srv_store *s);

	/* The device's id, made on first sight; last_seen set to now. */
	int (*device)(struct srv_store *s, const char *serial, int64_t now, int64_t *out_id);
	/* A reassembly slot (docs/FORMAT.md §4): *out NULL when the tag has none. The caller frees it. */
	int (*slot_load)(struct srv_store *s, int64_t device, unsigned tag, struct ff_reasm_slot **out);
	/* Store a slot (NULL: delete it). */
	int (*slot_save)(struct srv_store *s, int64_t device, unsigned tag, const struct ff_reasm_slot *slot,
			 int64_t now);
	/* Bytes held by partial messages: the device's and everyone's. */
	int (*pending)(struct srv_store *s, int64_t device, int64_t *out_device, int64_t *out_total);
	/* Keep a delivered message, once per device and content (a message sent again is the same message).
	 * out_id: its id; out_new: false when it was already there. */
	int (*message_add)(struct srv_store *s, int64_t device, const uint8_t *msg, size_t len, int64_t now,
			   int64_t *out_id, bool *out_new);
	/* Record an uploaded symbol file (its build-id in hex, its size): a new upload of the same build replaces. */
	int (*symbols_add)(struct srv_store *s, const char *build_id, int64_t size, int64_t now);
	/* Processing. job_claim: the oldest queued message, now marked processing (1), or 0 when none.
	 * job_finish: its new state, with the build-id it waits for (symbols missing) or why it failed. */
	int (*job_claim)(struct srv_store *s, struct srv_job *out);
	int (*job_finish)(struct srv_store *s, int64_t id, enum srv_msg_state state, const char *detail);
	/* Abandon partial messages (docs/FORMAT.md §4 rule 5) not added to since before: their slots are deleted and
	 * counted in the meta key "partials_abandoned". out_count: how many now. */
	int (*slots_expire)(struct srv_store *s, int64_t before, int64_t *out_count);
	/* At start: messages left "processing" by a stopped server are queued again. */
	int (*jobs_recover)(struct srv_store *s);
	/* Messages waiting for build_id's symbols are queued again. out_count: how many. */
	int (*symbols_arrived)(struct srv_store *s, const char *build_id, int64_t *out_count);
	/* 1 when symbols for build_id were uploaded, 0 when not. */
	int (*symbols_known)(struct srv_store *s, const char *build_id);
	/* Keep a coredump's trace, attached to the issue of its fingerprint (made when new). Processing the same
	 * message again replaces its trace: counts come from trace rows, so nothing is counted twice. */
	int (*trace_put)(struct srv_store *s, const struct srv_trace *t, int64_t *out_trace, int64_t *out_issue);
	/* Keep a reboot event (once per message). */
	int (*reboot_put)(struct srv_store *s, int64_t message, int64_t device, int64_t boot_id, int reason,
			  int64_t received);
	/* Read API, each answering with a JSON text (malloc'd, the caller frees it); 0 found, 1 not found, -1 error. */
	int (*issues_json)(struct srv_store *s, int64_t after, int limit, char **out);
	int (*issue_json)(struct srv_store *s, int64_t id, char **out);
	int (*trace_json)(struct srv_store *s, int64_t id, char **out);
	int (*device_json)(struct srv_store *s, const char *serial, char **out);
	/* The message bytes behind a trace (for its ELF core), malloc'd. 0 found, 1 not found, -1 error. */
	int (*trace_message)(struct srv_store *s, int64_t trace, uint8_t **out, size_t *out_len);
	/* Devices ordered by serial, after `after` (NULL: from the start), at most limit, to each(). */
	int (*devices)(struct srv_store *s, const char *after, int limit,
		       void (*each)(const struct srv_device *d, void *ctx), void *ctx);
};

struct srv_group_member;

struct srv_store {
	const struct srv_store_ops *ops;
	char error[256];
	pthread_mutex_t lock; /* one connection: held around each use (srv_store_lock or srv_store_group_enter) */
	/* the group commit (srv_store_group_enter): the open transaction's members, committed together */
	pthread_cond_t committed;
	unsigned waiting; /* threads blocked on lock; atomic */
	unsigned members;
	bool open;
	struct srv_group_member *first;
};

/* Set up and tear down the lock fields of s (by the backend's open and close). */
void srv_store_init(struct srv_store *s);
void srv_store_fini(struct srv_store *s);

/* Serialize use of the store across the HTTP threads and the workers. srv_store_lock first commits a group
 * transaction left open (srv_store_group_enter), so what the holder reads and writes is on its own. */
void srv_store_lock(struct srv_store *s);
void srv_store_unlock(struct srv_store *s);

/*
 * Group commit, for ingestion: requests that arrive together share one transaction and one commit (a commit writes
 * every page it touched to the WAL, so per-request commits cap ingestion far below what the disk can take).
 * enter: take the lock, begin the group's transaction when none is open, and mark this request's part.
 * leave: ok true keeps the request's writes, false undoes them (and only them); then, when another thread waits for
 * the lock (and the group is not full), the transaction stays open and this call sleeps until a later member, or
 * the next srv_store_lock, commits it; otherwise it commits now. Returns with the lock released.
 * Both return 0, or -1 (logged on stderr) when nothing of the request is stored: enter or the commit failed, or
 * leave was told !ok. A request is answered only after leave returns 0: its chunks are then committed.
 */
int srv_store_group_enter(struct srv_store *s);
int srv_store_group_leave(struct srv_store *s, bool ok);

/*
 * Open (creating when new) the SQLite database DIR/faultline.db: WAL journal, synchronous=NORMAL, a checkpoint
 * every 10,000 WAL pages, the schema migrated to the current version. out: the store, closed with its ops->close.
 * Returns 0, or -1 with err filled (a newer schema than this server knows is refused, not touched).
 */
int srv_store_open_sqlite(struct srv_store **out, const char *dir, char *err, size_t errlen);

/* The last error message of s. */
const char *srv_store_error(const struct srv_store *s);

#endif
