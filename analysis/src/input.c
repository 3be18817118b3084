/* SPDX-License-Identifier: Apache-2.0 */
/* The input forms of `faultline decode`, each turned into a list of messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fa/chunk.h"
#include "fa/input.h"
#include "fa/reasm.h"
#include "fa/serial.h"

#define DEVICES_MAX 16u
#define STORAGE_HEADER 32u

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

enum fa_input_form fa_input_detect(const uint8_t *data, size_t len)
{
	if (len >= 4 && memcmp(data, "FLCK", 4) == 0)
		return FA_INPUT_CHUNK_FILE;
	if (len >= 4 && memcmp(data, "FLCD", 4) == 0)
		return FA_INPUT_STORAGE;
	if (len > 0 && (data[0] & 0xe0) == 0xa0)
		return FA_INPUT_MESSAGE; /* a CBOR map */
	return FA_INPUT_SERIAL_LOG;
}

static void note(struct fa_input *in, const char *text)
{
	size_t have = strlen(in->notes);

	if (have + strlen(text) + 3 < sizeof(in->notes))
		snprintf(in->notes + have, sizeof(in->notes) - have, "%s%s", have > 0 ? "\n" : "", text);
}

static int add(struct fa_input *in, const uint8_t *msg, size_t len, const char *serial, struct fa_error *err)
{
	struct fa_input_message *grown = realloc(in->msgs, (in->n + 1) * sizeof(*grown));

	if (grown == NULL)
		return fa_error_set(err, FA_ERR_NOMEM, "input: out of memory");
	in->msgs = grown;
	grown[in->n].bytes = malloc(len + 1);
	if (grown[in->n].bytes == NULL)
		return fa_error_set(err, FA_ERR_NOMEM, "input: out of memory for a %zu-byte message", len);
	memcpy(grown[in->n].bytes, msg, len);
	grown[in->n].len = len;
	snprintf(grown[in->n].serial, sizeof(grown[in->n].serial), "%s", serial);
	in->n++;
	return 0;
}

/* One chunk through a device's reassembler; a completed message is added. */
static int take_chunk(struct fa_input *in, struct fa_reasm *r, const uint8_t *c, size_t len, const char *serial,
		      struct fa_error *err)
{
	struct fa_error why = {0};
	const uint8_t *msg;
	size_t msg_len;
	enum fa_chunk_result res = fa_reasm_push(r, c, len, &msg, &msg_len, &why);
	char text[320];

	in->chunks++;
	if (res == FA_CHUNK_COMPLETE)
		return add(in, msg, msg_len, serial, err);
	if (fa_chunk_result_rejected(res)) {
		in->rejected++;
		snprintf(text, sizeof(text), "chunk %zu%s%s: %s: %s", in->chunks, serial[0] ? " from " : "", serial,
			 fa_chunk_result_name(res), why.msg);
		note(in, text);
	}
	return 0;
}

static void count_partial(struct fa_input *in, const struct fa_reasm *r)
{
	/* Bytes still held for partial messages mean messages that never completed. */
	if (r->pending > 0) {
		in->incomplete++;
		note(in, "a message was still incomplete at the end of the input");
	}
}

static int read_chunk_file(struct fa_input *in, const uint8_t *data, size_t len, struct fa_error *err)
{
	struct fa_reasm r;
	const uint8_t *rec;
	size_t pos, rec_len;
	int rc = fa_chunkfile_batch_offset(data, len, err);

	if (rc < 0)
		return rc;
	pos = (size_t)rc;
	/* The whole framing first: a broken file is reported, not half read. */
	while ((rc = fa_batch_next(&rec, &rec_len, data, len, &pos, err)) == 1)
		;
	if (rc < 0)
		return rc;
	fa_reasm_init(&r, 0, 0);
	pos = (size_t)fa_chunkfile_batch_offset(data, len, NULL);
	while (rc == 0 && fa_batch_next(&rec, &rec_len, data, len, &pos, NULL) == 1)
		rc = take_chunk(in, &r, rec, rec_len, "", err);
	count_partial(in, &r);
	fa_reasm_free(&r);
	return rc;
}

