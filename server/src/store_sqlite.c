/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite backend of the store: WAL, prepared statements only, schema migrations by version. */
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "store.h"
#include "store_sqlite.h"

#define SCHEMA_VERSION SRV_SQLITE_SCHEMA

/* Schema changes, one per version, applied in order inside a transaction. */
/* A trace's device counted in its issue's version when it is the device's first trace there (the row made when the
 * trace came before its message was counted: sq_count_in adds to it), and counted out with its last. */
#define VERSION_DEVICE_IN                                                                                              \
	"INSERT INTO issue_versions (issue_id, sw_version, messages, first_trace, devices) SELECT NEW.issue_id, "     \
	"NEW.sw_version, 0, NEW.id, 1 WHERE NOT EXISTS (SELECT 1 FROM traces WHERE sw_version = NEW.sw_version AND "   \
	"issue_id = NEW.issue_id AND device_id = NEW.device_id AND id <> NEW.id) ON CONFLICT DO UPDATE SET devices = " \
	"devices + 1"
#define VERSION_DEVICE_OUT                                                                                             \
	"UPDATE issue_versions SET devices = devices - 1 WHERE issue_id = OLD.issue_id AND sw_version = OLD.sw_version " \
	"AND NOT EXISTS (SELECT 1 FROM traces WHERE sw_version = OLD.sw_version AND issue_id = OLD.issue_id AND "     \
	"device_id = OLD.device_id)"

