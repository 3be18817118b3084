/* SPDX-License-Identifier: Apache-2.0 */
/* The input forms of `faultline decode`, each turned into a list of messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "ff/chunk.h"
#include "ff/input.h"
#include "ff/reasm.h"
#include "ff/serial.h"
#include "ff/storage.h"

#define DEVICES_MAX 16u

enum ff_input_form ff_input_detect(const uint8_t *data, size_t len)
{
	if (len >= 4 && memcmp(data, "FLCK", 4) == 0)
		return FF_INPUT_CHUNK_FILE;
	if (ff_storage_detect(data, len))
		return FF_INPUT_STORAGE;
	if (len > 0 && (data[0] & 0xe0) == 0xa0)
		return FF_INPUT_MESSAGE; /* a CBOR map */
	return FF_INPUT_SERIAL_LOG;
}

static void note(struct ff_input *in, const char *text)
{
	size_t have = strlen(in->notes);

	if (have + strlen(text) + 3 < sizeof(in->notes))
		snprintf(in->notes + have, sizeof(in->notes) - have, "%s%s", have > 0 ? "\n" : "", text);
}

static int add(struct ff_input *in, const uint8_t *msg, size_t len, const char *serial, struct ff_error *err)
{
	struct ff_input_message *grown = realloc(in->msgs, (in->n + 1) * sizeof(*grown));

	if (grown == NULL)
		return ff_error_set(err, FF_ERR_NOMEM, "input: out of memory");
	in->msgs = grown;
	grown[in->n].bytes = malloc(len + 1);
	if (grown[in->n].bytes == NULL)
		return ff_error_set(err, FF_ERR_NOMEM, "input: out of memory for a %zu-byte message", len);
	memcpy(grown[in->n].bytes, msg, len);
	grown[in->n].len = len;
	snprintf(grown[in->n].serial, sizeof(grown[in->n].serial), "%s", serial);
	in->n++;
	return 0;
}

/* One chunk through a device's reassembler; a completed message is added. */
static int take_chunk(struct ff_input *in, struct ff_reasm *r, const uint8_t *c, size_t len, const char *serial,
		      struct ff_error *err)
{
	struct ff_error why = {0};
	const uint8_t *msg;
	size_t msg_len;
	enum ff_chunk_result res = ff_reasm_push(r, c, len, &msg, &msg_len, &why);
	char text[320];

	in->chunks++;
	if (res == FF_CHUNK_COMPLETE)
		return add(in, msg, msg_len, serial, err);
	if (ff_chunk_result_rejected(res)) {
		in->rejected++;
		snprintf(text, sizeof(text), "chunk %zu%s%s: %s: %s", in->chunks, serial[0] ? " from " : "", serial,
			 ff_chunk_result_name(res), why.msg);
		note(in, text);
	}
	return 0;
}

static void count_partial(struct ff_input *in, const struct ff_reasm *r)
{
	/* Bytes still held for partial messages mean messages that never completed. */
	if (r->pending > 0) {
		in->incomplete++;
		note(in, "a message was still incomplete at the end of the input");
	}
}

static int read_chunk_file(struct ff_input *in, const uint8_t *data, size_t len, struct ff_error *err)
{
	struct ff_reasm r;
	const uint8_t *rec;
	size_t pos, rec_len;
	int rc = ff_chunkfile_batch_offset(data, len, err);

	if (rc < 0)
		return rc;
	pos = (size_t)rc;
	/* The whole framing first: a broken file is reported, not half read. */
	while ((rc = ff_batch_next(&rec, &rec_len, data, len, &pos, err)) == 1)
		;
	if (rc < 0)
		return rc;
	ff_reasm_init(&r, 0, 0);
	pos = (size_t)ff_chunkfile_batch_offset(data, len, NULL);
	while (rc == 0 && ff_batch_next(&rec, &rec_len, data, len, &pos, NULL) == 1)
		rc = take_chunk(in, &r, rec, rec_len, "", err);
	count_partial(in, &r);
	ff_reasm_free(&r);
	return rc;
}

static int read_serial_log(struct ff_input *in, const uint8_t *data, size_t len, struct ff_error *err)
{
	static struct ff_serial_record rec;
	struct {
		char serial[65];
		struct ff_reasm r;
	} dev[DEVICES_MAX];
	size_t ndev = 0, cur = DEVICES_MAX, at = 0;
	int rc = 0;

	while (rc == 0 && at < len) {
		const uint8_t *nl = memchr(data + at, '\n', len - at);
		size_t line_len = nl != NULL ? (size_t)(nl - (data + at)) : len - at;
		struct ff_error why = {0};
		char text[320];

		switch (ff_serial_parse_line(&rec, (const char *)data + at, line_len, &why)) {
		case FF_SERIAL_ANNOUNCE:
			for (cur = 0; cur < ndev && strcmp(dev[cur].serial, rec.serial) != 0; cur++)
				;
			if (cur == ndev && ndev < DEVICES_MAX) {
				snprintf(dev[ndev].serial, sizeof(dev[ndev].serial), "%s", rec.serial);
				ff_reasm_init(&dev[ndev].r, 0, 0);
				ndev++;
			} else if (cur == ndev) {
				cur = DEVICES_MAX;
				note(in, "more than 16 devices in one log: the rest are skipped");
			}
			break;
		case FF_SERIAL_CHUNK:
			if (cur >= ndev) {
				in->rejected++;
				note(in, "a chunk line before any device announced itself: skipped");
				break;
			}
			rc = take_chunk(in, &dev[cur].r, rec.chunk, rec.chunk_len, dev[cur].serial, err);
			break;
		case FF_SERIAL_BAD:
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
		ff_reasm_free(&dev[i].r);
	}
	return rc;
}

static int read_storage(struct ff_input *in, const uint8_t *data, size_t len, struct ff_error *err)
{
	struct ff_storage st;
	int rc = ff_storage_parse(&st, data, len, err);

	if (rc != 0)
		return rc;
	in->storage_sent = st.sent;
	return add(in, st.msg, st.msg_length, "", err);
}

int ff_input_read(struct ff_input *out, const uint8_t *data, size_t len, struct ff_error *err)
{
	memset(out, 0, sizeof(*out));
	out->form = ff_input_detect(data, len);
	switch (out->form) {
	case FF_INPUT_CHUNK_FILE:
		return read_chunk_file(out, data, len, err);
	case FF_INPUT_STORAGE:
		return read_storage(out, data, len, err);
	case FF_INPUT_MESSAGE:
		if (len > FF_MESSAGE_MAX)
			return ff_error_set(err, FF_ERR_TOO_LARGE, "input: a %zu-byte message (at most %u)", len,
					    FF_MESSAGE_MAX);
		return add(out, data, len, "", err);
	default:
		return read_serial_log(out, data, len, err);
	}
}

void ff_input_free(struct ff_input *in)
{
	for (size_t i = 0; i < in->n; i++)
		free(in->msgs[i].bytes);
	free(in->msgs);
	in->msgs = NULL;
	in->n = 0;
}
