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
