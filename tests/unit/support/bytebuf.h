/* SPDX-License-Identifier: Apache-2.0 */
/* A growing byte buffer for tests that write file contents (ELF sections, DWARF, unwind tables) byte by byte. */
#ifndef FL_BYTEBUF_H
#define FL_BYTEBUF_H

#include <stddef.h>
#include <stdint.h>

/* Bytes p[0..n), room for cap. Zero-initialize it ({0}: empty, p NULL); free(p) when done. */
struct fl_buf {
	uint8_t *p;
	size_t n, cap;
};

/* Append n bytes of src (none when n is 0; src may then be NULL). Fails the running cmocka test out of memory. */
void fl_buf_put(struct fl_buf *b, const void *src, size_t n);

/* Append the low n bytes of v, little-endian. */
void fl_buf_le(struct fl_buf *b, uint64_t v, unsigned n);

/* Append v as an unsigned LEB128. */
void fl_buf_uleb(struct fl_buf *b, uint64_t v);

/* Append n copies of byte. */
void fl_buf_fill(struct fl_buf *b, uint8_t byte, size_t n);

#endif
