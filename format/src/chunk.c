/* SPDX-License-Identifier: Apache-2.0 */
/* Chunk headers (docs/FORMAT.md §3) and batch records (§5), from untrusted bytes. */
#include <string.h>

#include "ff/chunk.h"
#include "leb128.h"

#define HEAD_FIRST 0x80u
#define HEAD_RESERVED 0x70u  /* first chunk: must be zero */
#define HEAD_VERSION 0x0fu   /* first chunk */
#define HEAD_MORE 0x08u      /* continuation: offset_hi follows */
#define HEAD_OFFSET_LO 0x07u /* continuation */

static const uint8_t k_chunkfile_magic[4] = {'F', 'L', 'C', 'K'};
#define CHUNKFILE_VERSION 1u
#define CHUNKFILE_HEADER 5u

static int parse_first(struct ff_chunk *out, const uint8_t *buf, size_t len, struct ff_error *err)
{
	size_t pos = 5, n;
	uint32_t total;

	if ((buf[0] & HEAD_RESERVED) != 0)
		return ff_error_set(err, FF_ERR_MALFORMED, "chunk: reserved bits set in first-chunk head 0x%02x",
				    buf[0]);
	if ((buf[0] & HEAD_VERSION) != FF_CHUNK_VERSION)
		return ff_error_set(err, FF_ERR_UNSUPPORTED, "chunk: unsupported chunk-layer version %u",
				    buf[0] & HEAD_VERSION);
	if (len < pos)
		return ff_error_set(err, FF_ERR_MALFORMED, "chunk: first chunk of %zu bytes ends inside boot/seq",
				    len);
	n = ff_leb128_read(&total, buf + pos, len - pos, 4);
	if (n == 0)
		return ff_error_set(err, FF_ERR_MALFORMED, "chunk: total length is not a valid LEB128 of at most 4 bytes");
	if (total == 0 || total > FF_MESSAGE_MAX)
		return ff_error_set(err, FF_ERR_MALFORMED, "chunk: total length %u is outside 1..%u", total,
				    FF_MESSAGE_MAX);
	pos += n;
	out->kind = FF_CHUNK_FIRST;
	out->boot = (uint16_t)(buf[1] | buf[2] << 8);
	out->seq = (uint16_t)(buf[3] | buf[4] << 8);
	out->tag = (uint8_t)(out->seq & 7u);
	out->total = total;
	out->offset = 0;
	out->data = buf + pos;
	out->len = len - pos;
	if (out->len > (size_t)total + FF_CRC_TRAILER)
		return ff_error_set(err, FF_ERR_MALFORMED,
				    "chunk: first chunk carries %zu bytes, more than the %u-byte stream", out->len,
				    total + FF_CRC_TRAILER);
	return 0;
}

static int parse_continuation(struct ff_chunk *out, const uint8_t *buf, size_t len, struct ff_error *err)
{
	uint32_t offset = buf[0] & HEAD_OFFSET_LO, hi;
	size_t pos = 1, n;

	if (buf[0] & HEAD_MORE) {
		n = ff_leb128_read(&hi, buf + pos, len - pos, 3);
		if (n == 0)
			return ff_error_set(err, FF_ERR_MALFORMED,
					    "chunk: offset is not a valid LEB128 of at most 3 bytes");
		if (hi == 0)
			return ff_error_set(err, FF_ERR_MALFORMED,
					    "chunk: offset_hi is 0 although the M bit is set (not minimal)");
		offset |= hi << 3;
		pos += n;
	}
	if (offset == 0)
		return ff_error_set(err, FF_ERR_MALFORMED, "chunk: continuation chunk at offset 0");
	if (offset >= FF_MESSAGE_MAX + FF_CRC_TRAILER)
		return ff_error_set(err, FF_ERR_MALFORMED, "chunk: offset %u is beyond the largest message", offset);
	out->kind = FF_CHUNK_CONTINUATION;
	out->tag = (uint8_t)((buf[0] >> 4) & 7u);
	out->boot = 0;
	out->seq = 0;
	out->total = 0;
	out->offset = offset;
	out->data = buf + pos;
	out->len = len - pos;
	return 0;
}

int ff_chunk_parse(struct ff_chunk *out, const uint8_t *buf, size_t len, struct ff_error *err)
{
	int rc;

	if (len == 0)
		return ff_error_set(err, FF_ERR_MALFORMED, "chunk: empty");
	rc = (buf[0] & HEAD_FIRST) ? parse_first(out, buf, len, err) : parse_continuation(out, buf, len, err);
	if (rc == 0 && out->len == 0)
		return ff_error_set(err, FF_ERR_MALFORMED, "chunk: %zu-byte chunk has a header but no data", len);
	return rc;
}

int ff_batch_next(const uint8_t **out_chunk, size_t *out_len, const uint8_t *buf, size_t len, size_t *pos,
		  struct ff_error *err)
{
	uint32_t rec_len;
	size_t n, at = *pos;

	if (at == len)
		return 0;
	n = ff_leb128_read(&rec_len, buf + at, len - at, 2);
	if (n == 0)
		return ff_error_set(err, FF_ERR_MALFORMED,
				    "batch: record at byte %zu has no valid length (LEB128, at most 2 bytes)", at);
	if (rec_len == 0) /* two LEB128 bytes cap it at FF_RECORD_MAX */
		return ff_error_set(err, FF_ERR_MALFORMED, "batch: record at byte %zu has length 0", at);
	if (rec_len > len - at - n)
		return ff_error_set(err, FF_ERR_MALFORMED,
				    "batch: record at byte %zu has length %u but only %zu bytes are left", at, rec_len,
				    len - at - n);
	*out_chunk = buf + at + n;
	*out_len = rec_len;
	*pos = at + n + rec_len;
	return 1;
}

size_t ff_batch_put(uint8_t *out, size_t cap, const uint8_t *chunk, size_t len)
{
	size_t head = len < 128u ? 1u : 2u;

	if (len == 0 || len > FF_RECORD_MAX || cap < len + head)
		return 0;
	out[0] = (uint8_t)(len & 0x7fu);
	if (head == 2) {
		out[0] |= 0x80u;
		out[1] = (uint8_t)(len >> 7);
	}
	memcpy(out + head, chunk, len);
	return len + head;
}

int ff_chunkfile_batch_offset(const uint8_t *buf, size_t len, struct ff_error *err)
{
	if (len < CHUNKFILE_HEADER || memcmp(buf, k_chunkfile_magic, sizeof(k_chunkfile_magic)) != 0)
		return ff_error_set(err, FF_ERR_MALFORMED, "chunk file: does not start with \"FLCK\"");
	if (buf[4] != CHUNKFILE_VERSION)
		return ff_error_set(err, FF_ERR_UNSUPPORTED, "chunk file: unsupported version %u", buf[4]);
	return CHUNKFILE_HEADER;
}
