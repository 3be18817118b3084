/* SPDX-License-Identifier: Apache-2.0 */
/* Little-endian integers in byte buffers, fixed-width and LEB128 (le_private.h). */
#include "le_private.h"

void fl_le_put(uint8_t *p, uintptr_t v, size_t n)
{
	for (size_t i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

size_t fl_uleb128_put(uint8_t *p, uint32_t v)
{
	size_t n = 0;

	do {
		p[n] = (uint8_t)(v & 0x7fu);
		v >>= 7;
		if (v != 0)
			p[n] |= 0x80u;
		n++;
	} while (v != 0);
	return n;
}
