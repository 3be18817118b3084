-- Schema 12 as faultline-server made it before schema 13 (the statements of server/src/store_sqlite.c's
-- k_migrations[0..11], run in order on an empty database; sqlite3 .schema). server-fingerprints.sh checks that
-- the database it rewrites as a version-1 server stored it has exactly these tables and indexes.
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE devices (id INTEGER PRIMARY KEY, serial TEXT NOT NULL UNIQUE, first_seen INTEGER NOT NULL,                      last_seen INTEGER NOT NULL, pending INTEGER NOT NULL DEFAULT 0, firmware_id INTEGER REFERENCES firmwares(id), firmware_at INTEGER, health_until INTEGER, health_boot INTEGER);
CREATE TABLE slots (device_id INTEGER NOT NULL REFERENCES devices(id), tag INTEGER NOT NULL,                    boot INTEGER NOT NULL, seq INTEGER NOT NULL, total INTEGER NOT NULL,                    state INTEGER NOT NULL, have INTEGER NOT NULL, updated INTEGER NOT NULL, high INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (device_id, tag));
CREATE TABLE messages (id INTEGER PRIMARY KEY, device_id INTEGER NOT NULL REFERENCES devices(id),                       received INTEGER NOT NULL, digest BLOB NOT NULL, bytes BLOB NOT NULL,                       state INTEGER NOT NULL DEFAULT 0, detail TEXT, failures INTEGER NOT NULL DEFAULT 0, build TEXT, dropped INTEGER CHECK (dropped IS NULL OR state NOT IN (0, 1)), UNIQUE (device_id, digest));
CREATE TABLE symbols (build_id TEXT PRIMARY KEY, size INTEGER NOT NULL, uploaded INTEGER NOT NULL);
CREATE TABLE issues (id INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,                     title TEXT NOT NULL, created INTEGER NOT NULL, count INTEGER NOT NULL DEFAULT 0, devices INTEGER NOT NULL DEFAULT 0, first_seen INTEGER NOT NULL DEFAULT 0, last_seen INTEGER NOT NULL DEFAULT 0);
CREATE TABLE traces (id INTEGER PRIMARY KEY, message_id INTEGER NOT NULL UNIQUE REFERENCES messages(id),                     device_id INTEGER NOT NULL REFERENCES devices(id), issue_id INTEGER NOT NULL                     REFERENCES issues(id), sw_version TEXT NOT NULL, captured INTEGER NOT NULL,                     report TEXT NOT NULL);
CREATE INDEX traces_issue ON traces (issue_id, id);
CREATE TABLE reboots (id INTEGER PRIMARY KEY, message_id INTEGER NOT NULL UNIQUE REFERENCES messages(id),                      device_id INTEGER NOT NULL REFERENCES devices(id), boot_id INTEGER NOT NULL,                      reason INTEGER NOT NULL, received INTEGER NOT NULL);
CREATE TABLE slot_bytes (device_id INTEGER NOT NULL, tag INTEGER NOT NULL, offset INTEGER NOT NULL,                         bytes BLOB NOT NULL, PRIMARY KEY (device_id, tag, offset)) WITHOUT ROWID;
CREATE TABLE receiver (id INTEGER PRIMARY KEY CHECK (id = 1), pending INTEGER NOT NULL);
CREATE INDEX slots_updated ON slots (state, updated);
CREATE INDEX messages_state ON messages (state, failures, id);
CREATE TABLE issue_devices (issue_id INTEGER NOT NULL REFERENCES issues(id), device_id INTEGER NOT NULL                            REFERENCES devices(id), messages INTEGER NOT NULL,                            PRIMARY KEY (issue_id, device_id)) WITHOUT ROWID;
CREATE TABLE issue_versions (issue_id INTEGER NOT NULL REFERENCES issues(id), sw_version TEXT NOT NULL,                             messages INTEGER NOT NULL, first_trace INTEGER NOT NULL,                             PRIMARY KEY (issue_id, sw_version)) WITHOUT ROWID;
CREATE INDEX issue_versions_newest ON issue_versions (issue_id, first_trace);
CREATE INDEX traces_issue_seen ON traces (issue_id, captured);
CREATE INDEX reboots_received ON reboots (received);
CREATE INDEX messages_held ON messages (received, id) WHERE dropped IS NULL;
CREATE TABLE firmwares (id INTEGER PRIMARY KEY, build_id TEXT NOT NULL, sw_version TEXT NOT NULL,                        hw_version TEXT NOT NULL, UNIQUE (build_id, sw_version, hw_version));
CREATE INDEX firmwares_version ON firmwares (sw_version, hw_version);
CREATE TABLE boots (device_id INTEGER NOT NULL REFERENCES devices(id), boot_id INTEGER NOT NULL,                    firmware_id INTEGER REFERENCES firmwares(id), anchor INTEGER, start_at INTEGER,                    reboot_message INTEGER, updated INTEGER NOT NULL,                    PRIMARY KEY (device_id, boot_id)) WITHOUT ROWID;
CREATE TABLE heartbeats (device_id INTEGER NOT NULL REFERENCES devices(id), boot_id INTEGER NOT NULL,                         uptime INTEGER NOT NULL, received INTEGER NOT NULL, at INTEGER, builtin BLOB NOT NULL,                         vals BLOB NOT NULL, state INTEGER NOT NULL, firmware_id INTEGER,                         PRIMARY KEY (device_id, boot_id, uptime)) WITHOUT ROWID;
CREATE INDEX boots_updated ON boots (updated);
CREATE INDEX heartbeats_app_waiting ON heartbeats (firmware_id, device_id, boot_id, uptime) WHERE state = 2;
CREATE TABLE health_hours (firmware_id INTEGER NOT NULL REFERENCES firmwares(id), hour INTEGER NOT NULL,                           seconds INTEGER NOT NULL, reboots INTEGER NOT NULL, coredumps INTEGER NOT NULL,                           crashed_hours INTEGER NOT NULL, last_devices INTEGER NOT NULL,                           current_devices INTEGER NOT NULL, crashed_devices INTEGER NOT NULL,                           PRIMARY KEY (hour, firmware_id)) WITHOUT ROWID;
CREATE TABLE device_health (device_id INTEGER NOT NULL REFERENCES devices(id), firmware_id INTEGER NOT NULL                            REFERENCES firmwares(id), seconds INTEGER NOT NULL, last_at INTEGER NOT NULL,                            last_crash INTEGER, crash_hours BLOB, metrics BLOB, heartbeats INTEGER NOT NULL,                            PRIMARY KEY (device_id, firmware_id)) WITHOUT ROWID;
CREATE TABLE crashes (message_id INTEGER PRIMARY KEY REFERENCES messages(id), kind INTEGER NOT NULL,                      firmware_id INTEGER NOT NULL REFERENCES firmwares(id), at INTEGER NOT NULL);
CREATE TABLE metric_tables (build_id TEXT PRIMARY KEY, keys BLOB, problem TEXT);
CREATE INDEX traces_version ON traces (sw_version, issue_id, device_id);
