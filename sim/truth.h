/* SPDX-License-Identifier: Apache-2.0 */
/* Ground truth: from the messages that got through the lossy link, the numbers the server must show per version
 * by the rules of docs/HEALTH.md (device-hours, devices, unexpected reboots, coredumps); beside them, what really
 * happened on the devices (crashes, boots, heartbeats made), which the link and those rules filter. */
#ifndef SIM_TRUTH_H
#define SIM_TRUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_msg;

/* One boot of one device, as the server will have seen it. */
struct sim_boot {
	uint32_t device;
	uint16_t group;
	bool identity;          /* a message of it that carries its identity got through: its heartbeats count */
	bool heartbeat;         /* a heartbeat of it got through */
	uint32_t last_uptime_s; /* of its latest heartbeat that got through */
	uint64_t exposure_s;    /* the steps between them (HEALTH.md: Exposure), each capped at 30 days */
};

/* Per group (one version). The first block is what the server must show; the second what happened. */
struct sim_version_truth {
	uint64_t devices, exposure_s, unexpected_reboots, coredumps;
	uint64_t expected_reboots;                 /* reboot events below 0x8000 that got through */
	uint64_t boots, crashes, coredumps_saved, heartbeats_made, planned_reboots;
};

struct sim_truth {
	struct sim_boot *boots;
	size_t nboots, cap;
	struct sim_version_truth *groups;
	size_t ngroups;
	uint64_t hb_counted, hb_waiting, hb_duplicate; /* the server's answers to heartbeats that completed */
	bool finished;
};

/* Truth for ngroups groups (ngroups >= 1). Returns 0, or -1 when out of memory. */
int sim_truth_init(struct sim_truth *t, size_t ngroups);
void sim_truth_free(struct sim_truth *t);

/* A new boot of device (of group g) started: its record's number. Exits when out of memory. */
uint32_t sim_truth_boot(struct sim_truth *t, uint32_t device, uint16_t g);

/* Message m got through whole (after every message before it of the same device). */
void sim_truth_delivered(struct sim_truth *t, const struct sim_msg *m);

/* The server's answer to a heartbeat that completed: "counted", "waiting" or "duplicate". */
void sim_truth_heartbeat_answer(struct sim_truth *t, const char *outcome);

/* After the last message: each boot whose identity got through adds its exposure, and its device, to its
 * version. ndevices: the run's devices. */
void sim_truth_finish(struct sim_truth *t, uint32_t ndevices);

#endif
