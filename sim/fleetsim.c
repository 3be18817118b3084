/* SPDX-License-Identifier: Apache-2.0 */
/* fleetsim: a fleet of simulated devices, each running the real SDK (one copy, its state swapped per device:
 * state.h), for simulated days through the real chunk transport into a real faultline-server, and what the server
 * must show for it by the rules of docs/HEALTH.md (docs/HEALTH.md, The fleet simulator). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "device.h"
#include "faultline/config.h"
#include "http.h"
#include "port.h"
#include "state.h"
#include "truth.h"
#include "uplink.h"

#define GROUPS_MAX 256
#define DAY_MS (86400 * 1000LL)
#define VERSION_MAX 64

static const char k_usage[] =
	"usage: fleetsim --group VERSION:DEVICES:CRASHES_PER_1000H[:REBOOTS_PER_DAY] [--group ...] [options]\n"
	"  --days D          simulated days (default 7; fractions allowed)\n"
	"  --seed S          the run's seed (default 1): the same seed, the same fleet, the same messages\n"
	"  --interval S      heartbeat interval, seconds (default %d, the SDK's FL_HEARTBEAT_INTERVAL_S: timed by\n"
	"                    fl_metrics_poll(); another interval calls fl_metrics_heartbeat())\n"
	"  --step S          simulated seconds per step: the server's clock is set, then each device's chunks of\n"
	"                    the step go in one request (default 3600)\n"
	"  --loss P          each chunk is lost with probability P (default 0)\n"
	"  --mtu N           chunk size, %u..1024 bytes (default 64)\n"
	"  --coredumps F     share of the crashes that save a coredump; the others hang until the watchdog resets\n"
	"                    the device (default 0.5)\n"
	"  --last-heartbeat  a heartbeat right before each planned reboot (fl_metrics_heartbeat())\n"
	"  --start T         Unix seconds of simulated day 0 (default: the server's clock; --offline: now)\n"
	"  --hw NAME         the devices' hw_version (default sim-board); --prefix P: serials are P000000... (sim-)\n"
	"  --server URL      faultline-server (default $FAULTLINE_SERVER, else http://127.0.0.1:8080); it must run\n"
	"                    with --test-clock and its rate limits off (0)\n"
	"  --key KEY         the project key (default $FAULTLINE_KEY); --token TOKEN: the admin token, for the clock\n"
	"                    (default $FAULTLINE_TOKEN)\n"
	"  --connections N   requests in flight at once (default 4)\n"
	"  --upload-elf      first POST this program's ELF to /api/v1/symbols: the server learns its metric names\n"
	"  --offline         no server: the devices run and their chunks are counted, nothing is sent\n"
	"  --summary FILE    write the ground truth (and the server's numbers) as JSON\n"
	"  --boots FILE      write every boot's ground truth, a line each (serial, boot id, version, whether its\n"
	"                    identity and a heartbeat got through, its exposure in seconds): to find a difference\n"
	"  --check           exit 1 unless the server's numbers equal the ground truth\n"
	"  --settle S        wait up to S seconds for the server to process the last messages (default 60)\n"
	"  --quiet           no progress lines\n";

struct options {
	struct sim_group groups[GROUPS_MAX];
	char versions[GROUPS_MAX][VERSION_MAX + 1];
	size_t ngroups;
	double days, loss, coredumps, settle;
	uint64_t seed;
	long interval, step, start, mtu, connections;
	const char *hw, *prefix, *server, *key, *token, *summary, *boots;
	bool upload, offline, check, quiet, has_start, last_heartbeat;
};

static int usage(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "fleetsim: %s\n", why);
	fprintf(stderr, k_usage, FL_HEARTBEAT_INTERVAL_S, 10u);
	return 2;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A number option in [lo, hi]. Returns 0, or -1 (with a message) when text is not one. */
