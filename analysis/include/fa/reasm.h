/* SPDX-License-Identifier: Apache-2.0 */
/* Reassembly of one device's chunks into messages, by the receiver rules of docs/FORMAT.md §4: eight slots, one
 * per tag; duplicates harmless; conflicts refused; a message delivered once, when its CRC-32 matches.
 * In memory: `faultline decode` uses it for chunk files and serial logs. Not thread-safe: one per device. */
#ifndef FA_REASM_H
#define FA_REASM_H

#include <stddef.h>
#include <stdint.h>

#include "fa/chunk.h"
#include "fa/error.h"

/* The result of one chunk (docs/FORMAT.md §4), in the order of that table. */
enum fa_chunk_result {
	FA_CHUNK_ACCEPTED,
	FA_CHUNK_DUPLICATE,
	FA_CHUNK_COMPLETE,
	FA_CHUNK_MALFORMED,
	FA_CHUNK_UNSUPPORTED_VERSION,
	FA_CHUNK_TOO_LARGE,
	FA_CHUNK_OUT_OF_RANGE,
	FA_CHUNK_NO_MESSAGE,
	FA_CHUNK_CONFLICT,
	FA_CHUNK_CRC_MISMATCH,
	FA_CHUNK_OVER_QUOTA,
};

/* The result's name as FORMAT.md spells it ("accepted", "crc_mismatch"...). */
const char *fa_chunk_result_name(enum fa_chunk_result r);

/* True for the results that mean the chunk was refused. */
int fa_chunk_result_rejected(enum fa_chunk_result r);

enum fa_slot_state {
	FA_SLOT_PARTIAL,
	FA_SLOT_DELIVERED,
	FA_SLOT_FAILED,
};

/* One tag slot: the latest message started with that tag. A receiver that keeps its state elsewhere (the server,
 * in its database) loads a slot, applies a chunk with fa_reasm_apply(), and stores the slot back. */
struct fa_reasm_slot {
	uint16_t boot, seq;
	uint32_t total; /* message bytes; the stream is total + 4 */
	uint32_t have;  /* stream bytes held */
	enum fa_slot_state state;
	uint8_t *bytes; /* the stream, total + 4 bytes (malloc'd) */
	uint8_t *held;  /* one bit per stream byte, (total + 4 + 7) / 8 bytes (malloc'd) */
};

/* Free a slot made by fa_reasm_apply() (NULL is fine). */
void fa_reasm_slot_free(struct fa_reasm_slot *s);

/*
 * Apply one parsed chunk to the slot of its tag, by the rules of docs/FORMAT.md §4.
 * slot: in/out; NULL when the tag has no message. A first chunk may replace it (the old one is freed) or create
 *       it. max_message: the largest total accepted. budget: bytes a new partial message may still take.
 * out_msg/out_len: on FA_CHUNK_COMPLETE, the message (inside the slot).  err: optional, why a chunk was refused.
 */
enum fa_chunk_result fa_reasm_apply(struct fa_reasm_slot **slot, const struct fa_chunk *c, uint32_t max_message,
				    size_t budget, const uint8_t **out_msg, size_t *out_len, struct fa_error *err);

struct fa_reasm {
	uint32_t max_message; /* largest `total` accepted; 0 means FA_MESSAGE_MAX */
	size_t max_pending;   /* bytes all partial messages may hold together; 0 means 8 x max_message */
	size_t pending;       /* bytes held now by partial messages */
	struct fa_reasm_slot *slots[8];
};

/* Set r up with the given limits (0 for the defaults). Free with fa_reasm_free(). */
void fa_reasm_init(struct fa_reasm *r, uint32_t max_message, size_t max_pending);
void fa_reasm_free(struct fa_reasm *r);

/*
 * Take one chunk (the whole of buf). On FA_CHUNK_COMPLETE, out_msg and out_len give the delivered message (without
 * its CRC), valid until the next call for that slot; otherwise they are left alone.
 * err: optional; for rejected results it says why ("chunk at offset 40: 3 bytes differ from those held").
 * Returns the result; FA_CHUNK_OVER_QUOTA also when memory runs out.
 */
enum fa_chunk_result fa_reasm_push(struct fa_reasm *r, const uint8_t *buf, size_t len, const uint8_t **out_msg,
				   size_t *out_len, struct fa_error *err);

#endif
