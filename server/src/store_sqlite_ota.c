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

int sq_cohort_add(struct srv_store *base, const char *name, const char *hw_version, const char *sw_version,
		  const char *const *serials, size_t n, int64_t now, int64_t *out_id)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(s, &st, "INSERT INTO cohorts (name, hw_version, sw_version, created) VALUES (?, ?, ?, ?) "
			       "ON CONFLICT (name) DO NOTHING RETURNING id", "cohort_add") != 0)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (hw_version != NULL)
		sqlite3_bind_text(st, 2, hw_version, -1, SQLITE_STATIC);
	if (sw_version != NULL)
		sqlite3_bind_text(st, 3, sw_version, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	if ((rc = sq_step_row(s, st, out_id, "cohort_add")) != 0)
		return rc; /* SRV_NONE: the name is taken */
	for (size_t i = 0; i < n; i++) {
		if (sq_prepare(s, &st, "INSERT OR IGNORE INTO cohort_serials (cohort_id, serial) VALUES (?, ?)",
			       "cohort_serial") != 0)
			return -1;
		sqlite3_bind_int64(st, 1, *out_id);
		sqlite3_bind_text(st, 2, serials[i], -1, SQLITE_STATIC);
		if (sq_step_done(s, st, "cohort_serial") != 0)
			return -1;
	}
	return 0;
}

int sq_cohorts(struct srv_store *base, const char *name, void (*each)(const struct srv_cohort *c, void *ctx),
	       void *ctx)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc, n = 0;

	if (sq_prepare(s, &st, "SELECT c.id, c.created, (SELECT COUNT(*) FROM cohort_serials s WHERE s.cohort_id = c.id), "
			       "c.name, c.hw_version, c.sw_version FROM cohorts c WHERE ?1 IS NULL OR c.name = ?1 "
			       "ORDER BY c.name", "cohorts") != 0)
		return -1;
	if (name != NULL)
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct srv_cohort c = {.id = sqlite3_column_int64(st, 0), .created = sqlite3_column_int64(st, 1),
				       .serials = sqlite3_column_int64(st, 2),
				       .name = (const char *)sqlite3_column_text(st, 3),
				       .hw_version = (const char *)sqlite3_column_text(st, 4),
				       .sw_version = (const char *)sqlite3_column_text(st, 5)};

		each(&c, ctx);
		n++;
	}
	sq_release(s, st);
	if (rc != SQLITE_DONE)
		return srv_store_fail(base, "cohorts: %s", sqlite3_errmsg(s->db));
	return name != NULL && n == 0 ? SRV_NONE : 0;
}

/* Whether the device of checkins row k is in the cohort of id `cohort` (an SQL expression), as a WHERE clause's
 * condition: the one membership rule (docs/OTA.md, Cohorts and deployments). */
#define IN_COHORT(cohort)                                                                                          \
	"EXISTS (SELECT 1 FROM cohorts c JOIN devices d ON d.id = k.device_id WHERE c.id = " cohort " AND "          \
	"(c.hw_version IS NULL OR c.hw_version = k.hw_version) AND (c.sw_version IS NULL OR c.sw_version = "          \
	"k.sw_version) AND (NOT EXISTS (SELECT 1 FROM cohort_serials cs WHERE cs.cohort_id = c.id) OR EXISTS "         \
	"(SELECT 1 FROM cohort_serials cs WHERE cs.cohort_id = c.id AND cs.serial = d.serial)))"

int sq_cohort_reach(struct srv_store *base, int64_t cohort, int64_t *out_devices, int64_t out_max[4],
		    int64_t *out_counter, int64_t *out_slot)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(s, &st, "SELECT COUNT(*), MAX(security_counter), MIN(slot_size), (SELECT major || ' ' || minor || "
			       "' ' || revision || ' ' || build FROM checkins k WHERE " IN_COHORT("?1") " ORDER BY major "
			       "DESC, minor DESC, revision DESC, build DESC LIMIT 1) FROM checkins k WHERE " IN_COHORT("?1"),
		       "cohort_reach") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, cohort);
	memset(out_max, 0, 4 * sizeof(*out_max));
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *max = (const char *)sqlite3_column_text(st, 3);
		long long v[4] = {0};

		*out_devices = sqlite3_column_int64(st, 0);
		*out_counter = sqlite3_column_int64(st, 1);
		*out_slot = sqlite3_column_int64(st, 2);
		if (max != NULL && sscanf(max, "%lld %lld %lld %lld", &v[0], &v[1], &v[2], &v[3]) == 4)
			for (int i = 0; i < 4; i++)
				out_max[i] = v[i];
	}
	sq_release(s, st);
	return rc == SQLITE_ROW ? 0 : srv_store_fail(base, "cohort_reach: %s", sqlite3_errmsg(s->db));
}

