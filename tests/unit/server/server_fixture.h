/* SPDX-License-Identifier: Apache-2.0 */
/* What the server's unit tests share: a data folder of their own, the real SQLite store in it, and reading its
 * file through a second connection (what is committed). Each helper fails the running cmocka test on error. */
#ifndef SRV_SERVER_FIXTURE_H
#define SRV_SERVER_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "analyst.h"
#include "store.h"

/* Make a new empty folder /tmp/fl-NAME-XXXXXX. dir, cap: (out) its path. */
void srv_test_dir(char *dir, size_t cap, const char *name);

/* Open (creating) the store in dir. out: (out) the store, for srv_test_remove(). */
void srv_test_open(struct srv_store **out, const char *dir);

/* How the tests' analysts run: the built faultline-server, symbol files in dir (kept by pointer), the server's
 * default limits. out: (out) filled. */
void srv_test_analysis(struct srv_analyst_config *out, const char *dir);

/* Close s (NULL: none was opened) and remove dir with everything in it. */
void srv_test_remove(struct srv_store *s, const char *dir);

/* A test's folder and its store (s NULL until opened): the first member of each test file's fixture. */
struct srv_test_store {
	char dir[64];
	struct srv_store *s;
};

/* srv_test_dir() named after name, then srv_test_open() in it. t: (out) both. */
void srv_test_store_open(struct srv_test_store *t, const char *name);

/* A cmocka teardown: *state is a calloc'd fixture whose first member is its struct srv_test_store; its store is
 * closed, its folder removed and the fixture freed. Returns 0. */
int srv_test_teardown(void **state);

/*
 * The first column of the first row of a query on dir's database, read through a connection of its own.
 * out, cap: (out, optional) the value as text.  Returns it as an integer; -1 when there is no row.
 */
int64_t srv_test_sql(const char *dir, const char *query, char *out, size_t cap);

/* Fail the test unless each issue's devices per version (issue_versions, kept by triggers) are those of its traces,
 * every version of its traces has its row, and no row counts no message. */
void srv_test_version_devices_agree(const char *dir);

/*
 * GET path ("versions?days=7") of the read API (api.c over s), failing the test unless it answers want_status.
 * Returns the body as text (free it), or parsed (json_decref it).
 */
char *srv_test_get_text(struct srv_store *s, const char *path, unsigned want_status);
json_t *srv_test_get(struct srv_store *s, const char *path, unsigned want_status);

#endif