static int number(const char *name, const char *text, double lo, double hi, double *out)
{
	char *end;

	errno = 0;
	*out = text != NULL ? strtod(text, &end) : NAN;
	if (text == NULL || end == text || *end != '\0' || errno != 0 || !(*out >= lo && *out <= hi)) {
		fprintf(stderr, "fleetsim: %s: a number from %g to %g, not '%s'\n", name, lo, hi, text ? text : "");
		return -1;
	}
	return 0;
}

static int whole(const char *name, const char *text, long lo, long hi, long *out)
{
	double v;

	if (number(name, text, (double)lo, (double)hi, &v) != 0)
		return -1;
	if (v != floor(v)) {
		fprintf(stderr, "fleetsim: %s: a whole number, not '%s'\n", name, text);
		return -1;
	}
	*out = (long)v;
	return 0;
}

/* --group VERSION:DEVICES:CRASHES_PER_1000H[:REBOOTS_PER_DAY] */
static int parse_group(struct options *o, const char *spec)
{
	char copy[256], *fields[5], *save = NULL;
	size_t n = 0;
	struct sim_group *g = &o->groups[o->ngroups];
	double v;

	if (o->ngroups == GROUPS_MAX || strlen(spec) >= sizeof(copy))
		return fprintf(stderr, "fleetsim: --group %s: too many groups or too long\n", spec), -1;
	strcpy(copy, spec);
	for (char *f = strtok_r(copy, ":", &save); f != NULL && n < 5; f = strtok_r(NULL, ":", &save))
		fields[n++] = f;
	if (n < 3 || n > 4 || strlen(fields[0]) > VERSION_MAX)
		return fprintf(stderr, "fleetsim: --group %s: VERSION:DEVICES:CRASHES_PER_1000H[:REBOOTS_PER_DAY]\n",
			       spec), -1;
	for (size_t i = 0; i < o->ngroups; i++)
		if (strcmp(o->versions[i], fields[0]) == 0)
			return fprintf(stderr, "fleetsim: --group %s: version %s twice\n", spec, fields[0]), -1;
	strcpy(o->versions[o->ngroups], fields[0]);
	g->version = o->versions[o->ngroups];
	if (number("--group DEVICES", fields[1], 1, 10000000, &v) != 0 || v != floor(v))
		return -1;
	g->devices = (uint32_t)v;
	if (number("--group CRASHES_PER_1000H", fields[2], 0, 1e6, &g->crashes_per_1000h) != 0 ||
	    (n == 4 && number("--group REBOOTS_PER_DAY", fields[3], 0, 1e5, &g->reboots_per_day) != 0))
		return -1;
	o->ngroups++;
	return 0;
}

/* The options without a value; false when a is not one. */
static bool flag(struct options *o, const char *a)
{
	if (strcmp(a, "--upload-elf") == 0)
		o->upload = true;
	else if (strcmp(a, "--offline") == 0)
		o->offline = true;
	else if (strcmp(a, "--check") == 0)
		o->check = true;
	else if (strcmp(a, "--quiet") == 0)
		o->quiet = true;
	else if (strcmp(a, "--last-heartbeat") == 0)
		o->last_heartbeat = true;
	else
		return false;
	return true;
}

