/* SPDX-License-Identifier: Apache-2.0 */
/* serial2batch LOG: the chunks of a device's serial log (FORMAT.md §6) as one batch (§5) on stdout — what a
 * gateway reading the device's console would POST. Test helper. */
#include <stdio.h>
#include <stdlib.h>

#include "ff/chunk.h"
#include "ff/serial.h"

static void put(void *ctx, const struct ff_serial_event *ev)
{
	uint8_t rec[FF_RECORD_SIZE(FF_SERIAL_CHUNK_MAX)];

	(void)ctx;
	if (ev->kind == FF_SERIAL_EV_CHUNK)
		fwrite(rec, 1, ff_batch_put(rec, sizeof(rec), ev->chunk, ev->chunk_len), stdout);
}

int main(int argc, char **argv)
{
	static struct ff_serial_reader reader;
	char buf[4096];
	size_t n;
	FILE *f = argc == 2 ? fopen(argv[1], "r") : NULL;

	if (f == NULL) {
		fprintf(stderr, "usage: serial2batch LOG (a readable file)\n");
		return 2;
	}
	ff_serial_reader_init(&reader, NULL);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		ff_serial_reader_feed(&reader, buf, n, put, NULL);
	ff_serial_reader_finish(&reader, put, NULL);
	fclose(f);
	return 0;
}
