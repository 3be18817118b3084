/* SPDX-License-Identifier: Apache-2.0 */
/* HTTP: a libmicrohttpd daemon with an internal thread pool; the API's answers are JSON, the dashboard's pages
 * HTML (dash.c). */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <time.h>

#include "alloc.h"
#include "clock.h"
#include "api.h"
#include "dash.h"
#include "html.h"
#include "ff/bytes.h"
#include "ff/chunk.h"
#include "ff/message.h"
#include "ff/serial.h"
#include "http.h"
#include "ingest.h"
#include "releases.h"
#include "symbols.h"
#include "keys.h"

#define THREADS 16u /* connections are suspended while their chunks are stored: a thread never waits for a commit */
#define API "/api/v1/"

#define BODY_MAX (1u << 20) /* one request's chunks */
#define POST_MAX (64u << 10) /* the body of one of the API's other POSTs (an issue's action) */

/* The request state of a connection answered from its headers alone (its body, if any, is discarded), and of a
 * GET, answered at the call after the headers: MHD keeps a connection alive only for an answer queued once the
 * request has been read, so a GET answered from its headers alone would close it. */
static int s_answered, s_get;

/* Is the Content-Type type the media type want, parameters (";charset=...") and case aside? */
static bool media_type_is(const char *type, const char *want)
{
	size_t n = strlen(want);

	if (type == NULL || strncasecmp(type, want, n) != 0)
		return false;
	type += n;
	while (*type == ' ' || *type == '\t')
		type++;
	return *type == '\0' || *type == ';';
}

/* A request whose body is read before it is answered: chunks or another POST of the API (in memory), or a symbol
 * file (streamed to disk). */
struct request {
	char serial[65];
	bool api_post; /* not chunks: a POST srv_api_post() answers */
	bool dash_post; /* a form of the dashboard */
	bool batch;
	bool too_large;
	uint8_t *body;
	size_t len, cap;
	struct srv_upload *upload; /* a symbol upload or a release's (release), streamed to disk */
	bool release;
	enum { NOT_UPDATE, UPDATE_CHECKIN, UPDATE_REPORT } update; /* a device's update endpoint (serial) */
	/* chunks: taken by the store's writer while the connection is suspended, answered once committed */
	enum { BODY, STORING, STORED } stage;
	struct srv_ingest in;
	int stored;                /* the commit's outcome: 0, or -1 (nothing of the request is stored) */
	enum srv_role role;        /* the credential that sent it */
	struct MHD_Connection *connection;
};

/* A connection as the guard sees it (its MHD socket context): since when it has been receiving what. */
struct tracked {
	struct MHD_Connection *connection;
	time_t since;      /* its first byte, or the end of the request before it on the connection */
	bool headers_done; /* the request's headers are in (the handler was called): its body may take longer */
	struct tracked *prev, *next;
};

struct srv_http {
	struct MHD_Daemon *daemon;
	/* the guard: every open connection, and the thread that shuts those past their deadline */
	pthread_mutex_t guard_lock;
	pthread_cond_t guard_wake;
	pthread_t guard;
	bool guard_started, stopping;
	struct tracked *connections;
	unsigned header_seconds, request_seconds;
	unsigned long shut; /* connections shut for being too slow */
	struct srv_store *store;
	char *data_dir;
	size_t symbols_max;
	uint64_t disk_reserve;
	pthread_mutex_t disk_lock;
	time_t disk_checked; /* the free space is looked at once a second at most */
	bool disk_low;
	struct srv_workers *workers;
	const struct srv_analyst_config *analysis;
	struct srv_limits *limits;
};

/* MHD_OPTION_NOTIFY_CONNECTION: every connection is tracked from its start to its close. */
static void connection_notify(void *cls, struct MHD_Connection *c, void **socket_context,
			      enum MHD_ConnectionNotificationCode code)
{
	struct srv_http *h = cls;
	struct tracked *t = *socket_context;

	pthread_mutex_lock(&h->guard_lock);
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		t = srv_calloc(1, sizeof(*t));
		t->connection = c;
		t->since = time(NULL);
		t->next = h->connections;
		if (h->connections != NULL)
			h->connections->prev = t;
		h->connections = t;
		*socket_context = t;
	} else if (t != NULL) { /* closed: the guard no longer touches it (MHD frees the connection after this) */
		if (t->prev != NULL)
			t->prev->next = t->next;
		else
			h->connections = t->next;
		if (t->next != NULL)
			t->next->prev = t->prev;
		free(t);
		*socket_context = NULL;
	}
	pthread_mutex_unlock(&h->guard_lock);
}

/* The connection's tracking (its socket context). */
static struct tracked *tracked_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info != NULL ? info->socket_context : NULL;
}

/* The request's headers are in (from), or the request is done and the connection waits for the next one. */
static void track(struct srv_http *h, struct MHD_Connection *c, bool headers_done)
{
	struct tracked *t = tracked_of(c);

	pthread_mutex_lock(&h->guard_lock);
	if (t != NULL) {
		t->headers_done = headers_done;
		if (!headers_done)
			t->since = time(NULL);
	}
	pthread_mutex_unlock(&h->guard_lock);
}