/* An option with its value. Returns 0, -1 when the value is wrong (said why), 1 when a is no such option. */
static int option(struct options *o, const char *a, const char *val)
{
	double v;
	int rc;

	if (strcmp(a, "--group") == 0)
		return parse_group(o, val);
	if (strcmp(a, "--days") == 0)
		return number(a, val, 1.0 / 24, 3650, &o->days);
	if (strcmp(a, "--seed") == 0) {
		rc = number(a, val, 0, 9007199254740992.0, &v);
		o->seed = (uint64_t)v;
		return rc;
	}
	if (strcmp(a, "--interval") == 0)
		return whole(a, val, 1, 2592000, &o->interval);
	if (strcmp(a, "--step") == 0)
		return whole(a, val, 1, 30 * 86400, &o->step);
	if (strcmp(a, "--loss") == 0)
		return number(a, val, 0, 1, &o->loss);
	if (strcmp(a, "--mtu") == 0)
		return whole(a, val, 10, 1024, &o->mtu);
	if (strcmp(a, "--coredumps") == 0)
		return number(a, val, 0, 1, &o->coredumps);
	if (strcmp(a, "--start") == 0) {
		o->has_start = true;
		return whole(a, val, 0, 1L << 40, &o->start);
	}
	if (strcmp(a, "--connections") == 0)
		return whole(a, val, 1, 64, &o->connections);
	if (strcmp(a, "--settle") == 0)
		return number(a, val, 0, 3600, &o->settle);
	const char **text = strcmp(a, "--hw") == 0 ? &o->hw : strcmp(a, "--prefix") == 0 ? &o->prefix :
			    strcmp(a, "--server") == 0 ? &o->server : strcmp(a, "--key") == 0 ? &o->key :
			    strcmp(a, "--token") == 0 ? &o->token : strcmp(a, "--summary") == 0 ? &o->summary :
			    strcmp(a, "--boots") == 0 ? &o->boots : NULL;
	if (text == NULL)
		return 1;
	*text = val;
	return 0;
}

static int parse(struct options *o, int argc, char **argv)
{
	*o = (struct options){.days = 7, .coredumps = 0.5, .settle = 60, .seed = 1, .interval = FL_HEARTBEAT_INTERVAL_S,
			      .step = 3600, .mtu = 64, .connections = 4, .hw = "sim-board", .prefix = "sim-",
			      .server = getenv("FAULTLINE_SERVER"), .key = getenv("FAULTLINE_KEY"),
			      .token = getenv("FAULTLINE_TOKEN")};
	if (o->server == NULL)
		o->server = "http://127.0.0.1:8080";
	for (int i = 1; i < argc; i++) {
		int rc;

		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return usage(NULL), 1;
		if (flag(o, argv[i]))
			continue;
		if (i + 1 == argc)
			return usage(argv[i][0] == '-' ? "an option without its value" : "unknown argument");
		rc = option(o, argv[i], argv[i + 1]);
		if (rc > 0)
			return usage("unknown option");
		if (rc < 0)
			return 2;
		i++;
	}
	if (o->ngroups == 0)
		return usage("at least one --group");
	if (!o->offline && (o->key == NULL || o->token == NULL))
		return usage("--key and --token (or FAULTLINE_KEY and FAULTLINE_TOKEN), or --offline");
	return 0;
}

/* One run of the simulator. */
struct run {
	struct options o;
	struct sim_params p;
	struct sim_device *devices;
	uint8_t *memory;
	uint32_t ndevices;
	struct sim_link link;
	struct sim_truth truth;
	struct sim_http *http;
	int64_t start_ms, end_ms, clock;
	unsigned window_days;   /* of GET /api/v1/versions: the whole run */
	double t_start, t_devices, t_net; /* when it started; seconds spent running the devices, and on the network */
	json_t *server;         /* the server's versions at the end, and its comparison of the first two */
	json_t *compare;
	bool agrees;
};

static int on_answer(void *ctx, size_t batch, long status, const char *body, size_t len)
{
	struct run *r = ctx;
	json_t *j = json_loadb(body, len, 0, NULL), *results = json_object_get(j, "results");
	int rc = 0;

	if ((status == 200 || status == 400) && results != NULL) {
		if (sim_link_results(&r->link, batch, results, &r->truth) != 0) {
			fprintf(stderr, "fleetsim: %s: the answer does not give one result per chunk: %.*s\n",
				r->link.batches[batch].serial, (int)len, body);
			rc = -1;
		}
	} else {
		fprintf(stderr, "fleetsim: %s: HTTP %ld: %.*s\n", r->link.batches[batch].serial, status, (int)len, body);
		if (status == 429)
			fprintf(stderr, "fleetsim: run faultline-server with its rate limits off (0): --new-devices-per-hour 0 "
				"--device-messages-per-hour 0 --device-heartbeats-per-hour 0 --key-mb-per-day 0\n");
		rc = -1;
	}
	json_decref(j);
	return rc;
}

