/* SPDX-License-Identifier: Apache-2.0 */
/* The lossy link of a step (uplink.h): chunks taken from the SDK, lost or batched; the server's results checked. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/chunk.h"
#include "faultline/errors.h"
#include "rng.h"
#include "truth.h"
#include "uplink.h"

#define MTU_MAX 1024u             /* the SDK's largest chunk */
#define BATCH_RECORDS_MAX 4096u   /* what one request may hold (docs/API.md, the chunks endpoint) */
#define BATCH_BYTES_MAX (1u << 20)
#define NONE SIZE_MAX
#define DISAGREEMENTS_SHOWN 10
#define FULL_ENVELOPE_MIN_KEYS 7u /* version, type, arch, build_id, sw_version, boot_id, payload at least */

static void die(const char *what)
{
	fprintf(stderr, "fleetsim: %s\n", what);
	exit(1);
}

/* Make room for one more of n elements of size `size` in *items (capacity *cap), or exit. */
static void *grow(void *items, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return items;
	*cap = *cap != 0 ? 2 * *cap : 1024;
	items = realloc(items, *cap * size);
	if (items == NULL)
		die("out of memory for a step's chunks");
	return items;
}

void sim_link_init(struct sim_link *l, double loss, uint32_t mtu)
{
	memset(l, 0, sizeof(*l));
	l->loss = loss;
	l->mtu = mtu < MTU_MAX ? mtu : MTU_MAX;
}

void sim_link_free(struct sim_link *l)
{
	free(l->bytes);
	free(l->batches);
	free(l->msgs);
	free(l->sent);
	memset(l, 0, sizeof(*l));
}

void sim_link_step(struct sim_link *l, int64_t received)
{
	l->received = received;
	l->len = l->nbatches = l->nmsgs = l->started = l->nsent = 0;
}

void sim_link_device(struct sim_link *l, const char *serial)
{
	if (l->nbatches > 0 && l->batches[l->nbatches - 1].nsent == 0)
		l->nbatches--; /* the device before sent nothing: no request */
	l->batches = grow(l->batches, l->nbatches, &l->cap_batches, sizeof(*l->batches));
	l->batches[l->nbatches++] = (struct sim_batch){serial, l->len, 0, l->nsent, 0};
}

void sim_link_expect(struct sim_link *l, const struct sim_msg *m)
{
	l->msgs = grow(l->msgs, l->nmsgs, &l->cap_msgs, sizeof(*l->msgs));
	l->msgs[l->nmsgs] = *m;
	l->msgs[l->nmsgs].chunks = l->msgs[l->nmsgs].lost = 0;
	l->nmsgs++;
}

/* A chunk put into the current batch as a record (docs/FORMAT.md §5: LEB128 length, then the chunk). */
static void put_record(struct sim_link *l, const uint8_t *chunk, size_t n, size_t msg)
{
	struct sim_batch *b = &l->batches[l->nbatches - 1];

	if (b->nsent == BATCH_RECORDS_MAX || b->len + n + 2 > BATCH_BYTES_MAX)
		die("a device's chunks of one step do not fit one request (4,096 chunks, 1 MiB): a shorter --step");
	while (l->len + n + 2 > l->cap) {
		l->cap = l->cap != 0 ? 2 * l->cap : 65536;
		l->bytes = realloc(l->bytes, l->cap);
		if (l->bytes == NULL)
			die("out of memory for a step's chunks");
	}
	if (n >= 128) {
		l->bytes[l->len++] = (uint8_t)(n | 0x80u);
		l->bytes[l->len++] = (uint8_t)(n >> 7);
	} else {
		l->bytes[l->len++] = (uint8_t)n;
	}
	memcpy(l->bytes + l->len, chunk, n);
	l->len += n;
	l->sent = grow(l->sent, l->nsent, &l->cap_sent, sizeof(*l->sent));
	l->sent[l->nsent++] = (struct sim_sent){(uint32_t)msg, 0};
	b->len = l->len - b->at;
	b->nsent++;
}

/* The message a first chunk starts must be the next one announced: its type (the envelope's second key, when the
 * chunk holds it) says so, and its map's size whether it carries the identity (a compact heartbeat has 4 or 5
 * keys, docs/FORMAT.md §8.4). */
