/* SPDX-License-Identifier: Apache-2.0 */
/* Little-endian integers in byte buffers, fixed-width and LEB128: every multi-byte field the SDK puts in storage
 * or on the wire (docs/FORMAT.md §1), written and read byte by byte, never through a cast, so alignment and the
 * CPU's byte order do not matter. */
#ifndef FL_LE_PRIVATE_H
#define FL_LE_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

/* The n-byte (1..4) little-endian integer at p. Inline and spelled out byte by byte: with a constant n the
 * compiler reads it with one load where the CPU allows unaligned loads (ARMv7-M), and no call is made. */
static inline uint32_t fl_le_get(const uint8_t *p, size_t n)
{
	uint32_t v = p[0];

	if (n >= 2)
		v |= (uint32_t)p[1] << 8;
	if (n >= 3)
		v |= (uint32_t)p[2] << 16;
	if (n >= 4)
		v |= (uint32_t)p[3] << 24;
	return v;
}

/* Write the low n bytes (1..sizeof(uintptr_t)) of v at p, least significant first. */
void fl_le_put(uint8_t *p, uintptr_t v, size_t n);

/* Write v at p as unsigned LEB128 (docs/FORMAT.md §1: 7 bits a byte, least significant first, minimal), at most 5
 * bytes. Returns the number of bytes written. */
size_t fl_uleb128_put(uint8_t *p, uint32_t v);

#endif
