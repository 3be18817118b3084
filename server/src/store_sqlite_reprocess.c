/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite backend's issues by fingerprint, and reprocessing when the analysis changed: every trace of an older
 * analysis analysed again, then each old issue carried over to its new fingerprint (docs/ANALYSIS.md, When
 * fingerprints change, says every rule; this file applies them). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "store.h"
#include "store_sqlite.h"

#define SPLIT_BATCH 256 /* traces moved out of an issue per round of a split (they leave the query's rows) */

/* The reprocessing row: where it stands (store.h's struct, with the cursors of its steps). */
struct row {
	int current, target;
	enum srv_reprocess_phase phase;
	int64_t mark_after;   /* ANALYSING: the last trace id whose message was queued again; -1 when all were */
	int64_t cursor;       /* HEIRS, SPLITS: the last issue id carried over */
	int64_t last_old;     /* the newest issue when it started: issues up to it are the old ones */
	int64_t total, done, stale, kept, merged, split, started;
};

static int load(struct sqlite_store *s, struct row *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(s, &st, "SELECT current, target, phase, mark_after, cursor, last_old, total, done, stale, kept, "
			    "merged, split, started FROM reprocessing WHERE id = 1", "reprocessing") != 0)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = (struct row){sqlite3_column_int(st, 0), sqlite3_column_int(st, 1),
				    (enum srv_reprocess_phase)sqlite3_column_int(st, 2), sqlite3_column_int64(st, 3),
				    sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5), sqlite3_column_int64(st, 6),
				    sqlite3_column_int64(st, 7), sqlite3_column_int64(st, 8), sqlite3_column_int64(st, 9),
				    sqlite3_column_int64(st, 10), sqlite3_column_int64(st, 11),
				    sqlite3_column_int64(st, 12)};
	sq_release(s, st);
	if (rc != SQLITE_ROW)
		return srv_store_fail(&s->base, "reprocessing: %s", rc == SQLITE_DONE ? "its row is missing" :
				      sqlite3_errmsg(s->db));
	return 0;
}

/* The step-owned part of the row written back (the counters are added to where they happen). */
static int save(struct sqlite_store *s, const struct row *r)
{
	sqlite3_stmt *st;

	if (sq_prepare(s, &st, "UPDATE reprocessing SET current = ?, phase = ?, mark_after = ?, cursor = ?, stale = ? "
			    "WHERE id = 1", "reprocessing_save") != 0)
		return -1;
	sqlite3_bind_int(st, 1, r->current);
	sqlite3_bind_int(st, 2, (int)r->phase);
	sqlite3_bind_int64(st, 3, r->mark_after);
	sqlite3_bind_int64(st, 4, r->cursor);
	sqlite3_bind_int64(st, 5, r->stale);
	return sq_step_done(s, st, "reprocessing_save");
}

/* What the issues' carrying over did, counted. */
static int tally(struct sqlite_store *s, int kept, int merged, int split)
{
	sqlite3_stmt *st;

	if (sq_prepare(s, &st, "UPDATE reprocessing SET kept = kept + ?, merged = merged + ?, split = split + ? "
			    "WHERE id = 1", "reprocessing_tally") != 0)
		return -1;
	sqlite3_bind_int(st, 1, kept);
	sqlite3_bind_int(st, 2, merged);
	sqlite3_bind_int(st, 3, split);
	return sq_step_done(s, st, "reprocessing_tally");
}

static void status_of(const struct row *r, struct srv_reprocessing *out)
{
	*out = (struct srv_reprocessing){.from = r->current, .to = r->target, .phase = r->phase, .total = r->total,
					 .done = r->done, .stale = r->stale, .kept = r->kept, .merged = r->merged,
					 .split = r->split, .started = r->started};
}

/* Whether an old issue is still to be carried over: its traces analysed again stay in it until then. */
static bool pending(const struct row *r, int64_t issue)
{
	return (r->phase == SRV_REPROCESS_ANALYSING || r->phase == SRV_REPROCESS_HEIRS) && issue > r->cursor &&
	       issue <= r->last_old;
}