static const char *const k_migrations[SCHEMA_VERSION] = {
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
	/* devices, chunk reassembly (one slot per device and tag, docs/FORMAT.md §4), delivered messages */
	"CREATE TABLE devices (id INTEGER PRIMARY KEY, serial TEXT NOT NULL UNIQUE, first_seen INTEGER NOT NULL,"
	"                      last_seen INTEGER NOT NULL);"
	"CREATE TABLE slots (device_id INTEGER NOT NULL REFERENCES devices(id), tag INTEGER NOT NULL,"
	"                    boot INTEGER NOT NULL, seq INTEGER NOT NULL, total INTEGER NOT NULL,"
	"                    state INTEGER NOT NULL, have INTEGER NOT NULL, stream BLOB NOT NULL, held BLOB NOT NULL,"
	"                    updated INTEGER NOT NULL, PRIMARY KEY (device_id, tag));"
	"CREATE TABLE messages (id INTEGER PRIMARY KEY, device_id INTEGER NOT NULL REFERENCES devices(id),"
	"                       received INTEGER NOT NULL, digest BLOB NOT NULL, bytes BLOB NOT NULL,"
	"                       state INTEGER NOT NULL DEFAULT 0, UNIQUE (device_id, digest));"
	"CREATE INDEX messages_state ON messages (state, id);",
	/* uploaded firmware ELFs, stored as DIR/symbols/<build_id>.elf */
	"CREATE TABLE symbols (build_id TEXT PRIMARY KEY, size INTEGER NOT NULL, uploaded INTEGER NOT NULL);",
	/* processing: issues by fingerprint, a trace per coredump message, reboot events per device */
	"ALTER TABLE messages ADD COLUMN detail TEXT;"
	"CREATE TABLE issues (id INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
	"                     title TEXT NOT NULL, created INTEGER NOT NULL);"
	"CREATE TABLE traces (id INTEGER PRIMARY KEY, message_id INTEGER NOT NULL UNIQUE REFERENCES messages(id),"
	"                     device_id INTEGER NOT NULL REFERENCES devices(id), issue_id INTEGER NOT NULL"
	"                     REFERENCES issues(id), sw_version TEXT NOT NULL, captured INTEGER NOT NULL,"
	"                     report TEXT NOT NULL);"
	"CREATE INDEX traces_issue ON traces (issue_id, id);"
	"CREATE TABLE reboots (id INTEGER PRIMARY KEY, message_id INTEGER NOT NULL UNIQUE REFERENCES messages(id),"
	"                      device_id INTEGER NOT NULL REFERENCES devices(id), boot_id INTEGER NOT NULL,"
	"                      reason INTEGER NOT NULL, received INTEGER NOT NULL);",
	/* the report as text too, as `faultline decode` prints it */
	"ALTER TABLE traces ADD COLUMN text TEXT NOT NULL DEFAULT '';",
	/* the pending-bytes budget of every chunk reads only partial slots, not every slot ever kept */
	"CREATE INDEX slots_pending ON slots (state, device_id, total);",
	/* a chunk writes its own bytes (slot_bytes, one row per run of fresh bytes), not its message's whole stream;
	 * the pending bytes are running totals, per device and overall, not a sum over the fleet per chunk. The held
	 * bytes of existing slots move to slot_bytes (copy_slot_streams) */
	"CREATE TABLE slot_bytes (device_id INTEGER NOT NULL, tag INTEGER NOT NULL, offset INTEGER NOT NULL,"
	"                         bytes BLOB NOT NULL, PRIMARY KEY (device_id, tag, offset)) WITHOUT ROWID;"
	"ALTER TABLE devices ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;"
	"UPDATE devices SET pending = (SELECT COALESCE(SUM(total + 4), 0) FROM slots WHERE slots.device_id = devices.id"
	"                              AND slots.state = 0);" /* 0: FF_SLOT_PARTIAL, as schemas 2-6 stored it */
	"CREATE TABLE receiver (id INTEGER PRIMARY KEY CHECK (id = 1), pending INTEGER NOT NULL);"
	"INSERT INTO receiver VALUES (1, (SELECT COALESCE(SUM(total + 4), 0) FROM slots WHERE state = 0));",
	/* the streams are in slot_bytes now; expiry finds slots by state and age */
	"DROP INDEX slots_pending;"
	"ALTER TABLE slots DROP COLUMN stream;"
	"ALTER TABLE slots DROP COLUMN held;"
	"ALTER TABLE slots ADD COLUMN high INTEGER NOT NULL DEFAULT 0;"
	"UPDATE slots SET high = (SELECT COALESCE(MAX(offset + length(bytes)), 0) FROM slot_bytes b"
	"                         WHERE b.device_id = slots.device_id AND b.tag = slots.tag);"
	"CREATE INDEX slots_updated ON slots (state, updated);",
	/* a trace's report is kept once, as JSON: the CLI prints the text from it */
	"ALTER TABLE traces DROP COLUMN text;",
	/* analyses that died are counted; the queue serves the messages that failed least first; a quarantined
	 * message names the build it waits for a new symbol file of */
	"ALTER TABLE messages ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE messages ADD COLUMN build TEXT;"
	"DROP INDEX IF EXISTS messages_state;"
	"CREATE INDEX messages_state ON messages (state, failures, id);",
	/* retention: an issue's aggregates are stored and kept up by trace_put, so that deleting old traces changes
	 * none of them; devices and versions are counted per issue (a message moved to another issue by reprocessing
	 * leaves no device or version behind that only it had), and each version keeps the id of its first trace (the
	 * sample retention keeps, and the order of versions); a message's bytes can be dropped (dropped: when; never
	 * while it is queued (0) or processing (1), so nothing can claim a message without bytes) */
	"ALTER TABLE issues ADD COLUMN count INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE issues ADD COLUMN devices INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE issues ADD COLUMN first_seen INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE issues ADD COLUMN last_seen INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE issue_devices (issue_id INTEGER NOT NULL REFERENCES issues(id), device_id INTEGER NOT NULL"
	"                            REFERENCES devices(id), messages INTEGER NOT NULL,"
	"                            PRIMARY KEY (issue_id, device_id)) WITHOUT ROWID;"
	"CREATE TABLE issue_versions (issue_id INTEGER NOT NULL REFERENCES issues(id), sw_version TEXT NOT NULL,"
	"                             messages INTEGER NOT NULL, first_trace INTEGER NOT NULL,"
	"                             PRIMARY KEY (issue_id, sw_version)) WITHOUT ROWID;"
	"INSERT INTO issue_devices SELECT issue_id, device_id, COUNT(*) FROM traces GROUP BY issue_id, device_id;"
	"INSERT INTO issue_versions SELECT issue_id, sw_version, COUNT(*), MIN(id) FROM traces"
	"                           GROUP BY issue_id, sw_version;"
	"CREATE INDEX issue_versions_newest ON issue_versions (issue_id, first_trace);"
	"UPDATE issues SET (count, first_seen, last_seen) = (SELECT COUNT(*), COALESCE(MIN(captured), 0),"
	"                  COALESCE(MAX(captured), 0) FROM traces WHERE issue_id = issues.id),"
	"                  devices = (SELECT COUNT(*) FROM issue_devices WHERE issue_id = issues.id);"
	"CREATE INDEX traces_issue_seen ON traces (issue_id, captured);"
	"CREATE INDEX reboots_received ON reboots (received);"
	"ALTER TABLE messages ADD COLUMN dropped INTEGER CHECK (dropped IS NULL OR state NOT IN (0, 1));"
	"CREATE INDEX messages_held ON messages (received, id) WHERE dropped IS NULL;",
	/* fleet health (docs/HEALTH.md): the firmwares boots ran; each boot's identity, anchor and latest counted
	 * (its latest counted heartbeat is the one of highest uptime in heartbeats); heartbeats (kept by boot and
	 * uptime, not in messages: they need no processing); hourly buckets per
	 * firmware; each device's aggregates per firmware; crashes counted once per message; builds' metric key
	 * tables; and each device's current firmware */
	"CREATE TABLE firmwares (id INTEGER PRIMARY KEY, build_id TEXT NOT NULL, sw_version TEXT NOT NULL,"
	"                        hw_version TEXT NOT NULL, UNIQUE (build_id, sw_version, hw_version));"
	"CREATE INDEX firmwares_version ON firmwares (sw_version, hw_version);"
	"CREATE TABLE boots (device_id INTEGER NOT NULL REFERENCES devices(id), boot_id INTEGER NOT NULL,"
	"                    firmware_id INTEGER REFERENCES firmwares(id), anchor INTEGER, start_at INTEGER,"
	"                    reboot_message INTEGER, updated INTEGER NOT NULL,"
	"                    PRIMARY KEY (device_id, boot_id)) WITHOUT ROWID;"
	"CREATE TABLE heartbeats (device_id INTEGER NOT NULL REFERENCES devices(id), boot_id INTEGER NOT NULL,"
	"                         uptime INTEGER NOT NULL, received INTEGER NOT NULL, at INTEGER, builtin BLOB NOT NULL,"
	"                         vals BLOB NOT NULL, state INTEGER NOT NULL, firmware_id INTEGER,"
	"                         PRIMARY KEY (device_id, boot_id, uptime)) WITHOUT ROWID;"
	"CREATE INDEX boots_updated ON boots (updated);"
	"CREATE INDEX heartbeats_app_waiting ON heartbeats (firmware_id, device_id, boot_id, uptime) WHERE state = 2;"
	"CREATE TABLE health_hours (firmware_id INTEGER NOT NULL REFERENCES firmwares(id), hour INTEGER NOT NULL,"
	"                           seconds INTEGER NOT NULL, reboots INTEGER NOT NULL, coredumps INTEGER NOT NULL,"
	"                           crashed_hours INTEGER NOT NULL, last_devices INTEGER NOT NULL,"
	"                           current_devices INTEGER NOT NULL, crashed_devices INTEGER NOT NULL,"
	"                           PRIMARY KEY (hour, firmware_id)) WITHOUT ROWID;"
	"CREATE TABLE device_health (device_id INTEGER NOT NULL REFERENCES devices(id), firmware_id INTEGER NOT NULL"
	"                            REFERENCES firmwares(id), seconds INTEGER NOT NULL, last_at INTEGER NOT NULL,"
	"                            last_crash INTEGER, crash_hours BLOB, metrics BLOB, heartbeats INTEGER NOT NULL,"
	"                            PRIMARY KEY (device_id, firmware_id)) WITHOUT ROWID;"
	"CREATE TABLE crashes (message_id INTEGER PRIMARY KEY REFERENCES messages(id), kind INTEGER NOT NULL,"
	"                      firmware_id INTEGER NOT NULL REFERENCES firmwares(id), at INTEGER NOT NULL);"
	"CREATE TABLE metric_tables (build_id TEXT PRIMARY KEY, keys BLOB, problem TEXT);"
	"ALTER TABLE devices ADD COLUMN firmware_id INTEGER REFERENCES firmwares(id);"
	"ALTER TABLE devices ADD COLUMN firmware_at INTEGER;"
	"ALTER TABLE devices ADD COLUMN health_until INTEGER;"
	"ALTER TABLE devices ADD COLUMN health_boot INTEGER;"
	"CREATE INDEX traces_version ON traces (sw_version, issue_id, device_id);",
	/* fingerprints can change (docs/ANALYSIS.md, When fingerprints change): an issue is known by every fingerprint
	 * it had (issue_fingerprints, each with the analysis version it is of), not by one unique column, so the
	 * issues table is made again without that constraint, with the issue an issue was merged into (its id leads
	 * there) and the one it split from; a trace keeps the analysis that made it, its own fingerprint, kind and
	 * title (those of its issue until now); and where reprocessing stands (one row: nothing to do, analysis 1) */
	"CREATE TABLE issues_13 (id INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL, kind TEXT NOT NULL,"
	"                        title TEXT NOT NULL, created INTEGER NOT NULL, count INTEGER NOT NULL DEFAULT 0,"
	"                        devices INTEGER NOT NULL DEFAULT 0, first_seen INTEGER NOT NULL DEFAULT 0,"
	"                        last_seen INTEGER NOT NULL DEFAULT 0, merged_into INTEGER REFERENCES issues(id),"
	"                        split_from INTEGER REFERENCES issues(id));"
	"INSERT INTO issues_13 (id, fingerprint, kind, title, created, count, devices, first_seen, last_seen)"
	"                      SELECT id, fingerprint, kind, title, created, count, devices, first_seen, last_seen"
	"                      FROM issues;"
	"DROP TABLE issues;"
	"ALTER TABLE issues_13 RENAME TO issues;"
	"CREATE INDEX issues_merged ON issues (merged_into) WHERE merged_into IS NOT NULL;"
	"CREATE TABLE issue_fingerprints (fingerprint TEXT PRIMARY KEY, issue_id INTEGER NOT NULL REFERENCES issues(id),"
	"                                 analysis INTEGER NOT NULL) WITHOUT ROWID;"
	"INSERT INTO issue_fingerprints SELECT fingerprint, id, 1 FROM issues;"
	"CREATE INDEX issue_fingerprints_issue ON issue_fingerprints (issue_id, analysis);"
	"ALTER TABLE traces ADD COLUMN analysis INTEGER NOT NULL DEFAULT 1;"
	"ALTER TABLE traces ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE traces ADD COLUMN kind TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE traces ADD COLUMN title TEXT NOT NULL DEFAULT '';"
	"UPDATE traces SET (fingerprint, kind, title) = (SELECT fingerprint, kind, title FROM issues"
	"                                                WHERE issues.id = traces.issue_id);"
	"CREATE INDEX traces_analysis ON traces (analysis, id);"
	"CREATE INDEX traces_fingerprint ON traces (fingerprint, analysis, issue_id);"
	"CREATE TABLE reprocessing (id INTEGER PRIMARY KEY CHECK (id = 1), current INTEGER NOT NULL,"
	"                           target INTEGER NOT NULL, phase INTEGER NOT NULL, mark_after INTEGER NOT NULL,"
	"                           cursor INTEGER NOT NULL, last_old INTEGER NOT NULL, total INTEGER NOT NULL,"
	"                           done INTEGER NOT NULL, stale INTEGER NOT NULL, kept INTEGER NOT NULL,"
	"                           merged INTEGER NOT NULL, split INTEGER NOT NULL, started INTEGER NOT NULL);"
	"INSERT INTO reprocessing VALUES (1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);",
	/* the issue workflow (docs/API.md): open (0), resolved (1) in a version, muted (2); why, when it went there by
	 * itself; since when */
	"ALTER TABLE issues ADD COLUMN state INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE issues ADD COLUMN resolved_in TEXT;"
	"ALTER TABLE issues ADD COLUMN state_why TEXT;"
	"ALTER TABLE issues ADD COLUMN state_at INTEGER NOT NULL DEFAULT 0;",
	/* the dashboard (docs/DASHBOARD.md): a trace's hardware version; each issue's messages per hardware version and
	 * per day (UTC), kept up with its other aggregates (filled from the traces retention kept); the orders its
	 * listing sorts by; login sessions, by the SHA-256 of their cookie */
	"ALTER TABLE traces ADD COLUMN hw_version TEXT NOT NULL DEFAULT '';"
	"UPDATE traces SET hw_version = COALESCE(json_extract(report, '$.firmware.hw_version'), '')"
	"              WHERE json_valid(report);"
	"CREATE TABLE issue_hardware (issue_id INTEGER NOT NULL REFERENCES issues(id), hw_version TEXT NOT NULL,"
	"                             messages INTEGER NOT NULL, PRIMARY KEY (issue_id, hw_version)) WITHOUT ROWID;"
	"INSERT INTO issue_hardware SELECT issue_id, hw_version, COUNT(*) FROM traces GROUP BY issue_id, hw_version;"
	"CREATE TABLE issue_days (issue_id INTEGER NOT NULL REFERENCES issues(id), day INTEGER NOT NULL,"
	"                         messages INTEGER NOT NULL, PRIMARY KEY (issue_id, day)) WITHOUT ROWID;"
	"INSERT INTO issue_days SELECT issue_id, captured / 86400, COUNT(*) FROM traces GROUP BY issue_id, captured / 86400;"
	"CREATE INDEX issue_versions_version ON issue_versions (sw_version, issue_id);"
	"CREATE INDEX issue_hardware_version ON issue_hardware (hw_version, issue_id);"
	"CREATE INDEX issues_listed ON issues (state, last_seen) WHERE count > 0;"
	"CREATE TABLE sessions (token_hash BLOB PRIMARY KEY, csrf TEXT NOT NULL, created INTEGER NOT NULL,"
	"                       expires INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX traces_device ON traces (device_id, id);",
	/* crash-free devices per day (docs/HEALTH.md): each device's days on each firmware, whether it crashed (an
	 * unexpected reboot) that day, and per firmware and day how many devices had exposure and how many crashed;
	 * filled from the heartbeats and crashes kept */
	"CREATE TABLE device_days (firmware_id INTEGER NOT NULL REFERENCES firmwares(id), day INTEGER NOT NULL,"
	"                          device_id INTEGER NOT NULL REFERENCES devices(id), crashed INTEGER NOT NULL,"
	"                          PRIMARY KEY (firmware_id, day, device_id)) WITHOUT ROWID;"
	"INSERT INTO device_days SELECT firmware_id, at / 86400, device_id, 0 FROM heartbeats"
	"                        WHERE at IS NOT NULL AND firmware_id IS NOT NULL GROUP BY 1, 2, 3;"
	"INSERT INTO device_days SELECT c.firmware_id, c.at / 86400, m.device_id, 1 FROM crashes c JOIN messages m"
	"                        ON m.id = c.message_id WHERE c.kind = 1 GROUP BY 1, 2, 3 ON CONFLICT DO UPDATE"
	"                        SET crashed = 1;"
	"CREATE TABLE day_health (firmware_id INTEGER NOT NULL REFERENCES firmwares(id), day INTEGER NOT NULL,"
	"                         devices INTEGER NOT NULL, crashed_devices INTEGER NOT NULL,"
	"                         PRIMARY KEY (day, firmware_id)) WITHOUT ROWID;"
	"INSERT INTO day_health SELECT firmware_id, day, COUNT(*), SUM(crashed) FROM device_days GROUP BY 1, 2;"
	"CREATE INDEX device_days_day ON device_days (day);",
	/* each issue's devices per version (the devices of its traces, as retention left them), kept by triggers on
	 * every way a trace comes, moves or goes; for the top issues of a version (docs/HEALTH.md) */
	"ALTER TABLE issue_versions ADD COLUMN devices INTEGER NOT NULL DEFAULT 0;"
	"UPDATE issue_versions SET devices = (SELECT COUNT(DISTINCT device_id) FROM traces WHERE sw_version ="
	"                      issue_versions.sw_version AND issue_id = issue_versions.issue_id);"
	"CREATE INDEX issue_versions_top ON issue_versions (sw_version, devices DESC, messages DESC, issue_id);"
	"CREATE TRIGGER traces_version_device_in AFTER INSERT ON traces BEGIN"
	"  " VERSION_DEVICE_IN ";"
	"END;"
	"CREATE TRIGGER traces_version_device_moved AFTER UPDATE OF issue_id, sw_version, device_id ON traces"
	"  WHEN OLD.issue_id <> NEW.issue_id OR OLD.sw_version <> NEW.sw_version OR OLD.device_id <> NEW.device_id BEGIN"
	"  " VERSION_DEVICE_OUT ";"
	"  " VERSION_DEVICE_IN ";"
	"END;"
	"CREATE TRIGGER traces_version_device_out AFTER DELETE ON traces BEGIN"
	"  " VERSION_DEVICE_OUT ";"
	"END;",
	/* updates (docs/OTA.md): the project's release signing keys (ED25519 public keys; removed ones stay for the
	 * releases they signed), and the releases: signed MCUboot images kept in DATA/releases by their SHA-256 */
	"CREATE TABLE signing_keys (id INTEGER PRIMARY KEY, public_key BLOB NOT NULL UNIQUE, key_hash BLOB NOT NULL,"
	"                           name TEXT NOT NULL, added INTEGER NOT NULL, removed INTEGER);"
	"CREATE TABLE releases (id INTEGER PRIMARY KEY, sha256 BLOB NOT NULL UNIQUE, sw_version TEXT NOT NULL,"
	"                       major INTEGER NOT NULL, minor INTEGER NOT NULL, revision INTEGER NOT NULL,"
	"                       build INTEGER NOT NULL, security_counter INTEGER, img_size INTEGER NOT NULL,"
	"                       size INTEGER NOT NULL, build_id TEXT NOT NULL,"
	"                       key_id INTEGER NOT NULL REFERENCES signing_keys(id), uploaded INTEGER NOT NULL);",
	/* deployments (docs/OTA.md): cohorts of devices (by serial and attribute), what each device said it runs at
	 * its last check-in, the deployments of a release to a cohort, each device's update in one and every step it
	 * reported */
	"CREATE TABLE cohorts (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, hw_version TEXT, sw_version TEXT,"
	"                      created INTEGER NOT NULL);"
	"CREATE TABLE cohort_serials (cohort_id INTEGER NOT NULL REFERENCES cohorts(id), serial TEXT NOT NULL,"
	"                             PRIMARY KEY (cohort_id, serial)) WITHOUT ROWID;"
	"CREATE TABLE checkins (device_id INTEGER PRIMARY KEY REFERENCES devices(id), sw_version TEXT NOT NULL,"
	"                       build_id TEXT NOT NULL, hw_version TEXT NOT NULL, major INTEGER NOT NULL,"
	"                       minor INTEGER NOT NULL, revision INTEGER NOT NULL, build INTEGER NOT NULL,"
	"                       security_counter INTEGER NOT NULL, slot_size INTEGER NOT NULL, at INTEGER NOT NULL);"
	"CREATE TABLE deployments (id INTEGER PRIMARY KEY, release_id INTEGER NOT NULL REFERENCES releases(id),"
	"                          cohort_id INTEGER NOT NULL REFERENCES cohorts(id), percent INTEGER NOT NULL,"
	"                          created INTEGER NOT NULL, stopped INTEGER);"
	"CREATE TABLE updates (deployment_id INTEGER NOT NULL REFERENCES deployments(id),"
	"                      device_id INTEGER NOT NULL REFERENCES devices(id), step INTEGER NOT NULL,"
	"                      offset INTEGER NOT NULL, why TEXT, at INTEGER NOT NULL,"
	"                      PRIMARY KEY (deployment_id, device_id)) WITHOUT ROWID;"
	"CREATE TABLE update_steps (id INTEGER PRIMARY KEY, deployment_id INTEGER NOT NULL, device_id INTEGER NOT NULL,"
	"                           step INTEGER NOT NULL, offset INTEGER NOT NULL, why TEXT, at INTEGER NOT NULL);"
	"CREATE INDEX update_steps_deployment ON update_steps (deployment_id, id);"
	"CREATE INDEX updates_device ON updates (device_id);",
};

