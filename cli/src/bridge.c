/* SPDX-License-Identifier: Apache-2.0 */
/* faultline bridge: a device's serial console in, its log lines out to the terminal, its chunks (docs/FORMAT.md
 * §6 framing) to faultline-server, its update requests (§12) relayed to the server and answered on the console
 * (a serial port or tcp:HOST:PORT, which take writes), with the serial the device announces (chunk lines before any announcement are
 * dropped, as §6 says; --serial counts as an announcement at the start). Chunks wait in memory while the server
 * is unreachable and go out, in order, once it answers: none is dropped, and one sent twice is harmless (the
 * server recognizes it). Only format/ reads the console: this file knows nothing of the framing. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ff/bytes.h"
#include "ff/chunk.h"
#include "ff/device.h"
#include "ff/serial.h"
#include "ff/update.h"
#include "http.h"

#define DEFAULT_SERVER "http://127.0.0.1:8080"
#define QUEUE_MAX 65536u     /* chunks held while the server is away; then the input waits */
#define BATCH_MAX 64u        /* chunks per request */
#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 5000

struct chunk {
	char serial[FF_DEVICE_SERIAL_MAX + 1];
	uint8_t *bytes;
	size_t len;
};

struct bridge {
	const char *server, *key, *input;
	int fd;
	bool eof;
	struct ff_serial_reader reader; /* the console's lines, and whose chunks they are */
	struct chunk *queue; /* a FIFO: [head, tail) */
	size_t head, tail, cap;
	int64_t retry_at_ms; /* no request before this (backing off) */
	int backoff_ms;
	bool outage_said;
	bool two_way;        /* replies can be written to fd (a serial port, tcp:): update requests are relayed */
	/* what happened, for the summary */
	unsigned long forwarded, delivered, rejected, damaged, logs, unannounced, updates, image_bytes;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "tcp:HOST:PORT": a connected socket, or -1 after saying why. */
static int dial(const char *spec)
{
	char host[256];
	const char *colon = strrchr(spec + 4, ':');
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai, *a;
	int fd = -1, rc;

	if (colon == NULL || (size_t)(colon - (spec + 4)) >= sizeof(host)) {
		fprintf(stderr, "faultline bridge: %s: expected tcp:HOST:PORT\n", spec);
		return -1;
	}
	memcpy(host, spec + 4, (size_t)(colon - (spec + 4)));
	host[colon - (spec + 4)] = '\0';
	if ((rc = getaddrinfo(host, colon + 1, &hints, &ai)) != 0) {
		fprintf(stderr, "faultline bridge: %s: %s\n", spec, gai_strerror(rc));
		return -1;
	}
	for (a = ai; a != NULL && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
		if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(ai);
	if (fd < 0)
		fprintf(stderr, "faultline bridge: cannot connect to %s: %s\n", spec, strerror(errno));
	return fd;
}

/* The termios speed for a baud rate, or 0. */
static speed_t speed_of(unsigned long baud)
{
	static const struct {
		unsigned long baud;
		speed_t speed;
	} k_speeds[] = {{9600, B9600},     {19200, B19200},   {38400, B38400},   {57600, B57600},
			{115200, B115200}, {230400, B230400}, {460800, B460800}, {921600, B921600}};

	for (size_t i = 0; i < sizeof(k_speeds) / sizeof(k_speeds[0]); i++)
		if (k_speeds[i].baud == baud)
			return k_speeds[i].speed;
	return 0;
}

/* A serial port: raw bytes at baud, 8N1, no echo, no line editing, no translation of CR or LF. */
static int tty_raw(int fd, const char *input, unsigned long baud)
{
	struct termios t;

	if (tcgetattr(fd, &t) != 0) {
		fprintf(stderr, "faultline bridge: %s: %s\n", input, strerror(errno));
		return -1;
	}
	t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t.c_oflag &= ~(tcflag_t)OPOST;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | CSTOPB);
	t.c_cflag |= CS8 | CREAD | CLOCAL;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (cfsetispeed(&t, speed_of(baud)) != 0 || cfsetospeed(&t, speed_of(baud)) != 0 ||
	    tcsetattr(fd, TCSANOW, &t) != 0) {
		fprintf(stderr, "faultline bridge: %s: cannot set %lu baud: %s\n", input, baud, strerror(errno));
		return -1;
	}
	return 0;
}

static int open_input(const char *input, unsigned long baud)
{
	struct stat st;
	int fd;

	if (strcmp(input, "-") == 0)
		return STDIN_FILENO;
	if (strncmp(input, "tcp:", 4) == 0)
		return dial(input);
	/* a serial port takes the replies to update requests; a file or a FIFO is only read */
	if ((stat(input, &st) != 0 || !S_ISCHR(st.st_mode) || (fd = open(input, O_RDWR | O_NOCTTY)) < 0) &&
	    (fd = open(input, O_RDONLY | O_NOCTTY)) < 0) {
		fprintf(stderr, "faultline bridge: cannot open %s: %s\n", input, strerror(errno));
		return -1;
	}
	if (isatty(fd) && tty_raw(fd, input, baud) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static size_t queued(const struct bridge *b)
{
	return b->tail - b->head;
}

static void enqueue(struct bridge *b, const char *serial, const uint8_t *bytes, size_t len)
{
	struct chunk *c;

	if (b->tail == b->cap) { /* compact, then grow */
		if (b->head > 0) {
			memmove(b->queue, b->queue + b->head, queued(b) * sizeof(*b->queue));
			b->tail -= b->head;
			b->head = 0;
		}
		if (b->tail == b->cap) {
			b->cap = b->cap == 0 ? 256 : b->cap * 2;
			b->queue = realloc(b->queue, b->cap * sizeof(*b->queue));
			if (b->queue == NULL)
				abort(); /* out of memory: nothing sensible to do with the device's data */
		}
	}
	c = &b->queue[b->tail++];
	snprintf(c->serial, sizeof(c->serial), "%s", serial);
	c->bytes = malloc(len);
	if (c->bytes == NULL)
		abort();
	memcpy(c->bytes, bytes, len);
	c->len = len;
}

/* What the console's reader found in a line. */
static void take_update(struct bridge *b, const char *serial, const uint8_t *bytes, size_t len);

static void take_event(void *ctx, const struct ff_serial_event *ev)
{
	struct bridge *b = ctx;

	switch (ev->kind) {
	case FF_SERIAL_EV_LOG:
		fwrite(ev->text, 1, ev->text_len, stdout);
		fputc('\n', stdout);
		b->logs++;
		break;
	case FF_SERIAL_EV_CHUNK:
		enqueue(b, ev->serial, ev->chunk, ev->chunk_len);
		break;
	case FF_SERIAL_EV_UPDATE:
		take_update(b, ev->serial, ev->chunk, ev->chunk_len);
		break;
	case FF_SERIAL_EV_UNANNOUNCED:
		if (b->unannounced++ == 0)
			fprintf(stderr, "faultline bridge: a chunk line came before any #FL:S: line and was dropped; pass "
					"--serial SERIAL when the device does not announce itself\n");
		break;
	case FF_SERIAL_EV_BAD:
		fprintf(stderr, "faultline bridge: a damaged line was dropped: %s\n", ev->why);
		b->damaged++;
		break;
	default:
		break;
	}
}

/* One request of the relay to the server, as a device with IP makes it (docs/OTA.md). path: after the device's
 * /api/v1/devices/SERIAL/; body: POST it (NULL: GET); range: a Range header (NULL: none). */
static long relay_http(const struct bridge *b, const char *serial, const char *path, const char *body,
		       const char *range, struct cli_body *out, char *err, size_t errlen)
{
	char url[2200], header[600];
	struct cli_request rq = {.url = url, .header = header, .header2 = range, .timeout_s = 30};

	snprintf(url, sizeof(url), "%s/api/v1/devices/%s/%s", b->server, serial, path);
	snprintf(header, sizeof(header), "X-Faultline-Key: %s", b->key);
	if (body != NULL) {
		rq.content_type = "application/json";
		rq.data = body;
		rq.len = strlen(body);
	}
	return cli_http(&rq, out, err, errlen);
}

/* A refusal for a request of type: the server's message when it gave one, else what went wrong. */
static void refused(struct ff_update_reply *out, unsigned type, long status, const struct cli_body *answer,
		    const char *err)
{
	json_t *j = status != 0 && answer->data != NULL ? json_loads(answer->data, 0, NULL) : NULL;
	const char *msg = json_string_value(json_object_get(json_object_get(j, "error"), "message"));

	*out = (struct ff_update_reply){.type = FF_UPDATE_REFUSED, .request_type = (uint8_t)type};
	if (status == 0 || status >= 500 || status == 429)
		snprintf(out->why, sizeof(out->why), "the server is unreachable: ask again later (%s)",
			 status == 0 ? err : "busy");
	else
		snprintf(out->why, sizeof(out->why), "%s", msg != NULL ? msg : "refused by the server");
	json_decref(j);
}

/* The server's answer to a request (docs/FORMAT.md §12), as the reply. */
static void relay(struct bridge *b, const char *serial, const struct ff_update_request *rq,
		  struct ff_update_reply *out, uint8_t *data)
{
	struct cli_body answer = {0};
	char body[800], path[96], range[64], err[256], hex[129];
	long status;
	json_t *j, *offer, *v;

	if (rq->type == FF_UPDATE_CHECKIN) {
		ff_hex(hex, sizeof(hex), rq->build_id, rq->build_id_len);
		snprintf(body, sizeof(body), "%u.%u.%u+%lu", rq->version.major, rq->version.minor, rq->version.revision,
			 (unsigned long)rq->version.build);
		v = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "sw_version", rq->sw_version, "build_id", hex,
			      "hw_version", rq->hw_version, "version", body, "security_counter",
			      (json_int_t)rq->security_counter, "slot_size", (json_int_t)rq->slot_size);
		if (rq->hw_version[0] == '\0') /* (none: 0 bytes, FORMAT.md §12) */
			json_object_del(v, "hw_version");
		{
			char *text = json_dumps(v, JSON_COMPACT);

			json_decref(v);
			status = relay_http(b, serial, "update", text, NULL, &answer, err, sizeof(err));
			free(text);
		}
		j = status == 200 && answer.data != NULL ? json_loads(answer.data, 0, NULL) : NULL;
		offer = json_object_get(j, "offer");
		if (j == NULL) {
			refused(out, rq->type, status, &answer, err);
		} else if (!json_is_object(offer)) {
			*out = (struct ff_update_reply){.type = FF_UPDATE_NO_OFFER};
		} else {
			unsigned maj = 0, min = 0, rev = 0;
			unsigned long build = 0;
			const char *sha = json_string_value(json_object_get(offer, "sha256"));

			*out = (struct ff_update_reply){
				.type = FF_UPDATE_OFFER,
				.deployment = (uint32_t)json_integer_value(json_object_get(offer, "deployment")),
				.release = (uint32_t)json_integer_value(json_object_get(offer, "release")),
				.size = (uint32_t)json_integer_value(json_object_get(offer, "size"))};
			if (sscanf(json_string_value(json_object_get(offer, "version")) != NULL
					   ? json_string_value(json_object_get(offer, "version")) : "", "%u.%u.%u+%lu",
				   &maj, &min, &rev, &build) < 3 || sha == NULL || strlen(sha) != 64) {
				refused(out, rq->type, 200, &(struct cli_body){0}, "");
				snprintf(out->why, sizeof(out->why), "the server's offer is not one this relay reads");
			} else {
				out->version = (struct ff_update_version){(uint8_t)maj, (uint8_t)min, (uint16_t)rev,
									  (uint32_t)build};
				for (int i = 0; i < 32; i++)
					sscanf(sha + 2 * i, "%2hhx", &out->sha256[i]);
			}
		}
		json_decref(j);
	} else if (rq->type == FF_UPDATE_FETCH) {
		snprintf(path, sizeof(path), "releases/%lu/image", (unsigned long)rq->release);
		snprintf(range, sizeof(range), "Range: bytes=%lu-%lu", (unsigned long)rq->offset,
			 (unsigned long)rq->offset + rq->length - 1);
		status = relay_http(b, serial, path, NULL, range, &answer, err, sizeof(err));
		if (status == 206 || status == 416) { /* (past the end: no bytes) */
			size_t n = status == 206 && answer.data != NULL ? answer.len : 0;

			if (n > rq->length)
				n = rq->length;
			memcpy(data, answer.data != NULL ? answer.data : "", n);
			*out = (struct ff_update_reply){.type = FF_UPDATE_DATA, .release = rq->release,
							 .offset = rq->offset, .data = data, .data_len = n};
			b->image_bytes += n;
		} else {
			refused(out, rq->type, status, &answer, err);
		}
	} else {
		v = json_pack("{s:I, s:s, s:I, s:s}", "deployment", (json_int_t)rq->deployment, "step",
			      ff_update_step_names[rq->step], "offset", (json_int_t)rq->offset, "why", rq->why);
		if (rq->why[0] == '\0')
			json_object_del(v, "why");
		{
			char *text = json_dumps(v, JSON_COMPACT);

			json_decref(v);
			status = relay_http(b, serial, "update/report", text, NULL, &answer, err, sizeof(err));
			free(text);
		}
		if (status == 200)
			*out = (struct ff_update_reply){.type = FF_UPDATE_RECORDED, .deployment = rq->deployment,
							 .step = rq->step};
		else
			refused(out, rq->type, status, &answer, err);
	}
	free(answer.data);
}

/* An update request of the device: relayed to the server, its reply written back as a #FL:D: line. */
static void take_update(struct bridge *b, const char *serial, const uint8_t *bytes, size_t len)
{
	static uint8_t data[FF_UPDATE_DATA_MAX], msg[FF_UPDATE_MESSAGE_MAX];
	static char line[FF_SERIAL_RECORD_MAX + 16];
	struct ff_update_request rq;
	struct ff_update_reply reply;
	struct ff_error err = {0};
	size_t n, done = 0;

	if (!b->two_way) {
		if (b->updates++ == 0)
			fprintf(stderr, "faultline bridge: the device asks for updates, but %s is read-only: give a serial "
					"port or tcp:HOST:PORT\n", b->input);
		return;
	}
	b->updates++;
	if (ff_update_request_decode(&rq, bytes, len, &err) != 0) {
		fprintf(stderr, "faultline bridge: a damaged update request was dropped: %s\n", err.msg);
		b->damaged++;
		return;
	}
	relay(b, serial, &rq, &reply, data);
	if ((n = ff_update_reply_encode(msg, sizeof(msg), &reply)) == 0 ||
	    (n = ff_serial_record_write(line, sizeof(line), 'D', msg, n)) == 0)
		return;
	while (done < n) {
		ssize_t w = write(b->fd, line + done, n - done);

		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w <= 0) {
			fprintf(stderr, "faultline bridge: writing to %s: %s\n", b->input, strerror(errno));
			return;
		}
		done += (size_t)w;
	}
}

/* Read what the input has; pass complete lines on. Returns -1 on a read error (said). */
static int read_input(struct bridge *b)
{
	char buf[4096];
	ssize_t n = read(b->fd, buf, sizeof(buf));

	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		fprintf(stderr, "faultline bridge: reading %s: %s\n", b->input, strerror(errno));
		return -1;
	}
	if (n == 0) {
		b->eof = true;
		ff_serial_reader_finish(&b->reader, take_event, b); /* a last line without its newline */
		return 0;
	}
	ff_serial_reader_feed(&b->reader, buf, (size_t)n, take_event, b);
	return 0;
}

