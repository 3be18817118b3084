/* SPDX-License-Identifier: Apache-2.0 */
/* Rate limits on what the shared project key can make the server keep: new device serials per hour (serials are
 * invented at will), new messages and new heartbeats per device per hour, and request bytes per key per day.
 * Windows are calendar hours and days (UTC): a refusal says when the window ends (Retry-After). The counts live in
 * this process's memory: a restart starts the windows again (an attacker cannot restart the server; a fleet on
 * several server processes needs them in the database, which the PostgreSQL backend brings). */
#ifndef SRV_LIMITS_H
#define SRV_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The limits; 0 turns one off. */
struct srv_limits_config {
	uint64_t new_devices_per_hour;
	uint64_t messages_per_device_hour;   /* messages other than heartbeats */
	uint64_t heartbeats_per_device_hour;
	uint64_t bytes_per_key_day;
};

/* faultline-server's defaults: a factory provisions thousands of devices an hour, not tens of thousands; a device
 * in a crash loop that reboots every half minute sends about 100 messages an hour (the first ones tell the story);
 * 4 GiB a day is some 40 KiB a day for each of 100,000 devices. */
#define SRV_LIMIT_NEW_DEVICES_PER_HOUR 10000u
#define SRV_LIMIT_MESSAGES_PER_DEVICE_HOUR 100u
/* heartbeats come every hour by default; 60 an hour allows one a minute, and a backlog sent after a day offline
 * (the SDK's queue holds few) */
#define SRV_LIMIT_HEARTBEATS_PER_DEVICE_HOUR 60u
#define SRV_LIMIT_MB_PER_KEY_DAY 4096u

/* What was refused, by limit (GET /api/v1/limits). */
struct srv_limits_counts {
	uint64_t new_devices, messages, heartbeats, bytes; /* requests refused since the start */
};

struct srv_limits;

/* New limits (all windows empty). out: freed with srv_limits_free().  cfg: copied. */
void srv_limits_new(struct srv_limits **out, const struct srv_limits_config *cfg);
void srv_limits_free(struct srv_limits *l);

/* The configuration, and the refusals so far. */
void srv_limits_get(struct srv_limits *l, struct srv_limits_config *out_cfg, struct srv_limits_counts *out_counts);

/*
 * Charge a request's len body bytes to key (an identity of the credential that sent it: its hash) for the day of
 * now (Unix seconds). Thread-safe. Returns 0 when taken; else the seconds until the day ends (for Retry-After),
 * and nothing is charged.
 */
unsigned srv_limits_bytes(struct srv_limits *l, const char *key, size_t len, int64_t now);

/*
 * The store's writer thread only (ingest applies requests there, one at a time): whether one more new device may
 * be made in the hour of now (0), else the seconds until the hour ends; srv_limits_device_made counts one.
 */
unsigned srv_limits_new_device(struct srv_limits *l, int64_t now);
void srv_limits_device_made(struct srv_limits *l, int64_t now);

/* Give back what srv_limits_bytes took for a request of which nothing was stored for a reason not its body's (a
 * rate limit of the writer thread, a store error). Thread-safe. */
void srv_limits_bytes_refund(struct srv_limits *l, const char *key, size_t len, int64_t now);

/* The writer thread only: give back what a request was charged (messages new messages and heartbeats new
 * heartbeats of device, and the device itself when made) when nothing of it was stored after all (its part undone,
 * or the commit failed). */
void srv_limits_refund(struct srv_limits *l, int64_t device, uint64_t messages, uint64_t heartbeats,
		       bool device_made);

/* The writer thread only: a request refused for a new device (srv_limits_new_device said no), counted. */
void srv_limits_device_refused(struct srv_limits *l);

/*
 * The writer thread only: charge one new message to device (its store id) in the hour of now. Returns 0 when
 * taken, else the seconds until the hour ends (nothing charged; the refusal counted).
 */
unsigned srv_limits_message(struct srv_limits *l, int64_t device, int64_t now);

/* The same for one new heartbeat (docs/FORMAT.md §8.4), counted apart from the other messages: a device's
 * heartbeats never use up what its crashes may send, and the other way round. */
unsigned srv_limits_heartbeat(struct srv_limits *l, int64_t device, int64_t now);

#endif
