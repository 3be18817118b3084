/* SPDX-License-Identifier: Apache-2.0 */
/* The receiver rules of docs/FORMAT.md §4, once, over a slot store; and the in-memory store. */
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

static uint64_t partial(const struct ff_slot *s)
{
	return s->state == FF_SLOT_PARTIAL ? (uint64_t)s->total + FF_CRC_TRAILER : 0;
}

/* What a partial message may still take: the least the device's and the overall budget leave, plus what the
 * message being replaced held (before). */
static uint64_t budget(uint64_t dev, uint64_t all, const struct ff_receiver_limits *lim, uint64_t before)
{
	uint64_t a = dev < lim->device_pending ? lim->device_pending - dev : 0;
	uint64_t b = all < lim->total_pending ? lim->total_pending - all : 0;

	return (a < b ? a : b) + before;
}

/* Compare the chunk with the bytes held at its offsets. Returns the count of fresh bytes, or -1 when some differ
 * (*first_diff, *ndiff say where and how many). held[] tells which are fresh afterwards. */
static long compare(const uint8_t *buf, const uint8_t *held, const struct ff_chunk *c, uint32_t *first_diff,
		    uint32_t *ndiff)
{
	long fresh = 0;

	*ndiff = 0;
	for (size_t i = 0; i < c->len; i++) {
		if (!held[i])
			fresh++;
		else if (buf[i] != c->data[i] && (*ndiff)++ == 0)
			*first_diff = c->offset + (uint32_t)i;
	}
	return *ndiff == 0 ? fresh : -1;
}

/* Keep the chunk's fresh bytes, one put per run of them. */
static int put_fresh(const struct ff_slot_store *st, unsigned tag, const struct ff_chunk *c, const uint8_t *held)
{
	int rc = 0;

	for (size_t i = 0; i < c->len && rc == 0;) {
		size_t run = 0;

		if (held[i]) {
			i++;
			continue;
		}
		while (i + run < c->len && !held[i + run])
			run++;
		rc = st->ops->put(st->ctx, tag, c->offset + (uint32_t)i, c->data + i, (uint32_t)run);
		i += run;
	}
	return rc;
}

/* Every stream byte is held: check the CRC, then deliver (a copy for the caller) or fail the slot. */
static int finish(enum ff_chunk_result *out, const struct ff_slot_store *st, unsigned tag, struct ff_slot *s,
		  uint8_t **out_msg, size_t *out_len, struct ff_error *err)
{
	uint32_t stream = s->total + FF_CRC_TRAILER, got, want;
	uint8_t *bytes = malloc(stream);
	int rc;

	if (bytes == NULL)
		return ff_error_set(err, FF_ERR_NOMEM, "chunk: out of memory for a %u-byte message", s->total);
	rc = st->ops->read(st->ctx, tag, bytes, stream);
	if (rc != 0) {
		free(bytes);
		return rc;
	}
	want = ff_le32(bytes + s->total);
	got = (uint32_t)crc32(0, bytes, s->total);
	if (got != want) {
		free(bytes);
		s->state = FF_SLOT_FAILED;
		s->have = s->high = 0;
		ff_error_set(err, FF_ERR_MALFORMED, "chunk: message %u/%u failed its CRC (0x%08x, trailer 0x%08x): "
			     "discarded", s->boot, s->seq, got, want);
		*out = FF_CHUNK_CRC_MISMATCH;
		return st->ops->drop(st->ctx, tag); /* the bytes are discarded; the slot is saved as failed */
	}
	s->state = FF_SLOT_DELIVERED;
	*out_msg = bytes;
	*out_len = s->total;
	*out = FF_CHUNK_COMPLETE;
	return 0;
}

/* A first chunk starts a new message in its tag: the old one is dropped, whatever becomes of this one. */
static int start(enum ff_chunk_result *out, const struct ff_slot_store *st, struct ff_slot *s, bool *found,
		 uint64_t room, const struct ff_chunk *c, struct ff_error *err)
{
	int rc;

	if (*found) {
		rc = st->ops->drop(st->ctx, c->tag);
		if (rc != 0)
			return rc;
		*found = false;
	}
	if ((uint64_t)c->total + FF_CRC_TRAILER > room) {
		ff_error_set(err, FF_ERR_TOO_LARGE, "chunk: a %u-byte message does not fit the %llu bytes left for partial "
			     "messages", c->total, (unsigned long long)room);
		*out = FF_CHUNK_OVER_QUOTA;
		return 0;
	}
	*s = (struct ff_slot){.boot = c->boot, .seq = c->seq, .total = c->total, .state = FF_SLOT_PARTIAL};
	*found = true;
	*out = FF_CHUNK_ACCEPTED;
	return 0;
}

