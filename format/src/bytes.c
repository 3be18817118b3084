/* SPDX-License-Identifier: Apache-2.0 */
/* Bytes as hex. */
#include "ff/bytes.h"

void ff_hex(char *out, size_t cap, const uint8_t *bytes, size_t len)
{
	static const char k_digits[] = "0123456789abcdef";
	size_t i;

	if (cap == 0)
		return;
	for (i = 0; i < len && 2 * i + 2 < cap; i++) {
		out[2 * i] = k_digits[bytes[i] >> 4];
		out[2 * i + 1] = k_digits[bytes[i] & 15];
	}
	out[2 * i] = '\0';
}
