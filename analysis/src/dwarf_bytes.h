/* SPDX-License-Identifier: Apache-2.0 */
/* The bounds-checked reader of DWARF's bytes that analysis/'s own parsers share (dwarf_scan.c, aranges.c): every
 * read checked against the end, numbers in the ELF's byte order. */
#ifndef FA_DWARF_BYTES_H
#define FA_DWARF_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes being parsed, every read checked against the end. */
struct rd {
	const uint8_t *p, *end;
	bool msb; /* multi-byte values are big-endian: DWARF has the ELF's byte order */
};

static inline bool rd_skip(struct rd *r, uint64_t n)
{
	if (n > (uint64_t)(r->end - r->p))
		return false;
	r->p += n;
	return true;
}

/* An unsigned value of n bytes, n <= 8. */
static inline bool rd_uint(struct rd *r, unsigned n, uint64_t *out)
{
	uint64_t v = 0;

	if (n > (size_t)(r->end - r->p))
		return false;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)r->p[r->msb ? n - 1 - i : i] << (8 * i);
	r->p += n;
	*out = v;
	return true;
}

/* A LEB128 (the value is a ULEB128's; a signed one is only skipped). libdw reads 10 bytes of one at most: past
 * that it would see the next field where this scan does not, so a longer one fails like one cut short. */
static inline bool rd_leb(struct rd *r, uint64_t *out)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 10 && r->p < r->end; i++) {
		uint8_t b = *r->p++;

		v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*out = v;
			return true;
		}
	}
	return false;
}

#endif
