/* SPDX-License-Identifier: Apache-2.0 */
/* Unsigned LEB128 decoding for the chunk and record headers. */
#include "leb128.h"

size_t ff_leb128_read(uint32_t *out, const uint8_t *buf, size_t avail, unsigned max_bytes)
{
	uint32_t value = 0;

	for (size_t i = 0; i < avail && i < max_bytes; i++) {
		value |= (uint32_t)(buf[i] & 0x7fu) << (7u * i);
		if ((buf[i] & 0x80u) == 0) {
			if (i > 0 && buf[i] == 0)
				return 0; /* a redundant zero group: not minimal */
			*out = value;
			return i + 1;
		}
	}
	return 0;
}