/* The issue known by fingerprint for traces of analysis (a fingerprint of an older analysis no longer names one:
 * the same text may mean another crash now). 0 found (out), SRV_NONE, -1. */
static int owner(struct sqlite_store *s, const char *fingerprint, int analysis, int64_t *out)
{
	sqlite3_stmt *st;

	if (sq_prepare(s, &st, "SELECT issue_id FROM issue_fingerprints WHERE fingerprint = ? AND analysis >= ?",
		    "issue_owner") != 0)
		return -1;
	sqlite3_bind_text(st, 1, fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, analysis);
	return sq_step_row(s, st, out, "issue_owner");
}

/* issue known by fingerprint from now on, for analysis (it replaces what the text named before). */
static int known_by(struct sqlite_store *s, int64_t issue, const char *fingerprint, int analysis)
{
	sqlite3_stmt *st;

	if (sq_prepare(s, &st, "INSERT INTO issue_fingerprints (fingerprint, issue_id, analysis) VALUES (?, ?, ?) "
			    "ON CONFLICT (fingerprint) DO UPDATE SET issue_id = excluded.issue_id, "
			    "analysis = excluded.analysis", "issue_known_by") != 0)
		return -1;
	sqlite3_bind_text(st, 1, fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, issue);
	sqlite3_bind_int(st, 3, analysis);
	return sq_step_done(s, st, "issue_known_by");
}

/* A new issue for fingerprint (split_from: the issue its first trace comes from, whose workflow state it starts
 * with; 0 none: open). */
static int issue_new(struct sqlite_store *s, const char *fingerprint, const char *kind, const char *title,
		     int64_t created, int64_t split_from, int analysis, int64_t *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(s, &st, "INSERT INTO issues (fingerprint, kind, title, created, split_from, state, resolved_in, "
			    "state_why, state_at) SELECT ?1, ?2, ?3, ?4, NULLIF(?5, 0), COALESCE(p.state, 0), p.resolved_in, "
			    "p.state_why, COALESCE(p.state_at, 0) FROM (SELECT 1) LEFT JOIN issues p ON p.id = ?5 "
			    "RETURNING id", "issue_new") != 0)
		return -1;
	sqlite3_bind_text(st, 1, fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, created);
	sqlite3_bind_int64(st, 5, split_from);
	if ((rc = sq_step_row(s, st, out, "issue_new")) != 0)
		return rc < 0 ? -1 : srv_store_fail(&s->base, "issue_new: no id returned");
	return known_by(s, *out, fingerprint, analysis);
}

/* Whether the issue has a fingerprint of analysis (or newer): 0 yes, SRV_NONE, -1. */
static int has_fingerprint_of(struct sqlite_store *s, int64_t issue, int analysis)
{
	sqlite3_stmt *st;

	if (sq_prepare(s, &st, "SELECT 1 FROM issue_fingerprints WHERE issue_id = ? AND analysis >= ? LIMIT 1",
		    "issue_analysis") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, issue);
	sqlite3_bind_int(st, 2, analysis);
	return sq_step_row(s, st, NULL, "issue_analysis");
}

