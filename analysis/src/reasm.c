/* SPDX-License-Identifier: Apache-2.0 */
/* Chunk reassembly by docs/FORMAT.md §4. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fa/chunk.h"
#include "fa/reasm.h"

static const char *const k_names[] = {
	"accepted", "duplicate", "complete", "malformed", "unsupported_version", "too_large",
	"out_of_range", "no_message", "conflict", "crc_mismatch", "over_quota",
};

const char *fa_chunk_result_name(enum fa_chunk_result r)
{
	return (unsigned)r < sizeof(k_names) / sizeof(k_names[0]) ? k_names[r] : "unknown";
}

int fa_chunk_result_rejected(enum fa_chunk_result r)
{
	return r >= FA_CHUNK_MALFORMED;
}

void fa_reasm_init(struct fa_reasm *r, uint32_t max_message, size_t max_pending)
{
	memset(r, 0, sizeof(*r));
	r->max_message = max_message != 0 && max_message < FA_MESSAGE_MAX ? max_message : FA_MESSAGE_MAX;
	r->max_pending = max_pending != 0 ? max_pending : 8u * (size_t)(r->max_message + FA_CRC_TRAILER);
}

void fa_reasm_slot_free(struct fa_reasm_slot *s)
{
	if (s == NULL)
		return;
	free(s->bytes);
	free(s->held);
	free(s);
}

static int is_held(const struct fa_reasm_slot *s, uint32_t i)
{
	return s->held[i / 8] >> (i % 8) & 1;
}

/* Do the chunk's bytes agree with those held? *first_diff: the first stream offset that differs. */
static int agrees(const struct fa_reasm_slot *s, const struct fa_chunk *c, uint32_t *first_diff, uint32_t *ndiff)
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
static uint32_t store(struct fa_reasm_slot *s, const struct fa_chunk *c)
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

static enum fa_chunk_result start(struct fa_reasm_slot **slot, const struct fa_chunk *c, size_t budget,
				  struct fa_error *err)
{
	uint32_t stream = c->total + FA_CRC_TRAILER;
	struct fa_reasm_slot *s;

	fa_reasm_slot_free(*slot);
	*slot = NULL;
	if (stream > budget) {
		fa_error_set(err, FA_ERR_TOO_LARGE, "chunk: a %u-byte message does not fit the %zu bytes left for partial "
				  "messages", c->total, budget);
		return FA_CHUNK_OVER_QUOTA;
	}
	s = calloc(1, sizeof(*s));
	if (s != NULL) {
		s->bytes = malloc(stream);
		s->held = calloc((stream + 7) / 8, 1);
	}
	if (s == NULL || s->bytes == NULL || s->held == NULL) {
		fa_reasm_slot_free(s);
		fa_error_set(err, FA_ERR_NOMEM, "chunk: out of memory for a %u-byte message", c->total);
		return FA_CHUNK_OVER_QUOTA;
	}
	s->boot = c->boot;
	s->seq = c->seq;
	s->total = c->total;
	s->state = FA_SLOT_PARTIAL;
	*slot = s;
	return FA_CHUNK_ACCEPTED;
}

