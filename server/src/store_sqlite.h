/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite backend's own header, shared by its files (store_sqlite.c: the schema, ingest, processing, the read
 * API; store_sqlite_health.c: heartbeats and fleet health; store_sqlite_reprocess.c: issues by fingerprint and
 * reprocessing; store_sqlite_issues.c: the issue workflow; store_sqlite_sessions.c: login sessions): the connection and its statement cache. */
#ifndef SRV_STORE_SQLITE_H
#define SRV_STORE_SQLITE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "store.h"

#define STMT_CACHE 200 /* more than the distinct statements of the backend */

/* Statements are prepared once and kept, keyed by the address of their SQL text (each a literal at one place). */
struct sqlite_store {
	struct srv_store base;
	sqlite3 *db;
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[STMT_CACHE];
	uint64_t tables_stored; /* the generation of its metric key tables: a new one each time one is stored
				 * (store_sqlite_health.c keeps what it read of them until it changes) */
};

/* The prepared statement for sql (kept until close; give it back with sq_release) or fail with the statement's
 * name (what). Returns 0 or -1. */
int sq_prepare(struct sqlite_store *s, sqlite3_stmt **st, const char *sql, const char *what);

/* Done with a statement from sq_prepare: ready for its next use, holding no read lock and no bound buffer. */
void sq_release(struct sqlite_store *s, sqlite3_stmt *st);

/* Step a statement that gives no row, and release it. Returns 0, or -1 naming what failed. */
int sq_step_done(struct sqlite_store *s, sqlite3_stmt *st, const char *what);

/* A one-row statement (bound by the caller) stepped; its first column (a number) into out (optional) when it gave
 * a row. Returns 0 with a row, SRV_NONE without, -1 on failure. */
int sq_step_row(struct sqlite_store *s, sqlite3_stmt *st, int64_t *out, const char *what);

/* Add n to the counter under key in the meta table (made at 0 when new). Returns 0 or -1. */
int sq_meta_add(struct sqlite_store *s, const char *key, int64_t n);

/* store_sqlite_health.c: the fleet health operations of struct srv_store_ops (store.h says what each does). */
int sq_heartbeat_put(struct srv_store *base, const struct srv_heartbeat *hb, enum srv_hb_outcome *out);
int sq_boot_put(struct srv_store *base, int64_t device, uint32_t boot_id, const struct srv_identity *id,
		int64_t received, int64_t reboot_message, int64_t *out_counted);
int sq_crash_put(struct srv_store *base, int64_t message, int64_t device, enum srv_crash_kind kind, uint32_t boot_id,
		 uint32_t report_boot, const struct srv_identity *fallback, bool has_uptime, uint32_t uptime_s,
		 int64_t received);
int sq_metric_table_put(struct srv_store *base, const char *build_hex, const struct ff_metric_table *t,
			const char *problem);
int sq_metrics_backfill(struct srv_store *base, int limit, int64_t *out_done, bool *out_more);
int sq_versions(struct srv_store *base, int64_t now, int64_t from, bool by_hw,
		void (*each)(const struct srv_version_health *v, void *ctx), void *ctx);
int sq_version_days(struct srv_store *base, const char *sw_version, const char *hw_version, int64_t from_day,
		    int64_t to_day, void (*each)(const struct srv_health_day *d, void *ctx), void *ctx);
int sq_version_hours(struct srv_store *base, const char *sw_version, const char *hw_version, int64_t from, int64_t to,
		     void (*each)(const struct srv_health_hour *h, void *ctx), void *ctx);
int sq_metric_devices(struct srv_store *base, const char *key, const char *sw_version, int limit,
		      void (*each)(const struct srv_metric_device *d, void *ctx), void *ctx, bool *out_truncated);
int sq_device_heartbeats(struct srv_store *base, const char *serial, int limit,
			 void (*each)(const struct srv_heartbeat_row *h, void *ctx), void *ctx);

