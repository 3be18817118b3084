/* SPDX-License-Identifier: Apache-2.0 */
/* Ingest (ingest.h): the server's slots are a store of format/'s one receiver; this file adapts one to the other
 * and keeps a request's chunks together in the group commit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "ff/bytes.h"
#include "ff/chunk.h"
#include "ff/message.h"
#include "ff/metrics.h"
#include "ingest.h"

const struct ff_receiver_limits srv_ingest_limits = {SRV_MESSAGE_MAX, SRV_DEVICE_PENDING_MAX, SRV_TOTAL_PENDING_MAX};

/* One device's slots in the store, as the receiver sees them (store held, inside the request's transaction). A
 * request's view: each tag's slot is loaded once and written once, however many of its chunks the request
 * carries, and the pending totals are read once and moved once. */
struct device_store {
	struct srv_store *st;
	int64_t device, now;
	bool loaded[8], found[8], dirty[8];
	struct ff_slot slot[8];
	bool have_pending;
	uint64_t dev_pending, all_pending;
	int64_t delta; /* pending bytes moved by this request, not yet written */
};

static int as_ff(int rc)
{
	return rc < 0 ? FF_ERR_IO : 0;
}

static int ds_load(void *ctx, unsigned tag, struct ff_slot *out, bool *out_found)
{
	struct device_store *d = ctx;

	if (!d->loaded[tag]) {
		int rc = d->st->ops->slot_load(d->st, d->device, tag, &d->slot[tag]);

		if (rc < 0)
			return FF_ERR_IO;
		d->loaded[tag] = true;
		d->found[tag] = rc == 0;
	}
	*out_found = d->found[tag];
	*out = d->slot[tag];
	return 0;
}

static int ds_held(void *ctx, unsigned tag, uint32_t off, uint32_t len, uint8_t *buf, uint8_t *held)
{
	struct device_store *d = ctx;

	return as_ff(d->st->ops->slot_held(d->st, d->device, tag, off, len, buf, held));
}

static int ds_put(void *ctx, unsigned tag, uint32_t off, const uint8_t *data, uint32_t len)
{
	struct device_store *d = ctx;

	return as_ff(d->st->ops->slot_put(d->st, d->device, tag, off, data, len));
}

static int ds_read(void *ctx, unsigned tag, uint8_t *buf, uint32_t len)
{
	struct device_store *d = ctx;

	return as_ff(d->st->ops->slot_read(d->st, d->device, tag, buf, len));
}

static int ds_drop(void *ctx, unsigned tag)
{
	struct device_store *d = ctx;

	d->loaded[tag] = true;
	d->found[tag] = d->dirty[tag] = false;
	return as_ff(d->st->ops->slot_drop(d->st, d->device, tag));
}

static int ds_save(void *ctx, unsigned tag, const struct ff_slot *slot, int64_t pending_delta)
{
	struct device_store *d = ctx;

	if (slot != NULL) {
		d->slot[tag] = *slot;
		d->loaded[tag] = d->found[tag] = d->dirty[tag] = true;
	}
	d->delta += pending_delta;
	return 0;
}

static int ds_pending(void *ctx, uint64_t *out_device, uint64_t *out_total)
{
	struct device_store *d = ctx;

	if (!d->have_pending && d->st->ops->pending(d->st, d->device, &d->dev_pending, &d->all_pending) != 0)
		return FF_ERR_IO;
	d->have_pending = true;
	*out_device = (uint64_t)((int64_t)d->dev_pending + d->delta);
	*out_total = (uint64_t)((int64_t)d->all_pending + d->delta);
	return 0;
}

/* What the request changed, written once: each slot it touched, then the totals. */
static int ds_flush(struct device_store *d)
{
	for (unsigned tag = 0; tag < 8; tag++)
		if (d->dirty[tag] && d->st->ops->slot_save(d->st, d->device, tag, &d->slot[tag], 0, d->now) != 0)
			return -1;
	return d->delta != 0 ? d->st->ops->slot_save(d->st, d->device, 0, NULL, d->delta, d->now) : 0;
}

static const struct ff_slot_store_ops k_device_store = {
	.load = ds_load, .held = ds_held, .put = ds_put, .read = ds_read, .drop = ds_drop, .save = ds_save,
	.pending = ds_pending,
};

/* A chunk refused: told why in words while the request has told fewer than SRV_REASONS_MAX. */
static void refuse(struct srv_ingest *in, struct srv_chunk_outcome *o, const struct ff_error *err)
{
	o->refused = true;
	if (in->reasons < SRV_REASONS_MAX) {
		o->error = srv_strdup(err->msg);
		in->reasons++;
	}
}

/* The request is refused by a rate limit: undone whole (its caller answers 429). */
static int limited(struct srv_ingest *in, struct srv_store *st, unsigned wait, const char *what)
{
	in->retry_after = wait;
	in->limited = what;
	return srv_store_fail(st, "rate limited: %s", what);
}

