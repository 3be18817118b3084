/* SPDX-License-Identifier: Apache-2.0 */
/* server/src/ingest.c over a real SQLite store: results per chunk, a chunk writes only its own bytes, the budget
 * per device and overall from running totals, refused bodies store nothing, slots left by schema 6 complete, and
 * heartbeats counted as they arrive, with their own rate limit. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>
#include <zlib.h>

#include "ff/chunk.h"
#include "ingest.h"
#include "limits.h"
#include "server_fixture.h"
#include "testdata.h"

struct fixture {
	struct srv_test_store t; /* first: srv_test_teardown frees the fixture */
	uint8_t *file, *msg; /* the FORMAT.md example: its chunk file and its message */
	size_t file_len, msg_len;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	srv_test_dir(f->t.dir, sizeof(f->t.dir), "ingest");
	f->file = fl_test_read("format-v1/chunks-mtu20.flc", &f->file_len);
	f->msg = fl_test_read("format-v1/message.bin", &f->msg_len);
	*state = f;
	return 0;
}

static void open_store(struct fixture *f)
{
	srv_test_open(&f->t.s, f->t.dir);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	srv_test_remove(f->t.s, f->t.dir);
	free(f->file);
	free(f->msg);
	free(f);
	return 0;
}

/* One SQL number from the store's file (a second connection: what is committed). */
static int64_t sql_number(struct fixture *f, const char *sql)
{
	return srv_test_sql(f->t.dir, sql, NULL, 0);
}

/* A compact heartbeat of boot 300 (docs/FORMAT.md §8.4), uptime `uptime` seconds (its first built-in: any 32-bit
 * value, or 2^32 to put one out of range), as one first chunk of message seq into out. Returns its length. */
static size_t heartbeat_chunk(uint8_t *out, uint16_t seq, uint64_t uptime)
{
	uint8_t msg[64] = {0xa4, 0x00, 0x01, 0x01, 0x03, 0x07, 0x19, 0x01, 0x2c, 0x09, 0x40, 0x07};
	size_t n = 12, head;
	uint32_t crc;

	do { /* uptime_s, then the other six built-ins 0 */
		msg[n] = (uint8_t)(uptime & 0x7f);
		uptime >>= 7;
		msg[n++] |= uptime != 0 ? 0x80 : 0;
	} while (uptime != 0);
	memset(msg + n, 0, 6);
	n += 6;
	msg[10] = (uint8_t)(0x40 | (n - 11)); /* the payload: a bstr of the values */
	out[0] = 0x81;
	out[1] = 0x2c;
	out[2] = 0x01;
	out[3] = (uint8_t)seq;
	out[4] = (uint8_t)(seq >> 8);
	out[5] = (uint8_t)n; /* total, below 128 */
	head = 6;
	memcpy(out + head, msg, n);
	crc = (uint32_t)crc32(0, msg, (uInt)n);
	for (int i = 0; i < 4; i++)
		out[head + n + i] = (uint8_t)(crc >> (8 * i));
	return head + n + 4;
}

/* One chunk for serial through prepare / apply (rate limits on, as the HTTP layer runs them) / settle. Returns
 * apply's result (0, or -1 when a rate limit refused the request); out: the request, freed by the caller. */
static int ingest_limited(struct fixture *f, struct srv_limits *l, const char *serial, const uint8_t *chunk,
			  size_t len, struct srv_ingest *out)
{
	struct ff_error err = {0};
	int rc;

	assert_int_equal(srv_ingest_prepare(out, serial, chunk, len, false, 1000, &srv_ingest_limits, &err), 0);
	out->rate = l;
	rc = srv_store_group_run(f->t.s, srv_ingest_apply, out);
	srv_ingest_settle(out, rc);
	if (rc == 0)
		srv_ingest_tally(out);
	return rc;
}