int sq_issue_for(struct sqlite_store *s, const struct srv_trace *t, int64_t was, int64_t *out, bool *out_carry)
{
	struct row r;
	sqlite3_stmt *st;
	int rc = SRV_NONE;

	*out_carry = false;
	if (load(s, &r) != 0)
		return -1;
	if (was != 0 && pending(&r, was)) {
		*out = was; /* it stays until its issue is carried over */
		rc = 0;
	} else if (was != 0 && (rc = has_fingerprint_of(s, was, t->analysis)) == SRV_NONE) {
		*out = was; /* an old issue none of whose traces could be analysed again until now: carried over now */
		*out_carry = true;
		rc = 0;
	} else if (rc < 0) {
		return -1;
	} else {
		rc = owner(s, t->fingerprint, t->analysis, out);
	}
	if (rc == SRV_NONE && (r.phase == SRV_REPROCESS_ANALYSING || r.phase == SRV_REPROCESS_HEIRS)) {
		/* a crash that an old issue's trace, analysed again, already showed: that issue, the oldest */
		if (sq_prepare(s, &st, "SELECT issue_id FROM traces WHERE fingerprint = ?1 AND analysis >= ?2 AND "
				    "issue_id > ?3 AND issue_id <= ?4 ORDER BY issue_id LIMIT 1", "issue_pending") != 0)
			return -1;
		sqlite3_bind_text(st, 1, t->fingerprint, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, t->analysis);
		sqlite3_bind_int64(st, 3, r.cursor);
		sqlite3_bind_int64(st, 4, r.last_old);
		rc = sq_step_row(s, st, out, "issue_pending");
	}
	if (rc == SRV_NONE)
		rc = issue_new(s, t->fingerprint, t->kind, t->title, t->captured, was, t->analysis, out);
	if (rc != 0)
		return -1;
	/* the issue of this fingerprint is titled after its latest trace */
	if (sq_prepare(s, &st, "UPDATE issues SET title = ?1 WHERE id = ?2 AND fingerprint = ?3 AND title <> ?1",
		    "issue_title") != 0)
		return -1;
	sqlite3_bind_text(st, 1, t->title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, *out);
	sqlite3_bind_text(st, 3, t->fingerprint, -1, SQLITE_STATIC);
	return sq_step_done(s, st, "issue_title");
}

int sq_reprocess_counted(struct sqlite_store *s, int was_analysis, int analysis)
{
	sqlite3_stmt *st;

	if (was_analysis >= analysis)
		return 0;
	if (sq_prepare(s, &st, "UPDATE reprocessing SET done = done + 1 WHERE phase <> ? AND target = ?",
		    "reprocessing_done") != 0)
		return -1;
	sqlite3_bind_int(st, 1, SRV_REPROCESS_NONE);
	sqlite3_bind_int(st, 2, analysis);
	return sq_step_done(s, st, "reprocessing_done");
}

/* Issue `from` merged into `into`: its traces, its aggregates whole (those of traces retention deleted too), its
 * fingerprints; its id (and those that led to it) lead to `into` from now on. `into` keeps its workflow state,
 * unless it is resolved and `from` is not: then it takes `from`'s (that crash was still open, or muted), saying
 * why. */
static int merge(struct sqlite_store *s, int64_t from, int64_t into)
{
	static const char *const k_steps[] = {
		"UPDATE issues SET state = j.state, resolved_in = NULL, state_why = 'issue ' || ?2 || ', merged into it, was "
		"' || CASE j.state WHEN 2 THEN 'muted' ELSE 'open' END, state_at = MAX(issues.state_at, j.state_at) FROM "
		"(SELECT state, state_at FROM issues WHERE id = ?2) AS j WHERE issues.id = ?1 AND issues.state = 1 AND "
		"j.state <> 1",
		"UPDATE traces SET issue_id = ?1 WHERE issue_id = ?2",
		"INSERT INTO issue_devices (issue_id, device_id, messages) SELECT ?1, device_id, messages FROM "
		"issue_devices WHERE issue_id = ?2 ON CONFLICT DO UPDATE SET messages = messages + excluded.messages",
		"DELETE FROM issue_devices WHERE issue_id = ?2",
		"INSERT INTO issue_versions (issue_id, sw_version, messages, first_trace) SELECT ?1, sw_version, messages, "
		"first_trace FROM issue_versions WHERE issue_id = ?2 ON CONFLICT DO UPDATE SET messages = messages + "
		"excluded.messages, first_trace = MIN(first_trace, excluded.first_trace)",
		"DELETE FROM issue_versions WHERE issue_id = ?2",
		"INSERT INTO issue_hardware (issue_id, hw_version, messages) SELECT ?1, hw_version, messages FROM "
		"issue_hardware WHERE issue_id = ?2 ON CONFLICT DO UPDATE SET messages = messages + excluded.messages",
		"DELETE FROM issue_hardware WHERE issue_id = ?2",
		"INSERT INTO issue_days (issue_id, day, messages) SELECT ?1, day, messages FROM issue_days WHERE issue_id = "
		"?2 ON CONFLICT DO UPDATE SET messages = messages + excluded.messages",
		"DELETE FROM issue_days WHERE issue_id = ?2",
		"UPDATE issues SET first_seen = CASE WHEN j.count = 0 THEN issues.first_seen WHEN issues.count = 0 OR "
		"j.first_seen < issues.first_seen THEN j.first_seen ELSE issues.first_seen END, last_seen = CASE WHEN "
		"j.count = 0 THEN issues.last_seen WHEN issues.count = 0 OR j.last_seen > issues.last_seen THEN "
		"j.last_seen ELSE issues.last_seen END, count = issues.count + j.count, devices = (SELECT COUNT(*) FROM "
		"issue_devices WHERE issue_id = ?1) FROM (SELECT count, first_seen, last_seen FROM issues WHERE id = ?2) "
		"AS j WHERE issues.id = ?1",
		"UPDATE issues SET count = 0, devices = 0, merged_into = ?1 WHERE id = ?2 OR merged_into = ?2",
		"UPDATE issue_fingerprints SET issue_id = ?1 WHERE issue_id = ?2",
	};
	sqlite3_stmt *st;

	for (size_t i = 0; i < sizeof(k_steps) / sizeof(k_steps[0]); i++) {
		if (sq_prepare(s, &st, k_steps[i], "issue_merge") != 0)
			return -1;
		sqlite3_bind_int64(st, 1, into);
		sqlite3_bind_int64(st, 2, from);
		if (sq_step_done(s, st, "issue_merge") != 0)
			return -1;
	}
	return 0;
}

