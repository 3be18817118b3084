/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite backend's issue workflow (docs/API.md, Issue workflow): open, resolved in a version, muted; a resolved
 * issue reopens when a trace of a later version arrives. */
#include <stdio.h>

#include "ff/version.h"
#include "store_sqlite.h"

int sq_issue_state(struct srv_store *base, int64_t id, enum srv_issue_state state, const char *resolved_in,
		   int64_t now)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;

	if (sq_prepare(s, &st, "UPDATE issues SET state = ?, resolved_in = ?, state_why = NULL, state_at = ? WHERE id = "
			    "(SELECT COALESCE(merged_into, id) FROM issues WHERE id = ?) AND count > 0", "issue_state") != 0)
		return -1;
	sqlite3_bind_int(st, 1, (int)state);
	if (state == SRV_ISSUE_RESOLVED)
		sqlite3_bind_text(st, 2, resolved_in, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, id);
	if (sq_step_done(s, st, "issue_state") != 0)
		return -1;
	return sqlite3_changes(s->db) > 0 ? 0 : SRV_NONE;
}

int sq_issue_reopen(struct sqlite_store *s, int64_t issue, int64_t trace, const char *sw_version, int64_t at)
{
	sqlite3_stmt *st;
	char why[300];
	int rc, later = 0;

	if (sq_prepare(s, &st, "SELECT resolved_in FROM issues WHERE id = ? AND state = 1", "issue_resolved") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, issue);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL) {
		const char *fixed = (const char *)sqlite3_column_text(st, 0);

		later = ff_version_compare(sw_version, fixed) > 0;
		snprintf(why, sizeof(why), "trace %lld came from %s, later than %s, where it was resolved",
			 (long long)trace, sw_version, fixed);
	}
	sq_release(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return srv_store_fail(&s->base, "issue_resolved: %s", sqlite3_errmsg(s->db));
	if (!later)
		return 0;
	if (sq_prepare(s, &st, "UPDATE issues SET state = 0, resolved_in = NULL, state_why = ?, state_at = ? WHERE id = ?",
		       "issue_reopen") != 0)
		return -1;
	sqlite3_bind_text(st, 1, why, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, at);
	sqlite3_bind_int64(st, 3, issue);
	return sq_step_done(s, st, "issue_reopen");
}

/* The issues a filter selects: ?1 state (-1 any), ?2 software version, ?3 hardware version (NULL: any). */
#define ISSUE_FILTER                                                                                               \
	"count > 0 AND (?1 < 0 OR state = ?1) AND (?2 IS NULL OR id IN (SELECT issue_id FROM issue_versions WHERE "   \
	"sw_version = ?2)) AND (?3 IS NULL OR id IN (SELECT issue_id FROM issue_hardware WHERE hw_version = ?3)) "
/* A page of them in an order (?4 limit, ?5 offset), read whole. */
#define ISSUE_PAGE(order)                                                                                          \
	ISSUE_SELECT "AND i.id IN (SELECT id FROM issues WHERE " ISSUE_FILTER "ORDER BY " order " LIMIT ?4 OFFSET "    \
		     "?5) ORDER BY " order

static void bind_filter(sqlite3_stmt *st, const struct srv_issue_filter *f)
{
	sqlite3_bind_int(st, 1, f->state);
	if (f->sw_version != NULL)
		sqlite3_bind_text(st, 2, f->sw_version, -1, SQLITE_STATIC);
	if (f->hw_version != NULL)
		sqlite3_bind_text(st, 3, f->hw_version, -1, SQLITE_STATIC);
}

int sq_issue_list(struct srv_store *base, const struct srv_issue_filter *f,
		  void (*each)(const struct srv_issue *i, void *ctx), void *ctx, int64_t *out_total)
{
	static const char *const k_pages[] = {
		[SRV_SORT_ID] = ISSUE_PAGE("id"),
		[SRV_SORT_DEVICES] = ISSUE_PAGE("devices DESC, id DESC"),
		[SRV_SORT_COUNT] = ISSUE_PAGE("count DESC, id DESC"),
		[SRV_SORT_LAST_SEEN] = ISSUE_PAGE("last_seen DESC, id DESC"),
	};
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	*out_total = 0;
	if (sq_prepare(s, &st, "SELECT COUNT(*) FROM issues WHERE " ISSUE_FILTER, "issue_count") != 0)
		return -1;
	bind_filter(st, f);
	if (sq_step_row(s, st, out_total, "issue_count") < 0)
		return -1;
	if (sq_prepare(s, &st, k_pages[f->sort], "issue_list") != 0)
		return -1;
	bind_filter(st, f);
	sqlite3_bind_int(st, 4, f->limit);
	sqlite3_bind_int64(st, 5, f->offset);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sq_issue_row(s, st, each, ctx) != 0) {
			sq_release(s, st);
			return -1;
		}
	}
	sq_release(s, st);
	return rc == SQLITE_DONE ? 0 : srv_store_fail(base, "issue_list: %s", sqlite3_errmsg(s->db));
}