/* Once a second: shut the sockets of connections past their deadline (MHD then closes them). libmicrohttpd
 * 0.9.75's own timeout restarts at every byte, so a client sending a byte a second would hold its connection for
 * ever. The lock is held while a socket is shut, and MHD's close notification takes it: the connection cannot be
 * freed in between. */
static void *guard(void *arg)
{
	struct srv_http *h = arg;

	pthread_mutex_lock(&h->guard_lock);
	while (!h->stopping) {
		struct timespec until;
		time_t now = time(NULL);

		for (struct tracked *t = h->connections; t != NULL; t = t->next) {
			unsigned limit = t->headers_done ? h->request_seconds : h->header_seconds;
			const union MHD_ConnectionInfo *fd;

			if (now - t->since <= (time_t)limit)
				continue;
			fd = MHD_get_connection_info(t->connection, MHD_CONNECTION_INFO_CONNECTION_FD);
			if (fd != NULL)
				shutdown(fd->connect_fd, SHUT_RDWR);
			t->since = now; /* once: MHD closes it at its next look */
			h->shut++;
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&h->guard_wake, &h->guard_lock, &until);
	}
	pthread_mutex_unlock(&h->guard_lock);
	return NULL;
}

/* As many connections as the descriptors allow (the soft limit raised to the hard one, a few kept for files). */
static unsigned connections_max(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) != 0)
		return 1000;
	if (r.rlim_cur < r.rlim_max && r.rlim_max != RLIM_INFINITY) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
		getrlimit(RLIMIT_NOFILE, &r);
	}
	return r.rlim_cur > 16448 ? 16384u : r.rlim_cur > 164 ? (unsigned)r.rlim_cur - 64u : 100u;
}

/* Answer with bytes (malloc'd; the response takes them) of a content type. */
/* retry_after: seconds for a Retry-After header; 0 for none. */
static enum MHD_Result respond_retry(struct MHD_Connection *c, unsigned status, void *bytes, size_t len,
				     const char *type, unsigned retry_after)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, bytes, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result rc;
	char seconds[16];

	if (r == NULL) { /* (libmicrohttpd out of memory: the connection is closed) */
		free(bytes);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	if (retry_after > 0) {
		snprintf(seconds, sizeof(seconds), "%u", retry_after);
		MHD_add_response_header(r, "Retry-After", seconds);
	}
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result respond_bytes(struct MHD_Connection *c, unsigned status, void *bytes, size_t len,
				     const char *type)
{
	return respond_retry(c, status, bytes, len, type, 0);
}

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT);

	json_decref(body);
	if (text == NULL)
		return MHD_NO;
	return respond_bytes(c, status, text, strlen(text), "application/json");
}

/* {"error": {"code": ..., "message": ...}}, the one error shape (api.c); retry_after as for respond_retry */
static enum MHD_Result error_retry(struct MHD_Connection *c, unsigned status, const char *code, const char *message,
				   unsigned retry_after)
{
	struct srv_answer a;

	srv_api_error(&a, status, code, message);
	return respond_retry(c, a.status, a.body, a.len, a.type, retry_after);
}

static enum MHD_Result error(struct MHD_Connection *c, unsigned status, const char *code, const char *message)
{
	return error_retry(c, status, code, message, 0);
}

/* 401: no credential, a wrong one, or the project key where only the admin token goes. */
static enum MHD_Result unauthorized(struct MHD_Connection *c, enum srv_role role)
{
	return error(c, MHD_HTTP_UNAUTHORIZED, "unauthorized",
		     role == SRV_ROLE_NONE ? "missing or wrong credentials: devices send X-Faultline-Key, people "
					     "Authorization: Bearer"
					   : "the project key may only send chunks and check for its own updates");
}

/* The name a credential's bytes are counted under (srv_limits_bytes). */
static const char *credential(enum srv_role role)
{
	return role == SRV_ROLE_ADMIN ? "admin token" : "project key";
}

/* 429: a rate limit refused the request (nothing of it was stored). */
static enum MHD_Result rate_limited(struct MHD_Connection *c, const char *what, unsigned retry_after)
{
	char why[300];

	snprintf(why, sizeof(why), "over the limit of %s: nothing was stored; send again in %u s", what, retry_after);
	return error_retry(c, MHD_HTTP_TOO_MANY_REQUESTS, "rate_limited", why, retry_after);
}

/* The role the request's credentials prove: the admin token (Bearer) or the project key (X-Faultline-Key). */
static enum srv_role role_of(struct srv_http *h, struct MHD_Connection *c)
{
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	const char *key = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Faultline-Key");

	if (auth != NULL && strncmp(auth, "Bearer ", 7) == 0 && srv_keys_check(h->store, SRV_ROLE_ADMIN, auth + 7))
		return SRV_ROLE_ADMIN;
	if (key != NULL && srv_keys_check(h->store, SRV_ROLE_DEVICE, key))
		return SRV_ROLE_DEVICE;
	return SRV_ROLE_NONE;
}

/* Device endpoints take the project key (or the admin token); everything else the admin token. */
static bool device_endpoint(const char *url, const char *method)
{
	const char *serial = url + strlen(API "devices/"), *slash;

	if (strcmp(method, "POST") != 0 || strncmp(url, API "devices/", strlen(API "devices/")) != 0)
		return false;
	slash = strchr(serial, '/');
	return slash != NULL && slash > serial && strcmp(slash, "/chunks") == 0;
}