/* The new fingerprint an issue goes on with: the one most of its traces of analysis have, on a tie that of its
 * oldest; with its latest trace's kind and title (heir, 256 bytes; kind, title 200). SRV_NONE when none of its
 * traces is of analysis. */
static int heir_of(struct sqlite_store *s, int64_t issue, int analysis, char *heir, char *kind, char *title)
{
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(s, &st, "SELECT h.fingerprint, (SELECT t.kind FROM traces t WHERE t.issue_id = ?1 AND "
			    "t.fingerprint = h.fingerprint ORDER BY t.id DESC LIMIT 1), (SELECT t.title FROM traces t WHERE "
			    "t.issue_id = ?1 AND t.fingerprint = h.fingerprint ORDER BY t.id DESC LIMIT 1) FROM (SELECT "
			    "fingerprint FROM traces WHERE issue_id = ?1 AND analysis >= ?2 GROUP BY fingerprint ORDER BY "
			    "COUNT(*) DESC, MIN(id) LIMIT 1) AS h", "issue_heir") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, issue);
	sqlite3_bind_int(st, 2, analysis);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(heir, 256, "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(kind, 200, "%s", (const char *)sqlite3_column_text(st, 1));
		snprintf(title, 200, "%s", (const char *)sqlite3_column_text(st, 2));
	}
	sq_release(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return srv_store_fail(&s->base, "issue_heir: %s", sqlite3_errmsg(s->db));
	return rc == SQLITE_ROW ? 0 : SRV_NONE;
}

/* An issue carried over to its heir: it takes it when no issue has it; it merges into the one that has it when
 * that one is older, else that one merges into it and it takes it (the older issue always survives). out: the
 * issue its traces are in now. */