int sq_deployment_add(struct srv_store *base, int64_t release, int64_t cohort, int percent, int64_t now,
		      int64_t *out_id)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;

	if (sq_prepare(s, &st, "INSERT INTO deployments (release_id, cohort_id, percent, created) VALUES (?, ?, ?, ?) "
			       "RETURNING id", "deployment_add") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, release);
	sqlite3_bind_int64(st, 2, cohort);
	sqlite3_bind_int(st, 3, percent);
	sqlite3_bind_int64(st, 4, now);
	return sq_step_row(s, st, out_id, "deployment_add") == 0 ? 0 : -1;
}

int sq_deployments(struct srv_store *base, int64_t id, void (*each)(const struct srv_deployment *d, void *ctx),
		   void *ctx)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st, *steps;
	int rc, n = 0;

	if (sq_prepare(s, &st, "SELECT d.id, d.release_id, d.cohort_id, d.created, d.percent, d.stopped IS NOT NULL, "
			       "c.name, r.sw_version FROM deployments d JOIN cohorts c ON c.id = d.cohort_id JOIN "
			       "releases r ON r.id = d.release_id WHERE ?1 = 0 OR d.id = ?1 ORDER BY d.id DESC",
		       "deployments") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct srv_deployment d = {.id = sqlite3_column_int64(st, 0), .release_id = sqlite3_column_int64(st, 1),
					   .cohort_id = sqlite3_column_int64(st, 2), .created = sqlite3_column_int64(st, 3),
					   .percent = sqlite3_column_int(st, 4), .stopped = sqlite3_column_int(st, 5) != 0,
					   .cohort = (const char *)sqlite3_column_text(st, 6),
					   .version = (const char *)sqlite3_column_text(st, 7)};
		int r2;

		if (sq_prepare(s, &steps, "SELECT step, COUNT(*) FROM updates WHERE deployment_id = ? GROUP BY step",
			       "deployment_steps") != 0) {
			sq_release(s, st);
			return -1;
		}
		sqlite3_bind_int64(steps, 1, d.id);
		while ((r2 = sqlite3_step(steps)) == SQLITE_ROW)
			if (sqlite3_column_int(steps, 0) >= 0 && sqlite3_column_int(steps, 0) < SRV_STEPS)
				d.at_step[sqlite3_column_int(steps, 0)] = sqlite3_column_int64(steps, 1);
		sq_release(s, steps);
		if (r2 != SQLITE_DONE) {
			sq_release(s, st);
			return srv_store_fail(base, "deployment_steps: %s", sqlite3_errmsg(s->db));
		}
		each(&d, ctx);
		n++;
	}
	sq_release(s, st);
	if (rc != SQLITE_DONE)
		return srv_store_fail(base, "deployments: %s", sqlite3_errmsg(s->db));
	return id != 0 && n == 0 ? SRV_NONE : 0;
}

int sq_deployment_percent(struct srv_store *base, int64_t id, int percent)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;

	if (sq_prepare(s, &st, "UPDATE deployments SET percent = ? WHERE id = ?", "deployment_percent") != 0)
		return -1;
	sqlite3_bind_int(st, 1, percent);
	sqlite3_bind_int64(st, 2, id);
	if (sq_step_done(s, st, "deployment_percent") != 0)
		return -1;
	return sqlite3_changes(s->db) > 0 ? 0 : SRV_NONE;
}

static int update_rows(struct sqlite_store *s, sqlite3_stmt *st, void (*each)(const struct srv_update_row *u, void *ctx),
		       void *ctx, const char *what)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct srv_update_row u = {.serial = (const char *)sqlite3_column_text(st, 0),
					   .step = (enum srv_update_step)sqlite3_column_int(st, 1),
					   .offset = sqlite3_column_int64(st, 2),
					   .why = (const char *)sqlite3_column_text(st, 3), .at = sqlite3_column_int64(st, 4)};

		each(&u, ctx);
	}
	sq_release(s, st);
	return rc == SQLITE_DONE ? 0 : srv_store_fail(&s->base, "%s: %s", what, sqlite3_errmsg(s->db));
}

