/* SPDX-License-Identifier: Apache-2.0 */
/* The allocation wrapper (alloc.h). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

static void *check(void *p, size_t size)
{
	if (p == NULL && size > 0) {
		fprintf(stderr, "faultline-server: out of memory (%zu bytes)\n", size);
		abort();
	}
	return p;
}

void *srv_malloc(size_t size)
{
	return check(malloc(size), size);
}

void *srv_calloc(size_t n, size_t size)
{
	return check(calloc(n, size), n * size);
}

void *srv_realloc(void *p, size_t size)
{
	return check(realloc(p, size), size);
}

char *srv_strdup(const char *s)
{
	return check(strdup(s), strlen(s) + 1);
}