const char *srv_hb_outcome_name(enum srv_hb_outcome o)
{
	return o == SRV_HB_COUNTED ? "counted" : o == SRV_HB_WAITING ? "waiting" : "duplicate";
}

void srv_identity_of(struct srv_identity *out, char hex[SRV_BUILD_HEX_MAX], const struct ff_message *m)
{
	ff_hex(hex, SRV_BUILD_HEX_MAX, m->build_id, m->build_id_len);
	*out = (struct srv_identity){hex, m->sw_version, m->hw_version};
}

int srv_ingest_heartbeat(struct srv_store *st, int64_t device, int64_t received, const struct ff_message *m,
			 enum srv_hb_outcome *out, char *why, size_t cap)
{
	char hex[SRV_BUILD_HEX_MAX];
	struct srv_identity id;
	struct srv_heartbeat hb = {.device = device, .received = received, .boot_id = m->boot_id,
				   .identity = m->compact ? NULL : &id, .values = m->heartbeat.values,
				   .nvalues = m->heartbeat.nvalues};

	for (unsigned i = 0; i < FF_HB_BUILTINS; i++) {
		if (m->heartbeat.builtin[i] > UINT32_MAX) {
			snprintf(why, cap, "heartbeat: built-in value %u (%s) is %llu, above 2^32-1", i,
				 ff_hb_builtin_name(i), (unsigned long long)m->heartbeat.builtin[i]);
			return SRV_NONE;
		}
		hb.builtin[i] = (uint32_t)m->heartbeat.builtin[i];
	}
	srv_identity_of(&id, hex, m);
	return st->ops->heartbeat_put(st, &hb, out) == 0 ? 0 : -1;
}

/* A delivered message: a heartbeat is counted at once (it needs no analysis, and a fleet sends many); any other
 * message, and a heartbeat that cannot be counted (the worker then says why), is kept for the workers. A reboot
 * event also gives its boot's identity at once (docs/HEALTH.md): the boot's heartbeats, which follow it on the
 * link, find it, and a boot id that came again is told apart before they arrive. out_fresh: whether it is new (a
 * rate limit counts it). */
static int deliver(struct srv_ingest *in, struct srv_store *st, int64_t device, const uint8_t *msg, size_t len,
		   struct srv_chunk_outcome *o, bool *out_fresh)
{
	static _Thread_local struct ff_message m;
	enum srv_hb_outcome hb;
	char why[256], hex[SRV_BUILD_HEX_MAX];
	bool parsed = len <= FF_HB_BYTES_MAX + 256 && ff_message_parse(&m, msg, len, NULL) == 0;
	int rc = SRV_NONE;

	if (parsed && m.type == FF_MSG_HEARTBEAT)
		rc = srv_ingest_heartbeat(st, device, in->now, &m, &hb, why, sizeof(why));
	if (rc == 0) {
		o->heartbeat = srv_hb_outcome_name(hb);
		*out_fresh = hb != SRV_HB_DUPLICATE;
	} else if (rc == SRV_NONE) {
		rc = st->ops->message_add(st, device, msg, len, in->now, &o->message, out_fresh);
		if (rc == 0 && *out_fresh && parsed && m.type == FF_MSG_REBOOT) {
			struct srv_identity id;

			srv_identity_of(&id, hex, &m);
			rc = st->ops->boot_put(st, device, m.boot_id, &id, in->now, o->message, NULL);
		}
	}
	ff_message_free(&m);
	return rc == 0 ? 0 : -1;
}

int srv_ingest_apply(struct srv_store *st, void *ctx)
{
	struct srv_ingest *out = ctx;
	const struct ff_chunk *chunks = out->parsed;
	const struct ff_receiver_limits *lim = out->lim;
	int64_t now = out->now;
	const char *serial = out->serial;
	struct device_store d = {.st = st, .now = now};
	const struct ff_slot_store store = {&k_device_store, &d};
	unsigned wait = out->rate != NULL ? srv_limits_new_device(out->rate, now) : 0;
	bool created = false;
	int rc = st->ops->device(st, serial, now, wait == 0, &d.device, &created);

	if (rc == SRV_NONE) { /* a serial never seen, with the hour's new devices all made */
		srv_limits_device_refused(out->rate);
		return limited(out, st, wait, "new devices this hour (faultline-server --new-devices-per-hour)");
	}
	if (rc != 0)
		return -1;
	out->charged.device = d.device;
	if (created && out->rate != NULL) {
		srv_limits_device_made(out->rate, now);
		out->charged.device_made = true;
	}
	for (size_t i = 0; i < out->n; i++) {
		struct srv_chunk_outcome *o = &out->chunks[i];
		struct ff_error err = {0};
		uint8_t *msg = NULL;
		size_t msg_len = 0;
		bool fresh = false;

		if (o->refused) /* it did not parse */
			continue;
		if (ff_receive(&o->res, &store, lim, &chunks[i], &msg, &msg_len, &err) != 0)
			return -1;
		if (ff_chunk_result_rejected(o->res) || o->res == FF_CHUNK_CRC_MISMATCH)
			refuse(out, o, &err);
		if (o->res != FF_CHUNK_COMPLETE)
			continue;
		rc = deliver(out, st, d.device, msg, msg_len, o, &fresh);
		free(msg);
		if (rc != 0)
			return -1;
		if (fresh && o->heartbeat != NULL && out->rate != NULL) {
			if ((wait = srv_limits_heartbeat(out->rate, d.device, now)) != 0)
				return limited(out, st, wait, "new heartbeats of this device this hour (faultline-server "
					       "--device-heartbeats-per-hour)");
			out->charged.heartbeats++;
		} else if (fresh && out->rate != NULL) {
			if ((wait = srv_limits_message(out->rate, d.device, now)) != 0)
				return limited(out, st, wait, "new messages of this device this hour (faultline-server "
					       "--device-messages-per-hour)");
			out->charged.messages++;
		}
	}
	return ds_flush(&d);
}