int sq_deployment_devices(struct srv_store *base, int64_t deployment,
			  void (*each)(const struct srv_update_row *u, void *ctx), void *ctx)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;

	if (sq_prepare(s, &st, "SELECT d.serial, u.step, u.offset, u.why, u.at FROM updates u JOIN devices d ON d.id = "
			       "u.device_id WHERE u.deployment_id = ? ORDER BY d.serial", "deployment_devices") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, deployment);
	return update_rows(s, st, each, ctx, "deployment_devices");
}

int sq_deployment_events(struct srv_store *base, int64_t deployment, const char *serial,
			 void (*each)(const struct srv_update_row *u, void *ctx), void *ctx)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;

	if (sq_prepare(s, &st, "SELECT d.serial, u.step, u.offset, u.why, u.at FROM update_steps u JOIN devices d ON "
			       "d.id = u.device_id WHERE u.deployment_id = ?1 AND (?2 IS NULL OR d.serial = ?2) ORDER BY "
			       "u.id", "deployment_events") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, deployment);
	if (serial != NULL)
		sqlite3_bind_text(st, 2, serial, -1, SQLITE_STATIC);
	return update_rows(s, st, each, ctx, "deployment_events");
}

/* Is the device in the deployment's percent: the first 4 bytes of SHA-256(deployment id as 8 bytes little-endian,
 * then the serial), little-endian, modulo 100, below percent. The same devices stay in as percent grows. */
static bool in_percent(int64_t deployment, const char *serial, int percent)
{
	crypto_hash_sha256_state h;
	uint8_t id[8], digest[32];

	for (int i = 0; i < 8; i++)
		id[i] = (uint8_t)((uint64_t)deployment >> (8 * i));
	crypto_hash_sha256_init(&h);
	crypto_hash_sha256_update(&h, id, sizeof(id));
	crypto_hash_sha256_update(&h, (const uint8_t *)serial, strlen(serial));
	crypto_hash_sha256_final(&h, digest);
	return ((uint32_t)digest[0] | (uint32_t)digest[1] << 8 | (uint32_t)digest[2] << 16 | (uint32_t)digest[3] << 24) %
		       100 <
	       (uint32_t)percent;
}

static int step_put(struct sqlite_store *s, int64_t deployment, int64_t device, enum srv_update_step step,
		    int64_t offset, const char *why, int64_t now)
{
	sqlite3_stmt *st;

	if (sq_prepare(s, &st, "INSERT INTO updates (deployment_id, device_id, step, offset, why, at) VALUES (?1, ?2, ?3, "
			       "?4, ?5, ?6) ON CONFLICT DO UPDATE SET step = ?3, offset = ?4, why = ?5, at = ?6",
		       "update_put") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, deployment);
	sqlite3_bind_int64(st, 2, device);
	sqlite3_bind_int(st, 3, (int)step);
	sqlite3_bind_int64(st, 4, offset);
	if (why != NULL)
		sqlite3_bind_text(st, 5, why, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now);
	if (sq_step_done(s, st, "update_put") != 0)
		return -1;
	if (sq_prepare(s, &st, "INSERT INTO update_steps (deployment_id, device_id, step, offset, why, at) VALUES (?, ?, "
			       "?, ?, ?, ?)", "update_step") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, deployment);
	sqlite3_bind_int64(st, 2, device);
	sqlite3_bind_int(st, 3, (int)step);
	sqlite3_bind_int64(st, 4, offset);
	if (why != NULL)
		sqlite3_bind_text(st, 5, why, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now);
	return sq_step_done(s, st, "update_step");
}