/* Heartbeats are counted at ingest: "waiting" before their boot's identity (the reboot event, taken at ingest
 * too), "counted" after, "duplicate" again; one with a built-in out of range becomes a message for the workers
 * (which fail it, saying why); a flood is refused per device, heartbeats apart from crashes, others untouched. */
static void heartbeats_at_ingest(void **state)
{
	struct fixture *f = *state;
	const struct srv_limits_config cfg = {.heartbeats_per_device_hour = 3, .messages_per_device_hour = 5};
	struct srv_limits *l;
	struct srv_ingest in;
	uint8_t chunk[64];
	const uint8_t *rec;
	size_t n;
	size_t pos = 5;

	open_store(f);
	srv_limits_new(&l, &cfg);
	n = heartbeat_chunk(chunk, 1, 3600);
	assert_int_equal(ingest_limited(f, l, "dev-h", chunk, n, &in), 0);
	assert_int_equal(in.chunks[0].res, FF_CHUNK_COMPLETE);
	assert_string_equal(in.chunks[0].heartbeat, "waiting");
	assert_int_equal(in.chunks[0].message, 0);
	assert_int_equal(in.queued, 0); /* nothing for the workers */
	srv_ingest_free(&in);
	/* boot 300's identity arrives (as its reboot event would give it): the heartbeat that waited is counted */
	assert_int_equal(f->t.s->ops->boot_put(f->t.s, 1, 300, &(struct srv_identity){"00112233445566778899", "1.4.2", ""},
					     1000, 0, NULL), 0);
	assert_int_equal(sql_number(f, "SELECT state FROM heartbeats WHERE uptime = 3600"), 2); /* counted now */
	n = heartbeat_chunk(chunk, 2, 7200);
	assert_int_equal(ingest_limited(f, l, "dev-h", chunk, n, &in), 0);
	assert_string_equal(in.chunks[0].heartbeat, "counted");
	srv_ingest_free(&in);
	n = heartbeat_chunk(chunk, 3, 7200); /* the same uptime again, as another message */
	assert_int_equal(ingest_limited(f, l, "dev-h", chunk, n, &in), 0);
	assert_string_equal(in.chunks[0].heartbeat, "duplicate");
	srv_ingest_free(&in);
	/* its fourth new heartbeat of the hour is refused; a duplicate is not new: it was let through above */
	n = heartbeat_chunk(chunk, 4, 10800);
	assert_int_equal(ingest_limited(f, l, "dev-h", chunk, n, &in), 0);
	srv_ingest_free(&in);
	n = heartbeat_chunk(chunk, 5, 14400);
	assert_int_equal(ingest_limited(f, l, "dev-h", chunk, n, &in), -1);
	assert_non_null(strstr(in.limited, "--device-heartbeats-per-hour"));
	srv_ingest_free(&in);
	assert_int_equal(sql_number(f, "SELECT COUNT(*) FROM heartbeats WHERE uptime = 14400"), 0); /* nothing stored */
	/* another device is not held up, nor dev-h's crashes: the example's reboot event goes through */
	n = heartbeat_chunk(chunk, 1, 3600);
	assert_int_equal(ingest_limited(f, l, "dev-other", chunk, n, &in), 0);
	srv_ingest_free(&in);
	for (size_t i = 0; ff_batch_next(&rec, &n, f->file, f->file_len, &pos, NULL) == 1; i++) {
		assert_int_equal(ingest_limited(f, l, "dev-h", rec, n, &in), 0);
		srv_ingest_free(&in);
	}
	assert_int_equal(sql_number(f, "SELECT COUNT(*) FROM messages"), 1);
	assert_int_equal(sql_number(f, "SELECT COUNT(*) FROM boots WHERE boot_id = 7 AND reboot_message = 1"), 1);
	/* a built-in above 2^32 - 1: not counted, kept as a message the workers fail */
	n = heartbeat_chunk(chunk, 1, 1ull << 32);
	assert_int_equal(ingest_limited(f, l, "dev-big", chunk, n, &in), 0);
	assert_null(in.chunks[0].heartbeat);
	assert_true(in.chunks[0].message > 0);
	assert_int_equal(in.queued, 1);
	srv_ingest_free(&in);
	srv_limits_free(l);
}