static int carry_heir(struct sqlite_store *s, int64_t issue, int analysis, int64_t *out)
{
	char heir[256], kind[200], title[200];
	sqlite3_stmt *st;
	int64_t other = 0;
	int rc;

	*out = issue;
	if ((rc = heir_of(s, issue, analysis, heir, kind, title)) != 0)
		return rc == SRV_NONE ? 0 : -1; /* nothing analysed again: it keeps its old fingerprint */
	if ((rc = owner(s, heir, analysis, &other)) < 0)
		return -1;
	if (rc == 0 && other == issue)
		return 0;
	if (rc == 0 && other < issue) {
		*out = other;
		return merge(s, issue, other) != 0 || tally(s, 0, 1, 0) != 0 ? -1 : 0;
	}
	if (rc == 0 && merge(s, other, issue) != 0)
		return -1;
	if (known_by(s, issue, heir, analysis) != 0)
		return -1;
	if (sq_prepare(s, &st, "UPDATE issues SET fingerprint = ?, kind = ?, title = ? WHERE id = ?", "issue_heir_set") !=
	    0)
		return -1;
	sqlite3_bind_text(st, 1, heir, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, issue);
	if (sq_step_done(s, st, "issue_heir_set") != 0)
		return -1;
	return tally(s, 1, rc == 0, 0);
}

/* A trace of an issue that is of another fingerprint than the issue's. */
struct stray {
	struct sq_counted c;
	char *fingerprint, *kind, *title, *version, *hw;
};

/* Traces of analysis that are not of the issue's own fingerprint (its heir) move to the issue of theirs (made, split
 * from it, when none has it), each counted out of it and into that one. Nothing when the issue has no fingerprint
 * of analysis. */
static int carry_splits(struct sqlite_store *s, int64_t issue, int analysis)
{
	struct stray *strays = srv_calloc(SPLIT_BATCH, sizeof(*strays));
	int rc = 0, made = 0;
	size_t n;

	do {
		sqlite3_stmt *st;

		n = 0;
		if (sq_prepare(s, &st, "SELECT t.id, t.device_id, t.captured, t.sw_version, t.fingerprint, t.kind, t.title, "
				    "t.hw_version FROM traces t JOIN issues i ON i.id = t.issue_id JOIN issue_fingerprints f ON "
				    "f.fingerprint = i.fingerprint AND f.issue_id = i.id AND f.analysis >= ?2 WHERE "
				    "t.issue_id = ?1 AND t.analysis >= ?2 AND t.fingerprint <> i.fingerprint ORDER BY t.id "
				    "LIMIT ?3", "issue_strays") != 0) {
			rc = -1;
			break;
		}
		sqlite3_bind_int64(st, 1, issue);
		sqlite3_bind_int(st, 2, analysis);
		sqlite3_bind_int(st, 3, SPLIT_BATCH);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < SPLIT_BATCH) {
			struct stray *x = &strays[n++];

			x->c = (struct sq_counted){.trace = sqlite3_column_int64(st, 0), .issue = issue,
						   .device = sqlite3_column_int64(st, 1),
						   .captured = sqlite3_column_int64(st, 2)};
			x->version = srv_strdup((const char *)sqlite3_column_text(st, 3));
			x->fingerprint = srv_strdup((const char *)sqlite3_column_text(st, 4));
			x->kind = srv_strdup((const char *)sqlite3_column_text(st, 5));
			x->title = srv_strdup((const char *)sqlite3_column_text(st, 6));
			x->hw = srv_strdup((const char *)sqlite3_column_text(st, 7));
			x->c.version = x->version;
			x->c.hw = x->hw;
		}
		sq_release(s, st);
		rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : srv_store_fail(&s->base, "issue_strays: %s",
										sqlite3_errmsg(s->db));
		for (size_t i = 0; i < n; i++) {
			struct stray *x = &strays[i];
			struct sq_counted to = x->c;
			int found = rc == 0 ? owner(s, x->fingerprint, analysis, &to.issue) : -1;

			if (found == SRV_NONE) {
				found = issue_new(s, x->fingerprint, x->kind, x->title, x->c.captured, issue, analysis,
						  &to.issue);
				made += found == 0;
			}
			if (found == 0 && sq_prepare(s, &st, "UPDATE traces SET issue_id = ? WHERE id = ?",
						     "issue_stray_move") == 0) {
				sqlite3_bind_int64(st, 1, to.issue);
				sqlite3_bind_int64(st, 2, x->c.trace);
				found = sq_step_done(s, st, "issue_stray_move");
			}
			if (found != 0 || sq_count_out(s, &x->c) != 0 || sq_count_in(s, &to) != 0)
				rc = -1;
			free(x->version);
			free(x->hw);
			free(x->fingerprint);
			free(x->kind);
			free(x->title);
		}
	} while (rc == 0 && n == SPLIT_BATCH);
	free(strays);
	return rc == 0 ? tally(s, 0, 0, made) : -1;
}

