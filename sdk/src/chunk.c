/* SPDX-License-Identifier: Apache-2.0 */
/* The chunker (docs/FORMAT.md §3): one message at a time, the saved coredump first, then queued events; each
 * message's stream is its bytes plus a CRC-32, cut at whatever size the caller asks for. */
#include <string.h>

#include "chunk_private.h"
#include "coredump_private.h"
#include "crc32_private.h"
#include "event_private.h"
#include "faultline/chunk.h"
#include "faultline/coredump.h"
#include "faultline/errors.h"
#include "message_private.h"

#define HEAD_FIRST_V1 0x81u
#define HEAD_MORE 0x08u
#define TRAILER 4u

enum source { SOURCE_NONE, SOURCE_COREDUMP, SOURCE_EVENT };

static struct {
	enum source source;
	uint16_t boot; /* low 16 bits of this boot's id */
	uint32_t boot_id;
	uint16_t seq;       /* of the message in progress, or the next one */
	uint32_t total;     /* message bytes, without the trailer */
	uint32_t next;      /* stream offset of the next chunk's first byte */
	uint32_t crc;       /* CRC-32 of message bytes [0, min(next, total)) */
	uint32_t dropped;   /* events dropped, as this message reports them */
	uint32_t envelope;  /* event messages: bytes before the payload */
	uint8_t event_type; /* event messages */
} s_chunk;

void fl_chunk_boot(uint32_t boot_id)
{
	memset(&s_chunk, 0, sizeof(s_chunk));
	s_chunk.boot_id = boot_id;
	s_chunk.boot = (uint16_t)boot_id;
}

static uint32_t event_envelope_size(void)
{
	struct fl_sink count = {NULL, 0};

	fl_message_begin(&count, s_chunk.event_type, s_chunk.boot_id, s_chunk.dropped);
	return count.pos;
}

/* Pick the next message: the saved coredump first, then the oldest event. */
static bool start(void)
{
	size_t len;

	if (fl_coredump_pending()) {
		s_chunk.source = SOURCE_COREDUMP;
		s_chunk.total = fl_coredump_length();
	} else if (fl_event_peek(&s_chunk.event_type, &len)) {
		s_chunk.source = SOURCE_EVENT;
		s_chunk.dropped = fl_event_dropped();
		s_chunk.envelope = event_envelope_size();
		s_chunk.total = s_chunk.envelope + (uint32_t)len;
	} else {
		return false;
	}
	s_chunk.next = 0;
	s_chunk.crc = 0;
	return true;
}

bool fl_chunk_has_data(void)
{
	uint8_t type;
	size_t len;

	return s_chunk.source != SOURCE_NONE || fl_coredump_pending() || fl_event_peek(&type, &len);
}

/* Message bytes [off, off + n) into dst. */
static int message_bytes(uint32_t off, uint8_t *dst, uint32_t n)
{
	if (s_chunk.source == SOURCE_COREDUMP)
		return fl_coredump_read(off, dst, n);
	if (off < s_chunk.envelope) {
		struct fl_window_sink w;
		uint32_t head = s_chunk.envelope - off < n ? s_chunk.envelope - off : n;

		fl_window_init(&w, off, dst, head);
		fl_message_begin(&w.base, s_chunk.event_type, s_chunk.boot_id, s_chunk.dropped);
		dst += head;
		off += head;
		n -= head;
	}
	if (n > 0)
		fl_event_read(off - s_chunk.envelope, dst, n);
	return 0;
}

static size_t put_leb128(uint8_t *out, uint32_t v)
{
	size_t n = 0;

	do {
		out[n] = (uint8_t)(v & 0x7fu);
		v >>= 7;
		if (v != 0)
			out[n] |= 0x80u;
		n++;
	} while (v != 0);
	return n;
}

static size_t put_header(uint8_t *out)
{
	if (s_chunk.next == 0) {
		out[0] = HEAD_FIRST_V1;
		out[1] = (uint8_t)s_chunk.boot;
		out[2] = (uint8_t)(s_chunk.boot >> 8);
		out[3] = (uint8_t)s_chunk.seq;
		out[4] = (uint8_t)(s_chunk.seq >> 8);
		return 5 + put_leb128(out + 5, s_chunk.total);
	}
	out[0] = (uint8_t)((s_chunk.seq & 7u) << 4 | (s_chunk.next & 7u));
	if (s_chunk.next < 8)
		return 1;
	out[0] |= HEAD_MORE;
	return 1 + put_leb128(out + 1, s_chunk.next >> 3);
}

static void finish(void)
{
	if (s_chunk.source == SOURCE_COREDUMP) {
		fl_coredump_sent();
	} else {
		fl_event_pop();
		fl_event_dropped_reported(s_chunk.dropped);
	}
	s_chunk.source = SOURCE_NONE;
	s_chunk.seq++;
}

int fl_chunk_next(void *buf, size_t cap, size_t *out_len)
{
	uint8_t *out = buf;
	uint32_t stream_len, n, msg_n;
	size_t hlen;
	int rc;

	if (buf == NULL || out_len == NULL || cap < FL_CHUNK_MIN)
		return FL_ERR_INVALID_ARG;
	if (s_chunk.source == SOURCE_NONE && !start())
		return FL_ERR_NO_DATA;
	stream_len = s_chunk.total + TRAILER;
	hlen = put_header(out);
	n = stream_len - s_chunk.next;
	if (n > cap - hlen)
		n = (uint32_t)(cap - hlen);
	msg_n = s_chunk.next < s_chunk.total ? s_chunk.total - s_chunk.next : 0;
	if (msg_n > n)
		msg_n = n;
	if (msg_n > 0) {
		rc = message_bytes(s_chunk.next, out + hlen, msg_n);
		if (rc != 0)
			return rc;
		s_chunk.crc = fl_crc32_update(s_chunk.crc, out + hlen, msg_n);
	}
	for (uint32_t i = msg_n; i < n; i++) /* trailer bytes: the CRC, little-endian */
		out[hlen + i] = (uint8_t)(s_chunk.crc >> (8 * (s_chunk.next + i - s_chunk.total)));
	s_chunk.next += n;
	*out_len = hlen + n;
	if (s_chunk.next == stream_len)
		finish();
	return 0;
}

void fl_chunk_restart(void)
{
	s_chunk.next = 0;
	s_chunk.crc = 0;
}

void fl_chunk_drop_coredump(void)
{
	if (s_chunk.source == SOURCE_COREDUMP) {
		s_chunk.source = SOURCE_NONE;
		s_chunk.seq++;
	}
}