/* The server's clock to t (Unix seconds), forward only. */
static int set_clock(struct run *r, int64_t t)
{
	char path[64];
	long status;
	json_t *j;

	snprintf(path, sizeof(path), "/api/v1/test/clock?now=%" PRId64, t);
	if (sim_http_admin(r->http, "POST", path, NULL, 0, &status, &j) != 0)
		return -1;
	json_decref(j);
	if (status == 200) {
		r->clock = t;
		return 0;
	}
	if (status == 404)
		fprintf(stderr, "fleetsim: the server has no test clock: run faultline-server with --test-clock\n");
	else if (status == 400)
		fprintf(stderr, "fleetsim: the server's clock is already past %" PRId64 " (it only goes forward: --start "
			"later, or leave --start out to start at the server's clock)\n", t);
	else
		fprintf(stderr, "fleetsim: POST %s: HTTP %ld\n", path, status);
	return -1;
}

/* The server's clock now (Unix seconds): the end of a health window. */
static int server_clock(struct run *r, int64_t *out)
{
	long status;
	json_t *j;
	int rc = -1;

	if (sim_http_admin(r->http, "GET", "/api/v1/versions?days=1", NULL, 0, &status, &j) != 0)
		return -1;
	if (status == 200 && json_is_integer(json_object_get(json_object_get(j, "window"), "to"))) {
		*out = json_integer_value(json_object_get(json_object_get(j, "window"), "to"));
		rc = 0;
	} else {
		fprintf(stderr, "fleetsim: GET /api/v1/versions: HTTP %ld%s\n", status,
			status == 401 ? " (is --token the server's admin token?)" : "");
	}
	json_decref(j);
	return rc;
}

/* POST this program's ELF to /api/v1/symbols: its build-id is every device's, its key table names the metrics. */
static int upload_elf(struct run *r)
{
	FILE *f = fopen("/proc/self/exe", "rb");
	char *elf = NULL;
	size_t len = 0, cap = 0, n;
	long status = 0;
	json_t *j = NULL;
	int rc = -1;

	if (f == NULL) {
		fprintf(stderr, "fleetsim: /proc/self/exe: %s\n", strerror(errno));
		return -1;
	}
	do {
		if (len == cap) {
			char *p = realloc(elf, cap = cap != 0 ? 2 * cap : 1 << 20);

			if (p == NULL)
				goto done;
			elf = p;
		}
		n = fread(elf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f) || sim_http_admin(r->http, "POST", "/api/v1/symbols", elf, len, &status, &j) != 0)
		goto done;
	if (status != 201) {
		fprintf(stderr, "fleetsim: POST /api/v1/symbols: HTTP %ld\n", status);
		goto done;
	}
	if (!r->o.quiet)
		fprintf(stderr, "fleetsim: uploaded its ELF (%zu KiB): build %s, %lld metric keys\n", len / 1024,
			json_string_value(json_object_get(j, "build_id")),
			(long long)json_integer_value(json_object_get(j, "metric_keys")));
	rc = 0;
done:
	json_decref(j);
	free(elf);
	fclose(f);
	return rc;
}

