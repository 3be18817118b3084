/* SPDX-License-Identifier: Apache-2.0 */
/* Ingest: one request's chunks (docs/FORMAT.md §5), each through format/'s receiver with the device's slots in the
 * store, answered per chunk. No HTTP here: http.c hands the body over and turns the outcomes into JSON. */
#ifndef SRV_INGEST_H
#define SRV_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ff/chunk.h"
#include "ff/error.h"
#include "ff/reasm.h"
#include "limits.h"
#include "store.h"

/* Bounds on what a device (or anyone holding the project key) can make the server hold. */
#define SRV_MESSAGE_MAX (1u << 20)           /* one message */
#define SRV_DEVICE_PENDING_MAX (4u << 20)    /* partial messages of one device */
#define SRV_TOTAL_PENDING_MAX (256u << 20)   /* partial messages of all devices */
#define SRV_BATCH_RECORDS_MAX 4096u          /* chunks in one request: bounds its answer and its memory */
#define SRV_REASONS_MAX 64u                  /* refused chunks of a request told why in words; the rest, their result */

/* What became of one chunk of a request. */
struct srv_chunk_outcome {
	enum ff_chunk_result res;
	bool refused;    /* rejected, or completed a message whose CRC failed */
	int64_t message; /* res FF_CHUNK_COMPLETE: the delivered message's id; 0 for a heartbeat */
	const char *heartbeat; /* res FF_CHUNK_COMPLETE of a heartbeat: what became of it ("counted", "waiting" for
				* its boot's identity, "duplicate"), static */
	char *error;     /* why it was refused, for the first SRV_REASONS_MAX refused chunks of the request (malloc'd,
			  * freed by srv_ingest_free); NULL otherwise */
};

/* A request: its parsed chunks (pointing into its body, which must outlive it) and their outcomes, in body order. */
struct srv_ingest {
	struct srv_chunk_outcome *chunks; /* n of them, malloc'd */
	size_t n;
	size_t delivered, rejected;       /* set by srv_ingest_tally() */
	size_t queued;                    /* of the delivered, those the workers process (not heartbeats) */
	size_t reasons;                   /* errors written so far (SRV_REASONS_MAX at most) */
	struct ff_chunk *parsed;          /* n of them, malloc'd */
	char serial[65];
	int64_t now;
	const struct ff_receiver_limits *lim;
	struct srv_limits *rate;          /* the rate limits applied (set by the caller after prepare; NULL: none) */
	unsigned retry_after;             /* refused by a rate limit (nothing stored): seconds until its window ends */
	const char *limited;              /* with it: which limit, in words (static) */
	struct {                          /* what apply charged to rate (given back by srv_ingest_settle) */
		int64_t device;
		uint64_t messages, heartbeats;
		bool device_made;
	} charged;
};

/* The limits ingest applies (the constants above); tests may pass smaller ones. */
extern const struct ff_receiver_limits srv_ingest_limits;

/*
 * Take one request's chunks for the device serial: the body's framing is checked first (a broken batch stores
 * nothing), each chunk is parsed outside the store, then all are applied in one part of a group transaction
 * (srv_store_group_run), so that they are durably stored when this returns 0.
 * out: filled (free with srv_ingest_free() in every case).  st: the store.  serial: a valid device serial.
 * body/len: the request body, only read.  batch: the body is a batch of records (else one chunk).  now: Unix
 * seconds.  lim: the receiver's limits.  err: for SRV_NONE, why the body was refused.
 * Returns 0 (out holds a result per chunk); SRV_NONE when the body itself is refused (empty, a broken batch, more
 * than SRV_BATCH_RECORDS_MAX records or a single chunk above FF_RECORD_MAX, both FF_ERR_TOO_LARGE in err: err says
 * which, nothing was stored); -1 when the store failed (nothing of the
 * request was stored).
 */
int srv_ingest_body(struct srv_ingest *out, struct srv_store *st, const char *serial, const uint8_t *body, size_t len,
		    bool batch, int64_t now, const struct ff_receiver_limits *lim, struct ff_error *err);

/*
 * The steps of srv_ingest_body(), for a caller that does not wait for the commit (http.c: the connection is
 * suspended meanwhile). prepare: as srv_ingest_body() before the store (0 or SRV_NONE). apply: the request's
 * writes, the fn of srv_store_group_run()/srv_store_group_submit() with ctx = the prepared srv_ingest (its body
 * still alive); when in->rate refuses a new device or a new message, it undoes the whole request (-1) and sets
 * retry_after and limited. tally: counts delivered and rejected once they are committed.
 */
int srv_ingest_prepare(struct srv_ingest *out, const char *serial, const uint8_t *body, size_t len, bool batch,
		       int64_t now, const struct ff_receiver_limits *lim, struct ff_error *err);
int srv_ingest_apply(struct srv_store *st, void *ctx);
void srv_ingest_tally(struct srv_ingest *in);

/*
 * On the store's writer thread, once the group transaction holding apply's writes ended: rc 0 (committed), or not
 * (nothing of the request stored: what the rate limits charged it is given back, so a refused request costs the
 * device nothing of its hour).
 */
void srv_ingest_settle(struct srv_ingest *in, int rc);

/*
 * Count a heartbeat (docs/FORMAT.md §8.4, docs/HEALTH.md): its built-in values checked, its identity (a full
 * heartbeat's) and values handed to the store (st->ops->heartbeat_put, inside the caller's transaction).
 * st: the store.  device: its sender.  received: when (server seconds).  m: the parsed heartbeat.
 * out: (out) what became of it.  why/cap: for SRV_NONE, why it cannot be counted.
 * Returns 0; SRV_NONE when a value is out of range (nothing stored); -1 when the store failed.
 */
int srv_ingest_heartbeat(struct srv_store *st, int64_t device, int64_t received, const struct ff_message *m,
			 enum srv_hb_outcome *out, char *why, size_t cap);

/* The firmware identity a message carries (its envelope's, docs/FORMAT.md §7), for the store's health operations.
 * out: (out) pointing into m and hex.  hex: (out) the build-id in hex.  m: (in) a parsed message. */
#define SRV_BUILD_HEX_MAX (2 * sizeof(((struct ff_message *)0)->build_id) + 1)
void srv_identity_of(struct srv_identity *out, char hex[SRV_BUILD_HEX_MAX], const struct ff_message *m);

/* The word for a heartbeat's outcome ("counted", "waiting", "duplicate"). */
const char *srv_hb_outcome_name(enum srv_hb_outcome o);

/* Free what srv_ingest_prepare() or srv_ingest_body() allocated (in zeroed or prepared). */
void srv_ingest_free(struct srv_ingest *in);

#endif
