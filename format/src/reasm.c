/* SPDX-License-Identifier: Apache-2.0 */
/* Chunk reassembly by docs/FORMAT.md §4. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "ff/bytes.h"
#include "ff/chunk.h"
#include "ff/reasm.h"

static const char *const k_names[] = {
	"accepted", "duplicate", "complete", "malformed", "unsupported_version", "too_large",
	"out_of_range", "no_message", "conflict", "crc_mismatch", "over_quota",
};

const char *ff_chunk_result_name(enum ff_chunk_result r)
{
	return (unsigned)r < sizeof(k_names) / sizeof(k_names[0]) ? k_names[r] : "unknown";
}

int ff_chunk_result_rejected(enum ff_chunk_result r)
{
	return r >= FF_CHUNK_MALFORMED;
}

void ff_reasm_init(struct ff_reasm *r, uint32_t max_message, size_t max_pending)
{
	memset(r, 0, sizeof(*r));
	r->max_message = max_message != 0 && max_message < FF_MESSAGE_MAX ? max_message : FF_MESSAGE_MAX;
	r->max_pending = max_pending != 0 ? max_pending : 8u * (size_t)(r->max_message + FF_CRC_TRAILER);
}

void ff_reasm_slot_free(struct ff_reasm_slot *s)
{
	if (s == NULL)
		return;
	free(s->bytes);
	free(s->held);
	free(s);
}

static int is_held(const struct ff_reasm_slot *s, uint32_t i)
{
	return s->held[i / 8] >> (i % 8) & 1;
}

/* Do the chunk's bytes agree with those held? *first_diff: the first stream offset that differs. */
static int agrees(const struct ff_reasm_slot *s, const struct ff_chunk *c, uint32_t *first_diff, uint32_t *ndiff)
{
	*ndiff = 0;
	for (uint32_t i = 0; i < c->len; i++) {
		uint32_t at = c->offset + i;

		if (is_held(s, at) && s->bytes[at] != c->data[i]) {
			if ((*ndiff)++ == 0)
				*first_diff = at;
		}
	}
	return *ndiff == 0;
}

/* Store the chunk's new bytes. Returns how many were new. */
static uint32_t store(struct ff_reasm_slot *s, const struct ff_chunk *c)
{
	uint32_t fresh = 0;

	for (uint32_t i = 0; i < c->len; i++) {
		uint32_t at = c->offset + i;

		if (!is_held(s, at)) {
			s->bytes[at] = c->data[i];
			s->held[at / 8] |= (uint8_t)(1u << (at % 8));
			fresh++;
		}
	}
	s->have += fresh;
	return fresh;
}

static enum ff_chunk_result start(struct ff_reasm_slot **slot, const struct ff_chunk *c, size_t budget,
				  struct ff_error *err)
{
	uint32_t stream = c->total + FF_CRC_TRAILER;
	struct ff_reasm_slot *s;

	ff_reasm_slot_free(*slot);
	*slot = NULL;
	if (stream > budget) {
		ff_error_set(err, FF_ERR_TOO_LARGE, "chunk: a %u-byte message does not fit the %zu bytes left for partial "
				  "messages", c->total, budget);
		return FF_CHUNK_OVER_QUOTA;
	}
	s = calloc(1, sizeof(*s));
	if (s != NULL) {
		s->bytes = malloc(stream);
		s->held = calloc((stream + 7) / 8, 1);
	}
	if (s == NULL || s->bytes == NULL || s->held == NULL) {
		ff_reasm_slot_free(s);
		ff_error_set(err, FF_ERR_NOMEM, "chunk: out of memory for a %u-byte message", c->total);
		return FF_CHUNK_OVER_QUOTA;
	}
	s->boot = c->boot;
	s->seq = c->seq;
	s->total = c->total;
	s->state = FF_SLOT_PARTIAL;
	*slot = s;
	return FF_CHUNK_ACCEPTED;
}

/* Every stream byte is held: check the CRC and deliver, or discard. */
static enum ff_chunk_result finish(struct ff_reasm_slot *s, const uint8_t **out_msg, size_t *out_len,
				   struct ff_error *err)
{
	const uint8_t *t = s->bytes + s->total;
	uint32_t want = ff_le32(t);
	uint32_t got = (uint32_t)crc32(0, s->bytes, s->total);