/* Count the server's per-chunk results; say the first refusal, or the whole answer when it has no results. */
static void tally(struct bridge *b, const char *body)
{
	json_t *j = body != NULL ? json_loads(body, 0, NULL) : NULL, *r;
	size_t i;
	bool said = false;

	if (!json_is_array(json_object_get(j, "results")))
		fprintf(stderr, "faultline bridge: the server refused the chunks: %s\n", body != NULL ? body : "");

	json_array_foreach(json_object_get(j, "results"), i, r) {
		const char *err = json_string_value(json_object_get(r, "error"));

		if (json_object_get(r, "message") != NULL)
			b->delivered++;
		if (err != NULL) {
			b->rejected++;
			if (!said)
				fprintf(stderr, "faultline bridge: the server refused a chunk: %s\n", err);
			said = true;
		}
	}
	json_decref(j);
}

/*
 * Send the chunks at the head of the queue (one device's, at most BATCH_MAX). Returns 1 when they were answered
 * (and are off the queue), 0 to try again later (backing off), -1 when the server will never take them (said).
 */
static int send_head(struct bridge *b)
{
	const struct chunk *first = &b->queue[b->head];
	uint8_t *body;
	char url[2200], header[600], err[256];
	size_t n = 0, size = 0;
	struct cli_body answer = {0};
	struct cli_request rq = {.url = url, .header = header,
				 .content_type = "application/vnd.faultline.chunk-batch", .timeout_s = 30};
	long status;

	for (; n < BATCH_MAX && b->head + n < b->tail && strcmp(first[n].serial, first->serial) == 0; n++)
		size += FF_RECORD_SIZE(first[n].len);
	if ((body = malloc(size)) == NULL)
		abort();
	rq.data = body;
	for (size_t i = 0; i < n; i++)
		rq.len += ff_batch_put(body + rq.len, size - rq.len, first[i].bytes, first[i].len);
	snprintf(url, sizeof(url), "%s/api/v1/devices/%s/chunks", b->server, first->serial);
	snprintf(header, sizeof(header), "X-Faultline-Key: %s", b->key);
	status = cli_http(&rq, &answer, err, sizeof(err));
	free(body);
	if (status == 0 || status >= 500 || status == 429) {
		if (!b->outage_said)
			fprintf(stderr, "faultline bridge: the server at %s does not take chunks now (%s); retrying, "
					"%zu chunk(s) waiting\n", b->server, status == 0 ? err : "HTTP error", queued(b));
		if (status != 0 && answer.data != NULL && !b->outage_said)
			fprintf(stderr, "faultline bridge: HTTP %ld: %s\n", status, answer.data);
		b->outage_said = true;
		b->backoff_ms = b->backoff_ms == 0 ? BACKOFF_MIN_MS : b->backoff_ms * 2;
		if (b->backoff_ms > BACKOFF_MAX_MS)
			b->backoff_ms = BACKOFF_MAX_MS;
		/* a rate limit says when its window ends: sending before only spends the fleet's budget */
		b->retry_at_ms = now_ms() + (answer.retry_after > 0 ? (int64_t)answer.retry_after * 1000 : b->backoff_ms);
		free(answer.data);
		return 0;
	}
	if (status == 401 || status == 403 || status == 404) {
		fprintf(stderr, "faultline bridge: the server at %s answered HTTP %ld: %s\n", b->server, status,
			status == 404 ? "is this a faultline-server?" : "check the project key (--key or FAULTLINE_KEY)");
		free(answer.data);
		return -1;
	}
	if (b->outage_said)
		fprintf(stderr, "faultline bridge: the server answers again\n");
	b->outage_said = false;
	b->backoff_ms = 0;
	if (status == 200 || status == 400)
		tally(b, answer.data);
	else /* e.g. 413: the server will not take these chunks, whenever they are sent */
		fprintf(stderr, "faultline bridge: the server answered HTTP %ld to %zu chunk(s): %s\n", status, n,
			answer.data != NULL ? answer.data : "");
	free(answer.data);
	for (size_t i = 0; i < n; i++)
		free(b->queue[b->head + i].bytes);
	b->head += n;
	b->forwarded += n;
	return 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: faultline bridge [INPUT] [--server URL] [--key KEY] [--serial SERIAL] [--baud N]\n"
			"  INPUT: - (standard input, the default), a file, a serial port (/dev/ttyUSB0: raw, 8N1, --baud\n"
			"         N, default 115200), or tcp:HOST:PORT (a serial port served over TCP, e.g. by ser2net)\n"
			"  --key: the project key, or FAULTLINE_KEY; --server: or FAULTLINE_SERVER (default %s)\n"
			"  --serial: the device's serial until it announces one itself\n", DEFAULT_SERVER);
	return 2;
}

