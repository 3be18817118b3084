/* SPDX-License-Identifier: Apache-2.0 */
/* analysis/src/keyed.c: sorted by key whatever bytes the keys differ in, equal keys kept in their order; the
 * search of the sorted array. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "ff/error.h"
#include "keyed.h" /* analysis/src: private to the library */

struct item {
	uint64_t key;
	unsigned order; /* its place before the sort */
	char pad[5];    /* an element size that is no power of two */
};

/* Sort n items with keys from key(i), and check the order: by key, then by order before. */
static void sort_and_check(size_t n, uint64_t (*key)(size_t i))
{
	struct item *v = calloc(n, sizeof(*v));

	assert_non_null(v);
	for (size_t i = 0; i < n; i++)
		v[i] = (struct item){key(i), (unsigned)i, {0}};
	assert_int_equal(fa_keyed_sort(v, n, sizeof(*v)), 0);
	for (size_t i = 1; i < n; i++) {
		assert_true(v[i - 1].key <= v[i].key);
		if (v[i - 1].key == v[i].key)
			assert_true(v[i - 1].order < v[i].order);
	}
	for (size_t i = 0; i < n; i++) /* nothing lost: each key is that of the item that had it */
		assert_int_equal(v[i].key, key(v[i].order));
	for (size_t i = 0; i < n; i++) { /* the search: past the last at or below a key, at each key and around it */
		size_t up = fa_keyed_upper(v, n, sizeof(*v), v[i].key);

		assert_true(up > i && v[up - 1].key == v[i].key && (up == n || v[up].key > v[i].key));
		if (v[i].key > 0 && (i == 0 || v[i - 1].key < v[i].key))
			assert_int_equal(fa_keyed_upper(v, n, sizeof(*v), v[i].key - 1), i);
	}
	assert_int_equal(fa_keyed_upper(v, n, sizeof(*v), UINT64_MAX), n);
	free(v);
}

static uint64_t scrambled(size_t i) { return (i * 2654435761u) % 1000; }                      /* many ties */
static uint64_t wide(size_t i) { return (uint64_t)(i % 7) << 56 | (uint64_t)(i * 40503u % 9973) << 8; }
static uint64_t descending(size_t i) { return 100000 - i; }
static uint64_t ascending(size_t i) { return i / 3; }
static uint64_t constant(size_t i) { return (void)i, 0x08000000u; }

static void sorts_stably_and_finds_by_key(void **state)
{
	(void)state;
	sort_and_check(5000, scrambled);
	sort_and_check(5000, wide); /* bytes 1, 2 and 7 differ */
	sort_and_check(5000, descending);
	sort_and_check(5000, ascending); /* already sorted: left as it is */
	sort_and_check(5000, constant);
	sort_and_check(1, scrambled);
	sort_and_check(0, scrambled);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sorts_stably_and_finds_by_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
