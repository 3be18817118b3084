/* SPDX-License-Identifier: Apache-2.0 */
/* The server tests' fixture (server_fixture.h). */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "api.h"
#include "server_fixture.h"

void srv_test_dir(char *dir, size_t cap, const char *name)
{
	snprintf(dir, cap, "/tmp/fl-%s-XXXXXX", name);
	assert_non_null(mkdtemp(dir));
}

void srv_test_open(struct srv_store **out, const char *dir)
{
	char err[256];

	if (srv_store_open_sqlite(out, dir, err, sizeof(err)) != 0)
		fail_msg("opening the store in %s: %s", dir, err);
}

void srv_test_analysis(struct srv_analyst_config *out, const char *dir)
{
	*out = (struct srv_analyst_config){.program = FL_SERVER_PROGRAM, .data_dir = dir,
					   .memory_max = (uint64_t)SRV_ANALYST_MEMORY_MB << 20,
					   .seconds = SRV_ANALYST_SECONDS, .failures_max = SRV_ANALYST_FAILURES};
}

void srv_test_remove(struct srv_store *s, const char *dir)
{
	char cmd[128];

	if (s != NULL)
		s->ops->close(s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

void srv_test_store_open(struct srv_test_store *t, const char *name)
{
	srv_test_dir(t->dir, sizeof(t->dir), name);
	srv_test_open(&t->s, t->dir);
}

int srv_test_teardown(void **state)
{
	struct srv_test_store *t = *state; /* the fixture's first member, at its address */

	srv_test_remove(t->s, t->dir);
	free(t);
	return 0;
}

int64_t srv_test_sql(const char *dir, const char *query, char *out, size_t cap)
{
	char path[128];
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = -1;

	snprintf(path, sizeof(path), "%s/faultline.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_prepare_v2(db, query, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", query, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW) {
		v = sqlite3_column_int64(st, 0);
		if (out != NULL)
			snprintf(out, cap, "%s", sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "");
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* A query argument of "path?a=1&b=2" (ctx), as the HTTP layer would give it; NULL when absent. Like the HTTP
 * layer's, several stay valid at once (each in a place of its own, for the request). */
static const char *query_arg(void *ctx, const char *name)
{
	static char value[8][128];
	static unsigned next;
	const char *q = strchr(ctx, '?');
	size_t n = strlen(name);

	for (; q != NULL; q = strchr(q + 1, '&'))
		if (strncmp(q + 1, name, n) == 0 && q[1 + n] == '=') {
			char *v = value[next++ % 8];

			snprintf(v, sizeof(value[0]), "%.*s", (int)strcspn(q + 2 + n, "&"), q + 2 + n);
			return v;
		}
	return NULL;
}

void srv_test_version_devices_agree(const char *dir)
{
	assert_int_equal(srv_test_sql(dir, "SELECT COUNT(*) FROM issue_versions v WHERE devices <> (SELECT COUNT(DISTINCT "
					   "device_id) FROM traces t WHERE t.issue_id = v.issue_id AND t.sw_version = "
					   "v.sw_version) OR messages <= 0", NULL, 0), 0);
	assert_int_equal(srv_test_sql(dir, "SELECT COUNT(*) FROM (SELECT DISTINCT issue_id, sw_version FROM traces) t WHERE "
					   "NOT EXISTS (SELECT 1 FROM issue_versions v WHERE v.issue_id = t.issue_id AND "
					   "v.sw_version = t.sw_version)", NULL, 0), 0);
}

char *srv_test_get_text(struct srv_store *s, const char *path, unsigned want_status)
{
	struct srv_answer a;
	char route[256];

	snprintf(route, sizeof(route), "%.*s", (int)strcspn(path, "?"), path);
	srv_api_get(&a, s, route, query_arg, (void *)path);
	if (a.status != want_status)
		fail_msg("GET %s: %u, not %u: %.*s", path, a.status, want_status, (int)a.len, a.body);
	a.body = realloc(a.body, a.len + 1);
	a.body[a.len] = '\0';
	return a.body;
}

json_t *srv_test_get(struct srv_store *s, const char *path, unsigned want_status)
{
	char *text = srv_test_get_text(s, path, want_status);
	json_t *j = json_loads(text, 0, NULL);

	if (j == NULL)
		fail_msg("GET %s: not JSON: %s", path, text);
	free(text);
	return j;
}
