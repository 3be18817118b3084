/* SPDX-License-Identifier: Apache-2.0 */
/* A "sensor" whose data register is a word of SRAM the sampler reads through a pointer, as it would read a
 * peripheral's; its samples go through the ring to the main loop. */
#include "sampler.h"

#include "faultline/faultline.h"
#include "ring.h"

#define SENSOR_GONE 0x60000000u /* nothing answers there: reads fault */

static volatile uint16_t s_sensor_reg = 512;
static volatile const uint16_t *volatile s_sensor = &s_sensor_reg;
static struct ring s_samples;
static unsigned s_divider = 1, s_count;
static volatile uint32_t s_taken;

static uint16_t sensor_read(void)
{
	s_sensor_reg = (uint16_t)(s_sensor_reg * 33u + 7u) & 0x3ffu; /* the signal moves */
	return *s_sensor; /* @frame sensor_read */
}

void sampler_tick(void)
{
	uint16_t v = sensor_read(); /* @frame sampler_read */

	if (++s_count % s_divider == 0)
		ring_put(&s_samples, v);
	s_taken++;
}

uint32_t sampler_wait(void)
{
	uint32_t taken = s_taken;

	while (s_taken == taken)
		__asm__ volatile("wfi"); /* @frame sampler_wait */
	return s_taken;
}

uint32_t sampler_average(unsigned window)
{
	uint32_t sum = 0;
	uint16_t v;

	for (unsigned i = 0; i < window; i++)
		sum += ring_get(&s_samples, &v) ? v : 0u;
	return sum / window; /* @frame average_divide */
}

void sampler_set_divider(unsigned divider)
{
	FL_ASSERT(divider >= 1 && divider <= 16); /* @frame divider_assert */
	s_divider = divider;
}

void sampler_detach(void)
{
	s_sensor = (volatile const uint16_t *)SENSOR_GONE;
}

size_t sampler_region(struct fl_region *out)
{
	out->addr = (uintptr_t)&s_samples;
	out->len = sizeof(s_samples);
	return 1;
}