static int setup(struct run *r)
{
	const struct options *o = &r->o;
	size_t mem = sim_device_memory();
	uint32_t n = 0;

	for (size_t g = 0; g < o->ngroups; g++) {
		r->o.groups[g].first = n;
		if (o->groups[g].devices > 10000000u - n)
			return fprintf(stderr, "fleetsim: at most 10,000,000 devices\n"), -1;
		n += o->groups[g].devices;
	}
	r->ndevices = n;
	r->devices = calloc(n, sizeof(*r->devices));
	r->memory = malloc((size_t)n * mem);
	if (r->devices == NULL || r->memory == NULL || sim_truth_init(&r->truth, o->ngroups, n) != 0)
		return fprintf(stderr, "fleetsim: out of memory for %u devices\n", n), -1;
	sim_link_init(&r->link, o->loss, (uint32_t)o->mtu);
	if (!o->offline) {
		if (sim_http_open(&r->http, o->server, o->key, o->token, (unsigned)o->connections) != 0)
			return -1;
		if (o->upload && upload_elf(r) != 0)
			return -1;
	}
	if (o->has_start)
		r->clock = o->start;
	else if (o->offline)
		r->clock = (int64_t)time(NULL);
	else if (server_clock(r, &r->clock) != 0)
		return -1;
	r->start_ms = r->clock * 1000;
	r->end_ms = r->start_ms + (int64_t)llround(o->days * (double)DAY_MS);
	r->window_days = (unsigned)ceil(o->days) + 1 > 30 ? (unsigned)ceil(o->days) + 1 : 30;
	r->p = (struct sim_params){r->o.groups, o->seed, r->start_ms, o->interval * 1000LL,
				   o->interval == FL_HEARTBEAT_INTERVAL_S, o->coredumps, o->last_heartbeat, o->hw,
				   o->prefix};
	for (size_t g = 0; g < o->ngroups; g++)
		for (uint32_t i = 0; i < o->groups[g].devices; i++) {
			uint32_t at = o->groups[g].first + i;

			if (sim_device_init(&r->devices[at], at, (uint16_t)g, &r->p, r->memory + (size_t)at * mem) != 0)
				return fprintf(stderr, "fleetsim: --prefix %s is too long\n", o->prefix), -1;
		}
	if (!o->quiet)
		fprintf(stderr, "fleetsim: %u devices in %zu version(s), %g days from %" PRId64 " (seed %" PRIu64 "); "
			"the SDK's state %zu bytes a device (swapped in and out), %zu bytes a device in all: %.1f MiB\n",
			n, o->ngroups, o->days, r->clock, o->seed, sim_state_size(), mem + sizeof(struct sim_device),
			(double)n * (double)(mem + sizeof(struct sim_device)) / 1048576.0);
	return 0;
}

static void progress(const struct run *r, int64_t until)
{
	time_t t = (time_t)(until / 1000);
	struct tm tm;
	char when[32];

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", gmtime_r(&t, &tm));
	fprintf(stderr, "fleetsim: day %.4g of %g (%s UTC): %u devices; %" PRIu64 " messages sent, %" PRIu64
		" got through, %" PRIu64 " lost a chunk; %" PRIu64 " requests; %.1f s\n",
		(double)(until - r->start_ms) / (double)DAY_MS, r->o.days, when, r->ndevices, r->link.messages,
		r->link.messages - r->link.messages_lost, r->link.messages_lost, r->link.requests, now_s() - r->t_start);
}

/* Every device, one step at a time; each step's chunks sent before the next begins. */
static int simulate(struct run *r)
{
	int64_t step = r->o.step * 1000LL, next_day = r->start_ms + DAY_MS;
	double t0 = now_s();

	for (int64_t until = r->start_ms;;) {
		double t1;

		until = until + step < r->end_ms ? until + step : r->end_ms;
		sim_link_step(&r->link, (until + 999) / 1000);
		for (uint32_t i = 0; i < r->ndevices; i++) {
			struct sim_device *d = &r->devices[i];

			sim_state_load(d->sdk);
			sim_port_select(&d->hw);
			sim_device_run(d, &r->p, until, &r->link, &r->truth);
			sim_state_save(d->sdk);
		}
		t1 = now_s();
		r->t_devices += t1 - t0;
		for (size_t b = 0; b < r->link.nbatches; b++)
			r->link.requests += r->link.batches[b].nsent > 0;
		if (r->o.offline)
			sim_link_deliver_all(&r->link, &r->truth);
		else if (set_clock(r, r->link.received) != 0 || sim_http_send(r->http, &r->link, on_answer, r) != 0)
			return -1;
		t0 = now_s();
		r->t_net += t0 - t1;
		if (!r->o.quiet && (until >= next_day || until == r->end_ms)) {
			progress(r, until);
			while (next_day <= until)
				next_day += DAY_MS;
		}
		if (until == r->end_ms)
			return 0;
	}
}