int cli_bridge(int argc, char **argv)
{
	struct bridge b = {.server = getenv("FAULTLINE_SERVER"), .key = getenv("FAULTLINE_KEY"), .input = "-"};
	const char *serial = NULL; /* --serial: the device's until it announces one */
	bool have_input = false;
	unsigned long baud = 115200;
	int status = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--server") == 0 && i + 1 < argc)
			b.server = argv[++i];
		else if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
			b.key = argv[++i];
		else if (strcmp(argv[i], "--serial") == 0 && i + 1 < argc)
			serial = argv[++i];
		else if (strcmp(argv[i], "--baud") == 0 && i + 1 < argc && speed_of(strtoul(argv[i + 1], NULL, 10)) != 0)
			baud = strtoul(argv[++i], NULL, 10);
		else if (!have_input && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0))
			b.input = argv[i], have_input = true;
		else
			return usage();
	}
	if (b.server == NULL || b.server[0] == '\0')
		b.server = DEFAULT_SERVER;
	if (b.key == NULL || b.key[0] == '\0') {
		fprintf(stderr, "faultline bridge: no project key: pass --key KEY or set FAULTLINE_KEY (faultline-server "
				"prints it at its first start)\n");
		return 2;
	}
	if (strlen(b.server) > 1500 || strlen(b.key) > 500) {
		fprintf(stderr, "faultline bridge: --server or --key is too long\n");
		return 2;
	}
	if (serial != NULL && !ff_device_serial_valid(serial, strlen(serial))) {
		fprintf(stderr, "faultline bridge: --serial: 1 to 64 of A-Z a-z 0-9 . _ : -\n");
		return 2;
	}
	ff_serial_reader_init(&b.reader, serial);
	if (cli_http_init("bridge") != 0 || (b.fd = open_input(b.input, baud)) < 0)
		return 1;
	{
		int mode = fcntl(b.fd, F_GETFL);

		struct stat st;

		b.two_way = b.fd != STDIN_FILENO && mode >= 0 && (mode & O_ACCMODE) == O_RDWR && fstat(b.fd, &st) == 0 &&
			    (isatty(b.fd) || S_ISSOCK(st.st_mode));
	}
	for (;;) {
		bool ready = queued(&b) > 0;
		int wait_ms = -1;

		if (ready)
			wait_ms = (int)(b.retry_at_ms > now_ms() ? b.retry_at_ms - now_ms() : 0);
		if (!b.eof && queued(&b) < QUEUE_MAX) {
			struct pollfd p = {.fd = b.fd, .events = POLLIN};
			int n = poll(&p, 1, wait_ms);

			if (n < 0 && errno != EINTR) {
				fprintf(stderr, "faultline bridge: %s\n", strerror(errno));
				status = 1;
				break;
			}
			if (n > 0 && read_input(&b) != 0) {
				status = 1;
				break;
			}
			if (n > 0 && queued(&b) < BATCH_MAX && !b.eof)
				continue; /* more may be on its way: fill the batch */
			fflush(stdout);
		} else if (ready && wait_ms > 0) {
			poll(NULL, 0, wait_ms);
		}
		ready = queued(&b) > 0;
		if (ready && now_ms() >= b.retry_at_ms) {
			int rc = send_head(&b);

			if (rc < 0) {
				status = 1;
				break;
			}
		}
		if (b.eof && queued(&b) == 0)
			break;
	}
	if (b.unannounced > 0) { /* the device's data did not all reach the server */
		fprintf(stderr, "faultline bridge: %lu chunk(s) came before any #FL:S: line; pass --serial to forward "
				"them\n", b.unannounced);
		status = 1;
	}
	fflush(stdout);
	fprintf(stderr, "faultline bridge: %lu chunk(s) forwarded, %lu message(s) completed, %lu refused, %lu damaged "
			"line(s), %lu log line(s)%s\n", b.forwarded, b.delivered, b.rejected, b.damaged, b.logs,
		queued(&b) > 0 ? "; some chunks were not sent" : "");
	if (b.updates > 0)
		fprintf(stderr, "faultline bridge: %lu update request(s) relayed, %lu image byte(s) sent down\n", b.updates,
			b.image_bytes);
	for (size_t i = b.head; i < b.tail; i++)
		free(b.queue[i].bytes);
	free(b.queue);
	if (b.fd != STDIN_FILENO)
		close(b.fd);
	cli_http_fini();
	return status;
}
