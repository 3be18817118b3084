/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-256 per FIPS 180-4 (sha256_private.h). */
#include <string.h>

#include "sha256_private.h"

/* the first 32 bits of the fractional parts of the cube roots of the first 64 primes (FIPS 180-4 §4.2.2) */
static const uint32_t k_round[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, unsigned n)
{
	return x >> n | x << (32 - n);
}

static void compress(uint32_t h[8], const uint8_t block[64])
{
	uint32_t w[16], v[8];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)block[4 * i] << 24 | (uint32_t)block[4 * i + 1] << 16 | (uint32_t)block[4 * i + 2] << 8 |
		       block[4 * i + 3];
	memcpy(v, h, sizeof(v));
	for (int t = 0; t < 64; t++) {
		uint32_t s1, ch, t1, s0, maj;

		if (t >= 16) { /* the message schedule, kept as a ring of 16 words */
			uint32_t w15 = w[(t + 1) & 15], w2 = w[(t + 14) & 15];

			w[t & 15] += (ror(w15, 7) ^ ror(w15, 18) ^ w15 >> 3) + w[(t + 9) & 15] +
				     (ror(w2, 17) ^ ror(w2, 19) ^ w2 >> 10);
		}
		s1 = ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25);
		ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
		t1 = v[7] + s1 + ch + k_round[t] + w[t & 15];
		s0 = ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22);
		maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
		memmove(v + 1, v, 7 * sizeof(v[0]));
		v[4] += t1;
		v[0] = t1 + s0 + maj;
	}
	for (int i = 0; i < 8; i++)
		h[i] += v[i];
}

void fl_sha256_init(struct fl_sha256 *s)
{
	static const uint32_t k_h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

	memcpy(s->h, k_h0, sizeof(s->h));
	s->len = 0;
}

void fl_sha256_update(struct fl_sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > 0) {
		size_t used = (size_t)(s->len & 63), n = 64 - used < len ? 64 - used : len;

		memcpy(s->block + used, p, n);
		s->len += n;
		p += n;
		len -= n;
		if ((s->len & 63) == 0)
			compress(s->h, s->block);
	}
}

void fl_sha256_final(struct fl_sha256 *s, uint8_t out[32])
{
	const uint64_t bits = s->len * 8;
	size_t used = (size_t)(s->len & 63);

	s->block[used++] = 0x80;
	if (used > 56) {
		memset(s->block + used, 0, 64 - used);
		compress(s->h, s->block);
		used = 0;
	}
	memset(s->block + used, 0, 56 - used);
	for (int i = 0; i < 8; i++)
		s->block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	compress(s->h, s->block);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(s->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->h[i];
	}
}