static int copy_slot_streams(struct sqlite_store *s);

/* C steps of a migration, run after its SQL in the same transaction (NULL: none). */
static int (*const k_migration_steps[SCHEMA_VERSION])(struct sqlite_store *s) = {[6] = copy_slot_streams};

int sq_prepare(struct sqlite_store *s, sqlite3_stmt **st, const char *sql, const char *what)
{
	size_t i;

	for (i = 0; i < STMT_CACHE && s->cache[i].sql != NULL; i++)
		if (s->cache[i].sql == sql) {
			*st = s->cache[i].st;
			return 0;
		}
	if (sqlite3_prepare_v3(s->db, sql, -1, i < STMT_CACHE ? SQLITE_PREPARE_PERSISTENT : 0, st, NULL) != SQLITE_OK)
		return srv_store_fail(&s->base, "%s: %s", what, sqlite3_errmsg(s->db));
	if (i < STMT_CACHE) {
		s->cache[i].sql = sql;
		s->cache[i].st = *st;
	}
	return 0;
}

void sq_release(struct sqlite_store *s, sqlite3_stmt *st)
{
	for (size_t i = 0; i < STMT_CACHE && s->cache[i].sql != NULL; i++)
		if (s->cache[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return;
		}
	sqlite3_finalize(st); /* the cache was full */
}

int sq_step_done(struct sqlite_store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sq_release(s, st);
	return rc == SQLITE_DONE ? 0 : srv_store_fail(&s->base, "%s: %s", what, sqlite3_errmsg(s->db));
}

int sq_step_row(struct sqlite_store *s, sqlite3_stmt *st, int64_t *out, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW && out != NULL)
		*out = sqlite3_column_int64(st, 0);
	sq_release(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return srv_store_fail(&s->base, "%s: %s", what, sqlite3_errmsg(s->db));
	return rc == SQLITE_ROW ? 0 : SRV_NONE;
}

/* A statement without parameters or rows (transaction control). */
static int run(struct sqlite_store *s, const char *sql)
{
	sqlite3_stmt *st;

	return sq_prepare(s, &st, sql, sql) != 0 ? -1 : sq_step_done(s, st, sql);
}

static int sq_begin(struct srv_store *base)
{
	return run((struct sqlite_store *)base, "BEGIN IMMEDIATE");
}

static int sq_commit(struct srv_store *base)
{
	return run((struct sqlite_store *)base, "COMMIT");
}

static void sq_rollback(struct srv_store *base)
{
	struct sqlite_store *s = (struct sqlite_store *)base;

	/* a commit that failed (a full disk) may have rolled back already: a second one would only fail, and its
	 * "no transaction is active" would replace the reason */
	if (!sqlite3_get_autocommit(s->db))
		run(s, "ROLLBACK");
}

static int sq_mark(struct srv_store *base)
{
	return run((struct sqlite_store *)base, "SAVEPOINT request");
}

static int sq_unmark(struct srv_store *base)
{
	return run((struct sqlite_store *)base, "RELEASE request");
}

static int sq_undo(struct srv_store *base)
{
	if (run((struct sqlite_store *)base, "ROLLBACK TO request") != 0)
		return -1;
	return run((struct sqlite_store *)base, "RELEASE request");
}

static void sq_close(struct srv_store *base)
{
	struct sqlite_store *s = (struct sqlite_store *)base;

	for (size_t i = 0; i < STMT_CACHE && s->cache[i].sql != NULL; i++)
		sqlite3_finalize(s->cache[i].st);
	sqlite3_close(s->db);
	srv_store_fini(&s->base);
	free(s);
}

static int sq_meta_get(struct srv_store *base, const char *key, char *out, size_t cap)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(s, &st, "SELECT value FROM meta WHERE key = ?", "meta_get") != 0)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
	sq_release(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return srv_store_fail(base, "meta_get %s: %s", key, sqlite3_errmsg(s->db));
	return rc == SQLITE_ROW ? 0 : SRV_NONE;
}

static int sq_meta_set(struct srv_store *base, const char *key, const char *value)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(s, &st, "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
			    "excluded.value", "meta_set") != 0)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sq_release(s, st);
	return rc == SQLITE_DONE ? 0 : srv_store_fail(base, "meta_set %s: %s", key, sqlite3_errmsg(s->db));
}

static int exec(struct sqlite_store *s, const char *sql);

int sq_meta_add(struct sqlite_store *s, const char *key, int64_t n)
{
	sqlite3_stmt *st;

	if (sq_prepare(s, &st, "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) "
			    "DO UPDATE SET value = CAST(value AS INTEGER) + excluded.value", "meta_add") != 0)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, n);
	return sq_step_done(s, st, key);
}

static int sq_device(struct srv_store *base, const char *serial, int64_t now, bool may_create, int64_t *out_id,
		     bool *out_created)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int64_t seen = 0;
	int rc;

	if (out_created != NULL)
		*out_created = false;
	/* Read first: a device sending again within the second changes nothing, and an unchanged page is not
	 * written to the WAL at the commit. */
	if (sq_prepare(s, &st, "SELECT id, last_seen FROM devices WHERE serial = ?", "device") != 0)
		return -1;
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out_id = sqlite3_column_int64(st, 0);
		seen = sqlite3_column_int64(st, 1);
	}
	sq_release(s, st);
	if (rc == SQLITE_ROW && seen >= now)
		return 0;
	if (rc == SQLITE_ROW) {
		if (sq_prepare(s, &st, "UPDATE devices SET last_seen = ? WHERE id = ?", "device_seen") != 0)
			return -1;
		sqlite3_bind_int64(st, 1, now);
		sqlite3_bind_int64(st, 2, *out_id);
		return sq_step_done(s, st, "device_seen");
	}
	if (rc != SQLITE_DONE)
		return srv_store_fail(base, "device %s: %s", serial, sqlite3_errmsg(s->db));
	if (!may_create)
		return SRV_NONE;
	if (out_created != NULL)
		*out_created = true;
	if (sq_prepare(s, &st, "INSERT INTO devices (serial, first_seen, last_seen) VALUES (?1, ?2, ?2) RETURNING id",
		    "device_new") != 0)
		return -1;
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out_id = sqlite3_column_int64(st, 0);
	sq_release(s, st);
	return rc == SQLITE_ROW ? 0 : srv_store_fail(base, "device %s: %s", serial, sqlite3_errmsg(s->db));
}

static int sq_slot_load(struct srv_store *base, int64_t device, unsigned tag, struct ff_slot *out)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(s, &st, "SELECT boot, seq, total, state, have, high FROM slots WHERE device_id = ? AND tag = ?",
		    "slot_load") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, device);
	sqlite3_bind_int(st, 2, (int)tag);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->boot = (uint16_t)sqlite3_column_int(st, 0);
		out->seq = (uint16_t)sqlite3_column_int(st, 1);
		out->total = (uint32_t)sqlite3_column_int64(st, 2);
		out->state = (enum ff_slot_state)sqlite3_column_int(st, 3);
		out->have = (uint32_t)sqlite3_column_int64(st, 4);
		out->high = (uint32_t)sqlite3_column_int64(st, 5);
	}
	sq_release(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return srv_store_fail(base, "slot_load: %s", sqlite3_errmsg(s->db));
	return rc == SQLITE_ROW ? 0 : SRV_NONE;
}

