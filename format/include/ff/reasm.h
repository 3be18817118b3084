/* SPDX-License-Identifier: Apache-2.0 */
/* The receiver: one device's chunks into messages, by the rules of docs/FORMAT.md §4: eight slots, one per tag;
 * duplicates harmless; conflicts refused; a message delivered once, when its CRC-32 matches; partial messages held
 * within a per-device and an overall budget. One implementation of the rules (ff_receive) over a slot store: in
 * memory for `faultline decode` (struct ff_reasm), in the database for the server. Not thread-safe: a store is
 * used by one thread at a time. */
#ifndef FF_REASM_H
#define FF_REASM_H

#include <stdbool.h>
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

/*
 * A result's name.  r: (in) the result.
 * Returns it as FORMAT.md spells it ("accepted", "crc_mismatch"...), a static string; "unknown" past the table.
 */
const char *ff_chunk_result_name(enum ff_chunk_result r);

/*
 * Whether a result refuses its chunk.  r: (in) the result.
 * Returns 1 for malformed, unsupported_version, too_large, out_of_range, no_message, conflict, crc_mismatch and
 * over_quota; 0 for accepted, duplicate and complete.
 */
int ff_chunk_result_rejected(enum ff_chunk_result r);

enum ff_slot_state {
	FF_SLOT_PARTIAL,
	FF_SLOT_DELIVERED,
	FF_SLOT_FAILED,
};

/* One tag slot's state (§4): the latest message started with that tag. Its stream bytes are the store's. */
struct ff_slot {
	uint16_t boot, seq;
	uint32_t total; /* message bytes; the stream is total + 4 */
	uint32_t have;  /* stream bytes held */
	uint32_t high;  /* one past the highest stream byte held: a chunk from here on is all fresh, and the receiver
			 * asks the store for held bytes only below it (a device sends in order) */
	enum ff_slot_state state;
};

/*
 * Where a receiver keeps one device's eight slots and their bytes: in memory (struct ff_reasm, below) or in the
 * server's database. The receiver (ff_receive) applies every rule of §4 and the budget; a store only keeps what it
 * is told. Every operation returns 0, or a negative FF_ERR_* when the store failed (the chunk is then not taken).
 * ctx is the store's own (passed to each operation).
 */
struct ff_slot_store_ops {
	/* The slot of tag (0..7), for update: a store shared by several processes locks it until the caller's
	 * transaction ends. out: filled when *out_found is set; *out_found false when the tag holds no message. */
	int (*load)(void *ctx, unsigned tag, struct ff_slot *out, bool *out_found);
	/* Which stream bytes of [off, off + len) are held, and their values: held[i] = 1 and buf[i] = the byte for
	 * each one held, held[i] = 0 for the others (buf[i] is then anything). buf/held: the receiver's, len bytes
	 * each. Called only for a slot that exists, with off + len <= total + 4. */
	int (*held)(void *ctx, unsigned tag, uint32_t off, uint32_t len, uint8_t *buf, uint8_t *held);
	/* Keep stream bytes [off, off + len), none of them held yet (the receiver asks only for fresh bytes). data:
	 * the receiver's, valid during the call. */
	int (*put)(void *ctx, unsigned tag, uint32_t off, const uint8_t *data, uint32_t len);
	/* The whole stream of the slot, every byte of it held, into buf (the receiver's, len = total + 4 bytes). */
	int (*read)(void *ctx, unsigned tag, uint8_t *buf, uint32_t len);
	/* Forget the tag's slot and its bytes (a new message takes the tag, or the old one is dropped). */
	int (*drop)(void *ctx, unsigned tag);
	/* Keep the slot's new state (slot NULL: the slot was dropped, nothing to keep). pending_delta: how the bytes
	 * held by partial messages change (the running totals the store keeps for pending(): the device's and
	 * everyone's). */
	int (*save)(void *ctx, unsigned tag, const struct ff_slot *slot, int64_t pending_delta);
	/* Bytes that partial messages hold (each counts total + 4 from its first chunk): this device's, everyone's. */
	int (*pending)(void *ctx, uint64_t *out_device, uint64_t *out_total);
};

/* A store: its operations and their context. */
struct ff_slot_store {
	const struct ff_slot_store_ops *ops;
	void *ctx;
};

/* What a receiver accepts. */
struct ff_receiver_limits {
	uint32_t max_message;    /* the largest total; at most FF_MESSAGE_MAX */
	uint64_t device_pending; /* bytes one device's partial messages may hold together */
	uint64_t total_pending;  /* bytes every device's partial messages may hold together */
};

/*
 * Apply one parsed chunk to its device's slots, by the rules of docs/FORMAT.md §4 and the budget of lim.
 * out: (out) the chunk's result.
 * st: (in) the device's slot store.
 * lim: (in) the limits.
 * c: (in) the chunk, parsed by ff_chunk_parse(); only read.
 * out_msg, out_len: (out) on FF_CHUNK_COMPLETE, the delivered message (without its CRC), a malloc'd copy the
 *                   caller frees; left alone otherwise.
 * err: (out, optional) why a chunk was refused.
 * Returns 0 (*out set); FF_ERR_NOMEM; or the store's error (nothing of the chunk is taken: the caller's
 * transaction, if any, must be rolled back).
 */
int ff_receive(enum ff_chunk_result *out, const struct ff_slot_store *st, const struct ff_receiver_limits *lim,
	       const struct ff_chunk *c, uint8_t **out_msg, size_t *out_len, struct ff_error *err);

/* ---- the in-memory receiver, for one device: `faultline decode` reads chunk files and serial logs with it ---- */

/* One tag's slot and its bytes, in memory. */
struct ff_reasm_tag {
	bool used;
	struct ff_slot slot;
	uint8_t *bytes; /* the stream up to the highest byte held (malloc'd) */
	uint8_t *bits;  /* one bit per byte of bytes: held */
	size_t cap;     /* bytes in bytes */
};

struct ff_reasm {
	uint32_t max_message; /* largest `total` accepted; 0 means FF_MESSAGE_MAX */
	size_t max_pending;   /* bytes all partial messages may hold together; 0 means 8 x max_message */
	size_t pending;       /* bytes held now by partial messages */
	struct ff_reasm_tag tags[8];
	uint8_t *delivered;   /* the last message delivered (malloc'd), until the next push */
};

/*
 * Set up an in-memory receiver.
 * r: (out) the caller's; free what it comes to hold with ff_reasm_free().
 * max_message, max_pending: (in) the limits (see struct ff_reasm); 0 for the defaults.
 */
void ff_reasm_init(struct ff_reasm *r, uint32_t max_message, size_t max_pending);

/* Free what r holds (slots, the last delivered message).  r: (in/out) emptied. */
void ff_reasm_free(struct ff_reasm *r);

/*
 * Take one chunk (parsed here).
 * r: (in/out) the receiver.
 * buf, len: (in) the whole chunk, read during the call only.
 * out_msg, out_len: (out) on FF_CHUNK_COMPLETE, the delivered message (without its CRC), owned by r and valid
 *                   until the next call; otherwise left alone.
 * err: (out, optional) for rejected results, why ("chunk: at offset 40, 3 bytes differ from those held").
 * Returns the result; FF_CHUNK_OVER_QUOTA also when memory runs out.
 */
enum ff_chunk_result ff_reasm_push(struct ff_reasm *r, const uint8_t *buf, size_t len, const uint8_t **out_msg,
				   size_t *out_len, struct ff_error *err);

#ifdef __cplusplus
}
#endif
#endif