/* The example's chunks first..last-1 as a batch, ingested for serial; the results are checked against want. */
static int64_t ingest_example(struct fixture *f, const char *serial, size_t first, size_t last,
			      const enum ff_chunk_result *want)
{
	uint8_t batch[128];
	const uint8_t *rec;
	size_t pos = 5, len, n = 0;
	struct srv_ingest in;
	struct ff_error err = {0};
	int64_t message = 0;

	for (size_t i = 0; ff_batch_next(&rec, &len, f->file, f->file_len, &pos, NULL) == 1; i++)
		if (i >= first && i < last)
			n += ff_batch_put(batch + n, sizeof(batch) - n, rec, len);
	assert_int_equal(srv_ingest_body(&in, f->t.s, serial, batch, n, true, 1000, &srv_ingest_limits, &err), 0);
	assert_int_equal(in.n, last - first);
	for (size_t i = 0; i < in.n; i++) {
		if (in.chunks[i].res != want[i])
			fail_msg("chunk %zu: %s (%s)", first + i, ff_chunk_result_name(in.chunks[i].res),
				 in.chunks[i].error ? in.chunks[i].error : "");
		if (want[i] == FF_CHUNK_COMPLETE)
			message = in.chunks[i].message;
	}
	srv_ingest_free(&in);
	return message;
}

static const enum ff_chunk_result k_in_order[] = {FF_CHUNK_ACCEPTED, FF_CHUNK_ACCEPTED, FF_CHUNK_ACCEPTED,
						  FF_CHUNK_COMPLETE};
static const enum ff_chunk_result k_again[] = {FF_CHUNK_DUPLICATE, FF_CHUNK_DUPLICATE, FF_CHUNK_DUPLICATE,
					       FF_CHUNK_DUPLICATE};

/* The example's four chunks deliver its message, byte for byte; sent again they are duplicates and deliver
 * nothing; every chunk wrote only its own bytes (the stream, 63 bytes, once), and the totals are back to 0. */
static void chunks_write_their_own_bytes(void **state)
{
	struct fixture *f = *state;
	char sql[128];
	int64_t id;

	open_store(f);
	id = ingest_example(f, "dev-a", 0, 1, k_in_order);
	assert_int_equal(sql_number(f, "SELECT SUM(length(bytes)) FROM slot_bytes"), 20 - 6);
	assert_int_equal(sql_number(f, "SELECT pending FROM receiver"), 63);
	assert_int_equal(sql_number(f, "SELECT pending FROM devices WHERE serial = 'dev-a'"), 63);
	id = ingest_example(f, "dev-a", 1, 4, k_in_order + 1);
	assert_true(id > 0);
	assert_int_equal(sql_number(f, "SELECT SUM(length(bytes)) FROM slot_bytes"), 63);
	assert_int_equal(sql_number(f, "SELECT COUNT(*) FROM slot_bytes"), 4);
	assert_int_equal(sql_number(f, "SELECT pending FROM receiver"), 0);
	snprintf(sql, sizeof(sql), "SELECT length(bytes) FROM messages WHERE id = %lld", (long long)id);
	assert_int_equal(sql_number(f, sql), (int64_t)f->msg_len);
	ingest_example(f, "dev-a", 0, 4, k_again);
	assert_int_equal(sql_number(f, "SELECT COUNT(*) FROM messages"), 1);
	assert_int_equal(sql_number(f, "SELECT COUNT(*) FROM slot_bytes"), 4);
}

