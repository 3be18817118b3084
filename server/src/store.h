/* SPDX-License-Identifier: Apache-2.0 */
/* The server's storage, behind one narrow interface: every SQL statement lives in a backend (store_sqlite.c now,
 * PostgreSQL later); the rest of the server calls these operations only. */
#ifndef SRV_STORE_H
#define SRV_STORE_H

#include <stddef.h>

struct srv_store;

/* The operations a backend implements. Each returns 0 or -1 with a message in the store (srv_store_error()). */
struct srv_store_ops {
	void (*close)(struct srv_store *s);
	/* A value of the key-value table (keys' hashes, the schema version): 1 found, 0 absent, -1 error. */
	int (*meta_get)(struct srv_store *s, const char *key, char *out, size_t cap);
	int (*meta_set)(struct srv_store *s, const char *key, const char *value);
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