/* The server's object of version v in a GET /api/v1/versions answer, or NULL. */
static const json_t *server_version(const json_t *versions, const char *v)
{
	size_t i;
	const json_t *e;

	json_array_foreach(json_object_get(versions, "versions"), i, e)
		if (strcmp(json_string_value(json_object_get(e, "sw_version")), v) == 0)
			return e;
	return NULL;
}

static long long count(const json_t *o, const char *key)
{
	return o != NULL ? (long long)json_integer_value(json_object_get(o, key)) : 0;
}

/* The server's device-hours of o in whole device-seconds (it keeps seconds, and shows them / 3600). */
static long long seconds(const json_t *o)
{
	return o != NULL ? llround(json_number_value(json_object_get(o, "device_hours")) * 3600.0) : 0;
}

/* Whether the server's versions equal the ground truth, for every group. */
static bool agrees(const struct run *r, const json_t *versions)
{
	for (size_t g = 0; g < r->o.ngroups; g++) {
		const struct sim_version_truth *t = &r->truth.groups[g];
		const json_t *v = server_version(versions, r->o.groups[g].version);

		if ((uint64_t)count(v, "devices") != t->devices || (uint64_t)seconds(v) != t->exposure_s ||
		    (uint64_t)count(v, "unexpected_reboots") != t->unexpected_reboots ||
		    (uint64_t)count(v, "coredumps") != t->coredumps)
			return false;
	}
	return true;
}

/* Wait for the server to have processed what got through (its workers count crashes and boots after the
 * answer): until its numbers equal the ground truth, or they stopped changing for 10 s, or --settle passed. */
static int settle(struct run *r)
{
	char path[64], *was = NULL;
	double t0 = now_s(), changed = t0;
	int rc = -1;

	snprintf(path, sizeof(path), "/api/v1/versions?days=%u", r->window_days);
	for (;;) {
		long status;
		json_t *j;
		char *now;
		struct timespec pause = {0, 100 * 1000 * 1000};

		if (sim_http_admin(r->http, "GET", path, NULL, 0, &status, &j) != 0)
			break;
		if (status != 200 || j == NULL) {
			fprintf(stderr, "fleetsim: GET %s: HTTP %ld\n", path, status);
			json_decref(j);
			break;
		}
		json_decref(r->server);
		r->server = j;
		r->agrees = agrees(r, j);
		now = json_dumps(json_object_get(j, "versions"), JSON_COMPACT);
		if (was == NULL || now == NULL || strcmp(was, now) != 0)
			changed = now_s();
		free(was);
		was = now;
		if (r->agrees || now_s() - changed > 10 || now_s() - t0 > r->o.settle) {
			rc = 0;
			break;
		}
		nanosleep(&pause, NULL);
	}
	free(was);
	return rc;
}

static void report(const struct run *r)
{
	fprintf(stderr, "fleetsim: the server (GET /api/v1/versions?days=%u) against the ground truth: %s\n",
		r->window_days, r->agrees ? "equal" : "DIFFERENT");
	fprintf(stderr, "  %-16s %-17s %-27s %-17s %-17s\n", "VERSION", "DEVICES", "DEVICE-HOURS", "UNEXP. REBOOTS",
		"COREDUMPS");
	for (size_t g = 0; g < r->o.ngroups; g++) {
		const struct sim_version_truth *t = &r->truth.groups[g];
		const json_t *v = server_version(r->server, r->o.groups[g].version);
		char a[32], b[32], c[32], d[32];

		snprintf(a, sizeof(a), "%lld/%" PRIu64, count(v, "devices"), t->devices);
		snprintf(b, sizeof(b), "%.1f/%.1f", (double)seconds(v) / 3600, (double)t->exposure_s / 3600);
		snprintf(c, sizeof(c), "%lld/%" PRIu64, count(v, "unexpected_reboots"), t->unexpected_reboots);
		snprintf(d, sizeof(d), "%lld/%" PRIu64, count(v, "coredumps"), t->coredumps);
		fprintf(stderr, "  %-16s %-17s %-27s %-17s %-17s (server/truth)\n", r->o.groups[g].version, a, b, c, d);
	}
}

