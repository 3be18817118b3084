/* SPDX-License-Identifier: Apache-2.0 */
/* A ring of 16-bit samples: one writer (the SysTick task), one reader (the main loop). */
#ifndef RING_H
#define RING_H

#include <stdbool.h>
#include <stdint.h>

#define RING_SIZE 64u /* a power of two */

struct ring {
	volatile uint32_t head, tail; /* free-running: head - tail is the count */
	uint16_t item[RING_SIZE];
};

/* Add v; false when the ring is full (v is dropped). */
bool ring_put(struct ring *r, uint16_t v);

/* Take the oldest sample into *out; false when empty. */
bool ring_get(struct ring *r, uint16_t *out);

/* Samples held now. */
uint32_t ring_count(const struct ring *r);

#endif
