/* SPDX-License-Identifier: Apache-2.0 */
/* The sample ring: head and tail only grow, so full and empty need no extra flag. */
#include "ring.h"

#include "faultline/faultline.h"

uint32_t ring_count(const struct ring *r)
{
	uint32_t n = r->head - r->tail;

	FL_ASSERT(n <= RING_SIZE); /* a corrupted index would hand out garbage samples */
	return n;
}

bool ring_put(struct ring *r, uint16_t v)
{
	if (ring_count(r) == RING_SIZE)
		return false;
	r->item[r->head % RING_SIZE] = v;
	r->head++;
	return true;
}

bool ring_get(struct ring *r, uint16_t *out)
{
	if (ring_count(r) == 0)
		return false;
	*out = r->item[r->tail % RING_SIZE];
	r->tail++;
	return true;
}