/* GET /api/v1/compare of the second group against the first: its verdict on unexpected reboots, printed. */
static void compare(struct run *r)
{
	char path[256];
	long status;
	json_t *j, *rate;

	snprintf(path, sizeof(path), "/api/v1/compare?a=%s&b=%s&days=%u", r->o.groups[0].version,
		 r->o.groups[1].version, r->window_days);
	if (sim_http_admin(r->http, "GET", path, NULL, 0, &status, &j) != 0 || status != 200) {
		fprintf(stderr, "fleetsim: GET %s: HTTP %ld\n", path, status);
		json_decref(j);
		return;
	}
	rate = json_array_get(json_object_get(j, "rates"), 0);
	printf("compare %s against %s: unexpected reboots %lld against %lld, ratio %.3f, p_worse %.3g, power_2x %.3f: "
	       "%s (false-alarm rate %g)\n", r->o.groups[1].version, r->o.groups[0].version, count(rate, "b_count"),
	       count(rate, "a_count"), json_number_value(json_object_get(rate, "ratio")),
	       json_number_value(json_object_get(rate, "p_worse")),
	       json_number_value(json_object_get(rate, "power_2x")),
	       json_string_value(json_object_get(rate, "verdict")),
	       json_number_value(json_object_get(json_object_get(j, "test"), "false_alarm")));
	r->compare = j;
}

static json_t *summary(const struct run *r)
{
	json_t *versions = json_array();
	double elapsed = now_s() - r->t_start;

	for (size_t g = 0; g < r->o.ngroups; g++) {
		const struct sim_version_truth *t = &r->truth.groups[g];
		const struct sim_group *gr = &r->o.groups[g];

		json_array_append_new(versions, json_pack(
			"{s:s, s:I, s:f, s:f, s:I, s:I, s:f, s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I, s:I}}",
			"sw_version", gr->version, "devices", (json_int_t)t->devices, "crashes_per_1000h",
			gr->crashes_per_1000h, "reboots_per_day", gr->reboots_per_day, "fleet", (json_int_t)gr->devices,
			"device_seconds", (json_int_t)t->exposure_s, "device_hours", (double)t->exposure_s / 3600.0,
			"overlap_seconds", (json_int_t)t->overlap_s,
			"unexpected_reboots", (json_int_t)t->unexpected_reboots, "coredumps", (json_int_t)t->coredumps,
			"expected_reboots", (json_int_t)t->expected_reboots, "happened", "boots", (json_int_t)t->boots,
			"crashes", (json_int_t)t->crashes, "coredumps_saved", (json_int_t)t->coredumps_saved,
			"heartbeats", (json_int_t)t->heartbeats_made, "planned_reboots", (json_int_t)t->planned_reboots));
	}
	return json_pack("{s:I, s:I, s:f, s:I, s:I, s:I, s:I, s:f, s:I, s:I, s:I, s:I, s:o, "
			 "s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:{s:I, s:I, s:I}, s:b, s:O?, s:O?, s:{s:f, s:f, s:f}}",
			 "seed", (json_int_t)r->o.seed, "devices", (json_int_t)r->ndevices, "days", r->o.days, "start",
			 (json_int_t)(r->start_ms / 1000), "end", (json_int_t)(r->end_ms / 1000), "window_days",
			 (json_int_t)r->window_days, "interval_s", (json_int_t)r->o.interval, "loss", r->o.loss, "mtu",
			 (json_int_t)r->o.mtu, "state_bytes", (json_int_t)sim_state_size(), "device_bytes",
			 (json_int_t)(sim_device_memory() + sizeof(struct sim_device)), "boots",
			 (json_int_t)r->truth.nboots, "versions", versions, "link", "messages",
			 (json_int_t)r->link.messages, "messages_through", (json_int_t)(r->link.messages -
			 r->link.messages_lost), "messages_lost", (json_int_t)r->link.messages_lost, "chunks",
			 (json_int_t)r->link.chunks, "chunks_lost", (json_int_t)r->link.chunks_lost, "requests",
			 (json_int_t)r->link.requests, "disagreements", (json_int_t)r->link.disagreements,
			 "heartbeat_answers", "counted", (json_int_t)r->truth.hb_counted, "waiting",
			 (json_int_t)r->truth.hb_waiting, "duplicate", (json_int_t)r->truth.hb_duplicate, "agrees",
			 r->agrees, "server", r->server, "compare", r->compare, "seconds", "total", elapsed, "devices",
			 r->t_devices, "network", r->t_net);
}