int sq_issue_carry(struct sqlite_store *s, int64_t issue, int analysis)
{
	int64_t now;

	return carry_heir(s, issue, analysis, &now) != 0 ? -1 : carry_splits(s, now, analysis);
}

int sq_reprocess_begin(struct srv_store *base, int version, int64_t now, struct srv_reprocessing *out)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	struct row r;

	if (load(s, &r) != 0)
		return -1;
	if (r.current > version || r.target > version)
		return srv_store_fail(base, "the database's traces were processed by analysis version %d; this server's "
				      "analysis is version %d: run a server of version %d or newer",
				      r.target, version, r.target);
	if (r.target < version) { /* a reprocessing to an older version stopped half way starts again to this one */
		if (sq_prepare(s, &st, "UPDATE reprocessing SET target = ?1, phase = CASE WHEN t.n = 0 THEN ?3 ELSE ?4 "
				    "END, current = CASE WHEN t.n = 0 THEN ?1 ELSE current END, mark_after = 0, cursor = 0, "
				    "last_old = (SELECT COALESCE(MAX(id), 0) FROM issues), total = t.n, done = 0, stale = 0, "
				    "kept = 0, merged = 0, split = 0, started = ?2 FROM (SELECT COUNT(*) AS n FROM traces "
				    "WHERE analysis < ?1) AS t WHERE id = 1", "reprocess_begin") != 0)
			return -1;
		sqlite3_bind_int(st, 1, version);
		sqlite3_bind_int64(st, 2, now);
		sqlite3_bind_int(st, 3, SRV_REPROCESS_NONE);
		sqlite3_bind_int(st, 4, SRV_REPROCESS_ANALYSING);
		if (sq_step_done(s, st, "reprocess_begin") != 0 || load(s, &r) != 0)
			return -1;
	}
	status_of(&r, out);
	return 0;
}

int sq_reprocess_status(struct srv_store *base, struct srv_reprocessing *out)
{
	struct row r;

	if (load((struct sqlite_store *)base, &r) != 0)
		return -1;
	status_of(&r, out);
	return 0;
}

/* ANALYSING: the messages of the next limit traces queued again (those done; the others are queued already, or
 * wait for something else: they keep their trace as it is); once all were, whether any is still to be analysed. */
static int step_analysing(struct sqlite_store *s, struct row *r, int limit, int64_t *out_queued, bool *out_more)
{
	sqlite3_stmt *st;
	int64_t last = 0, waiting = 0;
	int rc;

	if (r->mark_after >= 0) {
		if (sq_prepare(s, &st, "SELECT COALESCE(MAX(id), 0) FROM (SELECT id FROM traces WHERE id > ? ORDER BY id "
				    "LIMIT ?)", "reprocess_batch") != 0)
			return -1;
		sqlite3_bind_int64(st, 1, r->mark_after);
		sqlite3_bind_int(st, 2, limit);
		if (sq_step_row(s, st, &last, "reprocess_batch") < 0)
			return -1;
		*out_more = true;
		if (last == 0) {
			r->mark_after = -1;
			return 0;
		}
		if (sq_prepare(s, &st, "UPDATE messages SET state = ?4 WHERE state = ?5 AND dropped IS NULL AND id IN "
				    "(SELECT message_id FROM traces WHERE id > ?1 AND id <= ?2 AND analysis < ?3)",
			    "reprocess_queue") != 0)
			return -1;
		sqlite3_bind_int64(st, 1, r->mark_after);
		sqlite3_bind_int64(st, 2, last);
		sqlite3_bind_int(st, 3, r->target);
		sqlite3_bind_int(st, 4, SRV_MSG_REPROCESS);
		sqlite3_bind_int(st, 5, SRV_MSG_DONE);
		if (sq_step_done(s, st, "reprocess_queue") != 0)
			return -1;
		*out_queued = sqlite3_changes(s->db);
		r->mark_after = last;
		return 0;
	}
	if (sq_prepare(s, &st, "SELECT EXISTS (SELECT 1 FROM traces t JOIN messages m ON m.id = t.message_id WHERE "
			    "t.analysis < ?1 AND m.state IN (?2, ?3, ?4))", "reprocess_waiting") != 0)
		return -1;
	sqlite3_bind_int(st, 1, r->target);
	sqlite3_bind_int(st, 2, SRV_MSG_QUEUED);
	sqlite3_bind_int(st, 3, SRV_MSG_PROCESSING);
	sqlite3_bind_int(st, 4, SRV_MSG_REPROCESS);
	if (sq_step_row(s, st, &waiting, "reprocess_waiting") < 0)
		return -1;
	if (waiting)
		return 0; /* the workers are at it: a later step looks again */
	if (sq_prepare(s, &st, "SELECT COUNT(*) FROM traces WHERE analysis < ?", "reprocess_stale") != 0)
		return -1;
	sqlite3_bind_int(st, 1, r->target);
	if ((rc = sq_step_row(s, st, &r->stale, "reprocess_stale")) != 0)
		return rc < 0 ? -1 : srv_store_fail(&s->base, "reprocess_stale: no row");
	r->phase = SRV_REPROCESS_HEIRS;
	r->cursor = 0;
	*out_more = true;
	return 0;
}

