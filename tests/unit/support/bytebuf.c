/* SPDX-License-Identifier: Apache-2.0 */
/* The tests' growing byte buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bytebuf.h"

void fl_buf_put(struct fl_buf *b, const void *src, size_t n)
{
	if (n == 0) /* an empty buffer's p is NULL, which memcpy() may not take */
		return;
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->n, src, n);
	b->n += n;
}

void fl_buf_le(struct fl_buf *b, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint8_t byte = (uint8_t)(v >> (8 * i));

		fl_buf_put(b, &byte, 1);
	}
}

void fl_buf_uleb(struct fl_buf *b, uint64_t v)
{
	do {
		uint8_t byte = (uint8_t)(v & 0x7f);

		v >>= 7;
		byte |= v != 0 ? 0x80 : 0;
		fl_buf_put(b, &byte, 1);
	} while (v != 0);
}

void fl_buf_fill(struct fl_buf *b, uint8_t byte, size_t n)
{
	while (n-- > 0)
		fl_buf_put(b, &byte, 1);
}
