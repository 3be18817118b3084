/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-256 (FIPS 180-4), for the update client's check of an image as MCUboot computes it (docs/OTA.md): small
 * before fast (one 64-word table, a loop per round), no heap, streaming so an image is hashed as it is read back
 * from flash a piece at a time. */
#ifndef FL_SHA256_PRIVATE_H
#define FL_SHA256_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

struct fl_sha256 {
	uint32_t h[8];
	uint64_t len;      /* bytes hashed so far */
	uint8_t block[64]; /* the bytes of a block not yet full */
};

/* Start a hash. s: (out) the state. */
void fl_sha256_init(struct fl_sha256 *s);

/* Add len bytes of data (NULL when len is 0) to the hash s. */
void fl_sha256_update(struct fl_sha256 *s, const void *data, size_t len);

/* The hash of everything added: out (32 bytes). s is spent: init it again to hash something else. */
void fl_sha256_final(struct fl_sha256 *s, uint8_t out[32]);

#endif