/* The held bytes of [off, off + len) into buf (and held[] set): the runs are disjoint, so only the last run that
 * starts at or before off and those starting inside the range can overlap it (two index seeks). */
static int slot_runs(struct sqlite_store *s, int64_t device, unsigned tag, uint32_t off, uint32_t len, uint8_t *buf,
		     uint8_t *held, const char *what)
{
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(s, &st, "SELECT offset, bytes FROM slot_bytes WHERE device_id = ?1 AND tag = ?2 AND offset >= "
			    "(SELECT COALESCE(MAX(offset), 0) FROM slot_bytes WHERE device_id = ?1 AND tag = ?2 AND "
			    "offset <= ?3) AND offset < ?4 ORDER BY offset", "slot_runs") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, device);
	sqlite3_bind_int(st, 2, (int)tag);
	sqlite3_bind_int64(st, 3, off);
	sqlite3_bind_int64(st, 4, (int64_t)off + len);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t at = sqlite3_column_int64(st, 0), n = sqlite3_column_bytes(st, 1);
		const uint8_t *bytes = sqlite3_column_blob(st, 1);

		for (int64_t i = at < off ? off - at : 0; i < n && at + i < (int64_t)off + len; i++) {
			buf[at + i - off] = bytes[i];
			if (held != NULL)
				held[at + i - off] = 1;
		}
	}
	sq_release(s, st);
	return rc == SQLITE_DONE ? 0 : srv_store_fail(&s->base, "%s: %s", what, sqlite3_errmsg(s->db));
}

static int sq_slot_held(struct srv_store *base, int64_t device, unsigned tag, uint32_t off, uint32_t len,
			uint8_t *buf, uint8_t *held)
{
	memset(held, 0, len);
	return slot_runs((struct sqlite_store *)base, device, tag, off, len, buf, held, "slot_held");
}

static int sq_slot_put(struct srv_store *base, int64_t device, unsigned tag, uint32_t off, const uint8_t *data,
		       uint32_t len)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;

	if (sq_prepare(s, &st, "INSERT INTO slot_bytes (device_id, tag, offset, bytes) VALUES (?, ?, ?, ?)",
		    "slot_put") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, device);
	sqlite3_bind_int(st, 2, (int)tag);
	sqlite3_bind_int64(st, 3, off);
	sqlite3_bind_blob(st, 4, data, (int)len, SQLITE_STATIC);
	return sq_step_done(s, st, "slot_put");
}

static int sq_slot_read(struct srv_store *base, int64_t device, unsigned tag, uint8_t *buf, uint32_t len)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	uint8_t *held = srv_calloc(len, 1);
	int rc = slot_runs(s, device, tag, 0, len, buf, held, "slot_read");

	for (uint32_t i = 0; rc == 0 && i < len; i++)
		if (!held[i])
			rc = srv_store_fail(base, "slot %lld/%u: stream byte %u is missing although the slot counts it held",
				  (long long)device, tag, i);
	free(held);
	return rc;
}

static int sq_slot_drop(struct srv_store *base, int64_t device, unsigned tag)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;

	if (sq_prepare(s, &st, "DELETE FROM slot_bytes WHERE device_id = ? AND tag = ?", "slot_drop_bytes") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, device);
	sqlite3_bind_int(st, 2, (int)tag);
	if (sq_step_done(s, st, "slot_drop_bytes") != 0)
		return -1;
	if (sq_prepare(s, &st, "DELETE FROM slots WHERE device_id = ? AND tag = ?", "slot_drop") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, device);
	sqlite3_bind_int(st, 2, (int)tag);
	return sq_step_done(s, st, "slot_drop");
}

static int sq_slot_save(struct srv_store *base, int64_t device, unsigned tag, const struct ff_slot *slot,
			int64_t pending_delta, int64_t now)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;

	/* an upsert updates the row in place: the indexes are only written when their columns change */
	if (slot != NULL) {
		if (sq_prepare(s, &st, "INSERT INTO slots (device_id, tag, boot, seq, total, state, have, high, updated) "
				    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (device_id, tag) DO UPDATE SET "
				    "boot = excluded.boot, seq = excluded.seq, total = excluded.total, state = excluded.state, "
				    "have = excluded.have, high = excluded.high, updated = excluded.updated", "slot_save") != 0)
			return -1;
		sqlite3_bind_int64(st, 1, device);
		sqlite3_bind_int(st, 2, (int)tag);
		sqlite3_bind_int(st, 3, slot->boot);
		sqlite3_bind_int(st, 4, slot->seq);
		sqlite3_bind_int64(st, 5, slot->total);
		sqlite3_bind_int(st, 6, (int)slot->state);
		sqlite3_bind_int64(st, 7, slot->have);
		sqlite3_bind_int64(st, 8, slot->high);
		sqlite3_bind_int64(st, 9, now);
		if (sq_step_done(s, st, "slot_save") != 0)
			return -1;
	}
	if (pending_delta == 0)
		return 0;
	if (sq_prepare(s, &st, "UPDATE devices SET pending = pending + ? WHERE id = ?", "pending_device") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, pending_delta);
	sqlite3_bind_int64(st, 2, device);
	if (sq_step_done(s, st, "pending_device") != 0)
		return -1;
	if (sq_prepare(s, &st, "UPDATE receiver SET pending = pending + ?", "pending_total") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, pending_delta);
	return sq_step_done(s, st, "pending_total");
}

static int sq_pending(struct srv_store *base, int64_t device, uint64_t *out_device, uint64_t *out_total)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(s, &st, "SELECT d.pending, r.pending FROM devices d, receiver r WHERE d.id = ?", "pending") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, device);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out_device = (uint64_t)sqlite3_column_int64(st, 0);
		*out_total = (uint64_t)sqlite3_column_int64(st, 1);
	}
	sq_release(s, st);
	return rc == SQLITE_ROW ? 0 : srv_store_fail(base, "pending: %s", rc == SQLITE_DONE ? "no such device" :
					   sqlite3_errmsg(s->db));
}

static int sq_message_add(struct srv_store *base, int64_t device, const uint8_t *msg, size_t len, int64_t now,
			  int64_t *out_id, bool *out_new)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	uint8_t digest[crypto_hash_sha256_BYTES];
	sqlite3_stmt *st;
	int rc;

	crypto_hash_sha256(digest, msg, len);
	if (sq_prepare(s, &st, "INSERT INTO messages (device_id, received, digest, bytes) VALUES (?, ?, ?, ?) "
			    "ON CONFLICT (device_id, digest) DO NOTHING RETURNING id", "message_add") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, device);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_blob(st, 3, digest, sizeof(digest), SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, msg, (int)len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*out_new = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW)
		*out_id = sqlite3_column_int64(st, 0);
	sq_release(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return srv_store_fail(base, "message_add: %s", sqlite3_errmsg(s->db));
	if (rc == SQLITE_DONE) { /* already there: its id */
		if (sq_prepare(s, &st, "SELECT id FROM messages WHERE device_id = ? AND digest = ?", "message_id") != 0)
			return -1;
		sqlite3_bind_int64(st, 1, device);
		sqlite3_bind_blob(st, 2, digest, sizeof(digest), SQLITE_STATIC);
		rc = sqlite3_step(st);
		*out_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
		sq_release(s, st);
	}
	return 0;
}

static int sq_symbols_add(struct srv_store *base, const char *build_id, int64_t size, int64_t now)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;

	if (sq_prepare(s, &st, "INSERT OR REPLACE INTO symbols (build_id, size, uploaded) VALUES (?, ?, ?)",
		    "symbols_add") != 0)
		return -1;
	sqlite3_bind_text(st, 1, build_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, size);
	sqlite3_bind_int64(st, 3, now);
	return sq_step_done(s, st, "symbols_add");
}

static int sq_job_claim(struct srv_store *base, bool reprocess, struct srv_job *out)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	const enum srv_msg_state from[] = {SRV_MSG_QUEUED, SRV_MSG_REPROCESS};
	sqlite3_stmt *st;
	int rc = SQLITE_DONE;

	/* the queued messages first, then (when the caller takes them) those queued for reprocessing; a queued message
	 * always holds its bytes (schema 11's CHECK), the condition says so for both */
	for (size_t i = 0; i < (reprocess ? 2u : 1u) && rc == SQLITE_DONE; i++) {
		if (sq_prepare(s, &st, "UPDATE messages SET state = ?1 WHERE id = (SELECT id FROM messages WHERE "
				    "state = ?2 AND dropped IS NULL ORDER BY failures, id LIMIT 1) "
				    "RETURNING id, device_id, received, bytes, failures",
			    "job_claim") != 0)
			return -1;
		sqlite3_bind_int(st, 1, SRV_MSG_PROCESSING);
		sqlite3_bind_int(st, 2, from[i]);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			out->id = sqlite3_column_int64(st, 0);
			out->device = sqlite3_column_int64(st, 1);
			out->received = sqlite3_column_int64(st, 2);
			out->len = (size_t)sqlite3_column_bytes(st, 3);
			out->bytes = srv_malloc(out->len + 1);
			memcpy(out->bytes, sqlite3_column_blob(st, 3), out->len);
			out->failures = sqlite3_column_int(st, 4);
			out->reprocess = from[i] == SRV_MSG_REPROCESS;
		}
		sq_release(s, st);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return srv_store_fail(base, "job_claim: %s", sqlite3_errmsg(s->db));
	return rc == SQLITE_ROW ? 0 : SRV_NONE;
}

static int sq_job_finish(struct srv_store *base, int64_t id, enum srv_msg_state state, const char *detail)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;

	if (sq_prepare(s, &st, "UPDATE messages SET state = ?, detail = ? WHERE id = ?", "job_finish") != 0)
		return -1;
	sqlite3_bind_int(st, 1, (int)state);
	sqlite3_bind_text(st, 2, detail, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, id);
	return sq_step_done(s, st, "job_finish");
}

static int sq_job_failed(struct srv_store *base, int64_t id, enum srv_msg_state state, const char *build_id,
			 const char *detail)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;

	if (sq_prepare(s, &st, "UPDATE messages SET failures = failures + 1, state = ?, build = ?, detail = ? WHERE id = ?",
		    "job_failed") != 0)
		return -1;
	sqlite3_bind_int(st, 1, (int)state);
	sqlite3_bind_text(st, 2, build_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, detail, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, id);
	return sq_step_done(s, st, "job_failed");
}

