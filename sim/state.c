/* SPDX-License-Identifier: Apache-2.0 */
/* The SDK's state as one block (state.h), between the symbols sim/state.ld defines around it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"

/* Defined by sim/state.ld: the first byte of the block and the byte after its last. */
extern unsigned char fleetsim_state_start[];
extern unsigned char fleetsim_state_end[];

static unsigned char *s_pristine;

size_t sim_state_size(void)
{
	return (size_t)((uintptr_t)fleetsim_state_end - (uintptr_t)fleetsim_state_start);
}

void sim_state_save(void *out)
{
	memcpy(out, fleetsim_state_start, sim_state_size());
}

void sim_state_load(const void *in)
{
	memcpy(fleetsim_state_start, in, sim_state_size());
}

/* Taken before main() runs, so before any SDK call (and the first call is fleetsim's, long after). */
__attribute__((constructor)) static void take_pristine(void)
{
	s_pristine = malloc(sim_state_size() + 1);
	if (s_pristine == NULL)
		abort();
	sim_state_save(s_pristine);
}

const void *sim_state_pristine(void)
{
	return s_pristine;
}