int srv_ingest_prepare(struct srv_ingest *out, const char *serial, const uint8_t *body, size_t len, bool batch,
		       int64_t now, const struct ff_receiver_limits *lim, struct ff_error *err)
{
	const uint8_t *rec;
	size_t pos = 0, rec_len, n = 1;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len == 0) {
		ff_error_set(err, FF_ERR_MALFORMED, "the body holds no chunk");
		return SRV_NONE;
	}
	if (batch) { /* the whole framing first: a broken batch stores nothing */
		for (n = 0; (rc = ff_batch_next(&rec, &rec_len, body, len, &pos, err)) == 1; n++)
			;
		if (rc < 0)
			return SRV_NONE;
		if (n > SRV_BATCH_RECORDS_MAX) {
			ff_error_set(err, FF_ERR_TOO_LARGE, "a batch of %zu records: at most %u a request (send fewer chunks "
				     "per request)", n, SRV_BATCH_RECORDS_MAX);
			return SRV_NONE;
		}
	} else if (len > FF_RECORD_MAX) {
		ff_error_set(err, FF_ERR_TOO_LARGE, "a single chunk is at most 16383 bytes");
		return SRV_NONE;
	}
	snprintf(out->serial, sizeof(out->serial), "%s", serial);
	out->now = now;
	out->lim = lim;
	out->n = n;
	out->chunks = srv_calloc(n > 0 ? n : 1, sizeof(*out->chunks));
	out->parsed = srv_calloc(n > 0 ? n : 1, sizeof(*out->parsed));
	pos = 0;
	for (size_t i = 0; i < n; i++) { /* parsed before the store is taken: a chunk that does not parse is answered */
		struct ff_error why = {0};

		if (batch)
			ff_batch_next(&rec, &rec_len, body, len, &pos, NULL);
		else
			rec = body, rec_len = len;
		rc = ff_chunk_parse(&out->parsed[i], rec, rec_len, &why);
		if (rc != 0) {
			out->chunks[i].res = rc == FF_ERR_UNSUPPORTED ? FF_CHUNK_UNSUPPORTED_VERSION : FF_CHUNK_MALFORMED;
			refuse(out, &out->chunks[i], &why);
		}
	}
	return 0;
}

void srv_ingest_settle(struct srv_ingest *in, int rc)
{
	if (rc != 0 && in->rate != NULL)
		srv_limits_refund(in->rate, in->charged.device, in->charged.messages, in->charged.heartbeats,
				  in->charged.device_made);
	memset(&in->charged, 0, sizeof(in->charged));
}

void srv_ingest_tally(struct srv_ingest *in)
{
	in->delivered = in->queued = in->rejected = 0;
	for (size_t i = 0; i < in->n; i++) {
		in->delivered += in->chunks[i].res == FF_CHUNK_COMPLETE;
		in->queued += in->chunks[i].res == FF_CHUNK_COMPLETE && in->chunks[i].heartbeat == NULL;
		in->rejected += in->chunks[i].refused;
	}
}

int srv_ingest_body(struct srv_ingest *out, struct srv_store *st, const char *serial, const uint8_t *body, size_t len,
		    bool batch, int64_t now, const struct ff_receiver_limits *lim, struct ff_error *err)
{
	int rc = srv_ingest_prepare(out, serial, body, len, batch, now, lim, err);

	if (rc != 0)
		return rc;
	if (srv_store_group_run(st, srv_ingest_apply, out) != 0)
		return -1; /* (no rate limits here to settle: out->rate is NULL) */
	srv_ingest_tally(out);
	return 0;
}

void srv_ingest_free(struct srv_ingest *in)
{
	for (size_t i = 0; i < in->n; i++)
		free(in->chunks[i].error);
	free(in->chunks);
	free(in->parsed);
	memset(in, 0, sizeof(*in));
}
