/* SPDX-License-Identifier: Apache-2.0 */
/* Bytes as hex, and UTF-8 checked. */
#include <stdbool.h>
#include <string.h>

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

int ff_utf8_valid(const uint8_t *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		uint8_t c = s[i];
		size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4
														       : 0;

		if (n == 0 || n > len - i)
			return 0;
		for (size_t k = 1; k < n; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
		if ((n == 3 && ((c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] >= 0xa0))) ||
		    (n == 4 && ((c == 0xf0 && s[i + 1] < 0x90) || (c == 0xf4 && s[i + 1] >= 0x90))))
			return 0;
		i += n;
	}
	return 1;
}

void ff_text_printable(char *s)
{
	unsigned char *p = (unsigned char *)s;
	bool utf8 = ff_utf8_valid(p, strlen(s));

	for (; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f || (!utf8 && *p >= 0x80))
			*p = '?';
}