int sq_issue_days(struct srv_store *base, int64_t issue, int64_t from_day,
		  void (*each)(int64_t day, int64_t messages, void *ctx), void *ctx)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(s, &st, "SELECT day, messages FROM issue_days WHERE issue_id = ? AND day >= ? ORDER BY day",
		       "issue_days") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, issue);
	sqlite3_bind_int64(st, 2, from_day);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		each(sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), ctx);
	sq_release(s, st);
	return rc == SQLITE_DONE ? 0 : srv_store_fail(base, "issue_days: %s", sqlite3_errmsg(s->db));
}

/* The first column of a one-row count of issue's rows (sql binds ?1 the issue). */
static int count_of(struct sqlite_store *s, const char *sql, int64_t issue, int64_t *out)
{
	sqlite3_stmt *st;

	*out = 0;
	if (sq_prepare(s, &st, sql, "issue_count_of") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, issue);
	return sq_step_row(s, st, out, "issue_count_of") < 0 ? -1 : 0;
}

int sq_issue_traces(struct srv_store *base, int64_t issue, int64_t before, int64_t offset, int limit,
		    void (*each)(const struct srv_issue_trace *t, void *ctx), void *ctx, int64_t *out_total)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	if (count_of(s, "SELECT COUNT(*) FROM traces WHERE issue_id = ?1", issue, out_total) != 0 ||
	    sq_prepare(s, &st, "SELECT t.id, t.captured, d.serial, t.sw_version, t.hw_version FROM traces t JOIN devices d "
			   "ON d.id = t.device_id WHERE t.issue_id = ?1 AND (?4 = 0 OR t.id < ?4) ORDER BY t.id DESC LIMIT ?2 "
			   "OFFSET ?3", "issue_traces") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, issue);
	sqlite3_bind_int(st, 2, limit);
	sqlite3_bind_int64(st, 3, offset);
	sqlite3_bind_int64(st, 4, before);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct srv_issue_trace t = {.id = sqlite3_column_int64(st, 0), .received = sqlite3_column_int64(st, 1),
					    .device = (const char *)sqlite3_column_text(st, 2),
					    .sw_version = (const char *)sqlite3_column_text(st, 3),
					    .hw_version = (const char *)sqlite3_column_text(st, 4)};
		each(&t, ctx);
	}
	sq_release(s, st);
	return rc == SQLITE_DONE ? 0 : srv_store_fail(base, "issue_traces: %s", sqlite3_errmsg(s->db));
}

int sq_issue_devices(struct srv_store *base, int64_t issue, int64_t offset, int limit,
		     void (*each)(const struct srv_issue_device *d, void *ctx), void *ctx, int64_t *out_total)
{
	struct sqlite_store *s = (struct sqlite_store *)base;
	sqlite3_stmt *st;
	int rc;

	if (count_of(s, "SELECT COUNT(*) FROM issue_devices WHERE issue_id = ?1", issue, out_total) != 0 ||
	    sq_prepare(s, &st, "SELECT d.serial, i.messages FROM issue_devices i JOIN devices d ON d.id = i.device_id "
			   "WHERE i.issue_id = ? ORDER BY i.messages DESC, d.serial LIMIT ? OFFSET ?", "issue_devices") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, issue);
	sqlite3_bind_int(st, 2, limit);
	sqlite3_bind_int64(st, 3, offset);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct srv_issue_device d = {.serial = (const char *)sqlite3_column_text(st, 0),
					     .messages = sqlite3_column_int64(st, 1)};
		each(&d, ctx);
	}
	sq_release(s, st);
	return rc == SQLITE_DONE ? 0 : srv_store_fail(base, "issue_devices: %s", sqlite3_errmsg(s->db));
}