/* POST /api/v1/devices/{serial}/update or .../update/report (a device's check-in, a step of its update): which,
 * with the serial's length in *out_n. */
static int update_endpoint(const char *url, size_t *out_n)
{
	const char *serial = url + strlen(API "devices/"), *slash;

	if (strncmp(url, API "devices/", strlen(API "devices/")) != 0 || (slash = strchr(serial, '/')) == NULL ||
	    slash == serial)
		return NOT_UPDATE;
	*out_n = (size_t)(slash - serial);
	return strcmp(slash, "/update") == 0 ? UPDATE_CHECKIN : strcmp(slash, "/update/report") == 0 ? UPDATE_REPORT
											    : NOT_UPDATE;
}

/* GET /api/v1/devices/{serial}/releases/{id}/image: the serial (copied into serial, 65 bytes) and the release id;
 * 0 when url is not one. */
static int64_t image_endpoint(const char *url, char *serial)
{
	const char *s = url + strlen(API "devices/"), *slash;
	char *end = NULL;
	long long id;

	if (strncmp(url, API "devices/", strlen(API "devices/")) != 0 || (slash = strchr(s, '/')) == NULL ||
	    slash == s || (size_t)(slash - s) > 64 || strncmp(slash, "/releases/", 10) != 0)
		return 0;
	id = strtoll(slash + 10, &end, 10);
	if (end == slash + 10 || strcmp(end, "/image") != 0 || id <= 0)
		return 0;
	memcpy(serial, s, (size_t)(slash - s));
	serial[slash - s] = '\0';
	return ff_device_serial_valid(serial, strlen(serial)) ? id : 0;
}

/* A Range header's one range, bytes=FIRST-LAST, FIRST- or -SUFFIX, within size: 0 with *out_from and *out_len;
 * -2 when it starts past the end (416); -1 for what RFC 9110 lets a server ignore (another unit, several ranges,
 * not a range), answered with the whole image. */
static int byte_range(const char *range, int64_t size, int64_t *out_from, int64_t *out_len)
{
	long long a = -1, b = -1;
	char *end;

	if (strncmp(range, "bytes=", 6) != 0 || strchr(range, ',') != NULL)
		return -1;
	range += 6;
	if (*range == '-') { /* the last b bytes */
		b = strtoll(range + 1, &end, 10);
		if (end == range + 1 || *end != '\0' || b < 0)
			return -1;
		if (b == 0 || size == 0)
			return -2;
		*out_from = b >= size ? 0 : size - b;
		*out_len = size - *out_from;
		return 0;
	}
	a = strtoll(range, &end, 10);
	if (end == range || *end != '-' || a < 0)
		return -1;
	if (end[1] != '\0') {
		char *e2;

		b = strtoll(end + 1, &e2, 10);
		if (*e2 != '\0' || b < a)
			return -1;
	}
	if (a >= size)
		return -2;
	*out_from = a;
	*out_len = (b < 0 || b >= size ? size - 1 : b) - a + 1;
	return 0;
}

/* GET a release's image for a device that was offered it (project key, or the admin token): from its file, the
 * range asked (HTTP Range, for resuming) or all of it; never the whole image in memory. */
static enum MHD_Result serve_image(struct srv_http *h, struct MHD_Connection *c, const char *serial, int64_t release)
{
	const char *range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Range");
	char sha[65], path[4200], header[96];
	int64_t device = 0, size = 0, from = 0, len;
	struct MHD_Response *r;
	struct stat st;
	enum MHD_Result rc;
	int found, fd, ranged = 0;

	srv_store_lock(h->store);
	found = h->store->ops->device(h->store, serial, srv_now(), false, &device, NULL);
	if (found == 0)
		found = h->store->ops->device_release(h->store, device, release, sha, &size);
	srv_store_unlock(h->store);
	if (found < 0)
		return error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "store_error", "the database failed");
	if (found != 0)
		return error(c, MHD_HTTP_NOT_FOUND, "not_found", "no such release offered to this device");
	fd = srv_release_path(path, sizeof(path), h->data_dir, sha) == 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0 || fstat(fd, &st) != 0) {
		fprintf(stderr, "faultline-server: release image %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "io_error", "the release's image cannot be read");
	}
	len = (int64_t)st.st_size;
	if (range != NULL && (ranged = byte_range(range, (int64_t)st.st_size, &from, &len)) == -1) {
		range = NULL; /* (not one this server serves: the whole image) */
		from = 0;
		len = (int64_t)st.st_size;
	}
	if (range != NULL && ranged != 0) {
		close(fd);
		r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		if (r == NULL)
			return MHD_NO;
		snprintf(header, sizeof(header), "bytes */%lld", (long long)st.st_size);
		MHD_add_response_header(r, "Content-Range", header);
		rc = MHD_queue_response(c, MHD_HTTP_RANGE_NOT_SATISFIABLE, r);
		MHD_destroy_response(r);
		return rc;
	}
	if ((r = MHD_create_response_from_fd_at_offset64((uint64_t)len, fd, (uint64_t)from)) == NULL) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "application/octet-stream");
	MHD_add_response_header(r, "Accept-Ranges", "bytes");
	snprintf(header, sizeof(header), "\"%s\"", sha);
	MHD_add_response_header(r, "ETag", header);
	if (range != NULL) {
		snprintf(header, sizeof(header), "bytes %lld-%lld/%lld", (long long)from, (long long)(from + len - 1),
			 (long long)st.st_size);
		MHD_add_response_header(r, "Content-Range", header);
	}
	rc = MHD_queue_response(c, range != NULL ? MHD_HTTP_PARTIAL_CONTENT : MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return rc;
}