/* The slots slots_expire forgets: partial ones quiet since ?2 (abandoned), the others untouched since ?3. */
#define EXPIRED "(state = ?1 AND updated < ?2) OR (state <> ?1 AND updated < ?3)"

static int sq_slots_expire(struct srv_store *base, int64_t before, int64_t prune_before, int64_t *out_count,
			   int64_t *out_pruned)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	/* the running totals first (they count only partial slots), then the bytes, then the slots */
	static const char *const k_steps[] = {
		"UPDATE devices SET pending = pending - (SELECT COALESCE(SUM(total + 4), 0) FROM slots s WHERE "
		"s.device_id = devices.id AND s.state = ?1 AND s.updated < ?2) WHERE id IN (SELECT device_id FROM slots "
		"WHERE state = ?1 AND updated < ?2)",
		"UPDATE receiver SET pending = pending - (SELECT COALESCE(SUM(total + 4), 0) FROM slots WHERE state = ?1 "
		"AND updated < ?2)",
		"DELETE FROM slot_bytes WHERE (device_id, tag) IN (SELECT device_id, tag FROM slots WHERE " EXPIRED ")",
		"SELECT COUNT(*) FROM slots WHERE state = ?1 AND updated < ?2",
		"DELETE FROM slots WHERE " EXPIRED,
	};
	sqlite3_stmt *st;
	int64_t abandoned = 0;

	*out_count = *out_pruned = 0;
	if (sq_begin(base) != 0)
		return -1;
	for (size_t i = 0; i < sizeof(k_steps) / sizeof(k_steps[0]); i++) {
		int rc;

		if (sq_prepare(s, &st, k_steps[i], "slots_expire") != 0)
			goto error;
		sqlite3_bind_int(st, 1, FF_SLOT_PARTIAL);
		sqlite3_bind_int64(st, 2, before);
		if (sqlite3_bind_parameter_count(st) >= 3)
			sqlite3_bind_int64(st, 3, prune_before);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			abandoned = sqlite3_column_int64(st, 0);
		sq_release(s, st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			srv_store_fail(base, "slots_expire: %s", sqlite3_errmsg(s->db));
			goto error;
		}
	}
	*out_count = abandoned;
	*out_pruned = sqlite3_changes(s->db) - abandoned;
	if (sq_meta_add(s, "partials_abandoned", *out_count) != 0 || sq_commit(base) != 0)
		goto error;
	return 0;
error:
	sq_rollback(base);
	return -1;
}

/* A message sq_retention looked at: kept (its trace is one its issue keeps, or it waits in the queue) or not. */
struct aged {
	int64_t id, received, trace, len; /* len: its bytes */
	bool keep;
};

/* Its trace deleted when it has one, its bytes dropped; waiting for symbols or quarantined, it expires with why
 * (the build it waited for kept in build); queued for reprocessing, it is done (its trace is gone). out_expired:
 * whether it expired. */
static int drop_message(struct sqlite_store *s, const struct aged *m, int64_t now, int64_t days, bool *out_expired)
{
	sqlite3_stmt *st;
	int64_t state = 0;

	if (m->trace != 0) {
		if (sq_prepare(s, &st, "DELETE FROM traces WHERE id = ?", "retention_trace") != 0)
			return -1;
		sqlite3_bind_int64(st, 1, m->trace);
		if (sq_step_done(s, st, "retention_trace") != 0)
			return -1;
	}
	/* the right-hand sides see the row as it was */
	if (sq_prepare(s, &st, "UPDATE messages SET bytes = X'', dropped = ?2, "
			    "build = CASE WHEN state = ?4 THEN detail ELSE build END, "
			    "detail = CASE state WHEN ?4 THEN printf('expired: the symbols of build %s were not uploaded "
			    "within %d days of its arrival (--retention-days): its bytes were dropped', detail, ?3) "
			    "WHEN ?5 THEN printf('expired: still quarantined on the symbol file of build %s %d days after its "
			    "arrival (--retention-days): its bytes were dropped', build, ?3) ELSE detail END, "
			    "state = CASE WHEN state IN (?4, ?5) THEN ?6 WHEN state = ?7 THEN ?8 ELSE state END WHERE id = ?1 "
			    "RETURNING state",
		    "retention_drop") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, m->id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, days);
	sqlite3_bind_int(st, 4, SRV_MSG_SYMBOLS_MISSING);
	sqlite3_bind_int(st, 5, SRV_MSG_QUARANTINED);
	sqlite3_bind_int(st, 6, SRV_MSG_EXPIRED);
	sqlite3_bind_int(st, 7, SRV_MSG_REPROCESS);
	sqlite3_bind_int(st, 8, SRV_MSG_DONE);
	if (sq_step_row(s, st, &state, "retention_drop") < 0)
		return -1;
	*out_expired = state == SRV_MSG_EXPIRED;
	return 0;
}

static int sq_retention(struct srv_store *base, int64_t before, int64_t now, int limit, int64_t bytes_max,
			struct srv_retention *io, bool *out_more)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	struct aged *aged = srv_calloc((size_t)limit, sizeof(*aged));
	int64_t days = (now - before) / 86400, n = 0, looked = 0, bytes = 0, reboots = 0, heartbeats = 0;
	struct srv_retention did = {0};
	sqlite3_stmt *st;
	int rc;

	*out_more = false;
	if (sq_begin(base) != 0) {
		free(aged);
		return -1;
	}
	/* which of the old messages that hold bytes keep them: those of an issue's first trace (received first),
	 * latest trace, and the first traces of its newest versions; and those the queue holds (queued: 0,
	 * processing: 1) */
	if (sq_prepare(s, &st, "SELECT m.id, m.received, COALESCE(t.id, 0), length(m.bytes), "
			    "m.state IN (?5, ?6) OR (t.id IS NOT NULL AND ("
			    "t.id = (SELECT MAX(x.id) FROM traces x WHERE x.issue_id = t.issue_id) OR "
			    "t.id = (SELECT x.id FROM traces x WHERE x.issue_id = t.issue_id ORDER BY x.captured, x.id "
			    "LIMIT 1) OR "
			    "t.id IN (SELECT v.first_trace FROM issue_versions v WHERE v.issue_id = t.issue_id "
			    "ORDER BY v.first_trace DESC LIMIT ?7))) "
			    "FROM messages m LEFT JOIN traces t ON t.message_id = m.id WHERE m.dropped IS NULL AND "
			    "m.received < ?1 AND (m.received, m.id) > (?2, ?3) ORDER BY m.received, m.id LIMIT ?4",
		    "retention") != 0)
		goto error;
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int64(st, 2, io->after_received);
	sqlite3_bind_int64(st, 3, io->after_id);
	sqlite3_bind_int(st, 4, limit);
	sqlite3_bind_int(st, 5, SRV_MSG_QUEUED);
	sqlite3_bind_int(st, 6, SRV_MSG_PROCESSING);
	sqlite3_bind_int(st, 7, SRV_RETENTION_VERSIONS);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < limit)
		aged[n++] = (struct aged){.id = sqlite3_column_int64(st, 0), .received = sqlite3_column_int64(st, 1),
					  .trace = sqlite3_column_int64(st, 2), .len = sqlite3_column_int64(st, 3),
					  .keep = sqlite3_column_int(st, 4) != 0};
	sq_release(s, st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		srv_store_fail(base, "retention: %s", sqlite3_errmsg(s->db));
		goto error;
	}
	/* deleting a trace that is not kept changes none of the kept ones: the choice above stands for the step. Freeing
	 * the pages of the bytes is what takes the time: the step ends once it dropped bytes_max of them. */
	for (; looked < n && bytes < bytes_max; looked++) {
		bool expired = false;

		if (aged[looked].keep)
			continue;
		if (drop_message(s, &aged[looked], now, days, &expired) != 0)
			goto error;
		bytes += aged[looked].len;
		did.messages++;
		did.expired += expired;
		did.traces += aged[looked].trace != 0;
	}
	if (sq_prepare(s, &st, "DELETE FROM reboots WHERE id IN (SELECT id FROM reboots WHERE received < ? "
			    "ORDER BY received LIMIT ?)", "retention_reboots") != 0)
		goto error;
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int(st, 2, limit);
	if (sq_step_done(s, st, "retention_reboots") != 0)
		goto error;
	reboots = sqlite3_changes(s->db);
	if (sq_health_retention(s, before, limit, &heartbeats) != 0)
		goto error;
	if (sq_meta_add(s, "retention_messages", did.messages) != 0 || sq_meta_add(s, "retention_expired", did.expired) != 0 ||
	    sq_meta_add(s, "retention_traces", did.traces) != 0 || sq_meta_add(s, "retention_reboots", reboots) != 0 ||
	    sq_commit(base) != 0)
		goto error;
	if (looked > 0) {
		io->after_received = aged[looked - 1].received;
		io->after_id = aged[looked - 1].id;
	}
	io->messages += did.messages;
	io->expired += did.expired;
	io->traces += did.traces;
	io->reboots += reboots;
	io->heartbeats += heartbeats;
	*out_more = looked < n || n == limit || reboots == limit || heartbeats > 0;
	free(aged);
	return 0;
error:
	sq_rollback(base);
	free(aged);
	return -1;
}

static int sq_jobs_recover(struct srv_store *base)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;

	/* one that was being reprocessed goes back behind the fresh messages */
	if (sq_prepare(s, &st, "UPDATE messages SET state = CASE WHEN EXISTS (SELECT 1 FROM traces t, reprocessing r "
			    "WHERE t.message_id = messages.id AND r.phase = ?3 AND t.analysis < r.target) THEN ?4 ELSE ?1 "
			    "END WHERE state = ?2", "jobs_recover") != 0)
		return -1;
	sqlite3_bind_int(st, 1, SRV_MSG_QUEUED);
	sqlite3_bind_int(st, 2, SRV_MSG_PROCESSING);
	sqlite3_bind_int(st, 3, SRV_REPROCESS_ANALYSING);
	sqlite3_bind_int(st, 4, SRV_MSG_REPROCESS);
	return sq_step_done(s, st, "jobs_recover");
}

