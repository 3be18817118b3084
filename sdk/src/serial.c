/* SPDX-License-Identifier: Apache-2.0 */
/* Serial framing: base64 chunk lines with a CRC-32, and the device's serial announcement. */
#include <string.h>

#include "crc32_private.h"
#include "faultline/port.h"
#include "faultline/serial.h"

static const char k_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char k_hex[] = "0123456789abcdef";

size_t fl_serial_chunk_line(char *out, size_t cap, const void *chunk, size_t len)
{
	const uint8_t *p = chunk;
	uint32_t crc = fl_crc32_update(0, chunk, len);
	size_t n = 6;

	if (cap < FL_SERIAL_LINE_SIZE(len))
		return 0;
	memcpy(out, "#FL:C:", 6);
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

size_t fl_serial_announce_line(char *out, size_t cap)
{
	struct fl_device_info info;
	size_t len;

	fl_port_device_info(&info);
	len = info.serial != NULL ? strlen(info.serial) : 0;
	if (len == 0 || cap < 6 + len + 2)
		return 0;
	memcpy(out, "#FL:S:", 6);
	memcpy(out + 6, info.serial, len);
	out[6 + len] = '\n';
	out[7 + len] = '\0';
	return 7 + len;
}
