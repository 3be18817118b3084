/* SPDX-License-Identifier: Apache-2.0 */
/* The simulator's port (faultline/port.h): the "hardware" of the simulated device the SDK runs on now. Every
 * device has its own; sim_port_select() puts one under the SDK, together with its SDK state (state.h). */
#ifndef SIM_PORT_H
#define SIM_PORT_H

#include <stddef.h>
#include <stdint.h>

/* A device's coredump storage: the smallest the SDK takes, in sectors of 256 bytes written 8 bytes at a time. */
#define SIM_STORAGE_SIZE 1024u
#define SIM_STORAGE_SECTOR 256u
#define SIM_STORAGE_GRANULE 8u

/* What a simulated device keeps outside the SDK's RAM, and what its hardware says. */
struct sim_hw {
	uint8_t *storage;       /* SIM_STORAGE_SIZE bytes of flash (erased: 0xFF); survives resets */
	const char *serial;     /* strings that live as long as the simulator */
	const char *sw_version;
	const char *hw_version;
	int64_t now_ms;         /* the device's clock: simulated milliseconds since the Unix epoch */
	int64_t boot_ms;        /* when its boot started, same clock: fl_port_uptime_ms() is now_ms - boot_ms */
	uint32_t boot_id;       /* its boot counter (a backup register): fl_port_boot_id() counts it up */
	uint32_t reset_raw;     /* the reset-status register the next fl_init() reads, and its reason */
	uint16_t reset_cause;
};

/* The device the SDK runs on from now on (its state must be loaded too: sim_state_load()). */
void sim_port_select(struct sim_hw *hw);

/* The memory a crash may capture (fl_port_memory_readable()): [lo, lo + len), the same for every device. */
void sim_port_readable(const void *lo, size_t len);

#endif
