/* SPDX-License-Identifier: Apache-2.0 */
/* The server's storage, behind one narrow interface: every SQL statement lives in a backend (store_sqlite.c now,
 * PostgreSQL later); the rest of the server calls these operations only. */
#ifndef SRV_STORE_H
#define SRV_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fa/reasm.h"

struct srv_store;

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

	/* One write transaction (a request's chunks): begin, then commit, or rollback on any error. */
	int (*begin)(struct srv_store *s);
	int (*commit)(struct srv_store *s);
	void (*rollback)(struct srv_store *s);

	/* The device's id, made on first sight; last_seen set to now. */
	int (*device)(struct srv_store *s, const char *serial, int64_t now, int64_t *out_id);
	/* A reassembly slot (docs/FORMAT.md §4): *out NULL when the tag has none. The caller frees it. */
	int (*slot_load)(struct srv_store *s, int64_t device, unsigned tag, struct fa_reasm_slot **out);
	/* Store a slot (NULL: delete it). */
	int (*slot_save)(struct srv_store *s, int64_t device, unsigned tag, const struct fa_reasm_slot *slot,
			 int64_t now);
	/* Bytes held by partial messages: the device's and everyone's. */
	int (*pending)(struct srv_store *s, int64_t device, int64_t *out_device, int64_t *out_total);
	/* Keep a delivered message, once per device and content (a message sent again is the same message).
	 * out_id: its id; out_new: false when it was already there. */
	int (*message_add)(struct srv_store *s, int64_t device, const uint8_t *msg, size_t len, int64_t now,
			   int64_t *out_id, bool *out_new);
	/* Record an uploaded symbol file (its build-id in hex, its size): a new upload of the same build replaces. */
	int (*symbols_add)(struct srv_store *s, const char *build_id, int64_t size, int64_t now);
	/* Devices ordered by serial, after `after` (NULL: from the start), at most limit, to each(). */
	int (*devices)(struct srv_store *s, const char *after, int limit,
		       void (*each)(const struct srv_device *d, void *ctx), void *ctx);
};

struct srv_store {
	const struct srv_store_ops *ops;
	char error[256];
};

/*
 * Open (creating when new) the SQLite database DIR/faultline.db: WAL journal, synchronous=NORMAL, the schema
 * migrated to the current version. out: the store, closed with its ops->close.
 * Returns 0, or -1 with err filled (a newer schema than this server knows is refused, not touched).
 */
int srv_store_open_sqlite(struct srv_store **out, const char *dir, char *err, size_t errlen);

/* The last error message of s. */
const char *srv_store_error(const struct srv_store *s);

#endif
