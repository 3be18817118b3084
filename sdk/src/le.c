/* SPDX-License-Identifier: Apache-2.0 */
/* Little-endian integers in byte buffers (le_private.h). */
#include "le_private.h"

uintptr_t fl_le_get(const uint8_t *p, size_t n)
{
	uintptr_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

void fl_le_put(uint8_t *p, uintptr_t v, size_t n)
{
	for (size_t i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}