/* Retention's part in health, inside its step's transaction: the heartbeats (and rows) of at most limit boots no
 * heartbeat came for since before (a boot that still runs keeps its heartbeats), counted in out_heartbeats and the
 * meta key retention_heartbeats. The hourly buckets and devices' aggregates stay whole. Returns 0 or -1. */
int sq_health_retention(struct sqlite_store *s, int64_t before, int limit, int64_t *out_heartbeats);

int sq_version_issues(struct srv_store *base, const char *sw_version, int limit,
		      void (*each)(const struct srv_version_issue *i, void *ctx), void *ctx);

/* store_sqlite_ota.c: the updates' operations of struct srv_store_ops (store.h says what each does). */
int sq_signing_key_add(struct srv_store *base, const uint8_t public_key[32], const char *name, int64_t now,
		       int64_t *out_id, bool *out_new);
int sq_signing_keys(struct srv_store *base, void (*each)(const struct srv_signing_key *k, void *ctx), void *ctx);
int sq_signing_key_remove(struct srv_store *base, int64_t id, int64_t now);
int sq_release_add(struct srv_store *base, const struct srv_release *r, int64_t now, int64_t *out_id, bool *out_new);
int sq_releases(struct srv_store *base, int64_t id, void (*each)(const struct srv_release *r, void *ctx), void *ctx);
int sq_cohort_add(struct srv_store *base, const char *name, const char *hw_version, const char *sw_version,
		  const char *const *serials, size_t n, int64_t now, int64_t *out_id);
int sq_cohorts(struct srv_store *base, const char *name, void (*each)(const struct srv_cohort *c, void *ctx),
	       void *ctx);
int sq_cohort_reach(struct srv_store *base, int64_t cohort, int64_t *out_devices, int64_t out_max[4],
		    int64_t *out_counter, int64_t *out_slot);
int sq_deployment_add(struct srv_store *base, int64_t release, int64_t cohort, int percent, int64_t now,
		      int64_t *out_id);
int sq_deployments(struct srv_store *base, int64_t id, void (*each)(const struct srv_deployment *d, void *ctx),
		   void *ctx);
int sq_deployment_percent(struct srv_store *base, int64_t id, int percent);
int sq_deployment_devices(struct srv_store *base, int64_t deployment,
			  void (*each)(const struct srv_update_row *u, void *ctx), void *ctx);
int sq_deployment_events(struct srv_store *base, int64_t deployment, const char *serial,
			 void (*each)(const struct srv_update_row *u, void *ctx), void *ctx);
int sq_checkin(struct srv_store *base, int64_t device, const char *serial, const struct srv_checkin *c, int64_t now,
	       struct srv_offer *out);
int sq_update_report(struct srv_store *base, int64_t device, int64_t deployment, enum srv_update_step step,
		     int64_t offset, const char *why, int64_t now);
int sq_device_release(struct srv_store *base, int64_t device, int64_t release, char *out_sha256, int64_t *out_size);
/* At open: what the health reads need of the connection (the FLVERSION collation). Returns 0 or -1. */
int sq_health_open(struct sqlite_store *s);

/* Where a message's trace is counted: its issue, device, version and hardware version, when it was received, the
 * trace. */
struct sq_counted {
	int64_t issue, device, captured, trace;
	const char *version, *hw;
};

/* An issue's aggregates (store_sqlite.c). sq_count_in: a message counted in c->issue (its count, device, version,
 * hardware version, day, seen times). sq_count_out: a message counted out of c->issue, its trace moved already (a seen time it held
 * recomputed from the traces left). Return 0 or -1. */
int sq_count_in(struct sqlite_store *s, const struct sq_counted *c);
int sq_count_out(struct sqlite_store *s, const struct sq_counted *c);

/* An issue with its stored aggregates and its latest trace (retention keeps it). An issue counts no message when
 * all of its moved to other issues (or it was merged into one): it is not shown. */
