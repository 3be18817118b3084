/* SPDX-License-Identifier: Apache-2.0 */
/* faultline-server: command line, data directory, credentials, and the HTTP service until SIGINT/SIGTERM. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyst.h"
#include "clock.h"
#include "faultline/version.h"
#include "http.h"
#include "keys.h"
#include "limits.h"
#include "listen.h"
#include "store.h"
#include "releases.h"
#include "symbols.h"

static void usage(FILE *to)
{
	fprintf(to, "usage: faultline-server --data DIR [--listen HOST:PORT]\n"
		    "       faultline-server --data DIR rotate-keys\n"
		    "       faultline-server --version | --help\n"
		    "  --data DIR          where the server keeps its database and symbol files (created if missing)\n"
		    "  --listen HOST:PORT  address to serve on (default " SRV_LISTEN_DEFAULT "; port 0 picks a free one,\n"
		    "                      printed and written to DIR/port)\n"
		    "  --symbols-max-mb N  largest symbol file accepted (default 256)\n"
		    "  --workers N         threads processing delivered messages (default 2)\n"
		    "  --partial-expiry-hours N  abandon partial messages not added to for N hours (default 168)\n"
		    "  --retention-days N  drop what was received more than N days ago (default 90), but the first,\n"
		    "                      the latest and a sample of each issue's traces; issue counts stay whole\n"
		    "  --header-seconds N  a request's headers must arrive within N s (default 30; slow clients are cut)\n"
		    "  --request-seconds N a whole request within N s (default 600: a large symbol file on a slow link)\n"
		    "  --per-address N     connections one address may hold (default 256: a NAT gateway speaks for many)\n"
		    "  --disk-reserve-mb N keep N MiB of the data folder's disk free: below, chunks are answered 503\n"
		    "                      (default 64)\n"
		    "  --analysis-memory-mb N  memory one analysis process may use (default 1024): symbol files are\n"
		    "                      untrusted, so each worker analyzes in a process of its own, ended when it\n"
		    "                      crashes or goes past this or --analysis-seconds\n"
		    "  --analysis-seconds N    time one analysis may take (default 60)\n"
		    "  --analysis-failures N   quarantine a message whose analysis died N times (default 3) until a new\n"
		    "                      symbol file of its build is uploaded\n"
		    "  --reprocess-per-second N  when this server's analysis is newer than the stored traces', reprocess\n"
		    "                      at most N of them a second (default 0: as fast as the workers are free)\n"
		    "  --test-clock        FOR TESTS ONLY: the server's clock is set through POST /api/v1/test/clock\n"
		    "                      (a fleet simulator fills days in minutes); never on a real server\n"
		    "  rotate-keys         replace the project key and the admin token, print the new ones, and exit\n"
		    "rate limits (beyond: 429 with Retry-After, nothing stored; 0 turns one off):\n"
		    "  --new-devices-per-hour N      serials never seen before (default 10000)\n"
		    "  --device-messages-per-hour N  new messages of one device (default 100), heartbeats apart\n"
		    "  --device-heartbeats-per-hour N  new heartbeats of one device (default 60)\n"
		    "  --key-mb-per-day N            MiB of chunk requests of one credential a day (default 4096)\n");
}

/* DIR/port, written whole or not at all: tests and scripts read the port a ":0" server picked from it. */
static int write_port(const char *dir, uint16_t port)
{
	char path[4096], tmp[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/port", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0)
		return -1;
	return rename(tmp, path);
}

/* The values of the options that take a count. */
static unsigned long s_symbols_mb = 256, s_workers = 2, s_expiry_hours = 168, s_retention_days = 90,
		     s_header_s = 30, s_request_s = 600, s_per_address = 256, s_disk_reserve_mb = 64,
		     s_analysis_mb = SRV_ANALYST_MEMORY_MB, s_analysis_s = SRV_ANALYST_SECONDS,
		     s_analysis_failures = SRV_ANALYST_FAILURES, s_new_devices = SRV_LIMIT_NEW_DEVICES_PER_HOUR,
		     s_device_messages = SRV_LIMIT_MESSAGES_PER_DEVICE_HOUR,
		     s_device_heartbeats = SRV_LIMIT_HEARTBEATS_PER_DEVICE_HOUR, s_key_mb = SRV_LIMIT_MB_PER_KEY_DAY,
		     s_reprocess_rate = 0;

/* Serve until SIGINT or SIGTERM, with the options' values above. */
static int serve(struct srv_store *store, const char *data, const struct srv_listen *listen, const char *program)
{
	const struct srv_analyst_config analysis = {.program = program, .data_dir = data,
						    .memory_max = (uint64_t)s_analysis_mb << 20,
						    .seconds = (unsigned)s_analysis_s,
						    .failures_max = (unsigned)s_analysis_failures};
	const struct srv_limits_config rate = {.new_devices_per_hour = s_new_devices,
					       .messages_per_device_hour = s_device_messages,
					       .heartbeats_per_device_hour = s_device_heartbeats,
					       .bytes_per_key_day = (uint64_t)s_key_mb << 20};
	struct srv_http_config cfg = {.listen = listen, .store = store, .data_dir = data,
				      .symbols_max = (size_t)s_symbols_mb << 20, .analysis = &analysis,
				      .disk_reserve = (uint64_t)s_disk_reserve_mb << 20, .header_seconds = (unsigned)s_header_s,
				      .request_seconds = (unsigned)s_request_s, .per_address = (unsigned)s_per_address};
	struct srv_http *http;
	char err[320];
	uint16_t port;
	sigset_t stop;
	int sig, swept;

	/* Block the stop signals in every thread; the main thread waits for them. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	swept = srv_symbols_sweep(data) + srv_releases_sweep(data);
	if (swept > 0)
		fprintf(stderr, "faultline-server: removed %d upload(s) a stopped server left unfinished\n", swept);
	if (srv_workers_start(&cfg.workers, store, &analysis, (unsigned)s_workers, (int64_t)s_expiry_hours * 3600,
			      (int64_t)s_retention_days * 86400, (unsigned)s_reprocess_rate) != 0)
		return 1;
	srv_limits_new(&cfg.limits, &rate);
	if (srv_http_start(&http, &cfg, &port, err, sizeof(err)) != 0) {
		fprintf(stderr, "faultline-server: %s\n", err);
		srv_workers_stop(cfg.workers);
		srv_limits_free(cfg.limits);
		return 1;
	}
	if (write_port(data, port) != 0)
		fprintf(stderr, "faultline-server: cannot write %s/port: %s\n", data, strerror(errno));
	printf("faultline-server %s: listening on http://%s:%u (data in %s)\n", FL_VERSION_STRING, listen->host, port,
	       data);
	fflush(stdout);
	sigwait(&stop, &sig);
	printf("faultline-server: stopping (signal %d)\n", sig);
	srv_http_stop(http);
	srv_workers_stop(cfg.workers);
	srv_limits_free(cfg.limits);
	return 0;
}

/* The value of a count option: 1..max (0..max when zero), or a message and -1. */
static int count_arg(const char *option, const char *text, unsigned long max, bool zero, unsigned long *out)
{
	char *end;

	*out = strtoul(text, &end, 10);
	if (*text < '0' || *text > '9' || *end != '\0' || (*out == 0 && !zero) || *out > max) {
		fprintf(stderr, "faultline-server: %s takes %d..%lu\n", option, zero ? 0 : 1, max);
		return -1;
	}
	return 0;
}

/* The options that take a count: 1..max, or 0..max (their values are above). */
static const struct count {
	const char *name;
	unsigned long max, *value;
	bool zero; /* 0 is a value too (the limit off) */
} k_counts[] = {
	{"--symbols-max-mb", 65536, &s_symbols_mb, false},
	{"--workers", 64, &s_workers, false},
	{"--partial-expiry-hours", 87600, &s_expiry_hours, false},
	{"--retention-days", 36500, &s_retention_days, false},
	{"--header-seconds", 3600, &s_header_s, false},
	{"--request-seconds", 86400, &s_request_s, false},
	{"--per-address", 65536, &s_per_address, false},
	{"--disk-reserve-mb", 1u << 30, &s_disk_reserve_mb, false},
	{"--analysis-memory-mb", 1u << 20, &s_analysis_mb, false},
	{"--analysis-seconds", 86400, &s_analysis_s, false},
	{"--analysis-failures", 1000, &s_analysis_failures, false},
	{"--reprocess-per-second", 1000, &s_reprocess_rate, true},
	{"--new-devices-per-hour", 1u << 30, &s_new_devices, true},
	{"--device-messages-per-hour", 1u << 30, &s_device_messages, true},
	{"--device-heartbeats-per-hour", 1u << 30, &s_device_heartbeats, true},
	{"--key-mb-per-day", 1u << 30, &s_key_mb, true},
};

static const struct count *count_option(const char *name)
{
	for (size_t i = 0; i < sizeof(k_counts) / sizeof(k_counts[0]); i++)
		if (strcmp(name, k_counts[i].name) == 0)
			return &k_counts[i];
	return NULL;
}

int main(int argc, char **argv)
{
	struct srv_listen listen;
	struct srv_store *store = NULL;
	const char *data = NULL, *listen_spec = SRV_LISTEN_DEFAULT;
	bool rotate = false;
	const struct count *count;
	char err[320], program[4096];
	ssize_t n;
	int status;

	if (argc == 3 && strcmp(argv[1], "--analyst") == 0) /* a worker's analyst (analyst.h), started by the server */
		return srv_analyst_main(argv[2]);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("faultline-server %s\n", FL_VERSION_STRING);
			return 0;
		} else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
			data = argv[++i];
		} else if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
			listen_spec = argv[++i];
		} else if ((count = count_option(argv[i])) != NULL && i + 1 < argc) {
			if (count_arg(argv[i], argv[i + 1], count->max, count->zero, count->value) != 0)
				return 2;
			i++;
		} else if (strcmp(argv[i], "--test-clock") == 0) {
			srv_clock_test();
		} else if (strcmp(argv[i], "rotate-keys") == 0) {
			rotate = true;
		} else {
			fprintf(stderr, "faultline-server: unknown or incomplete argument '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (data == NULL) {
		fprintf(stderr, "faultline-server: --data DIR is required\n");
		usage(stderr);
		return 2;
	}
	if (srv_listen_parse(&listen, listen_spec, err, sizeof(err)) != 0) {
		fprintf(stderr, "faultline-server: %s\n", err);
		return 2;
	}
	/* the analysts are this executable again: the same build, wherever it was installed or started from */
	if ((n = readlink("/proc/self/exe", program, sizeof(program) - 1)) <= 0) {
		fprintf(stderr, "faultline-server: cannot find its own executable: %s\n", strerror(errno));
		return 1;
	}
	program[n] = '\0';
	if (sodium_init() < 0) {
		fprintf(stderr, "faultline-server: libsodium cannot start\n");
		return 1;
	}
	if (mkdir(data, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "faultline-server: cannot create %s: %s\n", data, strerror(errno));
		return 1;
	}
	if (srv_store_open_sqlite(&store, data, err, sizeof(err)) != 0) {
		fprintf(stderr, "faultline-server: %s\n", err);
		return 1;
	}
	if (rotate) {
		status = srv_keys_rotate(store, stdout) == 0 ? 0 : 1;
	} else {
		status = srv_keys_ensure(store, stdout) < 0 ? 1 : serve(store, data, &listen, program);
	}
	if (status != 0 && srv_store_error(store)[0] != '\0')
		fprintf(stderr, "faultline-server: %s\n", srv_store_error(store));
	store->ops->close(store);
	return status;
}
