/* SPDX-License-Identifier: Apache-2.0 */
/* Serial framing: base64 chunk lines with a CRC-32, and the device's serial announcement before a message. */
#include <string.h>

#include "crc32_private.h"
#include "faultline/chunk.h"
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

/* The port's serial and its length (0: none). */
static size_t port_serial(const char **out)
{
	struct fl_device_info info;

	fl_port_device_info(&info);
	*out = info.serial;
	return info.serial != NULL ? strlen(info.serial) : 0;
}

/* "#FL:S:<serial>\n" and a NUL into out, which has room: 6 + len + 2 bytes. Returns the length without the NUL. */
static size_t put_announce(char *out, const char *serial, size_t len)
{
	memcpy(out, "#FL:S:", 6);
	memcpy(out + 6, serial, len);
	out[6 + len] = '\n';
	out[7 + len] = '\0';
	return 7 + len;
}

size_t fl_serial_announce_line(char *out, size_t cap)
{
	const char *serial;
	size_t len = port_serial(&serial);

	if (len == 0 || cap < 6 + len + 2)
		return 0;
	return put_announce(out, serial, len);
}

size_t fl_serial_chunk_lines(char *out, size_t cap, const void *chunk, size_t len)
{
	const char *serial = NULL;
	size_t n = 0, serial_len = fl_chunk_is_first(chunk, len) ? port_serial(&serial) : 0, line;

	if (serial_len > 0) {
		if (cap < 6 + serial_len + 1 + FL_SERIAL_LINE_SIZE(len))
			return 0;
		n = put_announce(out, serial, serial_len);
	}
	line = fl_serial_chunk_line(out + n, cap - n, chunk, len);
	return line == 0 ? 0 : n + line;
}