static int sq_symbols_arrived(struct srv_store *base, const char *build_id, int64_t *out_count)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(s, &st, "UPDATE messages SET state = ?1, detail = NULL, failures = 0 WHERE (state = ?2 AND detail = "
			    "?4) OR (state = ?3 AND build = ?4)", "symbols_arrived") != 0)
		return -1;
	sqlite3_bind_int(st, 1, SRV_MSG_QUEUED);
	sqlite3_bind_int(st, 2, SRV_MSG_SYMBOLS_MISSING);
	sqlite3_bind_int(st, 3, SRV_MSG_QUARANTINED);
	sqlite3_bind_text(st, 4, build_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sq_release(s, st);
	*out_count = sqlite3_changes(s->db);
	return rc == SQLITE_DONE ? 0 : srv_store_fail(base, "symbols_arrived: %s", sqlite3_errmsg(s->db));
}

static int sq_symbols_known(struct srv_store *base, const char *build_id)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(s, &st, "SELECT 1 FROM symbols WHERE build_id = ?", "symbols_known") != 0)
		return -1;
	sqlite3_bind_text(st, 1, build_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sq_release(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return srv_store_fail(base, "symbols_known: %s", sqlite3_errmsg(s->db));
	return rc == SQLITE_ROW ? 0 : SRV_NONE;
}

static int sq_symbols_list(struct srv_store *base, int limit, void (*file)(const struct srv_symbol_file *f, void *ctx),
			   void (*wait)(const struct srv_symbol_wait *w, void *ctx), void *ctx)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(s, &st, "SELECT build_id, size, uploaded FROM symbols ORDER BY uploaded DESC, build_id LIMIT ?",
		       "symbols_list") != 0)
		return -1;
	sqlite3_bind_int(st, 1, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct srv_symbol_file f = {(const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
					    sqlite3_column_int64(st, 2)};

		file(&f, ctx);
	}
	sq_release(s, st);
	if (rc != SQLITE_DONE)
		return srv_store_fail(base, "symbols_list: %s", sqlite3_errmsg(s->db));
	if (sq_prepare(s, &st, "SELECT detail, COUNT(*), COUNT(DISTINCT device_id), MIN(received) FROM messages WHERE "
			       "state = ? AND detail IS NOT NULL GROUP BY detail ORDER BY 2 DESC, 1 LIMIT ?",
		       "symbols_waiting") != 0)
		return -1;
	sqlite3_bind_int(st, 1, SRV_MSG_SYMBOLS_MISSING);
	sqlite3_bind_int(st, 2, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct srv_symbol_wait w = {(const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
					    sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3)};

		wait(&w, ctx);
	}
	sq_release(s, st);
	return rc == SQLITE_DONE ? 0 : srv_store_fail(base, "symbols_waiting: %s", sqlite3_errmsg(s->db));
}

/* The issue's devices moved by delta (a device counted first, or no longer). */
static int issue_devices_add(struct sqlite_store *s, int64_t issue, int delta)
{
	sqlite3_stmt *st;

	if (sq_prepare(s, &st, "UPDATE issues SET devices = devices + ? WHERE id = ?", "issue_devices") != 0)
		return -1;
	sqlite3_bind_int(st, 1, delta);
	sqlite3_bind_int64(st, 2, issue);
	return sq_step_done(s, st, "issue_devices");
}

/* A message's hardware version and day in its issue (issue_hardware, issue_days) moved by delta (a row goes with its
 * last message). */
static int count_by(struct sqlite_store *s, const struct sq_counted *c, int delta)
{
	static const char *const k_add[] = {
		"INSERT INTO issue_hardware (issue_id, hw_version, messages) VALUES (?1, ?2, ?3) ON CONFLICT DO UPDATE "
		"SET messages = messages + ?3",
		"INSERT INTO issue_days (issue_id, day, messages) VALUES (?1, ?2, ?3) ON CONFLICT DO UPDATE SET "
		"messages = messages + ?3",
	};
	static const char *const k_drop[] = {
		"DELETE FROM issue_hardware WHERE issue_id = ?1 AND hw_version = ?2 AND messages <= 0",
		"DELETE FROM issue_days WHERE issue_id = ?1 AND day = ?2 AND messages <= 0",
	};
	sqlite3_stmt *st;

	for (size_t k = 0; k < 2; k++) {
		for (int drop = 0; drop <= (delta < 0); drop++) {
			if (sq_prepare(s, &st, drop ? k_drop[k] : k_add[k], "count_by") != 0)
				return -1;
			sqlite3_bind_int64(st, 1, c->issue);
			if (k == 0)
				sqlite3_bind_text(st, 2, c->hw != NULL ? c->hw : "", -1, SQLITE_STATIC);
			else
				sqlite3_bind_int64(st, 2, c->captured / 86400);
			if (!drop)
				sqlite3_bind_int(st, 3, delta);
			if (sq_step_done(s, st, "count_by") != 0)
				return -1;
		}
	}
	return 0;
}

/* A message counted in its issue: the count, its device's and its version's messages (rows made at the first),
 * the seen times widened to its own. */
int sq_count_in(struct sqlite_store *s, const struct sq_counted *c)
{
	sqlite3_stmt *st;
	int64_t n = 0;

	if (sq_prepare(s, &st, "UPDATE issues SET first_seen = CASE WHEN count = 0 OR ?2 < first_seen THEN ?2 ELSE "
			    "first_seen END, last_seen = CASE WHEN count = 0 OR ?2 > last_seen THEN ?2 ELSE last_seen END, "
			    "count = count + 1 WHERE id = ?1", "count_in") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, c->issue);
	sqlite3_bind_int64(st, 2, c->captured);
	if (sq_step_done(s, st, "count_in") != 0)
		return -1;
	if (sq_prepare(s, &st, "INSERT INTO issue_devices (issue_id, device_id, messages) VALUES (?, ?, 1) "
			    "ON CONFLICT DO UPDATE SET messages = messages + 1 RETURNING messages", "count_in_device") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, c->issue);
	sqlite3_bind_int64(st, 2, c->device);
	if (sq_step_row(s, st, &n, "count_in_device") != 0 || (n == 1 && issue_devices_add(s, c->issue, 1) != 0))
		return -1;
	/* a trace moved in from another issue may be older than the version's first here */
	if (sq_prepare(s, &st, "INSERT INTO issue_versions (issue_id, sw_version, messages, first_trace) VALUES (?, ?, 1, ?) "
			    "ON CONFLICT DO UPDATE SET messages = messages + 1, first_trace = MIN(first_trace, "
			    "excluded.first_trace)", "count_in_version") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, c->issue);
	sqlite3_bind_text(st, 2, c->version, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, c->trace);
	if (sq_step_done(s, st, "count_in_version") != 0)
		return -1;
	return count_by(s, c, 1);
}

/* A message counted out of the issue it was in (its trace has moved already): the count, its device and its
 * version (their rows gone with their last message; the version's first trace then the first left of it), and a
 * seen time it held recomputed from the traces left. Exact while retention deleted none of the issue's traces;
 * after, the times are those of the traces it kept. */
int sq_count_out(struct sqlite_store *s, const struct sq_counted *c)
{
	sqlite3_stmt *st;
	int64_t n = 0, first = 0;
	int rc;

	if (sq_prepare(s, &st, "UPDATE issues SET count = count - 1, first_seen = CASE WHEN ?2 = first_seen THEN "
			    "COALESCE((SELECT MIN(captured) FROM traces WHERE issue_id = ?1), first_seen) ELSE first_seen "
			    "END, last_seen = CASE WHEN ?2 = last_seen THEN COALESCE((SELECT MAX(captured) FROM traces WHERE "
			    "issue_id = ?1), last_seen) ELSE last_seen END WHERE id = ?1", "count_out") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, c->issue);
	sqlite3_bind_int64(st, 2, c->captured);
	if (sq_step_done(s, st, "count_out") != 0 || count_by(s, c, -1) != 0)
		return -1;
	if (sq_prepare(s, &st, "UPDATE issue_devices SET messages = messages - 1 WHERE issue_id = ? AND device_id = ? "
			    "RETURNING messages", "count_out_device") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, c->issue);
	sqlite3_bind_int64(st, 2, c->device);
	if ((rc = sq_step_row(s, st, &n, "count_out_device")) < 0)
		return -1;
	if (rc == 0 && n <= 0) {
		if (sq_prepare(s, &st, "DELETE FROM issue_devices WHERE issue_id = ? AND device_id = ?", "drop_device") != 0)
			return -1;
		sqlite3_bind_int64(st, 1, c->issue);
		sqlite3_bind_int64(st, 2, c->device);
		if (sq_step_done(s, st, "drop_device") != 0 || issue_devices_add(s, c->issue, -1) != 0)
			return -1;
	}
	if (sq_prepare(s, &st, "UPDATE issue_versions SET messages = messages - 1 WHERE issue_id = ? AND sw_version = ? "
			    "RETURNING messages, first_trace", "count_out_version") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, c->issue);
	sqlite3_bind_text(st, 2, c->version, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n = sqlite3_column_int64(st, 0);
		first = sqlite3_column_int64(st, 1);
	}
	sq_release(s, st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? 0 : srv_store_fail(&s->base, "count_out_version: %s", sqlite3_errmsg(s->db));
	if (n > 0 && first != c->trace)
		return 0;
	/* its last message: the version goes; else its first trace was this one: the first left of it (when
	 * retention deleted all those, the old id stays, the version's place among the issue's) */
	if (sq_prepare(s, &st, n <= 0 ? "DELETE FROM issue_versions WHERE issue_id = ?1 AND sw_version = ?2" :
				     "UPDATE issue_versions SET first_trace = COALESCE((SELECT id FROM traces WHERE "
				     "issue_id = ?1 AND sw_version = ?2 ORDER BY id LIMIT 1), first_trace) "
				     "WHERE issue_id = ?1 AND sw_version = ?2", "version_moved") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, c->issue);
	sqlite3_bind_text(st, 2, c->version, -1, SQLITE_STATIC);
	return sq_step_done(s, st, "version_moved");
}

static int sq_trace_put(struct srv_store *base, const struct srv_trace *t, int64_t *out_trace, int64_t *out_issue)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	struct sq_counted was = {0}, now = {.version = t->sw_version, .hw = t->hw_version != NULL ? t->hw_version : ""};
	char *version = NULL, *hw = NULL;
	int was_analysis = 0;
	bool carry = false;
	sqlite3_stmt *st;
	int rc;

	/* where the message counted before, when it was processed already */
	if (sq_prepare(s, &st, "SELECT issue_id, device_id, sw_version, captured, id, analysis, hw_version FROM traces "
			    "WHERE message_id = ?", "trace_was") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, t->message);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		version = srv_strdup((const char *)sqlite3_column_text(st, 2));
		hw = srv_strdup((const char *)sqlite3_column_text(st, 6));
		was = (struct sq_counted){.issue = sqlite3_column_int64(st, 0), .device = sqlite3_column_int64(st, 1),
					  .version = version, .captured = sqlite3_column_int64(st, 3),
					  .trace = sqlite3_column_int64(st, 4), .hw = hw};
		was_analysis = sqlite3_column_int(st, 5);
	}
	sq_release(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		rc = srv_store_fail(base, "trace_was: %s", sqlite3_errmsg(s->db));
		goto done;
	}
	if ((rc = sq_issue_for(s, t, was.issue, out_issue, &carry)) != 0)
		goto done;
	/* a message keeps its device and its time: a trace replaced keeps them too */
	if ((rc = sq_prepare(s, &st, "INSERT INTO traces (message_id, device_id, issue_id, sw_version, captured, report, "
				 "analysis, fingerprint, kind, title, hw_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON "
				 "CONFLICT (message_id) DO UPDATE SET issue_id = excluded.issue_id, sw_version = "
				 "excluded.sw_version, report = excluded.report, analysis = excluded.analysis, fingerprint = "
				 "excluded.fingerprint, kind = excluded.kind, title = excluded.title, hw_version = "
				 "excluded.hw_version RETURNING id, device_id, captured", "trace")) != 0)
		goto done;
	sqlite3_bind_int64(st, 1, t->message);
	sqlite3_bind_int64(st, 2, t->device);
	sqlite3_bind_int64(st, 3, *out_issue);
	sqlite3_bind_text(st, 4, t->sw_version, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, t->captured);
	sqlite3_bind_text(st, 6, t->report, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, t->analysis);
	sqlite3_bind_text(st, 8, t->fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, t->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, t->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, now.hw, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		now.trace = *out_trace = sqlite3_column_int64(st, 0);
		now.device = sqlite3_column_int64(st, 1);
		now.captured = sqlite3_column_int64(st, 2);
		now.issue = *out_issue;
	}
	sq_release(s, st);
	if (rc != SQLITE_ROW)
		rc = srv_store_fail(base, "trace: %s", sqlite3_errmsg(s->db));
	else if (version == NULL)
		rc = sq_count_in(s, &now);
	else if (was.issue != now.issue || strcmp(was.version, now.version) != 0 || strcmp(was.hw, now.hw) != 0)
		rc = sq_count_out(s, &was) != 0 || sq_count_in(s, &now) != 0 ? -1 : 0;
	else
		rc = 0; /* the same message counted where it was */
	if (rc == 0 && version != NULL)
		rc = sq_reprocess_counted(s, was_analysis, t->analysis);
	/* the issue carried over may have merged into another: the trace is where it went */
	if (rc == 0 && carry && (rc = sq_issue_carry(s, *out_issue, t->analysis)) == 0 &&
	    (rc = sq_prepare(s, &st, "SELECT issue_id FROM traces WHERE id = ?", "trace_issue")) == 0) {
		sqlite3_bind_int64(st, 1, *out_trace);
		rc = sq_step_row(s, st, out_issue, "trace_issue") == 0 ? 0 : -1;
	}
	if (rc == 0 && version == NULL) /* processed for the first time */
		rc = sq_issue_reopen(s, *out_issue, *out_trace, t->sw_version, t->captured);
