/* SPDX-License-Identifier: Apache-2.0 */
/* Seeded randomness for the simulator: one 64-bit stream per device (SplitMix64: a Weyl sequence through a
 * 64-bit mixer, which passes BigCrush), so that a device's life depends on the seed and its index only, never on
 * the order devices run in or on the network's timing. */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <math.h>
#include <stdint.h>

/* The next 64 random bits of the stream *s. */
static inline uint64_t sim_rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* A stream's starting state for stream number `stream` of seed `seed`: distinct streams never overlap in any
 * simulation's length (each is a different point of the 2^64-long sequence, mixed). */
static inline uint64_t sim_rng_stream(uint64_t seed, uint64_t stream)
{
	uint64_t s = seed ^ (stream * 0xd1b54a32d192ed03u);

	return sim_rng_next(&s);
}

/* Uniform in [0, 1), 53 bits. */
static inline double sim_rng_uniform(uint64_t *s)
{
	return (double)(sim_rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform in [0, n), n > 0 (Lemire's multiply-shift; its bias below 2^-32 for the n used here). */
static inline uint32_t sim_rng_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(((sim_rng_next(s) >> 32) * (uint64_t)n) >> 32);
}

/* Exponentially distributed with mean `mean` (> 0): the wait until the next event of a Poisson process. */
static inline double sim_rng_exponential(uint64_t *s, double mean)
{
	return -mean * log1p(-sim_rng_uniform(s));
}

/* True with probability p. */
static inline int sim_rng_chance(uint64_t *s, double p)
{
	return sim_rng_uniform(s) < p;
}

#endif
