/* SPDX-License-Identifier: Apache-2.0 */
/* Reassembly of one device's chunks into messages, by the receiver rules of docs/FORMAT.md §4: eight slots, one
 * per tag; duplicates harmless; conflicts refused; a message delivered once, when its CRC-32 matches.
 * In memory: `faultline decode` uses it for chunk files and serial logs. Not thread-safe: one per device. */
#ifndef FF_REASM_H
#define FF_REASM_H

#include <stddef.h>
#include <stdint.h>

#include "ff/chunk.h"
#include "ff/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The result of one chunk (docs/FORMAT.md §4), in the order of that table. */
enum ff_chunk_result {
	FF_CHUNK_ACCEPTED,
	FF_CHUNK_DUPLICATE,
	FF_CHUNK_COMPLETE,
	FF_CHUNK_MALFORMED,
	FF_CHUNK_UNSUPPORTED_VERSION,
	FF_CHUNK_TOO_LARGE,
	FF_CHUNK_OUT_OF_RANGE,
	FF_CHUNK_NO_MESSAGE,
	FF_CHUNK_CONFLICT,
	FF_CHUNK_CRC_MISMATCH,
	FF_CHUNK_OVER_QUOTA,
};

/* The result's name as FORMAT.md spells it ("accepted", "crc_mismatch"...). */
const char *ff_chunk_result_name(enum ff_chunk_result r);

/* True for the results that mean the chunk was refused. */
int ff_chunk_result_rejected(enum ff_chunk_result r);

enum ff_slot_state {
	FF_SLOT_PARTIAL,
	FF_SLOT_DELIVERED,
	FF_SLOT_FAILED,
};

/* One tag slot: the latest message started with that tag. A receiver that keeps its state elsewhere (the server,
 * in its database) loads a slot, applies a chunk with ff_reasm_apply(), and stores the slot back. */
struct ff_reasm_slot {
	uint16_t boot, seq;
	uint32_t total; /* message bytes; the stream is total + 4 */
	uint32_t have;  /* stream bytes held */
	enum ff_slot_state state;
	uint8_t *bytes; /* the stream, total + 4 bytes (malloc'd) */
	uint8_t *held;  /* one bit per stream byte, (total + 4 + 7) / 8 bytes (malloc'd) */
};

/* Free a slot made by ff_reasm_apply() (NULL is fine). */
void ff_reasm_slot_free(struct ff_reasm_slot *s);

/*
 * Apply one parsed chunk to the slot of its tag, by the rules of docs/FORMAT.md §4.
 * slot: in/out; NULL when the tag has no message. A first chunk may replace it (the old one is freed) or create
 *       it. max_message: the largest total accepted. budget: bytes a new partial message may still take.
 * out_msg/out_len: on FF_CHUNK_COMPLETE, the message (inside the slot).  err: optional, why a chunk was refused.
 */
enum ff_chunk_result ff_reasm_apply(struct ff_reasm_slot **slot, const struct ff_chunk *c, uint32_t max_message,
				    size_t budget, const uint8_t **out_msg, size_t *out_len, struct ff_error *err);

struct ff_reasm {
	uint32_t max_message; /* largest `total` accepted; 0 means FF_MESSAGE_MAX */
	size_t max_pending;   /* bytes all partial messages may hold together; 0 means 8 x max_message */
	size_t pending;       /* bytes held now by partial messages */
	struct ff_reasm_slot *slots[8];
};

/* Set r up with the given limits (0 for the defaults). Free with ff_reasm_free(). */
void ff_reasm_init(struct ff_reasm *r, uint32_t max_message, size_t max_pending);
void ff_reasm_free(struct ff_reasm *r);

/*
 * Take one chunk (the whole of buf). On FF_CHUNK_COMPLETE, out_msg and out_len give the delivered message (without
 * its CRC), valid until the next call for that slot; otherwise they are left alone.
 * err: optional; for rejected results it says why ("chunk at offset 40: 3 bytes differ from those held").
 * Returns the result; FF_CHUNK_OVER_QUOTA also when memory runs out.
 */
enum ff_chunk_result ff_reasm_push(struct ff_reasm *r, const uint8_t *buf, size_t len, const uint8_t **out_msg,
				   size_t *out_len, struct ff_error *err);

#ifdef __cplusplus
}
#endif
#endif
