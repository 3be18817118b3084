/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: serial-log lines (analysis/src/serial.c). Input: a log; each line is parsed on its own.
 * Beyond "no crash": a chunk record always decodes to 1..FF_SERIAL_CHUNK_MAX bytes, an announcement to a serial
 * of allowed characters, and every other outcome yields no chunk bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ff/serial.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ff_serial_record rec;
	const char *p = (const char *)data, *end = p + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		switch (ff_serial_parse_line(&rec, p, len, NULL)) {
		case FF_SERIAL_CHUNK:
			if (rec.chunk_len == 0 || rec.chunk_len > FF_SERIAL_CHUNK_MAX)
				abort();
			break;
		case FF_SERIAL_ANNOUNCE:
			if (strlen(rec.serial) == 0 || strlen(rec.serial) > FF_SERIAL_SERIAL_MAX ||
			    strpbrk(rec.serial, " /\\\r\n") != NULL)
				abort();
			break;
		default:
			if (rec.chunk_len != 0)
				abort();
		}
		if (rec.log_len > len)
			abort();
		p += len + 1;
	}
	return 0;
}
