/* SPDX-License-Identifier: Apache-2.0 */
/* The SDK's state as one block of bytes: the simulator runs many devices on one copy of the SDK by saving a
 * device's block when it leaves the CPU and restoring the next one's (docs/HEALTH.md, The fleet simulator). */
#ifndef SIM_STATE_H
#define SIM_STATE_H

#include <stddef.h>

/* Bytes of the block: every writable static of the simulator's SDK build (sim/state.ld gathers them). */
size_t sim_state_size(void);

/* Copy the block as it is now into out (caller's, sim_state_size() bytes). */
void sim_state_save(void *out);

/* Make in (sim_state_size() bytes from sim_state_save(), caller's) the SDK's state. */
void sim_state_load(const void *in);

/* The block as it was when the program started, before any SDK call: a device that was never powered on
 * (its reboot record is not valid: its first boot reports the hardware's reset cause). */
const void *sim_state_pristine(void);

#endif
