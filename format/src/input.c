/* SPDX-License-Identifier: Apache-2.0 */
/* The input forms of `faultline decode`, each turned into a list of messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "ff/chunk.h"
#include "ff/device.h"
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

/* A serial log: the stream reader says whose each chunk is; each device gets its own receiver. */
struct serial_log {
	struct ff_input *in;
	struct {
		char serial[FF_DEVICE_SERIAL_MAX + 1];
		struct ff_reasm r;
	} dev[DEVICES_MAX];
	size_t ndev;
	size_t at; /* where the line being read starts, for the notes */
	int rc;
	struct ff_error *err;
};

static void serial_event(void *ctx, const struct ff_serial_event *ev)
{
	struct serial_log *log = ctx;
	char text[320];
	size_t i;

	if (log->rc != 0)
		return;
	switch (ev->kind) {
	case FF_SERIAL_EV_CHUNK:
		for (i = 0; i < log->ndev && strcmp(log->dev[i].serial, ev->serial) != 0; i++)
			;
		if (i == log->ndev && log->ndev == DEVICES_MAX) {
			note(log->in, "more than 16 devices in one log: the rest are skipped");
			return;
		}
		if (i == log->ndev) {
			snprintf(log->dev[i].serial, sizeof(log->dev[i].serial), "%s", ev->serial);
			ff_reasm_init(&log->dev[i].r, 0, 0);
			log->ndev++;
		}
		log->rc = take_chunk(log->in, &log->dev[i].r, ev->chunk, ev->chunk_len, log->dev[i].serial, log->err);
		break;
	case FF_SERIAL_EV_UNANNOUNCED:
		log->in->rejected++;
		note(log->in, "a chunk line before any device announced itself: skipped");
		break;
	case FF_SERIAL_EV_BAD:
		log->in->rejected++;
		snprintf(text, sizeof(text), "line at byte %zu: %s", log->at, ev->why);
		note(log->in, text);
		break;
	default:
		break;
	}
}

static int read_serial_log(struct ff_input *in, const uint8_t *data, size_t len, struct ff_error *err)
{
	struct ff_serial_reader *reader = malloc(sizeof(*reader));
	struct serial_log *log = calloc(1, sizeof(*log));
	int rc;

	if (reader == NULL || log == NULL) {
		free(reader);
		free(log);
		return ff_error_set(err, FF_ERR_NOMEM, "input: out of memory");
	}
	log->in = in;
	log->err = err;
	ff_serial_reader_init(reader, NULL);
	/* a line at a time, so that a note can say where the line was */
	for (size_t at = 0; at < len && log->rc == 0;) {
		const uint8_t *nl = memchr(data + at, '\n', len - at);
		size_t n = nl != NULL ? (size_t)(nl - (data + at)) + 1 : len - at;

		log->at = at;
		ff_serial_reader_feed(reader, data + at, n, serial_event, log);
		at += n;
	}
	if (log->rc == 0)
		ff_serial_reader_finish(reader, serial_event, log);
	for (size_t i = 0; i < log->ndev; i++) {
		count_partial(in, &log->dev[i].r);
		ff_reasm_free(&log->dev[i].r);
	}
	rc = log->rc;
	free(log);
	free(reader);
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
