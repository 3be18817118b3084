/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite backend's login sessions of the dashboard (session.h): rows by the SHA-256 of their cookie. */
#include <stdio.h>
#include <string.h>

#include "store_sqlite.h"

int sq_session_put(struct srv_store *base, const uint8_t hash[32], const char *csrf, int64_t created, int64_t expires)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;

	if (sq_prepare(s, &st, "DELETE FROM sessions WHERE expires <= ?", "sessions_expire") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, created);
	if (sq_step_done(s, st, "sessions_expire") != 0 ||
	    sq_prepare(s, &st, "INSERT INTO sessions (token_hash, csrf, created, expires) VALUES (?, ?, ?, ?)",
		       "session_put") != 0)
		return -1;
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, csrf, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, created);
	sqlite3_bind_int64(st, 4, expires);
	return sq_step_done(s, st, "session_put");
}

int sq_session_get(struct srv_store *base, const uint8_t hash[32], int64_t now, char *out, size_t cap)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(s, &st, "SELECT csrf FROM sessions WHERE token_hash = ? AND expires > ?", "session_get") != 0)
		return -1;
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
	sq_release(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return srv_store_fail(base, "session_get: %s", sqlite3_errmsg(s->db));
	return rc == SQLITE_ROW ? 0 : SRV_NONE;
}

int sq_session_delete(struct srv_store *base, const uint8_t hash[32])
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;

	if (sq_prepare(s, &st, "DELETE FROM sessions WHERE token_hash = ?", "session_delete") != 0)
		return -1;
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	return sq_step_done(s, st, "session_delete");
}

int sq_sessions_clear(struct srv_store *base)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;

	if (sq_prepare(s, &st, "DELETE FROM sessions", "sessions_clear") != 0)
		return -1;
	return sq_step_done(s, st, "sessions_clear");
}