int sq_checkin(struct srv_store *base, int64_t device, const char *serial, const struct srv_checkin *c, int64_t now,
	       struct srv_offer *out)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	bool found = false, offered = false;
	int rc;

	memset(out, 0, sizeof(*out));
	if (sq_prepare(s, &st, "INSERT INTO checkins (device_id, sw_version, build_id, hw_version, major, minor, revision, "
			       "build, security_counter, slot_size, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
			       "ON CONFLICT DO UPDATE SET sw_version = ?2, build_id = ?3, hw_version = ?4, major = ?5, "
			       "minor = ?6, revision = ?7, build = ?8, security_counter = ?9, slot_size = ?10, at = ?11",
		       "checkin_put") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, device);
	sqlite3_bind_text(st, 2, c->sw_version, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->build_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->hw_version, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, c->major);
	sqlite3_bind_int(st, 6, c->minor);
	sqlite3_bind_int(st, 7, c->revision);
	sqlite3_bind_int64(st, 8, c->build);
	sqlite3_bind_int64(st, 9, c->security_counter);
	sqlite3_bind_int64(st, 10, c->slot_size);
	sqlite3_bind_int64(st, 11, now);
	if (sq_step_done(s, st, "checkin_put") != 0)
		return -1;
	/* the deployments whose cohort has the device and whose release it may take, newest release first */
	if (sq_prepare(s, &st, "SELECT dp.id, r.id, r.size, lower(hex(r.sha256)), r.sw_version, dp.percent, "
			       "EXISTS (SELECT 1 FROM updates u WHERE u.deployment_id = dp.id AND u.device_id = ?1) "
			       "FROM deployments dp JOIN releases r ON r.id = dp.release_id JOIN checkins k ON k.device_id = ?1 "
			       "WHERE dp.stopped IS NULL AND " IN_COHORT("dp.cohort_id") " AND NOT EXISTS (SELECT 1 FROM "
			       "updates u WHERE u.deployment_id = dp.id AND u.device_id = ?1 AND u.step IN (?2, ?3)) AND "
			       "(r.major, r.minor, r.revision, r.build) > (k.major, k.minor, k.revision, k.build) AND COALESCE(r.security_counter, 0) >= k.security_counter AND r.size <= "
			       "k.slot_size ORDER BY r.major DESC, r.minor DESC, r.revision DESC, r.build DESC, dp.id DESC",
		       "checkin_offer") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, device);
	sqlite3_bind_int(st, 2, SRV_STEP_REVERTED);
	sqlite3_bind_int(st, 3, SRV_STEP_FAILED);
	while (!found && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!in_percent(sqlite3_column_int64(st, 0), serial, sqlite3_column_int(st, 5)))
			continue;
		found = true;
		out->deployment = sqlite3_column_int64(st, 0);
		out->release = sqlite3_column_int64(st, 1);
		out->size = sqlite3_column_int64(st, 2);
		snprintf(out->sha256, sizeof(out->sha256), "%s", (const char *)sqlite3_column_text(st, 3));
		snprintf(out->version, sizeof(out->version), "%s", (const char *)sqlite3_column_text(st, 4));
		offered = sqlite3_column_int(st, 6) != 0;
	}
	if (!found && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		sq_release(s, st);
		return srv_store_fail(base, "checkin_offer: %s", sqlite3_errmsg(s->db));
	}
	sq_release(s, st);
	if (!found)
		return SRV_NONE;
	return offered ? 0 : step_put(s, out->deployment, device, SRV_STEP_OFFERED, 0, NULL, now);
}

int sq_update_report(struct srv_store *base, int64_t device, int64_t deployment, enum srv_update_step step,
		     int64_t offset, const char *why, int64_t now)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	int64_t steps = 0;
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(s, &st, "SELECT (SELECT COUNT(*) FROM update_steps WHERE deployment_id = ?1 AND device_id = ?2) "
			       "FROM updates WHERE deployment_id = ?1 AND device_id = ?2", "update_known") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, deployment);
	sqlite3_bind_int64(st, 2, device);
	if ((rc = sq_step_row(s, st, &steps, "update_known")) != 0)
		return rc;
	if (steps >= SRV_UPDATE_STEPS_MAX)
		return SRV_FULL;
	return step_put(s, deployment, device, step, offset, why, now);
}

int sq_device_release(struct srv_store *base, int64_t device, int64_t release, char *out_sha256, int64_t *out_size)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(s, &st, "SELECT lower(hex(r.sha256)), r.size FROM releases r WHERE r.id = ?2 AND EXISTS (SELECT 1 "
			       "FROM updates u JOIN deployments d ON d.id = u.deployment_id WHERE u.device_id = ?1 AND "
			       "d.release_id = r.id)", "device_release") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, device);
	sqlite3_bind_int64(st, 2, release);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(out_sha256, 65, "%s", (const char *)sqlite3_column_text(st, 0));
		*out_size = sqlite3_column_int64(st, 1);
	}
	sq_release(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return srv_store_fail(base, "device_release: %s", sqlite3_errmsg(s->db));
	return rc == SQLITE_ROW ? 0 : SRV_NONE;
}