/* Every stream byte is held: check the CRC and deliver, or discard. */
static enum fa_chunk_result finish(struct fa_reasm_slot *s, const uint8_t **out_msg, size_t *out_len,
				   struct fa_error *err)
{
	const uint8_t *t = s->bytes + s->total;
	uint32_t want = (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24;
	uint32_t got = (uint32_t)crc32(0, s->bytes, s->total);

	if (got != want) {
		s->state = FA_SLOT_FAILED;
		fa_error_set(err, FA_ERR_MALFORMED, "chunk: message %u/%u failed its CRC (0x%08x, trailer 0x%08x): "
				  "discarded", s->boot, s->seq, got, want);
		return FA_CHUNK_CRC_MISMATCH;
	}
	s->state = FA_SLOT_DELIVERED;
	*out_msg = s->bytes;
	*out_len = s->total;
	return FA_CHUNK_COMPLETE;
}

enum fa_chunk_result fa_reasm_apply(struct fa_reasm_slot **slot, const struct fa_chunk *c, uint32_t max_message,
				    size_t budget, const uint8_t **out_msg, size_t *out_len, struct fa_error *err)
{
	struct fa_reasm_slot *s = *slot;
	uint32_t diff_at = 0, ndiff;

	if (c->kind == FA_CHUNK_FIRST) {
		if (c->total > max_message) {
			fa_error_set(err, FA_ERR_TOO_LARGE, "chunk: a %u-byte message is above the limit of %u", c->total,
				     max_message);
			return FA_CHUNK_TOO_LARGE;
		}
		/* Same identity, same length, same bytes: a retransmission. Anything else: a new message. */
		if (s == NULL || s->boot != c->boot || s->seq != c->seq || s->total != c->total ||
		    s->state == FA_SLOT_FAILED || !agrees(s, c, &diff_at, &ndiff)) {
			enum fa_chunk_result res = start(slot, c, budget, err);

			if (res != FA_CHUNK_ACCEPTED)
				return res;
			s = *slot;
		}
	} else {
		if (s == NULL || s->state == FA_SLOT_FAILED) {
			fa_error_set(err, FA_ERR_MALFORMED, "chunk: tag %u at offset %u belongs to no message %s", c->tag,
				     c->offset, s == NULL ? "(its first chunk never arrived)" : "(it failed its CRC)");
			return FA_CHUNK_NO_MESSAGE;
		}
		if (c->offset + c->len > (size_t)s->total + FA_CRC_TRAILER) {
			fa_error_set(err, FA_ERR_MALFORMED, "chunk: %zu bytes at offset %u run past the %u-byte stream",
				     c->len, c->offset, s->total + FA_CRC_TRAILER);
			return FA_CHUNK_OUT_OF_RANGE;
		}
		if (!agrees(s, c, &diff_at, &ndiff)) {
			fa_error_set(err, FA_ERR_MALFORMED, "chunk: at offset %u, %u bytes differ from those held (from "
					  "offset %u)", c->offset, ndiff, diff_at);
			return FA_CHUNK_CONFLICT;
		}
	}
	if (s->state == FA_SLOT_DELIVERED)
		return FA_CHUNK_DUPLICATE; /* every byte matched the delivered message */
	if (store(s, c) == 0)
		return FA_CHUNK_DUPLICATE;
	if (s->have == s->total + FA_CRC_TRAILER)
		return finish(s, out_msg, out_len, err);
	return FA_CHUNK_ACCEPTED;
}

/* ---- the in-memory receiver: eight slots and a budget ---- */

static size_t partial_bytes(const struct fa_reasm_slot *s)
{
	return s != NULL && s->state == FA_SLOT_PARTIAL ? s->total + FA_CRC_TRAILER : 0;
}

void fa_reasm_free(struct fa_reasm *r)
{
	for (unsigned t = 0; t < 8; t++) {
		fa_reasm_slot_free(r->slots[t]);
		r->slots[t] = NULL;
	}
	r->pending = 0;
}

enum fa_chunk_result fa_reasm_push(struct fa_reasm *r, const uint8_t *buf, size_t len, const uint8_t **out_msg,
				   size_t *out_len, struct fa_error *err)
{
	struct fa_chunk c;
	enum fa_chunk_result res;
	size_t before;
	int rc = fa_chunk_parse(&c, buf, len, err);

	if (rc == FA_ERR_UNSUPPORTED)
		return FA_CHUNK_UNSUPPORTED_VERSION;
	if (rc != 0)
		return FA_CHUNK_MALFORMED;
	before = partial_bytes(r->slots[c.tag]);
	/* a new message may take what the others leave, plus what the message it replaces held */
	res = fa_reasm_apply(&r->slots[c.tag], &c, r->max_message, r->max_pending - r->pending + before, out_msg,
			     out_len, err);
	r->pending = r->pending - before + partial_bytes(r->slots[c.tag]);
	return res;
}