done:
	free(version);
	free(hw);
	return rc;
}

static int sq_reboot_put(struct srv_store *base, int64_t message, int64_t device, int64_t boot_id, int reason,
			 int64_t received)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;

	if (sq_prepare(s, &st, "INSERT OR IGNORE INTO reboots (message_id, device_id, boot_id, reason, received) "
			    "VALUES (?, ?, ?, ?, ?)", "reboot_put") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, message);
	sqlite3_bind_int64(st, 2, device);
	sqlite3_bind_int64(st, 3, boot_id);
	sqlite3_bind_int(st, 4, reason);
	sqlite3_bind_int64(st, 5, received);
	return sq_step_done(s, st, "reboot_put");
}

int sq_issue_row(struct sqlite_store *s, sqlite3_stmt *st, void (*each)(const struct srv_issue *i, void *ctx),
		 void *ctx)
{
	struct srv_issue i = {.id = sqlite3_column_int64(st, 0), .fingerprint = (const char *)sqlite3_column_text(st, 1),
			      .kind = (const char *)sqlite3_column_text(st, 2),
			      .title = (const char *)sqlite3_column_text(st, 3), .count = sqlite3_column_int64(st, 4),
			      .devices = sqlite3_column_int64(st, 5), .first_seen = sqlite3_column_int64(st, 6),
			      .last_seen = sqlite3_column_int64(st, 7), .latest_trace = sqlite3_column_int64(st, 8),
			      .split_from = sqlite3_column_int64(st, 9),
			      .state = (enum srv_issue_state)sqlite3_column_int(st, 10),
			      .resolved_in = (const char *)sqlite3_column_text(st, 11),
			      .state_why = (const char *)sqlite3_column_text(st, 12), .state_at = sqlite3_column_int64(st, 13)};
	char **versions = NULL;
	int64_t *merged = NULL;
	sqlite3_stmt *v;
	size_t n = 0, m = 0;
	int rc;

	if (sq_prepare(s, &v, "SELECT sw_version FROM issue_versions WHERE issue_id = ? ORDER BY sw_version",
		    "issue_versions") != 0)
		return -1;
	sqlite3_bind_int64(v, 1, i.id);
	while ((rc = sqlite3_step(v)) == SQLITE_ROW) {
		versions = srv_realloc(versions, (n + 1) * sizeof(*versions));
		versions[n++] = srv_strdup((const char *)sqlite3_column_text(v, 0));
	}
	sq_release(s, v);
	if (rc == SQLITE_DONE && sq_prepare(s, &v, "SELECT id FROM issues WHERE merged_into = ? ORDER BY id",
					    "issue_merged") == 0) {
		sqlite3_bind_int64(v, 1, i.id);
		while ((rc = sqlite3_step(v)) == SQLITE_ROW) {
			merged = srv_realloc(merged, (m + 1) * sizeof(*merged));
			merged[m++] = sqlite3_column_int64(v, 0);
		}
		sq_release(s, v);
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_ERROR;
	}
	if (rc == SQLITE_DONE) {
		i.versions = (const char *const *)versions;
		i.nversions = n;
		i.merged = merged;
		i.nmerged = m;
		each(&i, ctx);
	}
	for (size_t k = 0; k < n; k++)
		free(versions[k]);
	free(versions);
	free(merged);
	return rc == SQLITE_DONE ? 0 : srv_store_fail(&s->base, "issue_versions: %s", sqlite3_errmsg(s->db));
}

static int sq_issues(struct srv_store *base, int64_t after, int limit,
		     void (*each)(const struct srv_issue *i, void *ctx), void *ctx, bool *out_more)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc, n = 0;

	*out_more = false;
	if (sq_prepare(s, &st, ISSUE_SELECT "AND i.id > ? ORDER BY i.id LIMIT ?", "issues") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int(st, 2, limit + 1); /* one more than the page: whether there is a next page */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == limit) { /* the one row past the page */
			*out_more = true;
			continue;
		}
		if (sq_issue_row(s, st, each, ctx) != 0) {
			sq_release(s, st);
			return -1;
		}
	}
	sq_release(s, st);
	return rc == SQLITE_DONE ? 0 : srv_store_fail(base, "issues: %s", sqlite3_errmsg(s->db));
}

static int sq_issue(struct srv_store *base, int64_t id, void (*each)(const struct srv_issue *i, void *ctx), void *ctx)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	/* an issue merged into another leads to that one */
	if (sq_prepare(s, &st, ISSUE_SELECT "AND i.id = (SELECT COALESCE(merged_into, id) FROM issues WHERE id = ?)",
		    "issue") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sq_issue_row(s, st, each, ctx) != 0) {
		sq_release(s, st);
		return -1;
	}
	sq_release(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return srv_store_fail(base, "issue: %s", sqlite3_errmsg(s->db));
	return rc == SQLITE_ROW ? 0 : SRV_NONE;
}

static int sq_trace(struct srv_store *base, int64_t id, void (*each)(const struct srv_trace_row *t, void *ctx),
		    void *ctx)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(s, &st, "SELECT t.id, t.issue_id, d.serial, t.message_id, t.captured, t.report FROM traces t "
			    "JOIN devices d ON d.id = t.device_id WHERE t.id = ?", "trace") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		struct srv_trace_row t = {.id = sqlite3_column_int64(st, 0), .issue = sqlite3_column_int64(st, 1),
					  .device = (const char *)sqlite3_column_text(st, 2),
					  .message = sqlite3_column_int64(st, 3), .received = sqlite3_column_int64(st, 4),
					  .report = (const char *)sqlite3_column_text(st, 5)};

		each(&t, ctx);
	}
	sq_release(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return srv_store_fail(base, "trace: %s", sqlite3_errmsg(s->db));
	return rc == SQLITE_ROW ? 0 : SRV_NONE;
}

static int sq_device_history(struct srv_store *base, const char *serial, const struct srv_device_visit *v)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc;

	if (sq_prepare(s, &st, "SELECT d.id, d.serial, d.first_seen, d.last_seen, (SELECT COUNT(*) FROM messages m WHERE "
			    "m.device_id = d.id) FROM devices d WHERE d.serial = ?", "device_history") != 0)
		return -1;
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct srv_device d = {(const char *)sqlite3_column_text(st, 1), sqlite3_column_int64(st, 2),
				       sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4)};

		id = sqlite3_column_int64(st, 0);
		v->device(&d, v->ctx);
	}
	sq_release(s, st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? SRV_NONE : srv_store_fail(base, "device_history: %s", sqlite3_errmsg(s->db));
	if (sq_prepare(s, &st, "SELECT boot_id, reason, received FROM reboots WHERE device_id = ? ORDER BY id DESC LIMIT 100",
		    "device_reboots") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct srv_reboot r = {sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1), sqlite3_column_int64(st, 2)};

		v->reboot(&r, v->ctx);
	}
	sq_release(s, st);
	if (rc != SQLITE_DONE)
		return srv_store_fail(base, "device_reboots: %s", sqlite3_errmsg(s->db));
	if (sq_prepare(s, &st, "SELECT id, issue_id, captured, sw_version FROM traces WHERE device_id = ? "
			    "ORDER BY id DESC LIMIT 100", "device_traces") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct srv_device_trace t = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
					     sqlite3_column_int64(st, 2), (const char *)sqlite3_column_text(st, 3)};

		v->trace(&t, v->ctx);
	}
	sq_release(s, st);
	if (rc != SQLITE_DONE)
		return srv_store_fail(base, "device_traces: %s", sqlite3_errmsg(s->db));
	if (sq_prepare(s, &st, "SELECT DISTINCT detail FROM messages WHERE device_id = ? AND state = ? ORDER BY detail",
		    "device_waiting") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, SRV_MSG_SYMBOLS_MISSING);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		v->waiting((const char *)sqlite3_column_text(st, 0), v->ctx);
	sq_release(s, st);
	return rc == SQLITE_DONE ? 0 : srv_store_fail(base, "device_waiting: %s", sqlite3_errmsg(s->db));
}

