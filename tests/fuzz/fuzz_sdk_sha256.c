/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer, differential: the SDK's SHA-256 (sdk/src/sha256.c) against libsodium's on arbitrary bytes, fed in
 * pieces whose sizes the input's first byte chooses. Any difference aborts. */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sha256_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t got[32], want[32];
	struct fl_sha256 s;
	size_t piece = size > 0 ? (size_t)data[0] + 1 : 1;

	crypto_hash_sha256(want, data, size);
	fl_sha256_init(&s);
	for (size_t at = 0; at < size; at += piece)
		fl_sha256_update(&s, data + at, size - at < piece ? size - at : piece);
	fl_sha256_final(&s, got);
	if (memcmp(got, want, 32) != 0)
		abort();
	return 0;
}
