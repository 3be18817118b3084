/* SPDX-License-Identifier: Apache-2.0 */
/* server/src/releases.c and store_sqlite_ota.c: the build-id note found in an image's bytes (aligned, whole, of the
 * GNU name and type) and nowhere else; signing keys added once, removed and back; a release added once per image.
 * (tests/e2e/server-releases.sh takes uploads through a real server.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "releases.h"
#include "server_fixture.h"

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A GNU build-id note of n bytes (0x11, 0x12, ...) at b + at. */
static void note(uint8_t *b, size_t at, uint32_t n)
{
	put32(b + at, 4);
	put32(b + at + 4, n);
	put32(b + at + 8, 3);
	memcpy(b + at + 12, "GNU", 4);
	for (uint32_t i = 0; i < n; i++)
		b[at + 16 + i] = (uint8_t)(0x11 + i);
}

static void build_id_notes(void **state)
{
	uint8_t b[256], out[64];

	(void)state;
	memset(b, 0xff, sizeof(b));
	assert_int_equal(srv_release_build_id(out, b, sizeof(b)), 0);
	note(b, 40, 20);
	assert_int_equal(srv_release_build_id(out, b, sizeof(b)), 20);
	assert_int_equal(out[0], 0x11);
	assert_int_equal(out[19], 0x11 + 19);
	assert_int_equal(srv_release_build_id(out, b, 40 + 16 + 19), 0); /* cut short */
	memset(b, 0xff, sizeof(b));
	note(b, 42, 20); /* not 4-byte aligned: not a note */
	assert_int_equal(srv_release_build_id(out, b, sizeof(b)), 0);
	memset(b, 0xff, sizeof(b));
	note(b, 0, 65); /* longer than any build-id */
	assert_int_equal(srv_release_build_id(out, b, sizeof(b)), 0);
	note(b, 0, 20);
	b[8] = 1; /* another note type */
	assert_int_equal(srv_release_build_id(out, b, sizeof(b)), 0);
	assert_int_equal(srv_release_build_id(out, b, 3), 0);
}

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
		cmocka_unit_test(build_id_notes),
		cmocka_unit_test_setup_teardown(keys_and_releases, setup, srv_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
