/* SPDX-License-Identifier: Apache-2.0 */
/* The chunker (docs/FORMAT.md §3): one message at a time from the sources of fl_chunk_sources[], in their order;
 * each message's stream is its bytes plus a CRC-32, cut at whatever size the caller asks for. */
#include <string.h>

#include "chunk_private.h"
#include "crc32_private.h"
#include "faultline/chunk.h"
#include "faultline/errors.h"
#include "le_private.h"

#define HEAD_FIRST 0x80u
#define HEAD_FIRST_V1 (HEAD_FIRST | 1u)
#define HEAD_MORE 0x08u
#define TRAILER 4u

static struct {
	const struct fl_chunk_source *source; /* of the message in progress; NULL when none is */
	uint16_t boot;     /* low 16 bits of this boot's id */
	uint16_t seq;      /* of the message in progress, or the next one */
	uint32_t total;    /* message bytes, without the trailer */
	uint32_t next;     /* stream offset of the next chunk's first byte */
	uint32_t crc;      /* CRC-32 of message bytes [0, min(next, total)) */
	uint32_t given[2]; /* chunks given to the application since boot, and their bytes (wrapping) */
} s_chunk;

void fl_chunk_boot(uint32_t boot_id)
{
	memset(&s_chunk, 0, sizeof(s_chunk));
	s_chunk.boot = (uint16_t)boot_id;
}

/* The message in progress is over (sent or abandoned): its sequence number is used. */
static void end_message(void)
{
	s_chunk.source = NULL;
	s_chunk.seq++;
}

/* The first source with a message to send, or NULL. */
static const struct fl_chunk_source *first_ready(void)
{
	for (const struct fl_chunk_source *const *s = fl_chunk_sources; *s != NULL; s++) {
		if ((*s)->ready())
			return *s;
	}
	return NULL;
}

bool fl_chunk_has_data(void)
{
	return (s_chunk.source != NULL && !s_chunk.source->dropped()) || first_ready() != NULL;
}

static size_t put_header(uint8_t *out)
{
	if (s_chunk.next == 0) {
		out[0] = HEAD_FIRST_V1;
		fl_le_put(out + 1, s_chunk.boot | (uint32_t)s_chunk.seq << 16, 4); /* u16 boot, then u16 seq */
		return 5 + fl_uleb128_put(out + 5, s_chunk.total);
	}
	out[0] = (uint8_t)((s_chunk.seq & 7u) << 4 | (s_chunk.next & 7u));
	if (s_chunk.next < 8)
		return 1;
	out[0] |= HEAD_MORE;
	return 1 + fl_uleb128_put(out + 1, s_chunk.next >> 3);
}

int fl_chunk_next(void *buf, size_t cap, size_t *out_len)
{
	uint8_t *out = buf;
	uint32_t stream_len, n, msg_n;
	size_t hlen;
	int rc;

	if (buf == NULL || out_len == NULL || cap < FL_CHUNK_MIN)
		return FL_ERR_INVALID_ARG;
	if (s_chunk.source != NULL && s_chunk.source->dropped())
		end_message(); /* its source dropped it (a coredump cleared part way): abandoned */
	if (s_chunk.source == NULL) {
		s_chunk.source = first_ready();
		if (s_chunk.source == NULL)
			return FL_ERR_NO_DATA;
		s_chunk.total = s_chunk.source->start();
		fl_chunk_restart();
	}
	stream_len = s_chunk.total + TRAILER;
	hlen = put_header(out);
	n = stream_len - s_chunk.next;
	if (n > cap - hlen)
		n = (uint32_t)(cap - hlen);
	msg_n = s_chunk.next < s_chunk.total ? s_chunk.total - s_chunk.next : 0;
	if (msg_n > n)
		msg_n = n;
	if (msg_n > 0) {
		rc = s_chunk.source->read(s_chunk.next, out + hlen, msg_n);
		if (rc != 0)
			return rc;
		s_chunk.crc = fl_crc32_update(s_chunk.crc, out + hlen, msg_n);
	}
	for (uint32_t i = msg_n; i < n; i++) /* trailer bytes: the CRC, little-endian */
		out[hlen + i] = (uint8_t)(s_chunk.crc >> (8 * (s_chunk.next + i - s_chunk.total)));
	s_chunk.next += n;
	*out_len = hlen + n;
	s_chunk.given[0]++;
	s_chunk.given[1] += *out_len;
	if (s_chunk.next == stream_len) {
		s_chunk.source->sent();
		end_message();
	}
	return 0;
}

bool fl_chunk_is_first(const void *chunk, size_t len)
{
	return chunk != NULL && len > 0 && (*(const uint8_t *)chunk & HEAD_FIRST) != 0;
}

const uint32_t *fl_chunk_counts(void)
{
	return s_chunk.given;
}

void fl_chunk_restart(void)
{
	s_chunk.next = 0;
	s_chunk.crc = 0;
}
