/* SPDX-License-Identifier: Apache-2.0 */
/* Unsigned LEB128 decoding for the chunk and record headers and the heartbeat's values. */
#include <assert.h>

#include "leb128.h"

#define LEB128_BYTES_MAX 10u /* 64 bits in 7-bit groups */

size_t ff_leb128_read64(uint64_t *out, const uint8_t *buf, size_t avail, unsigned max_bytes, const char **out_why)
{
	uint64_t value = 0;
	const char *why = "longer than its field allows";

	assert(max_bytes >= 1 && max_bytes <= LEB128_BYTES_MAX);
	for (size_t i = 0; i < max_bytes; i++) {
		if (i == avail) {
			why = "cut short";
			break;
		}
		/* the tenth group has room for bit 63 only */
		if (i == LEB128_BYTES_MAX - 1 && (buf[i] & 0x7fu) > 1) {
			why = "above 2^64-1";
			break;
		}
		value |= (uint64_t)(buf[i] & 0x7fu) << (7u * i);
		if ((buf[i] & 0x80u) == 0) {
			if (i > 0 && buf[i] == 0) {
				why = "not minimal"; /* a redundant zero group */
				break;
			}
			*out = value;
			return i + 1;
		}
	}
	if (out_why != NULL)
		*out_why = why;
	return 0;
}

size_t ff_leb128_read(uint32_t *out, const uint8_t *buf, size_t avail, unsigned max_bytes)
{
	uint64_t value;
	size_t n;

	assert(max_bytes <= 4);
	n = ff_leb128_read64(&value, buf, avail, max_bytes, NULL);
	if (n > 0)
		*out = (uint32_t)value; /* at most 28 bits */
	return n;
}