/* A first chunk of a message of total bytes, seq (tag seq % 8), 5 data bytes. */
static size_t first_chunk(uint8_t *out, uint16_t seq, uint32_t total)
{
	size_t n = 0;

	out[n++] = 0x81;
	out[n++] = 1;
	out[n++] = 0;
	out[n++] = (uint8_t)seq;
	out[n++] = (uint8_t)(seq >> 8);
	do {
		out[n] = (uint8_t)(total & 0x7f);
		total >>= 7;
		out[n++] |= total != 0 ? 0x80 : 0;
	} while (total != 0);
	memcpy(out + n, "hello", 5);
	return n + 5;
}

static enum ff_chunk_result one(struct fixture *f, const char *serial, uint16_t seq, uint32_t total,
				const struct ff_receiver_limits *lim)
{
	uint8_t chunk[16];
	struct srv_ingest in;
	enum ff_chunk_result res;

	assert_int_equal(srv_ingest_body(&in, f->t.s, serial, chunk, first_chunk(chunk, seq, total), false, 1000, lim,
					 NULL), 0);
	res = in.chunks[0].res;
	srv_ingest_free(&in);
	return res;
}

/* The budget holds per device and overall, from the running totals: a message that does not fit is over_quota,
 * and a message replacing one in its tag may take the bytes it frees. */
static void budget_per_device_and_overall(void **state)
{
	struct fixture *f = *state;
	const struct ff_receiver_limits lim = {.max_message = 1000, .device_pending = 250, .total_pending = 400};

	open_store(f);
	assert_int_equal(one(f, "dev-a", 0, 96, &lim), FF_CHUNK_ACCEPTED);  /* 100 */
	assert_int_equal(one(f, "dev-a", 1, 96, &lim), FF_CHUNK_ACCEPTED);  /* 200 */
	assert_int_equal(one(f, "dev-a", 2, 96, &lim), FF_CHUNK_OVER_QUOTA); /* the device's 250 */
	assert_int_equal(one(f, "dev-a", 8, 146, &lim), FF_CHUNK_ACCEPTED); /* replaces seq 0 in tag 0: 250 */
	assert_int_equal(one(f, "dev-b", 0, 96, &lim), FF_CHUNK_ACCEPTED);  /* 350 overall */
	assert_int_equal(one(f, "dev-c", 0, 96, &lim), FF_CHUNK_OVER_QUOTA); /* the overall 400 */
	assert_int_equal(one(f, "dev-c", 0, 46, &lim), FF_CHUNK_ACCEPTED);  /* 400 */
	assert_int_equal(one(f, "dev-a", 0, 2000, &lim), FF_CHUNK_TOO_LARGE);
	assert_int_equal(sql_number(f, "SELECT pending FROM receiver"), 400);
	assert_int_equal(sql_number(f, "SELECT SUM(pending) FROM devices"), 400);
	assert_int_equal(sql_number(f, "SELECT SUM(total + 4) FROM slots WHERE state = 0"), 400);
}

/* Bodies refused as a whole store nothing, not even the device. */
static void refused_bodies_store_nothing(void **state)
{
	struct fixture *f = *state;
	struct ff_error err = {0};
	struct srv_ingest in;
	const uint8_t broken[] = {0x05, 0x81, 0x01};
	static uint8_t big[FF_RECORD_MAX + 1];

	open_store(f);
	assert_int_equal(srv_ingest_body(&in, f->t.s, "dev-x", broken, 0, true, 1000, &srv_ingest_limits, &err), SRV_NONE);
	srv_ingest_free(&in);
	assert_int_equal(srv_ingest_body(&in, f->t.s, "dev-x", broken, sizeof(broken), true, 1000, &srv_ingest_limits,
					 &err), SRV_NONE);
	assert_non_null(strstr(err.msg, "record at byte 0 has length 5"));
	srv_ingest_free(&in);
	assert_int_equal(srv_ingest_body(&in, f->t.s, "dev-x", big, sizeof(big), false, 1000, &srv_ingest_limits, &err),
			 SRV_NONE);
	srv_ingest_free(&in);
	assert_int_equal(sql_number(f, "SELECT COUNT(*) FROM devices"), 0);
}

