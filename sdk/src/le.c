/* SPDX-License-Identifier: Apache-2.0 */
/* Little-endian integers in byte buffers (le_private.h). */
#include "le_private.h"

void fl_le_put(uint8_t *p, uintptr_t v, size_t n)
{
	for (size_t i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}
