/* SPDX-License-Identifier: Apache-2.0 */
/* bench_dash_fill DIR ISSUES TRACES BIG DEVICES END REPORT.json: the traces of the dashboard's benchmark (bench/dash.py),
 * kept through the store's own operations (message_add, trace_put: every aggregate the pages read kept up as the
 * workers keep it) into the SQLite store in DIR: TRACES traces in ISSUES issues, BIG of them in issue 1, from
 * DEVICES devices (dev-00000...), received over the 30 days before END (Unix seconds), each with the report of
 * REPORT.json (a real one), of five software and two hardware versions. Prints what it kept and how fast. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store.h"

#define BATCH 2000 /* traces a transaction */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (text = calloc(1, (size_t)n + 1)) == NULL || fread(text, 1, (size_t)n, f) != (size_t)n) {
		free(text);
		text = NULL;
	}
	if (f != NULL)
		fclose(f);
	return text;
}

int main(int argc, char **argv)
{
	static const char *const k_versions[] = {"5.0.0", "5.0.1", "5.1.0", "5.1.1", "5.2.0"};
	static const char *const k_hw[] = {"evt2", "dvt1"};
	struct srv_store *s;
	char err[256];
	int64_t issues, traces, big, devices, end, *device_ids;
	struct timespec t0, t1;
	char *report;

	if (argc != 8 || (issues = atoll(argv[2])) < 2 || (traces = atoll(argv[3])) < issues ||
	    (big = atoll(argv[4])) < 1 || big > traces - issues || (devices = atoll(argv[5])) < 1 ||
	    (end = atoll(argv[6])) <= 30 * 86400) {
		fprintf(stderr, "usage: bench_dash_fill DIR ISSUES TRACES BIG DEVICES END REPORT.json\n");
		return 2;
	}
	if ((report = slurp(argv[7])) == NULL) {
		fprintf(stderr, "bench_dash_fill: cannot read %s\n", argv[7]);
		return 1;
	}
	if (srv_store_open_sqlite(&s, argv[1], err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_dash_fill: %s\n", err);
		return 1;
	}
	device_ids = calloc((size_t)devices, sizeof(*device_ids));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	srv_store_lock(s);
	for (int64_t t = 0; t < traces; t++) {
		int64_t dev = t % devices, message, trace, issue;
		char fingerprint[40], bytes[40], serial[32];
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
		snprintf(bytes, sizeof(bytes), "bench trace %lld", (long long)t);
		tr.device = device_ids[dev];
		if (s->ops->message_add(s, tr.device, (const uint8_t *)bytes, strlen(bytes), tr.captured, &message,
					&fresh) != 0)
			goto failed;
		tr.message = message;
		if (s->ops->trace_put(s, &tr, &trace, &issue) != 0 ||
		    s->ops->job_finish(s, message, SRV_MSG_DONE, NULL) != 0)
			goto failed;
		if ((t + 1) % BATCH == 0 || t + 1 == traces) {
			if (s->ops->commit(s) != 0)
				goto failed;
		}
	}
	srv_store_unlock(s);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("  kept %lld traces in %lld issues (%lld in issue 1) from %lld devices in %.1f s\n", (long long)traces,
	       (long long)issues, (long long)big, (long long)devices,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	s->ops->close(s);
	free(device_ids);
	free(report);
	return 0;
failed:
	fprintf(stderr, "bench_dash_fill: %s\n", srv_store_error(s));
	s->ops->rollback(s);
	srv_store_unlock(s);
	return 1;
}
