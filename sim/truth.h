/* SPDX-License-Identifier: Apache-2.0 */
/* Ground truth: from the messages that got through the lossy link, and when they were received, the numbers the
 * server must show per version by the rules of docs/HEALTH.md (device-hours, devices, unexpected reboots,
 * coredumps); beside them, what really happened on the devices (crashes, boots, heartbeats made), which the link
 * and those rules filter. */
#ifndef SIM_TRUTH_H
#define SIM_TRUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_msg;

/* One boot of one device, as the server will have counted it. */
struct sim_boot {
	uint32_t device;
	uint32_t boot_id;       /* the SDK's boot id (the port's counter) */
	uint16_t group;
	bool identity;          /* a message of it that carries its identity got through: its heartbeats count */
	bool heartbeat;         /* a heartbeat of it was counted */
	bool has_anchor;
	uint32_t last_uptime_s; /* of its latest counted heartbeat */
	int64_t anchor;         /* HEALTH.md, Placement: the least received - uptime_s of its heartbeats */
	int64_t last_at;        /* where its latest counted heartbeat was placed on the server's clock */
	uint64_t exposure_s;    /* the steps between its heartbeats, capped, cut where another boot counted */
	uint32_t waiting;       /* its heartbeats that wait for its identity: first and last in sim_truth.waits */
	uint32_t waiting_last;
};

/* A heartbeat that got through before its boot's identity. */
struct sim_wait {
	uint32_t uptime_s;
	uint32_t next; /* the boot's next one, SIM_TRUTH_NONE after its last */
	int64_t received;
};

#define SIM_TRUTH_NONE UINT32_MAX

/* Per device: how far on the server's clock its boots counted exposure (HEALTH.md: a device never counts more
 * than time passes). The latest place, the boot that took it, and the latest place of its other boots. */
struct sim_until {
	int64_t at, others;
	uint32_t boot;
};

/* Per group (one version). The first block is what the server must show; the second what happened. */
struct sim_version_truth {
	uint64_t devices, exposure_s, unexpected_reboots, coredumps;
	uint64_t expected_reboots;                 /* reboot events below 0x8000 that got through */
	uint64_t overlap_s;                        /* exposure cut where boots of a device overlap on the server */
	uint64_t boots, crashes, coredumps_saved, heartbeats_made, planned_reboots;
};

struct sim_truth {
	struct sim_boot *boots;
	size_t nboots, cap;
	struct sim_wait *waits;
	size_t nwaits, cap_waits;
	struct sim_until *until; /* per device */
	uint32_t ndevices;
	struct sim_version_truth *groups;
	size_t ngroups;
	uint64_t hb_counted, hb_waiting, hb_duplicate; /* the server's answers to heartbeats that completed */
};

/* Truth for ngroups groups (>= 1) of ndevices devices. Returns 0, or -1 when out of memory. */
int sim_truth_init(struct sim_truth *t, size_t ngroups, uint32_t ndevices);
void sim_truth_free(struct sim_truth *t);

/* A new boot (boot_id) of device (of group g) started: its record's number. Exits when out of memory. */
uint32_t sim_truth_boot(struct sim_truth *t, uint32_t device, uint32_t boot_id, uint16_t g);

/* Message m got through whole, received at the server's second `received` (after every message before it of the
 * same device). */
void sim_truth_delivered(struct sim_truth *t, const struct sim_msg *m, int64_t received);

/* The server's answer to a heartbeat that completed: "counted", "waiting" or "duplicate". */
void sim_truth_heartbeat_answer(struct sim_truth *t, const char *outcome);

/* After the last message: each boot's exposure, and its device, added to its version. */
void sim_truth_finish(struct sim_truth *t);

#endif
