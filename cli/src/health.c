/* SPDX-License-Identifier: Apache-2.0 */
/* Fleet health as a person reads it (docs/HEALTH.md): the versions table, the comparison of two versions, a
 * metric's distribution, a device's heartbeats. remote.c fetches the server's JSON; this file prints it. */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "health.h"

static double num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static long long count(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* An estimate {"value": v, "ci": [lo, hi]} as "v [lo, hi]" (a missing bound: "inf"), or "-" without one. */
static const char *estimate(const json_t *e, const char *unit, char *buf, size_t size)
{
	const json_t *ci = json_object_get(e, "ci");
	double v = num(e, "value"), lo = json_number_value(json_array_get(ci, 0));
	const json_t *hi = json_array_get(ci, 1);

	if (!json_is_object(e) || isnan(v)) {
		snprintf(buf, size, "-");
		return buf;
	}
	if (json_is_number(hi))
		snprintf(buf, size, "%.2f%s [%.2f, %.2f]", v, unit, lo, json_number_value(hi));
	else
		snprintf(buf, size, "%.2f%s [%.2f, inf]", v, unit, lo);
	return buf;
}

void cli_print_versions(const json_t *j)
{
	const json_t *v;
	size_t i;
	char reboots[64], cores[64], hours[64], devices[64];

	printf("fleet health per version, the last %lld days (rates per 1,000 device-hours, 95%% intervals):\n",
	       count(json_object_get(j, "window"), "days"));
	printf("%-16s %7s %7s %7s %8s %12s  %-24s %-24s %-26s %s\n", "VERSION", "DEVICES", "24H", "7D", "ADOPTION",
	       "DEVICE-HOURS", "UNEXPECTED REBOOTS", "COREDUMPS", "CRASH-FREE HOURS", "CRASH-FREE DEVICES");
	json_array_foreach(json_object_get(j, "versions"), i, v) {
		double adoption = num(v, "adoption_pct");
		char adopt[16];

		if (isnan(adoption))
			snprintf(adopt, sizeof(adopt), "-");
		else
			snprintf(adopt, sizeof(adopt), "%.1f%%", adoption);
		printf("%-16s %7lld %7lld %7lld %8s %12.1f  %-24s %-24s %-26s %s\n",
		       json_string_value(json_object_get(v, "sw_version")), count(v, "devices"), count(v, "active_24h"),
		       count(v, "active_7d"), adopt, num(v, "device_hours"),
		       estimate(json_object_get(v, "unexpected_reboot_rate"), "", reboots, sizeof(reboots)),
		       estimate(json_object_get(v, "coredump_rate"), "", cores, sizeof(cores)),
		       estimate(json_object_get(v, "crash_free_hours"), "%", hours, sizeof(hours)),
		       estimate(json_object_get(v, "crash_free_devices"), "%", devices, sizeof(devices)));
	}
	if (json_array_size(json_object_get(j, "versions")) == 0)
		printf("(no heartbeats or crashes in the window)\n");
	json_array_foreach(json_object_get(j, "versions"), i, v) {
		const json_t *issue;
		size_t k;

		if (json_array_size(json_object_get(v, "top_issues")) == 0)
			continue;
		printf("%s%s's top issues by devices affected:\n", i == 0 ? "\n" : "",
		       json_string_value(json_object_get(v, "sw_version")));
		json_array_foreach(json_object_get(v, "top_issues"), k, issue)
			printf("  #%lld %s: %lld devices, %lld occurrences (faultline issue %lld)\n", count(issue, "id"),
			       json_string_value(json_object_get(issue, "title")), count(issue, "devices"),
			       count(issue, "occurrences"), count(issue, "id"));
	}
}

void cli_print_compare(const json_t *j)
{
	const json_t *a = json_object_get(j, "a"), *b = json_object_get(j, "b"), *test = json_object_get(j, "test");
	const char *va = json_string_value(json_object_get(a, "sw_version"));
	const char *vb = json_string_value(json_object_get(b, "sw_version"));
	const json_t *r, *why;
	size_t i, k;
	char x[64], y[64];

	printf("%s against %s, the last %lld days (rates per 1,000 device-hours, 95%% intervals):\n\n", vb, va,
	       count(json_object_get(j, "window"), "days"));
	printf("%-22s %-28s %s\n", "", va, vb);
	printf("%-22s %-28lld %lld\n", "devices", count(a, "devices"), count(b, "devices"));
	printf("%-22s %-28.1f %.1f\n", "device-hours", num(a, "device_hours"), num(b, "device_hours"));
	json_array_foreach(json_object_get(j, "rates"), i, r) {
		const char *verdict = json_string_value(json_object_get(r, "verdict"));
		const json_t *ci = json_object_get(r, "ratio_ci");

		printf("%-22s %-28s %s\n", strcmp(json_string_value(json_object_get(r, "rate")), "coredumps") == 0 ?
		       "coredumps" : "unexpected reboots", estimate(json_object_get(r, "a"), "", x, sizeof(x)),
		       estimate(json_object_get(r, "b"), "", y, sizeof(y)));
		printf("  -> %s", verdict != NULL ? verdict : "?");
		if (json_is_number(json_object_get(r, "ratio"))) {
			printf(": %s's rate is %.2fx %s's", vb, num(r, "ratio"), va);
			if (json_is_number(json_array_get(ci, 1)))
				printf(" [%.2f, %.2f]", json_number_value(json_array_get(ci, 0)),
				       json_number_value(json_array_get(ci, 1)));
			else
				printf(" [%.2f, inf]", json_number_value(json_array_get(ci, 0)));
		}
		if (json_is_number(json_object_get(r, "p_worse")))
			printf("; p(worse) %.2g, p(better) %.2g; power to find 2x: %.0f%%", num(r, "p_worse"),
			       num(r, "p_better"), 100 * num(r, "power_2x"));
		putchar('\n');
		json_array_foreach(json_object_get(r, "not_enough"), k, why)
			printf("     (%s)\n", json_string_value(why));
	}
	printf("\n%s; false-alarm rate %.0f%% each way; no verdict below %lld devices a side or %.0f%% power to find "
	       "a %.0fx rate (docs/HEALTH.md)\n", json_string_value(json_object_get(test, "name")),
	       100 * num(test, "false_alarm"), count(test, "min_devices"), 100 * num(test, "min_power"),
	       num(test, "power_ratio"));
}

void cli_print_metric(const json_t *j)
{
	const json_t *v;
	size_t i;

	printf("metric %s (%s), its %s per device:\n", json_string_value(json_object_get(j, "key")),
	       json_string_value(json_object_get(j, "kind")), json_string_value(json_object_get(j, "value")));
	printf("%-16s %8s %12s %12s %12s %12s\n", "VERSION", "DEVICES", "P50", "P95", "MIN", "MAX");
	json_array_foreach(json_object_get(j, "versions"), i, v)
		printf("%-16s %8lld %12.2f %12.2f %12.2f %12.2f\n", json_string_value(json_object_get(v, "sw_version")),
		       count(v, "devices"), num(v, "p50"), num(v, "p95"), num(v, "min"), num(v, "max"));
}

void cli_print_heartbeats(const json_t *j, size_t max)
{
	const json_t *h, *m, *b;
	const char *name;
	size_t i;

	printf("\nheartbeats, newest first:\n%8s %10s  %-19s  %-12s %7s %9s  %s\n", "BOOT", "UPTIME", "RECEIVED (UTC)",
	       "VERSION", "CHUNKS", "BYTES", "METRICS");
	json_array_foreach(json_object_get(j, "heartbeats"), i, h) {
		time_t t = (time_t)count(h, "received");
		const char *version = json_string_value(json_object_get(h, "sw_version"));
		char at[32];
		struct tm tm;

		if (i == max) {
			printf("(%zu more: --json shows them)\n", json_array_size(json_object_get(j, "heartbeats")) - max);
			break;
		}
		b = json_object_get(h, "builtin");
		strftime(at, sizeof(at), "%Y-%m-%d %H:%M:%S", gmtime_r(&t, &tm));
		printf("%8lld %9llds  %-19s  %-12s %7lld %9lld ", count(h, "boot_id"), count(h, "uptime_s"), at,
		       version != NULL ? version : "(waiting)", count(b, "chunks"), count(b, "chunk_bytes"));
		json_object_foreach((json_t *)json_object_get(h, "metrics"), name, m) {
			if (json_is_integer(m))
				printf(" %s=%lld", name, (long long)json_integer_value(m));
			else if (json_is_object(m))
				printf(" %s=%lld [%lld..%lld]", name, count(m, "last"), count(m, "min"), count(m, "max"));
			else if (json_is_array(m))
				printf(" (%zu values not named yet: the build's ELF is not uploaded)", json_array_size(m));
			else
				printf(" %s=-", name);
		}
		putchar('\n');
	}
}