/* HEIRS, SPLITS: the next limit old issues (not merged) carried over, by id; after the last, the next phase. */
static int step_issues(struct sqlite_store *s, struct row *r, int limit, bool *out_more)
{
	int64_t *ids = srv_calloc((size_t)limit, sizeof(*ids)), into;
	sqlite3_stmt *st;
	int n = 0, rc;

	if (sq_prepare(s, &st, "SELECT id FROM issues WHERE id > ? AND id <= ? AND merged_into IS NULL ORDER BY id LIMIT ?",
		    "reprocess_issues") != 0) {
		free(ids);
		return -1;
	}
	sqlite3_bind_int64(st, 1, r->cursor);
	sqlite3_bind_int64(st, 2, r->last_old);
	sqlite3_bind_int(st, 3, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < limit)
		ids[n++] = sqlite3_column_int64(st, 0);
	sq_release(s, st);
	rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : srv_store_fail(&s->base, "reprocess_issues: %s",
									sqlite3_errmsg(s->db));
	/* an issue merged into a later one meanwhile (by an earlier in this step) is skipped: it has no traces */
	for (int i = 0; i < n && rc == 0; i++)
		rc = r->phase == SRV_REPROCESS_HEIRS ? carry_heir(s, ids[i], r->target, &into) :
						       carry_splits(s, ids[i], r->target);
	if (rc == 0 && n > 0)
		r->cursor = ids[n - 1];
	if (rc == 0 && n == 0) {
		r->cursor = 0;
		if (r->phase == SRV_REPROCESS_HEIRS) {
			r->phase = SRV_REPROCESS_SPLITS;
		} else {
			r->phase = SRV_REPROCESS_NONE;
			r->current = r->target;
		}
	}
	*out_more = r->phase != SRV_REPROCESS_NONE;
	free(ids);
	return rc;
}

int sq_reprocess_step(struct srv_store *base, int limit, struct srv_reprocessing *out, bool *out_more)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	int64_t queued = 0;
	struct row r;
	int rc = 0;

	*out_more = false;
	if (load(s, &r) != 0)
		return -1;
	if (r.phase == SRV_REPROCESS_ANALYSING)
		rc = step_analysing(s, &r, limit, &queued, out_more);
	else if (r.phase == SRV_REPROCESS_HEIRS || r.phase == SRV_REPROCESS_SPLITS)
		rc = step_issues(s, &r, limit, out_more);
	if (rc != 0 || save(s, &r) != 0 || load(s, &r) != 0)
		return -1;
	status_of(&r, out);
	out->queued = queued;
	return 0;
}