/* --boots FILE: each boot's ground truth, a line each. */
static int write_boots(const struct run *r, const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fprintf(f, "serial boot_id version identity heartbeat last_uptime_s exposure_s\n");
	for (size_t i = 0; i < r->truth.nboots; i++) {
		const struct sim_boot *b = &r->truth.boots[i];

		fprintf(f, "%s %" PRIu32 " %s %d %d %" PRIu32 " %" PRIu64 "\n", r->devices[b->device].serial, b->boot_id,
			r->o.groups[b->group].version, b->identity, b->heartbeat, b->last_uptime_s, b->exposure_s);
	}
	return fclose(f) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct run r = {0};
	int rc = parse(&r.o, argc, argv), status = 0;
	json_t *s;

	if (rc != 0)
		return rc == 1 ? 0 : rc;
	r.t_start = now_s();
	if (setup(&r) != 0 || simulate(&r) != 0)
		return 1;
	sim_truth_finish(&r.truth);
	if (!r.o.offline) {
		if (settle(&r) != 0)
			return 1;
		if (!r.o.quiet || !r.agrees)
			report(&r);
		if (r.o.ngroups >= 2)
			compare(&r);
	}
	if (r.link.disagreements > 0) {
		fprintf(stderr, "fleetsim: %" PRIu64 " result(s) of the server disagreed with what got through\n",
			r.link.disagreements);
		status = 1;
	}
	if (r.o.check && !r.o.offline && !r.agrees)
		status = 1;
	if (!r.o.quiet) {
		double dd = (double)r.ndevices * r.o.days, t = now_s() - r.t_start;

		fprintf(stderr, "fleetsim: %u devices x %g days = %.0f device-days in %.1f s: %.0f device-days/s (the "
			"devices %.1f s, %s %.1f s)\n", r.ndevices, r.o.days, dd, t, dd / t, r.t_devices,
			r.o.offline ? "the rest" : "the network and server", t - r.t_devices);
	}
	if (r.o.boots != NULL && write_boots(&r, r.o.boots) != 0) {
		fprintf(stderr, "fleetsim: cannot write %s\n", r.o.boots);
		status = 1;
	}
	s = summary(&r);
	if (r.o.summary != NULL && (s == NULL || json_dump_file(s, r.o.summary, JSON_INDENT(1)) != 0)) {
		fprintf(stderr, "fleetsim: cannot write %s\n", r.o.summary);
		status = 1;
	}
	json_decref(s);
	json_decref(r.server);
	json_decref(r.compare);
	sim_http_close(r.http);
	sim_link_free(&r.link);
	sim_truth_free(&r.truth);
	free(r.devices);
	free(r.memory);
	return status;
}