/* The writer committed a request's chunks (or failed to): answer it. */
static void chunks_stored(void *ctx, int rc, const char *error)
{
	struct request *req = ctx;

	if (rc != 0 && req->in.retry_after == 0) /* (a rate limit's refusals are counted, not logged) */
		fprintf(stderr, "faultline-server: storing chunks of %s: %s\n", req->serial, error);
	srv_ingest_settle(&req->in, rc);
	if (rc != 0 && req->in.rate != NULL) /* nothing stored, and not for its body: its bytes are given back */
		srv_limits_bytes_refund(req->in.rate, credential(req->role), req->len, req->in.now);
	req->stored = rc;
	req->stage = STORED;
	MHD_resume_connection(req->connection);
}

/* Is the data folder's disk below its reserve? Ingest stops before the disk is full, not after: the database then
 * still has room to finish what it has taken (processing, expiry), and nothing accepted is lost. */
static bool disk_low(struct srv_http *h)
{
	time_t now = time(NULL);
	struct statvfs fs;
	bool low;

	pthread_mutex_lock(&h->disk_lock);
	if (now != h->disk_checked) {
		h->disk_checked = now;
		h->disk_low = h->disk_reserve > 0 && statvfs(h->data_dir, &fs) == 0 &&
			      (uint64_t)fs.f_bavail * fs.f_frsize < h->disk_reserve;
	}
	low = h->disk_low;
	pthread_mutex_unlock(&h->disk_lock);
	return low;
}

/* POST /api/v1/devices/{serial}/chunks, once the whole body is in: parsed, then handed to the store's writer with
 * the connection suspended (no thread waits for the commit); answered when resumed. */
static enum MHD_Result ingest(struct srv_http *h, struct MHD_Connection *c, struct request *req)
{
	struct ff_error err = {0};
	json_t *results;
	unsigned status;
	int rc;

	if (req->stage == BODY) {
		int64_t now = srv_now();
		unsigned wait;

		if (disk_low(h))
			return error_retry(c, MHD_HTTP_SERVICE_UNAVAILABLE, "disk_low", "the server's disk is below its "
					   "reserve (--disk-reserve-mb): nothing was stored; send again later", 60);
		if (h->limits != NULL && (wait = srv_limits_bytes(h->limits, credential(req->role), req->len, now)) != 0)
			return rate_limited(c, "bytes a day for this credential (faultline-server --key-mb-per-day)", wait);
		if (req->too_large)
			return error(c, MHD_HTTP_CONTENT_TOO_LARGE, "too_large", "the body is larger than 1 MiB: send fewer "
				     "chunks per request");
		rc = srv_ingest_prepare(&req->in, req->serial, req->body, req->len, req->batch, now, &srv_ingest_limits,
					&err);
		if (rc != 0 && err.code == FF_ERR_TOO_LARGE)
			return error(c, MHD_HTTP_CONTENT_TOO_LARGE, "too_large", err.msg);
		if (rc != 0)
			return error(c, MHD_HTTP_BAD_REQUEST, req->len == 0 ? "empty" : req->batch ? "bad_batch" : "malformed",
				     err.msg);
		req->in.rate = h->limits;
		req->stage = STORING;
		req->connection = c;
		MHD_suspend_connection(c);
		srv_store_group_submit(h->store, srv_ingest_apply, &req->in, chunks_stored, req);
		return MHD_YES;
	}
	if (req->stored != 0 && req->in.retry_after != 0)
		return rate_limited(c, req->in.limited, req->in.retry_after);
	if (req->stored != 0)
		return error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "store_error", "the database failed: nothing was stored");
	srv_ingest_tally(&req->in);
	results = json_array();
	for (size_t i = 0; i < req->in.n; i++) {
		const struct srv_chunk_outcome *o = &req->in.chunks[i];
		json_t *r = json_pack("{s:s}", "result", ff_chunk_result_name(o->res));

		if (o->res == FF_CHUNK_COMPLETE && o->heartbeat != NULL)
			json_object_set_new(r, "heartbeat", json_string(o->heartbeat));
		else if (o->res == FF_CHUNK_COMPLETE)
			json_object_set_new(r, "message", json_integer(o->message));
		if (o->error != NULL)
			json_object_set_new(r, "error", json_string(o->error));
		json_array_append_new(results, r);
	}
	if (req->in.queued > 0) /* (heartbeats were counted already) */
		srv_workers_wake(h->workers);
	status = req->in.rejected > 0 ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_OK;
	return respond(c, status, json_pack("{s:o}", "results", results));
}