static int read_serial_log(struct fa_input *in, const uint8_t *data, size_t len, struct fa_error *err)
{
	static struct fa_serial_record rec;
	struct {
		char serial[65];
		struct fa_reasm r;
	} dev[DEVICES_MAX];
	size_t ndev = 0, cur = DEVICES_MAX, at = 0;
	int rc = 0;

	while (rc == 0 && at < len) {
		const uint8_t *nl = memchr(data + at, '\n', len - at);
		size_t line_len = nl != NULL ? (size_t)(nl - (data + at)) : len - at;
		struct fa_error why = {0};
		char text[320];

		switch (fa_serial_parse_line(&rec, (const char *)data + at, line_len, &why)) {
		case FA_SERIAL_ANNOUNCE:
			for (cur = 0; cur < ndev && strcmp(dev[cur].serial, rec.serial) != 0; cur++)
				;
			if (cur == ndev && ndev < DEVICES_MAX) {
				snprintf(dev[ndev].serial, sizeof(dev[ndev].serial), "%s", rec.serial);
				fa_reasm_init(&dev[ndev].r, 0, 0);
				ndev++;
			} else if (cur == ndev) {
				cur = DEVICES_MAX;
				note(in, "more than 16 devices in one log: the rest are skipped");
			}
			break;
		case FA_SERIAL_CHUNK:
			if (cur >= ndev) {
				in->rejected++;
				note(in, "a chunk line before any device announced itself: skipped");
				break;
			}
			rc = take_chunk(in, &dev[cur].r, rec.chunk, rec.chunk_len, dev[cur].serial, err);
			break;
		case FA_SERIAL_BAD:
			in->rejected++;
			snprintf(text, sizeof(text), "line at byte %zu: %s", at, why.msg);
			note(in, text);
			break;
		default:
			break;
		}
		at += line_len + 1;
	}
	for (size_t i = 0; i < ndev; i++) {
		count_partial(in, &dev[i].r);
		fa_reasm_free(&dev[i].r);
	}
	return rc;
}

/* docs/FORMAT.md §9, read independently of the SDK. */
static int read_storage(struct fa_input *in, const uint8_t *data, size_t len, struct fa_error *err)
{
	uint32_t hsize, off, mlen, mcrc, moff, msize;
	bool erased = true;

	if (len < STORAGE_HEADER)
		return fa_error_set(err, FA_ERR_MALFORMED, "storage: %zu bytes, shorter than the header", len);
	if (data[4] != 1)
		return fa_error_set(err, FA_ERR_UNSUPPORTED, "storage: layout version %u is not supported", data[4]);
	hsize = (uint32_t)data[6] | (uint32_t)data[7] << 8;
	if (hsize < STORAGE_HEADER || hsize > len)
		return fa_error_set(err, FA_ERR_MALFORMED, "storage: header size %u is outside 32..%zu", hsize, len);
	if (le32(data + hsize - 4) != (uint32_t)crc32(0, data, hsize - 4))
		return fa_error_set(err, FA_ERR_MALFORMED, "storage: the header's CRC does not match (a save cut short?)");
	off = le32(data + 8);
	mlen = le32(data + 12);
	mcrc = le32(data + 16);
	moff = le32(data + 20);
	msize = le32(data + 24);
	if (mlen == 0 || off < hsize || off > len || mlen > len - off)
		return fa_error_set(err, FA_ERR_MALFORMED, "storage: the message (%u bytes at %u) is outside the %zu-byte "
				    "image", mlen, off, len);
	if (msize == 0 || moff < hsize || moff > len || msize > len - moff || (moff < off + mlen && off < moff + msize))
		return fa_error_set(err, FA_ERR_MALFORMED, "storage: the read marker (%u bytes at %u) is misplaced", msize,
				    moff);
	if ((uint32_t)crc32(0, data + off, mlen) != mcrc)
		return fa_error_set(err, FA_ERR_MALFORMED, "storage: the message's CRC does not match its header");
	for (uint32_t i = 0; i < msize; i++)
		erased = erased && data[moff + i] == 0xff;
	in->storage_sent = !erased;
	return add(in, data + off, mlen, "", err);
}

int fa_input_read(struct fa_input *out, const uint8_t *data, size_t len, struct fa_error *err)
{
	memset(out, 0, sizeof(*out));
	out->form = fa_input_detect(data, len);
	switch (out->form) {
	case FA_INPUT_CHUNK_FILE:
		return read_chunk_file(out, data, len, err);
	case FA_INPUT_STORAGE:
		return read_storage(out, data, len, err);
	case FA_INPUT_MESSAGE:
		if (len > FA_MESSAGE_MAX)
			return fa_error_set(err, FA_ERR_TOO_LARGE, "input: a %zu-byte message (at most %u)", len,
					    FA_MESSAGE_MAX);
		return add(out, data, len, "", err);
	default:
		return read_serial_log(out, data, len, err);
	}
}

void fa_input_free(struct fa_input *in)
{
	for (size_t i = 0; i < in->n; i++)
		free(in->msgs[i].bytes);
	free(in->msgs);
	in->msgs = NULL;
	in->n = 0;
}