	if (got != want) {
		s->state = FF_SLOT_FAILED;
		ff_error_set(err, FF_ERR_MALFORMED, "chunk: message %u/%u failed its CRC (0x%08x, trailer 0x%08x): "
				  "discarded", s->boot, s->seq, got, want);
		return FF_CHUNK_CRC_MISMATCH;
	}
	s->state = FF_SLOT_DELIVERED;
	*out_msg = s->bytes;
	*out_len = s->total;
	return FF_CHUNK_COMPLETE;
}

enum ff_chunk_result ff_reasm_apply(struct ff_reasm_slot **slot, const struct ff_chunk *c, uint32_t max_message,
				    size_t budget, const uint8_t **out_msg, size_t *out_len, struct ff_error *err)
{
	struct ff_reasm_slot *s = *slot;
	uint32_t diff_at = 0, ndiff;

	if (c->kind == FF_CHUNK_FIRST) {
		if (c->total > max_message) {
			ff_error_set(err, FF_ERR_TOO_LARGE, "chunk: a %u-byte message is above the limit of %u", c->total,
				     max_message);
			return FF_CHUNK_TOO_LARGE;
		}
		/* Same identity, same length, same bytes: a retransmission. Anything else: a new message. */
		if (s == NULL || s->boot != c->boot || s->seq != c->seq || s->total != c->total ||
		    s->state == FF_SLOT_FAILED || !agrees(s, c, &diff_at, &ndiff)) {
			enum ff_chunk_result res = start(slot, c, budget, err);

			if (res != FF_CHUNK_ACCEPTED)
				return res;
			s = *slot;
		}
	} else {
		if (s == NULL || s->state == FF_SLOT_FAILED) {
			ff_error_set(err, FF_ERR_MALFORMED, "chunk: tag %u at offset %u belongs to no message %s", c->tag,
				     c->offset, s == NULL ? "(its first chunk never arrived)" : "(it failed its CRC)");
			return FF_CHUNK_NO_MESSAGE;
		}
		if (c->offset + c->len > (size_t)s->total + FF_CRC_TRAILER) {
			ff_error_set(err, FF_ERR_MALFORMED, "chunk: %zu bytes at offset %u run past the %u-byte stream",
				     c->len, c->offset, s->total + FF_CRC_TRAILER);
			return FF_CHUNK_OUT_OF_RANGE;
		}
		if (!agrees(s, c, &diff_at, &ndiff)) {
			ff_error_set(err, FF_ERR_MALFORMED, "chunk: at offset %u, %u bytes differ from those held (from "
					  "offset %u)", c->offset, ndiff, diff_at);
			return FF_CHUNK_CONFLICT;
		}
	}
	if (s->state == FF_SLOT_DELIVERED)
		return FF_CHUNK_DUPLICATE; /* every byte matched the delivered message */
	if (store(s, c) == 0)
		return FF_CHUNK_DUPLICATE;
	if (s->have == s->total + FF_CRC_TRAILER)
		return finish(s, out_msg, out_len, err);
	return FF_CHUNK_ACCEPTED;
}

/* ---- the in-memory receiver: eight slots and a budget ---- */

static size_t partial_bytes(const struct ff_reasm_slot *s)
{
	return s != NULL && s->state == FF_SLOT_PARTIAL ? s->total + FF_CRC_TRAILER : 0;
}

void ff_reasm_free(struct ff_reasm *r)
{
	for (unsigned t = 0; t < 8; t++) {
		ff_reasm_slot_free(r->slots[t]);
		r->slots[t] = NULL;
	}
	r->pending = 0;
}

enum ff_chunk_result ff_reasm_push(struct ff_reasm *r, const uint8_t *buf, size_t len, const uint8_t **out_msg,
				   size_t *out_len, struct ff_error *err)
{
	struct ff_chunk c;
	enum ff_chunk_result res;
	size_t before;
	int rc = ff_chunk_parse(&c, buf, len, err);

	if (rc == FF_ERR_UNSUPPORTED)
		return FF_CHUNK_UNSUPPORTED_VERSION;
	if (rc != 0)
		return FF_CHUNK_MALFORMED;
	before = partial_bytes(r->slots[c.tag]);
	/* a new message may take what the others leave, plus what the message it replaces held */
	res = ff_reasm_apply(&r->slots[c.tag], &c, r->max_message, r->max_pending - r->pending + before, out_msg,
			     out_len, err);
	r->pending = r->pending - before + partial_bytes(r->slots[c.tag]);
	return res;
}
