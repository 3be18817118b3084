/* SPDX-License-Identifier: Apache-2.0 */
/* Chunk ingestion by faultline-server over keep-alive HTTP/1.1, printed next to the raw limits of its parts: an
 * empty libmicrohttpd handler with the server's daemon options, and bare SQLite inserts of the rows it writes. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ff/chunk.h"
#include "crc32_private.h"

#define SECONDS 2.0
#define CLIENTS 16u             /* connections, as many devices would hold: requests that meet share a commit */
#define DEVICES 2u              /* per client: far below the 4 MiB pending budget of each */
#define CHUNK 64u               /* on the wire, every chunk of a message (the standard case) */
#define MSG_CHUNKS 8u
#define STREAM_MAX (16u * 1024u + 4u)
#define BODY_MAX (16u * 4096u)

/* The shape of the messages a device sends: chunk bytes on the wire, message bytes (heartbeat: heartbeats of
 * docs/FORMAT.md §8.4 instead, each in one chunk, from HB_DEVICES devices per client). */
struct shape {
	unsigned chunk;
	uint32_t total;
	bool heartbeat;
};

/* 8 chunks of 64 bytes: the figures of earlier runs */
static const struct shape k_standard = {CHUNK, CHUNK - 7u + (MSG_CHUNKS - 1u) * (CHUNK - 2u) - 4u, false};

struct device {
	char serial[40];
	uint16_t seq;
	uint32_t next; /* stream offset of the next chunk; 0 starts a new message */
	uint8_t stream[STREAM_MAX];
};

struct client {
	pthread_t thread;
	unsigned id, per_req, port;
	struct shape shape;
	const char *key, *prefix;
	const uint8_t *file; /* --post: this batch from devices id, id + CLIENTS, ... below count */
	size_t file_len, count;
	double until;
	long chunks, failed;
	struct device dev[DEVICES];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t leb128(uint8_t *out, uint32_t v)
{
	size_t n = 0;

