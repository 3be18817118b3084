/* SPDX-License-Identifier: Apache-2.0 */
/* server/src/keys.c on a real SQLite store: credentials made once and shown once, each role's own accepted and the
 * other's refused, rotation that ends the old ones, and a rotation that fails half way keeping both old ones. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "keys.h"
#include "server_fixture.h"

struct fixture {
	struct srv_test_store t; /* first: srv_test_teardown frees the fixture */
	char project[128], admin[128]; /* as printed */
};

/* Run make (ensure or rotate) and read the two credentials it printed. */
static int shown(struct fixture *f, int (*make)(struct srv_store *, FILE *))
{
	char *text = NULL, *p;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int rc = make(f->t.s, out);

	fclose(out);
	if ((p = strstr(text, "X-Faultline-Key): ")) != NULL)
		sscanf(p + strlen("X-Faultline-Key): "), "%127s", f->project);
	if ((p = strstr(text, "Authorization: Bearer):  ")) != NULL)
		sscanf(p + strlen("Authorization: Bearer):  "), "%127s", f->admin);
	free(text);
	return rc;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	srv_test_store_open(&f->t, "keys");
	*state = f;
	return 0;
}

static void made_once_and_each_role_its_own(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(shown(f, srv_keys_ensure), 1);
	assert_int_equal(strncmp(f->project, "flp_", 4), 0);
	assert_int_equal(strncmp(f->admin, "fla_", 4), 0);
	assert_true(srv_keys_check(f->t.s, SRV_ROLE_DEVICE, f->project));
	assert_true(srv_keys_check(f->t.s, SRV_ROLE_ADMIN, f->admin));
	assert_false(srv_keys_check(f->t.s, SRV_ROLE_ADMIN, f->project));
	assert_false(srv_keys_check(f->t.s, SRV_ROLE_DEVICE, f->admin));
	assert_false(srv_keys_check(f->t.s, SRV_ROLE_ADMIN, "fla_wrong"));
	assert_false(srv_keys_check(f->t.s, SRV_ROLE_ADMIN, ""));
	assert_false(srv_keys_check(f->t.s, SRV_ROLE_ADMIN, NULL));
	assert_int_equal(shown(f, srv_keys_ensure), 0); /* they exist: nothing new is made or shown */
}

static void rotation_ends_the_old_ones(void **state)
{
	struct fixture *f = *state;
	char old_project[128], old_admin[128];

	assert_int_equal(shown(f, srv_keys_ensure), 1);
	memcpy(old_project, f->project, sizeof(old_project));
	memcpy(old_admin, f->admin, sizeof(old_admin));
	assert_int_equal(shown(f, srv_keys_rotate), 0);
	assert_string_not_equal(f->project, old_project);
	assert_false(srv_keys_check(f->t.s, SRV_ROLE_DEVICE, old_project));
	assert_false(srv_keys_check(f->t.s, SRV_ROLE_ADMIN, old_admin));
	assert_true(srv_keys_check(f->t.s, SRV_ROLE_DEVICE, f->project));
	assert_true(srv_keys_check(f->t.s, SRV_ROLE_ADMIN, f->admin));
}

/* The store's meta_set, failing for the admin token's key: a rotation that dies between its two writes. */
static int (*s_real_meta_set)(struct srv_store *, const char *, const char *);

static int meta_set_failing_admin(struct srv_store *s, const char *key, const char *value)
{
	if (strcmp(key, "admin_token_sha256") == 0)
		return srv_store_fail(s, "injected failure");
	return s_real_meta_set(s, key, value);
}

static void failed_rotation_keeps_both(void **state)
{
	struct fixture *f = *state;
	const struct srv_store_ops *real = f->t.s->ops;
	struct srv_store_ops failing = *real;
	char project[128], admin[128], hash[128], hash_after[128];

	assert_int_equal(shown(f, srv_keys_ensure), 1);
	memcpy(project, f->project, sizeof(project));
	memcpy(admin, f->admin, sizeof(admin));
	assert_int_equal(real->meta_get(f->t.s, "project_key_sha256", hash, sizeof(hash)), 0);
	s_real_meta_set = real->meta_set;
	failing.meta_set = meta_set_failing_admin;
	f->t.s->ops = &failing;
	assert_int_equal(shown(f, srv_keys_rotate), -1);
	f->t.s->ops = real;
	/* the project key was not changed alone: in the database (read directly, not through the keys' cache) */
	assert_int_equal(real->meta_get(f->t.s, "project_key_sha256", hash_after, sizeof(hash_after)), 0);
	assert_string_equal(hash_after, hash);
	assert_true(srv_keys_check(f->t.s, SRV_ROLE_DEVICE, project));
	assert_true(srv_keys_check(f->t.s, SRV_ROLE_ADMIN, admin));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(made_once_and_each_role_its_own, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(rotation_ends_the_old_ones, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(failed_rotation_keeps_both, setup, srv_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