static void check_first(struct sim_msg *m, const uint8_t *chunk, size_t n)
{
	size_t at = 5;

	while (at < n && (chunk[at] & 0x80u) != 0)
		at++; /* total, LEB128 */
	at++;
	if (at >= n || (chunk[at] & 0xe0u) != 0xa0u)
		die("a first chunk without the start of a message map");
	m->identity = m->type != SIM_MSG_HEARTBEAT || (chunk[at] & 0x1fu) >= FULL_ENVELOPE_MIN_KEYS;
	if (at + 4 < n && chunk[at + 3] == 0x01 && chunk[at + 4] != m->type) {
		fprintf(stderr, "fleetsim: the SDK sent a message of type %u where the simulator expected type %u\n",
			chunk[at + 4], m->type);
		exit(1);
	}
}

/* The message msg is over: its last chunk, when that was sent, is marked so. */
static void end_message(struct sim_link *l, size_t msg, size_t last)
{
	if (msg == NONE)
		return;
	if (last != NONE)
		l->sent[last].last = 1;
	l->messages++;
	l->messages_lost += l->msgs[msg].lost > 0;
}

size_t sim_link_pump(struct sim_link *l, uint64_t *rng)
{
	uint8_t chunk[MTU_MAX];
	size_t n, taken = 0, msg = NONE, last = NONE;
	int rc;

	while ((rc = fl_chunk_next(chunk, l->mtu, &n)) == 0) {
		if (fl_chunk_is_first(chunk, n)) {
			end_message(l, msg, last);
			if (l->started == l->nmsgs)
				die("the SDK sent a message the simulator did not queue");
			msg = l->started++;
			check_first(&l->msgs[msg], chunk, n);
		} else if (msg == NONE) {
			die("the SDK sent a continuation chunk before any first chunk");
		}
		l->msgs[msg].chunks++;
		l->chunks++;
		l->chunk_bytes += n;
		taken += n;
		if (l->loss > 0 && sim_rng_chance(rng, l->loss)) {
			l->msgs[msg].lost++;
			l->chunks_lost++;
			last = NONE;
			continue;
		}
		last = l->nsent;
		put_record(l, chunk, n, msg);
	}
	if (rc != FL_ERR_NO_DATA) {
		fprintf(stderr, "fleetsim: fl_chunk_next() returned %d\n", rc);
		exit(1);
	}
	end_message(l, msg, last);
	if (l->started != l->nmsgs)
		die("the SDK did not send a message the simulator saw it queue (its queue dropped it?)");
	return taken;
}

static const char *const k_types[] = {"?", "coredump", "reboot event", "heartbeat"};

static void disagree(struct sim_link *l, const struct sim_batch *b, const struct sim_msg *m, const char *result,
		     const json_t *r)
{
	const char *error = json_string_value(json_object_get(r, "error"));

	if (l->disagreements++ < DISAGREEMENTS_SHOWN)
		fprintf(stderr, "fleetsim: %s: a %s that %s was answered %s%s%s\n", b->serial,
			k_types[m->type <= SIM_MSG_HEARTBEAT ? m->type : 0],
			m->lost == 0 ? "got through whole" : "lost a chunk", result != NULL ? result : "(no result)",
			error != NULL ? ": " : "", error != NULL ? error : "");
}

int sim_link_results(struct sim_link *l, size_t bi, const json_t *results, struct sim_truth *truth)
{
	const struct sim_batch *b = &l->batches[bi];

	if (!json_is_array(results) || json_array_size(results) != b->nsent)
		return -1;
	for (size_t i = 0; i < b->nsent; i++) {
		const struct sim_sent *s = &l->sent[b->sent0 + i];
		const struct sim_msg *m = &l->msgs[s->msg];
		const json_t *r = json_array_get(results, i);
		const char *result = json_string_value(json_object_get(r, "result"));
		bool whole = s->last && m->lost == 0;
		bool complete = result != NULL && strcmp(result, "complete") == 0;

		if (whole && (complete || (result != NULL && strcmp(result, "duplicate") == 0))) {
			const char *hb = json_string_value(json_object_get(r, "heartbeat"));

			sim_truth_delivered(truth, m, l->received);
			if (m->type == SIM_MSG_HEARTBEAT && complete)
				sim_truth_heartbeat_answer(truth, hb != NULL ? hb : "?");
		} else if (whole || complete) {
			disagree(l, b, m, result, r);
		}
	}
	return 0;
}

void sim_link_deliver_all(struct sim_link *l, struct sim_truth *truth)
{
	for (size_t i = 0; i < l->nmsgs; i++)
		if (l->msgs[i].lost == 0)
			sim_truth_delivered(truth, &l->msgs[i], l->received);
}