#define ISSUE_SELECT                                                                                               \
	"SELECT i.id, i.fingerprint, i.kind, i.title, i.count, i.devices, i.first_seen, i.last_seen, "                \
	"COALESCE((SELECT MAX(t.id) FROM traces t WHERE t.issue_id = i.id), 0), COALESCE(i.split_from, 0), "         \
	"i.state, i.resolved_in, i.state_why, i.state_at FROM issues i WHERE i.count > 0 "

/* The row under st as an issue, its versions and the issues merged into it read with two more statements, to
 * each(). */
int sq_issue_row(struct sqlite_store *s, sqlite3_stmt *st, void (*each)(const struct srv_issue *i, void *ctx),
		 void *ctx);

/* store_sqlite_issues.c: the issue workflow (docs/API.md) and the dashboard's reads of issues. sq_issue_state: srv_store_ops.issue_state.
 * sq_issue_reopen: a trace (id trace, of sw_version, received at) processed for the first time in issue: the issue
 * reopens, saying why, when it is resolved in an earlier version. Return 0 or -1 (sq_issue_state SRV_NONE too). */
int sq_issue_state(struct srv_store *base, int64_t id, enum srv_issue_state state, const char *resolved_in,
		   int64_t now);
int sq_issue_reopen(struct sqlite_store *s, int64_t issue, int64_t trace, const char *sw_version, int64_t at);
/* The dashboard's reads of issues: srv_store_ops.issue_list, issue_days, issue_traces, issue_devices. */
int sq_issue_list(struct srv_store *base, const struct srv_issue_filter *f,
		  void (*each)(const struct srv_issue *i, void *ctx), void *ctx, int64_t *out_total);
int sq_issue_days(struct srv_store *base, int64_t issue, int64_t from_day,
		  void (*each)(int64_t day, int64_t messages, void *ctx), void *ctx);
int sq_issue_traces(struct srv_store *base, int64_t issue, int64_t before, int64_t offset, int limit,
		    void (*each)(const struct srv_issue_trace *t, void *ctx), void *ctx, int64_t *out_total);
int sq_issue_devices(struct srv_store *base, int64_t issue, int64_t offset, int limit,
		     void (*each)(const struct srv_issue_device *d, void *ctx), void *ctx, int64_t *out_total);

/* store_sqlite_sessions.c: the dashboard's login sessions, srv_store_ops.session_put and the others. */
int sq_session_put(struct srv_store *base, const uint8_t hash[32], const char *csrf, int64_t created, int64_t expires);
int sq_session_get(struct srv_store *base, const uint8_t hash[32], int64_t now, char *out, size_t cap);
int sq_session_delete(struct srv_store *base, const uint8_t hash[32]);
int sq_sessions_clear(struct srv_store *base);

/* store_sqlite_reprocess.c: issues by fingerprint (the rules of srv_store_ops.trace_put) and reprocessing.
 * sq_issue_for: the issue t goes into (out), was: the issue the message's trace is in, 0 when it has none;
 * out_carry: set when that issue is to be carried over once t is in it (sq_issue_carry). The issue is titled after
 * t when t's fingerprint is its own.
 * sq_issue_carry: an issue carried over to the fingerprints of analysis its traces now have (heir, then splits).
 * sq_reprocess_counted: a trace of was_analysis replaced by one of analysis: counted done by reprocessing to it.
 * Each returns 0 or -1. */
int sq_issue_for(struct sqlite_store *s, const struct srv_trace *t, int64_t was, int64_t *out, bool *out_carry);
int sq_issue_carry(struct sqlite_store *s, int64_t issue, int analysis);
int sq_reprocess_counted(struct sqlite_store *s, int was_analysis, int analysis);

/* The reprocessing operations of struct srv_store_ops (store.h says what each does). */
int sq_reprocess_begin(struct srv_store *base, int version, int64_t now, struct srv_reprocessing *out);
int sq_reprocess_step(struct srv_store *base, int limit, struct srv_reprocessing *out, bool *out_more);
int sq_reprocess_status(struct srv_store *base, struct srv_reprocessing *out);

#endif
