/* SPDX-License-Identifier: Apache-2.0 */
/* Arrays sorted by a 64-bit key (keyed.h): the keys sorted with their positions, then the elements moved once. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ff/error.h"
#include "keyed.h"

struct keyed {
	uint64_t key;
	size_t at; /* the element's position before the sort */
};

static uint64_t key_at(const void *base, size_t i, size_t size)
{
	uint64_t key;

	memcpy(&key, (const unsigned char *)base + i * size, sizeof(key));
	return key;
}

int fa_keyed_sort(void *base, size_t n, size_t size)
{
	struct keyed *keys = NULL, *tmp = NULL;
	uint64_t all_or = 0, all_and = ~(uint64_t)0;
	unsigned char *moved = NULL;
	size_t sorted = 1;
	int rc = 0;

	if (n < 2)
		return 0;
	while (sorted < n && key_at(base, sorted - 1, size) <= key_at(base, sorted, size))
		sorted++;
	if (sorted == n) /* already in order, as tables read from ELF sections often are */
		return 0;
	keys = malloc(n * sizeof(*keys));
	tmp = malloc(n * sizeof(*tmp));
	moved = n <= SIZE_MAX / size ? malloc(n * size) : NULL;
	if (keys == NULL || tmp == NULL || moved == NULL) {
		rc = FF_ERR_NOMEM;
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		keys[i].key = key_at(base, i, size);
		keys[i].at = i;
		all_or |= keys[i].key, all_and &= keys[i].key;
	}
	for (unsigned shift = 0; shift < 64; shift += 8) {
		size_t start[257] = {0};
		struct keyed *t;

		if ((((all_or ^ all_and) >> shift) & 0xff) == 0)
			continue; /* the same byte in every key */
		for (size_t i = 0; i < n; i++)
			start[((keys[i].key >> shift) & 0xff) + 1]++;
		for (unsigned d = 1; d < 257; d++)
			start[d] += start[d - 1];
		for (size_t i = 0; i < n; i++)
			tmp[start[(keys[i].key >> shift) & 0xff]++] = keys[i];
		t = keys, keys = tmp, tmp = t;
	}
	for (size_t i = 0; i < n; i++)
		memcpy(moved + i * size, (unsigned char *)base + keys[i].at * size, size);
	memcpy(base, moved, n * size);
done:
	free(keys);
	free(tmp);
	free(moved);
	return rc;
}

size_t fa_keyed_upper(const void *base, size_t n, size_t size, uint64_t key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (key_at(base, mid, size) <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
