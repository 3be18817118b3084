/* SPDX-License-Identifier: Apache-2.0 */
/* The serial framing's record line (serial_private.h), apart from serial.c so that a firmware that writes update
 * requests (ota.c) and no chunk lines takes no more than this. */
#include <string.h>

#include "crc32_private.h"
#include "faultline/serial.h"
#include "serial_private.h"

static const char k_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char k_hex[] = "0123456789abcdef";

size_t fl_serial_record(char *out, size_t cap, char letter, const void *bytes, size_t len)
{
	const uint8_t *p = bytes;
	uint32_t crc = fl_crc32_update(0, bytes, len);
	size_t n = 6;

	if (cap < FL_SERIAL_LINE_SIZE(len))
		return 0;
	memcpy(out, "#FL:C:", 6);
	out[4] = letter;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0) |
			     (i + 2 < len ? p[i + 2] : 0);

		out[n++] = k_b64[v >> 18 & 63];
		out[n++] = k_b64[v >> 12 & 63];
		out[n++] = i + 1 < len ? k_b64[v >> 6 & 63] : '=';
		out[n++] = i + 2 < len ? k_b64[v & 63] : '=';
	}
	out[n++] = ':';
	for (int shift = 28; shift >= 0; shift -= 4)
		out[n++] = k_hex[crc >> shift & 15u];
	out[n++] = '\n';
	out[n] = '\0';
	return n;
}
