/* SPDX-License-Identifier: Apache-2.0 */
/* The chunk layer of docs/FORMAT.md §3 and the record framing of §5, parsed from untrusted bytes. */
#ifndef FF_CHUNK_H
#define FF_CHUNK_H

#include <stddef.h>
#include <stdint.h>

#include "ff/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FF_CHUNK_VERSION 1u
#define FF_CHUNK_MIN_MTU 10u               /* the largest header (9 bytes) plus one data byte */
#define FF_MESSAGE_MAX (8u * 1024u * 1024u) /* largest `total` the format allows */
#define FF_CRC_TRAILER 4u                  /* a message stream is its bytes plus a CRC-32 */
#define FF_RECORD_MAX 16383u               /* largest chunk in a batch or chunk file: a 2-byte LEB128 */

enum ff_chunk_kind {
	FF_CHUNK_FIRST,
	FF_CHUNK_CONTINUATION,
};

/* One parsed chunk. data points into the parsed buffer and lives as long as it does. */
struct ff_chunk {
	enum ff_chunk_kind kind;
	uint8_t tag;         /* seq mod 8: which message slot the chunk belongs to (§3.3) */
	uint16_t boot;       /* first chunk only: low 16 bits of the sender's boot id */
	uint16_t seq;        /* first chunk only: message sequence number within the boot */
	uint32_t total;      /* first chunk only: message length without the CRC trailer */
	uint32_t offset;     /* stream offset of data[0]: 0 for a first chunk, >= 1 otherwise */
	const uint8_t *data; /* the stream bytes this chunk carries, len >= 1 */
	size_t len;
};

/*
 * Parse one chunk whose length the link gave. Checks everything a chunk alone can show: header bits, version,
 * LEB128 fields, at least one data byte, and for a first chunk that its data fits in total + 4 (whether a
 * continuation chunk fits its message is known only to a receiver holding the first chunk).
 * out: (out) filled on success; out->data points into buf.
 * buf, len: (in) the whole chunk, not copied: it must outlive out.
 * err: (out, optional) why it was refused.
 * Returns 0; FF_ERR_MALFORMED; FF_ERR_UNSUPPORTED (a first chunk of another chunk-layer version).
 */
int ff_chunk_parse(struct ff_chunk *out, const uint8_t *buf, size_t len, struct ff_error *err);

/*
 * Step through the records of a batch (§5): LEB128 length, then that many chunk bytes.
 * out_chunk, out_len: (out) the next record's chunk bytes, pointing into buf.
 * buf, len: (in) the whole batch.
 * pos: (in/out) the offset of the next record in buf; start at 0.
 * err: (out, optional) how the framing is broken.
 * Returns 1 when a record was produced; 0 at the exact end of the batch; FF_ERR_MALFORMED when the framing is
 * broken (a length that is 0, not a valid LEB128 of at most 2 bytes, or runs past the end).
 */
int ff_batch_next(const uint8_t **out_chunk, size_t *out_len, const uint8_t *buf, size_t len, size_t *pos,
		  struct ff_error *err);

/* Bytes a record of a len-byte chunk takes in a batch: the chunk and its 1- or 2-byte LEB128 length. */
#define FF_RECORD_SIZE(len) ((len) + ((len) < 128u ? 1u : 2u))

/*
 * Append one record to a batch (§5): the chunk's length as LEB128, then the chunk.
 * out, cap: (out) the caller's buffer and the bytes left in it.
 * chunk, len: (in) the chunk bytes, copied; 1 <= len <= FF_RECORD_MAX.
 * Returns the bytes written (FF_RECORD_SIZE(len)); 0 when len is out of range or cap too small (nothing written).
 */
size_t ff_batch_put(uint8_t *out, size_t cap, const uint8_t *chunk, size_t len);

/*
 * Check the 5-byte header of a chunk file ("FLCK", version 1).
 * buf, len: (in) the file.
 * err: (out, optional) what is wrong.
 * Returns the offset of its batch, 5; FF_ERR_MALFORMED when the magic is wrong or the file is shorter than its
 * header; FF_ERR_UNSUPPORTED for another file version.
 */
int ff_chunkfile_batch_offset(const uint8_t *buf, size_t len, struct ff_error *err);

#ifdef __cplusplus
}
#endif
#endif