/* A message half received under schema 6 (its stream and a bitmap of held bytes in the slot row) completes with
 * the rest of its chunks after the upgrade: the migration kept its bytes. */
static void schema_6_slots_complete(void **state)
{
	struct fixture *f = *state;
	char path[128], *sqlerr = NULL;
	uint8_t stream[63] = {0}, held[8] = {0};
	sqlite3 *db;
	sqlite3_stmt *st;

	memcpy(stream, f->file + 5 + 1 + 6, 14); /* chunk 1's data: stream bytes 0..13 */
	held[0] = 0xff;
	held[1] = 0x3f;
	snprintf(path, sizeof(path), "%s/faultline.db", f->t.dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
		"CREATE TABLE devices (id INTEGER PRIMARY KEY, serial TEXT NOT NULL UNIQUE, first_seen INTEGER NOT NULL,"
		" last_seen INTEGER NOT NULL);"
		"CREATE TABLE slots (device_id INTEGER NOT NULL REFERENCES devices(id), tag INTEGER NOT NULL,"
		" boot INTEGER NOT NULL, seq INTEGER NOT NULL, total INTEGER NOT NULL, state INTEGER NOT NULL,"
		" have INTEGER NOT NULL, stream BLOB NOT NULL, held BLOB NOT NULL, updated INTEGER NOT NULL,"
		" PRIMARY KEY (device_id, tag));"
		"CREATE TABLE messages (id INTEGER PRIMARY KEY, device_id INTEGER NOT NULL REFERENCES devices(id),"
		" received INTEGER NOT NULL, digest BLOB NOT NULL, bytes BLOB NOT NULL, state INTEGER NOT NULL DEFAULT 0,"
		" detail TEXT, UNIQUE (device_id, digest));"
		"CREATE INDEX slots_pending ON slots (state, device_id, total);"
		"CREATE TABLE symbols (build_id TEXT PRIMARY KEY, size INTEGER NOT NULL, uploaded INTEGER NOT NULL);"
		"CREATE TABLE issues (id INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
		" title TEXT NOT NULL, created INTEGER NOT NULL);"
		"CREATE TABLE traces (id INTEGER PRIMARY KEY, message_id INTEGER NOT NULL UNIQUE REFERENCES messages(id),"
		" device_id INTEGER NOT NULL REFERENCES devices(id), issue_id INTEGER NOT NULL REFERENCES issues(id),"
		" sw_version TEXT NOT NULL, captured INTEGER NOT NULL, report TEXT NOT NULL,"
		" text TEXT NOT NULL DEFAULT '');"
		"CREATE TABLE reboots (id INTEGER PRIMARY KEY, message_id INTEGER NOT NULL UNIQUE REFERENCES messages(id),"
		" device_id INTEGER NOT NULL REFERENCES devices(id), boot_id INTEGER NOT NULL, reason INTEGER NOT NULL,"
		" received INTEGER NOT NULL);"
		"INSERT INTO devices VALUES (1, 'dev-old', 900, 900);"
		"PRAGMA user_version = 6;", NULL, NULL, &sqlerr), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO slots VALUES (1, 3, 7, 3, 59, 0, 14, ?, ?, 900)", -1, &st,
					    NULL), SQLITE_OK);
	sqlite3_bind_blob(st, 1, stream, sizeof(stream), SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, held, sizeof(held), SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
	open_store(f);
	assert_int_equal(sql_number(f, "SELECT pending FROM receiver"), 63);
	assert_true(ingest_example(f, "dev-old", 1, 4, k_in_order + 1) > 0);
	assert_int_equal(sql_number(f, "SELECT COUNT(*) FROM messages"), 1);
	assert_int_equal(sql_number(f, "SELECT pending FROM devices"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(chunks_write_their_own_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(budget_per_device_and_overall, setup, teardown),
		cmocka_unit_test_setup_teardown(refused_bodies_store_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(schema_6_slots_complete, setup, teardown),
		cmocka_unit_test_setup_teardown(heartbeats_at_ingest, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
