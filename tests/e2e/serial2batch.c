/* SPDX-License-Identifier: Apache-2.0 */
/* serial2batch LOG: the chunks of a device's serial log (FORMAT.md §6) as one batch (§5) on stdout — what a
 * gateway reading the device's console would POST. Test helper. */
#include <stdio.h>
#include <string.h>

#include "ff/serial.h"

int main(int argc, char **argv)
{
	static struct ff_serial_record rec;
	char line[FF_SERIAL_RECORD_MAX + 256];
	FILE *f = argc == 2 ? fopen(argv[1], "r") : NULL;

	if (f == NULL) {
		fprintf(stderr, "usage: serial2batch LOG (a readable file)\n");
		return 2;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t len = strcspn(line, "\n");

		if (ff_serial_parse_line(&rec, line, len, NULL) != FF_SERIAL_CHUNK)
			continue;
		if (rec.chunk_len >= 128) { /* LEB128, at most 2 bytes (chunks are at most 16383 bytes) */
			putchar((int)(0x80 | (rec.chunk_len & 0x7f)));
			putchar((int)(rec.chunk_len >> 7));
		} else {
			putchar((int)rec.chunk_len);
		}
		fwrite(rec.chunk, 1, rec.chunk_len, stdout);
	}
	fclose(f);
	return 0;
}