	do {
		out[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		out[n++] |= v != 0 ? 0x80 : 0;
	} while (v != 0);
	return n;
}

/* The identity of the heartbeats' firmware: arch 40, a 20-byte build-id (--heartbeats BUILD sets it: an uploaded
 * ELF's, so that the server knows its key table), sw_version 1.4.2. */
static uint8_t s_identity[] = {0x02, 0x18, 0x28, 0x04, 0x54, 0xb5, 0x97, 0x17, 0x77, 0x7d, 0xbc, 0xe2, 0xd0, 0xa4,
			       0xe2, 0x7b, 0x7d, 0xd7, 0xdf, 0xf3, 0x4f, 0xb0, 0x8e, 0xd8, 0x69, 0x05, 0x65, '1', '.',
			       '4', '.', '2'};

/* A device of the heartbeat figure: many of them, each heartbeating now and then as a fleet does (its first, full
 * heartbeat, which makes its boot and firmware known, is sent before the clock starts: a fleet is known). */
#define HB_DEVICES 1024u /* per client: 16,384 in all, each sending about once a second at the rates measured */
struct hb_device {
	uint16_t seq;
	uint32_t uptime; /* of its last heartbeat */
	double start;    /* when it booted (an hour before the figure started) */
};

/* A heartbeat of device d (docs/FORMAT.md §8.4), its uptime the time since it booted: the first in full form (its
 * identity), then compact ones; three application values. boot: its boot id. Returns the message's length. */
static uint32_t heartbeat(const struct hb_device *d, uint32_t boot, uint8_t *out)
{
	uint8_t values[64];
	uint32_t n = 0, v = 0;
	const uint32_t builtin[7] = {d->uptime, 0, 0, 3u * d->seq, 90u * d->seq, 0, 0};

	values[v++] = 7;
	for (unsigned i = 0; i < 7; i++)
		v += (uint32_t)leb128(values + v, builtin[i]);
	v += (uint32_t)leb128(values + v, 5u * d->seq);            /* a counter */
	for (unsigned i = 0; i < 3; i++)                            /* a gauge: last, min, max */
		v += (uint32_t)leb128(values + v, 3700u - (d->seq % 100u) - i);
	out[n++] = d->seq == 0 ? 0xa7 : 0xa4; /* map of 7 pairs (full) or 4 (compact) */
	memcpy(out + n, (const uint8_t[]){0x00, 0x01, 0x01, 0x03}, 4);
	n += 4;
	if (d->seq == 0) {
		memcpy(out + n, s_identity, sizeof(s_identity));
		n += sizeof(s_identity);
	}
	out[n++] = 0x07;
	out[n++] = 0x1a;
	for (unsigned i = 0; i < 4; i++)
		out[n++] = (uint8_t)(boot >> (24 - 8 * i));
	memcpy(out + n, (const uint8_t[]){0x09, 0x58, (uint8_t)v}, 3); /* payload: bstr(v) */
	n += 3;
	memcpy(out + n, values, v);
	return n + v;
}

/* Device d's next heartbeat as one chunk (FORMAT.md §3.1) into out. Returns its length. */
static size_t heartbeat_chunk(struct hb_device *d, uint32_t boot, uint8_t *out)
{
	uint32_t now = (uint32_t)(now_s() - d->start), total, crc;
	size_t head;

	d->uptime = now > d->uptime ? now : d->uptime + 1;
	out[0] = 0x81;
	out[1] = (uint8_t)boot;
	out[2] = (uint8_t)(boot >> 8);
	out[3] = (uint8_t)d->seq;
	out[4] = (uint8_t)(d->seq >> 8);
	total = heartbeat(d, boot, out + 16); /* (moved after its header below) */
	head = 5 + leb128(out + 5, total);
	memmove(out + head, out + 16, total);
	crc = fl_crc32_update(0, out + head, total);
	for (unsigned i = 0; i < 4; i++)
		out[head + total + i] = (uint8_t)(crc >> (8 * i));
	d->seq++;
	return head + total + 4;
}

/* The device's next chunk (FORMAT.md §3) of shape sh into out (sh->chunk bytes at most); a fresh message of
 * distinct bytes after the last one. Returns its length. */
static size_t next_chunk(struct device *d, const struct shape *sh, uint8_t *out)
{
	uint32_t crc, stream = sh->total + 4, take, x = ((uint32_t)d->seq * 2654435761u ^ (uint32_t)(uintptr_t)d ^
							 (uint32_t)time(NULL)) | 1u;
	size_t head;

	if (d->next == 0) {
		for (unsigned i = 0; i < sh->total; i++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			d->stream[i] = (uint8_t)x;
		}
		crc = fl_crc32_update(0, d->stream, sh->total);
		for (unsigned i = 0; i < 4; i++)
			d->stream[sh->total + i] = (uint8_t)(crc >> (8 * i));
		out[0] = 0x81; /* head (v1), boot 1, seq, total */
		out[1] = 1;
		out[2] = 0;
		out[3] = (uint8_t)d->seq;
		out[4] = (uint8_t)(d->seq >> 8);
		head = 5 + leb128(out + 5, sh->total);
	} else {
		out[0] = (uint8_t)((d->seq & 7) << 4 | (d->next & 7));
		head = 1;
		if (d->next >= 8) {
			out[0] |= 8;
			head += leb128(out + 1, d->next >> 3);
		}
	}
	take = sh->chunk - head < stream - d->next ? (uint32_t)(sh->chunk - head) : stream - d->next;
	memcpy(out + head, d->stream + d->next, take);
	d->next += take;
	if (d->next == stream) {
		d->next = 0;
		d->seq++;
	}
	return head + take;
}

static int dial(unsigned port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		perror("bench_ingest: connect");
		exit(1);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* One POST on the keep-alive connection *fd (redialled when the server closed it). Returns the HTTP status. */
static int post(int *fd, struct client *c, const char *serial, int batch, const uint8_t *body, size_t len)
{
	static __thread char buf[BODY_MAX + 1024];
	size_t n, got = 0, want = 0;
	char *end;
	ssize_t r;

	n = (size_t)snprintf(buf, 1024, "POST /api/v1/devices/%s/chunks HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			     "X-Faultline-Key: %s\r\nContent-Type: application/vnd.faultline.chunk%s\r\n"
			     "Content-Length: %zu\r\n\r\n", serial, c->key, batch ? "-batch" : "", len);
	memcpy(buf + n, body, len);
	for (size_t sent = 0; sent < n + len; sent += (size_t)r)
		if ((r = send(*fd, buf + sent, n + len - sent, MSG_NOSIGNAL)) <= 0)
			goto closed;
	for (;;) {
		if ((r = recv(*fd, buf + got, sizeof(buf) - 1 - got, 0)) <= 0)
			goto closed;
		got += (size_t)r;
		buf[got] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		if (want == 0) {
			char *cl = strcasestr(buf, "\r\nContent-Length:");

			want = (size_t)(end + 4 - buf) + (cl != NULL && cl < end ? strtoul(cl + 17, NULL, 10) : 0);
		}
		if (got >= want)
			break;
	}
	n = strtoul(buf + 9, NULL, 10);
	if (n != 200 && c->failed++ == 0)
		fprintf(stderr, "bench_ingest: %s: %s\n", serial, buf);
	return (int)n;
closed:
	close(*fd);
	*fd = dial(c->port);
	c->failed++;
	return 0;
}

static void *client_run(void *arg)
{
	struct client *c = arg;
	uint8_t body[16 * (CHUNK + 1)];
	char serial[40];
	int fd = dial(c->port);
	size_t len;

	if (c->file != NULL) {
		for (size_t i = c->id; i < c->count; i += CLIENTS) {
			snprintf(serial, sizeof(serial), "%s%zu", c->prefix, i);
			post(&fd, c, serial, 1, c->file, c->file_len);
		}
		close(fd);
		return NULL;
	}
	if (c->shape.heartbeat) {
		static __thread struct hb_device hb[HB_DEVICES];
		double start = now_s() - 3600;

		for (unsigned i = 0; i < HB_DEVICES; i++) /* the fleet's first heartbeats (full), not timed */
			hb[i] = (struct hb_device){0, 0, start};
		for (unsigned i = 0; i < HB_DEVICES; i++) {
			snprintf(serial, sizeof(serial), "%s-c%u-d%u", c->prefix, c->id, i);
			len = heartbeat_chunk(&hb[i], c->id << 16 | i, body);
			post(&fd, c, serial, 0, body, len);
		}
		c->until = now_s() + SECONDS;
		for (unsigned i = 0; now_s() < c->until; i = (i + 1) % HB_DEVICES) {
			snprintf(serial, sizeof(serial), "%s-c%u-d%u", c->prefix, c->id, i);
			len = heartbeat_chunk(&hb[i], c->id << 16 | i, body);
			if (post(&fd, c, serial, 0, body, len) == 200)
				c->chunks++;
		}
		close(fd);
		return NULL;
	}
	for (unsigned i = 0; i < DEVICES; i++)
		snprintf(c->dev[i].serial, sizeof(c->dev[i].serial), "%s-c%u-d%u", c->prefix, c->id, i);
	for (unsigned i = 0; now_s() < c->until; i = (i + 1) % DEVICES) {
		if (c->per_req == 1) {
			len = next_chunk(&c->dev[i], &c->shape, body);
		} else {
			uint8_t chunk[CHUNK];

			len = 0;
			for (unsigned k = 0; k < c->per_req; k++) {
				size_t n = next_chunk(&c->dev[i], &c->shape, chunk);

				len += ff_batch_put(body + len, sizeof(body) - len, chunk, n);
			}
		}
		if (post(&fd, c, c->dev[i].serial, c->per_req > 1, body, len) == 200)
			c->chunks += c->per_req;
	}
	close(fd);
	return NULL;
}

/* CLIENTS threads against port for SECONDS (or through the --post list). Returns chunks answered 200 per second. */
static double drive(unsigned port, const char *key, const char *prefix, unsigned per_req, const struct shape *sh,
		    const uint8_t *file, size_t file_len, size_t count)
{
	static struct client cs[CLIENTS];
	double t0 = now_s();
	long chunks = 0, failed = 0;

	for (unsigned i = 0; i < CLIENTS; i++) {
		cs[i] = (struct client){.id = i, .per_req = per_req, .port = port, .shape = *sh, .key = key, .prefix = prefix,
					.file = file, .file_len = file_len, .count = count, .until = t0 + SECONDS};
		pthread_create(&cs[i].thread, NULL, client_run, &cs[i]);
	}
	for (unsigned i = 0; i < CLIENTS; i++) {
		pthread_join(cs[i].thread, NULL);
		chunks += cs[i].chunks;
		failed += cs[i].failed;
	}
	if (failed > 0)
		fprintf(stderr, "bench_ingest: %ld requests failed (first one above)\n", failed);
	return (double)chunks / (sh->heartbeat ? SECONDS : now_s() - t0); /* (heartbeats: after their warm-up) */
}

/* The empty handler: reads the body, answers 200 with a fixed JSON body. */
static enum MHD_Result empty(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			     const char *version, const char *data, size_t *data_size, void **req_cls)
{
	static char answer[] = "{\"results\":[]}";
	struct MHD_Response *r;
	enum MHD_Result rc;

	(void)cls, (void)url, (void)method, (void)version, (void)data;
	if (*req_cls == NULL || *data_size > 0) {
		*req_cls = answer;
		*data_size = 0;
		return MHD_YES;
	}
	r = MHD_create_response_from_buffer(sizeof(answer) - 1, answer, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", "application/json");
	rc = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return rc;
}

#define SQL(db, sql) (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? (void)0 : die(db, sql))

static void die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "bench_ingest: %s: %s\n", what, sqlite3_errmsg(db));
	exit(1);
}

/* Bare inserts of the rows the ingest path writes (a slot upserted and a row of its bytes per chunk, a message per
 * completed one) into the server's tables, per_txn chunks per transaction, for SECONDS. Returns chunks per second. */
static double bare_sqlite(const char *dir, unsigned per_txn)
{
	static struct device dev[CLIENTS * DEVICES];
	char path[4096];
	sqlite3 *db;
	sqlite3_stmt *slot, *bytes, *msg;
	uint8_t chunk[CHUNK];
	long chunks = 0;
	double t0;

	snprintf(path, sizeof(path), "%s/bare-%u.db", dir, per_txn);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die(db, path);
	SQL(db, "PRAGMA journal_mode = WAL");
	SQL(db, "PRAGMA synchronous = NORMAL");
	SQL(db, "PRAGMA wal_autocheckpoint = 10000");
	SQL(db, "PRAGMA foreign_keys = ON");
	/* the columns, keys, indexes and settings of server/src/store_sqlite.c */
	SQL(db, "CREATE TABLE devices (id INTEGER PRIMARY KEY, serial TEXT NOT NULL UNIQUE,"
		" first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, pending INTEGER NOT NULL DEFAULT 0);"
		"CREATE TABLE slots (device_id INTEGER NOT NULL REFERENCES devices(id), tag INTEGER NOT NULL,"
		" boot INTEGER NOT NULL, seq INTEGER NOT NULL, total INTEGER NOT NULL, state INTEGER NOT NULL,"
		" have INTEGER NOT NULL, updated INTEGER NOT NULL, PRIMARY KEY (device_id, tag));"
		"CREATE INDEX slots_updated ON slots (state, updated);"
		"CREATE TABLE slot_bytes (device_id INTEGER NOT NULL, tag INTEGER NOT NULL, offset INTEGER NOT NULL,"
		" bytes BLOB NOT NULL, PRIMARY KEY (device_id, tag, offset)) WITHOUT ROWID;"
		"CREATE TABLE messages (id INTEGER PRIMARY KEY, device_id INTEGER NOT NULL REFERENCES devices(id),"
		" received INTEGER NOT NULL, digest BLOB NOT NULL, bytes BLOB NOT NULL,"
		" state INTEGER NOT NULL DEFAULT 0, detail TEXT, UNIQUE (device_id, digest));"
		"CREATE INDEX messages_state ON messages (state, id);"
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 32)"
		" INSERT INTO devices SELECT i, 'd' || i, 0, 0, 0 FROM n;");
	if (sqlite3_prepare_v2(db, "INSERT INTO slots VALUES (?, ?, 1, ?, ?, ?, ?, 0) ON CONFLICT (device_id, tag) "
				   "DO UPDATE SET seq = excluded.seq, total = excluded.total, state = excluded.state, "
				   "have = excluded.have", -1, &slot, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO slot_bytes VALUES (?, ?, ?, ?)", -1, &bytes, NULL) !=
		    SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO messages (device_id, received, digest, bytes) VALUES (?, 0, ?, ?)", -1,
			       &msg, NULL) != SQLITE_OK)
		die(db, "prepare");
	t0 = now_s();
	for (unsigned d = 0; now_s() < t0 + SECONDS; d = (d + 1) % (CLIENTS * DEVICES)) {
		SQL(db, "BEGIN IMMEDIATE");
		for (unsigned i = 0; i < per_txn; i++, chunks++) {
			uint16_t seq = dev[d].seq;
			uint32_t off = dev[d].next;
			size_t n = next_chunk(&dev[d], &k_standard, chunk);
			int done = dev[d].next == 0;

			sqlite3_bind_int(slot, 1, (int)d + 1);
			sqlite3_bind_int(slot, 2, seq & 7);
			sqlite3_bind_int(slot, 3, seq);
			sqlite3_bind_int(slot, 4, (int)k_standard.total);
			sqlite3_bind_int(slot, 5, done);
			sqlite3_bind_int(slot, 6, (int)(done ? k_standard.total + 4 : dev[d].next));
			if (sqlite3_step(slot) != SQLITE_DONE || sqlite3_reset(slot) != SQLITE_OK)
				die(db, "slot");
			sqlite3_bind_int(bytes, 1, (int)d + 1);
			sqlite3_bind_int(bytes, 2, seq & 7);
			sqlite3_bind_int(bytes, 3, (int)off);
			sqlite3_bind_blob(bytes, 4, chunk, (int)n, SQLITE_STATIC);
			if (sqlite3_step(bytes) != SQLITE_DONE || sqlite3_reset(bytes) != SQLITE_OK)
				die(db, "bytes");
			if (!done)
				continue;
			/* the first 32 random bytes stand in for the SHA-256 digest: hashing is not SQLite's cost */
			sqlite3_bind_int(msg, 1, (int)d + 1);
			sqlite3_bind_blob(msg, 2, dev[d].stream, 32, SQLITE_STATIC);
			sqlite3_bind_blob(msg, 3, dev[d].stream, k_standard.total, SQLITE_STATIC);
			if (sqlite3_step(msg) != SQLITE_DONE || sqlite3_reset(msg) != SQLITE_OK)
				die(db, "message");
		}
		SQL(db, "COMMIT");
	}
	t0 = now_s() - t0;
	sqlite3_finalize(slot);
	sqlite3_finalize(bytes);
	sqlite3_finalize(msg);
	sqlite3_close(db);
	return (double)chunks / t0;
}

/* A batch of one first chunk of a 1,000-byte message that never completes: POSTed for many devices, it leaves each
 * of them mid-message, as slow links do (100,000 of them hold 100 MB, within the server's 256 MiB budget). */
static size_t partial_batch(uint8_t *out, size_t cap)
{
	static struct device d;
	const struct shape sh = {CHUNK, 1000, false};
	uint8_t chunk[CHUNK];

	return ff_batch_put(out, cap, chunk, next_chunk(&d, &sh, chunk));
}

int main(int argc, char **argv)
{
	static const unsigned per_req[2] = {1, 16};
	static uint8_t file[BODY_MAX];
	double server[2], mhd[2], sql[2];
	struct MHD_Daemon *d;
	unsigned port;
	FILE *f;
	size_t len;

	if (argc == 6 && strcmp(argv[1], "--post") == 0) { /* --post PORT KEY BATCH N: BATCH from devices core-0.. */
		if ((f = fopen(argv[4], "rb")) == NULL || (len = fread(file, 1, sizeof(file), f)) == 0)
			return fprintf(stderr, "bench_ingest: cannot read %s\n", argv[4]), 1;
		fclose(f);
		drive((unsigned)atoi(argv[2]), argv[3], "core-", 16, &k_standard, file, len, strtoul(argv[5], NULL, 10));
		return 0;
	}
	if (argc == 6 && strcmp(argv[1], "--partial") == 0) { /* --partial PORT KEY PREFIX N: N devices mid-message */
		len = partial_batch(file, sizeof(file));
		drive((unsigned)atoi(argv[2]), argv[3], argv[4], 16, &k_standard, file, len, strtoul(argv[5], NULL, 10));
		return 0;
	}
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "--heartbeats") == 0) { /* --heartbeats PORT KEY [BUILD] */
		const struct shape sh = {CHUNK, 0, true};

		for (unsigned i = 0; argc == 5 && i < 20 && sscanf(argv[4] + 2 * i, "%2hhx", &s_identity[5 + i]) == 1; i++)
			;

		char prefix[32];

		snprintf(prefix, sizeof(prefix), "hb%d", (int)getpid()); /* each run a fleet of its own */
		printf("%.0f\n", drive((unsigned)atoi(argv[2]), argv[3], prefix, 1, &sh, NULL, 0, 0));
		return 0;
	}
	if (argc == 6 && strcmp(argv[1], "--rate") == 0) { /* --rate PORT KEY CHUNK TOTAL: 1 chunk a request */
		const struct shape sh = {(unsigned)atoi(argv[4]), (uint32_t)atoi(argv[5]), false};

		if (sh.chunk < 10 || sh.chunk > CHUNK || sh.total < 1 || sh.total > STREAM_MAX - 4)
			return fprintf(stderr, "bench_ingest: --rate: CHUNK 10..64, TOTAL 1..16384\n"), 2;
		printf("%.0f\n", drive((unsigned)atoi(argv[2]), argv[3], argv[4], 1, &sh, NULL, 0, 0));
		return 0;
	}
	if (argc != 4)
		return fprintf(stderr, "usage: bench_ingest PORT KEY DIR | --post PORT KEY BATCH N | --partial PORT KEY "
				       "PREFIX N | --rate PORT KEY CHUNK TOTAL | --heartbeats PORT KEY [BUILD]\n"), 2;
	/* the server's daemon options (server/src/http.c srv_http_start), on a free port of its own */
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, empty,
			     NULL, MHD_OPTION_THREAD_POOL_SIZE, 4u, MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
	if (d == NULL)
		return fprintf(stderr, "bench_ingest: cannot start libmicrohttpd\n"), 1;
	port = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port;
	/* the two sides alternate: a raw limit, the server, the next raw limit, ... */
	for (unsigned i = 0; i < 2; i++) {
		char prefix[16];

		snprintf(prefix, sizeof(prefix), "b%u", per_req[i]);
		sql[i] = bare_sqlite(argv[3], per_req[i]);
		server[i] = drive((unsigned)atoi(argv[1]), argv[2], prefix, per_req[i], &k_standard, NULL, 0, 0);
		mhd[i] = drive(port, "-", "empty", per_req[i], &k_standard, NULL, 0, 0);
	}
	MHD_stop_daemon(d);
	for (unsigned i = 0; i < 2; i++) {
		double want = i == 0 ? 1.0 : 0.8;

		printf("  %2u chunk%s per request: faultline-server %7.0f chunks/s = %.2fx bare SQLite (target %.1fx: %s)\n",
		       per_req[i], i ? "s" : "", server[i], server[i] / sql[i], want,
		       server[i] >= want * sql[i] ? "met" : "missed");
		printf("    raw limits: bare SQLite inserts of the same rows, %u chunk%s a transaction %7.0f chunks/s;"
		       " empty libmicrohttpd handler %7.0f chunks/s\n", per_req[i], i ? "s" : "", sql[i], mhd[i]);
	}
	return 0;
}