static int sq_trace_message(struct srv_store *base, int64_t trace, uint8_t **out, size_t *out_len)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(s, &st, "SELECT m.bytes FROM traces t JOIN messages m ON m.id = t.message_id WHERE t.id = ? "
			    "AND m.dropped IS NULL",
		    "trace_message") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, trace);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out_len = (size_t)sqlite3_column_bytes(st, 0);
		*out = srv_malloc(*out_len + 1);
		memcpy(*out, sqlite3_column_blob(st, 0), *out_len);
	}
	sq_release(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return srv_store_fail(base, "trace_message: %s", sqlite3_errmsg(s->db));
	return rc == SQLITE_ROW ? 0 : SRV_NONE;
}

static int sq_quarantined(struct srv_store *base, int64_t after, int limit,
			  void (*each)(const struct srv_quarantined *q, void *ctx), void *ctx, bool *out_more)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc, n = 0;

	*out_more = false;
	if (sq_prepare(s, &st, "SELECT m.id, m.received, d.serial, m.build, m.failures, m.detail FROM messages m "
			    "JOIN devices d ON d.id = m.device_id WHERE m.state = ? AND m.id > ? ORDER BY m.id LIMIT ?",
		    "quarantined") != 0)
		return -1;
	sqlite3_bind_int(st, 1, SRV_MSG_QUARANTINED);
	sqlite3_bind_int64(st, 2, after);
	sqlite3_bind_int(st, 3, limit + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct srv_quarantined q = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
					    (const char *)sqlite3_column_text(st, 2),
					    (const char *)sqlite3_column_text(st, 3), sqlite3_column_int(st, 4),
					    (const char *)sqlite3_column_text(st, 5)};

		if (n++ == limit) {
			*out_more = true;
			continue;
		}
		each(&q, ctx);
	}
	sq_release(s, st);
	return rc == SQLITE_DONE ? 0 : srv_store_fail(base, "quarantined: %s", sqlite3_errmsg(s->db));
}

static int sq_devices(struct srv_store *base, const char *after, int limit,
		      void (*each)(const struct srv_device *d, void *ctx), void *ctx)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(s, &st, "SELECT d.serial, d.first_seen, d.last_seen, "
			    "(SELECT COUNT(*) FROM messages m WHERE m.device_id = d.id) FROM devices d "
			    "WHERE d.serial > ? ORDER BY d.serial LIMIT ?", "devices") != 0)
		return -1;
	sqlite3_bind_text(st, 1, after != NULL ? after : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct srv_device d = {(const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
				       sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3)};

		each(&d, ctx);
	}
	sq_release(s, st);
	return rc == SQLITE_DONE ? 0 : srv_store_fail(base, "devices: %s", sqlite3_errmsg(s->db));
}

static const struct srv_store_ops k_sqlite_ops = {
	.close = sq_close, .meta_get = sq_meta_get, .meta_set = sq_meta_set,
	.begin = sq_begin, .commit = sq_commit, .rollback = sq_rollback, .mark = sq_mark, .unmark = sq_unmark,
	.undo = sq_undo,
	.device = sq_device, .slot_load = sq_slot_load, .slot_held = sq_slot_held, .slot_put = sq_slot_put,
	.slot_read = sq_slot_read, .slot_drop = sq_slot_drop, .slot_save = sq_slot_save, .pending = sq_pending,
	.message_add = sq_message_add, .symbols_add = sq_symbols_add,
	.job_claim = sq_job_claim, .job_finish = sq_job_finish, .job_failed = sq_job_failed,
	.slots_expire = sq_slots_expire, .jobs_recover = sq_jobs_recover, .symbols_arrived = sq_symbols_arrived,
	.symbols_known = sq_symbols_known, .retention = sq_retention, .trace_put = sq_trace_put,
	.symbols_list = sq_symbols_list, .issue_state = sq_issue_state, .issue_list = sq_issue_list, .issue_days = sq_issue_days,
	.issue_traces = sq_issue_traces, .issue_devices = sq_issue_devices, .session_put = sq_session_put,
	.session_get = sq_session_get, .session_delete = sq_session_delete, .sessions_clear = sq_sessions_clear,
	.reboot_put = sq_reboot_put,
	.issues = sq_issues, .issue = sq_issue, .trace = sq_trace, .device_history = sq_device_history,
	.trace_message = sq_trace_message, .quarantined = sq_quarantined, .devices = sq_devices,
	.heartbeat_put = sq_heartbeat_put, .boot_put = sq_boot_put, .crash_put = sq_crash_put,
	.metric_table_put = sq_metric_table_put, .metrics_backfill = sq_metrics_backfill, .versions = sq_versions,
	.version_hours = sq_version_hours, .version_days = sq_version_days, .metric_devices = sq_metric_devices, .device_heartbeats = sq_device_heartbeats,
	.version_issues = sq_version_issues,
	.reprocess_begin = sq_reprocess_begin, .reprocess_step = sq_reprocess_step,
	.reprocess_status = sq_reprocess_status,
	.signing_key_add = sq_signing_key_add, .signing_keys = sq_signing_keys, .signing_key_remove = sq_signing_key_remove,
	.release_add = sq_release_add, .releases = sq_releases, .cohort_add = sq_cohort_add, .cohorts = sq_cohorts,
	.cohort_reach = sq_cohort_reach, .deployment_add = sq_deployment_add, .deployments = sq_deployments,
	.deployment_percent = sq_deployment_percent,
	.deployment_devices = sq_deployment_devices, .deployment_events = sq_deployment_events, .checkin = sq_checkin,
	.update_report = sq_update_report, .device_release = sq_device_release,
};

static int exec(struct sqlite_store *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		srv_store_fail(&s->base, "%s", msg != NULL ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Schema 7: each slot's held bytes (a stream and a bitmap of what is held, schema 2-6) as runs in slot_bytes. */
static int copy_slot_streams(struct sqlite_store *s)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT device_id, tag, total, stream, held FROM slots", -1, &st, NULL) != SQLITE_OK)
		return srv_store_fail(&s->base, "%s", sqlite3_errmsg(s->db));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t device = sqlite3_column_int64(st, 0);
		unsigned tag = (unsigned)sqlite3_column_int(st, 1);
		size_t stream = (size_t)sqlite3_column_int64(st, 2) + 4;
		const uint8_t *bytes = sqlite3_column_blob(st, 3), *held = sqlite3_column_blob(st, 4);

		if ((size_t)sqlite3_column_bytes(st, 3) != stream || (size_t)sqlite3_column_bytes(st, 4) != (stream + 7) / 8) {
			sqlite3_finalize(st);
			return srv_store_fail(&s->base, "slot %lld/%u: stored sizes do not match its total", (long long)device, tag);
		}
		for (size_t i = 0; i < stream;) {
			size_t run = 0;

			while (i + run < stream && (held[(i + run) / 8] >> ((i + run) % 8) & 1))
				run++;
			if (run > 0 && sq_slot_put(&s->base, device, tag, (uint32_t)i, bytes + i, (uint32_t)run) != 0) {
				sqlite3_finalize(st);
				return -1;
			}
			i += run > 0 ? run : 1;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : srv_store_fail(&s->base, "%s", sqlite3_errmsg(s->db));
}

/* After a migration's changes, before its commit: every reference holds (foreign keys are off while the schema
 * changes, as SQLite's way of remaking a table needs: schema 13 remakes issues). */
static int references_hold(struct sqlite_store *s)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK)
		return srv_store_fail(&s->base, "%s", sqlite3_errmsg(s->db));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		srv_store_fail(&s->base, "a row of %s refers to no row of %s", (const char *)sqlite3_column_text(st, 0),
			       (const char *)sqlite3_column_text(st, 2));
	else if (rc != SQLITE_DONE)
		srv_store_fail(&s->base, "%s", sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Called with foreign keys off (they cannot change inside a transaction). */
static int migrate(struct sqlite_store *s)
{
	sqlite3_stmt *st;
	int version = 0;
	char sql[64];

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return srv_store_fail(&s->base, "%s", sqlite3_errmsg(s->db));
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version > SCHEMA_VERSION)
		return srv_store_fail(&s->base, "the database has schema version %d; this server knows up to %d: upgrade it",
			    version, SCHEMA_VERSION);
	for (; version < SCHEMA_VERSION; version++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version + 1);
		if (exec(s, "BEGIN IMMEDIATE") != 0 || exec(s, k_migrations[version]) != 0 ||
		    (k_migration_steps[version] != NULL && k_migration_steps[version](s) != 0) ||
		    references_hold(s) != 0 || exec(s, sql) != 0 || exec(s, "COMMIT") != 0) {
			char why[256];

			snprintf(why, sizeof(why), "%s", srv_store_error(&s->base));
			exec(s, "ROLLBACK");
			return srv_store_fail(&s->base, "migrating the schema to version %d: %s", version + 1, why);
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
	srv_store_init(&s->base);
	snprintf(path, sizeof(path), "%s/faultline.db", dir);
	/* no mutex of SQLite's own: the connection is used by one thread at a time, the store's writer or the holder of
	 * srv_store_lock (store.c) */
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", path, sqlite3_errmsg(s->db));
		sq_close(&s->base);
		return -1;
	}
	sqlite3_busy_timeout(s->db, 5000);
	/* a checkpoint (and its fsync) every 10,000 WAL pages (40 MB) rather than SQLite's 1,000 */
	if (exec(s, "PRAGMA journal_mode = WAL") != 0 || exec(s, "PRAGMA synchronous = NORMAL") != 0 ||
	    exec(s, "PRAGMA wal_autocheckpoint = 10000") != 0 || exec(s, "PRAGMA foreign_keys = OFF") != 0 ||
	    sq_health_open(s) != 0 || migrate(s) != 0 || exec(s, "PRAGMA foreign_keys = ON") != 0) {
		snprintf(err, errlen, "%s: %s", path, srv_store_error(&s->base));
		sq_close(&s->base);
		return -1;
	}
	*out = &s->base;
	return 0;
}
