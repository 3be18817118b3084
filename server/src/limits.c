/* SPDX-License-Identifier: Apache-2.0 */
/* Rate limits (limits.h): counters per calendar window; messages per device in an open-addressing table of the
 * devices that sent in the current hour, emptied when the hour turns. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "limits.h"

#define KEYS 8 /* names bytes are counted under at once (http.c uses two: "project key", "admin token") */

struct device_count {
	int64_t device; /* 0: an empty place (store ids start at 1) */
	uint64_t count, heartbeats;
};

struct srv_limits {
	struct srv_limits_config cfg;
	pthread_mutex_t lock; /* bytes[] and counts.bytes: HTTP threads; the rest is the writer thread's */
	struct {
		char key[65];
		int64_t day;
		uint64_t bytes;
	} bytes[KEYS];
	int64_t device_hour, message_hour; /* the windows of new_devices and of devices[] */
	uint64_t new_devices;
	struct device_count *devices;
	size_t cap, used;
	struct srv_limits_counts counts;
};

void srv_limits_new(struct srv_limits **out, const struct srv_limits_config *cfg)
{
	struct srv_limits *l = srv_calloc(1, sizeof(*l));

	l->cfg = *cfg;
	pthread_mutex_init(&l->lock, NULL);
	*out = l;
}

void srv_limits_free(struct srv_limits *l)
{
	if (l == NULL)
		return;
	pthread_mutex_destroy(&l->lock);
	free(l->devices);
	free(l);
}

void srv_limits_get(struct srv_limits *l, struct srv_limits_config *out_cfg, struct srv_limits_counts *out_counts)
{
	pthread_mutex_lock(&l->lock);
	*out_cfg = l->cfg;
	*out_counts = l->counts;
	pthread_mutex_unlock(&l->lock);
}

static unsigned until_next(int64_t now, int64_t period)
{
	return (unsigned)(period - now % period);
}

unsigned srv_limits_bytes(struct srv_limits *l, const char *key, size_t len, int64_t now)
{
	int64_t day = now / 86400;
	unsigned rc = 0;
	size_t i, oldest = 0;

	if (l->cfg.bytes_per_key_day == 0)
		return 0;
	pthread_mutex_lock(&l->lock);
	for (i = 0; i < KEYS && strcmp(l->bytes[i].key, key) != 0; i++)
		if (l->bytes[i].day < l->bytes[oldest].day)
			oldest = i;
	if (i == KEYS) { /* a key not counted yet takes the place of the one counted longest ago */
		i = oldest;
		memset(&l->bytes[i], 0, sizeof(l->bytes[i]));
		strncpy(l->bytes[i].key, key, sizeof(l->bytes[i].key) - 1);
	}
	if (l->bytes[i].day != day) {
		l->bytes[i].day = day;
		l->bytes[i].bytes = 0;
	}
	if (l->bytes[i].bytes + len > l->cfg.bytes_per_key_day) {
		l->counts.bytes++;
		rc = until_next(now, 86400);
	} else {
		l->bytes[i].bytes += len;
	}
	pthread_mutex_unlock(&l->lock);
	return rc;
}

void srv_limits_bytes_refund(struct srv_limits *l, const char *key, size_t len, int64_t now)
{
	pthread_mutex_lock(&l->lock);
	for (size_t i = 0; i < KEYS; i++)
		if (strcmp(l->bytes[i].key, key) == 0 && l->bytes[i].day == now / 86400)
			l->bytes[i].bytes -= len < l->bytes[i].bytes ? len : l->bytes[i].bytes;
	pthread_mutex_unlock(&l->lock);
}

/* The device window at now: moved on when a new hour began. Windows only move forward: requests stamped on the HTTP
 * threads reach the writer a little out of order around the hour. */
static void device_window(struct srv_limits *l, int64_t now)
{
	if (now / 3600 > l->device_hour) {
		l->device_hour = now / 3600;
		l->new_devices = 0;
	}
}

unsigned srv_limits_new_device(struct srv_limits *l, int64_t now)
{
	if (l->cfg.new_devices_per_hour == 0)
		return 0;
	device_window(l, now);
	return l->new_devices < l->cfg.new_devices_per_hour ? 0 : until_next(now, 3600);
}

void srv_limits_device_made(struct srv_limits *l, int64_t now)
{
	device_window(l, now);
	l->new_devices++;
}

void srv_limits_device_refused(struct srv_limits *l)
{
	pthread_mutex_lock(&l->lock);
	l->counts.new_devices++;
	pthread_mutex_unlock(&l->lock);
}

/* device's place in the table: its own, or the empty one where it goes. */
static struct device_count *place(struct srv_limits *l, int64_t device)
{
	size_t i = ((uint64_t)device * 0x9e3779b97f4a7c15u) & (l->cap - 1);

	while (l->devices[i].device != 0 && l->devices[i].device != device)
		i = (i + 1) & (l->cap - 1);
	return &l->devices[i];
}

static void grow(struct srv_limits *l)
{
	struct device_count *old = l->devices;
	size_t old_cap = l->cap;

	l->cap = old_cap == 0 ? 1024 : old_cap * 2;
	l->devices = srv_calloc(l->cap, sizeof(*l->devices));
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].device != 0)
			*place(l, old[i].device) = old[i];
	free(old);
}

void srv_limits_refund(struct srv_limits *l, int64_t device, uint64_t messages, uint64_t heartbeats,
		       bool device_made)
{
	/* (to the window of now: a charge of the hour before, given back after the hour turned, is lost; harmless) */
	if (device_made && l->new_devices > 0)
		l->new_devices--;
	if ((messages > 0 || heartbeats > 0) && l->cap > 0) {
		struct device_count *d = place(l, device);

		if (d->device == device) {
			d->count -= messages < d->count ? messages : d->count;
			d->heartbeats -= heartbeats < d->heartbeats ? heartbeats : d->heartbeats;
		}
	}
}

/* Charge one to a device's count of this hour (heartbeats or the other messages) against max; 0 when taken, else
 * the seconds until the hour ends, the refusal counted in refused. */
static unsigned charge(struct srv_limits *l, int64_t device, int64_t now, bool heartbeat, uint64_t max,
		       uint64_t *refused)
{
	struct device_count *d;
	uint64_t *count;

	if (max == 0)
		return 0;
	if (now / 3600 > l->message_hour) { /* a new hour: every device starts again, and the table is as small */
		l->message_hour = now / 3600;
		free(l->devices);
		l->devices = NULL;
		l->cap = l->used = 0;
	}
	if (2 * (l->used + 1) > l->cap) /* at most half full */
		grow(l);
	d = place(l, device);
	if (d->device == 0) {
		d->device = device;
		l->used++;
	}
	count = heartbeat ? &d->heartbeats : &d->count;
	if (*count >= max) {
		pthread_mutex_lock(&l->lock);
		(*refused)++;
		pthread_mutex_unlock(&l->lock);
		return until_next(now, 3600);
	}
	(*count)++;
	return 0;
}

unsigned srv_limits_message(struct srv_limits *l, int64_t device, int64_t now)
{
	return charge(l, device, now, false, l->cfg.messages_per_device_hour, &l->counts.messages);
}

unsigned srv_limits_heartbeat(struct srv_limits *l, int64_t device, int64_t now)
{
	return charge(l, device, now, true, l->cfg.heartbeats_per_device_hour, &l->counts.heartbeats);
}
