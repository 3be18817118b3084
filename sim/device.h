/* SPDX-License-Identifier: Apache-2.0 */
/* A simulated device: the real SDK on simulated hardware (port.h), living a seeded life of heartbeats, crashes
 * and reboots in simulated time, its chunks handed to the lossy link (uplink.h) as the SDK makes them. */
#ifndef SIM_DEVICE_H
#define SIM_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "port.h"

struct sim_link;
struct sim_truth;

#define SIM_NEVER INT64_MAX /* an event time that never comes */
#define SIM_EVENT_BUF 192u  /* bytes of the SDK's event queue per device: a reboot event and a heartbeat */

/* A group of devices: one firmware version, its crash and reboot rates. */
struct sim_group {
	const char *version;      /* sw_version of its devices (lives as long as the run) */
	uint32_t devices;         /* how many, and the index of the first (groups are consecutive) */
	uint32_t first;
	double crashes_per_1000h; /* unexpected reboots (crashes and hangs) per 1,000 hours of running */
	double reboots_per_day;   /* planned reboots (software_reset) per day of running */
};

/* What every device of a run shares. */
struct sim_params {
	const struct sim_group *groups;
	uint64_t seed;
	int64_t start_ms;        /* simulated day 0, Unix milliseconds */
	int64_t interval_ms;     /* heartbeat period */
	bool poll;               /* the period is the SDK's FL_HEARTBEAT_INTERVAL_S: fl_metrics_poll() times it */
	double coredump_share;   /* of the crashes, the share that saves a coredump (the others hang: a watchdog) */
	bool last_heartbeat;     /* a heartbeat right before each planned reboot (fl_metrics_heartbeat()) */
	const char *hw_version;
	const char *prefix;      /* of the serials: PREFIX + index */
};

struct sim_device {
	struct sim_hw hw;
	uint64_t rng;            /* its own random stream (rng.h) */
	int64_t next_boot;       /* its events, simulated Unix ms (SIM_NEVER: none) */
	int64_t next_tick, next_heartbeat, next_crash, next_reboot;
	uint32_t boot;           /* its current boot's record (truth.h), SIM_NO_BOOT before the first */
	uint32_t index;
	uint16_t group;
	int32_t battery_mv, temperature_c, temperature_home;
	uint8_t *sdk;            /* its SDK state (state.h): sim_state_size() bytes */
	uint8_t *events;         /* the SDK's event buffer: SIM_EVENT_BUF bytes */
	char serial[48];
};

/* Bytes of memory one device needs besides its struct: its SDK state, event buffer and storage. */
size_t sim_device_memory(void);

/*
 * Make device number index of group g, powered off, to be powered on at a random time within the first heartbeat
 * interval. memory: sim_device_memory() bytes (caller's, kept by the device). Returns 0, or -1 when the serial
 * would be too long.
 */
int sim_device_init(struct sim_device *d, uint32_t index, uint16_t g, const struct sim_params *p, uint8_t *memory);

/*
 * Run d's events up to and including simulated time until (ms), in time order; the SDK must hold d's state (the
 * caller loads and saves it) and the port must have d selected. Each message the SDK queues is announced to link
 * and its chunks handed to it at once; truth learns of boots and of what happened. Exits the program (with a
 * message) when the SDK does what the simulator does not expect: a failed call, a message it did not queue.
 */
void sim_device_run(struct sim_device *d, const struct sim_params *p, int64_t until, struct sim_link *link,
		    struct sim_truth *truth);

#endif