int ff_receive(enum ff_chunk_result *out, const struct ff_slot_store *st, const struct ff_receiver_limits *lim,
	       const struct ff_chunk *c, uint8_t **out_msg, size_t *out_len, struct ff_error *err)
{
	struct ff_slot s = {0};
	uint8_t *buf = NULL, *held = NULL;
	uint64_t dev = 0, all = 0, before;
	uint32_t diff_at = 0, ndiff = 0;
	bool found = false;
	long fresh = 0;
	int rc = st->ops->load(st->ctx, c->tag, &s, &found);

	if (rc != 0)
		return rc;
	before = found ? partial(&s) : 0;
	if (c->kind == FF_CHUNK_CONTINUATION) {
		if (!found || s.state == FF_SLOT_FAILED) {
			ff_error_set(err, FF_ERR_MALFORMED, "chunk: tag %u at offset %u belongs to no message %s", c->tag,
				     c->offset, !found ? "(its first chunk never arrived)" : "(it failed its CRC)");
			*out = FF_CHUNK_NO_MESSAGE;
			return 0;
		}
		if (c->offset + c->len > (size_t)s.total + FF_CRC_TRAILER) {
			ff_error_set(err, FF_ERR_MALFORMED, "chunk: %zu bytes at offset %u run past the %u-byte stream",
				     c->len, c->offset, s.total + FF_CRC_TRAILER);
			*out = FF_CHUNK_OUT_OF_RANGE;
			return 0;
		}
	} else if (c->total > lim->max_message) {
		ff_error_set(err, FF_ERR_TOO_LARGE, "chunk: a %u-byte message is above the limit of %u", c->total,
			     lim->max_message);
		*out = FF_CHUNK_TOO_LARGE;
		return 0;
	}
	buf = malloc(c->len);
	held = malloc(c->len);
	if (buf == NULL || held == NULL) {
		rc = ff_error_set(err, FF_ERR_NOMEM, "chunk: out of memory");
		goto done;
	}
	/* Same identity, same length, same bytes: a retransmission. A first chunk that differs in any: a new message. */
	if (found && (c->kind == FF_CHUNK_CONTINUATION ||
		      (s.boot == c->boot && s.seq == c->seq && s.total == c->total && s.state != FF_SLOT_FAILED))) {
		memset(held, 0, c->len);
		if (c->offset < s.high && (rc = st->ops->held(st->ctx, c->tag, c->offset, (uint32_t)c->len, buf, held)) != 0)
			goto done;
		fresh = compare(buf, held, c, &diff_at, &ndiff);
	}
	if (c->kind == FF_CHUNK_FIRST && (!found || fresh < 0 || s.boot != c->boot || s.seq != c->seq ||
					  s.total != c->total || s.state == FF_SLOT_FAILED)) {
		if ((rc = st->ops->pending(st->ctx, &dev, &all)) != 0 ||
		    (rc = start(out, st, &s, &found, budget(dev, all, lim, before), c, err)) != 0)
			goto done;
		if (!found) { /* refused, and the old message is gone: only its bytes leave the totals */
			rc = before > 0 ? st->ops->save(st->ctx, c->tag, NULL, -(int64_t)before) : 0;
			goto done;
		}
		memset(held, 0, c->len);
		fresh = (long)c->len;
	} else if (fresh < 0) {
		ff_error_set(err, FF_ERR_MALFORMED, "chunk: at offset %u, %u bytes differ from those held (from offset %u)",
			     c->offset, ndiff, diff_at);
		*out = FF_CHUNK_CONFLICT;
		goto done;
	}
	if (s.state == FF_SLOT_DELIVERED || fresh == 0) { /* every byte matched: a late or repeated copy */
		*out = FF_CHUNK_DUPLICATE;
		goto done;
	}
	if ((rc = put_fresh(st, c->tag, c, held)) != 0)
		goto done;
	s.have += (uint32_t)fresh;
	if (c->offset + c->len > s.high)
		s.high = c->offset + (uint32_t)c->len;
	*out = FF_CHUNK_ACCEPTED;
	if (s.have == s.total + FF_CRC_TRAILER && (rc = finish(out, st, c->tag, &s, out_msg, out_len, err)) != 0)
		goto done;
	rc = st->ops->save(st->ctx, c->tag, &s, (int64_t)partial(&s) - (int64_t)before);
	if (rc != 0 && *out == FF_CHUNK_COMPLETE) {
		free(*out_msg);
		*out_msg = NULL;
	}
done:
	free(buf);
	free(held);
	return rc;
}

/* ---- the in-memory store: eight slots and a budget ---- */

static int mem_load(void *ctx, unsigned tag, struct ff_slot *out, bool *out_found)
{
	struct ff_reasm *r = ctx;

	*out_found = r->tags[tag].used;
	if (*out_found)
		*out = r->tags[tag].slot;
	return 0;
}

