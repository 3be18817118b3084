/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: serial logs (format/src/serial.c). Input: a log; each line is parsed on its own, and the whole log is
 * read by the stream reader in pieces whose sizes come from the input's first byte.
 * Beyond "no crash": a chunk or update record always decodes to 1..FF_SERIAL_CHUNK_MAX bytes, an announcement to
 * a serial of allowed characters, and every other outcome yields no record bytes; the reader says exactly the
 * records (chunks and update requests) and announcements that the lines hold, whatever the pieces, and gives every
 * record it forwards a valid serial. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ff/device.h"
#include "ff/serial.h"

struct tally {
	size_t chunks, announces, log_bytes; /* chunks: records with bytes, chunks and update requests */
};

static void count(void *ctx, const struct ff_serial_event *ev)
{
	struct tally *t = ctx;

	if (ev->kind == FF_SERIAL_EV_CHUNK || ev->kind == FF_SERIAL_EV_UPDATE || ev->kind == FF_SERIAL_EV_UNANNOUNCED) {
		if (ev->chunk_len == 0 || ev->chunk_len > FF_SERIAL_CHUNK_MAX)
			abort();
		if (ev->kind != FF_SERIAL_EV_UNANNOUNCED && !ff_device_serial_valid(ev->serial, strlen(ev->serial)))
			abort();
		t->chunks++;
	}
	if (ev->kind == FF_SERIAL_EV_ANNOUNCE)
		t->announces++;
	if (ev->kind == FF_SERIAL_EV_LOG)
		t->log_bytes += ev->text_len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ff_serial_record rec;
	static struct ff_serial_reader reader;
	const char *p = (const char *)data, *end = p + size;
	struct tally lines = {0}, stream = {0};
	size_t piece = size > 0 ? (size_t)data[0] % 17 + 1 : 1;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		if (len > FF_SERIAL_LINE_MAX) /* the reader cuts such lines: compare only logs of readable lines */
			return 0;
		switch (ff_serial_parse_line(&rec, p, len, NULL)) {
		case FF_SERIAL_CHUNK:
		case FF_SERIAL_UPDATE:
			lines.chunks++;
			if (rec.chunk_len == 0 || rec.chunk_len > FF_SERIAL_CHUNK_MAX)
				abort();
			break;
		case FF_SERIAL_ANNOUNCE:
			lines.announces++;
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
	ff_serial_reader_init(&reader, NULL);
	for (size_t at = 0; at < size; at += piece)
		ff_serial_reader_feed(&reader, data + at, size - at < piece ? size - at : piece, count, &stream);
	ff_serial_reader_finish(&reader, count, &stream);
	if (stream.chunks != lines.chunks || stream.announces != lines.announces)
		abort();
	return 0;
}
