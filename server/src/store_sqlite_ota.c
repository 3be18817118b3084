/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite backend's updates (docs/OTA.md): the project's release signing keys and its releases. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "fo/key.h"
#include "store_sqlite.h"

int sq_signing_key_add(struct srv_store *base, const uint8_t public_key[32], const char *name, int64_t now,
		       int64_t *out_id, bool *out_new)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	uint8_t hash[32];
	sqlite3_stmt *st;
	int rc;

	*out_new = false;
	if (sq_prepare(s, &st, "SELECT id, removed IS NULL FROM signing_keys WHERE public_key = ?", "signing_key") != 0)
		return -1;
	sqlite3_bind_blob(st, 1, public_key, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*out_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	*out_new = rc == SQLITE_ROW && sqlite3_column_int(st, 1) == 0; /* a removed key back */
	sq_release(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return srv_store_fail(base, "signing_key: %s", sqlite3_errmsg(s->db));
	if (rc == SQLITE_ROW) {
		if (!*out_new)
			return 0;
		if (sq_prepare(s, &st, "UPDATE signing_keys SET removed = NULL, name = ?, added = ? WHERE id = ?",
			       "signing_key_back") != 0)
			return -1;
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, now);
		sqlite3_bind_int64(st, 3, *out_id);
		return sq_step_done(s, st, "signing_key_back");
	}
	fo_key_hash(hash, public_key);
	if (sq_prepare(s, &st, "INSERT INTO signing_keys (public_key, key_hash, name, added) VALUES (?, ?, ?, ?) "
			       "RETURNING id", "signing_key_add") != 0)
		return -1;
	sqlite3_bind_blob(st, 1, public_key, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, hash, 32, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	*out_new = true;
	return sq_step_row(s, st, out_id, "signing_key_add") == 0 ? 0 : -1;
}

int sq_signing_keys(struct srv_store *base, void (*each)(const struct srv_signing_key *k, void *ctx), void *ctx)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(s, &st, "SELECT k.id, k.added, (SELECT COUNT(*) FROM releases r WHERE r.key_id = k.id), "
			       "k.public_key, k.name FROM signing_keys k WHERE k.removed IS NULL ORDER BY k.id",
		       "signing_keys") != 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct srv_signing_key k = {.id = sqlite3_column_int64(st, 0), .added = sqlite3_column_int64(st, 1),
					    .releases = sqlite3_column_int64(st, 2),
					    .public_key = sqlite3_column_blob(st, 3),
					    .name = (const char *)sqlite3_column_text(st, 4)};

		if (sqlite3_column_bytes(st, 3) == 32)
			each(&k, ctx);
	}
	sq_release(s, st);
	return rc == SQLITE_DONE ? 0 : srv_store_fail(base, "signing_keys: %s", sqlite3_errmsg(s->db));
}

int sq_signing_key_remove(struct srv_store *base, int64_t id, int64_t now)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;

	if (sq_prepare(s, &st, "UPDATE signing_keys SET removed = ? WHERE id = ? AND removed IS NULL",
		       "signing_key_remove") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	if (sq_step_done(s, st, "signing_key_remove") != 0)
		return -1;
	return sqlite3_changes(s->db) > 0 ? 0 : SRV_NONE;
}

int sq_release_add(struct srv_store *base, const struct srv_release *r, int64_t now, int64_t *out_id, bool *out_new)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	*out_new = false;
	if (sq_prepare(s, &st, "SELECT id FROM releases WHERE sha256 = ?", "release_known") != 0)
		return -1;
	sqlite3_bind_blob(st, 1, r->sha256, 32, SQLITE_STATIC);
	if ((rc = sq_step_row(s, st, out_id, "release_known")) != SRV_NONE)
		return rc;
	if (sq_prepare(s, &st, "INSERT INTO releases (sha256, sw_version, major, minor, revision, build, "
			       "security_counter, img_size, size, build_id, key_id, uploaded) VALUES (?, ?, ?, ?, ?, ?, ?, "
			       "?, ?, ?, ?, ?) RETURNING id", "release_add") != 0)
		return -1;
	sqlite3_bind_blob(st, 1, r->sha256, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->sw_version, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, r->major);
	sqlite3_bind_int(st, 4, r->minor);
	sqlite3_bind_int(st, 5, r->revision);
	sqlite3_bind_int64(st, 6, r->build);
	if (r->has_security_counter)
		sqlite3_bind_int64(st, 7, r->security_counter);
	sqlite3_bind_int64(st, 8, r->img_size);
	sqlite3_bind_int64(st, 9, r->size);
	sqlite3_bind_text(st, 10, r->build_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, r->key_id);
	sqlite3_bind_int64(st, 12, now);
	*out_new = true;
	return sq_step_row(s, st, out_id, "release_add") == 0 ? 0 : -1;
}

int sq_releases(struct srv_store *base, int64_t id, void (*each)(const struct srv_release *r, void *ctx), void *ctx)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc, n = 0;

	if (sq_prepare(s, &st, "SELECT id, uploaded, key_id, img_size, size, sw_version, major, minor, revision, build, "
			       "security_counter, sha256, build_id FROM releases WHERE ?1 = 0 OR id = ?1 ORDER BY id DESC",
		       "releases") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct srv_release r = {.id = sqlite3_column_int64(st, 0), .uploaded = sqlite3_column_int64(st, 1),
					.key_id = sqlite3_column_int64(st, 2), .img_size = sqlite3_column_int64(st, 3),
					.size = sqlite3_column_int64(st, 4),
					.sw_version = (const char *)sqlite3_column_text(st, 5),
					.major = (uint8_t)sqlite3_column_int(st, 6), .minor = (uint8_t)sqlite3_column_int(st, 7),
					.revision = (uint16_t)sqlite3_column_int(st, 8),
					.build = (uint32_t)sqlite3_column_int64(st, 9),
					.has_security_counter = sqlite3_column_type(st, 10) != SQLITE_NULL,
					.security_counter = (uint32_t)sqlite3_column_int64(st, 10),
					.sha256 = sqlite3_column_blob(st, 11),
					.build_id = (const char *)sqlite3_column_text(st, 12)};

		if (r.sha256 != NULL && sqlite3_column_bytes(st, 11) == 32) {
			each(&r, ctx);
			n++;
		}
	}
	sq_release(s, st);
	if (rc != SQLITE_DONE)
		return srv_store_fail(base, "releases: %s", sqlite3_errmsg(s->db));
	return id != 0 && n == 0 ? SRV_NONE : 0;
}
