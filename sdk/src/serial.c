/* SPDX-License-Identifier: Apache-2.0 */
/* Serial framing: base64 record lines with a CRC-32 (chunks; update requests, ota.c), and the device's serial
 * announcement before a message. */
#include <string.h>

#include "serial_private.h"
#include "faultline/chunk.h"
#include "faultline/port.h"
#include "faultline/serial.h"

size_t fl_serial_chunk_line(char *out, size_t cap, const void *chunk, size_t len)
{
	return fl_serial_record(out, cap, 'C', chunk, len);
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