/* How an upload that was not stored is answered (symbols and releases alike). */
static const struct {
	unsigned status;
	const char *code;
} k_upload_answers[] = {
	[SRV_UPLOAD_TOO_LARGE] = {MHD_HTTP_CONTENT_TOO_LARGE, "too_large"},
	[SRV_UPLOAD_NO_SPACE] = {MHD_HTTP_INSUFFICIENT_STORAGE, "insufficient_storage"},
	[SRV_UPLOAD_BAD_ELF] = {MHD_HTTP_BAD_REQUEST, "bad_elf"},
	[SRV_UPLOAD_UNAVAILABLE] = {MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable"},
	[SRV_UPLOAD_FAILED] = {MHD_HTTP_INTERNAL_SERVER_ERROR, "store_error"},
	[SRV_UPLOAD_REFUSED] = {MHD_HTTP_BAD_REQUEST, "bad_release"},
	[SRV_UPLOAD_NEEDS_SYMBOLS] = {MHD_HTTP_CONFLICT, "symbols_missing"},
	[SRV_UPLOAD_EXISTS] = {MHD_HTTP_CONFLICT, "exists"},
};

/* POST /api/v1/symbols, once the whole file is on disk (symbols.c checks and keeps it). */
static enum MHD_Result symbols_done(struct srv_http *h, struct MHD_Connection *c, struct request *req)
{
	struct srv_upload_result r;
	json_t *answer;

	srv_symbols_finish(req->upload, h->store, h->analysis, &r);
	req->upload = NULL;
	if (r.outcome != SRV_UPLOAD_STORED)
		return error(c, k_upload_answers[r.outcome].status, k_upload_answers[r.outcome].code, r.why);
	if (r.requeued > 0)
		srv_workers_wake(h->workers);
	answer = json_pack("{s:s, s:I, s:I}", "build_id", r.build_id, "size", (json_int_t)r.size, "requeued",
			   (json_int_t)r.requeued);
	/* what names its heartbeats' values: the keys, or why they stay unnamed */
	if (r.metrics.has_table)
		json_object_set_new(answer, "metric_keys", json_integer((json_int_t)r.metrics.table.nkeys));
	else if (r.metrics.problem[0] != '\0')
		json_object_set_new(answer, "metric_keys_problem", json_string(r.metrics.problem));
	return respond(c, MHD_HTTP_CREATED, answer);
}

/* A GET query argument, for srv_api_get(). */
static const char *query_arg(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

/* A release image uploaded (POST /api/v1/releases): checked and kept (releases.c), answered with the release. */
static enum MHD_Result release_done(struct srv_http *h, struct MHD_Connection *c, struct request *req)
{
	struct srv_release_result r;
	struct srv_answer a;
	char path[32];

	srv_release_finish(req->upload, h->store, &r);
	req->upload = NULL;
	if (r.outcome != SRV_UPLOAD_STORED)
		return error(c, k_upload_answers[r.outcome].status, k_upload_answers[r.outcome].code, r.why);
	snprintf(path, sizeof(path), "releases/%lld", (long long)r.id);
	srv_api_get(&a, h->store, path, query_arg, c);
	if (a.status == 200)
		a.status = r.fresh ? MHD_HTTP_CREATED : MHD_HTTP_OK;
	return respond_bytes(c, a.status, a.body, a.len, a.type);
}

/* POST /api/v1/test/clock?now=T, only with faultline-server --test-clock: the server's clock set to T (Unix
 * seconds; forward only), for simulated fleets. */
static enum MHD_Result test_clock(struct MHD_Connection *c)
{
	const char *text = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "now");
	char *end = NULL;
	long long t = text != NULL ? strtoll(text, &end, 10) : 0;

	if (text == NULL || end == text || *end != '\0' || t < 0 || srv_clock_set((int64_t)t) != 0)
		return error(c, MHD_HTTP_BAD_REQUEST, "bad_request", "now=T: Unix seconds, not before the clock's time");
	return respond(c, MHD_HTTP_OK, json_pack("{s:I}", "now", (json_int_t)srv_now()));
}

/* GET /api/v1/...: answered by api.c. */
static enum MHD_Result read_api(struct srv_http *h, struct MHD_Connection *c, const char *url)
{
	struct srv_answer a;

	if (strncmp(url, API, strlen(API)) != 0)
		return error(c, MHD_HTTP_NOT_FOUND, "not_found", "no such endpoint");
	if (strcmp(url, API "limits") == 0) /* the rate limits live here, not in the store */
		srv_api_limits(&a, h->limits);
	else
		srv_api_get(&a, h->store, url + strlen(API), query_arg, c);
	return respond_bytes(c, a.status, a.body, a.len, a.type);
}

/* The query of a request, %-escaped again, for the dashboard's login to come back to (MHD gives it decoded). */
struct query {
	char text[512];
	size_t len;
};

static enum MHD_Result query_part(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct query *q = cls;
	const char *parts[2] = {key, value};

	(void)kind;
	for (int k = 0; k < 2 && parts[k] != NULL; k++) {
		if (q->len + 2 >= sizeof(q->text))
			return MHD_NO;
		if (k == 0 && q->len > 0)
			q->text[q->len++] = '&';
		else if (k == 1)
			q->text[q->len++] = '=';
		for (const unsigned char *p = (const unsigned char *)parts[k]; *p != '\0'; p++) {
			if (q->len + 4 >= sizeof(q->text))
				return MHD_NO;
			q->len += srv_url_byte(q->text + q->len, *p);
		}
	}
	q->text[q->len] = '\0';
	return MHD_YES;
}

/* The dashboard's view of a request (its form's body from req, NULL: none). */
static void dash_request(struct srv_dash_request *rq, struct MHD_Connection *c, const char *url, const char *method,
			 const struct request *req)
{
	*rq = (struct srv_dash_request){
		.method = method, .path = url, .arg = query_arg, .actx = c, .query = "",
		.cookie = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Cookie"),
		.forwarded_proto = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-Proto"),
		.origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin"),
		.host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host"),
		.csrf_header = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token"),
		.body = req != NULL ? (const char *)req->body : NULL, .len = req != NULL ? req->len : 0,
	};
}

/* A dashboard request (any path outside /api/ and /healthz), its form's body in req when a POST: answered by
 * dash.c, with the dashboard's security headers. */
static enum MHD_Result dashboard(struct srv_http *h, struct MHD_Connection *c, const char *url, const char *method,
				 struct request *req)
{
	struct srv_dash_config cfg = {h->store, h->limits, h->data_dir};
	struct query q = {.text = ""};
	struct srv_dash_request rq;
	struct srv_dash_answer a;
	struct MHD_Response *r;
	enum MHD_Result rc;

	struct timespec t0, t1;
	char timing[48];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	dash_request(&rq, c, url, method, req != NULL && !req->too_large ? req : NULL);
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, query_part, &q);
	rq.query = q.text;
	srv_dash_handle(&a, &cfg, &rq);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r = a.fd >= 0 ? MHD_create_response_from_fd(a.len, a.fd) /* (MHD closes it) */
		      : MHD_create_response_from_buffer(a.len, a.body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) { /* (as respond_retry) */
		if (a.fd >= 0)
			close(a.fd);
		else
			free(a.body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", a.type);
	/* the time the page took the server, for a browser's developer tools and make bench */
	snprintf(timing, sizeof(timing), "page;dur=%.3f",
		 (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	MHD_add_response_header(r, "Server-Timing", timing);
	for (size_t k = 0; a.page && k < srv_dash_nheaders; k++)
		MHD_add_response_header(r, srv_dash_headers[k][0], srv_dash_headers[k][1]);
	if (a.location[0] != '\0')
		MHD_add_response_header(r, "Location", a.location);
	if (a.cookie[0] != '\0')
		MHD_add_response_header(r, "Set-Cookie", a.cookie);
	if (a.disposition[0] != '\0')
		MHD_add_response_header(r, "Content-Disposition", a.disposition);
	rc = MHD_queue_response(c, a.status, r);
	MHD_destroy_response(r);
	return rc;
}

/* POST /api/v1/... other than chunks and symbols, once its body is in: answered by api.c. */
static enum MHD_Result api_post(struct srv_http *h, struct MHD_Connection *c, const char *url, struct request *req)
{
	struct srv_answer a;

	if (req->too_large)
		return error(c, MHD_HTTP_CONTENT_TOO_LARGE, "too_large", "the body is larger than 64 KiB");
	if (req->update != NOT_UPDATE) {
		srv_api_device_update(&a, h->store, h->limits, req->serial, req->update == UPDATE_REPORT,
				      (const char *)req->body, req->len);
		return respond_bytes(c, a.status, a.body, a.len, a.type);
	}
	if (!srv_api_post(&a, h->store, url + strlen(API), (const char *)req->body, req->len))
		return error(c, MHD_HTTP_NOT_FOUND, "not_found", "no such endpoint");
	return respond_bytes(c, a.status, a.body, a.len, a.type);
}

/* A symbol upload (POST /api/v1/symbols, or the dashboard's POST /symbols) allowed: refused from its headers when
 * it says it is too large (not read, and written, first), else streamed to disk as it comes. */
static enum MHD_Result upload_begin(struct srv_http *h, struct MHD_Connection *c, void **req_cls)
{
	const char *length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	struct request *req;
	char why[4300];

	if (length != NULL && strtoull(length, NULL, 10) > h->symbols_max) {
		snprintf(why, sizeof(why), "the file is larger than the limit of %zu MiB (faultline-server --symbols-max-mb)",
			 h->symbols_max >> 20);
		return error(c, MHD_HTTP_CONTENT_TOO_LARGE, "too_large", why);
	}
	req = srv_calloc(1, sizeof(*req));
	if (srv_symbols_upload_begin(&req->upload, h->data_dir, h->symbols_max, why, sizeof(why)) != 0) {
		free(req);
		fprintf(stderr, "faultline-server: %s\n", why);
		return error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "io_error", "cannot store uploads");
	}
	*req_cls = req;
	return MHD_YES;
}

/* A release upload (POST /api/v1/releases): refused from its headers when it says it is too large, else streamed
 * to disk as it comes. */
static enum MHD_Result release_begin(struct srv_http *h, struct MHD_Connection *c, void **req_cls)
{
	const char *length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	struct request *req;
	char why[4300];

	if (length != NULL && strtoull(length, NULL, 10) > SRV_RELEASE_MAX) {
		snprintf(why, sizeof(why), "the image is larger than a release can be (%u MiB)", SRV_RELEASE_MAX >> 20);
		return error(c, MHD_HTTP_CONTENT_TOO_LARGE, "too_large", why);
	}
	req = srv_calloc(1, sizeof(*req));
	req->release = true;
	if (srv_release_upload_begin(&req->upload, h->data_dir, why, sizeof(why)) != 0) {
		free(req);
		fprintf(stderr, "faultline-server: %s\n", why);
		return error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "io_error", "cannot store uploads");
	}
	*req_cls = req;
	return MHD_YES;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	struct srv_http *h = cls;
	struct request *req = *req_cls;
	enum srv_role role;

	(void)version;
	if (req == NULL) /* the headers are in: the body may take request_seconds */
		track(h, c, true);
	if (req == NULL && strcmp(method, "GET") == 0) { /* answered at the next call: see s_get */
		*req_cls = &s_get;
		return MHD_YES;
	}
	if (req == (void *)&s_get) {
		if (*upload_data_size > 0) { /* a GET's body means nothing here */
			*upload_data_size = 0;
			return MHD_YES;
		}
		*req_cls = &s_answered;
		if (strcmp(url, "/healthz") == 0)
			return respond(c, MHD_HTTP_OK, json_pack("{s:s}", "status", "ok"));
		if (strncmp(url, API, strlen(API)) != 0 && strcmp(url, "/api/v1") != 0)
			return dashboard(h, c, url, method, NULL);
		role = role_of(h, c);
		{
			char serial[65];
			int64_t release = image_endpoint(url, serial);

			if (release > 0 && role != SRV_ROLE_NONE)
				return serve_image(h, c, serial, release);
		}
		if (role != SRV_ROLE_ADMIN)
			return unauthorized(c, role);
		return read_api(h, c, url);
	}
	if (req == NULL) { /* headers only: answer now, or get ready for the body */
		*req_cls = &s_answered;
		if (strncmp(url, "/api/", 5) != 0 && strcmp(url, "/healthz") != 0) {
			if (strcmp(method, "POST") != 0) /* (HEAD and the others: from the headers) */
				return dashboard(h, c, url, method, NULL);
			if (strcmp(url, "/symbols") == 0) { /* the dashboard's upload: a session's, with its token */
				struct srv_dash_config cfg = {h->store, h->limits, h->data_dir};
				struct srv_dash_request rq;
				char why[200];
				unsigned refused;

				dash_request(&rq, c, url, method, NULL);
				if ((refused = srv_dash_upload_refused(&cfg, &rq, why, sizeof(why))) != 0)
					return error(c, refused, refused == 500 ? "store_error" : "forbidden", why);
				return upload_begin(h, c, req_cls);
			}
			req = srv_calloc(1, sizeof(*req));
			req->dash_post = true;
			*req_cls = req;
			return MHD_YES;
		}
		role = role_of(h, c);
		{
			size_t n = 0;
			int update = strcmp(method, "POST") == 0 ? update_endpoint(url, &n) : NOT_UPDATE;

			if (update != NOT_UPDATE && role != SRV_ROLE_NONE) {
				if (n > 64 || !ff_device_serial_valid(url + strlen(API "devices/"), n))
					return error(c, MHD_HTTP_BAD_REQUEST, "bad_serial",
						     "a device serial is 1..64 characters of A-Z a-z 0-9 . _ : -");
				req = srv_calloc(1, sizeof(*req));
				req->api_post = true;
				req->update = update;
				memcpy(req->serial, url + strlen(API "devices/"), n);
				*req_cls = req;
				return MHD_YES;
			}
		}
		if (role == SRV_ROLE_NONE || (role == SRV_ROLE_DEVICE && !device_endpoint(url, method)))
			return unauthorized(c, role);
		if (device_endpoint(url, method)) {
			const char *serial = url + strlen(API "devices/");
			const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
			size_t n = (size_t)(strchr(serial, '/') - serial);

			if (!ff_device_serial_valid(serial, n))
				return error(c, MHD_HTTP_BAD_REQUEST, "bad_serial",
					     "a device serial is 1..64 characters of A-Z a-z 0-9 . _ : -");
			if (!media_type_is(type, "application/vnd.faultline.chunk") &&
			    !media_type_is(type, "application/vnd.faultline.chunk-batch"))
				return error(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
					     "send Content-Type: application/vnd.faultline.chunk (one chunk) or "
					     "application/vnd.faultline.chunk-batch (records)");
			req = srv_calloc(1, sizeof(*req));
			req->role = role;
			memcpy(req->serial, serial, n);
			req->batch = media_type_is(type, "application/vnd.faultline.chunk-batch");
			*req_cls = req;
			return MHD_YES;
		}
		if (strcmp(url, API "test/clock") == 0 && strcmp(method, "POST") == 0 && srv_clock_is_test())
			return test_clock(c);
		if (strcmp(url, API "symbols") == 0 && strcmp(method, "POST") == 0)
			return upload_begin(h, c, req_cls);
		if (strcmp(url, API "releases") == 0 && strcmp(method, "POST") == 0)
			return release_begin(h, c, req_cls);
		if (strcmp(method, "POST") == 0 && strncmp(url, API, strlen(API)) == 0) {
			req = srv_calloc(1, sizeof(*req));
			req->api_post = true;
			*req_cls = req;
			return MHD_YES;
		}
		return error(c, MHD_HTTP_NOT_FOUND, "not_found", "no such endpoint");
	}
	if (req == (void *)&s_answered) {
		*upload_data_size = 0; /* a body after an answer is discarded */
		return MHD_YES;
	}
	if (req->upload != NULL) { /* an upload: straight to disk, up to the limit */
		if (*upload_data_size == 0)
			return req->release ? release_done(h, c, req) : symbols_done(h, c, req);
		srv_upload_write(req->upload, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (req->len + *upload_data_size > (req->dash_post ? SRV_DASH_FORM_MAX : req->api_post ? POST_MAX : BODY_MAX)) {
			req->too_large = true;
		} else {
			if (req->len + *upload_data_size > req->cap) {
				req->cap = req->len + *upload_data_size > 2 * req->cap ? req->len + *upload_data_size
										: 2 * req->cap;
				req->body = srv_realloc(req->body, req->cap);
			}
			memcpy(req->body + req->len, upload_data, *upload_data_size);
			req->len += *upload_data_size;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (req->api_post)
		return api_post(h, c, url, req);
	if (req->dash_post)
		return dashboard(h, c, url, method, req);
	return ingest(h, c, req);
}

static void completed(void *cls, struct MHD_Connection *c, void **req_cls, enum MHD_RequestTerminationCode why)
{
	struct request *req = *req_cls;

	(void)why;
	track(cls, c, false); /* the connection now waits for its next request's headers */
	if (req != NULL && req != (void *)&s_answered) {
		srv_upload_abort(req->upload); /* an upload cut short */
		srv_ingest_free(&req->in);
		free(req->body);
		free(req);
	}
	*req_cls = NULL;
}

int srv_http_start(struct srv_http **out, const struct srv_http_config *cfg, uint16_t *out_port, char *err,
		   size_t errlen)
{
	const struct srv_listen *l = cfg->listen;
	struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM}, *ai = NULL;
	struct srv_http *h = srv_calloc(1, sizeof(*h));
	const union MHD_DaemonInfo *info;
	char port[8];
	int rc;

	*out = NULL;
	snprintf(port, sizeof(port), "%u", l->port);
	rc = getaddrinfo(l->host, port, &hints, &ai);
	if (rc != 0) {
		snprintf(err, errlen, "cannot resolve %s: %s", l->host, gai_strerror(rc));
		free(h);
		return -1;
	}
	h->store = cfg->store;
	h->data_dir = srv_strdup(cfg->data_dir);
	h->symbols_max = cfg->symbols_max;
	h->disk_reserve = cfg->disk_reserve;
	pthread_mutex_init(&h->disk_lock, NULL);
	h->workers = cfg->workers;
	h->analysis = cfg->analysis;
	h->limits = cfg->limits;
	h->header_seconds = cfg->header_seconds != 0 ? cfg->header_seconds : 30;
	h->request_seconds = cfg->request_seconds != 0 ? cfg->request_seconds : 600;
	pthread_mutex_init(&h->guard_lock, NULL);
	pthread_cond_init(&h->guard_wake, NULL);
	h->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
					     MHD_ALLOW_SUSPEND_RESUME |
					     (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				     0, NULL, NULL, handle, h, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
				     MHD_OPTION_THREAD_POOL_SIZE, THREADS, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
				     MHD_OPTION_NOTIFY_COMPLETED, completed, h, MHD_OPTION_NOTIFY_CONNECTION,
				     connection_notify, h, MHD_OPTION_CONNECTION_LIMIT, connections_max(),
				     MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_address != 0 ? cfg->per_address : 256u,
				     MHD_OPTION_END);
	freeaddrinfo(ai);
	if (h->daemon == NULL) {
		snprintf(err, errlen, "cannot listen on %s:%u (in use, or not an address of this machine?)", l->host,
			 l->port);
		srv_http_stop(h);
		return -1;
	}
	h->guard_started = pthread_create(&h->guard, NULL, guard, h) == 0;
	if (!h->guard_started) {
		snprintf(err, errlen, "cannot start a thread");
		srv_http_stop(h);
		return -1;
	}
	info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
	*out_port = info != NULL ? info->port : l->port;
	*out = h;
	return 0;
}

void srv_http_stop(struct srv_http *h)
{
	if (h == NULL)
		return;
	if (h->guard_started) {
		pthread_mutex_lock(&h->guard_lock);
		h->stopping = true;
		pthread_cond_signal(&h->guard_wake);
		pthread_mutex_unlock(&h->guard_lock);
		pthread_join(h->guard, NULL);
	}
	if (h->daemon != NULL)
		MHD_stop_daemon(h->daemon);
	pthread_cond_destroy(&h->guard_wake);
	pthread_mutex_destroy(&h->guard_lock);
	pthread_mutex_destroy(&h->disk_lock);
	free(h->data_dir);
	free(h);
}