static int mem_held(void *ctx, unsigned tag, uint32_t off, uint32_t len, uint8_t *buf, uint8_t *held)
{
	const struct ff_reasm_tag *t = &((struct ff_reasm *)ctx)->tags[tag];

	for (uint32_t i = 0; i < len; i++) {
		uint32_t at = off + i;

		held[i] = at < t->cap && (t->bits[at / 8] >> (at % 8) & 1);
		buf[i] = held[i] ? t->bytes[at] : 0;
	}
	return 0;
}

/* Bytes are kept in buffers that grow to the highest offset held (the slot's total is saved after its bytes). */
static int mem_put(void *ctx, unsigned tag, uint32_t off, const uint8_t *data, uint32_t len)
{
	struct ff_reasm_tag *t = &((struct ff_reasm *)ctx)->tags[tag];
	size_t end = (size_t)off + len;

	if (end > t->cap) {
		uint8_t *bytes = realloc(t->bytes, end), *bits = realloc(t->bits, (end + 7) / 8);

		if (bytes != NULL)
			t->bytes = bytes;
		if (bits != NULL)
			t->bits = bits;
		if (bytes == NULL || bits == NULL)
			return FF_ERR_NOMEM;
		memset(t->bits + (t->cap + 7) / 8, 0, (end + 7) / 8 - (t->cap + 7) / 8);
		t->cap = end;
	}
	memcpy(t->bytes + off, data, len);
	for (uint32_t at = off; at < end; at++)
		t->bits[at / 8] |= (uint8_t)(1u << (at % 8));
	return 0;
}

static int mem_read(void *ctx, unsigned tag, uint8_t *buf, uint32_t len)
{
	memcpy(buf, ((struct ff_reasm *)ctx)->tags[tag].bytes, len);
	return 0;
}

static int mem_drop(void *ctx, unsigned tag)
{
	struct ff_reasm_tag *t = &((struct ff_reasm *)ctx)->tags[tag];

	free(t->bytes);
	free(t->bits);
	memset(t, 0, sizeof(*t));
	return 0;
}

static int mem_save(void *ctx, unsigned tag, const struct ff_slot *slot, int64_t pending_delta)
{
	struct ff_reasm *r = ctx;

	if (slot != NULL) {
		r->tags[tag].slot = *slot;
		r->tags[tag].used = true;
	}
	r->pending = (size_t)((int64_t)r->pending + pending_delta);
	return 0;
}

static int mem_pending(void *ctx, uint64_t *out_device, uint64_t *out_total)
{
	*out_device = *out_total = ((struct ff_reasm *)ctx)->pending;
	return 0;
}

static const struct ff_slot_store_ops k_memory = {
	.load = mem_load, .held = mem_held, .put = mem_put, .read = mem_read, .drop = mem_drop, .save = mem_save,
	.pending = mem_pending,
};

void ff_reasm_init(struct ff_reasm *r, uint32_t max_message, size_t max_pending)
{
	memset(r, 0, sizeof(*r));
	r->max_message = max_message != 0 && max_message < FF_MESSAGE_MAX ? max_message : FF_MESSAGE_MAX;
	r->max_pending = max_pending != 0 ? max_pending : 8u * (size_t)(r->max_message + FF_CRC_TRAILER);
}

void ff_reasm_free(struct ff_reasm *r)
{
	for (unsigned t = 0; t < 8; t++)
		mem_drop(r, t);
	free(r->delivered);
	r->delivered = NULL;
	r->pending = 0;
}

enum ff_chunk_result ff_reasm_push(struct ff_reasm *r, const uint8_t *buf, size_t len, const uint8_t **out_msg,
				   size_t *out_len, struct ff_error *err)
{
	const struct ff_slot_store st = {&k_memory, r};
	const struct ff_receiver_limits lim = {r->max_message, r->max_pending, r->max_pending};
	enum ff_chunk_result res = FF_CHUNK_OVER_QUOTA;
	struct ff_chunk c;
	uint8_t *msg = NULL;
	size_t msg_len = 0;
	int rc = ff_chunk_parse(&c, buf, len, err);

	if (rc == FF_ERR_UNSUPPORTED)
		return FF_CHUNK_UNSUPPORTED_VERSION;
	if (rc != 0)
		return FF_CHUNK_MALFORMED;
	free(r->delivered);
	r->delivered = NULL;
	if (ff_receive(&res, &st, &lim, &c, &msg, &msg_len, err) != 0)
		return FF_CHUNK_OVER_QUOTA; /* out of memory */
	if (res == FF_CHUNK_COMPLETE) {
		r->delivered = msg;
		*out_msg = msg;
		*out_len = msg_len;
	}
	return res;
}
