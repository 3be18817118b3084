/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: the version order (format/src/version.c) on arbitrary strings: the input is up to three strings split
 * at NUL bytes. Beyond "no crash": precedence and the sort order are orders (reflexive, antisymmetric, transitive),
 * every version comes after every string that is not one, and the sort order agrees with precedence. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ff/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sign(int v)
{
	return v < 0 ? -1 : v > 0;
}

/* The order's laws on a, b and c, for cmp (ff_version_compare or ff_version_sort). */
static void laws(int (*cmp)(const char *, const char *), const char *a, const char *b, const char *c)
{
	if (cmp(a, a) != 0 || sign(cmp(a, b)) != -sign(cmp(b, a)))
		abort();
	if (cmp(a, b) <= 0 && cmp(b, c) <= 0 && cmp(a, c) > 0)
		abort();
	if (cmp(a, b) < 0 && cmp(b, c) < 0 && cmp(a, c) >= 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 3), *s[3];
	size_t n = 0;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	memset(text + size, 0, 3);
	s[0] = text;
	for (size_t i = 0; i < size && n < 2; i++)
		if (text[i] == '\0')
			s[++n] = text + i + 1;
	for (n++; n < 3; n++)
		s[n] = text + size + n; /* the empty strings past the end */
	laws(ff_version_compare, s[0], s[1], s[2]);
	laws(ff_version_sort, s[0], s[1], s[2]);
	if (ff_version_valid(s[0]) && !ff_version_valid(s[1]) && ff_version_compare(s[0], s[1]) <= 0)
		abort();
	if (ff_version_compare(s[0], s[1]) != 0 &&
	    sign(ff_version_sort(s[0], s[1])) != sign(ff_version_compare(s[0], s[1])))
		abort();
	if (ff_version_sort(s[0], s[1]) == 0 && strcmp(s[0], s[1]) != 0)
		abort();
	free(text);
	return 0;
}
