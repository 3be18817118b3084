/* SPDX-License-Identifier: Apache-2.0 */
/* bench_dash_fill DIR ISSUES TRACES BIG DEVICES END TRACE: the traces of the dashboard's benchmark (bench/dash.py),
 * kept through the store's own operations (message_add, trace_put: every aggregate the pages read kept up as the
 * workers keep it) into the SQLite store in DIR: TRACES traces in ISSUES issues, BIG of them in the first, from
 * DEVICES devices (dev-00000...), received over the 30 days before END (Unix seconds), of five software and two
 * hardware versions, each a copy of trace TRACE of the store (a real crash the workers processed): its report and
 * its message. The store keeps a message once per device and content, so the copies of one device differ in the
 * last byte of the dump's last memory region. Prints what it kept and how fast. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ff/message.h"
#include "store.h"

#define BATCH 2000 /* traces a transaction */

static void take_report(const struct srv_trace_row *t, void *ctx)
{
	*(char **)ctx = strdup(t->report);
}

/* Where in the message its last memory region's last byte is (the region's bytes are a CBOR byte string, verbatim
 * in the message): 0 when there is no such region. */
static size_t last_memory_byte(const uint8_t *bytes, size_t len)
{
	struct ff_message m = {0};
	struct ff_error err = {0};
	size_t at = 0;

	if (ff_message_parse(&m, bytes, len, &err) == 0 && m.type == FF_MSG_COREDUMP && m.core.nregions > 0) {
		const struct ff_region *r = &m.core.regions[m.core.nregions - 1];

		for (size_t i = len >= r->len ? len - r->len + 1 : 0; r->len >= 16 && i-- > 0;)
			if (memcmp(bytes + i, r->data, r->len) == 0) {
				at = i + r->len - 1;
				break;
			}
	}
	ff_message_free(&m);
	return at;
}

int main(int argc, char **argv)
{
	static const char *const k_versions[] = {"5.0.0", "5.0.1", "5.1.0", "5.1.1", "5.2.0"};
	static const char *const k_hw[] = {"evt2", "dvt1"};
	struct srv_store *s;
	char err[256];
	int64_t issues, traces, big, devices, end, *device_ids;
	struct timespec t0, t1;
	char *report = NULL;
	uint8_t *message = NULL;
	size_t len = 0, vary;
	uint8_t last;

	if (argc != 8 || (issues = atoll(argv[2])) < 2 || (traces = atoll(argv[3])) < issues ||
	    (big = atoll(argv[4])) < 1 || big > traces - issues || (devices = atoll(argv[5])) < 1 || traces / devices > 256 ||
	    (end = atoll(argv[6])) <= 30 * 86400) {
		fprintf(stderr, "usage: bench_dash_fill DIR ISSUES TRACES BIG DEVICES END TRACE\n");
		return 2;
	}
	if (srv_store_open_sqlite(&s, argv[1], err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_dash_fill: %s\n", err);
		return 1;
	}
	if (s->ops->trace(s, atoll(argv[7]), take_report, &report) != 0 || report == NULL ||
	    s->ops->trace_message(s, atoll(argv[7]), &message, &len) != 0 || (vary = last_memory_byte(message, len)) == 0) {
		fprintf(stderr, "bench_dash_fill: trace %s is not a coredump with its message and memory\n", argv[7]);
		return 1;
	}
	last = message[vary];
	device_ids = calloc((size_t)devices, sizeof(*device_ids));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	srv_store_lock(s);
	for (int64_t t = 0; t < traces; t++) {
		int64_t dev = t % devices, trace, issue;
		char fingerprint[40], serial[32];
		bool fresh;
		/* issue 1 first, with BIG traces; then one each for the others, then the rest round the others */
		int64_t which = t < big ? 0 : 1 + (t - big) % (issues - 1);
		struct srv_trace tr = {.device = 0, .captured = end - 30 * 86400 + t * (30 * 86400 - 60) / traces,
				       .fingerprint = fingerprint, .kind = "bus_fault", .title = fingerprint,
				       .sw_version = k_versions[t % 5], .hw_version = k_hw[t % 2], .report = report,
				       .analysis = 2};

		if (t % BATCH == 0 && s->ops->begin(s) != 0)
			goto failed;
		if (device_ids[dev] == 0) {
			snprintf(serial, sizeof(serial), "dev-%05lld", (long long)dev);
			if (s->ops->device(s, serial, tr.captured, true, &device_ids[dev], NULL) != 0)
				goto failed;
		}
		snprintf(fingerprint, sizeof(fingerprint), "fl2:%016llx", (unsigned long long)which);
		message[vary] = (uint8_t)(last ^ t / devices); /* the first copy is the message itself */
		tr.device = device_ids[dev];
		if (s->ops->message_add(s, tr.device, message, len, tr.captured, &tr.message, &fresh) != 0)
			goto failed;
		if (s->ops->trace_put(s, &tr, &trace, &issue) != 0 ||
		    s->ops->job_finish(s, tr.message, SRV_MSG_DONE, NULL) != 0)
			goto failed;
		if ((t + 1) % BATCH == 0 || t + 1 == traces) {
			if (s->ops->commit(s) != 0)
				goto failed;
		}
	}
	srv_store_unlock(s);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("  kept %lld traces in %lld issues (%lld in the first) from %lld devices in %.1f s\n", (long long)traces,
	       (long long)issues, (long long)big, (long long)devices,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	s->ops->close(s);
	free(device_ids);
	free(report);
	free(message);
	return 0;
failed:
	fprintf(stderr, "bench_dash_fill: %s\n", srv_store_error(s));
	s->ops->rollback(s);
	srv_store_unlock(s);
	return 1;
}
