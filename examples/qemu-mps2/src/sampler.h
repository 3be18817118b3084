/* SPDX-License-Identifier: Apache-2.0 */
/* The sensor: sampled from SysTick into a ring, averaged on request. */
#ifndef SAMPLER_H
#define SAMPLER_H

#include <stdint.h>

#include "faultline/port.h"

#define SAMPLE_PERIOD_MS 10u

/* Take one sample (from SysTick). */
void sampler_tick(void);

/* Sleep until the next sample is taken. Returns the count of samples taken. */
uint32_t sampler_wait(void);

/* The mean of the next window samples (they are consumed; missing ones count as 0). */
uint32_t sampler_average(unsigned window);

/* Set the sampling divider: 1..16 periods per kept sample. */
void sampler_set_divider(unsigned divider);

/* Detach the sensor: its registers are gone (the board reports it unplugged). */
void sampler_detach(void);

/* The ring as a coredump region (fl_port_coredump_regions). Returns 1. */
size_t sampler_region(struct fl_region *out);

#endif
