/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite backend of the store: WAL, prepared statements only, schema migrations by version. */
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "store.h"

#define SCHEMA_VERSION 1

struct sqlite_store {
	struct srv_store base;
	sqlite3 *db;
};

/* Schema changes, one per version, applied in order inside a transaction. */
static const char *const k_migrations[SCHEMA_VERSION] = {
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
};

static int fail(struct srv_store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct srv_store *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
	return -1;
}

static void sq_close(struct srv_store *base)
{
	struct sqlite_store *s = (struct sqlite_store *)base;

	sqlite3_close(s->db);
	free(s);
}

static int sq_meta_get(struct srv_store *base, const char *key, char *out, size_t cap)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL) != SQLITE_OK)
		return fail(base, "meta_get: %s", sqlite3_errmsg(s->db));
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(base, "meta_get %s: %s", key, sqlite3_errmsg(s->db));
	return rc == SQLITE_ROW;
}

static int sq_meta_set(struct srv_store *base, const char *key, const char *value)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO meta (key, value) VALUES (?, ?) "
				      "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			       -1, &st, NULL) != SQLITE_OK)
		return fail(base, "meta_set: %s", sqlite3_errmsg(s->db));
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : fail(base, "meta_set %s: %s", key, sqlite3_errmsg(s->db));
}

static const struct srv_store_ops k_sqlite_ops = {sq_close, sq_meta_get, sq_meta_set};

static int exec(struct sqlite_store *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fail(&s->base, "%s", msg != NULL ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int migrate(struct sqlite_store *s)
{
	sqlite3_stmt *st;
	int version = 0;
	char sql[64];

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return fail(&s->base, "%s", sqlite3_errmsg(s->db));
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version > SCHEMA_VERSION)
		return fail(&s->base, "the database has schema version %d; this server knows up to %d: upgrade it",
			    version, SCHEMA_VERSION);
	for (; version < SCHEMA_VERSION; version++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version + 1);
		if (exec(s, "BEGIN IMMEDIATE") != 0 || exec(s, k_migrations[version]) != 0 || exec(s, sql) != 0 ||
		    exec(s, "COMMIT") != 0) {
			char why[256];

			snprintf(why, sizeof(why), "%s", s->base.error);
			exec(s, "ROLLBACK");
			return fail(&s->base, "migrating the schema to version %d: %s", version + 1, why);
		}
	}
	return 0;
}

int srv_store_open_sqlite(struct srv_store **out, const char *dir, char *err, size_t errlen)
{
	struct sqlite_store *s = srv_calloc(1, sizeof(*s));
	char path[4096];

	*out = NULL;
	s->base.ops = &k_sqlite_ops;
	snprintf(path, sizeof(path), "%s/faultline.db", dir);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", path, sqlite3_errmsg(s->db));
		sq_close(&s->base);
		return -1;
	}
	sqlite3_busy_timeout(s->db, 5000);
	if (exec(s, "PRAGMA journal_mode = WAL") != 0 || exec(s, "PRAGMA synchronous = NORMAL") != 0 ||
	    exec(s, "PRAGMA foreign_keys = ON") != 0 || migrate(s) != 0) {
		snprintf(err, errlen, "%s: %s", path, s->base.error);
		sq_close(&s->base);
		return -1;
	}
	*out = &s->base;
	return 0;
}

const char *srv_store_error(const struct srv_store *s)
{
	return s->error;
}
