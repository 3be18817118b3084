/* SPDX-License-Identifier: Apache-2.0 */
/* format/src/version.c: semantic versioning's own precedence example, the forms firmware uses (a leading v, two or
 * four parts, long numbers), builds of equal precedence, strings that are not versions, and a total order for
 * sorting that agrees with precedence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ff/version.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Each list is in strictly increasing precedence: every pair compares as its positions do. */
static void ascending(const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			int rc = ff_version_compare(v[i], v[j]), want = i < j ? -1 : i > j;

			if (rc != want)
				fail_msg("compare(\"%s\", \"%s\") = %d, expected %d", v[i], v[j], rc, want);
		}
}

static void semver_example(void **state)
{
	/* the ordering semver.org gives as its example of pre-release precedence */
	static const char *const v[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
					"1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0",
					"2.1.1"};

	(void)state;
	ascending(v, N(v));
}

static void firmware_forms(void **state)
{
	static const char *const v[] = {"", "dev", "nightly-7", "nightly-10", "0.0.0-test", "0.9", "v1.4.2",
					"1.4.3-rc1", "1.4.3", "1.4.3.1", "1.10", "2024.05.1", "99999999999999999999.1",
					"100000000000000000000"};

	(void)state;
	ascending(v, N(v));
	assert_int_equal(ff_version_compare("1.4", "1.4.0"), 0);
	assert_int_equal(ff_version_compare("v1.4.3", "1.4.3"), 0);
	assert_int_equal(ff_version_compare("1.4.3+a", "1.4.3+b"), 0); /* build metadata: neither is later */
	assert_int_equal(ff_version_compare("01.4", "1.4"), 0);
	assert_int_equal(ff_version_compare("1.4.3-rc.01", "1.4.3-rc.1"), 0);
}

static void what_is_a_version(void **state)
{
	static const char *const yes[] = {"1", "v1.2", "V1.2.3", "1.2.3-rc.1", "1.2.3+b.5", "1.2.3-x-y.2+sha.9f"};
	static const char *const no[] = {"", "v", "1.", ".1", "1..2", "1.2-", "1.2-a..b", "1.2+", "1.2 ", "1.2.x",
					 "version 1", "1.2-\xc3\xa9"};

	(void)state;
	for (size_t i = 0; i < N(yes); i++)
		if (!ff_version_valid(yes[i]))
			fail_msg("\"%s\" is a version", yes[i]);
	for (size_t i = 0; i < N(no); i++)
		if (ff_version_valid(no[i]))
			fail_msg("\"%s\" is not a version", no[i]);
	/* not a version: before every version */
	assert_true(ff_version_compare("1.2.x", "0.0.1") < 0);
	assert_true(ff_version_compare("0.0.1", "1.2 ") > 0);
}

static int by_sort(const void *a, const void *b)
{
	return ff_version_sort(*(const char *const *)a, *(const char *const *)b);
}

static void sort_is_total(void **state)
{
	const char *v[] = {"1.4.3+b", "v1.4.3", "1.4.3", "1.4.3+a", "dev", "1.4", "1.4.0", "beta"};
	static const char *const want[] = {"beta", "dev", "1.4", "1.4.0", "1.4.3", "1.4.3+a", "1.4.3+b", "v1.4.3"};

	(void)state;
	qsort(v, N(v), sizeof(v[0]), by_sort);
	for (size_t i = 0; i < N(v); i++)
		assert_string_equal(v[i], want[i]);
	assert_int_equal(ff_version_sort("1.4.3", "1.4.3"), 0);
	assert_true(ff_version_sort("1.4.3+a", "1.4.3+b") < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(semver_example),
		cmocka_unit_test(firmware_forms),
		cmocka_unit_test(what_is_a_version),
		cmocka_unit_test(sort_is_total),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
