/* SPDX-License-Identifier: Apache-2.0 */
/* server/src/store_sqlite_ota.c: signing keys added once, removed and back; a release added once per image, staying
 * when its key is removed. (tests/e2e/server-releases.sh takes uploads through a real server.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "server_fixture.h"

static int setup(void **state)
{
	struct srv_test_store *t = calloc(1, sizeof(*t));

	srv_test_store_open(t, "releases");
	*state = t;
	return 0;
}

static void count_key(const struct srv_signing_key *k, void *ctx)
{
	(void)k;
	++*(int *)ctx;
}

static void count_release(const struct srv_release *r, void *ctx)
{
	assert_string_equal(r->sw_version, "1.4.3");
	assert_int_equal(r->revision, 3);
	assert_false(r->has_security_counter);
	++*(int *)ctx;
}

static void keys_and_releases(void **state)
{
	struct srv_test_store *t = *state;
	struct srv_store *s = t->s;
	uint8_t pk[32] = {1, 2, 3}, sha[32] = {9};
	struct srv_release r = {.key_id = 1, .img_size = 1000, .size = 1656, .sw_version = "1.4.3", .major = 1,
				.minor = 4, .revision = 3, .sha256 = sha, .build_id = "aabb"};
	int64_t id = 0, rid = 0;
	bool fresh = false;
	int n = 0;

	assert_int_equal(s->ops->signing_key_add(s, pk, "a", 100, &id, &fresh), 0);
	assert_int_equal(id, 1);
	assert_true(fresh);
	assert_int_equal(s->ops->signing_key_add(s, pk, "b", 200, &id, &fresh), 0);
	assert_int_equal(id, 1);
	assert_false(fresh);
	assert_int_equal(s->ops->release_add(s, &r, 300, &rid, &fresh), 0);
	assert_true(fresh);
	assert_int_equal(s->ops->release_add(s, &r, 400, &rid, &fresh), 0);
	assert_false(fresh);
	assert_int_equal(rid, 1);
	assert_int_equal(s->ops->signing_key_remove(s, 1, 500), 0);
	assert_int_equal(s->ops->signing_key_remove(s, 1, 500), SRV_NONE);
	assert_int_equal(s->ops->signing_keys(s, count_key, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(s->ops->releases(s, 1, count_release, &n), 0);
	assert_int_equal(n, 1); /* the release stays */
	assert_int_equal(s->ops->signing_key_add(s, pk, "back", 600, &id, &fresh), 0);
	assert_int_equal(id, 1);
	assert_true(fresh);
	n = 0;
	assert_int_equal(s->ops->signing_keys(s, count_key, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(s->ops->releases(s, 2, count_release, &n), SRV_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(keys_and_releases, setup, srv_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
